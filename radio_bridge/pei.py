"""Parsers for the parameters of PEI result codes (PROTOCOLS.md §1.4–1.9).

Each ``parse_*`` function takes the text after the colon and returns a small frozen record, or
raises :class:`radio_bridge.errors.ProtocolError`.
"""

from __future__ import annotations

from dataclasses import dataclass

from radio_bridge.at import parse_int, parse_ssi, split_args
from radio_bridge.errors import ProtocolError

__all__ = [
    "AI_SERVICE_SDS1",
    "AI_SERVICE_SDS2",
    "AI_SERVICE_SDS3",
    "AI_SERVICE_SDS4",
    "AI_SERVICE_STATUS",
    "CALL_STATUS",
    "DISCONNECT_CAUSES",
    "SDS_STATUS",
    "TX_GRANT",
    "CallConnect",
    "CallRelease",
    "CmgsAccepted",
    "CmgsResult",
    "DownlinkCeased",
    "IncomingCall",
    "OwnNumber",
    "SdsHeader",
    "TxGrant",
    "disconnect_text",
    "parse_cdtxc",
    "parse_cmgs_accepted",
    "parse_cmgs_result",
    "parse_cnumf",
    "parse_ctcc",
    "parse_ctcr",
    "parse_ctgs",
    "parse_cticn",
    "parse_ctsdsr_header",
    "parse_ctxg",
]

AI_SERVICE_SDS1 = 9
AI_SERVICE_SDS2 = 10
AI_SERVICE_SDS3 = 11
AI_SERVICE_SDS4 = 12
AI_SERVICE_STATUS = 13

#: ``+CMGS`` SDS status values.
SDS_STATUS: dict[int, str] = {
    0: "incoming stored unread",
    1: "incoming stored read",
    2: "outgoing stored unsent",
    3: "outgoing stored sent",
    4: "outgoing successfully sent",
    5: "outgoing transmission failed",
}

#: Call status values of ``+CTICN`` / ``+CTOCP``.
CALL_STATUS: dict[int, str] = {
    0: "progressing",
    1: "queued",
    2: "called party paged",
    3: "call continue",
    4: "hang time expired",
}

#: ``+CTXG`` TxGrant values.
TX_GRANT: dict[int, str] = {
    0: "granted",
    1: "not granted",
    2: "queued",
    3: "granted to another user",
}

#: ``+CTCR`` disconnect causes.
DISCONNECT_CAUSES: dict[int, str] = {
    0: "unknown",
    1: "user request",
    2: "called party busy",
    3: "called party not reachable",
    4: "called party does not support encryption",
    5: "network congestion",
    6: "not allowed traffic",
    7: "incompatible traffic",
    8: "service not available",
    9: "pre-emption",
    10: "invalid call identifier",
    11: "called party rejection",
    12: "no idle CC entity",
    13: "timer expiry (hang time)",
    14: "SwMI disconnect",
    15: "no acknowledgement",
    16: "unknown TETRA identity",
    18: "unknown external number",
    19: "call restoration failed",
    20: "called party requires encryption",
    21: "concurrent set-up not supported",
    31: "unacceptable service offered",
    32: "pre-emption by a late-entering gateway",
    33: "link to DM-REP failed",
    34: "link to gateway failed",
    35: "rejected by gateway",
    36: "V+D call set-up failure",
    37: "V+D resource lost or call timer expired",
    38: "transmit authorisation lost",
    39: "channel occupied by other users",
    40: "security parameter mismatch",
}


def disconnect_text(cause: int) -> str:
    """Return the meaning of a ``+CTCR`` disconnect cause."""
    return DISCONNECT_CAUSES.get(cause, f"cause {cause}")


def _fields(args: str, name: str, counts: tuple[int, ...]) -> list[str]:
    fields = split_args(args)
    if len(fields) not in counts:
        raise ProtocolError(f"{name}: {len(fields)} fields, expected {counts}")
    return fields


def _opt_int(field: str, name: str) -> int | None:
    return None if field == "" else parse_int(field, name)


def _opt_ssi(field: str, name: str) -> int | None:
    return None if field == "" else parse_ssi(field, name)


@dataclass(frozen=True, slots=True)
class SdsHeader:
    """Header of an incoming SDS (``+CTSDSR``).

    Attributes:
        ai_service: 9–11 = SDS type 1–3, 12 = SDS type 4, 13 = status.
        source: Calling party SSI; None when the radio left it out.
        destination: Called party SSI.
        length_bits: Length of the user data in bits.
        e2ee: End-to-end encryption flag (7-field form), else None.
    """

    ai_service: int
    source: int | None
    destination: int
    length_bits: int
    e2ee: int | None = None


def parse_ctsdsr_header(args: str) -> SdsHeader:
    """Parse the fields of a ``+CTSDSR`` header (3, 4, 6 or 7 fields, PROTOCOLS.md §1.6).

    Raises:
        ProtocolError: On a wrong field count or a bad field.
    """
    f = _fields(args, "+CTSDSR", (3, 4, 6, 7))
    service = parse_int(f[0], "AI service", 0, 255)
    source: int | None = None
    e2ee: int | None = None
    if len(f) == 3:
        dest, length = f[1], f[2]
    elif len(f) == 4:
        dest, length = f[1], f[3]
    else:
        source = _opt_ssi(f[1], "calling party")
        dest, length = f[3], f[5]
        if len(f) == 7:
            e2ee = _opt_int(f[6], "e2ee")
    return SdsHeader(
        ai_service=service,
        source=source,
        destination=parse_ssi(dest, "called party"),
        length_bits=parse_int(length, "length", 0, 4096),
        e2ee=e2ee,
    )


@dataclass(frozen=True, slots=True)
class CmgsAccepted:
    """Immediate ``+CMGS: <SDS instance>``: the MT accepted the SDS."""

    instance: int


def parse_cmgs_accepted(args: str) -> CmgsAccepted:
    """Parse the immediate ``+CMGS: <instance>`` answer."""
    f = _fields(args, "+CMGS", (1,))
    return CmgsAccepted(parse_int(f[0], "SDS instance", 0, 1 << 16))


@dataclass(frozen=True, slots=True)
class CmgsResult:
    """Delayed ``+CMGS: <SDS instance>,<SDS status>,<message reference>``.

    Attributes:
        instance: SDS instance from the immediate answer.
        status: 4 = successfully sent, 5 = transmission failed (see :data:`SDS_STATUS`).
        reference: Message reference (decimal on the wire); None if the radio left it out.
    """

    instance: int
    status: int
    reference: int | None

    @property
    def status_text(self) -> str:
        """The SDS status in words."""
        return SDS_STATUS.get(self.status, f"status {self.status}")


def parse_cmgs_result(args: str) -> CmgsResult:
    """Parse the delayed ``+CMGS`` result (2 or 3 fields)."""
    f = _fields(args, "+CMGS", (2, 3))
    ref = _opt_int(f[2], "message reference") if len(f) == 3 else None
    if ref is not None and ref > 255:
        raise ProtocolError(f"+CMGS: message reference {ref} out of range")
    return CmgsResult(
        instance=parse_int(f[0], "SDS instance", 0, 1 << 16),
        status=parse_int(f[1], "SDS status", 0, 255),
        reference=ref,
    )


@dataclass(frozen=True, slots=True)
class IncomingCall:
    """``+CTICN`` incoming call notification.

    Attributes:
        cc_instance: Call identifier used by later call events.
        call_status: See :data:`CALL_STATUS`.
        ai_service: 0 = TETRA speech.
        caller: Calling party SSI, None if withheld.
        hook: 1 = hook signalling (individual call rings), 0 = direct.
        simplex: 1 = simplex (PTT), 0 = duplex.
        comms_type: 0 = individual, 1 = group, 2 = acknowledged group, 3 = broadcast.
        called: Called party SSI (the GSSI for a group call), None if absent.
        priority: Call priority, None if absent.
    """

    cc_instance: int
    call_status: int
    ai_service: int
    caller: int | None
    hook: int | None
    simplex: int | None
    comms_type: int | None
    called: int | None
    priority: int | None

    @property
    def is_group(self) -> bool:
        """True for point-to-multipoint and broadcast calls."""
        return self.comms_type in (1, 2, 3)


def parse_cticn(args: str) -> IncomingCall:
    """Parse ``+CTICN`` (at least 3 fields, up to 13)."""
    f = split_args(args)
    if not 3 <= len(f) <= 13:
        raise ProtocolError(f"+CTICN: {len(f)} fields")
    f += [""] * (13 - len(f))
    return IncomingCall(
        cc_instance=parse_int(f[0], "CC instance", 0, 1 << 16),
        call_status=parse_int(f[1], "call status", 0, 255),
        ai_service=parse_int(f[2], "AI service", 0, 255),
        caller=_opt_ssi(f[4], "calling party"),
        hook=_opt_int(f[5], "hook"),
        simplex=_opt_int(f[6], "simplex"),
        comms_type=_opt_int(f[8], "comms type"),
        called=_opt_ssi(f[11], "called party"),
        priority=_opt_int(f[12], "priority"),
    )


@dataclass(frozen=True, slots=True)
class CallConnect:
    """``+CTCC`` call connect: ``<CC instance>,<hook>,<simplex>,<AI service>,<e2ee>,<comms>,…``.

    The field order after the CC instance is UNCONFIRMED (PROTOCOLS.md §1.9.3), so only the CC
    instance is required; the rest is read when present.
    """

    cc_instance: int
    simplex: int | None
    comms_type: int | None


def parse_ctcc(args: str) -> CallConnect:
    """Parse ``+CTCC`` (1 to 7 fields)."""
    f = split_args(args)
    if not 1 <= len(f) <= 8:
        raise ProtocolError(f"+CTCC: {len(f)} fields")
    f += [""] * (8 - len(f))
    return CallConnect(
        cc_instance=parse_int(f[0], "CC instance", 0, 1 << 16),
        simplex=_opt_int(f[2], "simplex"),
        comms_type=_opt_int(f[5], "comms type"),
    )


@dataclass(frozen=True, slots=True)
class CallRelease:
    """``+CTCR: <CC instance>,<disconnect cause>``."""

    cc_instance: int
    cause: int

    @property
    def cause_text(self) -> str:
        """The disconnect cause in words."""
        return disconnect_text(self.cause)


def parse_ctcr(args: str) -> CallRelease:
    """Parse ``+CTCR``."""
    f = _fields(args, "+CTCR", (1, 2))
    cause = parse_int(f[1], "disconnect cause", 0, 255) if len(f) == 2 and f[1] else 0
    return CallRelease(parse_int(f[0], "CC instance", 0, 1 << 16), cause)


@dataclass(frozen=True, slots=True)
class TxGrant:
    """``+CTXG: <CC instance>,<TxGrant>,<TxRqPrmsn>,<e2ee>[,<TPI type>,<TPI>]``.

    Attributes:
        cc_instance: The call.
        grant: See :data:`TX_GRANT` (0 granted to us, 3 granted to another user).
        request_permission: 0 = we may request to transmit, 1 = not allowed; None if absent.
        talking_party: SSI of the talker when the 6-field form names one; else None.
    """

    cc_instance: int
    grant: int
    request_permission: int | None
    talking_party: int | None

    @property
    def grant_text(self) -> str:
        """The grant value in words."""
        return TX_GRANT.get(self.grant, f"grant {self.grant}")


def parse_ctxg(args: str) -> TxGrant:
    """Parse ``+CTXG`` (2 to 6 fields)."""
    f = split_args(args)
    if not 2 <= len(f) <= 6:
        raise ProtocolError(f"+CTXG: {len(f)} fields")
    f += [""] * (6 - len(f))
    return TxGrant(
        cc_instance=parse_int(f[0], "CC instance", 0, 1 << 16),
        grant=parse_int(f[1], "TxGrant", 0, 255),
        request_permission=_opt_int(f[2], "TxRqPrmsn"),
        talking_party=_opt_ssi(f[5], "talking party"),
    )


@dataclass(frozen=True, slots=True)
class DownlinkCeased:
    """``+CDTXC: <CC instance>,<TxRqPrmsn>``: the other party stopped talking."""

    cc_instance: int


def parse_cdtxc(args: str) -> DownlinkCeased:
    """Parse ``+CDTXC``."""
    f = _fields(args, "+CDTXC", (1, 2))
    if len(f) == 2 and f[1]:
        parse_int(f[1], "TxRqPrmsn", 0, 255)
    return DownlinkCeased(parse_int(f[0], "CC instance", 0, 1 << 16))


@dataclass(frozen=True, slots=True)
class OwnNumber:
    """``+CNUMF: <num type>,<number>``: the radio's own identity."""

    num_type: int
    number: str
    ssi: int


def parse_cnumf(args: str) -> OwnNumber:
    """Parse ``+CNUMF``."""
    f = _fields(args, "+CNUMF", (2,))
    return OwnNumber(parse_int(f[0], "num type", 0, 255), f[1], parse_ssi(f[1], "own number"))


def parse_ctgs(args: str) -> int:
    """Parse ``+CTGS: <group type>,<identity>`` and return the selected group's SSI."""
    f = split_args(args)
    if len(f) < 2:
        raise ProtocolError("+CTGS: missing identity")
    return parse_ssi(f[1], "group identity")

"""SDS-TL (EN 300 392-2 clause 29): PDUs, text coding, concatenation and reports.

PROTOCOLS.md §2. Decoding entry point: :func:`decode_sds`, which turns the user data of one
``+CTSDSR`` into a typed record (:class:`TextMessage`, :class:`SdsReport`, :class:`SdsAck`,
:class:`StatusMessage`, :class:`LocationMessage` or :class:`OtherSdu`). Encoding: :func:`build_text`
(text → one or more SDS-TL PDUs) and :func:`encode_report` (the reply to a report request).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from radio_bridge import lip
from radio_bridge.bits import BitReader
from radio_bridge.errors import ProtocolError

__all__ = [
    "DEFAULT_MAX_USER_DATA_BITS",
    "DELIVERY_STATUS",
    "PID_CONCAT_TEXT",
    "PID_IMMEDIATE_TEXT",
    "PID_LIP",
    "PID_SIMPLE_IMMEDIATE_TEXT",
    "PID_SIMPLE_TEXT",
    "PID_TEXT",
    "REPORT_CONSUMED",
    "REPORT_NONE",
    "REPORT_RECEIVED",
    "SHORT_REPORT_FIRST",
    "SHORT_REPORT_LAST",
    "TCS_LATIN1",
    "TCS_UCS2",
    "AssembledText",
    "ConcatInfo",
    "LocationMessage",
    "OtherSdu",
    "Reassembler",
    "SdsAck",
    "SdsContent",
    "SdsReport",
    "SdsTimestamp",
    "StatusMessage",
    "TextMessage",
    "build_text",
    "decode_sds",
    "decode_text_sdu",
    "delivery_class",
    "delivery_status_text",
    "encode_report",
    "encode_text_coding",
    "split_text",
]

PID_SIMPLE_TEXT = 0x02
PID_SIMPLE_IMMEDIATE_TEXT = 0x09
PID_LIP = 0x0A
PID_TEXT = 0x82
PID_IMMEDIATE_TEXT = 0x89
PID_CONCAT_TEXT = 0x8A

TCS_GSM7 = 0
TCS_LATIN1 = 1
TCS_UCS2 = 26

REPORT_NONE = 0
REPORT_RECEIVED = 1
REPORT_CONSUMED = 2

SHORT_REPORT_FIRST = 0x7C00
SHORT_REPORT_LAST = 0x7FFF

#: Largest SDS type-4 user data in bits used by default (one radio reported 1184 for
#: ``AT+CMGS=?``; the air interface allows 2047).
DEFAULT_MAX_USER_DATA_BITS = 1184

_CODECS: dict[int, str] = {
    1: "latin-1",
    2: "iso8859_2", 3: "iso8859_3", 4: "iso8859_4", 5: "iso8859_5", 6: "iso8859_6",
    7: "iso8859_7", 8: "iso8859_8", 9: "iso8859_9", 10: "iso8859_10", 11: "iso8859_13",
    12: "iso8859_14", 13: "iso8859_15",
    14: "cp437", 15: "cp737", 16: "cp850", 17: "cp852", 18: "cp855", 19: "cp857",
    20: "cp860", 21: "cp861", 22: "cp863", 23: "cp865", 24: "cp866", 25: "cp869",
    26: "utf-16-be",
}

_GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\", 0x3C: "[",
             0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}

#: SDS-TL delivery status values (PROTOCOLS.md §2.3).
DELIVERY_STATUS: dict[int, str] = {
    0x00: "received by destination",
    0x01: "receipt report acknowledged",
    0x02: "consumed by destination",
    0x03: "consumed report acknowledged",
    0x04: "forwarded to external network",
    0x05: "sent to group, acknowledgement presented",
    0x06: "concatenation part received",
    0x20: "congestion, message stored",
    0x21: "message stored",
    0x22: "destination not reachable, message stored",
    0x40: "network overload",
    0x41: "service permanently not available",
    0x42: "service temporarily not available",
    0x43: "source not authorised",
    0x44: "destination not authorised",
    0x45: "unknown destination, gateway or service centre",
    0x46: "unknown forward address",
    0x47: "group address with individual service",
    0x48: "validity period expired, message not received",
    0x49: "validity period expired, message not consumed",
    0x4A: "delivery failed",
    0x4B: "destination not registered",
    0x4C: "destination queue full",
    0x4D: "message too long",
    0x4E: "destination does not support SDS-TL",
    0x4F: "destination host not connected",
    0x50: "protocol not supported",
    0x51: "data coding scheme not supported",
    0x52: "destination memory full, message discarded",
    0x53: "destination not accepting SDS messages",
    0x54: "concatenated message too long",
    0x56: "destination address prohibited",
    0x57: "cannot route to external network",
    0x58: "unknown external subscriber number",
    0x59: "negative report acknowledgement",
    0x5A: "destination not reachable, message delivery failed",
    0x5B: "text distribution error",
    0x5C: "corrupt information element",
    0x5D: "not all concatenation parts received",
    0x5E: "destination engaged in another service (external)",
    0x5F: "destination engaged in another service",
    0x60: "destination memory full",
    0x61: "destination memory available",
    0x62: "start pending messages",
    0x63: "no pending messages",
    0x80: "stop sending",
    0x81: "start sending",
}

_SHORT_REPORT_STATUS = {0: 0x50, 1: 0x52, 2: 0x00, 3: 0x02}


def delivery_status_text(status: int) -> str:
    """Return an SDS-TL delivery status in words."""
    return DELIVERY_STATUS.get(status, f"delivery status 0x{status:02X}")


def delivery_class(status: int) -> str:
    """Classify a delivery status.

    Returns:
        ``"success"`` (0x00–0x1F), ``"temporary"`` (0x20–0x3F), ``"failed"`` (0x40–0x5F),
        ``"flow_control"`` (0x60–0x7F), ``"end_to_end"`` (0x80–0x9F) or ``"reserved"``.
    """
    for limit, name in ((0x20, "success"), (0x40, "temporary"), (0x60, "failed"),
                        (0x80, "flow_control"), (0xA0, "end_to_end")):
        if status < limit:
            return name
    return "reserved"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class SdsTimestamp:
    """The 24-bit SDS-TL timestamp (no year, no seconds).

    Attributes:
        timeframe: 0 = application dependent, 1 = UTC, 2 = local, 3 = local DST.
    """

    timeframe: int
    month: int
    day: int
    hour: int
    minute: int


@dataclass(frozen=True, slots=True)
class ConcatInfo:
    """Concatenation information element of a UDH text (PID 0x8A)."""

    reference: int
    total: int
    part: int


@dataclass(frozen=True, slots=True)
class TextMessage:
    """A received text SDS.

    Attributes:
        pid: 0x02/0x09 (simple text) or 0x82/0x89/0x8A (SDS-TL text).
        text: The decoded text (one part of a concatenated message when ``concat`` is set).
        coding: Text coding scheme (1 = Latin-1, 26 = UCS-2, …).
        reference: SDS-TL message reference; None for simple text.
        report_request: Bits 3–2 of the SDS-TRANSFER octet: 0 none, 1 received,
            2 consumed, 3 both.
        timestamp: The optional SDS-TL timestamp.
        concat: Concatenation info for a part of a longer text.
    """

    pid: int
    text: str
    coding: int
    reference: int | None = None
    report_request: int = 0
    timestamp: SdsTimestamp | None = None
    concat: ConcatInfo | None = None

    @property
    def immediate(self) -> bool:
        """True for immediate (flash) text, PIDs 0x09 and 0x89."""
        return self.pid in (PID_SIMPLE_IMMEDIATE_TEXT, PID_IMMEDIATE_TEXT)


@dataclass(frozen=True, slots=True)
class SdsReport:
    """An SDS-REPORT, or an SDS-SHORT-REPORT received as a status.

    Attributes:
        pid: The PID of the report (the same as the reported message); None for a short report.
        status: Delivery status (a short report's type is mapped: 2 → 0x00, 3 → 0x02,
            0 → 0x50, 1 → 0x52).
        reference: The message reference being reported.
        ack_required: The sender wants an SDS-ACK.
        short: True for an SDS-SHORT-REPORT.
    """

    pid: int | None
    status: int
    reference: int
    ack_required: bool = False
    short: bool = False

    @property
    def status_text(self) -> str:
        """The delivery status in words."""
        return delivery_status_text(self.status)

    @property
    def status_class(self) -> str:
        """See :func:`delivery_class`."""
        return delivery_class(self.status)


@dataclass(frozen=True, slots=True)
class SdsAck:
    """An SDS-ACK (acknowledges a report)."""

    pid: int
    status: int
    reference: int


@dataclass(frozen=True, slots=True)
class StatusMessage:
    """A pre-coded 16-bit status that is not a short report."""

    value: int


@dataclass(frozen=True, slots=True)
class LocationMessage:
    """A LIP location report."""

    report: lip.LipReport


@dataclass(frozen=True, slots=True)
class OtherSdu:
    """Any other SDS the bridge does not interpret (kept for logging and the CLI)."""

    ai_service: int
    pid: int | None
    payload_hex: str
    length_bits: int
    description: str


SdsContent = TextMessage | SdsReport | SdsAck | StatusMessage | LocationMessage | OtherSdu


# --------------------------------------------------------------------------- text coding


def _gsm7_decode(data: bytes) -> str:
    septets: list[int] = []
    acc = 0
    nbits = 0
    for b in data:
        acc |= b << nbits
        nbits += 8
        while nbits >= 7:
            septets.append(acc & 0x7F)
            acc >>= 7
            nbits -= 7
    if septets and len(data) * 8 % 7 == 0 and septets[-1] == 0:
        septets.pop()  # padding septet
    out: list[str] = []
    escape = False
    for s in septets:
        if escape:
            out.append(_GSM7_EXT.get(s, " "))
            escape = False
        elif s == 0x1B:
            escape = True
        else:
            out.append(_GSM7[s])
    return "".join(out)


def decode_text(data: bytes, coding: int) -> str:
    """Decode text bytes in a TETRA text coding scheme.

    Raises:
        ProtocolError: For an unsupported coding scheme or odd-length UCS-2 text.
    """
    if coding == TCS_GSM7:
        return _gsm7_decode(data)
    codec = _CODECS.get(coding)
    if codec is None:
        raise ProtocolError(f"unsupported text coding scheme {coding}")
    if coding == TCS_UCS2 and len(data) % 2:
        raise ProtocolError("UCS-2 text with an odd number of octets")
    return data.decode(codec, errors="replace")


def encode_text_coding(text: str) -> tuple[int, bytes]:
    """Pick the text coding scheme for ``text`` and encode it.

    Returns:
        (1, Latin-1 bytes) if every character is Latin-1, else (26, UTF-16BE bytes).
    """
    try:
        return TCS_LATIN1, text.encode("latin-1")
    except UnicodeEncodeError:
        return TCS_UCS2, text.encode("utf-16-be", errors="surrogatepass")


def _timestamp(r: BitReader) -> SdsTimestamp:
    tf = r.read(2, "timeframe type")
    r.skip(2, "reserved")
    return SdsTimestamp(tf, r.read(4, "month"), r.read(5, "day"), r.read(5, "hour"),
                        r.read(6, "minute"))


def decode_text_sdu(
    r: BitReader, pid: int
) -> tuple[int, SdsTimestamp | None, ConcatInfo | None, str]:
    """Read a text SDU (after the SDS-TL header, or after the PID for simple text).

    Returns:
        (coding, timestamp, concatenation info, text).
    """
    first = r.read(8, "text coding scheme")
    coding = first & 0x7F
    ts = _timestamp(r) if first & 0x80 and pid >= 0x80 else None
    concat: ConcatInfo | None = None
    if pid == PID_CONCAT_TEXT:
        udh_len = r.read(8, "UDH length")
        udh = BitReader(r.read_bytes(udh_len, "UDH"))
        while udh.remaining >= 16:
            ie_id = udh.read(8)
            ie_len = udh.read(8)
            body = udh.read_bytes(ie_len, "UDH element")
            if ie_id == 0x00 and ie_len == 3:
                concat = ConcatInfo(body[0], body[1], body[2])
            elif ie_id == 0x08 and ie_len == 4:
                concat = ConcatInfo((body[0] << 8) | body[1], body[2], body[3])
        if concat is not None and not 1 <= concat.part <= concat.total:
            raise ProtocolError(f"concatenation part {concat.part} of {concat.total}")
    return coding, ts, concat, decode_text(r.rest_bytes(), coding)


def _skip_store_forward(r: BitReader) -> None:
    r.skip(5, "validity period")
    addr_type = r.read(3, "forward address type")
    if addr_type == 0:
        r.skip(8, "SNA")
    elif addr_type == 1:
        r.skip(24, "SSI")
    elif addr_type == 2:
        r.skip(48, "TSI")
    elif addr_type == 3:
        digits = r.read(8, "external number length")
        r.skip(4 * digits + (4 if digits % 2 else 0), "external number")
    elif addr_type != 7:
        raise ProtocolError(f"reserved forward address type {addr_type}")


# --------------------------------------------------------------------------- decoding


def decode_sds(ai_service: int, payload_hex: str, length_bits: int) -> SdsContent:
    """Decode the user data of one received SDS.

    Args:
        ai_service: From the ``+CTSDSR`` header: 13 = status, 12 = SDS type 4, 9–11 = types 1–3.
        payload_hex: The hex payload line.
        length_bits: Length from the header.

    Returns:
        A typed record.

    Raises:
        ProtocolError: For malformed user data.
    """
    r = BitReader.from_hex(payload_hex, length_bits)
    if ai_service == 13:
        if length_bits != 16:
            raise ProtocolError(f"status with {length_bits} bits, expected 16")
        value = r.read(16, "status")
        if SHORT_REPORT_FIRST <= value <= SHORT_REPORT_LAST:
            rtype = (value >> 8) & 0x3
            return SdsReport(None, _SHORT_REPORT_STATUS[rtype], value & 0xFF, short=True)
        return StatusMessage(value)
    if ai_service != 12:
        return OtherSdu(ai_service, None, payload_hex.strip().upper(), length_bits,
                        f"SDS type {ai_service - 8}" if 9 <= ai_service <= 11 else "unknown")
    pid = r.read(8, "protocol identifier")
    if pid == PID_LIP:
        try:
            return LocationMessage(lip.decode(payload_hex, length_bits))
        except ProtocolError as exc:
            if "not a location report" in str(exc):
                return OtherSdu(12, pid, payload_hex.strip().upper(), length_bits, str(exc))
            raise
    if pid in (PID_SIMPLE_TEXT, PID_SIMPLE_IMMEDIATE_TEXT):
        coding, _ts, _c, text = decode_text_sdu(r, pid)
        return TextMessage(pid, text, coding)
    if pid >= 0x80:
        octet = r.read(8, "SDS-TL message type")
        mtype = octet >> 4
        if mtype == 1:
            status = r.read(8, "delivery status")
            ref = r.read(8, "message reference")
            return SdsReport(pid, status, ref, ack_required=bool(octet & 0x08))
        if mtype == 2:
            status = r.read(8, "delivery status")
            return SdsAck(pid, status, r.read(8, "message reference"))
        if mtype == 0 and pid in (PID_TEXT, PID_IMMEDIATE_TEXT, PID_CONCAT_TEXT):
            ref = r.read(8, "message reference")
            if octet & 0x01:
                _skip_store_forward(r)
            coding, ts, concat, text = decode_text_sdu(r, pid)
            return TextMessage(pid, text, coding, reference=ref, report_request=(octet >> 2) & 3,
                               timestamp=ts, concat=concat)
        return OtherSdu(12, pid, payload_hex.strip().upper(), length_bits,
                        f"SDS-TL PID 0x{pid:02X} message type {mtype}")
    return OtherSdu(12, pid, payload_hex.strip().upper(), length_bits, f"PID 0x{pid:02X}")


# --------------------------------------------------------------------------- encoding


def encode_report(
    pid: int, reference: int, status: int = 0x00, ack_required: bool = False
) -> bytes:
    """Build an SDS-REPORT (the reply to a text that asked for a report).

    Args:
        pid: The PID of the message being reported.
        reference: Its message reference.
        status: Delivery status (0x00 received, 0x02 consumed).
        ack_required: Ask the other side for an SDS-ACK.

    Returns:
        The user data, e.g. ``821000C9``.
    """
    return bytes([pid, 0x10 | (0x08 if ack_required else 0), status, reference])


def _transfer_octet(report: bool) -> int:
    return 0x04 if report else 0x00


def split_text(
    text: str, max_user_data_bits: int = DEFAULT_MAX_USER_DATA_BITS
) -> tuple[int, list[bytes]]:
    """Choose the coding for ``text`` and split it into parts that fit one SDS each.

    A text that fits one PDU with PID 0x82 (4 octets of header) gives one part; otherwise
    parts for PID 0x8A (10 octets of header and UDH). Characters are never split (UCS-2
    surrogate pairs stay together).

    Returns:
        (text coding scheme, encoded text of each part).

    Raises:
        ValueError: For an empty text, a too small limit, or more than 255 parts.
    """
    if not text:
        raise ValueError("empty text")
    max_octets = max_user_data_bits // 8
    if max_octets < 16:
        raise ValueError("max_user_data_bits too small")
    coding, data = encode_text_coding(text)
    if len(data) <= max_octets - 4:
        return coding, [data]
    room = max_octets - 10
    if coding == TCS_UCS2:
        room -= room % 2
    parts: list[bytes] = []
    current = bytearray()
    enc = "latin-1" if coding == TCS_LATIN1 else "utf-16-be"
    for ch in text:
        b = ch.encode(enc, errors="surrogatepass")
        if len(current) + len(b) > room:
            parts.append(bytes(current))
            current = bytearray()
        current += b
    if current:
        parts.append(bytes(current))
    if len(parts) > 255:
        raise ValueError("text too long (more than 255 parts)")
    return coding, parts


def build_text(
    text: str,
    references: list[int] | tuple[int, ...],
    *,
    report: bool = True,
    immediate: bool = False,
    max_user_data_bits: int = DEFAULT_MAX_USER_DATA_BITS,
) -> list[bytes]:
    """Encode a text as SDS-TL PDUs.

    Args:
        text: The text; Latin-1 text is sent with coding 1, anything else (Chinese) with 26.
        references: One message reference (0–255) per part; see :func:`split_text` for the
            count. The first reference doubles as the 8-bit concatenation reference.
        report: Ask for a "message received" report.
        immediate: Use PID 0x89 (immediate text) for a single-part message.
        max_user_data_bits: Size limit of one SDS.

    Returns:
        The user data of each part.

    Raises:
        ValueError: If the number of references does not match the number of parts.
    """
    coding, parts = split_text(text, max_user_data_bits)
    if len(references) != len(parts):
        raise ValueError(f"{len(parts)} parts need {len(parts)} references, got {len(references)}")
    octet = _transfer_octet(report)
    if len(parts) == 1:
        pid = PID_IMMEDIATE_TEXT if immediate else PID_TEXT
        return [bytes([pid, octet, references[0] & 0xFF, coding]) + parts[0]]
    total = len(parts)
    concat_ref = references[0] & 0xFF
    return [
        bytes([PID_CONCAT_TEXT, octet, ref & 0xFF, coding, 5, 0x00, 3, concat_ref, total, i])
        + data
        for i, (ref, data) in enumerate(zip(references, parts, strict=True), start=1)
    ]


# --------------------------------------------------------------------------- reassembly


@dataclass(frozen=True, slots=True)
class AssembledText:
    """A text put together from its parts (or what arrived of it before the timeout).

    Attributes:
        source: Sender SSI.
        text: The joined text; missing parts are shown as ``[…]``.
        parts: Number of parts announced.
        received: Number of parts received.
        references: Message references of the received parts.
        first: The first received part (PID, coding, timestamp).
    """

    source: int
    text: str
    parts: int
    received: int
    references: tuple[int, ...]
    first: TextMessage

    @property
    def complete(self) -> bool:
        """True if every part arrived."""
        return self.received == self.parts


@dataclass
class _Pending:
    started: float
    total: int
    parts: dict[int, TextMessage] = field(default_factory=dict)


class Reassembler:
    """Collect the parts of concatenated texts (PID 0x8A with a concatenation element).

    Parts are keyed by (source, concatenation reference, total). A message is released when all
    its parts arrived, or by :meth:`expire` after ``timeout_s`` with the missing parts marked.
    At most ``max_pending`` messages are held; the oldest is released early when full.
    """

    def __init__(self, timeout_s: float = 300.0, max_pending: int = 64) -> None:
        """Create an empty reassembler."""
        self._timeout = timeout_s
        self._max = max_pending
        self._pending: dict[tuple[int, int, int], _Pending] = {}

    def __len__(self) -> int:
        """Number of incomplete messages held."""
        return len(self._pending)

    def add(self, source: int, part: TextMessage, now: float | None = None) -> list[AssembledText]:
        """Add one received text.

        Args:
            source: Sender SSI.
            part: The decoded text; one without concatenation info is returned at once.
            now: Monotonic time (default :func:`time.monotonic`).

        Returns:
            The texts completed (or evicted) by this part; usually zero or one.
        """
        now = time.monotonic() if now is None else now
        c = part.concat
        if c is None or c.total <= 1:
            ref = () if part.reference is None else (part.reference,)
            return [AssembledText(source, part.text, 1, 1, ref, part)]
        key = (source, c.reference, c.total)
        out: list[AssembledText] = []
        pending = self._pending.get(key)
        if pending is None:
            if len(self._pending) >= self._max:
                oldest = min(self._pending, key=lambda k: self._pending[k].started)
                out.append(self._release(oldest))
            pending = _Pending(now, c.total)
            self._pending[key] = pending
        pending.parts[c.part] = part
        if len(pending.parts) == pending.total:
            out.append(self._release(key))
        return out

    def expire(self, now: float | None = None) -> list[AssembledText]:
        """Release the messages older than the timeout, incomplete."""
        now = time.monotonic() if now is None else now
        old = [k for k, p in self._pending.items() if now - p.started >= self._timeout]
        return [self._release(k) for k in old]

    def _release(self, key: tuple[int, int, int]) -> AssembledText:
        pending = self._pending.pop(key)
        texts = [pending.parts[i].text if i in pending.parts else "[…]"
                 for i in range(1, pending.total + 1)]
        received = [pending.parts[i] for i in sorted(pending.parts)]
        refs = tuple(p.reference for p in received if p.reference is not None)
        return AssembledText(key[0], "".join(texts), pending.total, len(received), refs,
                             received[0])

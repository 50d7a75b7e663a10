"""Events emitted by the session (frozen dataclasses, all keyword-only).

Every event has ``at`` (UTC, timezone-aware: when the bridge produced it), a class attribute
``event_type`` (the snake_case name used as ``"type"`` in JSON), :meth:`RadioEvent.to_dict` and
:meth:`RadioEvent.to_json` (one line, UTF-8 text, keys: ``type``, then ``source`` where the event
has one, then the fields, then ``at``).

SSIs are ints (the last 8 digits of a TSI). The console turns each class into a Qt signal;
``EVENT_TYPES`` lists them all.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any, ClassVar

from radio_bridge.outbox import MessageKind, OutboxState, utc_now

__all__ = [
    "EVENT_TYPES",
    "CallConnected",
    "CallEnded",
    "CallStarted",
    "DeliveryReport",
    "EmergencyAlarm",
    "LinkState",
    "LinkStateChanged",
    "LocationReport",
    "MalformedInput",
    "OutboxStateChanged",
    "OwnIdentity",
    "RadioEvent",
    "StatusReceived",
    "TalkgroupSelected",
    "TextMessageReceived",
    "TxCeased",
    "TxGranted",
    "UnknownSds",
]


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, kw_only=True)
class RadioEvent:
    """Base class of all events."""

    event_type: ClassVar[str] = "event"
    at: datetime = field(default_factory=utc_now)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: ``type``, ``source`` (if any), the fields, ``at``."""
        out: dict[str, Any] = {"type": self.event_type}
        names = [f.name for f in dataclasses.fields(self)]
        if "source" in names:
            out["source"] = _plain(self.source)  # type: ignore[attr-defined]
        for name in names:
            if name not in ("source", "at"):
                out[name] = _plain(getattr(self, name))
        out["at"] = _plain(self.at)
        return out

    def to_json(self) -> str:
        """Return the event as one line of JSON (non-ASCII text kept as is)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))


class LinkState(StrEnum):
    """State of the serial link to the radio."""

    CONNECTING = "connecting"  #: opening the port / running the init sequence
    UP = "up"  #: initialised and answering
    DOWN = "down"  #: lost or not openable; a reconnect is scheduled
    STOPPED = "stopped"  #: Session.stop() was called


@dataclass(frozen=True, kw_only=True)
class LinkStateChanged(RadioEvent):
    """The link changed state.

    Attributes:
        state: The new state.
        port: The port URL.
        detail: Why (error text), or what (``"radio 2345678 ready"``).
        retry_in_s: For ``down``: seconds until the next connection attempt.
    """

    event_type: ClassVar[str] = "link_state"
    state: LinkState
    port: str
    detail: str = ""
    retry_in_s: float | None = None


@dataclass(frozen=True, kw_only=True)
class OwnIdentity(RadioEvent):
    """The radio's own identity, read with ``AT+CNUMF?`` during the init sequence."""

    event_type: ClassVar[str] = "own_identity"
    issi: int
    number: str
    num_type: int


@dataclass(frozen=True, kw_only=True)
class TextMessageReceived(RadioEvent):
    """A text arrived (concatenated texts are delivered once, joined).

    Attributes:
        source: Sender SSI (None if the radio did not say).
        destination: Called SSI (our ISSI, or a GSSI for a group text).
        text: The text (missing parts of an incomplete concatenated text shown as ``[…]``).
        pid: Protocol identifier (0x82 SDS-TL text, 0x89 immediate, 0x8A concatenated, 0x02…).
        coding: Text coding scheme (1 Latin-1, 26 UCS-2, …).
        reference: SDS-TL message reference (of the first part); None for simple text.
        immediate: Immediate ("flash") text, to be shown at once.
        parts: Number of parts.
        complete: False if some parts never arrived.
        report_requested: The sender asked for a report (the session sent it).
    """

    event_type: ClassVar[str] = "text"
    source: int | None
    destination: int
    text: str
    pid: int
    coding: int
    reference: int | None = None
    immediate: bool = False
    parts: int = 1
    complete: bool = True
    report_requested: bool = False


@dataclass(frozen=True, kw_only=True)
class StatusReceived(RadioEvent):
    """A pre-coded status arrived (not an emergency; see :class:`EmergencyAlarm`).

    Attributes:
        value: The 16-bit value.
        key: The status plan key (e.g. ``"en_route"``); None if not in the plan.
        label: English label (``"status 0x8123"`` if unknown).
        label_zh: Chinese label, may be empty.
        category: ``"user"`` or ``"reserved"`` (see :func:`radio_bridge.status.classify`).
    """

    event_type: ClassVar[str] = "status"
    source: int | None
    destination: int
    value: int
    key: str | None
    label: str
    label_zh: str = ""
    category: str = "user"


@dataclass(frozen=True, kw_only=True)
class EmergencyAlarm(RadioEvent):
    """A unit raised an emergency: status 0x0000, or a LIP report with reason 2.

    Attributes:
        origin: ``"status"`` or ``"location"``.
        latitude: Position when the alarm came with one.
        longitude: Position when the alarm came with one.
    """

    event_type: ClassVar[str] = "emergency"
    source: int | None
    destination: int
    origin: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True, kw_only=True)
class LocationReport(RadioEvent):
    """A LIP location report (see :class:`radio_bridge.lip.LipReport` for the fields)."""

    event_type: ClassVar[str] = "location"
    source: int | None
    destination: int
    latitude: float | None
    longitude: float | None
    speed_kmh: float | None
    heading_deg: float | None
    position_error_m: int | None
    reason: int | None
    reason_text: str | None
    kind: str = "short"
    user_data: int | None = None
    time_elapsed: int | None = None
    altitude_m: int | None = None


@dataclass(frozen=True, kw_only=True)
class DeliveryReport(RadioEvent):
    """An SDS-TL report about a message we sent.

    Attributes:
        source: The unit that reports (the original destination).
        reference: The message reference reported.
        status: Delivery status (0x00 received, 0x02 consumed, 0x4B not registered, …).
        status_text: The status in words.
        status_class: ``success``, ``temporary``, ``failed``, ``flow_control``, …
        short: Came as an SDS-SHORT-REPORT (a status in 0x7C00–0x7FFF).
        message_id: The outbox message it belongs to; None if no pending message matched.
    """

    event_type: ClassVar[str] = "delivery_report"
    source: int | None
    reference: int
    status: int
    status_text: str
    status_class: str
    short: bool = False
    message_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboxStateChanged(RadioEvent):
    """An outbox message changed state (or got a new retry note while staying queued).

    Attributes:
        message_id: Id returned by ``send_text``/``send_status``.
        kind: text, status or location_request.
        destination: Called SSI.
        state: Current state.
        previous_state: State before this change (equal to ``state`` for a retry note).
        detail: What happened, in words.
        attempts: Writes to the radio so far.
        last_error: Last error in words, if any.
        references: SDS-TL message reference of each part.
        state_at: When the current state was entered (UTC).
    """

    event_type: ClassVar[str] = "outbox"
    message_id: str
    kind: MessageKind
    destination: int
    state: OutboxState
    previous_state: OutboxState | None
    detail: str = ""
    attempts: int = 0
    last_error: str | None = None
    references: tuple[int | None, ...] = ()
    state_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CallStarted(RadioEvent):
    """A call began: ``+CTICN`` (incoming) or our own ``ATD`` (outgoing).

    Attributes:
        cc_instance: Call identifier used by the other call events.
        caller: Calling SSI (None if withheld).
        called: Called SSI (the GSSI of a group call).
        group: Group (point-to-multipoint) call.
        direction: ``"incoming"`` or ``"outgoing"``.
        call_status: 0 progressing, 1 queued, 2 paged, 3 continue, 4 hang time expired.
        simplex: Simplex (PTT) call; None if unknown.
        priority: Call priority; None if unknown.
    """

    event_type: ClassVar[str] = "call_started"
    cc_instance: int
    caller: int | None
    called: int | None
    group: bool
    direction: str = "incoming"
    call_status: int = 0
    simplex: bool | None = None
    priority: int | None = None


@dataclass(frozen=True, kw_only=True)
class CallConnected(RadioEvent):
    """``+CTCC``: the call is through."""

    event_type: ClassVar[str] = "call_connected"
    cc_instance: int
    group: bool | None = None
    simplex: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CallEnded(RadioEvent):
    """``+CTCR``: the call was released."""

    event_type: ClassVar[str] = "call_ended"
    cc_instance: int
    cause: int
    cause_text: str


@dataclass(frozen=True, kw_only=True)
class TxGranted(RadioEvent):
    """``+CTXG``: floor (transmit permission) status of a call.

    Attributes:
        grant: 0 granted to us, 1 not granted, 2 queued, 3 granted to another user.
        grant_text: The grant in words.
        talking_party: SSI of the talker (the 6-field form), None if not named.
        own: True when the floor is ours (grant 0).
    """

    event_type: ClassVar[str] = "tx_granted"
    cc_instance: int
    grant: int
    grant_text: str
    talking_party: int | None = None
    own: bool = False


@dataclass(frozen=True, kw_only=True)
class TxCeased(RadioEvent):
    """Transmission ended: ``+CDTXC`` (another talker stopped) or our PTT release."""

    event_type: ClassVar[str] = "tx_ceased"
    cc_instance: int
    own: bool = False


@dataclass(frozen=True, kw_only=True)
class TalkgroupSelected(RadioEvent):
    """The radio confirmed a talkgroup selection (``AT+CTGS``)."""

    event_type: ClassVar[str] = "talkgroup"
    gssi: int


@dataclass(frozen=True, kw_only=True)
class UnknownSds(RadioEvent):
    """An SDS the bridge does not interpret (other PIDs, SDS types 1–3, LIP requests…)."""

    event_type: ClassVar[str] = "unknown_sds"
    source: int | None
    destination: int
    ai_service: int
    pid: int | None
    payload_hex: str
    length_bits: int
    description: str


@dataclass(frozen=True, kw_only=True)
class MalformedInput(RadioEvent):
    """Input from the radio that was rejected (logged and dropped; shown for diagnostics)."""

    event_type: ClassVar[str] = "malformed"
    line: str
    reason: str


EVENT_TYPES: tuple[type[RadioEvent], ...] = (
    LinkStateChanged,
    OwnIdentity,
    TextMessageReceived,
    StatusReceived,
    EmergencyAlarm,
    LocationReport,
    DeliveryReport,
    OutboxStateChanged,
    CallStarted,
    CallConnected,
    CallEnded,
    TxGranted,
    TxCeased,
    TalkgroupSelected,
    UnknownSds,
    MalformedInput,
)

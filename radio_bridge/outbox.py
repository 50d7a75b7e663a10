"""The durable outbox: message records, their states, and the store interface.

Every message the console sends goes through the outbox. Its life::

    queued ──► accepted ──► sent ──► delivered
       ▲  │   (+CMGS: n)   (+CMGS: n,4,ref)  (SDS-TL report from the destination)
       │  │       │                 └──── no report in time ──► failed
       │  │       └─ no +CMGS: n,4 in time ─► unconfirmed ──► sent / delivered / failed
       │  └────────────────────────────────► failed
       │  └── cancelled by the dispatcher (only while nothing of it reached the radio)
       └── requeued when the link dropped before the radio said "sent"

* ``queued``: stored, waiting for (or between) attempts. Busy radios (``+CME ERROR: 42``) and
  retryable errors keep it queued with ``next_attempt_at`` and ``last_error`` set.
* ``accepted``: the MT took it (``+CMGS: <instance>``); this only means the radio has it.
* ``sent``: the MT reports it transmitted (``+CMGS: <instance>,4,<ref>``). Final for statuses
  and for texts sent without a report request.
* ``unconfirmed``: the radio accepted the message but did not say it was transmitted
  (``+CMGS: <instance>,4,<ref>``) within the confirmation timeout. It is not sent again (it may
  be on the air); a late confirmation or report still moves it on. Final for messages without a
  report request, else it waits for the report like ``sent``.
* ``delivered``: the destination sent an SDS-TL report with a success status (every part of a
  concatenated text).
* ``failed``: a permanent error, a failure report, no report within the report timeout, or too
  many attempts; ``last_error`` says why.
* ``cancelled``: the dispatcher withdrew it while it was queued and no byte of it could have
  reached the air (``Session.cancel``).

Records are immutable; every change produces a new :class:`OutboxMessage` whose ``history``
holds each state with its UTC timestamp. The session stores a record (``add``/``update``) before
it writes the corresponding bytes to the radio. Resends reuse the stored user data, so the
SDS-TL message reference never changes and a receiver can drop duplicates.

The store is an interface (:class:`OutboxStore`): the console hands in one backed by its
database, the CLI uses :class:`radio_bridge.outbox_sqlite.SqliteOutboxStore`, tests use
:class:`MemoryOutboxStore`.
"""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "MemoryOutboxStore",
    "MessageKind",
    "OutboxMessage",
    "OutboxState",
    "OutboxStore",
    "StateChange",
    "aggregate_state",
    "new_message",
    "utc_now",
]


def utc_now() -> datetime:
    """Return the current time, UTC, timezone-aware: radio_bridge's one read of the system clock.

    radio_bridge stands alone (no ``models``): its session and outbox take a ``clock`` callable
    and use this only when the application passed none.
    """
    return datetime.now(UTC)


class OutboxState(StrEnum):
    """State of an outgoing message (or of one part of it)."""

    QUEUED = "queued"
    ACCEPTED = "accepted"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    UNCONFIRMED = "unconfirmed"
    CANCELLED = "cancelled"


_RANK = {
    OutboxState.QUEUED: 0,
    OutboxState.ACCEPTED: 1,
    OutboxState.UNCONFIRMED: 2,
    OutboxState.SENT: 3,
    OutboxState.DELIVERED: 4,
}


class MessageKind(StrEnum):
    """What an outbox message carries."""

    TEXT = "text"
    STATUS = "status"
    LOCATION_REQUEST = "location_request"


def aggregate_state(part_states: tuple[OutboxState, ...]) -> OutboxState:
    """Combine part states: failed if any part failed, cancelled if any part was cancelled,
    else the least advanced part's state."""
    if not part_states:
        return OutboxState.QUEUED
    if OutboxState.FAILED in part_states:
        return OutboxState.FAILED
    if OutboxState.CANCELLED in part_states:
        return OutboxState.CANCELLED
    return min(part_states, key=lambda s: _RANK[s])


@dataclass(frozen=True, slots=True)
class StateChange:
    """One entry of a message's history.

    Attributes:
        state: The state entered.
        at: When (UTC, timezone-aware).
        detail: Why, in words (e.g. ``"+CMGS: 0"``, ``"requeued: link lost"``).
    """

    state: OutboxState
    at: datetime
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """An outgoing SDS and everything needed to (re)send it.

    Attributes:
        id: Unique id (32 hex digits), returned by ``Session.send_text``/``send_status``.
        kind: Text, status or location request.
        destination: Called party SSI (ISSI or GSSI).
        ai_service: ``AT+CTSDS`` service: 12 (SDS type 4) or 13 (status).
        parts: Hex user data of each SDS (one per part of a concatenated text).
        part_bits: Length in bits of each part.
        references: SDS-TL message reference of each part (None for statuses).
        report_requested: The text asks the destination for a delivery report.
        group: The destination is a talkgroup (GSSI); group texts ask for no report.
        maybe_sent: An earlier attempt may have reached the air (the radio did not answer it,
            or had accepted it before the link dropped): the message can no longer be
            cancelled.
        text: The text, for texts.
        status_value: The 16-bit value, for statuses.
        part_states: State of each part.
        history: State changes, oldest first; the last one is the current state.
        attempts: Number of times a part was written to the radio.
        failures: Failed attempts other than "busy" (limits the retries).
        next_attempt_at: Earliest next attempt while queued after a busy/retryable error.
        last_error: Last error in words (also set while a retry is pending).
    """

    id: str
    kind: MessageKind
    destination: int
    ai_service: int
    parts: tuple[str, ...]
    part_bits: tuple[int, ...]
    references: tuple[int | None, ...]
    report_requested: bool
    part_states: tuple[OutboxState, ...]
    history: tuple[StateChange, ...]
    text: str | None = None
    status_value: int | None = None
    attempts: int = 0
    failures: int = 0
    next_attempt_at: datetime | None = None
    last_error: str | None = None
    group: bool = False
    maybe_sent: bool = False

    @property
    def state(self) -> OutboxState:
        """The current state."""
        return self.history[-1].state

    @property
    def created_at(self) -> datetime:
        """When the message was queued."""
        return self.history[0].at

    @property
    def updated_at(self) -> datetime:
        """When the state last changed."""
        return self.history[-1].at

    @property
    def is_final(self) -> bool:
        """True when nothing more will happen to the message."""
        state = self.state
        if state in (OutboxState.DELIVERED, OutboxState.FAILED, OutboxState.CANCELLED):
            return True
        return state in (OutboxState.SENT, OutboxState.UNCONFIRMED) and not self.report_requested

    @property
    def cancel_refusal(self) -> str | None:
        """Why the message cannot be cancelled (None: it can be)."""
        if self.state == OutboxState.CANCELLED:
            return "already cancelled"
        if self.is_final or any(s != OutboxState.QUEUED for s in self.part_states):
            return f"already {self.state.value}: the radio has it"
        if self.maybe_sent:
            return "an earlier attempt may already be on the air (the radio did not answer it)"
        return None

    def timestamp(self, state: OutboxState) -> datetime | None:
        """When the message last entered ``state`` (None if it never did)."""
        for change in reversed(self.history):
            if change.state == state:
                return change.at
        return None

    def with_part_state(self, index: int, state: OutboxState, detail: str = "",
                        at: datetime | None = None) -> OutboxMessage:
        """Return a copy with part ``index`` in ``state``.

        The message state is recomputed from the parts; a history entry is added when it
        changes. Clears ``next_attempt_at``/``last_error`` when a part advances.
        """
        states = list(self.part_states)
        states[index] = state
        new_states = tuple(states)
        new_state = aggregate_state(new_states)
        msg = replace(self, part_states=new_states)
        if state != OutboxState.QUEUED and state != OutboxState.FAILED:
            msg = replace(msg, next_attempt_at=None)
        if state == OutboxState.FAILED and detail:
            msg = replace(msg, last_error=detail)
        if new_state != self.state:
            msg = msg.with_history(new_state, detail, at)
        return msg

    def with_history(self, state: OutboxState, detail: str = "",
                     at: datetime | None = None) -> OutboxMessage:
        """Return a copy with a history entry appended."""
        change = StateChange(state, at or utc_now(), detail)
        return replace(self, history=(*self.history, change))

    def summary(self) -> str:
        """A short description for logs and the CLI."""
        what = (f"text {self.text!r}" if self.kind == MessageKind.TEXT
                else f"status 0x{self.status_value or 0:04X}" if self.kind == MessageKind.STATUS
                else self.kind.value)
        return f"{what} to {self.destination}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (inverse of :meth:`from_dict`)."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "destination": self.destination,
            "ai_service": self.ai_service,
            "parts": list(self.parts),
            "part_bits": list(self.part_bits),
            "references": list(self.references),
            "report_requested": self.report_requested,
            "part_states": [s.value for s in self.part_states],
            "history": [
                {"state": h.state.value, "at": h.at.isoformat(), "detail": h.detail}
                for h in self.history
            ],
            "text": self.text,
            "status_value": self.status_value,
            "attempts": self.attempts,
            "failures": self.failures,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "last_error": self.last_error,
            "group": self.group,
            "maybe_sent": self.maybe_sent,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutboxMessage:
        """Rebuild a message from :meth:`to_dict` output.

        Raises:
            ValueError: If the data is incomplete or inconsistent.
        """
        try:
            nxt = data.get("next_attempt_at")
            msg = cls(
                id=str(data["id"]),
                kind=MessageKind(data["kind"]),
                destination=int(data["destination"]),
                ai_service=int(data["ai_service"]),
                parts=tuple(str(p) for p in data["parts"]),
                part_bits=tuple(int(b) for b in data["part_bits"]),
                references=tuple(None if r is None else int(r) for r in data["references"]),
                report_requested=bool(data["report_requested"]),
                part_states=tuple(OutboxState(s) for s in data["part_states"]),
                history=tuple(
                    StateChange(OutboxState(h["state"]), datetime.fromisoformat(h["at"]),
                                str(h.get("detail", "")))
                    for h in data["history"]
                ),
                text=data.get("text"),
                status_value=data.get("status_value"),
                attempts=int(data.get("attempts", 0)),
                failures=int(data.get("failures", 0)),
                next_attempt_at=datetime.fromisoformat(nxt) if nxt else None,
                last_error=data.get("last_error"),
                group=bool(data.get("group", False)),
                maybe_sent=bool(data.get("maybe_sent", False)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"bad outbox record: {exc}") from exc
        n = len(msg.parts)
        if not n or not msg.history or not (
            len(msg.part_bits) == len(msg.references) == len(msg.part_states) == n
        ):
            raise ValueError("bad outbox record: inconsistent parts")
        return msg


def new_message(
    *,
    kind: MessageKind,
    destination: int,
    ai_service: int,
    parts: list[tuple[str, int]],
    references: list[int | None],
    report_requested: bool,
    text: str | None = None,
    status_value: int | None = None,
    now: datetime | None = None,
    group: bool = False,
) -> OutboxMessage:
    """Create a queued message with a fresh id.

    Args:
        kind: What it carries.
        destination: Called party SSI.
        ai_service: 12 or 13.
        parts: (hex user data, length in bits) of each SDS.
        references: SDS-TL message reference of each part (None for statuses).
        report_requested: A delivery report is expected.
        text: The text, for texts.
        status_value: The value, for statuses.
        now: Creation time (default: now, UTC).
        group: The destination is a talkgroup.
    """
    return OutboxMessage(
        id=uuid.uuid4().hex,
        kind=kind,
        destination=destination,
        ai_service=ai_service,
        parts=tuple(p for p, _ in parts),
        part_bits=tuple(b for _, b in parts),
        references=tuple(references),
        report_requested=report_requested,
        part_states=tuple(OutboxState.QUEUED for _ in parts),
        history=(StateChange(OutboxState.QUEUED, now or utc_now(), "queued"),),
        text=text,
        status_value=status_value,
        group=group,
    )


@runtime_checkable
class OutboxStore(Protocol):
    """Durable storage of outbox messages.

    The session serialises its calls with its own lock, but calls come from several threads
    (``add`` from the thread that calls ``send_text``; the rest from the session's threads), so
    an implementation must not be tied to one thread. Every method must have made the change
    durable when it returns; an exception aborts the operation (``send_text`` raises it).
    """

    def add(self, message: OutboxMessage) -> None:
        """Store a new message."""
        ...

    def update(self, message: OutboxMessage) -> None:
        """Replace the stored record with the same id."""
        ...

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return one message or None."""
        ...

    def unfinished(self) -> list[OutboxMessage]:
        """Return the messages whose ``is_final`` is False, oldest first."""
        ...

    def next_reference(self) -> int:
        """Return the next SDS-TL message reference, 0–255, advancing a durable counter."""
        ...


class MemoryOutboxStore:
    """An in-memory :class:`OutboxStore` (tests, benchmarks; not durable)."""

    def __init__(self, first_reference: int | None = None) -> None:
        """Create an empty store.

        Args:
            first_reference: First SDS-TL message reference handed out (default: random, so
                a restarted program does not repeat the references a receiver saw last).
        """
        self._lock = threading.Lock()
        self._messages: dict[str, OutboxMessage] = {}
        self._ref = random.randrange(256) if first_reference is None else first_reference % 256

    def add(self, message: OutboxMessage) -> None:
        """Store a new message (ValueError if the id exists)."""
        with self._lock:
            if message.id in self._messages:
                raise ValueError(f"duplicate message id {message.id}")
            self._messages[message.id] = message

    def update(self, message: OutboxMessage) -> None:
        """Replace a stored message (KeyError if unknown)."""
        with self._lock:
            if message.id not in self._messages:
                raise KeyError(message.id)
            self._messages[message.id] = message

    def get(self, message_id: str) -> OutboxMessage | None:
        """Return one message or None."""
        with self._lock:
            return self._messages.get(message_id)

    def unfinished(self) -> list[OutboxMessage]:
        """Return the unfinished messages in insertion order."""
        with self._lock:
            return [m for m in self._messages.values() if not m.is_final]

    def all(self) -> list[OutboxMessage]:
        """Return every message in insertion order."""
        with self._lock:
            return list(self._messages.values())

    def next_reference(self) -> int:
        """Return the next reference, counting up modulo 256."""
        with self._lock:
            ref = self._ref
            self._ref = (self._ref + 1) % 256
            return ref

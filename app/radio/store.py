"""The console's radio outbox: ``radio_bridge.OutboxStore`` backed by the ``radio_message`` table.

Every write goes through the single database writer and returns only once committed, so a
message is durable before the radio bridge writes a byte of it. The full outbox record (parts,
SDS-TL references, state history) is kept as JSON beside the columns the console queries, so a
restarted console resumes each unfinished message with the same references.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from models import RadioMessage
from models.enums import RadioDirection, RadioMessageKind, RadioMessageState
from radio_bridge.outbox import MessageKind, OutboxMessage, OutboxState

log = logging.getLogger("app.radio.store")

_WRITE_TIMEOUT_S = 15.0
_FINAL = (RadioMessageState.DELIVERED, RadioMessageState.FAILED, RadioMessageState.CANCELLED)


class OrderCancelled(Exception):
    """The dispatch order row to adopt was cancelled before the radio took it."""


class DbOutboxStore:
    """Durable outbox in the console database (thread-safe)."""

    def __init__(self, factory: sessionmaker[Session], writer: DbWriter) -> None:
        self._factory = factory
        self._writer = writer
        self._lock = threading.Lock()
        self._next_ref = self._last_reference() + 1
        self._adopt: dict[int, int] = {}  # thread id → radio_message row prepared by dispatch

    # ------------------------------------------------------------------ adoption
    def adopt_next(self, row_id: int) -> None:
        """The next ``add`` on this thread fills row ``row_id`` instead of inserting one.

        Dispatch writes an order's row (state queued) in the same transaction as the
        assignment; the radio service then sends it, and the bridge's record lands in that row.
        """
        with self._lock:
            self._adopt[threading.get_ident()] = row_id

    def forget_adoption(self) -> None:
        """Cancel a pending :meth:`adopt_next` on this thread."""
        with self._lock:
            self._adopt.pop(threading.get_ident(), None)

    # ------------------------------------------------------------------ OutboxStore
    def add(self, message: OutboxMessage) -> None:
        """Store a new message (committed when this returns)."""
        with self._lock:
            row_id = self._adopt.pop(threading.get_ident(), None)

        def job(session: Session) -> bool:
            row = session.get(RadioMessage, row_id) if row_id is not None else None
            if row is not None and row.state is RadioMessageState.CANCELLED:
                return False  # the dispatcher withdrew the order before the radio took it
            if row is None:
                row = RadioMessage(direction=RadioDirection.OUTBOUND)
                session.add(row)
            _fill(row, message)
            return True

        if not self._writer.submit(job, label="outbox add").result(_WRITE_TIMEOUT_S):
            raise OrderCancelled(f"radio message {row_id} was cancelled")

    def update(self, message: OutboxMessage) -> None:
        """Replace the stored record of ``message`` (committed when this returns)."""

        def job(session: Session) -> None:
            row = session.scalars(
                select(RadioMessage).where(RadioMessage.outbox_key == message.id)
            ).one_or_none()
            if row is None:
                log.error("outbox update for unknown message %s; storing it anew", message.id)
                row = RadioMessage(direction=RadioDirection.OUTBOUND)
                session.add(row)
            _fill(row, message)

        self._writer.submit(job, label="outbox update").result(_WRITE_TIMEOUT_S)

    def get(self, message_id: str) -> OutboxMessage | None:
        """One message by its outbox id."""
        with self._factory() as session:
            record = session.scalar(
                select(RadioMessage.record).where(RadioMessage.outbox_key == message_id)
            )
        return OutboxMessage.from_dict(json.loads(record)) if record else None

    def unfinished(self) -> list[OutboxMessage]:
        """Outbound messages not yet delivered or failed, oldest first."""
        with self._factory() as session:
            records = session.scalars(
                select(RadioMessage.record)
                .where(RadioMessage.direction == RadioDirection.OUTBOUND,
                       RadioMessage.record.is_not(None),
                       RadioMessage.state.not_in(_FINAL))
                .order_by(RadioMessage.id)
            ).all()
        out: list[OutboxMessage] = []
        for record in records:
            try:
                out.append(OutboxMessage.from_dict(json.loads(record or "{}")))
            except ValueError as exc:
                log.error("unreadable outbox record skipped: %s", exc)
        return [m for m in out if not m.is_final]

    def next_reference(self) -> int:
        """Next SDS-TL message reference (0–255), continuing after the last one stored."""
        with self._lock:
            ref = self._next_ref % 256
            self._next_ref = ref + 1
            return ref

    def _last_reference(self) -> int:
        with self._factory() as session:
            record = session.scalar(
                select(RadioMessage.record)
                .where(RadioMessage.direction == RadioDirection.OUTBOUND,
                       RadioMessage.record.is_not(None))
                .order_by(RadioMessage.id.desc()).limit(1)
            )
        if not record:
            return -1
        try:
            refs = [r for r in json.loads(record).get("references", []) if r is not None]
        except ValueError:
            return -1
        return int(refs[-1]) if refs else -1


def _fill(row: RadioMessage, message: OutboxMessage) -> None:
    row.outbox_key = message.id
    row.kind = (RadioMessageKind.STATUS if message.kind == MessageKind.STATUS
                else RadioMessageKind.TEXT)
    row.dest_issi = message.destination
    row.to_group = message.group
    row.text = message.text or ""
    row.status_code = message.status_value
    refs = [r for r in message.references if r is not None]
    row.message_ref = refs[0] if refs else None
    row.state = RadioMessageState(message.state.value)
    row.attempts = message.attempts
    row.error = (message.last_error or "")[:200]
    for change in message.history:
        stamp: datetime = change.at
        if change.state == OutboxState.QUEUED and row.created_at is None:
            row.created_at = stamp
        elif change.state == OutboxState.ACCEPTED and row.accepted_at is None:
            row.accepted_at = stamp
        elif change.state == OutboxState.SENT and row.sent_at is None:
            row.sent_at = stamp
        elif change.state == OutboxState.DELIVERED and row.delivered_at is None:
            row.delivered_at = stamp
        elif change.state == OutboxState.FAILED and row.failed_at is None:
            row.failed_at = stamp
    row.record = json.dumps(message.to_dict(), ensure_ascii=False)

"""What the JT/T 808 server needs from the rest of the console, and what it hands out.

The console implements :class:`TerminalRegistry` (auth codes in the database) and
:class:`PositionSink` (batching positions to the single DB writer and to the map);
:mod:`app.tracking.jt808.memory` has in-memory versions for tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import Protocol

from app.tracking.jt808.messages import CHINA_OFFSET, Location, Registration

__all__ = [
    "ConnectionInfo",
    "PositionReport",
    "PositionSink",
    "RegistrationRefused",
    "ReportSource",
    "TerminalRecord",
    "TerminalRegistry",
]


class ReportSource(Enum):
    """Where a position came from."""

    LIVE = "live"  #: a 0x0200 report
    BATCH = "batch"  #: a 0x0704 normal batch item
    BLIND_AREA = "blind_area"  #: a 0x0704 blind-area back-fill item (older than live reports)


@dataclass(frozen=True, slots=True)
class PositionReport:
    """One decoded position, as handed to the :class:`PositionSink`.

    Attributes:
        phone: Terminal phone number as sent in the header (12 or 20 digits).
        location: The decoded location (``location.time`` is the fix time in UTC).
        received_at: When the server received it (UTC, timezone-aware).
        source: Live report, batch item or blind-area back-fill.
        version: 2019 header version byte, ``None`` for a 2013 terminal.
        serial: Serial of the terminal message that carried it.
    """

    phone: str
    location: Location
    received_at: datetime
    source: ReportSource = ReportSource.LIVE
    version: int | None = None
    serial: int = 0


@dataclass(frozen=True, slots=True)
class TerminalRecord:
    """A terminal known to the console.

    Attributes:
        phone: Terminal phone number exactly as its headers carry it.
        auth_code: Authentication code issued at registration.
        utc_offset: Offset of the terminal's clock from UTC (default GMT+8).
    """

    phone: str
    auth_code: str
    utc_offset: timedelta = CHINA_OFFSET


@dataclass(frozen=True, slots=True)
class ConnectionInfo:
    """Identity of one TCP connection, given to event callbacks.

    Attributes:
        conn_id: Server-wide connection number.
        peer: Remote ``host:port``.
        phones: Terminals authenticated on this connection so far.
    """

    conn_id: int
    peer: str
    phones: tuple[str, ...] = field(default=())


class RegistrationRefused(Exception):
    """Raised by :meth:`TerminalRegistry.register` to refuse a registration.

    Attributes:
        result: The 0x8100 result to send (1–4, see ``RegistrationResult``).
        reason: Text for the log.
    """

    def __init__(self, result: int, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


class TerminalRegistry(Protocol):
    """Terminal directory with authentication codes (the console keeps it in the database).

    Methods are coroutines awaited on the server's event loop: a database implementation must
    not block the loop (run the query in a thread, e.g. ``asyncio.to_thread``).
    """

    async def lookup(self, phone: str) -> TerminalRecord | None:
        """Return the terminal's record, or ``None`` if the phone number is unknown."""
        ...

    async def register(self, phone: str, registration: Registration) -> TerminalRecord:
        """Store a registration and return the record with the auth code to issue.

        Called for known terminals always, and for unknown ones only when the server accepts
        unknown terminals. May raise :class:`RegistrationRefused`.
        """
        ...


class PositionSink(Protocol):
    """Receiver of decoded positions (the console batches them to its single DB writer)."""

    def submit(self, reports: Sequence[PositionReport]) -> bool | Future[bool]:
        """Take positions; called on the event loop thread, must not block.

        Returns:
            ``True`` when accepted and already durable. A future when accepted but not yet
            durable: the server answers "success" once it turns ``True`` (resolved from any
            thread), "failure" if it turns ``False`` or fails. ``False`` (e.g. the backlog is
            full) makes the server answer the terminal with "failure" at once so that it
            retransmits; nothing is lost.
        """
        ...

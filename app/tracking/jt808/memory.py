"""In-memory :class:`TerminalRegistry` and :class:`PositionSink` for tests, demos and benchmarks."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from app.tracking.jt808.interfaces import PositionReport, TerminalRecord
from app.tracking.jt808.messages import CHINA_OFFSET, Registration

__all__ = ["MemoryRegistry", "MemorySink"]


class MemoryRegistry:
    """Terminal directory held in a dict (thread-safe)."""

    def __init__(
        self,
        known: Mapping[str, str] | None = None,
        *,
        utc_offset: timedelta = CHINA_OFFSET,
    ) -> None:
        """Create a registry.

        Args:
            known: Phone number → auth code of terminals known in advance.
            utc_offset: Clock offset given to every terminal's record.
        """
        self._lock = threading.Lock()
        self._offset = utc_offset
        self._records = {
            phone: TerminalRecord(phone, code, utc_offset) for phone, code in (known or {}).items()
        }
        self.registrations: list[tuple[str, Registration]] = []

    def add(self, phone: str, auth_code: str, utc_offset: timedelta | None = None) -> None:
        """Add or replace a known terminal."""
        with self._lock:
            self._records[phone] = TerminalRecord(phone, auth_code, utc_offset or self._offset)

    def records(self) -> dict[str, TerminalRecord]:
        """Copy of all records."""
        with self._lock:
            return dict(self._records)

    async def lookup(self, phone: str) -> TerminalRecord | None:
        """Return the record for ``phone`` or ``None``."""
        with self._lock:
            return self._records.get(phone)

    async def register(self, phone: str, registration: Registration) -> TerminalRecord:
        """Keep a known terminal's code; issue a random one to a new terminal."""
        with self._lock:
            self.registrations.append((phone, registration))
            record = self._records.get(phone)
            if record is None:
                record = TerminalRecord(phone, secrets.token_hex(8), self._offset)
                self._records[phone] = record
            return record


class MemorySink:
    """Collects every submitted report in a list (thread-safe)."""

    def __init__(self, *, accept: bool = True) -> None:
        """Create a sink.

        Args:
            accept: When ``False``, ``submit`` refuses everything (simulates a full queue).
        """
        self._cond = threading.Condition()
        self.reports: list[PositionReport] = []
        self.accept = accept

    def submit(self, reports: Sequence[PositionReport]) -> bool:
        """Store reports unless refusing."""
        with self._cond:
            if not self.accept:
                return False
            self.reports.extend(reports)
            self._cond.notify_all()
        return True

    def snapshot(self) -> list[PositionReport]:
        """Copy of the reports so far."""
        with self._cond:
            return list(self.reports)

    def wait_for(
        self,
        predicate: Callable[[list[PositionReport]], bool],
        timeout: float = 5.0,
    ) -> bool:
        """Block until ``predicate(reports)`` holds or the timeout passes.

        Args:
            predicate: Test on the list of reports so far.
            timeout: Seconds.

        Returns:
            Whether the predicate became true.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate(self.reports):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

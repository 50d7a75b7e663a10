"""Ordered start-up and reverse shutdown of the console's parts.

Each part is started in the order it was added, with a log line per step; on stop (or when a
later part fails to start) the parts that did start are stopped in reverse order. A part that
fails to stop is logged and the others still stop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger("app.lifecycle")


@dataclass(frozen=True, slots=True)
class Part:
    """A named start/stop pair."""

    name: str
    start: Callable[[], None]
    stop: Callable[[], None]


class Lifecycle:
    """Starts parts in order and stops them in reverse."""

    def __init__(self) -> None:
        self._parts: list[Part] = []
        self._started: list[Part] = []

    def add(self, name: str, start: Callable[[], None], stop: Callable[[], None]) -> None:
        """Register a part (before :meth:`start_all`)."""
        self._parts.append(Part(name, start, stop))

    @property
    def started(self) -> list[str]:
        """Names of the parts running now, in start order."""
        return [p.name for p in self._started]

    def start_all(self) -> None:
        """Start every part; on failure stop the started ones and re-raise."""
        for part in self._parts:
            t0 = time.perf_counter()
            log.info("starting %s", part.name, extra={"event": "part_starting", "part": part.name})
            try:
                part.start()
            except Exception:
                log.exception("%s failed to start; stopping what started", part.name)
                self.stop_all()
                raise
            self._started.append(part)
            log.info(
                "started %s in %.0f ms", part.name, (time.perf_counter() - t0) * 1000,
                extra={"event": "part_started", "part": part.name},
            )

    def stop_all(self) -> None:
        """Stop started parts in reverse order; errors are logged, not raised."""
        while self._started:
            part = self._started.pop()
            log.info("stopping %s", part.name, extra={"event": "part_stopping", "part": part.name})
            try:
                part.stop()
            except Exception:
                log.exception("%s failed to stop cleanly", part.name)

"""The one clock every service reads: injectable, so tests and replays fix the time.

No service reads the wall clock itself (``datetime.now``, ``time.time``, ``date.today``): each
takes a :class:`Clock` from whoever builds it — the composition root hands the console's one
:class:`SystemClock` to every part, tests hand a :class:`FixedClock`.
``tests/unit/test_no_wall_clock.py`` keeps it so.

Intervals and timeouts are not wall-clock time: they use ``time.monotonic()``, which neither
a clock shift nor an NTP step moves.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol, runtime_checkable

UTC = dt.UTC


@runtime_checkable
class Clock(Protocol):
    """Something that tells the current time, aware, in UTC."""

    def now(self) -> dt.datetime:
        """The current time (aware, UTC)."""
        ...


class SystemClock:
    """The operating system's clock: the only place in the program that reads it."""

    def now(self) -> dt.datetime:
        """The current time (aware, UTC)."""
        return dt.datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until told to move (tests, replays). Thread-safe."""

    def __init__(self, at: dt.datetime) -> None:
        self._at = _aware(at)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        """The time it was set to."""
        with self._lock:
            return self._at

    def set(self, at: dt.datetime) -> None:
        """Jump to ``at``."""
        with self._lock:
            self._at = _aware(at)

    def advance(self, delta: dt.timedelta | float) -> dt.datetime:
        """Move forward by ``delta`` (seconds or a timedelta); the new time."""
        step = delta if isinstance(delta, dt.timedelta) else dt.timedelta(seconds=delta)
        with self._lock:
            self._at = self._at + step
            return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


class OffsetClock:
    """Another clock shifted by a fixed offset (a replay, a terminal whose clock is off)."""

    def __init__(self, base: Clock, offset: dt.timedelta) -> None:
        self.base = base
        self.offset = offset

    def now(self) -> dt.datetime:
        """The base clock's time plus the offset."""
        return self.base.now() + self.offset


def _aware(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime {at!r}: a clock tells aware UTC time")
    return at.astimezone(UTC)


#: The operating system's clock.
SYSTEM_CLOCK: Clock = SystemClock()

_installed: Clock = SYSTEM_CLOCK
_install_lock = threading.Lock()


def installed() -> Clock:
    """The program's clock: what the composition root installed (the system clock if none).

    Services take a clock from whoever builds them; this is the default for the few places that
    have no builder to ask (column defaults, data classes' default times).
    """
    return _installed


def install(clock: Clock) -> Clock:
    """Make ``clock`` the program's clock; returns the one it replaces (tests restore it)."""
    global _installed
    with _install_lock:
        previous, _installed = _installed, clock
    return previous


def utcnow() -> dt.datetime:
    """The program clock's current time (aware, UTC)."""
    return _installed.now()

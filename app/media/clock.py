"""Pacing a source on its own clock, latency before completeness.

A reader waits before each packet until its timestamp falls due on the wall clock (files and
HLS segments arrive faster than real time and would otherwise race through, sound
included). A decoded picture that is already late by more than ``drop_after_s`` is dropped
rather than shown late. When packets keep arriving late for longer than ``resync_after_s``
(the source itself is behind: dropping will not catch up), or the timestamps jump (a file
loops, a camera restarts), the clock is re-anchored on the current packet.
"""

from __future__ import annotations


class PacingClock:
    """Maps source timestamps (seconds) to monotonic wall-clock deadlines.

    Args:
        drop_after_s: a picture later than this is stale (see :meth:`is_stale`).
        resync_after_s: after arriving late for this long, re-anchor on the current packet.
        max_wait_s: a packet due further ahead than this re-anchors instead of waiting
            (a timestamp jump forward).
        jump_back_s: a timestamp this far before the previous one re-anchors (a loop).
    """

    def __init__(self, *, drop_after_s: float = 0.25, resync_after_s: float = 1.0,
                 max_wait_s: float = 1.0, jump_back_s: float = 1.0) -> None:
        self.drop_after_s = drop_after_s
        self.resync_after_s = resync_after_s
        self.max_wait_s = max_wait_s
        self.jump_back_s = jump_back_s
        self._anchor_ts: float | None = None
        self._anchor_mono = 0.0
        self._last_ts: float | None = None
        self._late_since: float | None = None
        self.resyncs = 0

    def reset(self) -> None:
        """Forget the anchor (a new connection)."""
        self._anchor_ts = None
        self._last_ts = None
        self._late_since = None

    def _anchor(self, ts: float, now: float) -> None:
        self._anchor_ts = ts
        self._anchor_mono = now
        self._late_since = None
        self.resyncs += 1

    def due(self, ts: float) -> float | None:
        """Monotonic time at which ``ts`` is due (None before the first packet)."""
        if self._anchor_ts is None:
            return None
        return self._anchor_mono + (ts - self._anchor_ts)

    def pace(self, ts: float | None, now: float) -> float:
        """Seconds to wait before handling a packet stamped ``ts`` that arrived at ``now``.

        A packet without a timestamp is handled at once.
        """
        if ts is None:
            return 0.0
        last, self._last_ts = self._last_ts, ts
        if self._anchor_ts is None or (last is not None and ts < last - self.jump_back_s):
            self._anchor(ts, now)
            return 0.0
        wait = self._anchor_mono + (ts - self._anchor_ts) - now
        if wait > self.max_wait_s:
            self._anchor(ts, now)
            return 0.0
        if wait >= -self.drop_after_s:
            self._late_since = None
            return max(wait, 0.0)
        if self._late_since is None:
            self._late_since = now
        elif now - self._late_since >= self.resync_after_s:
            self._anchor(ts, now)
        return 0.0

    def lateness(self, ts: float | None, now: float) -> float:
        """Seconds ``ts`` is late at ``now`` (negative: early; 0 without a timestamp)."""
        due = None if ts is None else self.due(ts)
        return 0.0 if due is None else now - due

    def is_stale(self, ts: float | None, now: float) -> bool:
        """Whether a picture stamped ``ts`` is too late to show at ``now``."""
        return self.lateness(ts, now) > self.drop_after_s

    def wall_offset(self, ts: float | None, now: float) -> float:
        """Seconds from ``now`` to when ``ts`` is (or was) due; 0 before the first packet."""
        return -self.lateness(ts, now)

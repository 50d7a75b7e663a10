"""One progress bar for a whole batch analysis, and the time left from measured throughput.

A run goes through the stages of :class:`app.speech.batch.Progress` — load the model, decode
the recording, find the speech (VAD), transcribe, analyse, write the report — each of which
reports the share of *its* work done. :func:`overall` maps them onto one 0–1 bar, weighted by
what they cost on the reference machine (transcription dominates); :class:`TimeLeft` turns the
bar's advance over monotonic time into an estimate of the time left.

No Qt here: the service emits the result, the dialog words it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from app.speech.batch import Progress

#: Stages in run order with their share of the bar: estimates (not measured per stage), with
#: transcription by far the largest part of a run. Wrong weights only bend the bar; the time
#: left is measured on the transcription itself (see :class:`TimeLeft`).
STAGE_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("load", 0.02),
    ("decode", 0.05),
    ("vad", 0.04),
    ("transcribe", 0.84),
    ("analyse", 0.02),
    ("report", 0.03),
)


def overall(stage: str, fraction: float) -> float:
    """Where ``fraction`` of ``stage`` lies on the bar of the whole run (0–1)."""
    if stage == "done":
        return 1.0
    start = 0.0
    for name, weight in STAGE_WEIGHTS:
        if name == stage:
            return min(1.0, start + weight * max(0.0, min(1.0, fraction)))
        start += weight
    return 0.0  # an unknown stage does not move the bar


@dataclass(frozen=True, slots=True)
class RunProgress:
    """One report for the user interface: the stage's own report, the bar, the time left."""

    progress: Progress
    overall: float
    #: Seconds left, None while there is too little to measure.
    seconds_left: float | None


class TimeLeft:
    """Time left of a run, from how fast its bar has been moving (monotonic time).

    Transcription is most of the run and moves at a steady rate, so once it has started the
    rate is measured over the transcription alone (loading the model does not count against
    it); before that, over the run so far. No estimate for the first ``min_elapsed_s`` or
    before the bar has moved ``min_advance``.

    Args:
        now: the monotonic clock (tests pass their own).
    """

    def __init__(self, now: Callable[[], float] = time.monotonic, *,
                 min_elapsed_s: float = 1.5, min_advance: float = 0.01) -> None:
        self._now = now
        self.min_elapsed_s = min_elapsed_s
        self.min_advance = min_advance
        self._start: tuple[float, float] | None = None  # (time, bar) at the first report
        self._anchor: tuple[float, float] | None = None  # … at the start of transcription

    def update(self, stage: str, bar: float) -> float | None:
        """Record that the bar stands at ``bar`` in ``stage``; the seconds left, if known."""
        t = self._now()
        if self._start is None:
            self._start = (t, bar)
        if stage == "transcribe" and self._anchor is None:
            self._anchor = (t, bar)
        if stage == "done" or bar >= 1.0:
            return 0.0
        t0, b0 = self._anchor if self._anchor is not None else self._start
        if self._anchor is not None and (t - t0 < self.min_elapsed_s
                                         or bar - b0 < self.min_advance):
            t0, b0 = self._start  # too early in transcription: the run so far
        elapsed, advance = t - t0, bar - b0
        if elapsed < self.min_elapsed_s or advance < self.min_advance:
            return None
        return (1.0 - bar) * elapsed / advance

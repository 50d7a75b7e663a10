"""One bar for the whole run, and the time left from the measured throughput."""

from __future__ import annotations

import pytest

from app.analysis.progress import STAGE_WEIGHTS, TimeLeft, overall


def test_the_stages_fill_one_bar_in_run_order() -> None:
    assert sum(w for _s, w in STAGE_WEIGHTS) == pytest.approx(1.0)
    points = [overall(stage, f) for stage, _w in STAGE_WEIGHTS for f in (0.0, 0.5, 1.0)]
    assert points == sorted(points) and points[0] == 0.0 and points[-1] == pytest.approx(1.0)
    assert overall("transcribe", 0.5) == pytest.approx(0.11 + 0.42)
    assert overall("done", 0.0) == 1.0
    assert overall("transcribe", 7.0) == overall("transcribe", 1.0)  # clamped


class Monotonic:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_time_left_follows_the_transcription_rate_not_the_model_loading() -> None:
    clock = Monotonic()
    eta = TimeLeft(clock)
    assert eta.update("load", 0.0) is None  # nothing measured yet
    clock.t += 20.0  # a slow model load: 20 s for 2 % of the bar
    assert eta.update("load", 0.02) is not None
    eta.update("decode", overall("decode", 1.0))
    eta.update("vad", overall("vad", 1.0))
    eta.update("transcribe", overall("transcribe", 0.0))
    clock.t += 10.0  # then a tenth of the transcription in 10 s
    left = eta.update("transcribe", overall("transcribe", 0.1))
    # 100 s for the whole transcription at that rate: ~90 s of it and the tail are left
    assert left is not None and 90 <= left <= 100
    clock.t += 45.0
    left = eta.update("transcribe", overall("transcribe", 0.55))
    assert left is not None and 45 <= left <= 55
    assert eta.update("done", 1.0) == 0.0


def test_no_estimate_before_the_bar_has_moved() -> None:
    clock = Monotonic()
    eta = TimeLeft(clock)
    eta.update("transcribe", 0.11)
    clock.t += 30.0
    assert eta.update("transcribe", 0.11) is None

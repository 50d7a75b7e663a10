"""The live pool's venue limit and visible load shedding (policy, without decoding)."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from app.speech.audio import SAMPLE_RATE, AudioChunk
from app.speech.engine import DecodePolicy, Recognizer, load_model
from app.speech.live import LivePool, PauseReason, VenueState
from app.speech.testing import ModelNotAvailable, tiny_en_model_dir


@pytest.fixture(scope="module")
def recognizer() -> Recognizer:
    try:
        path = tiny_en_model_dir()
    except ModelNotAvailable as exc:
        pytest.fail(str(exc))
    return Recognizer(load_model(path, workers=1), DecodePolicy(language="en"))


class _States:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changes: list[tuple[int, VenueState, PauseReason]] = []

    def __call__(self, venue: int, state: VenueState, reason: PauseReason) -> None:
        with self.lock:
            self.changes.append((venue, state, reason))


def _chunk(offset: float, seconds: float = 1.0) -> AudioChunk:
    return AudioChunk(np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32), offset)


def test_venues_beyond_the_limit_start_paused_by_priority(recognizer: Recognizer) -> None:
    states = _States()
    pool = LivePool(recognizer, max_active=2, on_state=states)
    pool.add_venue(10, priority=5)
    pool.add_venue(11, priority=9)
    pool.add_venue(12, priority=1)  # more important than both: 11 gives way
    assert pool.state(12) == (VenueState.ACTIVE, PauseReason.NONE)
    assert pool.state(10) == (VenueState.ACTIVE, PauseReason.NONE)
    assert pool.state(11) == (VenueState.PAUSED, PauseReason.LIMIT)
    assert (11, VenueState.PAUSED, PauseReason.LIMIT) in states.changes
    report = pool.report()
    assert set(report.active) == {10, 12} and report.paused == (11,)


def test_overload_pauses_the_least_important_venue_visibly(recognizer: Recognizer) -> None:
    states = _States()
    pool = LivePool(recognizer, max_active=3, on_state=states, overload_lag_s=4.0)
    for venue, priority in ((1, 1), (2, 2), (3, 3)):
        pool.add_venue(venue, priority=priority)
    # workers are not started: audio piles up as if the machine could not keep up
    for second in range(6):
        for venue in (1, 2, 3):
            pool.feed(venue, _chunk(float(second)))
    pool.check_load()
    assert pool.state(3) == (VenueState.PAUSED, PauseReason.OVERLOAD)
    assert pool.state(1) == (VenueState.ACTIVE, PauseReason.NONE)
    assert (3, VenueState.PAUSED, PauseReason.OVERLOAD) in states.changes
    # audio of a paused venue is dropped, not queued
    pool.feed(3, _chunk(6.0))
    assert pool.report().paused == (3,)


def test_a_single_venue_is_never_shed(recognizer: Recognizer) -> None:
    pool = LivePool(recognizer, max_active=1, overload_lag_s=2.0)
    pool.add_venue(1)
    for second in range(10):
        pool.feed(1, _chunk(float(second)))
    pool.check_load()
    assert pool.state(1) == (VenueState.ACTIVE, PauseReason.NONE)


def test_manual_pause_and_resume(recognizer: Recognizer) -> None:
    states = _States()
    pool = LivePool(recognizer, max_active=2, on_state=states)
    pool.add_venue(7)
    pool.set_paused(7, True)
    assert pool.state(7) == (VenueState.PAUSED, PauseReason.MANUAL)
    pool.set_paused(7, False)
    assert pool.state(7) == (VenueState.ACTIVE, PauseReason.NONE)
    assert [c[1] for c in states.changes] == [VenueState.ACTIVE, VenueState.PAUSED,
                                              VenueState.ACTIVE]


def test_pool_threads_start_and_stop(recognizer: Recognizer, tmp_path: Path) -> None:
    pool = LivePool(recognizer, workers=1)
    pool.start()
    pool.add_venue(1)
    pool.feed(1, _chunk(0.0, 2.0))
    pool.stop()
    assert pool.report().workers == 1

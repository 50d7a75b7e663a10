"""The pacing clock: packets wait for their time, stale pictures are refused, jumps re-anchor."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.media.clock import PacingClock


def test_packets_arriving_early_wait_for_their_time() -> None:
    clock = PacingClock()
    assert clock.pace(10.0, now=100.0) == 0.0  # anchors
    assert abs(clock.pace(10.04, now=100.0) - 0.04) < 1e-9  # a file: read at once, so wait
    assert abs(clock.pace(10.5, now=100.1) - 0.4) < 1e-9


def test_late_pictures_are_stale_and_the_clock_resyncs() -> None:
    clock = PacingClock(drop_after_s=0.25, resync_after_s=1.0)
    clock.pace(0.0, now=0.0)
    assert clock.pace(0.04, now=0.2) == 0.0
    assert not clock.is_stale(0.04, now=0.2)  # 0.16 s late: still shown
    assert clock.is_stale(0.08, now=0.6) and abs(clock.lateness(0.08, 0.6) - 0.52) < 1e-9
    # the source keeps arriving half a second late: after a second of it, re-anchor
    clock.pace(0.08, now=0.6)
    clock.pace(0.5, now=1.0)
    assert clock.is_stale(0.5, now=1.0)
    clock.pace(1.0, now=1.6)
    assert not clock.is_stale(1.0, now=1.6)
    assert clock.pace(1.04, now=1.6) > 0.03


def test_timestamp_jumps_reanchor() -> None:
    clock = PacingClock()
    clock.pace(100.0, now=0.0)
    clock.pace(100.04, now=0.04)
    assert clock.pace(0.0, now=0.08) == 0.0  # a file looped
    assert clock.lateness(0.0, now=0.08) == 0.0
    assert clock.pace(500.0, now=0.12) == 0.0  # a camera restarted with a new clock
    assert clock.resyncs == 3


def test_no_timestamp_no_waiting() -> None:
    clock = PacingClock()
    assert clock.pace(None, now=5.0) == 0.0 and clock.lateness(None, now=5.0) == 0.0
    assert clock.wall_offset(3.0, now=1.0) == 0.0  # nothing anchored yet


@given(st.lists(st.tuples(st.floats(0, 0.2), st.floats(0, 0.2)), min_size=1, max_size=200))
def test_waits_are_bounded_and_paced_packets_are_never_stale(
        steps: list[tuple[float, float]]) -> None:
    clock = PacingClock(drop_after_s=0.25, max_wait_s=1.0)
    ts = now = 0.0
    for dts, dnow in steps:
        ts += dts
        now += dnow
        wait = clock.pace(ts, now)
        assert 0.0 <= wait <= 1.0
        now += wait
        if wait > 0:
            assert abs(clock.lateness(ts, now)) < 1e-6  # handled exactly on time

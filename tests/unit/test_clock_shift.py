"""The suite's second run really runs a year ahead (the harness that proves date independence)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest

from models.clock import FixedClock, OffsetClock, SystemClock

SHIFT = os.environ.get("CEDC_TEST_CLOCK_SHIFT_DAYS", "")


@pytest.mark.skipif(not SHIFT, reason="only in the clock-shifted run")
def test_the_shifted_run_reads_a_clock_a_year_ahead_here_and_in_child_processes() -> None:
    # the kernel's real time, read by a program that is not Python (time-machine cannot move it)
    seconds = subprocess.run(["date", "+%s"], capture_output=True, text=True, check=True,
                             timeout=30).stdout
    real = dt.datetime.fromtimestamp(int(seconds), dt.UTC)
    ahead = SystemClock().now() - real
    assert ahead > dt.timedelta(days=float(SHIFT) - 1)
    child = subprocess.run(
        [sys.executable, "-c", "import datetime as d; print(d.datetime.now(d.UTC).isoformat())"],
        capture_output=True, text=True, check=True, timeout=60)
    child_now = dt.datetime.fromisoformat(child.stdout.strip())
    assert child_now - real > dt.timedelta(days=float(SHIFT) - 1)


def test_a_fixed_clock_stands_still_until_moved() -> None:
    at = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    clock = FixedClock(at)
    assert clock.now() == at
    assert clock.advance(90) == at + dt.timedelta(seconds=90)
    assert OffsetClock(clock, dt.timedelta(hours=8)).now() == at + dt.timedelta(hours=8, seconds=90)
    with pytest.raises(ValueError, match="naive"):
        FixedClock(dt.datetime(2026, 11, 27))

"""Incident timers: phases, amber and red by priority."""

from __future__ import annotations

import datetime as dt

import pytest

from app.dispatch.timers import (
    DEFAULT_POLICY,
    TimerInputs,
    TimerLevel,
    TimerPhase,
    timer_reading,
)
from models.enums import IncidentPriority, IncidentStatus

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def minutes(m: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=m)


@pytest.mark.parametrize(("priority", "at", "level"), [
    (IncidentPriority.URGENT, 1, TimerLevel.NORMAL),
    (IncidentPriority.URGENT, 2, TimerLevel.AMBER),
    (IncidentPriority.URGENT, 5, TimerLevel.RED),
    (IncidentPriority.NORMAL, 14, TimerLevel.NORMAL),
    (IncidentPriority.NORMAL, 16, TimerLevel.AMBER),
    (IncidentPriority.NORMAL, 31, TimerLevel.RED),
    (IncidentPriority.LOW, 59, TimerLevel.NORMAL),
])
def test_waiting_for_a_unit_turns_amber_then_red_by_priority(
        priority: IncidentPriority, at: float, level: TimerLevel) -> None:
    reading = timer_reading(TimerInputs(1, int(priority), IncidentStatus.NEW, T0), minutes(at))
    assert reading.phase is TimerPhase.AWAITING_DISPATCH
    assert reading.level is level
    assert reading.elapsed_s == at * 60


def test_phases_follow_dispatch_and_arrival() -> None:
    high = int(IncidentPriority.HIGH)
    dispatched = TimerInputs(1, high, IncidentStatus.DISPATCHED, T0, dispatched_at=minutes(3))
    reading = timer_reading(dispatched, minutes(25))
    assert (reading.phase, reading.level, reading.elapsed_s) == (
        TimerPhase.AWAITING_ARRIVAL, TimerLevel.AMBER, 22 * 60)
    assert reading.amber_at == minutes(23) and reading.red_at == minutes(33)
    on_scene = TimerInputs(1, high, IncidentStatus.IN_PROGRESS, T0, minutes(3), minutes(20))
    assert timer_reading(on_scene, minutes(21)).phase is TimerPhase.ON_SCENE
    assert timer_reading(on_scene, minutes(20 + 91)).level is TimerLevel.RED
    # back in the queue after its unit was withdrawn: waiting for a unit again
    requeued = TimerInputs(1, high, IncidentStatus.NEW, T0, dispatched_at=minutes(3))
    assert timer_reading(requeued, minutes(4)).phase is TimerPhase.AWAITING_DISPATCH
    closed = TimerInputs(1, high, IncidentStatus.CLOSED, T0)
    assert timer_reading(closed, minutes(600)).phase is TimerPhase.NONE


def test_priorities_out_of_range_use_the_nearest_limits() -> None:
    odd = timer_reading(TimerInputs(1, 9, IncidentStatus.NEW, T0), minutes(61))
    low = timer_reading(TimerInputs(1, 4, IncidentStatus.NEW, T0), minutes(61))
    assert odd.level is low.level is TimerLevel.AMBER
    assert set(DEFAULT_POLICY.dispatch) == {1, 2, 3, 4}
    clock_skew = timer_reading(TimerInputs(1, 1, IncidentStatus.NEW, minutes(5)), T0)
    assert clock_skew.elapsed_s == 0 and clock_skew.level is TimerLevel.NORMAL

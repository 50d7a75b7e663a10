"""Vehicle state tracker: online/offline, moving/stopped, alarm bits, SOS episodes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.tracking.jt808 import (
    Location,
    PositionReport,
    ReportSource,
    VehicleEventKind,
    VehicleStateTracker,
    alarm_names,
)

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
PHONE = "013900000001"
K = VehicleEventKind


def report(
    seconds: float,
    *,
    speed: float = 0.0,
    alarm: int = 0,
    fix_seconds: float | None = None,
    phone: str = PHONE,
    version: int | None = None,
    source: ReportSource = ReportSource.LIVE,
) -> PositionReport:
    at = T0 + timedelta(seconds=seconds)
    fix = T0 + timedelta(seconds=seconds if fix_seconds is None else fix_seconds)
    loc = Location(39.9 + seconds / 1e5, 116.4, fix, speed_kmh=speed, alarm=alarm)
    return PositionReport(phone, loc, at, source, version)


def kinds(events: list) -> list[VehicleEventKind]:  # type: ignore[type-arg]
    return [e.kind for e in events]


def test_first_report_brings_vehicle_online() -> None:
    tracker = VehicleStateTracker()
    events = tracker.update(report(0, speed=30))
    assert kinds(events) == [K.ONLINE]
    state = tracker.state(PHONE)
    assert state is not None
    assert state.online
    assert state.moving
    assert state.location is not None
    assert state.last_seen == T0
    assert tracker.state("other") is None


def test_offline_after_silence_and_back_online() -> None:
    tracker = VehicleStateTracker(offline_after_s=60)
    tracker.update(report(0))
    assert tracker.sweep(T0 + timedelta(seconds=59)) == []
    events = tracker.sweep(T0 + timedelta(seconds=61))
    assert kinds(events) == [K.OFFLINE]
    assert not events[0].state.online
    assert tracker.sweep(T0 + timedelta(seconds=120)) == []  # only once
    assert kinds(tracker.seen(PHONE, T0 + timedelta(seconds=130))) == [K.ONLINE]


def test_heartbeats_keep_vehicle_online() -> None:
    tracker = VehicleStateTracker(offline_after_s=60)
    tracker.update(report(0))
    assert tracker.seen(PHONE, T0 + timedelta(seconds=50)) == []
    assert tracker.sweep(T0 + timedelta(seconds=100)) == []
    assert kinds(tracker.sweep(T0 + timedelta(seconds=111))) == [K.OFFLINE]


def test_disconnect_marks_offline() -> None:
    tracker = VehicleStateTracker()
    tracker.update(report(0))
    assert kinds(tracker.disconnected(PHONE, T0)) == [K.OFFLINE]
    assert tracker.disconnected(PHONE, T0) == []
    lenient = VehicleStateTracker(offline_on_disconnect=False)
    lenient.update(report(0))
    assert lenient.disconnected(PHONE, T0) == []


def test_moving_and_stopped_with_hysteresis() -> None:
    tracker = VehicleStateTracker(moving_kmh=5, stopped_kmh=2)
    tracker.update(report(0, speed=0))
    assert kinds(tracker.update(report(5, speed=4))) == []  # below moving threshold
    assert kinds(tracker.update(report(10, speed=20))) == [K.MOVING]
    assert kinds(tracker.update(report(15, speed=3))) == []  # crawling, still moving
    assert kinds(tracker.update(report(20, speed=0.5))) == [K.STOPPED]
    state = tracker.state(PHONE)
    assert state is not None
    assert not state.moving


def test_alarm_bits_raised_and_cleared_by_name() -> None:
    tracker = VehicleStateTracker()
    tracker.update(report(0))
    events = tracker.update(report(5, alarm=0b110))  # overspeed + fatigue
    assert kinds(events) == [K.ALARM_RAISED]
    assert events[0].alarms == ("overspeed", "fatigue_driving")
    assert events[0].state.alarms == ("overspeed", "fatigue_driving")
    events = tracker.update(report(10, alarm=0b100))
    assert kinds(events) == [K.ALARM_CLEARED]
    assert events[0].alarms == ("overspeed",)


def test_alarm_names_2013_and_2019() -> None:
    assert alarm_names(1 | 1 << 16 | 1 << 31) == ("emergency", "bit16", "illegal_door_open")
    assert alarm_names(1 << 16, is_2019=True) == ("tyre_pressure_warning",)
    assert alarm_names(0) == ()


def test_sos_raises_once_per_episode_and_needs_acknowledgement() -> None:
    tracker = VehicleStateTracker()
    tracker.update(report(0))
    events = tracker.update(report(5, alarm=1))
    assert kinds(events) == [K.SOS_RAISED]
    sos = events[0].sos
    assert sos is not None
    assert sos.active
    assert not sos.acknowledged
    assert sos.phone == PHONE
    # repeated reports in the same episode raise nothing new
    assert tracker.update(report(10, alarm=1)) == []
    assert tracker.update(report(15, alarm=1, speed=0)) == []
    assert [a.alarm_id for a in tracker.pending_sos()] == [sos.alarm_id]
    # the terminal clears the button: episode over, but the console alarm stays pending
    events = tracker.update(report(20, alarm=0))
    assert kinds(events) == [K.SOS_CLEARED]
    assert tracker.pending_sos()[0].cleared_at == T0 + timedelta(seconds=20)
    state = tracker.state(PHONE)
    assert state is not None
    assert state.sos is not None
    # acknowledgement closes it
    ack_at = T0 + timedelta(seconds=30)
    events = tracker.acknowledge_sos(sos.alarm_id, operator="王警官", at=ack_at)
    assert kinds(events) == [K.SOS_ACKNOWLEDGED]
    assert events[0].sos is not None
    assert events[0].sos.acknowledged_by == "王警官"
    assert tracker.pending_sos() == []
    assert tracker.acknowledge_sos(sos.alarm_id, operator="x", at=ack_at) == []
    state = tracker.state(PHONE)
    assert state is not None
    assert state.sos is None
    # a new press is a new episode
    events = tracker.update(report(40, alarm=1))
    assert kinds(events) == [K.SOS_RAISED]
    assert events[0].sos is not None
    assert events[0].sos.alarm_id != sos.alarm_id


def test_acknowledged_sos_still_active_until_cleared() -> None:
    tracker = VehicleStateTracker()
    sos = tracker.update(report(0, alarm=1))[-1].sos
    assert sos is not None
    tracker.acknowledge_sos(sos.alarm_id, operator="op", at=T0)
    assert tracker.update(report(5, alarm=1)) == []  # same episode, no new alarm
    assert kinds(tracker.update(report(10))) == [K.SOS_CLEARED]
    assert tracker.sos_alarm(sos.alarm_id) is None


def test_unacknowledged_episodes_accumulate() -> None:
    tracker = VehicleStateTracker()
    tracker.update(report(0, alarm=1))
    tracker.update(report(5))
    tracker.update(report(10, alarm=1))
    assert len(tracker.pending_sos()) == 2


def test_backfilled_old_report_does_not_move_the_vehicle() -> None:
    tracker = VehicleStateTracker(offline_after_s=60)
    tracker.update(report(100, speed=30))
    tracker.sweep(T0 + timedelta(seconds=200))
    old = report(300, speed=0, alarm=1, fix_seconds=50, source=ReportSource.BLIND_AREA)
    events = tracker.update(old)
    assert kinds(events) == [K.ONLINE]  # proves it is alive, nothing else
    state = tracker.state(PHONE)
    assert state is not None
    assert state.location is not None
    assert state.location.time == T0 + timedelta(seconds=100)
    assert state.moving
    assert tracker.pending_sos() == []


def test_states_lists_every_vehicle() -> None:
    tracker = VehicleStateTracker()
    tracker.update(report(0, phone="1"))
    tracker.update(report(0, phone="2"))
    assert sorted(s.phone for s in tracker.states()) == ["1", "2"]
    tracker.forget("1")
    assert [s.phone for s in tracker.states()] == ["2"]


def test_bad_thresholds_rejected() -> None:
    with pytest.raises(ValueError, match="stopped_kmh"):
        VehicleStateTracker(moving_kmh=2, stopped_kmh=5)

"""The recorder check: units on scene whose body cameras are not live."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.media.directory import CameraLink
from app.media.recorder import RecorderWarning, recorder_warnings
from app.media.types import SourceState
from models.enums import UnitStatus

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class U:
    id: int
    call_sign: str
    status: UnitStatus
    status_changed_at: dt.datetime


def _unit(uid: int, status: UnitStatus, minutes: float = 5) -> U:
    return U(uid, f"朝阳{uid:02d}", status, NOW - dt.timedelta(minutes=minutes))


CAMS = {
    1: [CameraLink(11, "DSJ-朝阳01-1", 1, 101), CameraLink(12, "DSJ-朝阳01-2", 1, 102)],
    2: [CameraLink(21, "DSJ-朝阳02-1", 2, 201)],
    3: [CameraLink(31, "DSJ-朝阳03-1", 3, None)],
}


def test_on_scene_unit_with_a_lost_camera_is_warned() -> None:
    states = {101: SourceState.LIVE, 102: SourceState.LOST, 201: SourceState.LIVE}
    warnings = recorder_warnings([_unit(1, UnitStatus.ON_SCENE), _unit(2, UnitStatus.ON_SCENE)],
                                 CAMS, states, now=NOW)
    assert [(w.unit_id, [p.serial for p in w.problems]) for w in warnings] == [
        (1, ["DSJ-朝阳01-2"])]
    assert "朝阳01" in warnings[0].text() and "DSJ-朝阳01-2" in warnings[0].text()


@pytest.mark.parametrize("status", [s for s in UnitStatus if s is not UnitStatus.ON_SCENE])
def test_only_units_on_scene_are_checked(status: UnitStatus) -> None:
    assert recorder_warnings([_unit(1, status)], CAMS, {101: SourceState.LOST,
                                                         102: SourceState.LOST}, now=NOW) == []


def test_grace_time_connecting_and_unconfigured_cameras() -> None:
    just_arrived = _unit(1, UnitStatus.ON_SCENE, minutes=0.2)
    assert recorder_warnings([just_arrived], CAMS, {102: SourceState.LOST}, now=NOW,
                             grace_s=30) == []
    connecting = recorder_warnings([_unit(1, UnitStatus.ON_SCENE)], CAMS,
                                   {101: SourceState.CONNECTING}, now=NOW)
    assert connecting == []  # not judged before the first connection attempt ends
    stalled = recorder_warnings([_unit(2, UnitStatus.ON_SCENE)], CAMS,
                                {201: SourceState.STALLED}, now=NOW)
    assert stalled[0].problems[0].state is SourceState.STALLED
    blip = recorder_warnings([_unit(2, UnitStatus.ON_SCENE)], CAMS, {201: SourceState.LOST},
                             now=NOW, down_for={201: 3.0}, min_down_s=10.0)
    assert blip == []  # lost for three seconds only: no alarm yet
    unconfigured = recorder_warnings([_unit(3, UnitStatus.ON_SCENE)], CAMS, {}, now=NOW)
    assert unconfigured[0].problems[0].state is None
    assert "no stream" in unconfigured[0].text()


@given(st.lists(st.tuples(st.sampled_from(list(UnitStatus)), st.floats(0, 120)), max_size=3),
       st.dictionaries(st.sampled_from([101, 102, 201]), st.sampled_from(list(SourceState))))
def test_warnings_name_exactly_the_cameras_not_live(
        units: list[tuple[UnitStatus, float]], states: dict[int, SourceState]) -> None:
    rows = [_unit(i + 1, s, m) for i, (s, m) in enumerate(units)]
    warnings = recorder_warnings(rows, CAMS, states, now=NOW, grace_s=60)
    for w in warnings:
        assert isinstance(w, RecorderWarning)
        unit = rows[w.unit_id - 1]
        assert unit.status is UnitStatus.ON_SCENE
        assert (NOW - unit.status_changed_at).total_seconds() >= 60
        for p in w.problems:
            assert p.source_id is None or states[p.source_id] in (SourceState.LOST,
                                                                  SourceState.STALLED)
    warned = {w.unit_id for w in warnings}
    for unit in rows:
        live = all(c.source_id is not None and states.get(c.source_id) is SourceState.LIVE
                   for c in CAMS.get(unit.id, []))
        if live:
            assert unit.id not in warned

from __future__ import annotations

import pytest

from models.enums import UNIT_TRANSITIONS, CreditGrade, IncidentStatus, UnitStatus, transition_error


def test_every_status_has_a_transition_row() -> None:
    assert set(UNIT_TRANSITIONS) == set(UnitStatus)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (UnitStatus.AVAILABLE, UnitStatus.DISPATCHED),
        (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE),
        (UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE),
        (UnitStatus.ON_SCENE, UnitStatus.CLEARING),
        (UnitStatus.CLEARING, UnitStatus.AVAILABLE),
        (UnitStatus.ON_SCENE, UnitStatus.EMERGENCY),  # emergency from anywhere
        (UnitStatus.OFF_DUTY, UnitStatus.EMERGENCY),
    ],
)
def test_dispatch_lifecycle_is_allowed(current: UnitStatus, new: UnitStatus) -> None:
    assert transition_error(current, new) is None


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (UnitStatus.OFF_DUTY, UnitStatus.ON_SCENE),
        (UnitStatus.AVAILABLE, UnitStatus.CLEARING),
        (UnitStatus.EMERGENCY, UnitStatus.DISPATCHED),
        (UnitStatus.OUT_OF_SERVICE, UnitStatus.EN_ROUTE),
    ],
)
def test_invalid_transition_is_refused_with_a_reason(current: UnitStatus, new: UnitStatus) -> None:
    reason = transition_error(current, new)
    assert reason is not None
    assert current.value in reason and new.value in reason


def test_only_available_units_are_assignable() -> None:
    assert [s for s in UnitStatus if s.is_assignable] == [UnitStatus.AVAILABLE]


def test_grade_colours_follow_green_blue_yellow_red() -> None:
    assert [g.colour for g in CreditGrade] == ["#2e9d4a", "#2f6fd6", "#e6b800", "#d92b2b"]


def test_closed_cancelled_merged_incidents_are_not_open() -> None:
    closed = {s for s in IncidentStatus if not s.is_open}
    assert closed == {IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.MERGED}

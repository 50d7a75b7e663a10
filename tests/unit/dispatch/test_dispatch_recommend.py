"""Ranking units by ETA, and calibrating the ETA model from position history."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.dispatch.recommend import (
    DEFAULT_MODEL,
    MAX_DETOUR,
    MAX_SPEED_KMH,
    MIN_DETOUR,
    MIN_SPEED_KMH,
    EtaModel,
    Exclusion,
    IncidentTarget,
    UnitCandidate,
    calibrate,
    excluded_units,
    local_midnight,
    rank_units,
    unit_may_serve,
)
from models.enums import UnitStatus

NOW = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)  # 10:00 Beijing
TARGET = IncidentTarget(1, "20261127-0001", "110105", False, 39.92, 116.46)
KM_LAT = 1 / 111.2  # degrees of latitude per km


def unit(uid: int, km_north: float | None, status: UnitStatus = UnitStatus.AVAILABLE,
         district: str | None = "110105", workload: int = 0, fix_age_s: float = 20,
         call_sign: str | None = None) -> UnitCandidate:
    lat = None if km_north is None else TARGET.lat + km_north * KM_LAT  # type: ignore[operator]
    return UnitCandidate(uid, call_sign or f"朝阳{uid:02d}", district, status, lat,
                         None if km_north is None else TARGET.lon,
                         NOW - dt.timedelta(seconds=fix_age_s), workload)


def test_nearest_available_first_with_the_reason_figures() -> None:
    rows = rank_units(TARGET, [unit(1, 5.0), unit(2, 1.0), unit(3, 3.0)], DEFAULT_MODEL, NOW)
    assert [r.id for r in rows] == [2, 3, 1] and [r.rank for r in rows] == [1, 2, 3]
    best = rows[0]
    assert best.distance_km == pytest.approx(1.0, rel=0.01)
    assert best.road_km == pytest.approx(DEFAULT_MODEL.detour_factor, rel=0.01)
    assert best.speed_kmh == DEFAULT_MODEL.speeds_kmh[10]
    assert best.eta_min == pytest.approx(best.road_km / best.speed_kmh * 60)  # type: ignore[operator]
    assert not best.stale and not best.other_district


def test_only_available_and_clearing_units_of_the_district_unless_escalated() -> None:
    units = [unit(1, 1.0, UnitStatus.EN_ROUTE), unit(2, 9.0), unit(3, 0.5, UnitStatus.CLEARING),
             unit(4, 0.2, UnitStatus.OUT_OF_SERVICE), unit(5, 0.1, district="110108"),
             unit(6, 0.3, district=None), unit(7, 2.0, UnitStatus.OFF_DUTY)]
    rows = rank_units(TARGET, units, DEFAULT_MODEL, NOW)
    # available before clearing (tier), then by ETA; the idle city-corps unit (6) is offered
    # for the district's incident, another district's unit (5) only once escalated
    assert [r.id for r in rows] == [6, 2, 3]
    assert [r.city_corps for r in rows] == [True, False, False]
    assert not any(r.other_district for r in rows)
    escalated = IncidentTarget(1, "n", "110105", True, TARGET.lat, TARGET.lon)
    wide = rank_units(escalated, units, DEFAULT_MODEL, NOW)
    assert [r.id for r in wide] == [5, 6, 2, 3]
    assert [r.other_district for r in wide] == [True, False, False, False]
    no_district = IncidentTarget(1, "n", None, False, TARGET.lat, TARGET.lon)
    assert [r.id for r in rank_units(no_district, units, DEFAULT_MODEL, NOW)] == [5, 6, 2, 3]


def test_city_corps_serve_any_district_other_districts_only_when_escalated() -> None:
    assert unit_may_serve(TARGET, "110105") and unit_may_serve(TARGET, None)
    assert not unit_may_serve(TARGET, "110108")
    escalated = IncidentTarget(1, "n", "110105", True, None, None)
    assert unit_may_serve(escalated, "110108")
    city_level = IncidentTarget(1, "n", None, False, None, None)
    assert unit_may_serve(city_level, "110108") and unit_may_serve(city_level, None)


def test_left_out_units_are_listed_with_why_nearest_first() -> None:
    units = [unit(1, 1.0, UnitStatus.EN_ROUTE), unit(2, 9.0),
             unit(3, 0.5, UnitStatus.CLEARING), unit(4, 0.2, UnitStatus.OUT_OF_SERVICE),
             unit(5, 0.1, district="110108"), unit(6, 0.3, district=None),
             unit(7, None, UnitStatus.OFF_DUTY), unit(8, 0.4, UnitStatus.EMERGENCY),
             unit(9, 0.05, UnitStatus.ON_SCENE, district="110108")]
    out = excluded_units(TARGET, units, DEFAULT_MODEL, NOW)
    # by status (nearest first, no position last), then other districts' free units;
    # a busy unit of another district says nothing the dispatcher can act on
    assert [r.id for r in out] == [4, 8, 1, 7, 5]
    assert [r.excluded for r in out] == [Exclusion.STATUS] * 4 + [Exclusion.OTHER_DISTRICT]
    assert [r.status for r in out[:4]] == [UnitStatus.OUT_OF_SERVICE, UnitStatus.EMERGENCY,
                                           UnitStatus.EN_ROUTE, UnitStatus.OFF_DUTY]
    assert not any(r.assignable for r in out) and all(r.rank == 0 for r in out)
    assert out[0].distance_km == pytest.approx(0.2, rel=0.01)  # figures shown greyed too
    # what is offered and what is listed as excluded never overlap and cover every unit
    offered = {r.id for r in rank_units(TARGET, units, DEFAULT_MODEL, NOW)}
    assert offered == {2, 3, 6} and offered.isdisjoint(r.id for r in out)
    # escalated: the other district's unit is offered, not listed as excluded
    escalated = IncidentTarget(1, "n", "110105", True, TARGET.lat, TARGET.lon)
    assert 5 not in {r.id for r in excluded_units(escalated, units, DEFAULT_MODEL, NOW)}
    assert 9 in {r.id for r in excluded_units(escalated, units, DEFAULT_MODEL, NOW)}


def test_only_the_nearest_free_units_of_other_districts_are_listed() -> None:
    units = [unit(i, float(i), district="110108") for i in range(1, 9)]
    out = excluded_units(TARGET, units, DEFAULT_MODEL, NOW, max_other_district=3)
    assert [r.id for r in out] == [1, 2, 3]


def test_ties_go_to_less_work_today_then_call_sign() -> None:
    units = [unit(1, 2.0, workload=3, call_sign="朝阳01"), unit(2, 2.0, workload=1,
                                                                call_sign="朝阳03"),
             unit(3, 2.0, workload=1, call_sign="朝阳02")]
    assert [r.id for r in rank_units(TARGET, units, DEFAULT_MODEL, NOW)] == [3, 2, 1]


def test_units_without_position_come_last_and_old_fixes_are_flagged() -> None:
    rows = rank_units(TARGET, [unit(1, None), unit(2, 8.0, fix_age_s=1800), unit(3, 9.0)],
                      DEFAULT_MODEL, NOW, stale_after_s=600)
    assert [r.id for r in rows] == [2, 3, 1]
    assert rows[0].stale and not rows[1].stale
    assert rows[2].eta_min is None and rows[2].distance_km is None
    nowhere = IncidentTarget(1, "n", "110105", False, None, None)
    unplaced = rank_units(nowhere, [unit(1, 1.0, workload=2), unit(2, 5.0)], DEFAULT_MODEL, NOW)
    assert [r.id for r in unplaced] == [2, 1]  # no distances: less work first


@given(st.lists(st.tuples(st.one_of(st.none(), st.floats(0, 60)),
                          st.sampled_from(list(UnitStatus)), st.integers(0, 5)),
                max_size=25))
def test_ranking_is_a_sorted_permutation_of_the_eligible(specs: list[tuple[float | None,
                                                                          UnitStatus,
                                                                          int]]) -> None:
    units = [unit(i, km, status, workload=w) for i, (km, status, w) in enumerate(specs, 1)]
    rows = rank_units(TARGET, units, DEFAULT_MODEL, NOW)
    eligible = {u.id for u in units if u.status in (UnitStatus.AVAILABLE, UnitStatus.CLEARING)}
    assert {r.id for r in rows} == eligible
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    keys = [(r.status is UnitStatus.CLEARING, r.eta_min is None, r.eta_min or 0.0)
            for r in rows]
    assert keys == sorted(keys)


def test_speed_follows_the_beijing_hour() -> None:
    model = EtaModel(speeds_kmh=tuple(float(h + 10) for h in range(24)))
    assert model.speed_at(dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC)) == 18  # 08:30 local
    assert model.eta_minutes(10, dt.datetime(2026, 1, 1, 16, 0, tzinfo=dt.UTC)) == \
        pytest.approx(10 * 1.4 / 10 * 60)  # 00:00 local
    with pytest.raises(ValueError, match="24"):
        EtaModel(speeds_kmh=(30.0,))
    assert local_midnight(NOW) == dt.datetime(2026, 11, 26, 16, 0, tzinfo=dt.UTC)


def _straight_track(start: dt.datetime, kmh: float, minutes: int,
                    step_s: int = 20) -> list[tuple[dt.datetime, float, float]]:
    out = []
    for k in range(minutes * 60 // step_s):
        km = kmh * k * step_s / 3600
        out.append((start + dt.timedelta(seconds=k * step_s), 39.9 + km * KM_LAT, 116.4))
    return out


def test_calibration_measures_speed_per_hour_and_a_straight_detour() -> None:
    morning = dt.datetime(2026, 11, 26, 0, 0, tzinfo=dt.UTC)  # 08:00 Beijing
    night = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)  # 23:00 Beijing
    tracks = [_straight_track(morning, 12, 60), _straight_track(night, 45, 60),
              _straight_track(morning + dt.timedelta(minutes=5), 12, 50)]
    model = calibrate(tracks)
    assert model.calibrated and model.windows >= 12
    assert model.speeds_kmh[8] == pytest.approx(12, rel=0.02)
    assert model.speeds_kmh[23] == pytest.approx(45, rel=0.02)
    assert model.detour_factor == pytest.approx(1.0, abs=0.01)


def test_calibration_without_movement_keeps_the_defaults() -> None:
    parked = [(NOW + dt.timedelta(seconds=30 * k), 39.9, 116.4) for k in range(500)]
    assert calibrate([parked]) is DEFAULT_MODEL
    assert calibrate([]) is DEFAULT_MODEL


_fix = st.tuples(
    st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 1, 2),
                 timezones=st.sampled_from([dt.UTC, None])),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
)


@given(st.lists(st.lists(_fix, max_size=60), max_size=4))
def test_calibration_survives_any_fixes(tracks: list[list[tuple[dt.datetime, float,
                                                                 float]]]) -> None:
    model = calibrate(tracks)
    assert MIN_DETOUR <= model.detour_factor <= MAX_DETOUR
    assert all(MIN_SPEED_KMH <= s <= MAX_SPEED_KMH and math.isfinite(s)
               for s in model.speeds_kmh)

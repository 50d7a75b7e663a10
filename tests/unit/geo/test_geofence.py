"""Geofence geometry, the enter/leave engine and venue alert zones."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.geo.coords import haversine_m
from app.geo.geofence import (
    DEFAULT_VENUE_ZONES,
    CircleFence,
    GeofenceEngine,
    PolygonFence,
    Severity,
    Transition,
    ZoneRule,
    fence_from_geojson,
    fence_to_geojson,
    fences_to_geojson,
    venue_alert_zone,
    venue_alert_zones,
)

# A square of about 1.1 km × 0.85 km around 39.905 N, 116.405 E (Dongcheng).
SQUARE = PolygonFence("sq", ((39.90, 116.40), (39.90, 116.41), (39.91, 116.41), (39.91, 116.40)),
                      name="广场")
CIRCLE = CircleFence("c", 39.95, 116.45, 200.0, name="圆", severity=Severity.CRITICAL)


def test_polygon_contains_with_holes() -> None:
    hole = ((39.904, 116.404), (39.904, 116.406), (39.906, 116.406), (39.906, 116.404))
    fence = PolygonFence("h", SQUARE.ring, (hole,))
    assert fence.contains(39.902, 116.402)
    assert not fence.contains(39.905, 116.405)  # in the hole
    assert not fence.contains(39.92, 116.405)


def test_polygon_margin_measures_metres_to_the_boundary() -> None:
    # 50 m north of the north edge (1° lat ≈ 111.2 km)
    lat = 39.91 + 50 / 111_195
    assert not SQUARE.contains(lat, 116.405)
    assert SQUARE.contains(lat, 116.405, margin_m=60)
    assert not SQUARE.contains(lat, 116.405, margin_m=40)


def test_circle_contains() -> None:
    assert CIRCLE.contains(39.95, 116.45)
    assert CIRCLE.contains(39.95 + 190 / 111_195, 116.45)
    assert not CIRCLE.contains(39.95 + 210 / 111_195, 116.45)


@pytest.mark.parametrize("bad", [
    lambda: CircleFence("x", 39.9, 116.4, 0),
    lambda: CircleFence("x", 99.0, 116.4, 10),
    lambda: CircleFence("x", math.nan, 116.4, 10),
    lambda: PolygonFence("x", ((39.9, 116.4), (39.91, 116.4))),
])
def test_invalid_fences_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is checked elsewhere
        bad()  # type: ignore[operator]


def test_enter_then_leave_events() -> None:
    engine = GeofenceEngine([SQUARE, CIRCLE])
    assert engine.update("u1", 39.80, 116.30, 1.0) == []  # first fix, outside
    events = engine.update("u1", 39.905, 116.405, 2.0)
    assert [(e.transition, e.fence_id, e.unit_id, e.t) for e in events] == [
        (Transition.ENTER, "sq", "u1", 2.0)]
    assert events[0].fence_name == "广场"
    assert engine.inside("u1") == {"sq"}
    assert engine.units_inside("sq") == {"u1"}
    assert engine.update("u1", 39.906, 116.406, 3.0) == []  # still inside: no repeat
    events = engine.update("u1", 39.95, 116.45, 4.0)  # jumps from the square into the circle
    assert [(e.transition, e.fence_id) for e in events] == [
        (Transition.LEAVE, "sq"), (Transition.ENTER, "c")]
    assert events[1].severity is Severity.CRITICAL


def test_first_fix_inside_reports_only_when_asked() -> None:
    quiet = GeofenceEngine([SQUARE])
    assert quiet.update("u", 39.905, 116.405, 0) == []
    assert quiet.inside("u") == {"sq"}
    assert [e.transition for e in quiet.update("u", 39.8, 116.3, 1)] == [Transition.LEAVE]
    loud = GeofenceEngine([SQUARE], report_initial=True)
    assert [e.transition for e in loud.update("u", 39.905, 116.405, 0)] == [Transition.ENTER]


def test_hysteresis_stops_flapping_on_the_boundary() -> None:
    engine = GeofenceEngine([SQUARE], hysteresis_m=30)
    engine.update("u", 39.905, 116.405, 0)
    just_out = 39.91 + 10 / 111_195
    assert engine.update("u", just_out, 116.405, 1) == []
    assert engine.update("u", 39.9099, 116.405, 2) == []
    far_out = 39.91 + 40 / 111_195
    assert [e.transition for e in engine.update("u", far_out, 116.405, 3)] == [Transition.LEAVE]


def test_out_of_order_fixes_are_ignored() -> None:
    engine = GeofenceEngine([SQUARE])
    engine.update("u", 39.8, 116.3, 10)
    assert engine.update("u", 39.905, 116.405, 5) == []
    assert engine.inside("u") == frozenset()


def test_removing_a_fence_is_silent_and_forgets_membership() -> None:
    engine = GeofenceEngine([SQUARE])
    engine.update("u", 39.8, 116.3, 0)
    engine.update("u", 39.905, 116.405, 1)
    engine.remove_fence("sq")
    assert engine.inside("u") == frozenset()
    assert engine.update("u", 39.8, 116.3, 2) == []
    engine.set_fences([SQUARE])
    assert [e.transition for e in engine.update("u", 39.905, 116.405, 3)] == [Transition.ENTER]


def test_large_fences_are_found_without_the_grid() -> None:
    big = PolygonFence("big", ((39.0, 115.0), (39.0, 118.0), (41.5, 118.0), (41.5, 115.0)))
    engine = GeofenceEngine([big], cell_deg=0.001)
    engine.update("u", 38.0, 116.0, 0)
    assert [e.fence_id for e in engine.update("u", 40.0, 116.0, 1)] == ["big"]


def test_bad_fix_is_refused_and_not_applied() -> None:
    engine = GeofenceEngine([SQUARE])
    with pytest.raises(ValueError, match="finite"):
        engine.update("u", math.nan, 116.4, 0)
    assert engine.inside("u") == frozenset()


@settings(max_examples=200, deadline=None)
@given(st.floats(39.85, 39.96), st.floats(116.35, 116.46))
def test_engine_agrees_with_geometry_for_any_point(lat: float, lon: float) -> None:
    engine = GeofenceEngine([SQUARE, CIRCLE], cell_deg=0.003)
    engine.update("u", 0.0, 0.0, 0)
    entered = {e.fence_id for e in engine.update("u", lat, lon, 1)}
    expected = {f.id for f in (SQUARE, CIRCLE) if f.contains(lat, lon)}
    assert entered == expected


def test_venue_zone_radius_and_severity_follow_the_grade() -> None:
    zones = {g: venue_alert_zone("v1", 39.9, 116.4, g) for g in "ABCD"}
    radii = [zones[g].radius_m for g in "ABCD"]
    assert radii == sorted(radii) and len(set(radii)) == 4
    assert [zones[g].severity for g in "ABCD"] == [Severity.INFO, Severity.NOTICE,
                                                    Severity.WARNING, Severity.CRITICAL]
    assert zones["D"].id == "venue:v1"
    with pytest.raises(ValueError, match="grade"):
        venue_alert_zone("v1", 39.9, 116.4, "E")


def test_unit_entering_a_d_grade_venue_zone_raises_a_critical_event() -> None:
    zones = venue_alert_zones([("v1", 39.90, 116.40, "D", "某KTV"),
                               ("v2", 39.95, 116.45, "A", "某书店")])
    engine = GeofenceEngine(zones)
    engine.update("u", 39.8, 116.3, 0)
    d_radius = DEFAULT_VENUE_ZONES["D"].radius_m
    events = engine.update("u", 39.90 + (d_radius - 20) / 111_195, 116.40, 1)
    assert [(e.fence_id, e.severity, e.fence_name) for e in events] == [
        ("venue:v1", Severity.CRITICAL, "某KTV")]


def test_custom_policy_may_leave_out_a_grade() -> None:
    rules = {"D": ZoneRule(500.0, Severity.CRITICAL)}
    zones = venue_alert_zones([("a", 39.9, 116.4, "A", ""), ("d", 39.9, 116.4, "d", "")],
                              rules=rules)
    assert [(z.id, z.radius_m) for z in zones] == [("venue:d", 500.0)]


def test_geojson_round_trip_polygon_and_circle() -> None:
    for fence in (SQUARE, CIRCLE):
        feature = fence_to_geojson(fence)
        assert fence_from_geojson(json.dumps(feature)) == fence
    fc = fences_to_geojson([SQUARE, CIRCLE])
    assert [f["properties"]["shape"] for f in fc["features"]] == ["polygon", "circle"]
    ring = fc["features"][0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] == [116.40, 39.90]  # closed, [lon, lat]


def test_drawn_feature_from_the_map_becomes_a_fence() -> None:
    drawn = {"type": "Feature", "properties": {"shape": "circle", "radius_m": 150.5},
             "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}
    fence = fence_from_geojson(drawn, fence_id="new", name="临时围栏")
    assert isinstance(fence, CircleFence)
    assert (fence.lat, fence.lon, fence.radius_m, fence.name) == (39.9, 116.4, 150.5, "临时围栏")
    assert haversine_m(fence.lat, fence.lon, 39.9, 116.4) == 0


@pytest.mark.parametrize(("text", "reason"), [
    ("{", "GeoJSON"),
    ('{"type": "FeatureCollection"}', "Feature"),
    ('{"type":"Feature","id":"x","geometry":{"type":"LineString","coordinates":[]}}',
     "LineString"),
    ('{"type":"Feature","geometry":{"type":"Point","coordinates":[116,39]},'
     '"properties":{"radius_m":5}}', "id"),
    ('{"type":"Feature","id":"x","geometry":{"type":"Polygon","coordinates":[[[116]]]},'
     '"properties":{}}', "malformed"),
])
def test_bad_geojson_is_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        fence_from_geojson(text)

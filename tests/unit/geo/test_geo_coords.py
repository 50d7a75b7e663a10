"""WGS-84 ↔ GCJ-02 conversion against known points and its own inverse."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.geo.coords import (
    gcj02_offset,
    gcj02_to_wgs84,
    haversine_m,
    outside_china,
    wgs84_to_gcj02,
)

# (WGS-84 lat, lon) → (GCJ-02 lat, lon), computed with the independent CC0 implementation in
# the `prcoords` package (prcoords.wgs_gcj) — reference values, not output of this module.
KNOWN = [
    ((39.90874, 116.39745), (39.91014349005368, 116.40369356787176)),  # Tian'anmen
    ((39.9042, 116.4074), (39.90560334316507, 116.41364225378803)),
    ((40.0, 116.3), (40.00126418432181, 116.30608541864017)),
    ((39.5, 116.0), (39.501145923889126, 116.0060789339791)),
    ((40.45, 117.0), (40.45132058388128, 117.00629947637383)),
    ((31.2304, 121.4737), (31.22845773757727, 121.47822305927693)),  # Shanghai
    ((22.5431, 114.0579), (22.54038281422246, 114.06301399856547)),  # Shenzhen
    ((45.75, 126.65), (45.75196555514378, 126.65598759031859)),  # Harbin
]

china = st.tuples(st.floats(18.0, 53.0), st.floats(74.0, 134.0))


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_forward_matches_reference_points(wgs: tuple[float, float],
                                          gcj: tuple[float, float]) -> None:
    lat, lon = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9)
    assert lon == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), KNOWN)
def test_inverse_recovers_reference_points(wgs: tuple[float, float],
                                           gcj: tuple[float, float]) -> None:
    lat, lon = gcj02_to_wgs84(*gcj)
    assert haversine_m(lat, lon, *wgs) < 0.001  # 1 mm


def test_beijing_shift_is_a_few_hundred_metres_east_and_north() -> None:
    lat, lon = wgs84_to_gcj02(39.9042, 116.4074)
    assert lat > 39.9042 and lon > 116.4074
    assert 300 < haversine_m(39.9042, 116.4074, lat, lon) < 700


@pytest.mark.parametrize("point", [(51.5074, -0.1278), (35.68, 139.77), (-33.86, 151.2),
                                   (60.0, 100.0)])
def test_identity_outside_china(point: tuple[float, float]) -> None:
    assert outside_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point
    assert gcj02_offset(*point) == (0.0, 0.0)


@settings(max_examples=300, deadline=None)
@given(china)
def test_round_trip_is_exact_to_a_millimetre(p: tuple[float, float]) -> None:
    g = wgs84_to_gcj02(*p)
    back = gcj02_to_wgs84(*g)
    assert haversine_m(*back, *p) < 0.001


@settings(max_examples=300, deadline=None)
@given(china)
def test_offset_is_bounded(p: tuple[float, float]) -> None:
    g = wgs84_to_gcj02(*p)
    assert haversine_m(*p, *g) < 1000.0


def test_agrees_with_prcoords_where_installed() -> None:
    prcoords = pytest.importorskip("prcoords")
    for i in range(200):
        lat = 39.4 + (i * 0.0137) % 1.6
        lon = 115.4 + (i * 0.0311) % 2.1
        ref = prcoords.wgs_gcj((lat, lon))
        got = wgs84_to_gcj02(lat, lon)
        assert math.isclose(got[0], ref[0], abs_tol=1e-9)
        assert math.isclose(got[1], ref[1], abs_tol=1e-9)


def test_haversine_one_degree_of_latitude() -> None:
    assert haversine_m(39.0, 116.0, 40.0, 116.0) == pytest.approx(111_195, rel=1e-3)

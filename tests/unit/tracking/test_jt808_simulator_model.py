"""The simulator's identities and driving model (no sockets)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from app.tracking.jt808 import decode_frame, encode_frame
from app.tracking.jt808.simulator import (
    BEIJING_BOUNDS,
    BEIJING_PLACES,
    RouteDriver,
    parse_server,
    terminal_identities,
)


def test_identities_are_unique_and_a_quarter_use_2019() -> None:
    ids = terminal_identities(400)
    assert len({i.phone for i in ids}) == 400
    v2019 = [i for i in ids if i.version is not None]
    assert len(v2019) == 100
    assert all(len(i.phone) == 20 for i in v2019)
    assert all(len(i.phone) == 12 for i in ids if i.version is None)
    assert ids[0].phone == "013900000001"
    assert terminal_identities(3, first=4)[0].phone == "00000000013900000004"


def test_places_lie_in_central_beijing() -> None:
    south, west, north, east = BEIJING_BOUNDS
    assert all(south <= lat <= north and west <= lon <= east for _, lat, lon in BEIJING_PLACES)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_hours_of_driving_is_plausible(seed: int) -> None:
    driver = RouteDriver(random.Random(seed))
    south, west, north, east = BEIJING_BOUNDS
    start = (driver.lat, driver.lon)
    odometer = driver.odometer_km
    speeds: list[float] = []
    headings: set[int] = set()
    for _ in range(2 * 3600 // 5):
        driver.step(5.0)
        assert south <= driver.lat <= north
        assert west <= driver.lon <= east
        speeds.append(driver.speed_kmh)
        headings.add(round(driver.heading) // 45)
    moving = [s for s in speeds if s > 5]
    stopped_share = 1 - len(moving) / len(speeds)
    assert 0.05 < stopped_share < 0.8, stopped_share  # lights and parking happen
    assert 18 < sum(moving) / len(moving) < 65  # urban speeds
    assert max(speeds) <= 90
    assert len(headings) >= 3  # it turns
    assert driver.odometer_km - odometer > 10
    assert (driver.lat, driver.lon) != start


def test_location_fix_encodes_and_carries_items() -> None:
    driver = RouteDriver(random.Random(5))
    driver.step(120)
    when = datetime(2024, 5, 1, 3, 0, 0, 123456, tzinfo=UTC)
    loc = driver.location(when, alarm=1)
    decoded = decode_frame(encode_frame(loc, phone="1", serial=1, version=1)).location
    assert decoded == loc
    assert decoded.time == when - timedelta(microseconds=123456)
    assert decoded.sos
    assert decoded.mileage_km is not None
    assert decoded.satellites is not None


def test_parse_server() -> None:
    assert parse_server("127.0.0.1:6808") == ("127.0.0.1", 6808)
    assert parse_server("[::1]:7000") == ("::1", 7000)
    assert parse_server(("h", 1)) == ("h", 1)
    for bad in ("localhost", ":80", "host:port"):
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_server(bad)


# --------------------------------------------------------------------------- goto (issue 17/9)
def _north_of(driver: RouteDriver, metres: float) -> tuple[float, float]:
    return driver.lat + metres / 111_320.0, driver.lon + metres / 111_320.0 / 2


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_goto_drives_to_the_point_at_urban_speed_and_waits_there(seed: int) -> None:
    driver = RouteDriver(random.Random(seed))
    for _ in range(30):  # driving about freely first
        driver.step(5.0)
    lat, lon = _north_of(driver, 2_500)
    distance = driver.goto(lat, lon)
    assert 2_500 < distance < 2_900 and driver.mission == (lat, lon) and not driver.arrived
    seconds, left = 0.0, [distance]
    while not driver.arrived:
        driver.step(3.0)
        seconds += 3.0
        left.append(driver.distance_to(lat, lon))
        assert seconds < 3_600, "never arrived"
        assert driver.speed_kmh <= 75
    # the distance never grows on the way (the grid path runs straight at the point)
    assert all(b <= a + 1e-6 for a, b in itertools.pairwise(left))
    assert driver.distance_to(lat, lon) < 1.0
    # straight-line speed over the trip, red lights included: a plausible urban figure
    overall_kmh = distance / seconds * 3.6
    assert 8 < overall_kmh < 50, overall_kmh
    # it waits at the point, whatever the time
    for _ in range(200):
        driver.step(5.0)
        assert driver.distance_to(lat, lon) < 1.0 and driver.speed_kmh == 0.0
    driver.resume()
    assert driver.mission is None and not driver.arrived
    for _ in range(200):
        driver.step(5.0)
    assert driver.distance_to(lat, lon) > 50  # back to free driving


def test_goto_sets_off_within_seconds_and_long_trips_go_faster() -> None:
    driver = RouteDriver(random.Random(9), lights_every_s=0)
    driver.stop_left_s = 120.0  # parked
    lat, lon = _north_of(driver, 20_000)
    driver.goto(lat, lon)
    assert driver.cruise_kmh >= 50  # ring roads and expressways
    start = driver.distance_to(lat, lon)
    driver.step(15.0)
    assert driver.speed_kmh > 0 and driver.distance_to(lat, lon) < start


def test_goto_refuses_a_bad_point_and_carries_on() -> None:
    driver = RouteDriver(random.Random(4))
    before = (driver.mission, list(driver.waypoints))
    for lat, lon in ((float("nan"), 116.4), (91.0, 116.4), (39.9, float("inf")),
                     (31.23, 121.47)):  # Shanghai: more than 300 km
        with pytest.raises(ValueError, match=r"WGS-84|km away"):
            driver.goto(lat, lon)
    with pytest.raises(ValueError, match="km/h"):
        driver.goto(39.9, 116.4, 0.0)
    assert (driver.mission, driver.waypoints) == before

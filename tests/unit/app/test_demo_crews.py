"""The demo crews' decision: 在途 once the vehicle moves, 到场 only within 100 m (issue 17/9)."""

from __future__ import annotations

import datetime as dt

from app.demo.crews import CrewDrives, Drive

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
VENUE = (39.9300, 116.4600)
M_LAT = 1 / 111_320.0  # degrees of latitude per metre


class Sims:
    def __init__(self, vehicles_up: bool = True) -> None:
        self.vehicle: list[str] = []
        self.radio: list[str] = []
        self.vehicles_up = vehicles_up

    def send_vehicle(self, line: str) -> bool:
        if self.vehicles_up:
            self.vehicle.append(line)
        return self.vehicles_up

    def send_radio(self, line: str) -> bool:
        self.radio.append(line)
        return True


def south_of_venue(metres: float) -> tuple[float, float]:
    return VENUE[0] - metres * M_LAT, VENUE[1]


def drive(unit_id: int = 1, phone: str = "013900000001", issi: int | None = 2269001) -> Drive:
    return Drive(unit_id, f"朝阳{unit_id:02d}", 7, phone, issi, *VENUE, ordered_at=T0)


def test_on_scene_is_reported_only_when_a_reported_position_is_within_100_m() -> None:
    sims = Sims()
    crews = CrewDrives(sims.send_vehicle, sims.send_radio)
    assert crews.order(drive())
    assert sims.vehicle == ["goto 013900000001 39.930000 116.460000"]
    t = T0
    crews.position("013900000001", *south_of_venue(2_000), t)
    assert sims.radio == []  # ordered, not yet moving
    crews.position("013900000001", *south_of_venue(1_990), t + dt.timedelta(seconds=3))
    assert sims.radio == []  # 10 m: still getting in
    for k, metres in enumerate((1_900, 1_200, 400, 101)):
        crews.position("013900000001", *south_of_venue(metres), t + dt.timedelta(seconds=6 + k))
        assert sims.radio == ["status 2269001 0x8003"], metres  # 在途, never 到场 yet
    # the same terminal in its 20-digit form (2019 headers) is the same vehicle
    crews.position("00000000013900000001", *south_of_venue(95), t + dt.timedelta(seconds=20))
    assert sims.radio == ["status 2269001 0x8003", "status 2269001 0x8004"]
    crews.position("013900000001", *south_of_venue(10), t + dt.timedelta(seconds=23))
    assert len(sims.radio) == 2  # reported once
    crews.release(incident_id=7)
    assert sims.vehicle[-1] == "resume 013900000001" and crews.drives == []


def test_a_fix_from_before_the_order_and_other_vehicles_say_nothing() -> None:
    sims = Sims()
    crews = CrewDrives(sims.send_vehicle, sims.send_radio)
    crews.order(drive())
    # a blind-area upload of fixes taken before the order, right by the venue
    crews.position("013900000001", *south_of_venue(20), T0 - dt.timedelta(minutes=3))
    crews.position("013900000002", *south_of_venue(5), T0 + dt.timedelta(seconds=5))
    assert sims.radio == []


def test_a_crew_already_there_reports_en_route_then_on_scene_at_once() -> None:
    sims = Sims()
    crews = CrewDrives(sims.send_vehicle, sims.send_radio)
    crews.order(drive(issi=2269005))
    crews.position("013900000001", *south_of_venue(40), T0)
    assert sims.radio == ["status 2269005 0x8003", "status 2269005 0x8004"]


def test_release_by_unit_or_call_sign_and_a_reorder_replaces_the_drive() -> None:
    sims = Sims()
    crews = CrewDrives(sims.send_vehicle, sims.send_radio)
    crews.order(drive(1))
    crews.order(drive(2, phone="013900000002", issi=2269002))
    crews.order(drive(1))  # reassigned to another incident: one drive per unit
    assert sorted(d.unit_id for d in crews.drives) == [1, 2]
    crews.release(call_signs=["朝阳02"])
    assert sims.vehicle[-1] == "resume 013900000002"
    crews.release(unit_ids=[1])
    assert crews.drives == []
    crews.position("013900000001", *south_of_venue(5), T0)
    assert sims.radio == []  # released crews report nothing


def test_without_a_vehicle_simulator_or_a_radio_the_crew_reports_nothing() -> None:
    down = Sims(vehicles_up=False)
    crews = CrewDrives(down.send_vehicle, down.send_radio)
    assert not crews.order(drive())
    crews.position("013900000001", *south_of_venue(5), T0)
    assert down.radio == []
    sims = Sims()
    mute = CrewDrives(sims.send_vehicle, sims.send_radio)
    assert mute.order(drive(issi=None))
    mute.position("013900000001", *south_of_venue(5), T0)
    assert sims.radio == [] and mute.drives[0].on_scene

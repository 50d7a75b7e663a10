"""A district console (朝阳区, 110105) reads nothing of another district: units, officers,
vehicles, body cameras, venues, incidents, geofences, radio log, radio calls, live positions.

The city console still reads everything. Names are call signs, never database ids.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.media.directory import load_media_directory
from app.radio.service import CallActivity, RadioService
from app.radio.talkgroups import TalkgroupScope
from app.services.directory import load_incidents, load_radio_log, load_units
from app.services.geofences import GeofenceService
from app.services.incidents import Actor
from app.services.map_data import load_map_static
from app.services.positions import DeviceDirectory, Fix, LocatedFix, in_jurisdiction
from models import (
    BodyCamera,
    FixedClock,
    Geofence,
    Incident,
    Jurisdiction,
    Officer,
    RadioMessage,
    RadioTerminal,
    Unit,
    Vehicle,
    VehicleTerminal,
    scope,
)
from models.db import make_engine, make_session_factory
from models.enums import (
    PositionSource,
    RadioDirection,
    RadioMessageKind,
    RadioMessageState,
)
from radio_bridge import events as ev

CHAOYANG = Jurisdiction.parse("110105")
CITY = Jurisdiction()


@pytest.fixture
def factory(seeded_db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(seeded_db_url)
    yield make_session_factory(engine)
    engine.dispose()


def _unit_districts(s: Session) -> dict[int, str | None]:
    return dict(s.execute(select(Unit.id, Unit.district_adcode)).all())


def test_district_panels_list_only_their_district(factory: sessionmaker[Session]) -> None:
    with factory() as s:
        units = load_units(s, CHAOYANG)
        all_units = load_units(s, CITY)
        # "now" just after the demo world's last change: every incident is recent
        latest = max(s.scalars(select(Incident.updated_at)))
        clock = FixedClock(latest + dt.timedelta(hours=1))
        incidents = load_incidents(s, CHAOYANG, clock=clock)
        all_incidents = load_incidents(s, CITY, clock=clock)
        other_incidents = s.scalars(select(Incident).where(
            Incident.district_adcode != "110105")).all()
        own_count = len(s.scalars(select(Incident).where(
            Incident.district_adcode == "110105")).all())
    assert units and {u.district_adcode for u in units} == {"110105"}
    assert len(all_units) > len(units) and None in {u.district_adcode for u in all_units}
    assert {u.call_sign for u in units} == {u.call_sign for u in all_units
                                            if u.district_adcode == "110105"}
    assert own_count and len(incidents) == own_count
    assert {i.district_adcode for i in incidents} == {"110105"}
    assert other_incidents and not {i.id for i in other_incidents} & {i.id for i in incidents}
    assert {i.id for i in other_incidents} <= {i.id for i in all_incidents}


def test_device_tables_are_scoped_by_their_units_district(
        factory: sessionmaker[Session]) -> None:
    with factory() as s:
        districts = _unit_districts(s)
        own_units = {uid for uid, d in districts.items() if d == "110105"}
        vehicles = set(s.scalars(scope(select(Vehicle.id), Vehicle, CHAOYANG)))
        own_vehicles = set(s.scalars(select(Unit.vehicle_id).where(Unit.id.in_(own_units))))
        cameras = s.scalars(scope(select(BodyCamera), BodyCamera, CHAOYANG)).all()
        radios = s.scalars(scope(select(RadioTerminal), RadioTerminal, CHAOYANG)).all()
        officers = s.scalars(scope(select(Officer), Officer, CHAOYANG)).all()
        all_radios = s.scalars(select(RadioTerminal)).all()
    assert vehicles and vehicles == own_vehicles
    assert cameras and {c.unit_id for c in cameras} <= own_units
    assert radios and {r.unit_id for r in radios} <= own_units
    assert officers and {o.district_adcode for o in officers} == {"110105"}
    assert len(all_radios) > len(radios)


def test_map_layers_of_a_district_hold_only_its_venues_and_officers_by_name(
        factory: sessionmaker[Session]) -> None:
    with factory() as s:
        static = load_map_static(s, CHAOYANG)[0]
        city = load_map_static(s, CITY)[0]
        own_officers = set(s.scalars(select(Officer.id).where(
            Officer.district_adcode == "110105")))
        names = dict(s.execute(select(Officer.id, Officer.name)).all())
    assert static.venues and {v["district"] for v in static.venues} == {"朝阳区"}
    assert len(city.venues) > len(static.venues)
    assert set(static.officers) == own_officers
    assert len(city.officers) > len(static.officers)
    # the district outlines are all drawn (the console's own highlighted by the page)
    assert len(json.loads(static.districts_geojson)["features"]) == 16
    for officer_id, fields in static.officers.items():
        assert fields["label"] == f"{names[officer_id]} {fields['call_sign']}"
        assert fields["call_sign"].startswith("朝阳")


def test_live_positions_of_other_districts_are_filtered_before_the_map(
        factory: sessionmaker[Session]) -> None:
    directory = DeviceDirectory()
    with factory() as s:
        directory.load(s)
        phones = s.scalars(select(VehicleTerminal.phone)).all()
        issis = s.scalars(select(RadioTerminal.issi)).all()
        districts = _unit_districts(s)
        call_signs = dict(s.execute(select(Unit.id, Unit.call_sign)).all())
    at = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    fixes = [LocatedFix(f, directory.owner(f.source, f.device_id)) for f in
             [Fix(PositionSource.JT808, p, at, 39.9, 116.4) for p in phones]
             + [Fix(PositionSource.LIP, str(i), at, 39.9, 116.4) for i in issis]
             + [Fix(PositionSource.JT808, "019999999999", at, 39.9, 116.4)]]  # unregistered
    shown = in_jurisdiction(fixes, CHAOYANG)
    assert shown and len(shown) < len(fixes)
    assert {districts[f.owner.unit_id] for f in shown if f.owner.unit_id is not None} \
        == {"110105"}
    assert all(f.owner.district_adcode == "110105" for f in shown)
    assert "019999999999" not in {f.fix.device_id for f in shown}
    assert in_jurisdiction(fixes, CITY) == fixes
    for f in shown:  # named by call sign (units) or name and call sign (officers)
        assert f.owner.unit_id is not None
        if f.fix.source is PositionSource.JT808:
            assert f.owner.label == call_signs[f.owner.unit_id]
        else:
            assert f.owner.label.endswith(" " + call_signs[f.owner.unit_id])


def _own_and_other_radio(s: Session) -> tuple[int, int]:
    own = s.scalars(scope(select(RadioTerminal.issi), RadioTerminal, CHAOYANG)).first()
    other = s.scalars(scope(select(RadioTerminal.issi), RadioTerminal,
                            Jurisdiction.parse("110108"))).first()
    assert own is not None and other is not None
    return own, other


def test_radio_log_of_a_district_holds_only_its_radios_and_followed_groups(
        factory: sessionmaker[Session]) -> None:
    with factory() as s:
        own, other = _own_and_other_radio(s)

        def msg(direction: RadioDirection, text: str, *, source: int | None = None,
                dest: int | None = None, group: bool = False) -> RadioMessage:
            return RadioMessage(direction=direction, kind=RadioMessageKind.TEXT,
                                source_issi=source, dest_issi=dest, text=text, to_group=group,
                                state=RadioMessageState.RECEIVED
                                if direction is RadioDirection.INBOUND
                                else RadioMessageState.QUEUED)

        s.add_all([
            msg(RadioDirection.INBOUND, "own in", source=own, dest=1),
            msg(RadioDirection.INBOUND, "other in", source=other, dest=1),
            msg(RadioDirection.INBOUND, "unknown in", source=4_000_001, dest=1),
            msg(RadioDirection.OUTBOUND, "own out", dest=own),
            msg(RadioDirection.OUTBOUND, "other out", dest=other),
            msg(RadioDirection.OUTBOUND, "city group", dest=9001, group=True),
            msg(RadioDirection.OUTBOUND, "haidian group", dest=9108, group=True),
        ])
        s.commit()
        talkgroups = TalkgroupScope(CHAOYANG, {9105: "110105", 9108: "110108"})
        district = load_radio_log(s, jurisdiction=CHAOYANG, hidden_groups=talkgroups.hidden())
        city = load_radio_log(s)
    assert {r.content for r in district} == {"own in", "own out", "city group"}
    assert {r.content for r in city} >= {"own in", "other in", "unknown in", "own out",
                                         "other out", "city group", "haidian group"}
    peer = next(r.peer for r in district if r.content == "own in")
    assert peer.startswith("朝阳")  # call sign and name, not the bare ISSI


def test_geofences_of_a_district_are_its_own_and_city_wide(
        factory: sessionmaker[Session]) -> None:
    circle = json.dumps({"type": "Feature", "properties": {"radius_m": 200},
                         "geometry": {"type": "Point", "coordinates": [116.45, 39.92]}})
    with factory() as s:
        s.add_all([Geofence(name=name, feature_geojson=circle, district_adcode=adcode)
                   for name, adcode in (("朝阳围栏", "110105"), ("全市围栏", None),
                                        ("海淀围栏", "110108"))])
        s.commit()
    actor = Actor("t", "c")
    district = GeofenceService(factory, None, actor, jurisdiction=CHAOYANG)  # type: ignore[arg-type]
    city = GeofenceService(factory, None, actor)  # type: ignore[arg-type]
    district.load()
    city.load()

    def names(service: GeofenceService) -> set[str]:
        return {f["properties"]["name"] for f in service.geojson()["features"]}

    assert names(district) == {"朝阳围栏", "全市围栏"}
    assert names(city) == {"朝阳围栏", "全市围栏", "海淀围栏"}


def test_video_directory_of_a_district_holds_only_its_cameras(
        factory: sessionmaker[Session]) -> None:
    with factory() as s:
        own_units = {u for u, d in _unit_districts(s).items() if d == "110105"}
        district = load_media_directory(s, CHAOYANG)
        city = load_media_directory(s, CITY)
    assert district.cameras and {c.unit_id for c in district.cameras.values()} <= own_units
    assert len(city.cameras) > len(district.cameras)


# ---------------------------------------------------------------------------- radio calls
def _radio(factory: sessionmaker[Session], jurisdiction: Jurisdiction,
           calls: list[CallActivity]) -> RadioService:
    service = RadioService(
        "loop://", factory, None, None, Actor("t", "c"),  # type: ignore[arg-type]
        on_call=calls.append,
        talkgroups=TalkgroupScope(jurisdiction, {9105: "110105", 9108: "110108",
                                                 9117: "110117"},
                                  frozenset({9117})) if not jurisdiction.is_city else None)
    service.reload_parties()
    return service


def _call(service: RadioService, cc: int, group: int | None, caller: int) -> None:
    service._event(ev.CallStarted(cc_instance=cc, caller=caller,
                                  called=group if group is not None else 1,
                                  group=group is not None))
    service._event(ev.TxGranted(cc_instance=cc, grant=3, grant_text="", talking_party=caller))
    service._event(ev.TxCeased(cc_instance=cc))
    service._event(ev.CallEnded(cc_instance=cc, cause=0, cause_text=""))


def test_district_console_hears_no_call_of_another_district(
        factory: sessionmaker[Session]) -> None:
    with factory() as s:
        own, other = _own_and_other_radio(s)
    calls: list[CallActivity] = []
    service = _radio(factory, CHAOYANG, calls)
    _call(service, 1, 9108, other)   # another district's group: nothing at all
    _call(service, 2, None, other)   # another district's individual call: nothing
    assert calls == []
    _call(service, 3, 9105, own)     # own group, own talker: named
    talking = [c for c in calls if c.kind == "talking"]
    assert [c.talker for c in talking] == [service.describe(own)]
    assert talking[0].talker.startswith("朝阳") and not talking[0].outside
    assert [c.group for c in calls if c.kind == "started"] == [9105]
    calls.clear()
    _call(service, 4, 9001, other)   # city-wide group, outside talker: shown, not named
    talking = [c for c in calls if c.kind == "talking"]
    assert len(talking) == 1 and talking[0].outside
    assert talking[0].talker == "" and talking[0].talker_issi is None
    assert all(not c.talker and c.talker_issi is None for c in calls)
    calls.clear()
    _call(service, 5, 9117, other)   # patched in: followed, its talkers named
    assert [c.talker for c in calls if c.kind == "talking"] == [service.describe(other)]


def test_city_console_hears_every_call_and_district_groups_are_refused_elsewhere(
        factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture) -> None:
    with factory() as s:
        _own, other = _own_and_other_radio(s)
    calls: list[CallActivity] = []
    city = _radio(factory, CITY, calls)
    _call(city, 1, 9108, other)
    assert [c.talker for c in calls if c.kind == "talking"] == [city.describe(other)]
    district = _radio(factory, CHAOYANG, [])
    assert district.talkgroups.offered([(9001, "市级"), (9105, "朝阳"), (9108, "海淀"),
                                        (9117, "平谷")]) == [(9001, "市级"), (9105, "朝阳"),
                                                             (9117, "平谷")]


@pytest.mark.expect_log_errors
def test_selecting_another_districts_talkgroup_is_refused_and_logged(
        factory: sessionmaker[Session], caplog: pytest.LogCaptureFixture) -> None:
    district = _radio(factory, CHAOYANG, [])
    district.select_talkgroup(9108)  # no session needed: refused before the radio
    assert "another district" in caplog.text

from __future__ import annotations

import datetime as dt
import json
import threading

from sqlalchemy import select

from app.db_writer import DbWriter
from app.geo.geofence import Severity, Transition
from app.services.geofences import GeofenceAlarm, GeofenceService, GeofenceWorker
from app.services.incidents import Actor
from app.services.positions import Fix, LocatedFix, Owner
from app.services.tracks import load_tracks
from models import Geofence, Incident, PositionFix, Unit
from models.db import make_engine, make_session_factory
from models.enums import IncidentSource, PositionSource

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
SQUARE = json.dumps({"type": "Feature", "properties": {}, "geometry": {
    "type": "Polygon",
    "coordinates": [[[116.39, 39.90], [116.41, 39.90], [116.41, 39.92], [116.39, 39.92],
                     [116.39, 39.90]]]}})
CIRCLE = json.dumps({"type": "Feature", "properties": {"radius_m": 500}, "geometry": {
    "type": "Point", "coordinates": [116.30, 39.98]}})


def _fix(unit_id: int, lat: float, lon: float, k: int) -> LocatedFix:
    return LocatedFix(Fix(PositionSource.JT808, "013900000001", T0 + dt.timedelta(seconds=k),
                          lat, lon), Owner(unit_id, None))


def test_crossings_raise_alarms_and_critical_ones_open_an_incident(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    alarms: list[GeofenceAlarm] = []
    got_critical = threading.Event()

    def on_alarm(a: GeofenceAlarm) -> None:
        alarms.append(a)
        if a.incident_number:
            got_critical.set()

    shown: list[dict[str, object]] = []
    service = GeofenceService(factory, writer, Actor("t", "c"), on_alarm=on_alarm,
                              on_fences=shown.append)
    service.load()
    square = service.save(SQUARE, "天安门周边", Severity.WARNING, None)
    service.save(CIRCLE, "重点剧场", Severity.CRITICAL, "110108")
    assert len(service.geojson()["features"]) == 2 and len(shown[-1]["features"]) == 2
    with factory() as s:
        unit_id, call_sign = s.execute(select(Unit.id, Unit.call_sign).limit(1)).one()
    events = service.check([_fix(unit_id, 39.85, 116.40, 0)])  # first fix: outside, silent
    assert events == []
    events = service.check([_fix(unit_id, 39.91, 116.40, 1)])
    assert [(e.transition, e.fence_id) for e in events] == [(Transition.ENTER, str(square))]
    service.check([_fix(unit_id, 39.98, 116.30, 2)])  # leaves the square, enters the circle
    assert got_critical.wait(5)
    kinds = [(a.event.transition, a.event.fence_name) for a in alarms]
    assert (Transition.ENTER, "天安门周边") in kinds and (Transition.LEAVE, "天安门周边") in kinds
    assert alarms[-1].call_sign == call_sign
    writer.flush()
    with factory() as s:
        incident = s.scalars(select(Incident).where(Incident.source == IncidentSource.GEOFENCE)
                             ).one()
        assert "重点剧场" in incident.title and incident.number == alarms[-1].incident_number
    service.delete(square)
    assert [f["properties"]["name"] for f in service.geojson()["features"]] == ["重点剧场"]
    with factory() as s:
        assert s.get(Geofence, square).active is False  # type: ignore[union-attr]
    writer.stop()
    engine.dispose()


def test_tracks_for_replay_are_per_unit_in_time_order(seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    with factory() as s:
        unit_ids = list(s.scalars(select(Unit.id).limit(2)))
        for k in (3, 1, 2):
            for uid in unit_ids:
                s.add(PositionFix(source=PositionSource.JT808, device_id="x", unit_id=uid,
                                  ts=T0 + dt.timedelta(minutes=k), lat=39.9 + k / 100,
                                  lon=116.4))
        s.add(PositionFix(source=PositionSource.JT808, device_id="x", unit_id=unit_ids[0],
                          ts=T0 + dt.timedelta(hours=5), lat=40.5, lon=116.4))  # outside
        s.commit()
        tracks = load_tracks(s, unit_ids, T0, T0 + dt.timedelta(hours=1))
    engine.dispose()
    assert set(tracks) == {str(u) for u in unit_ids}
    first = tracks[str(unit_ids[0])]
    assert [round(p[1], 2) for p in first] == [39.91, 39.92, 39.93]
    assert first[0][0] == (T0 + dt.timedelta(minutes=1)).timestamp()


class _SlowChecks:
    """Stands in for GeofenceService: records what it checks, on which thread; can be held."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.checked: list[tuple[str, list[LocatedFix]]] = []

    def check(self, fixes: list[LocatedFix]) -> list[object]:
        self.entered.set()
        self.gate.wait(10)
        self.checked.append((threading.current_thread().name, fixes))
        return []


def _device_fix(device: int, k: int) -> LocatedFix:
    return LocatedFix(Fix(PositionSource.JT808, f"0139{device:08d}", T0 + dt.timedelta(seconds=k),
                          39.9, 116.4), Owner(device, None))


def test_checks_run_on_their_own_worker_and_a_flood_is_coalesced_per_device() -> None:
    service = _SlowChecks()
    worker = GeofenceWorker(service)  # type: ignore[arg-type]
    worker.start()
    worker.submit([_device_fix(1, 0)])
    assert service.entered.wait(5)  # the worker is busy with a slow check
    for k in range(1, 1001):  # a flood from 5 devices meanwhile: the caller never waits
        worker.submit([_device_fix(k % 5, k)])
    assert worker.waiting == 5  # bounded by the number of devices, not by the flood
    service.gate.set()
    assert worker.drain(10)
    worker.stop()
    assert {name for name, _ in service.checked} == {"geofences"}
    last = service.checked[-1][1]  # each device checked at its newest position
    assert sorted(f.fix.ts for f in last) == [T0 + dt.timedelta(seconds=k)
                                              for k in range(996, 1001)]
    assert worker.coalesced == 1000 - 5

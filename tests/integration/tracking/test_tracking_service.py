"""The console's JT/T 808 wiring: database registry, position ingest, SOS → incident."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.services.incidents import Actor
from app.services.positions import PositionIngest, load_directory
from app.tracking.jt808.client import BlockingTerminal
from app.tracking.jt808.messages import ALARM_SOS, Location, RegistrationResult
from app.tracking.service import SosNotice, TrackingService
from models import Incident, PositionFix, Unit, Vehicle, VehicleTerminal
from models.db import make_engine, make_session_factory
from models.enums import IncidentSource

pytestmark = pytest.mark.integration


@dataclass
class Rig:
    service: TrackingService
    ingest: PositionIngest
    factory: sessionmaker[Session]
    sos: list[SosNotice]
    sos_seen: threading.Event
    links: list[int]


@pytest.fixture
def rig(seeded_db_url: str) -> Iterator[Rig]:
    engine = make_engine(seeded_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    ingest = PositionIngest(writer, load_directory(factory), interval_s=0.1)
    ingest.start()
    sos: list[SosNotice] = []
    seen = threading.Event()
    links: list[int] = []

    def on_sos(n: SosNotice) -> None:
        sos.append(n)
        seen.set()

    service = TrackingService(factory, writer, ingest, Actor("test", "console-t"),
                              host="127.0.0.1", port=0, accept_unknown=False,
                              offline_after_s=60, on_sos=on_sos,
                              on_link=lambda n, _d: links.append(n))
    service.start()
    yield Rig(service, ingest, factory, sos, seen, links)
    service.stop()
    ingest.stop()
    writer.stop()
    engine.dispose()


def _known_terminal(factory: sessionmaker[Session]) -> tuple[str, int, str]:
    with factory() as s:
        phone, unit_id, call_sign = s.execute(
            select(VehicleTerminal.phone, Unit.id, Unit.call_sign)
            .join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id)
            .join(Unit, Unit.vehicle_id == Vehicle.id)
            .where(VehicleTerminal.protocol_version == "2013").limit(1)
        ).one()
    return phone, unit_id, call_sign


def _location(lat: float, alarm: int = 0) -> Location:
    return Location(latitude=lat, longitude=116.4,
                    time=dt.datetime.now(dt.UTC).replace(microsecond=0), speed_kmh=35.5,
                    heading_deg=90, alarm=alarm)


def test_known_terminal_registers_reports_and_moves_its_unit(rig: Rig) -> None:
    phone, unit_id, _ = _known_terminal(rig.factory)
    with BlockingTerminal("127.0.0.1", rig.service.port, phone) as terminal:
        code = terminal.login()
        assert code
        for k in range(5):
            assert terminal.report(_location(39.9 + k * 0.001)).result == 0
    rig.ingest.flush()
    with rig.factory() as s:
        stored = s.scalar(select(VehicleTerminal.auth_code)
                          .where(VehicleTerminal.phone == phone))
        fixes = s.scalars(select(PositionFix).where(PositionFix.device_id == phone)).all()
        unit = s.get(Unit, unit_id)
    assert stored == code  # the issued auth code is kept in the database
    assert len(fixes) == 5 and all(f.unit_id == unit_id for f in fixes)
    assert unit is not None and unit.last_lat == pytest.approx(39.904, abs=1e-6)
    assert max(rig.links) == 1  # the status bar counted it online
    assert rig.links[-1] == 0  # and offline once it hung up


def test_unknown_terminal_is_refused_and_stores_nothing(rig: Rig) -> None:
    with BlockingTerminal("127.0.0.1", rig.service.port, "013999999999") as terminal:
        reply = terminal.register()
        assert reply.result == RegistrationResult.TERMINAL_NOT_IN_DATABASE
        assert terminal.wait_closed()
    with rig.factory() as s:
        assert s.scalars(select(VehicleTerminal)
                         .where(VehicleTerminal.phone == "013999999999")).first() is None


def test_sos_creates_an_urgent_incident_and_a_notice_once(rig: Rig) -> None:
    phone, unit_id, call_sign = _known_terminal(rig.factory)
    with BlockingTerminal("127.0.0.1", rig.service.port, phone) as terminal:
        terminal.login()
        terminal.report(_location(39.91, alarm=ALARM_SOS))
        terminal.report(_location(39.91, alarm=ALARM_SOS))  # same episode: no second incident
        assert rig.sos_seen.wait(5)
    notice = rig.sos[0]
    assert (notice.unit_id, notice.call_sign) == (unit_id, call_sign)
    with rig.factory() as s:
        incidents = s.scalars(select(Incident)
                              .where(Incident.source == IncidentSource.VEHICLE_SOS)).all()
    assert len(incidents) == 1 and len(rig.sos) == 1
    assert incidents[0].number == notice.incident_number
    assert incidents[0].priority == 1 and call_sign in incidents[0].title

"""The demo's crew wiring follows the console: an assignment sends the unit's own vehicle to
the incident's venue, its radio reports 到场 from received positions, closing releases it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.bridge import UiBridge
from app.demo.crews import DemoCrews
from app.dispatch.lifecycle import AssignResult, IncidentChange, assign
from app.services.incidents import Actor
from app.services.positions import Fix, LocatedFix, Owner
from models import Incident, Jurisdiction, Unit, Vehicle, VehicleTerminal
from models.clock import FixedClock
from models.db import make_engine, make_session_factory
from models.enums import IncidentStatus, PositionSource, UnitStatus

pytestmark = pytest.mark.integration

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


class FakeDispatch(QObject):
    completed = Signal(str, object)


class Process:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def send(self, line: str) -> bool:
        self.lines.append(line)
        return True


def test_assignment_drives_the_units_vehicle_and_close_releases_it(
        qtbot: QtBot, seeded_db_url: str) -> None:
    engine = make_engine(seeded_db_url)
    sessions = make_session_factory(engine)
    with sessions() as session:
        incident = session.scalars(select(Incident).where(
            Incident.status == IncidentStatus.NEW, Incident.lat.is_not(None))).first()
        assert incident is not None
        unit = session.scalars(select(Unit).where(
            Unit.district_adcode == incident.district_adcode,
            Unit.status == UnitStatus.AVAILABLE)).first()
        assert unit is not None
        phone = session.scalar(select(VehicleTerminal.phone).join(
            Vehicle, Vehicle.id == VehicleTerminal.vehicle_id).where(Vehicle.id == unit.vehicle_id))
        result = assign(session, Actor("调度员", "c1"), Jurisdiction(), incident.id, unit.id)
        assert isinstance(result, AssignResult) and result.order.dest_issi is not None
        session.commit()
        assert phone is not None and incident.lat is not None and incident.lon is not None
        venue = (incident.lat, incident.lon)
    readers = ThreadPoolExecutor(1)
    core: Any = type("Core", (), {})()
    core.dispatch, core.bridge = FakeDispatch(), UiBridge()
    core.readers, core.sessions = readers, sessions
    vehicles, radio = Process(), Process()
    crews = DemoCrews(core, vehicles, radio, FixedClock(T0))
    crews.start()
    try:
        core.dispatch.completed.emit("assign", result)
        qtbot.waitUntil(lambda: bool(vehicles.lines), timeout=5000)
        assert vehicles.lines == [f"goto {phone} {venue[0]:.6f} {venue[1]:.6f}"]
        owner = Owner(unit.id, None, unit.district_adcode, unit.call_sign)

        def at(metres_south: float, seconds: float) -> LocatedFix:
            fix = Fix(PositionSource.JT808, phone, T0 + dt.timedelta(seconds=seconds),
                      venue[0] - metres_south / 111_320.0, venue[1])
            return LocatedFix(fix, owner)

        core.bridge.positions.emit([at(900, 1), at(600, 4)])
        assert radio.lines == [f"status {result.order.dest_issi} 0x8003"]  # under way
        radio_only = dataclasses.replace(at(30, 5).fix, source=PositionSource.LIP)
        core.bridge.positions.emit([LocatedFix(radio_only, owner)])  # an officer's radio
        core.bridge.positions.emit([at(150, 30)])
        assert len(radio.lines) == 1  # not there yet
        core.bridge.positions.emit([at(60, 40)])
        assert radio.lines[-1] == f"status {result.order.dest_issi} 0x8004"
        core.dispatch.completed.emit("close", IncidentChange(result.incident_id,
                                                             result.incident_number,
                                                             IncidentStatus.CLOSED))
        assert vehicles.lines[-1] == f"resume {phone}"
    finally:
        crews.stop()
        readers.shutdown()
        engine.dispose()

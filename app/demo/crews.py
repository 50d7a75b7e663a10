"""The demo's crews drive to their incident, and report 到场 only when they are there.

Demo wiring only: the console's core knows nothing of it. When this console assigns a unit,
the unit's vehicle in the JT/T 808 simulator is told to drive to the incident
(``goto PHONE LAT LON`` on the simulator's stdin); the simulator drives it there at urban
speed and reports its positions over JT/T 808 like any other. The crew's radio (in the radio
simulator, ``status ISSI VALUE``) reports 在途 (0x8003) once the reported positions show the
vehicle under way, and 到场 (0x8004) once a reported position is within ``arrive_m`` (100 m)
of the incident: decided from the positions the console actually received, never from a
timer. When the assignment ends (reassigned, cancelled, the incident closed, the unit made
available by hand) the vehicle drives freely again (``resume PHONE``).

:class:`CrewDrives` is the decision, without Qt or processes; :class:`DemoCrews` connects it
to the console (dispatch results and received positions) and to the simulator processes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from app.dispatch.lifecycle import AssignResult, IncidentChange, ReassignResult, StatusChange
from app.geo.coords import haversine_m
from app.services.positions import LocatedFix
from models import Incident, Unit, Vehicle, VehicleTerminal
from models.clock import Clock
from models.enums import PositionSource, UnitStatus

log = logging.getLogger("app.demo.crews")

#: Status values the crews send (the default status plan, radio_bridge.status).
EN_ROUTE = 0x8003
ON_SCENE = 0x8004

#: A vehicle this close to its incident is there (metres).
ARRIVE_M = 100.0
#: A vehicle this far from where it was told to go has set off (metres).
SET_OFF_M = 30.0
#: Fixes older than the order by more than this are from before it (seconds).
STALE_FIX_S = 5.0

_RELEASED = frozenset({UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY, UnitStatus.OUT_OF_SERVICE})


def _number(phone: str) -> str:
    """A terminal number without its padding zeros (12- and 20-digit headers alike)."""
    return phone.lstrip("0")


@dataclass(slots=True)
class Drive:
    """One crew on its way to (or at) its incident."""

    unit_id: int
    call_sign: str
    incident_id: int
    phone: str
    issi: int | None
    lat: float
    lon: float
    ordered_at: dt.datetime
    start: tuple[float, float] | None = None
    en_route: bool = False
    on_scene: bool = False
    #: distance of the latest fix from the incident (metres)
    left_m: float | None = None


class CrewDrives:
    """Which command goes to which simulator when, from orders and reported positions.

    Args:
        vehicles: Sends one command line to the vehicle simulator; False if it could not.
        radio: Sends one command line to the radio simulator; False if it could not.
        arrive_m: Distance from the incident at which the crew reports 到场.
        set_off_m: Distance from its first position at which the crew reports 在途.
    """

    def __init__(self, vehicles: Callable[[str], bool], radio: Callable[[str], bool], *,
                 arrive_m: float = ARRIVE_M, set_off_m: float = SET_OFF_M) -> None:
        self._vehicles = vehicles
        self._radio = radio
        self.arrive_m = arrive_m
        self.set_off_m = set_off_m
        self._drives: dict[int, Drive] = {}  # by unit id

    @property
    def drives(self) -> list[Drive]:
        """The crews on their way or on scene."""
        return list(self._drives.values())

    def order(self, drive: Drive) -> bool:
        """A unit was sent to an incident: its vehicle drives there. False if not sent."""
        self._drives.pop(drive.unit_id, None)
        if not self._vehicles(f"goto {drive.phone} {drive.lat:.6f} {drive.lon:.6f}"):
            log.warning("demo crew %s: the vehicle simulator did not take the order; the crew "
                        "reports nothing", drive.call_sign)
            return False
        if drive.issi is None:
            log.warning("demo crew %s has no radio: it drives but cannot report its status",
                        drive.call_sign)
        self._drives[drive.unit_id] = drive
        log.info("demo crew %s drives to incident %d", drive.call_sign, drive.incident_id,
                 extra={"event": "demo_crew_goto", "unit": drive.call_sign})
        return True

    def position(self, phone: str, lat: float, lon: float, ts: dt.datetime) -> None:
        """A position the console received from a vehicle (JT/T 808)."""
        number = _number(phone)
        drive = next((d for d in self._drives.values() if _number(d.phone) == number), None)
        if drive is None or drive.on_scene:
            return
        if (drive.ordered_at - ts).total_seconds() > STALE_FIX_S:
            return  # reported before the order (a late blind-area upload): says nothing
        drive.left_m = haversine_m(lat, lon, drive.lat, drive.lon)
        if drive.start is None:
            drive.start = (lat, lon)
        arrived = drive.left_m <= self.arrive_m
        if not drive.en_route and (
                arrived or haversine_m(lat, lon, *drive.start) >= self.set_off_m):
            drive.en_route = True
            self._status(drive, EN_ROUTE, "在途")
        if arrived:
            drive.on_scene = True
            self._status(drive, ON_SCENE, "到场")

    def release(self, *, unit_ids: Iterable[int] = (), call_signs: Iterable[str] = (),
                incident_id: int | None = None) -> None:
        """These crews' assignments ended: their vehicles drive freely again."""
        ids, signs = set(unit_ids), set(call_signs)
        for drive in list(self._drives.values()):
            if drive.unit_id in ids or drive.call_sign in signs \
                    or drive.incident_id == incident_id:
                del self._drives[drive.unit_id]
                self._vehicles(f"resume {drive.phone}")
                log.info("demo crew %s released", drive.call_sign)

    def _status(self, drive: Drive, value: int, name: str) -> None:
        if drive.issi is None:
            return
        sent = self._radio(f"status {drive.issi} 0x{value:04X}")
        log.info("demo crew %s reports %s (%.0f m from the incident)%s", drive.call_sign, name,
                 drive.left_m or 0.0, "" if sent else ": the radio simulator did not take it",
                 extra={"event": "demo_crew_status", "unit": drive.call_sign,
                        "status": f"0x{value:04X}"})


# --------------------------------------------------------------------------- console wiring
@dataclass(frozen=True, slots=True)
class _OrderFacts:
    phone: str | None
    lat: float | None
    lon: float | None


def _order_facts(session: Any, unit_id: int, incident_id: int) -> _OrderFacts:
    from sqlalchemy import select

    phone = session.scalar(
        select(VehicleTerminal.phone).join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id)
        .join(Unit, Unit.vehicle_id == Vehicle.id).where(Unit.id == unit_id).limit(1))
    incident = session.get(Incident, incident_id)
    if incident is None:
        return _OrderFacts(phone, None, None)
    return _OrderFacts(phone, incident.lat, incident.lon)


class DemoCrews:
    """Connects :class:`CrewDrives` to a running demo console and its simulator processes.

    Create and use it on the UI thread, after the console's dispatch part has started.

    Args:
        core: The :class:`~app.core.ConsoleCore` (its dispatch service, bridge, readers).
        vehicles: The vehicle simulator process (started with ``--commands``).
        radio: The radio simulator process (None: crews drive but report nothing).
        clock: The console's clock (when an order was given).
    """

    def __init__(self, core: Any, vehicles: Any, radio: Any | None, clock: Clock) -> None:
        self._core = core
        self._clock = clock
        self.drives = CrewDrives(vehicles.send,
                                 radio.send if radio is not None else (lambda _line: False))
        self._connected = False

    def start(self) -> None:
        """Follow the console's assignments and received positions."""
        dispatch = self._core.dispatch
        if dispatch is None:
            log.warning("no dispatch service: the demo crews do not drive")
            return
        dispatch.completed.connect(self._completed)
        self._core.bridge.positions.connect(self._positions)
        self._connected = True

    def stop(self) -> None:
        """Stop following (the simulators are stopped by their own parts)."""
        if not self._connected:
            return
        self._connected = False
        dispatch = self._core.dispatch
        if dispatch is not None:
            dispatch.completed.disconnect(self._completed)
        self._core.bridge.positions.disconnect(self._positions)

    # ------------------------------------------------------------------ console events
    def _completed(self, action: str, result: object) -> None:  # UI thread
        try:
            if isinstance(result, AssignResult):
                self._assigned(result)
            elif isinstance(result, ReassignResult):
                self.drives.release(call_signs=[result.recall.call_sign])
                self._assigned(result.assigned)
            elif isinstance(result, IncidentChange):
                self.drives.release(call_signs=[r.call_sign for r in result.recalls],
                                    incident_id=result.incident_id
                                    if action in ("close", "cancel_incident") else None)
            elif isinstance(result, StatusChange) and result.to_status in _RELEASED:
                self.drives.release(unit_ids=[result.unit_id])
        except Exception:  # the demo's crews must never disturb the console
            log.exception("demo crews: %s not followed", action)

    def _assigned(self, result: AssignResult) -> None:
        readers, sessions = self._core.readers, self._core.sessions
        if readers is None or sessions is None:
            return
        ordered_at = self._clock.now()

        def read() -> _OrderFacts:
            with sessions() as session:
                return _order_facts(session, result.unit_id, result.incident_id)

        def done(future: Future[_OrderFacts]) -> None:  # a reader thread
            self._core.bridge.call_soon(lambda: self._drive(result, future, ordered_at))

        readers.submit(read).add_done_callback(done)

    def _drive(self, result: AssignResult, future: Future[_OrderFacts],
               ordered_at: dt.datetime) -> None:  # UI thread
        try:
            facts = future.result()
        except Exception:
            log.exception("demo crew %s: order not followed", result.call_sign)
            return
        if facts.phone is None:
            log.warning("demo crew %s has no vehicle terminal: it does not drive",
                        result.call_sign)
            return
        if facts.lat is None or facts.lon is None:
            log.warning("incident %s has no position: demo crew %s does not drive",
                        result.incident_number, result.call_sign)
            return
        self.drives.order(Drive(result.unit_id, result.call_sign, result.incident_id,
                                facts.phone, result.order.dest_issi, facts.lat, facts.lon,
                                ordered_at))

    def _positions(self, fixes: list[LocatedFix]) -> None:  # UI thread
        if not self.drives.drives:
            return
        for item in fixes:
            fix = item.fix
            if fix.source is PositionSource.JT808:
                self.drives.position(fix.device_id, fix.lat, fix.lon, fix.ts)

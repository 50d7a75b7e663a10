"""Vehicle positioning in the console: the JT/T 808 server wired to the database and the UI.

* :class:`DbTerminalRegistry` keeps terminals and their auth codes in ``vehicle_terminal``
  (queries run in a worker thread, writes go through the single writer).
* Positions go to :class:`~app.services.positions.PositionIngest` (batched storage, map feed).
* Vehicle events: online counts go to the status bar; an SOS raises a console alarm that must
  be acknowledged and creates an incident for the vehicle's unit.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.services.incidents import Actor, create_incident
from app.services.positions import Fix, PositionIngest
from app.tracking.jt808.interfaces import (
    ConnectionInfo,
    PositionReport,
    RegistrationRefused,
    TerminalRecord,
)
from app.tracking.jt808.messages import Registration, RegistrationResult
from app.tracking.jt808.server import Jt808Server, ServerEvents, ServerSettings, ServerThread
from app.tracking.jt808.state import VehicleEvent, VehicleEventKind, VehicleStateTracker
from models import Unit, Vehicle, VehicleTerminal
from models.base import utcnow
from models.enums import IncidentCategory, IncidentPriority, IncidentSource, PositionSource

log = logging.getLogger("app.tracking.service")


class DbTerminalRegistry:
    """Terminals and auth codes in the database (JT/T 808 ``TerminalRegistry``)."""

    def __init__(self, factory: sessionmaker[Session], writer: DbWriter, *,
                 accept_unknown: bool) -> None:
        self._factory = factory
        self._writer = writer
        self._accept_unknown = accept_unknown

    async def lookup(self, phone: str) -> TerminalRecord | None:
        """The terminal's record (auth code "" before its first registration), or None."""
        found, code = await asyncio.to_thread(self._auth_code, phone)
        return TerminalRecord(phone, code or "") if found else None

    def _auth_code(self, phone: str) -> tuple[bool, str | None]:
        with self._factory() as session:
            row = session.execute(
                select(VehicleTerminal.auth_code).where(VehicleTerminal.phone == phone)
            ).first()
        return (row is not None, row[0] if row is not None else None)

    async def register(self, phone: str, registration: Registration) -> TerminalRecord:
        """Issue a fresh auth code (unknown terminals only when the settings allow it)."""
        code = secrets.token_hex(8)
        version = "2019" if len(phone) == 20 else "2013"

        def store(session: Session) -> bool:
            terminal = session.scalars(
                select(VehicleTerminal).where(VehicleTerminal.phone == phone)
            ).one_or_none()
            if terminal is None:
                if not self._accept_unknown:
                    return False
                terminal = VehicleTerminal(phone=phone)
                session.add(terminal)
            terminal.auth_code = code
            terminal.protocol_version = version
            terminal.registered_at = utcnow()
            return True

        known = await asyncio.wrap_future(self._writer.submit(store, label="jt808 register"))
        if not known:
            raise RegistrationRefused(int(RegistrationResult.TERMINAL_NOT_IN_DATABASE),
                                      f"terminal {phone} is not in the database")
        log.info("terminal %s registered (%s, plate %s)", phone, version,
                 registration.plate or "-", extra={"event": "jt808_registered", "phone": phone})
        return TerminalRecord(phone, code)


class IngestSink:
    """JT/T 808 ``PositionSink`` that hands positions to the console's position ingest."""

    def __init__(self, ingest: PositionIngest) -> None:
        self._ingest = ingest

    def submit(self, reports: Sequence[PositionReport]) -> bool | Future[bool]:
        """Accept positions (never blocks); False while the ingest's backlog is full.

        Otherwise a future that turns True once the reports' batch has committed: only then
        does the server acknowledge them to the terminal.
        """
        ticket = self._ingest.submit_durable([
            Fix(
                source=PositionSource.JT808, device_id=r.phone, ts=r.location.time,
                lat=r.location.latitude, lon=r.location.longitude,
                speed_kmh=r.location.speed_kmh, heading_deg=float(r.location.heading_deg),
                altitude_m=float(r.location.altitude_m), alarm_bits=r.location.alarm,
                status_bits=r.location.status,
            )
            for r in reports
        ])
        return False if ticket is None else ticket


@dataclass(frozen=True, slots=True)
class SosNotice:
    """An SOS the dispatcher must acknowledge."""

    alarm_id: int
    phone: str
    unit_id: int | None
    call_sign: str
    incident_number: str
    lat: float
    lon: float


class TrackingService:
    """Runs the JT/T 808 server on its own loop thread and reports to the console.

    Callbacks (all called from the server's loop thread; the composition root turns them into
    queued Qt signals):
        on_link(online_count, detail): terminals online changed.
        on_sos(SosNotice): a new SOS episode; its incident is already created.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        writer: DbWriter,
        ingest: PositionIngest,
        actor: Actor,
        *,
        host: str,
        port: int,
        accept_unknown: bool,
        offline_after_s: float,
        on_link: Callable[[int, str], None] | None = None,
        on_sos: Callable[[SosNotice], None] | None = None,
    ) -> None:
        self._factory = factory
        self._writer = writer
        self._actor = actor
        self._on_link = on_link
        self._on_sos = on_sos
        self._online: set[str] = set()
        self._lock = threading.Lock()
        self.tracker = VehicleStateTracker(offline_after_s=offline_after_s)
        self.server = Jt808Server(
            host, port, DbTerminalRegistry(factory, writer, accept_unknown=accept_unknown),
            IngestSink(ingest),
            settings=ServerSettings(accept_unknown_terminals=accept_unknown),
            events=ServerEvents(on_vehicle_event=self._vehicle_event,
                                on_authenticated=self._authenticated,
                                on_rejected=self._rejected),
            tracker=self.tracker,
        )
        self._thread = ServerThread(self.server)
        self.port = 0

    def start(self) -> None:
        """Listen; the bound port is in :attr:`port`."""
        self.port = self._thread.start()
        log.info("JT/T 808 server listening on port %d", self.port,
                 extra={"event": "jt808_listening", "port": self.port})
        self._report_link()

    def stop(self) -> None:
        """Close every connection and stop the loop thread."""
        self._thread.stop()

    def acknowledge_sos(self, alarm_id: int, operator: str) -> None:
        """Record that the dispatcher acknowledged an SOS (from any thread)."""
        self._thread.call(self.server.acknowledge_sos, alarm_id, operator)

    # ------------------------------------------------------------------ events (loop thread)
    def _authenticated(self, phone: str, _info: ConnectionInfo) -> None:
        with self._lock:
            self._online.add(phone)
        self._report_link()

    def _rejected(self, phone: str, reason: str, info: ConnectionInfo) -> None:
        log.warning("JT/T 808 terminal %s from %s refused: %s", phone, info.peer, reason)

    def _vehicle_event(self, event: VehicleEvent) -> None:
        if event.kind is VehicleEventKind.OFFLINE:
            with self._lock:
                self._online.discard(event.phone)
            self._report_link()
        elif event.kind is VehicleEventKind.ONLINE:
            with self._lock:
                self._online.add(event.phone)
            self._report_link()
        elif event.kind is VehicleEventKind.SOS_RAISED:
            self._raise_sos(event)

    def _report_link(self) -> None:
        if self._on_link is not None:
            with self._lock:
                count = len(self._online)
            self._on_link(count, f"port {self.port}")

    def _raise_sos(self, event: VehicleEvent) -> None:
        sos = event.sos
        location = event.state.location
        lat = location.latitude if location else 0.0
        lon = location.longitude if location else 0.0
        alarm_id = sos.alarm_id if sos is not None else 0
        log.warning("SOS from vehicle terminal %s at %.5f,%.5f", event.phone, lat, lon,
                    extra={"event": "vehicle_sos", "phone": event.phone})

        def create(session: Session) -> SosNotice:
            row = session.execute(
                select(Unit.id, Unit.call_sign, Unit.district_adcode, Vehicle.plate)
                .select_from(VehicleTerminal)
                .join(Vehicle, Vehicle.id == VehicleTerminal.vehicle_id, isouter=True)
                .join(Unit, Unit.vehicle_id == Vehicle.id, isouter=True)
                .where(VehicleTerminal.phone == event.phone)
            ).first()
            unit_id, call_sign, district, plate = row if row is not None else (None, "", None, "")
            incident = create_incident(
                session, self._actor, source=IncidentSource.VEHICLE_SOS,
                category=IncidentCategory.VEHICLE_ALARM, priority=IncidentPriority.URGENT,
                title=f"车辆紧急报警 {call_sign or event.phone} {plate or ''}".strip(),
                description=f"车载终端 {event.phone} 触发紧急报警（SOS）。",
                district_adcode=district, lat=lat, lon=lon,
            )
            return SosNotice(alarm_id, event.phone, unit_id, call_sign or "", incident.number,
                             lat, lon)

        future = self._writer.submit(create, label="vehicle sos")
        if self._on_sos is not None:
            callback = self._on_sos
            future.add_done_callback(
                lambda f: callback(f.result()) if f.exception() is None else None
            )

"""Geofences: stored in the database, checked against every stored position, alarms on crossing.

The engine runs on its own worker (:class:`GeofenceWorker`, fed after each stored batch),
never on the UI thread and never on the database writer's or the position ingest's thread, so
a slow check cannot hold back storage. A crossing of a fence of severity WARNING or above
raises an alarm; CRITICAL also opens an incident. Fences are saved and deleted through the
single writer.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.geo.geofence import (
    Fence,
    GeofenceEngine,
    GeofenceEvent,
    Severity,
    Transition,
    fence_from_geojson,
    fences_to_geojson,
)
from app.services.incidents import Actor, create_incident, record_audit
from app.services.positions import LocatedFix
from models import Geofence, Jurisdiction, Unit, scope
from models.enums import IncidentCategory, IncidentPriority, IncidentSource

log = logging.getLogger("app.services.geofences")


@dataclass(frozen=True, slots=True)
class GeofenceAlarm:
    """A crossing the dispatcher should see."""

    event: GeofenceEvent
    unit_id: int
    call_sign: str
    incident_number: str


class GeofenceService:
    """Keeps the fences, checks units' positions against them, reports crossings.

    Args:
        on_alarm: called (the checking thread) for crossings of WARNING or CRITICAL fences.
        on_fences: called (any thread) with the FeatureCollection whenever fences change.
        jurisdiction: a district console keeps (shows, checks) its district's fences and the
            city-wide ones only; default the city, every fence.
    """

    def __init__(self, factory: sessionmaker[Session], writer: DbWriter, actor: Actor, *,
                 on_alarm: Callable[[GeofenceAlarm], None] | None = None,
                 on_fences: Callable[[dict[str, Any]], None] | None = None,
                 jurisdiction: Jurisdiction | None = None) -> None:
        self._factory = factory
        #: fences of this district and the city-wide ones (models.jurisdiction.scope)
        self._jurisdiction = jurisdiction or Jurisdiction()
        self._writer = writer
        self._actor = actor
        self._on_alarm = on_alarm
        self._on_fences = on_fences
        self._lock = threading.Lock()
        self._engine = GeofenceEngine(hysteresis_m=15.0)
        self._call_signs: dict[int, str] = {}

    def load(self) -> None:
        """Read the active fences (startup, and after a change)."""
        fences: list[Fence] = []
        with self._factory() as session:
            rows = session.execute(
                scope(select(Geofence.id, Geofence.name, Geofence.feature_geojson,
                             Geofence.severity), Geofence, self._jurisdiction)
                .where(Geofence.active.is_(True))
            ).all()
            self._call_signs = dict(session.execute(select(Unit.id, Unit.call_sign)).all())
        for fid, name, feature, severity in rows:
            try:
                fences.append(fence_from_geojson(feature, fence_id=str(fid), name=name,
                                                 severity=Severity(severity)))
            except ValueError as exc:
                log.error("geofence %s (%s) is unusable and skipped: %s", fid, name, exc)
        with self._lock:
            self._engine.set_fences(fences)
        if self._on_fences is not None:
            self._on_fences(fences_to_geojson(fences))

    def geojson(self) -> dict[str, Any]:
        """The active fences as a FeatureCollection."""
        with self._lock:
            return fences_to_geojson(self._engine.fences.values())

    # ------------------------------------------------------------------ editing
    def save(self, feature_geojson: str, name: str, severity: Severity,
             district_adcode: str | None) -> int:
        """Validate and store a drawn fence (blocks on the writer: call off the UI thread)."""
        fence_from_geojson(feature_geojson, fence_id="new", name=name, severity=severity)

        def job(session: Session) -> int:
            row = Geofence(name=name, feature_geojson=feature_geojson, severity=int(severity),
                           district_adcode=district_adcode, created_by=self._actor.name)
            session.add(row)
            session.flush()
            record_audit(session, self._actor, "geofence.create", "geofence", str(row.id),
                         name=name, severity=int(severity))
            return row.id

        fence_id = self._writer.submit(job, label="geofence save").result(15)
        self.load()
        return fence_id

    def delete(self, fence_id: int) -> None:
        """Deactivate a fence (kept for the record)."""

        def job(session: Session) -> None:
            row = session.get(Geofence, fence_id)
            if row is not None:
                row.active = False
                record_audit(session, self._actor, "geofence.delete", "geofence",
                             str(fence_id), name=row.name)

        self._writer.submit(job, label="geofence delete").result(15)
        self.load()

    # ------------------------------------------------------------------ checking
    def check(self, fixes: list[LocatedFix]) -> list[GeofenceEvent]:
        """Feed stored fixes of units; returns and reports the crossings."""
        rows = [(str(f.owner.unit_id), f.fix.lat, f.fix.lon, f.fix.ts.timestamp())
                for f in fixes if f.owner.unit_id is not None]
        if not rows:
            return []
        with self._lock:
            events = self._engine.update_many(rows)
        for event in events:
            self._report(event)
        return events

    def _report(self, event: GeofenceEvent) -> None:
        unit_id = int(event.unit_id)
        call_sign = self._call_signs.get(unit_id, event.unit_id)
        verb = "进入" if event.transition is Transition.ENTER else "离开"
        log.info("unit %s %s geofence %s", call_sign, event.transition.value, event.fence_name,
                 extra={"event": "geofence", "fence": event.fence_id, "unit": unit_id})
        if event.severity < Severity.WARNING or self._on_alarm is None:
            return
        callback = self._on_alarm
        if event.severity < Severity.CRITICAL:
            callback(GeofenceAlarm(event, unit_id, call_sign, ""))
            return

        def job(session: Session) -> str:
            unit = session.get(Unit, unit_id)
            incident = create_incident(
                session, self._actor, source=IncidentSource.GEOFENCE,
                category=IncidentCategory.GEOFENCE_ALARM, priority=IncidentPriority.HIGH,
                title=f"{call_sign} {verb}电子围栏「{event.fence_name}」",
                description=json.dumps({"fence": event.fence_id, "t": event.t},
                                       ensure_ascii=False),
                district_adcode=unit.district_adcode if unit is not None else None,
                lat=event.lat, lon=event.lon,
            )
            return incident.number

        future = self._writer.submit(job, label="geofence incident")
        future.add_done_callback(lambda f: callback(GeofenceAlarm(
            event, unit_id, call_sign, f.result() if f.exception() is None else "")))


class GeofenceWorker:
    """Runs :meth:`GeofenceService.check` on its own thread, fed stored fixes from any thread.

    :meth:`submit` never blocks. Memory stays bounded whatever the rate: fixes waiting to be
    checked are kept as the newest per device, so a device reporting faster than the checks
    run is checked at its latest position (the superseded fixes are counted in
    :attr:`coalesced`; a fence crossed and left again between two checks is then not seen).
    """

    def __init__(self, service: GeofenceService, *, name: str = "geofences") -> None:
        self._service = service
        self._name = name
        self._cond = threading.Condition()
        self._pending: dict[tuple[str, str], LocatedFix] = {}
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._busy = False
        self.checked = 0
        self.coalesced = 0

    def start(self) -> None:
        """Start the checking thread."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Check what is waiting, then stop."""
        with self._cond:
            thread, self._stopping = self._thread, True
            self._cond.notify_all()
        if thread is not None:
            thread.join(timeout)
            with self._cond:
                self._thread = None

    def submit(self, fixes: list[LocatedFix]) -> None:
        """Queue stored fixes for checking (any thread, never blocks)."""
        with self._cond:
            for item in fixes:
                key = (item.fix.source.value, item.fix.device_id)
                old = self._pending.get(key)
                if old is not None:
                    self.coalesced += 1
                    if old.fix.ts > item.fix.ts:
                        continue
                self._pending[key] = item
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        """Fixes waiting to be checked (at most one per device)."""
        with self._cond:
            return len(self._pending)

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted fix is checked (tests); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if not self._pending and self._stopping:
                    return
                batch = sorted(self._pending.values(), key=lambda f: f.fix.ts)
                self._pending = {}
                self._busy = True
            try:
                self._service.check(batch)
            except Exception:
                log.exception("geofence check of %d fixes failed", len(batch))
            finally:
                with self._cond:
                    self.checked += len(batch)
                    self._busy = False
                    self._cond.notify_all()

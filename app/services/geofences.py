"""Geofences: stored in the database, checked against every stored position, alarms on crossing.

The engine runs on the position ingest's thread (after each stored batch), never on the UI
thread. A crossing of a fence of severity WARNING or above raises an alarm; CRITICAL also opens
an incident. Fences are saved and deleted through the single writer.
"""

from __future__ import annotations

import json
import logging
import threading
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
from models import Geofence, Unit
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
        on_alarm: called (ingest thread) for crossings of WARNING or CRITICAL fences.
        on_fences: called (any thread) with the FeatureCollection whenever fences change.
    """

    def __init__(self, factory: sessionmaker[Session], writer: DbWriter, actor: Actor, *,
                 on_alarm: Callable[[GeofenceAlarm], None] | None = None,
                 on_fences: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._factory = factory
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
                select(Geofence.id, Geofence.name, Geofence.feature_geojson, Geofence.severity)
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

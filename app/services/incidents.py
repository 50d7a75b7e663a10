"""Writing incidents: numbering, the timeline and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import AuditEvent, Incident, IncidentEvent, Venue
from models.base import utcnow
from models.enums import IncidentCategory, IncidentPriority, IncidentSource, IncidentStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, from which console (recorded in the audit log)."""

    name: str
    console_id: str


def record_audit(
    session: Session, actor: Actor, action: str, target_kind: str = "", target_id: str = "",
    **detail: Any,
) -> AuditEvent:
    """Append one audit event in the caller's transaction."""
    event = AuditEvent(
        actor=actor.name, console_id=actor.console_id, action=action, target_kind=target_kind,
        target_id=target_id, detail=json.dumps(detail, ensure_ascii=False, default=str),
    )
    session.add(event)
    return event


def next_incident_number(session: Session, when: dt.datetime) -> str:
    """``YYYYMMDD-NNNN`` numbered per local (Beijing) day."""
    prefix = when.astimezone(SHANGHAI).strftime("%Y%m%d")
    count = session.scalar(
        select(func.count()).select_from(Incident).where(Incident.number.like(f"{prefix}-%"))
    ) or 0
    return f"{prefix}-{count + 1:04d}"


def create_incident(
    session: Session,
    actor: Actor,
    *,
    source: IncidentSource,
    category: IncidentCategory,
    title: str,
    priority: IncidentPriority = IncidentPriority.NORMAL,
    description: str = "",
    venue: Venue | None = None,
    district_adcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    address: str = "",
    caller_name: str = "",
    caller_phone: str = "",
    reported_at: dt.datetime | None = None,
) -> Incident:
    """Create an incident with its first timeline entry and an audit event.

    The venue, when given, supplies district, location and address unless they are given.
    """
    when = reported_at or utcnow()
    if venue is not None:
        district_adcode = district_adcode or venue.district_adcode
        lat = venue.lat if lat is None else lat
        lon = venue.lon if lon is None else lon
        address = address or venue.address
    incident = Incident(
        number=next_incident_number(session, when),
        source=source,
        category=category,
        priority=int(priority),
        status=IncidentStatus.NEW,
        title=title,
        description=description,
        venue_id=venue.id if venue is not None else None,
        district_adcode=district_adcode,
        lat=lat,
        lon=lon,
        address=address,
        caller_name=caller_name,
        caller_phone=caller_phone,
        reported_at=when,
        updated_at=when,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentEvent(incident_id=incident.id, at=when, kind="created",
                              status=IncidentStatus.NEW, detail=title, actor=actor.name))
    record_audit(session, actor, "incident.create", "incident", incident.number,
                 source=source.value, category=category.value, priority=int(priority))
    return incident

"""City and districts: escalate an incident to the city centre, hand it to another district.

A district centre sees and dispatches only its own district. When it needs more (units of
other districts, the city corps, a decision above its level) it escalates the incident: the
city centre is alerted, and once the incident is escalated the recommendation offers every
unit. An incident can also be handed over to the district it really belongs to. Either way the
receiving centre must acknowledge; until someone does, the escalation re-alerts every N
minutes (:func:`due_realerts`, driven by :class:`app.dispatch.service.DispatchService`).
Dispatching or closing the incident at the receiving centre acknowledges it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch.records import active_assignments, add_event, get_incident
from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.services.incidents import Actor, record_audit
from models import BEIJING_DISTRICTS, Incident, Jurisdiction
from models.base import utcnow
from models.dispatch import Escalation, EscalationKind
from models.enums import IncidentStatus
from models.jurisdiction import CITY


@dataclass(frozen=True, slots=True)
class EscalationRow:
    """An escalation or hand-over as the console shows and re-alerts it."""

    id: int
    incident_id: int
    incident_number: str
    incident_title: str
    priority: int
    kind: EscalationKind
    from_scope: str
    to_scope: str
    reason: str
    raised_at: dt.datetime
    raised_by: str
    console_id: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str
    alert_count: int
    last_alert_at: dt.datetime | None


def _open_to(session: Session, incident_id: int, to_scope: str) -> Escalation | None:
    return session.scalars(select(Escalation).where(
        Escalation.incident_id == incident_id, Escalation.to_scope == to_scope,
        Escalation.acknowledged_at.is_(None))).first()


def escalate(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int, *,
             reason: str = "", now: dt.datetime | None = None) -> EscalationRow | Refusal:
    """Escalate a district's incident to the city centre."""
    at = now or utcnow()
    if jurisdiction.is_city:
        return refuse(RefusalCode.CITY_CANNOT_ESCALATE, "the city centre cannot escalate")
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    if _open_to(session, incident.id, CITY) is not None:
        return refuse(RefusalCode.ALREADY_ESCALATED,
                      f"incident {incident.number} already waits for the city",
                      number=incident.number)
    incident.escalated = True
    if incident.status is IncidentStatus.NEW:
        incident.status = IncidentStatus.ESCALATED
    esc = Escalation(incident_id=incident.id, kind=EscalationKind.ESCALATE,
                     from_scope=str(jurisdiction), to_scope=CITY, reason=reason, raised_at=at,
                     raised_by=actor.name, console_id=actor.console_id)
    session.add(esc)
    add_event(session, incident, "escalated", at, actor, reason, incident.status)
    session.flush()
    record_audit(session, actor, "incident.escalate", "incident", incident.number,
                 to=CITY, reason=reason, escalation_id=esc.id)
    return _row(esc, incident)


def hand_over(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int,
              to_district: str, *, reason: str = "",
              now: dt.datetime | None = None) -> EscalationRow | Refusal:
    """Hand an incident to another district (it must have no units working it)."""
    at = now or utcnow()
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    if to_district not in BEIJING_DISTRICTS:
        return refuse(RefusalCode.INVALID_DISTRICT, f"unknown district {to_district!r}",
                      district=to_district)
    if incident.district_adcode == to_district:
        return refuse(RefusalCode.SAME_DISTRICT,
                      f"incident {incident.number} already belongs to {to_district}",
                      number=incident.number)
    if active_assignments(session, incident.id):
        return refuse(RefusalCode.HAS_ACTIVE_UNITS,
                      f"incident {incident.number} still has units assigned",
                      number=incident.number)
    from_scope = incident.district_adcode or CITY
    incident.district_adcode = to_district
    if incident.status in (IncidentStatus.ESCALATED, IncidentStatus.DISPATCHED,
                           IncidentStatus.IN_PROGRESS):
        incident.status = IncidentStatus.NEW
    # a hand-over answers any open escalation of the incident
    for old in session.scalars(select(Escalation).where(
            Escalation.incident_id == incident.id, Escalation.acknowledged_at.is_(None))):
        old.acknowledged_at = at
        old.acknowledged_by = actor.name
    esc = Escalation(incident_id=incident.id, kind=EscalationKind.HANDOVER,
                     from_scope=from_scope, to_scope=to_district, reason=reason, raised_at=at,
                     raised_by=actor.name, console_id=actor.console_id)
    session.add(esc)
    add_event(session, incident, "handed_over", at, actor,
              f"{BEIJING_DISTRICTS[to_district]} {reason}".strip(), incident.status)
    session.flush()
    record_audit(session, actor, "incident.hand_over", "incident", incident.number,
                 from_scope=from_scope, to=to_district, reason=reason, escalation_id=esc.id)
    return _row(esc, incident)


def acknowledge_escalation(session: Session, actor: Actor, jurisdiction: Jurisdiction,
                           escalation_id: int, *,
                           now: dt.datetime | None = None) -> EscalationRow | Refusal:
    """The receiving centre takes the incident on (stops the re-alerts)."""
    at = now or utcnow()
    esc = session.get(Escalation, escalation_id)
    if esc is None:
        return refuse(RefusalCode.ESCALATION_NOT_FOUND, f"no escalation {escalation_id}")
    if esc.to_scope != str(jurisdiction):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"escalation {escalation_id} is for {esc.to_scope}, not {jurisdiction}")
    if esc.acknowledged_at is not None:
        return refuse(RefusalCode.ALREADY_ACKNOWLEDGED,
                      f"escalation {escalation_id} was acknowledged by {esc.acknowledged_by}",
                      by=esc.acknowledged_by)
    incident = session.get(Incident, esc.incident_id)
    assert incident is not None  # foreign key
    esc.acknowledged_at = at
    esc.acknowledged_by = actor.name
    if incident.status is IncidentStatus.ESCALATED:
        incident.status = IncidentStatus.NEW
    add_event(session, incident, "escalation_acknowledged", at, actor, esc.to_scope,
              incident.status)
    record_audit(session, actor, "incident.acknowledge_escalation", "incident", incident.number,
                 escalation_id=esc.id, kind=esc.kind.value)
    return _row(esc, incident)


def _row(esc: Escalation, incident: Incident) -> EscalationRow:
    return EscalationRow(esc.id, incident.id, incident.number, incident.title, incident.priority,
                         esc.kind, esc.from_scope, esc.to_scope, esc.reason, esc.raised_at,
                         esc.raised_by, esc.console_id, esc.acknowledged_at, esc.acknowledged_by,
                         esc.alert_count, esc.last_alert_at)


def open_escalations(session: Session, jurisdiction: Jurisdiction) -> list[EscalationRow]:
    """Unacknowledged escalations addressed to this console, oldest first."""
    rows = session.execute(
        select(Escalation, Incident).join(Incident, Incident.id == Escalation.incident_id)
        .where(Escalation.to_scope == str(jurisdiction), Escalation.acknowledged_at.is_(None),
               Incident.status.in_([s for s in IncidentStatus if s.is_open]))
        .order_by(Escalation.raised_at, Escalation.id)
    )
    return [_row(esc, inc) for esc, inc in rows]


def due_realerts(session: Session, jurisdiction: Jurisdiction, now: dt.datetime,
                 after: dt.timedelta) -> list[EscalationRow]:
    """Open escalations to this console to alert now.

    One never alerted is due at once; after that, again each time ``after`` has passed since
    its last alert without anyone acknowledging it.
    """
    return [r for r in open_escalations(session, jurisdiction)
            if r.last_alert_at is None or r.last_alert_at <= now - after]


def mark_realerted(session: Session, escalation_ids: Iterable[int], now: dt.datetime) -> None:
    """Count one more alert for each escalation (run on the writer after alerting)."""
    for esc_id in escalation_ids:
        esc = session.get(Escalation, esc_id)
        if esc is not None and esc.acknowledged_at is None:
            esc.alert_count += 1
            esc.last_alert_at = now

"""Assignments and the unit lifecycle: assign, status changes, reassign, cancel, close.

A unit goes dispatched → en route → on scene → clearing → available, each change timestamped
in ``unit_status_change`` with where it came from (``dispatch``, ``manual``, ``radio``).
Changes come from the dispatcher or from status SDS of the unit's radios
(:func:`apply_radio_status`); a change the status list does not allow is refused with the
reason and not applied.

:func:`assign` writes, in one transaction, the assignment, the dispatch order as a queued
outbound SDS (``radio_message``, picked up by the radio bridge, which updates its delivery
state), the unit's new status, the incident's timeline entry and the audit event. Withdrawing a
unit (reassign, cancel, close while it is still on its way) queues a recall SDS likewise.

Every function takes the session of the caller's transaction (the database writer's) and
either returns its result or a :class:`~app.dispatch.refusals.Refusal`, having written nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch.intake import raise_unit_emergency
from app.dispatch.orders import order_text, recall_text
from app.dispatch.recommend import IncidentTarget, unit_may_serve
from app.dispatch.records import (
    OrderSent,
    active_assignment,
    active_assignments,
    add_event,
    get_incident,
    get_unit,
    queue_sds,
    set_unit_status,
)
from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.services.incidents import Actor, record_audit
from models import Assignment, Incident, Jurisdiction, RadioTerminal, Unit, Venue
from models.base import utcnow
from models.dispatch import Escalation, IncidentOutcome
from models.enums import AssignmentState, IncidentStatus, UnitStatus, transition_error

log = logging.getLogger("app.dispatch.lifecycle")

#: Where a status change came from (``unit_status_change.source``).
SOURCE_DISPATCH = "dispatch"
SOURCE_MANUAL = "manual"
SOURCE_RADIO = "radio"
SOURCE_SYSTEM = "system"

_RELEASED = frozenset({UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY, UnitStatus.OUT_OF_SERVICE})
_ASSIGNABLE = (UnitStatus.AVAILABLE, UnitStatus.CLEARING)
_EVENT_OF_STATUS = {
    UnitStatus.EN_ROUTE: "unit_en_route",
    UnitStatus.ON_SCENE: "unit_on_scene",
    UnitStatus.CLEARING: "unit_clearing",
    UnitStatus.EMERGENCY: "unit_emergency",
}


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class AssignResult:
    """A unit assigned to an incident and the order queued for it."""

    assignment_id: int
    incident_id: int
    incident_number: str
    unit_id: int
    call_sign: str
    order: OrderSent


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A unit's status change (``changed`` False: it already had that status).

    ``incident_id`` is the incident of the unit's active assignment, if any;
    ``emergency_incident`` the number of the incident an emergency status raised.
    """

    unit_id: int
    call_sign: str
    from_status: UnitStatus
    to_status: UnitStatus
    changed: bool
    at: dt.datetime
    source: str
    incident_id: int | None = None
    emergency_incident: str = ""


@dataclass(frozen=True, slots=True)
class ReassignResult:
    """The old unit recalled and the new one assigned."""

    recall: OrderSent
    assigned: AssignResult


@dataclass(frozen=True, slots=True)
class IncidentChange:
    """An incident's new status, with the recall SDS queued for units still on their way."""

    incident_id: int
    number: str
    status: IncidentStatus
    recalls: tuple[OrderSent, ...] = ()


def _end_assignment(assignment: Assignment, state: AssignmentState, at: dt.datetime) -> None:
    assignment.state = state
    assignment.ended_at = at


def _release(session: Session, unit: Unit, at: dt.datetime, source: str, note: str) -> None:
    if unit.status.is_busy:
        set_unit_status(session, unit, UnitStatus.AVAILABLE, at, source, note)


def _target(incident: Incident) -> IncidentTarget:
    return IncidentTarget(incident.id, incident.number, incident.district_adcode,
                          incident.escalated, incident.lat, incident.lon)


def _check_assignable(session: Session, jurisdiction: Jurisdiction, incident: Incident,
                      unit_id: int) -> Unit | Refusal:
    unit = get_unit(session, jurisdiction, unit_id)
    if isinstance(unit, Refusal):
        return unit
    if not unit_may_serve(_target(incident), unit.district_adcode):
        return refuse(RefusalCode.UNIT_OUTSIDE_INCIDENT_DISTRICT,
                      f"unit {unit.call_sign} ({unit.district_adcode}) may not serve incident "
                      f"{incident.number} ({incident.district_adcode}) unless escalated",
                      call_sign=unit.call_sign)
    current = active_assignment(session, unit.id)
    if current is not None and current.incident_id == incident.id:
        return refuse(RefusalCode.ALREADY_ASSIGNED,
                      f"unit {unit.call_sign} already works incident {incident.number}",
                      call_sign=unit.call_sign, number=incident.number)
    if unit.status not in _ASSIGNABLE:
        return refuse(RefusalCode.UNIT_NOT_AVAILABLE,
                      f"unit {unit.call_sign} is {unit.status.value}",
                      call_sign=unit.call_sign, status=unit.status.value)
    return unit


def _acknowledge_open(session: Session, incident: Incident, jurisdiction: Jurisdiction,
                      actor: Actor, at: dt.datetime) -> None:
    """Acting on an incident escalated to this console acknowledges the escalation."""
    for esc in session.scalars(select(Escalation).where(
            Escalation.incident_id == incident.id, Escalation.acknowledged_at.is_(None),
            Escalation.to_scope == str(jurisdiction))):
        esc.acknowledged_at = at
        esc.acknowledged_by = actor.name


# --------------------------------------------------------------------------- assignment
def _do_assign(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident: Incident,
               unit: Unit, at: dt.datetime, note: str) -> AssignResult:
    previous = active_assignment(session, unit.id)
    if previous is not None:  # a clearing unit finishes its last job when it takes a new one
        _end_assignment(previous, AssignmentState.COMPLETED, at)
    venue = session.get(Venue, incident.venue_id) if incident.venue_id is not None else None
    text = order_text(number=incident.number, priority=incident.priority,
                      category=incident.category, title=incident.title,
                      venue_name=venue.name if venue else "",
                      address=incident.address or (venue.address if venue else ""),
                      call_sign=unit.call_sign)
    order = queue_sds(session, unit, text, at)
    assignment = Assignment(incident_id=incident.id, unit_id=unit.id,
                            state=AssignmentState.ACTIVE, assigned_at=at,
                            assigned_by=actor.name, order_message_id=order.message_id)
    session.add(assignment)
    set_unit_status(session, unit, UnitStatus.DISPATCHED, at, SOURCE_DISPATCH,
                    f"{incident.number} {note}".strip())
    if incident.status in (IncidentStatus.NEW, IncidentStatus.ESCALATED):
        incident.status = IncidentStatus.DISPATCHED
    _acknowledge_open(session, incident, jurisdiction, actor, at)
    add_event(session, incident, "dispatched", at, actor, unit.call_sign, incident.status)
    session.flush()
    record_audit(session, actor, "incident.assign", "incident", incident.number,
                 unit=unit.call_sign, order_message_id=order.message_id,
                 dest_issi=order.dest_issi, note=note)
    log.info("incident %s assigned to %s (order %s to ISSI %s)", incident.number,
             unit.call_sign, order.message_id, order.dest_issi,
             extra={"event": "incident_assigned", "incident": incident.number,
                    "unit": unit.call_sign})
    return AssignResult(assignment.id, incident.id, incident.number, unit.id, unit.call_sign,
                        order)


def assign(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int,
           unit_id: int, *, now: dt.datetime | None = None,
           note: str = "") -> AssignResult | Refusal:
    """Assign a unit to an incident and queue its order SDS (one transaction)."""
    at = now or utcnow()
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    unit = _check_assignable(session, jurisdiction, incident, unit_id)
    if isinstance(unit, Refusal):
        return unit
    return _do_assign(session, actor, jurisdiction, incident, unit, at, note)


def reassign(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int,
             from_unit_id: int, to_unit_id: int, *, reason: str = "",
             now: dt.datetime | None = None) -> ReassignResult | Refusal:
    """Take an incident from one unit and give it to another; both are told by SDS."""
    at = now or utcnow()
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    old_unit = get_unit(session, jurisdiction, from_unit_id)
    if isinstance(old_unit, Refusal):
        return old_unit
    old = active_assignment(session, from_unit_id)
    if old is None or old.incident_id != incident.id:
        return refuse(RefusalCode.NO_ASSIGNMENT,
                      f"unit {old_unit.call_sign} is not working incident {incident.number}",
                      call_sign=old_unit.call_sign)
    new_unit = _check_assignable(session, jurisdiction, incident, to_unit_id)
    if isinstance(new_unit, Refusal):
        return new_unit
    _end_assignment(old, AssignmentState.REASSIGNED, at)
    recall = queue_sds(session, old_unit,
                       recall_text(number=incident.number, call_sign=old_unit.call_sign,
                                   reason=reason or f"改派{new_unit.call_sign}"), at)
    _release(session, old_unit, at, SOURCE_DISPATCH, f"{incident.number} 改派")
    add_event(session, incident, "reassigned", at, actor,
              f"{old_unit.call_sign} → {new_unit.call_sign} {reason}".strip())
    record_audit(session, actor, "incident.reassign", "incident", incident.number,
                 from_unit=old_unit.call_sign, to_unit=new_unit.call_sign, reason=reason,
                 recall_message_id=recall.message_id)
    assigned = _do_assign(session, actor, jurisdiction, incident, new_unit, at, "改派")
    return ReassignResult(recall, assigned)


def cancel_assignment(session: Session, actor: Actor, jurisdiction: Jurisdiction,
                      assignment_id: int, *, reason: str = "",
                      now: dt.datetime | None = None) -> IncidentChange | Refusal:
    """Withdraw one unit from its incident (it is told by SDS and becomes available).

    An incident left with no unit goes back to the queue (status new).
    """
    at = now or utcnow()
    assignment = session.get(Assignment, assignment_id)
    if assignment is None:
        return refuse(RefusalCode.ASSIGNMENT_NOT_FOUND, f"no assignment {assignment_id}")
    incident = get_incident(session, jurisdiction, assignment.incident_id)
    if isinstance(incident, Refusal):
        return incident
    if assignment.state is not AssignmentState.ACTIVE:
        return refuse(RefusalCode.ASSIGNMENT_NOT_ACTIVE,
                      f"assignment {assignment_id} is {assignment.state.value}")
    unit = session.get(Unit, assignment.unit_id)
    assert unit is not None  # foreign key
    _end_assignment(assignment, AssignmentState.CANCELLED, at)
    recall = queue_sds(session, unit, recall_text(number=incident.number,
                                                  call_sign=unit.call_sign, reason=reason), at)
    _release(session, unit, at, SOURCE_DISPATCH, f"{incident.number} 撤销")
    session.flush()
    if not active_assignments(session, incident.id) and incident.status in (
            IncidentStatus.DISPATCHED, IncidentStatus.IN_PROGRESS):
        incident.status = IncidentStatus.NEW
    add_event(session, incident, "assignment_cancelled", at, actor,
              f"{unit.call_sign} {reason}".strip(), incident.status)
    record_audit(session, actor, "incident.cancel_assignment", "incident", incident.number,
                 unit=unit.call_sign, reason=reason, recall_message_id=recall.message_id)
    return IncidentChange(incident.id, incident.number, incident.status, (recall,))


def _withdraw_all(session: Session, incident: Incident, state: AssignmentState,
                  at: dt.datetime, reason: str) -> tuple[OrderSent, ...]:
    recalls: list[OrderSent] = []
    for assignment in active_assignments(session, incident.id):
        unit = session.get(Unit, assignment.unit_id)
        assert unit is not None
        _end_assignment(assignment, state, at)
        if unit.status in (UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE):
            recalls.append(queue_sds(session, unit, recall_text(
                number=incident.number, call_sign=unit.call_sign, reason=reason), at))
        _release(session, unit, at, SOURCE_DISPATCH, f"{incident.number} {reason}")
    return tuple(recalls)


def close_incident(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int,
                   outcome: IncidentOutcome, *, note: str = "",
                   now: dt.datetime | None = None) -> IncidentChange | Refusal:
    """Close an incident with its outcome; its units are released (recalled if on the way)."""
    at = now or utcnow()
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    recalls = _withdraw_all(session, incident, AssignmentState.COMPLETED, at, "事件已办结")
    incident.status = IncidentStatus.CLOSED
    incident.outcome = outcome.value
    incident.closed_at = at
    _acknowledge_open(session, incident, jurisdiction, actor, at)
    add_event(session, incident, "closed", at, actor, f"{outcome.value} {note}".strip(),
              IncidentStatus.CLOSED)
    record_audit(session, actor, "incident.close", "incident", incident.number,
                 outcome=outcome.value, note=note)
    return IncidentChange(incident.id, incident.number, incident.status, recalls)


def cancel_incident(session: Session, actor: Actor, jurisdiction: Jurisdiction, incident_id: int,
                    *, reason: str = "",
                    now: dt.datetime | None = None) -> IncidentChange | Refusal:
    """Cancel an incident (entered by mistake, withdrawn by the caller); units are recalled."""
    at = now or utcnow()
    incident = get_incident(session, jurisdiction, incident_id)
    if isinstance(incident, Refusal):
        return incident
    recalls = _withdraw_all(session, incident, AssignmentState.CANCELLED, at,
                            reason or "事件已撤销")
    incident.status = IncidentStatus.CANCELLED
    incident.closed_at = at
    _acknowledge_open(session, incident, jurisdiction, actor, at)
    add_event(session, incident, "cancelled", at, actor, reason, IncidentStatus.CANCELLED)
    record_audit(session, actor, "incident.cancel", "incident", incident.number, reason=reason)
    return IncidentChange(incident.id, incident.number, incident.status, recalls)


# --------------------------------------------------------------------------- unit status
def change_unit_status(session: Session, actor: Actor, unit_id: int, new: UnitStatus, *,
                       jurisdiction: Jurisdiction | None = None, source: str = SOURCE_MANUAL,
                       note: str = "", now: dt.datetime | None = None,
                       raise_emergency_incident: bool = True) -> StatusChange | Refusal:
    """Change a unit's status if the status list allows it, with its effects.

    On scene puts the incident in progress; available, off duty and out of service end the
    unit's active assignment; emergency raises an urgent incident at the unit's position
    (unless ``raise_emergency_incident`` is False: the caller raises its own). Becoming
    dispatched is only possible through :func:`assign` (or as a radio's acknowledgement of an
    order it already has).
    """
    at = now or utcnow()
    unit = get_unit(session, jurisdiction, unit_id)
    if isinstance(unit, Refusal):
        return unit
    old = unit.status
    reason = transition_error(old, new)
    if reason is not None:
        return refuse(RefusalCode.INVALID_TRANSITION, f"unit {unit.call_sign}: {reason}",
                      call_sign=unit.call_sign, from_status=old.value, to_status=new.value)
    assignment = active_assignment(session, unit.id)
    incident = session.get(Incident, assignment.incident_id) if assignment else None
    if new is UnitStatus.DISPATCHED and assignment is None:
        return refuse(RefusalCode.NO_ASSIGNMENT,
                      f"unit {unit.call_sign} cannot be dispatched without an incident",
                      call_sign=unit.call_sign)
    if new is old:
        if new is UnitStatus.DISPATCHED and incident is not None and source == SOURCE_RADIO:
            add_event(session, incident, "order_acknowledged", at, actor, unit.call_sign)
            record_audit(session, actor, "unit.acknowledge", "unit", unit.call_sign,
                         incident=incident.number)
        return StatusChange(unit.id, unit.call_sign, old, new, False, at, source,
                            incident.id if incident else None)
    set_unit_status(session, unit, new, at, source, note)
    emergency = ""
    if incident is not None and assignment is not None:
        if new in _RELEASED:
            _end_assignment(assignment, AssignmentState.COMPLETED, at)
            add_event(session, incident, "unit_released", at, actor, unit.call_sign)
        elif new in _EVENT_OF_STATUS:
            if new is UnitStatus.ON_SCENE and incident.status in (
                    IncidentStatus.NEW, IncidentStatus.DISPATCHED, IncidentStatus.ESCALATED):
                incident.status = IncidentStatus.IN_PROGRESS
            add_event(session, incident, _EVENT_OF_STATUS[new], at, actor, unit.call_sign,
                      incident.status)
    if new is UnitStatus.EMERGENCY and raise_emergency_incident:
        emergency = raise_unit_emergency(session, actor, unit, at, source).number
    record_audit(session, actor, "unit.status", "unit", unit.call_sign, from_status=old.value,
                 to_status=new.value, source=source, note=note,
                 incident=incident.number if incident else "")
    log.info("unit %s: %s → %s (%s)", unit.call_sign, old.value, new.value, source,
             extra={"event": "unit_status", "unit": unit.call_sign, "status": new.value})
    return StatusChange(unit.id, unit.call_sign, old, new, True, at, source,
                        incident.id if incident else None, emergency)


def apply_radio_status(session: Session, issi: int, status: UnitStatus, *,
                       console_id: str = "radio", note: str = "",
                       now: dt.datetime | None = None,
                       raise_emergency_incident: bool = False) -> StatusChange | Refusal:
    """A status SDS from a radio: change its unit's status (refused changes are logged).

    The radio integration calls this on the database writer for every status message that
    maps to a unit status. An emergency raises no incident here by default: the radio service
    raises it with the alarm (and the radio's own position report).
    """
    terminal = session.scalars(select(RadioTerminal).where(RadioTerminal.issi == issi)).first()
    if terminal is None or terminal.unit_id is None:
        log.warning("status %s from radio %s ignored: the radio belongs to no unit",
                    status.value, issi, extra={"event": "radio_status_refused", "issi": issi})
        return refuse(RefusalCode.UNKNOWN_RADIO, f"radio {issi} belongs to no unit", issi=issi)
    actor = Actor(f"ISSI {issi}", console_id)
    result = change_unit_status(session, actor, terminal.unit_id, status, source=SOURCE_RADIO,
                                note=note or f"ISSI {issi}", now=now,
                                raise_emergency_incident=raise_emergency_incident)
    if isinstance(result, Refusal):
        log.warning("status %s from radio %s refused: %s", status.value, issi, result.message,
                    extra={"event": "radio_status_refused", "issi": issi})
    return result

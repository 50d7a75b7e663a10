"""Shared building blocks of the dispatch writes: lookups with jurisdiction checks, the
incident timeline, unit status records and the radio outbox.

Functions here take the caller's session and never commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.services.incidents import Actor
from models import (
    Assignment,
    Incident,
    IncidentEvent,
    Jurisdiction,
    RadioMessage,
    RadioTerminal,
    Unit,
    UnitStatusChange,
)
from models.enums import (
    AssignmentState,
    IncidentStatus,
    RadioDirection,
    RadioMessageKind,
    RadioMessageState,
    UnitStatus,
)

log = logging.getLogger("app.dispatch.records")


@dataclass(frozen=True, slots=True)
class OrderSent:
    """An SDS queued for a unit's radio (``message_id`` None: the unit has no radio)."""

    message_id: int | None
    dest_issi: int | None
    text: str
    call_sign: str


# --------------------------------------------------------------------------- helpers
def get_incident(session: Session, jurisdiction: Jurisdiction, incident_id: int, *,
                 must_be_open: bool = True) -> Incident | Refusal:
    """The incident if it exists, is this console's, and (by default) is still open.

    The row is locked for the transaction where the database can (PostgreSQL: two consoles
    acting on one incident at once are serialised; SQLite has one writer anyway).
    """
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        return refuse(RefusalCode.INCIDENT_NOT_FOUND, f"no incident {incident_id}")
    if not jurisdiction.covers(incident.district_adcode):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"incident {incident.number} ({incident.district_adcode}) is outside "
                      f"{jurisdiction}")
    if must_be_open and not incident.status.is_open:
        return refuse(RefusalCode.INCIDENT_NOT_OPEN,
                      f"incident {incident.number} is {incident.status.value}",
                      number=incident.number)
    return incident


def get_unit(session: Session, jurisdiction: Jurisdiction | None, unit_id: int) -> Unit | Refusal:
    """The unit if it exists and this console may act on it (None: any console); locked."""
    unit = session.get(Unit, unit_id, with_for_update=True)
    if unit is None:
        return refuse(RefusalCode.UNIT_NOT_FOUND, f"no unit {unit_id}")
    if jurisdiction is not None and not jurisdiction.covers(unit.district_adcode):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"unit {unit.call_sign} is outside {jurisdiction}")
    return unit


def unit_issi(session: Session, unit_id: int) -> int | None:
    """The radio a unit's orders go to: a vehicle radio, else its lowest ISSI."""
    return session.scalar(
        select(RadioTerminal.issi).where(RadioTerminal.unit_id == unit_id)
        .order_by(RadioTerminal.officer_id.is_not(None), RadioTerminal.issi).limit(1)
    )


def active_assignment(session: Session, unit_id: int) -> Assignment | None:
    """A unit's active assignment (the newest, should there be several)."""
    return session.scalars(
        select(Assignment).where(Assignment.unit_id == unit_id,
                                 Assignment.state == AssignmentState.ACTIVE)
        .order_by(Assignment.assigned_at.desc(), Assignment.id.desc()).limit(1)
    ).first()


def active_assignments(session: Session, incident_id: int) -> list[Assignment]:
    """The incident's active assignments, oldest first."""
    return list(session.scalars(
        select(Assignment).where(Assignment.incident_id == incident_id,
                                 Assignment.state == AssignmentState.ACTIVE)
        .order_by(Assignment.assigned_at, Assignment.id)
    ))


def add_event(session: Session, incident: Incident, kind: str, at: dt.datetime, actor: Actor,
              detail: str = "", status: IncidentStatus | None = None) -> None:
    """Append an entry to an incident's timeline."""
    session.add(IncidentEvent(incident_id=incident.id, at=at, kind=kind, status=status,
                              detail=detail, actor=actor.name))
    incident.updated_at = at


def queue_sds(session: Session, unit: Unit, text: str, at: dt.datetime) -> OrderSent:
    """Queue a text SDS for the unit's radio in the console's outbox."""
    issi = unit_issi(session, unit.id)
    if issi is None:
        log.warning("unit %s has no radio; SDS not queued: %s", unit.call_sign, text)
        return OrderSent(None, None, text, unit.call_sign)
    message = RadioMessage(direction=RadioDirection.OUTBOUND, kind=RadioMessageKind.TEXT,
                           dest_issi=issi, to_group=False, text=text,
                           state=RadioMessageState.QUEUED, created_at=at)
    session.add(message)
    session.flush()
    return OrderSent(message.id, issi, text, unit.call_sign)


def set_unit_status(session: Session, unit: Unit, new: UnitStatus, at: dt.datetime,
                    source: str, note: str = "") -> None:
    """Record a status change (no checks: callers check the transition first)."""
    session.add(UnitStatusChange(unit_id=unit.id, from_status=unit.status, to_status=new, at=at,
                                 source=source, note=note[:200]))
    unit.status = new
    unit.status_changed_at = at




@dataclass(frozen=True, slots=True)
class OrderState:
    """Delivery state of a queued SDS (``id`` is the radio message id)."""

    id: int
    dest_issi: int | None
    state: RadioMessageState
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    failed_at: dt.datetime | None
    error: str


def load_order_states(session: Session, message_ids: list[int]) -> list[OrderState]:
    """Delivery states of the given outbound messages (run on a reader thread)."""
    if not message_ids:
        return []
    return [OrderState(m.id, m.dest_issi, m.state, m.created_at, m.delivered_at, m.failed_at,
                       m.error)
            for m in session.scalars(select(RadioMessage).where(RadioMessage.id.in_(message_ids)))]

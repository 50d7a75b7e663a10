"""Likely duplicates: the same venue and category, still open, reported within N hours.

Several callers often report the same night-time karaoke noise or the same arcade; the intake
form offers the open incident so the dispatcher merges the new call into it instead of sending
a second unit. A merged incident keeps its caller and its own number, with status ``merged``
and a pointer to the incident that carries on.
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
from models import Incident, Jurisdiction, scope
from models.base import utcnow
from models.enums import IncidentCategory, IncidentStatus

DEFAULT_WINDOW_HOURS = 24.0


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    """An open incident the new one may duplicate."""

    id: int
    number: str
    title: str
    status: IncidentStatus
    priority: int
    category: IncidentCategory
    venue_id: int | None
    reported_at: dt.datetime
    caller_name: str


@dataclass(frozen=True, slots=True)
class MergeResult:
    """``duplicate`` now points at ``into``."""

    duplicate_id: int
    duplicate_number: str
    into_id: int
    into_number: str
    priority: int


def likely_duplicates(rows: Iterable[DuplicateRow], *, venue_id: int,
                      category: IncidentCategory, now: dt.datetime,
                      within_hours: float = DEFAULT_WINDOW_HOURS,
                      exclude_id: int | None = None) -> list[DuplicateRow]:
    """Rows that are open, at ``venue_id``, of ``category``, reported within the window.

    Newest first.
    """
    since = now - dt.timedelta(hours=within_hours)
    found = [r for r in rows
             if r.venue_id == venue_id and r.category is category and r.status.is_open
             and since <= r.reported_at and r.id != exclude_id]
    return sorted(found, key=lambda r: (r.reported_at, r.id), reverse=True)


def find_duplicates(session: Session, jurisdiction: Jurisdiction, *, venue_id: int,
                    category: IncidentCategory, now: dt.datetime | None = None,
                    within_hours: float = DEFAULT_WINDOW_HOURS,
                    exclude_id: int | None = None) -> list[DuplicateRow]:
    """Likely duplicates this console can see (run on a reader thread)."""
    now = now or utcnow()
    since = now - dt.timedelta(hours=within_hours)
    stmt = scope(select(Incident), Incident, jurisdiction).where(
        Incident.venue_id == venue_id, Incident.category == category,
        Incident.status.in_([s for s in IncidentStatus if s.is_open]),
        Incident.reported_at >= since,
    )
    rows = [DuplicateRow(i.id, i.number, i.title, i.status, i.priority, i.category, i.venue_id,
                         i.reported_at, i.caller_name)
            for i in session.scalars(stmt)]
    return likely_duplicates(rows, venue_id=venue_id, category=category, now=now,
                             within_hours=within_hours, exclude_id=exclude_id)


def merge_incident(session: Session, actor: Actor, jurisdiction: Jurisdiction,
                   duplicate_id: int, into_id: int, *,
                   now: dt.datetime | None = None) -> MergeResult | Refusal:
    """Merge ``duplicate_id`` into ``into_id``; the survivor takes the more urgent priority.

    Refused when either is closed or not this console's, or the duplicate has units assigned.
    """
    at = now or utcnow()
    if duplicate_id == into_id:
        return refuse(RefusalCode.SAME_INCIDENT, f"incident {into_id} merged into itself")
    dup = get_incident(session, jurisdiction, duplicate_id)
    if isinstance(dup, Refusal):
        return dup
    into = get_incident(session, jurisdiction, into_id)
    if isinstance(into, Refusal):
        return into
    if active_assignments(session, dup.id):
        return refuse(RefusalCode.HAS_ACTIVE_UNITS, f"incident {dup.number} has units",
                      number=dup.number)
    dup.status = IncidentStatus.MERGED
    dup.merged_into_id = into.id
    dup.closed_at = at
    if dup.priority < into.priority:
        into.priority = dup.priority
    caller = " ".join(x for x in (dup.caller_name, dup.caller_phone) if x)
    add_event(session, dup, "merged", at, actor, into.number, IncidentStatus.MERGED)
    add_event(session, into, "merged_from", at, actor, f"{dup.number} {caller}".strip())
    record_audit(session, actor, "incident.merge", "incident", dup.number, into=into.number)
    return MergeResult(dup.id, dup.number, into.id, into.number, into.priority)

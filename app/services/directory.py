"""Read models for the panels: plain, immutable rows loaded off the UI thread.

Each loader takes a session and the console's jurisdiction and returns a list of frozen rows
that widgets can show without touching the database again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import (
    Assignment,
    BodyCamera,
    District,
    Incident,
    Jurisdiction,
    Officer,
    Performance,
    RadioMessage,
    RadioTerminal,
    Unit,
    Vehicle,
    Venue,
    scope,
)
from models.clock import Clock
from models.enums import (
    AssignmentState,
    IncidentStatus,
    RadioDirection,
    RadioMessageKind,
    RadioMessageState,
    UnitStatus,
)


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One unit as the units panel shows it."""

    id: int
    call_sign: str
    district_adcode: str | None
    district_name: str
    status: UnitStatus
    status_changed_at: dt.datetime
    members: tuple[str, ...]
    vehicle_plate: str
    radio_issis: tuple[int, ...]
    camera_count: int
    last_fix_at: dt.datetime | None
    lat: float | None
    lon: float | None
    active_incident: str


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """One incident as the incidents panel shows it."""

    id: int
    number: str
    reported_at: dt.datetime
    priority: int
    category: str
    source: str
    title: str
    venue_name: str
    district_adcode: str | None
    district_name: str
    status: IncidentStatus
    escalated: bool
    units: tuple[str, ...]
    lat: float | None
    lon: float | None


def district_names(session: Session) -> dict[str, str]:
    """adcode → name of every district in the database."""
    return dict(session.execute(select(District.adcode, District.name)).all())


def load_units(session: Session, jurisdiction: Jurisdiction) -> list[UnitRow]:
    """Every unit this console may see, with its crew, vehicle, radios and cameras."""
    names = district_names(session)
    units = session.scalars(scope(select(Unit), Unit, jurisdiction).order_by(Unit.call_sign))
    units_list = list(units)
    ids = [u.id for u in units_list]
    members: dict[int, list[str]] = defaultdict(list)
    for unit_id, name in session.execute(
        select(Officer.unit_id, Officer.name).where(Officer.unit_id.in_(ids)).order_by(Officer.id)
    ):
        if unit_id is not None:
            members[unit_id].append(name)
    radios: dict[int, list[int]] = defaultdict(list)
    for unit_id, issi in session.execute(
        select(RadioTerminal.unit_id, RadioTerminal.issi)
        .where(RadioTerminal.unit_id.in_(ids))
        .order_by(RadioTerminal.issi)
    ):
        if unit_id is not None:
            radios[unit_id].append(issi)
    cameras = dict(
        session.execute(
            select(BodyCamera.unit_id, func.count())
            .where(BodyCamera.unit_id.in_(ids))
            .group_by(BodyCamera.unit_id)
        ).all()
    )
    plates = dict(session.execute(
        scope(select(Vehicle.id, Vehicle.plate), Vehicle, jurisdiction)).all())
    active: dict[int, str] = {}
    for unit_id, number in session.execute(
        select(Assignment.unit_id, Incident.number)
        .join(Incident, Incident.id == Assignment.incident_id)
        .where(Assignment.state == AssignmentState.ACTIVE, Assignment.unit_id.in_(ids))
    ):
        active[unit_id] = number
    return [
        UnitRow(
            id=u.id,
            call_sign=u.call_sign,
            district_adcode=u.district_adcode,
            district_name=names.get(u.district_adcode, "") if u.district_adcode else "",
            status=u.status,
            status_changed_at=u.status_changed_at,
            members=tuple(members.get(u.id, ())),
            vehicle_plate=plates.get(u.vehicle_id, "") if u.vehicle_id else "",
            radio_issis=tuple(radios.get(u.id, ())),
            camera_count=int(cameras.get(u.id, 0)),
            last_fix_at=u.last_fix_at,
            lat=u.last_lat,
            lon=u.last_lon,
            active_incident=active.get(u.id, ""),
        )
        for u in units_list
    ]


def load_incidents(
    session: Session, jurisdiction: Jurisdiction, *, clock: Clock,
    include_closed_hours: float = 24.0,
) -> list[IncidentRow]:
    """Open incidents this console may see, plus those closed in the last hours by ``clock``.

    The city centre also sees every escalated incident (it always sees everything).
    """
    names = district_names(session)
    cutoff = clock.now() - dt.timedelta(hours=include_closed_hours)
    open_states = [s for s in IncidentStatus if s.is_open]
    stmt = scope(select(Incident), Incident, jurisdiction).where(
        Incident.status.in_(open_states) | (Incident.updated_at >= cutoff)
    )
    incidents = list(session.scalars(stmt.order_by(Incident.reported_at.desc())))
    ids = [i.id for i in incidents]
    venue_ids = {i.venue_id for i in incidents if i.venue_id is not None}
    venues = dict(
        session.execute(select(Venue.id, Venue.name).where(Venue.id.in_(venue_ids))).all()
    )
    units: dict[int, list[str]] = defaultdict(list)
    for incident_id, call_sign in session.execute(
        select(Assignment.incident_id, Unit.call_sign)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Assignment.incident_id.in_(ids), Assignment.state == AssignmentState.ACTIVE)
    ):
        units[incident_id].append(call_sign)
    return [
        IncidentRow(
            id=i.id,
            number=i.number,
            reported_at=i.reported_at,
            priority=i.priority,
            category=i.category.value,
            source=i.source.value,
            title=i.title,
            venue_name=venues.get(i.venue_id, "") if i.venue_id else "",
            district_adcode=i.district_adcode,
            district_name=names.get(i.district_adcode, "") if i.district_adcode else "",
            status=i.status,
            escalated=i.escalated,
            units=tuple(units.get(i.id, ())),
            lat=i.lat,
            lon=i.lon,
        )
        for i in incidents
    ]


@dataclass(frozen=True, slots=True)
class RadioLogRow:
    """One SDS in the radio panel's log."""

    id: int
    at: dt.datetime
    outbound: bool
    peer_issi: int | None
    peer: str
    kind: str
    content: str
    state: RadioMessageState
    state_at: dt.datetime
    attempts: int
    error: str


def load_radio_log(session: Session, limit: int = 300, *,
                   jurisdiction: Jurisdiction | None = None,
                   hidden_groups: Collection[int] = ()) -> list[RadioLogRow]:
    """The newest SDS in and out that ``jurisdiction`` may see (default: the city, all), with
    the peer's call sign and name.

    A district console sees the texts and statuses from and to its own radios
    (:func:`models.jurisdiction.scope` on the radio) and group texts except to
    ``hidden_groups`` (other districts' talkgroups, :meth:`TalkgroupScope.hidden`); never a
    message of a radio of another district, of the city corps or of an unregistered radio.
    """
    j = jurisdiction or Jurisdiction()
    names: dict[int, str] = {}
    for issi, officer, call_sign in session.execute(
        scope(select(RadioTerminal.issi, Officer.name, Unit.call_sign)
              .join(Officer, Officer.id == RadioTerminal.officer_id, isouter=True)
              .join(Unit, Unit.id == RadioTerminal.unit_id, isouter=True), RadioTerminal, j)
    ).all():
        names[issi] = " ".join(p for p in (call_sign, officer) if p)
    stmt = select(RadioMessage)
    if not j.is_city:
        radios = scope(select(RadioTerminal.issi), RadioTerminal, j)
        inbound = RadioMessage.direction == RadioDirection.INBOUND
        stmt = stmt.where(or_(
            inbound & RadioMessage.source_issi.in_(radios),
            ~inbound & RadioMessage.to_group.is_(False) & RadioMessage.dest_issi.in_(radios),
            ~inbound & RadioMessage.to_group.is_(True)
            & RadioMessage.dest_issi.not_in(sorted(hidden_groups)),
        ))
    rows = session.scalars(stmt.order_by(RadioMessage.id.desc()).limit(limit))
    out: list[RadioLogRow] = []
    for m in rows:
        outbound = m.direction is RadioDirection.OUTBOUND
        peer = m.dest_issi if outbound else m.source_issi
        stamps = [m.created_at, m.accepted_at, m.sent_at, m.delivered_at, m.failed_at]
        if m.state in (RadioMessageState.UNCONFIRMED, RadioMessageState.CANCELLED):
            stamps.append(_last_change_at(m.record))  # these states have no column of their own
        content = m.text if m.kind is RadioMessageKind.TEXT else (
            f"{m.text} (0x{m.status_code or 0:04X})" if m.text else f"0x{m.status_code or 0:04X}")
        out.append(RadioLogRow(
            id=m.id, at=m.created_at, outbound=outbound, peer_issi=peer,
            peer=names.get(peer, "") if peer is not None else "", kind=m.kind.value,
            content=content, state=m.state, state_at=max(s for s in stamps if s is not None),
            attempts=m.attempts, error=m.error,
        ))
    return out


def _last_change_at(record: str | None) -> dt.datetime | None:
    """When the outbox record last changed state (None when unreadable)."""
    try:
        return dt.datetime.fromisoformat(json.loads(record or "")["history"][-1]["at"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    """One approved performance in the schedule list."""

    id: int
    approval_no: str
    venue_name: str
    district_adcode: str | None
    title: str
    troupe: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    analysis_state: str
    findings: int
    report_path: str


def load_performances(session: Session, jurisdiction: Jurisdiction, *, clock: Clock,
                      days: float = 14.0) -> list[PerformanceRow]:
    """Performances of the last and next ``days`` (by ``clock``) at venues this console sees."""
    now = clock.now()
    rows = session.execute(
        scope(select(Performance, Venue.name, Venue.district_adcode)
              .join(Venue, Venue.id == Performance.venue_id), Venue, jurisdiction)
        .where(Performance.ends_at >= now - dt.timedelta(days=days),
               Performance.starts_at <= now + dt.timedelta(days=days))
        .order_by(Performance.starts_at)
    ).all()
    return [
        PerformanceRow(p.id, p.approval_no, name, district, p.title, p.troupe, p.starts_at,
                       p.ends_at, p.analysis_state, p.findings_count, p.report_path)
        for p, name, district in rows
    ]

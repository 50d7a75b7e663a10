"""The evidence list: snapshots, clips and recordings this console may see, newest first.

Read on the reader pool (through a :class:`~app.live_query.LiveQuery`), never on the UI thread.

Where an evidence item belongs: to the district of its incident; without an incident, to the
district of its source's owner (a venue, or a body camera's unit). An item that belongs to no
district (a city-level unit's camera, an after-show clip) is seen by the city centre and by
the console that captured it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, false, func, or_, select
from sqlalchemy.orm import Session

from models import BodyCamera, Incident, Jurisdiction, MediaSource, Unit, Venue
from models.enums import EvidenceKind, MediaOwnerKind
from models.media import EvidenceItem

#: Rows the list shows at most (the newest).
DEFAULT_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One evidence item as the evidence list shows it."""

    id: int
    kind: EvidenceKind
    path: str
    sha256: str
    size_bytes: int
    captured_at: dt.datetime
    source_name: str
    incident_id: int | None
    incident_number: str
    district_adcode: str | None
    captured_by: str
    note: str


def load_evidence(session: Session, jurisdiction: Jurisdiction, *, console_id: str = "",
                  kinds: tuple[EvidenceKind, ...] | None = None,
                  limit: int = DEFAULT_LIMIT) -> list[EvidenceRow]:
    """Evidence items ``jurisdiction`` may see (see the module text), newest first."""
    camera = or_(BodyCamera.media_source_id == MediaSource.id,
                 and_(MediaSource.owner_kind == MediaOwnerKind.BODY_CAMERA,
                      BodyCamera.id == MediaSource.owner_id))
    district = func.coalesce(Incident.district_adcode, Venue.district_adcode,
                             Unit.district_adcode)
    stmt = (
        select(EvidenceItem, MediaSource.name, Incident.number, district)
        .outerjoin(MediaSource, MediaSource.id == EvidenceItem.media_source_id)
        .outerjoin(Incident, Incident.id == EvidenceItem.incident_id)
        .outerjoin(Venue, and_(MediaSource.owner_kind == MediaOwnerKind.VENUE,
                               Venue.id == MediaSource.owner_id))
        .outerjoin(BodyCamera, camera)
        .outerjoin(Unit, Unit.id == BodyCamera.unit_id)
        .order_by(EvidenceItem.captured_at.desc(), EvidenceItem.id.desc())
        .limit(limit)
    )
    if kinds is not None:
        stmt = stmt.where(EvidenceItem.kind.in_(kinds))
    if not jurisdiction.is_city:
        mine = (and_(district.is_(None), EvidenceItem.console_id == console_id) if console_id
                else false())
        stmt = stmt.where(or_(district == jurisdiction.adcode, mine))
    seen: set[int] = set()
    rows = []
    for item, source, number, adcode in session.execute(stmt):
        if item.id in seen:  # a source linked to two cameras
            continue
        seen.add(item.id)
        rows.append(EvidenceRow(
            item.id, item.kind, item.path, item.sha256, item.size_bytes,
            _aware(item.captured_at), source or "", item.incident_id, number or "", adcode,
            item.captured_by, item.note,
        ))
    return rows


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)

"""Which sources exist and whom they belong to: body cameras, units, venues, incidents.

Loaded off the UI thread into an immutable :class:`MediaDirectory`, so that a drop on the
wall or a click on the map finds its sources without touching the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.media.types import SourceSpec
from models import (
    Assignment,
    BodyCamera,
    Incident,
    Jurisdiction,
    MediaSource,
    Unit,
    Venue,
    scope,
)
from models.enums import AssignmentState, MediaOwnerKind

V = TypeVar("V")

#: Kinds of things that can be dropped on the wall or clicked on the map.
ENTITY_KINDS = ("camera", "venue", "unit", "source")


@dataclass(frozen=True, slots=True)
class CameraLink:
    """A body camera with the unit and source it belongs to."""

    camera_id: int
    serial: str
    unit_id: int | None
    source_id: int | None


def _frozen(d: Mapping[int, V]) -> Mapping[int, V]:
    return MappingProxyType(dict(d))


@dataclass(frozen=True, slots=True)
class MediaDirectory:
    """Sources and their owners as this console may see them."""

    sources: Mapping[int, SourceSpec] = field(default_factory=dict)
    cameras: Mapping[int, CameraLink] = field(default_factory=dict)
    unit_cameras: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    venue_sources: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    unit_names: Mapping[int, str] = field(default_factory=dict)
    venue_names: Mapping[int, str] = field(default_factory=dict)

    def sources_for(self, kind: str, entity_id: int) -> list[int]:
        """Source ids of a camera, venue, unit (its cameras) or a source itself."""
        if kind == "source":
            return [entity_id] if entity_id in self.sources else []
        if kind == "camera":
            link = self.cameras.get(entity_id)
            if link is None or link.source_id is None or link.source_id not in self.sources:
                return []
            return [link.source_id]
        if kind == "venue":
            return [s for s in self.venue_sources.get(entity_id, ()) if s in self.sources]
        if kind == "unit":
            out: list[int] = []
            for cam in self.unit_cameras.get(entity_id, ()):
                out += self.sources_for("camera", cam)
            return out
        return []

    def camera_sources(self, unit_id: int) -> list[tuple[CameraLink, int | None]]:
        """Each camera of a unit with its source id (None: no stream configured)."""
        out = []
        for cam in self.unit_cameras.get(unit_id, ()):
            link = self.cameras[cam]
            out.append((link, link.source_id if link.source_id in self.sources else None))
        return out


def load_media_directory(session: Session, jurisdiction: Jurisdiction) -> MediaDirectory:
    """Read every enabled source, body camera and key-venue link this console may see."""
    unit_names = dict(session.execute(select(Unit.id, Unit.call_sign)).all())
    cameras: dict[int, CameraLink] = {}
    unit_cameras: dict[int, list[int]] = defaultdict(list)
    for cam in session.scalars(
        scope(select(BodyCamera), BodyCamera, jurisdiction).order_by(BodyCamera.id)
    ):
        cameras[cam.id] = CameraLink(cam.id, cam.serial, cam.unit_id, cam.media_source_id)
        if cam.unit_id is not None:
            unit_cameras[cam.unit_id].append(cam.id)
    camera_of_source = {c.source_id: c for c in cameras.values() if c.source_id is not None}
    venue_names: dict[int, str] = dict(session.execute(
        scope(select(Venue.id, Venue.name)
              .join(MediaSource, (MediaSource.owner_id == Venue.id)
                    & (MediaSource.owner_kind == MediaOwnerKind.VENUE)), Venue, jurisdiction)
    ).all())
    sources: dict[int, SourceSpec] = {}
    venue_sources: dict[int, list[int]] = defaultdict(list)
    for src in session.scalars(
        select(MediaSource).where(MediaSource.enabled.is_(True)).order_by(MediaSource.id)
    ):
        if src.owner_kind is MediaOwnerKind.VENUE:
            if src.owner_id not in venue_names:
                continue
            venue_sources[src.owner_id].append(src.id)
        elif src.owner_kind is MediaOwnerKind.BODY_CAMERA:
            link = camera_of_source.get(src.id) or cameras.get(src.owner_id or -1)
            if link is None:
                continue
            if link.source_id is None:  # linked from the source side only
                cameras[link.camera_id] = CameraLink(link.camera_id, link.serial, link.unit_id,
                                                     src.id)
        sources[src.id] = SourceSpec(src.id, src.name, src.url, src.kind, src.owner_kind,
                                     src.owner_id, src.has_audio)
    return MediaDirectory(
        sources=_frozen(sources),
        cameras=_frozen(cameras),
        unit_cameras=_frozen({k: tuple(v) for k, v in unit_cameras.items()}),
        venue_sources=_frozen({k: tuple(v) for k, v in venue_sources.items()}),
        unit_names=_frozen({k: v for k, v in unit_names.items() if k in unit_cameras}),
        venue_names=_frozen(venue_names),
    )


def incident_source_ids(session: Session, incident_id: int,
                        directory: MediaDirectory) -> list[int]:
    """The cameras of the units assigned to an incident (active assignments), then its venue."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        return []
    out: list[int] = []
    for (unit_id,) in session.execute(
        select(Assignment.unit_id)
        .where(Assignment.incident_id == incident_id,
               Assignment.state == AssignmentState.ACTIVE)
        .order_by(Assignment.assigned_at)
    ):
        out += [s for s in directory.sources_for("unit", unit_id) if s not in out]
    if incident.venue_id is not None:
        out += [s for s in directory.sources_for("venue", incident.venue_id) if s not in out]
    return out

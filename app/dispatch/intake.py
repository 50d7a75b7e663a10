"""Intake: hotline complaints typed in by the dispatcher, and incidents raised automatically.

Complaints come from the 12318 culture-market hotline and the 12345 citizen hotline (or a
patrol, or a manual entry). Each is linked to a venue — searched by name, licence number or
address, or the nearest venue to a point on the map — and to a district; a district console
takes complaints for its own district only. A complaint may be merged at once into a likely
duplicate (:mod:`app.dispatch.duplicates`).

Automatic incidents come from transcript findings, radio emergencies, geofence alarms (and
vehicle SOS, raised by the tracking service). An alarm that repeats while its incident is still
open adds a timeline entry to that incident instead of opening another one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shapely.geometry import Point, shape
from shapely.prepared import prep
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.dispatch.duplicates import merge_incident
from app.dispatch.orders import default_title
from app.dispatch.records import add_event, get_incident
from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.geo.coords import haversine_m
from app.services.directory import district_names
from app.services.incidents import Actor, create_incident
from models import BEIJING_DISTRICTS, District, Incident, Jurisdiction, Unit, Venue, scope
from models.base import utcnow
from models.enums import (
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    VenueType,
)

log = logging.getLogger("app.dispatch.intake")

#: Sources a dispatcher enters by hand (the rest are raised by the system).
INTAKE_SOURCES: tuple[IncidentSource, ...] = (
    IncidentSource.HOTLINE_12318, IncidentSource.HOTLINE_12345, IncidentSource.PATROL,
    IncidentSource.MANUAL,
)

#: Priority the form proposes for a category (the dispatcher may change it).
SUGGESTED_PRIORITY: dict[IncidentCategory, IncidentPriority] = {
    IncidentCategory.GAMBLING: IncidentPriority.URGENT,
    IncidentCategory.OFFICER_EMERGENCY: IncidentPriority.URGENT,
    IncidentCategory.VEHICLE_ALARM: IncidentPriority.URGENT,
    IncidentCategory.MINORS_ADMITTED: IncidentPriority.HIGH,
    IncidentCategory.PROHIBITED_CONTENT: IncidentPriority.HIGH,
    IncidentCategory.GEOFENCE_ALARM: IncidentPriority.HIGH,
    IncidentCategory.NOISE_NUISANCE: IncidentPriority.LOW,
    IncidentCategory.INSPECTION: IncidentPriority.LOW,
}

MAX_TITLE = 200
MAX_CALLER = 40
MAX_PHONE = 20
MAX_DESCRIPTION = 4000

_PHONE_SEPARATORS = str.maketrans("", "", " -()./")


def suggested_priority(category: IncidentCategory) -> IncidentPriority:
    """The priority proposed for a new incident of ``category``."""
    return SUGGESTED_PRIORITY.get(category, IncidentPriority.NORMAL)


def normalise_phone(text: str) -> str:
    """A caller's number as digits only ('' for an anonymous caller).

    Full-width digits (from a Chinese input method), spaces, hyphens, dots and brackets are
    accepted; a +86 / 0086 country prefix is dropped.

    Raises:
        ValueError: with a readable reason when it is not a phone number.
    """
    value = unicodedata.normalize("NFKC", text).strip().translate(_PHONE_SEPARATORS)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not value:
        return ""
    if not (value.isascii() and value.isdigit()):
        raise ValueError("a phone number may contain only digits, spaces, hyphens and brackets")
    if not 5 <= len(value) <= MAX_PHONE:
        raise ValueError(f"a phone number has 5 to {MAX_PHONE} digits, got {len(value)}")
    return value


# --------------------------------------------------------------------------- venues
@dataclass(frozen=True, slots=True)
class VenueChoice:
    """A venue as the intake form offers it."""

    id: int
    name: str
    licence_no: str
    address: str
    district_adcode: str
    district_name: str
    lat: float
    lon: float
    grade: CreditGrade
    venue_type: VenueType

    def matches(self, words: Sequence[str]) -> bool:
        """Every (case-folded) word appears in the name, licence or address."""
        hay = f"{self.name} {self.licence_no} {self.address}".casefold()
        return all(w in hay for w in words)


def load_venue_choices(session: Session, jurisdiction: Jurisdiction) -> list[VenueChoice]:
    """Active venues this console may take complaints about (run on a reader thread)."""
    names = district_names(session)
    venues = session.scalars(scope(select(Venue), Venue, jurisdiction)
                             .where(Venue.active.is_(True)).order_by(Venue.name, Venue.id))
    return [VenueChoice(v.id, v.name, v.licence_no, v.address, v.district_adcode,
                        names.get(v.district_adcode, ""), v.lat, v.lon, v.grade, v.venue_type)
            for v in venues]


def search_venues(choices: Iterable[VenueChoice], text: str,
                  limit: int = 20) -> list[VenueChoice]:
    """Venues matching every word of ``text``: name matches first, then licence, then address."""
    words = [w.casefold() for w in text.split()]
    if not words:
        return []
    first = words[0]

    def rank(c: VenueChoice) -> tuple[int, str, int]:
        name = c.name.casefold()
        if name.startswith(first):
            tier = 0
        elif first in name:
            tier = 1
        elif first in c.licence_no.casefold():
            tier = 2
        else:
            tier = 3
        return tier, c.name, c.id

    return sorted((c for c in choices if c.matches(words)), key=rank)[:limit]


def nearest_venue(choices: Iterable[VenueChoice], lat: float, lon: float,
                  max_m: float = 300.0) -> VenueChoice | None:
    """The venue nearest to a map click, if one is within ``max_m`` metres."""
    best: tuple[float, int, VenueChoice] | None = None
    for c in choices:
        d = haversine_m(lat, lon, c.lat, c.lon)
        if d <= max_m and (best is None or (d, c.id) < best[:2]):
            best = (d, c.id, c)
    return None if best is None else best[2]


class DistrictLocator:
    """Which district a point is in (from the districts' outlines)."""

    def __init__(self, outlines: Iterable[tuple[str, str]]) -> None:
        """``outlines``: (adcode, GeoJSON geometry text) pairs."""
        self._shapes = [(adcode, prep(shape(json.loads(text)))) for adcode, text in outlines]

    def district_at(self, lat: float, lon: float) -> str | None:
        """The adcode of the district containing the point, or None."""
        point = Point(lon, lat)
        for adcode, geom in self._shapes:
            if geom.contains(point):
                return adcode
        return None


def load_district_locator(session: Session) -> DistrictLocator:
    """A locator over the districts in the database."""
    return DistrictLocator(session.execute(select(District.adcode, District.boundary_geojson)))


# --------------------------------------------------------------------------- complaints
@dataclass(frozen=True, slots=True)
class IntakeRequest:
    """A complaint as the dispatcher entered it.

    ``district_adcode`` is needed only without a venue; ``merge_into`` merges the new incident
    into that open incident at once (a duplicate call).
    """

    source: IncidentSource
    category: IncidentCategory
    priority: IncidentPriority
    description: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    venue_id: int | None = None
    district_adcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    title: str = ""
    merge_into: int | None = None


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """The incident created (and the number it was merged into, if it was)."""

    incident_id: int
    number: str
    district_adcode: str | None
    merged_into: str = ""


def _invalid(detail: str) -> Refusal:
    return refuse(RefusalCode.INVALID_INPUT, detail, detail=detail)


def submit_intake(session: Session, actor: Actor, jurisdiction: Jurisdiction,
                  request: IntakeRequest, *,
                  now: dt.datetime | None = None) -> IntakeResult | Refusal:
    """Create the incident of a complaint (and merge it if asked), in one transaction."""
    at = now or utcnow()
    try:
        phone = normalise_phone(request.caller_phone)
    except ValueError as exc:
        return _invalid(str(exc))
    if len(request.caller_name) > MAX_CALLER:
        return _invalid(f"caller name longer than {MAX_CALLER} characters")
    if len(request.description) > MAX_DESCRIPTION:
        return _invalid(f"description longer than {MAX_DESCRIPTION} characters")
    venue = None
    district = request.district_adcode
    if request.venue_id is not None:
        venue = session.get(Venue, request.venue_id)
        if venue is None:
            return refuse(RefusalCode.VENUE_NOT_FOUND, f"no venue {request.venue_id}")
        district = venue.district_adcode
    elif district is None:
        district = jurisdiction.adcode
    if district is not None and district not in BEIJING_DISTRICTS:
        return refuse(RefusalCode.INVALID_DISTRICT, f"unknown district {district}",
                      district=district)
    if not jurisdiction.covers(district):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"a complaint in {district} is outside {jurisdiction}")
    if request.merge_into is not None:  # check before writing anything
        target = get_incident(session, jurisdiction, request.merge_into)
        if isinstance(target, Refusal):
            return target
    title = (request.title.strip()
             or default_title(request.category, venue.name if venue else ""))[:MAX_TITLE]
    incident = create_incident(
        session, actor, source=request.source, category=request.category,
        priority=request.priority, title=title, description=request.description.strip(),
        venue=venue, district_adcode=district, lat=request.lat, lon=request.lon,
        address=request.address.strip(), caller_name=request.caller_name.strip(),
        caller_phone=phone, reported_at=at,
    )
    session.flush()
    merged = ""
    if request.merge_into is not None:
        result = merge_incident(session, actor, jurisdiction, incident.id, request.merge_into,
                                now=at)
        if isinstance(result, Refusal):  # pragma: no cover - checked above
            raise RuntimeError(f"merge refused after the checks passed: {result}")
        merged = result.into_number
    return IntakeResult(incident.id, incident.number, incident.district_adcode, merged)


# --------------------------------------------------------------------------- automatic
@dataclass(frozen=True, slots=True)
class AutoIncident:
    """An incident raised by the system (``created`` False: an open one was repeated)."""

    incident_id: int
    number: str
    created: bool


def raise_auto_incident(
    session: Session, actor: Actor, *, source: IncidentSource, category: IncidentCategory,
    priority: IncidentPriority, title: str, description: str = "", venue: Venue | None = None,
    district_adcode: str | None = None, lat: float | None = None, lon: float | None = None,
    repeat_minutes: float = 30.0, now: dt.datetime | None = None,
) -> AutoIncident:
    """Raise an incident, or note a repeat on the open one of the same source and subject.

    The subject is the venue when there is one, else the title.
    """
    at = now or utcnow()
    since = at - dt.timedelta(minutes=repeat_minutes)
    stmt = select(Incident).where(
        Incident.source == source,
        Incident.status.in_([s for s in IncidentStatus if s.is_open]),
        Incident.reported_at >= since,
    )
    stmt = stmt.where(Incident.venue_id == venue.id) if venue is not None else stmt.where(
        Incident.title == title[:MAX_TITLE])
    existing = session.scalars(stmt.order_by(Incident.reported_at.desc()).limit(1)).first()
    if existing is not None:
        add_event(session, existing, "repeated", at, actor, description or title)
        return AutoIncident(existing.id, existing.number, False)
    incident = create_incident(
        session, actor, source=source, category=category, priority=priority,
        title=title[:MAX_TITLE], description=description, venue=venue,
        district_adcode=district_adcode, lat=lat, lon=lon, reported_at=at,
    )
    log.info("incident %s raised automatically (%s): %s", incident.number, source.value, title,
             extra={"event": "auto_incident", "incident": incident.number,
                    "source": source.value})
    return AutoIncident(incident.id, incident.number, True)


def incident_from_finding(session: Session, actor: Actor, *, venue_id: int, summary: str,
                          detail: str = "",
                          category: IncidentCategory = IncidentCategory.PROHIBITED_CONTENT,
                          priority: IncidentPriority = IncidentPriority.HIGH,
                          now: dt.datetime | None = None) -> AutoIncident | Refusal:
    """An incident from a transcript finding at a venue (e.g. prohibited content on stage)."""
    venue = session.get(Venue, venue_id)
    if venue is None:
        return refuse(RefusalCode.VENUE_NOT_FOUND, f"no venue {venue_id}")
    return raise_auto_incident(
        session, actor, source=IncidentSource.TRANSCRIPT_FINDING, category=category,
        priority=priority, title=f"演出内容监测发现：{summary}（{venue.name}）",
        description=detail or summary, venue=venue, now=now,
    )


def incident_from_geofence(session: Session, actor: Actor, *, unit_id: int, fence_name: str,
                           transition: str, lat: float, lon: float,
                           now: dt.datetime | None = None) -> AutoIncident | Refusal:
    """An incident from a geofence alarm of a unit (``transition``: e.g. 驶出 or 进入)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        return refuse(RefusalCode.UNIT_NOT_FOUND, f"no unit {unit_id}")
    return raise_auto_incident(
        session, actor, source=IncidentSource.GEOFENCE,
        category=IncidentCategory.GEOFENCE_ALARM, priority=IncidentPriority.HIGH,
        title=f"电子围栏报警 {unit.call_sign} {transition}{fence_name}",
        description=f"{unit.call_sign}{transition}{fence_name}（{lat:.5f}, {lon:.5f}）",
        district_adcode=unit.district_adcode, lat=lat, lon=lon, now=now,
    )


def raise_unit_emergency(session: Session, actor: Actor, unit: Unit, at: dt.datetime,
                         source: str) -> AutoIncident:
    """An urgent incident for a unit that signalled an emergency (at its last position)."""
    how = "电台紧急状态" if source == "radio" else "紧急状态"
    return raise_auto_incident(
        session, actor, source=IncidentSource.RADIO_EMERGENCY,
        category=IncidentCategory.OFFICER_EMERGENCY, priority=IncidentPriority.URGENT,
        title=f"执法人员紧急求助 {unit.call_sign}",
        description=f"{unit.call_sign} 发出{how}，请立即联系并组织支援。",
        district_adcode=unit.district_adcode, lat=unit.last_lat, lon=unit.last_lon,
        repeat_minutes=5.0, now=at,
    )

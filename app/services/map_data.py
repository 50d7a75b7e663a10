"""What the one map shows that changes slowly: district outlines, venues, officers' names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import District, Jurisdiction, Officer, Unit, Venue, scope


@dataclass(frozen=True, slots=True)
class MapStatic:
    """Districts as a GeoJSON FeatureCollection, venue records and officer names, all within
    the console's jurisdiction (the district outlines excepted: every district is drawn)."""

    districts_geojson: str
    jurisdiction_adcode: str | None
    venues: list[dict[str, Any]]
    officers: dict[int, dict[str, Any]]


def load_map_static(session: Session, jurisdiction: Jurisdiction) -> list[MapStatic]:
    """The map's slow-changing layers (a one-element list, the LiveQuery row convention)."""
    districts = session.scalars(select(District).order_by(District.adcode)).all()
    names = {d.adcode: d.name for d in districts}
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"adcode": d.adcode, "name": d.name},
             "geometry": json.loads(d.boundary_geojson)}
            for d in districts
        ],
    }
    venues = [
        {"id": v.id, "name": v.name, "licence_no": v.licence_no,
         "venue_type": v.venue_type.value, "venue_class": v.venue_class.value,
         "grade": v.grade.value, "lat": v.lat, "lon": v.lon, "address": v.address,
         "district": names.get(v.district_adcode, "")}
        for v in session.scalars(scope(select(Venue), Venue, jurisdiction)
                                 .where(Venue.active.is_(True)))
    ]
    officers: dict[int, dict[str, Any]] = {}
    for officer_id, name, call_sign, status in session.execute(
        scope(select(Officer.id, Officer.name, Unit.call_sign, Unit.status)
              .join(Unit, Unit.id == Officer.unit_id, isouter=True), Officer, jurisdiction)
    ).all():
        # the map names an officer "name call sign" (never by id)
        officers[officer_id] = {"name": name, "unit": call_sign or "",
                                "call_sign": call_sign or "",
                                "label": " ".join(p for p in (name, call_sign) if p),
                                "status": status.value if status is not None else "off_duty"}
    return [MapStatic(json.dumps(collection, ensure_ascii=False, separators=(",", ":")),
                      jurisdiction.adcode, venues, officers)]

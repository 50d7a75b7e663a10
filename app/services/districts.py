"""Importing official district boundaries (from the surveying authority's file)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy.orm import Session

from app.services.incidents import Actor, record_audit
from models import BEIJING_DISTRICTS, District


class BoundaryFileError(ValueError):
    """The boundary file cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class BoundaryImport:
    """What an import changed."""

    updated: list[str]
    added: list[str]


def read_boundaries(path: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """Validate a GeoJSON FeatureCollection of districts: (adcode, name, geometry) each.

    Every feature needs ``properties.adcode`` (a Beijing district) and ``properties.name`` and
    a valid Polygon/MultiPolygon in WGS-84 lon/lat.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryFileError(f"{path}: not a readable GeoJSON file: {exc}") from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryFileError(f"{path}: expected a GeoJSON FeatureCollection")
    out: list[tuple[str, str, dict[str, Any]]] = []
    problems: list[str] = []
    for n, feature in enumerate(data.get("features") or [], 1):
        props = (feature or {}).get("properties") or {}
        adcode = str(props.get("adcode", "")).strip()
        name = str(props.get("name", "")).strip()
        geometry = (feature or {}).get("geometry") or {}
        if adcode not in BEIJING_DISTRICTS:
            problems.append(f"feature {n}: adcode {adcode!r} is not a Beijing district")
            continue
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"feature {n} ({adcode}): geometry must be a Polygon or "
                            "MultiPolygon")
            continue
        try:
            geom = shape(geometry)
        except Exception as exc:  # shapely raises several types for broken coordinates
            problems.append(f"feature {n} ({adcode}): unreadable coordinates: {exc}")
            continue
        if not geom.is_valid:
            problems.append(f"feature {n} ({adcode}): invalid outline: {explain_validity(geom)}")
            continue
        minx, miny, maxx, maxy = geom.bounds
        if not (minx > 115.0 and maxx < 118.0 and miny > 39.0 and maxy < 41.5):
            problems.append(f"feature {n} ({adcode}): outside Beijing — is it WGS-84 lon/lat?")
            continue
        out.append((adcode, name or BEIJING_DISTRICTS[adcode], geometry))
    if problems:
        raise BoundaryFileError(f"{path}:\n  " + "\n  ".join(problems))
    if not out:
        raise BoundaryFileError(f"{path}: no district features")
    return out


def import_boundaries(session: Session, path: Path, actor: Actor) -> BoundaryImport:
    """Replace the outlines of the districts in ``path`` (one transaction, audited)."""
    rows = read_boundaries(path)
    updated: list[str] = []
    added: list[str] = []
    for adcode, name, geometry in rows:
        point = shape(geometry).representative_point()
        district = session.get(District, adcode)
        if district is None:
            district = District(adcode=adcode)
            session.add(district)
            added.append(adcode)
        else:
            updated.append(adcode)
        district.name = name
        district.boundary_geojson = json.dumps(geometry, separators=(",", ":"))
        district.centroid_lat, district.centroid_lon = point.y, point.x
        district.boundary_source = path.name[:200]
    record_audit(session, actor, "districts.import", "district", ",".join(updated + added),
                 file=str(path))
    return BoundaryImport(updated, added)

"""Geofences: polygons and circles in WGS-84; an engine turns fixes into enter/leave events.

Pure Python, no Qt, no I/O. Typical use (on a worker thread, fed by the tracking service)::

    engine = GeofenceEngine(hysteresis_m=15)
    engine.set_fences([fence_from_geojson(drawn_feature, fence_id="f1"),
                       *venue_alert_zones(venues)])
    for event in engine.update("unit-7", 39.91, 116.40, t=1_700_000_000.0):
        raise_alarm(event)          # event.transition is ENTER or LEAVE

Semantics:

* A unit's first fix establishes where it is; it produces ENTER events only when the engine was
  built with ``report_initial=True`` (a console that starts up should not alarm on every unit
  that happens to stand in a zone).
* ``hysteresis_m`` keeps a unit that jitters along a boundary from flapping: it enters when its
  fix is inside, and leaves only when the fix is more than ``hysteresis_m`` metres outside.
* Fixes older than the unit's last accepted fix are ignored (late, out-of-order reports).
* Removing or replacing fences produces no events; the next fix of each unit is judged against
  the fences as they are then.

Lookups use a uniform grid (``cell_deg``) so that thousands of venue zones cost a few candidate
tests per fix rather than one test per fence.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from app.geo.coords import EARTH_RADIUS_M, haversine_m

LatLon = tuple[float, float]
Ring = tuple[LatLon, ...]

_M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180.0
_LARGE_FENCE_CELLS = 4096


class Severity(enum.IntEnum):
    """How loud an alarm of a fence is; venue zones take it from the venue's grade."""

    INFO = 0
    NOTICE = 1
    WARNING = 2
    CRITICAL = 3


class Transition(enum.StrEnum):
    """Direction of a boundary crossing."""

    ENTER = "enter"
    LEAVE = "leave"


def _check_lat_lon(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise ValueError(f"coordinates must be finite numbers, got ({lat!r}, {lon!r})")
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise ValueError(f"coordinates out of range: lat {lat!r}, lon {lon!r}")


@dataclass(frozen=True, slots=True)
class CircleFence:
    """A circle of ``radius_m`` metres around (lat, lon), WGS-84."""

    id: str
    lat: float
    lon: float
    radius_m: float
    name: str = ""
    severity: Severity = Severity.WARNING

    def __post_init__(self) -> None:
        _check_lat_lon(self.lat, self.lon)
        if not (math.isfinite(self.radius_m) and self.radius_m > 0):
            raise ValueError(f"circle radius must be a positive number of metres, got "
                             f"{self.radius_m!r}")

    def bbox(self, margin_m: float = 0.0) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon) enclosing the circle grown by ``margin_m``."""
        r = self.radius_m + margin_m
        dlat = r / _M_PER_DEG_LAT
        dlon = r / (_M_PER_DEG_LAT * max(math.cos(math.radians(self.lat)), 1e-6))
        return self.lat - dlat, self.lon - dlon, self.lat + dlat, self.lon + dlon

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """Whether the point is inside the circle grown by ``margin_m`` metres."""
        return haversine_m(self.lat, self.lon, lat, lon) <= self.radius_m + margin_m


@dataclass(frozen=True, slots=True)
class PolygonFence:
    """A polygon: an outer ring of (lat, lon) vertices, WGS-84, and optional holes.

    Rings are stored open (the closing vertex of GeoJSON is dropped); at least 3 vertices.
    """

    id: str
    ring: Ring
    holes: tuple[Ring, ...] = ()
    name: str = ""
    severity: Severity = Severity.WARNING
    _bbox: tuple[float, float, float, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for r in (self.ring, *self.holes):
            if len(r) < 3:
                raise ValueError(f"a polygon ring needs at least 3 vertices, got {len(r)}")
            for lat, lon in r:
                _check_lat_lon(lat, lon)
        lats = [p[0] for p in self.ring]
        lons = [p[1] for p in self.ring]
        object.__setattr__(self, "_bbox", (min(lats), min(lons), max(lats), max(lons)))

    def bbox(self, margin_m: float = 0.0) -> tuple[float, float, float, float]:
        """(min_lat, min_lon, max_lat, max_lon) of the outer ring grown by ``margin_m``."""
        s, w, n, e = self._bbox
        dlat = margin_m / _M_PER_DEG_LAT
        dlon = margin_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(max(abs(s), abs(n)))),
                                                1e-6))
        return s - dlat, w - dlon, n + dlat, e + dlon

    def contains(self, lat: float, lon: float, margin_m: float = 0.0) -> bool:
        """Whether the point is inside, or within ``margin_m`` metres of the boundary."""
        s, w, n, e = self.bbox(margin_m)
        if not (s <= lat <= n and w <= lon <= e):
            return False
        if _in_ring(self.ring, lat, lon) and not any(_in_ring(h, lat, lon) for h in self.holes):
            return True
        if margin_m <= 0.0:
            return False
        return any(_ring_distance_m(r, lat, lon) <= margin_m for r in (self.ring, *self.holes))


Fence = CircleFence | PolygonFence


def _in_ring(ring: Ring, lat: float, lon: float) -> bool:
    """Even-odd ray casting in the lon/lat plane (fine for fences a few km across)."""
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        yi, xi = ring[i]
        yj, xj = ring[j]
        if (yi > lat) != (yj > lat):
            x_cross = xi + (lat - yi) * (xj - xi) / (yj - yi)
            if lon < x_cross:
                inside = not inside
        j = i
    return inside


def _ring_distance_m(ring: Ring, lat: float, lon: float) -> float:
    """Distance in metres from the point to the nearest edge of ``ring`` (local projection)."""
    kx = _M_PER_DEG_LAT * math.cos(math.radians(lat))
    ky = _M_PER_DEG_LAT
    best = math.inf
    n = len(ring)
    for i in range(n):
        a_lat, a_lon = ring[i]
        b_lat, b_lon = ring[(i + 1) % n]
        ax, ay = (a_lon - lon) * kx, (a_lat - lat) * ky
        bx, by = (b_lon - lon) * kx, (b_lat - lat) * ky
        dx, dy = bx - ax, by - ay
        seg2 = dx * dx + dy * dy
        u = 0.0 if seg2 == 0.0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / seg2))
        px, py = ax + u * dx, ay + u * dy
        best = min(best, math.hypot(px, py))
    return best


@dataclass(frozen=True, slots=True)
class GeofenceEvent:
    """A unit crossed a fence boundary."""

    transition: Transition
    fence_id: str
    unit_id: str
    t: float
    lat: float
    lon: float
    severity: Severity
    fence_name: str = ""


@dataclass(slots=True)
class _UnitState:
    t: float
    inside: set[str]


class GeofenceEngine:
    """Tracks which fences each unit is inside and reports crossings.

    Not thread-safe: feed it from one thread (the tracking worker).
    """

    def __init__(
        self,
        fences: Iterable[Fence] = (),
        *,
        hysteresis_m: float = 0.0,
        report_initial: bool = False,
        cell_deg: float = 0.01,
    ) -> None:
        if hysteresis_m < 0 or not math.isfinite(hysteresis_m):
            raise ValueError("hysteresis_m must be a non-negative number of metres")
        if cell_deg <= 0:
            raise ValueError("cell_deg must be positive")
        self._hysteresis = float(hysteresis_m)
        self._report_initial = report_initial
        self._cell = float(cell_deg)
        self._fences: dict[str, Fence] = {}
        self._cells: dict[tuple[int, int], set[str]] = {}
        self._fence_cells: dict[str, list[tuple[int, int]]] = {}
        self._large: set[str] = set()
        self._units: dict[str, _UnitState] = {}
        for f in fences:
            self.add_fence(f)

    # ------------------------------------------------------------------ fences
    @property
    def fences(self) -> Mapping[str, Fence]:
        """The fences by id (read-only view)."""
        return MappingProxyType(self._fences)

    def set_fences(self, fences: Iterable[Fence]) -> None:
        """Replace every fence. Units keep their inside-state for fences whose id remains."""
        new = {f.id: f for f in fences}
        for fid in list(self._fences):
            if fid not in new:
                self.remove_fence(fid)
        for f in new.values():
            self.add_fence(f)

    def add_fence(self, fence: Fence) -> None:
        """Add a fence, or replace the fence with the same id."""
        if fence.id in self._fences:
            self._unindex(fence.id)
        self._fences[fence.id] = fence
        s, w, n, e = fence.bbox(self._hysteresis)
        r0, r1 = self._row(s), self._row(n)
        c0, c1 = self._col(w), self._col(e)
        if (r1 - r0 + 1) * (c1 - c0 + 1) > _LARGE_FENCE_CELLS:
            self._large.add(fence.id)
            return
        keys = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
        for key in keys:
            self._cells.setdefault(key, set()).add(fence.id)
        self._fence_cells[fence.id] = keys

    def remove_fence(self, fence_id: str) -> None:
        """Remove a fence (no events); unknown ids are ignored."""
        if fence_id not in self._fences:
            return
        self._unindex(fence_id)
        del self._fences[fence_id]
        for state in self._units.values():
            state.inside.discard(fence_id)

    def _unindex(self, fence_id: str) -> None:
        self._large.discard(fence_id)
        for key in self._fence_cells.pop(fence_id, ()):
            ids = self._cells.get(key)
            if ids is not None:
                ids.discard(fence_id)
                if not ids:
                    del self._cells[key]

    def _row(self, lat: float) -> int:
        return math.floor(lat / self._cell)

    def _col(self, lon: float) -> int:
        return math.floor(lon / self._cell)

    # ------------------------------------------------------------------ units
    def update(self, unit_id: str, lat: float, lon: float, t: float) -> list[GeofenceEvent]:
        """Feed one fix; return the crossings it causes (LEAVE events first, each by fence id).

        Raises:
            ValueError: for non-finite or out-of-range coordinates (the fix is not applied).
        """
        _check_lat_lon(lat, lon)
        state = self._units.get(unit_id)
        first = state is None
        if state is None:
            state = _UnitState(t=t, inside=set())
            self._units[unit_id] = state
        elif t < state.t:
            return []
        state.t = t
        candidates = set(self._cells.get((self._row(lat), self._col(lon)), ()))
        candidates |= self._large
        candidates |= state.inside
        entered: list[str] = []
        left: list[str] = []
        for fid in candidates:
            fence = self._fences[fid]
            if fid in state.inside:
                if not fence.contains(lat, lon, self._hysteresis):
                    left.append(fid)
            elif fence.contains(lat, lon):
                entered.append(fid)
        state.inside.difference_update(left)
        state.inside.update(entered)
        if first and not self._report_initial:
            return []
        events = [self._event(Transition.LEAVE, fid, unit_id, t, lat, lon) for fid in sorted(left)]
        events += [self._event(Transition.ENTER, fid, unit_id, t, lat, lon)
                   for fid in sorted(entered)]
        return events

    def update_many(self, fixes: Iterable[tuple[str, float, float, float]]) -> list[GeofenceEvent]:
        """Feed (unit_id, lat, lon, t) fixes in order; return all their events in order."""
        out: list[GeofenceEvent] = []
        for unit_id, lat, lon, t in fixes:
            out.extend(self.update(unit_id, lat, lon, t))
        return out

    def _event(self, transition: Transition, fid: str, unit_id: str, t: float, lat: float,
               lon: float) -> GeofenceEvent:
        fence = self._fences[fid]
        return GeofenceEvent(transition, fid, unit_id, t, lat, lon, fence.severity, fence.name)

    def inside(self, unit_id: str) -> frozenset[str]:
        """The fences the unit is inside now."""
        state = self._units.get(unit_id)
        return frozenset(state.inside) if state else frozenset()

    def units_inside(self, fence_id: str) -> frozenset[str]:
        """The units inside a fence now."""
        return frozenset(u for u, s in self._units.items() if fence_id in s.inside)

    def forget_unit(self, unit_id: str) -> None:
        """Drop a unit's state (it went off duty); its next fix counts as a first fix."""
        self._units.pop(unit_id, None)


# ---------------------------------------------------------------------- venue alert zones
@dataclass(frozen=True, slots=True)
class ZoneRule:
    """Radius and severity of the alert zone around a venue of one grade."""

    radius_m: float
    severity: Severity


#: Default alert zones by credit grade: the worse the grade, the wider and louder the zone.
DEFAULT_VENUE_ZONES: Mapping[str, ZoneRule] = MappingProxyType({
    "A": ZoneRule(100.0, Severity.INFO),
    "B": ZoneRule(150.0, Severity.NOTICE),
    "C": ZoneRule(200.0, Severity.WARNING),
    "D": ZoneRule(300.0, Severity.CRITICAL),
})

VENUE_ZONE_PREFIX = "venue:"


def venue_alert_zone(
    venue_id: str,
    lat: float,
    lon: float,
    grade: str,
    *,
    name: str = "",
    rules: Mapping[str, ZoneRule] = DEFAULT_VENUE_ZONES,
) -> CircleFence:
    """The alert zone around one venue; its fence id is ``"venue:" + venue_id``.

    Raises:
        ValueError: for a grade that ``rules`` does not know.
    """
    rule = rules.get(grade.upper())
    if rule is None:
        raise ValueError(f"unknown venue grade {grade!r} (expected one of {', '.join(rules)})")
    return CircleFence(VENUE_ZONE_PREFIX + venue_id, lat, lon, rule.radius_m, name, rule.severity)


def venue_alert_zones(
    venues: Iterable[tuple[str, float, float, str, str]],
    *,
    rules: Mapping[str, ZoneRule] = DEFAULT_VENUE_ZONES,
) -> list[CircleFence]:
    """Alert zones for (venue_id, lat, lon, grade, name) rows; grades missing from ``rules``
    (for example a policy that puts no zone round grade A) are skipped."""
    return [venue_alert_zone(v, lat, lon, g, name=n, rules=rules)
            for v, lat, lon, g, n in venues if g.upper() in rules]


# ---------------------------------------------------------------------- GeoJSON
def fence_from_geojson(feature: Mapping[str, Any] | str, *, fence_id: str | None = None,
                       name: str | None = None, severity: Severity | None = None) -> Fence:
    """Build a fence from a GeoJSON Feature (or its text), as the map's drawing tools emit it.

    A Polygon geometry becomes a :class:`PolygonFence`; a Point with ``properties.radius_m``
    becomes a :class:`CircleFence`. ``id``, ``name`` and ``severity`` come from the arguments,
    else from the feature's ``id`` / ``properties``.

    Raises:
        ValueError: for anything else, with the reason.
    """
    if isinstance(feature, str):
        try:
            feature = json.loads(feature)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid GeoJSON text: {exc}") from exc
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise ValueError("expected a GeoJSON Feature")
    props = feature.get("properties") or {}
    geom = feature.get("geometry") or {}
    if not isinstance(props, Mapping) or not isinstance(geom, Mapping):
        raise ValueError("a Feature's properties and geometry must be objects")
    fid = fence_id if fence_id is not None else str(feature.get("id", props.get("id", "")))
    if not fid:
        raise ValueError("the fence has no id (pass fence_id=)")
    fname = name if name is not None else str(props.get("name", ""))
    sev = severity if severity is not None else Severity(int(props.get("severity",
                                                                        Severity.WARNING)))
    gtype = geom.get("type")
    coords = geom.get("coordinates")
    try:
        if gtype == "Point":
            radius = float(props.get("radius_m", "nan"))
            lon, lat = float(coords[0]), float(coords[1])  # type: ignore[index]
            return CircleFence(fid, lat, lon, radius, fname, sev)
        if gtype == "Polygon":
            rings = [_ring_from_lonlat(r) for r in coords]  # type: ignore[union-attr]
            if not rings:
                raise ValueError("a Polygon needs an outer ring")
            return PolygonFence(fid, rings[0], tuple(rings[1:]), fname, sev)
    except (TypeError, IndexError, KeyError) as exc:
        raise ValueError(f"malformed {gtype} coordinates: {exc}") from exc
    raise ValueError(f"a fence must be a Polygon or a Point with radius_m, not {gtype!r}")


def _ring_from_lonlat(coords: Sequence[Sequence[float]]) -> Ring:
    pts = [(float(c[1]), float(c[0])) for c in coords]
    if len(pts) > 1 and pts[0] == pts[-1]:
        pts.pop()
    return tuple(pts)


def fence_to_geojson(fence: Fence) -> dict[str, Any]:
    """The fence as a GeoJSON Feature (WGS-84, [lon, lat]); inverse of fence_from_geojson."""
    props: dict[str, Any] = {"name": fence.name, "severity": int(fence.severity)}
    geometry: dict[str, Any]
    if isinstance(fence, CircleFence):
        props["shape"] = "circle"
        props["radius_m"] = fence.radius_m
        geometry = {"type": "Point", "coordinates": [fence.lon, fence.lat]}
    else:
        rings = [[[lon, lat] for lat, lon in (*r, r[0])] for r in (fence.ring, *fence.holes)]
        props["shape"] = "polygon"
        geometry = {"type": "Polygon", "coordinates": rings}
    return {"type": "Feature", "id": fence.id, "properties": props, "geometry": geometry}


def fences_to_geojson(fences: Iterable[Fence]) -> dict[str, Any]:
    """A FeatureCollection of fences (what :meth:`widgets.map.MapView.set_fences` draws)."""
    return {"type": "FeatureCollection", "features": [fence_to_geojson(f) for f in fences]}

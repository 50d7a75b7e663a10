"""Which unit to send: available units ranked by estimated time of arrival.

ETA = straight-line distance × detour factor ÷ speed at this time of day (Beijing local hour).
The detour factor and the hourly speeds are calibrated from the fleet's own position history
(:func:`calibrate`): the fixes of each unit are cut into windows of about ten minutes; in a
window where the unit was moving, the path length along its fixes divided by the straight line
between the window's ends is the detour it had to drive, and path length over elapsed time is
its road speed. Hours with too few windows follow the default profile, scaled to the fleet.

Ranking (:func:`rank_units`) keeps only units the incident may get: available units, and units
clearing their last job (they can take a new one, transition clearing → dispatched) after them.
Jurisdiction (:func:`unit_may_serve`): a district's incident gets that district's units and the
city corps (units with no district, which only the city console sees and may dispatch); units
of other districts only once the incident is escalated. An incident with no district may get
any unit. So a district console is offered only its own units unless the incident goes up to
the city, and the city console may send its city-corps units to any district.
Within a tier the shortest ETA wins; equal ETAs go to the unit with less work today,
then by call sign, so the order is always the same for the same data. Units without a known
position come last in their tier. Each row carries the reason: distance, ETA, status,
today's workload and how old the position is.

The units left out are listed too (:func:`excluded_units`), each with why
(:class:`Exclusion`): its status (off duty, out of service, busy with another job, emergency)
or its jurisdiction (another district, the incident not escalated; only the nearest few free
ones of other districts, the rest are noise). The dispatcher sees them greyed out and cannot
assign them.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.geo.coords import haversine_m
from models import Assignment, Incident, Jurisdiction, PositionFix, Unit, scope
from models.base import utcnow
from models.enums import AssignmentState, UnitStatus

log = logging.getLogger("app.dispatch.recommend")

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Default road speeds (km/h) by Beijing local hour: free at night, slow in the rush hours.
DEFAULT_SPEEDS_KMH: tuple[float, ...] = (
    40, 40, 40, 40, 40, 38,  # 00–05
    30, 18, 18, 20, 24, 24,  # 06–11
    24, 24, 24, 24, 22, 16,  # 12–17
    16, 18, 26, 30, 35, 38,  # 18–23
)
DEFAULT_DETOUR = 1.4

MIN_SPEED_KMH = 5.0
MAX_SPEED_KMH = 80.0
MIN_DETOUR = 1.0
MAX_DETOUR = 3.0

#: Statuses a recommendation may offer, in tier order.
ELIGIBLE_STATUSES: tuple[UnitStatus, ...] = (UnitStatus.AVAILABLE, UnitStatus.CLEARING)

#: Free units of other districts listed (greyed) for a non-escalated incident, nearest first.
MAX_OTHER_DISTRICT_LISTED = 5


class Exclusion(enum.StrEnum):
    """Why a unit is not offered for an incident (shown greyed, with the reason)."""

    #: its status does not allow a new job (off duty, out of service, busy, emergency)
    STATUS = "status"
    #: it belongs to another district and the incident is not escalated
    OTHER_DISTRICT = "other_district"


@dataclass(frozen=True, slots=True)
class EtaModel:
    """Detour factor and hourly speeds used to turn distance into time.

    Attributes:
        detour_factor: road distance ÷ straight-line distance.
        speeds_kmh: 24 road speeds, one per Beijing local hour.
        windows: moving windows the calibration used (0: defaults).
    """

    detour_factor: float = DEFAULT_DETOUR
    speeds_kmh: tuple[float, ...] = DEFAULT_SPEEDS_KMH
    windows: int = 0

    def __post_init__(self) -> None:
        if len(self.speeds_kmh) != 24:
            raise ValueError("speeds_kmh needs 24 hourly values")

    @property
    def calibrated(self) -> bool:
        """Whether the model comes from the fleet's history (not the defaults)."""
        return self.windows > 0

    def speed_at(self, when: dt.datetime) -> float:
        """Road speed (km/h) at ``when`` (an aware datetime)."""
        return self.speeds_kmh[when.astimezone(SHANGHAI).hour]

    def road_km(self, straight_km: float) -> float:
        """Estimated road distance for a straight-line distance."""
        return straight_km * self.detour_factor

    def eta_minutes(self, straight_km: float, when: dt.datetime) -> float:
        """Minutes to drive a straight-line distance, leaving at ``when``."""
        return self.road_km(straight_km) / self.speed_at(when) * 60.0


DEFAULT_MODEL = EtaModel()


# --------------------------------------------------------------------------- calibration
TrackFix = tuple[dt.datetime, float, float]


@dataclass(slots=True)
class _Window:
    start: dt.datetime
    lat0: float
    lon0: float
    lat1: float = 0.0
    lon1: float = 0.0
    path_m: float = 0.0
    elapsed_s: float = 0.0


@dataclass(frozen=True, slots=True)
class CalibrationLimits:
    """How fixes are cut into windows and which windows count."""

    window_s: float = 600.0
    min_window_s: float = 120.0
    max_gap_s: float = 300.0
    max_pair_speed_kmh: float = 150.0
    min_moving_kmh: float = 5.0
    min_straight_m: float = 500.0
    min_windows: int = 12
    min_windows_per_hour: int = 4


def _valid(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _windows(fixes: Iterable[TrackFix], limits: CalibrationLimits) -> list[_Window]:
    ordered = sorted(
        ((t, la, lo) for t, la, lo in fixes if t.tzinfo is not None and _valid(la, lo)),
        key=lambda f: f[0],
    )
    out: list[_Window] = []
    cur: _Window | None = None
    prev: TrackFix | None = None

    def close() -> None:
        if cur is not None and cur.elapsed_s >= limits.min_window_s:
            out.append(cur)

    for fix in ordered:
        if prev is None:
            cur = _Window(fix[0], fix[1], fix[2], fix[1], fix[2])
            prev = fix
            continue
        gap = (fix[0] - prev[0]).total_seconds()
        if gap <= 0:
            continue  # duplicate time stamp: keep the first
        step = haversine_m(prev[1], prev[2], fix[1], fix[2])
        if gap > limits.max_gap_s or step / gap * 3.6 > limits.max_pair_speed_kmh:
            close()  # a gap or a jump: start afresh from this fix
            cur = _Window(fix[0], fix[1], fix[2], fix[1], fix[2])
            prev = fix
            continue
        assert cur is not None
        cur.path_m += step
        cur.elapsed_s += gap
        cur.lat1, cur.lon1 = fix[1], fix[2]
        prev = fix
        if cur.elapsed_s >= limits.window_s:
            close()
            cur = _Window(fix[0], fix[1], fix[2], fix[1], fix[2])
    close()
    return out


def _clamp(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def calibrate(
    tracks: Iterable[Iterable[TrackFix]],
    *,
    base: EtaModel = DEFAULT_MODEL,
    limits: CalibrationLimits | None = None,
) -> EtaModel:
    """Fit detour factor and hourly speeds to position histories (one track per unit).

    Bad fixes (non-finite or out-of-range coordinates, naive times, duplicates, jumps faster
    than a car) are skipped. With too little movement the ``base`` model is returned.
    """
    limits = limits or CalibrationLimits()
    moving: list[_Window] = []
    for fixes in tracks:
        for w in _windows(fixes, limits):
            if w.path_m / w.elapsed_s * 3.6 >= limits.min_moving_kmh:
                moving.append(w)
    if len(moving) < limits.min_windows:
        return base
    long_ = [(w.path_m, haversine_m(w.lat0, w.lon0, w.lat1, w.lon1)) for w in moving]
    long_ = [(p, s) for p, s in long_ if s >= limits.min_straight_m]
    detour = base.detour_factor
    if len(long_) >= limits.min_windows:
        detour = _clamp(sum(p for p, _ in long_) / sum(s for _, s in long_), MIN_DETOUR,
                        MAX_DETOUR)
    by_hour: dict[int, list[_Window]] = defaultdict(list)
    for w in moving:
        by_hour[w.start.astimezone(SHANGHAI).hour].append(w)
    total_path = sum(w.path_m for w in moving)
    total_time = sum(w.elapsed_s for w in moving)
    measured = total_path / total_time * 3.6
    expected = sum(base.speeds_kmh[w.start.astimezone(SHANGHAI).hour] * w.elapsed_s
                   for w in moving) / total_time
    scale = measured / expected
    speeds = []
    for hour in range(24):
        ws = by_hour.get(hour, [])
        if len(ws) >= limits.min_windows_per_hour:
            speed = sum(w.path_m for w in ws) / sum(w.elapsed_s for w in ws) * 3.6
        else:
            speed = base.speeds_kmh[hour] * scale
        speeds.append(round(_clamp(speed, MIN_SPEED_KMH, MAX_SPEED_KMH), 2))
    model = EtaModel(round(detour, 3), tuple(speeds), len(moving))
    log.info("ETA model calibrated from %d moving windows: detour %.2f, speeds %s",
             len(moving), model.detour_factor, model.speeds_kmh)
    return model


def load_tracks(session: Session, since: dt.datetime, until: dt.datetime,
                max_fixes: int = 500_000) -> dict[int, list[TrackFix]]:
    """Position fixes per unit between ``since`` and ``until`` (newest ``max_fixes``)."""
    rows = session.execute(
        select(PositionFix.unit_id, PositionFix.ts, PositionFix.lat, PositionFix.lon)
        .where(PositionFix.unit_id.is_not(None), PositionFix.ts >= since, PositionFix.ts < until)
        .order_by(PositionFix.ts.desc())
        .limit(max_fixes)
    )
    tracks: dict[int, list[TrackFix]] = defaultdict(list)
    for unit_id, ts, lat, lon in rows:
        if unit_id is not None:
            tracks[unit_id].append((ts, lat, lon))
    return dict(tracks)


def calibrate_from_history(session: Session, now: dt.datetime | None = None,
                           days: float = 14.0) -> EtaModel:
    """Calibrate on the fleet's last ``days`` of position history."""
    now = now or utcnow()
    return calibrate(load_tracks(session, now - dt.timedelta(days=days), now).values())


# --------------------------------------------------------------------------- ranking
@dataclass(frozen=True, slots=True)
class UnitCandidate:
    """What the ranking needs to know about a unit."""

    id: int
    call_sign: str
    district_adcode: str | None
    status: UnitStatus
    lat: float | None
    lon: float | None
    last_fix_at: dt.datetime | None
    workload_today: int = 0


@dataclass(frozen=True, slots=True)
class Recommendation:
    """One ranked unit with the facts behind its place (``id`` is the unit id).

    ``distance_km`` is the straight line; ``road_km`` and ``eta_min`` are estimates (None
    without a position). ``other_district`` marks a unit of another district (offered only
    because the incident is escalated); ``city_corps`` a unit of the city corps (no district)
    offered for a district's incident. ``excluded`` says why a listed unit may not go
    (``rank`` is 0 then); None for the units offered.
    """

    id: int
    rank: int
    call_sign: str
    district_adcode: str | None
    status: UnitStatus
    distance_km: float | None
    road_km: float | None
    eta_min: float | None
    speed_kmh: float
    workload_today: int
    position_age_s: float | None
    stale: bool
    other_district: bool
    city_corps: bool = False
    excluded: Exclusion | None = None

    @property
    def assignable(self) -> bool:
        """Whether the dispatcher may send this unit (it is offered, not excluded)."""
        return self.excluded is None


@dataclass(frozen=True, slots=True)
class IncidentTarget:
    """Where and whose an incident is, for ranking."""

    id: int
    number: str
    district_adcode: str | None
    escalated: bool
    lat: float | None
    lon: float | None


def unit_may_serve(target: IncidentTarget, unit_district: str | None) -> bool:
    """Jurisdiction rule: a district's incident gets that district's units and the city corps
    (``unit_district`` None), other districts' units only once escalated.

    Escalated incidents and incidents with no district may get any unit. Which units a console
    may dispatch at all is its jurisdiction's business (a district console has no city corps).
    """
    if target.escalated or target.district_adcode is None or unit_district is None:
        return True
    return unit_district == target.district_adcode


def exclusion(target: IncidentTarget, unit: UnitCandidate) -> Exclusion | None:
    """Why ``unit`` may not take ``target`` (None: it may). Jurisdiction is checked first."""
    if not unit_may_serve(target, unit.district_adcode):
        return Exclusion.OTHER_DISTRICT
    if unit.status not in ELIGIBLE_STATUSES:
        return Exclusion.STATUS
    return None


def _row(target: IncidentTarget, u: UnitCandidate, model: EtaModel, now: dt.datetime,
         speed: float, stale_after_s: float, excluded: Exclusion | None) -> Recommendation:
    distance = road = eta = age = None
    if (target.lat is not None and target.lon is not None and u.lat is not None
            and u.lon is not None and _valid(u.lat, u.lon)):
        distance = haversine_m(u.lat, u.lon, target.lat, target.lon) / 1000.0
        road = model.road_km(distance)
        eta = model.eta_minutes(distance, now)
    if u.last_fix_at is not None:
        age = max(0.0, (now - u.last_fix_at).total_seconds())
    return Recommendation(
        id=u.id, rank=0, call_sign=u.call_sign, district_adcode=u.district_adcode,
        status=u.status, distance_km=distance, road_km=road, eta_min=eta, speed_kmh=speed,
        workload_today=u.workload_today, position_age_s=age,
        stale=age is None or age > stale_after_s,
        other_district=(target.district_adcode is not None and u.district_adcode is not None
                        and u.district_adcode != target.district_adcode),
        city_corps=target.district_adcode is not None and u.district_adcode is None,
        excluded=excluded,
    )


def rank_units(
    target: IncidentTarget,
    units: Iterable[UnitCandidate],
    model: EtaModel,
    now: dt.datetime,
    *,
    stale_after_s: float = 600.0,
) -> list[Recommendation]:
    """Rank the units that may take ``target``, best first (see the module docstring)."""
    speed = model.speed_at(now)
    scored: list[tuple[tuple[object, ...], Recommendation]] = []
    for u in units:
        if exclusion(target, u) is not None:
            continue
        rec = _row(target, u, model, now, speed, stale_after_s, None)
        tier = ELIGIBLE_STATUSES.index(u.status)
        key = (tier, rec.eta_min is None, rec.eta_min if rec.eta_min is not None else 0.0,
               u.workload_today, u.call_sign, u.id)
        scored.append((key, rec))
    scored.sort(key=lambda item: item[0])
    return [_with_rank(rec, i) for i, (_, rec) in enumerate(scored, start=1)]


def excluded_units(
    target: IncidentTarget,
    units: Iterable[UnitCandidate],
    model: EtaModel,
    now: dt.datetime,
    *,
    stale_after_s: float = 600.0,
    max_other_district: int = MAX_OTHER_DISTRICT_LISTED,
) -> list[Recommendation]:
    """The units :func:`rank_units` leaves out, each with its :class:`Exclusion`.

    Units excluded by status come first (nearest first), then the nearest
    ``max_other_district`` units of other districts that would otherwise be free (busy units
    of other districts say nothing a dispatcher can act on).
    """
    speed = model.speed_at(now)
    by_status: list[Recommendation] = []
    other: list[Recommendation] = []
    for u in units:
        why = exclusion(target, u)
        if why is Exclusion.STATUS:
            by_status.append(_row(target, u, model, now, speed, stale_after_s, why))
        elif why is Exclusion.OTHER_DISTRICT and u.status in ELIGIBLE_STATUSES:
            other.append(_row(target, u, model, now, speed, stale_after_s, why))

    def key(r: Recommendation) -> tuple[object, ...]:
        return (r.distance_km is None, r.distance_km or 0.0, r.call_sign, r.id)

    return sorted(by_status, key=key) + sorted(other, key=key)[:max(0, max_other_district)]


def _with_rank(rec: Recommendation, rank: int) -> Recommendation:
    return replace(rec, rank=rank)


def local_midnight(now: dt.datetime) -> dt.datetime:
    """Start of ``now``'s Beijing day, in UTC."""
    local = now.astimezone(SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)


def workload_today(session: Session, unit_ids: Sequence[int], now: dt.datetime) -> dict[int, int]:
    """Assignments (not cancelled) each unit got since Beijing midnight."""
    if not unit_ids:
        return {}
    rows = session.execute(
        select(Assignment.unit_id, func.count())
        .where(Assignment.unit_id.in_(unit_ids), Assignment.assigned_at >= local_midnight(now),
               Assignment.state != AssignmentState.CANCELLED)
        .group_by(Assignment.unit_id)
    )
    return {unit_id: int(count) for unit_id, count in rows}


@dataclass(frozen=True, slots=True)
class RecommendationSet:
    """The ranked units for one incident, with the model that ranked them."""

    incident: IncidentTarget
    rows: list[Recommendation] = field(default_factory=list)
    model: EtaModel = DEFAULT_MODEL
    at: dt.datetime = field(default_factory=utcnow)
    #: units listed but not offered, with why (greyed in the list)
    excluded: list[Recommendation] = field(default_factory=list)
    #: the console's jurisdiction (which rule the list follows)
    jurisdiction: Jurisdiction = field(default_factory=Jurisdiction)


def load_target(session: Session, incident_id: int,
                jurisdiction: Jurisdiction) -> IncidentTarget | Refusal:
    """The incident as the ranking sees it, if this console may act on it."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        return refuse(RefusalCode.INCIDENT_NOT_FOUND, f"no incident {incident_id}")
    if not jurisdiction.covers(incident.district_adcode):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"incident {incident.number} is outside {jurisdiction}")
    return IncidentTarget(incident.id, incident.number, incident.district_adcode,
                          incident.escalated, incident.lat, incident.lon)


def load_candidates(session: Session, jurisdiction: Jurisdiction, now: dt.datetime, *,
                    eligible_only: bool = True) -> list[UnitCandidate]:
    """Units this console may dispatch with today's load: those available or clearing, or
    (``eligible_only`` False) all of them, to say why the others are not offered."""
    stmt = scope(select(Unit), Unit, jurisdiction)
    if eligible_only:
        stmt = stmt.where(Unit.status.in_(ELIGIBLE_STATUSES))
    units = list(session.scalars(stmt))
    load = workload_today(session, [u.id for u in units], now)
    return [
        UnitCandidate(u.id, u.call_sign, u.district_adcode, u.status, u.last_lat, u.last_lon,
                      u.last_fix_at, load.get(u.id, 0))
        for u in units
    ]


def recommend(
    session: Session,
    incident_id: int,
    jurisdiction: Jurisdiction,
    model: EtaModel = DEFAULT_MODEL,
    now: dt.datetime | None = None,
    *,
    stale_after_s: float = 600.0,
) -> RecommendationSet | Refusal:
    """Ranked units for an incident (run on a reader thread)."""
    now = now or utcnow()
    target = load_target(session, incident_id, jurisdiction)
    if isinstance(target, Refusal):
        return target
    candidates = load_candidates(session, jurisdiction, now, eligible_only=False)
    rows = rank_units(target, candidates, model, now, stale_after_s=stale_after_s)
    excluded = excluded_units(target, candidates, model, now, stale_after_s=stale_after_s)
    return RecommendationSet(target, rows, model, now, excluded, jurisdiction)

"""Double-random inspections (双随机): draw venues by grade weight, then inspectors at random.

Method ``es-sha256-exact/v1`` — deterministic, independent of Python's version and platform,
and re-implementable from this description alone:

1. Canonical JSON: ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
   ensure_ascii=False)`` encoded as UTF-8. ``H(text)`` is the SHA-256 of the UTF-8 text read
   as a 256-bit big-endian integer.
2. Venues: each eligible candidate ``c`` has an integer weight ``w ≥ 1`` (by credit grade:
   D > C > B > A; A and B are mostly supervised by self-declaration). Its uniform variate is
   ``u = (H(seed + "|venue|" + str(c.id)) + 1) / (2**256 + 1)``, strictly inside (0, 1), and its
   Efraimidis–Spirakis key is ``u ** (1 / w)``. The ``venue_count`` candidates with the largest
   keys are drawn, largest first; that is weighted sampling without replacement. Keys are
   compared exactly in integers — ``key_a > key_b`` ⇔ ``n_a**w_b * D**w_a > n_b**w_a * D**w_b``
   with ``n = H + 1`` and ``D = 2**256 + 1`` — so no floating point is involved. (As a
   shortcut, keys whose 50-digit decimal logarithms differ by more than 1e-30 are ordered by
   those; the rounding error is below 1e-45, so the order is the same.) Equal keys (never seen
   in practice) fall back to the smaller id.
3. Inspectors, for each drawn venue in draw order: the candidates not in conflict with it
   (they inspected that venue recently, or already have ``max_tasks_per_inspector`` tasks in
   this draw) are ordered by ``H(seed + "|inspector|" + str(venue_id) + "|" + str(officer_id))``
   ascending, then by id; the first ``inspectors_per_team`` are taken, skipping anyone whose
   unit already has a member in the team (the same unit never inspects twice over).
4. Hashes: ``record_sha256`` is the SHA-256 (hex) of the canonical JSON of
   ``{"method", "seed", "params", "venues", "excluded", "inspectors"}`` (the candidate lists as
   stored); ``result_sha256`` that of ``{"record_sha256", "venues": [ids in draw order],
   "teams": [[officer ids], …]}``.

Everything the draw used is stored with it (:class:`models.dispatch.InspectionDraw`), so
:func:`verify_draw` re-runs it from the record alone — later, elsewhere, after the venues and
officers have changed.

Nobody chooses the seed, so nobody can search for one that draws a wanted result. An official
draw is commit-then-reveal, in two transactions:

1. :func:`prepare_draw` collects both candidate pools, takes a seed from the operating
   system's CSPRNG (:mod:`secrets`) and commits the draw ``pending`` with the pools, the
   parameters and ``seed_sha256`` (SHA-256 of the seed's UTF-8 text, hex) — not the seed. The
   console shows the seed hash before anything is drawn; the seed stays in the console's
   memory only.
2. :func:`complete_draw` runs it: it accepts only the seed whose hash was committed, draws
   from the committed pools, stores the result and the tasks, and reveals the seed.

A seed typed by a person never makes an official draw: :func:`reproduce_draw` re-runs a stored
draw (by its number) with a typed seed and compares the seed hash and the result with what is
stored — a verification, recorded in the audit log, never a new draw. There is no unrecorded
"preview" draw to pick a favourite from; a prepared draw that is never run stays ``pending``
in the history for everyone to see.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import hashlib
import json
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dispatch.refusals import Refusal, RefusalCode, refuse
from app.services.incidents import Actor, create_incident, record_audit
from models import BEIJING_DISTRICTS, Incident, Jurisdiction, Officer, Venue
from models.clock import Clock, installed
from models.dispatch import DrawState, InspectionDraw, InspectionTask, InspectionTaskOfficer
from models.enums import (
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
)
from models.jurisdiction import CITY

log = logging.getLogger("app.dispatch.draw")

METHOD = "es-sha256-exact/v1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_D = 2**256 + 1
_LOG_CONTEXT = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)
_LOG_D = decimal.Decimal(_D).ln(_LOG_CONTEXT)
_LOG_GAP = decimal.Decimal("1e-30")
_SEED_RE = re.compile(r"[0-9A-Za-z_.-]{1,64}")

#: Default weights by credit grade: D is drawn ten times as often as A.
DEFAULT_GRADE_WEIGHTS: Mapping[str, int] = {"A": 1, "B": 2, "C": 5, "D": 10}
MAX_WEIGHT = 100


class DrawError(ValueError):
    """The draw cannot be made with these candidates and parameters."""

    def __init__(self, code: RefusalCode, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = {k: str(v) for k, v in params.items()}


def canonical_json(obj: Any) -> str:
    """The canonical JSON text that is hashed and stored."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(text: str) -> str:
    """SHA-256 of UTF-8 text, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _h(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest(), "big")


def new_seed() -> str:
    """A fresh random seed (32 hex digits from the operating system's CSPRNG)."""
    return secrets.token_hex(16)


def seed_hash(seed: str) -> str:
    """``seed_sha256``: the SHA-256 (hex) of the seed, committed before the draw runs."""
    return sha256_hex(seed)


def check_seed(seed: str) -> str:
    """Return ``seed`` if usable: 1–64 characters of letters, digits, ``_ . -``.

    Raises:
        ValueError: otherwise.
    """
    if not _SEED_RE.fullmatch(seed):
        raise ValueError("a seed is 1 to 64 letters, digits, '_', '.' or '-'")
    return seed


# --------------------------------------------------------------------------- parameters
@dataclass(frozen=True, slots=True)
class DrawParams:
    """What to draw.

    Attributes:
        scope: ``city`` (all districts) or the district adcode to draw from.
        venue_count: how many venues to inspect.
        inspectors_per_team: inspectors per venue (law requires at least two).
        grade_weights: integer weight per grade letter (0 leaves the grade out).
        venue_types: VenueType values to draw from (empty: all).
        recent_days: a venue inspected within this many days is not drawn.
        conflict_days: an inspector who inspected a venue within this many days is not drawn
            for it again.
        max_tasks_per_inspector: tasks one inspector may get in one draw.
    """

    scope: str = CITY
    venue_count: int = 10
    inspectors_per_team: int = 2
    grade_weights: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_GRADE_WEIGHTS))
    venue_types: tuple[str, ...] = ()
    recent_days: int = 90
    conflict_days: int = 365
    max_tasks_per_inspector: int = 2

    def validate(self) -> None:
        """Raise ValueError with a readable reason if a parameter is out of range."""
        if self.scope != CITY and self.scope not in BEIJING_DISTRICTS:
            raise ValueError(f"scope must be 'city' or a district adcode, got {self.scope!r}")
        if not 1 <= self.venue_count <= 1000:
            raise ValueError("venue_count must be 1–1000")
        if not 1 <= self.inspectors_per_team <= 5:
            raise ValueError("inspectors_per_team must be 1–5")
        if set(self.grade_weights) != {g.value for g in CreditGrade}:
            raise ValueError("grade_weights needs a weight for each of A, B, C, D")
        if any(not isinstance(w, int) or not 0 <= w <= MAX_WEIGHT
               for w in self.grade_weights.values()):
            raise ValueError(f"grade weights are whole numbers 0–{MAX_WEIGHT}")
        if self.recent_days < 0 or self.conflict_days < 0:
            raise ValueError("day windows cannot be negative")
        if not 1 <= self.max_tasks_per_inspector <= 50:
            raise ValueError("max_tasks_per_inspector must be 1–50")

    def to_json(self) -> dict[str, Any]:
        """The parameters as stored with the draw."""
        return {
            "scope": self.scope, "venue_count": self.venue_count,
            "inspectors_per_team": self.inspectors_per_team,
            "grade_weights": dict(sorted(self.grade_weights.items())),
            "venue_types": sorted(self.venue_types), "recent_days": self.recent_days,
            "conflict_days": self.conflict_days,
            "max_tasks_per_inspector": self.max_tasks_per_inspector,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DrawParams:
        """Parameters from their stored form."""
        return cls(scope=str(data["scope"]), venue_count=int(data["venue_count"]),
                   inspectors_per_team=int(data["inspectors_per_team"]),
                   grade_weights={str(k): int(v) for k, v in data["grade_weights"].items()},
                   venue_types=tuple(str(t) for t in data["venue_types"]),
                   recent_days=int(data["recent_days"]), conflict_days=int(data["conflict_days"]),
                   max_tasks_per_inspector=int(data["max_tasks_per_inspector"]))


# --------------------------------------------------------------------------- the draw itself
@dataclass(frozen=True, slots=True)
class VenueCandidate:
    """A venue in the pool, as stored with the draw."""

    id: int
    name: str
    licence_no: str
    grade: str
    weight: int
    district: str

    def to_json(self) -> dict[str, Any]:
        """Stored form."""
        return {"id": self.id, "name": self.name, "licence_no": self.licence_no,
                "grade": self.grade, "weight": self.weight, "district": self.district}


@dataclass(frozen=True, slots=True)
class InspectorCandidate:
    """An inspector in the pool, with the venues they may not inspect (conflicts)."""

    id: int
    badge_no: str
    name: str
    unit_id: int | None
    district: str
    avoid_venues: tuple[int, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Stored form."""
        return {"id": self.id, "badge_no": self.badge_no, "name": self.name,
                "unit_id": self.unit_id, "district": self.district,
                "avoid_venues": sorted(self.avoid_venues)}


@dataclass(frozen=True, slots=True)
class DrawResult:
    """Drawn venue ids in draw order and the inspector ids of each one's team."""

    venues: tuple[int, ...]
    teams: tuple[tuple[int, ...], ...]

    def to_json(self) -> dict[str, Any]:
        """Stored form."""
        return {"venues": list(self.venues), "teams": [list(t) for t in self.teams]}


def _log_key(n: int, weight: int) -> decimal.Decimal:
    """ln(n / D) / weight to 50 significant digits (a shortcut; see draw_venues)."""
    ctx = _LOG_CONTEXT
    return ctx.divide(ctx.subtract(decimal.Decimal(n).ln(ctx), _LOG_D), weight)


def draw_venues(seed: str, candidates: Sequence[VenueCandidate], count: int) -> tuple[int, ...]:
    """Weighted sampling without replacement (Efraimidis–Spirakis, exact keys)."""
    keyed = [(_h(f"{seed}|venue|{c.id}") + 1, c.weight, c.id) for c in candidates if c.weight > 0]
    if len(keyed) < count:
        raise DrawError(RefusalCode.NOT_ENOUGH_VENUES,
                        f"{len(keyed)} venues can be drawn, {count} wanted",
                        available=len(keyed), wanted=count)
    # The order is the exact one: key_a > key_b ⇔ n_a**w_b * D**w_a > n_b**w_a * D**w_b.
    # Those integers have thousands of digits, so keys far apart are first compared by their
    # logarithms ln(n / D) / w to 50 digits (correctly rounded, hence the same everywhere): a
    # gap above _LOG_GAP is far beyond the rounding error (< 1e-45), and only closer keys
    # need the integers.
    logs = {c[2]: _log_key(c[0], c[1]) for c in keyed}

    def compare(a: tuple[int, int, int], b: tuple[int, int, int]) -> int:
        (na, wa, ida), (nb, wb, idb) = a, b
        gap = logs[ida] - logs[idb]
        if abs(gap) > _LOG_GAP:
            return -1 if gap > 0 else 1  # larger key first
        left = na**wb * _D**wa
        right = nb**wa * _D**wb
        if left != right:
            return -1 if left > right else 1
        return (ida > idb) - (ida < idb)  # equal keys: smaller id first

    keyed.sort(key=functools.cmp_to_key(compare))
    return tuple(vid for _, _, vid in keyed[:count])


def draw_teams(seed: str, venues: Sequence[int], inspectors: Sequence[InspectorCandidate],
               per_team: int, max_tasks: int) -> tuple[tuple[int, ...], ...]:
    """An inspection team for each venue, in order (see the module docstring, step 3)."""
    load: dict[int, int] = {}
    teams: list[tuple[int, ...]] = []
    for venue_id in venues:
        ranked = sorted(
            (c for c in inspectors
             if venue_id not in c.avoid_venues and load.get(c.id, 0) < max_tasks),
            key=lambda c: (_h(f"{seed}|inspector|{venue_id}|{c.id}"), c.id),
        )
        team: list[int] = []
        units: set[int] = set()
        for c in ranked:
            if c.unit_id is not None and c.unit_id in units:
                continue
            team.append(c.id)
            if c.unit_id is not None:
                units.add(c.unit_id)
            if len(team) == per_team:
                break
        if len(team) < per_team:
            raise DrawError(RefusalCode.NOT_ENOUGH_INSPECTORS,
                            f"no team of {per_team} for venue {venue_id}",
                            wanted=len(venues))
        for oid in team:
            load[oid] = load.get(oid, 0) + 1
        teams.append(tuple(team))
    return tuple(teams)


def run_draw(seed: str, params: DrawParams, venues: Sequence[VenueCandidate],
             inspectors: Sequence[InspectorCandidate]) -> DrawResult:
    """The whole draw from its inputs (pure; raises :class:`DrawError`)."""
    drawn = draw_venues(seed, venues, params.venue_count)
    teams = draw_teams(seed, drawn, inspectors, params.inspectors_per_team,
                       params.max_tasks_per_inspector)
    return DrawResult(drawn, teams)


# --------------------------------------------------------------------------- the record
@dataclass(frozen=True, slots=True)
class DrawRecord:
    """Everything stored about a draw; :func:`verify_draw` needs nothing else."""

    number: str
    created_at: dt.datetime
    actor: str
    console_id: str
    seed: str
    method: str
    params_json: str
    venue_candidates_json: str
    inspector_candidates_json: str
    result_json: str
    record_sha256: str
    result_sha256: str
    id: int = 0
    #: SHA-256 of the seed, committed before the draw ran ("" in records that predate it).
    seed_sha256: str = ""
    state: DrawState = DrawState.DONE
    #: Whether ``seed_sha256`` was stored before the draw ran (false for older draws, whose
    #: seed could be typed in).
    seed_committed: bool = False
    drawn_at: dt.datetime | None = None
    #: Why a failed draw drew nothing: canonical JSON ``{"code", "message", "params"}``.
    failure: str = ""

    @property
    def params(self) -> DrawParams:
        """The stored parameters."""
        return DrawParams.from_json(json.loads(self.params_json))

    @property
    def result(self) -> DrawResult:
        """The stored result (empty while the draw is pending or when it failed)."""
        if not self.result_json:
            return DrawResult((), ())
        data = json.loads(self.result_json)
        return DrawResult(tuple(data["venues"]), tuple(tuple(t) for t in data["teams"]))

    def failure_refusal(self) -> Refusal | None:
        """Why a failed draw drew nothing, as a refusal (None unless it failed)."""
        if self.state is not DrawState.FAILED or not self.failure:
            return None
        try:
            data = json.loads(self.failure)
            return refuse(RefusalCode(data["code"]), str(data["message"]),
                          **{str(k): v for k, v in dict(data["params"]).items()})
        except (KeyError, TypeError, ValueError):
            return refuse(RefusalCode.INVALID_INPUT, self.failure, detail=self.failure)

    def venue_candidates(self) -> list[VenueCandidate]:
        """The stored venue pool (eligible candidates with their weights)."""
        data = json.loads(self.venue_candidates_json)
        return [VenueCandidate(int(v["id"]), str(v["name"]), str(v["licence_no"]),
                               str(v["grade"]), int(v["weight"]), str(v["district"]))
                for v in data["venues"]]

    def excluded(self) -> list[dict[str, Any]]:
        """Venues left out of the pool, each with ``id``, ``name`` and ``reason``."""
        return list(json.loads(self.venue_candidates_json)["excluded"])

    def inspector_candidates(self) -> list[InspectorCandidate]:
        """The stored inspector pool."""
        return [InspectorCandidate(int(c["id"]), str(c["badge_no"]), str(c["name"]),
                                   None if c["unit_id"] is None else int(c["unit_id"]),
                                   str(c["district"]), tuple(int(v) for v in c["avoid_venues"]))
                for c in json.loads(self.inspector_candidates_json)]

    def to_json(self) -> str:
        """The record as one JSON document, for handing to an auditor."""
        return json.dumps({
            "number": self.number, "created_at": self.created_at.isoformat(),
            "actor": self.actor, "console_id": self.console_id, "seed": self.seed,
            "method": self.method, "params": json.loads(self.params_json),
            "candidates": json.loads(self.venue_candidates_json),
            "inspectors": json.loads(self.inspector_candidates_json),
            "result": json.loads(self.result_json) if self.result_json else None,
            "record_sha256": self.record_sha256, "result_sha256": self.result_sha256,
            "seed_sha256": self.seed_sha256, "state": self.state.value,
            "seed_committed": self.seed_committed,
            "drawn_at": self.drawn_at.isoformat() if self.drawn_at else None,
            "failure": json.loads(self.failure) if self.failure else None,
        }, ensure_ascii=False, indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DrawRecord:
        """Read a record written by :meth:`to_json` (raises ValueError when malformed)."""
        try:
            data = json.loads(text)
            return cls(
                number=str(data["number"]),
                created_at=dt.datetime.fromisoformat(data["created_at"]),
                actor=str(data["actor"]), console_id=str(data["console_id"]),
                seed=str(data["seed"]), method=str(data["method"]),
                params_json=canonical_json(data["params"]),
                venue_candidates_json=canonical_json(data["candidates"]),
                inspector_candidates_json=canonical_json(data["inspectors"]),
                result_json="" if data["result"] is None else canonical_json(data["result"]),
                record_sha256=str(data["record_sha256"]),
                result_sha256=str(data["result_sha256"]),
                seed_sha256=str(data.get("seed_sha256") or ""),
                state=DrawState(data.get("state") or DrawState.DONE.value),
                seed_committed=data.get("seed_committed") is True,
                drawn_at=(dt.datetime.fromisoformat(data["drawn_at"]) if data.get("drawn_at")
                          else None),
                failure="" if not data.get("failure") else canonical_json(data["failure"]),
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a draw record: {exc}") from exc


def record_hash(method: str, seed: str, params: Mapping[str, Any], pool: Mapping[str, Any],
                inspectors: Sequence[Mapping[str, Any]]) -> str:
    """``record_sha256`` of a draw's inputs (module docstring, step 4)."""
    return sha256_hex(canonical_json({
        "method": method, "seed": seed, "params": params, "venues": pool["venues"],
        "excluded": pool["excluded"], "inspectors": inspectors,
    }))


def result_hash(record_sha256: str, result: DrawResult) -> str:
    """``result_sha256`` of a draw's result bound to its inputs."""
    return sha256_hex(canonical_json({"record_sha256": record_sha256, **result.to_json()}))


def check_draw(record: DrawRecord) -> list[str]:
    """Re-run a stored draw; the list of problems found (empty: the draw verifies)."""
    return _check(record, record.seed)


def check_draw_seed(record: DrawRecord, seed: str) -> list[str]:
    """Re-run a stored draw with a seed someone typed; the problems found (empty: it matches).

    The seed's SHA-256 must be the one committed before the draw ran, the seed the one the
    draw revealed, and re-running the draw with it must give the stored result and hashes. It
    only verifies: nothing is stored, and a pending draw (whose seed is still secret) is not
    run.
    """
    if record.state is DrawState.PENDING:
        return ["the draw has not been run yet: it cannot be reproduced before its seed is "
                "revealed"]
    problems: list[str] = []
    if record.seed_sha256 and seed_hash(seed) != record.seed_sha256:
        problems.append("the seed's SHA-256 is not the one committed before the draw")
    if seed != record.seed:
        problems.append("the seed is not the one the draw revealed")
    return [*problems, *_check(record, seed)]


def _check(record: DrawRecord, seed: str) -> list[str]:
    problems: list[str] = []
    if record.state is DrawState.PENDING:
        return ["the draw has not been run yet: there is no result to verify"]
    if record.method != METHOD:
        return [f"unknown method {record.method!r} (this program knows {METHOD})"]
    if record.seed_sha256 and seed_hash(record.seed) != record.seed_sha256:
        problems.append("the revealed seed does not match the seed hash committed before the "
                        "draw")
    try:
        params = record.params
        pool = json.loads(record.venue_candidates_json)
        inspectors_raw = json.loads(record.inspector_candidates_json)
        stored = record.result
        computed_record = record_hash(record.method, seed, json.loads(record.params_json),
                                      pool, inspectors_raw)
    except (KeyError, TypeError, ValueError) as exc:
        return [*problems, f"the stored record cannot be read: {exc}"]
    if computed_record != record.record_sha256:
        problems.append("the candidate lists, parameters or seed differ from what was hashed")
    try:
        again = run_draw(seed, params, record.venue_candidates(),
                         record.inspector_candidates())
    except DrawError as exc:
        if record.state is DrawState.FAILED:
            refusal = record.failure_refusal()
            if refusal is None or refusal.code is not exc.code:
                problems.append(f"the draw fails again, but differently: {exc}")
            return problems
        return [*problems, f"the draw cannot be re-run: {exc}"]
    if record.state is DrawState.FAILED:
        return [*problems, "the draw was stored as failed, but re-running it draws a result"]
    if again != stored:
        problems.append("re-running the draw gives a different result")
    if result_hash(record.record_sha256, stored) != record.result_sha256:
        problems.append("the result hash does not match the stored result")
    return problems


def verify_draw(record: DrawRecord) -> bool:
    """Whether a stored draw re-runs to the same result with matching hashes."""
    return not check_draw(record)


# --------------------------------------------------------------------------- database
@dataclass(frozen=True, slots=True)
class DrawTaskRow:
    """One drawn venue with its team, for display."""

    seq: int
    venue_id: int
    venue_name: str
    licence_no: str
    grade: str
    weight: int
    inspectors: tuple[str, ...]
    incident_number: str


@dataclass(frozen=True, slots=True)
class DrawOutcome:
    """A stored draw: its record, its tasks and the pool's size."""

    record: DrawRecord
    tasks: tuple[DrawTaskRow, ...]
    pool_size: int
    pool_weight: int


def _recently_inspected(session: Session, since: dt.datetime) -> set[int]:
    rows = session.scalars(
        select(Incident.venue_id).where(
            Incident.category == IncidentCategory.INSPECTION, Incident.venue_id.is_not(None),
            Incident.reported_at >= since,
            Incident.status.not_in((IncidentStatus.CANCELLED, IncidentStatus.MERGED)))
    )
    return {v for v in rows if v is not None}


def collect_venue_pool(session: Session, params: DrawParams,
                       now: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Eligible venues with weights, and the excluded ones with the reason."""
    stmt = select(Venue).where(Venue.active.is_(True)).order_by(Venue.id)
    if params.scope != CITY:
        stmt = stmt.where(Venue.district_adcode == params.scope)
    if params.venue_types:
        stmt = stmt.where(Venue.venue_type.in_(params.venue_types))
    recent = _recently_inspected(session, now - dt.timedelta(days=params.recent_days))
    eligible: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for v in session.scalars(stmt):
        weight = int(params.grade_weights[v.grade.value])
        if v.id in recent:
            excluded.append({"id": v.id, "name": v.name, "reason": "recently_inspected"})
        elif weight <= 0:
            excluded.append({"id": v.id, "name": v.name, "reason": "grade_weight_zero"})
        else:
            eligible.append(VenueCandidate(v.id, v.name, v.licence_no, v.grade.value, weight,
                                           v.district_adcode).to_json())
    return {"venues": eligible, "excluded": excluded}


def collect_inspectors(session: Session, params: DrawParams,
                       now: dt.datetime) -> list[dict[str, Any]]:
    """Certified, active inspectors of the scope, with the venues each recently inspected."""
    stmt = select(Officer).where(Officer.active.is_(True),
                                 Officer.certified_inspector.is_(True)).order_by(Officer.id)
    if params.scope != CITY:
        stmt = stmt.where(Officer.district_adcode == params.scope)
    officers = list(session.scalars(stmt))
    since = now - dt.timedelta(days=params.conflict_days)
    avoid: dict[int, set[int]] = {}
    for officer_id, venue_id in session.execute(
        select(InspectionTaskOfficer.officer_id, InspectionTask.venue_id)
        .join(InspectionTask, InspectionTask.id == InspectionTaskOfficer.task_id)
        .where(InspectionTask.created_at >= since,
               InspectionTaskOfficer.officer_id.in_([o.id for o in officers]))
    ):
        avoid.setdefault(officer_id, set()).add(venue_id)
    return [InspectorCandidate(o.id, o.badge_no, o.name, o.unit_id, o.district_adcode or CITY,
                               tuple(sorted(avoid.get(o.id, ())))).to_json()
            for o in officers]


def _next_number(session: Session, now: dt.datetime) -> str:
    prefix = "SJ" + now.astimezone(SHANGHAI).strftime("%Y%m%d")
    count = session.scalar(select(func.count()).select_from(InspectionDraw)
                           .where(InspectionDraw.number.like(f"{prefix}-%"))) or 0
    return f"{prefix}-{count + 1:02d}"


def _record_of(row: InspectionDraw) -> DrawRecord:
    return DrawRecord(row.number, row.created_at, row.actor, row.console_id, row.seed,
                      row.method, row.params_json, row.venue_candidates_json,
                      row.inspector_candidates_json, row.result_json, row.record_sha256,
                      row.result_sha256, row.id, seed_sha256=row.seed_sha256,
                      state=DrawState(row.state), seed_committed=row.seed_committed,
                      drawn_at=row.drawn_at, failure=row.failure)


@dataclass(frozen=True, slots=True)
class PreparedDraw:
    """A draw committed by :func:`prepare_draw`: the pending outcome, and its secret seed.

    Show ``outcome`` (its record carries ``seed_sha256``, not the seed); keep ``seed`` in memory
    for :func:`complete_draw` and show it to nobody.
    """

    outcome: DrawOutcome
    seed: str = field(repr=False)


def _visible(jurisdiction: Jurisdiction, scope: str) -> bool:
    return jurisdiction.is_city or scope == jurisdiction.adcode


def _team_units(inspectors: Sequence[Mapping[str, Any]]) -> int:
    """How many inspectors of different units there are (those of no unit count singly)."""
    units = {c["unit_id"] for c in inspectors if c["unit_id"] is not None}
    return len(units) + sum(1 for c in inspectors if c["unit_id"] is None)


def prepare_draw(session: Session, actor: Actor, jurisdiction: Jurisdiction, params: DrawParams,
                 *, clock: Clock | None = None) -> PreparedDraw | Refusal:
    """Step 1 of an official draw: commit it ``pending`` with its pools and the seed's hash.

    The seed comes from the operating system's CSPRNG, never from the caller. Only its SHA-256
    is stored; the caller commits this transaction and shows the hash before calling
    :func:`complete_draw` with the seed. A draw that cannot succeed whatever the seed (too few
    venues, too few inspectors of different units) is refused here and nothing is stored.
    """
    at = (clock or installed()).now()
    try:
        params.validate()
    except ValueError as exc:
        return refuse(RefusalCode.INVALID_INPUT, str(exc), detail=str(exc))
    if not _visible(jurisdiction, params.scope):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION,
                      f"a draw for {params.scope} is outside {jurisdiction}")
    pool = collect_venue_pool(session, params, at)
    inspectors = collect_inspectors(session, params, at)
    if len(pool["venues"]) < params.venue_count:
        return refuse(RefusalCode.NOT_ENOUGH_VENUES,
                      f"{len(pool['venues'])} venues can be drawn, {params.venue_count} wanted",
                      available=len(pool["venues"]), wanted=params.venue_count)
    if _team_units(inspectors) < params.inspectors_per_team:
        return refuse(RefusalCode.NOT_ENOUGH_INSPECTORS,
                      f"no team of {params.inspectors_per_team} from different units",
                      wanted=params.venue_count)
    seed = new_seed()
    row = InspectionDraw(
        number=_next_number(session, at), created_at=at, actor=actor.name,
        console_id=actor.console_id, scope=params.scope, seed="", seed_sha256=seed_hash(seed),
        seed_committed=True, state=DrawState.PENDING, method=METHOD,
        params_json=canonical_json(params.to_json()), venue_candidates_json=canonical_json(pool),
        inspector_candidates_json=canonical_json(inspectors), result_json="", record_sha256="",
        result_sha256="", venue_candidates=len(pool["venues"]), task_count=0,
    )
    session.add(row)
    session.flush()
    record_audit(session, actor, "inspection.draw_commit", "inspection_draw", row.number,
                 scope=params.scope, method=METHOD, seed_sha256=row.seed_sha256,
                 pool=len(pool["venues"]), inspectors=len(inspectors),
                 venue_count=params.venue_count)
    log.info("double-random draw %s committed: seed SHA-256 %s, %d candidate venues",
             row.number, row.seed_sha256, len(pool["venues"]),
             extra={"event": "inspection_draw_commit", "draw": row.number})
    return PreparedDraw(DrawOutcome(_record_of(row), (), len(pool["venues"]),
                                    sum(int(v["weight"]) for v in pool["venues"])), seed)


def complete_draw(session: Session, actor: Actor, jurisdiction: Jurisdiction, draw_id: int,
                  seed: str, *, clock: Clock | None = None) -> DrawOutcome | Refusal:
    """Step 2 of an official draw: run a pending draw with its committed seed, reveal the seed.

    Only the seed whose SHA-256 :func:`prepare_draw` committed is accepted, so a typed seed
    cannot make an official draw. The draw uses the pools committed with it. On success the
    result, the hashes and one inspection task per venue are stored; when no result can be
    drawn (no team for a venue) the draw is stored ``failed`` with the reason, the seed still
    revealed, and returned like any other outcome.
    """
    at = (clock or installed()).now()
    row = session.get(InspectionDraw, draw_id, with_for_update=True)
    if row is None or not _visible(jurisdiction, row.scope):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION, f"draw {draw_id} is not visible here")
    if row.state is not DrawState.PENDING:
        return refuse(RefusalCode.DRAW_ALREADY_RUN, f"draw {row.number} was already run",
                      number=row.number)
    if seed_hash(seed) != row.seed_sha256:
        log.warning("draw %s: a seed that is not the committed one was refused", row.number,
                    extra={"event": "inspection_draw_wrong_seed", "draw": row.number})
        return refuse(RefusalCode.SEED_NOT_COMMITTED,
                      f"the seed does not match the hash committed for draw {row.number}",
                      number=row.number)
    params = DrawParams.from_json(json.loads(row.params_json))
    pool = json.loads(row.venue_candidates_json)
    inspectors = json.loads(row.inspector_candidates_json)
    row.seed = seed
    row.drawn_at = at
    row.record_sha256 = record_hash(METHOD, seed, params.to_json(), pool, inspectors)
    record = _record_of(row)
    try:
        result = run_draw(seed, params, record.venue_candidates(), record.inspector_candidates())
    except DrawError as exc:
        row.state = DrawState.FAILED
        row.failure = canonical_json({"code": exc.code.value, "message": str(exc),
                                      "params": exc.params})
        session.flush()
        record_audit(session, actor, "inspection.draw_failed", "inspection_draw", row.number,
                     seed=seed, seed_sha256=row.seed_sha256, reason=str(exc))
        log.info("double-random draw %s failed: %s", row.number, exc,
                 extra={"event": "inspection_draw_failed", "draw": row.number})
        return DrawOutcome(_record_of(row), (), int(row.venue_candidates),
                           sum(int(v["weight"]) for v in pool["venues"]))
    row.state = DrawState.DONE
    row.result_json = canonical_json(result.to_json())
    row.result_sha256 = result_hash(row.record_sha256, result)
    row.task_count = len(result.venues)
    session.flush()
    tasks = _create_tasks(session, actor, row, result, at)
    record_audit(session, actor, "inspection.draw", "inspection_draw", row.number,
                 scope=params.scope, seed=seed, seed_sha256=row.seed_sha256, method=METHOD,
                 tasks=len(tasks), pool=len(pool["venues"]), result_sha256=row.result_sha256)
    log.info("double-random draw %s: %d of %d venues, result %s", row.number, len(tasks),
             len(pool["venues"]), row.result_sha256,
             extra={"event": "inspection_draw", "draw": row.number})
    return DrawOutcome(_record_of(row), tuple(tasks), len(pool["venues"]),
                       sum(int(v["weight"]) for v in pool["venues"]))


@dataclass(frozen=True, slots=True)
class Reproduction:
    """A stored draw re-run with a typed seed: a verification, never an official draw.

    Attributes:
        number: the draw's number.
        seed_sha256: SHA-256 of the seed that was typed.
        committed_sha256: the seed hash stored before the draw ran ("" for older draws).
        venues: how many venues re-running with the typed seed drew (0 if it failed).
        problems: what does not match (empty: the seed and the stored result are confirmed).
    """

    number: str
    seed_sha256: str
    committed_sha256: str
    venues: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """The typed seed is the committed one and reproduces the stored result."""
        return not self.problems


def reproduce_draw(session: Session, actor: Actor, jurisdiction: Jurisdiction, number: str,
                   seed: str) -> Reproduction | Refusal:
    """Verify a stored draw with a typed seed (:func:`check_draw_seed`); record it in the audit.

    Nothing but the audit event is written: a reproduction never becomes a draw or tasks.
    """
    number = number.strip()
    row = session.scalars(select(InspectionDraw).where(InspectionDraw.number == number)).first()
    if row is None or not _visible(jurisdiction, row.scope):
        return refuse(RefusalCode.DRAW_NOT_FOUND, f"no draw {number!r} visible here",
                      number=number)
    if row.state is DrawState.PENDING:
        return refuse(RefusalCode.DRAW_NOT_RUN, f"draw {number} has not been run yet",
                      number=number)
    record = _record_of(row)
    problems = tuple(check_draw_seed(record, seed))
    try:
        venues = len(run_draw(seed, record.params, record.venue_candidates(),
                              record.inspector_candidates()).venues)
    except (DrawError, KeyError, TypeError, ValueError):
        venues = 0
    rep = Reproduction(row.number, seed_hash(seed), row.seed_sha256, venues, problems)
    record_audit(session, actor, "inspection.draw_verify", "inspection_draw", row.number,
                 official=False, ok=rep.ok, seed_sha256=rep.seed_sha256,
                 problems=list(problems))
    log.info("double-random draw %s verified with a typed seed: %s", row.number,
             "ok" if rep.ok else "; ".join(problems),
             extra={"event": "inspection_draw_verify", "draw": row.number, "ok": rep.ok})
    return rep


def _create_tasks(session: Session, actor: Actor, row: InspectionDraw, result: DrawResult,
                  at: dt.datetime) -> list[DrawTaskRow]:
    officers = {o.id: o for o in session.scalars(
        select(Officer).where(Officer.id.in_([i for t in result.teams for i in t])))}
    tasks: list[DrawTaskRow] = []
    for seq, (venue_id, team) in enumerate(zip(result.venues, result.teams, strict=True), 1):
        venue = session.get(Venue, venue_id)
        assert venue is not None
        names = tuple(officers[i].name for i in team)
        incident = create_incident(
            session, actor, source=IncidentSource.INSPECTION,
            category=IncidentCategory.INSPECTION, priority=IncidentPriority.LOW,
            title=f"双随机抽查：{venue.name}",
            description=(f"抽查批次 {row.number} 第{seq}项；执法人员：{'、'.join(names)}；"
                         f"随机种子 {row.seed}；结果校验码 {row.result_sha256[:16]}…"),
            venue=venue, reported_at=at,
        )
        task = InspectionTask(draw_id=row.id, seq=seq, venue_id=venue_id,
                              incident_id=incident.id, created_at=at)
        task.inspectors = [InspectionTaskOfficer(officer_id=oid, position=k)
                           for k, oid in enumerate(team, 1)]
        session.add(task)
        tasks.append(DrawTaskRow(seq, venue_id, venue.name, venue.licence_no, venue.grade.value,
                                 int(row_weight(row, venue_id)), names, incident.number))
    session.flush()
    return tasks


def row_weight(row: InspectionDraw | DrawRecord, venue_id: int) -> int:
    """The weight a venue had in a stored pool (0 if it was not in it)."""
    for v in json.loads(row.venue_candidates_json)["venues"]:
        if int(v["id"]) == venue_id:
            return int(v["weight"])
    return 0


@dataclass(frozen=True, slots=True)
class DrawSummary:
    """A past draw in the history list (``id`` is the draw id)."""

    id: int
    number: str
    created_at: dt.datetime
    actor: str
    scope: str
    task_count: int
    result_sha256: str
    state: DrawState = DrawState.DONE
    seed_sha256: str = ""


def load_draws(session: Session, jurisdiction: Jurisdiction, limit: int = 50) -> list[DrawSummary]:
    """The newest draws this console may see."""
    stmt = select(InspectionDraw).order_by(InspectionDraw.created_at.desc(),
                                           InspectionDraw.id.desc()).limit(limit)
    if not jurisdiction.is_city:
        stmt = stmt.where(InspectionDraw.scope == jurisdiction.adcode)
    return [DrawSummary(d.id, d.number, d.created_at, d.actor, d.scope, d.task_count,
                        d.result_sha256, DrawState(d.state), d.seed_sha256)
            for d in session.scalars(stmt)]


def load_draw(session: Session, jurisdiction: Jurisdiction, draw_id: int) -> DrawOutcome | Refusal:
    """A stored draw with its tasks as they were drawn (names from the stored pools).

    A pending draw comes with no tasks and no seed (only its committed seed hash).
    """
    row = session.get(InspectionDraw, draw_id)
    if row is None or not _visible(jurisdiction, row.scope):
        return refuse(RefusalCode.OUTSIDE_JURISDICTION, f"draw {draw_id} is not visible here")
    record = _record_of(row)
    pool = {v.id: v for v in record.venue_candidates()}
    people = {c.id: c.name for c in record.inspector_candidates()}
    numbers = dict(session.execute(
        select(InspectionTask.seq, Incident.number)
        .join(Incident, Incident.id == InspectionTask.incident_id)
        .where(InspectionTask.draw_id == row.id)).all())
    result = record.result
    tasks = tuple(
        DrawTaskRow(seq, vid, pool[vid].name, pool[vid].licence_no, pool[vid].grade,
                    pool[vid].weight, tuple(people.get(i, str(i)) for i in team),
                    numbers.get(seq, ""))
        for seq, (vid, team) in enumerate(zip(result.venues, result.teams, strict=True), 1)
        if vid in pool
    )
    return DrawOutcome(record, tasks, len(pool), sum(v.weight for v in pool.values()))

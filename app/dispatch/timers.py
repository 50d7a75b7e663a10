"""Incident timers: how long an incident has waited in its current phase, amber and red.

Three phases are timed, each with limits per priority: waiting for a unit (from report to the
first dispatch), waiting for arrival (from dispatch to the first unit on scene) and on scene
(a long stay is a safety check for the officers). The UI re-evaluates :func:`timer_reading`
every few seconds from :class:`TimerInputs` loaded with the incidents, so no database round
trip is needed for the clock to move.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Incident, IncidentEvent, Jurisdiction, scope
from models.enums import IncidentPriority, IncidentStatus


class TimerPhase(enum.StrEnum):
    """What the incident is waiting for."""

    AWAITING_DISPATCH = "awaiting_dispatch"
    AWAITING_ARRIVAL = "awaiting_arrival"
    ON_SCENE = "on_scene"
    NONE = "none"  # closed, cancelled or merged


class TimerLevel(enum.IntEnum):
    """How late: normal, amber (soon due), red (overdue)."""

    NORMAL = 0
    AMBER = 1
    RED = 2


Limits = Mapping[int, tuple[float, float]]  # priority → (amber after s, red after s)


def _limits(minutes: dict[IncidentPriority, tuple[float, float]]) -> Limits:
    return MappingProxyType({int(p): (a * 60.0, r * 60.0) for p, (a, r) in minutes.items()})


@dataclass(frozen=True, slots=True)
class TimerPolicy:
    """Amber and red limits per phase and priority (seconds)."""

    dispatch: Limits = field(default_factory=lambda: _limits({
        IncidentPriority.URGENT: (2, 5), IncidentPriority.HIGH: (5, 10),
        IncidentPriority.NORMAL: (15, 30), IncidentPriority.LOW: (60, 120)}))
    arrival: Limits = field(default_factory=lambda: _limits({
        IncidentPriority.URGENT: (10, 15), IncidentPriority.HIGH: (20, 30),
        IncidentPriority.NORMAL: (30, 45), IncidentPriority.LOW: (60, 120)}))
    on_scene: Limits = field(default_factory=lambda: _limits({
        IncidentPriority.URGENT: (30, 60), IncidentPriority.HIGH: (60, 90),
        IncidentPriority.NORMAL: (60, 120), IncidentPriority.LOW: (90, 180)}))


DEFAULT_POLICY = TimerPolicy()


@dataclass(frozen=True, slots=True)
class TimerInputs:
    """What the timer needs from an incident (``id`` is the incident id)."""

    id: int
    priority: int
    status: IncidentStatus
    reported_at: dt.datetime
    dispatched_at: dt.datetime | None = None
    on_scene_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class TimerReading:
    """The timer now: phase, time in it, level and when amber and red fall due."""

    phase: TimerPhase
    elapsed_s: float
    level: TimerLevel
    amber_at: dt.datetime | None
    red_at: dt.datetime | None


def _limit(limits: Limits, priority: int) -> tuple[float, float]:
    if priority in limits:
        return limits[priority]
    # out-of-range priorities (data from elsewhere) get the nearest defined one
    nearest = min(limits, key=lambda p: abs(p - priority))
    return limits[nearest]


def timer_reading(inputs: TimerInputs, now: dt.datetime,
                  policy: TimerPolicy = DEFAULT_POLICY) -> TimerReading:
    """Phase and level of an incident's timer at ``now``."""
    if not inputs.status.is_open:
        return TimerReading(TimerPhase.NONE, 0.0, TimerLevel.NORMAL, None, None)
    if inputs.on_scene_at is not None or inputs.status is IncidentStatus.IN_PROGRESS:
        phase, start, limits = (TimerPhase.ON_SCENE,
                                inputs.on_scene_at or inputs.dispatched_at or inputs.reported_at,
                                policy.on_scene)
    elif inputs.dispatched_at is not None and inputs.status is IncidentStatus.DISPATCHED:
        phase, start, limits = TimerPhase.AWAITING_ARRIVAL, inputs.dispatched_at, policy.arrival
    else:
        phase, start, limits = (TimerPhase.AWAITING_DISPATCH, inputs.reported_at,
                                policy.dispatch)
    amber_s, red_s = _limit(limits, inputs.priority)
    elapsed = max(0.0, (now - start).total_seconds())
    level = (TimerLevel.RED if elapsed >= red_s else
             TimerLevel.AMBER if elapsed >= amber_s else TimerLevel.NORMAL)
    return TimerReading(phase, elapsed, level, start + dt.timedelta(seconds=amber_s),
                        start + dt.timedelta(seconds=red_s))


def load_timer_inputs(session: Session, jurisdiction: Jurisdiction) -> list[TimerInputs]:
    """Timer inputs of the open incidents this console sees (run on a reader thread)."""
    open_states = [s for s in IncidentStatus if s.is_open]
    incidents = [
        (i.id, i.priority, i.status, i.reported_at)
        for i in session.scalars(scope(select(Incident), Incident, jurisdiction)
                                 .where(Incident.status.in_(open_states)))
    ]
    ids = [row[0] for row in incidents]
    firsts: dict[tuple[int, str], dt.datetime] = {}
    if ids:
        for incident_id, kind, first in session.execute(
            select(IncidentEvent.incident_id, IncidentEvent.kind, func.min(IncidentEvent.at))
            .where(IncidentEvent.incident_id.in_(ids),
                   IncidentEvent.kind.in_(("dispatched", "unit_on_scene")))
            .group_by(IncidentEvent.incident_id, IncidentEvent.kind)
        ):
            firsts[(incident_id, kind)] = _aware(first)
    return [TimerInputs(i, p, s, r, firsts.get((i, "dispatched")),
                        firsts.get((i, "unit_on_scene")))
            for i, p, s, r in incidents]


def _aware(value: dt.datetime) -> dt.datetime:
    # func.min() bypasses the column type on SQLite: the driver hands back naive UTC text
    if isinstance(value, str):  # pragma: no cover - depends on the driver
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)

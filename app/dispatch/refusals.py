"""Refusals: why a dispatch request was not carried out.

A refusal is an expected answer, not an error: the service function that returns one has
written nothing, and the dispatcher sees the reason in their language
(:func:`app.dispatch.texts.refusal_text`). ``message`` is the English text for the log.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


class RefusalCode(enum.StrEnum):
    """Kinds of refusal (each has a translated text in :mod:`app.dispatch.texts`)."""

    INCIDENT_NOT_FOUND = "incident_not_found"
    UNIT_NOT_FOUND = "unit_not_found"
    VENUE_NOT_FOUND = "venue_not_found"
    ASSIGNMENT_NOT_FOUND = "assignment_not_found"
    ESCALATION_NOT_FOUND = "escalation_not_found"
    UNKNOWN_RADIO = "unknown_radio"
    OUTSIDE_JURISDICTION = "outside_jurisdiction"
    UNIT_OUTSIDE_INCIDENT_DISTRICT = "unit_outside_incident_district"
    INCIDENT_NOT_OPEN = "incident_not_open"
    UNIT_NOT_AVAILABLE = "unit_not_available"
    ALREADY_ASSIGNED = "already_assigned"
    INVALID_TRANSITION = "invalid_transition"
    NO_ASSIGNMENT = "no_assignment"
    ASSIGNMENT_NOT_ACTIVE = "assignment_not_active"
    CITY_CANNOT_ESCALATE = "city_cannot_escalate"
    ALREADY_ESCALATED = "already_escalated"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    INVALID_DISTRICT = "invalid_district"
    SAME_DISTRICT = "same_district"
    HAS_ACTIVE_UNITS = "has_active_units"
    SAME_INCIDENT = "same_incident"
    INVALID_INPUT = "invalid_input"
    NOT_ENOUGH_VENUES = "not_enough_venues"
    NOT_ENOUGH_INSPECTORS = "not_enough_inspectors"
    DRAW_NOT_FOUND = "draw_not_found"
    DRAW_NOT_RUN = "draw_not_run"
    DRAW_ALREADY_RUN = "draw_already_run"
    SEED_NOT_COMMITTED = "seed_not_committed"
    DRAW_SEED_NOT_HELD = "draw_seed_not_held"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A request the rules refused; nothing was written.

    Attributes:
        code: what kind of refusal.
        message: English explanation for the log.
        params: values for the translated text (``status``/``from_status``/``to_status`` hold
            UnitStatus values, the rest are shown as they are).
    """

    code: RefusalCode
    message: str
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __str__(self) -> str:
        return f"{self.code.value}: {self.message}"


def refuse(code: RefusalCode, message: str, **params: object) -> Refusal:
    """Build a :class:`Refusal` (parameters are kept as text)."""
    return Refusal(code, message, MappingProxyType({k: str(v) for k, v in params.items()}))


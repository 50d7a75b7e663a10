"""Display texts of dispatch values and refusals, translated through Qt.

English is the translation source (context ``Dispatch``); the Chinese comes from the console's
catalogue like every other UI string. Placeholders are ``{name}`` and are filled in after
translation, so a translator may move them freely.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from app.dispatch.refusals import Refusal, RefusalCode
from app.i18n import QT_TRANSLATE_NOOP
from app.labels import label
from models.dispatch import EscalationKind, IncidentOutcome
from models.enums import UnitStatus

_CTX = "Dispatch"

_REFUSALS: dict[RefusalCode, str] = {
    RefusalCode.INCIDENT_NOT_FOUND: QT_TRANSLATE_NOOP("Dispatch", "The incident no longer exists."),
    RefusalCode.UNIT_NOT_FOUND: QT_TRANSLATE_NOOP("Dispatch", "The unit no longer exists."),
    RefusalCode.VENUE_NOT_FOUND: QT_TRANSLATE_NOOP("Dispatch", "The venue no longer exists."),
    RefusalCode.ASSIGNMENT_NOT_FOUND: QT_TRANSLATE_NOOP("Dispatch",
                                                        "The assignment no longer exists."),
    RefusalCode.ESCALATION_NOT_FOUND: QT_TRANSLATE_NOOP("Dispatch",
                                                        "The escalation no longer exists."),
    RefusalCode.UNKNOWN_RADIO: QT_TRANSLATE_NOOP("Dispatch",
                                                 "Radio {issi} belongs to no unit."),
    RefusalCode.OUTSIDE_JURISDICTION: QT_TRANSLATE_NOOP(
        "Dispatch", "This is outside the jurisdiction of this console."),
    RefusalCode.UNIT_OUTSIDE_INCIDENT_DISTRICT: QT_TRANSLATE_NOOP(
        "Dispatch",
        "Unit {call_sign} belongs to another district; escalate the incident to the city "
        "centre to use units of other districts."),
    RefusalCode.INCIDENT_NOT_OPEN: QT_TRANSLATE_NOOP(
        "Dispatch", "Incident {number} is already closed, cancelled or merged."),
    RefusalCode.UNIT_NOT_AVAILABLE: QT_TRANSLATE_NOOP(
        "Dispatch", "Unit {call_sign} is not available (status: {status})."),
    RefusalCode.ALREADY_ASSIGNED: QT_TRANSLATE_NOOP(
        "Dispatch", "Unit {call_sign} is already assigned to incident {number}."),
    RefusalCode.INVALID_TRANSITION: QT_TRANSLATE_NOOP(
        "Dispatch", "Unit {call_sign} cannot go from “{from_status}” to “{to_status}”."),
    RefusalCode.NO_ASSIGNMENT: QT_TRANSLATE_NOOP(
        "Dispatch",
        "Unit {call_sign} has no active assignment; assign it to an incident instead."),
    RefusalCode.ASSIGNMENT_NOT_ACTIVE: QT_TRANSLATE_NOOP(
        "Dispatch", "This assignment has already ended."),
    RefusalCode.CITY_CANNOT_ESCALATE: QT_TRANSLATE_NOOP(
        "Dispatch", "The city centre cannot escalate further; hand the incident to a district "
                    "instead."),
    RefusalCode.ALREADY_ESCALATED: QT_TRANSLATE_NOOP(
        "Dispatch", "Incident {number} is already waiting for the city centre."),
    RefusalCode.ALREADY_ACKNOWLEDGED: QT_TRANSLATE_NOOP(
        "Dispatch", "This was already acknowledged by {by}."),
    RefusalCode.INVALID_DISTRICT: QT_TRANSLATE_NOOP("Dispatch", "Unknown district {district}."),
    RefusalCode.SAME_DISTRICT: QT_TRANSLATE_NOOP(
        "Dispatch", "Incident {number} already belongs to that district."),
    RefusalCode.HAS_ACTIVE_UNITS: QT_TRANSLATE_NOOP(
        "Dispatch", "Incident {number} still has units assigned; cancel their assignments "
                    "first."),
    RefusalCode.SAME_INCIDENT: QT_TRANSLATE_NOOP("Dispatch",
                                                 "An incident cannot be merged into itself."),
    RefusalCode.INVALID_INPUT: QT_TRANSLATE_NOOP("Dispatch", "Invalid input: {detail}"),
    RefusalCode.NOT_ENOUGH_VENUES: QT_TRANSLATE_NOOP(
        "Dispatch", "Only {available} venues can be drawn, {wanted} were asked for."),
    RefusalCode.NOT_ENOUGH_INSPECTORS: QT_TRANSLATE_NOOP(
        "Dispatch", "Not enough eligible inspectors to staff {wanted} inspection teams."),
}

_OUTCOMES: dict[IncidentOutcome, str] = {
    IncidentOutcome.NO_VIOLATION: QT_TRANSLATE_NOOP("Dispatch", "No violation found"),
    IncidentOutcome.CORRECTED_ON_SITE: QT_TRANSLATE_NOOP("Dispatch", "Corrected on site"),
    IncidentOutcome.ORDERED_TO_RECTIFY: QT_TRANSLATE_NOOP("Dispatch",
                                                          "Ordered to rectify by a deadline"),
    IncidentOutcome.CASE_OPENED: QT_TRANSLATE_NOOP("Dispatch", "Case opened"),
    IncidentOutcome.REFERRED: QT_TRANSLATE_NOOP("Dispatch", "Referred to another authority"),
    IncidentOutcome.UNABLE_TO_VERIFY: QT_TRANSLATE_NOOP(
        "Dispatch", "Could not be verified (venue closed, nobody found)"),
    IncidentOutcome.FALSE_ALARM: QT_TRANSLATE_NOOP("Dispatch", "False alarm"),
}

_ESCALATION_KINDS: dict[EscalationKind, str] = {
    EscalationKind.ESCALATE: QT_TRANSLATE_NOOP("Dispatch", "Escalated to the city centre"),
    EscalationKind.HANDOVER: QT_TRANSLATE_NOOP("Dispatch", "Handed over to another district"),
}

_STATUS_PARAMS = frozenset({"status", "from_status", "to_status"})


def fill(template: str, params: Mapping[str, str]) -> str:
    """Replace ``{name}`` placeholders; unknown placeholders stay as they are."""
    text = template
    for key, value in params.items():
        text = text.replace("{" + key + "}", value)
    return text


def refusal_text(refusal: Refusal) -> str:
    """The refusal's reason in the user's language."""
    params: dict[str, str] = {}
    for key, value in refusal.params.items():
        if key in _STATUS_PARAMS:
            with contextlib.suppress(ValueError):
                value = label(UnitStatus(value))
        params[key] = value
    return fill(QCoreApplication.translate(_CTX, _REFUSALS[refusal.code]), params)


def outcome_label(outcome: IncidentOutcome | str) -> str:
    """Display name of a closing outcome (the stored value if it is unknown)."""
    try:
        member = IncidentOutcome(outcome)
    except ValueError:
        return str(outcome)
    return QCoreApplication.translate(_CTX, _OUTCOMES[member])


def escalation_kind_label(kind: EscalationKind) -> str:
    """Display name of an escalation kind."""
    return QCoreApplication.translate(_CTX, _ESCALATION_KINDS[kind])


def has_text(code: RefusalCode) -> bool:
    """Whether a refusal code has a text (tests check every code has one)."""
    return code in _REFUSALS

"""Display texts of dispatch values and refusals, translated through Qt.

English is the translation source (context ``Dispatch``); the Chinese comes from the console's
catalogue like every other UI string. Placeholders are ``{name}`` and are filled in after
translation, so a translator may move them freely.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication

from app.dispatch.recommend import Exclusion, Recommendation, RecommendationSet
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
    RefusalCode.DRAW_NOT_FOUND: QT_TRANSLATE_NOOP(
        "Dispatch", "There is no draw {number} visible to this console."),
    RefusalCode.DRAW_NOT_RUN: QT_TRANSLATE_NOOP(
        "Dispatch", "Draw {number} has not been run yet; its seed is revealed only with its "
                    "result."),
    RefusalCode.DRAW_ALREADY_RUN: QT_TRANSLATE_NOOP("Dispatch",
                                                    "Draw {number} has already been run."),
    RefusalCode.SEED_NOT_COMMITTED: QT_TRANSLATE_NOOP(
        "Dispatch", "This is not the seed committed for draw {number}; a typed seed can only "
                    "verify a draw, never make one."),
    RefusalCode.DRAW_SEED_NOT_HELD: QT_TRANSLATE_NOOP(
        "Dispatch", "The seed of draw {number} is no longer held by this console (it was "
                    "restarted); the draw stays pending in the history. Prepare a new draw."),
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

# Why a unit is not offered for an incident (the recommendation list shows it greyed).
_EXCLUDED_BY_STATUS: dict[UnitStatus, str] = {
    UnitStatus.OFF_DUTY: QT_TRANSLATE_NOOP("Dispatch", "Not offered: off duty"),
    UnitStatus.OUT_OF_SERVICE: QT_TRANSLATE_NOOP("Dispatch", "Not offered: out of service"),
    UnitStatus.DISPATCHED: QT_TRANSLATE_NOOP("Dispatch",
                                             "Not offered: busy with another job ({status})"),
    UnitStatus.EN_ROUTE: QT_TRANSLATE_NOOP("Dispatch",
                                           "Not offered: busy with another job ({status})"),
    UnitStatus.ON_SCENE: QT_TRANSLATE_NOOP("Dispatch",
                                           "Not offered: busy with another job ({status})"),
    UnitStatus.EMERGENCY: QT_TRANSLATE_NOOP("Dispatch", "Not offered: in an emergency"),
}
_EXCLUDED_OTHER_DISTRICT = QT_TRANSLATE_NOOP(
    "Dispatch", "Not offered: a unit of {district}; units of other districts go only to an "
                "escalated incident")
_STILL_CLEARING = QT_TRANSLATE_NOOP(
    "Dispatch", "still clearing its last job: offered after every free unit")
_CITY_CORPS_OFFERED = QT_TRANSLATE_NOOP(
    "Dispatch", "city corps: the city centre may send it to any district")
_CITY_CORPS = QT_TRANSLATE_NOOP("Dispatch", "the city corps")

# Which units an incident may get (the rule the recommendation list follows).
_RULE_ESCALATED = QT_TRANSLATE_NOOP(
    "Dispatch", "The incident is escalated: units of every district and the city corps may go.")
_RULE_NO_DISTRICT = QT_TRANSLATE_NOOP(
    "Dispatch", "A city-level incident: every unit of this console may go.")
_RULE_CITY = QT_TRANSLATE_NOOP(
    "Dispatch", "Units of {district} and the city corps may go; units of other districts only "
                "once the incident is escalated.")
_RULE_DISTRICT = QT_TRANSLATE_NOOP(
    "Dispatch", "Only units of {district} may go; escalate to the city centre (F8) for the "
                "city corps or other districts.")


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


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def _district(adcode: str | None, names: Mapping[str, str]) -> str:
    if adcode is None:
        return _tr(_CITY_CORPS)
    return names.get(adcode, adcode)


def exclusion_text(row: Recommendation, district_names: Mapping[str, str]) -> str:
    """Why a listed unit is not offered ("" for a unit that is)."""
    if row.excluded is Exclusion.OTHER_DISTRICT:
        return fill(_tr(_EXCLUDED_OTHER_DISTRICT),
                    {"district": _district(row.district_adcode, district_names)})
    if row.excluded is Exclusion.STATUS:
        template = _EXCLUDED_BY_STATUS.get(row.status, _EXCLUDED_BY_STATUS[UnitStatus.DISPATCHED])
        return fill(_tr(template), {"status": label(row.status)})
    return ""


def offer_notes(row: Recommendation) -> list[str]:
    """What a dispatcher should know about an offered unit's place (clearing, city corps)."""
    notes = []
    if row.excluded is None and row.status is UnitStatus.CLEARING:
        notes.append(_tr(_STILL_CLEARING))
    if row.excluded is None and row.city_corps:
        notes.append(_tr(_CITY_CORPS_OFFERED))
    return notes


def offer_rule_text(rec_set: RecommendationSet, district_names: Mapping[str, str]) -> str:
    """Which units the incident may get, for this console (see ``unit_may_serve``)."""
    incident = rec_set.incident
    if incident.escalated:
        return _tr(_RULE_ESCALATED)
    if incident.district_adcode is None:
        return _tr(_RULE_NO_DISTRICT)
    name = _district(incident.district_adcode, district_names)
    rule = _RULE_CITY if rec_set.jurisdiction.is_city else _RULE_DISTRICT
    return fill(_tr(rule), {"district": name})

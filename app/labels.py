"""Display names of the model's value lists, translated through Qt.

The English texts are the translation sources; the Chinese comes from
resources/i18n/console_zh_CN.ts like every other UI string.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

from app.i18n import QT_TRANSLATE_NOOP
from models.enums import (
    CreditGrade,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    IncidentStatus,
    UnitStatus,
    VenueClass,
    VenueType,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")

_LABELS: dict[Enum, tuple[str, str]] = {
    UnitStatus.OFF_DUTY: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Off duty")),
    UnitStatus.AVAILABLE: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Available")),
    UnitStatus.DISPATCHED: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Dispatched")),
    UnitStatus.EN_ROUTE: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "En route")),
    UnitStatus.ON_SCENE: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "On scene / inspecting")),
    UnitStatus.CLEARING: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Clearing")),
    UnitStatus.OUT_OF_SERVICE: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Out of service")),
    UnitStatus.EMERGENCY: ("UnitStatus", QT_TRANSLATE_NOOP("UnitStatus", "Emergency")),
    IncidentStatus.NEW: ("IncidentStatus", QT_TRANSLATE_NOOP("IncidentStatus", "New")),
    IncidentStatus.DISPATCHED: ("IncidentStatus",
                                QT_TRANSLATE_NOOP("IncidentStatus", "Dispatched")),
    IncidentStatus.IN_PROGRESS: ("IncidentStatus",
                                 QT_TRANSLATE_NOOP("IncidentStatus", "In progress")),
    IncidentStatus.ESCALATED: ("IncidentStatus", QT_TRANSLATE_NOOP("IncidentStatus", "Escalated")),
    IncidentStatus.CLOSED: ("IncidentStatus", QT_TRANSLATE_NOOP("IncidentStatus", "Closed")),
    IncidentStatus.CANCELLED: ("IncidentStatus", QT_TRANSLATE_NOOP("IncidentStatus", "Cancelled")),
    IncidentStatus.MERGED: ("IncidentStatus", QT_TRANSLATE_NOOP("IncidentStatus", "Merged")),
    IncidentPriority.URGENT: ("Priority", QT_TRANSLATE_NOOP("Priority", "Urgent")),
    IncidentPriority.HIGH: ("Priority", QT_TRANSLATE_NOOP("Priority", "High")),
    IncidentPriority.NORMAL: ("Priority", QT_TRANSLATE_NOOP("Priority", "Normal")),
    IncidentPriority.LOW: ("Priority", QT_TRANSLATE_NOOP("Priority", "Low")),
    IncidentSource.HOTLINE_12318: ("IncidentSource",
                                   QT_TRANSLATE_NOOP("IncidentSource", "12318 hotline")),
    IncidentSource.HOTLINE_12345: ("IncidentSource",
                                   QT_TRANSLATE_NOOP("IncidentSource", "12345 hotline")),
    IncidentSource.TRANSCRIPT_FINDING: ("IncidentSource",
                                        QT_TRANSLATE_NOOP("IncidentSource", "Transcript finding")),
    IncidentSource.RADIO_EMERGENCY: ("IncidentSource",
                                     QT_TRANSLATE_NOOP("IncidentSource", "Radio emergency")),
    IncidentSource.VEHICLE_SOS: ("IncidentSource", QT_TRANSLATE_NOOP("IncidentSource",
                                                                     "Vehicle SOS")),
    IncidentSource.GEOFENCE: ("IncidentSource", QT_TRANSLATE_NOOP("IncidentSource",
                                                                  "Geofence alarm")),
    IncidentSource.INSPECTION: ("IncidentSource",
                                QT_TRANSLATE_NOOP("IncidentSource", "Random inspection")),
    IncidentSource.PATROL: ("IncidentSource", QT_TRANSLATE_NOOP("IncidentSource", "Patrol")),
    IncidentSource.MANUAL: ("IncidentSource", QT_TRANSLATE_NOOP("IncidentSource", "Manual entry")),
    IncidentCategory.UNLICENSED_OPERATION: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Unlicensed operation")),
    IncidentCategory.MINORS_ADMITTED: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Minors admitted")),
    IncidentCategory.PROHIBITED_CONTENT: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Prohibited content")),
    IncidentCategory.UNAPPROVED_PERFORMANCE: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Unapproved performance")),
    IncidentCategory.PIRATED_PUBLICATIONS: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Pirated publications")),
    IncidentCategory.NOISE_NUISANCE: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Noise nuisance")),
    IncidentCategory.OVER_HOURS: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Operating after hours")),
    IncidentCategory.GAMBLING: ("IncidentCategory",
                                QT_TRANSLATE_NOOP("IncidentCategory", "Gambling")),
    IncidentCategory.OFFICER_EMERGENCY: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Officer emergency")),
    IncidentCategory.VEHICLE_ALARM: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Vehicle alarm")),
    IncidentCategory.GEOFENCE_ALARM: (
        "IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Geofence alarm")),
    IncidentCategory.INSPECTION: ("IncidentCategory",
                                  QT_TRANSLATE_NOOP("IncidentCategory", "Inspection")),
    IncidentCategory.OTHER: ("IncidentCategory", QT_TRANSLATE_NOOP("IncidentCategory", "Other")),
    VenueType.PERFORMANCE: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Performance venue")),
    VenueType.INTERNET_CAFE: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Internet café")),
    VenueType.KARAOKE_DANCE: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Karaoke / dance hall")),
    VenueType.GAMES_ARCADE: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Games arcade")),
    VenueType.PUBLICATIONS: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Publications")),
    VenueType.ART: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Art dealer")),
    VenueType.SCRIPT_GAME: ("VenueType", QT_TRANSLATE_NOOP("VenueType", "Script game venue")),
    VenueClass.KEY: ("VenueClass", QT_TRANSLATE_NOOP("VenueClass", "Key venue")),
    VenueClass.TEMPORARY: ("VenueClass", QT_TRANSLATE_NOOP("VenueClass", "Temporary venue")),
    VenueClass.REGULAR: ("VenueClass", QT_TRANSLATE_NOOP("VenueClass", "Regular")),
    CreditGrade.A: ("CreditGrade", QT_TRANSLATE_NOOP("CreditGrade", "A (green)")),
    CreditGrade.B: ("CreditGrade", QT_TRANSLATE_NOOP("CreditGrade", "B (blue)")),
    CreditGrade.C: ("CreditGrade", QT_TRANSLATE_NOOP("CreditGrade", "C (yellow)")),
    CreditGrade.D: ("CreditGrade", QT_TRANSLATE_NOOP("CreditGrade", "D (red)")),
}


def label(value: Enum) -> str:
    """The translated display name of an enum member (its value if it has none)."""
    entry = _LABELS.get(value)
    if entry is None:
        return str(value.value)
    context, text = entry
    return QCoreApplication.translate(context, text)


def has_label(value: Enum) -> bool:
    """Whether ``value`` has a display name (tests check every member has one)."""
    return value in _LABELS


def local_time(value: dt.datetime | None, fmt: str = "%m-%d %H:%M:%S") -> str:
    """A UTC timestamp shown in Beijing time."""
    if value is None:
        return ""
    return value.astimezone(SHANGHAI).strftime(fmt)


# ---------------------------------------------------------------------- alarm texts
# Alarm bar texts are generated on the UI thread when the alarm is raised, in its language.
def sos_alarm_text(who: str) -> str:
    """A vehicle terminal's SOS ("车辆紧急报警 朝阳01")."""
    return QCoreApplication.translate("Alarm", "Vehicle emergency alarm (SOS) %1").replace(
        "%1", who)


def radio_emergency_text(party: str) -> str:
    """An officer's radio emergency ("电台紧急求助 西城02 王伟")."""
    return QCoreApplication.translate("Alarm", "Radio emergency call %1").replace("%1", party)


def geofence_alarm_text(call_sign: str, fence: str, entered: bool) -> str:
    """A unit entered or left a geofence ("东城05 离开电子围栏「王府井」")."""
    text = (QCoreApplication.translate("Alarm", "%1 entered the geofence “%2”") if entered
            else QCoreApplication.translate("Alarm", "%1 left the geofence “%2”"))
    return text.replace("%1", call_sign).replace("%2", fence)


def escalation_alarm_text(title: str, reminder: bool) -> str:
    """An escalated incident waits for the city centre ("事件上报待签收：…")."""
    text = (QCoreApplication.translate("Alarm",
                                       "Escalated incident awaiting acknowledgement (reminder): %1")
            if reminder else
            QCoreApplication.translate("Alarm", "Escalated incident awaiting acknowledgement: %1"))
    return text.replace("%1", title)


# ---------------------------------------------------------------------- content findings
# The prohibited-content categories of the Regulations on Commercial Performances (art. 25);
# the Chinese is the regulation's own wording (app.analysis.rules.CATEGORIES).
_FINDING_CATEGORIES: dict[int, str] = {
    0: QT_TRANSLATE_NOOP("FindingCategory",
                         "Unapproved performance content (differs from the approved script)"),
    1: QT_TRANSLATE_NOOP("FindingCategory",
                         "Opposing the basic principles laid down in the Constitution"),
    2: QT_TRANSLATE_NOOP("FindingCategory",
                         "Endangering national unity, sovereignty and territorial integrity, "
                         "endangering national security, or harming national honour and "
                         "interests"),
    3: QT_TRANSLATE_NOOP("FindingCategory",
                         "Inciting ethnic hatred or discrimination, infringing ethnic customs, "
                         "hurting ethnic feelings, undermining ethnic unity, or violating "
                         "religious policy"),
    4: QT_TRANSLATE_NOOP("FindingCategory",
                         "Disturbing social order or undermining social stability"),
    5: QT_TRANSLATE_NOOP("FindingCategory",
                         "Endangering social morality or the nation's fine cultural traditions"),
    6: QT_TRANSLATE_NOOP("FindingCategory",
                         "Promoting obscenity, pornography, cults or superstition, or playing up "
                         "violence"),
    7: QT_TRANSLATE_NOOP("FindingCategory",
                         "Insulting or slandering others, infringing their lawful rights and "
                         "interests"),
    8: QT_TRANSLATE_NOOP("FindingCategory",
                         "Terrifying or cruel performance that harms the performers' physical or "
                         "mental health"),
    9: QT_TRANSLATE_NOOP("FindingCategory",
                         "Attracting audiences by exploiting physical defects or displaying "
                         "bodily abnormalities"),
    10: QT_TRANSLATE_NOOP("FindingCategory",
                          "Other circumstances prohibited by laws and administrative regulations"),
}


def finding_category_label(number: int) -> str:
    """A content finding's category as shown in the console: "第6项：宣扬淫秽…" in Chinese,
    "Item 6: Promoting obscenity…" in English (0: the script deviation)."""
    text = _FINDING_CATEGORIES.get(number)
    if text is None:
        return QCoreApplication.translate("FindingCategory", "Item %1").replace(
            "%1", str(number))
    name = QCoreApplication.translate("FindingCategory", text)
    if number == 0:
        return QCoreApplication.translate("FindingCategory", "Script deviation: %1").replace(
            "%1", name)
    return QCoreApplication.translate("FindingCategory", "Item %1: %2").replace(
        "%1", str(number)).replace("%2", name)

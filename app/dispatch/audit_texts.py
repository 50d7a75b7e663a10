"""The audit log in words: action names and details in the user's language.

Audit events store machine values (``findings.record``, ``{"outcome": "corrected_on_site"}``)
so that they stay stable and searchable; the viewer shows them through these functions.
English is the translation source (context ``Audit``); the Chinese comes from the console's
catalogue. A code without a name is shown as it is (never dropped).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from enum import Enum

from PySide6.QtCore import QCoreApplication

from app.dispatch.texts import escalation_kind_label, outcome_label
from app.i18n import QT_TRANSLATE_NOOP
from app.labels import label
from models.dispatch import EscalationKind
from models.enums import (
    EvidenceKind,
    IncidentCategory,
    IncidentPriority,
    IncidentSource,
    UnitStatus,
)
from models.jurisdiction import BEIJING_DISTRICTS, CITY

_CTX = "Audit"

#: Every action code the console records (tests check each recorded one has a name).
ACTIONS: dict[str, str] = {
    "incident.create": QT_TRANSLATE_NOOP("Audit", "Incident created"),
    "incident.assign": QT_TRANSLATE_NOOP("Audit", "Unit assigned"),
    "incident.reassign": QT_TRANSLATE_NOOP("Audit", "Incident reassigned"),
    "incident.cancel_assignment": QT_TRANSLATE_NOOP("Audit", "Assignment withdrawn"),
    "incident.close": QT_TRANSLATE_NOOP("Audit", "Incident closed"),
    "incident.cancel": QT_TRANSLATE_NOOP("Audit", "Incident cancelled"),
    "incident.merge": QT_TRANSLATE_NOOP("Audit", "Incidents merged"),
    "incident.escalate": QT_TRANSLATE_NOOP("Audit", "Escalated to the city"),
    "incident.hand_over": QT_TRANSLATE_NOOP("Audit", "Handed over to a district"),
    "incident.acknowledge_escalation": QT_TRANSLATE_NOOP("Audit", "Escalation acknowledged"),
    "unit.status": QT_TRANSLATE_NOOP("Audit", "Unit status changed"),
    "unit.acknowledge": QT_TRANSLATE_NOOP("Audit", "Order acknowledged by radio"),
    "inspection.draw": QT_TRANSLATE_NOOP("Audit", "Double-random draw"),
    "inspection.draw_commit": QT_TRANSLATE_NOOP("Audit",
                                                "Double-random draw: seed hash committed"),
    "inspection.draw_failed": QT_TRANSLATE_NOOP("Audit", "Double-random draw failed"),
    "inspection.draw_verify": QT_TRANSLATE_NOOP(
        "Audit", "Double-random draw verified with a typed seed"),
    "audit.export": QT_TRANSLATE_NOOP("Audit", "Audit log exported"),
    "findings.record": QT_TRANSLATE_NOOP("Audit", "Content findings recorded"),
    "geofence.create": QT_TRANSLATE_NOOP("Audit", "Geofence created"),
    "geofence.delete": QT_TRANSLATE_NOOP("Audit", "Geofence deleted"),
    "evidence.capture": QT_TRANSLATE_NOOP("Audit", "Evidence captured"),
    "radio.cancel": QT_TRANSLATE_NOOP("Audit", "Radio message withdrawn"),
    "districts.import": QT_TRANSLATE_NOOP("Audit", "District outlines imported"),
}

#: Names of the detail keys.
KEYS: dict[str, str] = {
    "source": QT_TRANSLATE_NOOP("Audit", "source"),
    "category": QT_TRANSLATE_NOOP("Audit", "category"),
    "priority": QT_TRANSLATE_NOOP("Audit", "priority"),
    "name": QT_TRANSLATE_NOOP("Audit", "name"),
    "severity": QT_TRANSLATE_NOOP("Audit", "severity"),
    "kind": QT_TRANSLATE_NOOP("Audit", "kind"),
    "sha256": QT_TRANSLATE_NOOP("Audit", "SHA-256"),
    "path": QT_TRANSLATE_NOOP("Audit", "file"),
    "file": QT_TRANSLATE_NOOP("Audit", "file"),
    "media_source_id": QT_TRANSLATE_NOOP("Audit", "video source"),
    "incident_id": QT_TRANSLATE_NOOP("Audit", "incident id"),
    "incident": QT_TRANSLATE_NOOP("Audit", "incident"),
    "into": QT_TRANSLATE_NOOP("Audit", "merged into"),
    "scope": QT_TRANSLATE_NOOP("Audit", "scope"),
    "method": QT_TRANSLATE_NOOP("Audit", "method"),
    "seed": QT_TRANSLATE_NOOP("Audit", "seed"),
    "seed_sha256": QT_TRANSLATE_NOOP("Audit", "seed SHA-256"),
    "result_sha256": QT_TRANSLATE_NOOP("Audit", "result SHA-256"),
    "pool": QT_TRANSLATE_NOOP("Audit", "candidate venues"),
    "inspectors": QT_TRANSLATE_NOOP("Audit", "inspectors"),
    "venue_count": QT_TRANSLATE_NOOP("Audit", "venues wanted"),
    "tasks": QT_TRANSLATE_NOOP("Audit", "tasks"),
    "official": QT_TRANSLATE_NOOP("Audit", "official"),
    "ok": QT_TRANSLATE_NOOP("Audit", "verified"),
    "problems": QT_TRANSLATE_NOOP("Audit", "problems"),
    "reason": QT_TRANSLATE_NOOP("Audit", "reason"),
    "note": QT_TRANSLATE_NOOP("Audit", "note"),
    "outcome": QT_TRANSLATE_NOOP("Audit", "outcome"),
    "unit": QT_TRANSLATE_NOOP("Audit", "unit"),
    "from_unit": QT_TRANSLATE_NOOP("Audit", "from unit"),
    "to_unit": QT_TRANSLATE_NOOP("Audit", "to unit"),
    "order_message_id": QT_TRANSLATE_NOOP("Audit", "order message"),
    "recall_message_id": QT_TRANSLATE_NOOP("Audit", "recall message"),
    "dest_issi": QT_TRANSLATE_NOOP("Audit", "radio ISSI"),
    "issi": QT_TRANSLATE_NOOP("Audit", "radio ISSI"),
    "from_status": QT_TRANSLATE_NOOP("Audit", "from"),
    "to_status": QT_TRANSLATE_NOOP("Audit", "to"),
    "to": QT_TRANSLATE_NOOP("Audit", "to"),
    "from_scope": QT_TRANSLATE_NOOP("Audit", "from"),
    "escalation_id": QT_TRANSLATE_NOOP("Audit", "escalation"),
    "findings": QT_TRANSLATE_NOOP("Audit", "findings"),
    "serious": QT_TRANSLATE_NOOP("Audit", "serious"),
    "text": QT_TRANSLATE_NOOP("Audit", "text"),
    "outbox": QT_TRANSLATE_NOOP("Audit", "outbox entry"),
    "rows": QT_TRANSLATE_NOOP("Audit", "rows"),
}

#: Where a unit status change came from (``unit.status`` ``source``).
_STATUS_SOURCES: dict[str, str] = {
    "dispatch": QT_TRANSLATE_NOOP("Audit", "dispatch"),
    "manual": QT_TRANSLATE_NOOP("Audit", "set by hand"),
    "radio": QT_TRANSLATE_NOOP("Audit", "radio status message"),
    "system": QT_TRANSLATE_NOOP("Audit", "system"),
}

_EVIDENCE_KINDS: dict[EvidenceKind, str] = {
    EvidenceKind.SNAPSHOT: QT_TRANSLATE_NOOP("Audit", "snapshot"),
    EvidenceKind.CLIP: QT_TRANSLATE_NOOP("Audit", "video clip"),
    EvidenceKind.RECORDING: QT_TRANSLATE_NOOP("Audit", "recording"),
    EvidenceKind.REPORT: QT_TRANSLATE_NOOP("Audit", "report"),
    EvidenceKind.DOCUMENT: QT_TRANSLATE_NOOP("Audit", "document"),
}

_ENUMS: dict[str, type[Enum]] = {
    "category": IncidentCategory,
    "from_status": UnitStatus,
    "to_status": UnitStatus,
}


def _tr(text: str) -> str:
    return QCoreApplication.translate(_CTX, text)


def separator() -> str:
    """Between details: "; " (in Chinese "；")."""
    return QCoreApplication.translate("Audit", "; ")


def action_label(action: str) -> str:
    """The action in words (its code if it has no name)."""
    text = ACTIONS.get(action)
    return _tr(text) if text is not None else action


def _scope(value: str) -> str:
    if value == CITY:
        return QCoreApplication.translate("Audit", "city centre")
    return BEIJING_DISTRICTS.get(value, value)


def value_text(action: str, key: str, value: object) -> str:
    """One detail value in words (unknown values as they are)."""
    if isinstance(value, bool):
        return (QCoreApplication.translate("Audit", "yes") if value
                else QCoreApplication.translate("Audit", "no"))
    if isinstance(value, list | tuple):
        return separator().join(value_text(action, key, v) for v in value)
    text = str(value)
    if key == "outcome":
        return outcome_label(text)
    if key in _ENUMS:
        with contextlib.suppress(ValueError):
            return label(_ENUMS[key](text))
    if key == "source":
        if action == "unit.status" and text in _STATUS_SOURCES:
            return _tr(_STATUS_SOURCES[text])
        with contextlib.suppress(ValueError):
            return label(IncidentSource(text))
    if key == "priority":
        with contextlib.suppress(ValueError):
            return label(IncidentPriority(int(text)))
    if key == "kind":
        with contextlib.suppress(ValueError):
            return escalation_kind_label(EscalationKind(text))
        with contextlib.suppress(ValueError):
            return _tr(_EVIDENCE_KINDS[EvidenceKind(text)])
    if key in ("scope", "to", "from_scope"):
        return _scope(text)
    return text


def detail_text(action: str, detail: str) -> str:
    """An event's details in words: "outcome: Corrected on site; note: …" (in Chinese
    "结果：当场责令改正；备注：…"). Text that is not a JSON object is shown as it is."""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, Mapping):
        return detail
    parts = []
    for key, value in data.items():
        if value in ("", None) or value == []:
            continue
        name = _tr(KEYS[key]) if key in KEYS else key
        parts.append(QCoreApplication.translate("Audit", "%1: %2").replace("%1", name)
                     .replace("%2", value_text(action, key, value)))
    return separator().join(parts)

"""Colours shared by the panels (status, priority, grade)."""

from __future__ import annotations

from models.enums import IncidentStatus, UnitStatus

UNIT_STATUS_COLOURS: dict[UnitStatus, str] = {
    UnitStatus.OFF_DUTY: "#d9d9d9",
    UnitStatus.AVAILABLE: "#bfe8c6",
    UnitStatus.DISPATCHED: "#ffe08a",
    UnitStatus.EN_ROUTE: "#b9d4ff",
    UnitStatus.ON_SCENE: "#dcc6f5",
    UnitStatus.CLEARING: "#b8ece6",
    UnitStatus.OUT_OF_SERVICE: "#a6a6a6",
    UnitStatus.EMERGENCY: "#ff6b6b",
}

PRIORITY_COLOURS: dict[int, str] = {1: "#ff8a80", 2: "#ffd180", 3: "#fff9c4", 4: "#e0e0e0"}

INCIDENT_STATUS_COLOURS: dict[IncidentStatus, str] = {
    IncidentStatus.NEW: "#ffe0e0",
    IncidentStatus.ESCALATED: "#ffb3b3",
}

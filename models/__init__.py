"""The console's data model: SQLAlchemy 2.0 typed ORM, Alembic migrations, scoped queries.

No Qt and nothing from ``app`` or ``widgets`` may be imported here (import-linter checks it).
"""

from models.audit import AuditEvent, User
from models.base import UTC, Base, utcnow
from models.clock import Clock, FixedClock, SystemClock
from models.dispatch import (
    Escalation,
    EscalationKind,
    IncidentOutcome,
    InspectionDraw,
    InspectionTask,
    InspectionTaskOfficer,
)
from models.force import (
    BodyCamera,
    Officer,
    RadioTerminal,
    Unit,
    UnitStatusChange,
    Vehicle,
    VehicleTerminal,
)
from models.geo import District
from models.geofence import Geofence
from models.incidents import Assignment, Incident, IncidentEvent
from models.jurisdiction import BEIJING_DISTRICTS, Jurisdiction, scope
from models.ledger import LedgerHead, LedgerLeaf, LedgerTreeHead
from models.media import EvidenceItem, MediaSource
from models.radio import RadioMessage
from models.speech import Finding, TranscriptSegment
from models.speech_schedule import Performance
from models.tracking import PositionFix
from models.venues import Venue, VenueGradeChange

__all__ = [
    "BEIJING_DISTRICTS",
    "UTC",
    "Assignment",
    "AuditEvent",
    "Base",
    "BodyCamera",
    "Clock",
    "District",
    "Escalation",
    "EscalationKind",
    "EvidenceItem",
    "Finding",
    "FixedClock",
    "Geofence",
    "Incident",
    "IncidentEvent",
    "IncidentOutcome",
    "InspectionDraw",
    "InspectionTask",
    "InspectionTaskOfficer",
    "Jurisdiction",
    "LedgerHead",
    "LedgerLeaf",
    "LedgerTreeHead",
    "MediaSource",
    "Officer",
    "Performance",
    "PositionFix",
    "RadioMessage",
    "RadioTerminal",
    "SystemClock",
    "TranscriptSegment",
    "Unit",
    "UnitStatusChange",
    "User",
    "Vehicle",
    "VehicleTerminal",
    "Venue",
    "VenueGradeChange",
    "scope",
    "utcnow",
]

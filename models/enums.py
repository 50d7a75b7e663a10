"""Value lists shared by every layer.

The string values are what the database stores; they never change once released (add new
members, never rename). Display names live in the UI layer, translated through Qt.
"""

from __future__ import annotations

import enum
from types import MappingProxyType


class UnitStatus(enum.StrEnum):
    """The one status list of a unit (a crew with its vehicle, radio and camera).

    Every subsystem (radio status plan, dispatch lifecycle, map icons, recorder check) uses
    exactly these values.
    """

    OFF_DUTY = "off_duty"
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"  # on scene / inspecting (到达现场/检查中)
    CLEARING = "clearing"
    OUT_OF_SERVICE = "out_of_service"
    EMERGENCY = "emergency"

    @property
    def is_assignable(self) -> bool:
        """Whether the dispatcher may hand this unit a new incident without reassigning."""
        return self is UnitStatus.AVAILABLE

    @property
    def is_busy(self) -> bool:
        """Whether the unit is working an assignment."""
        return self in _BUSY


_BUSY = frozenset(
    {UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.CLEARING}
)

#: Allowed unit status transitions. EMERGENCY can be entered from any state and left only
#: to AVAILABLE or OUT_OF_SERVICE (after the emergency is acknowledged and resolved).
UNIT_TRANSITIONS: MappingProxyType[UnitStatus, frozenset[UnitStatus]] = MappingProxyType(
    {
        UnitStatus.OFF_DUTY: frozenset({UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}),
        UnitStatus.AVAILABLE: frozenset(
            {UnitStatus.DISPATCHED, UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE,
             UnitStatus.OFF_DUTY, UnitStatus.OUT_OF_SERVICE}
        ),
        UnitStatus.DISPATCHED: frozenset(
            {UnitStatus.EN_ROUTE, UnitStatus.ON_SCENE, UnitStatus.AVAILABLE}
        ),
        UnitStatus.EN_ROUTE: frozenset({UnitStatus.ON_SCENE, UnitStatus.AVAILABLE}),
        UnitStatus.ON_SCENE: frozenset({UnitStatus.CLEARING, UnitStatus.AVAILABLE}),
        UnitStatus.CLEARING: frozenset({UnitStatus.AVAILABLE, UnitStatus.DISPATCHED}),
        UnitStatus.OUT_OF_SERVICE: frozenset({UnitStatus.AVAILABLE, UnitStatus.OFF_DUTY}),
        UnitStatus.EMERGENCY: frozenset({UnitStatus.AVAILABLE, UnitStatus.OUT_OF_SERVICE}),
    }
)


def transition_error(current: UnitStatus, new: UnitStatus) -> str | None:
    """Return why ``current → new`` is refused, or None when it is allowed."""
    if new is current:
        return None
    if new is UnitStatus.EMERGENCY:
        return None
    if new in UNIT_TRANSITIONS[current]:
        return None
    allowed = ", ".join(sorted(s.value for s in UNIT_TRANSITIONS[current]))
    return f"a unit that is {current.value} cannot become {new.value} (allowed: {allowed})"


class VenueType(enum.StrEnum):
    """Kinds of cultural-market business the corps supervises."""

    PERFORMANCE = "performance"  # 演出场所
    INTERNET_CAFE = "internet_cafe"  # 网吧 / 上网服务营业场所
    KARAOKE_DANCE = "karaoke_dance"  # 歌舞娱乐场所
    GAMES_ARCADE = "games_arcade"  # 游艺娱乐场所
    PUBLICATIONS = "publications"  # 出版物经营
    ART = "art"  # 艺术品经营
    SCRIPT_GAME = "script_game"  # 剧本娱乐经营场所


class VenueClass(enum.StrEnum):
    """Supervision class of a performance venue (seed: 高频重点 / 低频临时)."""

    KEY = "key"  # 高频重点场所: fixed audio/video monitoring devices
    TEMPORARY = "temporary"  # 低频临时场所
    REGULAR = "regular"  # everything that is not a performance venue


class CreditGrade(enum.StrEnum):
    """Credit-risk grade A (best) … D (worst); colours green, blue, yellow, red."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def colour(self) -> str:
        """Map colour of the grade (hex)."""
        return _GRADE_COLOURS[self]


_GRADE_COLOURS = {
    CreditGrade.A: "#2e9d4a",
    CreditGrade.B: "#2f6fd6",
    CreditGrade.C: "#e6b800",
    CreditGrade.D: "#d92b2b",
}


class IncidentSource(enum.StrEnum):
    """Where an incident came from."""

    HOTLINE_12318 = "hotline_12318"  # 12318 文化市场举报热线
    HOTLINE_12345 = "hotline_12345"  # 12345 市民服务热线
    TRANSCRIPT_FINDING = "transcript_finding"
    RADIO_EMERGENCY = "radio_emergency"
    VEHICLE_SOS = "vehicle_sos"
    GEOFENCE = "geofence"
    INSPECTION = "inspection"  # double-random inspection task
    PATROL = "patrol"  # found by a unit on patrol
    MANUAL = "manual"


class IncidentStatus(enum.StrEnum):
    """Life of an incident, from intake to closure."""

    NEW = "new"
    DISPATCHED = "dispatched"
    IN_PROGRESS = "in_progress"  # a unit is on scene
    ESCALATED = "escalated"  # handed up to the city centre, waiting for acknowledgement
    CLOSED = "closed"
    CANCELLED = "cancelled"
    MERGED = "merged"

    @property
    def is_open(self) -> bool:
        """Whether the incident still needs work."""
        return self not in (IncidentStatus.CLOSED, IncidentStatus.CANCELLED, IncidentStatus.MERGED)


class IncidentPriority(enum.IntEnum):
    """1 is the most urgent."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class IncidentCategory(enum.StrEnum):
    """What the incident is about (finer than a source)."""

    UNLICENSED_OPERATION = "unlicensed_operation"  # 无证经营
    MINORS_ADMITTED = "minors_admitted"  # 接纳未成年人
    PROHIBITED_CONTENT = "prohibited_content"  # 演出含禁止内容
    UNAPPROVED_PERFORMANCE = "unapproved_performance"  # 未经审批演出 / 擅自变更节目
    PIRATED_PUBLICATIONS = "pirated_publications"  # 盗版出版物
    NOISE_NUISANCE = "noise_nuisance"  # 噪声扰民 (refer to other agencies)
    OVER_HOURS = "over_hours"  # 超时经营
    GAMBLING = "gambling"  # 赌博
    OFFICER_EMERGENCY = "officer_emergency"
    VEHICLE_ALARM = "vehicle_alarm"
    GEOFENCE_ALARM = "geofence_alarm"
    INSPECTION = "inspection"
    OTHER = "other"


class MediaKind(enum.StrEnum):
    """Transport of a media source."""

    RTSP = "rtsp"
    HTTP_MJPEG = "http_mjpeg"
    HLS = "hls"
    HTTP_FLV = "http_flv"
    FILE = "file"


class MediaOwnerKind(enum.StrEnum):
    """What a media source belongs to."""

    BODY_CAMERA = "body_camera"
    VENUE = "venue"
    OTHER = "other"


class PositionSource(enum.StrEnum):
    """Where a position fix came from."""

    JT808 = "jt808"  # vehicle terminal
    LIP = "lip"  # TETRA radio location report
    MANUAL = "manual"
    SIMULATED = "simulated"


class RadioDirection(enum.StrEnum):
    """Direction of an SDS as seen from the console."""

    OUTBOUND = "out"
    INBOUND = "in"


class RadioMessageKind(enum.StrEnum):
    """Payload kind of an SDS."""

    TEXT = "text"
    STATUS = "status"


class RadioMessageState(enum.StrEnum):
    """Delivery state of an outbound SDS (see radio_bridge.outbox)."""

    QUEUED = "queued"
    ACCEPTED = "accepted"  # +CMGS: n
    SENT = "sent"  # +CMGS: n,4,ref
    DELIVERED = "delivered"  # SDS-TL report from the destination
    FAILED = "failed"
    RECEIVED = "received"  # inbound messages
    UNCONFIRMED = "unconfirmed"  # accepted, no +CMGS: n,4 within the confirmation timeout
    CANCELLED = "cancelled"  # withdrawn by the dispatcher before it reached the radio


class AssignmentState(enum.StrEnum):
    """State of one unit's assignment to one incident."""

    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REASSIGNED = "reassigned"


class EvidenceKind(enum.StrEnum):
    """What an evidence item is."""

    SNAPSHOT = "snapshot"
    CLIP = "clip"
    RECORDING = "recording"
    REPORT = "report"
    DOCUMENT = "document"
    #: A transcript excerpt with the content finding it supports (a JSON file).
    TRANSCRIPT = "transcript"
    #: An export of the radio log (SDS/status messages).
    RADIO_LOG = "radio_log"


class Role(enum.StrEnum):
    """User roles (login arrives in a later release)."""

    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    VIEWER = "viewer"

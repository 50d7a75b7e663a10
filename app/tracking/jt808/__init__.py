"""JT/T 808-2013/2019 vehicle positioning: codec, TCP server, vehicle state, simulator.

Pure asyncio + stdlib; the console plugs in its database through :class:`TerminalRegistry` and
:class:`PositionSink`. The simulator lives in :mod:`app.tracking.jt808.simulator` (not imported
here, so that ``python -m app.tracking.jt808.simulator`` runs cleanly).
"""

from app.tracking.jt808.codec import (
    Frame,
    FrameSplitter,
    Reassembler,
    decode_frame,
    encode_frame,
    encode_packets,
)
from app.tracking.jt808.interfaces import (
    ConnectionInfo,
    PositionReport,
    PositionSink,
    RegistrationRefused,
    ReportSource,
    TerminalRecord,
    TerminalRegistry,
)
from app.tracking.jt808.messages import (
    CHINA_OFFSET,
    Authentication,
    BatchLocations,
    BatchType,
    Heartbeat,
    Location,
    Message,
    MsgId,
    PlatformGeneralReply,
    Registration,
    RegistrationReply,
    RegistrationResult,
    ReplyResult,
    TerminalGeneralReply,
    alarm_names,
    decode_body,
    encode_body,
    make_items,
)
from app.tracking.jt808.server import Jt808Server, ServerEvents, ServerSettings, ServerThread
from app.tracking.jt808.state import (
    SosAlarm,
    VehicleEvent,
    VehicleEventKind,
    VehicleState,
    VehicleStateTracker,
)
from app.tracking.jt808.wire import FrameError, Header, PacketInfo

__all__ = [
    "CHINA_OFFSET",
    "Authentication",
    "BatchLocations",
    "BatchType",
    "ConnectionInfo",
    "Frame",
    "FrameError",
    "FrameSplitter",
    "Header",
    "Heartbeat",
    "Jt808Server",
    "Location",
    "Message",
    "MsgId",
    "PacketInfo",
    "PlatformGeneralReply",
    "PositionReport",
    "PositionSink",
    "Reassembler",
    "Registration",
    "RegistrationRefused",
    "RegistrationReply",
    "RegistrationResult",
    "ReplyResult",
    "ReportSource",
    "ServerEvents",
    "ServerSettings",
    "ServerThread",
    "SosAlarm",
    "TerminalGeneralReply",
    "TerminalRecord",
    "TerminalRegistry",
    "VehicleEvent",
    "VehicleEventKind",
    "VehicleState",
    "VehicleStateTracker",
    "alarm_names",
    "decode_body",
    "decode_frame",
    "encode_body",
    "encode_frame",
    "encode_packets",
    "make_items",
]

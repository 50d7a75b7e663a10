"""JT/T 808 message bodies: frozen dataclasses with decoders and encoders for both directions.

Terminal → platform: 0x0001 general reply, 0x0002 heartbeat, 0x0100 registration,
0x0102 authentication, 0x0200 location report, 0x0704 batch location upload.
Platform → terminal: 0x8001 general reply, 0x8100 registration reply.

Bodies are decoded by :func:`decode_body` and encoded by :func:`encode_body`; both take the
header's protocol version (``None`` = 2013 layout) because registration and authentication
differ between 2013 and 2019 (PROTOCOLS.md §4.3, §4.6).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import ClassVar, Final

from app.tracking.jt808.wire import FrameError, Header

__all__ = [
    "ALARM_NAMES_2013",
    "ALARM_NAMES_2019",
    "CHINA_OFFSET",
    "Authentication",
    "BatchLocations",
    "BatchType",
    "Heartbeat",
    "Item",
    "Location",
    "Message",
    "MsgId",
    "PlatformGeneralReply",
    "Registration",
    "RegistrationReply",
    "RegistrationResult",
    "ReplyResult",
    "TerminalGeneralReply",
    "alarm_names",
    "decode_body",
    "encode_body",
    "make_items",
]

#: GMT+8, the time zone the standard prescribes for 0x0200 times.
CHINA_OFFSET: Final = timedelta(hours=8)


class MsgId(IntEnum):
    """Message IDs handled by this package."""

    TERMINAL_GENERAL_REPLY = 0x0001
    HEARTBEAT = 0x0002
    REGISTRATION = 0x0100
    AUTHENTICATION = 0x0102
    LOCATION = 0x0200
    BATCH_LOCATIONS = 0x0704
    PLATFORM_GENERAL_REPLY = 0x8001
    REGISTRATION_REPLY = 0x8100


class ReplyResult(IntEnum):
    """Result byte of 0x0001 / 0x8001."""

    SUCCESS = 0
    FAILURE = 1
    MESSAGE_ERROR = 2
    NOT_SUPPORTED = 3
    ALARM_CONFIRMED = 4


class RegistrationResult(IntEnum):
    """Result byte of 0x8100."""

    SUCCESS = 0
    VEHICLE_ALREADY_REGISTERED = 1
    VEHICLE_NOT_IN_DATABASE = 2
    TERMINAL_ALREADY_REGISTERED = 3
    TERMINAL_NOT_IN_DATABASE = 4


class BatchType(IntEnum):
    """Type byte of 0x0704."""

    NORMAL = 0
    BLIND_AREA = 1


# --------------------------------------------------------------------------- status and alarms

STATUS_ACC_ON: Final = 1 << 0
STATUS_POSITIONED: Final = 1 << 1
STATUS_SOUTH: Final = 1 << 2
STATUS_WEST: Final = 1 << 3
STATUS_GPS: Final = 1 << 18
STATUS_BEIDOU: Final = 1 << 19

ALARM_SOS: Final = 1 << 0
ALARM_OVERSPEED: Final = 1 << 1

#: Alarm flag bit → name, 2013 meanings (PROTOCOLS.md §4.4). Unknown bits are vendor specific.
ALARM_NAMES_2013: Final[dict[int, str]] = {
    0: "emergency",
    1: "overspeed",
    2: "fatigue_driving",
    3: "danger_warning",
    4: "gnss_module_fault",
    5: "gnss_antenna_disconnected",
    6: "gnss_antenna_short_circuit",
    7: "main_power_undervoltage",
    8: "main_power_lost",
    9: "display_fault",
    10: "tts_module_fault",
    11: "camera_fault",
    12: "ic_card_module_fault",
    13: "overspeed_prewarning",
    14: "fatigue_prewarning",
    18: "daily_driving_time_exceeded",
    19: "overtime_parking",
    20: "area_enter_exit",
    21: "route_enter_exit",
    22: "route_section_time",
    23: "route_deviation",
    24: "vss_fault",
    25: "abnormal_fuel_level",
    26: "vehicle_stolen",
    27: "illegal_ignition",
    28: "illegal_displacement",
    29: "collision_warning",
    30: "rollover_warning",
    31: "illegal_door_open",
}
#: 2019 meanings: bits 15–17 gain names.
ALARM_NAMES_2019: Final[dict[int, str]] = {
    **ALARM_NAMES_2013,
    15: "illegal_driving_warning",
    16: "tyre_pressure_warning",
    17: "right_turn_blind_spot_warning",
}


def alarm_names(alarm: int, *, is_2019: bool = False) -> tuple[str, ...]:
    """Names of the set alarm bits, in bit order; unknown bits become ``bit<N>``.

    Args:
        alarm: Alarm flags DWORD of a 0x0200 report.
        is_2019: Use the 2019 meanings of bits 15–17.

    Returns:
        A tuple of names.
    """
    table = ALARM_NAMES_2019 if is_2019 else ALARM_NAMES_2013
    names = []
    bit = 0
    while alarm:
        if alarm & 1:
            names.append(table.get(bit, f"bit{bit}"))
        alarm >>= 1
        bit += 1
    return tuple(names)


# --------------------------------------------------------------------------- helpers

_U8 = struct.Struct(">B")
_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")
_REPLY = struct.Struct(">HHB")
_LOC = struct.Struct(">IIIIhHH6s")
_LOC_LEN: Final = 28
#: Packed BCD byte → 0–99, or -1 when a nibble is above 9.
_BCD_VALUE: Final = tuple(
    (b >> 4) * 10 + (b & 0xF) if b >> 4 <= 9 and b & 0xF <= 9 else -1 for b in range(256)
)
_BATCH_HEAD = struct.Struct(">HB")
_REG_HEAD = struct.Struct(">HH")


def _cstr(raw: bytes) -> str:
    """Decode a GBK field, dropping right padding with NUL bytes."""
    return raw.rstrip(b"\x00").decode("gbk", errors="replace")


def _fixed(text: str, size: int, what: str) -> bytes:
    raw = text.encode("gbk")
    if len(raw) > size:
        raise ValueError(f"{what} {text!r} longer than {size} bytes")
    return raw.ljust(size, b"\x00")


def _to_offset(utc_offset: timedelta | float) -> timedelta:
    if isinstance(utc_offset, timedelta):
        return utc_offset
    return timedelta(hours=utc_offset)


# --------------------------------------------------------------------------- messages


@dataclass(frozen=True, slots=True)
class TerminalGeneralReply:
    """0x0001: terminal's answer to a platform message.

    Attributes:
        reply_serial: Serial of the platform message answered.
        reply_id: ID of the platform message answered.
        result: :class:`ReplyResult` value (0 success, 1 failure, 2 message error, 3 not
            supported).
    """

    MSG_ID: ClassVar[int] = MsgId.TERMINAL_GENERAL_REPLY
    reply_serial: int
    reply_id: int
    result: int = ReplyResult.SUCCESS


@dataclass(frozen=True, slots=True)
class PlatformGeneralReply:
    """0x8001: platform's answer to a terminal message.

    Attributes:
        reply_serial: Serial of the terminal message answered.
        reply_id: ID of the terminal message answered.
        result: :class:`ReplyResult` value (0 success, 1 failure, 2 message error,
            3 not supported, 4 alarm handling confirmed).
    """

    MSG_ID: ClassVar[int] = MsgId.PLATFORM_GENERAL_REPLY
    reply_serial: int
    reply_id: int
    result: int = ReplyResult.SUCCESS


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """0x0002: terminal heartbeat (empty body)."""

    MSG_ID: ClassVar[int] = MsgId.HEARTBEAT


@dataclass(frozen=True, slots=True)
class Registration:
    """0x0100: terminal registration.

    Attributes:
        province_id: Province ID.
        city_id: City/county ID.
        manufacturer_id: Manufacturer ID (5 bytes in 2013, 11 in 2019).
        model: Terminal model (20 bytes in 2013, 8 in 2011, 30 in 2019).
        terminal_id: Terminal ID (7 bytes, 30 in 2019).
        plate_color: 0 = not plated (VIN follows), 1 blue, 2 yellow, 3 black, 4 white,
            5 green (2019), 9 other.
        plate: Plate number or VIN.
    """

    MSG_ID: ClassVar[int] = MsgId.REGISTRATION
    province_id: int = 0
    city_id: int = 0
    manufacturer_id: str = ""
    model: str = ""
    terminal_id: str = ""
    plate_color: int = 0
    plate: str = ""


@dataclass(frozen=True, slots=True)
class RegistrationReply:
    """0x8100: platform's answer to a registration.

    Attributes:
        reply_serial: Serial of the 0x0100 answered.
        result: :class:`RegistrationResult` value.
        auth_code: Authentication code; only sent when ``result`` is 0.
    """

    MSG_ID: ClassVar[int] = MsgId.REGISTRATION_REPLY
    reply_serial: int
    result: int = RegistrationResult.SUCCESS
    auth_code: str = ""


@dataclass(frozen=True, slots=True)
class Authentication:
    """0x0102: terminal authentication.

    Attributes:
        auth_code: The code received in 0x8100.
        imei: IMEI (2019 only).
        software_version: Software version (2019 only).
    """

    MSG_ID: ClassVar[int] = MsgId.AUTHENTICATION
    auth_code: str
    imei: str = ""
    software_version: str = ""


#: An additional information item of a location report: (ID, raw value).
Item = tuple[int, bytes]


@dataclass(frozen=True, slots=True)
class Location:
    """0x0200 location report body (also one item of a 0x0704 batch).

    Attributes:
        latitude: Signed degrees (south negative).
        longitude: Signed degrees (west negative).
        time: Fix time, timezone-aware UTC.
        speed_kmh: Speed in km/h (0.1 resolution).
        heading_deg: Direction 0–359, north = 0, clockwise.
        altitude_m: Metres above sea level; read as signed 16-bit (a vehicle above 32 767 m
            is impossible, so nothing is lost and the negatives some devices send survive).
        alarm: Alarm flags DWORD.
        status: Status DWORD as sent (hemisphere bits 2/3 agree with the signs).
        items: Additional information items in order, as (ID, raw value).
        trailing: Bytes after the last well-formed item that do not form an item (kept so that
            a vendor's stray bytes never cost the position).
    """

    MSG_ID: ClassVar[int] = MsgId.LOCATION
    latitude: float
    longitude: float
    time: datetime
    speed_kmh: float = 0.0
    heading_deg: int = 0
    altitude_m: int = 0
    alarm: int = 0
    status: int = STATUS_ACC_ON | STATUS_POSITIONED | STATUS_GPS
    items: tuple[Item, ...] = ()
    trailing: bytes = b""

    # ----------------------------------------------------------- status
    @property
    def acc_on(self) -> bool:
        """Status bit 0: ignition (ACC) on."""
        return bool(self.status & STATUS_ACC_ON)

    @property
    def positioned(self) -> bool:
        """Status bit 1: the GNSS fix is valid."""
        return bool(self.status & STATUS_POSITIONED)

    @property
    def sos(self) -> bool:
        """Alarm bit 0: emergency (SOS button)."""
        return bool(self.alarm & ALARM_SOS)

    # ----------------------------------------------------------- items
    def item(self, item_id: int) -> bytes | None:
        """Raw value of the first additional item with this ID, or ``None``."""
        for iid, value in self.items:
            if iid == item_id:
                return value
        return None

    def _uint(self, item_id: int, size: int) -> int | None:
        value = self.item(item_id)
        if value is None or len(value) != size:
            return None
        return int.from_bytes(value, "big")

    @property
    def mileage_km(self) -> float | None:
        """Item 0x01: odometer in km (1/10 km resolution)."""
        raw = self._uint(0x01, 4)
        return None if raw is None else raw / 10

    @property
    def fuel_l(self) -> float | None:
        """Item 0x02: fuel in litres (1/10 L resolution)."""
        raw = self._uint(0x02, 2)
        return None if raw is None else raw / 10

    @property
    def tacho_speed_kmh(self) -> float | None:
        """Item 0x03: tachograph speed in km/h."""
        raw = self._uint(0x03, 2)
        return None if raw is None else raw / 10

    @property
    def manual_alarm_id(self) -> int | None:
        """Item 0x04: ID of an alarm needing manual confirmation."""
        return self._uint(0x04, 2)

    @property
    def cabin_temperature_raw(self) -> int | None:
        """Item 0x06 (2019): cabin temperature WORD, raw (encoding unconfirmed)."""
        return self._uint(0x06, 2)

    @property
    def overspeed_extra(self) -> tuple[int, int | None] | None:
        """Item 0x11: (location type, area ID or ``None``)."""
        value = self.item(0x11)
        if value is None:
            return None
        if len(value) == 1:
            return value[0], None
        if len(value) == 5:
            return value[0], int.from_bytes(value[1:], "big")
        return None

    @property
    def area_extra(self) -> tuple[int, int, int] | None:
        """Item 0x12: (location type, area/route ID, direction 0 = in, 1 = out)."""
        value = self.item(0x12)
        if value is None or len(value) != 6:
            return None
        return value[0], int.from_bytes(value[1:5], "big"), value[5]

    @property
    def route_time_extra(self) -> tuple[int, int, int] | None:
        """Item 0x13: (section ID, driving time in s, result 0 = too short, 1 = too long)."""
        value = self.item(0x13)
        if value is None or len(value) != 7:
            return None
        return int.from_bytes(value[0:4], "big"), int.from_bytes(value[4:6], "big"), value[6]

    @property
    def vehicle_signal_status(self) -> int | None:
        """Item 0x25: extended vehicle signal status bits."""
        return self._uint(0x25, 4)

    @property
    def io_status(self) -> int | None:
        """Item 0x2A: IO status bits."""
        return self._uint(0x2A, 2)

    @property
    def analog_inputs(self) -> tuple[int, int] | None:
        """Item 0x2B: (AD0, AD1)."""
        raw = self._uint(0x2B, 4)
        return None if raw is None else (raw & 0xFFFF, raw >> 16)

    @property
    def signal_strength(self) -> int | None:
        """Item 0x30: network signal strength."""
        return self._uint(0x30, 1)

    @property
    def satellites(self) -> int | None:
        """Item 0x31: number of GNSS satellites."""
        return self._uint(0x31, 1)


@dataclass(frozen=True, slots=True)
class BatchLocations:
    """0x0704: batch location upload.

    Attributes:
        kind: :class:`BatchType` value (0 normal batch, 1 blind-area back-fill).
        locations: The reports, oldest first as sent.
    """

    MSG_ID: ClassVar[int] = MsgId.BATCH_LOCATIONS
    kind: int
    locations: tuple[Location, ...]


Message = (
    TerminalGeneralReply
    | PlatformGeneralReply
    | Heartbeat
    | Registration
    | RegistrationReply
    | Authentication
    | Location
    | BatchLocations
)


def make_items(
    *,
    mileage_km: float | None = None,
    fuel_l: float | None = None,
    tacho_speed_kmh: float | None = None,
    signal_strength: int | None = None,
    satellites: int | None = None,
    io_status: int | None = None,
) -> tuple[Item, ...]:
    """Build common additional items for a :class:`Location`.

    Args:
        mileage_km: Odometer (item 0x01).
        fuel_l: Fuel (item 0x02).
        tacho_speed_kmh: Tachograph speed (item 0x03).
        signal_strength: Network signal strength (item 0x30).
        satellites: GNSS satellites (item 0x31).
        io_status: IO status bits (item 0x2A).

    Returns:
        The items in ascending ID order.
    """
    items: list[Item] = []
    if mileage_km is not None:
        items.append((0x01, _U32.pack(round(mileage_km * 10))))
    if fuel_l is not None:
        items.append((0x02, _U16.pack(round(fuel_l * 10))))
    if tacho_speed_kmh is not None:
        items.append((0x03, _U16.pack(round(tacho_speed_kmh * 10))))
    if io_status is not None:
        items.append((0x2A, _U16.pack(io_status)))
    if signal_strength is not None:
        items.append((0x30, _U8.pack(signal_strength)))
    if satellites is not None:
        items.append((0x31, _U8.pack(satellites)))
    return tuple(items)


# --------------------------------------------------------------------------- decoding


def _decode_location(body: bytes, offset: timedelta) -> Location:
    """Decode one 0x0200 body (basic block + additional items)."""
    if len(body) < _LOC_LEN:
        raise FrameError(f"location body truncated: {len(body)} bytes, need {_LOC_LEN}")
    alarm, status, lat_raw, lon_raw, altitude, speed, heading, bcd = _LOC.unpack_from(body)
    if lat_raw > 90_000_000:
        raise FrameError(f"latitude out of range: {lat_raw / 1e6}")
    if lon_raw > 180_000_000:
        raise FrameError(f"longitude out of range: {lon_raw / 1e6}")
    table = _BCD_VALUE
    yy = table[bcd[0]]
    mo = table[bcd[1]]
    dd = table[bcd[2]]
    hh = table[bcd[3]]
    mi = table[bcd[4]]
    ss = table[bcd[5]]
    if yy < 0 or mo < 0 or dd < 0 or hh < 0 or mi < 0 or ss < 0:
        raise FrameError(f"location time is not valid BCD: {bcd.hex()}")
    try:
        when = datetime(2000 + yy, mo, dd, hh, mi, ss, tzinfo=UTC) - offset
    except (ValueError, OverflowError) as exc:
        raise FrameError(f"invalid location time {bcd.hex()}: {exc}") from None
    items: tuple[Item, ...] = ()
    trailing = b""
    n = len(body)
    if n > _LOC_LEN:
        collected: list[Item] = []
        pos = _LOC_LEN
        while pos + 2 <= n:
            size = body[pos + 1]
            end = pos + 2 + size
            if end > n:
                break
            collected.append((body[pos], body[pos + 2 : end]))
            pos = end
        items = tuple(collected)
        trailing = body[pos:]
    return Location(
        latitude=-lat_raw / 1e6 if status & STATUS_SOUTH else lat_raw / 1e6,
        longitude=-lon_raw / 1e6 if status & STATUS_WEST else lon_raw / 1e6,
        time=when,
        speed_kmh=speed / 10,
        heading_deg=heading,
        altitude_m=altitude,
        alarm=alarm,
        status=status,
        items=items,
        trailing=trailing,
    )


def _decode_batch(body: bytes, offset: timedelta) -> BatchLocations:
    if len(body) < 3:
        raise FrameError(f"batch body truncated: {len(body)} bytes, need at least 3")
    count, kind = _BATCH_HEAD.unpack_from(body)
    pos = 3
    n = len(body)
    locations = []
    for number in range(1, count + 1):
        if pos + 2 > n:
            raise FrameError(f"batch declares {count} items but item {number} is missing")
        (size,) = _U16.unpack_from(body, pos)
        pos += 2
        if pos + size > n:
            raise FrameError(f"batch item {number} declares {size} bytes, only {n - pos} remain")
        try:
            locations.append(_decode_location(body[pos : pos + size], offset))
        except FrameError as exc:
            raise FrameError(f"batch item {number}: {exc}") from None
        pos += size
    if pos != n:
        raise FrameError(f"batch of {count} items has {n - pos} bytes left over")
    return BatchLocations(kind=kind, locations=tuple(locations))


def _decode_registration(body: bytes, is_2019: bool) -> Registration:
    n = len(body)
    if is_2019:
        sizes = (11, 30, 30)
    elif n >= 2 + 2 + 5 + 20 + 7 + 1:
        sizes = (5, 20, 7)
    else:
        sizes = (5, 8, 7)  # JT/T 808-2011 layout
    fixed = 4 + sum(sizes) + 1
    if n < fixed:
        raise FrameError(f"registration body truncated: {n} bytes, need at least {fixed}")
    province, city = _REG_HEAD.unpack_from(body)
    pos = 4
    fields = []
    for size in sizes:
        fields.append(_cstr(body[pos : pos + size]))
        pos += size
    return Registration(
        province_id=province,
        city_id=city,
        manufacturer_id=fields[0],
        model=fields[1],
        terminal_id=fields[2],
        plate_color=body[pos],
        plate=_cstr(body[pos + 1 :]),
    )


def _decode_authentication(body: bytes, is_2019: bool) -> Authentication:
    if not is_2019:
        return Authentication(auth_code=_cstr(body))
    if not body:
        raise FrameError("2019 authentication body is empty")
    size = body[0]
    if len(body) < 1 + size:
        raise FrameError(
            f"2019 authentication declares a {size}-byte code, body has {len(body) - 1}"
        )
    return Authentication(
        auth_code=_cstr(body[1 : 1 + size]),
        imei=_cstr(body[1 + size : 16 + size]),
        software_version=_cstr(body[16 + size : 36 + size]),
    )


def _decode_reply(body: bytes, msg_id: int) -> tuple[int, int, int]:
    if len(body) != _REPLY.size:
        raise FrameError(f"0x{msg_id:04X} body must be 5 bytes, got {len(body)}")
    serial, reply_id, result = _REPLY.unpack(body)
    return serial, reply_id, result


def _decode_registration_reply(body: bytes) -> RegistrationReply:
    if len(body) < 3:
        raise FrameError(f"0x8100 body truncated: {len(body)} bytes, need at least 3")
    serial = _U16.unpack_from(body)[0]
    return RegistrationReply(reply_serial=serial, result=body[2], auth_code=_cstr(body[3:]))


def decode_body(
    header: Header, body: bytes, utc_offset: timedelta | float = CHINA_OFFSET
) -> Message | None:
    """Decode a complete (not sub-packaged, not encrypted) message body.

    Args:
        header: The message header (its ``version`` selects 2013/2019 layouts).
        body: The unescaped body.
        utc_offset: Offset of the terminal's local time from UTC (default GMT+8), as a
            ``timedelta`` or in hours.

    Returns:
        The message, or ``None`` for a message ID this package does not handle.

    Raises:
        FrameError: The body does not match its message layout.
    """
    msg_id = header.msg_id
    is_2019 = header.version is not None
    try:
        if msg_id == MsgId.LOCATION:
            return _decode_location(body, _to_offset(utc_offset))
        if msg_id == MsgId.HEARTBEAT:
            return Heartbeat()
        if msg_id == MsgId.BATCH_LOCATIONS:
            return _decode_batch(body, _to_offset(utc_offset))
        if msg_id == MsgId.PLATFORM_GENERAL_REPLY:
            return PlatformGeneralReply(*_decode_reply(body, msg_id))
        if msg_id == MsgId.TERMINAL_GENERAL_REPLY:
            return TerminalGeneralReply(*_decode_reply(body, msg_id))
        if msg_id == MsgId.AUTHENTICATION:
            return _decode_authentication(body, is_2019)
        if msg_id == MsgId.REGISTRATION:
            return _decode_registration(body, is_2019)
        if msg_id == MsgId.REGISTRATION_REPLY:
            return _decode_registration_reply(body)
    except FrameError as exc:
        if exc.header is None:
            exc.header = header
        raise
    except (struct.error, ValueError, IndexError, OverflowError) as exc:
        raise FrameError(f"0x{msg_id:04X} body malformed: {exc}", header=header) from None
    return None


# --------------------------------------------------------------------------- encoding


def _encode_location(loc: Location, offset: timedelta) -> bytes:
    lat_raw = round(abs(loc.latitude) * 1_000_000)
    lon_raw = round(abs(loc.longitude) * 1_000_000)
    if lat_raw > 90_000_000 or lon_raw > 180_000_000:
        raise ValueError(f"coordinates out of range: {loc.latitude}, {loc.longitude}")
    status = loc.status & ~(STATUS_SOUTH | STATUS_WEST)
    if loc.latitude < 0:
        status |= STATUS_SOUTH
    if loc.longitude < 0:
        status |= STATUS_WEST
    if loc.time.tzinfo is None:
        raise ValueError("location time must be timezone-aware")
    local = loc.time.astimezone(UTC) + offset
    if not 2000 <= local.year <= 2099:
        raise ValueError(f"location time {local} not representable as BCD YYMMDDhhmmss")
    bcd = bytes.fromhex(local.strftime("%y%m%d%H%M%S"))
    parts = [
        _LOC.pack(
            loc.alarm,
            status,
            lat_raw,
            lon_raw,
            loc.altitude_m,
            round(loc.speed_kmh * 10),
            loc.heading_deg,
            bcd,
        )
    ]
    for item_id, value in loc.items:
        if len(value) > 0xFF:
            raise ValueError(f"additional item 0x{item_id:02X} longer than 255 bytes")
        parts.append(bytes((item_id, len(value))))
        parts.append(value)
    parts.append(loc.trailing)
    return b"".join(parts)


def _encode_batch(batch: BatchLocations, offset: timedelta) -> bytes:
    parts = [_BATCH_HEAD.pack(len(batch.locations), batch.kind)]
    for loc in batch.locations:
        body = _encode_location(loc, offset)
        parts.append(_U16.pack(len(body)))
        parts.append(body)
    return b"".join(parts)


def _encode_registration(reg: Registration, is_2019: bool) -> bytes:
    sizes = (11, 30, 30) if is_2019 else (5, 20, 7)
    return b"".join(
        (
            _REG_HEAD.pack(reg.province_id, reg.city_id),
            _fixed(reg.manufacturer_id, sizes[0], "manufacturer ID"),
            _fixed(reg.model, sizes[1], "terminal model"),
            _fixed(reg.terminal_id, sizes[2], "terminal ID"),
            _U8.pack(reg.plate_color),
            reg.plate.encode("gbk"),
        )
    )


def _encode_authentication(auth: Authentication, is_2019: bool) -> bytes:
    code = auth.auth_code.encode("gbk")
    if not is_2019:
        return code
    if len(code) > 0xFF:
        raise ValueError("auth code longer than 255 bytes")
    return b"".join(
        (
            _U8.pack(len(code)),
            code,
            _fixed(auth.imei, 15, "IMEI"),
            _fixed(auth.software_version, 20, "software version"),
        )
    )


def encode_body(
    message: Message,
    *,
    version: int | None = None,
    utc_offset: timedelta | float = CHINA_OFFSET,
) -> bytes:
    """Encode a message body.

    Args:
        message: Any message of this module.
        version: Header protocol version (``None`` = 2013 layouts).
        utc_offset: Offset of the terminal's local time from UTC for location times.

    Returns:
        The unescaped body bytes (may exceed 1023 bytes; see ``codec.encode_packets``).

    Raises:
        ValueError: A field does not fit its wire format.
    """
    is_2019 = version is not None
    if isinstance(message, Location):
        return _encode_location(message, _to_offset(utc_offset))
    if isinstance(message, PlatformGeneralReply | TerminalGeneralReply):
        return _REPLY.pack(message.reply_serial & 0xFFFF, message.reply_id, message.result)
    if isinstance(message, Heartbeat):
        return b""
    if isinstance(message, BatchLocations):
        return _encode_batch(message, _to_offset(utc_offset))
    if isinstance(message, RegistrationReply):
        body = _U16.pack(message.reply_serial & 0xFFFF) + _U8.pack(message.result)
        if message.result == RegistrationResult.SUCCESS:
            body += message.auth_code.encode("gbk")
        return body
    if isinstance(message, Registration):
        return _encode_registration(message, is_2019)
    if isinstance(message, Authentication):
        return _encode_authentication(message, is_2019)
    raise TypeError(f"not a JT/T 808 message: {message!r}")


def locations_of(message: Message | None) -> Iterable[Location]:
    """Locations carried by a message: one for 0x0200, all for 0x0704, none otherwise."""
    if isinstance(message, Location):
        return (message,)
    if isinstance(message, BatchLocations):
        return message.locations
    return ()

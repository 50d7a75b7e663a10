"""LIP: Location Information Protocol (ETSI TS 100 392-18-1), PROTOCOLS.md §3.

:func:`decode` reads a short location report (84 bits with the PID) or a long location report
(PDU type 01, extension 0011) from SDS user data as delivered by ``+CTSDSR``, i.e. starting with
the protocol identifier octet 0x0A. :func:`encode_short` and :func:`encode_long` build reports
(the simulator uses them) and :func:`immediate_request` builds the "where are you now" poll.

The long-report sub-encodings (ellipse/arc fields, altitude, uncertainty codes, time of
position) are UNCONFIRMED against the standard's text (PROTOCOLS.md §6 item 6); the fields the
console uses (position, speed, heading, reason) are read the same way as in the short report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from radio_bridge.bits import BitReader, BitWriter
from radio_bridge.errors import ProtocolError

__all__ = [
    "PID_LIP",
    "POSITION_ERROR_M",
    "REASONS",
    "TIME_ELAPSED",
    "LipReport",
    "decode",
    "decode_speed",
    "encode_heading",
    "encode_long",
    "encode_short",
    "encode_speed",
    "immediate_request",
    "reason_text",
]

PID_LIP = 0x0A

#: Position error code → upper bound in metres (codes 6 "> 200 km" and 7 "unknown" → None).
POSITION_ERROR_M: dict[int, int | None] = {
    0: 2, 1: 20, 2: 200, 3: 2_000, 4: 20_000, 5: 200_000, 6: None, 7: None,
}

#: Time elapsed code → meaning.
TIME_ELAPSED: dict[int, str] = {
    0: "< 5 s", 1: "< 5 min", 2: "< 30 min", 3: "unknown / not applicable",
}

#: Reason for sending (PROTOCOLS.md §3.1). 27–30 are from newer versions, UNCONFIRMED.
REASONS: dict[int, str] = {
    0: "powered on",
    1: "powered off",
    2: "emergency condition detected",
    3: "PTT condition detected",
    4: "status",
    5: "transmit inhibit on",
    6: "transmit inhibit off",
    7: "system access (TMO on)",
    8: "DMO on",
    9: "enter service",
    10: "service loss",
    11: "cell reselection",
    12: "low battery",
    13: "connected to car kit",
    14: "disconnected from car kit",
    15: "asks for transfer-initialisation configuration",
    16: "arrival at destination",
    17: "arrival at a defined location",
    18: "approaching a defined location",
    19: "SDS type-1 entered",
    20: "user application initiated",
    21: "lost ability to determine location",
    22: "regained ability to determine location",
    23: "leaving point",
    24: "ambience listening call detected",
    25: "start of temporary reporting",
    26: "return to normal reporting",
    27: "call setup type 1 detected",
    28: "call setup type 2 detected",
    29: "positioning device in MS on",
    30: "positioning device in MS off",
    32: "response to an immediate location request",
    129: "maximum reporting interval exceeded (periodic report)",
    130: "maximum reporting distance travelled",
}

_LON_SCALE = 360.0 / (1 << 25)
_LAT_SCALE = 180.0 / (1 << 24)


def reason_text(reason: int | None) -> str | None:
    """Return the reason for sending in words (None for None)."""
    if reason is None:
        return None
    return REASONS.get(reason, f"reserved reason {reason}")


def decode_speed(code: int) -> float | None:
    """Decode the 7-bit horizontal velocity code to km/h.

    0–28 are km/h; 29–125 are ``16 × 1.038^(K−13)``; 126 means "more than 1043 km/h" and is
    returned as 1043.0 (a lower bound); 127 means unknown and gives None.
    """
    if code == 127:
        return None
    if code == 126:
        return 1043.0
    if code <= 28:
        return float(code)
    return 16.0 * 1.038 ** (code - 13)


def encode_speed(speed_kmh: float | None) -> int:
    """Encode km/h to the 7-bit velocity code (None → 127 unknown)."""
    if speed_kmh is None or math.isnan(speed_kmh):
        return 127
    v = max(0.0, speed_kmh)
    if v > 1043.0:
        return 126
    if v <= 28.5:
        return round(v)
    k = round(math.log(v / 16.0) / math.log(1.038) + 13)
    k = min(max(k, 29), 125)
    # 28 km/h may be closer than 29.06 for values just above 28.5
    return 28 if abs(v - 28) < abs(v - (decode_speed(k) or 0.0)) else k


def encode_heading(heading_deg: float | None) -> int:
    """Encode a heading in degrees to the 4-bit direction code (None → 0)."""
    if heading_deg is None or math.isnan(heading_deg):
        return 0
    return math.trunc(((heading_deg % 360.0) + 11.25) / 22.5) % 16


@dataclass(frozen=True, slots=True)
class LipReport:
    """A decoded LIP location report.

    Attributes:
        kind: ``"short"`` or ``"long"``.
        latitude: Degrees north (negative south); None for a long report without position.
        longitude: Degrees east (negative west); None for a long report without position.
        speed_kmh: Horizontal speed; None when unknown or not reported.
        heading_deg: Direction of travel (0 = north, clockwise); None when the speed is
            unknown or no direction was reported.
        position_error_m: Upper bound of the position error in metres (2, 20, 200, 2000, 20000
            or 200000); None for codes 6 (> 200 km) and 7 (unknown) and when not reported.
        reason: Reason for sending; None when the report carries user-defined data instead.
        user_data: The 8 bits of user-defined data, when present instead of a reason.
        time_elapsed: Time elapsed code 0–3 (see :data:`TIME_ELAPSED`), None if not reported.
        time_of_position: (day, hour, minute, second) for long reports with time of position.
        altitude_m: Altitude in metres for long reports with altitude (UNCONFIRMED coding).
        ack_requested: Long report asks for an acknowledgement.
        length_bits: Length of the decoded user data including the PID.
    """

    kind: str
    latitude: float | None
    longitude: float | None
    speed_kmh: float | None
    heading_deg: float | None
    position_error_m: int | None
    reason: int | None
    user_data: int | None = None
    time_elapsed: int | None = None
    time_of_position: tuple[int, int, int, int] | None = None
    altitude_m: int | None = None
    ack_requested: bool = False
    length_bits: int = 0

    @property
    def reason_text(self) -> str | None:
        """The reason for sending in words."""
        return reason_text(self.reason)

    @property
    def is_emergency(self) -> bool:
        """True if the reason for sending is "emergency condition detected"."""
        return self.reason == 2


def _position(r: BitReader) -> tuple[float, float]:
    lon = r.read_signed(25, "longitude") * _LON_SCALE
    lat = r.read_signed(24, "latitude") * _LAT_SCALE
    return lat, lon


def _altitude(r: BitReader) -> int | None:
    r.skip(1, "altitude type")
    v = r.read(11, "altitude")
    if v == 0:
        return None
    if v <= 1201:
        return v - 201
    if v <= 1926:
        return v * 2 - 1402
    return v * 75 - 142000


def _additional(r: BitReader) -> tuple[int | None, int | None]:
    user_defined = r.read(1, "type of additional data")
    value = r.read(8, "reason for sending")
    return (None, value) if user_defined else (value, None)


def decode(payload_hex: str, length_bits: int) -> LipReport:
    """Decode a LIP short or long location report.

    Args:
        payload_hex: SDS user data in hex, starting with the PID octet 0x0A. Padded (Motorola)
            and unpadded/odd-length (Sepura) forms are both accepted.
        length_bits: The length from the ``+CTSDSR`` header; bits past it are ignored.

    Returns:
        The report.

    Raises:
        ProtocolError: If the input is not a well-formed LIP location report.
    """
    r = BitReader.from_hex(payload_hex, length_bits)
    pid = r.read(8, "protocol identifier")
    if pid != PID_LIP:
        raise ProtocolError(f"PID 0x{pid:02X} is not LIP")
    pdu_type = r.read(2, "PDU type")
    if pdu_type == 0:
        return _decode_short(r, length_bits)
    if pdu_type == 1:
        ext = r.read(4, "PDU type extension")
        if ext != 3:
            raise ProtocolError(f"LIP PDU extension {ext} is not a location report")
        return _decode_long(r, length_bits)
    raise ProtocolError(f"reserved LIP PDU type {pdu_type}")


def _decode_short(r: BitReader, length_bits: int) -> LipReport:
    time_elapsed = r.read(2, "time elapsed")
    lat, lon = _position(r)
    pos_err = r.read(3, "position error")
    speed_code = r.read(7, "horizontal velocity")
    direction = r.read(4, "direction of travel")
    reason, user_data = _additional(r)
    speed = decode_speed(speed_code)
    return LipReport(
        kind="short",
        latitude=lat,
        longitude=lon,
        speed_kmh=speed,
        heading_deg=None if speed is None else direction * 22.5,
        position_error_m=POSITION_ERROR_M[pos_err],
        reason=reason,
        user_data=user_data,
        time_elapsed=time_elapsed,
        length_bits=length_bits,
    )


def _decode_long(r: BitReader, length_bits: int) -> LipReport:
    time_type = r.read(2, "time type")
    time_elapsed: int | None = None
    time_of_position: tuple[int, int, int, int] | None = None
    if time_type == 1:
        time_elapsed = r.read(2, "time elapsed")
    elif time_type == 2:
        time_of_position = (r.read(5, "day"), r.read(5, "hour"), r.read(6, "minute"),
                            r.read(6, "second"))
    elif time_type == 3:
        raise ProtocolError("reserved time type 3")
    shape = r.read(4, "location shape")
    lat: float | None = None
    lon: float | None = None
    pos_err: int | None = None
    altitude: int | None = None
    if shape > 10:
        raise ProtocolError(f"unsupported location shape {shape}")
    if shape:
        lat, lon = _position(r)
    if shape in (2, 5, 7):
        r.skip(6, "horizontal position uncertainty")
    if shape in (3, 6, 8):
        r.skip(6 + 6 + 8 + 3, "ellipse")
    if shape in (4, 5, 6, 7, 8):
        altitude = _altitude(r)
    if shape in (7, 8):
        r.skip(3, "altitude uncertainty")
    if shape == 9:
        r.skip(16 + 16 + 8 + 8 + 3, "arc")
    if shape == 10:
        pos_err = POSITION_ERROR_M[r.read(3, "position error")]
    velocity_type = r.read(3, "velocity type")
    speed: float | None = None
    heading: float | None = None
    if velocity_type:
        speed = decode_speed(r.read(7, "horizontal velocity"))
        if velocity_type in (2, 4, 6, 7):
            r.skip(3, "horizontal velocity uncertainty")
        if velocity_type in (3, 4, 7):
            r.skip(8, "vertical velocity")
        if velocity_type in (4, 7):
            r.skip(3, "vertical velocity uncertainty")
        if velocity_type in (5, 6, 7):
            direction = r.read(8, "direction of travel extended")
            heading = None if speed is None else direction * 360.0 / 256.0
        if velocity_type in (6, 7):
            r.skip(3, "direction of travel uncertainty")
    ack = bool(r.read(1, "acknowledgement request"))
    reason, user_data = _additional(r)
    return LipReport(
        kind="long",
        latitude=lat,
        longitude=lon,
        speed_kmh=speed,
        heading_deg=heading,
        position_error_m=pos_err,
        reason=reason,
        user_data=user_data,
        time_elapsed=time_elapsed,
        time_of_position=time_of_position,
        altitude_m=altitude,
        ack_requested=ack,
        length_bits=length_bits,
    )


def _write_position(w: BitWriter, latitude: float, longitude: float) -> None:
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        raise ValueError("latitude/longitude out of range")
    lon = round(longitude / _LON_SCALE)
    if lon >= 1 << 24:
        lon -= 1 << 25  # +180 is the same meridian as -180
    lat = min(round(latitude / _LAT_SCALE), (1 << 23) - 1)
    w.write(lon, 25)
    w.write(lat, 24)


def _write_additional(w: BitWriter, reason: int | None, user_data: int | None) -> None:
    if user_data is not None:
        w.write(1, 1)
        w.write(user_data, 8)
    else:
        w.write(0, 1)
        w.write(129 if reason is None else reason, 8)


def encode_short(
    latitude: float,
    longitude: float,
    *,
    time_elapsed: int = 0,
    position_error_code: int = 1,
    speed_kmh: float | None = None,
    heading_deg: float | None = None,
    reason: int | None = 129,
    user_data: int | None = None,
    padded: bool = True,
) -> tuple[str, int]:
    """Encode a LIP short location report (84 bits including the PID).

    Args:
        latitude: Degrees, −90…90.
        longitude: Degrees, −180…180.
        time_elapsed: Code 0–3.
        position_error_code: Code 0–7 (see :data:`POSITION_ERROR_M`).
        speed_kmh: Speed, None for unknown.
        heading_deg: Direction of travel in degrees.
        reason: Reason for sending (ignored when ``user_data`` is given).
        user_data: 8 bits of user-defined data instead of a reason.
        padded: Pad to whole octets (Motorola) or give exactly 21 digits (Sepura).

    Returns:
        (hex user data, length in bits).
    """
    w = BitWriter()
    w.write(PID_LIP, 8)
    w.write(0, 2)
    w.write(time_elapsed, 2)
    _write_position(w, latitude, longitude)
    w.write(position_error_code, 3)
    w.write(encode_speed(speed_kmh), 7)
    w.write(encode_heading(heading_deg), 4)
    _write_additional(w, reason, user_data)
    return w.to_hex(padded), w.length


def encode_long(
    latitude: float,
    longitude: float,
    *,
    time_elapsed: int = 0,
    position_error_code: int | None = 1,
    altitude_m: int | None = None,
    speed_kmh: float | None = None,
    heading_deg: float | None = None,
    reason: int | None = 129,
    user_data: int | None = None,
    ack_requested: bool = False,
    padded: bool = True,
) -> tuple[str, int]:
    """Encode a LIP long location report.

    The shape is "point and position error" (10), or "point with altitude" (4) when
    ``altitude_m`` is given; velocity type 5 (horizontal velocity with extended direction) when
    ``heading_deg`` is given, else type 1 (horizontal velocity).

    Returns:
        (hex user data, length in bits).
    """
    w = BitWriter()
    w.write(PID_LIP, 8)
    w.write(1, 2)
    w.write(3, 4)
    w.write(1, 2)  # time type: time elapsed
    w.write(time_elapsed, 2)
    if altitude_m is not None:
        w.write(4, 4)
        _write_position(w, latitude, longitude)
        w.write(0, 1)
        if -200 <= altitude_m <= 1000:
            code = altitude_m + 201
        elif altitude_m <= 2450:
            code = (altitude_m + 1402 + 1) // 2
        else:
            code = min(2047, (altitude_m + 142000) // 75)
        w.write(max(1, code), 11)
    else:
        w.write(10, 4)
        _write_position(w, latitude, longitude)
        w.write(7 if position_error_code is None else position_error_code, 3)
    if heading_deg is not None:
        w.write(5, 3)
        w.write(encode_speed(speed_kmh), 7)
        w.write(round((heading_deg % 360.0) * 256.0 / 360.0) % 256, 8)
    else:
        w.write(1, 3)
        w.write(encode_speed(speed_kmh), 7)
    w.write(int(ack_requested), 1)
    _write_additional(w, reason, user_data)
    return w.to_hex(padded), w.length


def immediate_request(short: bool = True) -> tuple[str, int]:
    """Build an immediate location report request (PROTOCOLS.md §3.4).

    Args:
        short: Ask for a short report (report type 3); else a long report with time elapsed.

    Returns:
        (hex user data, length in bits). The short form is ``0A4580``, sent as 24 bits as
        TetraJS does (21 significant bits; other vendors UNCONFIRMED).
    """
    w = BitWriter()
    w.write(PID_LIP, 8)
    w.write(1, 2)
    w.write(1, 4)
    w.write(0, 1)
    w.write(3 if short else 1, 2)
    w.write(0, 4)
    return w.to_hex(True), len(w.to_hex(True)) * 4

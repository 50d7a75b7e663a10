"""Low-level JT/T 808 wire format: flags, escaping, XOR checksum, BCD and the message header.

Everything here works on bytes and raises :class:`FrameError` for malformed input. Message bodies
are handled in :mod:`app.tracking.jt808.messages`; whole frames in :mod:`app.tracking.jt808.codec`.

Layout (PROTOCOLS.md §4.1–4.2)::

    0x7E | header | body | checksum | 0x7E

The header is 12 bytes in 2013 format and 17 bytes in 2019 format (properties bit 14 set, a
version byte and a 10-byte BCD phone number), plus 4 bytes of packet info when bit 13 is set.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

__all__ = [
    "ESC",
    "FLAG",
    "HEADER_LEN_2013",
    "HEADER_LEN_2019",
    "MAX_BODY_LEN",
    "MAX_FRAME_BYTES",
    "FrameError",
    "Header",
    "PacketInfo",
    "bcd_to_digits",
    "checksum",
    "digits_to_bcd",
    "escape",
    "pack_frame",
    "unescape",
    "unpack_frame",
]

FLAG: Final = 0x7E
ESC: Final = 0x7D
HEADER_LEN_2013: Final = 12
HEADER_LEN_2019: Final = 17
PACKET_INFO_LEN: Final = 4
MAX_BODY_LEN: Final = 0x3FF
#: Longest possible frame on the wire: every byte escaped, plus the two flags.
MAX_FRAME_BYTES: Final = 2 * (HEADER_LEN_2019 + PACKET_INFO_LEN + MAX_BODY_LEN + 1) + 2

_PROP_LENGTH_MASK: Final = 0x03FF
_PROP_ENCRYPTION_SHIFT: Final = 10
_PROP_SUBPACKAGED: Final = 0x2000
_PROP_VERSION_FLAG: Final = 0x4000

_HEAD_2013 = struct.Struct(">HH6sH")
_HEAD_2019 = struct.Struct(">HHB10sH")
_PACKET = struct.Struct(">HH")
_PROPS = struct.Struct(">HH")


class FrameError(ValueError):
    """A frame or message body is malformed.

    Attributes:
        header: The parsed header when the error lies in the body (the header itself was valid),
            so a server can still answer the terminal with "message error"; otherwise ``None``.
    """

    def __init__(self, message: str, *, header: Header | None = None) -> None:
        super().__init__(message)
        self.header = header


@dataclass(frozen=True, slots=True)
class PacketInfo:
    """Sub-package information of a long message split into packets.

    Attributes:
        total: Number of packets of the whole message (≥ 1).
        index: This packet's number, starting at 1.
    """

    total: int
    index: int


@dataclass(frozen=True, slots=True)
class Header:
    """A decoded message header.

    Attributes:
        msg_id: Message ID, e.g. ``0x0200``.
        phone: Terminal phone number, every BCD digit as sent (12 digits in 2013 headers,
            20 in 2019 headers), leading zeros kept.
        serial: Message serial number of the sender (0–65535).
        version: Protocol version byte of a 2019 header, ``None`` for a 2013 header.
        body_length: Body length declared in the properties word.
        encryption: Encryption bits 10–12 of the properties (0 = none, 1 = RSA).
        packet: Sub-package info when properties bit 13 is set, else ``None``.
    """

    msg_id: int
    phone: str
    serial: int
    version: int | None = None
    body_length: int = 0
    encryption: int = 0
    packet: PacketInfo | None = None

    @property
    def is_2019(self) -> bool:
        """Whether the header uses the 2019 layout (properties bit 14 set)."""
        return self.version is not None


def escape(data: bytes) -> bytes:
    """Escape 0x7D → 0x7D 0x01 and 0x7E → 0x7D 0x02.

    Args:
        data: Unescaped header + body + checksum.

    Returns:
        The escaped bytes, without flags.
    """
    if b"\x7d" in data:
        data = data.replace(b"\x7d", b"\x7d\x01")
    if b"\x7e" in data:
        data = data.replace(b"\x7e", b"\x7d\x02")
    return data


def unescape(data: bytes) -> bytes:
    """Reverse :func:`escape`.

    A lone 0x7D in the very last position is kept as is: some terminals do not escape the
    checksum byte (PROTOCOLS.md §4.1).

    Args:
        data: Escaped bytes between the two flags.

    Returns:
        The unescaped bytes.

    Raises:
        FrameError: 0x7D followed by anything other than 0x01 or 0x02.
    """
    if b"\x7d" not in data:
        return data
    parts = data.split(b"\x7d")
    out = [parts[0]]
    last = len(parts) - 1
    offset = len(parts[0])
    for i in range(1, len(parts)):
        part = parts[i]
        if not part:
            if i == last:
                out.append(b"\x7d")
                break
            raise FrameError(f"bad escape at offset {offset}: 0x7D followed by 0x7D")
        code = part[0]
        if code == 0x01:
            out.append(b"\x7d")
        elif code == 0x02:
            out.append(b"\x7e")
        else:
            raise FrameError(f"bad escape at offset {offset}: 0x7D followed by 0x{code:02X}")
        out.append(part[1:])
        offset += len(part) + 1
    return b"".join(out)


_MASK_32: Final = (1 << 256) - 1
_MASK_16: Final = (1 << 128) - 1
_FOLD_MASKS: Final = {width: (1 << (8 * width)) - 1 for width in (1 << k for k in range(16))}


def checksum(data: bytes) -> int:
    """XOR of all bytes.

    Args:
        data: Unescaped header + body (+ checksum, which then gives 0 for a valid frame).

    Returns:
        The XOR as an int 0–255.
    """
    n = len(data)
    if n <= 24:
        value = 0
        for byte in data:
            value ^= byte
        return value
    if n <= 64:  # the common location report: fold the bytes as one integer
        folded = int.from_bytes(data, "big")
        folded = (folded >> 256) ^ (folded & _MASK_32)
        folded = (folded >> 128) ^ (folded & _MASK_16)
        folded = (folded >> 64) ^ (folded & 0xFFFFFFFFFFFFFFFF)
        folded = (folded >> 32) ^ (folded & 0xFFFFFFFF)
        folded = (folded >> 16) ^ (folded & 0xFFFF)
        return (folded >> 8) ^ (folded & 0xFF)
    width = 1
    while width < n:
        width <<= 1
    folded = int.from_bytes(data, "big")
    while width > 1:
        width >>= 1
        folded = (folded >> (8 * width)) ^ (folded & _FOLD_MASKS[width])
    return folded


def bcd_to_digits(data: bytes, what: str = "BCD field") -> str:
    """Decode packed BCD to its digits, leading zeros kept.

    Args:
        data: Packed BCD bytes.
        what: Field name used in the error message.

    Returns:
        ``2 * len(data)`` decimal digits.

    Raises:
        FrameError: A nibble above 9.
    """
    digits = data.hex()
    if not digits.isdigit() and digits:
        raise FrameError(f"{what} is not valid BCD: {digits}")
    return digits


@lru_cache(maxsize=8192)
def digits_to_bcd(digits: str, size: int) -> bytes:
    """Encode decimal digits as packed BCD of ``size`` bytes, left-padded with zeros.

    Args:
        digits: Decimal digits (ASCII 0–9 only).
        size: Number of BCD bytes.

    Returns:
        The packed BCD bytes.

    Raises:
        ValueError: Non-digit characters or more than ``2 * size`` digits.
    """
    if not (digits.isascii() and digits.isdigit()) and digits:
        raise ValueError(f"not a decimal number: {digits!r}")
    if len(digits) > 2 * size:
        raise ValueError(f"{digits!r} has more than {2 * size} digits")
    return bytes.fromhex(digits.zfill(2 * size))


def pack_frame(
    msg_id: int,
    phone: str,
    serial: int,
    body: bytes,
    *,
    version: int | None = None,
    packet: PacketInfo | None = None,
    encryption: int = 0,
) -> bytes:
    """Build one wire frame: header, body, checksum, escaping and flags.

    Args:
        msg_id: Message ID.
        phone: Terminal phone number digits (left-padded to 12 or 20 digits).
        serial: Sender's message serial number (taken modulo 65536).
        body: Message body, at most 1023 bytes.
        version: Protocol version byte for a 2019 header; ``None`` for a 2013 header.
        packet: Sub-package info, or ``None``.
        encryption: Encryption bits (0–7); the body must already be encrypted.

    Returns:
        The frame including both 0x7E flags.

    Raises:
        ValueError: The body is too long or a field is out of range.
    """
    if len(body) > MAX_BODY_LEN:
        raise ValueError(f"body of {len(body)} bytes exceeds {MAX_BODY_LEN}; use sub-packages")
    if not 0 <= msg_id <= 0xFFFF:
        raise ValueError(f"message ID out of range: {msg_id}")
    if not 0 <= encryption <= 7:
        raise ValueError(f"encryption bits out of range: {encryption}")
    props = len(body) | (encryption << _PROP_ENCRYPTION_SHIFT)
    if packet is not None:
        props |= _PROP_SUBPACKAGED
    serial &= 0xFFFF
    if version is None:
        head = _HEAD_2013.pack(msg_id, props, digits_to_bcd(phone, 6), serial)
    else:
        if not 0 <= version <= 0xFF:
            raise ValueError(f"protocol version out of range: {version}")
        props |= _PROP_VERSION_FLAG
        head = _HEAD_2019.pack(msg_id, props, version, digits_to_bcd(phone, 10), serial)
    if packet is not None:
        if not 1 <= packet.index <= packet.total <= 0xFFFF:
            raise ValueError(f"bad packet info {packet}")
        head += _PACKET.pack(packet.total, packet.index)
    data = head + body
    return b"\x7e" + escape(data + bytes((checksum(data),))) + b"\x7e"


def unpack_frame(frame: bytes) -> tuple[Header, bytes]:
    """Check and split one wire frame into its header and body.

    Args:
        frame: One frame including both 0x7E flags.

    Returns:
        The header and the unescaped body.

    Raises:
        FrameError: Missing flags, bad escape, truncated header, bad checksum, or a declared
            body length that differs from the actual body.
    """
    n = len(frame)
    if n < 2 or frame[0] != FLAG or frame[n - 1] != FLAG:
        raise FrameError("frame must start and end with the 0x7E flag")
    inner = frame[1 : n - 1]
    if b"\x7e" in inner:
        raise FrameError(f"unescaped 0x7E inside the frame at offset {inner.index(0x7E) + 1}")
    data = unescape(inner)
    size = len(data)
    if size < 4:
        raise FrameError(f"truncated header: {size} bytes, need at least 13")
    msg_id, props = _PROPS.unpack_from(data)
    is_2019 = bool(props & _PROP_VERSION_FLAG)
    header_len = HEADER_LEN_2019 if is_2019 else HEADER_LEN_2013
    if props & _PROP_SUBPACKAGED:
        header_len += PACKET_INFO_LEN
    if size < header_len + 1:
        raise FrameError(
            f"truncated header: {size} bytes after unescaping, a "
            f"{'2019' if is_2019 else '2013'} header needs {header_len} plus the checksum"
        )
    if checksum(data) != 0:
        raise FrameError(
            f"bad checksum: frame has 0x{data[-1]:02X}, computed 0x{checksum(data[:-1]):02X}"
        )
    if is_2019:
        _, _, version, phone_bcd, serial = _HEAD_2019.unpack_from(data)
        phone = bcd_to_digits(phone_bcd, "phone number")
        packet_off = HEADER_LEN_2019
    else:
        version = None
        _, _, phone_bcd, serial = _HEAD_2013.unpack_from(data)
        phone = bcd_to_digits(phone_bcd, "phone number")
        packet_off = HEADER_LEN_2013
    packet = None
    if props & _PROP_SUBPACKAGED:
        total, index = _PACKET.unpack_from(data, packet_off)
        if total < 1 or not 1 <= index <= total:
            raise FrameError(f"bad packet info: packet {index} of {total}")
        packet = PacketInfo(total, index)
    declared = props & _PROP_LENGTH_MASK
    actual = size - header_len - 1
    header = Header(
        msg_id=msg_id,
        phone=phone,
        serial=serial,
        version=version,
        body_length=declared,
        encryption=(props >> _PROP_ENCRYPTION_SHIFT) & 0x7,
        packet=packet,
    )
    if declared != actual:
        raise FrameError(
            f"declared body length {declared} ≠ actual body length {actual} "
            f"(message 0x{msg_id:04X})",
            header=header,
        )
    return header, data[header_len : size - 1]

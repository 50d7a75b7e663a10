"""Bit-level reading and writing of SDS user data (MSB first)."""

from __future__ import annotations

from radio_bridge.at import is_hex
from radio_bridge.errors import ProtocolError

__all__ = ["BitReader", "BitWriter", "hex_payload"]


def hex_payload(payload_hex: str, length_bits: int) -> tuple[bytes, int]:
    """Convert SDS user data given as hex plus a bit length into bytes.

    Handles both vendor forms (PROTOCOLS.md §1.6): padded to whole octets (Motorola) and the
    exact number of hex digits, which can be odd (Sepura). Bits past ``length_bits`` are
    ignored.

    Args:
        payload_hex: The hex digits (case-insensitive, surrounding blanks allowed).
        length_bits: The length from the ``+CTSDSR`` header.

    Returns:
        The bytes (an odd digit count padded with ``0``) and the bit length.

    Raises:
        ProtocolError: For non-hex text, a non-positive length, or fewer bits than the length.
    """
    if not isinstance(payload_hex, str) or not isinstance(length_bits, int):
        raise ProtocolError("payload must be a hex string and the length an int")
    text = payload_hex.strip()
    if not is_hex(text):
        raise ProtocolError("payload is not hex")
    if length_bits <= 0:
        raise ProtocolError(f"length {length_bits} bits is not positive")
    if len(text) * 4 < length_bits:
        raise ProtocolError(f"payload has {len(text) * 4} bits, header says {length_bits}")
    if len(text) % 2:
        text += "0"
    return bytes.fromhex(text), length_bits


class BitReader:
    """Read big-endian bit fields from a byte string limited to a number of bits."""

    def __init__(self, data: bytes, length_bits: int | None = None) -> None:
        """Create a reader.

        Args:
            data: The bytes.
            length_bits: Number of valid bits (default: all of ``data``).
        """
        total = len(data) * 8
        self._length = total if length_bits is None else min(length_bits, total)
        self._value = int.from_bytes(data, "big") >> (total - self._length) if data else 0
        self._pos = 0

    @classmethod
    def from_hex(cls, payload_hex: str, length_bits: int) -> BitReader:
        """Create a reader over hex user data (see :func:`hex_payload`)."""
        data, length = hex_payload(payload_hex, length_bits)
        return cls(data, length)

    @property
    def position(self) -> int:
        """Bits consumed so far."""
        return self._pos

    @property
    def remaining(self) -> int:
        """Bits left."""
        return self._length - self._pos

    def read(self, width: int, name: str = "field") -> int:
        """Read an unsigned field.

        Raises:
            ProtocolError: If fewer than ``width`` bits are left.
        """
        if width > self.remaining:
            raise ProtocolError(f"{name}: needs {width} bits at bit {self._pos}, "
                                f"only {self.remaining} left")
        shift = self._length - self._pos - width
        self._pos += width
        return (self._value >> shift) & ((1 << width) - 1)

    def read_signed(self, width: int, name: str = "field") -> int:
        """Read a two's-complement field."""
        value = self.read(width, name)
        if value >= 1 << (width - 1):
            value -= 1 << width
        return value

    def skip(self, width: int, name: str = "field") -> None:
        """Skip ``width`` bits."""
        self.read(width, name)

    def read_bytes(self, count: int, name: str = "field") -> bytes:
        """Read whole octets (need not be octet-aligned)."""
        return bytes(self.read(8, name) for _ in range(count))

    def rest_bytes(self) -> bytes:
        """Read the remaining whole octets (a trailing partial octet is dropped)."""
        return self.read_bytes(self.remaining // 8)


class BitWriter:
    """Append big-endian bit fields."""

    def __init__(self) -> None:
        """Create an empty writer."""
        self._value = 0
        self._length = 0

    @property
    def length(self) -> int:
        """Bits written."""
        return self._length

    def write(self, value: int, width: int) -> None:
        """Append ``value`` in ``width`` bits (two's complement for negative values).

        Raises:
            ValueError: If the value does not fit.
        """
        if value < 0:
            value += 1 << width
        if not 0 <= value < 1 << width:
            raise ValueError(f"{value} does not fit {width} bits")
        self._value = (self._value << width) | value
        self._length += width

    def write_bytes(self, data: bytes) -> None:
        """Append whole octets."""
        for b in data:
            self.write(b, 8)

    def to_bytes(self) -> bytes:
        """Return the bits padded with zeros to whole octets."""
        pad = -self._length % 8
        return (self._value << pad).to_bytes((self._length + pad) // 8, "big")

    def to_hex(self, padded: bool = True) -> str:
        """Return upper-case hex: padded to octets, or the minimum digits (Sepura style)."""
        text = self.to_bytes().hex().upper()
        if not padded:
            text = text[: (self._length + 3) // 4]
        return text

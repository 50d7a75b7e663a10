"""JT/T 808 frames: decoding, encoding, stream splitting and sub-package reassembly.

* :func:`decode_frame` turns one frame (flags included) into a :class:`Frame`;
  malformed input raises :class:`FrameError` and nothing else.
* :func:`encode_frame` / :func:`encode_packets` build frames in either header version.
* :class:`FrameSplitter` cuts an arbitrary TCP byte stream into candidate frames.
* :class:`Reassembler` joins sub-packaged messages (properties bit 13).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace
from datetime import timedelta

from app.tracking.jt808.messages import (
    CHINA_OFFSET,
    Authentication,
    BatchLocations,
    Location,
    Message,
    Registration,
    decode_body,
    encode_body,
)
from app.tracking.jt808.wire import (
    HEADER_LEN_2013,
    MAX_BODY_LEN,
    MAX_FRAME_BYTES,
    FrameError,
    Header,
    PacketInfo,
    pack_frame,
    unpack_frame,
)

__all__ = [
    "Frame",
    "FrameError",
    "FrameSplitter",
    "Reassembler",
    "decode_frame",
    "encode_frame",
    "encode_packets",
]

_MIN_CONTENT = HEADER_LEN_2013 + 1  # shortest possible frame between the flags


@dataclass(frozen=True, slots=True)
class Frame:
    """A decoded frame.

    Attributes:
        header: The message header.
        body: The unescaped body (a fragment when the frame is one packet of a sub-packaged
            message).
        message: The decoded message; ``None`` for an unhandled message ID, an encrypted body or a
            sub-package fragment (see :class:`Reassembler`).
    """

    header: Header
    body: bytes
    message: Message | None

    @property
    def msg_id(self) -> int:
        """Message ID."""
        return self.header.msg_id

    @property
    def phone(self) -> str:
        """Terminal phone number, every BCD digit as sent."""
        return self.header.phone

    @property
    def serial(self) -> int:
        """Sender's message serial number."""
        return self.header.serial

    @property
    def version(self) -> int | None:
        """2019 protocol version byte, ``None`` for a 2013 header."""
        return self.header.version

    @property
    def is_fragment(self) -> bool:
        """Whether this frame is one packet of a sub-packaged message."""
        return self.header.packet is not None

    @property
    def location(self) -> Location | None:
        """The location of a 0x0200 report, else ``None``."""
        message = self.message
        return message if isinstance(message, Location) else None

    @property
    def locations(self) -> list[Location]:
        """The locations of a 0x0704 batch (or the single one of a 0x0200), else empty."""
        message = self.message
        if isinstance(message, BatchLocations):
            return list(message.locations)
        if isinstance(message, Location):
            return [message]
        return []

    @property
    def auth_code(self) -> str | None:
        """The authentication code of a 0x0102, else ``None``."""
        message = self.message
        return message.auth_code if isinstance(message, Authentication) else None

    @property
    def registration(self) -> Registration | None:
        """The registration of a 0x0100, else ``None``."""
        message = self.message
        return message if isinstance(message, Registration) else None


def decode_frame(
    frame: bytes,
    utc_offset: timedelta | float = CHINA_OFFSET,
) -> Frame:
    """Decode one frame, 0x7E flags included.

    Args:
        frame: The frame bytes.
        utc_offset: Offset of the terminal's local time from UTC used for location times
            (``timedelta`` or hours; default GMT+8 as the standard prescribes).

    Returns:
        The decoded :class:`Frame`.

    Raises:
        FrameError: The frame is malformed (the message says what is wrong). No other
            exception escapes for any input bytes.
    """
    try:
        header, body = unpack_frame(frame if type(frame) is bytes else bytes(frame))
        if header.packet is not None or header.encryption:
            return Frame(header, body, None)
        return Frame(header, body, decode_body(header, body, utc_offset))
    except FrameError:
        raise
    except (ValueError, TypeError, IndexError, OverflowError, struct.error) as exc:
        raise FrameError(f"malformed frame: {exc}") from None


def encode_frame(
    message: Message,
    *,
    phone: str,
    serial: int,
    version: int | None = None,
    utc_offset: timedelta | float = CHINA_OFFSET,
) -> bytes:
    """Encode a message as one frame.

    Args:
        message: The message.
        phone: Terminal phone number digits.
        serial: Sender's message serial number.
        version: 2019 protocol version byte (use the terminal's own), or ``None`` for 2013.
        utc_offset: Offset of the terminal's local time from UTC for location times.

    Returns:
        The frame with flags.

    Raises:
        ValueError: A field does not fit, or the body exceeds 1023 bytes (use
            :func:`encode_packets`).
    """
    body = encode_body(message, version=version, utc_offset=utc_offset)
    return pack_frame(message.MSG_ID, phone, serial, body, version=version)


def encode_packets(
    message: Message,
    *,
    phone: str,
    serial: int,
    version: int | None = None,
    utc_offset: timedelta | float = CHINA_OFFSET,
    max_body: int = MAX_BODY_LEN,
) -> list[bytes]:
    """Encode a message, sub-packaged when its body exceeds ``max_body``.

    Packets carry consecutive serials starting at ``serial``.

    Args:
        message: The message.
        phone: Terminal phone number digits.
        serial: Serial of the first packet.
        version: 2019 protocol version byte, or ``None`` for 2013.
        utc_offset: Offset of the terminal's local time from UTC for location times.
        max_body: Largest body per packet (1–1023).

    Returns:
        One frame when the body fits, else one frame per packet.
    """
    if not 1 <= max_body <= MAX_BODY_LEN:
        raise ValueError(f"max_body must be 1–{MAX_BODY_LEN}")
    body = encode_body(message, version=version, utc_offset=utc_offset)
    if len(body) <= max_body:
        return [pack_frame(message.MSG_ID, phone, serial, body, version=version)]
    chunks = [body[i : i + max_body] for i in range(0, len(body), max_body)]
    total = len(chunks)
    return [
        pack_frame(
            message.MSG_ID,
            phone,
            serial + i,
            chunk,
            version=version,
            packet=PacketInfo(total, i + 1),
        )
        for i, chunk in enumerate(chunks)
    ]


class FrameSplitter:
    """Cut a TCP byte stream into candidate frames.

    Feed it chunks exactly as read from the socket; it returns every complete ``0x7E … 0x7E``
    frame found so far and keeps the unfinished rest. Bytes outside frames are counted in
    :attr:`garbage_bytes` and dropped. A flag that ends one frame may also start the next (some
    terminals send ``7E A 7E B 7E``). The buffer is bounded: a run longer than
    ``max_frame_bytes`` without a closing flag is dropped and counted in :attr:`oversize`.

    It never raises for any input; validating the candidates is :func:`decode_frame`'s job.
    """

    __slots__ = ("_buf", "garbage_bytes", "max_frame_bytes", "oversize")

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        """Create a splitter.

        Args:
            max_frame_bytes: Longest accepted frame on the wire, flags included.
        """
        if max_frame_bytes < _MIN_CONTENT + 2:
            raise ValueError(f"max_frame_bytes must be at least {_MIN_CONTENT + 2}")
        self.max_frame_bytes = max_frame_bytes
        self._buf = bytearray()
        self.garbage_bytes = 0
        self.oversize = 0

    @property
    def buffered(self) -> int:
        """Bytes held while waiting for the rest of a frame."""
        return len(self._buf)

    def feed(self, data: bytes) -> list[bytes]:
        """Add a chunk and return the complete frames it finishes.

        Args:
            data: Bytes as read from the stream (any size, possibly empty).

        Returns:
            Complete frames, flags included, in stream order.
        """
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        limit = self.max_frame_bytes
        pos = 0
        n = len(buf)
        while pos < n:
            start = buf.find(0x7E, pos)
            if start < 0:
                self.garbage_bytes += n - pos
                pos = n
                break
            self.garbage_bytes += start - pos
            end = buf.find(0x7E, start + 1)
            if end < 0:
                pos = start
                if n - start > limit:
                    self.oversize += 1
                    self.garbage_bytes += n - start
                    pos = n
                break
            size = end - start + 1
            if size - 2 < _MIN_CONTENT:
                # 7E 7E (the previous frame's end flag followed by a start flag) or a run too
                # short to be a frame: skip to the later flag, which may start a frame.
                self.garbage_bytes += size - 2
            elif size > limit:
                self.oversize += 1
                self.garbage_bytes += size - 2
            else:
                frames.append(bytes(buf[start : end + 1]))
            pos = end
        del buf[:pos]
        return frames

    def clear(self) -> None:
        """Drop buffered bytes."""
        self._buf.clear()


@dataclass(slots=True)
class _Pending:
    first: Header | None
    total: int
    parts: dict[int, bytes]
    started: float


class Reassembler:
    """Join the packets of sub-packaged messages.

    Packets are grouped by (phone, message ID, packet total); retransmitted packets replace
    earlier copies. Memory is bounded by ``max_messages`` unfinished messages of at most
    ``max_packets`` packets each; unfinished messages expire after ``timeout_s``.
    """

    def __init__(
        self, *, max_messages: int = 8, max_packets: int = 256, timeout_s: float = 120.0
    ) -> None:
        """Create a reassembler.

        Args:
            max_messages: Unfinished messages kept at once (oldest evicted).
            max_packets: Largest packet total accepted.
            timeout_s: Age after which an unfinished message is dropped.
        """
        self.max_messages = max_messages
        self.max_packets = max_packets
        self.timeout_s = timeout_s
        self._pending: dict[tuple[str, int, int], _Pending] = {}
        self.dropped = 0

    @property
    def pending(self) -> int:
        """Number of unfinished messages."""
        return len(self._pending)

    def add(self, header: Header, body: bytes, now: float) -> tuple[Header, bytes] | None:
        """Add one packet.

        Args:
            header: The packet's header (``header.packet`` must be set).
            body: The packet's body.
            now: Monotonic time in seconds.

        Returns:
            The whole message's header (serial of packet 1, no packet info) and body when this
            packet completes it, else ``None``.

        Raises:
            FrameError: The packet total exceeds ``max_packets``.
        """
        packet = header.packet
        if packet is None:
            return header, body
        if packet.total > self.max_packets:
            raise FrameError(
                f"sub-packaged message of {packet.total} packets exceeds the limit of "
                f"{self.max_packets}",
                header=header,
            )
        key = (header.phone, header.msg_id, packet.total)
        entry = self._pending.get(key)
        if entry is None:
            if len(self._pending) >= self.max_messages:
                oldest = min(self._pending, key=lambda k: self._pending[k].started)
                del self._pending[oldest]
                self.dropped += 1
            entry = _Pending(first=None, total=packet.total, parts={}, started=now)
            self._pending[key] = entry
        entry.parts[packet.index] = body
        if packet.index == 1:
            entry.first = header
        if len(entry.parts) < entry.total:
            return None
        del self._pending[key]
        whole = b"".join(entry.parts[i] for i in range(1, entry.total + 1))
        first = entry.first or replace(header, serial=(header.serial - packet.index + 1) & 0xFFFF)
        return replace(first, packet=None, body_length=len(whole)), whole

    def expire(self, now: float) -> int:
        """Drop unfinished messages older than the timeout.

        Args:
            now: Monotonic time in seconds.

        Returns:
            Number of messages dropped.
        """
        old = [k for k, v in self._pending.items() if now - v.started > self.timeout_s]
        for key in old:
            del self._pending[key]
        self.dropped += len(old)
        return len(old)

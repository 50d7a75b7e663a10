"""A ring buffer of a source's original packets, the raw material of clips.

The reader appends every demuxed packet (video and audio, as received, never re-encoded)
with the wall-clock time it arrived. The ring keeps the last ``seconds`` but never drops the
key frame that the oldest kept picture depends on, and never more than ``max_bytes``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RingEntry:
    """One packet with its arrival time.

    ``packet`` is whatever the demuxer returned (an ``av.Packet``); the ring never touches it.
    ``dts`` is its decoding time stamp: consecutive video packets with the same one are parts
    of one picture (RTSP hands a picture over as several packets), kept or dropped together.
    """

    packet: Any
    stream_index: int
    is_video: bool
    is_key: bool
    size: int
    received_mono: float
    received_utc: dt.datetime
    dts: int | None = None


class PacketRing:
    """The last ``seconds`` of packets of one connection. Append from one thread, read from any.

    Args:
        seconds: how much history to keep (measured on arrival time).
        max_bytes: hard cap on the payload kept.
    """

    def __init__(self, seconds: float = 30.0, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.seconds = seconds
        self.max_bytes = max_bytes
        self._entries: deque[RingEntry] = deque()
        self._bytes = 0
        self._lock = threading.Lock()
        self.generation = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """Payload bytes held now."""
        return self._bytes

    def clear(self) -> None:
        """Drop everything (a new connection: old packets belong to other streams)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0
            self.generation += 1

    def append(self, entry: RingEntry) -> None:
        """Add a packet and drop what fell out of the window."""
        with self._lock:
            self._entries.append(entry)
            self._bytes += entry.size
            horizon = entry.received_mono - self.seconds
            while len(self._entries) > 1 and (
                self._bytes > self.max_bytes or self._entries[0].received_mono < horizon
            ):
                self._drop_head()

    def _drop_head(self) -> None:
        head = self._entries.popleft()
        self._bytes -= head.size
        # Never leave the rest of a picture whose first part is gone (with any sound that
        # came between its parts),
        # (only a video head has such parts, and the scan stops at the stream's next picture:
        # a scan past sound packets to the end of the ring would cost O(n) per packet)
        rest = 0
        if head.is_video:
            for i, e in enumerate(self._entries):
                if e.is_video and e.stream_index == head.stream_index:
                    if not _same_picture(head, e):
                        break
                    rest = i + 1
        for _ in range(rest):
            self._bytes -= self._entries.popleft().size
        # nor video packets at the head whose key frame is gone.
        while self._entries and self._entries[0].is_video and not self._entries[0].is_key:
            self._bytes -= self._entries.popleft().size

    def since(self, start_mono: float) -> list[RingEntry]:
        """Packets from the last video key frame at or before ``start_mono`` onwards.

        Audio packets before that key frame are left out, so a clip starts with a picture.
        With no key frame at or before ``start_mono``, starts at the first key frame after
        it; with no key frame at all, returns an empty list.
        """
        with self._lock:
            entries = list(self._entries)
        start = None
        for i, e in enumerate(entries):
            if e.is_video and e.is_key:
                if e.received_mono <= start_mono or start is None:
                    start = i
                if e.received_mono > start_mono:
                    break
        if start is None:
            return []
        key = entries[start]
        for j in range(start - 1, -1, -1):  # the key frame's first parts (sound may be between)
            e = entries[j]
            if e.is_video and e.stream_index == key.stream_index:
                if not _same_picture(e, key):
                    break
                start = j
        return entries[start:]

    def __iter__(self) -> Iterator[RingEntry]:
        with self._lock:
            return iter(list(self._entries))


def _same_picture(a: RingEntry, b: RingEntry) -> bool:
    """Whether two video packets of a stream are parts of one picture."""
    return (a.is_video and b.is_video and a.stream_index == b.stream_index
            and a.dts is not None and a.dts == b.dts)

"""Value types of the media layer: source specs, reader states and statistics, captures."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from pathlib import Path

from models.enums import EvidenceKind, MediaKind, MediaOwnerKind


class MediaError(RuntimeError):
    """A media operation could not be done (source not open, no picture yet, bad URL…)."""


class SourceState(enum.StrEnum):
    """What the console knows about one source.

    ``connecting``: opening for the first time; ``live``: pictures (or, when only watched,
    packets) arrive; ``stalled``: connected but nothing arrived for a while; ``lost``: the
    connection failed or ended and the reader is retrying with backoff; ``closed``: nobody
    has the source open.
    """

    CONNECTING = "connecting"
    LIVE = "live"
    STALLED = "stalled"
    LOST = "lost"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class SourceSpec:
    """How to reach one source (a row of ``media_source``, detached from the session)."""

    id: int
    name: str
    url: str
    kind: MediaKind
    owner_kind: MediaOwnerKind = MediaOwnerKind.OTHER
    owner_id: int | None = None
    has_audio: bool = False


@dataclass(frozen=True, slots=True)
class SourceStats:
    """A snapshot of one source's reader, safe to hand across threads.

    Attributes:
        state: see :class:`SourceState`.
        fps: pictures shown per second over the last two seconds (packets per second when
            the source is only watched, without pictures).
        delay_ms: how late the newest picture was handed on, measured against the source's
            own clock (decode time plus lateness; 0 for a source that keeps time).
        frames: pictures handed on since the reader started.
        dropped: pictures decoded but dropped because they were already stale.
        reconnects: connections opened after the first.
        detail: the last error or a reason for the state, for tooltips and logs.
        width, height: size of the source's pictures (0 before the first).
        has_audio: the current connection carries sound.
    """

    state: SourceState
    fps: float = 0.0
    delay_ms: float = 0.0
    frames: int = 0
    dropped: int = 0
    reconnects: int = 0
    detail: str = ""
    width: int = 0
    height: int = 0
    has_audio: bool = False


CLOSED_STATS = SourceStats(SourceState.CLOSED)


@dataclass(frozen=True, slots=True)
class Capture:
    """A saved piece of evidence: where, its SHA-256 (computed at capture) and what it covers.

    ``evidence_id`` is set once the evidence row is committed (when the service records it).
    """

    kind: EvidenceKind
    source_id: int
    path: Path
    sha256: str
    size_bytes: int
    captured_at: dt.datetime
    content_start: dt.datetime
    content_end: dt.datetime
    evidence_id: int | None = None
    incident_id: int | None = None

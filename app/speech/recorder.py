"""Recording venue streams to disk in segments, without re-encoding, and cutting evidence clips.

:class:`SegmentRecorder` is a packet sink: the venue's demux thread hands it every packet and it
writes Matroska segment files of about ``segment_s`` seconds of media time (a new segment starts
on a video key frame, or anywhere for audio-only sources), each stamped with its wall-clock
start in the file name. :func:`prune` deletes segments older than the retention period;
:func:`cut_clip` copies the packets of a time range out of the segments into an evidence clip.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.clock import utcnow

log = logging.getLogger("app.speech.recorder")

SEGMENT_SUFFIX = ".mkv"
_NAME = re.compile(r"^(?P<venue>\d+)_(?P<ts>\d{8}T\d{6}\d{3}Z)\.mkv$")


@dataclass(frozen=True, slots=True)
class Segment:
    """A finished segment file."""

    path: Path
    venue_id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    sha256: str
    size_bytes: int


def segment_name(venue_id: int, at: dt.datetime) -> str:
    """File name of a segment starting at ``at`` (UTC, millisecond precision)."""
    at = at.astimezone(dt.UTC)
    return f"{venue_id}_{at:%Y%m%dT%H%M%S}{at.microsecond // 1000:03d}Z{SEGMENT_SUFFIX}"


def parse_segment_name(name: str) -> tuple[int, dt.datetime] | None:
    """Venue id and start time from a segment file name, or None."""
    m = _NAME.match(name)
    if not m:
        return None
    ts = m.group("ts")
    at = dt.datetime.strptime(ts[:15], "%Y%m%dT%H%M%S").replace(
        microsecond=int(ts[15:18]) * 1000, tzinfo=dt.UTC)
    return int(m.group("venue")), at


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class SegmentRecorder:
    """Writes the packets of one input container into segment files.

    Args:
        folder: where segments go (created).
        venue_id: used in file names.
        streams: the input streams to record (audio and/or video).
        segment_s: target segment length.
        on_segment: called with each finished :class:`Segment` (recorder thread).
        clock: wall clock (tests pass a fixed one).
    """

    def __init__(
        self,
        folder: Path,
        venue_id: int,
        streams: Iterable[Any],
        *,
        segment_s: float = 300.0,
        on_segment: Callable[[Segment], None] | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.folder = folder
        self.venue_id = venue_id
        self.streams = list(streams)
        self.segment_s = segment_s
        self._on_segment = on_segment or (lambda _s: None)
        self._clock = clock
        self._out: Any = None
        self._map: dict[int, Any] = {}
        self._offsets: dict[int, int] = {}
        self._path: Path | None = None
        self._started_at: dt.datetime | None = None
        self._seg_start_t: float | None = None  # media time of the segment's first packet
        self._has_video = any(s.type == "video" for s in self.streams)
        self.segments: list[Segment] = []
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, packet: Any) -> None:
        """Record one demuxed packet (ignored if its stream is not recorded)."""
        if packet.dts is None or packet.size == 0:
            return
        index = packet.stream.index
        if index not in {s.index for s in self.streams}:
            return
        t = float(packet.dts * packet.time_base) if packet.time_base is not None else 0.0
        due = self._seg_start_t is not None and t - self._seg_start_t >= self.segment_s
        at_boundary = not self._has_video or (packet.stream.type == "video"
                                              and packet.is_keyframe)
        rotate = self._out is None or (due and at_boundary)
        if rotate:
            self._open_next()
            self._seg_start_t = t
        out_stream = self._map[index]
        if index not in self._offsets:
            self._offsets[index] = packet.dts
        off = self._offsets[index]
        packet.dts -= off
        if packet.pts is not None:
            packet.pts -= off
        packet.stream = out_stream
        try:
            self._out.mux(packet)
        except Exception as exc:  # a bad packet must not end the recording
            log.warning("recording venue %d: packet dropped (%s)", self.venue_id, exc)

    def close(self) -> Segment | None:
        """Finish the current segment."""
        if self._out is None:
            return None
        out, path, started = self._out, self._path, self._started_at
        self._out = None
        try:
            out.close()
        except Exception as exc:
            log.warning("closing segment %s: %s", path, exc)
        assert path is not None and started is not None
        if not path.exists():
            return None
        seg = Segment(path, self.venue_id, started, self._clock(), sha256_file(path),
                      path.stat().st_size)
        self.segments.append(seg)
        try:
            self._on_segment(seg)
        except Exception:
            log.exception("segment listener failed")
        return seg

    def _open_next(self) -> None:
        import av

        self.close()
        self._started_at = self._clock()
        self._path = self.folder / segment_name(self.venue_id, self._started_at)
        self._out = av.open(str(self._path), "w", format="matroska")
        self._map = {s.index: self._out.add_stream_from_template(s) for s in self.streams}
        self._offsets = {}
        log.info("recording venue %d to %s", self.venue_id, self._path,
                 extra={"event": "segment_started", "venue_id": self.venue_id})


def list_segments(folder: Path, venue_id: int | None = None) -> list[tuple[Path, int,
                                                                           dt.datetime]]:
    """Segment files in ``folder`` (of one venue), oldest first."""
    out: list[tuple[Path, int, dt.datetime]] = []
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        parsed = parse_segment_name(p.name)
        if parsed is None or (venue_id is not None and parsed[0] != venue_id):
            continue
        out.append((p, parsed[0], parsed[1]))
    out.sort(key=lambda t: t[2])
    return out


def prune(folder: Path, retention: dt.timedelta, *, now: dt.datetime | None = None,
          keep: Iterable[Path] = ()) -> list[Path]:
    """Delete segments that started more than ``retention`` ago (except ``keep``)."""
    now = now or utcnow()
    protected = {p.resolve() for p in keep}
    removed = []
    for path, _venue, started in list_segments(folder):
        if now - started > retention and path.resolve() not in protected:
            try:
                os.remove(path)
                removed.append(path)
            except OSError as exc:
                log.warning("cannot delete old recording %s: %s", path, exc)
    if removed:
        log.info("deleted %d recording segment(s) older than %s", len(removed), retention)
    return removed


def cut_clip(source: Path, start_s: float, end_s: float, out: Path) -> Path:
    """Copy the packets of ``[start_s, end_s]`` (seconds into ``source``) to ``out``.

    No re-encoding: the clip starts at the key frame at or before ``start_s`` (audio-only
    sources start exactly). Raises ``app.speech.audio.AudioError`` when nothing lies in range.
    """
    import av

    from app.speech.audio import AudioError

    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = av.open(str(source))
    except (av.error.FFmpegError, OSError) as exc:
        raise AudioError(f"cannot open {source}: {exc}") from exc
    written = 0
    try:
        streams = [s for s in src.streams if s.type in ("audio", "video")]
        dst = av.open(str(out), "w", format="matroska")
        try:
            mapping = {s.index: dst.add_stream_from_template(s) for s in streams}
            offsets: dict[int, int] = {}
            for packet in src.demux(streams):
                if packet.dts is None or packet.size == 0 or packet.time_base is None:
                    continue
                t = float(packet.dts * packet.time_base)
                if t > end_s:
                    break
                if t < start_s:
                    continue
                idx = packet.stream.index
                offsets.setdefault(idx, packet.dts)
                packet.dts -= offsets[idx]
                if packet.pts is not None:
                    packet.pts -= offsets[idx]
                packet.stream = mapping[idx]
                dst.mux(packet)
                written += 1
        finally:
            dst.close()
    finally:
        src.close()
    if written == 0:
        out.unlink(missing_ok=True)
        raise AudioError(f"no media between {start_s:.1f} s and {end_s:.1f} s in {source}")
    return out

"""One source, one connection, one worker thread: demux, decode, pace, hand on.

A :class:`SourceReader` opens its source with PyAV (FFmpeg) and reads it on its own thread:

* video is decoded at the source's rate (:class:`~app.media.clock.PacingClock`), converted
  once to BGRA with OpenCV into a reused buffer and offered to every frame consumer, which
  scales it to its own size on this thread; pictures that are already stale are dropped,
  never queued;
* audio, when someone listens, is decoded and resampled to 16 kHz mono float32 and handed to
  the audio callbacks in chunks with the wall-clock time of their first sample;
* every packet, untouched, goes into a :class:`~app.media.ring.PacketRing` from which clips
  are cut without re-encoding (:meth:`SourceReader.request_clip`);
* the connection is retried with exponential backoff when it fails or ends; files loop.

The state (connecting / live / stalled / lost) and measured fps and delay are read with
:meth:`SourceReader.stats` from any thread. Nothing here imports Qt.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import av
import cv2
import numpy as np

from app.media.clock import PacingClock
from app.media.ring import PacketRing, RingEntry
from app.media.types import MediaError, SourceSpec, SourceState, SourceStats
from app.priority import Background, lower_this_thread
from models.base import utcnow
from models.enums import MediaKind

log = logging.getLogger("app.media.reader")

#: Callback of an audio subscriber: mono float32 samples at 16 kHz and the UTC wall-clock
#: time of the first sample. Called on the reader thread: hand the chunk on, do not work here.
AudioCallback = Callable[[np.ndarray, dt.datetime], None]

_NETWORK_ERRORS: tuple[type[Exception], ...] = (av.FFmpegError, OSError, EOFError)
_CLIP_ERRORS: tuple[type[Exception], ...] = (*_NETWORK_ERRORS, ValueError)
#: Consecutive undecodable packets after which the connection is reopened.
_MAX_DECODE_ERRORS = 50


@dataclass(frozen=True, slots=True)
class ReaderConfig:
    """Timing and buffer settings of readers (defaults suit live cameras on an intranet)."""

    open_timeout_s: float = 5.0
    read_timeout_s: float = 5.0
    stall_after_s: float = 2.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 10.0
    ring_seconds: float = 30.0
    ring_max_bytes: int = 64 * 1024 * 1024
    audio_rate: int = 16_000
    audio_chunk_s: float = 0.1
    drop_after_s: float = 0.25
    loop_files: bool = True


@dataclass(frozen=True, slots=True)
class FrameMeta:
    """About one decoded picture.

    Attributes:
        source_id: the source.
        seq: picture number on this reader.
        pts_s: presentation time on the source's clock (None if the source has none).
        decoded_at: ``time.perf_counter()`` right after decoding (for decode-to-paint delay).
        utc: wall-clock time the picture stands for.
        width, height: size of the source picture.
    """

    source_id: int
    seq: int
    pts_s: float | None
    decoded_at: float
    utc: dt.datetime
    width: int
    height: int


class FrameConsumer(Protocol):
    """Receives every picture a reader hands on (on the reader thread)."""

    def publish(self, bgra: np.ndarray, meta: FrameMeta) -> None:
        """Take a full-size BGRA picture; it is overwritten after this returns."""


@dataclass(frozen=True, slots=True)
class ClipResult:
    """A finished clip file (before hashing)."""

    path: Path
    content_start: dt.datetime
    content_end: dt.datetime
    packets: int


@dataclass(slots=True)
class _ClipRequest:
    before_s: float
    after_s: float
    base_path: Path
    future: Future[ClipResult]
    requested_mono: float


@dataclass(slots=True)
class _ClipJob:
    request: _ClipRequest
    output: Any
    path: Path
    streams: dict[int, Any]
    end_mono: float
    origin_s: float | None = None
    origin_mono: float = 0.0
    last_dts: dict[int, int] = field(default_factory=dict)
    #: per stream whose pictures may come split: the picture being put together
    #: (data, pts, dts, key frame, time base)
    held: dict[int, tuple[bytearray, int, int, bool, Any]] = field(default_factory=dict)
    merge: frozenset[int] = frozenset()
    first_utc: dt.datetime | None = None
    last_utc: dt.datetime | None = None
    packets: int = 0


_MP4_CODECS = frozenset({"h264", "hevc", "aac", "mp3"})
#: QuickTime also holds the G.711 sound of IP cameras (PCMU/PCMA), which MP4 and Matroska
#: do not
_MOV_CODECS = _MP4_CODECS | {"pcm_mulaw", "pcm_alaw", "pcm_s16be", "pcm_s16le"}
#: Annex B video whose demuxer may hand one picture over as several packets with the same
#: timestamps (RTP: one per slice or parameter-set group); a clip puts them back together
_SPLIT_PICTURES = frozenset({"h264", "hevc"})


def _clip_suffix(codecs: set[str]) -> str:
    """The container a clip of these codecs is written in (packets are never re-encoded)."""
    if codecs <= _MP4_CODECS:
        return ".mp4"
    if codecs <= _MOV_CODECS:
        return ".mov"
    return ".mkv"


def _input_format(kind: MediaKind) -> tuple[str | None, dict[str, str]]:
    """FFmpeg demuxer name and options for a kind of source."""
    # enough probing for codec parameters (AAC's real rate is in its config, not the FLV
    # tag) without waiting a second of live stream before the first picture
    quick = {"analyzeduration": "300000", "probesize": "500000"}
    if kind is MediaKind.HTTP_MJPEG:
        return "mpjpeg", {**quick, "fflags": "nobuffer"}
    if kind is MediaKind.HTTP_FLV:
        return "flv", {**quick, "fflags": "nobuffer"}
    if kind is MediaKind.RTSP:
        return None, {**quick, "rtsp_transport": "tcp", "fflags": "nobuffer"}
    if kind is MediaKind.HLS:
        return "hls", {"analyzeduration": "2000000"}
    return None, {}


def _file_path(url: str) -> str:
    return url[len("file://"):] if url.startswith("file://") else url


class SourceReader:
    """The worker of one open source. Create, :meth:`start`, and :meth:`stop` when done.

    Args:
        spec: the source.
        config: timing and buffers.
    """

    def __init__(self, spec: SourceSpec, config: ReaderConfig | None = None) -> None:
        self.spec = spec
        self.config = config or ReaderConfig()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumers: tuple[FrameConsumer, ...] = ()
        self._audio: dict[int, AudioCallback] = {}
        self._audio_ids = 0
        self._lock = threading.Lock()
        self._clip_requests: queue.SimpleQueue[_ClipRequest] = queue.SimpleQueue()
        self._clips: list[_ClipJob] = []
        self.ring = PacketRing(self.config.ring_seconds, self.config.ring_max_bytes)
        self._clock = PacingClock(drop_after_s=self.config.drop_after_s)
        # state, written by the reader thread only
        self._state = SourceState.CONNECTING
        self._detail = ""
        self._ever_live = False
        self._last_activity = 0.0
        self._shown: deque[float] = deque()
        self._frames = 0
        self._dropped = 0
        self._reconnects = 0
        self._delay_ms = 0.0
        self._size = (0, 0)
        self._has_audio = False
        self._last_picture: tuple[Any, dt.datetime] | None = None
        self._bgra: np.ndarray | None = None
        self._decoding = False
        self._synced = False
        self._decode_errors = 0

    # ------------------------------------------------------------------ lifecycle
    @property
    def running(self) -> bool:
        """The worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the worker thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"media-{self.spec.id}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the worker to finish (returns at once; see :meth:`join`)."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end; True when it has."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    # ------------------------------------------------------------------ subscribers
    def add_consumer(self, consumer: FrameConsumer) -> None:
        """Hand pictures to ``consumer`` from the next one on."""
        with self._lock:
            if consumer not in self._consumers:
                self._consumers = (*self._consumers, consumer)

    def remove_consumer(self, consumer: FrameConsumer) -> None:
        """Stop handing pictures to ``consumer``."""
        with self._lock:
            self._consumers = tuple(c for c in self._consumers if c is not consumer)

    def add_audio(self, callback: AudioCallback) -> int:
        """Deliver 16 kHz mono audio to ``callback``; returns a token for :meth:`remove_audio`."""
        with self._lock:
            self._audio_ids += 1
            self._audio = {**self._audio, self._audio_ids: callback}
            return self._audio_ids

    def remove_audio(self, token: int) -> None:
        """Stop delivering audio to the callback registered as ``token``."""
        with self._lock:
            self._audio = {k: v for k, v in self._audio.items() if k != token}

    # ------------------------------------------------------------------ reading state
    def stats(self) -> SourceStats:
        """A snapshot of state and measurements (any thread)."""
        now = time.monotonic()
        state = self._state
        if state is SourceState.LIVE and now - self._last_activity > self.config.stall_after_s:
            state = SourceState.STALLED
        recent = [t for t in list(self._shown) if now - t <= 2.0]
        fps = 0.0
        if len(recent) >= 2 and now - recent[-1] < 0.5:
            fps = (len(recent) - 1) / max(recent[-1] - recent[0], 1e-3)
        elif recent:
            fps = len(recent) / 2.0
        return SourceStats(
            state=state, fps=round(fps, 1), delay_ms=round(self._delay_ms, 1),
            frames=self._frames, dropped=self._dropped, reconnects=self._reconnects,
            detail=self._detail, width=self._size[0], height=self._size[1],
            has_audio=self._has_audio,
        )

    def last_picture(self) -> tuple[Any, dt.datetime] | None:
        """The newest decoded picture (an ``av.VideoFrame``) and the time it stands for."""
        return self._last_picture

    # ------------------------------------------------------------------ clips
    def request_clip(self, before_s: float, after_s: float, base_path: Path) -> Future[ClipResult]:
        """Cut a clip: ``before_s`` from the ring plus ``after_s`` still to come.

        The file is ``base_path`` with ``.mp4`` (H.264/HEVC with AAC/MP3), ``.mov`` (with
        G.711 sound) or ``.mkv`` (any other codecs) appended; packets are copied, never
        re-encoded (pictures that arrived split into several packets are joined). The future
        resolves when the clip is complete, or earlier with what there is if the connection
        ends.
        """
        if before_s < 0 or after_s < 0:
            raise ValueError("clip lengths must not be negative")
        fut: Future[ClipResult] = Future()
        if not self.running:
            fut.set_exception(MediaError(f"source {self.spec.id} is not open"))
            return fut
        self._clip_requests.put(_ClipRequest(before_s, after_s, base_path, fut, time.monotonic()))
        return fut

    # ------------------------------------------------------------------ thread
    def _set_state(self, state: SourceState, detail: str = "") -> None:
        if state is not self._state:
            level = logging.WARNING if state is SourceState.LOST and self._ever_live \
                else logging.INFO
            log.log(level, "source %d %s: %s → %s %s", self.spec.id, self.spec.name,
                    self._state.value, state.value, detail,
                    extra={"event": "media_state", "source_id": self.spec.id,
                           "state": state.value})
        self._state = state
        self._detail = detail

    def _run(self) -> None:
        lower_this_thread(Background.MEDIA)
        backoff = self.config.backoff_initial_s
        first = True
        try:
            while not self._stop.is_set():
                if not first:
                    self._reconnects += 1
                first = False
                try:
                    went_live, reason = self._session()
                except Exception:  # a bug, not a bad stream: say so loudly, then retry
                    log.exception("reader of source %d failed", self.spec.id)
                    went_live, reason = False, "internal error"
                if self._stop.is_set():
                    break
                if went_live:
                    backoff = self.config.backoff_initial_s
                if reason == "eof" and self.spec.kind is MediaKind.FILE \
                        and self.config.loop_files and went_live:
                    first = True  # a file plays in a loop: not a reconnection
                    continue
                self._set_state(SourceState.LOST, reason)
                if self._stop.wait(backoff):
                    break
                backoff = min(backoff * 2, self.config.backoff_max_s)
        finally:
            self._finish_clips()
            while True:
                try:
                    req = self._clip_requests.get_nowait()
                except queue.Empty:
                    break
                req.future.set_exception(MediaError(f"source {self.spec.id} closed"))
            self._set_state(SourceState.CLOSED, "")

    def _open(self) -> Any:
        fmt, options = _input_format(self.spec.kind)
        url = _file_path(self.spec.url) if self.spec.kind is MediaKind.FILE else self.spec.url
        return av.open(url, format=fmt, options=options,
                       timeout=(self.config.open_timeout_s, self.config.read_timeout_s))

    def _session(self) -> tuple[bool, str]:
        """One connection: open, read until it ends. Returns (went live, reason it ended)."""
        try:
            container = self._open()
        except _NETWORK_ERRORS as exc:
            return False, _describe(exc)
        went_live = False
        try:
            went_live, reason = self._read(container)
        except _NETWORK_ERRORS as exc:
            reason = _describe(exc)
        finally:
            self._finish_clips()
            self.ring.clear()
            with contextlib.suppress(*_NETWORK_ERRORS):
                container.close()
        return went_live, reason

    def _read(self, container: Any) -> tuple[bool, str]:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        if video is None and audio is None:
            return False, "no audio or video stream"
        if video is not None:
            video.codec_context.thread_count = 1
        self._has_audio = audio is not None
        self._clock.reset()
        resampler: Any = None
        pending_audio: list[np.ndarray] = []
        pending_start: dt.datetime | None = None
        self._synced = False
        self._decode_errors = 0
        went_live = False
        streams = [s for s in (video, audio) if s is not None]
        # MJPEG over HTTP has no clock of its own (the demuxer counts pictures): the
        # server's sending paces it
        paced = self.spec.kind is not MediaKind.HTTP_MJPEG
        for packet in container.demux(streams):
            if self._stop.is_set():
                return went_live, "stopped"
            if packet.size == 0:  # a flush packet at the end of the stream
                continue
            if paced:
                stamp = packet.dts if packet.dts is not None else packet.pts
                ts = float(stamp * packet.time_base) if stamp is not None \
                    and packet.time_base is not None else None
                wait = self._clock.pace(ts, time.monotonic())
                if wait > 0 and self._stop.wait(wait):
                    return went_live, "stopped"
            now = time.monotonic()
            is_video = video is not None and packet.stream_index == video.index
            entry = RingEntry(packet, packet.stream_index, is_video, bool(packet.is_keyframe),
                              packet.size, now, utcnow(), packet.dts)
            self.ring.append(entry)
            self._serve_clips(container, entry)
            if is_video:
                if self._video_packet(packet, now):
                    went_live = True
            elif audio is not None and packet.stream_index == audio.index:
                if video is None:
                    self._activity(now)
                    went_live = True
                callbacks = self._audio
                if callbacks:
                    if resampler is None:
                        resampler = av.AudioResampler(format="flt", layout="mono",
                                                      rate=self.config.audio_rate)
                    pending_start = self._audio_packet(packet, resampler, callbacks,
                                                       pending_audio, pending_start)
                else:
                    pending_audio.clear()
                    pending_start = None
        return went_live, "eof"

    def _activity(self, now: float) -> None:
        self._last_activity = now
        if self._state is not SourceState.LIVE:
            self._ever_live = True
            self._set_state(SourceState.LIVE, "")

    def _video_packet(self, packet: Any, now: float) -> bool:
        """Handle one video packet; True once the source counts as live."""
        consumers = self._consumers
        decode = bool(consumers)
        if not decode:
            self._decoding = False
            self._activity(now)
            self._shown.append(now)
            self._trim_shown(now)
            return True
        if not self._decoding:
            self._decoding = True
            self._synced = False
        if not self._synced:
            if not packet.is_keyframe:
                return self._state is SourceState.LIVE  # wait for a key frame to start
            self._synced = True
        try:
            frames = packet.decode()
        except av.FFmpegError as exc:
            self._decode_errors += 1
            if self._decode_errors >= _MAX_DECODE_ERRORS:
                raise
            log.debug("source %d: undecodable packet: %s", self.spec.id, exc)
            return False
        self._decode_errors = 0
        live = False
        for frame in frames:
            live = True
            self._frame(frame, consumers)
        return live

    def _frame(self, frame: Any, consumers: tuple[FrameConsumer, ...]) -> None:
        decoded_at = time.perf_counter()
        now = time.monotonic()
        self._activity(now)
        pts_s = float(frame.time) if frame.time is not None else None
        if self.spec.kind is MediaKind.HTTP_MJPEG:
            pts_s = None  # the demuxer counts pictures; the server's sending is the clock
        late_s = self._clock.lateness(pts_s, now)
        utc = utcnow() - dt.timedelta(seconds=late_s)
        self._last_picture = (frame, utc)
        self._size = (frame.width, frame.height)
        if late_s > self.config.drop_after_s:
            self._dropped += 1  # stale: decoded (later pictures need it), never shown
            return
        bgra = self._to_bgra(frame)
        self._frames += 1
        meta = FrameMeta(self.spec.id, self._frames, pts_s, decoded_at, utc, frame.width,
                         frame.height)
        for consumer in consumers:
            try:
                consumer.publish(bgra, meta)
            except Exception:
                log.exception("frame consumer of source %d failed", self.spec.id)
        shown = time.monotonic()
        self._shown.append(shown)
        self._trim_shown(shown)
        # lateness against the source clock plus the time spent decoding and converting
        late_ms = max(late_s, 0.0) * 1000.0 + (time.perf_counter() - decoded_at) * 1000.0
        self._delay_ms = late_ms if self._delay_ms == 0 else 0.9 * self._delay_ms + 0.1 * late_ms

    def _trim_shown(self, now: float) -> None:
        while self._shown and now - self._shown[0] > 2.0:
            self._shown.popleft()

    def _to_bgra(self, frame: Any) -> np.ndarray:
        """The picture as BGRA (OpenCV colour conversion into a reused buffer)."""
        if frame.format.name not in ("yuv420p", "yuvj420p"):
            frame = frame.reformat(format="yuv420p")
        yuv = frame.to_ndarray()
        h, w = frame.height, frame.width
        if self._bgra is None or self._bgra.shape[:2] != (h, w):
            self._bgra = np.empty((h, w, 4), np.uint8)
        cv2.cvtColor(yuv, cv2.COLOR_YUV2BGRA_I420, dst=self._bgra)
        return self._bgra

    def _audio_packet(self, packet: Any, resampler: Any, callbacks: dict[int, AudioCallback],
                      pending: list[np.ndarray], pending_start: dt.datetime | None,
                      ) -> dt.datetime | None:
        try:
            frames = packet.decode()
        except av.FFmpegError as exc:
            log.debug("source %d: undecodable audio packet: %s", self.spec.id, exc)
            return pending_start
        now = time.monotonic()
        for frame in frames:
            if pending_start is None:
                offset = self._clock.wall_offset(
                    float(frame.time) if frame.time is not None else None, now)
                pending_start = utcnow() + dt.timedelta(seconds=offset)
            for out in resampler.resample(frame):
                pending.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        have = sum(len(p) for p in pending)
        if pending_start is not None and have >= self.config.audio_chunk_s * \
                self.config.audio_rate:
            chunk = np.concatenate(pending)
            pending.clear()
            for token, callback in callbacks.items():
                try:
                    callback(chunk, pending_start)
                except Exception:
                    log.exception("audio subscriber %d of source %d failed", token,
                                  self.spec.id)
            return None
        return pending_start

    # ------------------------------------------------------------------ clips (thread)
    def _serve_clips(self, container: Any, entry: RingEntry) -> None:
        if not self._clips and self._clip_requests.empty():
            return  # nearly always: no clip being cut
        running = list(self._clips)
        while True:  # new clips write the ring's backlog, which already holds ``entry``
            try:
                req = self._clip_requests.get_nowait()
            except queue.Empty:
                break
            self._start_clip(container, req)
        for job in running:
            self._write(job, entry)
            if entry.received_mono >= job.end_mono:
                self._close_clip(job)

    def _start_clip(self, container: Any, req: _ClipRequest) -> None:
        backlog = self.ring.since(req.requested_mono - req.before_s)
        if not backlog:
            req.future.set_exception(MediaError(
                f"source {self.spec.id}: no key frame received yet, nothing to cut"))
            return
        indexes = sorted({e.stream_index for e in backlog} | {
            s.index for s in (*container.streams.video[:1], *container.streams.audio[:1])})
        names = {i: container.streams[i].codec_context.name for i in indexes}
        path = req.base_path.with_name(req.base_path.name + _clip_suffix(set(names.values())))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            output = av.open(str(path), "w")
            supported = output.supported_codecs
            skipped = [n for n in names.values() if n not in supported]
            if skipped:  # better the pictures without the sound than no clip at all
                log.warning("clip %s: %s cannot be stored without re-encoding, left out",
                            path, ", ".join(skipped))
            streams = {i: output.add_stream_from_template(container.streams[i])
                       for i in indexes if names[i] in supported}
        except _CLIP_ERRORS as exc:
            req.future.set_exception(MediaError(f"cannot write clip {path}: {exc}"))
            return
        if not streams:
            with contextlib.suppress(*_CLIP_ERRORS):
                output.close()
            path.unlink(missing_ok=True)
            req.future.set_exception(MediaError(f"cannot write clip {path}: no codec fits"))
            return
        job = _ClipJob(req, output, path, streams, end_mono=req.requested_mono + req.after_s,
                       origin_mono=backlog[0].received_mono,
                       merge=frozenset(i for i in streams if names[i] in _SPLIT_PICTURES))
        self._clips.append(job)
        for e in backlog:
            self._write(job, e)
        if backlog[-1].received_mono >= job.end_mono:
            self._close_clip(job)

    def _write(self, job: _ClipJob, entry: RingEntry) -> None:
        out_stream = job.streams.get(entry.stream_index)
        if out_stream is None:
            return
        src = entry.packet
        tb = src.time_base
        if tb is None:
            return
        pts, dts = src.pts, src.dts
        if pts is None:  # a stream without timestamps: use the arrival time
            pts = dts = round((entry.received_mono - job.origin_mono) / tb)
        else:
            if job.origin_s is None:
                job.origin_s = float(pts * tb)
            shift = round(job.origin_s / tb)
            pts -= shift
            dts = (dts - shift) if dts is not None else pts
        if pts < 0 or dts < 0:
            return
        index = entry.stream_index
        if index in job.merge:
            held = job.held.get(index)
            if held is not None and held[2] == dts:  # the rest of the same picture
                held[0].extend(bytes(src))
                if entry.is_key and not held[3]:
                    job.held[index] = (held[0], held[1], dts, True, tb)
            else:
                self._mux_held(job, index)
                job.held[index] = (bytearray(bytes(src)), pts, dts, entry.is_key, tb)
        elif not self._mux(job, index, bytes(src), pts, dts, entry.is_key, tb):
            return
        if job.first_utc is None:
            job.first_utc = entry.received_utc
        job.last_utc = entry.received_utc

    def _mux_held(self, job: _ClipJob, index: int) -> None:
        held = job.held.pop(index, None)
        if held is not None:
            self._mux(job, index, bytes(held[0]), *held[1:])

    def _mux(self, job: _ClipJob, index: int, data: bytes, pts: int, dts: int, key: bool,
             tb: Any) -> bool:
        last = job.last_dts.get(index)
        if last is not None and dts <= last:
            return False  # a timestamp jump the muxer would refuse
        packet = av.Packet(data)
        packet.pts, packet.dts = pts, dts
        packet.time_base = tb
        packet.is_keyframe = key
        packet.stream = job.streams[index]
        try:
            job.output.mux(packet)
        except _NETWORK_ERRORS as exc:
            log.debug("clip %s: packet refused: %s", job.path, exc)
            return False
        job.last_dts[index] = dts
        job.packets += 1
        return True

    def _close_clip(self, job: _ClipJob) -> None:
        self._clips.remove(job)
        for index in list(job.held):
            self._mux_held(job, index)
        try:
            job.output.close()
        except _NETWORK_ERRORS as exc:
            job.request.future.set_exception(MediaError(f"cannot finish clip {job.path}: {exc}"))
            return
        if job.packets == 0 or job.first_utc is None or job.last_utc is None:
            job.path.unlink(missing_ok=True)
            job.request.future.set_exception(MediaError("the clip is empty"))
            return
        log.info("clip %s: %d packets", job.path, job.packets,
                 extra={"event": "clip_written", "source_id": self.spec.id})
        job.request.future.set_result(ClipResult(job.path, job.first_utc, job.last_utc,
                                                 job.packets))

    def _finish_clips(self) -> None:
        for job in list(self._clips):
            self._close_clip(job)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, av.ExitError):
        return "no data before the time-out"
    text = str(exc) or type(exc).__name__
    return text[:300]

"""One connection to a venue's monitoring device: record it and hear it.

A :class:`VenueStream` opens the source once (PyAV), on its own thread. Every packet goes to the
optional :class:`~app.speech.recorder.SegmentRecorder` (recording without re-encoding); the
first audio stream is decoded, resampled to 16 kHz mono and delivered in fixed-size chunks to
``on_chunk`` (live transcription, headset monitoring). A source that drops is reopened after
``retry_s``; a file can be paced at real time and looped (demo and tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.priority import Background, lower_this_thread
from app.speech.audio import SAMPLE_RATE, AudioChunk, AudioError, Samples
from app.speech.recorder import Segment, SegmentRecorder
from models.clock import utcnow

log = logging.getLogger("app.speech.venue_stream")


class VenueStream:
    """Demux thread for one venue source.

    Args:
        url: file path or stream URL (rtsp://, http:// FLV/HLS, …).
        venue_id: the venue.
        on_chunk: receives :class:`~app.speech.audio.AudioChunk` (stream thread).
        on_state: ``(connected, detail)`` on connect, end and error.
        chunk_s: audio chunk length.
        realtime: pace a file at real time (times ``speed``: tests replay faster).
        loop: reopen a file at its end (the demo's "live" venues).
        record_dir: record segments here while :meth:`set_recording` is on.
        segment_s: recording segment length.
        on_segment: each finished recording segment.
        retry_s: wait before reopening a live source that failed.
        clock: wall clock for recording segment names (tests pass their own).
    """

    def __init__(
        self,
        url: str | Path,
        venue_id: int,
        on_chunk: Callable[[AudioChunk], None],
        *,
        on_state: Callable[[bool, str], None] | None = None,
        chunk_s: float = 0.5,
        realtime: bool = False,
        speed: float = 1.0,
        loop: bool = False,
        record_dir: Path | None = None,
        segment_s: float = 300.0,
        on_segment: Callable[[Segment], None] | None = None,
        retry_s: float = 5.0,
        timeout_s: float = 10.0,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.url = str(url)
        self.venue_id = venue_id
        self._on_chunk = on_chunk
        self._on_state = on_state or (lambda _c, _d: None)
        self._chunk = max(1, int(chunk_s * SAMPLE_RATE))
        self._realtime = realtime
        self._speed = speed
        self._loop = loop
        self._record_dir = record_dir
        self._segment_s = segment_s
        self._on_segment = on_segment
        self._retry_s = retry_s
        self._timeout_s = timeout_s
        self._clock = clock
        self._recording = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"venue-{venue_id}", daemon=True)
        self.offset_s = 0.0
        self.error: str | None = None

    # ------------------------------------------------------------------ control
    def start(self) -> None:
        """Open the source and start delivering."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop (finishing the current recording segment) and wait for the thread."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def set_recording(self, on: bool) -> None:
        """Record (from the next packet) or stop recording (the segment is closed)."""
        if on:
            self._recording.set()
        else:
            self._recording.clear()

    @property
    def recording(self) -> bool:
        """Whether recording is requested."""
        return self._recording.is_set()

    @property
    def running(self) -> bool:
        """Whether the stream thread is alive."""
        return self._thread.is_alive()

    # ------------------------------------------------------------------ thread
    def _run(self) -> None:
        lower_this_thread(Background.MEDIA)
        while not self._stop.is_set():
            try:
                self._one_connection()
                self.error = None
                if not self._loop:
                    self._on_state(False, "ended")
                    return
            except AudioError as exc:
                self.error = str(exc)
                log.warning("venue %d source %s: %s; retrying in %.0f s", self.venue_id,
                            self.url, exc, self._retry_s)
                self._on_state(False, str(exc))
                if self._stop.wait(self._retry_s):
                    return
            except Exception as exc:  # the thread must never die silently
                self.error = f"{type(exc).__name__}: {exc}"
                log.exception("venue %d stream crashed", self.venue_id)
                self._on_state(False, self.error)
                if self._stop.wait(self._retry_s):
                    return

    def _one_connection(self) -> None:
        import av

        try:
            container = av.open(self.url, timeout=self._timeout_s)
        except (av.error.FFmpegError, OSError) as exc:
            raise AudioError(f"cannot open {self.url}: {exc}") from exc
        recorder: SegmentRecorder | None = None
        try:
            if not container.streams.audio:
                raise AudioError(f"{self.url} has no audio stream")
            audio = container.streams.audio[0]
            media = [s for s in container.streams if s.type in ("audio", "video")]
            resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
            self._on_state(True, self.url)
            pending = np.zeros(0, dtype=np.float32)
            started = time.monotonic()
            base = self.offset_s
            for packet in container.demux(media):
                if self._stop.is_set():
                    break
                recorder = self._record(packet, media, recorder)
                if packet.stream.index != audio.index:
                    continue
                for frame in packet.decode():
                    for out in resampler.resample(frame):  # type: ignore[arg-type]
                        block = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                        pending = np.concatenate((pending, block))
                while pending.size >= self._chunk:
                    piece, pending = pending[: self._chunk], pending[self._chunk:]
                    self._deliver(piece, started, base)
            if pending.size and not self._stop.is_set():
                self._deliver(pending, started, base)
        except av.error.FFmpegError as exc:
            raise AudioError(f"{self.url}: {exc}") from exc
        finally:
            if recorder is not None:
                recorder.close()
            container.close()

    def _record(self, packet: Any, media: list[Any],
                recorder: SegmentRecorder | None) -> SegmentRecorder | None:
        if self._record_dir is None:
            return None
        if not self._recording.is_set():
            if recorder is not None:
                recorder.close()
            return None
        if recorder is None:
            recorder = SegmentRecorder(self._record_dir, self.venue_id, media,
                                       segment_s=self._segment_s, on_segment=self._on_segment,
                                       clock=self._clock)
        recorder.write(packet)
        return recorder

    def _deliver(self, piece: Samples, started: float, base: float) -> None:
        if self._realtime:
            due = started + (self.offset_s + piece.size / SAMPLE_RATE - base) / self._speed
            wait = due - time.monotonic()
            if wait > 0:
                self._stop.wait(wait)
        chunk = AudioChunk(piece, self.offset_s)
        self.offset_s += piece.size / SAMPLE_RATE
        self._on_chunk(chunk)

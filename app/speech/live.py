"""Live transcription of several venues on a pool of speech workers, with visible load shedding.

Each venue has a :class:`~app.speech.streaming.StreamingTranscriber`. Worker threads (one per
model replica, sized to the machine) repeatedly take every venue that has a step due and
decode their buffers in **one batch**, so ten venues cost far less than ten separate decodes.

Overload is never silent: when a venue's backlog exceeds ``overload_lag_s`` the pool pauses the
lowest-priority active venue (state ``paused``, reason ``overload``) and says so through
``on_state``; when the pool has had spare capacity for ``recover_s`` it resumes the
highest-priority paused venue. Venues beyond ``max_active`` start paused (reason ``limit``).
Audio of a paused venue is dropped here (the recorder still keeps it for batch analysis).

No Qt here: the Qt adapter (:mod:`app.speech.service`) turns the callbacks into signals.
"""

from __future__ import annotations

import enum
import logging
import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from app.priority import Background, lower_this_thread
from app.speech.audio import AudioChunk, Samples
from app.speech.engine import Recognizer
from app.speech.streaming import StreamConfig, StreamingTranscriber
from app.speech.transcript import TranscriptLine

log = logging.getLogger("app.speech.live")


class VenueState(enum.StrEnum):
    """Live transcription state of a venue, as the dispatcher sees it."""

    ACTIVE = "active"
    PAUSED = "paused"


class PauseReason(enum.StrEnum):
    """Why a venue is paused."""

    NONE = ""
    LIMIT = "limit"  # more venues than speech.live_venues
    OVERLOAD = "overload"  # the machine cannot keep up
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class LoadReport:
    """Load of the pool, reported about once a second."""

    workers: int
    active: tuple[int, ...]
    paused: tuple[int, ...]
    utilisation: float  # busy fraction of the workers over the last window
    max_lag_s: float
    #: Measured: how many venues this machine can transcribe live (None until measured).
    capacity: int | None
    latency_p50_s: float | None
    latency_p95_s: float | None


@dataclass(slots=True)
class _Venue:
    venue_id: int
    priority: int  # lower number = more important
    transcriber: StreamingTranscriber
    state: VenueState = VenueState.ACTIVE
    reason: PauseReason = PauseReason.NONE
    busy: bool = False
    audio_s: float = 0.0


@dataclass(slots=True)
class _Meter:
    window_s: float = 10.0
    busy: deque[tuple[float, float]] = field(default_factory=deque)  # (end time, busy s)
    venue_audio: deque[tuple[float, float]] = field(default_factory=deque)
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=500))

    def add_busy(self, now: float, seconds: float, audio_s: float) -> None:
        self.busy.append((now, seconds))
        self.venue_audio.append((now, audio_s))
        self._expire(now)

    def _expire(self, now: float) -> None:
        for d in (self.busy, self.venue_audio):
            while d and d[0][0] < now - self.window_s:
                d.popleft()

    def utilisation(self, now: float, workers: int) -> float:
        self._expire(now)
        return sum(b for _, b in self.busy) / (self.window_s * max(1, workers))

    def cost_per_audio_s(self, now: float) -> float | None:
        """Worker seconds per second of venue audio processed (measured)."""
        self._expire(now)
        audio = sum(a for _, a in self.venue_audio)
        return sum(b for _, b in self.busy) / audio if audio >= 5.0 else None


class LivePool:
    """Live transcription of venues on ``workers`` threads sharing one recognizer.

    Args:
        recognizer: loaded with ``workers`` model replicas.
        workers: worker threads (default: the recognizer's replica count).
        max_active: venues transcribed at once; more start paused.
        on_commit: ``(venue_id, line, latency_s)`` for each committed line (worker thread).
        on_partial: ``(venue_id, text)`` for the changing tail (worker thread).
        on_state: ``(venue_id, VenueState, PauseReason)`` on every change.
        on_load: a :class:`LoadReport` about once a second.
    """

    def __init__(
        self,
        recognizer: Recognizer,
        *,
        workers: int | None = None,
        max_active: int = 1,
        config: StreamConfig | None = None,
        on_commit: Callable[[int, TranscriptLine, float], None] | None = None,
        on_partial: Callable[[int, str], None] | None = None,
        on_state: Callable[[int, VenueState, PauseReason], None] | None = None,
        on_load: Callable[[LoadReport], None] | None = None,
        overload_lag_s: float = 4.0,
        recover_s: float = 20.0,
        max_batch: int = 8,
    ) -> None:
        self.recognizer = recognizer
        self.workers = workers or recognizer.loaded.workers
        self.max_active = max_active
        self.config = config or StreamConfig()
        self._on_commit = on_commit or (lambda _v, _l, _t: None)
        self._on_partial = on_partial or (lambda _v, _t: None)
        self._on_state = on_state or (lambda _v, _s, _r: None)
        self._on_load = on_load or (lambda _r: None)
        self.overload_lag_s = overload_lag_s
        self.recover_s = recover_s
        self.max_batch = max_batch
        self._venues: dict[int, _Venue] = {}
        self._lock = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._meter = _Meter()
        self._calm_since = time.monotonic()
        self._last_shed = 0.0
        self._last_report = 0.0

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the worker threads and the supervisor."""
        self._stop.clear()
        for i in range(self.workers):
            t = threading.Thread(target=self._work, name=f"speech-live-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        sup = threading.Thread(target=self._supervise, name="speech-live-supervisor",
                               daemon=True)
        sup.start()
        self._threads.append(sup)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop all threads (pending text is flushed to ``on_commit``)."""
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        for t in self._threads:
            t.join(timeout)
        self._threads.clear()
        now = time.monotonic()
        for venue in list(self._venues.values()):
            self._emit_result(venue.venue_id, venue.transcriber.flush(now))

    # ------------------------------------------------------------------ venues
    def add_venue(self, venue_id: int, priority: int = 100) -> VenueState:
        """Start transcribing a venue (paused at once if ``max_active`` is reached)."""
        with self._lock:
            venue = _Venue(venue_id, priority,
                           StreamingTranscriber(self.recognizer.policy.language, self.config))
            self._venues[venue_id] = venue
            limited = self._rebalance_limit()
            state, reason = venue.state, venue.reason
        self._on_state(venue_id, state, reason)
        for other in limited:
            if other is not venue:
                self._on_state(other.venue_id, other.state, other.reason)
        return state

    def remove_venue(self, venue_id: int) -> None:
        """Stop transcribing a venue (its pending text is flushed)."""
        with self._lock:
            venue = self._venues.pop(venue_id, None)
        if venue is not None:
            self._emit_result(venue_id, venue.transcriber.flush(time.monotonic()))

    def set_paused(self, venue_id: int, paused: bool) -> None:
        """Pause or resume a venue by hand."""
        with self._lock:
            venue = self._venues.get(venue_id)
            if venue is None:
                return
        if paused:
            self._pause(venue, PauseReason.MANUAL)
        else:
            self._resume(venue)

    def state(self, venue_id: int) -> tuple[VenueState, PauseReason] | None:
        """State and pause reason of a venue."""
        with self._lock:
            v = self._venues.get(venue_id)
            return None if v is None else (v.state, v.reason)

    def feed(self, venue_id: int, chunk: AudioChunk) -> None:
        """Audio for a venue (from its reader thread). Dropped while the venue is paused."""
        now = time.monotonic()
        with self._lock:
            venue = self._venues.get(venue_id)
            if venue is None or venue.state is not VenueState.ACTIVE:
                return
            venue.transcriber.insert(chunk, now)
            if venue.transcriber.ready():
                self._lock.notify()

    # ------------------------------------------------------------------ workers
    def _active(self) -> list[_Venue]:
        return [v for v in self._venues.values() if v.state is VenueState.ACTIVE]

    def _take_batch(self) -> list[tuple[_Venue, Samples, float]]:
        due = sorted((v for v in self._active() if not v.busy and v.transcriber.ready()),
                     key=lambda v: (v.priority, -v.transcriber.lag_s))
        batch: list[tuple[_Venue, Samples, float]] = []
        for v in due[: self.max_batch]:
            samples = v.transcriber.prepare()
            if samples is None:
                continue
            v.busy = True
            batch.append((v, samples, v.transcriber.buffer_start()))
        return batch

    def _work(self) -> None:
        lower_this_thread(Background.INFERENCE)
        while not self._stop.is_set():
            with self._lock:
                batch = self._take_batch()
                if not batch:
                    self._lock.wait(0.2)
                    continue
            try:
                self._run_batch(batch)
            except Exception:
                log.exception("live transcription step failed")
                with self._lock:
                    for v, _s, _b in batch:
                        v.busy = False

    def _run_batch(self, batch: list[tuple[_Venue, Samples, float]]) -> None:
        t0 = time.perf_counter()
        decoded = self.recognizer.decode_batch([s for _v, s, _b in batch])
        busy = time.perf_counter() - t0
        now = time.monotonic()
        audio = 0.0
        for (venue, _s, start), segments in zip(batch, decoded, strict=True):
            with self._lock:
                result = venue.transcriber.apply(segments, now, start)
                venue.busy = False
                audio += self.config.step_s
            self._emit_result(venue.venue_id, result)
        self._meter.add_busy(now, busy, audio)

    def _emit_result(self, venue_id: int, result: object) -> None:
        from app.speech.streaming import StepResult

        assert isinstance(result, StepResult)
        for line, latency in zip(result.committed, result.latencies_s, strict=True):
            self._meter.latencies.append(latency)
            try:
                self._on_commit(venue_id, line, latency)
            except Exception:
                log.exception("commit listener failed")
        if result.decoded or result.committed:
            try:
                self._on_partial(venue_id, result.partial)
            except Exception:
                log.exception("partial listener failed")

    # ------------------------------------------------------------------ load
    def _supervise(self) -> None:
        while not self._stop.wait(0.5):
            try:
                self.check_load()
            except Exception:
                log.exception("live load check failed")

    def check_load(self) -> None:
        """Shed or resume venues by the current backlog (the supervisor calls it twice a second).
        """
        now = time.monotonic()
        with self._lock:
            active = self._active()
            lags = {v.venue_id: v.transcriber.lag_s for v in active}
            max_lag = max(lags.values(), default=0.0)
            utilisation = self._meter.utilisation(now, self.workers)
            shed = None
            if max_lag > self.overload_lag_s and len(active) > 1 \
                    and now - self._last_shed > 3.0:
                shed = max(active, key=lambda v: (v.priority, v.venue_id))
            resume = None
            if max_lag > 1.5 * self.config.step_s or utilisation > 0.7:
                self._calm_since = now
            elif now - self._calm_since > self.recover_s and len(active) < self.max_active:
                waiting = [v for v in self._venues.values()
                           if v.reason is PauseReason.OVERLOAD]
                if waiting:
                    resume = min(waiting, key=lambda v: (v.priority, v.venue_id))
                    self._calm_since = now
        if shed is not None:
            self._last_shed = now
            log.warning("speech workers overloaded (backlog %.1f s): pausing venue %d",
                        max_lag, shed.venue_id,
                        extra={"event": "speech_shed", "venue_id": shed.venue_id})
            self._pause(shed, PauseReason.OVERLOAD)
        if resume is not None:
            log.info("speech load is low again: resuming venue %d", resume.venue_id)
            self._resume(resume)
        if now - self._last_report >= 1.0:
            self._last_report = now
            self._on_load(self.report(now, utilisation, max_lag))

    def report(self, now: float | None = None, utilisation: float | None = None,
               max_lag: float | None = None) -> LoadReport:
        """The current load and the measured capacity."""
        now = time.monotonic() if now is None else now
        with self._lock:
            active = tuple(v.venue_id for v in self._active())
            paused = tuple(v.venue_id for v in self._venues.values()
                           if v.state is VenueState.PAUSED)
            if max_lag is None:
                max_lag = max((v.transcriber.lag_s for v in self._active()), default=0.0)
        util = self._meter.utilisation(now, self.workers) if utilisation is None else utilisation
        cost = self._meter.cost_per_audio_s(now)
        capacity = None if not cost else max(0, int(0.8 * self.workers / cost))
        lat = sorted(self._meter.latencies)
        p50 = statistics.median(lat) if lat else None
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else None
        return LoadReport(self.workers, active, paused, util, max_lag, capacity, p50, p95)

    def _pause(self, venue: _Venue, reason: PauseReason) -> None:
        with self._lock:
            if venue.state is VenueState.PAUSED:
                venue.reason = reason
                return
            venue.state = VenueState.PAUSED
            venue.reason = reason
            result = venue.transcriber.flush(time.monotonic())
        self._emit_result(venue.venue_id, result)
        self._on_state(venue.venue_id, VenueState.PAUSED, reason)

    def _resume(self, venue: _Venue) -> None:
        with self._lock:
            if venue.state is VenueState.ACTIVE:
                return
            venue.state = VenueState.ACTIVE
            venue.reason = PauseReason.NONE
            venue.transcriber = StreamingTranscriber(self.recognizer.policy.language,
                                                     self.config)
            limited = self._rebalance_limit()
            state, reason = venue.state, venue.reason
        self._on_state(venue.venue_id, state, reason)
        for other in limited:
            if other is not venue:
                self._on_state(other.venue_id, other.state, other.reason)

    def _rebalance_limit(self) -> list[_Venue]:
        """Keep the ``max_active`` most important venues active (lock held); the paused."""
        active = sorted(self._active(), key=lambda v: (v.priority, v.venue_id))
        paused = active[self.max_active:]
        for v in paused:
            v.state = VenueState.PAUSED
            v.reason = PauseReason.LIMIT
            v.transcriber.flush(time.monotonic())
        return paused

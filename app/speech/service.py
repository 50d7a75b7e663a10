"""Live transcription in the console: the Qt adapter over the stream, pool and analysis threads.

:class:`LiveTranscriptionService` owns one :class:`~app.speech.venue_stream.VenueStream` per
watched venue, the :class:`~app.speech.live.LivePool` of speech workers, a
:class:`~app.speech.live_analysis.LiveAnalyzer` per venue and the optional headset monitor.
Everything runs on worker threads; results leave as Qt signals, which Qt queues to the
receivers' (UI) thread. Committed lines and findings are stored through the database writer;
findings at or above ``speech.finding_threshold`` raise an incident for the venue.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from sqlalchemy.orm import Session

from app.analysis.engine import ContentFinding
from app.analysis.incidents import RecordedFindings, record_findings
from app.analysis.rules import RulesError, RuleSet, load_rules
from app.db_writer import DbWriter
from app.priority import Background, lower_this_thread
from app.services.incidents import Actor
from app.speech.audio import AudioChunk
from app.speech.engine import DecodePolicy, ModelMissingError, Recognizer, load_model
from app.speech.live import LivePool, LoadReport, PauseReason, VenueState
from app.speech.live_analysis import LiveAnalyzer, LiveScript
from app.speech.monitor import HeadsetMonitor, MonitorUnavailable
from app.speech.recorder import Segment
from app.speech.settings import SpeechSettings
from app.speech.transcript import TranscriptLine
from app.speech.venue_stream import VenueStream
from models.clock import utcnow

log = logging.getLogger("app.speech.service")

#: Lines kept per venue for a transcript pane opened later.
HISTORY = 500


@dataclass(slots=True)
class _Watch:
    venue_id: int
    name: str
    stream: VenueStream
    analyzer: LiveAnalyzer
    started_at: dt.datetime
    media_source_id: int | None
    lines: deque[TranscriptLine] = field(default_factory=lambda: deque(maxlen=HISTORY))
    findings: deque[ContentFinding] = field(default_factory=lambda: deque(maxlen=HISTORY))
    state: str = "active"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class VenueSnapshot:
    """What a watched venue has shown so far, for a view that connects late (the pane)."""

    venue_id: int
    name: str
    started_at: dt.datetime
    lines: tuple[TranscriptLine, ...]
    findings: tuple[ContentFinding, ...]
    state: str
    reason: str
    partial: str


class LiveTranscriptionService(QObject):
    """Live transcription and analysis of venues.

    Construct on the UI thread; :meth:`start` loads the model on a worker thread and returns at
    once. Venues can be watched before the model is ready (their audio waits until it is).

    Signals:
        model_state(str, str): ``loading``, ``ready`` or ``missing``/``failed``, and detail text
            (the missing-model text names the setting ``speech.model_dir``).
        segment_committed(int, object): venue id, a committed
            :class:`~app.speech.transcript.TranscriptLine` (seconds since the venue's stream
            started; :meth:`started_at` gives the wall time of second 0).
        partial_changed(int, str): venue id, the uncommitted tail (the live caption's end).
        caption_changed(int, str): venue id, the caption for the venue's video tile.
        venue_state_changed(int, str, str): venue id, ``active``/``paused``, pause reason
            (``limit``, ``overload``, ``manual`` or empty).
        stream_state_changed(int, bool, str): venue id, connected, detail.
        load_changed(object): a :class:`~app.speech.live.LoadReport` about once a second.
        finding_raised(int, object): venue id, a
            :class:`~app.analysis.engine.ContentFinding`.
        incident_raised(int, str): venue id, number of the incident raised or extended.
        recording_segment(int, object): venue id, a finished recording
            :class:`~app.speech.recorder.Segment`.
        venue_added(int, str, object): venue id, name, wall time (UTC) of second 0.
        venue_removed(int): venue id.
        monitor_state(int, str): venue on the headset (-1: none) and, when listening was
            refused, why.
    """

    model_state = Signal(str, str)
    segment_committed = Signal(int, object)
    partial_changed = Signal(int, str)
    caption_changed = Signal(int, str)
    venue_state_changed = Signal(int, str, str)
    stream_state_changed = Signal(int, bool, str)
    load_changed = Signal(object)
    finding_raised = Signal(int, object)
    incident_raised = Signal(int, str)
    recording_segment = Signal(int, object)
    venue_added = Signal(int, str, object)
    venue_removed = Signal(int)
    monitor_state = Signal(int, str)

    def __init__(
        self,
        settings: SpeechSettings,
        data_dir: Path,
        *,
        writer: DbWriter | None = None,
        actor: Actor | None = None,
        rules: RuleSet | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.data_dir = data_dir
        self._writer = writer
        self._actor = actor
        self._priorities: dict[int, int] = {}
        self._rules = rules
        self._pool: LivePool | None = None
        self._watches: dict[int, _Watch] = {}
        self._lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._stopping = threading.Event()
        self._monitor: HeadsetMonitor | None = None
        self._monitored: int | None = None
        self._partials: dict[int, str] = {}
        self.last_load: LoadReport | None = None
        #: the last ``model_state`` emitted (state, detail), for a view that connects late
        self.last_model_state: tuple[str, str] | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Load rules (now) and the model (on a worker thread)."""
        if self._rules is None:
            path = Path(self.settings.rules_file) if self.settings.rules_file else None
            try:
                self._rules = load_rules(path)
            except RulesError as exc:
                log.error("content rules not loaded, using the bundled ones: %s", exc)
                self._rules = load_rules(None)
        self._stopping.clear()
        self._emit_model_state("loading", str(self.model_dir))
        self._loader = threading.Thread(target=self._load, name="speech-model-loader",
                                        daemon=True)
        self._loader.start()

    def _emit_model_state(self, state: str, detail: str) -> None:
        self.last_model_state = (state, detail)
        self.model_state.emit(state, detail)

    @property
    def model_dir(self) -> Path:
        """The model directory from the settings."""
        return self.settings.resolved_model_dir(self.data_dir)

    def _load(self) -> None:
        lower_this_thread(Background.INFERENCE)
        workers = self.settings.worker_count()
        try:
            loaded = load_model(self.model_dir, cpu_threads=1, workers=workers,
                                compute_type=self.settings.compute_type)
            recognizer = Recognizer(loaded, DecodePolicy(language=self.settings.language))
        except ModelMissingError as exc:
            log.error("%s", exc)
            self._emit_model_state("missing", str(exc))
            return
        except Exception as exc:
            log.exception("speech model failed to load")
            self._emit_model_state("failed", str(exc))
            return
        pool = LivePool(
            recognizer, workers=workers, max_active=self.settings.live_venues,
            on_commit=self._committed, on_partial=self._partial, on_state=self._state,
            on_load=self._load_report,
        )
        with self._lock:
            if self._stopping.is_set():
                return
            self._pool = pool
            watches = list(self._watches.values())
        pool.start()
        for w in watches:
            pool.add_venue(w.venue_id, priority=self._priority(w.venue_id))
        self._emit_model_state("ready", f"{self.model_dir} ({workers} worker(s))")

    def stop(self) -> None:
        """Stop streams, workers and monitoring (pending text is flushed and stored)."""
        self._stopping.set()
        if self._loader is not None:
            self._loader.join(30)
            self._loader = None
        with self._lock:
            watches = list(self._watches.values())
            self._watches.clear()
        for w in watches:
            w.stream.stop()
        if self._pool is not None:
            self._pool.stop()
            self._pool = None
        self.stop_monitor()

    # ------------------------------------------------------------------ venues
    def _priority(self, venue_id: int) -> int:
        return self._priorities.get(venue_id, 100)

    def watch(
        self,
        venue_id: int,
        url: str | Path,
        *,
        name: str = "",
        priority: int = 100,
        realtime: bool = False,
        speed: float = 1.0,
        loop: bool = False,
        media_source_id: int | None = None,
    ) -> None:
        """Open a venue's source and transcribe it live (``priority``: lower is more important).
        """
        self._priorities[venue_id] = priority
        self.unwatch(venue_id)
        rules = self._rules or load_rules(None)
        stream = VenueStream(
            url, venue_id, lambda chunk: self._audio(venue_id, chunk),
            on_state=lambda up, detail: self.stream_state_changed.emit(venue_id, up, detail),
            realtime=realtime, speed=speed, loop=loop,
            record_dir=self.settings.resolved_recording_dir(self.data_dir),
            segment_s=self.settings.recording_segment_s,
            on_segment=lambda seg: self._segment(venue_id, seg),
        )
        watch = _Watch(venue_id, name or str(venue_id), stream,
                       LiveAnalyzer(rules, self.settings.language), utcnow(),
                       media_source_id)
        with self._lock:
            self._watches[venue_id] = watch
            pool = self._pool
        if pool is not None:
            pool.add_venue(venue_id, priority=priority)
        stream.start()
        self.venue_added.emit(venue_id, watch.name, watch.started_at)
        log.info("watching venue %d (%s) from %s", venue_id, watch.name, url,
                 extra={"event": "venue_watch", "venue_id": venue_id})

    def unwatch(self, venue_id: int) -> None:
        """Stop transcribing a venue."""
        with self._lock:
            watch = self._watches.pop(venue_id, None)
            pool = self._pool
        if watch is None:
            return
        watch.stream.stop()
        if pool is not None:
            pool.remove_venue(venue_id)
        if self._monitored == venue_id:
            self.stop_monitor()
        self.venue_removed.emit(venue_id)

    def watched(self) -> list[int]:
        """Venue ids being watched."""
        with self._lock:
            return list(self._watches)

    def started_at(self, venue_id: int) -> dt.datetime | None:
        """Wall time (UTC) of second 0 of a venue's transcript."""
        with self._lock:
            w = self._watches.get(venue_id)
        return None if w is None else w.started_at

    def snapshot(self) -> list[VenueSnapshot]:
        """Every watched venue with its recent lines, findings, state and partial caption.

        Venues are announced (``venue_added``) when they are watched, which at start-up is
        before any view exists: a view connects the signals first, then replays this.
        """
        with self._lock:
            return [VenueSnapshot(w.venue_id, w.name, w.started_at, tuple(w.lines),
                                  tuple(w.findings), w.state, w.reason,
                                  self._partials.get(w.venue_id, ""))
                    for w in self._watches.values()]

    def history(self, venue_id: int) -> list[TranscriptLine]:
        """Recent committed lines of a venue (for a pane opened later)."""
        with self._lock:
            w = self._watches.get(venue_id)
            return [] if w is None else list(w.lines)

    def set_script(self, venue_id: int, script: LiveScript | None) -> None:
        """The approved script of the performance on now at a venue (None: none)."""
        with self._lock:
            w = self._watches.get(venue_id)
        if w is not None:
            w.analyzer.set_script(script)

    def set_recording(self, venue_id: int, on: bool) -> None:
        """Record a venue's stream in segments (the scheduler does this during shows)."""
        with self._lock:
            w = self._watches.get(venue_id)
        if w is not None:
            w.stream.set_recording(on)

    def set_paused(self, venue_id: int, paused: bool) -> None:
        """Pause or resume live transcription of a venue by hand."""
        if self._pool is not None:
            self._pool.set_paused(venue_id, paused)

    # ------------------------------------------------------------------ monitoring
    def start_monitor(self, venue_id: int, device: int | None = None) -> str | None:
        """Play a venue on the headset; the reason as text when it cannot (None: playing)."""
        self.stop_monitor()
        monitor = HeadsetMonitor(device)
        try:
            monitor.start()
        except MonitorUnavailable as exc:
            log.info("monitoring not available: %s", exc)
            return str(exc)
        self._monitor = monitor
        self._monitored = venue_id
        return None

    def stop_monitor(self) -> None:
        """Stop headset monitoring."""
        monitor, self._monitor, self._monitored = self._monitor, None, None
        if monitor is not None:
            monitor.stop()
            self.monitor_state.emit(-1, "")

    def request_monitor(self, venue_id: int, device: int) -> None:
        """Slot for the pane's ``monitor_requested``: venue -1 stops, device -1 is the default.
        """
        if venue_id < 0:
            self.stop_monitor()
            return
        error = self.start_monitor(venue_id, None if device < 0 else device)
        self.monitor_state.emit(-1 if error else venue_id, error or "")

    @property
    def monitored_venue(self) -> int | None:
        """The venue on the headset."""
        return self._monitored

    # ------------------------------------------------------------------ threads → signals
    def _audio(self, venue_id: int, chunk: AudioChunk) -> None:  # stream thread
        monitor = self._monitor
        if monitor is not None and self._monitored == venue_id:
            monitor.feed(chunk)
        pool = self._pool
        if pool is not None:
            pool.feed(venue_id, chunk)

    def _committed(self, venue_id: int, line: TranscriptLine, _latency: float) -> None:
        with self._lock:
            w = self._watches.get(venue_id)
        if w is None:
            return
        findings = w.analyzer.add(line)
        with self._lock:
            w.lines.append(line)
            w.findings.extend(findings)
        self.segment_committed.emit(venue_id, line)
        self.caption_changed.emit(venue_id, line.text)
        for f in findings:
            self.finding_raised.emit(venue_id, f)
        self._store(w, [line], findings)

    def _partial(self, venue_id: int, text: str) -> None:
        self._partials[venue_id] = text
        self.partial_changed.emit(venue_id, text)
        if text:
            self.caption_changed.emit(venue_id, text)

    def _state(self, venue_id: int, state: VenueState, reason: PauseReason) -> None:
        with self._lock:
            w = self._watches.get(venue_id)
            if w is not None:
                w.state, w.reason = state.value, reason.value
        self.venue_state_changed.emit(venue_id, state.value, reason.value)

    def _load_report(self, report: LoadReport) -> None:
        self.last_load = report
        self.load_changed.emit(report)

    def _segment(self, venue_id: int, segment: Segment) -> None:
        self.recording_segment.emit(venue_id, segment)
        if self._writer is None:
            return
        from models.enums import EvidenceKind
        from models.media import EvidenceItem

        def store(session: Session) -> int:
            item = EvidenceItem(
                kind=EvidenceKind.RECORDING, path=str(segment.path), sha256=segment.sha256,
                size_bytes=segment.size_bytes, content_start=segment.started_at,
                content_end=segment.ended_at, note=f"venue {venue_id} recording",
            )
            session.add(item)
            session.flush()
            return int(item.id)

        self._writer.submit(store, label="recording segment")

    def _store(self, w: _Watch, lines: list[TranscriptLine],
               findings: list[ContentFinding]) -> None:
        writer, actor = self._writer, self._actor
        if writer is None or actor is None:
            return
        threshold = self.settings.finding_threshold
        script = w.analyzer.script
        venue_id = w.venue_id

        def job(session: Session) -> RecordedFindings:
            return record_findings(
                session, actor, venue_id=venue_id, findings=findings,
                base_time=w.started_at, threshold=threshold, lines=lines,
                language=self.settings.language, media_source_id=w.media_source_id,
                title_hint=script.title if script is not None else "",
            )

        future = writer.submit(job, label="live transcript")
        if any(f.confidence >= threshold for f in findings):
            def done(fut: Future[RecordedFindings]) -> None:
                try:
                    rec = fut.result()
                except Exception:
                    return  # the writer logged it
                if rec.incident_number:
                    self.incident_raised.emit(venue_id, rec.incident_number)

            future.add_done_callback(done)

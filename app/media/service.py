"""The media service: sources opened once, on demand, shared by tiles, listeners and watchers.

:class:`MediaService` lives on the UI thread. A source is opened (one
:class:`~app.media.reader.SourceReader`, one connection, one worker thread) when the first
tile attaches, someone subscribes to its audio or watches it, and closed a few seconds after
the last one lets go (so rearranging the wall does not reconnect). Tiles get pictures already
scaled to their size through a :class:`~app.media.frames.FrameSink`; the speech analysis gets
16 kHz mono audio through :meth:`MediaService.subscribe_audio`.

Evidence capture (snapshots and clips, hashed at capture) runs on a capture thread; when the
service has the database writer, each capture is recorded as an ``evidence_item`` before its
future resolves.

Wiring (composition root)::

    media = MediaService(evidence_dir=paths.data_dir / "evidence", sessions=core.sessions,
                         jurisdiction=core.jurisdiction, writer=core.writer, actor=core.actor,
                         executor=core.readers, bridge=core.bridge)
    lifecycle.add("media sources", media.start, media.stop)
    core.bridge.data_changed.connect(media.on_data_changed)
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import cv2
from PySide6.QtCore import QObject, QTimer, Signal, Slot
from sqlalchemy.orm import Session, sessionmaker

from app.bridge import LinkState, Subsystem, UiBridge
from app.db_writer import DbWriter
from app.media.capture import evidence_base_path, finish_clip, record_evidence, write_snapshot
from app.media.directory import MediaDirectory, incident_source_ids, load_media_directory
from app.media.frames import FrameSink
from app.media.reader import AudioCallback, ReaderConfig, SourceReader
from app.media.remote import MediaWorker, RemoteReader
from app.media.shared_frames import SharedFrameSink
from app.media.types import CLOSED_STATS, Capture, MediaError, SourceSpec, SourceState, SourceStats
from app.services.incidents import Actor
from models import Jurisdiction
from models.base import utcnow
from models.enums import EvidenceKind

log = logging.getLogger("app.media.service")

T = TypeVar("T")

#: Tables whose changes make the service reload its directory.
DIRECTORY_TABLES = frozenset({"media_source", "body_camera"})


@dataclass(slots=True)
class _Open:
    spec: SourceSpec
    reader: SourceReader | RemoteReader
    sinks: list[FrameSink | SharedFrameSink] = field(default_factory=list)
    audio: dict[int, AudioCallback] = field(default_factory=dict)
    audio_tokens: dict[int, int] = field(default_factory=dict)
    holds: int = 0
    idle_since: float | None = None

    @property
    def refs(self) -> int:
        return len(self.sinks) + len(self.audio) + self.holds


class Subscription:
    """A handle that keeps a source open; :meth:`close` lets go (idempotent)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def close(self) -> None:
        """Let go of the source."""
        release, self._release = self._release, None
        if release is not None:
            release()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._release is None


class MediaService(QObject):
    """Opens sources on demand and hands out pictures, audio, states and captures.

    Args:
        evidence_dir: where snapshots and clips are written.
        sessions: session factory for the directory and incident look-ups (None: use
            :meth:`set_directory`).
        jurisdiction: what this console may see.
        writer: the database writer; with it, every capture is recorded as evidence.
        actor: recorded as ``captured_by`` / ``console_id``.
        executor: pool for directory and incident look-ups (the core's reader pool).
        bridge: reports the VIDEO link state in the status bar.
        config: reader timing and buffers.
        linger_s: how long a source stays open after the last user lets go.
        poll_ms: how often states and statistics are refreshed.

    Signals:
        state_changed(int, str): a source's SourceState value changed (``closed`` too).
        stats_updated(object): dict source id → SourceStats of the open sources, every poll.
        directory_changed(): the directory of sources was (re)loaded.
        capture_done(object): a Capture was saved (and recorded, with a writer).
        capture_failed(int, str): a capture of that source failed, with the reason.
        incident_sources(int, object): incident id and its list of source ids
            (answer to :meth:`request_incident_sources`).
    """

    state_changed = Signal(int, str)
    stats_updated = Signal(object)
    directory_changed = Signal()
    capture_done = Signal(object)
    capture_failed = Signal(int, str)
    incident_sources = Signal(int, object)
    _directory_loaded = Signal(object)

    def __init__(self, *, evidence_dir: Path, sessions: sessionmaker[Session] | None = None,
                 jurisdiction: Jurisdiction | None = None, writer: DbWriter | None = None,
                 actor: Actor | None = None, executor: Executor | None = None,
                 bridge: UiBridge | None = None, config: ReaderConfig | None = None,
                 linger_s: float = 5.0, poll_ms: int = 500, worker_process: bool = False,
                 worker_log: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.evidence_dir = evidence_dir
        #: readers in a process of their own (the console), or threads here (tools, tests)
        self.worker_process = worker_process
        self._worker_log = worker_log
        self._worker: MediaWorker | None = None
        self._sessions = sessions
        self._jurisdiction = jurisdiction or Jurisdiction()
        self._writer = writer
        self._actor = actor or Actor("dispatcher", "")
        self._executor = executor
        self._bridge = bridge
        self.config = config or ReaderConfig()
        self.linger_s = linger_s
        self._lock = threading.RLock()
        self._open: dict[int, _Open] = {}
        self._stopping: list[SourceReader | RemoteReader] = []
        self._retired: list[tuple[float, FrameSink | SharedFrameSink]] = []
        self._states: dict[int, SourceState] = {}
        self._tokens = itertools.count(1)
        self._directory = MediaDirectory()
        self._capture: ThreadPoolExecutor | None = None
        self._link: tuple[LinkState, str] | None = None
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)
        self._directory_loaded.connect(self._set_loaded_directory)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Load the directory (when given sessions) and start polling."""
        # One worker thread per source already spreads the image work over the cores;
        # OpenCV's own thread pool on top of that only adds hand-offs (measured: a third
        # more CPU and 20 ms more decode-to-paint delay with 16 streams on two cores).
        cv2.setNumThreads(1)
        self._capture = ThreadPoolExecutor(max_workers=1, thread_name_prefix="media-capture")
        if self.worker_process:
            self._worker = MediaWorker(self.config, log_file=self._worker_log)
            self._worker.start()
        self._running = True
        if self._sessions is not None:
            with self._sessions() as session:
                self.set_directory(load_media_directory(session, self._jurisdiction))
        self._timer.start()
        self._report_link()

    def stop(self) -> None:
        """Close every source and wait for the workers (bounded by the read time-out)."""
        self._running = False
        self._timer.stop()
        with self._lock:
            readers = [o.reader for o in self._open.values()] + self._stopping
            self._open.clear()
            self._stopping = []
        for reader in readers:
            reader.stop()
        deadline = time.monotonic() + self.config.read_timeout_s + self.config.open_timeout_s
        for reader in readers:
            if not reader.join(max(0.1, deadline - time.monotonic())):
                log.warning("reader of source %d did not stop in time", reader.spec.id)
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._capture is not None:
            self._capture.shutdown(wait=True, cancel_futures=False)
            self._capture = None
        for _t, sink in self._retired:
            sink.close()
        self._retired.clear()
        for source_id in list(self._states):
            self._states.pop(source_id)
            self.state_changed.emit(source_id, SourceState.CLOSED.value)
        if self._bridge is not None:
            self._bridge.set_link_state(Subsystem.VIDEO, LinkState.DOWN, "")

    # ------------------------------------------------------------------ directory
    @property
    def directory(self) -> MediaDirectory:
        """Sources and owners as last loaded."""
        return self._directory

    def set_directory(self, directory: MediaDirectory) -> None:
        """Use ``directory``; open sources whose address changed are reopened."""
        self._directory = directory
        with self._lock:
            for source_id, entry in list(self._open.items()):
                spec = directory.sources.get(source_id)
                if spec is not None and spec != entry.spec:
                    log.info("source %d changed; reopening", source_id)
                    self._reopen(entry, spec)
        self.directory_changed.emit()
        self._report_link()

    @Slot(object)
    def on_data_changed(self, tables: frozenset[str]) -> None:
        """Reload the directory when sources or cameras changed (bridge.data_changed)."""
        if tables & DIRECTORY_TABLES:
            self.reload_directory()

    def reload_directory(self) -> None:
        """Reload the directory off the UI thread (needs sessions and an executor)."""
        if self._sessions is None or self._executor is None:
            return
        factory, jurisdiction = self._sessions, self._jurisdiction

        def load() -> None:
            try:
                with factory() as session:
                    directory = load_media_directory(session, jurisdiction)
            except Exception:
                log.exception("loading the media directory failed")
                return
            self._directory_loaded.emit(directory)

        self._executor.submit(load)

    @Slot(object)
    def _set_loaded_directory(self, directory: MediaDirectory) -> None:
        if self._running:
            self.set_directory(directory)

    def sources_for(self, kind: str, entity_id: int) -> list[int]:
        """Source ids of a camera, venue, unit or source (see MediaDirectory.sources_for)."""
        return self._directory.sources_for(kind, entity_id)

    def spec(self, source_id: int) -> SourceSpec | None:
        """The source, if this console knows it."""
        return self._directory.sources.get(source_id)

    def request_incident_sources(self, incident_id: int) -> None:
        """Look up the sources of an incident (its units' cameras, its venue) off the UI thread.

        The answer arrives as ``incident_sources(incident_id, [source ids])``.
        """
        if self._sessions is None or self._executor is None:
            self.incident_sources.emit(incident_id, [])
            return
        factory, directory = self._sessions, self._directory

        def look_up() -> None:
            try:
                with factory() as session:
                    ids = incident_source_ids(session, incident_id, directory)
            except Exception:
                log.exception("looking up the sources of incident %d failed", incident_id)
                ids = []
            self.incident_sources.emit(incident_id, ids)

        self._executor.submit(look_up)

    # ------------------------------------------------------------------ opening
    def _ensure(self, source_id: int) -> _Open:
        entry = self._open.get(source_id)
        if entry is not None:
            entry.idle_since = None
            return entry
        if not self._running:
            raise MediaError("the media service is not running")
        spec = self._directory.sources.get(source_id)
        if spec is None:
            raise MediaError(f"unknown source {source_id}")
        reader = self._new_reader(spec)
        entry = _Open(spec, reader)
        self._open[source_id] = entry
        reader.start()
        log.info("opened source %d %s (%s)", spec.id, spec.name, spec.kind.value,
                 extra={"event": "media_open", "source_id": spec.id})
        return entry

    def _reopen(self, entry: _Open, spec: SourceSpec) -> None:
        old = entry.reader
        old.stop()
        self._stopping.append(old)
        entry.spec = spec
        entry.reader = self._new_reader(spec)
        for sink in entry.sinks:
            entry.reader.add_consumer(sink)
        entry.audio_tokens = {t: entry.reader.add_audio(cb) for t, cb in entry.audio.items()}
        entry.reader.start()

    def _new_reader(self, spec: SourceSpec) -> SourceReader | RemoteReader:
        if self._worker is not None:
            return self._worker.reader(spec)
        return SourceReader(spec, self.config)

    def _released(self, entry: _Open) -> None:
        if entry.refs == 0:
            entry.idle_since = time.monotonic()
            if self.linger_s <= 0:
                self._close(entry)

    def _close(self, entry: _Open) -> None:
        if self._open.get(entry.spec.id) is entry:
            del self._open[entry.spec.id]
        entry.reader.stop()
        self._stopping.append(entry.reader)
        log.info("closed source %d", entry.spec.id,
                 extra={"event": "media_close", "source_id": entry.spec.id})

    def attach(self, source_id: int, width: int, height: int) -> FrameSink | SharedFrameSink:
        """Open ``source_id`` (if needed) for a tile of ``width`` × ``height`` device pixels.

        Call on the UI thread; connect ``sink.frame_ready`` and call ``sink.take()``.
        Raises MediaError for an unknown source or a stopped service.
        """
        with self._lock:
            entry = self._ensure(source_id)
            sink: FrameSink | SharedFrameSink = (
                SharedFrameSink(source_id, width, height) if self._worker is not None
                else FrameSink(source_id, width, height))
            entry.sinks.append(sink)
            entry.reader.add_consumer(sink)
        return sink

    def detach(self, sink: FrameSink | SharedFrameSink) -> None:
        """The tile no longer shows ``sink``'s source."""
        with self._lock:
            entry = self._open.get(sink.source_id)
            if entry is not None and sink in entry.sinks:
                entry.sinks.remove(sink)
                entry.reader.remove_consumer(sink)
                self._released(entry)
        # The reader may be inside sink.publish() right now: close it and keep it a while,
        # so that it is released here on the UI thread, never on the reader's.
        sink.close()
        self._retired.append((time.monotonic(), sink))

    def subscribe_audio(self, source_id: int, callback: AudioCallback) -> Subscription:
        """Open ``source_id`` (if needed) and hand its sound to ``callback`` (any thread).

        ``callback(samples, t_start)`` gets mono float32 samples at 16 kHz and the UTC time
        of the first sample, about every 100 ms, on the source's reader thread: queue the
        chunk and return. Sources without sound simply never call it.
        """
        with self._lock:
            entry = self._ensure(source_id)
            token = next(self._tokens)
            entry.audio[token] = callback
            entry.audio_tokens[token] = entry.reader.add_audio(callback)

        def release() -> None:
            with self._lock:
                current = self._open.get(source_id)
                if current is not None and token in current.audio:
                    del current.audio[token]
                    current.reader.remove_audio(current.audio_tokens.pop(token))
                    self._released(current)

        return Subscription(release)

    def watch(self, source_id: int) -> Subscription:
        """Keep ``source_id`` open for its state only (no pictures decoded unless shown)."""
        with self._lock:
            entry = self._ensure(source_id)
            entry.holds += 1

        def release() -> None:
            with self._lock:
                current = self._open.get(source_id)
                if current is not None and current.holds > 0:
                    current.holds -= 1
                    self._released(current)

        return Subscription(release)

    def is_open(self, source_id: int) -> bool:
        """Whether a reader for ``source_id`` is running."""
        with self._lock:
            return source_id in self._open

    def stats(self, source_id: int) -> SourceStats:
        """State and measurements of a source (``closed`` when it is not open)."""
        with self._lock:
            entry = self._open.get(source_id)
        return entry.reader.stats() if entry is not None else CLOSED_STATS

    def open_sources(self) -> list[int]:
        """Ids of the sources open now."""
        with self._lock:
            return sorted(self._open)

    # ------------------------------------------------------------------ polling
    @Slot()
    def poll(self) -> None:
        """Refresh states and statistics; close sources idle past the linger time."""
        now = time.monotonic()
        with self._lock:
            for entry in list(self._open.values()):
                if entry.refs == 0 and entry.idle_since is not None \
                        and now - entry.idle_since >= self.linger_s:
                    self._close(entry)
            self._stopping = [r for r in self._stopping if r.running]
            self._retired = [(t, s) for t, s in self._retired if now - t < 1.0]
            stats = {sid: e.reader.stats() for sid, e in self._open.items()}
        for source_id, st in stats.items():
            if self._states.get(source_id) is not st.state:
                self._states[source_id] = st.state
                self.state_changed.emit(source_id, st.state.value)
        for source_id in [s for s in self._states if s not in stats]:
            del self._states[source_id]
            self.state_changed.emit(source_id, SourceState.CLOSED.value)
        self.stats_updated.emit(stats)
        self._report_link(stats)

    def _report_link(self, stats: dict[int, SourceStats] | None = None) -> None:
        if self._bridge is None:
            return
        if not self._directory.sources:
            link = (LinkState.NOT_CONFIGURED, "")
        else:
            stats = stats or {}
            live = sum(1 for s in stats.values() if s.state is SourceState.LIVE)
            bad = sum(1 for s in stats.values()
                      if s.state in (SourceState.LOST, SourceState.STALLED))
            detail = f"{live}/{len(stats)} live"
            link = (LinkState.DEGRADED if bad else LinkState.UP, detail)
        if link != self._link:
            self._link = link
            self._bridge.set_link_state(Subsystem.VIDEO, *link)

    # ------------------------------------------------------------------ capture
    def _capture_pool(self) -> ThreadPoolExecutor:
        if self._capture is None:
            raise MediaError("the media service is not running")
        return self._capture

    def snapshot(self, source_id: int, *, incident_id: int | None = None,
                 note: str = "") -> Future[Capture]:
        """Save the newest picture of an open source as evidence (PNG, SHA-256 at capture)."""
        try:
            pool = self._capture_pool()
            with self._lock:
                entry = self._open.get(source_id)
            if entry is None:
                raise MediaError(f"source {source_id} is not open")
            reader = entry.reader
            if isinstance(reader, RemoteReader):
                base = evidence_base_path(self.evidence_dir, source_id, EvidenceKind.SNAPSHOT,
                                          utcnow())
                return self._record_remote(pool, source_id, incident_id, note,
                                           reader.request_snapshot(base))
            picture = reader.last_picture()
            if picture is None:
                raise MediaError(f"source {source_id} has no picture yet")
        except MediaError as exc:
            return self._failed(source_id, exc)
        frame, utc = picture
        base = evidence_base_path(self.evidence_dir, source_id, EvidenceKind.SNAPSHOT, utcnow())
        return pool.submit(self._captured, source_id, incident_id, note,
                           partial(write_snapshot, frame, utc, source_id, base))

    def clip(self, source_id: int, seconds_before: float, seconds_after: float, *,
             incident_id: int | None = None, note: str = "") -> Future[Capture]:
        """Save the last ``seconds_before`` and the next ``seconds_after`` of an open source.

        The clip is cut from the source's original packets (sound included, nothing
        re-encoded); the future resolves once the ``after`` part has been received.
        """
        try:
            pool = self._capture_pool()
            with self._lock:
                entry = self._open.get(source_id)
            if entry is None:
                raise MediaError(f"source {source_id} is not open")
            base = evidence_base_path(self.evidence_dir, source_id, EvidenceKind.CLIP, utcnow())
            raw = entry.reader.request_clip(seconds_before, seconds_after, base)
        except (MediaError, ValueError) as exc:
            return self._failed(source_id, MediaError(str(exc)))
        return self._record_when(pool, source_id, incident_id, note, raw,
                                 lambda result: partial(finish_clip, result, source_id))

    def _record_remote(self, pool: ThreadPoolExecutor, source_id: int,
                       incident_id: int | None, note: str,
                       written: Future[Capture]) -> Future[Capture]:
        """A capture the worker wrote and hashed: record it like one made here."""
        return self._record_when(pool, source_id, incident_id, note, written,
                                 lambda capture: lambda: capture)

    def _record_when(self, pool: ThreadPoolExecutor, source_id: int, incident_id: int | None,
                     note: str, pending: Future[T],
                     make: Callable[[T], Callable[[], Capture]]) -> Future[Capture]:
        """Once ``pending`` is done, record ``make(its result)()`` on the capture thread."""
        outer: Future[Capture] = Future()

        def ready(done: Future[T]) -> None:
            exc = done.exception()
            if exc is not None:
                self._report_failure(source_id, exc)
                outer.set_exception(exc)
                return
            try:
                inner = pool.submit(self._captured, source_id, incident_id, note,
                                    make(done.result()))
            except RuntimeError as err:  # the service stopped meanwhile
                outer.set_exception(MediaError(str(err)))
                return
            inner.add_done_callback(partial(_chain, outer))

        pending.add_done_callback(ready)
        return outer

    def _captured(self, source_id: int, incident_id: int | None, note: str,
                  make: Callable[[], Capture]) -> Capture:
        """On the capture thread: write/hash, record, announce."""
        try:
            capture = replace(make(), incident_id=incident_id)
            if self._writer is not None:
                job = partial(_record, capture=capture, actor=self._actor,
                              incident_id=incident_id, note=note)
                evidence_id = self._writer.submit(job, label="evidence").result(timeout=30)
                capture = replace(capture, evidence_id=evidence_id)
        except Exception as exc:
            self._report_failure(source_id, exc)
            raise
        self.capture_done.emit(capture)
        return capture

    def _report_failure(self, source_id: int, exc: BaseException) -> None:
        log.warning("capture from source %d failed: %s", source_id, exc,
                    extra={"event": "capture_failed", "source_id": source_id})
        self.capture_failed.emit(source_id, str(exc))

    def _failed(self, source_id: int, exc: MediaError) -> Future[Capture]:
        self._report_failure(source_id, exc)
        fut: Future[Capture] = Future()
        fut.set_exception(exc)
        return fut


def _record(session: Session, *, capture: Capture, actor: Actor, incident_id: int | None,
            note: str) -> int:
    return record_evidence(session, capture, actor=actor, incident_id=incident_id, note=note).id


def _chain(outer: Future[T], inner: Future[T]) -> None:
    exc = inner.exception()
    if exc is not None:
        outer.set_exception(exc)
    else:
        outer.set_result(inner.result())


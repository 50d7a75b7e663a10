"""The console's side of the media worker process (:mod:`app.media.worker`).

:class:`MediaWorker` starts ``python -m app.media.worker`` at low priority and keeps one
thread reading its events; :class:`RemoteReader` stands in for a
:class:`~app.media.reader.SourceReader` inside :class:`~app.media.service.MediaService`
(same start/stop/consumer/stats/clip interface), so the service, the wall and the evidence
path are the same whether the readers run in the console's process or in the worker. Pictures
come through :class:`~app.media.shared_frames.SharedFrameSink` segments, never the pipe.

If the worker dies it is started again and every open reader and tile is re-attached; the
tiles show the sources connecting meanwhile.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import logging
import subprocess
import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import IO, Any

from app.media.reader import ClipResult, ReaderConfig
from app.media.shared_frames import SharedFrameSink
from app.media.types import Capture, MediaError, SourceSpec, SourceState, SourceStats
from app.media.worker import (
    capture_from_json,
    clip_from_json,
    spec_to_json,
    stats_from_json,
)
from app.priority import Background, lower_process

log = logging.getLogger("app.media.remote")

_CONNECTING = SourceStats(SourceState.CONNECTING)


class MediaWorker:
    """One worker process and the readers it hosts for this console."""

    def __init__(self, config: ReaderConfig, *, log_file: Path | None = None) -> None:
        self.config = config
        self._log_file = log_file
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()
        self._stats: dict[int, SourceStats] = {}
        self._pending: dict[int, Future[Any]] = {}
        self._req = itertools.count(1)
        self._readers: dict[int, RemoteReader] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._err: IO[str] | None = None
        self.restarts = 0

    # ------------------------------------------------------------------ process
    def start(self) -> None:
        """Start the worker process."""
        self._stopping = False
        if self._log_file is not None and self._err is None:
            self._log_file.parent.mkdir(parents=True, exist_ok=True)
            self._err = self._log_file.open("a", encoding="utf-8")
        self._spawn()

    def _spawn(self) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.media.worker"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._err if self._err is not None else None,
            text=True, encoding="utf-8", bufsize=1)
        lower_process(proc.pid, Background.MEDIA)
        self._proc = proc
        self._thread = threading.Thread(target=self._events, args=(proc,),
                                        name="video-worker-events", daemon=True)
        self._thread.start()
        log.info("media worker started (pid %d)", proc.pid,
                 extra={"event": "media_worker_started", "pid": proc.pid})

    def stop(self) -> None:
        """Stop the worker (its readers stop; pending requests fail)."""
        self._stopping = True
        proc = self._proc
        if proc is not None:
            try:
                if proc.stdin is not None:
                    proc.stdin.close()
                proc.wait(10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()
                proc.wait(5)
        if self._thread is not None:
            self._thread.join(5)
        if self._err is not None:
            self._err.close()
            self._err = None
        self._fail_pending("the media worker stopped")

    @property
    def running(self) -> bool:
        """Whether the worker process is alive."""
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        """The worker's process id."""
        return self._proc.pid if self._proc is not None else None

    def send(self, command: dict[str, Any]) -> None:
        """Send a command (any thread)."""
        line = json.dumps(command, ensure_ascii=False) + "\n"
        with self._lock:
            proc = self._proc
            if proc is None or proc.stdin is None:
                raise MediaError("the media worker is not running")
            try:
                proc.stdin.write(line)
                proc.stdin.flush()
            except (OSError, ValueError) as exc:
                raise MediaError(f"the media worker is not reachable: {exc}") from exc

    def _events(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        with proc.stdout:
            for line in proc.stdout:
                try:
                    event = json.loads(line)
                    self._event(event)
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("media worker said %.200r: %s", line, exc)
        if proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):  # a dead worker's pipe
                proc.stdin.close()
        if not self._stopping:
            log.error("media worker exited (code %s); starting it again", proc.wait())
            self._fail_pending("the media worker exited")
            with self._lock:
                self._stats.clear()
            self.restarts += 1
            try:
                self._spawn()
                for reader in list(self._readers.values()):
                    reader.reattach()
            except (OSError, MediaError) as exc:
                log.error("media worker could not be started again: %s", exc)

    def _event(self, e: dict[str, Any]) -> None:
        kind = e["ev"]
        if kind == "stats":
            stats = {int(k): stats_from_json(v) for k, v in e["stats"].items()}
            with self._lock:
                self._stats = stats
        elif kind in ("done", "clip", "failed"):
            with self._lock:
                fut = self._pending.pop(int(e["req"]), None)
            if fut is None:
                return
            if kind == "done":
                fut.set_result(capture_from_json(e["capture"]))
            elif kind == "clip":
                fut.set_result(clip_from_json(e["result"]))
            else:
                fut.set_exception(MediaError(str(e["error"])))
        elif kind == "error":
            log.warning("media worker: %s", e.get("error"))
        elif kind != "ready":
            log.debug("media worker event %s", kind)

    def _fail_pending(self, why: str) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        for fut in pending.values():
            if not fut.done():
                fut.set_exception(MediaError(why))

    def request(self, command: dict[str, Any]) -> Future[Any]:
        """Send a command that is answered (snapshot, clip); the answer's future."""
        fut: Future[Any] = Future()
        req = next(self._req)
        with self._lock:
            self._pending[req] = fut
        try:
            self.send({**command, "req": req})
        except MediaError as exc:
            with self._lock:
                self._pending.pop(req, None)
            fut.set_exception(exc)
        return fut

    def stats(self, source_id: int) -> SourceStats:
        """The newest statistics the worker reported for ``source_id``."""
        with self._lock:
            return self._stats.get(source_id, _CONNECTING)

    def reader(self, spec: SourceSpec) -> RemoteReader:
        """A reader for ``spec`` hosted by this worker (started with :meth:`RemoteReader.start`)."""
        return RemoteReader(self, spec)


class RemoteReader:
    """A source reader that runs in the media worker process."""

    def __init__(self, worker: MediaWorker, spec: SourceSpec) -> None:
        self.worker = worker
        self.spec = spec
        self._open = False
        self._sinks: list[SharedFrameSink] = []

    def start(self) -> None:
        """Open the source in the worker."""
        self._open = True
        self.worker._readers[self.spec.id] = self
        self.worker.send({"op": "open", "id": self.spec.id, "spec": spec_to_json(self.spec),
                          "config": dataclasses.asdict(self.worker.config)})

    def reattach(self) -> None:
        """After a worker restart: open again and re-attach every tile."""
        if not self._open:
            return
        self.start()
        for sink in self._sinks:
            if not sink.closed:
                self.worker.send({"op": "attach", "id": self.spec.id, "shm": sink.name})

    def stop(self) -> None:
        """Close the source in the worker."""
        if not self._open:
            return
        self._open = False
        if self.worker._readers.get(self.spec.id) is self:
            del self.worker._readers[self.spec.id]
        try:
            self.worker.send({"op": "close", "id": self.spec.id})
        except MediaError as exc:
            log.debug("closing source %d: %s", self.spec.id, exc)

    def join(self, timeout: float | None = None) -> bool:
        """Nothing to wait for here (the worker's thread ends on its own)."""
        return True

    @property
    def running(self) -> bool:
        """Whether the source is open in the worker."""
        return self._open and self.worker.running

    def add_consumer(self, consumer: Any) -> None:
        """Hand pictures to a tile's shared segment."""
        if not isinstance(consumer, SharedFrameSink):
            raise MediaError("a worker-hosted source hands pictures to shared segments only")
        self._sinks.append(consumer)
        self.worker.send({"op": "attach", "id": self.spec.id, "shm": consumer.name})

    def remove_consumer(self, consumer: Any) -> None:
        """Stop handing pictures to a tile's segment."""
        if consumer in self._sinks:
            self._sinks.remove(consumer)
            try:
                self.worker.send({"op": "detach", "id": self.spec.id, "shm": consumer.name})
            except MediaError as exc:
                log.debug("detaching from source %d: %s", self.spec.id, exc)

    def add_audio(self, callback: Any) -> int:
        """Sound is not handed across processes (speech opens venues itself)."""
        raise MediaError("audio of a worker-hosted source is not available in the console")

    def remove_audio(self, token: int) -> None:
        """See :meth:`add_audio`."""

    def stats(self) -> SourceStats:
        """The newest statistics from the worker."""
        return self.worker.stats(self.spec.id)

    def request_snapshot(self, base_path: Path) -> Future[Capture]:
        """Save the newest picture (written and hashed in the worker)."""
        return self.worker.request({"op": "snapshot", "id": self.spec.id,
                                    "base": str(base_path)})

    def request_clip(self, before_s: float, after_s: float,
                     base_path: Path) -> Future[ClipResult]:
        """Cut a clip from the worker's ring of original packets."""
        return self.worker.request({"op": "clip", "id": self.spec.id, "before": before_s,
                                    "after": after_s, "base": str(base_path)})

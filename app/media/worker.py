"""``python -m app.media.worker``: the console's video readers in a process of their own.

The console (:mod:`app.media.remote`) starts it and talks JSON lines over its standard input
and output; it runs the same :class:`~app.media.reader.SourceReader` a console runs in-process
(connect, demux, decode, ring of packets, clips), and hands pictures to the console's tiles
through shared memory (:mod:`app.media.shared_frames`). When its standard input closes (the
console stopped or died) it stops every reader and exits.

Commands (one JSON object a line)::

    {"op": "open", "id": 7, "spec": {...SourceSpec...}, "config": {...ReaderConfig...}}
    {"op": "close", "id": 7}
    {"op": "attach", "id": 7, "shm": "cedc-…"}        a tile's segment
    {"op": "detach", "id": 7, "shm": "cedc-…"}
    {"op": "snapshot", "req": 3, "id": 7, "base": "/…/evidence/…"}
    {"op": "clip", "req": 4, "id": 7, "before": 30, "after": 10, "base": "/…"}

Events: ``{"ev": "ready"}``, ``{"ev": "stats", "stats": {"7": {...}}}`` four times a second,
``{"ev": "done", "req": 3, "capture": {...}}``, ``{"ev": "clip", "req": 4, "result": {...}}``,
``{"ev": "failed", "req": 3, "error": "…"}``. A bad command is answered with
``{"ev": "error", "error": "…"}`` and logged; the worker keeps running.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TextIO

from app.media.capture import write_snapshot
from app.media.reader import ClipResult, ReaderConfig, SourceReader
from app.media.shared_frames import SharedFrameWriter
from app.media.types import Capture, MediaError, MediaKind, SourceSpec, SourceStats
from app.priority import Background, lower_this_thread
from models.enums import MediaOwnerKind

log = logging.getLogger("app.media.worker")


# ---------------------------------------------------------------------- wire formats
def spec_to_json(spec: SourceSpec) -> dict[str, Any]:
    """A source spec as JSON."""
    return {"id": spec.id, "name": spec.name, "url": spec.url, "kind": spec.kind.value,
            "owner_kind": spec.owner_kind.value, "owner_id": spec.owner_id,
            "has_audio": spec.has_audio}


def spec_from_json(data: dict[str, Any]) -> SourceSpec:
    """The inverse of :func:`spec_to_json`."""
    return SourceSpec(int(data["id"]), str(data["name"]), str(data["url"]),
                      MediaKind(data["kind"]), MediaOwnerKind(data["owner_kind"]),
                      data.get("owner_id"), bool(data.get("has_audio", False)))


def stats_to_json(stats: SourceStats) -> dict[str, Any]:
    """Source statistics as JSON."""
    out = dataclasses.asdict(stats)
    out["state"] = stats.state.value
    return out


def stats_from_json(data: dict[str, Any]) -> SourceStats:
    """The inverse of :func:`stats_to_json`."""
    from app.media.types import SourceState

    fields = {f.name for f in dataclasses.fields(SourceStats)}
    values = {k: v for k, v in data.items() if k in fields}
    values["state"] = SourceState(values["state"])
    return SourceStats(**values)


def capture_to_json(c: Capture) -> dict[str, Any]:
    """A capture as JSON."""
    return {"kind": c.kind.value, "source_id": c.source_id, "path": str(c.path),
            "sha256": c.sha256, "size_bytes": c.size_bytes,
            "captured_at": c.captured_at.isoformat(), "content_start": c.content_start.isoformat(),
            "content_end": c.content_end.isoformat()}


def capture_from_json(data: dict[str, Any]) -> Capture:
    """The inverse of :func:`capture_to_json`."""
    from models.enums import EvidenceKind

    return Capture(EvidenceKind(data["kind"]), int(data["source_id"]), Path(data["path"]),
                   str(data["sha256"]), int(data["size_bytes"]),
                   dt.datetime.fromisoformat(data["captured_at"]),
                   dt.datetime.fromisoformat(data["content_start"]),
                   dt.datetime.fromisoformat(data["content_end"]))


def clip_to_json(r: ClipResult) -> dict[str, Any]:
    """A finished clip as JSON."""
    return {"path": str(r.path), "content_start": r.content_start.isoformat(),
            "content_end": r.content_end.isoformat(), "packets": r.packets}


def clip_from_json(data: dict[str, Any]) -> ClipResult:
    """The inverse of :func:`clip_to_json`."""
    return ClipResult(Path(data["path"]), dt.datetime.fromisoformat(data["content_start"]),
                      dt.datetime.fromisoformat(data["content_end"]), int(data["packets"]))


# ---------------------------------------------------------------------- the worker
class Worker:
    """Readers by source id, tiles' segments by name, answers on ``out``."""

    def __init__(self, out: TextIO, *, stats_every_s: float = 0.25) -> None:
        self._out = out
        self._out_lock = threading.Lock()
        self._readers: dict[int, SourceReader] = {}
        self._writers: dict[str, tuple[int, SharedFrameWriter]] = {}
        # detached segments, unmapped a while later: a reader thread may be inside publish()
        # into one when it is detached (unmapping then would crash the process)
        self._retired: list[tuple[float, SharedFrameWriter]] = []
        self._retired_lock = threading.Lock()
        self._stop = threading.Event()
        self._stats_every_s = stats_every_s
        self._stats_thread = threading.Thread(target=self._stats_loop, name="media-stats",
                                              daemon=True)

    def send(self, event: dict[str, Any]) -> None:
        """Write one event line (any thread)."""
        line = json.dumps(event, ensure_ascii=False)
        with self._out_lock:
            self._out.write(line + "\n")
            self._out.flush()

    def run(self, commands: TextIO) -> None:
        """Serve commands until ``commands`` ends."""
        self._stats_thread.start()
        self.send({"ev": "ready"})
        for line in commands:
            if not line.strip():
                continue
            try:
                command = json.loads(line)
                if not isinstance(command, dict):
                    raise ValueError("a command is a JSON object")
                self.handle(command)
            except (ValueError, KeyError, TypeError, MediaError, OSError) as exc:
                log.warning("bad command %.200r: %s", line, exc)
                self.send({"ev": "error", "error": f"{type(exc).__name__}: {exc}"})
        self.shutdown()

    def handle(self, c: dict[str, Any]) -> None:
        """Carry out one command."""
        op = c["op"]
        if op == "open":
            sid = int(c["id"])
            if sid in self._readers:
                self._readers[sid].stop()
            config = ReaderConfig(**c.get("config", {}))
            reader = SourceReader(spec_from_json(c["spec"]), config)
            self._readers[sid] = reader
            reader.start()
        elif op == "close":
            closing = self._readers.pop(int(c["id"]), None)
            if closing is not None:
                closing.stop()
        elif op == "attach":
            sid = int(c["id"])
            writer = SharedFrameWriter(str(c["shm"]))
            self._writers[str(c["shm"])] = (sid, writer)
            self._reader(sid).add_consumer(writer)
        elif op == "detach":
            entry = self._writers.pop(str(c["shm"]), None)
            if entry is not None:
                sid, writer = entry
                if sid in self._readers:
                    self._readers[sid].remove_consumer(writer)
                with self._retired_lock:
                    self._retired.append((time.monotonic(), writer))
        elif op == "snapshot":
            self._snapshot(int(c["req"]), int(c["id"]), Path(c["base"]))
        elif op == "clip":
            self._clip(int(c["req"]), int(c["id"]), float(c["before"]), float(c["after"]),
                       Path(c["base"]))
        else:
            raise ValueError(f"unknown op {op!r}")

    def _reader(self, sid: int) -> SourceReader:
        reader = self._readers.get(sid)
        if reader is None:
            raise MediaError(f"source {sid} is not open")
        return reader

    def _snapshot(self, req: int, sid: int, base: Path) -> None:
        try:
            picture = self._reader(sid).last_picture()
            if picture is None:
                raise MediaError(f"source {sid} has no picture yet")
            frame, utc = picture
            capture = write_snapshot(frame, utc, sid, base)
        except (MediaError, OSError) as exc:
            self.send({"ev": "failed", "req": req, "error": str(exc)})
            return
        self.send({"ev": "done", "req": req, "capture": capture_to_json(capture)})

    def _clip(self, req: int, sid: int, before: float, after: float, base: Path) -> None:
        try:
            done = self._reader(sid).request_clip(before, after, base)
        except (MediaError, ValueError) as exc:
            self.send({"ev": "failed", "req": req, "error": str(exc)})
            return

        def finished(f: Future[ClipResult]) -> None:
            exc = f.exception()
            if exc is not None:
                self.send({"ev": "failed", "req": req, "error": str(exc)})
            else:
                self.send({"ev": "clip", "req": req, "result": clip_to_json(f.result())})

        done.add_done_callback(finished)

    def _stats_loop(self) -> None:
        lower_this_thread(Background.MEDIA)
        while not self._stop.wait(self._stats_every_s):
            self._close_retired(older_than_s=2.0)
            stats = {str(sid): stats_to_json(r.stats()) for sid, r in list(self._readers.items())}
            try:
                self.send({"ev": "stats", "stats": stats})
            except (OSError, ValueError):  # the console is gone
                return

    def _close_retired(self, older_than_s: float) -> None:
        now = time.monotonic()
        with self._retired_lock:
            due = [w for t, w in self._retired if now - t >= older_than_s]
            self._retired = [(t, w) for t, w in self._retired if now - t < older_than_s]
        for writer in due:
            writer.close()

    def shutdown(self) -> None:
        """Stop every reader and let go of every segment."""
        self._stop.set()
        for reader in self._readers.values():
            reader.stop()
        for reader in self._readers.values():
            reader.join(5.0)
        for _sid, writer in self._writers.values():
            writer.close()
        self._close_retired(older_than_s=0.0)
        self._readers.clear()
        self._writers.clear()


def main() -> int:
    """Entry point: serve the console on standard input and output."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s media-worker %(levelname)s %(name)s: %(message)s")
    worker = Worker(sys.stdout)  # (started at media priority by the console)
    worker.run(sys.stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main())

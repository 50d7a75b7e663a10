"""Video readers in their own process: pictures through shared memory, evidence, restart.

The console decodes in a worker process (``python -m app.media.worker``) so that decoding
never competes with the UI thread for the interpreter lock; these tests drive the real
worker over its pipe against the loopback test streams.
"""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.media.directory import MediaDirectory
from app.media.reader import ReaderConfig
from app.media.service import MediaService
from app.media.shared_frames import SharedFrameSink
from app.media.types import SourceState

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def remote(tmp_path: Path, directory: MediaDirectory) -> Iterator[MediaService]:
    config = ReaderConfig(open_timeout_s=2, read_timeout_s=2, backoff_initial_s=0.1,
                          backoff_max_s=0.5)
    service = MediaService(evidence_dir=tmp_path / "evidence", config=config, linger_s=0,
                           poll_ms=100, worker_process=True,
                           worker_log=tmp_path / "media-worker.log")
    service.start()
    service.set_directory(directory)
    yield service
    service.stop()


def _frames(qtbot: QtBot, sink: SharedFrameSink, n: int, timeout: int = 10000) -> list[int]:
    seqs: list[int] = []

    def more() -> bool:
        frame = sink.take()
        if frame is not None:
            seqs.append(frame.meta.seq)
            assert frame.image.width() <= 320 and frame.image.height() <= 180
            assert not frame.image.isNull()
        return len(seqs) >= n

    qtbot.waitUntil(more, timeout=timeout)
    return seqs


def test_pictures_come_through_shared_memory_and_no_reader_runs_in_the_console(
        qtbot: QtBot, remote: MediaService) -> None:
    sink = remote.attach(1, 320, 180)
    assert isinstance(sink, SharedFrameSink)
    seqs = _frames(qtbot, sink, 10)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)  # newest first, never twice
    qtbot.waitUntil(lambda: remote.stats(1).state is SourceState.LIVE, timeout=5000)
    assert remote.stats(1).fps > 0
    # the decoding threads are the worker's: none in this (the console's) process
    assert not [t.name for t in threading.enumerate() if t.name.startswith("media-")]
    shm = Path("/dev/shm") / sink.name
    if Path("/dev/shm").is_dir():
        assert shm.exists()
    remote.detach(sink)
    qtbot.wait(1200)  # detached sinks are kept a moment, then freed
    remote.poll()
    if Path("/dev/shm").is_dir():
        qtbot.waitUntil(lambda: not shm.exists(), timeout=3000)


@pytest.mark.expect_log_errors  # the worker's death is logged as an error
def test_a_killed_worker_is_started_again_and_the_tiles_get_pictures_again(
        qtbot: QtBot, remote: MediaService) -> None:
    sink = remote.attach(1, 320, 180)
    assert isinstance(sink, SharedFrameSink)
    _frames(qtbot, sink, 3)
    worker = remote._worker
    assert worker is not None and worker.pid is not None
    old = worker.pid
    os.kill(old, signal.SIGKILL)
    qtbot.waitUntil(lambda: worker.restarts == 1 and worker.pid != old, timeout=10000)
    published = sink.published
    qtbot.waitUntil(lambda: sink.published > published + 5, timeout=15000)
    _frames(qtbot, sink, 3)


def test_snapshot_and_clip_are_written_and_hashed_by_the_worker(
        qtbot: QtBot, remote: MediaService) -> None:
    sink = remote.attach(1, 320, 180)
    _frames(qtbot, sink, 5)
    snap = remote.snapshot(1).result(15)
    assert snap.path.suffix == ".png" and snap.path.exists()
    assert hashlib.sha256(snap.path.read_bytes()).hexdigest() == snap.sha256
    clip = remote.clip(1, 1.0, 0.5).result(20)
    assert clip.path.exists() and clip.size_bytes == clip.path.stat().st_size > 1000
    assert hashlib.sha256(clip.path.read_bytes()).hexdigest() == clip.sha256
    assert clip.content_end > clip.content_start


def test_tiles_come_and_go_while_pictures_flow_without_hurting_the_worker(
        qtbot: QtBot, remote: MediaService, tmp_path: Path) -> None:
    """A tile let go while its reader is writing a picture into it (a wall relayout) must not
    crash the worker: it did, when the segment was unmapped at once."""
    keep = remote.attach(1, 320, 180)
    assert isinstance(keep, SharedFrameSink)
    _frames(qtbot, keep, 3)
    worker = remote._worker
    assert worker is not None
    for _ in range(25):
        sink = remote.attach(1, 160, 90)
        qtbot.wait(40)  # pictures are being written into it now
        remote.detach(sink)
    published = keep.published
    qtbot.waitUntil(lambda: keep.published > published + 10, timeout=10000)
    assert worker.restarts == 0 and worker.running
    log = (tmp_path / "media-worker.log").read_text(encoding="utf-8")
    assert "frame consumer" not in log and "Traceback" not in log

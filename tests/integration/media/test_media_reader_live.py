"""Readers against real loopback servers: states, rates, sound, clips, bad streams."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from app.media.reader import ReaderConfig, SourceReader
from app.media.servers import DemoMediaServer
from app.media.testmedia import GeneratedClip
from app.media.types import SourceSpec, SourceState
from models.base import utcnow
from models.enums import MediaKind

pytestmark = pytest.mark.integration


@pytest.fixture
def readers() -> Iterator[list[SourceReader]]:
    made: list[SourceReader] = []
    yield made
    for r in made:
        r.stop()
    for r in made:
        assert r.join(5), "reader did not stop"


def _reader(made: list[SourceReader], url: str, kind: MediaKind, config: ReaderConfig,
            sid: int = 1) -> SourceReader:
    reader = SourceReader(SourceSpec(sid, f"src{sid}", url, kind), config)
    made.append(reader)
    return reader


def _state(reader: SourceReader) -> SourceState:
    return reader.stats().state


def test_source_disappears_is_lost_comes_back_live(
        server: DemoMediaServer, readers: list[SourceReader], fast: ReaderConfig,
        wait: Callable[..., None], pictures_cls: Any) -> None:
    urls = server.urls()
    reader = _reader(readers, urls["test-cam-flv"], MediaKind.HTTP_FLV, fast)
    pictures = pictures_cls()
    reader.add_consumer(pictures)
    assert _state(reader) is SourceState.CONNECTING
    reader.start()
    wait(lambda: _state(reader) is SourceState.LIVE, 5, "live")
    wait(lambda: pictures.count >= 10, 5, "pictures")

    server.stop()  # the server goes away: connection reset, then refused
    wait(lambda: _state(reader) is SourceState.LOST, 5, "lost")
    assert reader.stats().detail
    seen = pictures.count
    time.sleep(0.3)
    assert pictures.count == seen and _state(reader) is SourceState.LOST

    server.start()  # same port
    wait(lambda: _state(reader) is SourceState.LIVE, 8, "live again")
    wait(lambda: pictures.count > seen + 10, 5, "pictures again")
    stats = reader.stats()
    assert stats.reconnects >= 1 and stats.width == 640 and stats.has_audio


def test_a_camera_that_stops_sending_stalls_then_is_lost(
        readers: list[SourceReader], clips: list[GeneratedClip],
        wait: Callable[..., None], pictures_cls: Any) -> None:
    """A server that keeps the connection open but sends nothing more."""
    jpeg = clips[0].jpeg_frames()[0]
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    release = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;"
                         b"boundary=f\r\n\r\n")
            for _ in range(30):
                conn.sendall(b"--f\r\nContent-Type: image/jpeg\r\nContent-Length: "
                             + str(len(jpeg)).encode() + b"\r\n\r\n" + jpeg + b"\r\n")
                time.sleep(0.04)
            release.wait(10)  # silent, but connected

    thread = threading.Thread(target=serve, name="silent-camera")
    thread.start()
    try:
        config = ReaderConfig(open_timeout_s=2, read_timeout_s=2.5, stall_after_s=0.5,
                              backoff_initial_s=5)
        reader = _reader(readers, f"http://127.0.0.1:{port}/cam", MediaKind.HTTP_MJPEG, config)
        reader.add_consumer(pictures_cls())
        reader.start()
        wait(lambda: _state(reader) is SourceState.LIVE, 5, "live")
        wait(lambda: _state(reader) is SourceState.STALLED, 5, "stalled")
        wait(lambda: _state(reader) is SourceState.LOST, 6, "lost after the read time-out")
        assert "time-out" in reader.stats().detail
    finally:
        release.set()
        thread.join(5)
        listener.close()


def test_mjpeg_camera_at_its_own_rate(
        server: DemoMediaServer, readers: list[SourceReader], fast: ReaderConfig,
        wait: Callable[..., None], pictures_cls: Any) -> None:
    reader = _reader(readers, server.urls()["test-cam-mjpeg"], MediaKind.HTTP_MJPEG, fast)
    pictures = pictures_cls()
    reader.add_consumer(pictures)
    reader.start()
    wait(lambda: pictures.count >= 40, 5, "40 pictures")
    span = pictures.received[-1] - pictures.received[9]
    rate = (len(pictures.received) - 10) / span
    assert 20 <= rate <= 30, rate
    stats = reader.stats()
    assert 20 <= stats.fps <= 30 and not stats.has_audio and stats.dropped == 0
    assert pictures.last is not None and pictures.last.shape == (360, 640, 4)


def test_hls_venue_sound_reaches_subscribers_at_16k(
        server: DemoMediaServer, readers: list[SourceReader], fast: ReaderConfig,
        wait: Callable[..., None]) -> None:
    reader = _reader(readers, server.urls()["test-venue-hls"], MediaKind.HLS, fast)
    chunks: list[tuple[np.ndarray, dt.datetime]] = []
    lock = threading.Lock()

    def listen(samples: np.ndarray, t_start: dt.datetime) -> None:
        with lock:
            chunks.append((samples, t_start))

    token = reader.add_audio(listen)
    reader.start()
    wait(lambda: len(chunks) >= 30, 10, "3 s of sound")
    reader.remove_audio(token)
    with lock:
        got = list(chunks)
    assert all(c.dtype == np.float32 and c.ndim == 1 for c, _ in got)
    total = sum(len(c) for c, _ in got)
    span = (got[-1][1] - got[0][1]).total_seconds()
    assert abs(total / 16_000 - (span + len(got[-1][0]) / 16_000)) < 0.3  # 16 kHz, no gaps
    assert all(abs((t - utcnow()).total_seconds()) < 15 for _, t in got)
    assert max(float(np.abs(c).max()) for c, _ in got) > 0.1  # the spoken text is there
    assert reader.stats().state is SourceState.LIVE


def test_offline_camera_is_lost_and_retried(
        server: DemoMediaServer, readers: list[SourceReader], fast: ReaderConfig,
        wait: Callable[..., None]) -> None:
    reader = _reader(readers, server.urls()["offline"], MediaKind.HTTP_MJPEG, fast)
    reader.start()
    wait(lambda: reader.stats().reconnects >= 2, 5, "retries")
    stats = reader.stats()
    assert stats.state is SourceState.LOST and "5XX" in stats.detail and reader.running


def test_slow_consumer_drops_stale_pictures_instead_of_queueing(
        clips: list[GeneratedClip], readers: list[SourceReader],
        wait: Callable[..., None], pictures_cls: Any) -> None:
    reader = _reader(readers, str(clips[0].mp4), MediaKind.FILE, ReaderConfig())
    slow = pictures_cls(delay_s=0.15)  # the consumer manages about 6 pictures a second
    reader.add_consumer(slow)
    start = time.monotonic()
    reader.start()
    wait(lambda: time.monotonic() - start > 2.5 and slow.count > 5, 6, "pictures")
    stats = reader.stats()
    assert stats.dropped > 10
    # what is shown keeps up with the clock: the newest picture is at most ~half a second
    # behind real time, not seconds (as a queue of undelivered pictures would be)
    metas = slow.metas
    assert metas[0].pts_s is not None and metas[-1].pts_s is not None
    behind = (slow.received[-1] - slow.received[0]) - (metas[-1].pts_s - metas[0].pts_s)
    assert abs(behind) < 0.6, behind


def _payloads(clip: GeneratedClip) -> set[str]:
    with av.open(str(clip.mp4)) as c:
        return {hashlib.sha256(bytes(p)).hexdigest() for p in c.demux() if p.size}


def test_clip_is_cut_from_the_original_packets(
        server: DemoMediaServer, readers: list[SourceReader], clips: list[GeneratedClip],
        tmp_path: Path, fast: ReaderConfig, wait: Callable[..., None]) -> None:
    reader = _reader(readers, server.urls()["test-venue-flv"], MediaKind.HTTP_FLV, fast)
    reader.start()  # no consumer: demux only, the ring still fills
    wait(lambda: _state(reader) is SourceState.LIVE, 5, "live")
    time.sleep(2.2)
    requested = utcnow()
    result = reader.request_clip(1.5, 1.0, tmp_path / "evidence").result(10)
    assert result.path == tmp_path / "evidence.mp4"
    with av.open(str(result.path)) as c:
        kinds = sorted(s.type for s in c.streams)
        duration = c.duration / 1e6
        packets = [p for p in c.demux() if p.size]
        got = {hashlib.sha256(bytes(p)).hexdigest() for p in packets}
        first_video = next(p for p in packets if p.stream.type == "video")
    assert kinds == ["audio", "video"]
    assert first_video.is_keyframe
    assert 2.3 <= duration <= 3.8, duration
    assert got <= _payloads(clips[1])  # every packet is byte-identical to the source's
    assert result.content_start <= requested - dt.timedelta(seconds=1.4)
    assert result.content_end >= requested + dt.timedelta(seconds=0.9)


def _garbage_server(payloads: list[bytes]) -> tuple[socket.socket, threading.Thread]:
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(10)

    def serve() -> None:
        for payload in payloads:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with conn:
                try:
                    conn.recv(4096)
                    conn.sendall(payload)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, name="garbage-server")
    thread.start()
    return listener, thread


@pytest.mark.parametrize("kind", [MediaKind.HTTP_MJPEG, MediaKind.HTTP_FLV])
def test_garbage_streams_never_take_the_reader_down(
        readers: list[SourceReader], clips: list[GeneratedClip], kind: MediaKind,
        wait: Callable[..., None], pictures_cls: Any) -> None:
    rng = random.Random(kind.value)
    jpeg = clips[0].jpeg_frames()[3]
    header = (b"HTTP/1.0 200 OK\r\nContent-Type: multipart/x-mixed-replace;boundary=f\r\n\r\n"
              if kind is MediaKind.HTTP_MJPEG else
              b"HTTP/1.0 200 OK\r\nContent-Type: video/x-flv\r\n\r\n")
    payloads = [
        header + rng.randbytes(20_000),
        header + b"--f\r\nContent-Type: image/jpeg\r\nContent-Length: 99999\r\n\r\n" + jpeg[:500],
        header + b"FLV\x01\x05\x00\x00\x00\x09" + rng.randbytes(5000),
        b"HTTP/1.0 200 OK\r\n\r\n" + bytes(rng.getrandbits(8) for _ in range(3000)),
        rng.randbytes(300),
        header + b"--f\r\nContent-Type: image/jpeg\r\nContent-Length: "
        + str(len(jpeg)).encode() + b"\r\n\r\n" + bytes(b ^ 0x5A for b in jpeg) + b"\r\n",
    ]
    listener, thread = _garbage_server(payloads)
    port = listener.getsockname()[1]
    try:
        config = ReaderConfig(open_timeout_s=1, read_timeout_s=1, backoff_initial_s=0.05,
                              backoff_max_s=0.1)
        reader = _reader(readers, f"http://127.0.0.1:{port}/x", kind, config)
        reader.add_consumer(pictures_cls())
        reader.start()
        wait(lambda: reader.stats().reconnects >= len(payloads), 15, "every payload")
        assert reader.running and reader.stats().state in (SourceState.LOST, SourceState.LIVE)
    finally:
        listener.close()
        thread.join(5)

"""RTSP cameras as deployed: H.264 and H.265 from Debian's GStreamer RTSP server on loopback.

The server (``rtsp_server.py``) runs as its own process under Debian's ``/usr/bin/python3``
(``gi`` is not in the virtual environment) and is stopped, frozen and restarted on the same
port as a real camera would be. The packages come from ``packaging/system-deps.sh --test``.
"""

from __future__ import annotations

import json
import os
import re
import select
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import av
import pytest

from app.media.reader import ReaderConfig, SourceReader
from app.media.types import SourceSpec, SourceState
from models.enums import MediaKind

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SERVER_SCRIPT = Path(__file__).with_name("rtsp_server.py")
DEBIAN_PYTHON = "/usr/bin/python3"
CODECS = ["h264", "h265"]
_DECODER = {"h264": "h264", "h265": "hevc", "h265-sdp": "hevc"}


class RtspServer:
    """The GStreamer RTSP server as a child process that can die and come back on its port."""

    def __init__(self, codec: str) -> None:
        self.codec = codec
        self.port = 0
        self.url = ""
        self.proc: subprocess.Popen[str] | None = None
        self._err: IO[str] | None = None

    def start(self) -> None:
        """Start (on the port it had before, if any) and wait for its ready line."""
        err = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        proc = subprocess.Popen(
            [DEBIAN_PYTHON, str(SERVER_SCRIPT), "--port", str(self.port), "--codec", self.codec,
             "--audio"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err, text=True,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        self.proc, self._err = proc, err
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        line = proc.stdout.readline() if ready else ""
        proc.stdout.close()  # it prints nothing after the ready line
        info = json.loads(line) if line.startswith("{") else {"ready": False}
        if info.get("ready"):
            self.port, self.url = info["port"], info["url"]
            return
        self.stop()
        err.seek(0)
        text = err.read()
        err.close()
        if "No module named 'gi'" in text or "Namespace GstRtspServer" in text \
                or "missing GStreamer elements" in line:
            pytest.skip("GStreamer RTSP server not installed "
                        f"(packaging/system-deps.sh --test): {line or text[-300:]}")
        pytest.fail(f"RTSP server did not start: {line!r} {text[-2000:]}")

    def stop(self) -> None:
        """Terminate the process (its sockets close, as when a camera reboots)."""
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGCONT)  # in case it was frozen
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._err is not None and not self._err.closed:
            self._err.close()

    def freeze(self, frozen: bool) -> None:
        """SIGSTOP / SIGCONT: connected but silent, like a hung camera."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP if frozen else signal.SIGCONT)


@pytest.fixture
def rtsp(request: pytest.FixtureRequest) -> Iterator[Callable[[str], RtspServer]]:
    if not os.access(DEBIAN_PYTHON, os.X_OK):
        pytest.skip(f"{DEBIAN_PYTHON} not present")
    made: list[RtspServer] = []

    def make(codec: str) -> RtspServer:
        srv = RtspServer(codec)
        made.append(srv)
        srv.start()
        return srv

    yield make
    for srv in made:
        srv.stop()


@pytest.fixture
def readers() -> Iterator[list[SourceReader]]:
    made: list[SourceReader] = []
    yield made
    for r in made:
        r.stop()
    for r in made:
        assert r.join(10), "reader did not stop"


def _reader(made: list[SourceReader], url: str, config: ReaderConfig) -> SourceReader:
    reader = SourceReader(SourceSpec(1, "rtsp-cam", url, MediaKind.RTSP), config)
    made.append(reader)
    return reader


def _state(reader: SourceReader) -> SourceState:
    return reader.stats().state


@pytest.mark.parametrize("codec", CODECS)
def test_rtsp_camera_goes_live_is_lost_when_the_server_dies_and_comes_back(
        codec: str, rtsp: Callable[[str], RtspServer], readers: list[SourceReader],
        fast: ReaderConfig, wait: Callable[..., None], pictures_cls: Any) -> None:
    server = rtsp(codec)
    reader = _reader(readers, server.url, fast)
    pictures = pictures_cls()
    reader.add_consumer(pictures)
    reader.start()
    wait(lambda: _state(reader) is SourceState.LIVE, 10, "live")
    wait(lambda: pictures.count >= 25, 10, "a second of pictures")
    stats = reader.stats()
    assert (stats.width, stats.height) == (320, 240) and stats.has_audio
    assert pictures.last is not None and pictures.last.shape == (240, 320, 4)
    assert float(pictures.last[..., :3].std()) > 10  # a decoded test pattern, not a grey field

    server.stop()  # the camera process is gone: the TCP session ends, reconnects are refused
    wait(lambda: _state(reader) is SourceState.LOST, 8, "lost")
    assert reader.stats().detail
    seen = pictures.count
    time.sleep(0.5)
    assert pictures.count == seen and _state(reader) is SourceState.LOST

    server.start()  # the same port, as a rebooted camera
    wait(lambda: _state(reader) is SourceState.LIVE, 15, "live again")
    wait(lambda: pictures.count >= seen + 25, 10, "pictures again")
    stats = reader.stats()
    assert stats.reconnects >= 1 and (stats.width, stats.height) == (320, 240)


def test_rtsp_camera_that_hangs_is_detected_by_the_read_time_out(
        rtsp: Callable[[str], RtspServer], readers: list[SourceReader],
        wait: Callable[..., None], pictures_cls: Any) -> None:
    """The server process is frozen: its TCP session stays open but nothing more comes."""
    server = rtsp("h264")
    config = ReaderConfig(open_timeout_s=2.0, read_timeout_s=2.0, stall_after_s=0.5,
                          backoff_initial_s=0.2, backoff_max_s=0.5)
    reader = _reader(readers, server.url, config)
    pictures = pictures_cls()
    reader.add_consumer(pictures)
    reader.start()
    wait(lambda: pictures.count >= 10, 10, "pictures")
    server.freeze(True)
    try:
        wait(lambda: _state(reader) is SourceState.STALLED, 5, "stalled")
        wait(lambda: _state(reader) is SourceState.LOST, 8, "lost after the read time-out")
        assert "time-out" in reader.stats().detail
        assert reader.running
    finally:
        server.freeze(False)
    seen = pictures.count
    wait(lambda: _state(reader) is SourceState.LIVE and pictures.count > seen + 10, 15,
         "live again once the server answers")


# ---------------------------------------------------------------------------- clips
_START_CODE = re.compile(b"\x00\x00\x01")


def _annexb_nals(data: bytes) -> list[bytes]:
    """NAL units of an Annex B packet (start codes and trailing zero bytes removed)."""
    starts = [m.end() for m in _START_CODE.finditer(data)]
    ends = [*(s - 3 for s in starts[1:]), len(data)]
    return [data[s:e].rstrip(b"\x00") for s, e in zip(starts, ends, strict=True)]


def _length_prefixed_nals(data: bytes) -> list[bytes]:
    """NAL units of an MP4/Matroska packet (4-byte big-endian lengths)."""
    out, i = [], 0
    while i + 4 <= len(data):
        n = int.from_bytes(data[i:i + 4], "big")
        out.append(data[i + 4:i + 4 + n].rstrip(b"\x00"))
        i += 4 + n
    assert i == len(data), "not a length-prefixed packet"
    return out


def _nal_type(codec: str, nal: bytes) -> int:
    return (nal[0] >> 1) & 0x3F if codec.startswith("h265") else nal[0] & 0x1F


class Witness:
    """A second, independent RTSP client that records the video NAL units it receives."""

    def __init__(self, url: str) -> None:
        self.url = url
        #: each picture as NAL units (the packets of one time stamp put together)
        self.pictures: list[list[bytes]] = []
        self._pts: int | None = None
        self.audio = bytearray()
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rtsp-witness", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with av.open(self.url, options={"rtsp_transport": "tcp"}, timeout=(5, 5)) as c:
                for packet in c.demux():
                    if self._stop.is_set():
                        return
                    if not packet.size:
                        continue
                    if packet.stream.type == "video":
                        if packet.pts != self._pts or not self.pictures:
                            self.pictures.append([])
                            self._pts = packet.pts
                        self.pictures[-1].extend(_annexb_nals(bytes(packet)))
                    else:
                        self.audio.extend(bytes(packet))
        except Exception as exc:  # reported by the test
            self.error = exc

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)


def _contains_run(haystack: list[list[bytes]], needle: list[list[bytes]]) -> bool:
    first = needle[0]
    return any(haystack[i:i + len(needle)] == needle
               for i, item in enumerate(haystack) if item == first)


@pytest.mark.parametrize("codec", [*CODECS, "h265-sdp"])
def test_rtsp_clip_holds_the_received_bitstream_and_decodes_on_its_own(
        codec: str, rtsp: Callable[[str], RtspServer], readers: list[SourceReader],
        fast: ReaderConfig, tmp_path: Path, wait: Callable[..., None]) -> None:
    """A clip is cut from the original packets: no picture re-encoded, none lost, none added.

    An independent client on the same shared stream records every picture it gets (its NAL
    units; RTP hands one picture over as several packets); the clip's pictures (QuickTime
    stores NAL units length-prefixed instead of with start codes) must be one unbroken run of
    those, each whole and byte for byte, starting at a key frame; its sound must be a stretch
    of the sound received. The clip must also decode by itself, from its first packet, without
    a single error: that needs the parameter sets (SPS/PPS, and VPS for H.265) in the file,
    also when the camera sends them only in its session description (``h265-sdp``).
    """
    server = rtsp(codec)
    witness = Witness(server.url)
    try:
        reader = _reader(readers, server.url, fast)
        reader.start()  # no consumer: demux only, the ring still fills
        wait(lambda: _state(reader) is SourceState.LIVE, 10, "live")
        time.sleep(2.5)
        result = reader.request_clip(1.5, 1.0, tmp_path / "evidence").result(15)
        time.sleep(0.5)  # the witness has received what the reader received
    finally:
        witness.close()
    assert witness.error is None, witness.error
    # G.711 sound, as most IP cameras send: QuickTime holds it untouched (MP4 cannot)
    assert result.path == tmp_path / "evidence.mov"

    with av.open(str(result.path)) as clip:
        video = clip.streams.video[0]
        assert video.codec_context.name == _DECODER[codec]
        assert [(s.type, s.codec_context.name) for s in clip.streams][1] == ("audio",
                                                                             "pcm_mulaw")
        duration = clip.duration / 1e6
        packets = [p for p in clip.demux(video) if p.size]
        clip.seek(0)
        sound = b"".join(bytes(p) for p in clip.demux(clip.streams.audio[0]) if p.size)
    pictures = [_length_prefixed_nals(bytes(p)) for p in packets]
    assert len(sound) >= 8000 * 2  # 8 kHz, one byte a sample: at least 2 s
    assert sound in witness.audio, "the clip's sound is not the sound that was received"
    assert 2.0 <= duration <= 4.5, duration
    assert packets[0].is_keyframe
    first = {_nal_type(codec, n) for n in pictures[0]}
    assert first & ({5} if codec == "h264" else set(range(16, 22))), first  # IDR / IRAP slice
    if codec == "h265-sdp":  # no VPS in the stream: the clip has it from the SDP only
        assert 32 not in first, first
    assert 40 <= len(packets) <= 115, len(packets)  # 25 fps for 2.5 s (from a key frame)
    assert _contains_run(witness.pictures, pictures), \
        "the clip's pictures are not the pictures that were received"

    # decodes alone, from the first packet: every packet gives its picture, no error at all
    decoder = av.CodecContext.create(_DECODER[codec], "r")
    with av.open(str(result.path)) as clip:
        decoder.extradata = clip.streams.video[0].codec_context.extradata
        frames = 0
        for packet in clip.demux(clip.streams.video[0]):
            if packet.size:
                frames += len(decoder.decode(packet))
        frames += len(decoder.decode(None))
    assert frames == len(packets)
    assert result.packets >= len(packets)


"""Loopback media servers for the demo, tests and benchmarks: real protocols, looping clips.

:class:`DemoMediaServer` serves every generated clip (see :mod:`app.media.testmedia`) over
one threaded HTTP server on 127.0.0.1, the way cameras and platforms serve them:

* ``/mjpeg/<clip>``: ``multipart/x-mixed-replace`` JPEG pictures at the clip's rate
  (video only, like many fixed IP cameras);
* ``/flv/<clip>``: HTTP-FLV, H.264 + AAC, packets copied from the clip and paced in real
  time (how 5G body-camera platforms commonly re-serve their streams);
* ``/hls/<clip>/index.m3u8`` and ``/hls/<clip>/<n>.ts``: live HLS with a sliding window of
  one-second MPEG-TS segments; timestamps keep increasing across loops of the clip;
* ``/offline/<anything>``: 503, a camera that is switched off.

Plain files are offered too: the clips' MP4 paths (``MediaKind.FILE``). Serving copies
packets and never encodes, so it costs little next to the console's decoding.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import av

from app.media.testmedia import (
    DEMO_BODYCAMS,
    DEMO_VENUES,
    ClipRecipe,
    GeneratedClip,
    MediaCache,
)
from models.enums import MediaKind

log = logging.getLogger("app.media.servers")

_BOUNDARY = "cedcframe"
_TS_BASE_S = 10.0  # MPEG-TS timestamps start here (room for audio priming before 0)
_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")

#: URL name suffix → kind of source.
SUFFIX_KINDS = {"mjpeg": MediaKind.HTTP_MJPEG, "flv": MediaKind.HTTP_FLV, "hls": MediaKind.HLS,
                "file": MediaKind.FILE}


def demo_kind(name: str) -> MediaKind:
    """The kind of a name returned by :meth:`DemoMediaServer.start` (``offline``: MJPEG)."""
    return SUFFIX_KINDS.get(name.rsplit("-", 1)[-1], MediaKind.HTTP_MJPEG)


@dataclass(frozen=True, slots=True)
class _Packet:
    video: bool
    data: bytes
    pts_s: float
    dts_s: float
    key: bool


@dataclass(slots=True)
class _LoadedClip:
    """A clip held in memory: pictures as JPEGs and the original packets by second."""

    name: str
    seconds: int
    fps: int
    jpegs: list[bytes]
    container: Any
    video: Any
    audio: Any
    packets: list[_Packet]
    segments: list[list[_Packet]]
    ts_cache: dict[int, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _load_clip(clip: GeneratedClip) -> _LoadedClip:
    container = av.open(str(clip.mp4))
    video = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    packets: list[_Packet] = []
    for p in container.demux():
        if p.size == 0 or p.pts is None:
            continue
        tb = p.time_base
        packets.append(_Packet(p.stream_index == video.index, bytes(p), float(p.pts * tb),
                               float((p.dts if p.dts is not None else p.pts) * tb),
                               bool(p.is_keyframe)))
    packets.sort(key=lambda q: (q.dts_s, not q.video))
    segments: list[list[_Packet]] = [[] for _ in range(clip.seconds)]
    for q in packets:
        index = min(max(math.floor(q.pts_s + 1e-6), 0), clip.seconds - 1)
        segments[index].append(q)
    return _LoadedClip(clip.recipe.name, clip.seconds, clip.recipe.fps, clip.jpeg_frames(),
                       container, video, audio, packets, segments)


class _Writer:
    """The write side of a socket for PyAV (no seek: a live stream)."""

    def __init__(self, wfile: Any) -> None:
        self._wfile = wfile

    def write(self, data: bytes) -> int:
        self._wfile.write(data)
        return len(data)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], owner: DemoMediaServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, True)

    def finish(self) -> None:
        self.server.owner._track(self.connection, False)
        with contextlib.suppress(OSError):
            super().finish()

    def do_GET(self) -> None:
        owner = self.server.owner
        parts = [p for p in self.path.split("?")[0].split("/") if p]
        try:
            if len(parts) >= 2 and parts[0] == "offline":
                self.send_error(503, "camera offline")
            elif len(parts) >= 2 and parts[1] in owner._files and parts[1] not in owner.clips:
                self.send_error(503, "warming up")
            elif len(parts) == 2 and parts[0] == "mjpeg" and parts[1] in owner.clips:
                self._mjpeg(owner, owner.clips[parts[1]])
            elif len(parts) == 2 and parts[0] == "flv" and parts[1] in owner.clips:
                self._flv(owner, owner.clips[parts[1]])
            elif len(parts) == 3 and parts[0] == "hls" and parts[1] in owner.clips:
                self._hls(owner, owner.clips[parts[1]], parts[2])
            else:
                self.send_error(404)
        except (OSError, av.FFmpegError) as exc:  # the client went away, or we stopped
            log.debug("connection %s ended: %s", self.path, exc)

    # ------------------------------------------------------------------ MJPEG
    def _mjpeg(self, owner: DemoMediaServer, clip: _LoadedClip) -> None:
        self.send_response(200)
        self.send_header("Content-Type", f"multipart/x-mixed-replace;boundary={_BOUNDARY}")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        start = time.monotonic()
        first = int((start - owner.epoch) * clip.fps)
        k = 0
        while not owner.stopping.is_set():
            jpg = clip.jpegs[(first + k) % len(clip.jpegs)]
            self.wfile.write(f"--{_BOUNDARY}\r\nContent-Type: image/jpeg\r\n"
                             f"Content-Length: {len(jpg)}\r\n\r\n".encode() + jpg + b"\r\n")
            k += 1
            delay = start + k / clip.fps - time.monotonic()
            if delay > 0 and owner.stopping.wait(delay):
                break

    # ------------------------------------------------------------------ HTTP-FLV
    def _flv(self, owner: DemoMediaServer, clip: _LoadedClip) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "video/x-flv")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        out = av.open(_Writer(self.wfile), "w", format="flv")
        try:
            with clip.lock:
                video = out.add_stream_from_template(clip.video)
                audio = out.add_stream_from_template(clip.audio) if clip.audio else None
            tb = Fraction(1, 1000)
            start = time.monotonic()
            # start at the key frame of the second that is "live" now
            loop_s = float(math.floor((start - owner.epoch) % clip.seconds))
            offset = 1.0 - loop_s  # this connection's timestamps start at 1 s
            while not owner.stopping.is_set():
                for q in clip.packets:
                    if q.pts_s < loop_s - 1e-6:
                        continue
                    due = start + (q.dts_s + offset - 1.0)
                    delay = due - time.monotonic()
                    if delay > 0 and owner.stopping.wait(delay):
                        return
                    _mux_copy(out, q, video if q.video else audio, offset, tb)
                offset += clip.seconds
                loop_s = 0.0
        finally:
            with contextlib.suppress(OSError, av.FFmpegError):
                out.close()

    # ------------------------------------------------------------------ HLS
    def _hls(self, owner: DemoMediaServer, clip: _LoadedClip, leaf: str) -> None:
        now_seq = int((time.monotonic() - owner.epoch) // 1.0) + owner.hls_window
        if leaf == "index.m3u8":
            first = now_seq - owner.hls_window
            lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1",
                     f"#EXT-X-MEDIA-SEQUENCE:{first}"]
            for n in range(first, now_seq):
                lines += ["#EXTINF:1.000,", f"{n}.ts"]
            body = ("\n".join(lines) + "\n").encode()
            self._send(200, "application/vnd.apple.mpegurl", body)
            return
        match = re.fullmatch(r"(\d{1,12})\.ts", leaf)
        if match is None:
            self.send_error(404)
            return
        seq = int(match.group(1))
        if not now_seq - 6 * owner.hls_window <= seq < now_seq:
            self.send_error(404, "segment not available")
            return
        self._send(200, "video/mp2t", owner._segment(clip, seq))

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.write(body)


def _mux_copy(out: Any, q: Any, stream: Any, offset: float, tb: Fraction) -> None:
    """Copy one stored packet into ``out`` at ``offset`` seconds (no re-encoding)."""
    if stream is None:
        return
    packet = av.Packet(q.data)
    packet.pts = round((q.pts_s + offset) / tb)
    packet.dts = round((q.dts_s + offset) / tb)
    packet.time_base = tb
    packet.is_keyframe = q.key
    packet.stream = stream
    out.mux(packet)


class DemoMediaServer:
    """Serves generated clips over HTTP MJPEG, HTTP-FLV and HLS on loopback.

    Args:
        clips: clips to serve; None: ``recipes`` generated into the cache on first use.
        recipes: what to generate when ``clips`` is None (default: the demo's body-camera
            and venue clips).
        host, port: where to listen (port 0: any free port; kept for a restart).
        cache: where clips are generated.
        hls_window: segments in the live HLS playlist.
    """

    def __init__(self, clips: list[GeneratedClip] | None = None, *,
                 recipes: tuple[ClipRecipe, ...] | None = None, host: str = "127.0.0.1",
                 port: int = 0, cache: MediaCache | None = None, hls_window: int = 4) -> None:
        self._given = clips
        self._recipes = recipes if recipes is not None else (*DEMO_BODYCAMS, *DEMO_VENUES)
        self._cache = cache or MediaCache()
        self.host = host
        self.port = port
        self.hls_window = hls_window
        self.clips: dict[str, _LoadedClip] = {}
        if clips is not None:
            self._files = {c.recipe.name: str(c.mp4) for c in clips}
        else:
            self._files = {r.name: str(self._cache.mp4_path(r)) for r in self._recipes}
        for name in self._files:
            if not _NAME.match(name):
                raise ValueError(f"bad clip name {name!r}")
        self.epoch = time.monotonic()
        self.stopping = threading.Event()
        self.ready = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._loader: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def start(self, *, wait: bool = True) -> dict[str, str]:
        """Listen and serve; returns name → URL (or file path) at once.

        Names are ``<clip>-mjpeg``, ``<clip>-flv``, ``<clip>-hls``, ``<clip>-file`` and
        ``offline``; :func:`demo_kind` gives each one's kind. The clips are generated once
        per machine (seconds each): with ``wait=False`` that happens in the background
        and streams answer 503 until :attr:`ready` is set (readers retry meanwhile).
        """
        if self._server is not None:
            return self.urls()
        self.stopping.clear()
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.1},
                                        name="demo-media-http", daemon=True)
        self._thread.start()
        if not self.ready.is_set():
            if wait:
                self._load()
            elif self._loader is None:
                self._loader = threading.Thread(target=self._load, name="demo-media-load",
                                                daemon=True)
                self._loader.start()
        log.info("demo media on http://%s:%d (%d clips)", self.host, self.port,
                 len(self._files), extra={"event": "demo_media_started", "port": self.port})
        return self.urls()

    def _load(self) -> None:
        try:
            clips = self._given if self._given is not None else [
                self._cache.clip(r) for r in self._recipes if not self.stopping.is_set()]
            for clip in clips:
                self.clips[clip.recipe.name] = _load_clip(clip)
        except Exception:
            log.exception("demo media could not be prepared")
            return
        self.ready.set()

    def stop(self) -> None:
        """Stop listening and drop every connection (the port stays reserved for a restart)."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        with self._conn_lock:
            for conn in list(self._connections):
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        server.server_close()  # joins the connection threads
        if self._thread is not None:
            self._thread.join(5.0)
        if self._loader is not None:
            self._loader.join()
            self._loader = None
        log.info("demo media stopped", extra={"event": "demo_media_stopped"})

    def close(self) -> None:
        """Stop and release the clips."""
        self.stop()
        for clip in self.clips.values():
            clip.container.close()
        self.clips.clear()
        self.ready.clear()

    @property
    def running(self) -> bool:
        """Listening now."""
        return self._server is not None

    def urls(self) -> dict[str, str]:
        """Name → URL (or file path) of every stream."""
        base = f"http://{self.host}:{self.port}"
        out: dict[str, str] = {}
        for name in self._files:
            out[f"{name}-mjpeg"] = f"{base}/mjpeg/{name}"
            out[f"{name}-flv"] = f"{base}/flv/{name}"
            out[f"{name}-hls"] = f"{base}/hls/{name}/index.m3u8"
            out[f"{name}-file"] = self._files[name]
        out["offline"] = f"{base}/offline/camera"
        return out

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._conn_lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # ------------------------------------------------------------------ HLS segments
    def _segment(self, clip: _LoadedClip, seq: int) -> bytes:
        with clip.lock:
            cached = clip.ts_cache.get(seq)
            if cached is not None:
                return cached
            loop, index = divmod(seq, clip.seconds)
            offset = _TS_BASE_S + loop * clip.seconds
            buf = io.BytesIO()
            out = av.open(buf, "w", format="mpegts")
            video = out.add_stream_from_template(clip.video)
            audio = out.add_stream_from_template(clip.audio) if clip.audio else None
            tb = Fraction(1, 90_000)
            for q in clip.segments[index]:
                _mux_copy(out, q, video if q.video else audio, offset, tb)
            out.close()
            data = buf.getvalue()
            clip.ts_cache[seq] = data
            for old in [s for s in clip.ts_cache if s < seq - 4 * self.hls_window]:
                del clip.ts_cache[old]
            return data

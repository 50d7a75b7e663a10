"""The loopback demo server speaks real HTTP MJPEG, live HLS and HTTP-FLV."""

from __future__ import annotations

import http.client
import io
import re
import urllib.error
import urllib.request
from urllib.parse import urlparse

import av
import pytest

from app.media.servers import DemoMediaServer, demo_kind
from app.media.testmedia import TEST_CAMERA, MediaCache
from models.enums import MediaKind

pytestmark = pytest.mark.integration


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, "", b""


def test_names_and_kinds(server: DemoMediaServer) -> None:
    urls = server.urls()
    assert demo_kind("test-cam-flv") is MediaKind.HTTP_FLV
    assert demo_kind("test-venue-hls") is MediaKind.HLS
    assert demo_kind("test-venue-file") is MediaKind.FILE
    assert urls["test-venue-file"].endswith(".mp4")
    assert _get(urls["offline"])[0] == 503
    assert _get(urls["test-cam-mjpeg"].replace("test-cam", "nobody"))[0] == 404


def test_live_hls_window_moves_and_timestamps_keep_increasing(server: DemoMediaServer) -> None:
    url = server.urls()["test-cam-hls"]
    status, ctype, body = _get(url)
    assert status == 200 and "mpegurl" in ctype
    text = body.decode()
    first = int(re.search(r"#EXT-X-MEDIA-SEQUENCE:(\d+)", text).group(1))  # type: ignore[union-attr]
    segments = re.findall(r"^(\d+)\.ts$", text, re.M)
    assert [int(s) for s in segments] == list(range(first, first + 4))
    assert "#EXT-X-ENDLIST" not in text  # live
    # two consecutive segments across the end of the 4 s clip: time goes on, not back
    base = url.rsplit("/", 1)[0]
    seq = [int(s) for s in segments]
    loop_end = next(s for s in range(seq[0], seq[-1] + 1) if s % 4 == 3 and s + 1 <= seq[-1]) \
        if any(s % 4 == 3 and s + 1 <= seq[-1] for s in seq) else seq[-2]
    stamps = []
    for n in (loop_end, loop_end + 1):
        status, ctype, ts = _get(f"{base}/{n}.ts")
        assert status == 200 and ts[0] == 0x47 and len(ts) % 188 == 0
        with av.open(io.BytesIO(ts), format="mpegts") as c:
            stamps.append([float(p.pts * p.time_base) for p in c.demux(video=0) if p.pts])
    assert stamps[1][0] > stamps[0][-1]
    assert abs(stamps[1][0] - stamps[0][0] - 1.0) < 0.05  # one-second segments
    assert _get(f"{base}/{seq[0] - 1000}.ts")[0] == 404  # long gone


def test_mjpeg_is_multipart_jpeg(server: DemoMediaServer) -> None:
    parsed = urlparse(server.urls()["test-cam-mjpeg"])
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=5)
    conn.request("GET", parsed.path)
    resp = conn.getresponse()
    assert resp.status == 200
    boundary = resp.getheader("Content-Type", "").split("boundary=")[1]
    data = resp.read(200_000)
    conn.close()
    parts = data.split(f"--{boundary}".encode())[1:]
    assert len(parts) >= 2
    head, body = parts[0].split(b"\r\n\r\n", 1)
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))  # type: ignore[union-attr]
    assert b"image/jpeg" in head and body[:2] == b"\xff\xd8" and body[length - 2:length] == \
        b"\xff\xd9"


def test_flv_carries_h264_and_aac(server: DemoMediaServer) -> None:
    with av.open(server.urls()["test-venue-flv"], format="flv", timeout=(3, 3)) as c:
        codecs = sorted(s.codec_context.name for s in c.streams)
        seen = []
        for p in c.demux():
            seen.append((p.stream.type, p.is_keyframe))
            if len(seen) > 20:
                break
    assert codecs == ["aac", "h264"]
    assert ("video", True) in seen and ("audio", True) in seen


def test_background_preparation_serves_once_ready() -> None:
    server = DemoMediaServer(recipes=(TEST_CAMERA,), cache=MediaCache())
    try:
        urls = server.start(wait=False)
        assert set(urls) >= {"test-cam-flv", "test-cam-file", "offline"}
        assert server.ready.wait(30)
        assert _get(urls["test-cam-hls"])[0] == 200
    finally:
        server.close()

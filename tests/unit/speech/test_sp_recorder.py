"""Recording a venue stream in segments (no re-encoding), clips and retention."""

from __future__ import annotations

import datetime as dt
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from app.speech.audio import AudioChunk, AudioError, decode_file, probe_duration
from app.speech.recorder import (
    Segment,
    cut_clip,
    list_segments,
    parse_segment_name,
    prune,
    segment_name,
    sha256_file,
)
from app.speech.venue_stream import VenueStream


def _make_av(path: Path, seconds: float = 12.0) -> Path:
    """A small H.264 + AAC MP4 with a tone (PyAV bundles FFmpeg with libx264)."""
    import av

    rate = 16000
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.options = {"g": "10"}
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        for i in range(int(seconds * 10)):
            img = np.full((48, 64, 3), (i * 7) % 255, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, 10)
            for packet in video.encode(frame):
                out.mux(packet)
        t = np.arange(int(seconds * rate)) / rate
        tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for k in range(0, tone.size, 1024):
            block = tone[k: k + 1024]
            aframe = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="flt",
                                                layout="mono")
            aframe.sample_rate = rate
            aframe.pts = k
            for packet in audio.encode(aframe):
                out.mux(packet)
        for stream in (video, audio):
            for packet in stream.encode(None):
                out.mux(packet)
    return path


def test_segment_names_round_trip() -> None:
    at = dt.datetime(2026, 11, 27, 11, 30, 5, 123000, tzinfo=dt.UTC)
    name = segment_name(42, at)
    assert name == "42_20261127T113005123Z.mkv"
    assert parse_segment_name(name) == (42, at)
    assert parse_segment_name("notes.txt") is None


def test_stream_is_heard_and_recorded_in_segments(tmp_path: Path) -> None:
    media = _make_av(tmp_path / "venue.mp4")
    chunks: list[AudioChunk] = []
    segments: list[Segment] = []
    ended = threading.Event()
    clock = iter(dt.datetime(2026, 11, 27, 11, 0, s, tzinfo=dt.UTC) for s in range(0, 60, 2))
    stream = VenueStream(media, 5, chunks.append, record_dir=tmp_path / "rec", segment_s=4.0,
                         on_segment=segments.append,
                         on_state=lambda up, _d: None if up else ended.set(),
                         clock=lambda: next(clock))
    stream.set_recording(True)
    stream.start()
    assert ended.wait(20)
    stream.stop()
    heard = sum(c.duration_s for c in chunks)
    assert heard == pytest.approx(12.0, abs=0.2)
    assert [c.offset_s for c in chunks] == sorted(c.offset_s for c in chunks)
    assert 2 <= len(segments) <= 4
    total = 0.0
    for seg in segments:
        assert seg.sha256 == sha256_file(seg.path)
        length = probe_duration(seg.path)
        assert length is not None and length <= 5.5
        total += decode_file(seg.path).size / 16000
        import av

        with av.open(str(seg.path)) as c:
            assert {s.type for s in c.streams} == {"audio", "video"}  # remuxed, both kept
    assert total == pytest.approx(12.0, abs=0.5)
    assert [p for p, _v, _t in list_segments(tmp_path / "rec", 5)] == [s.path for s in segments]

    clip = cut_clip(segments[0].path, 1.0, 2.5, tmp_path / "clips" / "c.mkv")
    assert 1.0 <= decode_file(clip).size / 16000 <= 4.5
    with pytest.raises(AudioError, match="no media between"):
        cut_clip(segments[0].path, 100.0, 101.0, tmp_path / "clips" / "none.mkv")

    later = segments[-1].started_at + dt.timedelta(days=31)
    kept = segments[0].path
    removed = prune(tmp_path / "rec", dt.timedelta(days=30), now=later, keep=[kept])
    assert kept.exists() and len(removed) == len(segments) - 1


def test_a_source_without_audio_is_reported(tmp_path: Path) -> None:
    states: list[tuple[bool, str]] = []
    done = threading.Event()

    def state(up: bool, detail: str) -> None:
        states.append((up, detail))
        done.set()

    stream = VenueStream(tmp_path / "missing.mp4", 1, lambda _c: None, on_state=state,
                         retry_s=30)
    stream.start()
    assert done.wait(10)
    stream.stop()
    assert states[0][0] is False and "cannot open" in states[0][1]

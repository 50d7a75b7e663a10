"""Generated demo/test media: H.264 640×360 at 25 fps with sound, cached once."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from app.media.testmedia import TEST_CAMERA, TEST_VENUE, MediaCache, synthesize_speech


@pytest.fixture(scope="module")
def cache() -> MediaCache:
    return MediaCache()  # the test session's own CEDC_HOME cache


def test_clip_is_h264_with_sound_and_a_key_frame_every_second(cache: MediaCache) -> None:
    clip = cache.clip(TEST_CAMERA)
    with av.open(str(clip.mp4)) as c:
        video, audio = c.streams.video[0], c.streams.audio[0]
        assert (video.codec_context.name, video.width, video.height) == ("h264", 640, 360)
        assert video.average_rate == 25
        assert audio.codec_context.name == "aac"
        keys = [float(p.pts * p.time_base) for p in c.demux(video) if p.size and p.is_keyframe]
    assert keys == [0.0, 1.0, 2.0, 3.0]
    assert clip.seconds == 4
    frames = clip.jpeg_frames()
    assert len(frames) == 100 and all(f[:2] == b"\xff\xd8" for f in frames)


def test_cache_generates_once(cache: MediaCache) -> None:
    first = cache.clip(TEST_CAMERA)
    stamp = first.mp4.stat().st_mtime_ns
    again = MediaCache(cache.root).clip(TEST_CAMERA)
    assert again.mp4 == first.mp4 and again.mp4.stat().st_mtime_ns == stamp
    assert not [p for p in Path(cache.root).iterdir() if p.name.startswith(".gen-")]


def test_venue_clip_carries_the_spoken_text(cache: MediaCache) -> None:
    speech = synthesize_speech("各位观众晚上好", rate=16_000)
    assert len(speech) > 16_000 * 0.5 and np.abs(speech).max() > 0.1
    clip = cache.clip(TEST_VENUE)
    with av.open(str(clip.mp4)) as c:
        samples = np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])
    rate = 48_000
    loud = np.abs(samples[int(0.6 * rate):int(1.6 * rate)]).max()
    quiet = np.abs(samples[: int(0.4 * rate)]).max()
    assert loud > 0.1 > quiet  # speech starts after half a second of room tone

"""Headset monitoring works where there is an output and degrades cleanly where there is none."""

from __future__ import annotations

import numpy as np
import pytest

from app.speech.audio import AudioChunk
from app.speech.monitor import HeadsetMonitor, MonitorUnavailable, output_devices, resolve_device


def test_listing_devices_never_fails() -> None:
    devices = output_devices()
    assert isinstance(devices, list)
    for d in devices:
        assert d.index >= 0 and d.name


def test_start_either_plays_or_says_why_not() -> None:
    monitor = HeadsetMonitor()
    try:
        monitor.start()
    except MonitorUnavailable as exc:
        assert str(exc)
        assert not monitor.active
    else:
        assert monitor.active
    finally:
        monitor.stop()


def test_unknown_device_setting_is_a_clear_error() -> None:
    assert resolve_device("") is None
    with pytest.raises(MonitorUnavailable, match=r"speech\.monitor_device"):
        resolve_device("no such headset 12345")


def test_buffer_plays_in_order_pads_with_silence_and_drops_the_oldest() -> None:
    monitor = HeadsetMonitor(max_buffer_s=0.001)  # 16 samples
    monitor._stream = object()  # pretend the output is open: only the buffer is tested
    monitor.feed(AudioChunk(np.arange(10, dtype=np.float32), 0.0))
    monitor.feed(AudioChunk(np.arange(10, 20, dtype=np.float32), 0.0))  # 20 > 16: drop first
    out = monitor.take(15)
    assert list(out[:10]) == list(range(10, 20))
    assert not out[10:].any()
    monitor._stream = None

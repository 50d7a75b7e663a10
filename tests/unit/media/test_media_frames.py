"""Frame sinks: scaled on the worker, newest picture wins, the shown buffer is never touched."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from app.media.frames import FrameSink, fit_size
from app.media.reader import FrameMeta

pytestmark = pytest.mark.gui

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _picture(value: int, w: int = 640, h: int = 360) -> tuple[np.ndarray, FrameMeta]:
    bgra = np.full((h, w, 4), value, np.uint8)
    return bgra, FrameMeta(1, value, value / 25, 0.0, T0, w, h)


@given(st.integers(1, 4000), st.integers(1, 4000), st.integers(1, 4000), st.integers(1, 4000))
def test_fit_keeps_the_aspect_and_fits(sw: int, sh: int, bw: int, bh: int) -> None:
    w, h = fit_size(sw, sh, bw, bh)
    assert 1 <= w <= max(bw, 1) and 1 <= h <= max(bh, 1)
    assert w == bw or h == bh or w == 1 or h == 1
    assert abs(w / h - sw / sh) <= max(sw / sh, 1) * (1 / min(w, h) + 1 / max(w, h)) + 1e-9


def test_newest_picture_wins_and_one_signal_is_pending(qapp: QApplication) -> None:
    sink = FrameSink(1, 320, 240)
    signals: list[int] = []
    sink.frame_ready.connect(lambda: signals.append(1))
    for v in (10, 20, 30):
        sink.publish(*_picture(v))
    assert signals == [1]  # the UI had not taken the first: no more signals queued
    frame = sink.take()
    assert frame is not None and frame.meta.seq == 30
    assert (frame.image.width(), frame.image.height()) == (320, 180)  # 16:9 in 4:3, scaled
    assert frame.image.pixelColor(10, 10).red() == 30
    assert sink.take() is None
    sink.publish(*_picture(40))
    assert signals == [1, 1]


def test_the_buffer_being_shown_is_never_overwritten(qapp: QApplication) -> None:
    sink = FrameSink(1, 640, 360)
    sink.publish(*_picture(50))
    shown = sink.take()
    assert shown is not None
    for v in range(60, 200, 10):  # the reader keeps publishing while the UI paints
        sink.publish(*_picture(v))
        assert int(shown.buffer[0, 0, 0]) == 50
        assert shown.image.pixelColor(0, 0).red() == 50
    newest = sink.take()
    assert newest is not None and newest.meta.seq == 190


def test_resizing_reallocates_without_disturbing_the_shown_picture(qapp: QApplication) -> None:
    sink = FrameSink(1, 640, 360)
    sink.publish(*_picture(70))
    shown = sink.take()
    sink.set_size(160, 90)
    sink.publish(*_picture(80))
    small = sink.take()
    assert shown is not None and small is not None
    assert small.image.width() == 160 and shown.image.width() == 640
    assert shown.image.pixelColor(5, 5).red() == 70

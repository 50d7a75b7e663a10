"""A wall tile offscreen: pictures, overlay, the lost state, drops and double-clicks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QImage
from pytestqt.qtbot import QtBot

from app.media.frames import FrameSink
from app.media.reader import FrameMeta
from app.media.types import SourceState, SourceStats
from app.media.wallstate import ENTITY_MIME, EntityRef, encode_entity
from widgets.video.tile import PaintStats, SingleVideoTile, VideoTile

pytestmark = pytest.mark.gui

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _tile(qtbot: QtBot) -> VideoTile:
    tile = SingleVideoTile(3)
    qtbot.addWidget(tile)
    tile.resize(320, 180)
    tile.show()
    qtbot.waitExposed(tile)
    return tile


def _red_picture(sink: FrameSink) -> None:
    bgra = np.zeros((360, 640, 4), np.uint8)
    bgra[..., 2] = 200  # red
    bgra[..., 3] = 255
    sink.publish(bgra, FrameMeta(1, 1, 0.0, 0.0, T0, 640, 360))


def _rgb(image: QImage, x: int, y: int) -> tuple[int, int, int]:
    c = image.pixelColor(x, y)
    return c.red(), c.green(), c.blue()


def test_picture_is_painted_with_the_overlay(qtbot: QtBot) -> None:
    tile = _tile(qtbot)
    tile.paint_stats = PaintStats()
    sink = FrameSink(1, 320, 180)
    tile.show_sink(1, "执法记录仪 DSJ-朝阳01-1", sink)
    tile.set_stats(SourceStats(SourceState.LIVE, fps=25.0))
    _red_picture(sink)
    qtbot.waitUntil(lambda: tile.paint_stats is not None and tile.paint_stats.painted == 1,
                    timeout=3000)
    image = tile.grab().toImage()
    assert _rgb(image, 160, 90) == (200, 0, 0)  # the picture
    top = _rgb(image, 160, 1)
    assert top[0] < 150  # the name bar darkens the top
    assert tile.paint_stats.delays_ms[0] >= 0


def test_lost_state_is_unmistakable(qtbot: QtBot) -> None:
    tile = _tile(qtbot)
    sink = FrameSink(1, 320, 180)
    tile.show_sink(1, "天桥剧场 舞台", sink)
    _red_picture(sink)
    qtbot.waitUntil(lambda: tile.frame is not None, timeout=3000)
    tile.set_stats(SourceStats(SourceState.LOST, detail="Connection refused"))
    image = tile.grab().toImage()
    r, g, b = _rgb(image, 3, 90)  # the red border
    assert r > 200 and g < 100 and b < 100
    assert _rgb(image, 40, 150)[0] < 120  # the last picture is dimmed
    tile.set_stats(SourceStats(SourceState.LIVE, fps=25))
    assert _rgb(tile.grab().toImage(), 3, 90) == (200, 0, 0)


def test_empty_tile_invites_a_drop_and_emits_what_was_dropped(qtbot: QtBot) -> None:
    tile = _tile(qtbot)
    image = tile.grab().toImage()
    colours = {_rgb(image, x, y) for x in range(0, 320, 7) for y in range(0, 180, 7)}
    assert len(colours) > 2  # hint text and dashed frame on the background

    def drop(payload: bytes) -> None:
        mime = QMimeData()
        mime.setData(ENTITY_MIME, QByteArray(payload))
        event = QDropEvent(QPointF(QPoint(50, 50)), Qt.DropAction.CopyAction, mime,
                           Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        tile.dropEvent(event)

    with qtbot.waitSignal(tile.entity_dropped, timeout=1000) as dropped:
        drop(encode_entity(EntityRef("unit", 12)))
    assert dropped.args == [3, EntityRef("unit", 12)]
    with qtbot.assertNotEmitted(tile.entity_dropped):
        drop(b'{"kind": "unit", "id": "twelve"}')


def test_double_click_asks_to_maximise(qtbot: QtBot) -> None:
    tile = _tile(qtbot)
    with qtbot.waitSignal(tile.maximise_toggled, timeout=1000) as sig:
        qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
    assert sig.args == [3]


CAPTION = "各位观众朋友们大家好，今天我们给大家说一段传统相声，名字叫做《我这个人》"


def test_a_caption_on_a_small_tile_shows_a_phrase_and_the_tooltip_the_full_text(
        qtbot: QtBot) -> None:
    tile = SingleVideoTile(5)
    qtbot.addWidget(tile)
    tile.resize(95, 54)  # one tile of a 4×4 wall in a 380 px dock
    tile.show()
    qtbot.waitExposed(tile)
    sink = FrameSink(2, 95, 54)
    tile.show_sink(2, "重点场所 德云社天桥剧场 舞台全景", sink)
    tile.set_stats(SourceStats(SourceState.LIVE, fps=25.0))
    tile.set_caption(CAPTION)
    lines = tile.caption_lines()
    shown = "".join(lines).lstrip("…")
    assert len(lines) == 2 and len(shown) >= 10  # was 3–4 characters beside the clock
    assert CAPTION.endswith(shown)  # the newest words, in order
    assert lines[0].startswith("…")  # older text was cut, and it says so
    # the elided title and the caption are in full in the tooltip
    assert "重点场所 德云社天桥剧场 舞台全景" in tile.toolTip() and CAPTION in tile.toolTip()
    image = tile.grab().toImage()
    assert image.width() == 95  # it paints without error at this size
    tile.maximised = True
    tile.resize(380, 216)
    tile.set_caption(CAPTION * 3)
    assert len(tile.caption_lines()) == 3  # maximised: more lines
    tile.clear_source()
    assert tile.toolTip() == "" and tile.caption_lines() == []


def test_frames_painted_counts_new_pictures_not_repaints(qtbot: QtBot) -> None:
    """What the wall benchmark reports as painted fps: a repaint of the same picture (the
    overlay, a resize) is not a frame; two pictures taken before the next paint are one."""
    tile = _tile(qtbot)
    sink = FrameSink(1, 320, 180)
    tile.show_sink(1, "cam", sink)
    _red_picture(sink)
    qtbot.waitUntil(lambda: tile.frames_painted == 1, timeout=3000)
    tile.repaint()
    tile.set_selected(True)
    tile.repaint()
    assert tile.frames_painted == 1
    _red_picture(sink)
    _red_picture(sink)  # taken at once (same thread), but the tile paints once for both
    qtbot.waitUntil(lambda: tile.frames_painted == 2, timeout=3000)
    tile.repaint()
    assert tile.frames_painted == 2 and sink.taken == 3

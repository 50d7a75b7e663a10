"""The video wall offscreen with live loopback feeds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from app.media.service import MediaService
from app.media.types import SourceState
from app.media.wallstate import ENTITY_MIME, EntityRef, WallLayout, WallLayoutStore, encode_entity
from widgets.video_wall import VideoWall

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def wall(qtbot: QtBot, media: MediaService) -> Iterator[VideoWall]:
    w = VideoWall(media)
    qtbot.addWidget(w)
    w.resize(1280, 760)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.clear()


def _visible(wall: VideoWall) -> list[int]:
    return [t.index for t in wall.tiles if t.isVisible()]


def _drop(wall: VideoWall, index: int, ref: EntityRef) -> None:
    mime = QMimeData()
    mime.setData(ENTITY_MIME, QByteArray(encode_entity(ref)))
    tile = wall.tiles[index]
    tile.dropEvent(QDropEvent(QPointF(tile.rect().center()), Qt.DropAction.CopyAction, mime,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))


def test_layouts(qtbot: QtBot, wall: VideoWall) -> None:
    for grid, count in (("1", 1), ("2x2", 4), ("3x3", 9), ("4x4", 16), ("1+5", 6)):
        wall.set_grid(grid)
        qtbot.waitUntil(lambda c=count: len(_visible(wall)) == c, timeout=2000)
        assert wall.grid_buttons[grid].defaultAction().isChecked()

    def one_big_five_small() -> bool:
        big, small = wall.tiles[0].geometry(), wall.tiles[1].geometry()
        return big.width() > 1.8 * small.width() and big.height() > 1.8 * small.height()

    qtbot.waitUntil(one_big_five_small, timeout=2000)


def test_drop_a_unit_opens_its_cameras_and_live_pictures_arrive(
        qtbot: QtBot, wall: VideoWall, media: MediaService, tmp_path: Path) -> None:
    _drop(wall, 2, EntityRef("unit", 1))  # its first camera where dropped, the other free
    assert wall.shown_sources() == [2, None, 1, None]
    _drop(wall, 3, EntityRef("venue", 100))
    assert wall.shown_sources() == [2, 5, 1, 4] and wall.grid == "2x2"
    wall.open_entity("unit", 2)  # one more than fits: the wall grows to 3×3
    assert wall.grid == "3x3" and wall.shown_sources()[:5] == [2, 5, 1, 4, 3]
    tiles = [t for t in wall.tiles if t.source_id in (1, 2, 4, 5)]
    qtbot.waitUntil(lambda: all(t.frame is not None for t in tiles), timeout=8000)
    qtbot.waitUntil(lambda: all(t.stats is not None and t.stats.state is SourceState.LIVE
                                for t in tiles), timeout=5000)
    image = wall.grab().toImage()
    image.save(str(tmp_path / "wall.png"))
    for t in tiles:
        c = t.geometry().center() + wall.grid_widget.geometry().topLeft() \
            + wall.splitter.geometry().topLeft()
        colour = image.pixelColor(c)
        assert colour.red() + colour.green() + colour.blue() > 60, t.name  # not black


def test_lost_camera_and_double_click_maximise(qtbot: QtBot, wall: VideoWall) -> None:
    wall.open_entity("unit", 2)  # its camera is switched off
    tile = next(t for t in wall.tiles if t.source_id == 3)
    qtbot.waitUntil(lambda: tile.stats is not None and tile.stats.state is SourceState.LOST,
                    timeout=5000)
    qtbot.mouseDClick(tile, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    assert _visible(wall) == [tile.index] and wall.maximised == tile.index
    qtbot.waitUntil(lambda: tile.width() > 1000, timeout=2000)
    qtbot.keyClick(wall, Qt.Key.Key_Escape)
    assert len(_visible(wall)) == 4 and wall.maximised is None


def test_swap_close_and_layout_round_trip(qtbot: QtBot, wall: VideoWall, media: MediaService,
                                          tmp_path: Path) -> None:
    store = WallLayoutStore(tmp_path / "wall.json")
    wall.store = store
    wall.open_sources([1, 4])
    assert wall.shown_sources() == [1, 4, None, None]
    wall.swap_tiles(0, 3)
    assert wall.shown_sources() == [None, 4, None, 1]
    wall.toggle_maximise(3)
    wall.close_tile(1)
    layout = wall.wall_layout()
    assert layout == WallLayout("2x2", (None, None, None, 1), 3)
    qtbot.waitUntil(lambda: (tmp_path / "wall.json").exists(), timeout=3000)
    wall.clear()
    assert media.open_sources() == []

    again = VideoWall(media, store=WallLayoutStore(tmp_path / "wall.json"))
    qtbot.addWidget(again)
    assert again.wall_layout() == layout
    again.save_preset("白班")
    again.set_grid("1")
    assert again.load_preset("白班") and again.wall_layout() == layout
    again.clear()


def test_source_list_offers_cameras_and_venues(qtbot: QtBot, wall: VideoWall) -> None:
    assert wall.source_list.count() == 5
    wall.source_list.filter_edit.setText("朝阳02")
    camera_group = wall.source_list.tree.topLevelItem(0)
    assert camera_group is not None
    shown = [camera_group.child(i).text(0) for i in range(camera_group.childCount())
             if not camera_group.child(i).isHidden()]
    assert shown == ["朝阳02"]
    mime = wall.source_list.tree.mimeData([camera_group.child(0)])
    assert mime.hasFormat(ENTITY_MIME)
    with qtbot.waitSignal(wall.source_list.entity_activated, timeout=1000):
        wall.source_list._activated(camera_group.child(1), 0)
    assert 3 in wall.shown_sources()


def test_the_wall_paints_on_its_own_clock_and_hidden_tiles_take_no_pictures(
        qtbot: QtBot, wall: VideoWall) -> None:
    from widgets.video_wall import MAX_PAINT_HZ, paint_interval_ms

    assert paint_interval_ms(60.0) == 20 and paint_interval_ms(30.0) == 33
    assert paint_interval_ms(0.0) == round(1000 / MAX_PAINT_HZ)  # unknown refresh: capped
    wall.open_entity("unit", 1)
    wall.open_entity("venue", 100)
    shown = [t for t in wall.tiles if t.source_id is not None]
    assert len(shown) >= 2
    # no tile is woken per decoded picture: pictures wait in the sink for the paint clock
    assert all(t.paced for t in wall.tiles)
    qtbot.waitUntil(lambda: all(t.frames_painted >= 5 for t in shown), timeout=10000)
    # maximise the first: the others are hidden and stop taking pictures
    wall.toggle_maximise(shown[0].index)
    qtbot.waitUntil(lambda: not shown[1].isVisible(), timeout=2000)
    sink = shown[1].sink
    assert sink is not None
    qtbot.wait(200)
    taken = sink.taken
    painted = shown[1].frames_painted
    qtbot.wait(600)
    assert sink.taken == taken and shown[1].frames_painted == painted
    before = shown[0].frames_painted
    qtbot.waitUntil(lambda: shown[0].frames_painted >= before + 5, timeout=5000)


def test_the_whole_wall_is_painted_in_one_pass_per_repaint(qtbot: QtBot, wall: VideoWall) -> None:
    """16 live tiles cost the UI thread one paint call per wall repaint, not one per tile."""
    from widgets.video_wall import WallCanvas

    for entity in (("unit", 1), ("venue", 100), ("unit", 3), ("unit", 4)):
        wall.open_entity(*entity)
    shown = [t for t in wall.tiles if t.source_id is not None and t.isVisible()]
    assert len(shown) >= 4
    canvas = wall.grid_widget
    assert isinstance(canvas, WallCanvas)
    qtbot.waitUntil(lambda: all(t.frames_painted >= 3 for t in shown), timeout=10000)
    painted0, paints0 = sum(t.frames_painted for t in shown), canvas.paints
    qtbot.wait(1500)
    new_pictures = sum(t.frames_painted for t in shown) - painted0
    passes = canvas.paints - paints0
    assert new_pictures > 2 * len(shown)
    # pictures of several tiles share a pass (a per-tile paint would need one pass each)
    assert passes < new_pictures

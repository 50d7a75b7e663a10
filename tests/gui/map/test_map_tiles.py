"""Base maps: a local tile file served through the scheme, a GCJ-02 datum, an intranet tile
server behind the request interceptor, and what happens when the tile file is unusable."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.geo.coords import gcj02_to_wgs84, wgs84_to_gcj02
from widgets.map import MapConfig, MapView

pytestmark = pytest.mark.gui

RED = (220, 30, 30, 255)
#: zoom-10 tiles over central Beijing (x 840–846, y 385–390)
BEIJING_Z10 = [(10, x, y) for x in range(840, 847) for y in range(385, 391)]


def red_tiles(tile_kit: Any) -> dict[tuple[int, int, int], bytes]:
    png = tile_kit.solid_png(RED)
    return dict.fromkeys(BEIJING_Z10, png)


def is_red(view: MapView, x: int, y: int) -> bool:
    c = view.grab().toImage().pixelColor(x, y)
    return c.red() > 180 and c.green() < 80 and c.blue() < 80


@pytest.fixture(scope="module")
def drv(open_map: Any, districts_text: str, tile_kit: Any,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An English page on a GCJ-02 MBTiles base map, fed before its page was ready."""
    path = tile_kit.write_mbtiles(tmp_path_factory.mktemp("tiles") / "bj.mbtiles",
                                  red_tiles(tile_kit))

    def early(view: MapView) -> None:
        view.set_districts(districts_text, None)
        view.set_entities("unit", [{"id": "u1", "call_sign": "CY-01", "status": "available",
                                    "lat": 39.95, "lon": 116.50, "last_fix": time.time()}])
        view.queue_update("unit", "u2", {"call_sign": "CY-02", "status": "on_scene",
                                         "lat": 39.96, "lon": 116.52, "last_fix": time.time()})
        view.select("unit", "u1")
        view.center_on(39.95, 116.50, 12)

    d = open_map(MapConfig(tile_file=str(path), tile_crs="gcj02", language="en",
                           tile_max_zoom=18), size=(800, 600), before_ready=early)
    yield d
    d.close()


def test_calls_made_before_the_page_was_ready_arrive_in_order(drv: Any, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.counts()")["unit"] == 2)
    assert drv.entity("unit", "u1")["selected"]
    assert drv.js("CEDC.debug.districts()")["count"] == 16
    assert drv.js("CEDC.debug.view()")["zoom"] == 12


def test_english_page_texts(drv: Any) -> None:
    assert drv.js("JSON.stringify(document.documentElement.lang)") == "en"
    placeholder = drv.js("JSON.stringify(document.querySelector('.cedc-search input')"
                         ".placeholder)")
    assert placeholder.startswith("Venue name")


def test_tiles_of_the_file_are_drawn_from_the_scheme(drv: Any, qtbot: QtBot) -> None:
    drv.show(39.95, 116.50, 10)
    loaded = ("JSON.stringify(Array.from(document.querySelectorAll('.leaflet-tile-loaded'))"
              ".map(i => i.src))")
    qtbot.waitUntil(lambda: any("/tiles/10/843/388" in s for s in drv.js(loaded)), timeout=10000)
    assert all(s.startswith("cedc:/map/tiles/") for s in drv.js(loaded))
    # a place with no symbol on it shows the red tile (districts are only a faint tint on tiles)
    qtbot.waitUntil(lambda: is_red(drv.view, 600, 250), timeout=10000)
    assert "base" in drv.js("CEDC.debug.layers()")
    assert drv.view.blocked_requests == []


def test_page_and_python_agree_on_gcj02(drv: Any) -> None:
    points = [(39.4 + i * 0.031, 115.5 + i * 0.047) for i in range(40)]
    got = drv.js("JSON.stringify(" + json.dumps(points)
                 + ".map(p => CEDC.coords.wgsToGcj(p[0], p[1])))")
    for p, g in zip(points, got, strict=True):
        want = wgs84_to_gcj02(*p)
        assert g == pytest.approx(list(want), abs=1e-10)


def test_units_are_drawn_at_their_gcj02_position(drv: Any) -> None:
    drv.show(39.95, 116.50, 15)
    glat, glon = wgs84_to_gcj02(39.95, 116.50)
    want = drv.js(f"JSON.stringify(CEDC.map.latLngToContainerPoint([{glat}, {glon}]))")
    got = drv.entity("unit", "u1")["point"]
    assert got == pytest.approx([want["x"], want["y"]], abs=0.01)
    plain = drv.js("JSON.stringify(CEDC.map.latLngToContainerPoint([39.95, 116.50]))")
    assert abs(plain["x"] - got[0]) > 50  # the datum shift is hundreds of metres: visible


def test_clicks_and_drawn_shapes_come_back_in_wgs84(drv: Any, qtbot: QtBot) -> None:
    drv.show(39.95, 116.50, 15)
    pos = QPoint(100, 500)
    QTest.mouseClick(drv.target, Qt.MouseButton.RightButton, Qt.KeyboardModifier(0), pos)
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.menu()") == ["dispatch_here"])
    shown = drv.js("JSON.stringify(CEDC.map.containerPointToLatLng([100, 500]))")
    with qtbot.waitSignal(drv.view.context_action, timeout=3000) as blocker:
        drv.js("JSON.stringify(CEDC.debug.chooseMenu('dispatch_here'))")
    want = gcj02_to_wgs84(shown["lat"], shown["lng"])
    assert blocker.args[3:] == pytest.approx(list(want), abs=1e-9)
    assert abs(blocker.args[3] - shown["lat"]) > 1e-4  # it was converted
    drv.view.start_drawing("circle")
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.draw.mode)") == "circle")
    with qtbot.waitSignal(drv.view.shape_drawn, timeout=3000) as drawn:
        drv.view.run_js("CEDC.debug.fireAt('click', 39.95, 116.50)")  # WGS-84, drawn as GCJ
        drv.view.run_js("CEDC.debug.fireAt('click', 39.95, 116.502)")
    lon, lat = json.loads(drawn.args[0])["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx((39.95, 116.50), abs=1e-8)


def test_pmtiles_file_is_served_too(open_map: Any, tile_kit: Any, tmp_path: Path,
                                    qtbot: QtBot) -> None:
    path = tile_kit.write_pmtiles(tmp_path / "bj.pmtiles", red_tiles(tile_kit))
    d = open_map(MapConfig(tile_file=str(path)), size=(400, 300))
    try:
        d.show(39.95, 116.50, 10)
        qtbot.waitUntil(lambda: is_red(d.view, 250, 120), timeout=10000)
    finally:
        d.close()


@pytest.mark.expect_log_errors
def test_unusable_tile_file_falls_back_to_the_plain_map(qtbot: QtBot, tmp_path: Path) -> None:
    view = MapView(MapConfig(tile_file=str(tmp_path / "nowhere.mbtiles")))
    qtbot.addWidget(view)
    with qtbot.waitSignals([view.load_failed, view.page_ready], timeout=60000,
                           check_params_cbs=[lambda m: "not found" in m, None]):
        view.show()
    box: list[str] = []
    qtbot.waitUntil(lambda: (view.run_js("CEDC.debug.layers()", box.append), bool(box))[1])
    assert "base" not in json.loads(box[0])
    assert "districts" in json.loads(box[0])
    view.close()


def test_intranet_tile_host_passes_and_nothing_else(open_map: Any, qtbot: QtBot) -> None:
    d = open_map(MapConfig(tile_url="http://t{s}.tiles.intranet.invalid/{z}/{x}/{y}.png",
                           tile_subdomains="01"), size=(400, 300))
    try:
        qtbot.waitUntil(lambda: d.view._guard.tile_requests > 0, timeout=10000)
        assert d.view.blocked_requests == []
        with qtbot.waitSignal(d.view.request_blocked, timeout=5000) as blocker:
            d.view.run_js("var i = new Image(); i.src = 'https://example.com/tracker.png'; 1")
        assert blocker.args == ["https://example.com/tracker.png"]
        with qtbot.waitSignal(d.view.request_blocked, timeout=5000) as blocker:
            d.view.run_js("fetch('http://tiles.intranet.invalid.evil.example/x').catch(() => 0);"
                          "1")
        assert blocker.args == ["http://tiles.intranet.invalid.evil.example/x"]
        assert len(d.view.blocked_requests) == 2
    finally:
        d.close()

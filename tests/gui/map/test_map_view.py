"""The one map on a plain background: page, districts, entities, live batches, input, drawing,
follow mode and replay — one shared page for the module, driven as an operator would."""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.geo.geofence import (
    CircleFence,
    GeofenceEngine,
    PolygonFence,
    Transition,
    fence_from_geojson,
    fences_to_geojson,
)
from app.geo.track import normalise_track, position_at
from widgets.map import MapConfig
from widgets.map.scheme import QWEBCHANNEL_PATH
from widgets.map.view import PAGE_PATH

pytestmark = pytest.mark.gui

NOW = time.time()
VENUES: list[dict[str, Any]] = [
    {"id": "v1", "name": "蓝色港湾剧场", "licence_no": "京演（朝）2024-001",
     "venue_type": "performance", "venue_class": "key", "grade": "A", "lat": 39.9490,
     "lon": 116.4700, "address": "朝阳公园路6号", "district": "朝阳区"},
    {"id": "v2", "name": "星光网吧", "licence_no": "京网文2023-0815",
     "venue_type": "internet_cafe", "venue_class": "regular", "grade": "D", "lat": 39.9300,
     "lon": 116.4500, "address": "工体北路1号", "district": "朝阳区"},
    {"id": "v3", "name": "周末脱口秀小剧场", "licence_no": "京演（朝）2024-077",
     "venue_type": "performance", "venue_class": "temporary", "grade": "C", "lat": 39.9150,
     "lon": 116.4300, "address": "三里屯路19号", "district": "朝阳区"},
]
UNITS: list[dict[str, Any]] = [
    {"id": "u1", "call_sign": "朝文执01", "status": "available", "lat": 39.9400,
     "lon": 116.4600, "heading": 90.0, "speed": 32.0, "last_fix": NOW, "members": "张三、李四",
     "plate": "京A·F0001"},
    {"id": "u2", "call_sign": "朝文执02", "status": "en_route", "lat": 39.9200, "lon": 116.4800,
     "heading": 0.0, "speed": 0.0, "last_fix": NOW - 3600, "members": "王五", "plate": "京A·F0002"},
]


@pytest.fixture(scope="module")
def drv(open_map: Any, districts_text: str) -> Iterator[Any]:
    """One page for the module: Chaoyang's console, three venues, two units."""
    d = open_map(MapConfig(tick_hz=20.0, stale_after_s=120.0))
    d.view.set_districts(districts_text, "110105")
    d.view.set_entities("venue", VENUES)
    d.view.set_entities("unit", UNITS)
    d.view.center_on(39.932, 116.45, 14)
    d.spin(lambda: d.js("CEDC.debug.counts()")["unit"] == 2)
    yield d
    d.close()


# ---------------------------------------------------------------------------- page
def test_page_is_served_from_the_scheme_with_leaflet_and_districts(drv: Any) -> None:
    assert drv.view.page.url().toString().startswith("cedc:/map/index.html")
    info = drv.js("CEDC.debug.districts()")
    assert info["count"] == 16
    assert "朝阳区" in info["labels"] and "延庆区" in info["labels"]
    assert info["jurisdiction"] == "110105"
    # the console's own district is drawn heavier than the others
    assert info["weights"]["110105"] > max(w for c, w in info["weights"].items() if c != "110105")
    assert drv.js("JSON.stringify(L.version)") == "1.9.4"


def test_attribution_has_no_leaflet_flag(drv: Any) -> None:
    text = drv.js("JSON.stringify(Array.from(document.querySelectorAll("
                          "'.leaflet-control-attribution')).map(n => n.textContent).join(''))")
    assert "Leaflet" not in text
    assert "🇺🇦" not in text


def test_chinese_texts_in_the_page(drv: Any) -> None:
    placeholder = drv.js("JSON.stringify(document.querySelector('.cedc-search input')"
                                 ".placeholder)")
    assert "搜索" in placeholder
    overlays = drv.js("JSON.stringify(Array.from(document.querySelectorAll("
                              "'.leaflet-control-layers-overlays span')).map(n => n.textContent"
                              ".trim()))")
    assert {"行政区划", "文化市场场所", "执法单元", "执法车辆", "执法人员", "执法记录仪", "警情",
            "电子围栏", "场所警戒区"} <= set(overlays)


# ---------------------------------------------------------------------------- offline
def test_no_external_url_in_the_page_or_its_requests(drv: Any) -> None:
    html = drv.view._handler._documents[PAGE_PATH][0].decode()
    assert not re.findall(r"https?://", html)
    assert "cdn" not in html.lower()
    urls = drv.js("CEDC.debug.resourceUrls()")
    assert urls, "the page loaded nothing?"
    assert all(u.startswith(("cedc:", "data:", "blob:")) for u in urls), urls
    assert any(u.endswith("vendor/leaflet/leaflet.js") for u in urls)
    assert any(u.endswith(QWEBCHANNEL_PATH.rsplit("/", 1)[1]) for u in urls)
    assert drv.view.blocked_requests == []
    assert drv.view._guard.seen > 5


def test_a_remote_image_in_the_page_never_loads(drv: Any, qtbot: QtBot) -> None:
    # Without an intranet tile URL, Chromium refuses remote URLs to the local-scheme page before
    # any request is made; the interceptor (tested in test_map_tiles) is the second line.
    seen = drv.view._guard.seen
    drv.view.run_js("window.__probe = 'loading'; var i = new Image();"
                    "i.onload = function () { window.__probe = 'loaded'; };"
                    "i.onerror = function () { window.__probe = 'refused'; };"
                    "i.src = 'https://tile.openstreetmap.org/1/1/1.png'; 1")
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(window.__probe)") != "loading")
    assert drv.js("JSON.stringify(window.__probe)") == "refused"
    assert drv.view._guard.seen == seen
    assert drv.view.blocked_requests == []


# ---------------------------------------------------------------------------- entities
def test_venues_are_drawn_with_their_grade_and_class(drv: Any) -> None:
    drv.show(39.932, 116.45, 14)
    v1, v2, v3 = (drv.entity("venue", i) for i in ("v1", "v2", "v3"))
    assert v1["drawn"] and v2["drawn"] and v3["drawn"]
    assert v1["style"] == "v|A|key"
    assert v2["style"] == "v|D|regular"
    assert v3["style"] == "v|C|temporary"
    assert v1["fields"]["name"] == "蓝色港湾剧场"


def test_venues_cluster_at_city_zoom(drv: Any) -> None:
    drv.show(39.93, 116.45, 10)
    counts = drv.js("CEDC.debug.counts()")
    # three venues a few km apart merge into one bubble; two units stay
    assert counts["drawn"] < 5
    drv.show(39.932, 116.45, 14)


def test_animated_zoom_and_pan_keep_symbols_in_place(drv: Any, qtbot: QtBot) -> None:
    drv.show(39.932, 116.45, 14)

    def drawn_where_it_belongs() -> bool:
        e = drv.entity("venue", "v2")
        return e["drawnAt"] is not None and e["drawnAt"] == pytest.approx(e["point"], abs=1)

    assert drawn_where_it_belongs()
    before = drv.entity("venue", "v2")["point"]
    drv.js("CEDC.map.zoomIn(1, {animate: true}), '1'")
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.view()")["zoom"] == 15)
    qtbot.waitUntil(drawn_where_it_belongs)
    drv.js("CEDC.map.panBy([120, -80], {animate: true}), '1'")
    qtbot.waitUntil(lambda: drv.entity("venue", "v2")["point"][1] > before[1] + 40)
    qtbot.waitUntil(drawn_where_it_belongs)
    drv.show(39.932, 116.45, 14)


def test_stale_unit_is_faded_and_fresh_one_is_not(drv: Any) -> None:
    u1, u2 = drv.entity("unit", "u1"), drv.entity("unit", "u2")
    assert not u1["stale"] and u1["style"] == "unit|available|0"
    assert u2["stale"] and u2["style"] == "unit|en_route|1"


def test_a_batch_moves_units_and_is_one_message_per_tick(drv: Any, qtbot: QtBot) -> None:
    before = drv.js("CEDC.debug.stats()")["batches"]
    p_before = drv.point("unit", "u1")
    # several fixes of the same unit within one tick: only the last one counts
    drv.view.queue_update("unit", "u1", {"lat": 39.9410, "lon": 116.4610, "last_fix": time.time()})
    drv.view.queue_update("unit", "u1", {"lat": 39.9420, "lon": 116.4620, "heading": 45.0,
                                     "last_fix": time.time()})
    drv.view.queue_update("unit", "u9", {"call_sign": "朝文执09", "status": "on_scene",
                                     "lat": 39.9350, "lon": 116.4550, "last_fix": time.time()})
    drv.view.queue_update("unit", "u2", {"status": "emergency"})
    qtbot.waitUntil(lambda: drv.view.pending_updates == 0, timeout=3000)
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.stats()")["batches"] == before + 1)
    drv.spin(lambda: True, 0.3)  # a further tick must not send another batch
    assert drv.js("CEDC.debug.stats()")["batches"] == before + 1
    u1 = drv.entity("unit", "u1")
    assert (u1["lat"], u1["lon"], u1["heading"]) == (39.9420, 116.4620, 45.0)
    assert u1["fields"]["call_sign"] == "朝文执01"  # fields not in the batch are kept
    p_after = drv.point("unit", "u1")
    assert p_after.x() > p_before.x() and p_after.y() < p_before.y()  # moved north-east
    assert drv.entity("unit", "u9")["drawn"]
    assert drv.entity("unit", "u2")["style"] == "unit|emergency|1"
    assert drv.js("CEDC.debug.counts()")["pulsing"] == 1  # the emergency pulses
    drv.view.queue_remove("unit", "u9")
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.counts()")["unit"] == 2)
    drv.view.queue_update("unit", "u2", {"status": "en_route"})
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.counts()")["pulsing"] == 0)


def test_hidden_layer_is_not_drawn(drv: Any, qtbot: QtBot) -> None:
    drv.view.set_layer_visible("venue", False)
    qtbot.waitUntil(lambda: not drv.entity("venue", "v1")["drawn"])
    assert "venue" not in drv.js("CEDC.debug.layers()")
    drv.view.set_layer_visible("venue", True)
    qtbot.waitUntil(lambda: drv.entity("venue", "v1")["drawn"])
    with pytest.raises(ValueError, match="layer"):
        drv.view.set_layer_visible("roads", True)


# ---------------------------------------------------------------------------- input
def test_click_on_a_venue_emits_entity_selected(drv: Any, qtbot: QtBot) -> None:
    drv.show(39.932, 116.45, 14)
    pos = drv.point("venue", "v2")
    QTest.mouseMove(drv.target, pos)
    with qtbot.waitSignal(drv.view.entity_selected, timeout=5000) as blocker:
        QTest.mouseClick(drv.target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), pos)
    assert blocker.args == ["venue", "v2"]
    qtbot.waitUntil(lambda: drv.entity("venue", "v2")["selected"])


def test_click_on_empty_map_selects_nothing(drv: Any, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(drv.view.entity_selected, wait=300):
        QTest.mouseClick(drv.target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0),
                         QPoint(500, 650))


def test_hover_shows_a_chinese_tooltip(drv: Any, qtbot: QtBot) -> None:
    pos = drv.point("unit", "u1")
    QTest.mouseMove(drv.target, pos + QPoint(40, 40))
    QTest.mouseMove(drv.target, pos)
    qtbot.waitUntil(lambda: "朝文执01" in drv.js("JSON.stringify(CEDC.debug.tooltip())"))
    text = drv.js("JSON.stringify(CEDC.debug.tooltip())")
    assert "执法单元" in text and "空闲" in text and "张三、李四" in text and "32 公里/时" in text
    QTest.mouseMove(drv.target, QPoint(500, 650))
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.debug.tooltip())") == "")


def test_right_click_venue_offers_dossier_and_emits_context_action(
        drv: Any, qtbot: QtBot) -> None:
    pos = drv.point("venue", "v2")
    QTest.mouseMove(drv.target, pos)
    QTest.mouseClick(drv.target, Qt.MouseButton.RightButton, Qt.KeyboardModifier(0), pos)
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.menu()") != [])
    assert drv.js("CEDC.debug.menu()") == ["dispatch_here", "venue_dossier"]
    with qtbot.waitSignal(drv.view.context_action, timeout=3000) as blocker:
        assert drv.js("JSON.stringify(CEDC.debug.chooseMenu('venue_dossier'))")
    assert blocker.args == ["venue_dossier", "venue", "v2", 39.93, 116.45]


def test_right_click_on_the_map_dispatches_to_that_place(drv: Any, qtbot: QtBot) -> None:
    drv.show(39.932, 116.45, 14)
    pos = QPoint(500, 650)
    QTest.mouseClick(drv.target, Qt.MouseButton.RightButton, Qt.KeyboardModifier(0), pos)
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.menu()") == ["dispatch_here"])
    expected = drv.js("JSON.stringify(CEDC.map.containerPointToLatLng([500, 650]))")
    with qtbot.waitSignal(drv.view.context_action, timeout=3000) as blocker:
        drv.js("JSON.stringify(CEDC.debug.chooseMenu('dispatch_here'))")
    action, kind, eid, lat, lon = blocker.args
    assert (action, kind, eid) == ("dispatch_here", "", "")
    assert lat == pytest.approx(expected["lat"], abs=1e-9)
    assert lon == pytest.approx(expected["lng"], abs=1e-9)


def test_search_by_licence_and_call_sign(drv: Any, qtbot: QtBot) -> None:
    results = drv.js("JSON.stringify(CEDC.search('2023-0815'))")
    assert [(r["kind"], r["id"]) for r in results] == [("venue", "v2")]
    results = drv.js("JSON.stringify(CEDC.search('朝文执02'))")
    assert [(r["kind"], r["id"]) for r in results] == [("unit", "u2")]
    assert drv.js("JSON.stringify(CEDC.search('不存在的名字'))") == []
    assert [r["id"] for r in drv.js("JSON.stringify(CEDC.search('脱口秀'))")] == ["v3"]
    # type into the box as an operator would (Chinese comes through the input method, so
    # digits here), then press Enter: the first hit is selected and centred
    drv.js("document.querySelector('.cedc-search input').focus(), '1'")
    drv.view.web_view.setFocus()
    QTest.keyClicks(drv.target, "2024-077")
    rows = "JSON.stringify(document.querySelectorAll('.cedc-search-row').length)"
    qtbot.waitUntil(lambda: drv.js(rows) == 1)
    with qtbot.waitSignal(drv.view.entity_selected, timeout=3000) as blocker:
        QTest.keyClick(drv.target, Qt.Key.Key_Return)
    assert blocker.args == ["venue", "v3"]
    view = drv.js("CEDC.debug.view()")
    assert (view["lat"], view["lon"]) == pytest.approx((39.915, 116.43), abs=1e-6)
    drv.js("document.querySelector('.cedc-search input').blur(), '1'")


# ---------------------------------------------------------------------------- follow
def test_follow_mode_keeps_the_unit_in_view_with_a_trail(drv: Any, qtbot: QtBot) -> None:
    drv.view.follow("unit", "u1", trail=[(39.930, 116.450), (39.935, 116.455)])
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.follow()")["id"] == "u1")
    start = drv.js("CEDC.debug.follow()")["trail"]
    assert start == 3  # two given points and where it is now
    for step in range(1, 4):
        drv.view.queue_update("unit", "u1", {"lat": 39.9420 + step * 0.002, "lon": 116.4620,
                                         "last_fix": time.time()})
        qtbot.waitUntil(lambda s=step: drv.js("CEDC.debug.follow()")["trail"] == 3 + s)
    qtbot.waitUntil(lambda: abs(drv.js("CEDC.debug.view()")["lat"] - 39.948) < 0.002)
    banner = drv.js("JSON.stringify(document.querySelector('.cedc-follow').textContent)")
    assert "正在跟随：朝文执01" in banner
    with qtbot.waitSignal(drv.view.follow_changed, timeout=3000) as blocker:
        drv.js("document.querySelector('.cedc-follow button').click(), '1'")
    assert blocker.args == ["", ""]
    assert drv.js("CEDC.debug.follow()")["id"] is None


# ---------------------------------------------------------------------------- geofences
def test_drawn_polygon_comes_back_as_wgs84_geojson_and_works_as_a_fence(
        drv: Any, qtbot: QtBot) -> None:
    drv.show(39.932, 116.45, 14)
    corners = [(39.930, 116.450), (39.930, 116.465), (39.940, 116.465), (39.940, 116.450)]
    drv.view.start_drawing("polygon")
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.draw.mode)") == "polygon")
    with qtbot.waitSignal(drv.view.shape_drawn, timeout=3000) as blocker:
        for lat, lon in corners:
            drv.view.run_js(f"CEDC.debug.fireAt('click', {lat}, {lon})")
        drv.view.run_js(f"CEDC.debug.fireAt('click', {corners[-1][0]}, {corners[-1][1]})")
        drv.view.run_js(f"CEDC.debug.fireAt('dblclick', {corners[-1][0]}, {corners[-1][1]})")
    feature = json.loads(blocker.args[0])
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    for (lat, lon), (glon, glat) in zip(corners, ring[:4], strict=True):
        assert (glat, glon) == pytest.approx((lat, lon), abs=2e-5)  # one screen pixel
    fence = fence_from_geojson(feature, fence_id="drawn", name="三里屯管控区")
    assert isinstance(fence, PolygonFence)
    engine = GeofenceEngine([fence])
    engine.update("u1", 39.920, 116.440, 0)
    assert [e.transition for e in engine.update("u1", 39.935, 116.457, 1)] == [Transition.ENTER]
    assert [e.transition for e in engine.update("u1", 39.945, 116.457, 2)] == [Transition.LEAVE]
    assert drv.js("JSON.stringify(CEDC.draw.mode)") is None


def test_drawn_circle_and_fences_shown(drv: Any, qtbot: QtBot) -> None:
    drv.view.start_drawing("circle")
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.draw.mode)") == "circle")
    with qtbot.waitSignal(drv.view.shape_drawn, timeout=3000) as blocker:
        drv.view.run_js("CEDC.debug.fireAt('click', 39.935, 116.46)")
        drv.view.run_js("CEDC.debug.fireAt('click', 39.935, 116.4635)")
    feature = json.loads(blocker.args[0])
    fence = fence_from_geojson(feature, fence_id="c1")
    assert isinstance(fence, CircleFence)
    assert (fence.lat, fence.lon) == pytest.approx((39.935, 116.46), abs=2e-5)
    assert fence.radius_m == pytest.approx(0.0035 * 111_320 * math.cos(math.radians(39.935)),
                                           rel=0.02)
    drv.view.set_fences(fences_to_geojson([fence, PolygonFence(
        "p", ((39.93, 116.45), (39.93, 116.46), (39.94, 116.46)), name="测试")]))
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.counts()")["fences"] == 2)


def test_escape_cancels_a_drawing(drv: Any, qtbot: QtBot) -> None:
    drv.view.start_drawing("polygon")
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.draw.mode)") == "polygon")
    drv.view.run_js("CEDC.debug.fireAt('click', 39.93, 116.45)")
    drv.view.web_view.setFocus()
    with qtbot.assertNotEmitted(drv.view.shape_drawn, wait=200):
        QTest.keyClick(drv.target, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: drv.js("JSON.stringify(CEDC.draw.mode)") is None)


# ---------------------------------------------------------------------------- replay
TRACKS = {
    "u1": [(1000.0, 39.90, 116.40), (1060.0, 39.91, 116.41), (1120.0, 39.92, 116.43)],
    "u2": [(1030.0, 39.95, 116.50), (1090.0, 39.94, 116.48)],
}


def replay_state(drv: Any) -> dict[str, Any]:
    return drv.js("CEDC.debug.replay()")


def test_replay_steps_through_fixes_and_matches_python(drv: Any, qtbot: QtBot) -> None:
    drv.view.start_replay(TRACKS, 1000.0, 1120.0, labels={"u2": "朝文执02"})
    assert drv.view.replay_bar.isVisible()
    qtbot.waitUntil(lambda: replay_state(drv)["active"])
    state = replay_state(drv)
    assert state["t"] == 1000.0
    assert state["positions"] == {"u1": [39.90, 116.40], "u2": None}  # u2 not reported yet
    expected_times = [1030.0, 1060.0, 1090.0, 1120.0]
    for t in expected_times:
        drv.view.replay_bar.forward_button.click()
        assert drv.view.replay.time == t
        qtbot.waitUntil(lambda t=t: replay_state(drv)["t"] == t)
        state = replay_state(drv)
        for uid, track in TRACKS.items():
            want = position_at(normalise_track(track), t)
            got = state["positions"][uid]
            assert (got is None) == (want is None)
            if want is not None:
                assert got == pytest.approx(list(want), abs=1e-9)
    drv.view.replay_bar.back_button.click()
    assert drv.view.replay.time == 1090.0
    assert drv.view.replay_bar.time_label.text() == "1970-01-01 08:18:10"  # Beijing time


def test_replay_plays_at_speed_and_pauses(drv: Any, qtbot: QtBot) -> None:
    drv.view.start_replay(TRACKS, 1000.0, 1120.0)
    drv.view.replay_bar.speed_box.setCurrentIndex(drv.view.replay_bar.speed_box.findData(64))
    assert drv.view.replay.speed == 64
    with qtbot.waitSignal(drv.view.replay.playing_changed, timeout=1000):
        drv.view.replay_bar.play_button.click()
    qtbot.waitUntil(lambda: drv.view.replay.time > 1030.0, timeout=3000)
    drv.view.replay_bar.play_button.click()
    assert not drv.view.replay.playing
    paused_at = drv.view.replay.time
    qtbot.waitUntil(lambda: replay_state(drv)["t"] == paused_at)
    drv.spin(lambda: True, 0.3)
    assert drv.view.replay.time == paused_at
    # the slider seeks
    drv.view.replay_bar.slider.setValue(60)
    qtbot.waitUntil(lambda: replay_state(drv)["t"] == 1060.0)
    assert replay_state(drv)["positions"]["u1"] == pytest.approx([39.91, 116.41])
    drv.view.replay_bar.close_button.click()
    assert not drv.view.replay_bar.isVisible()
    qtbot.waitUntil(lambda: not replay_state(drv)["active"])


@pytest.mark.expect_log_errors
def test_a_malformed_page_message_is_logged_and_ignored(
        drv: Any, qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    with qtbot.assertNotEmitted(drv.view.entity_selected, wait=300):
        drv.view.run_js("CEDC.post({type: 'select'}); CEDC.post({type: 'nonsense'});"
                        "CEDC.bridge.post('not json'); 1")
    qtbot.waitUntil(lambda: sum("unreadable message" in r.getMessage()
                                for r in caplog.records) == 3)


def test_a_broken_fix_keeps_the_last_position(drv: Any, qtbot: QtBot) -> None:
    before = drv.entity("unit", "u2")
    drv.view.queue_positions("unit", [("u2", math.nan, math.inf, 10.0, 5.0, time.time())])
    qtbot.waitUntil(lambda: drv.view.pending_updates == 0)
    drv.spin(lambda: True, 0.2)
    after = drv.entity("unit", "u2")
    assert (after["lat"], after["lon"]) == (before["lat"], before["lon"])


def test_no_script_errors_so_far(drv: Any) -> None:
    assert drv.view.script_errors == []
    assert drv.view.page.console_errors == []

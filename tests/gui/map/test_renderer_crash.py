"""The map survives its Chromium renderer process dying: a real renderer is killed with SIGKILL
and the page comes back by itself with its layers, selection and follow mode, while the status
bar says so; repeated deaths back off."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.geo.geofence import CircleFence, PolygonFence, fences_to_geojson
from widgets.map import MapConfig
from widgets.map.view import RELOAD_DELAYS_S
from widgets.status_bar import LinkStatusBar

pytestmark = [pytest.mark.gui, pytest.mark.expect_log_errors]

T0 = 1_700_000_000.0  # fixed epoch seconds: nothing here depends on the wall clock
PIXEL = 5e-5  # degrees: about one screen pixel at zoom 15 (Leaflet pans by whole pixels)
RESTORE_TIMEOUT_MS = 60_000  # two shared cores: generous; the time taken is printed
VENUES = [
    {"id": "v1", "name": "蓝色港湾剧场", "venue_type": "performance", "venue_class": "key",
     "grade": "A", "lat": 39.9490, "lon": 116.4700},
    {"id": "v2", "name": "星光网吧", "venue_type": "internet_cafe", "venue_class": "regular",
     "grade": "D", "lat": 39.9300, "lon": 116.4500},
]
UNITS = [
    {"id": "u1", "call_sign": "朝文执01", "status": "available", "lat": 39.9400, "lon": 116.4600,
     "heading": 90.0, "speed": 32.0, "last_fix": T0, "members": "张三、李四"},
    {"id": "u2", "call_sign": "朝文执02", "status": "en_route", "lat": 39.9200,
     "lon": 116.4800, "heading": 0.0, "speed": 0.0, "last_fix": T0 - 60},
]
INCIDENTS = [
    {"id": "i1", "number": "JQ-0001", "title": "无证经营演出", "priority": 1, "status": "new",
     "lat": 39.9350, "lon": 116.4550},
]
OFFICERS = [{"id": "o1", "name": "赵六", "status": "available", "lat": 39.936, "lon": 116.452,
             "last_fix": T0}]
FENCES = fences_to_geojson([
    CircleFence("c1", 39.935, 116.46, 300.0, name="三里屯管控区"),
    PolygonFence("p1", ((39.93, 116.45), (39.93, 116.46), (39.94, 116.46)), name="工体周边"),
])

#: Everything a user could see on the page, read out of the page itself.
SNAPSHOT = """JSON.stringify((function () {
  var C = CEDC, entities = {};
  C.KINDS.forEach(function (k) {
    var rows = [];
    C.store.kinds[k].forEach(function (e, id) {
      rows.push([id, {lat: e.lat, lon: e.lon, heading: e.hdg, speed: e.spd, last_fix: e.t,
                      fields: e.f}]);
    });
    rows.sort(function (a, b) { return a[0] < b[0] ? -1 : 1; });
    entities[k] = rows;
  });
  var counts = JSON.parse(C.debug.counts());
  return {entities: entities, fences: counts.fences, pulsing: counts.pulsing,
          fenceNames: C.fences.group.getLayers().map(function (l) {
            return l.feature ? l.feature.properties.name : null; }).sort(),
          districts: JSON.parse(C.debug.districts()), layers: JSON.parse(C.debug.layers()).sort(),
          selection: C.selection, follow: JSON.parse(C.debug.follow()),
          banner: (document.querySelector('.cedc-follow') || {}).textContent || null,
          view: JSON.parse(C.debug.view())};
}()))"""


@pytest.fixture(scope="module")
def drv(open_map: Any, districts_text: str) -> Iterator[Any]:
    """A page with districts, venues, units, an officer, an incident and two geofences, some of
    them changed by live batches since; plus a status bar wired to the view."""
    d = open_map(MapConfig(tick_hz=20.0, stale_after_s=120.0))
    v = d.view
    v.set_districts(districts_text, "110105")
    v.set_entities("venue", VENUES)
    v.set_entities("unit", UNITS)
    v.set_entities("incident", INCIDENTS)
    v.set_entities("officer", OFFICERS)
    v.set_fences(FENCES)
    # live changes after the replace: a fix, a status, a new unit, a removed one
    v.queue_update("unit", "u2", {"status": "on_scene"})
    v.queue_update("unit", "u3", {"call_sign": "朝文执03", "status": "available",
                                  "lat": 39.925, "lon": 116.44, "last_fix": T0})
    v.queue_positions("unit", [("u1", 39.9410, 116.4610, 45.0, 30.0, T0 + 1)])
    v.queue_update("incident", "i2", {"number": "JQ-0002", "title": "噪音扰民", "priority": 3,
                                      "lat": 39.93, "lon": 116.47})
    v.queue_remove("incident", "i2")
    d.spin(lambda: v.pending_updates == 0 and d.js("CEDC.debug.counts()")["unit"] == 3)
    d.status = LinkStatusBar()
    v.status_notice.connect(partial(d.status.set_notice, "map"))
    yield d
    d.status.deleteLater()
    d.close()


def kill_renderer(drv: Any) -> int:
    pid = drv.view.page.renderProcessPid()
    assert pid > 0 and pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    return int(pid)


def test_killed_renderer_is_replaced_and_the_map_is_as_it_was(
        drv: Any, qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    view = drv.view
    view.center_on(39.935, 116.455, 14)
    # the operator hides the officers in the page's own layer control
    drv.js("CEDC.map.removeLayer(CEDC.layers.officer), '1'")
    view.select("unit", "u1")
    view.follow("unit", "u1", trail=[(39.930, 116.450)])
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.follow()")["id"] == "u1")
    view.queue_positions("unit", [("u1", 39.9440, 116.4630, 50.0, 35.0, T0 + 2)])
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.follow()")["trail"] == 3)
    # (the follow pan is animated, and animations crawl offscreen: put the view there at once)
    drv.show(39.944, 116.463, 15)
    qtbot.waitUntil(lambda: view.state.view is not None
                    and view.state.view[:2] == pytest.approx((39.944, 116.463), abs=PIXEL))
    before = drv.js(SNAPSHOT)
    assert before["selection"] == {"kind": "unit", "id": "u1"}
    assert "officer" not in before["layers"] and "unit" in before["layers"]
    assert [r[0] for r in before["entities"]["unit"]] == ["u1", "u2", "u3"]
    assert before["fences"] == 2 and before["districts"]["count"] == 16

    notices: list[str] = []
    drv.status.notice_changed.connect(notices.append)
    reloads = view.reloads
    started = time.monotonic()
    with qtbot.waitSignal(view.restored, timeout=RESTORE_TIMEOUT_MS):
        old_pid = kill_renderer(drv)
        qtbot.waitUntil(lambda: view.is_recovering, timeout=10_000)
        # meanwhile the status bar says so, and updates are held, not lost
        assert "renderer" in drv.status.notice_text()
        view.queue_update("unit", "u2", {"status": "clearing"})
    took = time.monotonic() - started
    print(f"renderer killed → map restored in {took:.2f} s")
    assert view.reloads == reloads + 1  # reloaded at once (first death), not backed off
    assert view.page.renderProcessPid() not in (0, old_pid)
    assert notices[0].startswith("The map's renderer process exited")
    assert notices[-1] == "" and drv.status.notice_text() == ""
    assert not drv.status.notice.isVisibleTo(drv.status)
    assert any("renderer stopped" in r.getMessage() and "reloading the map in" in r.getMessage()
               for r in caplog.records if r.levelname == "ERROR")

    qtbot.waitUntil(lambda: drv.entity("unit", "u2")["fields"]["status"] == "clearing")
    drv.spin(lambda: True, 0.5)
    after = drv.js(SNAPSHOT)
    before["entities"]["unit"][1][1]["fields"]["status"] = "clearing"  # the held update
    assert after["entities"] == before["entities"]
    for key in ("fences", "fenceNames", "pulsing", "districts", "layers", "selection", "banner"):
        assert after[key] == before[key], key
    assert after["follow"] == before["follow"] == {"kind": "unit", "id": "u1", "trail": 3}
    assert after["view"]["zoom"] == before["view"]["zoom"]

    def same_place() -> bool:  # (a follow pan of a pixel or two may still be under way)
        now = drv.js("CEDC.debug.view()")
        return bool((now["lat"], now["lon"]) == pytest.approx(
            (before["view"]["lat"], before["view"]["lon"]), abs=2 * PIXEL))

    qtbot.waitUntil(same_place, timeout=15_000)  # the follow pan animates slowly offscreen
    assert drv.entity("unit", "u1")["selected"] and drv.entity("unit", "u1")["drawn"]

    # the new page takes live updates, and follow mode keeps going
    view.queue_positions("unit", [("u1", 39.9460, 116.4640, 55.0, 35.0, T0 + 3)])
    qtbot.waitUntil(lambda: drv.js("CEDC.debug.follow()")["trail"] == 4)
    assert drv.entity("unit", "u1")["lat"] == 39.946
    # the operator's own follow stop on the new page reaches Python and would be kept
    with qtbot.waitSignal(view.follow_changed, timeout=3000):
        drv.js("document.querySelector('.cedc-follow button').click(), '1'")
    assert view.state.follow is None
    view.follow("unit", "u1")
    assert view.script_errors == [] and view.page.console_errors == []


def test_a_renderer_that_keeps_dying_is_reloaded_later_each_time(
        drv: Any, qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    view = drv.view
    assert view.is_ready
    notices: list[str] = []
    drv.status.notice_changed.connect(notices.append)
    reloads = view.reloads
    # the page came back moments ago: dying again now is the second death in a row
    with qtbot.waitSignal(view.renderer_lost, timeout=10_000):
        kill_renderer(drv)
    assert view.is_recovering and view.reloads == reloads  # not reloaded at once …
    assert view._reload_timer.remainingTime() > RELOAD_DELAYS_S[0] * 1000  # … but later
    assert "keeps exiting" in notices[-1] and f"{RELOAD_DELAYS_S[1]:g} s" in notices[-1]
    with qtbot.waitSignal(view.restored, timeout=RESTORE_TIMEOUT_MS):
        pass
    assert view.reloads == reloads + 1
    delays = [r.getMessage().split("reloading the map in ")[1].split(" s")[0]
              for r in caplog.records if "reloading the map in" in r.getMessage()]
    assert delays == [f"{RELOAD_DELAYS_S[1]:.1f}"]
    assert notices[-1] == ""
    assert [r[0] for r in drv.js(SNAPSHOT)["entities"]["unit"]] == ["u1", "u2", "u3"]
    assert drv.js("CEDC.debug.follow()")["id"] == "u1"
    QApplication.processEvents()

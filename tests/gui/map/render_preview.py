"""Render the map offscreen to a PNG, to look at it: the real districts, random venues and units.

Not a test (pytest does not collect it). Run from the repository root::

    QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 .venv/bin/python \\
        tests/gui/map/render_preview.py out/map.png --venues 400 --units 60

``--scene`` adds what an operator would have open: ``legend`` (legend and layer list),
``hover`` (a tooltip), ``menu`` (right-click menu), ``replay`` (two tracks with the replay bar),
``follow`` (follow mode with a trail), ``draw`` (a polygon being drawn).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from widgets.map.scheme import register_scheme  # noqa: E402

register_scheme()

import shiboken6  # noqa: E402
from PySide6.QtCore import QEventLoop, QPoint, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from widgets.map import MapConfig, MapView  # noqa: E402

TYPES = ("performance", "internet_cafe", "karaoke_dance", "games_arcade", "publications", "art",
         "script_game")
STATUSES = ("available", "available", "dispatched", "en_route", "on_scene", "clearing",
            "off_duty", "out_of_service")


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--venues", type=int, default=400)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jurisdiction", default="110105")
    parser.add_argument("--zoom", type=int, default=0, help="0: fit the jurisdiction")
    parser.add_argument("--center", default="39.93,116.45")
    parser.add_argument("--size", default="1280x860")
    parser.add_argument("--lang", default="zh")
    parser.add_argument("--scene", action="append", default=[])
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = MapView(MapConfig(language=args.lang))
    w, h = (int(v) for v in args.size.split("x"))
    view.resize(w, h)
    view.show()
    rnd = random.Random(args.seed)
    districts = (ROOT / "resources/geo/beijing_districts_wgs84.geojson").read_text("utf-8")
    view.set_districts(districts, None if args.jurisdiction == "city" else args.jurisdiction)
    venues = []
    for i in range(args.venues):
        # denser towards the centre, like the real city
        r = abs(rnd.gauss(0, 0.12))
        a = rnd.random() * 2 * math.pi
        venues.append({
            "id": f"v{i}", "name": f"示例场所{i:03d}", "licence_no": f"京文{2020 + i % 5}-{i:04d}",
            "venue_type": rnd.choice(TYPES),
            "venue_class": rnd.choices(("key", "temporary", "regular"), (1, 2, 7))[0],
            "grade": rnd.choices("ABCD", (5, 3, 2, 1))[0],
            "lat": 39.92 + r * math.sin(a), "lon": 116.42 + 1.3 * r * math.cos(a),
            "address": f"某某路{i}号", "district": "朝阳区"})
    view.set_entities("venue", venues)
    now = time.time()
    units = [{"id": f"u{i}", "call_sign": f"朝文执{i:02d}", "status": rnd.choice(STATUSES),
              "lat": 39.86 + rnd.random() * 0.16, "lon": 116.40 + rnd.random() * 0.2,
              "heading": rnd.random() * 360, "speed": rnd.random() * 50,
              "last_fix": now - (600 if i % 9 == 0 else rnd.random() * 20),
              "members": "张三、李四", "plate": f"京A·F{i:04d}"} for i in range(args.units)]
    if units:
        units[0]["status"] = "emergency"
    view.set_entities("unit", units)
    view.set_entities("camera", [{"id": f"c{i}", "name": f"记录仪{i}", "live": i % 3 != 0,
                                  "lat": 39.90 + rnd.random() * 0.08,
                                  "lon": 116.42 + rnd.random() * 0.1} for i in range(12)])
    view.set_entities("incident", [{"id": f"i{i}", "number": f"J2025{i:04d}",
                                    "title": "群众举报：无证经营", "priority": 1 + i % 4,
                                    "status": "new", "lat": 39.89 + rnd.random() * 0.08,
                                    "lon": 116.43 + rnd.random() * 0.1} for i in range(8)])
    ready: list[bool] = []
    view.page_ready.connect(lambda: ready.append(True))
    deadline = time.monotonic() + 60
    while not ready and time.monotonic() < deadline:
        wait(50)
    if args.zoom:
        lat, lon = (float(v) for v in args.center.split(","))
        view.center_on(lat, lon, args.zoom)
    wait(800)
    target = view.web_view.focusProxy()
    if "legend" in args.scene:
        view.run_js("document.querySelector('.cedc-legend').classList.add('cedc-open');"
                    "CEDC.layerControl.expand(); 1")
    if "follow" in args.scene:
        view.follow("unit", "u1", trail=[(39.90 + k * 0.001, 116.44 + k * 0.0015)
                                         for k in range(10)])
        wait(500)
    if "replay" in args.scene:
        t0 = now - 3600
        tracks = {u: [(t0 + k * 60, 39.90 + k * 0.0009 * (1 + j), 116.40 + k * 0.0013 * (2 - j))
                      for k in range(61)] for j, u in enumerate(("u1", "u2"))}
        view.start_replay(tracks, t0, t0 + 3600)
        wait(300)
        view.replay.seek(t0 + 1800)
    if "draw" in args.scene:
        view.start_drawing("polygon")
        wait(200)
        for lat, lon in ((39.93, 116.44), (39.93, 116.47), (39.95, 116.47)):
            view.run_js(f"CEDC.debug.fireAt('click', {lat}, {lon})")
        view.run_js("CEDC.debug.fireAt('mousemove', 39.952, 116.445)")
    wait(600)
    if "hover" in args.scene or "menu" in args.scene:
        view.focus("unit", "u3", 15)
        wait(400)
        box: list[str] = []
        view.run_js("CEDC.debug.entity('unit', 'u3')", box.append)
        while not box:
            wait(20)
        import json

        p = json.loads(box[0])["point"]
        pos = QPoint(round(p[0]), round(p[1]))
        QTest.mouseMove(target, pos)
        if "menu" in args.scene:
            QTest.mouseClick(target, Qt.MouseButton.RightButton, Qt.KeyboardModifier(0), pos)
        wait(400)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(args.out))
    print(f"wrote {args.out}; page errors: {view.script_errors or 'none'}")
    view.close()
    shiboken6.delete(view)
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())

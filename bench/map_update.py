"""Benchmark: one live batch moving N units on the map (headless).

For N = 500, 2 000, 10 000 units it measures, per batch:

* ``js``: time inside the page to decode and apply the batch and redraw the canvas
  (``performance.now()`` around the handler; rasterisation happens after, off the main JS path);
* ``py``: Python time to build the batch message and hand it to the web channel
  (``MapView.flush``: coalesced queue → JSON + base64 positions → ``Signal.emit``);
* ``queue``: Python time to queue the N fixes with ``queue_update`` (spread over a tick in real
  use, so not a stall; ``queue_positions`` is the bulk form, also measured);
* ``stall``: the longest gap seen by a 5 ms QTimer on the UI thread while batches are sent
  and applied.

Prints a table and, last, one JSON line for the largest N::

    {"units": 10000, "js_ms_median": …, "py_ms_median": …, "ui_stall_ms_max": …}

Run: ``QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1 .venv/bin/python
bench/map_update.py`` (``--rounds``, ``--units 500,2000,10000``, ``--transport runjs`` to send
the same message through ``runJavaScript`` instead of the web channel, for comparison).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from widgets.map.scheme import register_scheme  # noqa: E402

register_scheme()

import shiboken6  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from widgets.map import MapConfig, MapView  # noqa: E402

STATUSES = ("available", "dispatched", "en_route", "on_scene", "clearing", "off_duty")


def wait_until(predicate: Callable[[], bool], timeout_s: float = 30.0) -> None:
    """Spin the event loop until ``predicate()`` or fail."""
    deadline = time.monotonic() + timeout_s
    loop = QEventLoop()
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("timed out waiting for the map page")
        QTimer.singleShot(5, loop.quit)
        loop.exec()


def js(view: MapView, script: str, timeout_s: float = 30.0) -> Any:
    """Evaluate ``script`` (returning a JSON string) and return the parsed value."""
    box: list[Any] = []
    view.run_js(script, box.append)
    wait_until(lambda: bool(box), timeout_s)
    return json.loads(box[0])


class StallMeter:
    """Largest gap between 5 ms timer ticks on the UI thread."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.max_gap_ms = 0.0

    def start(self) -> None:
        self.max_gap_ms = 0.0
        self.clock.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        gap = self.clock.nsecsElapsed() / 1e6
        self.clock.restart()
        self.max_gap_ms = max(self.max_gap_ms, gap - 5.0)


def run(n: int, rounds: int, view: MapView, transport: str, meter: StallMeter) -> dict[str, Any]:
    rnd = random.Random(n)
    now = time.time()
    units = []
    pos = []
    for i in range(n):
        lat = 39.70 + rnd.random() * 0.5
        lon = 116.10 + rnd.random() * 0.6
        pos.append([lat, lon])
        units.append({"id": f"u{i}", "call_sign": f"京文执{i:05d}", "status": rnd.choice(STATUSES),
                      "lat": lat, "lon": lon, "heading": rnd.random() * 360, "speed": 30.0,
                      "last_fix": now})
    view.set_entities("unit", units)
    js(view, "CEDC.debug.resetStats(true), JSON.stringify(CEDC.store.kinds.unit.size)")
    wait_until(lambda: js(view, "JSON.stringify(CEDC.store.kinds.unit.size)") == n)

    py_ms: list[float] = []
    queue_ms: list[float] = []
    bulk_ms: list[float] = []
    build_ms: list[float] = []
    send_ms: list[float] = []
    stall = 0.0
    for r in range(rounds):
        t = time.time()
        # move every unit a few metres
        t0 = time.perf_counter()
        for i in range(n):
            p = pos[i]
            p[0] += (rnd.random() - 0.5) * 2e-4
            p[1] += (rnd.random() - 0.5) * 2e-4
            view.queue_update("unit", f"u{i}", {"lat": p[0], "lon": p[1],
                                                "heading": (r * 7 + i) % 360, "speed": 35.0,
                                                "last_fix": t})
        queue_ms.append((time.perf_counter() - t0) * 1000)
        if r % 2:  # the bulk API on alternate rounds (same message)
            view._queue.discard_kind("unit")
            rows = [(f"u{i}", pos[i][0], pos[i][1], float((r * 7 + i) % 360), 35.0, t)
                    for i in range(n)]
            t0 = time.perf_counter()
            view.queue_positions("unit", rows)
            bulk_ms.append((time.perf_counter() - t0) * 1000)
        meter.start()
        t0 = time.perf_counter()
        message = view._queue.take()
        assert message is not None
        t1 = time.perf_counter()
        if transport == "channel":
            view._bridge.push.emit(message)
        else:
            view.page.runJavaScript("CEDC.receive(" + json.dumps(message) + ")")
        t2 = time.perf_counter()
        build_ms.append((t1 - t0) * 1000)
        send_ms.append((t2 - t1) * 1000)
        py_ms.append((t2 - t0) * 1000)
        wait_until(lambda r=r: js(view, "JSON.stringify(CEDC.stats.batches)") >= r + 1)
        meter.stop()
        stall = max(stall, meter.max_gap_ms)
    stats = js(view, "CEDC.debug.stats()")
    js_ms = stats["applyMs"][-rounds:]
    draw_ms = stats["drawMs"][-rounds:]
    frame_ms = stats["frameMs"][-rounds:] or [math.nan]
    # the first batch after set_entities also creates sprites; report steady state
    steady = js_ms[1:] or js_ms
    return {
        "units": n,
        "js_ms_median": round(statistics.median(steady), 2),
        "js_ms_p95": round(_p95(steady), 2),
        "draw_ms_median": round(statistics.median(draw_ms[1:] or draw_ms), 2),
        "frame_ms_median": round(statistics.median(frame_ms), 2),
        "py_ms_median": round(statistics.median(py_ms[1:] or py_ms), 2),
        "py_ms_max": round(max(py_ms), 2),
        "queue_ms_median": round(statistics.median(queue_ms), 2),
        "bulk_queue_ms_median": round(statistics.median(bulk_ms), 2) if bulk_ms else math.nan,
        "py_build_ms_median": round(statistics.median(build_ms), 2),
        "py_send_ms_median": round(statistics.median(send_ms), 2),
        "ui_stall_ms_max": round(stall, 2),
    }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", default="500,2000,10000")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--transport", choices=("channel", "runjs"), default="channel")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    view = MapView(MapConfig(tick_hz=0.001))  # the bench flushes by hand
    view.resize(1280, 860)
    view.show()
    wait_until(lambda: view.is_ready, 60)
    view.set_districts((ROOT / "resources/geo/beijing_districts_wgs84.geojson").read_text("utf-8"))
    view.center_on(39.95, 116.40, 11)
    meter = StallMeter()
    results = [run(int(n), args.rounds, view, args.transport, meter)
               for n in args.units.split(",")]
    cols = ["units", "js_ms_median", "js_ms_p95", "draw_ms_median", "frame_ms_median",
            "py_ms_median", "py_ms_max", "py_build_ms_median", "py_send_ms_median",
            "queue_ms_median", "bulk_queue_ms_median", "ui_stall_ms_max"]
    print(f"transport: {args.transport}; {args.rounds} batches per size; times in ms")
    print(" | ".join(f"{c:>14}" for c in cols))
    for r in results:
        print(" | ".join(f"{r[c]:>14}" for c in cols))
    if view.script_errors:
        print("page errors:", view.script_errors, file=sys.stderr)
    last = results[-1]
    print(json.dumps({"units": last["units"], "js_ms_median": last["js_ms_median"],
                      "py_ms_median": last["py_ms_median"],
                      "ui_stall_ms_max": last["ui_stall_ms_max"]}))
    failed = bool(view.script_errors)
    view.close()
    shiboken6.delete(view)  # before the QApplication goes: the page must die before its profile
    del app
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

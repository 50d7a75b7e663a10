"""Benchmark: how many 640×360 25 fps streams the console decodes and shows at full rate.

A child process serves one pre-encoded H.264 + AAC clip (``python -m app.media serve
--bench``: packets copied and paced, never encoded) over HTTP-FLV (or HLS / MJPEG with
``--protocol``); its CPU is not counted. This process is the console: the real
``MediaService`` (one reader thread per stream: PyAV demux and decode, OpenCV colour
conversion and scaling) and the real ``VideoWall`` widget at 1600×900, offscreen, with N
tiles each showing its own connection. Walls hold 16 tiles; beyond that a second wall is
opened.

Per N it measures, after a warm-up:

* ``fps_min`` / ``fps_med``: pictures PAINTED per second by the slowest / median tile:
  paint events of the tile that drew a picture it had not painted before (a picture taken
  from the source but replaced before the tile got to paint it does not count);
* ``taken_min``: pictures taken from the source per second by the slowest tile (what
  ``fps_min`` counted before 2026-12-03);
* ``cpu_cores``: CPU time of this process (all threads) per wall-clock second, and
  ``ui_cores`` the part of it spent on the UI thread (signals, painting);
* ``delay_p50`` / ``delay_p95``: decode-to-paint delay (ms), from the moment a picture left
  the decoder to the moment its tile painted it (conversion, scaling, the queued signal and
  the paint);
* ``ui_lag_p99`` / ``ui_lag_max``: lateness of a 10 ms timer on the UI thread (ms), i.e.
  how long input would wait.

A row is "full rate" when every tile paints at least 24 fps and the UI lag p99 stays
under 50 ms. Prints a table and, last, one JSON line with the 16-tile row and the largest N
at full rate::

    {"tiles": 16, "fps_min": …, "fps_med": …, "cpu_cores": …, "delay_ms_p95": …, "ui_lag_ms_p99": …,
     "max_tiles_full_rate": …}

Run: ``.venv/bin/python bench/video_wall.py`` (``--tiles 4,9,16,20,25``, ``--seconds 10``,
``--protocol flv|hls|mjpeg``). The clip is generated into the user cache on first use.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.media.directory import MediaDirectory  # noqa: E402
from app.media.servers import demo_kind  # noqa: E402
from app.media.service import MediaService  # noqa: E402
from app.media.types import SourceSpec, SourceState  # noqa: E402
from widgets.video_wall import VideoWall  # noqa: E402

FULL_FPS = 24.0
UI_LAG_LIMIT_MS = 50.0


def spin(seconds: float) -> None:
    """Run the event loop for ``seconds``."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


class LagProbe:
    """A 10 ms timer on the UI thread; records how late each tick is."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0

    def start(self) -> None:
        self.lags.clear()
        self._clock.start()
        self._last = 0.0
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        now = self._clock.nsecsElapsed() / 1e6
        if self._last:
            self.lags.append(max(0.0, now - self._last - 10.0))
        self._last = now


def run(n: int, url: str, kind: str, seconds: float, warmup: float,
        evidence: Path) -> dict[str, float]:
    """One measurement with ``n`` tiles."""
    specs = {i: SourceSpec(i, f"BENCH {i:02d}", url, demo_kind(f"x-{kind}"))
             for i in range(1, n + 1)}
    media = MediaService(evidence_dir=evidence, poll_ms=500, linger_s=0)
    media.start()
    media.set_directory(MediaDirectory(sources=specs))
    walls: list[VideoWall] = []
    ids = list(specs)
    while ids:
        chunk, ids = ids[:16], ids[16:]
        wall = VideoWall(media)
        wall.resize(1600, 900)
        wall.show()
        grid = next(g for g in ("1", "2x2", "3x3", "4x4") if
                    {"1": 1, "2x2": 4, "3x3": 9, "4x4": 16}[g] >= len(chunk))
        wall.set_grid(grid)
        wall.open_sources(chunk)
        walls.append(wall)
    tiles = [t for w in walls for t in w.visible_tiles() if t.source_id is not None]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not all(
            media.stats(t.source_id).state is SourceState.LIVE for t in tiles
            if t.source_id is not None):
        spin(0.2)
    spin(warmup)
    probe = LagProbe()
    counts0 = {id(t): t.sink.taken if t.sink else 0 for t in tiles}
    painted_tiles0 = {id(t): t.frames_painted for t in tiles}
    published0 = sum(t.sink.published for t in tiles if t.sink)
    for w in walls:
        w.paint_stats.delays_ms.clear()
    painted0 = sum(w.paint_stats.painted for w in walls)
    cpu0, ui0, wall0 = time.process_time(), time.thread_time(), time.monotonic()
    probe.start()
    spin(seconds)
    probe.stop()
    cpu1, ui1, wall1 = time.process_time(), time.thread_time(), time.monotonic()
    elapsed = wall1 - wall0
    taken = sorted((t.sink.taken - counts0[id(t)]) / elapsed if t.sink else 0.0 for t in tiles)
    fps = sorted((t.frames_painted - painted_tiles0[id(t)]) / elapsed for t in tiles)
    painted = sum(w.paint_stats.painted for w in walls) - painted0
    published = sum(t.sink.published for t in tiles if t.sink) - published0
    delays = [d for w in walls for d in w.paint_stats.delays_ms]
    result = {
        "tiles": float(n),
        "fps_min": round(fps[0], 1),
        "fps_med": round(statistics.median(fps), 1),
        "taken_min": round(taken[0], 1),
        "painted_fps": round(painted / elapsed / n, 1),
        "decoded_fps": round(published / elapsed / n, 1),
        "cpu_cores": round((cpu1 - cpu0) / elapsed, 2),
        "ui_cores": round((ui1 - ui0) / elapsed, 2),
        "delay_p50": round(percentile(delays, 50), 1),
        "delay_p95": round(percentile(delays, 95), 1),
        "ui_lag_p99": round(percentile(probe.lags, 99), 1),
        "ui_lag_max": round(max(probe.lags, default=0.0), 1),
        "dropped": float(sum(media.stats(s).dropped for s in specs)),
    }
    for w in walls:
        w.clear()
        w.close()
        w.deleteLater()
    media.stop()
    spin(0.2)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", default="4,9,16,20,25")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--protocol", choices=("flv", "hls", "mjpeg"), default="flv")
    args = parser.parse_args()
    counts = [int(x) for x in args.tiles.split(",")]

    app = QApplication.instance() or QApplication([sys.argv[0]])
    server = subprocess.Popen(
        [sys.executable, "-m", "app.media", "serve", "--bench"], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        if not line:
            print("the media server did not start", file=sys.stderr)
            return 1
        urls = json.loads(line)
        url = urls[f"bench-{args.protocol}"]
        rows = []
        with tempfile.TemporaryDirectory(prefix="bench-video-") as tmp:
            for n in counts:
                rows.append(run(n, url, args.protocol, args.seconds, args.warmup, Path(tmp)))
                r = rows[-1]
                print(f"# {n} tiles: fps_min {r['fps_min']}, cpu {r['cpu_cores']}", flush=True)
    finally:
        server.terminate()
        server.wait(10)
    del app
    head = ("tiles", "fps_min", "fps_med", "taken_min", "decoded_fps", "cpu_cores", "ui_cores",
            "delay_p50", "delay_p95", "ui_lag_p99", "ui_lag_max", "dropped")
    print(f"\nprotocol {args.protocol}, {os.cpu_count()} CPUs, {args.seconds:g} s per row")
    print(" | ".join(f"{h:>10}" for h in head))
    for r in rows:
        print(" | ".join(f"{r[h]:>10g}" for h in head))
    full = [int(r["tiles"]) for r in rows
            if r["fps_min"] >= FULL_FPS and r["ui_lag_p99"] < UI_LAG_LIMIT_MS]
    sixteen = next((r for r in rows if r["tiles"] == 16), rows[-1])
    print(json.dumps({
        "tiles": int(sixteen["tiles"]), "fps_min": sixteen["fps_min"],
        "fps_med": sixteen["fps_med"],
        "cpu_cores": sixteen["cpu_cores"], "delay_ms_p95": sixteen["delay_p95"],
        "ui_lag_ms_p99": sixteen["ui_lag_p99"], "protocol": args.protocol,
        "max_tiles_full_rate": max(full, default=0),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the console under its own full demo load — start-up, input latency, video, memory.

Starts the real program, ``python -m app demo``, as a child process with ``--diagnostics``
(see ``app/diagnostics.py``), on a virtual X display (Xvfb, 1920×1080) when ``xvfb-run`` is
installed, offscreen otherwise. Everything the demo runs is running: 34 JT/T 808 terminals
over TCP, the TETRA radio on a pseudo-terminal, the media server child process and the 4×4
wall decoding 16 feeds, live transcription of one venue, the scheduler.

Measured (times from the moment the child was started, ``time.monotonic()``, which the child
shares on Linux):

* ``window_s``: until the main window's first event-loop pass after it was shown;
* ``map_ready_s``: until the map page reported ready (its layers drawn);
* ``input_latency_ms_p99`` (and p50, max): how long an event posted to the UI thread waited
  before the UI thread handled it, sampled every 50 ms after the map was ready — what a key
  press or a click waits;
* ``painted_fps_min`` (and median): pictures painted per second by the slowest (median) tile
  showing a live feed, over the measured span after a warm-up; a lost camera's tile (the demo
  switches one off) is left out;
* ``rss_growth_mb_10min``: resident memory growth between the end of the warm-up (counted from
  the map being ready) and the end of the run, scaled to 10 minutes (run with ``--seconds 700``
  to measure 10 minutes directly).

Prints a table and, last, one JSON line::

    {"window_s": …, "map_ready_s": …, "input_latency_ms_p99": …, "painted_fps_min": …,
     "rss_growth_mb_10min": …}

Run: ``.venv/bin/python bench/startup.py`` (``--seconds 120`` by default, ``--warmup 30``,
``--offscreen`` to skip Xvfb).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def run(seconds: float, warmup: float, offscreen: bool) -> dict[str, Any]:
    """Run the demo once and return the figures."""
    work = Path(tempfile.mkdtemp(prefix="cedc-bench-startup-"))
    diag = work / "diagnostics.jsonl"
    env = dict(os.environ)
    env.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    # the user's model and media cache as `make demo` has them; no saved window layout
    env.pop("CEDC_HOME", None)
    env["XDG_CONFIG_HOME"] = str(work / "config")
    cmd = [sys.executable, "-m", "app", "demo", "--diagnostics", str(diag),
           "--quit-after", str(seconds), "--log-file", str(work / "console.log"), "--log-json"]
    xvfb = shutil.which("xvfb-run")
    if offscreen or xvfb is None:
        cmd.append("--offscreen")
        env["QT_QPA_PLATFORM"] = "offscreen"
        display = "offscreen"
    else:
        env.pop("QT_QPA_PLATFORM", None)
        cmd = [xvfb, "-a", "-s", "-screen 0 1920x1080x24", *cmd]
        display = "Xvfb 1920×1080"
    started = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=(work / "stderr.txt").open("wb"), timeout=seconds + 240,
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"the console exited with {proc.returncode}; see {work}/stderr.txt")
    records = [json.loads(line) for line in diag.read_text().splitlines() if line.strip()]
    marks = {r["event"]: r["mono"] for r in records if r["event"] != "tick"}
    ticks = [r for r in records if r["event"] == "tick"]
    window_s = marks.get("window", float("nan")) - started
    map_s = marks.get("map_ready", float("nan")) - started
    after_map = [t for t in ticks if t["mono"] >= marks.get("map_ready", started)]
    lags = [x for t in after_map for x in t["lag_ms"]]
    # frame rates and memory: from ``warmup`` seconds after the map was ready, once every
    # tile of the wall shows its feed
    since = marks.get("map_ready", started) + warmup
    width = max((len(t["painted"]) for t in ticks), default=0)
    measured = [t for t in ticks if t["mono"] >= since and len(t["painted"]) == width]
    fps: list[float] = []
    rss_growth = float("nan")
    if len(measured) >= 2:
        first, last = measured[0], measured[-1]
        span = last["mono"] - first["mono"]
        if first["painted"] and len(first["painted"]) == len(last["painted"]):
            fps = [(b - a) / span for a, b in zip(first["painted"], last["painted"], strict=True)]
        rss_growth = (last["rss_mb"] - first["rss_mb"]) / span * 600.0
    live = [f for f in fps if f > 1.0]  # a switched-off camera paints nothing
    return {
        "display": display,
        "window_s": round(window_s, 2),
        "map_ready_s": round(map_s, 2),
        "map_after_window_s": round(map_s - window_s, 2),
        "input_latency_ms_p50": round(_percentile(lags, 50), 1),
        "input_latency_ms_p99": round(_percentile(lags, 99), 1),
        "input_latency_ms_max": round(max(lags), 1) if lags else float("nan"),
        "latency_samples": len(lags),
        "tiles_live": len(live),
        "tiles_lost": len(fps) - len(live),
        "painted_fps_min": round(min(live), 1) if live else 0.0,
        "painted_fps_med": round(statistics.median(live), 1) if live else 0.0,
        "rss_start_mb": measured[0]["rss_mb"] if measured else float("nan"),
        "rss_end_mb": measured[-1]["rss_mb"] if measured else float("nan"),
        "rss_growth_mb_10min": round(rss_growth, 1),
        "measured_s": round(measured[-1]["mono"] - measured[0]["mono"], 1) if measured else 0,
        "work_dir": str(work),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long the demo runs")
    parser.add_argument("--warmup", type=float, default=30.0,
                        help="seconds after the map is ready before frame rates and memory "
                             "are measured")
    parser.add_argument("--offscreen", action="store_true", help="no Xvfb")
    args = parser.parse_args()
    r = run(args.seconds, args.warmup, args.offscreen)
    print(f"display            {r['display']}")
    print(f"window             {r['window_s']:.2f} s after start")
    print(f"map ready          {r['map_ready_s']:.2f} s after start "
          f"({r['map_after_window_s']:.2f} s after the window)")
    print(f"input latency      p50 {r['input_latency_ms_p50']} ms, p99 "
          f"{r['input_latency_ms_p99']} ms, max {r['input_latency_ms_max']} ms "
          f"({r['latency_samples']} samples)")
    print(f"painted fps        min {r['painted_fps_min']}, median {r['painted_fps_med']} "
          f"({r['tiles_live']} live tiles, {r['tiles_lost']} lost)")
    print(f"memory             {r['rss_start_mb']} → {r['rss_end_mb']} MiB over "
          f"{r['measured_s']} s: {r['rss_growth_mb_10min']} MiB per 10 min")
    print(json.dumps({k: r[k] for k in ("window_s", "map_ready_s", "map_after_window_s",
                                        "input_latency_ms_p99",
                                        "painted_fps_min", "rss_growth_mb_10min")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Speech benchmark: batch real-time factor and live commit latency with the Whisper base model.

1. **Batch**: a generated 10-minute continuous Mandarin recording and a 10-minute
   performance-like one (pauses, laughter, applause), each written to a WAV file and analysed
   the way ``python -m app analyze`` does (PyAV decode, VAD, windows packed with speech only,
   batched decoding on ``--workers`` workers of one CPU thread each). xrt = audio seconds per
   processing second, decode included; ``cpu`` = the same from the CPU time the run used, i.e.
   what it achieves with the cores to itself (on a shared machine the wall figure is lower).
2. **Live**: one venue streamed at real time through the live pool (LocalAgreement, VAD);
   commit latency = time from the moment the audio of the last committed word arrived to the
   moment its text was committed. The per-venue cost measured there gives the capacity (how many
   venues this machine transcribes live at 80 % load), which a second run with that many venues
   checks (no venue shed, backlog bounded).

Prints a table and, last, one JSON line. About 4 minutes on 2 cores.

    .venv/bin/python bench/transcribe.py [--minutes 10] [--live-seconds 60] [--workers N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

from app.speech.batch import transcribe_file
from app.speech.engine import DecodePolicy, Recognizer, load_model
from app.speech.live import LivePool, LoadReport, PauseReason, VenueState
from app.speech.synth import ZH_LINES, compose
from app.speech.testing import ModelNotAvailable, base_model_dir
from app.speech.transcript import TranscriptLine
from app.speech.venue_stream import VenueStream

TARGET_CONTINUOUS = 20.0
TARGET_PERFORMANCE = 25.0
TARGET_LATENCY = 2.5


def batch(path: Path, recognizer: Recognizer, workers: int
          ) -> tuple[float, float, float, float, int]:
    """(audio s, processing s, CPU s, speech s, lines) of one file."""
    c0 = os.times()
    t0 = time.perf_counter()
    transcript, timings = transcribe_file(path, recognizer, workers=workers, batch_size=4)
    wall = time.perf_counter() - t0
    c1 = os.times()
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    return timings.audio_s, wall, cpu, timings.speech_s, len(transcript.lines)


def live(media: Path, recognizer: Recognizer, workers: int, venues: int, seconds: float
         ) -> tuple[list[float], LoadReport, list[tuple[int, str]]]:
    """Stream ``venues`` copies of ``media`` at real time for ``seconds``."""
    latencies: list[float] = []
    lock = threading.Lock()
    shed: list[tuple[int, str]] = []
    reports: list[LoadReport] = []

    def committed(_v: int, _line: TranscriptLine, latency: float) -> None:
        with lock:
            latencies.append(latency)

    def state(v: int, s: VenueState, r: PauseReason) -> None:
        if s is VenueState.PAUSED:
            shed.append((v, r.value))

    pool = LivePool(recognizer, workers=workers, max_active=venues, on_commit=committed,
                    on_state=state, on_load=reports.append)
    pool.start()
    streams = []
    for v in range(venues):
        pool.add_venue(v, priority=v)
        stream = VenueStream(media, v, partial(pool.feed, v), realtime=True, loop=True)
        stream.start()
        streams.append(stream)
    time.sleep(seconds)
    for stream in streams:
        stream.stop()
    report = pool.report()
    pool.stop()
    return latencies, report, shed


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--live-seconds", type=float, default=60.0)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    p.add_argument("--model", type=Path)
    args = p.parse_args(argv)
    try:
        model = args.model or base_model_dir()
    except ModelNotAvailable as exc:
        print(exc, file=sys.stderr)
        return 1
    workers = max(1, args.workers)
    tmp = Path(tempfile.mkdtemp(prefix="cedc-bench-speech-"))
    t0 = time.perf_counter()
    cont = compose(ZH_LINES, min_duration_s=args.minutes * 60, seed=1).save(tmp / "cont.wav")
    perf = compose(ZH_LINES, min_duration_s=args.minutes * 60, performance=True,
                   seed=2).save(tmp / "perf.wav")
    synth_s = time.perf_counter() - t0
    loaded = load_model(model, cpu_threads=1, workers=workers)
    recognizer = Recognizer(loaded, DecodePolicy(language="zh"))

    rows = []
    totals = [0.0, 0.0]
    xrts = {}
    cpu_xrts = {}
    cores = min(workers, os.cpu_count() or 1)
    for name, path, target in (("continuous", cont, TARGET_CONTINUOUS),
                               ("performance", perf, TARGET_PERFORMANCE)):
        audio, wall, cpu, speech, _lines = batch(path, recognizer, workers)
        totals[0] += audio
        totals[1] += wall
        xrts[name] = audio / wall
        # what the run would take with the cores to itself (other load on a shared machine
        # stretches the wall time, not the CPU time)
        cpu_xrts[name] = audio / (cpu / cores) if cpu > 0 else 0.0
        rows.append((f"batch {name}", f"{audio:.0f} s audio ({speech:.0f} s speech)",
                     f"{wall:.1f} s", f"{audio / wall:.1f}×", f"≥ {target:.0f}×",
                     f"cpu {cpu_xrts[name]:.0f}×"))

    clip = compose(ZH_LINES, performance=True, seed=3).save(tmp / "live.wav")
    latencies, report, _shed = live(clip, recognizer, workers, 1, args.live_seconds)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = sorted(latencies)[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    capacity = report.capacity or 1
    rows.append(("live, 1 venue", f"{len(latencies)} commits", f"p50 {p50:.2f} s",
                 f"p95 {p95:.2f} s", f"≤ {TARGET_LATENCY} s", f"util {report.utilisation:.0%}"))
    check_s = min(40.0, args.live_seconds)
    lat_n, report_n, shed_n = live(clip, recognizer, workers, capacity, check_s)
    p50_n = statistics.median(lat_n) if lat_n else float("nan")
    rows.append((f"live, {capacity} venues", f"{len(lat_n)} commits", f"p50 {p50_n:.2f} s",
                 f"shed {len(shed_n)}", f"backlog {report_n.max_lag_s:.1f} s",
                 f"util {report_n.utilisation:.0%}"))

    xrt = totals[0] / totals[1]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"model {model.name}; {workers} worker(s) × 1 thread; synthesis {synth_s:.0f} s")
    print(f"{'run':24} {'input':30} {'time':>10} {'result':>10} {'target':>9} {'':>10}")
    for r in rows:
        print(f"{r[0]:24} {r[1]:30} {r[2]:>10} {r[3]:>10} {r[4]:>9} {r[5]!s:>10}")
    print(json.dumps({
        "xrt": round(xrt, 1),
        "xrt_continuous": round(xrts["continuous"], 1),
        "xrt_performance": round(xrts["performance"], 1),
        "xrt_cpu_continuous": round(cpu_xrts["continuous"], 1),
        "xrt_cpu_performance": round(cpu_xrts["performance"], 1),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "live_commit_latency_s": round(p50, 2),
        "live_commit_latency_p95_s": round(p95, 2),
        "live_capacity_venues": capacity,
        "live_capacity_check": {"venues": capacity, "shed": len(shed_n),
                                "latency_p50_s": round(p50_n, 2),
                                "max_backlog_s": round(report_n.max_lag_s, 2)},
        "workers": workers,
        "cpu_count": os.cpu_count(),
        "model": model.name,
        "audio_minutes": args.minutes,
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

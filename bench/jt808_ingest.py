"""JT/T 808 ingest benchmark: decode throughput and end-to-end ingest into SQLite.

1. **Decode**: ``decode_frame`` on a mix of 0x0200 reports (2013 and 2019 headers, with
   additional items) and 0x0704 batches, on one core.
2. **End to end**: the real :class:`Jt808Server` in a thread of this process, the console's
   own storage path (``IngestSink`` → ``PositionIngest`` → the single ``DbWriter`` → the
   ``position_fix`` table of a migrated SQLite database in WAL mode, temp dir), and 1 000 simulated
   terminals in a child process on 127.0.0.1, each sending a 0x0200 as soon as the previous one
   was acknowledged. Reports sent are compared with rows stored (in = stored). The server
   acknowledges a report only after the transaction holding it has committed, so each
   terminal's next report waits for a commit: the figure includes the durability wait.
   ``--synchronous`` sets SQLite's sync mode (the console uses FULL: a committed batch survives
   a power cut; NORMAL only survives a killed process) to measure what durability costs.

Prints a table and, last, one JSON line. Loopback only; bounded to about a minute.

    .venv/bin/python bench/jt808_ingest.py [--terminals 1000] [--seconds 15] [--decode-seconds 5]
        [--synchronous FULL|NORMAL]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, select

from app.db_writer import DbWriter
from app.services.positions import DeviceDirectory, PositionIngest
from app.tracking.jt808 import (
    BatchLocations,
    BatchType,
    Jt808Server,
    Location,
    ServerSettings,
    ServerThread,
    decode_frame,
    encode_frame,
    make_items,
)
from app.tracking.jt808.memory import MemoryRegistry
from app.tracking.jt808.simulator import FloodStats, run_flood
from app.tracking.service import IngestSink
from models import PositionFix
from models.db import make_engine, make_session_factory, prepare_database

HOST = "127.0.0.1"
TARGET_DECODE = 50_000
TARGET_E2E = 5_000


def _raise_fd_limit() -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 4096:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    except (ImportError, ValueError, OSError):
        pass


# --------------------------------------------------------------------------- decode


def _sample_frames(count: int, seed: int = 1) -> list[bytes]:
    """A realistic mix: 85 % single reports (a quarter 2019), 15 % batches of 5–20 items."""
    rng = random.Random(seed)
    base = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    frames = []
    for n in range(count):
        version = 1 if n % 4 == 0 else None
        phone = f"139{n % 1000:08d}".zfill(20 if version else 12)

        def loc(k: int, n: int = n) -> Location:
            return Location(
                latitude=round(rng.uniform(39.75, 40.10), 6),
                longitude=round(rng.uniform(116.20, 116.60), 6),
                time=base + timedelta(seconds=n * 5 + k),
                speed_kmh=round(rng.uniform(0, 70), 1),
                heading_deg=rng.randrange(360),
                altitude_m=rng.randint(30, 70),
                alarm=1 if rng.random() < 0.01 else 0,
                items=make_items(
                    mileage_km=rng.uniform(0, 1e5),
                    fuel_l=rng.uniform(5, 60),
                    signal_strength=rng.randint(0, 31),
                    satellites=rng.randint(4, 20),
                ),
            )

        if rng.random() < 0.15:
            message: Location | BatchLocations = BatchLocations(
                BatchType.BLIND_AREA, tuple(loc(k) for k in range(rng.randint(5, 20)))
            )
        else:
            message = loc(0)
        frames.append(encode_frame(message, phone=phone, serial=n, version=version))
    return frames


def bench_decode(seconds: float) -> dict[str, float]:
    """Decode the sample mix repeatedly for ``seconds`` in one thread (one core).

    Frames/s are per wall-clock second; ``cpu_share`` below 1 means the core was shared with
    other processes and the figure is pessimistic.
    """
    frames = _sample_frames(2000)
    decoded = positions = 0
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:  # one thread: one core
        for frame in frames:
            positions += len(decode_frame(frame).locations)
        decoded += len(frames)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    return {
        "cpu_share": cpu / elapsed,
        "frames": decoded,
        "seconds": elapsed,
        "frames_per_s": decoded / elapsed,
        "positions_per_s": positions / elapsed,
        "batch_share": sum(1 for f in frames if f[1:3] == b"\x07\x04") / len(frames),
    }


# --------------------------------------------------------------------------- console storage


class ConsoleStore:
    """The console's own storage path behind the server.

    A migrated SQLite database (WAL), the single :class:`~app.db_writer.DbWriter` and the
    batching :class:`~app.services.positions.PositionIngest` behind
    :class:`~app.tracking.service.IngestSink`.
    """

    def __init__(self, path: Path, synchronous: str = "FULL") -> None:
        self.engine = make_engine(f"sqlite:///{path}")
        if synchronous != "FULL":  # the console's own pragmas say FULL; measure the other

            def sync_mode(dbapi_conn: Any, _record: Any) -> None:
                dbapi_conn.execute(f"PRAGMA synchronous={synchronous}")

            event.listen(self.engine, "connect", sync_mode)
        prepare_database(self.engine, auto_upgrade=True)
        self.factory = make_session_factory(self.engine)
        self.writer = DbWriter(self.factory)
        self.writer.start()
        # bench terminals are not in the database: stored without owner, warnings muted
        logging.getLogger("app.services.positions").setLevel(logging.ERROR)
        self.ingest = PositionIngest(self.writer, DeviceDirectory(), interval_s=0.1)
        self.ingest.start()
        self.sink = IngestSink(self.ingest)

    def flush(self) -> None:
        self.ingest.flush(30)
        self.writer.flush(30)

    def close(self) -> None:
        self.ingest.stop()
        self.writer.stop()
        self.engine.dispose()

    def count(self) -> int:
        with self.factory() as session:
            return int(session.scalar(select(func.count()).select_from(PositionFix)) or 0)


# --------------------------------------------------------------------------- load generator


def _flood_child(port: int, terminals: int, seconds: float, pipe: Connection, go: MpEvent) -> None:
    """Child process: connect the terminals, report ready, flood on 'go', send stats back."""
    _raise_fd_limit()

    async def when_ready(stats: FloodStats) -> None:
        pipe.send(("ready", stats.terminals, stats.errors[:5]))
        await asyncio.to_thread(go.wait, 60)

    try:
        cpu0 = time.process_time()
        stats = asyncio.run(
            run_flood((HOST, port), terminals, duration_s=seconds, when_ready=when_ready)
        )
        pipe.send(
            (
                "done",
                {
                    "terminals": stats.terminals,
                    "sent": stats.sent,
                    "acked": stats.acked,
                    "refused": stats.refused,
                    "lost_answers": stats.lost_answers,
                    "seconds": stats.seconds,
                    "client_cpu_s": time.process_time() - cpu0,
                    "errors": stats.errors[:5],
                },
            )
        )
    except BaseException as exc:
        pipe.send(("error", repr(exc)))
        raise


def _recv(pipe: Connection, timeout: float, what: str) -> tuple[Any, ...]:
    if not pipe.poll(timeout):
        raise TimeoutError(f"load generator: no {what} within {timeout:.0f} s")
    message: tuple[Any, ...] = pipe.recv()
    if message[0] == "error":
        raise RuntimeError(f"load generator failed: {message[1]}")
    return message


def bench_e2e(
    terminals: int,
    seconds: float,
    log: Callable[[str], None],
    synchronous: str = "FULL",
) -> dict[str, Any]:
    """Run the end-to-end ingest benchmark."""
    _raise_fd_limit()
    with tempfile.TemporaryDirectory(prefix="jt808-bench-") as tmp:
        store = ConsoleStore(Path(tmp) / "console.sqlite3", synchronous)
        server = Jt808Server(
            HOST,
            0,
            MemoryRegistry(),
            store.sink,
            settings=ServerSettings(accept_unknown_terminals=True, backlog=4096),
        )
        thread = ServerThread(server)
        port = thread.start()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        go = ctx.Event()
        proc = ctx.Process(
            target=_flood_child, args=(port, terminals, seconds, child, go), daemon=True
        )
        try:
            t_connect = time.perf_counter()
            proc.start()
            _, ready, errors = _recv(parent, 45, "ready signal")
            log(
                f"{ready} terminals connected and authenticated in "
                f"{time.perf_counter() - t_connect:.1f} s"
                + (f" (errors: {errors})" if errors else "")
            )
            rows_before = store.count()
            cpu0 = time.process_time()
            go.set()
            t0 = time.perf_counter()
            _, result = _recv(parent, seconds + 30, "result")
            store.flush()
            t1 = time.perf_counter()
            cpu = time.process_time() - cpu0
            proc.join(10)
        finally:
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
            thread.stop()
            store.flush()
            stored = store.count() - rows_before
            store.close()
        elapsed = t1 - t0
        return {
            **result,
            "stored": stored,
            "elapsed_s": elapsed,
            "reports_per_s": stored / elapsed,
            "server_cpu_share": cpu / elapsed,
            "server_stats": {
                "positions": server.stats.positions,
                "refused": server.stats.positions_refused,
                "bad_frames": server.stats.bad_frames,
                "durable_acks": server.stats.positions_durable,
                "read_pauses": server.stats.read_pauses,
            },
            "commits": store.writer.stats.commits,
        }


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--terminals", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15.0, help="end-to-end window")
    parser.add_argument("--decode-seconds", type=float, default=5.0)
    parser.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL",
                        help="SQLite sync mode (the console's is FULL)")
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(f"# {text}", file=sys.stderr, flush=True)

    log(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    log("decoding …")
    dec = bench_decode(args.decode_seconds)
    log(f"end to end with {args.terminals} terminals for {args.seconds:g} s, "
        f"synchronous={args.synchronous} …")
    e2e = bench_e2e(args.terminals, args.seconds, log, args.synchronous)
    lost = e2e["sent"] - e2e["stored"]
    rows = [
        ("decode frames/s (one core)", f"{dec['frames_per_s']:,.0f}", f"≥ {TARGET_DECODE:,}"),
        ("decode positions/s", f"{dec['positions_per_s']:,.0f}", ""),
        ("decode CPU share of its core", f"{dec['cpu_share']:.2f}", "1.00 = core not shared"),
        ("terminals connected", f"{e2e['terminals']:,}", f"{args.terminals:,}"),
        ("reports sent", f"{e2e['sent']:,}", ""),
        ("reports acknowledged", f"{e2e['acked']:,}", ""),
        ("rows stored", f"{e2e['stored']:,}", "= sent"),
        ("lost", f"{lost:,}", "0"),
        ("end-to-end reports/s", f"{e2e['reports_per_s']:,.0f}", f"≥ {TARGET_E2E:,}"),
        ("commits (acks wait for them)", f"{e2e['commits']:,}", f"synchronous={args.synchronous}"),
        ("server process CPU (cores)", f"{e2e['server_cpu_share']:.2f}", ""),
        ("load generator CPU (cores)", f"{e2e['client_cpu_s'] / e2e['seconds']:.2f}", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'value':>12}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>12}  {target}")
    ok = (
        dec["frames_per_s"] >= TARGET_DECODE
        and e2e["reports_per_s"] >= TARGET_E2E
        and lost == 0
        and e2e["terminals"] == args.terminals
    )
    print(
        json.dumps(
            {
                "decode_frames_per_s": round(dec["frames_per_s"]),
                "decode_positions_per_s": round(dec["positions_per_s"]),
                "e2e_reports_per_s": round(e2e["reports_per_s"]),
                "sent": e2e["sent"],
                "acked": e2e["acked"],
                "stored": e2e["stored"],
                "lost": lost,
                "terminals": e2e["terminals"],
                "e2e_seconds": round(e2e["elapsed_s"], 2),
                "synchronous": args.synchronous,
                "commits": e2e["commits"],
                "meets_targets": ok,
            }
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

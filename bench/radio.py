"""Radio bridge benchmark: AT line parsing rate and the software overhead of a send.

Usage::

    python bench/radio.py [--lines 200000] [--messages 200] [--quick]

Measures

* ``lines_per_s``: lines through the incremental AT line reader (realistic mix of ``+CTSDSR``
  headers with hex payload lines, ``+CMGS``, call events, ``OK``), fed in 4 KiB chunks;
* ``decode_lines_per_s``: the same stream through the reader *and* the decoders (SDS-TL, LIP,
  status plan, call events) as the session's reader thread runs them;
* ``send_overhead_ms``: median time from ``Session.send_text()`` to the moment the last byte of
  the ``AT+CMGS`` frame (the Ctrl-Z) has been handed to the serial port's ``write``, with the
  durable SQLite outbox (stored before written), the session connected to the simulated radio
  over a pseudo-terminal (POSIX) or an in-memory port; ``…_p95`` and ``…_memory_store`` too.

A pseudo-terminal has no baud rate, so the time the frame needs on a real RS-232 line is
reported beside the overhead (``line_time_ms_9600``, ``line_time_ms_115200``: frame bytes × 10
bits ÷ baud), not subtracted from it. The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from radio_bridge import MemoryOutboxStore, Session, SessionConfig, SqliteOutboxStore, lip, sdstl
from radio_bridge.at import CTRL_Z, LineReader, Malformed, Unsolicited, encode_cmgs
from radio_bridge.inbound import InboundProcessor
from radio_bridge.outbox import OutboxStore
from radio_bridge.simulator import RadioModel, SimulatorServer

BENCH_TEXT = "请立即前往朝阳区三里屯演出场所开展检查并反馈"  # 22 Chinese characters


def make_stream(n_lines: int, seed: int = 1) -> tuple[bytes, int]:
    """Build a realistic radio output stream of about ``n_lines`` lines."""
    rng = random.Random(seed)
    chunks: list[str] = []
    lines = 0
    texts = [p.hex().upper() for p in sdstl.build_text("已到达现场，开始检查", [9])]
    while lines < n_lines:
        roll = rng.random()
        src = 2269001 + rng.randrange(500)
        if roll < 0.45:
            payload, bits = lip.encode_short(39.9 + rng.uniform(-0.1, 0.1),
                                             116.4 + rng.uniform(-0.1, 0.1), speed_kmh=30,
                                             heading_deg=rng.uniform(0, 360))
            chunks.append(f"\r\n+CTSDSR: 12,{src},0,2000001,0,{bits}\r\n{payload}\r\n")
            lines += 2
        elif roll < 0.60:
            chunks.append(f"\r\n+CTSDSR: 13,{src},0,2000001,0,16\r\n8003\r\n")
            lines += 2
        elif roll < 0.68:
            chunks.append(f"\r\n+CTSDSR: 12,{src},0,2000001,0,{len(texts[0]) * 4}\r\n"
                          f"{texts[0]}\r\n")
            lines += 2
        elif roll < 0.80:
            chunks.append(f"\r\n+CMGS: {rng.randrange(16)},4,{rng.randrange(256)}\r\n")
            lines += 1
        elif roll < 0.90:
            chunks.append(f"\r\n+CTXG: 1,3,0,0,0,{src}\r\n\r\n+CDTXC: 1,0\r\n")
            lines += 2
        else:
            chunks.append("\r\nOK\r\n")
            lines += 1
    return "".join(chunks).encode("ascii"), lines


def bench_lines(stream: bytes, lines: int, repeats: int) -> tuple[float, float]:
    best_parse = best_decode = float("inf")
    for _ in range(repeats):
        reader = LineReader()
        t0 = time.perf_counter()
        for i in range(0, len(stream), 4096):
            reader.feed(stream[i:i + 4096])
        best_parse = min(best_parse, time.perf_counter() - t0)
        reader = LineReader()
        proc = InboundProcessor(duplicate_window_s=0.0)
        t0 = time.perf_counter()
        for i in range(0, len(stream), 4096):
            for item in reader.feed(stream[i:i + 4096]):
                if isinstance(item, Unsolicited | Malformed):
                    proc.process(item, 0.0)
        best_decode = min(best_decode, time.perf_counter() - t0)
    return lines / best_parse, lines / best_decode


def bench_send(store: OutboxStore, messages: int, use_pty: bool) -> list[float]:
    """Return the per-message overhead in ms (send_text → Ctrl-Z written)."""
    model = RadioModel(seed=5, fleet=3, activity_interval=0.0, air_delay=0.001,
                       report_delay=0.002)
    server = SimulatorServer(model)
    port = server.open_pty() if use_pty else server.open_tcp("127.0.0.1", 0)
    server.start()
    written = threading.Event()
    stamp: list[float] = [0.0]

    def trace(direction: str, data: bytes) -> None:
        if direction == "tx" and data.endswith(CTRL_Z):
            stamp[0] = time.perf_counter()
            written.set()

    session = Session(port, store=store, config=SessionConfig(keepalive_s=60.0, trace=trace))
    session.start()
    samples: list[float] = []
    try:
        if not session.wait_until_up(10):
            raise RuntimeError("simulated radio did not come up")
        for i in range(messages + 5):
            written.clear()
            t0 = time.perf_counter()
            mid = session.send_text(2269001, BENCH_TEXT)
            if not written.wait(5):
                raise RuntimeError("send did not reach the port")
            if i >= 5:  # warm-up (service selection, caches)
                samples.append((stamp[0] - t0) * 1000.0)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:  # one command in flight: wait for the answer
                msg = session.message(mid)
                if msg is not None and msg.state.value != "queued":
                    break
                time.sleep(0.0005)
    finally:
        session.stop()
        server.stop()
    return samples


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=200_000)
    p.add_argument("--messages", type=int, default=200)
    p.add_argument("--quick", action="store_true", help="small run for CI")
    args = p.parse_args()
    n_lines, n_msgs, repeats = (20_000, 30, 1) if args.quick else (args.lines, args.messages, 3)

    stream, lines = make_stream(n_lines)
    lines_per_s, decode_per_s = bench_lines(stream, lines, repeats)
    print(f"line reader: {lines_per_s:,.0f} lines/s; reader + decoders: "
          f"{decode_per_s:,.0f} lines/s ({lines} lines, {len(stream)} bytes)")

    use_pty = hasattr(os, "openpty")
    with tempfile.TemporaryDirectory() as tmp, SqliteOutboxStore(Path(tmp) / "o.db") as db:
        sqlite_ms = bench_send(db, n_msgs, use_pty)
    memory_ms = bench_send(MemoryOutboxStore(), n_msgs, use_pty)

    (pdu,) = sdstl.build_text(BENCH_TEXT, [0])
    frame = encode_cmgs(2269001, pdu)
    frame_bytes = len(frame)
    line_ms = {baud: frame_bytes * 10 / baud * 1000 for baud in (9600, 38400, 115200)}
    q = statistics.quantiles(sqlite_ms, n=20)
    print(f"send overhead (SQLite outbox): median {statistics.median(sqlite_ms):.3f} ms, "
          f"p95 {q[18]:.3f} ms; in-memory outbox: median {statistics.median(memory_ms):.3f} ms "
          f"({len(sqlite_ms)} messages over {'a pty' if use_pty else 'TCP'})")
    print(f"AT+CMGS frame of a {len(BENCH_TEXT)}-character Chinese text: {frame_bytes} bytes; "
          f"line time {line_ms[9600]:.1f} ms at 9600 baud, {line_ms[38400]:.1f} ms at 38400, "
          f"{line_ms[115200]:.2f} ms at 115200 (not included in the overhead)")
    result: dict[str, Any] = {
        "lines_per_s": round(lines_per_s),
        "decode_lines_per_s": round(decode_per_s),
        "send_overhead_ms": round(statistics.median(sqlite_ms), 3),
        "send_overhead_ms_p95": round(q[18], 3),
        "send_overhead_ms_memory_store": round(statistics.median(memory_ms), 3),
        "line_time_ms_9600": round(line_ms[9600], 2),
        "line_time_ms_38400": round(line_ms[38400], 2),
        "line_time_ms_115200": round(line_ms[115200], 2),
        "frame_bytes": frame_bytes,
        "messages": len(sqlite_ms),
        "transport": "pty" if use_pty else "tcp",
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

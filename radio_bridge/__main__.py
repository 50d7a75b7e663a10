"""Diagnostics CLI for installers.

Examples::

    python -m radio_bridge --port /dev/ttyUSB0 --baud 38400 listen --json
    python -m radio_bridge --port COM3 send-text 2269001 "请到3号剧场检查"
    python -m radio_bridge --port socket://127.0.0.1:7000 send-status 2269001 acknowledge
    python -m radio_bridge --port /dev/ttyUSB0 at "AT+CSQ?"

``listen`` prints every decoded event (one JSON object per line with ``--json``: ``type``,
``source`` ISSI where there is one, the decoded fields, ``at``). ``send-text``/``send-status``
queue the message in the outbox (a SQLite file, ``--outbox``), print each state change and exit
when the message is final: 0 delivered (or sent, when no report is expected), 1 failed,
2 not final before ``--timeout`` (it stays queued in the outbox and is sent by the next run).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from radio_bridge import events as ev
from radio_bridge.outbox import OutboxState
from radio_bridge.outbox_sqlite import SqliteOutboxStore
from radio_bridge.session import DEFAULT_INIT_COMMANDS, Session, SessionConfig
from radio_bridge.status import DEFAULT_STATUS_PLAN, StatusPlan

DEFAULT_OUTBOX = Path.home() / ".radio_bridge" / "outbox.sqlite3"


def format_event(event: ev.RadioEvent) -> str:
    """One human-readable line: local time, type, source, then key=value fields."""
    data = event.to_dict()
    stamp = event.at.astimezone().strftime("%H:%M:%S.%f")[:-3]
    head = f"{stamp} {data.pop('type'):<15}"
    data.pop("at", None)
    if "source" in data:
        head += f" from {data.pop('source')}"
    fields = " ".join(f"{k}={v}" for k, v in data.items() if v not in (None, "", []))
    return f"{head} {fields}".rstrip()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m radio_bridge",
                                description="TETRA PEI diagnostics (radio bridge).")
    p.add_argument("--port", required=True,
                   help="pyserial URL: /dev/ttyUSB0, COM3, socket://host:port, a pty path")
    p.add_argument("--baud", type=int, default=38400, help="baud rate (default 38400)")
    p.add_argument("--rtscts", action="store_true", help="RTS/CTS flow control")
    p.add_argument("--xonxoff", action="store_true", help="XON/XOFF flow control")
    p.add_argument("--outbox", type=Path, default=DEFAULT_OUTBOX,
                   help=f"outbox SQLite file (default {DEFAULT_OUTBOX})")
    p.add_argument("--status-plan", type=Path, help="status plan TOML file")
    p.add_argument("--sepura-lip", action="store_true",
                   help="route LIP with AT+CTSP=2,3,10 (needed on Sepura STP9000)")
    p.add_argument("--trace", action="store_true", help="print raw serial traffic to stderr")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    listen = sub.add_parser("listen", help="print decoded events")
    listen.add_argument("--json", action="store_true", help="one JSON object per line")
    listen.add_argument("--duration", type=float, help="stop after this many seconds")
    text = sub.add_parser("send-text", help="send an SDS-TL text and print the outcome")
    text.add_argument("issi")
    text.add_argument("text")
    text.add_argument("--no-report", action="store_true", help="do not ask for a report")
    text.add_argument("--immediate", action="store_true", help="immediate (flash) text")
    status = sub.add_parser("send-status", help="send a pre-coded status")
    status.add_argument("issi")
    status.add_argument("code", help="number, 0x…, or a status plan key (e.g. acknowledge)")
    at = sub.add_parser("at", help="send one AT command and print the answer")
    at.add_argument("line")
    for sp in (text, status, at):
        sp.add_argument("--json", action="store_true", help="JSON output")
        sp.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    plan = DEFAULT_STATUS_PLAN
    if args.status_plan:
        try:
            plan = StatusPlan.from_toml(args.status_plan)
        except (OSError, ValueError) as exc:
            print(f"status plan: {exc}", file=sys.stderr)
            return 2

    def trace(direction: str, data: bytes) -> None:
        print(f"{direction} {data!r}", file=sys.stderr, flush=True)

    init = DEFAULT_INIT_COMMANDS
    if args.sepura_lip:
        init = tuple("AT+CTSP=2,3,10" if c == "AT+CTSP=1,3,10" else c for c in init)
    config = SessionConfig(baudrate=args.baud, rtscts=args.rtscts, xonxoff=args.xonxoff,
                           init_commands=init, trace=trace if args.trace else None)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: done.set())
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    as_json = bool(getattr(args, "json", False))
    out_lock = threading.Lock()

    def emit(line: str) -> None:
        with out_lock:
            try:
                print(line, flush=True)
            except BrokenPipeError:  # e.g. piped into `head`: stop quietly
                done.set()
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())

    store = SqliteOutboxStore(args.outbox)
    try:
        if args.command == "listen":
            return _listen(args, config, store, plan, emit, as_json, done)
        if args.command == "at":
            return _at(args, config, store, plan, emit, as_json, done)
        return _send(args, config, store, plan, emit, as_json, done)
    finally:
        store.close()


def _listen(args: Any, config: SessionConfig, store: SqliteOutboxStore, plan: StatusPlan,
            emit: Any, as_json: bool, done: threading.Event) -> int:
    def on_event(event: ev.RadioEvent) -> None:
        emit(event.to_json() if as_json else format_event(event))

    session = Session(args.port, store=store, on_event=on_event, config=config,
                      status_plan=plan)
    session.start()
    try:
        done.wait(args.duration)
    finally:
        session.stop()
    return 0


def _at(args: Any, config: SessionConfig, store: SqliteOutboxStore, plan: StatusPlan,
        emit: Any, as_json: bool, done: threading.Event) -> int:
    session = Session(args.port, store=store, config=config, status_plan=plan)
    session.start()
    try:
        if not session.wait_until_up(args.timeout):
            emit(json.dumps({"error": "link not up"}) if as_json else "error: link not up")
            return 2
        try:
            lines = session.command(args.line, min(args.timeout, 30.0)).result(args.timeout)
        except Exception as exc:
            emit(json.dumps({"error": str(exc)}) if as_json else f"error: {exc}")
            return 1
        emit(json.dumps({"lines": lines}, ensure_ascii=False) if as_json else "\n".join(
            [*lines, "OK"]))
        return 0
    finally:
        session.stop()


def _send(args: Any, config: SessionConfig, store: SqliteOutboxStore, plan: StatusPlan,
          emit: Any, as_json: bool, done: threading.Event) -> int:
    message_id: list[str] = []
    final = threading.Event()

    def on_event(event: ev.RadioEvent) -> None:
        mine = bool(message_id) and getattr(event, "message_id", None) == message_id[0]
        if mine or isinstance(event, ev.LinkStateChanged):
            emit(event.to_json() if as_json else format_event(event))
        if mine and isinstance(event, ev.OutboxStateChanged):
            msg = session.message(message_id[0])
            if msg is not None and msg.is_final:
                final.set()

    session = Session(args.port, store=store, on_event=on_event, config=config,
                      status_plan=plan)
    try:
        if args.command == "send-text":
            message_id.append(session.send_text(args.issi, args.text,
                                                report=not args.no_report,
                                                immediate=args.immediate))
        else:
            message_id.append(session.send_status(args.issi, args.code))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    session.start()
    deadline = time.monotonic() + args.timeout
    try:
        while not final.is_set() and not done.is_set() and time.monotonic() < deadline:
            final.wait(0.1)
    finally:
        session.stop()
    msg = store.get(message_id[0])
    state = msg.state if msg is not None else None
    result: dict[str, Any] = {
        "type": "result",
        "message_id": message_id[0],
        "state": None if state is None else state.value,
        "final": bool(msg and msg.is_final),
        "last_error": msg.last_error if msg else None,
        "history": [] if msg is None else [
            {"state": h.state.value, "at": h.at.isoformat(), "detail": h.detail}
            for h in msg.history],
    }
    if as_json:
        emit(json.dumps(result, ensure_ascii=False))
    else:
        note = "" if result["final"] else " (not final: kept in the outbox for the next run)"
        err = f" – {result['last_error']}" if result["last_error"] else ""
        emit(f"result: {result['state']}{err}{note}")
    if msg is None or not msg.is_final:
        return 2
    return 0 if state in (OutboxState.SENT, OutboxState.DELIVERED) else 1  # failed, unconfirmed


if __name__ == "__main__":
    sys.exit(main())

"""End-to-end: a JT/T 808 report the console acknowledged survives the console being killed.

The console side runs as a real process (``jt808_console_proc.py``: the real ``Jt808Server``,
``TrackingService``, ``PositionIngest`` and ``DbWriter`` into a SQLite file). Terminals here
report as fast as the console answers, several reports in flight each, and count every 0x8001
"success" per serial number. Mid-stream the console gets SIGKILL — no shutdown code runs — and
every acknowledged report (phone + fix time) must be in the database file: a terminal never
sends an acknowledged report again, so an acknowledged report that is not stored is lost.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import select
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select
from sqlalchemy.engine import make_url

from app.tracking.jt808 import (
    Authentication,
    FrameSplitter,
    Location,
    MsgId,
    PlatformGeneralReply,
    Registration,
    RegistrationReply,
    decode_frame,
    encode_frame,
)
from models import PositionFix
from models.db import make_engine, make_session_factory

pytestmark = [pytest.mark.e2e, pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
PROC = Path(__file__).with_name("jt808_console_proc.py")
HOST = "127.0.0.1"
#: fix times are made up from the serial number: no wall clock anywhere
BASE = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)


@dataclass
class Tally:
    sent: int = 0
    acked: set[tuple[str, dt.datetime]] = field(default_factory=set)
    refused: int = 0
    ready: int = 0


def _fix_time(serial: int) -> dt.datetime:
    return BASE + dt.timedelta(seconds=serial)


async def _terminal(n: int, port: int, go: asyncio.Event, tally: Tally, window: int) -> None:
    phone = f"0139{n:08d}"
    reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 10)
    splitter = FrameSplitter()
    inbox: list[bytes] = []

    async def next_message() -> object:
        while not inbox:
            data = await asyncio.wait_for(reader.read(65536), 20)
            if not data:
                raise ConnectionError("console closed the connection")
            inbox.extend(splitter.feed(data))
        return decode_frame(inbox.pop(0)).message

    try:
        writer.write(encode_frame(Registration(plate=f"京E{n:05d}", terminal_id=f"T{n:06d}"),
                                  phone=phone, serial=0))
        reg = await next_message()
        assert isinstance(reg, RegistrationReply) and reg.result == 0, reg
        writer.write(encode_frame(Authentication(reg.auth_code), phone=phone, serial=1))
        auth = await next_message()
        assert isinstance(auth, PlatformGeneralReply) and auth.result == 0, auth
        tally.ready += 1
        await go.wait()
        slots = asyncio.Semaphore(window)

        async def read_answers() -> None:
            while True:
                try:
                    message = await next_message()
                except (ConnectionError, OSError, TimeoutError):
                    slots.release()  # the sender stops waiting for a slot
                    return
                if isinstance(message, PlatformGeneralReply) \
                        and message.reply_id == MsgId.LOCATION:
                    if message.result == 0:
                        tally.acked.add((phone, _fix_time(message.reply_serial)))
                    else:
                        tally.refused += 1
                    slots.release()

        answers = asyncio.create_task(read_answers())
        serial = 10
        while not answers.done():
            await slots.acquire()
            if answers.done():
                break
            serial += 1
            location = Location(latitude=39.9 + n * 1e-4, longitude=116.4 + serial * 1e-6,
                                time=_fix_time(serial), speed_kmh=40.0, heading_deg=90)
            try:
                writer.write(encode_frame(location, phone=phone, serial=serial))
                await writer.drain()
            except (ConnectionError, OSError):
                break
            tally.sent += 1
        await answers
    finally:
        writer.close()


async def _drive(port: int, proc: subprocess.Popen[bytes], terminals: int, window: int,
                 report_s: float) -> Tally:
    tally = Tally()
    go = asyncio.Event()
    tasks = [asyncio.create_task(_terminal(n, port, go, tally, window))
             for n in range(terminals)]
    async with asyncio.timeout(60):
        while tally.ready < terminals:
            for task in tasks:
                if task.done():
                    task.result()  # a failed login fails the test here
            await asyncio.sleep(0.05)
    go.set()
    await asyncio.sleep(report_s)  # reports flowing; then the console dies mid-stream
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    async with asyncio.timeout(30):  # answers already in the sockets are still read
        results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException) and not isinstance(
                result, ConnectionError | OSError | TimeoutError):
            raise result
    return tally


def _stored(db_file: Path) -> set[tuple[str, dt.datetime]]:
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with make_session_factory(engine)() as session:
            rows = session.execute(sql_select(PositionFix.device_id, PositionFix.ts)).all()
    finally:
        engine.dispose()
    return {(device, ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)) for device, ts in rows}


def test_every_acknowledged_report_survives_a_sigkill(empty_db_url: str,
                                                      tmp_path: Path) -> None:
    db_file = Path(make_url(empty_db_url).database or "")
    stderr = (tmp_path / "console.stderr").open("wb")
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, str(PROC), str(db_file)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=stderr)
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        assert ready, "the console process did not start listening within 60 s"
        line = proc.stdout.readline()
        assert line, (tmp_path / "console.stderr").read_text(errors="replace")[-3000:]
        port = int(json.loads(line)["port"])
        tally = asyncio.run(_drive(port, proc, terminals=40, window=8, report_s=3.0))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
        stderr.close()
    assert proc.returncode == -signal.SIGKILL
    stored = _stored(db_file)
    print(f"sent {tally.sent}, acknowledged {len(tally.acked)}, refused {tally.refused}, "
          f"stored {len(stored)}")
    # the console really was answering when it was killed (the test proves something)
    assert len(tally.acked) >= 200, (tally.sent, len(tally.acked))
    assert tally.sent > len(tally.acked), "the kill came after the last report, not mid-stream"
    lost = tally.acked - stored
    assert not lost, (f"{len(lost)} of {len(tally.acked)} acknowledged reports are not in the "
                      f"database, e.g. {sorted(lost)[:5]}")
    assert len(stored) >= len(tally.acked)

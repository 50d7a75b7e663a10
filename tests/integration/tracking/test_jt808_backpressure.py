"""A flood of JT/T 808 reports while the database is behind: bounded memory, nothing lost.

The real server, ``IngestSink``, ``PositionIngest`` and ``DbWriter`` on SQLite. While the
writer is held, ten terminals pipeline 200 reports each — ten times the ingest's bound. The
server must acknowledge nothing that is not committed, stop reading the terminals instead of
buffering their reports, and, once the database catches up, acknowledge and store every one.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db_writer import DbWriter
from app.services.positions import DeviceDirectory, PositionIngest
from app.tracking.jt808 import Jt808Server, Location, MsgId, PlatformGeneralReply, ServerSettings
from app.tracking.jt808.client import BlockingTerminal
from app.tracking.jt808.memory import MemoryRegistry
from app.tracking.jt808.server import ServerThread
from app.tracking.service import IngestSink
from models import PositionFix
from models.db import make_engine, make_session_factory

pytestmark = pytest.mark.integration

BASE = dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
TERMINALS = 10
REPORTS = 200
BOUND = 200  # the ingest's max_pending: the flood is 10x this
UNACKED = 8  # per connection


@dataclass
class Rig:
    server: Jt808Server
    port: int
    writer: DbWriter
    ingest: PositionIngest
    factory: sessionmaker[Session]


@pytest.fixture
def rig(empty_db_url: str) -> Iterator[Rig]:
    engine = make_engine(empty_db_url)
    factory = make_session_factory(engine)
    writer = DbWriter(factory)
    writer.start()
    ingest = PositionIngest(writer, DeviceDirectory(), interval_s=0.05, max_pending=BOUND)
    ingest.start()
    server = Jt808Server("127.0.0.1", 0, MemoryRegistry(), IngestSink(ingest),
                         settings=ServerSettings(accept_unknown_terminals=True,
                                                 max_unacked_per_connection=UNACKED))
    thread = ServerThread(server)
    port = thread.start()
    yield Rig(server, port, writer, ingest, factory)
    thread.stop()
    ingest.stop()
    writer.stop()
    engine.dispose()


def _wait(predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_a_tenfold_flood_is_held_back_not_buffered_and_all_of_it_is_stored(rig: Rig) -> None:
    terminals = [BlockingTerminal("127.0.0.1", rig.port, f"0138{n:08d}", timeout=20)
                 for n in range(TERMINALS)]
    try:
        for t in terminals:
            t.login()
        gate = threading.Event()
        rig.writer.submit(lambda _s: gate.wait(30), label="slow database")
        for n, t in enumerate(terminals):
            t.send_raw(b"".join(
                frame for k in range(REPORTS) for frame in t.frames_for(Location(
                    latitude=39.9, longitude=116.3 + n * 0.01,
                    time=BASE + dt.timedelta(seconds=k), speed_kmh=30.0))))
        # every connection fills its window of unanswered reports, then is not read further
        assert _wait(lambda: rig.server.stats.positions >= TERMINALS * UNACKED)
        assert _wait(lambda: rig.server.stats.read_pauses >= TERMINALS)
        accepted_while_blocked = rig.server.stats.positions
        assert accepted_while_blocked <= TERMINALS * UNACKED  # the rest waits in the terminals
        assert rig.ingest.pending <= BOUND
        assert rig.server.stats.positions_durable == 0  # nothing acknowledged before commit
        assert rig.server.stats.positions_refused == 0
        gate.set()
        for t in terminals:
            results = []
            while len(results) < REPORTS:
                message = t.recv().message
                if isinstance(message, PlatformGeneralReply) \
                        and message.reply_id == MsgId.LOCATION:
                    results.append(message.result)
            assert results == [0] * REPORTS  # every report acknowledged, none refused
    finally:
        for t in terminals:
            t.close()
    with rig.factory() as s:
        stored = s.execute(select(PositionFix.device_id, func.count())
                           .group_by(PositionFix.device_id)).all()
    assert dict(stored) == {t.phone: REPORTS for t in terminals}
    assert rig.ingest.stats.peak_pending <= TERMINALS * UNACKED  # memory stayed bounded
    assert rig.server.stats.positions_durable == TERMINALS * REPORTS

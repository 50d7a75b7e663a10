"""The real Session talking to the simulator over a pseudo-terminal (and TCP)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from radio_bridge import OutboxState, Session, SessionConfig, SqliteOutboxStore
from radio_bridge import events as ev
from radio_bridge.simulator import RadioModel, SimulatorServer, ledger_stats
from radio_bridge.testing import EventLog, wait_until

pytestmark = pytest.mark.integration

UNIT = 2269001


def delivered(events: EventLog, mid: str, timeout: float = 5.0) -> ev.OutboxStateChanged:
    return events.wait(ev.OutboxStateChanged, lambda e: e.message_id == mid
                       and e.state in (OutboxState.DELIVERED, OutboxState.FAILED), timeout)


@pytest.fixture
def session_on(events: EventLog, pty_config: SessionConfig) -> Iterator[Callable[..., Session]]:
    made: list[Session] = []

    def make(port: str, **kwargs: object) -> Session:
        s = Session(port, on_event=events, config=pty_config, **kwargs)  # type: ignore[arg-type]
        made.append(s)
        s.start()
        return s

    yield make
    for s in made:
        assert s.stop(3)


def test_session_over_a_pty_sends_receives_and_survives_a_dropped_line(
        pty_radio: SimulatorServer, session_on: Callable[..., Session],
        events: EventLog) -> None:
    s = session_on(pty_radio.port)
    assert s.wait_until_up(3)
    mid = s.send_text(UNIT, "请到东城区2号剧场检查")
    assert delivered(events, mid).state == OutboxState.DELIVERED
    pty_radio.call(lambda m, n: m.emit_lip(UNIT + 1, n))
    pty_radio.call(lambda m, n: m.emit_status(UNIT + 2, 0x8004, n))
    assert events.wait(ev.LocationReport).source == UNIT + 1
    assert events.wait(ev.StatusReceived).key == "on_scene"

    old_target = os.readlink(pty_radio.port)
    pty_radio.drop()  # the pty disappears; a new one appears behind the same link
    down = events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.DOWN)
    events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.UP and e.at > down.at)
    assert os.readlink(pty_radio.port) != old_target
    mid2 = s.send_text(UNIT, "线路恢复")
    assert delivered(events, mid2).state == OutboxState.DELIVERED


def test_busy_and_garbage_over_a_pty(pty_radio: SimulatorServer,
                                     session_on: Callable[..., Session],
                                     events: EventLog) -> None:
    from radio_bridge.simulator import Misbehaviour

    pty_radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(busy=0.5,
                                                                          garbage=0.3)))
    s = session_on(pty_radio.port)
    ids = [s.send_text(UNIT + i % 3, f"消息{i}") for i in range(6)]
    for mid in ids:
        assert delivered(events, mid, 10).state == OutboxState.DELIVERED
    msgs = [s.message(i) for i in ids]
    assert any(m is not None and m.attempts > 1 for m in msgs)  # busy answers were retried
    assert pty_radio.stats()["distinct"] == 6


def test_session_over_tcp_socket_url(events: EventLog,
                                     session_on: Callable[..., Session]) -> None:
    model = RadioModel(seed=3, fleet=3, activity_interval=0.0, air_delay=0.01,
                       report_delay=0.02)
    server = SimulatorServer(model)
    url = server.open_tcp("127.0.0.1", 0)
    server.start()
    try:
        s = session_on(url)
        assert s.wait_until_up(3)
        assert delivered(events, s.send_text(UNIT, "tcp")).state == OutboxState.DELIVERED
    finally:
        server.stop()


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pty")
def test_kill_the_simulator_mid_send_and_restart_it_exactly_one_distinct_delivery(
        tmp_path: Path, procs: Callable[..., Any], events: EventLog,
        pty_config: SessionConfig) -> None:
    link = tmp_path / "radio"
    ledger = tmp_path / "ledger.jsonl"
    base = ["-m", "radio_bridge.simulator", "--pty", "--link", str(link), "--quiet",
            "--fleet", "5", "--ledger", str(ledger)]
    first = procs([*base, "--misbehave", "hang-on-send"])
    assert first.line() == str(link)
    with SqliteOutboxStore(tmp_path / "outbox.sqlite3") as store:
        s = Session(str(link), store=store, on_event=events, config=pty_config)
        s.start()
        try:
            assert s.wait_until_up(5)
            mid = s.send_text(UNIT, "请立即前往西城区1号演出场所")
            # the radio took the SDS on the air, then died before answering
            wait_until(lambda: ledger_stats(ledger)["deliveries"] == 1, 5)
            assert s.message(mid).state == OutboxState.QUEUED  # type: ignore[union-attr]
            first.finish(kill=True)
            # a killed simulator cannot remove its link; the freed pty number may be given to
            # another program (another test run) at once, so take the dangling link away
            link.unlink()
            events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.DOWN)
            second = procs(base)
            assert second.line() == str(link)
            assert delivered(events, mid, 10).state == OutboxState.DELIVERED
            second.send("stats")
            stats = json.loads(second.line())
        finally:
            assert s.stop(3)
        msg = store.get(mid)
    assert ledger_stats(ledger) == {"deliveries": 2, "distinct": 1}
    entries = [json.loads(x) for x in ledger.read_text(encoding="utf-8").splitlines()]
    assert entries[0]["payload"] == entries[1]["payload"]  # same bytes, same reference
    assert stats["deliveries"] == 1 and stats["distinct"] == 1  # the restarted radio's view
    assert msg is not None and msg.state == OutboxState.DELIVERED and msg.attempts == 2
    assert [h.state.value for h in msg.history][-3:] == ["accepted", "sent", "delivered"]

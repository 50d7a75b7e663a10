"""Outbox edge cases over a real pseudo-terminal: a slow radio's late answers, timeouts,
cancelling and group texts, with the simulator in its misbehaving modes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from radio_bridge import OutboxState, Session, SessionConfig, SqliteOutboxStore
from radio_bridge import events as ev
from radio_bridge.errors import CancelRefused
from radio_bridge.simulator import Misbehaviour, SimulatorServer, ledger_stats
from radio_bridge.testing import EventLog

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pty")]

UNIT = 2269001
GROUP = 9001


def reached(events: EventLog, mid: str, state: OutboxState,
            timeout: float = 8.0) -> ev.OutboxStateChanged:
    return events.wait(ev.OutboxStateChanged,
                       lambda e: e.message_id == mid and e.state == state, timeout)


@pytest.fixture
def session_on(events: EventLog) -> Iterator[Callable[..., Session]]:
    made: list[Session] = []

    def make(port: str, config: SessionConfig, **kwargs: Any) -> Session:
        s = Session(port, on_event=events, config=config, **kwargs)
        made.append(s)
        s.start()
        assert s.wait_until_up(5)
        return s

    yield make
    for s in made:
        assert s.stop(3)


def test_slow_radio_late_answers_never_answer_the_next_command(
        tmp_path: Path, procs: Callable[..., Any], events: EventLog,
        pty_config: SessionConfig, session_on: Callable[..., Session]) -> None:
    """The simulator (its real CLI) answers every AT+CMGS after 1.5 s; the console waits 0.5 s.

    Each send times out, its late ``+CMGS: n`` / ``OK`` arrives while the console is already
    resynchronising, and must neither be taken for another command's answer nor make the
    console send the text a second time.
    """
    link, ledger = tmp_path / "radio", tmp_path / "ledger.jsonl"
    sim = procs(["-m", "radio_bridge.simulator", "--pty", "--link", str(link), "--quiet",
                 "--fleet", "5", "--ledger", str(ledger), "--misbehave", "slow-send=1.5"])
    assert sim.line() == str(link)
    config = replace(pty_config, send_timeout_s=0.5, command_timeout_s=2.0)
    with SqliteOutboxStore(tmp_path / "outbox.sqlite3") as store:
        s = session_on(str(link), config, store=store)
        ids = [s.send_text(UNIT + i, f"慢速电台{i}") for i in range(3)]
        timed_out = events.wait(ev.OutboxStateChanged, lambda e: e.message_id == ids[0]
                                and "no answer" in (e.last_error or ""), 5)
        assert timed_out.state == OutboxState.QUEUED
        # an ordinary command in between gets its own answer
        assert s.command("AT+CSQ?").result(10) == ["+CSQ: 22,99"]
        for mid in ids:
            assert reached(events, mid, OutboxState.DELIVERED, 20).message_id == mid
        assert s.command("AT+CTGS?").result(10) == ["+CTGS: 1,9001"]
        msgs = [store.get(mid) for mid in ids]
    assert all(m is not None and any(h.detail.startswith("late +CMGS")
                                     for h in m.history) for m in msgs)
    # every text went over the air exactly once: no resend after a late acceptance
    assert ledger_stats(ledger) == {"deliveries": 3, "distinct": 3}


def test_unconfirmed_and_failed_are_durable_and_a_late_confirmation_still_counts(
        tmp_path: Path, pty_radio: SimulatorServer, events: EventLog,
        pty_config: SessionConfig, session_on: Callable[..., Session]) -> None:
    pty_radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(no_confirm=True,
                                                                          no_report=True)))
    config = replace(pty_config, confirm_timeout_s=0.4, report_timeout_s=0.8)
    path = tmp_path / "outbox.sqlite3"
    with SqliteOutboxStore(path) as store:
        s = session_on(pty_radio.port, config, store=store)
        status = s.send_status(UNIT, 0x8004)
        text = s.send_text(UNIT + 1, "无人回执")
        accepted = reached(events, status, OutboxState.ACCEPTED)
        assert reached(events, status, OutboxState.UNCONFIRMED).last_error == (
            "no transmission confirmation (+CMGS: n,4) within 0.4 s")
        reached(events, text, OutboxState.UNCONFIRMED)
        failed = reached(events, text, OutboxState.FAILED)
        assert failed.last_error == "no delivery report within 0.8 s"
        instance = int(accepted.detail.removeprefix("+CMGS: "))
        pty_radio.call(lambda m, n: m.unsolicited([f"+CMGS: {instance},4,0"], n))
        assert reached(events, status, OutboxState.SENT).detail.endswith("confirmed late")
        assert s.stop(3)
    with SqliteOutboxStore(path) as again:  # what a restarted console reads
        assert again.get(text).state == OutboxState.FAILED  # type: ignore[union-attr]
        assert again.get(status).state == OutboxState.SENT  # type: ignore[union-attr]
        assert again.unfinished() == []
        rows = {m.id: m for m in again.recent()}
    assert rows[text].last_error == "no delivery report within 0.8 s"
    assert pty_radio.stats()["deliveries"] == 2  # neither was sent twice


def test_cancel_a_queued_order_over_the_pty_and_refuse_a_sent_one(
        pty_radio: SimulatorServer, events: EventLog, pty_config: SessionConfig,
        session_on: Callable[..., Session]) -> None:
    pty_radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(busy=1.0)))
    s = session_on(pty_radio.port, replace(pty_config, busy_retry_s=0.3, retry_max_s=0.5))
    mid = s.send_text(UNIT, "撤回")
    events.wait(ev.OutboxStateChanged, lambda e: e.message_id == mid and e.last_error)
    for _ in range(100):
        try:
            cancelled = s.cancel(mid)
            break
        except CancelRefused as exc:  # handed to the radio at this very moment: try again
            assert "right now" in exc.reason
    else:
        raise AssertionError("never cancellable")
    assert cancelled.state == OutboxState.CANCELLED
    pty_radio.call(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour()))
    sent = s.send_text(UNIT, "照发")
    reached(events, sent, OutboxState.DELIVERED)
    with pytest.raises(CancelRefused, match="already delivered"):
        s.cancel(sent)
    assert pty_radio.stats()["deliveries"] == 1  # only the one that was not cancelled
    assert s.message(mid).state == OutboxState.CANCELLED  # type: ignore[union-attr]


def test_group_text_over_the_pty_has_no_report_request_and_ends_at_sent(
        tmp_path: Path, procs: Callable[..., Any], events: EventLog,
        pty_config: SessionConfig, session_on: Callable[..., Session]) -> None:
    link, ledger = tmp_path / "radio", tmp_path / "ledger.jsonl"
    sim = procs(["-m", "radio_bridge.simulator", "--pty", "--link", str(link), "--quiet",
                 "--fleet", "5", "--ledger", str(ledger)])
    assert sim.line() == str(link)
    s = session_on(str(link), replace(pty_config, group_ssis=frozenset({GROUP}),
                                      report_timeout_s=0.3))
    mid = s.send_text(GROUP, "全体队员注意：今晚联合检查")
    reached(events, mid, OutboxState.SENT)
    msg = s.message(mid)
    assert msg is not None and msg.group and msg.is_final and not msg.report_requested
    (entry,) = [json.loads(x) for x in ledger.read_text(encoding="utf-8").splitlines()]
    assert entry["destination"] == GROUP
    assert int(entry["payload"][2:4], 16) & 0x0C == 0  # SDS-TL: no delivery report requested
    # a unit's text asks for a report; without one it fails after the report timeout, while
    # the group text, sent earlier, waits for none and stays sent
    sim.send("misbehave no-report")
    assert json.loads(sim.line())["ok"] == "misbehave"
    unit = s.send_text(UNIT, "个呼要回执")
    assert reached(events, unit, OutboxState.FAILED).last_error == (
        "no delivery report within 0.3 s")
    assert s.message(mid).state == OutboxState.SENT  # type: ignore[union-attr]

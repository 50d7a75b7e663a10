"""Session behaviour against the simulated radio through an in-memory port."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from radio_bridge import (
    LinkDownError,
    MemoryOutboxStore,
    OutboxState,
    Session,
    SessionConfig,
    SqliteOutboxStore,
)
from radio_bridge import events as ev
from radio_bridge.simulator import Misbehaviour, RadioModel
from radio_bridge.testing import EventLog, FakeRadio, wait_until

UNIT = 2269001


def states(events: EventLog, message_id: str) -> list[str]:
    return [e.state.value for e in events.of(ev.OutboxStateChanged) if e.message_id == message_id]


def final(events: EventLog, message_id: str, timeout: float = 3.0) -> ev.OutboxStateChanged:
    return events.wait(ev.OutboxStateChanged, lambda e: e.message_id == message_id
                       and e.state in (OutboxState.DELIVERED, OutboxState.FAILED), timeout)


def test_init_sequence_and_identity(session: Session, radio: FakeRadio, events: EventLog) -> None:
    cmds = radio.commands()
    assert cmds[0] == "AT" and cmds[1] == "ATE0"
    assert "ATZ" not in cmds  # ATZ can reboot a Sepura radio
    assert {"AT+CTSP=1,3,10", "AT+CTSP=1,3,130", "AT+CTSP=2,2,20"} <= set(cmds)
    assert "AT+CNUMF?" in cmds
    identity = events.wait(ev.OwnIdentity)
    assert identity.issi == 2000001
    assert session.own_identity is not None and session.own_identity.ssi == 2000001
    assert events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.UP)
    assert session.talkgroup == 9001


def test_chinese_text_is_delivered_with_all_states_timestamped(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    mid = session.send_text(UNIT, "请到朝阳区3号剧场检查")
    final(events, mid)
    assert states(events, mid) == ["queued", "accepted", "sent", "delivered"]
    msg = session.message(mid)
    assert msg is not None and msg.is_final
    times = [h.at for h in msg.history]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    # on the air: one SDS-TL text, UCS-2, with our reference, with a report request
    (dest, ref), = radio.model.deliveries
    assert dest == UNIT and ref == msg.references[0]
    cmgs = [c for c in radio.commands() if c.startswith("AT+CMGS=")]
    assert cmgs == [f"AT+CMGS={UNIT},{msg.part_bits[0]}"]
    assert msg.parts[0].startswith(f"8204{ref:02X}1A")
    report = events.wait(ev.DeliveryReport)
    assert report.message_id == mid and report.status_class == "success"


def test_service_selected_before_each_kind_of_sds(session: Session, radio: FakeRadio,
                                                  events: EventLog) -> None:
    a = session.send_status(UNIT, "acknowledge")
    b = session.send_text(UNIT, "ok", report=False)
    c = session.send_status(UNIT, 0x8004)
    for mid in (a, b, c):
        events.wait(ev.OutboxStateChanged, lambda e, m=mid: e.message_id == m
                    and e.state == OutboxState.SENT)
    relevant = [x for x in radio.commands() if x.startswith(("AT+CTSDS", "AT+CMGS"))]
    assert relevant == ["AT+CTSDS=13,0", f"AT+CMGS={UNIT},16",
                        "AT+CTSDS=12,0,0,0,0", f"AT+CMGS={UNIT},48",
                        "AT+CTSDS=13,0", f"AT+CMGS={UNIT},16"]
    assert radio.model.statuses_received == [(UNIT, 0x8020), (UNIT, 0x8004)]
    assert states(events, a) == ["queued", "accepted", "sent"]
    assert session.message(a).is_final  # type: ignore[union-attr]


def test_long_text_is_concatenated_and_delivered_when_every_part_is(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    text = "检查结果：" + "现场无异常，" * 40
    mid = session.send_text(UNIT, text)
    final(events, mid)
    msg = session.message(mid)
    assert msg is not None and msg.state == OutboxState.DELIVERED
    assert len(msg.parts) == 4 and len(set(msg.references)) == 4  # 245 chars, 69 per part
    assert list(radio.model.deliveries) == [(UNIT, r) for r in msg.references]
    assert len(events.of(ev.DeliveryReport)) == 4


def test_busy_radio_is_retried_later_and_never_fails_the_message(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(busy=1.0)))
    mid = session.send_text(UNIT, "busy test")
    note = events.wait(ev.OutboxStateChanged,
                       lambda e: e.message_id == mid and e.last_error is not None)
    assert note.state == OutboxState.QUEUED
    assert "42" in note.last_error and "busy" in note.last_error
    wait_until(lambda: (session.message(mid).attempts or 0) >= 3)  # type: ignore[union-attr]
    assert session.message(mid).state == OutboxState.QUEUED  # type: ignore[union-attr]
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour()))
    assert final(events, mid).state == OutboxState.DELIVERED
    assert radio.model.deliveries == [(UNIT, session.message(mid).references[0])]  # type: ignore[union-attr]


def test_permanent_error_fails_with_readable_reason(
        session: Session, radio: FakeRadio, events: EventLog,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def reject(_dest: str, _bits: int, _payload: str, now: float) -> None:
        radio.model._lines(["+CME ERROR: 34"], now)

    monkeypatch.setattr(radio.model, "_submit", reject)
    mid = session.send_text(UNIT, "x")
    change = final(events, mid)
    assert change.state == OutboxState.FAILED
    assert change.last_error == "+CME ERROR 34: parameter out of range"


def test_failure_report_from_the_network_fails_the_message(
        session: Session, events: EventLog) -> None:
    mid = session.send_text(7654321, "to nobody")  # unknown to the simulator: 0x4B report
    change = final(events, mid)
    assert change.state == OutboxState.FAILED
    assert "destination not registered" in (change.last_error or "")


def test_incoming_traffic_becomes_events_and_reports_are_answered(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    refs = radio.do(lambda m, n: m.emit_text(UNIT, "已到达现场，开始检查", n))
    text = events.wait(ev.TextMessageReceived)
    assert (text.source, text.text, text.report_requested) == (UNIT, "已到达现场，开始检查", True)
    wait_until(lambda: radio.model.reports_received == [(UNIT, refs[0])])
    radio.do(lambda m, n: m.emit_status(UNIT + 1, 0x8003, n))
    status = events.wait(ev.StatusReceived)
    assert (status.source, status.key) == (UNIT + 1, "en_route")
    radio.do(lambda m, n: m.emit_lip(UNIT + 2, n))
    loc = events.wait(ev.LocationReport)
    unit = radio.model.units[UNIT + 2]
    assert loc.source == UNIT + 2
    assert loc.latitude == pytest.approx(unit.lat, abs=2e-5)
    assert loc.longitude == pytest.approx(unit.lon, abs=2e-5)
    radio.do(lambda m, n: m.emit_emergency(UNIT + 3, n))
    alarms = [events.wait(ev.EmergencyAlarm, lambda e, o=o: e.origin == o) for o in
              ("status", "location")]
    assert {a.source for a in alarms} == {UNIT + 3}


def test_duplicate_text_from_a_unit_is_shown_once_but_answered_twice(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    from radio_bridge import sdstl

    (pdu,) = sdstl.build_text("重复", [77])
    lines = [f"+CTSDSR: 12,{UNIT},0,2000001,0,{len(pdu) * 8}", pdu.hex().upper()]
    radio.do(lambda m, n: m.unsolicited(lines, n))
    radio.do(lambda m, n: m.unsolicited(lines, n, 0.05))
    wait_until(lambda: len(radio.model.reports_received) == 2)
    time.sleep(0.05)
    assert len(events.of(ev.TextMessageReceived)) == 1


def test_group_call_talkgroup_and_ptt(session: Session, radio: FakeRadio,
                                      events: EventLog) -> None:
    radio.do(lambda m, n: m.emit_group_call(9001, [UNIT, UNIT + 1], n))
    started = events.wait(ev.CallStarted)
    assert started.group and started.called == 9001 and started.caller == UNIT
    talkers = [events.wait(ev.TxGranted, lambda e, t=t: e.talking_party == t).talking_party
               for t in (UNIT, UNIT + 1)]
    assert talkers == [UNIT, UNIT + 1]
    events.wait(ev.TxCeased)
    events.wait(ev.CallEnded, lambda e: e.cause == 13, timeout=6.0)

    assert session.select_talkgroup(9002).result(2) is None
    assert events.wait(ev.TalkgroupSelected).gssi == 9002
    cci = session.ptt(True).result(3)
    assert cci is not None
    assert events.wait(ev.TxGranted, lambda e: e.own).cc_instance == cci
    assert session.ptt(False).result(2) == cci
    assert events.wait(ev.TxCeased, lambda e: e.own).cc_instance == cci
    cmds = radio.commands()
    assert "AT+CTGS=1,9002" in cmds and "ATD9002" in cmds and f"AT+CUTXC={cci}" in cmds
    assert cmds.index("AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0") < cmds.index("ATD9002")
    assert session.ptt(True).result(2) == cci  # the call exists now: AT+CTXD
    assert f"AT+CTXD={cci},1" in radio.commands()
    assert session.command("AT+CSQ?").result(2) == ["+CSQ: 22,99"]


def test_unplugged_radio_reconnects_and_resends_with_the_same_reference(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    radio.do(lambda m, _n: setattr(m, "air_delay", 30.0))  # never says "sent" before the drop
    mid = session.send_text(UNIT, "resend me")
    events.wait(ev.OutboxStateChanged, lambda e: e.message_id == mid
                and e.state == OutboxState.ACCEPTED)
    radio.unplug()
    down = events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.DOWN)
    assert down.retry_in_s is not None and down.retry_in_s > 0
    fut = session.select_talkgroup(9003)
    with pytest.raises(LinkDownError):
        fut.result(1)
    time.sleep(0.1)  # a few failed reconnect attempts
    radio.do(lambda m, _n: setattr(m, "air_delay", 0.01))
    radio.plug()
    assert final(events, mid).state == OutboxState.DELIVERED
    assert radio.opens >= 2
    assert states(events, mid) == ["queued", "accepted", "queued", "accepted", "sent",
                                   "delivered"]
    msg = session.message(mid)
    assert msg is not None
    assert radio.model.deliveries == [(UNIT, msg.references[0])] * 2  # same ref twice on air
    assert msg.history[2].detail.startswith("requeued")


def test_silent_radio_is_detected_by_supervision(make_session: Callable[..., Session],
                                                 radio: FakeRadio, events: EventLog,
                                                 fast_config: SessionConfig) -> None:
    s = make_session(config=replace(fast_config, keepalive_s=0.1, command_timeout_s=0.2))
    s.start()
    assert s.wait_until_up(2)
    radio.do(lambda m, _n: setattr(m, "hung", True))
    down = events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.DOWN, timeout=4)
    assert "stopped answering" in down.detail
    radio.do(lambda m, _n: setattr(m, "hung", False))
    events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.UP
                and e.at > down.at, timeout=4)


def test_garbage_on_the_line_is_survived(make_session: Callable[..., Session],
                                         radio: FakeRadio, events: EventLog) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(garbage=0.5)))
    s = make_session()
    s.start()
    ids = [s.send_text(UNIT, f"第{i}条") for i in range(5)]
    for mid in ids:
        assert final(events, mid, 6).state == OutboxState.DELIVERED
    assert events.of(ev.MalformedInput)


def test_message_queued_while_radio_is_off_survives_a_restart(
        tmp_path: Path, radio: FakeRadio, events: EventLog, fast_config: SessionConfig) -> None:
    path = tmp_path / "outbox.sqlite3"
    radio.unplug()
    with SqliteOutboxStore(path) as store:
        first = Session("fake://", store=store, config=fast_config, port_factory=radio.factory)
        first.start()
        mid = first.send_text(UNIT, "durable")
        time.sleep(0.05)
        assert first.stop(2)
    radio.plug()
    with SqliteOutboxStore(path) as store:
        (pending,) = store.unfinished()
        assert pending.id == mid and pending.state == OutboxState.QUEUED
        second = Session("fake://", store=store, config=fast_config,
                         port_factory=radio.factory, on_event=events)
        second.start()
        try:
            assert final(events, mid).state == OutboxState.DELIVERED
        finally:
            assert second.stop(2)
        assert store.get(mid).state == OutboxState.DELIVERED  # type: ignore[union-attr]
    assert radio.model.deliveries == [(UNIT, pending.references[0])]


def test_references_of_unfinished_messages_are_not_reused(make_session: Callable[..., Session],
                                                          radio: FakeRadio) -> None:
    radio.unplug()
    s = make_session(store=MemoryOutboxStore(first_reference=254))
    ids = [s.send_text(UNIT, "m") for _ in range(260)]
    refs = [s.message(i).references[0] for i in ids]  # type: ignore[union-attr]
    assert len(set(refs[:256])) == 256 and refs[:3] == [254, 255, 0]


def test_bad_arguments_are_rejected_before_queueing(make_session: Callable[..., Session]) -> None:
    s = make_session()
    for bad in (0, 16777216, "abc"):
        with pytest.raises(ValueError, match="SSI"):
            s.send_text(bad, "x")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="empty"):
        s.send_text(UNIT, "")
    with pytest.raises(ValueError, match="unknown status"):
        s.send_status(UNIT, "no_such_status")
    with pytest.raises(ValueError, match="short report"):
        s.send_status(UNIT, 0x7E01)
    assert s.outbox() == []


@pytest.mark.expect_log_errors
def test_callback_errors_do_not_stop_the_session(radio: FakeRadio,
                                                 fast_config: SessionConfig) -> None:
    seen: list[ev.RadioEvent] = []

    def bad(event: ev.RadioEvent) -> None:
        seen.append(event)
        raise RuntimeError("console bug")

    s = Session("fake://", config=fast_config, port_factory=radio.factory, on_event=bad)
    s.start()
    try:
        mid = s.send_text(UNIT, "still works")
        wait_until(lambda: s.message(mid).state == OutboxState.DELIVERED)  # type: ignore[union-attr]
        assert len(seen) > 3
    finally:
        assert s.stop(2)


def test_stop_is_prompt_and_final(make_session: Callable[..., Session],
                                  events: EventLog) -> None:
    s = make_session(config=SessionConfig(read_timeout_s=0.01))
    s.start()
    assert s.wait_until_up(2)
    t0 = time.monotonic()
    assert s.stop(3)
    assert time.monotonic() - t0 < 1.0
    assert events.of(ev.LinkStateChanged)[-1].state == ev.LinkState.STOPPED
    assert s.link_state == ev.LinkState.STOPPED
    assert s.stop(1)  # idempotent
    with pytest.raises(RuntimeError):
        s.start()


def test_half_entered_sds_is_recovered_at_start(radio: FakeRadio,
                                                make_session: Callable[..., Session]) -> None:
    # the radio still waits for SDS user data from a previous program
    radio.do(lambda m, n: m.feed(b"AT+CMGS=1234,16\r\n", n))
    radio.do(lambda m, n: m.poll(n + 1))
    s = make_session()
    s.start()
    assert s.wait_until_up(3)


def test_model_defaults_are_sane() -> None:
    model = RadioModel(fleet=3, seed=1)
    assert list(model.units) == [2269001, 2269002, 2269003]


def test_unusable_port_url_is_reported_as_link_down(events: EventLog,
                                                   fast_config: SessionConfig) -> None:
    s = Session("nosuchscheme://x", config=fast_config, on_event=events)
    s.start()
    try:
        down = events.wait(ev.LinkStateChanged, lambda e: e.state == ev.LinkState.DOWN)
        assert "nosuchscheme" in down.detail
        mid = s.send_text(UNIT, "queued while the port is unusable")
        assert s.message(mid).state == OutboxState.QUEUED  # type: ignore[union-attr]
    finally:
        assert s.stop(2)

"""Outbox edge cases: unconfirmed and report timeouts, cancelling, group texts, late answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace

import pytest

from radio_bridge import MemoryOutboxStore, OutboxState, Session, SessionConfig
from radio_bridge import events as ev
from radio_bridge.errors import CancelRefused
from radio_bridge.outbox import MessageKind, OutboxMessage, aggregate_state, new_message
from radio_bridge.simulator import Misbehaviour
from radio_bridge.testing import EventLog, FakeRadio, wait_until

UNIT = 2269001
GROUP = 9001
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)

Q, A, U, S, D, F, C = (OutboxState.QUEUED, OutboxState.ACCEPTED, OutboxState.UNCONFIRMED,
                       OutboxState.SENT, OutboxState.DELIVERED, OutboxState.FAILED,
                       OutboxState.CANCELLED)


class StepClock:
    """A clock that moves one second per reading (state times stay ordered and known)."""

    def __init__(self) -> None:
        self.at = T0

    def now(self) -> dt.datetime:
        self.at += dt.timedelta(seconds=1)
        return self.at


def _text(report: bool = True, parts: int = 1) -> OutboxMessage:
    return new_message(kind=MessageKind.TEXT, destination=UNIT, ai_service=12,
                       parts=[("8204010141", 40)] * parts, references=list(range(parts)),
                       report_requested=report, text="x", now=T0)


def _wait_state(events: EventLog, mid: str, state: OutboxState,
                timeout: float = 3.0) -> ev.OutboxStateChanged:
    return events.wait(ev.OutboxStateChanged,
                       lambda e: e.message_id == mid and e.state == state, timeout)


# ---------------------------------------------------------------- the record's state machine

@pytest.mark.parametrize(("parts", "expected"), [
    ((A, U), A),   # still waiting for the radio on one part
    ((S, U), U),   # every part left the radio, one without confirmation
    ((D, U), U),
    ((U, F), F),   # a failed part fails the message
    ((C, C), C),
    ((S, S), S),
])
def test_part_states_combine_to_the_least_advanced(parts: tuple[OutboxState, ...],
                                                    expected: OutboxState) -> None:
    assert aggregate_state(parts) == expected


def test_unconfirmed_is_final_only_without_a_report_request() -> None:
    with_report = _text(report=True).with_part_state(0, U, "no confirmation")
    without = _text(report=False).with_part_state(0, U, "no confirmation")
    assert with_report.state == without.state == U
    assert not with_report.is_final  # the report may still come, or its timeout fails it
    assert without.is_final
    assert _text().with_history(C, "cancelled").is_final


def test_cancel_refusal_says_why() -> None:
    queued = _text()
    assert queued.cancel_refusal is None
    accepted = queued.with_part_state(0, A, "+CMGS: 0")
    assert accepted.cancel_refusal == "already accepted: the radio has it"
    sent = accepted.with_part_state(0, S, "+CMGS: 0,4,1")
    assert sent.cancel_refusal == "already sent: the radio has it"
    half = _text(parts=2).with_part_state(0, S, "")  # one part is out: it cannot be undone
    assert half.cancel_refusal is not None
    timed_out = replace(queued, maybe_sent=True)
    assert "may already be on the air" in (timed_out.cancel_refusal or "")


def test_new_fields_survive_the_record_and_old_records_still_load() -> None:
    msg = replace(_text(report=False), group=True, maybe_sent=True).with_part_state(0, U, "x")
    again = OutboxMessage.from_dict(msg.to_dict())
    assert again == msg and again.group and again.maybe_sent and again.state == U
    old = msg.to_dict()
    del old["group"], old["maybe_sent"]  # a record stored before these existed
    loaded = OutboxMessage.from_dict(old)
    assert not loaded.group and not loaded.maybe_sent


# ---------------------------------------------------------------- timeouts in a session

def test_no_transmission_confirmation_makes_a_status_unconfirmed_and_a_late_one_sends_it(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog,
        fast_config: SessionConfig) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(no_confirm=True)))
    store = MemoryOutboxStore()
    s = make_session(store=store, config=replace(fast_config, confirm_timeout_s=0.3),
                     clock=StepClock())
    s.start()
    mid = s.send_status(UNIT, 0x8004)
    accepted = _wait_state(events, mid, A)
    change = _wait_state(events, mid, U)
    assert change.previous_state == A
    assert change.last_error == "no transmission confirmation (+CMGS: n,4) within 0.3 s"
    stored = store.get(mid)
    assert stored is not None and stored.state == U and stored.is_final  # durable, visible
    assert stored.history[-1].at.date() == T0.date()  # timed by the session's clock
    assert radio.model.statuses_received == [(UNIT, 0x8004)]  # sent once, never again
    # the confirmation turns up after all
    instance = int(accepted.detail.removeprefix("+CMGS: "))
    radio.do(lambda m, n: m.unsolicited([f"+CMGS: {instance},4,0"], n))
    late = _wait_state(events, mid, S)
    assert late.detail.endswith("confirmed late") and late.last_error is None
    assert store.get(mid).state == S  # type: ignore[union-attr]


def test_a_text_whose_report_never_comes_fails_after_the_report_timeout(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog,
        fast_config: SessionConfig) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(no_report=True)))
    s = make_session(config=replace(fast_config, report_timeout_s=0.3))
    s.start()
    mid = s.send_text(UNIT, "请回电")
    _wait_state(events, mid, S)
    change = _wait_state(events, mid, F)
    assert change.last_error == "no delivery report within 0.3 s"
    assert [e.state.value for e in events.of(ev.OutboxStateChanged)
            if e.message_id == mid] == ["queued", "accepted", "sent", "failed"]


def test_without_timeouts_a_silent_destination_leaves_the_text_sent(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog,
        fast_config: SessionConfig) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(no_report=True)))
    s = make_session(config=replace(fast_config, report_timeout_s=0.0))
    s.start()
    mid = s.send_text(UNIT, "x")
    _wait_state(events, mid, S)
    s.stop(3)
    assert s.message(mid).state == S  # type: ignore[union-attr]
    assert mid in [m.id for m in s.outbox()]  # still waiting for its report


# ---------------------------------------------------------------- cancelling

def test_a_queued_message_is_cancelled_and_never_goes_out(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog) -> None:
    store = MemoryOutboxStore()
    s = make_session(store=store)  # not started: the link is down, the message waits
    mid = s.send_text(UNIT, "撤回这条")
    keep = s.send_text(UNIT, "这条照发")
    cancelled = s.cancel(mid)
    assert cancelled.state == C and cancelled.is_final
    assert store.get(mid).state == C  # type: ignore[union-attr]
    s.start()
    assert _wait_state(events, mid, C).detail == "cancelled by the dispatcher"
    assert _wait_state(events, keep, OutboxState.DELIVERED).message_id == keep
    assert [r for _d, r in radio.model.deliveries] == list(s.message(keep).references)  # type: ignore[union-attr]
    with pytest.raises(CancelRefused, match="already cancelled"):
        s.cancel(mid)


def test_cancelling_a_sent_message_is_refused_with_the_reason(
        session: Session, events: EventLog) -> None:
    mid = session.send_text(UNIT, "已发出")
    _wait_state(events, mid, OutboxState.DELIVERED)
    with pytest.raises(CancelRefused) as refused:
        session.cancel(mid)
    assert refused.value.reason == "already delivered: the radio has it"
    assert session.message(mid).state == OutboxState.DELIVERED  # type: ignore[union-attr]
    with pytest.raises(CancelRefused, match="no such message"):
        session.cancel("0" * 32)


def test_a_busy_retry_can_be_cancelled_but_a_timed_out_send_cannot(
        session: Session, radio: FakeRadio, events: EventLog) -> None:
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(busy=1.0)))
    busy = session.send_text(UNIT, "忙")
    events.wait(ev.OutboxStateChanged, lambda e: e.message_id == busy and e.last_error)
    # the radio said "busy": nothing went out, so the dispatcher may withdraw it
    wait_until(lambda: _try_cancel(session, busy))
    assert session.message(busy).state == C  # type: ignore[union-attr]
    # a send the radio did not answer may be on the air: refused
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(slow_send=30.0)))
    silent = session.send_text(UNIT, "无应答")
    events.wait(ev.OutboxStateChanged, lambda e: e.message_id == silent
                and "no answer" in (e.last_error or ""), 5)
    with pytest.raises(CancelRefused, match="may already be on the air"):
        session.cancel(silent)


def _try_cancel(session: Session, mid: str) -> bool:
    try:
        session.cancel(mid)
    except CancelRefused as exc:  # being handed to the radio at this very moment
        assert "right now" in exc.reason
        return False
    return True


# ---------------------------------------------------------------- group texts

def test_group_text_asks_for_no_report_and_ends_at_sent(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog,
        fast_config: SessionConfig) -> None:
    s = make_session(config=replace(fast_config, group_ssis=frozenset({GROUP})))
    s.start()
    mid = s.send_text(GROUP, "全体注意")
    other = s.send_text(9555, "临时组", group=True)  # not configured, marked by the caller
    for m in (mid, other):
        _wait_state(events, m, S)
    for m in (mid, other):
        msg = s.message(m)
        assert msg is not None and msg.group and not msg.report_requested and msg.is_final
        assert msg.parts[0][2:4] == "00"  # SDS-TRANSFER, no delivery report requested
    assert [e.state.value for e in events.of(ev.OutboxStateChanged)
            if e.message_id == mid] == ["queued", "accepted", "sent"]
    unit = s.send_text(UNIT, "个呼")
    assert s.message(unit).report_requested  # type: ignore[union-attr]


# ---------------------------------------------------------------- late answers

def test_a_late_send_answer_is_not_taken_for_the_next_command(
        make_session: Callable[..., Session], radio: FakeRadio, events: EventLog,
        fast_config: SessionConfig) -> None:
    s = make_session(config=replace(fast_config, send_timeout_s=0.3))
    s.start()
    assert s.wait_until_up(3)
    radio.do(lambda m, _n: setattr(m, "misbehaviour", Misbehaviour(slow_send=1.0)))
    mid = s.send_text(UNIT, "慢")
    events.wait(ev.OutboxStateChanged, lambda e: e.message_id == mid
                and "no answer" in (e.last_error or ""))
    answer = s.command("AT+CSQ?").result(5)
    assert answer == ["+CSQ: 22,99"]  # its own answer, not the send's late "+CMGS: n" / OK
    assert _wait_state(events, mid, OutboxState.DELIVERED, 5).message_id == mid
    msg = s.message(mid)
    assert msg is not None and any(h.detail.startswith("late +CMGS: ") for h in msg.history)
    assert len(radio.model.deliveries) == 1  # taken late, not sent a second time
    resync = radio.commands().index("AT+CNUMF?", radio.commands().index(f"AT+CMGS={UNIT},"
                                                                         f"{msg.part_bits[0]}"))
    assert radio.commands()[resync + 1] == "AT+CSQ?"

"""Receive path: unsolicited items → events, report replies, duplicates, calls."""

from __future__ import annotations

from radio_bridge import events as ev
from radio_bridge import sdstl
from radio_bridge.at import LineReader, Unsolicited
from radio_bridge.inbound import InboundProcessor, ReportReply


def run(proc: InboundProcessor, data: bytes, now: float = 0.0) -> tuple[list[ev.RadioEvent],
                                                                         list[ReportReply]]:
    events: list[ev.RadioEvent] = []
    replies: list[ReportReply] = []
    for item in LineReader().feed(data):
        assert isinstance(item, Unsolicited)
        result = proc.process(item, now)
        events += result.events
        replies += result.replies
    return events, replies


def sds(source: int, service: int, payload: str, bits: int | None = None) -> bytes:
    bits = len(payload) * 4 if bits is None else bits
    return f"+CTSDSR: {service},{source},0,2000001,0,{bits}\r\n{payload}\r\n".encode()


def test_text_with_report_request_is_answered_and_duplicates_dropped() -> None:
    proc = InboundProcessor()
    (pdu,) = sdstl.build_text("收到，正在前往", [0x42])
    events, replies = run(proc, sds(2269001, 12, pdu.hex()))
    (text,) = events
    assert isinstance(text, ev.TextMessageReceived)
    assert (text.source, text.text, text.reference, text.coding) == (2269001, "收到，正在前往",
                                                                      0x42, 26)
    assert replies == [ReportReply(2269001, 0x82, 0x42, 0x00)]
    assert replies[0].user_data() == bytes.fromhex("82100042")
    # the sender resends the same message (it missed our report): answer again, show once
    events, replies = run(proc, sds(2269001, 12, pdu.hex()), now=5.0)
    assert events == [] and len(replies) == 1
    assert proc.duplicates_dropped == 1
    # after the window the same reference is a new message
    events, _ = run(proc, sds(2269001, 12, pdu.hex()), now=700.0)
    assert len(events) == 1


def test_same_reference_with_different_text_is_not_a_duplicate() -> None:
    proc = InboundProcessor()
    (a,) = sdstl.build_text("one", [7])
    (b,) = sdstl.build_text("two", [7])
    events, _ = run(proc, sds(5, 12, a.hex()) + sds(5, 12, b.hex()))
    assert [e.text for e in events] == ["one", "two"]  # type: ignore[attr-defined]


def test_concatenated_text_is_delivered_once() -> None:
    proc = InboundProcessor()
    text = "长" * 200
    pdus = sdstl.build_text(text, [1, 2, 3])
    events, replies = run(proc, b"".join(sds(9, 12, p.hex()) for p in pdus))
    assert len(replies) == 3  # one report per part
    (msg,) = events
    assert isinstance(msg, ev.TextMessageReceived)
    assert msg.text == text and msg.parts == 3 and msg.complete


def test_status_emergency_location_and_reports() -> None:
    proc = InboundProcessor()
    events, _ = run(proc, sds(7, 13, "8003") + sds(8, 13, "0000") + sds(9, 13, "8123"))
    kinds = [type(e).__name__ for e in events]
    assert kinds == ["StatusReceived", "StatusReceived", "EmergencyAlarm", "StatusReceived"]
    assert events[0].key == "en_route" and events[0].label_zh == "出警途中"  # type: ignore[attr-defined]
    assert events[3].key is None and events[3].label == "status 0x8123"  # type: ignore[attr-defined]
    events, _ = run(proc, sds(7, 12, "0A0BA7D5B95BC50AFFE16", 84))
    (loc,) = events
    assert isinstance(loc, ev.LocationReport) and loc.source == 7 and loc.reason == 22
    from radio_bridge import lip

    payload, bits = lip.encode_short(39.9, 116.4, reason=2)
    events, _ = run(proc, sds(7, 12, payload, bits))
    assert [type(e).__name__ for e in events] == ["LocationReport", "EmergencyAlarm"]
    item = LineReader().feed(sds(7, 12, "821000C9"))[0]
    assert isinstance(item, Unsolicited)
    result = proc.process(item)
    assert result.notices[0].report.reference == 0xC9 and result.events == []
    item = LineReader().feed(sds(7, 12, "821800CA"))[0]
    assert isinstance(item, Unsolicited)
    assert proc.process(item).replies == [ReportReply(7, 0x82, 0xCA, 0x01, ack=True)]


def test_group_call_events_and_call_tracking() -> None:
    proc = InboundProcessor()
    events, _ = run(proc, (b"+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0\r\n"
                           b"+CTXG: 1,3,0,0,3,09011638300023404\r\n+CDTXC: 1,0\r\n"))
    started, granted, ceased = events
    assert isinstance(started, ev.CallStarted) and started.group and started.caller == 23404
    assert isinstance(granted, ev.TxGranted) and granted.talking_party == 23404
    assert not granted.own
    assert isinstance(ceased, ev.TxCeased)
    assert 1 in proc.calls()
    events, _ = run(proc, b"+CTCR: 1,13\r\n")
    assert isinstance(events[0], ev.CallEnded) and events[0].cause == 13
    assert proc.calls() == {}


def test_bad_input_becomes_malformed_event_never_an_exception() -> None:
    proc = InboundProcessor()
    events, _ = run(proc, b"+CTXG: x\r\n" + sds(1, 12, "0A0B", 84) + b"+CMGS: 1,2,3,4\r\n")
    assert [type(e) for e in events] == [ev.MalformedInput] * 3
    assert "header says 84" in events[1].reason  # type: ignore[attr-defined]
    result = proc.process(LineReader().feed(b"+CMGS: 1,2,3,4\r\n")[0])  # type: ignore[arg-type]
    assert result.cmgs == [] and isinstance(result.events[0], ev.MalformedInput)

"""SDS-TL: PDUs from PROTOCOLS.md §2, text coding, concatenation, reports."""

from __future__ import annotations

import pytest

from radio_bridge import ProtocolError, sdstl
from radio_bridge.sdstl import (
    LocationMessage,
    OtherSdu,
    SdsAck,
    SdsReport,
    StatusMessage,
    TextMessage,
)


def decode(hex_text: str, service: int = 12) -> sdstl.SdsContent:
    return sdstl.decode_sds(service, hex_text, len(hex_text) * 4)


@pytest.mark.parametrize(("payload", "pid", "ref", "text", "report"), [
    ("0201746573746D657373616765", 0x02, None, "testmessage", 0),
    ("82029C01746573746D657373616765", 0x82, 0x9C, "testmessage", 0),
    ("8200FF015768617427732075703F", 0x82, 0xFF, "What's up?", 0),
    ("8204170148656C6C6F", 0x82, 0x17, "Hello", 1),
    ("82040801476A61746A616A676A61", 0x82, 0x08, "Gjatjajgja", 1),
    # store/forward fields present (validity 10, SSI 0x010203), ftl's order
    ("82039C51010203016869", 0x82, 0x9C, "hi", 0),
])
def test_documented_texts(payload: str, pid: int, ref: int | None, text: str, report: int) -> None:
    msg = decode(payload)
    assert isinstance(msg, TextMessage)
    assert (msg.pid, msg.reference, msg.text, msg.report_request) == (pid, ref, text, report)


def test_udh_text_with_timestamp() -> None:
    msg = decode("8A02C981045A8F050003C90201414243")
    assert isinstance(msg, TextMessage)
    assert msg.reference == 0xC9
    assert msg.coding == sdstl.TCS_LATIN1
    assert msg.timestamp == sdstl.SdsTimestamp(0, 4, 11, 10, 15)
    assert msg.concat == sdstl.ConcatInfo(0xC9, 2, 1)
    assert msg.text == "ABC"


def test_reports_and_acks() -> None:
    assert decode("821000C9") == SdsReport(0x82, 0x00, 0xC9)
    assert decode("821800CA") == SdsReport(0x82, 0x00, 0xCA, ack_required=True)
    assert decode("822001C9") == SdsAck(0x82, 0x01, 0xC9)
    report = decode("82104B17")
    assert isinstance(report, SdsReport)
    assert report.status_class == "failed"
    assert report.status_text == "destination not registered"


def test_status_and_short_report() -> None:
    assert decode("8004", 13) == StatusMessage(0x8004)
    assert decode("0000", 13) == StatusMessage(0)
    short = decode("7E17", 13)  # 011111 10 00010111: "message received", ref 0x17
    assert short == SdsReport(None, 0x00, 0x17, short=True)
    assert decode("7C05", 13) == SdsReport(None, 0x50, 0x05, short=True)
    with pytest.raises(ProtocolError):
        sdstl.decode_sds(13, "800400", 24)


def test_lip_and_other_pids() -> None:
    assert isinstance(decode("0A06B86D067EA5F9588810"), LocationMessage)
    other = decode("0A4580")
    assert isinstance(other, OtherSdu) and other.pid == 0x0A
    assert isinstance(decode("E0010203"), OtherSdu)
    assert isinstance(decode("831000C9"), SdsReport)  # reports for any SDS-TL PID
    assert isinstance(decode("8300C901AA"), OtherSdu)
    assert isinstance(decode("1234", 9), OtherSdu)


def test_encode_hello_exactly_as_documented() -> None:
    assert sdstl.build_text("Hello", [0x17]) == [bytes.fromhex("8204170148656C6C6F")]
    assert sdstl.build_text("Hello", [0x17], report=False)[0][1] == 0x00
    assert sdstl.build_text("Hello", [0x17], immediate=True)[0][0] == 0x89
    assert sdstl.encode_report(0x82, 0xC9) == bytes.fromhex("821000C9")


def test_chinese_is_ucs2_and_round_trips() -> None:
    text = "请到朝阳区3号剧场检查"
    (pdu,) = sdstl.build_text(text, [5])
    assert pdu[3] == sdstl.TCS_UCS2
    msg = decode(pdu.hex())
    assert isinstance(msg, TextMessage) and msg.text == text and msg.coding == 26


def test_long_text_is_concatenated_and_reassembled() -> None:
    text = "文化市场综合执法" * 30 + "🚓 end"  # includes a character outside the BMP
    coding, chunks = sdstl.split_text(text)
    assert coding == sdstl.TCS_UCS2 and len(chunks) == 4
    refs = [10, 11, 12, 13]
    pdus = sdstl.build_text(text, refs)
    assert all(len(p) * 8 <= sdstl.DEFAULT_MAX_USER_DATA_BITS for p in pdus)
    assert all(p[0] == sdstl.PID_CONCAT_TEXT for p in pdus)
    r = sdstl.Reassembler()
    released = []
    for pdu in reversed(pdus):  # out of order
        part = decode(pdu.hex())
        assert isinstance(part, TextMessage)
        released += r.add(2269001, part, now=0.0)
    assert len(released) == 1
    assert released[0].text == text and released[0].complete
    assert sorted(released[0].references) == refs


def test_incomplete_concatenation_is_released_after_timeout_with_gap_marked() -> None:
    pdus = sdstl.build_text("x" * 400, [1, 2, 3])
    r = sdstl.Reassembler(timeout_s=10)
    for pdu in (pdus[0], pdus[2]):
        part = decode(pdu.hex())
        assert isinstance(part, TextMessage)
        assert r.add(7, part, now=0.0) == []
    assert r.expire(now=5.0) == []
    (out,) = r.expire(now=11.0)
    assert not out.complete and out.received == 2 and "[…]" in out.text
    assert len(r) == 0


def test_split_limits() -> None:
    with pytest.raises(ValueError, match="empty"):
        sdstl.split_text("")
    with pytest.raises(ValueError, match="255 parts"):
        sdstl.split_text("中" * 20000)
    with pytest.raises(ValueError, match="references"):
        sdstl.build_text("x" * 400, [1])
    assert len(sdstl.split_text("é" * 144)[1]) == 1  # Latin-1 fits 144 octets in one SDS
    assert len(sdstl.split_text("é" * 145)[1]) == 2


@pytest.mark.parametrize(("tcs", "raw", "text"), [
    (0, bytes.fromhex("C8329BFD06"), "Hello"),  # GSM 7-bit packed
    (5, "Привет".encode("iso8859_5"), "Привет"),
    (14, b"\x80", "Ç"),
])
def test_other_text_coding_schemes(tcs: int, raw: bytes, text: str) -> None:
    assert sdstl.decode_text(raw, tcs) == text


def test_bad_text_coding_raises() -> None:
    with pytest.raises(ProtocolError, match="coding scheme"):
        sdstl.decode_text(b"x", 99)
    with pytest.raises(ProtocolError, match="odd"):
        sdstl.decode_text(b"\x4e\x2d\x00", 26)


def test_delivery_classes() -> None:
    assert [sdstl.delivery_class(s) for s in (0x00, 0x21, 0x4B, 0x60, 0x80, 0xC0)] == [
        "success", "temporary", "failed", "flow_control", "end_to_end", "reserved"]
    assert sdstl.delivery_status_text(0x99) == "delivery status 0x99"

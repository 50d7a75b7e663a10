"""AT line reader and command encoders."""

from __future__ import annotations

import pytest

from radio_bridge import ProtocolError
from radio_bridge.at import (
    Echo,
    FinalResult,
    LineReader,
    Malformed,
    Response,
    Unsolicited,
    encode_cmgs,
    encode_command,
    parse_int,
    parse_ssi,
    split_args,
)


def feed_all(data: bytes, chunk: int | None = None) -> list[object]:
    reader = LineReader()
    if chunk is None:
        return list(reader.feed(data))
    out: list[object] = []
    for i in range(0, len(data), chunk):
        out += reader.feed(data[i:i + chunk])
    return out


def test_final_results_and_information_lines() -> None:
    items = feed_all(b"\r\n+CNUMF: 6,09011638300023401\r\n\r\nOK\r\n"
                     b"\r\n+CME ERROR: 42\r\nERROR\r\n")
    assert items == [
        Response("+CNUMF", "6,09011638300023401", "+CNUMF: 6,09011638300023401"),
        FinalResult("OK", ok=True),
        FinalResult("+CME ERROR: 42", ok=False, code=42),
        FinalResult("ERROR", ok=False),
    ]
    assert items[2].is_cme  # type: ignore[attr-defined]


def test_unsolicited_between_command_and_its_ok() -> None:
    # the radio reports a call and a floor grant between +CMGS: 0 and OK
    items = feed_all(b"\r\n+CMGS: 0\r\n\r\n+CTICN: 1,0,0,0,2269001,0,1,0,1,1,0,9001,0\r\n"
                     b"\r\n+CTXG: 1,3,0,0,0,2269002\r\n\r\nOK\r\n\r\n+CMGS: 0,4,23\r\n")
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Response", "Unsolicited", "Unsolicited", "FinalResult", "Unsolicited"]
    assert items[0] == Response("+CMGS", "0", "+CMGS: 0")  # immediate answer stays a response
    assert isinstance(items[4], Unsolicited) and items[4].args == "0,4,23"  # delayed +CMGS


def test_ctsdsr_takes_the_next_line_as_payload_in_any_chunking() -> None:
    data = b"\r\n+CTSDSR: 12,1234567,0,2345678,0,84\r\n0A0BA7D5B95BC50AFFE16\r\n\r\nOK\r\n"
    expected = [
        Unsolicited("+CTSDSR", "12,1234567,0,2345678,0,84",
                    "+CTSDSR: 12,1234567,0,2345678,0,84", "0A0BA7D5B95BC50AFFE16"),
        FinalResult("OK", ok=True),
    ]
    assert feed_all(data) == expected
    for chunk in (1, 2, 3, 7):
        assert feed_all(data, chunk) == expected


def test_ctsdsr_without_payload_does_not_swallow_ok() -> None:
    items = feed_all(b"+CTSDSR: 13,1234567,0,2345678,0,16\r\nOK\r\n")
    assert isinstance(items[0], Malformed)
    assert "payload" in items[0].reason
    assert items[1] == FinalResult("OK", ok=True)


def test_echo_prompt_and_ctrl_z_are_tolerated() -> None:
    items = feed_all(b"AT+CMGS=1234567,16\r\n> 8004\x1a\r\nATE0\r\r\nOK\r\n")
    assert items == [
        Echo("AT+CMGS=1234567,16"),
        Response(None, "8004", "8004"),
        Echo("ATE0"),
        FinalResult("OK", ok=True),
    ]


def test_binary_garbage_and_overlong_lines_are_reported_not_raised() -> None:
    items = feed_all(b"\x8f\x12\xffzz\r\n" + b"A" * 5000 + b"\r\nOK\r\n")
    assert [type(i) for i in items] == [Malformed, Malformed, FinalResult]
    assert "non-printable" in items[0].reason  # type: ignore[union-attr]
    assert "too long" in items[1].reason  # type: ignore[union-attr]


def test_overlong_partial_line_is_dropped_until_its_end() -> None:
    reader = LineReader(max_line=64)
    first = reader.feed(b"B" * 100)
    assert len(first) == 1 and isinstance(first[0], Malformed)
    assert reader.feed(b"B" * 100) == []
    assert reader.feed(b"BBB\r\nOK\r\n") == [FinalResult("OK", ok=True)]


def test_call_finals_and_unreadable_cme_code() -> None:
    items = feed_all(b"NO CARRIER\r\n+CME ERROR: x\r\n")
    assert items == [FinalResult("NO CARRIER", ok=False), FinalResult("+CME ERROR: x", ok=False)]


def test_encode_cmgs_single_write_format() -> None:
    assert encode_cmgs(1234567, bytes.fromhex("8204170148656C6C6F")) == (
        b"AT+CMGS=1234567,72\r\n8204170148656C6C6F\x1a")
    assert encode_cmgs("1234567", "0a06b86d067ea5f958881", 84).endswith(
        b",84\r\n0A06B86D067EA5F958881\x1a")
    with pytest.raises(ValueError, match="digits"):
        encode_cmgs('"1234567"', b"\x80\x04")
    with pytest.raises(ValueError, match="bits"):
        encode_cmgs(1, "8004", 17)
    assert encode_command("ATE0") == b"ATE0\r"
    with pytest.raises(ValueError, match="printable"):
        encode_command("AT\r\nATZ")


def test_field_helpers() -> None:
    assert split_args(' 1, "2",,3 ') == ["1", "2", "", "3"]
    assert parse_int("42", "x", 0, 50) == 42
    with pytest.raises(ProtocolError):
        parse_int("-1", "x")
    with pytest.raises(ProtocolError):
        parse_int("99", "x", 0, 50)
    # a TSI: the last 8 digits are the SSI
    assert parse_ssi("09011638300023404") == 23404
    assert parse_ssi("2269001") == 2269001
    for bad in ("", "12a", "1" * 18, "99999999"):
        with pytest.raises(ProtocolError):
            parse_ssi(bad)

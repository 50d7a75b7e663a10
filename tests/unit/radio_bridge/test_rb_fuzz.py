"""Property-based fuzzing: only ProtocolError may escape a decoder; the reader never raises."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from radio_bridge import ProtocolError, lip, pei, sdstl
from radio_bridge.at import LineReader, Malformed, Unsolicited
from radio_bridge.inbound import InboundProcessor

FUZZ = settings(max_examples=300, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])

hex_text = st.text(alphabet="0123456789ABCDEFabcdef", min_size=0, max_size=80)
fields = st.lists(st.one_of(st.integers(-5, 1 << 20).map(str), st.just(""),
                            st.text(alphabet="0123456789,x\" ", max_size=20)), max_size=15)
prefixes = ["+CTSDSR", "+CTICN", "+CTCC", "+CTXG", "+CDTXC", "+CTCR", "+CMGS", "+CTOCP",
            "+CNUMF", "OK", "ERROR", "+CME ERROR"]


@st.composite
def radio_stream(draw: st.DrawFn) -> bytes:
    """Plausible-looking radio output with random fields, payloads and junk."""
    out = bytearray()
    for _ in range(draw(st.integers(0, 8))):
        choice = draw(st.integers(0, 3))
        if choice == 0:
            out += draw(st.binary(max_size=40))
        else:
            prefix = draw(st.sampled_from(prefixes))
            args = ",".join(draw(fields))
            out += f"{prefix}: {args}".encode("latin-1") + draw(st.sampled_from(
                [b"\r\n", b"\r", b"\n", b""]))
            if prefix == "+CTSDSR" or choice == 3:
                out += draw(hex_text).encode() + b"\r\n"
    return bytes(out)


@FUZZ
@given(data=st.one_of(st.binary(max_size=600), radio_stream()),
       cuts=st.lists(st.integers(1, 50), max_size=20))
def test_line_reader_never_raises_and_chunking_does_not_matter(data: bytes,
                                                                cuts: list[int]) -> None:
    whole = LineReader().feed(data)
    reader = LineReader()
    pieces: list[Any] = []
    pos = 0
    for cut in cuts:
        pieces += reader.feed(data[pos:pos + cut])
        pos += cut
    pieces += reader.feed(data[pos:])
    assert pieces == whole


@FUZZ
@given(data=st.one_of(st.binary(max_size=600), radio_stream()))
def test_inbound_processor_turns_anything_into_events(data: bytes) -> None:
    proc = InboundProcessor()
    for item in LineReader().feed(data):
        if isinstance(item, Unsolicited | Malformed):
            result = proc.process(item, 0.0)  # must not raise at all
            assert isinstance(result.events, list)
    proc.expire(1e9)


def only_protocol_errors(fn: Callable[..., Any], *args: Any) -> None:
    with contextlib.suppress(ProtocolError):
        fn(*args)


@FUZZ
@given(payload=st.one_of(hex_text, st.text(max_size=30)), bits=st.integers(-10, 400))
def test_lip_decoder(payload: str, bits: int) -> None:
    only_protocol_errors(lip.decode, payload, bits)
    only_protocol_errors(lip.decode, "0A" + payload, bits)
    only_protocol_errors(lip.decode, "0A4" + payload, bits)  # long-report prefix


@FUZZ
@given(service=st.integers(0, 20), payload=st.one_of(hex_text, st.text(max_size=30)),
       bits=st.integers(-10, 700), pid=st.sampled_from(["82", "89", "8A", "02", "09", "0A",
                                                        "83", "FF", ""]))
def test_sds_decoder(service: int, payload: str, bits: int, pid: str) -> None:
    only_protocol_errors(sdstl.decode_sds, service, pid + payload, bits)


@FUZZ
@given(data=st.binary(max_size=64), tcs=st.integers(0, 130))
def test_text_decoder(data: bytes, tcs: int) -> None:
    only_protocol_errors(sdstl.decode_text, data, tcs)


PARSERS = [pei.parse_ctsdsr_header, pei.parse_cmgs_accepted, pei.parse_cmgs_result,
           pei.parse_cticn, pei.parse_ctcc, pei.parse_ctcr, pei.parse_ctxg, pei.parse_cdtxc,
           pei.parse_cnumf, pei.parse_ctgs]


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.__name__)
@settings(max_examples=150, deadline=None, database=None)
@given(args=st.one_of(fields.map(",".join), st.text(max_size=60)))
def test_result_code_parsers(parser: Callable[[str], Any], args: str) -> None:
    only_protocol_errors(parser, args)


@FUZZ
@given(lat=st.floats(-90, 90), lon=st.floats(-180, 180),
       speed=st.one_of(st.none(), st.floats(0, 2000)), heading=st.floats(0, 359.9),
       reason=st.integers(0, 255), padded=st.booleans(), long=st.booleans())
def test_lip_round_trip(lat: float, lon: float, speed: float | None, heading: float,
                        reason: int, padded: bool, long: bool) -> None:
    encode = lip.encode_long if long else lip.encode_short
    payload, bits = encode(lat, lon, speed_kmh=speed, heading_deg=heading, reason=reason,
                           padded=padded)
    r = lip.decode(payload, bits)
    assert r.latitude is not None and r.longitude is not None
    assert abs(r.latitude - lat) < 1.1e-5
    assert abs(r.longitude - lon) < 1.1e-5 or abs(abs(r.longitude - lon) - 360) < 1.1e-5
    assert r.reason == reason
    if speed is None:
        assert r.speed_kmh is None
    else:
        assert r.speed_kmh is not None
        assert abs(r.speed_kmh - min(speed, 1043)) <= max(0.5, 0.02 * speed)


@FUZZ
@given(text=st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=400),
       report=st.booleans())
def test_text_round_trip_through_concatenation(text: str, report: bool) -> None:
    _coding, chunks = sdstl.split_text(text)
    refs = list(range(len(chunks)))
    pdus = sdstl.build_text(text, refs, report=report)
    r = sdstl.Reassembler()
    out = []
    for pdu in pdus:
        msg = sdstl.decode_sds(12, pdu.hex(), len(pdu) * 8)
        assert isinstance(msg, sdstl.TextMessage)
        assert bool(msg.report_request) == report
        out += r.add(1, msg, now=0.0)
    assert [o.text for o in out] == [text]

"""Property tests: encode ↔ decode round trips, escaping in every field, fuzzing."""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.tracking.jt808 import (
    Authentication,
    BatchLocations,
    FrameError,
    FrameSplitter,
    Heartbeat,
    Location,
    Message,
    PlatformGeneralReply,
    Reassembler,
    Registration,
    RegistrationReply,
    TerminalGeneralReply,
    decode_body,
    decode_frame,
    encode_frame,
    encode_packets,
)
from app.tracking.jt808.wire import escape, unescape

FAST = settings(max_examples=150, deadline=None, database=None)
SLOW = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TRICKY = st.sampled_from([0x7E, 0x7D, 0x01, 0x02, 0x00, 0xFF])


def tricky_uint(size: int) -> st.SearchStrategy[int]:
    """Integers whose bytes are often 0x7E / 0x7D (so every field needs escaping)."""
    tricky = st.lists(TRICKY, min_size=size, max_size=size).map(
        lambda bs: int.from_bytes(bytes(bs), "big")
    )
    return st.one_of(tricky, st.integers(0, 256**size - 1))


phones_2013 = st.text("0123456789", min_size=12, max_size=12)
phones_2019 = st.text("0123456789", min_size=20, max_size=20)
versions = st.one_of(st.none(), st.integers(1, 255))
serials = tricky_uint(2)
utc_offsets = st.sampled_from([timedelta(hours=8), timedelta(0), timedelta(hours=-5)])
byte_values = st.one_of(st.binary(max_size=12), st.lists(TRICKY, max_size=8).map(bytes))
items = st.lists(st.tuples(tricky_uint(1), byte_values), max_size=5).map(tuple)


@st.composite
def locations(draw: st.DrawFn) -> Location:
    lat_raw = draw(
        st.one_of(tricky_uint(4).filter(lambda v: v <= 90_000_000), st.integers(0, 90_000_000))
    )
    lon_raw = draw(
        st.one_of(tricky_uint(4).filter(lambda v: v <= 180_000_000), st.integers(0, 180_000_000))
    )
    south = draw(st.booleans()) and lat_raw > 0
    west = draw(st.booleans()) and lon_raw > 0
    status = draw(tricky_uint(4)) & ~0b1100 | (0b100 if south else 0) | (0b1000 if west else 0)
    when = draw(
        st.datetimes(
            min_value=datetime(2000, 1, 2),
            max_value=datetime(2099, 12, 30),
        )
    ).replace(microsecond=0, tzinfo=UTC)
    altitude = draw(tricky_uint(2)) - 32768
    return Location(
        latitude=-lat_raw / 1e6 if south else lat_raw / 1e6,
        longitude=-lon_raw / 1e6 if west else lon_raw / 1e6,
        time=when,
        speed_kmh=draw(tricky_uint(2)) / 10,
        heading_deg=draw(tricky_uint(2)),
        altitude_m=altitude,
        alarm=draw(tricky_uint(4)),
        status=status,
        items=draw(items),
    )


texts = st.text(st.sampled_from("ABCXYZ0123456789-_ 京津冀沪粤"), max_size=5)
ascii_texts = st.text(st.sampled_from("ABCXYZ0123456789-_"), max_size=5)

terminal_messages = st.one_of(
    locations(),
    st.builds(Heartbeat),
    st.builds(TerminalGeneralReply, tricky_uint(2), tricky_uint(2), st.integers(0, 3)),
    st.builds(BatchLocations, st.integers(0, 1), st.lists(locations(), max_size=6).map(tuple)),
    st.builds(
        Registration,
        tricky_uint(2),
        tricky_uint(2),
        ascii_texts,
        ascii_texts,
        ascii_texts,
        tricky_uint(1),
        texts,
    ),
)
platform_messages = st.one_of(
    st.builds(PlatformGeneralReply, tricky_uint(2), tricky_uint(2), st.integers(0, 4)),
    st.builds(RegistrationReply, tricky_uint(2), st.just(0), texts),
    st.builds(RegistrationReply, tricky_uint(2), st.integers(1, 4), st.just("")),
)


def _assert_wire_is_clean(frame: bytes) -> None:
    assert frame[0] == 0x7E
    assert frame[-1] == 0x7E
    assert 0x7E not in frame[1:-1]


@SLOW
@given(
    message=st.one_of(terminal_messages, platform_messages),
    serial=serials,
    version=versions,
    offset=utc_offsets,
    data=st.data(),
)
def test_round_trip_every_message(
    message: Message, serial: int, version: int | None, offset: timedelta, data: st.DataObject
) -> None:
    phone = data.draw(phones_2019 if version is not None else phones_2013)
    frames = encode_packets(
        message,
        phone=phone,
        serial=serial,
        version=version,
        utc_offset=offset,
    )
    reassembler = Reassembler()
    whole = None
    for frame in frames:
        _assert_wire_is_clean(frame)
        decoded = decode_frame(frame, offset)
        assert decoded.phone == phone
        assert decoded.version == version
        assert decoded.msg_id == message.MSG_ID
        whole = reassembler.add(decoded.header, decoded.body, 0.0)
    assert whole is not None
    header, body = whole
    assert header.serial == serial
    assert decode_body(header, body, offset) == message


@FAST
@given(
    auth=st.builds(Authentication, texts, st.text("0123456789", max_size=15), ascii_texts),
    version=versions,
)
def test_authentication_round_trip(auth: Authentication, version: int | None) -> None:
    if version is None:
        auth = Authentication(auth.auth_code)  # 2013 carries only the code
    frame = encode_frame(auth, phone="013900000001", serial=1, version=version)
    assert decode_frame(frame).message == auth


@FAST
@given(loc=locations(), serial=serials, version=versions)
def test_single_frame_location_escaping(loc: Location, serial: int, version: int | None) -> None:
    frame = encode_frame(loc, phone="1", serial=serial, version=version)
    _assert_wire_is_clean(frame)
    decoded = decode_frame(frame)
    assert decoded.serial == serial
    assert decoded.location == loc


def test_escaping_in_every_field() -> None:
    """A report whose every field holds 0x7E and 0x7D survives the wire."""
    loc = Location(
        latitude=0x007E7D7E / 1e6 - 2,  # raw 0x007E7D7C: 7E 7D in latitude
        longitude=0x007D7E7D / 1e6,
        time=datetime(2024, 1, 1, tzinfo=UTC),
        speed_kmh=0x7E7D / 10,
        heading_deg=0x7D7E,
        altitude_m=0x7E7D,
        alarm=0x7E7D7E7D,
        status=0x7D7E7D73,
        items=((0x7E, b"\x7e\x7d"), (0x7D, b"\x7d\x7e\x7e")),
    )
    frame = encode_frame(loc, phone="013900000001", serial=0x7E7D, version=0x7E)
    _assert_wire_is_clean(frame)
    assert frame.count(b"\x7d\x02") >= 10
    assert frame.count(b"\x7d\x01") >= 10
    decoded = decode_frame(frame)
    assert decoded.serial == 0x7E7D
    assert decoded.version == 0x7E
    assert decoded.location == loc


@FAST
@given(st.binary(max_size=300))
def test_escape_unescape_inverse(data: bytes) -> None:
    escaped = escape(data)
    assert 0x7E not in escaped
    assert unescape(escaped) == data


@SLOW
@given(st.binary(max_size=400))
def test_fuzz_decode_frame_only_raises_frame_error(data: bytes) -> None:
    for candidate in (data, b"\x7e" + data + b"\x7e"):
        with contextlib.suppress(FrameError):
            decode_frame(candidate)


@SLOW
@given(
    message=terminal_messages,
    version=versions,
    mutations=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, 10_000),
)
def test_fuzz_mutated_valid_frames(
    message: Message, version: int | None, mutations: list[tuple[int, int]], cut: int
) -> None:
    frames = encode_packets(message, phone="1", serial=1, version=version)
    frame = bytearray(frames[0])
    for pos, value in mutations:
        frame[pos % len(frame)] = value
    for candidate in (bytes(frame), bytes(frame[: cut % (len(frame) + 1)]) + b"\x7e"):
        try:
            decoded = decode_frame(candidate)
        except FrameError as exc:
            message = str(exc)
        else:
            message = ""
            assert isinstance(decoded.msg_id, int)
        assert message or decoded


@SLOW
@given(chunks=st.lists(st.binary(max_size=200), max_size=20), limit=st.integers(15, 400))
def test_fuzz_splitter_never_raises_and_stays_bounded(chunks: list[bytes], limit: int) -> None:
    splitter = FrameSplitter(max_frame_bytes=limit)
    for chunk in chunks:
        for frame in splitter.feed(chunk):
            assert frame[0] == 0x7E
            assert frame[-1] == 0x7E
            assert len(frame) <= limit
            with contextlib.suppress(FrameError):
                decode_frame(frame)
        assert splitter.buffered <= limit + len(chunk)
    assert splitter.buffered <= limit


@FAST
@given(
    messages=st.lists(st.tuples(terminal_messages, versions), min_size=1, max_size=6),
    garbage=st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\x7e", b"")), max_size=7),
    shared_flags=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_splitter_recovers_every_frame_from_a_dirty_stream(
    messages: list[tuple[Message, int | None]],
    garbage: list[bytes],
    shared_flags: bool,
    seed: int,
) -> None:
    frames = [
        f
        for i, (m, v) in enumerate(messages)
        for f in encode_packets(m, phone="1", serial=i * 100, version=v)
    ]
    parts: list[bytes] = []
    for i, frame in enumerate(frames):
        if i < len(garbage):
            parts.append(garbage[i])
        if shared_flags and i > 0 and i >= len(garbage):
            frame = frame[1:]  # 7E A 7E B 7E: the previous end flag starts this frame
        parts.append(frame)
    stream = b"".join(parts)
    rng = random.Random(seed)
    splitter = FrameSplitter()
    out: list[bytes] = []
    pos = 0
    while pos < len(stream):
        step = rng.randint(1, 64)
        out += splitter.feed(stream[pos : pos + step])
        pos += step
    expected = iter(frames)
    want = next(expected, None)
    for candidate in out:
        if candidate == want:
            want = next(expected, None)
    assert want is None, "a frame was lost"

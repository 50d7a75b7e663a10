"""The packet ring: keeps a time window that always starts at a key frame."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.media.ring import PacketRing, RingEntry

T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


def _entry(t: float, video: bool = True, key: bool = False, size: int = 100) -> RingEntry:
    return RingEntry(packet=("pkt", t), stream_index=0 if video else 1, is_video=video,
                     is_key=key, size=size, received_mono=t,
                     received_utc=T0 + dt.timedelta(seconds=t))


def _feed(ring: PacketRing, seconds: float, gop: float = 1.0) -> None:
    t = 0.0
    while t < seconds:
        ring.append(_entry(t, key=abs(t / gop - round(t / gop)) < 1e-6))
        ring.append(_entry(t + 0.01, video=False))
        t = round(t + 0.04, 2)


def test_window_is_trimmed_and_starts_at_a_key_frame() -> None:
    ring = PacketRing(seconds=3.0)
    _feed(ring, 10.0)
    entries = list(ring)
    assert entries[0].is_video and entries[0].is_key
    assert entries[-1].received_mono - entries[0].received_mono <= 3.0
    assert entries[0].received_mono >= 10.0 - 3.0 - 1.0


def test_since_backs_up_to_the_key_frame_before() -> None:
    ring = PacketRing(seconds=30.0)
    _feed(ring, 10.0)
    clip = ring.since(5.5)
    assert clip[0].is_key and clip[0].received_mono == 5.0
    assert ring.since(-100)[0].received_mono == 0.0
    assert ring.since(100.0)[0].received_mono == 9.0  # the last key frame


def test_byte_cap_and_clear() -> None:
    ring = PacketRing(seconds=60.0, max_bytes=5_000)
    _feed(ring, 10.0)
    assert ring.size_bytes <= 5_000
    generation = ring.generation
    ring.clear()
    assert len(ring) == 0 and ring.size_bytes == 0 and ring.generation == generation + 1
    assert ring.since(0.0) == []


@given(st.lists(st.tuples(st.floats(0.001, 0.5), st.booleans(), st.booleans(),
                          st.integers(1, 5000)), max_size=300),
       st.floats(0.5, 10), st.integers(1000, 100_000))
def test_ring_invariants(packets: list[tuple[float, bool, bool, int]], seconds: float,
                         cap: int) -> None:
    ring = PacketRing(seconds=seconds, max_bytes=cap)
    t = 0.0
    for dt_, video, key, size in packets:
        t += dt_
        ring.append(_entry(t, video, key and video, size))
        entries = list(ring)
        assert ring.size_bytes == sum(e.size for e in entries)
        if len(entries) > 1:
            assert entries[-1].received_mono - entries[0].received_mono <= seconds
            assert ring.size_bytes <= cap
        for start in (0.0, t / 2, t):
            cut = ring.since(start)
            assert not cut or (cut[0].is_video and cut[0].is_key)

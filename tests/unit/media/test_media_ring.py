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


def _split_key_frame(ring: PacketRing, t: float, dts: int) -> None:
    """A key frame handed over as two packets (RTP: one per slice) with sound between."""
    for i, video in enumerate((True, False, True)):
        ring.append(RingEntry(packet=("pkt", t, i), stream_index=0 if video else 1,
                              is_video=video, is_key=video, size=100,
                              received_mono=t + i * 0.001,
                              received_utc=T0 + dt.timedelta(seconds=t), dts=dts))


def test_a_clip_starts_with_the_whole_key_frame_when_it_came_in_parts() -> None:
    ring = PacketRing(seconds=30.0)
    for k in range(3):
        _split_key_frame(ring, float(k), dts=k * 90_000)
        for j in range(1, 25):
            ring.append(RingEntry(("pkt", k + j * 0.04), 0, True, False, 100, k + j * 0.04,
                                  T0, dts=k * 90_000 + j * 3600))
    cut = ring.since(1.5)  # the last key frame before 1.5 s is the one at 1 s, in two parts
    assert [e.packet for e in cut[:3]] == [("pkt", 1.0, 0), ("pkt", 1.0, 1), ("pkt", 1.0, 2)]


def test_trimming_drops_a_split_key_frame_whole() -> None:
    ring = PacketRing(seconds=1.5)
    _split_key_frame(ring, 3.0, dts=270_000)  # parts at 3.000 and 3.002 s, sound at 3.001 s
    ring.append(RingEntry(("pkt", 3.04), 0, True, False, 100, 3.04, T0, dts=273_600))
    # the window moves past the first part only (3.0005 s)
    ring.append(RingEntry(("sound", 4.5005), 1, False, False, 100, 4.5005, T0))
    kept = [e.packet for e in ring]
    # never the second part of a picture whose first part is gone, nor pictures needing it
    assert kept == [("sound", 4.5005)]


def test_trimming_costs_a_few_steps_per_packet_not_the_whole_ring() -> None:
    """A 30 s ring of a camera with sound holds thousands of packets; dropping the oldest must
    not walk all of them (it did for every sound packet: the wall's reader threads then spent
    most of their time, and the interpreter lock, trimming rings)."""
    from collections import deque
    from collections.abc import Iterator

    steps = 0

    class CountingDeque(deque[RingEntry]):
        def __iter__(self) -> Iterator[RingEntry]:
            nonlocal steps
            for item in super().__iter__():
                steps += 1
                yield item

    ring = PacketRing(seconds=10.0)
    ring._entries = CountingDeque()
    appended = 0
    for frame in range(25 * 60):  # one minute at 25 fps, a key frame every 2 s, 2 sound packets
        t = frame / 25
        ring.append(_entry(t, video=True, key=frame % 50 == 0))
        ring.append(_entry(t + 0.01, video=False))
        ring.append(_entry(t + 0.02, video=False))
        appended += 3
    assert len(ring) < appended / 3  # it did trim: about 10 s of 60 are held
    assert steps <= 5 * appended  # a few steps per packet, not one per packet held

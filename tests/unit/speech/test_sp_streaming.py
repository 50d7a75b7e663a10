"""LocalAgreement streaming: what is committed when, from decoded hypotheses."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from app.speech.audio import SAMPLE_RATE, AudioChunk
from app.speech.engine import RecognizedSegment
from app.speech.streaming import StreamConfig, StreamingTranscriber, join_units, split_units


def _tone(seconds: float, amp: float = 0.0) -> np.ndarray:
    return (amp * np.ones(int(seconds * SAMPLE_RATE))).astype(np.float32)


def _seg(text: str, start: float, end: float) -> RecognizedSegment:
    return RecognizedSegment(start, end, text, -0.3, 0.01)


def test_units_are_characters_for_chinese_with_punctuation_riding_along() -> None:
    units = split_units("大家好，今天 OK!", 0.0, 6.0, "zh")
    assert [u.norm for u in units] == ["大", "家", "好", "今", "天", "ok"]
    assert units[2].display == "好，"
    assert join_units(units) == "大家好，今天OK!"
    assert units[0].start_s == 0.0 and units[-1].end_s == 6.0


def test_units_are_words_for_english() -> None:
    units = split_units("Hello, world - again", 1.0, 4.0, "en")
    assert [u.norm for u in units] == ["hello", "world", "again"]
    assert join_units(units) == "Hello, world - again"


@given(st.text(max_size=60), st.sampled_from(["zh", "en"]))
def test_split_units_never_fails_and_times_are_ordered(text: str, language: str) -> None:
    units = split_units(text, 2.0, 5.0, language)
    for a, b in itertools.pairwise(units):
        assert a.start_s <= b.start_s
    for u in units:
        assert 2.0 - 1e-9 <= u.start_s <= u.end_s <= 5.0 + 1e-9


def test_text_is_committed_when_two_hypotheses_agree() -> None:
    tr = StreamingTranscriber("zh")
    tr.insert(AudioChunk(_tone(2.0), 0.0), 0.0)
    r1 = tr.apply([_seg("大家好今天", 0.0, 2.0)], now=2.1, buffer_start=0.0)
    assert r1.committed == [] and r1.partial == "大家好今天"
    tr.insert(AudioChunk(_tone(1.0), 2.0), 3.0)
    r2 = tr.apply([_seg("大家好今天我给", 0.0, 3.0)], now=3.2, buffer_start=0.0)
    assert [ln.text for ln in r2.committed] == ["大家好今天"]
    assert r2.partial == "我给"
    assert r2.latencies_s[0] >= 0.0
    tr.insert(AudioChunk(_tone(1.0), 3.0), 4.0)
    r3 = tr.apply([_seg("大家好今天我给大家", 0.0, 4.0)], now=4.2, buffer_start=0.0)
    assert [ln.text for ln in r3.committed] == ["我给"]  # never the committed text again
    assert r3.partial == "大家"


def test_a_changed_hypothesis_commits_only_the_common_prefix() -> None:
    tr = StreamingTranscriber("zh")
    tr.insert(AudioChunk(_tone(3.0), 0.0), 0.0)
    tr.apply([_seg("他说天气", 0.0, 3.0)], now=3.0, buffer_start=0.0)
    r = tr.apply([_seg("他说听戏", 0.0, 3.0)], now=4.0, buffer_start=0.0)
    assert [ln.text for ln in r.committed] == ["他说"]
    assert r.partial == "听戏"


def test_flush_commits_the_pending_hypothesis() -> None:
    tr = StreamingTranscriber("zh")
    tr.insert(AudioChunk(_tone(2.0), 0.0), 0.0)
    tr.apply([_seg("谢谢大家", 0.0, 2.0)], now=2.0, buffer_start=0.0)
    r = tr.flush(now=2.5)
    assert [ln.text for ln in r.committed] == ["谢谢大家"]


def test_silence_is_not_decoded_and_the_buffer_stays_small() -> None:
    tr = StreamingTranscriber("zh")
    for i in range(30):
        tr.insert(AudioChunk(_tone(1.0), float(i)), float(i))
        assert tr.ready()
        assert tr.prepare() is None  # no speech: nothing to decode
    assert tr.buffer_start() > 25.0


def test_an_undecoded_backlog_is_dropped_not_kept_forever() -> None:
    tr = StreamingTranscriber("zh", StreamConfig(max_buffer_s=4.0))
    for i in range(20):
        tr.insert(AudioChunk(_tone(1.0, 0.1), float(i)), float(i))
    assert tr.dropped_s > 10.0
    assert tr.lag_s == 20.0

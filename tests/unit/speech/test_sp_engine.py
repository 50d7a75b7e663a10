"""Model loading errors, window packing and text clean-up of the speech engine."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.speech.audio import SAMPLE_RATE
from app.speech.engine import (
    GAP_SAMPLES,
    DecodePolicy,
    ModelMissingError,
    check_model_dir,
    compression_ratio,
    load_model,
    pack_windows,
)
from app.speech.settings import MODEL_DIR_SETTING, SpeechSettings, default_model_dir
from app.speech.transcript import clean_text, format_timecode, to_simplified


def test_missing_model_names_the_setting_and_the_install_command(tmp_path: Path) -> None:
    with pytest.raises(ModelMissingError) as err:
        load_model(tmp_path / "nowhere")
    text = str(err.value)
    assert MODEL_DIR_SETTING in text
    assert "python -m app models install" in text
    assert "does not exist" in text


def test_incomplete_model_lists_the_missing_files(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ModelMissingError, match=r"lacks config\.json, tokenizer\.json"):
        check_model_dir(tmp_path)


def test_settings_default_model_dir_is_in_the_data_dir(tmp_path: Path) -> None:
    settings = SpeechSettings()
    assert settings.resolved_model_dir(tmp_path) == default_model_dir(tmp_path)
    assert default_model_dir(tmp_path) == tmp_path / "models" / "whisper-base"
    assert SpeechSettings(model_dir="/site/large").resolved_model_dir(tmp_path) == Path(
        "/site/large")
    assert SpeechSettings(workers=3).worker_count() == 3
    assert SpeechSettings().worker_count() >= 1


regions_st = st.lists(st.tuples(st.integers(0, 40 * SAMPLE_RATE), st.integers(1, 20 * SAMPLE_RATE)),
                      max_size=30)


@given(regions_st, st.floats(5.0, 30.0))
def test_windows_keep_every_speech_sample_in_order_and_within_the_limit(
    raw: list[tuple[int, int]], max_s: float
) -> None:
    # non-overlapping, ordered regions as the VAD returns them
    regions, pos = [], 0
    for gap, length in raw:
        a = pos + gap
        regions.append((a, a + length))
        pos = a + length
    windows = pack_windows(regions, max_s)
    limit = int(max_s * SAMPLE_RATE)
    covered = [r for w in windows for r in w.regions]
    assert sum(b - a for a, b in covered) == sum(b - a for a, b in regions)
    flat = [x for r in covered for x in r]
    assert flat == sorted(flat)
    for w in windows:
        assert w.length <= limit
        for (a, b), off in zip(w.regions, w.offsets, strict=True):
            # a time inside a packed region maps back into the same region of the recording
            mid = off + (b - a) // 2
            t = w.to_recording_time(mid / SAMPLE_RATE)
            assert a / SAMPLE_RATE - 1e-3 <= t <= b / SAMPLE_RATE + 1e-3


def test_window_samples_place_regions_back_to_back_with_a_gap() -> None:
    audio = np.arange(10 * SAMPLE_RATE, dtype=np.float32)
    (w,) = pack_windows([(SAMPLE_RATE, 2 * SAMPLE_RATE), (5 * SAMPLE_RATE, 6 * SAMPLE_RATE)])
    packed = w.samples(audio)
    assert packed.size == 2 * SAMPLE_RATE + GAP_SAMPLES
    assert packed[0] == SAMPLE_RATE
    assert packed[SAMPLE_RATE + GAP_SAMPLES] == 5 * SAMPLE_RATE
    assert w.to_recording_time((SAMPLE_RATE + GAP_SAMPLES) / SAMPLE_RATE + 0.5) == \
        pytest.approx(5.5)


def test_token_budget_is_bounded() -> None:
    policy = DecodePolicy()
    assert policy.max_tokens(1.0) < policy.max_tokens(10.0) <= 440
    assert policy.max_tokens(10_000) == 440
    assert policy.frames == 1500


def test_decoding_loops_are_cut_and_traditional_becomes_simplified() -> None:
    assert clean_text("他說" + "小" * 40, "zh") == "他说小小"
    assert clean_text("哈哈哈哈哈哈哈哈哈哈", "zh") == "哈哈"
    assert clean_text("  hello   world ", "en") == "hello world"
    assert to_simplified("從前有一個人") == "从前有一个人"
    assert compression_ratio("小" * 100) > 2.4
    assert compression_ratio("大家好，今天我给大家说一段相声。") < 2.4


def test_timecodes() -> None:
    assert format_timecode(0) == "0:00"
    assert format_timecode(75.9) == "1:15"
    assert format_timecode(3600 + 61) == "1:01:01"
    assert format_timecode(-3) == "0:00"

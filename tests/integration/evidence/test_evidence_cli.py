"""``python -m app evidence``: list, verify --all, export, and the export checked by the
standalone verifier in a clean interpreter (standard library and gmssl only)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import gmssl  # type: ignore[import-untyped]
import pytest

from app.__main__ import main
from app.evidence.keys import load_or_create_signer
from app.media.capture import record_evidence
from app.media.types import Capture
from app.services.incidents import Actor, record_audit
from models import MediaSource
from models.db import make_engine, make_session_factory
from models.enums import EvidenceKind, MediaKind, MediaOwnerKind
from models.ledger import SIGNER_KEY

pytestmark = pytest.mark.integration

ACTOR = Actor("王调度", "console-1")


@pytest.fixture
def ledger(empty_db_url: str, tmp_path: Path) -> tuple[str, list[str], list[Path]]:
    """A database with three signed evidence items; the CLI's common options."""
    import datetime as dt

    engine = make_engine(empty_db_url)
    sessions = make_session_factory(engine)
    key_dir = tmp_path / "keys"
    sessions.configure(info={SIGNER_KEY: load_or_create_signer(key_dir, "console-1")})
    files = []
    at = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)
    with sessions() as s:
        s.add(MediaSource(id=1, name="cam", url="rtsp://127.0.0.1/x", kind=MediaKind.RTSP,
                          owner_kind=MediaOwnerKind.OTHER))
        s.commit()
    for i, data in enumerate((b"first picture", b"a clip " * 3000, b"third picture"), 1):
        path = tmp_path / "evidence" / f"item-{i}.bin"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        files.append(path)
        with sessions() as s:
            record_evidence(s, Capture(EvidenceKind.CLIP, 1, path,
                                       hashlib.sha256(data).hexdigest(), len(data), at, at, at),
                            actor=ACTOR, note=f"现场{i}")
            record_audit(s, ACTOR, "incident.close", "incident", f"20261127-000{i}")
            s.commit()
    engine.dispose()
    db = empty_db_url.removeprefix("sqlite:///")
    return db, ["--db", db, "--key-dir", str(key_dir), "--anchor-dir",
                str(tmp_path / "anchors")], files


def test_list_numbers_items_from_one(ledger: tuple[str, list[str], list[Path]],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _db, opts, files = ledger
    assert main(["evidence", "list", "--json", *opts]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["item"], r["file"], r["note"]) for r in rows] == [
        (i, f.name, f"现场{i}") for i, f in enumerate(files, 1)]
    assert all(len(r["sm3"]) == 64 for r in rows)


def test_verify_all_passes_then_fails_naming_the_item(
        ledger: tuple[str, list[str], list[Path]], capsys: pytest.CaptureFixture[str]) -> None:
    _db, opts, files = ledger
    assert main(["evidence", "anchor", *opts]) == 0
    assert main(["evidence", "verify", "--all", *opts]) == 0
    out = capsys.readouterr().out
    assert "VERIFIED: all items (3 evidence items checked)" in out
    data = bytearray(files[1].read_bytes())
    data[-1] ^= 0xFF
    files[1].write_bytes(bytes(data))
    assert main(["evidence", "verify", "--all", *opts]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "items 2 affected" in out and "  - item 2: its file" in out
    assert main(["evidence", "verify", "1", *opts]) == 0
    capsys.readouterr()
    assert main(["evidence", "verify", "2", "--json", *opts]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["bad_items"] == [2]


def test_verify_without_item_or_all_is_a_usage_error(
        ledger: tuple[str, list[str], list[Path]]) -> None:
    assert main(["evidence", "verify", *ledger[1]]) == 2


def _clean_python(folder: Path, lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The verifier in isolated mode (-I), without site-packages (-S), with only the hash
    library on the path (``-I`` ignores PYTHONPATH, so the path is set in the command)."""
    code = ("import runpy, sys; sys.path.insert(0, sys.argv[1]); "
            "sys.argv = ['verify_evidence.py', *sys.argv[2:]]; "
            "runpy.run_path('verify_evidence.py', run_name='__main__')")
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(lib), "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-I", "-S", "-c", code, str(lib), *args],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_an_export_verifies_with_the_standalone_script_alone(
        ledger: tuple[str, list[str], list[Path]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    _db, opts, _files = ledger
    assert main(["evidence", "anchor", *opts]) == 0
    out = tmp_path / "export"
    assert main(["evidence", "export", "2", "--out", str(out), *opts]) == 0
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert names == {"evidence/item-2.bin", "leaf.json", "metadata.json",
                     "inclusion_proof.json", "tree_head.json", "consistency_proofs.json",
                     "verify_evidence.py", "核验说明.pdf"}
    assert (out / "核验说明.pdf").read_bytes().startswith(b"%PDF")
    assert json.loads((out / "consistency_proofs.json").read_text("utf-8"))  # the anchor
    lib = tmp_path / "pylib"
    shutil.copytree(Path(gmssl.__file__).parent, lib / "gmssl")
    probe = _clean_python(out, lib, "--help")
    assert probe.returncode == 0, probe.stderr
    isolated = subprocess.run(
        [sys.executable, "-I", "-S", "-c",
         "import importlib.util as u; print([m for m in ('app', 'models', 'cryptography', "
         "'sqlalchemy', 'gmssl') if u.find_spec(m)])"],
        cwd=out, capture_output=True, text=True, check=True)
    assert isolated.stdout.strip() == "[]"  # nothing of the console is reachable there

    for impl in ("gmssl", "auto"):
        done = _clean_python(out, lib, "--sm3", impl)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "核验通过 / VERIFIED" in done.stdout and "item 2 item-2.bin" in done.stdout


@pytest.mark.parametrize("tamper", ["file", "leaf", "signature", "proof", "metadata"])
def test_the_standalone_verifier_rejects_a_tampered_export(
        ledger: tuple[str, list[str], list[Path]], tmp_path: Path, tamper: str) -> None:
    _db, opts, _files = ledger
    out = tmp_path / "export"
    assert main(["evidence", "export", "3", "--out", str(out), "--no-pdf", *opts]) == 0
    lib = tmp_path / "pylib"
    shutil.copytree(Path(gmssl.__file__).parent, lib / "gmssl")
    if tamper == "file":
        path = out / "evidence" / "item-3.bin"
        path.write_bytes(path.read_bytes().replace(b"third", b"thirD"))
    elif tamper == "leaf":
        path = out / "leaf.json"
        path.write_bytes(path.read_bytes().replace("现场3".encode(), "现场9".encode()))
    else:
        name = {"signature": "tree_head.json", "proof": "inclusion_proof.json",
                "metadata": "metadata.json"}[tamper]
        data = json.loads((out / name).read_text("utf-8"))
        if tamper == "signature":
            sig = data["signature"]
            data["signature"] = ("0" if sig[0] != "0" else "1") + sig[1:]
        elif tamper == "proof":
            data["path"][0] = "00" * 32
        else:
            data["captured_at"] = "2026-11-27T01:00:00.000000Z"
        (out / name).write_text(json.dumps(data), "utf-8")
    done = _clean_python(out, lib, "--sm3", "gmssl")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "核验未通过 / VERIFICATION FAILED" in done.stdout
    expected = {"file": "SHA-256", "leaf": "inclusion proof", "signature": "signature",
                "proof": "inclusion proof", "metadata": "metadata.json captured_at"}[tamper]
    assert expected in done.stdout

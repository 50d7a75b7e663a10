"""Migration 0008 chains the evidence and audit rows that exist already into the ledger."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import text

from app.evidence.keys import load_or_create_signer
from app.evidence.verify import verify_ledger
from models.db import make_engine, make_session_factory, upgrade
from models.digests import sm3_hex
from models.ledger import sign_if_behind


def test_existing_rows_are_chained_in_and_verify_once_signed(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0007")
    picture = tmp_path / "old.png"
    picture.write_bytes(b"an old snapshot")
    sha = hashlib.sha256(picture.read_bytes()).hexdigest()
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO evidence_item (kind, path, sha256, size_bytes, captured_at, "
            "captured_by, console_id, note) VALUES ('snapshot', :p, :s, 15, "
            "'2026-11-20 08:00:00.000000', 'a', 'c1', 'before the ledger')"),
            {"p": str(picture), "s": sha})
        conn.execute(text(
            "INSERT INTO evidence_item (kind, path, sha256, size_bytes, captured_at, "
            "captured_by, console_id, note) VALUES ('clip', '/gone.ts', 'ab', 2, "
            "'2026-11-20 08:01:00.000000', 'a', 'c1', 'file long gone')"))
        for i in range(3):
            conn.execute(text(
                "INSERT INTO audit_event (at, actor, console_id, action, target_kind, "
                "target_id, detail) VALUES ('2026-11-20 08:00:00.000000', 'a', 'c1', "
                f"'incident.close', 'incident', '{i}', '{{}}')"))
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as s:
        assert s.execute(text("SELECT sm3 FROM evidence_item ORDER BY id")).scalars().all() == [
            sm3_hex(picture.read_bytes()), ""]
        report = verify_ledger(s)
        assert report.tree_size == 5 and report.items == 2 and report.audit_events == 3
        assert any("no signed tree head yet" in w for w in report.warnings)
        # the clip's file is gone: named, not hidden
        assert [p.text() for p in report.problems] == [
            "item 2: its file /gone.ts cannot be read (No such file or directory): it was "
            "removed or moved"]
        signer = load_or_create_signer(tmp_path / "keys", "c1")
        assert sign_if_behind(s, signer)  # what the console does at start
        s.commit()
        assert not sign_if_behind(s, signer)  # nothing new since
    with sessions() as s:
        report = verify_ledger(s, item=1)
    assert report.ok and report.signed_size == 5 and not report.warnings
    engine.dispose()

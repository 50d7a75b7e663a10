"""The evidence ledger catches every kind of tampering, and names the item.

Each test files three evidence items (with their audit events) through the console's own
code, then tampers the way someone with database or disk access could — dropping the
append-only triggers first where they would stop them — and runs the verifier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from app.evidence.anchor import FileAnchor, PeriodicAnchor
from app.evidence.keys import LedgerSigner, load_or_create_signer, trusted_public_keys
from app.evidence.sth import TreeHead
from app.evidence.verify import Report, verify_ledger
from app.media.capture import record_evidence
from app.media.types import Capture
from app.services.incidents import Actor, record_audit
from models import EvidenceItem, LedgerLeaf, LedgerTreeHead, MediaSource
from models.db import make_engine, make_session_factory
from models.digests import sm3_hex
from models.enums import EvidenceKind, MediaKind, MediaOwnerKind
from models.ledger import SIGNER_KEY
from models.merkle import consistency_proof, leaf_hash, mth, verify_consistency

ACTOR = Actor("王调度", "console-1")
T0 = dt.datetime(2026, 11, 27, 2, 0, tzinfo=dt.UTC)


@dataclass
class World:
    engine: Engine
    sessions: sessionmaker[Session]
    signer: LedgerSigner
    key_dir: Path
    anchor: FileAnchor
    files: list[Path]

    def verify(self, item: int | None = None, *, anchored: bool = True) -> Report:
        with self.sessions() as s:
            return verify_ledger(s, item=item, anchors=self.anchor if anchored else None,
                                 trusted_keys=trusted_public_keys(self.key_dir))

    def sql(self, *statements: str) -> None:
        """Raw SQL as the database owner, foreign key checks off as they can be."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            try:
                for statement in statements:
                    conn.execute(text(statement))
                conn.commit()
            finally:
                conn.rollback()
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")


def _file(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _add_item(world: World, name: str, data: bytes, at: dt.datetime) -> None:
    folder = world.files[0].parent if world.files else None
    assert folder is not None
    path = _file(folder, name, data)
    capture = Capture(EvidenceKind.SNAPSHOT, 1, path, hashlib.sha256(data).hexdigest(),
                      len(data), at, at, at)
    with world.sessions() as s:
        record_evidence(s, capture, actor=ACTOR, note=name)
        s.commit()
    world.files.append(path)


@pytest.fixture
def world(empty_db_url: str, tmp_path: Path) -> Iterator[World]:
    engine = make_engine(empty_db_url)
    sessions = make_session_factory(engine)
    key_dir = tmp_path / "keys"
    signer = load_or_create_signer(key_dir, "console-1")
    sessions.configure(info={SIGNER_KEY: signer})
    evidence_dir = tmp_path / "evidence"
    evidence_dir.mkdir()
    first = _file(evidence_dir, "snap-1.png", b"\x89PNG first picture")
    w = World(engine, sessions, signer, key_dir, FileAnchor(tmp_path / "anchors"), [])
    with sessions() as s:
        s.add(MediaSource(id=1, name="cam", url="rtsp://127.0.0.1/x", kind=MediaKind.RTSP,
                          owner_kind=MediaOwnerKind.OTHER))
        s.add(EvidenceItem(kind=EvidenceKind.SNAPSHOT, path=str(first),
                           sha256=hashlib.sha256(first.read_bytes()).hexdigest(),
                           size_bytes=first.stat().st_size, captured_at=T0,
                           captured_by=ACTOR.name, console_id=ACTOR.console_id, note="first"))
        record_audit(s, ACTOR, "evidence.capture", "evidence_item", "1")
        s.commit()
    w.files.append(first)
    _add_item(w, "clip-2.ts", b"G\x40\x00 transport stream bytes " * 50, T0)
    _add_item(w, "snap-3.png", b"\x89PNG third picture", T0)
    with sessions() as s:
        record_audit(s, ACTOR, "incident.close", "incident", "20261127-0001", outcome="ok")
        s.commit()
    yield w
    engine.dispose()


def _drop_guards(world: World) -> None:
    """What someone with the database owner's rights does first."""
    world.sql(*(f"DROP TRIGGER {t}" for t in (
        "audit_event_no_update", "audit_event_no_delete", "ledger_leaf_no_update",
        "ledger_leaf_no_delete", "ledger_tree_head_no_update", "ledger_tree_head_no_delete")))


def test_an_untouched_ledger_verifies_with_sha256_and_sm3_recorded(world: World) -> None:
    report = world.verify()
    assert report.ok, report.problems
    assert not report.warnings
    assert report.items == 3 and report.items_checked == [1, 2, 3]
    assert report.audit_events == 4  # three captures and the closing
    assert report.signed_size == report.tree_size == 7
    with world.sessions() as s:
        rows = s.scalars(select(EvidenceItem).order_by(EvidenceItem.id)).all()
    assert [r.sm3 for r in rows] == [sm3_hex(p.read_bytes()) for p in world.files]
    for item in (1, 2, 3):
        assert world.verify(item).ok


def test_changing_one_byte_of_a_file_is_caught_and_names_the_item(world: World) -> None:
    data = bytearray(world.files[1].read_bytes())
    data[10] ^= 0x01
    world.files[1].write_bytes(bytes(data))
    report = world.verify()
    assert not report.ok and report.bad_items() == [2]
    assert any("SHA-256" in p.text() and p.text().startswith("item 2:")
               for p in report.problems)
    assert not world.verify(2).ok and world.verify(1).ok


def test_a_removed_file_is_caught(world: World) -> None:
    world.files[2].unlink()
    report = world.verify()
    assert report.bad_items() == [3] and "removed or moved" in report.problems[0].text()


@pytest.mark.parametrize(("column", "value"), [
    ("note", "'edited'"), ("sha256", "'" + "0" * 64 + "'"), ("incident_id", "NULL"),
    ("captured_at", "'2026-11-27 01:59:00.000000'"), ("path", "'/elsewhere/x.png'"),
])
def test_changing_any_column_of_an_evidence_row_is_caught(world: World, column: str,
                                                          value: str) -> None:
    if column == "incident_id":
        world.sql("UPDATE evidence_item SET console_id = 'other' WHERE id = 2")
    else:
        world.sql(f"UPDATE evidence_item SET {column} = {value} WHERE id = 2")
    report = world.verify()
    assert report.bad_items() == [2]
    assert any("was changed" in p.text() for p in report.problems)


def test_a_deleted_evidence_row_is_caught(world: World) -> None:
    world.sql("DELETE FROM evidence_item WHERE id = 2")
    report = world.verify()
    assert report.bad_items() == [2]
    assert "evidence row (id 2) was deleted" in report.problems[0].text()


def test_swapping_two_evidence_rows_is_caught_for_both(world: World) -> None:
    world.sql("UPDATE evidence_item SET path = 'x', sha256 = 'x', sm3 = 'x', note = 'x' "
              "WHERE id = 1",
              f"UPDATE evidence_item SET path = '{world.files[0]}', "
              f"sha256 = '{hashlib.sha256(world.files[0].read_bytes()).hexdigest()}', "
              f"sm3 = '{sm3_hex(world.files[0].read_bytes())}', note = 'first' WHERE id = 3",
              f"UPDATE evidence_item SET path = '{world.files[2]}', "
              f"sha256 = '{hashlib.sha256(world.files[2].read_bytes()).hexdigest()}', "
              f"sm3 = '{sm3_hex(world.files[2].read_bytes())}', note = 'snap-3.png' "
              "WHERE id = 1")
    assert world.verify().bad_items() == [1, 3]


def test_an_evidence_row_added_behind_the_consoles_back_is_caught(world: World) -> None:
    world.sql("INSERT INTO evidence_item (kind, path, sha256, sm3, size_bytes, captured_at, "
              "captured_by, console_id, note) VALUES ('snapshot', '/x.png', 'ab', '', 1, "
              "'2026-11-27 02:00:00.000000', 'x', 'x', 'planted')")
    report = world.verify()
    assert not report.ok
    assert "evidence row id 4" in report.problems[0].text()
    assert "not in the ledger" in report.problems[0].text()


def test_audit_entries_rewritten_deleted_or_inserted_are_caught(world: World) -> None:
    _drop_guards(world)
    world.sql("UPDATE audit_event SET actor = '李某' WHERE id = 4")
    report = world.verify()
    assert [p.audit_id for p in report.problems] == [4]
    assert "actor" in report.problems[0].text()
    world.sql("UPDATE audit_event SET actor = '王调度' WHERE id = 4")
    assert world.verify().ok
    world.sql("DELETE FROM audit_event WHERE id = 2")
    report = world.verify()
    assert [p.text() for p in report.problems] == [
        "audit event 2: its row was deleted from the audit log"]
    world.sql("INSERT INTO audit_event (id, at, actor, console_id, action, target_kind, "
              "target_id, detail) VALUES (2, '2026-11-27 02:00:00.000000', 'x', 'x', "
              "'evidence.capture', '', '', '{}')")
    assert not world.verify().ok
    world.sql("INSERT INTO audit_event (at, actor, console_id, action, target_kind, target_id, "
              "detail) VALUES ('2026-11-27 02:00:00.000000', 'x', 'x', 'incident.close', "
              "'', '', '{}')")
    report = world.verify()
    assert any(p.audit_id == 5 and "not in the ledger" in p.text() for p in report.problems)


def test_reordering_leaves_is_caught_and_the_span_named(world: World) -> None:
    _drop_guards(world)
    # leaves: 0 item 1, 1 audit, 2 item 2, 3 audit, 4 item 3, 5 audit, 6 audit
    world.sql("UPDATE ledger_leaf SET seq = 100 WHERE seq = 2",
              "UPDATE ledger_leaf SET seq = 2 WHERE seq = 4",
              "UPDATE ledger_leaf SET seq = 4 WHERE seq = 100")
    report = world.verify()
    texts = [p.text() for p in report.problems]
    assert any(t.startswith("item 3: ledger leaf 2 holds item 3 where item 2 belongs")
               for t in texts)
    assert any("no longer matches signed tree head" in t and "items" in t for t in texts)


def test_a_leaf_removed_from_the_middle_is_caught(world: World) -> None:
    _drop_guards(world)
    world.sql("DELETE FROM ledger_leaf WHERE seq = 2", "DELETE FROM evidence_item WHERE id = 2")
    texts = [p.text() for p in world.verify().problems]
    assert "ledger leaves 2…2 are missing (deleted from the ledger)" in texts
    assert any("item 3: ledger leaf 4 holds item 3 where item 2 belongs" in t for t in texts)


def test_a_leaf_inserted_in_the_middle_is_caught(world: World) -> None:
    _drop_guards(world)
    for seq in range(6, 1, -1):
        world.sql(f"UPDATE ledger_leaf SET seq = {seq + 1} WHERE seq = {seq}")
    leaf = json.dumps({"type": "audit", "id": 99})  # (a colon before a digit binds in text())
    world.sql("INSERT INTO ledger_leaf (seq, kind, ref_id, item_no, leaf, leaf_hash, "
              f"appended_at) VALUES (2, 'audit', 99, NULL, '{leaf}', "
              f"'{leaf_hash(leaf.encode()).hex()}', '2026-11-27 02:00:00.000000')")
    report = world.verify()
    assert any("no longer matches signed tree head" in p.text() for p in report.problems)
    assert any(p.audit_id == 99 and "deleted" in p.text() for p in report.problems)


def test_a_truncated_ledger_is_caught_by_the_anchor_even_with_its_heads_removed(
        world: World) -> None:
    with world.sessions() as s:
        head = s.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.id.desc())).first()
        assert head is not None
        world.anchor.anchor(TreeHead.from_row(head))
    _drop_guards(world)
    # remove item 3 with everything after it, and every trace in the database
    world.sql("DELETE FROM ledger_tree_head WHERE tree_size > 4",
              "DELETE FROM ledger_leaf WHERE seq >= 4",
              "DELETE FROM evidence_item WHERE id = 3",
              "DELETE FROM audit_event WHERE id >= 3")
    with world.sessions() as s:
        frontier_rows = s.scalars(select(LedgerLeaf.leaf_hash).order_by(LedgerLeaf.seq)).all()
    from models.merkle import Frontier

    frontier = Frontier()
    for h in frontier_rows:
        frontier.append(bytes.fromhex(h))
    world.sql(f"UPDATE ledger_head SET tree_size = 4, items = 2, root = "
              f"'{frontier.root().hex()}', frontier = '{json.dumps(frontier.dump())}'")
    assert world.verify(anchored=False).ok  # the database alone is consistent again
    report = world.verify()
    assert not report.ok
    assert "covers 7 leaves but the ledger has only 4" in report.problems[0].text()


def test_anchor_files_are_write_once(world: World, tmp_path: Path) -> None:
    with world.sessions() as s:
        head = s.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.id.desc())).first()
        assert head is not None
        sth = TreeHead.from_row(head)
    name = world.anchor.anchor(sth)
    path = world.anchor.folder / name
    assert path.stat().st_mode & 0o777 == 0o444
    with pytest.raises(FileExistsError):
        world.anchor.anchor(sth)
    assert [h for _, h in world.anchor.heads()] == [sth]


def test_the_periodic_anchor_writes_when_the_tree_grew(world: World) -> None:
    periodic = PeriodicAnchor(world.sessions, world.anchor, interval_s=3600)
    assert periodic.anchor_now() is not None
    assert periodic.anchor_now() is None  # nothing new
    with world.sessions() as s:
        record_audit(s, ACTOR, "incident.create", "incident", "20261127-0002")
        s.commit()
    assert periodic.anchor_now() is not None
    assert [h.tree_size for _, h in world.anchor.heads()] == [7, 8]
    assert world.verify().ok


def test_a_forged_tree_head_signature_is_caught(world: World) -> None:
    _drop_guards(world)
    world.sql("UPDATE ledger_tree_head SET signature = '" + "00" * 64 + "' WHERE tree_size = 7")
    assert any("signature does not verify" in p.text() for p in world.verify().problems)


def test_a_ledger_resigned_with_a_foreign_key_is_flagged(world: World,
                                                         tmp_path: Path) -> None:
    intruder = load_or_create_signer(tmp_path / "intruder", "console-x")
    with world.sessions() as s:
        s.info[SIGNER_KEY] = intruder
        record_audit(s, ACTOR, "incident.create", "incident", "20261127-0002")
        s.commit()
    report = world.verify()
    assert report.ok and any("not among this site's trusted public keys" in w
                             for w in report.warnings)
    with world.sessions() as s:
        strict = verify_ledger(s, trusted_keys=trusted_public_keys(world.key_dir),
                               strict_keys=True)
    assert not strict.ok


def test_consistency_proofs_between_two_signed_tree_heads(world: World) -> None:
    with world.sessions() as s:
        heads = s.scalars(select(LedgerTreeHead).order_by(LedgerTreeHead.tree_size)).all()
        hashes = [bytes.fromhex(h) for h in
                  s.scalars(select(LedgerLeaf.leaf_hash).order_by(LedgerLeaf.seq))]
    sizes = [h.tree_size for h in heads]
    assert sizes == sorted(sizes) and sizes[-1] == len(hashes)
    for old in heads[:-1]:
        for new in heads[heads.index(old) + 1:]:
            proof = consistency_proof(old.tree_size, hashes[:new.tree_size])
            assert verify_consistency(old.tree_size, new.tree_size, bytes.fromhex(old.root),
                                      bytes.fromhex(new.root), proof)
    # a history rewritten below the old head no longer proves consistent with it
    first, last = heads[0], heads[-1]
    rewritten = [leaf_hash(b"rewritten"), *hashes[1:]]
    proof = consistency_proof(first.tree_size, rewritten)
    assert not verify_consistency(first.tree_size, last.tree_size, bytes.fromhex(first.root),
                                  mth(rewritten), proof)


def test_the_database_refuses_to_rewrite_the_ledger(world: World) -> None:
    from sqlalchemy.exc import DBAPIError

    for statement in ("UPDATE ledger_leaf SET leaf = '{}' WHERE seq = 0",
                      "DELETE FROM ledger_leaf", "DELETE FROM ledger_tree_head",
                      "UPDATE ledger_tree_head SET root = 'x'"):
        with pytest.raises(DBAPIError, match="append-only"):
            world.sql(statement)


def test_concurrent_writers_keep_one_linear_ledger(world: World) -> None:
    """Two writers (engines of their own, as two processes) append at the same time."""
    url = str(world.engine.url)
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        sessions.configure(info={SIGNER_KEY: world.signer})
        try:
            for i in range(15):
                with sessions() as s:
                    record_audit(s, Actor(name, name), "unit.status", "unit", str(i))
                    s.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=writer, args=(f"w{i}",), name=f"w{i}")
               for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = world.verify()
    assert report.ok, report.problems
    assert report.tree_size == 7 + 30 and report.signed_size == 37

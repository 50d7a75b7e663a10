"""``python -m app evidence …``: list, verify, export, sign and anchor the evidence ledger.

    python -m app evidence list [--json] --db URL
    python -m app evidence verify [ITEM | --all] [--json] --db URL
    python -m app evidence export ITEM --out DIR --db URL
    python -m app evidence sign --db URL        # sign the current tree head with this key
    python -m app evidence anchor --db URL      # write the newest signed head to the anchor

Exit status: 0 when everything verifies, 1 when something does not (each problem is printed
with its item), 2 on bad usage, 3 when the database cannot be used.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.paths import AppPaths

log = logging.getLogger("app.evidence.cli")

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DATABASE = 3

ANCHOR_DIR_NAME = "ledger-anchors"


def default_key_dir() -> Path:
    """``<config>/ledger-keys``: this site's signing keys (outside the database)."""
    from app.evidence.keys import KEY_DIR_NAME

    return AppPaths.default().config_dir / KEY_DIR_NAME


def default_anchor_dir() -> Path:
    """``<data>/ledger-anchors``: the offline site's write-once anchor folder."""
    return AppPaths.default().data_dir / ANCHOR_DIR_NAME


def add_parser(subparsers: Any) -> None:
    """Add the ``evidence`` command to ``subparsers`` (from ``add_subparsers``)."""
    ev = subparsers.add_parser("evidence", help="the tamper-evident evidence ledger: list, "
                                                "verify, export, sign, anchor",
                               description="List, verify, export, sign and anchor the "
                                           "tamper-evident evidence ledger.")
    sub = ev.add_subparsers(dest="evidence_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", metavar="URL",
                       help="SQLite file path or database URL (default: the console's "
                            "database file in the user data directory)")
        p.add_argument("--key-dir", type=Path, default=None,
                       help="signing keys and trusted public keys (default: "
                            "<config>/ledger-keys)")
        p.add_argument("--anchor-dir", type=Path, default=None,
                       help="write-once folder of anchored tree heads (default: "
                            "<data>/ledger-anchors)")

    p = sub.add_parser("list", help="the evidence items with their numbers")
    p.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    common(p)
    p = sub.add_parser("verify", help="prove inclusion and that nothing was altered, removed "
                                      "or reordered")
    p.add_argument("item", type=int, nargs="?", help="the item number (see `evidence list`)")
    p.add_argument("--all", action="store_true", help="every item and audit event")
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.add_argument("--strict-keys", action="store_true",
                   help="fail on tree heads signed by keys not in --key-dir")
    common(p)
    p = sub.add_parser("export", help="write an item with its proofs, signed tree head, "
                                      "verification sheet and a standalone verifier")
    p.add_argument("item", type=int)
    p.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    p.add_argument("--no-pdf", action="store_true", help="skip the PDF verification sheet")
    common(p)
    p = sub.add_parser("sign", help="sign the ledger's current tree head with this console's "
                                    "key")
    p.add_argument("--console-id", default="",
                   help="whose key (default: console.console_id, else the host name)")
    common(p)
    p = sub.add_parser("anchor", help="write the newest signed tree head to the anchor folder")
    common(p)


def _url(text: str) -> str:
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def run(args: argparse.Namespace) -> int:
    """Run parsed ``evidence`` arguments; the exit status."""
    from models.db import make_engine, make_session_factory, schema_state

    url = _url(args.db) if args.db else f"sqlite:///{AppPaths.default().database_file}"
    parsed = make_url(url)
    if (parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:")
            and not Path(str(parsed.database)).exists()):
        print(f"error: no database file at {parsed.database}", file=sys.stderr)
        return EXIT_DATABASE
    engine = make_engine(url)
    try:
        try:
            state = schema_state(engine)
        except Exception as exc:
            print(f"error: cannot read the database: {exc}", file=sys.stderr)
            return EXIT_DATABASE
        if not state.up_to_date:
            print(f"error: the database is at schema {state.current}, this program at "
                  f"{state.head}: run `python -m app db upgrade --db …` first", file=sys.stderr)
            return EXIT_DATABASE
        sessions = make_session_factory(engine)
        with sessions() as session:
            command = args.evidence_command
            if command == "list":
                return _list(session, args)
            if command == "verify":
                return _verify(session, args)
            if command == "export":
                return _export(session, args)
            if command == "sign":
                return _sign(session, args)
            return _anchor(session, args)
    finally:
        engine.dispose()


def _anchor_of(args: argparse.Namespace) -> Any:
    from app.evidence.anchor import FileAnchor

    return FileAnchor(args.anchor_dir or default_anchor_dir())


def _list(session: Session, args: argparse.Namespace) -> int:
    from models.ledger import LedgerLeaf

    leaves = session.scalars(select(LedgerLeaf).where(LedgerLeaf.item_no.is_not(None))
                             .order_by(LedgerLeaf.item_no)).all()
    if not leaves and not args.json:
        print("no evidence items")
    for leaf in leaves:
        c = json.loads(leaf.leaf)
        if args.json:
            print(json.dumps({"item": leaf.item_no, "leaf_index": leaf.seq, **{
                k: c.get(k) for k in ("kind", "file", "path", "size", "sha256", "sm3",
                                      "captured_at", "content_start", "content_end",
                                      "incident", "source", "captured_by", "console",
                                      "note")}}, ensure_ascii=False))
        else:
            print(f"{leaf.item_no:>5}  {c.get('kind', ''):<10} {c.get('captured_at', '')}  "
                  f"{c.get('sha256', '')[:16]}…  {c.get('file', '')}  {c.get('note', '')}")
    return 0


def _verify(session: Session, args: argparse.Namespace) -> int:
    from app.evidence.keys import trusted_public_keys
    from app.evidence.verify import verify_ledger

    if (args.item is None) == (not args.all):
        print("error: give an ITEM number or --all", file=sys.stderr)
        return EXIT_USAGE
    report = verify_ledger(session, item=args.item, anchors=_anchor_of(args),
                           trusted_keys=trusted_public_keys(args.key_dir or default_key_dir()),
                           strict_keys=args.strict_keys)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=1))
    else:
        what = f"item {args.item}" if args.item is not None else "all items"
        print(f"ledger: {report.tree_size} leaves ({report.items} evidence items, "
              f"{report.audit_events} audit events), root {report.root}")
        print(f"signed: {report.signed_heads} tree heads, newest covers {report.signed_size}; "
              f"anchored: {report.anchored_heads}")
        for warning in report.warnings:
            print(f"warning: {warning}")
        if report.ok:
            print(f"VERIFIED: {what} ({len(report.items_checked)} evidence items checked)")
        else:
            print(f"FAILED: {len(report.problems)} problem(s); items "
                  f"{', '.join(map(str, report.bad_items())) or 'none'} affected")
            for problem in report.problems:
                print(f"  - {problem.text()}")
    return 0 if report.ok else EXIT_FAILED


def _export(session: Session, args: argparse.Namespace) -> int:
    from app.evidence.export import ExportError, export_item
    from app.evidence.keys import trusted_public_keys
    from app.evidence.verify import verify_ledger

    anchor = _anchor_of(args)
    report = verify_ledger(session, item=args.item, anchors=anchor,
                           trusted_keys=trusted_public_keys(args.key_dir or default_key_dir()))
    if not report.ok:
        print(f"error: item {args.item} does not verify; not exported:", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem.text()}", file=sys.stderr)
        return EXIT_FAILED
    try:
        done = export_item(session, args.item, args.out, anchors=anchor, pdf=not args.no_pdf)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"exported item {done.item} (signed tree of {done.tree_size}) to {done.folder}:")
    for f in done.files:
        print(f"  {f.relative_to(done.folder)}")
    print(f"check it anywhere with: python3 {done.folder / 'verify_evidence.py'}")
    return 0


def _console_id(args: argparse.Namespace) -> str:
    if args.console_id:
        return str(args.console_id)
    try:
        from app.settings import load_settings

        return load_settings(AppPaths.default().settings_file).console.console_name
    except Exception:  # settings problems are reported by the console itself
        return os.environ.get("CEDC_CONSOLE__CONSOLE_ID") or socket.gethostname()


def _sign(session: Session, args: argparse.Namespace) -> int:
    from app.evidence.keys import load_or_create_signer
    from models.ledger import sign_head

    signer = load_or_create_signer(args.key_dir or default_key_dir(), _console_id(args))
    sign_head(session, signer)
    session.commit()
    print(f"signed the ledger's tree head with key {signer.key_id} ({signer.console_id})")
    return 0


def _anchor(session: Session, args: argparse.Namespace) -> int:
    from app.evidence.anchor import latest_head

    head = latest_head(session)
    if head is None:
        print("error: no signed tree head to anchor (`evidence sign` first)", file=sys.stderr)
        return EXIT_FAILED
    name = _anchor_of(args).anchor(head)
    print(f"anchored the tree head of {head.tree_size} as {name}")
    return 0

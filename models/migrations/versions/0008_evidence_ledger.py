"""evidence ledger: SM3 of evidence files, an append-only Merkle tree of evidence and audit rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 04:00:00.000000

Adds ``evidence_item.sm3`` and the tables ``ledger_leaf``, ``ledger_head`` and
``ledger_tree_head`` (see models/ledger.py and app/evidence/README.md). Evidence items and
audit events that exist already are chained in, evidence first (by id, numbered from 1), then
audit events (by id); their tree head is signed by the first console that writes after the
upgrade (or by ``python -m app evidence sign``). The SM3 of an existing evidence file is
computed from the file where it is still there.

Like ``audit_event`` (0006), leaves and signed tree heads are append-only: UPDATE and DELETE
are refused by triggers on SQLite and PostgreSQL (and TRUNCATE on PostgreSQL).
"""

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

import models.base
from models.digests import file_digests
from models.ledger import AUDIT_COLUMNS, EVIDENCE_COLUMNS, audit_leaf, evidence_leaf
from models.merkle import Frontier, leaf_hash

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.0008")

_TABLES = ("ledger_leaf", "ledger_tree_head")


def _sqlite_up(table: str) -> tuple[str, ...]:
    return (
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END""",
    )


def _postgresql_up(table: str) -> tuple[str, ...]:
    return (
        f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION ledger_append_only()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()""",
    )


_POSTGRESQL_FUNCTION = """CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$"""


def upgrade() -> None:
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sm3', sa.String(length=64), server_default='',
                                      nullable=False))
    op.create_table('ledger_leaf',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('item_no', sa.Integer(), nullable=True),
    sa.Column('leaf', sa.Text(), nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('appended_at', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_ledger_leaf')),
    sa.UniqueConstraint('item_no', name=op.f('uq_ledger_leaf_item_no'))
    )
    with op.batch_alter_table('ledger_leaf', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_leaf_ref_id'), ['ref_id'], unique=False)
    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('frontier', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_head'))
    )
    op.create_table('ledger_tree_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.Column('root', sa.String(length=64), nullable=False),
    sa.Column('timestamp', models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('console_id', sa.String(length=40), nullable=False),
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('public_key', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('last_leaf', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['last_leaf'], ['ledger_leaf.seq'],
                            name=op.f('fk_ledger_tree_head_last_leaf_ledger_leaf')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_tree_head'))
    )
    with op.batch_alter_table('ledger_tree_head', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_tree_head_tree_size'), ['tree_size'],
                              unique=False)

    _chain_existing_rows()

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in _TABLES:
            for statement in _sqlite_up(table):
                op.execute(statement)
    elif dialect == "postgresql":
        op.execute(_POSTGRESQL_FUNCTION)
        for table in _TABLES:
            for statement in _postgresql_up(table):
                op.execute(statement)
    else:
        raise NotImplementedError(f"no append-only ledger triggers for {dialect}")


def _chain_existing_rows() -> None:
    bind = op.get_bind()
    dt_type = models.base.UTCDateTime(timezone=True)
    evidence = sa.table('evidence_item', *(
        sa.column(c, dt_type if c in ('captured_at', 'content_start', 'content_end')
                  else sa.Integer() if c in ('id', 'size_bytes', 'media_source_id',
                                             'incident_id') else sa.String())
        for c in EVIDENCE_COLUMNS))
    audit = sa.table('audit_event', *(
        sa.column(c, dt_type if c == 'at' else sa.Integer() if c == 'id' else sa.String())
        for c in AUDIT_COLUMNS))
    leaves = sa.table('ledger_leaf', sa.column('seq', sa.Integer()),
                      sa.column('kind', sa.String()), sa.column('ref_id', sa.Integer()),
                      sa.column('item_no', sa.Integer()), sa.column('leaf', sa.Text()),
                      sa.column('leaf_hash', sa.String()), sa.column('appended_at', dt_type))
    now = models.base.utcnow()
    frontier = Frontier()
    items = 0
    batch: list[dict[str, object]] = []

    def add(kind: str, ref_id: int, item_no: int | None, data: bytes) -> None:
        h = leaf_hash(data)
        batch.append({"seq": frontier.size, "kind": kind, "ref_id": ref_id, "item_no": item_no,
                      "leaf": data.decode("utf-8"), "leaf_hash": h.hex(), "appended_at": now})
        frontier.append(h)
        if len(batch) >= 500:
            bind.execute(leaves.insert(), batch)
            batch.clear()

    for row in bind.execute(sa.select(evidence).order_by(evidence.c.id)).mappings().all():
        values = dict(row)
        path = Path(str(values["path"]))
        try:
            sha, sm3 = file_digests(path)
        except OSError:
            log.warning("evidence item %s: file %s is not there; no SM3", values["id"], path)
        else:
            if sha == values["sha256"]:
                values["sm3"] = sm3
                bind.execute(evidence.update().where(evidence.c.id == values["id"])
                             .values(sm3=sm3))
            else:
                log.warning("evidence item %s: file %s no longer has its recorded SHA-256; "
                            "no SM3", values["id"], path)
        items += 1
        add("evidence", int(values["id"]), items, evidence_leaf(values, items))
    for row in bind.execute(sa.select(audit).order_by(audit.c.id)).mappings():
        add("audit", int(row["id"]), None, audit_leaf(row))
    if batch:
        bind.execute(leaves.insert(), batch)
    head = sa.table('ledger_head', sa.column('id', sa.Integer()),
                    sa.column('tree_size', sa.Integer()), sa.column('items', sa.Integer()),
                    sa.column('root', sa.String()), sa.column('frontier', sa.Text()))
    bind.execute(head.insert().values(id=1, tree_size=frontier.size, items=items,
                                      root=frontier.root().hex(),
                                      frontier=json.dumps(frontier.dump())))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    elif dialect == "sqlite":
        for table in _TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    with op.batch_alter_table('ledger_tree_head', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_tree_head_tree_size'))
    op.drop_table('ledger_tree_head')
    op.drop_table('ledger_head')
    with op.batch_alter_table('ledger_leaf', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_leaf_ref_id'))
    op.drop_table('ledger_leaf')
    with op.batch_alter_table('evidence_item', schema=None) as batch_op:
        batch_op.drop_column('sm3')

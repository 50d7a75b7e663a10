"""double-random draws: the seed's hash is committed before the draw runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 03:20:00.000000

Adds ``seed_sha256``, ``seed_committed``, ``state``, ``drawn_at`` and ``failure`` to
``inspection_draw``. Draws made before this revision are ``done``, not committed (their seed
could have been typed in), drawn when they were created, with the hash of their stored seed.
"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.base


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('inspection_draw', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_sha256', sa.String(length=64), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('seed_committed', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('state', sa.Enum('pending', 'done', 'failed',
                                                       name='drawstate', native_enum=False,
                                                       length=10),
                                      server_default='done', nullable=False))
        batch_op.add_column(sa.Column('drawn_at', models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('failure', sa.Text(), server_default='', nullable=False))

    bind = op.get_bind()
    draws = sa.table('inspection_draw', sa.column('id', sa.Integer()),
                     sa.column('seed', sa.String()), sa.column('seed_sha256', sa.String()))
    for draw_id, seed in bind.execute(sa.select(draws.c.id, draws.c.seed)).all():
        bind.execute(draws.update().where(draws.c.id == draw_id).values(
            seed_sha256=hashlib.sha256(str(seed).encode('utf-8')).hexdigest()))
    bind.execute(sa.text('UPDATE inspection_draw SET drawn_at = created_at'))


def downgrade() -> None:
    bind = op.get_bind()
    pending = bind.execute(sa.text(
        "SELECT count(*) FROM inspection_draw WHERE state <> 'done'")).scalar()
    if pending:
        raise RuntimeError(f'{pending} pending or failed draws have no place in schema 0006; '
                           'they would be lost')
    with op.batch_alter_table('inspection_draw', schema=None) as batch_op:
        batch_op.drop_column('failure')
        batch_op.drop_column('drawn_at')
        batch_op.drop_column('state')
        batch_op.drop_column('seed_committed')
        batch_op.drop_column('seed_sha256')

"""spool: inbound texts taken in from the web host's spool (spooled_at, taken_in_at)

Revision ID: 74cc4ebe2e57
Revises: 9b4e2d6f8a10
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '74cc4ebe2e57'
down_revision: str | None = '9b4e2d6f8a10'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spooled_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('taken_in_at', core.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_spooled_at'), ['spooled_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_spooled_at'))
        batch_op.drop_column('taken_in_at')
        batch_op.drop_column('spooled_at')

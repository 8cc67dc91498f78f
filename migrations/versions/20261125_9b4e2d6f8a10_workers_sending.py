"""workers: bulk batch ids, message expiry, loop-guard index

Revision ID: 9b4e2d6f8a10
Revises: ef5ac76c473f
Create Date: 2026-11-25 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '9b4e2d6f8a10'
down_revision: str | None = 'ef5ac76c473f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('batch_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('expires_at', core.db.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_messages_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_messages_phone_sent_at', ['phone', 'sent_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_phone_sent_at')
        batch_op.drop_index(batch_op.f('ix_messages_batch_id'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('batch_id')

"""spool: call-back requests taken in from the web host's spool (spooled_at, taken_in_at)

Revision ID: 8937eeb6bb4a
Revises: 7d2c4a9e1f60
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '8937eeb6bb4a'
down_revision: str | None = '7d2c4a9e1f60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spooled_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('taken_in_at', core.db.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.drop_column('taken_in_at')
        batch_op.drop_column('spooled_at')

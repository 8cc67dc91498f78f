"""china caps: a per-resident daily budget on each carrier account

Revision ID: 0c6bef050af0
Revises: fbe9ef8d098c
Create Date: 2026-12-01 11:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0c6bef050af0'
down_revision: str | None = 'fbe9ef8d098c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('carrier_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('daily_budget', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('carrier_accounts', schema=None) as batch_op:
        batch_op.drop_column('daily_budget')

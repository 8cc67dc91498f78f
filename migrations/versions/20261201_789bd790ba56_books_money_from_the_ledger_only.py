"""books: an order's money is the ledger's only (drop orders.collected_fen, collected_method)

The desk once kept what it took at handover on the order as well as in the ledger;
the ledger's COLLECTED entries are the one record now, so the copies go.

Revision ID: 789bd790ba56
Revises: 0949c388426b
Create Date: 2026-12-01 14:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '789bd790ba56'
down_revision: str | None = '0949c388426b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_column('collected_method')
        batch_op.drop_column('collected_fen')


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('collected_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('collected_method', sa.String(length=10), nullable=True))

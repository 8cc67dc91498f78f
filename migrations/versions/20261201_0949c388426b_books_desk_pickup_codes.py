"""books desk: a pickup code per order, and what the desk took at handover

Revision ID: 0949c388426b
Revises: ef5ac76c473f
Create Date: 2026-12-01 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0949c388426b'
down_revision: str | None = 'ef5ac76c473f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pickup_code', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('picked_up_by', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('collected_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('collected_method', sa.String(length=10), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_orders_deal_id_pickup_code'), ['deal_id', 'pickup_code']
        )


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_orders_deal_id_pickup_code'), type_='unique')
        batch_op.drop_column('collected_method')
        batch_op.drop_column('collected_fen')
        batch_op.drop_column('picked_up_by')
        batch_op.drop_column('pickup_code')

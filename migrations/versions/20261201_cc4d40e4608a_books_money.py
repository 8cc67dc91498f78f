"""books money: ledger_entries, deal_deliveries, cash_counts, quality_reports

Revision ID: cc4d40e4608a
Revises: 0676540c72e2
Create Date: 2026-12-01 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = 'cc4d40e4608a'
down_revision: str | None = '0676540c72e2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f'{target}.id'], name=op.f(f'fk_{table}_{column}_{target}')
    )


def upgrade() -> None:
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('at', core.db.UTCDateTime(), nullable=False),
    _fk('ledger_entries', 'community_id', 'communities'),
    _fk('ledger_entries', 'deal_id', 'deals'),
    _fk('ledger_entries', 'order_id', 'orders'),
    _fk('ledger_entries', 'resident_id', 'residents'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_entries_community_at', ['community_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_order_id'), ['order_id'], unique=False)

    op.create_table('deal_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('ordered_units', sa.Integer(), nullable=False),
    sa.Column('delivered_units', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=12), nullable=True),
    sa.Column('carried_to_deal_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('applied_at', core.db.UTCDateTime(), nullable=True),
    _fk('deal_deliveries', 'community_id', 'communities'),
    _fk('deal_deliveries', 'deal_id', 'deals'),
    _fk('deal_deliveries', 'carried_to_deal_id', 'deals'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_deliveries')),
    sa.UniqueConstraint('deal_id', name=op.f('uq_deal_deliveries_deal_id'))
    )

    op.create_table('cash_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('expected_fen', sa.Integer(), nullable=False),
    sa.Column('counted_fen', sa.Integer(), nullable=False),
    sa.Column('difference_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('at', core.db.UTCDateTime(), nullable=False),
    _fk('cash_counts', 'community_id', 'communities'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cash_counts'))
    )
    with op.batch_alter_table('cash_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cash_counts_community_id'), ['community_id'], unique=False)

    op.create_table('quality_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('help_request_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('supplier_name', sa.String(length=100), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    _fk('quality_reports', 'community_id', 'communities'),
    _fk('quality_reports', 'help_request_id', 'help_requests'),
    _fk('quality_reports', 'order_id', 'orders'),
    _fk('quality_reports', 'deal_id', 'deals'),
    _fk('quality_reports', 'message_id', 'messages'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_reports')),
    sa.UniqueConstraint('help_request_id', 'order_id', name=op.f('uq_quality_reports_help_request_id_order_id'))
    )
    with op.batch_alter_table('quality_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_reports_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_reports_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_reports_help_request_id'), ['help_request_id'], unique=False)


def downgrade() -> None:
    op.drop_table('quality_reports')
    op.drop_table('cash_counts')
    op.drop_table('deal_deliveries')
    op.drop_table('ledger_entries')

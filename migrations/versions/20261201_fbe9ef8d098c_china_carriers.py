"""china carriers: a community's accounts with Aliyun and Tencent, and its template catalogue

Revision ID: fbe9ef8d098c
Revises: ef5ac76c473f
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = 'fbe9ef8d098c'
down_revision: str | None = 'ef5ac76c473f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'carrier_accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=10), nullable=False),
        sa.Column('sign_name', sa.String(length=20), nullable=False),
        sa.Column('extend_code', sa.String(length=12), nullable=False),
        sa.Column('push_key', sa.String(length=64), nullable=False),
        sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('community_id', 'provider'),
        sa.UniqueConstraint('push_key'),
    )
    op.create_table(
        'carrier_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('template_code', sa.String(length=40), nullable=False),
        sa.Column('variables', sa.JSON(), nullable=False),
        sa.Column('template_text', sa.Text(), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('community_id', 'provider', 'kind'),
    )


def downgrade() -> None:
    op.drop_table('carrier_templates')
    op.drop_table('carrier_accounts')

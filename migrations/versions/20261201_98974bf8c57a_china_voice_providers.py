"""china voice: each community's SMS and voice provider, and its TTS template per provider

Revision ID: 98974bf8c57a
Revises: fbe9ef8d098c
Create Date: 2026-12-01 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '98974bf8c57a'
down_revision: str | None = 'fbe9ef8d098c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('communities') as batch:
        batch.add_column(sa.Column('sms_provider', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('voice_provider', sa.String(length=10), nullable=True))
    op.create_table(
        'carrier_voice_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=10), nullable=False),
        sa.Column('template_code', sa.String(length=40), nullable=False),
        sa.Column('variables', sa.JSON(), nullable=False),
        sa.Column('template_text', sa.Text(), nullable=False),
        sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['communities.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('community_id', 'provider'),
    )


def downgrade() -> None:
    op.drop_table('carrier_voice_templates')
    with op.batch_alter_table('communities') as batch:
        batch.drop_column('voice_provider')
        batch.drop_column('sms_provider')

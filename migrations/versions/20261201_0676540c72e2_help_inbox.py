"""help inbox: help_requests

Revision ID: 0676540c72e2
Revises: 3c1d9e7a5b20
Create Date: 2026-12-01 08:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '0676540c72e2'
down_revision: str | None = '3c1d9e7a5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('help_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('open_phone', sa.String(length=40), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('first_message_id', sa.Integer(), nullable=True),
    sa.Column('latest_message_id', sa.Integer(), nullable=True),
    sa.Column('waiting_since', core.db.UTCDateTime(), nullable=True),
    sa.Column('answered_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('answered_by', sa.String(length=80), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.db.UTCDateTime(), nullable=False),
    sa.Column('done_at', core.db.UTCDateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_help_requests_community_id_communities')),
    sa.ForeignKeyConstraint(['first_message_id'], ['messages.id'], name=op.f('fk_help_requests_first_message_id_messages')),
    sa.ForeignKeyConstraint(['latest_message_id'], ['messages.id'], name=op.f('fk_help_requests_latest_message_id_messages')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_help_requests_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_help_requests')),
    sa.UniqueConstraint('community_id', 'open_phone', name=op.f('uq_help_requests_community_id_open_phone'))
    )
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.create_index('ix_help_requests_community_status', ['community_id', 'status', 'updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('help_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_help_requests_community_status')

    op.drop_table('help_requests')

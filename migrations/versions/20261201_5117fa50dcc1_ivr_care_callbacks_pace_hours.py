"""ivr care: call backs waiting for staff, a resident's voice pace, weekly staff hours and
the committee's closed days

Revision ID: 5117fa50dcc1
Revises: 7d2c4a9e1f60
Create Date: 2026-12-01 08:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '5117fa50dcc1'
down_revision: str | None = '7d2c4a9e1f60'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('community_closed_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=100), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_community_closed_days_community_id_communities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_closed_days')),
    sa.UniqueConstraint('community_id', 'day', name=op.f('uq_community_closed_days_community_id_day'))
    )
    with op.batch_alter_table('community_closed_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_closed_days_community_id'), ['community_id'], unique=False)

    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.alter_column('staff_hours', existing_type=sa.String(length=20),
                              type_=sa.String(length=200), existing_nullable=False)

    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voice_pace', sa.String(length=10), nullable=False, server_default='normal'))

    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('callback_tries', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('callback_due_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('callback_since', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('callback_done_by', sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column('callback_done_at', core.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_voice_calls_community_id_callback', ['community_id', 'callback'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('voice_calls', schema=None) as batch_op:
        batch_op.drop_index('ix_voice_calls_community_id_callback')
        for column in ('callback_done_at', 'callback_done_by', 'callback_since',
                       'callback_due_at', 'callback_tries', 'callback_reason'):
            batch_op.drop_column(column)
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_column('voice_pace')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.alter_column('staff_hours', existing_type=sa.String(length=200),
                              type_=sa.String(length=20), existing_nullable=False)
    with op.batch_alter_table('community_closed_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_closed_days_community_id'))
    op.drop_table('community_closed_days')

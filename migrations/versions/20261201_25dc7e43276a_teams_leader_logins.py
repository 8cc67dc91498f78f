"""teams: console logins for team leaders

Revision ID: 25dc7e43276a
Revises: 8781e8ce0d71
Create Date: 2026-12-01 14:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '25dc7e43276a'
down_revision: str | None = '8781e8ce0d71'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('team_leader_logins',
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_team_leader_logins_community_id_communities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_team_leader_logins_resident_id_residents')),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_team_leader_logins_staff_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_user_id', name=op.f('pk_team_leader_logins'))
    )
    with op.batch_alter_table('team_leader_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_team_leader_logins_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_team_leader_logins_resident_id'), ['resident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('team_leader_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_team_leader_logins_resident_id'))
        batch_op.drop_index(batch_op.f('ix_team_leader_logins_community_id'))

    op.drop_table('team_leader_logins')

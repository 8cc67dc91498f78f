"""staff accounts: community memberships with a role each, superusers, disabling and
session versions

Revision ID: 96fc5ca8e5c8
Revises: 5a7f0c1e2d3b
Create Date: 2026-12-01 08:45:00.000000

An upgrade keeps every existing login working exactly as before: until now a login
ran every community of the deployment with one role, so each existing login becomes
a member of every existing community with that role. Nobody becomes a superuser
silently; the operator makes the street office's login one with
`staff create ... --superuser` (or `staff grant USERNAME --superuser`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '96fc5ca8e5c8'
down_revision: str | None = '5a7f0c1e2d3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_memberships',
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_staff_memberships_community_id_communities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_user_id'], ['staff_users.id'], name=op.f('fk_staff_memberships_staff_user_id_staff_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_user_id', 'community_id', name=op.f('pk_staff_memberships'))
    )
    with op.batch_alter_table('staff_memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_memberships_community_id'), ['community_id'], unique=False)

    op.execute(
        "INSERT INTO staff_memberships (staff_user_id, community_id, role, created_at) "
        "SELECT staff_users.id, communities.id, staff_users.role, CURRENT_TIMESTAMP "
        "FROM staff_users CROSS JOIN communities"
    )

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_superuser', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('disabled_at', core.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.drop_column('role')


def downgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=10), nullable=False, server_default='staff'))
    op.execute(
        "UPDATE staff_users SET role = 'admin' WHERE is_superuser OR id IN "
        "(SELECT staff_user_id FROM staff_memberships WHERE role = 'admin')"
    )
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('disabled_at')
        batch_op.drop_column('is_superuser')

    with op.batch_alter_table('staff_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_memberships_community_id'))

    op.drop_table('staff_memberships')

"""the inbox as the readers' queue: a claim time and an index of the waiting texts

Revision ID: 1ad2092231d9
Revises: 4e8a1c2b9d70
Create Date: 2026-12-01 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db

revision: str = '1ad2092231d9'
down_revision: str | None = '4e8a1c2b9d70'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('sms_inbox') as batch:
        batch.add_column(sa.Column('claimed_at', core.db.UTCDateTime(), nullable=True))
    op.create_index(
        'ix_sms_inbox_waiting',
        'sms_inbox',
        ['message_id'],
        unique=False,
        sqlite_where=sa.text('handled_at IS NULL'),
        postgresql_where=sa.text('handled_at IS NULL'),
    )


def downgrade() -> None:
    op.drop_index('ix_sms_inbox_waiting', table_name='sms_inbox')
    with op.batch_alter_table('sms_inbox') as batch:
        batch.drop_column('claimed_at')

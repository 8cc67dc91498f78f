"""reading texts: deal aliases, the dialog's pending question, last deal and misreads

Revision ID: 4e8a1c2b9d70
Revises: 3c1d9e7a5b20
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '4e8a1c2b9d70'
down_revision: str | None = '3c1d9e7a5b20'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('deals') as batch:
        batch.add_column(sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))
    with op.batch_alter_table('conversations') as batch:
        batch.add_column(sa.Column('pending', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('last_deal', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('misread', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('conversations') as batch:
        batch.drop_column('misread')
        batch.drop_column('last_deal')
        batch.drop_column('pending')
    with op.batch_alter_table('deals') as batch:
        batch.drop_column('aliases')

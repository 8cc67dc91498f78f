"""security-io: resident imports keep their upload for the worker job, and the country option

Revision ID: c49f544b862a
Revises: 5a7f0c1e2d3b
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'c49f544b862a'
down_revision: str | None = '5a7f0c1e2d3b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('resident_imports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('upload', sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'allow_other_countries', sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('resident_imports', schema=None) as batch_op:
        batch_op.drop_column('allow_other_countries')
        batch_op.drop_column('upload')

"""china street offices: one community per signature and extension code, per provider

Replies are routed by signature and extension code alone (one push URL serves every
community on a provider), so no two accounts may share both.

Revision ID: 4d104da51a3a
Revises: 0c6bef050af0
Create Date: 2026-12-01 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '4d104da51a3a'
down_revision: str | None = '0c6bef050af0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 'uq_carrier_accounts_provider_sign_name_extend_code'


def upgrade() -> None:
    shared = op.get_bind().execute(
        sa.text(
            "SELECT provider, sign_name, extend_code, COUNT(*) FROM carrier_accounts "
            "GROUP BY provider, sign_name, extend_code HAVING COUNT(*) > 1"
        )
    ).all()
    if shared:
        listed = '; '.join(f'{p} 【{s}】 extension {e!r}: {n} communities' for p, s, e, n in shared)
        raise RuntimeError(
            'communities share a signature and extension code, so their replies cannot be '
            f'told apart ({listed}): give each its own with `templates signature '
            '--extend-code NN`, then upgrade again'
        )
    with op.batch_alter_table('carrier_accounts', schema=None) as batch_op:
        batch_op.create_unique_constraint(NAME, ['provider', 'sign_name', 'extend_code'])


def downgrade() -> None:
    with op.batch_alter_table('carrier_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(NAME, type_='unique')

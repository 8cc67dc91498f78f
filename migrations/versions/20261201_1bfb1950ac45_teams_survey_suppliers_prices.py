"""teams survey: supplier products, inspection visits, price observations, market price overrides

Revision ID: 1bfb1950ac45
Revises: ef5ac76c473f
Create Date: 2026-12-01 12:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.db


revision: str = '1bfb1950ac45'
down_revision: str | None = 'ef5ac76c473f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('products', sa.String(length=200), server_default='', nullable=False))
    op.create_table('inspection_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('supplier_id', sa.Integer(), nullable=False),
    sa.Column('visited_on', sa.Date(), nullable=False),
    sa.Column('visitors', sa.String(length=200), nullable=False),
    sa.Column('findings', sa.String(length=1000), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('next_due', sa.Date(), nullable=True),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_inspection_visits_community_id_communities')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_inspection_visits_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inspection_visits'))
    )
    with op.batch_alter_table('inspection_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inspection_visits_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inspection_visits_supplier_id'), ['supplier_id'], unique=False)
    op.create_table('price_observations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('product', sa.String(length=40), nullable=False),
    sa.Column('place', sa.String(length=60), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=True),
    sa.Column('created_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_price_observations_community_id_communities')),
    sa.ForeignKeyConstraint(['resident_id'], ['residents.id'], name=op.f('fk_price_observations_resident_id_residents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_observations')),
    sa.UniqueConstraint('community_id', 'source_key', name=op.f('uq_price_observations_community_id_source_key'))
    )
    with op.batch_alter_table('price_observations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_observations_community_id'), ['community_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_observations_product'), ['product'], unique=False)
    op.create_table('market_price_overrides',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('price_fen', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('set_by', sa.String(length=50), nullable=False),
    sa.Column('set_at', core.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_market_price_overrides_deal_id_deals')),
    sa.PrimaryKeyConstraint('deal_id', name=op.f('pk_market_price_overrides'))
    )


def downgrade() -> None:
    op.drop_table('market_price_overrides')
    op.drop_table('price_observations')
    op.drop_table('inspection_visits')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('products')

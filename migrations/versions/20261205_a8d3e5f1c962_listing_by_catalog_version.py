"""Listings found by the catalog version they were decided under (the office ends those in force under an entry it
retires: seed 003 第2条 清理不符合要求的失信约束措施)

Revision ID: a8d3e5f1c962
Revises: f1c4d8e2a753
Create Date: 2026-12-05 09:20:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8d3e5f1c962'
down_revision = 'f1c4d8e2a753'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_version_status', ['catalog_version_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_version_status')

"""The index of listings by catalog version dropped: the office's clean-up of a retired entry finds its punishments
through the cases citing it (case_entry), which also tells those resting on another entry still in force

Revision ID: b7e2f4a9c153
Revises: a8d3e5f1c962
Create Date: 2026-12-05 10:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e2f4a9c153'
down_revision = 'a8d3e5f1c962'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_version_status')


def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_version_status', ['catalog_version_id', 'status'], unique=False)

"""Decisions to punish in force not yet served on their subject indexed (the supervisors' list of decisions unserved
after 7 working days)

Revision ID: f1c4d8e2a753
Revises: e3b9f1a7c524
Create Date: 2026-12-05 07:20:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f1c4d8e2a753'
down_revision = 'e3b9f1a7c524'
branch_labels = None
depends_on = None

# (as app/listings/models.py: a migration keeps its own copy, the model may change later)
UNSERVED = "served_on IS NULL AND source = 'case' AND kind = 'punishment' AND status IN ('in_effect', 'suspended')"


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index('ix_listing_unserved', ['decided_on', 'id'], unique=False, postgresql_where=sa.text(UNSERVED),
                              sqlite_where=sa.text(UNSERVED))


def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index('ix_listing_unserved', postgresql_where=sa.text(UNSERVED), sqlite_where=sa.text(UNSERVED))

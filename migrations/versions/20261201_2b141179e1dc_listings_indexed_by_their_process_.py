"""listings indexed by their process instance

Revision ID: 2b141179e1dc
Revises: b0e71379f14d
Create Date: 2026-12-01 15:34:50.516236

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '2b141179e1dc'
down_revision = 'b0e71379f14d'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_listing_instance_id'), ['instance_id'], unique=False)



def downgrade():
    with op.batch_alter_table('listing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_listing_instance_id'))


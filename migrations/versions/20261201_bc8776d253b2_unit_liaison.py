"""unit liaison

Revision ID: bc8776d253b2
Revises: 9173518f0ace
Create Date: 2026-12-01 10:29:39.639603

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = 'bc8776d253b2'
down_revision = '9173518f0ace'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('liaison_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('liaison_phone', sa.String(length=40), nullable=True))
        batch_op.create_foreign_key('fk_unit_liaison', 'user', ['liaison_id'], ['id'])



def downgrade():
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_constraint('fk_unit_liaison', type_='foreignkey')
        batch_op.drop_column('liaison_phone')
        batch_op.drop_column('liaison_id')


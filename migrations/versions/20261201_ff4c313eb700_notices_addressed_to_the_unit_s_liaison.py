"""notices addressed to the unit's liaison

Revision ID: ff4c313eb700
Revises: bc8776d253b2
Create Date: 2026-12-01 10:30:51.655133

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = 'ff4c313eb700'
down_revision = 'bc8776d253b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressed_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notice_addressed_to_id_user'), 'user', ['addressed_to_id'], ['id'])



def downgrade():
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notice_addressed_to_id_user'), type_='foreignkey')
        batch_op.drop_column('addressed_to_id')


"""Typical cases taken off the public page (by the office with a reason, or when their case's punishment or reward
stops being in force)

Revision ID: c4a7e2d9f318
Revises: b7e2f4a9c153
Create Date: 2026-12-05 12:00:00
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

# revision identifiers, used by Alembic.
revision = 'c4a7e2d9f318'
down_revision = 'b7e2f4a9c153'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', app.db_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_typical_case_withdrawn_by_id_user'), 'user', ['withdrawn_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_typical_case_withdrawn_by_id_user'), type_='foreignkey')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_reason')
        batch_op.drop_column('withdrawn_at')

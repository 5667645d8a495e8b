"""typical cases: free descriptions, publication; every unit with a quota

Revision ID: 6044243440b5
Revises: fdf3ed694639
Create Date: 2026-12-01 11:14:36.468005

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '6044243440b5'
down_revision = 'fdf3ed694639'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('published_at', app.db_types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('published_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_typical_case_unit_id'), type_='unique')
        batch_op.create_index(batch_op.f('ix_typical_case_published_at'), ['published_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_typical_case_published_by_id_user'), 'user', ['published_by_id'], ['id'])
    # Typical cases registered before titles existed take their case's title.
    op.execute('UPDATE typical_case SET title = (SELECT "case".title FROM "case" WHERE "case".id = typical_case.case_id) '
               'WHERE case_id IS NOT NULL')


def downgrade():
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_typical_case_published_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_typical_case_published_at'))
        batch_op.create_unique_constraint(batch_op.f('uq_typical_case_unit_id'), ['unit_id', 'case_id', 'quarter'])
        batch_op.alter_column('case_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('published_text')
        batch_op.drop_column('published_title')
        batch_op.drop_column('published_at')
        batch_op.drop_column('title')


"""data calls: each unit's answer

Revision ID: 3fe7e80f74c2
Revises: 6044243440b5
Create Date: 2026-12-01 11:28:27.429500

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '3fe7e80f74c2'
down_revision = '6044243440b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=True),
    sa.Column('submitted_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('times_returned', sa.Integer(), server_default='0', nullable=False),
    sa.Column('return_reasons', sa.Text(), server_default='', nullable=False),
    sa.Column('reviewed_at', app.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_data_submission_case_id_case')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_data_submission_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_data_submission_submitted_by_id_user')),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_data_submission_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_submission')),
    sa.UniqueConstraint('case_id', 'unit_id', name=op.f('uq_data_submission_case_id'))
    )
    with op.batch_alter_table('data_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_submission_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_data_submission_unit_status', ['unit_id', 'status'], unique=False)



def downgrade():
    with op.batch_alter_table('data_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_data_submission_unit_status')
        batch_op.drop_index(batch_op.f('ix_data_submission_instance_id'))

    op.drop_table('data_submission')

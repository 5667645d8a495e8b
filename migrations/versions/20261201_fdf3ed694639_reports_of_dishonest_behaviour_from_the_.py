"""reports of dishonest behaviour from the public

Revision ID: fdf3ed694639
Revises: 4e075a25141f
Create Date: 2026-12-01 11:03:14.605329

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = 'fdf3ed694639'
down_revision = '4e075a25141f'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('trigger_case_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_public_report_case_id_case')),
    sa.ForeignKeyConstraint(['trigger_case_id'], ['case.id'], name=op.f('fk_public_report_trigger_case_id_case')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_report')),
    sa.UniqueConstraint('case_id', name=op.f('uq_public_report_case_id'))
    )
    with op.batch_alter_table('public_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_report_trigger_case_id'), ['trigger_case_id'], unique=False)



def downgrade():
    with op.batch_alter_table('public_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_report_trigger_case_id'))

    op.drop_table('public_report')

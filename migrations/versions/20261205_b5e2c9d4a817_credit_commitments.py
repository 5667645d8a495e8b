"""信用承诺: applicants' written commitments recorded with the credit check of their approval matter, and whether each
was kept (seed 002 五(二) 行政许可申请人信用承诺制度; seed 000 四)

Revision ID: b5e2c9d4a817
Revises: a9d3c7e1f246
Create Date: 2026-12-05 16:30:00
"""
import sqlalchemy as sa
from alembic import op

from app.db_types import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'b5e2c9d4a817'
down_revision = 'a9d3c7e1f246'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'credit_commitment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('subject_code_digest', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('made_on', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('finding', sa.Text(), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['check_id'], ['credit_check.id'], name=op.f('fk_credit_commitment_check_id_credit_check')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_credit_commitment_unit_id_unit')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_credit_commitment_recorded_by_id_user')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_credit_commitment_closed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_commitment')),
        sa.UniqueConstraint('check_id', name=op.f('uq_credit_commitment_check_id')),
    )
    with op.batch_alter_table('credit_commitment', schema=None) as batch_op:
        batch_op.create_index('ix_credit_commitment_unit_status', ['unit_id', 'status', 'due_on'], unique=False)
        batch_op.create_index('ix_credit_commitment_code_status', ['subject_code_digest', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('credit_commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_credit_commitment_code_status')
        batch_op.drop_index('ix_credit_commitment_unit_status')
    op.drop_table('credit_commitment')

"""Data calls published again each month or quarter (data_call_repeat)

The office sets a call to repeat (seed 004 (二十五) 每季末报送工作进展, seed 003 月通报); the scheduler publishes a copy
on each period's day, found by the (active, next_on) index.

Revision ID: d7a2c4e8f613
Revises: c5e1b7d2a946
Create Date: 2026-12-05 02:00:00
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

# revision identifiers, used by Alembic.
revision = 'd7a2c4e8f613'
down_revision = 'c5e1b7d2a946'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'data_call_repeat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source_case_id', sa.Integer(), nullable=False),
        sa.Column('every', sa.String(length=10), nullable=False),
        sa.Column('next_on', sa.Date(), nullable=False),
        sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', app.db_types.UTCDateTime(), nullable=False),
        sa.Column('last_case_id', sa.Integer(), nullable=True),
        sa.Column('stopped_at', app.db_types.UTCDateTime(), nullable=True),
        sa.Column('stopped_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['source_case_id'], ['case.id'], name=op.f('fk_data_call_repeat_source_case_id_case')),
        sa.ForeignKeyConstraint(['last_case_id'], ['case.id'], name=op.f('fk_data_call_repeat_last_case_id_case')),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_data_call_repeat_created_by_id_user')),
        sa.ForeignKeyConstraint(['stopped_by_id'], ['user.id'], name=op.f('fk_data_call_repeat_stopped_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_call_repeat')),
    )
    with op.batch_alter_table('data_call_repeat', schema=None) as batch_op:
        batch_op.create_index('ix_data_call_repeat_due', ['active', 'next_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_data_call_repeat_source_case_id'), ['source_case_id'], unique=False)


def downgrade():
    with op.batch_alter_table('data_call_repeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_data_call_repeat_source_case_id'))
        batch_op.drop_index('ix_data_call_repeat_due')
    op.drop_table('data_call_repeat')

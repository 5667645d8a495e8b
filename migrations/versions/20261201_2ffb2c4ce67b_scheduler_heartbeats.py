"""scheduler heartbeats

Revision ID: 2ffb2c4ce67b
Revises: e490ae2b0110
Create Date: 2026-12-01 16:34:59.654519

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# revision identifiers, used by Alembic.
revision = '2ffb2c4ce67b'
down_revision = 'e490ae2b0110'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scheduler_heartbeat',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('started_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('beat_at', app.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sweep_ms', sa.Integer(), nullable=False),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_heartbeat'))
    )
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scheduler_heartbeat_beat_at'), ['beat_at'], unique=False)

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table('scheduler_heartbeat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduler_heartbeat_beat_at'))

    op.drop_table('scheduler_heartbeat')
    # ### end Alembic commands ###

"""双公示 ledgers counted by the month each decision is due for publication: the month's notice, made once the month is
over, finds every decision it counts past its time (one made in a month's last days is counted in the next month's)

Revision ID: d8b3f1a6c425
Revises: c4a7e2d9f318
Create Date: 2026-12-05 12:30:00
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd8b3f1a6c425'
down_revision = 'c4a7e2d9f318'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publicity_entry', schema=None) as batch_op:
        batch_op.create_index('ix_publicity_due', ['due_on', 'unit_id'], unique=False)
        batch_op.create_index('ix_publicity_unit_due', ['unit_id', 'due_on'], unique=False)


def downgrade():
    with op.batch_alter_table('publicity_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_publicity_unit_due')
        batch_op.drop_index('ix_publicity_due')

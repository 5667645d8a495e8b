"""Open tasks indexed by their claim in inbox order (the queue's unclaimed and own views)

Revision ID: b5d1f0c2e817
Revises: a7c3e91d2b40
Create Date: 2026-12-02 03:45:00

A unit's liaison may hold thousands of claimed pushes (a midnight on which thousands of periods end sends a lift
push to every unit applying a measure): a colleague's "unclaimed" page read the unit's whole queue in deadline order
to find none. Unclaimed tasks and claimed ones each get an index in inbox order (each task is in one of them), so
those pages are one index range each.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b5d1f0c2e817'
down_revision = 'a7c3e91d2b40'
branch_labels = None
depends_on = None

UNCLAIMED = sa.text('assignee_id IS NULL AND claimed_by_id IS NULL')
CLAIMED = sa.text('claimed_by_id IS NOT NULL')


def upgrade():
    with op.batch_alter_table('open_task') as batch_op:
        batch_op.create_index('ix_open_task_unit_unclaimed', ['role', 'unit_id', 'due_at', 'id'], unique=False,
                              postgresql_where=UNCLAIMED, sqlite_where=UNCLAIMED)
        batch_op.create_index('ix_open_task_claimed', ['claimed_by_id', 'due_at', 'id'], unique=False,
                              postgresql_where=CLAIMED, sqlite_where=CLAIMED)


def downgrade():
    with op.batch_alter_table('open_task') as batch_op:
        batch_op.drop_index('ix_open_task_claimed', postgresql_where=CLAIMED, sqlite_where=CLAIMED)
        batch_op.drop_index('ix_open_task_unit_unclaimed', postgresql_where=UNCLAIMED, sqlite_where=UNCLAIMED)

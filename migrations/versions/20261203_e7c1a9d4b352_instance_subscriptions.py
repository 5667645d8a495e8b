"""process instances: the messages each waits for (its subscriptions)

Revision ID: e7c1a9d4b352
Revises: d4e8a2c7b913
Create Date: 2026-12-03 13:00:00

A message delivered to a process that does not wait for it is dropped. Knowing that from the row (as Camunda's
event subscriptions do) spares loading and saving the whole workflow state: at midnight every listing that ends
tells its case's procedure, which mostly is not waiting for it yet. Existing rows keep NULL ("not known": loaded
as before) and get their subscriptions on their next save.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e7c1a9d4b352'
down_revision = 'd4e8a2c7b913'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('process_instance') as batch_op:
        batch_op.add_column(sa.Column('waits_for', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('process_instance') as batch_op:
        batch_op.drop_column('waits_for')

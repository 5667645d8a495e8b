"""The subjects a decision to act left out (case_subject.not_acted)

Seed 001 二(二)2: the meeting decides for each subject; one it does not act against is named so on every list that
names the case's subjects (an implementing unit must not read it as punished). Existing punishment cases decided to
act: a subject without a listing of its own was left out.

Revision ID: e3b9f1a7c524
Revises: d7a2c4e8f613
Create Date: 2026-12-05 03:40:00
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e3b9f1a7c524'
down_revision = 'd7a2c4e8f613'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_subject', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_acted', sa.Boolean(), server_default='0', nullable=False))
    op.execute(
        "UPDATE case_subject SET not_acted = " + ("true" if op.get_bind().dialect.name == "postgresql" else "1")
        + " WHERE case_id IN (SELECT id FROM \"case\" WHERE kind = 'punishment' AND decision = 'act')"
        " AND EXISTS (SELECT 1 FROM listing WHERE listing.case_id = case_subject.case_id)"
        " AND NOT EXISTS (SELECT 1 FROM listing WHERE listing.case_id = case_subject.case_id"
        " AND listing.subject_id = case_subject.subject_id)")


def downgrade():
    with op.batch_alter_table('case_subject', schema=None) as batch_op:
        batch_op.drop_column('not_acted')

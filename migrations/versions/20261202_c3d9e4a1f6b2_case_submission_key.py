"""The key of the form submission that filed a case (a trigger form sent twice files one case)

Revision ID: c3d9e4a1f6b2
Revises: b5d1f0c2e817
Create Date: 2026-12-02 07:30:00

A caseworker who sends the filing form twice (back and resend, a retry on a slow network) got two identical cases.
The form carries a key made when it was shown; the case keeps it, unique, and a second submission with the same
key finds the case instead of filing another.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c3d9e4a1f6b2'
down_revision = 'b5d1f0c2e817'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('case', sa.Column('submission_key', sa.String(length=64), nullable=True))
    op.create_index('ix_case_submission_key', 'case', ['submission_key'], unique=True)


def downgrade():
    op.drop_index('ix_case_submission_key', table_name='case')
    op.drop_column('case', 'submission_key')

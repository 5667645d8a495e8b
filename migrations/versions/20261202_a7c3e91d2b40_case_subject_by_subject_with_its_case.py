"""Case subjects indexed by subject with the case (a subject's cases from the index alone)

Revision ID: a7c3e91d2b40
Revises: f436044b4c4c
Create Date: 2026-12-02 00:45:00

A search for a name finds the matching subjects, then their cases: with the case id in the index the database
reads it from there instead of fetching each case_subject row (hundreds of random reads for a company name that
matches hundreds of subjects in a city's archive).
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a7c3e91d2b40'
down_revision = 'f436044b4c4c'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case_subject') as batch_op:
        batch_op.create_index('ix_case_subject_subject_case', ['subject_id', 'case_id'], unique=False)
        batch_op.drop_index('ix_case_subject_subject_id')


def downgrade():
    with op.batch_alter_table('case_subject') as batch_op:
        batch_op.create_index('ix_case_subject_subject_id', ['subject_id'], unique=False)
        batch_op.drop_index('ix_case_subject_subject_case')

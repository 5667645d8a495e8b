"""Case search read model: a case's title and its subjects' names in narrow rows with the case's filing time

A search at city scale matched titles in the case table and names in the subject table, went through
case_subject to the cases and read each matching case row for its filing time (the list order): four scattered
reads per match when nothing is cached. case_search holds the same texts with the filing time, searched through
one bigram index (PostgreSQL) and ordered without reading a case. The title's own bigram index is no longer read.

Revision ID: c5e1b7d2a946
Revises: b4f2a6c8d913
Create Date: 2026-12-04 20:00:00
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

# revision identifiers, used by Alembic.
revision = 'c5e1b7d2a946'
down_revision = 'b4f2a6c8d913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_search',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.db_types.UTCDateTime(), nullable=False),
        sa.Column('text', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_case_search_case_id_case')),
        sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_case_search_subject_id_subject')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_search')),
    )
    with op.batch_alter_table('case_search', schema=None) as batch_op:
        batch_op.create_index('ix_case_search_case', ['case_id'], unique=False)
        batch_op.create_index('ix_case_search_subject', ['subject_id'], unique=False)
    # Every case's title, then every subject of every case (in the order they were added).
    op.execute('INSERT INTO case_search (case_id, subject_id, created_at, text) '
               'SELECT id, NULL, created_at, title FROM "case" ORDER BY id')
    op.execute('INSERT INTO case_search (case_id, subject_id, created_at, text) '
               'SELECT cs.case_id, cs.subject_id, c.created_at, s.name FROM case_subject cs '
               'JOIN "case" c ON c.id = cs.case_id JOIN subject s ON s.id = cs.subject_id ORDER BY cs.id')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_case_search_text_bigrams ON case_search USING gin (xl_bigrams(text))")
        op.execute("DROP INDEX IF EXISTS ix_case_title_bigrams")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('CREATE INDEX ix_case_title_bigrams ON "case" USING gin (xl_bigrams(title))')
        op.execute("DROP INDEX IF EXISTS ix_case_search_text_bigrams")
    with op.batch_alter_table('case_search', schema=None) as batch_op:
        batch_op.drop_index('ix_case_search_subject')
        batch_op.drop_index('ix_case_search_case')
    op.drop_table('case_search')

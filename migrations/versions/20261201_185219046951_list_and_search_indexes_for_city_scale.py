"""List and search indexes for city scale

Inbox, case-list and supervision indexes in the order the pages read; on PostgreSQL also the bigram
function and GIN indexes that substring search uses (app/text_search.py). The GIN indexes are not in the
models: SQLite has no such index, and they are built on an expression.

Revision ID: 185219046951
Revises: 3fe7e80f74c2
Create Date: 2026-12-01 13:17:55.625524

"""
from alembic import op
import sqlalchemy as sa

import app.db_types


# The distinct two-character substrings of the lower-cased text: a row contains a query only if it has all of
# the query's bigrams, which the GIN index finds; ILIKE then checks they are in order.
BIGRAMS_FUNCTION = """
CREATE OR REPLACE FUNCTION xl_bigrams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT substr(lower(t), i, 2)), '{}'::text[])
  FROM generate_series(1, char_length(t) - 1) AS i
$$
"""
SEARCH_INDEXES = (  # (names as in app/text_search.py SEARCH_INDEXES)
    ("ix_subject_name_bigrams", "subject", "name"),
    ("ix_case_title_bigrams", "case", "title"),
    ("ix_case_number_bigrams", "case", "number"),
)

# revision identifiers, used by Alembic.
revision = '185219046951'
down_revision = '3fe7e80f74c2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.create_index('ix_case_created', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_case_kind_created', ['kind', 'created_at'], unique=False)

    with op.batch_alter_table('open_task', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_task_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_open_task_inbox'))
        batch_op.create_index('ix_open_task_assignee', ['assignee_id', 'due_at', 'id'], unique=False)
        batch_op.create_index('ix_open_task_due', ['due_at'], unique=False)
        batch_op.create_index('ix_open_task_unit_inbox', ['role', 'unit_id', 'due_at', 'id'], unique=False, postgresql_where=sa.text('assignee_id IS NULL'), sqlite_where=sa.text('assignee_id IS NULL'))
        batch_op.create_index('ix_open_task_unit_step', ['role', 'unit_id', 'bpmn_id'], unique=False, postgresql_where=sa.text('assignee_id IS NULL'), sqlite_where=sa.text('assignee_id IS NULL'))

    if op.get_bind().dialect.name == "postgresql":
        op.execute(BIGRAMS_FUNCTION)
        for name, table, column in SEARCH_INDEXES:
            op.execute(f'CREATE INDEX {name} ON "{table}" USING gin (xl_bigrams({column}))')


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _table, _column in SEARCH_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("DROP FUNCTION IF EXISTS xl_bigrams(text)")
    with op.batch_alter_table('open_task', schema=None) as batch_op:
        batch_op.drop_index('ix_open_task_unit_step', postgresql_where=sa.text('assignee_id IS NULL'), sqlite_where=sa.text('assignee_id IS NULL'))
        batch_op.drop_index('ix_open_task_unit_inbox', postgresql_where=sa.text('assignee_id IS NULL'), sqlite_where=sa.text('assignee_id IS NULL'))
        batch_op.drop_index('ix_open_task_due')
        batch_op.drop_index('ix_open_task_assignee')
        batch_op.create_index(batch_op.f('ix_open_task_inbox'), ['role', 'unit_id', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_open_task_assignee_id'), ['assignee_id'], unique=False)

    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_index('ix_case_kind_created')
        batch_op.drop_index('ix_case_created')


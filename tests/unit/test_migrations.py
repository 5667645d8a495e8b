"""Models and Alembic migrations agree (what `flask db check` does): no pending autogenerate operations."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.text_search import include_object


def test_models_match_migrations(ctx):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_object": include_object}), db.metadata)
    assert diff == []

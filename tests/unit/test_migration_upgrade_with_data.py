"""Every migration runs on a database that already holds data: from the first revision to head, one step
at a time, with a row put into every table before each step (a NOT NULL column added without a backfill,
or a constraint existing rows break, fails here). Runs on the suite's own database kind: a separate SQLite
file, or a separate schema of the PostgreSQL test database."""
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db
from config import TestConfig

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
SCHEMA = "migration_test"


def _revisions() -> list[str]:
    script = ScriptDirectory(MIGRATIONS)
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _value(column: sa.Column, step: int, n: int):
    t = column.type
    if isinstance(t, sa.Boolean):
        return step % 2 == 0
    if isinstance(t, (sa.Integer, sa.Numeric, sa.Float)):
        return step * 100 + n
    if isinstance(t, sa.DateTime):
        return datetime(2026, 11, 1 + step % 20, 1, 2, 3, tzinfo=timezone.utc)
    if isinstance(t, sa.Date):
        return date(2026, 11, 1 + step % 20)
    if isinstance(t, sa.JSON):
        return {"step": step}
    if isinstance(t, sa.String) and t.length:
        return f"s{step}n{n}x"[: t.length]
    return f"text {step}/{n}"


def _ordered(meta: sa.MetaData) -> list[sa.Table]:
    """Tables in an order where every NOT NULL foreign key's target comes first (nullable ones may form
    cycles, e.g. catalog_entry.current_version_id; they take the newest target row that exists)."""
    tables = {t.name: t for t in meta.tables.values() if t.name != "alembic_version"}
    needs = {
        name: {fk.column.table.name for c in t.columns if not c.nullable for fk in c.foreign_keys} - {name}
        for name, t in tables.items()
    }
    out: list[sa.Table] = []
    while needs:
        ready = sorted(n for n, deps in needs.items() if not deps - {t.name for t in out})
        assert ready, f"NOT NULL foreign-key cycle among {sorted(needs)}"
        for n in ready:
            out.append(tables[n])
            del needs[n]
    return out


def _fill(conn, step: int) -> dict[str, int]:
    """One new row in every table (FKs to the newest row of the target). Returns rows per table."""
    meta = sa.MetaData()
    meta.reflect(conn)
    counts = {}
    for table in _ordered(meta):
        row = {}
        for n, col in enumerate(table.columns):
            fks = list(col.foreign_keys)
            if fks:
                target = fks[0].column
                ref = conn.execute(sa.select(sa.func.max(target))).scalar()
                if ref is None and not col.nullable:
                    pytest.fail(f"{table.name}.{col.name}: no {target.table.name} row to refer to")
                row[col.name] = ref
            elif col.primary_key and isinstance(col.type, sa.Integer):
                continue
            else:
                row[col.name] = _value(col, step, n)
        conn.execute(table.insert().values(**row))
        counts[table.name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
    return counts


@pytest.fixture
def migration_app(app, tmp_path):
    main_url = app.config["SQLALCHEMY_DATABASE_URI"]

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = main_url if main_url.startswith("postgresql") else f"sqlite:///{tmp_path / 'test-migrations.db'}"
        SQLALCHEMY_ENGINE_OPTIONS = (
            {"connect_args": {"options": f"-csearch_path={SCHEMA}"}} if main_url.startswith("postgresql") else {}
        )
        UPLOAD_DIR = str(tmp_path / "uploads")

    other = create_app(Cfg)
    with other.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        yield other
        db.session.remove()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        db.engine.dispose()


def test_each_migration_upgrades_a_filled_database(migration_app):
    revisions = _revisions()
    assert len(revisions) >= 9
    before: dict[str, int] = {}
    for step, rev in enumerate(revisions):
        upgrade(directory=MIGRATIONS, revision=rev)
        with db.engine.begin() as conn:
            for name, count in before.items():  # no migration loses rows
                assert conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() == count, (rev, name)
            before = _fill(conn, step + 1)
    tables = set(inspect(db.engine).get_table_names())
    assert {"case", "expert_draw", "open_task", "process_instance"} <= tables
    first_with_digest = revisions.index("92b52d3ac63f")
    with db.engine.connect() as conn:
        digests = conn.execute(text("SELECT inputs_digest FROM expert_draw ORDER BY id")).scalars().all()
    # Draws made before the digest column existed were backfilled with the SHA-256 of their inputs.
    backfilled = digests[: first_with_digest - revisions.index("731225ba86b3")]
    assert backfilled and all(len(d) == 64 and int(d, 16) >= 0 for d in backfilled)

"""Every migration runs on a database that already holds data: from the first revision to head, one step
at a time, with a row put into every table before each step (a NOT NULL column added without a backfill,
or a constraint existing rows break, fails here). Runs on the suite's own database kind: a separate SQLite
file, or a separate schema of the PostgreSQL test database."""
from datetime import date, datetime, timedelta, timezone
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
        return datetime(2026, 1, 1, 1, 2, 3, tzinfo=timezone.utc) + timedelta(days=step)  # unique per step
    if isinstance(t, sa.Date):
        return date(2026, 1, 1) + timedelta(days=step)
    if isinstance(t, sa.JSON):
        return {"step": step}
    if isinstance(t, sa.LargeBinary):
        return f"bytes {step}/{n}".encode()
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
            elif col.primary_key and isinstance(col.type, sa.Integer) and len(table.primary_key.columns) == 1:
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


def test_cases_decided_before_listings_get_one_listing_per_subject(migration_app):
    """A case decided and suspended under the old shape stays readable: its subjects get listings with the
    case's period and status, and the suspension goes to the subject that objected."""
    upgrade(directory=MIGRATIONS, revision="8f76373d3dfa")
    now = datetime(2026, 11, 1)
    with db.engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)

        def ins(table, **values):
            conn.execute(meta.tables[table].insert().values(**values))

        ins("unit", id=1, name="办公室", kind="office", active=True)
        ins("unit", id=2, name="市市场监管局", kind="member", active=True)
        ins("user", id=1, username="u", full_name="u", role="caseworker", unit_id=2, password_hash="x", active=True,
            created_at=now)
        ins("specialist_group", id=1, name="g", domain="market", lead_unit_id=2)
        ins("catalog_entry", id=1, code="E1", kind="punishment", group_id=1)
        ins("catalog_version", id=1, entry_id=1, version_no=1, behaviour="b", admin_unit_id=2, grounds="grounds",
            legal_basis="lb", measures=[{"code": "M1", "text": "t", "unit_id": 2}], measure_content="", required_evidence="",
            default_period_days=30, created_at=now, change_reason="")
        for sid, code in ((1, "91510400MA6X000102"), (2, "91510400MA6X000809")):
            ins("subject", id=sid, kind="enterprise", name=f"s{sid}", code=code, created_at=now)
        ins("case", id=1, number="XL-1", kind="punishment", process_id="joint_punishment", status="suspended", route="group",
            group_id=1, initiating_unit_id=2, created_by_id=1, title="t", facts="f", legal_basis="lb", decision="act",
            period_start=date(2026, 11, 1), period_end=None, period_days=30, created_at=now, created_month="2026-11",
            updated_at=now, event_seq=0, event_hash="0" * 64)
        ins("case", id=2, number="YY-1", kind="objection", process_id="objection", status="objection_reply", route="group",
            initiating_unit_id=2, created_by_id=1, title="o", facts="f", legal_basis="", parent_case_id=1, created_at=now,
            created_month="2026-11", updated_at=now, event_seq=0, event_hash="0" * 64)
        for i, (case_id, sid) in enumerate(((1, 1), (1, 2), (2, 2)), start=1):
            ins("case_subject", id=i, case_id=case_id, subject_id=sid)
        ins("case_entry", id=1, case_id=1, catalog_version_id=1)
        ins("case_measure", id=1, case_id=1, catalog_version_id=1, measure_code="M1", text="t", unit_id=2, status="applied")
        ins("period_suspension", id=1, case_id=1, start=date(2026, 11, 10), reason="objection", source_case_id=2,
            created_at=now)
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, subject_id, status, period_start, period_days, deciding_unit_id FROM listing "
                                 "ORDER BY subject_id")).all()
        assert [(r.subject_id, r.status, r.period_days, r.deciding_unit_id) for r in rows] == [(1, "suspended", 30, 2),
                                                                                              (2, "suspended", 30, 2)]
        units = conn.execute(text("SELECT listing_id, unit_id, state FROM listing_unit ORDER BY listing_id")).all()
        assert [(u.unit_id, u.state) for u in units] == [(2, "applied"), (2, "applied")]
        suspension = conn.execute(text("SELECT listing_id FROM period_suspension")).scalar()
        assert suspension == rows[1].id  # subject 2 objected


def test_plain_identity_numbers_and_contacts_are_sealed_by_the_upgrade(migration_app):
    """Issue 20: an installation upgraded with data keeps no plain identity number, contact or phone; the
    application finds and reads every one of them afterwards."""
    from app.cases.models import Case, Subject
    from app.experts.models import Expert

    upgrade(directory=MIGRATIONS, revision="f9d4851d5d5b")
    person, now = "510402198503124568", datetime(2026, 11, 1)
    with db.engine.begin() as conn:
        meta = sa.MetaData()
        meta.reflect(conn)

        def ins(table, **values):
            conn.execute(meta.tables[table].insert().values(**values))

        ins("unit", id=1, name="办公室", kind="office", active=True, liaison_phone="0832-1234567")
        ins("user", id=1, username="u", full_name="u", role="caseworker", unit_id=1, password_hash="x", active=True, created_at=now)
        ins("subject", id=1, kind="person", name="张某", code=person, created_at=now)
        ins("credit_check", id=1, at=now, unit_id=1, subject_code=person, subject_kind="person", subject_id=1,
            matter_type="licence", matter_no="1", verdict="clear", listing_ids=[])
        ins("expert", id=1, name="王专家", fields=["legal"], affiliation="", affiliated_subject_code=person,
            contact="13912345678", active=True, created_at=now)
        ins("case", id=1, number="JB-1", kind="public_report", process_id="public_report", status="report_assigning",
            route="office", initiating_unit_id=1, created_by_id=1, title="t", facts="f", legal_basis="", created_at=now,
            created_month="2026-11", updated_at=now, event_seq=0, event_hash="0" * 64,
            determination={"subject_kind": "person", "subject_name": "张某", "subject_code": person, "contact_name": "李先生",
                           "contact": "13800001111"})
    upgrade(directory=MIGRATIONS)
    with db.engine.connect() as conn:
        dump = " ".join(str(v) for t in ("subject", "credit_check", "expert", "unit", "case")
                        for row in conn.execute(text(f'SELECT * FROM "{t}"')) for v in row)
    assert person not in dump and "13912345678" not in dump and "13800001111" not in dump and "1234567" not in dump
    assert db.session.scalar(sa.select(Subject.name).where(Subject.code == person)) == "张某"
    assert db.session.get(Expert, 1).contact == "13912345678"
    assert db.session.get(Case, 1).determination["contact"] == "13800001111"

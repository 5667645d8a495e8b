"""Backups that restore (issue 19): every kind of row backed up, restored into a new database, counted and
verified; a restore to an older state is reported as a rollback with its time, an alteration as tampering."""
import json
import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.blobs import store as blobs
from app.cases.models import Attachment, CaseEvent
from app.demo import load_demo
from app.extensions import db
from config import TestConfig, is_test_database
from tests.helpers import PDF, file_case
from tests.unit.test_migration_upgrade_with_data import _ordered


def _restore_url(main_url: str, tmp_path) -> str:
    url = make_url(main_url)
    if url.get_backend_name() != "postgresql":
        return f"sqlite:///{tmp_path / 'restored-test.db'}"
    return url.set(database=f"{url.database}_restore").render_as_string(hide_password=False)


@pytest.fixture
def restored_app(app, tmp_path, monkeypatch):
    """A second app (another machine) on a new, empty database, with its own folders but the same keys; the
    checkpoints are kept apart from any database (one folder both see)."""
    monkeypatch.setitem(app.config, "CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    url = _restore_url(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    assert is_test_database(url)

    class Cfg(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_DIR = str(tmp_path / "restored-uploads")
        CHECKPOINT_DIR = str(tmp_path / "checkpoints")

    other = create_app(Cfg)
    with other.app_context():
        if db.engine.dialect.name == "postgresql":  # (CI creates xinlian_test_restore beside xinlian_test)
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.engine.dispose()
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


def _fill_empty_tables():
    """The demo fills most tables; one plausible row goes into each it leaves empty (not the chained logs: a
    real security event is recorded instead)."""
    from app.security_log import services as security_log
    from tests.conftest import user

    security_log.record("login", user("market_cw"), address="127.0.0.1")
    db.session.commit()
    meta = sa.MetaData()
    meta.reflect(db.engine)
    for table in _ordered(meta):
        if table.name == "alembic_version" or db.session.scalar(select(sa.func.count()).select_from(table)):
            continue
        row = {}
        for col in table.columns:
            if col.foreign_keys:
                row[col.name] = db.session.scalar(select(sa.func.max(next(iter(col.foreign_keys)).column)))
            elif col.primary_key and isinstance(col.type, sa.Integer) and len(table.primary_key.columns) == 1:
                continue
            elif col.nullable:
                continue
            else:
                row[col.name] = _value(col)
        db.session.execute(table.insert().values(**row))
    db.session.commit()


def _value(col):
    from datetime import datetime, timezone

    t = col.type
    if isinstance(t, sa.Boolean):
        return False
    if isinstance(t, (sa.Integer, sa.Numeric, sa.Float)):
        return 1
    if isinstance(t, sa.DateTime):
        return datetime(2026, 11, 20, tzinfo=timezone.utc)
    if isinstance(t, sa.Date):
        return datetime(2026, 11, 20).date()
    if isinstance(t, sa.JSON):
        return {}
    if isinstance(t, sa.LargeBinary):
        return b"x"
    return "x"[: getattr(t, "length", None) or 1]


def _counts(the_app) -> dict[str, int]:
    with the_app.app_context():
        names = [n for n in inspect(db.engine).get_table_names() if n != "alembic_version"]
        out = {n: db.session.scalar(text(f'SELECT count(*) FROM "{n}"')) for n in names}
        db.session.rollback()
        return out


@pytest.mark.real_commits
def test_backup_restores_every_row_and_file_into_a_new_database(app, ctx, clock, tmp_path, restored_app):
    load_demo()
    case = file_case()
    db.session.commit()
    _fill_empty_tables()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    before = _counts(app)
    assert all(before.values()), [t for t, n in before.items() if not n]  # every kind of row is in the backup

    out = app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "bk")])
    assert out.exit_code == 0, out.output
    manifest = json.loads(json.loads((tmp_path / "bk" / "manifest.json").read_text())["body"])
    assert manifest["counts"] == before and att.sha256 in manifest["files"]

    runner = restored_app.test_cli_runner()
    out = _in(restored_app, runner, ["restore", "--from", str(tmp_path / "bk")])
    assert out.exit_code == 0, out.output
    assert _counts(restored_app) == before
    with restored_app.app_context():
        assert blobs.read(att.sha256) == PDF.data  # the file came along, checked on read
        assert blobs.LocalStore(restored_app.config["UPLOAD_DIR"]).has(att.sha256)
    out = _in(restored_app, runner, ["verify-chains"])
    assert out.exit_code == 0, out.output
    assert "all timeline chains verify" in out.output and "restored on" in out.output
    # Restoring twice into the now-filled database is refused, and nothing changes.
    out = _in(restored_app, runner, ["restore", "--from", str(tmp_path / "bk")])
    assert out.exit_code != 0 and "not empty" in out.output
    assert _counts(restored_app) == before


@pytest.mark.real_commits
def test_a_damaged_backup_is_refused_before_anything_is_loaded(app, org, clock, tmp_path, restored_app):
    file_case()
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "bk")]).exit_code == 0
    db_file = next(p for p in (tmp_path / "bk").iterdir() if p.name.startswith("database."))
    with db_file.open("r+b") as f:
        f.seek(200)
        f.write(b"\x00garbage\x00")
    out = _in(restored_app, restored_app.test_cli_runner(), ["restore", "--from", str(tmp_path / "bk")])
    assert out.exit_code != 0 and "does not match its hash" in out.output
    with restored_app.app_context():
        assert inspect(db.engine).get_table_names() == []


@pytest.mark.real_commits
def test_verify_chains_tells_a_rollback_from_tampering(app, org, clock, tmp_path, restored_app):
    from tests.helpers import complete, only_task

    case = file_case()
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["backup", "--to", str(tmp_path / "bk")]).exit_code == 0
    backup_time = json.loads(json.loads((tmp_path / "bk" / "manifest.json").read_text())["body"])["created_at"]
    clock.shift(timedelta(hours=3))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})  # work after the backup
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["checkpoint"]).exit_code == 0
    clock.shift(timedelta(hours=1))

    runner = restored_app.test_cli_runner()
    assert _in(restored_app, runner, ["restore", "--from", str(tmp_path / "bk")]).exit_code == 0
    # Without the note the restore leaves, an older copy of the database is a rollback, with its time.
    for note in _restore_notes(app):
        note.rename(note.with_suffix(".set-aside"))
    out = _in(restored_app, runner, ["verify-chains"])
    assert out.exit_code == 2, out.output
    assert "ROLLBACK" in out.output and backup_time[:13] in out.output and "BROKEN" not in out.output
    # An event rewritten in the copy is tampering, not a rollback.
    copy = sa.create_engine(restored_app.config["SQLALCHEMY_DATABASE_URI"])  # (as someone with database access would)
    with copy.begin() as conn:
        conn.execute(sa.update(CaseEvent.__table__).where(CaseEvent.case_id == case.id, CaseEvent.seq == 1)
                     .values(bpmn_id="rewritten"))
    copy.dispose()
    out = _in(restored_app, runner, ["verify-chains"])
    assert out.exit_code == 1 and "BROKEN" in out.output
    for note in _restore_notes(app, ".set-aside"):
        shutil.move(note, note.with_suffix(".json"))


def _restore_notes(app, suffix=".json"):
    from pathlib import Path

    return list(Path(app.config["CHECKPOINT_DIR"]).glob(f"restore-*{suffix}"))


def _in(the_app, runner, args):
    """Run a command of the second app (Flask runs a command in the app context already pushed, if any)."""
    with the_app.app_context():
        return runner.invoke(args=args)

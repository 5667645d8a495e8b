"""A production configuration that cannot be safe refuses to start, with the reason (issue 19)."""
from app.ops.production import unsafe

GOOD_SECRET = "k" * 40
KEYS = {"DATA_KEY_PROVIDER": "keyservice:keys"}  # (a key service: no file to look for)
PG = {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x:y@db/xinlian", **KEYS}
SQLITE = {"SQLALCHEMY_DATABASE_URI": "sqlite:////srv/xinlian.db", **KEYS}


def test_a_safe_cluster_configuration_passes():
    assert unsafe(PG, 8, {"SECRET_KEY": GOOD_SECRET}) == []
    assert unsafe(SQLITE, 1, {"SECRET_KEY": GOOD_SECRET}) == []  # one worker may use the embedded database


def test_unsafe_configurations_are_named():
    assert "SQLite cannot serve several web workers" in " ".join(unsafe(SQLITE, 2, {"SECRET_KEY": GOOD_SECRET}))
    assert "SECRET_KEY" in " ".join(unsafe(PG, 2, {}))
    assert "SECRET_KEY" in " ".join(unsafe(PG, 2, {"SECRET_KEY": "short"}))
    assert "Debug" in " ".join(unsafe(PG, 2, {"SECRET_KEY": GOOD_SECRET, "FLASK_DEBUG": "1"}))
    assert "Debug" in " ".join(unsafe({**PG, "DEBUG": True}, 2, {"SECRET_KEY": GOOD_SECRET}))


def test_run_production_refuses_several_workers_on_sqlite(tmp_path, monkeypatch):
    from app import create_app
    from config import TestConfig

    class OnSqlite(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod-test.db'}"

    monkeypatch.setenv("SECRET_KEY", GOOD_SECRET)
    started = []
    monkeypatch.setattr("app.ops.production.run", lambda *a, **k: started.append(a) or 0)
    result = create_app(OnSqlite).test_cli_runner().invoke(args=["run-production", "--workers", "3"])
    assert result.exit_code != 0 and "SQLite cannot serve several web workers" in result.output
    assert "test configuration" in result.output and started == []


def test_gunicorn_itself_refuses_an_unsafe_configuration(monkeypatch):
    import pytest

    from app.ops import gunicorn_conf

    class Server:
        class cfg:  # noqa: N801  (gunicorn's shape)
            workers = 4

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(SystemExit, match="SECRET_KEY"):
        gunicorn_conf.on_starting(Server)


def test_production_needs_the_data_key_file_it_will_not_create(tmp_path):
    missing = {**PG, "DATA_KEY_PROVIDER": None, "DATA_KEY_FILE": str(tmp_path / "data.key")}
    assert "flask keys init" in " ".join(unsafe(missing, 2, {"SECRET_KEY": GOOD_SECRET}))
    (tmp_path / "data.key").write_text("{}")
    assert unsafe(missing, 2, {"SECRET_KEY": GOOD_SECRET}) == []

"""A production configuration that cannot be safe refuses to start, with the reason (issue 19)."""
from app.ops.production import unsafe

GOOD_SECRET = "k" * 40
KEYS = {"DATA_KEY_PROVIDER": "keyservice:keys", "CHAIN_KEY": "c" * 64}  # (a key service: no file to look for)
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
    missing = " ".join(unsafe({**PG, "CHAIN_KEY": "", "CHAIN_KEY_FILE": "/etc/xinlian/chain.key"}, 2, {"SECRET_KEY": GOOD_SECRET}))
    assert "/etc/xinlian/chain.key" in missing and "flask keys init" in missing


def test_production_does_not_make_up_a_chain_key_of_its_own(tmp_path, monkeypatch, app):
    """A server whose chain key file was not copied would sign with a key of its own: every chain it wrote would
    fail the other servers' checks. In production the key file is made once by `flask keys init`, never on start."""
    import pytest

    import config
    from app.crypto import chain_key

    monkeypatch.setattr(config, "CHAIN_KEY_FILE", str(tmp_path / "chain.key"))
    monkeypatch.delenv("XINLIAN_CHAIN_KEY", raising=False)
    monkeypatch.setenv("XINLIAN_ENV", "production")
    assert config._chain_key() == "" and not (tmp_path / "chain.key").exists()
    monkeypatch.setitem(app.config, "CHAIN_KEY", "")
    monkeypatch.setitem(app.config, "CHAIN_KEY_FILE", str(tmp_path / "chain.key"))
    with app.app_context(), pytest.raises(RuntimeError, match="flask keys init"):
        chain_key()  # (what every hash of a chain asks for: no entry is ever signed with an empty key)
    # `flask keys init` makes both key files, once, readable by the app's account only.
    monkeypatch.setitem(app.config, "DATA_KEY_FILE", str(tmp_path / "data.key"))
    monkeypatch.setitem(app.config, "DATA_KEY_PROVIDER", None)
    result = app.test_cli_runner().invoke(args=["keys", "init"])
    assert result.exit_code == 0, result.output
    for name in ("data.key", "chain.key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600
    assert len(config._chain_key()) == 64
    again = app.test_cli_runner().invoke(args=["keys", "init"])
    assert again.exit_code != 0 and "exists already" in again.output


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


def test_rate_limits_counted_per_worker_are_said_at_start():
    """Security campaign: with the default in-process store each web worker counts the limits apart (23 refused logins
    before the first 429 with four workers, against 10)."""
    from app.ops.production import cautions

    assert cautions({"RATELIMIT_STORAGE_URI": "process-memory://"}, 1) == []
    [said] = cautions({"RATELIMIT_STORAGE_URI": "process-memory://"}, 4)
    assert "4 web workers" in said and "XINLIAN_RATELIMIT_STORAGE" in said
    assert cautions({"RATELIMIT_STORAGE_URI": "redis://cache:6379"}, 4) == []

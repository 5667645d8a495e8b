"""The suite's own safety check: only databases named as test databases may be emptied."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config import TestConfig, is_test_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "url,ok",
    [
        ("postgresql+psycopg://x:y@127.0.0.1/xinlian_test", True),
        ("postgresql+psycopg://x:y@127.0.0.1/xinlian", False),
        ("postgresql+psycopg://x:y@127.0.0.1/test_xinlian", True),
        ("sqlite:////tmp/pytest-1/xinlian0/test.db", True),
        ("sqlite:////srv/instance/xinlian.db", False),
        ("sqlite:////srv/tests/xinlian.db", False),  # the folder's name does not count
        ("not a url", False),
    ],
)
def test_only_databases_named_test_pass(url, ok):
    assert is_test_database(url) is ok


def test_test_config_ignores_database_url(monkeypatch):
    assert "DATABASE_URL" not in TestConfig.SQLALCHEMY_DATABASE_URI
    assert TestConfig.SQLALCHEMY_DATABASE_URI.endswith("test.db") or os.environ.get("TEST_DATABASE_URL")


def test_suite_refuses_a_production_database(tmp_path):
    """Run pytest with TEST_DATABASE_URL pointing at a real-looking database: it stops before touching it."""
    prod = tmp_path / "xinlian.db"
    prod.write_bytes(b"")
    env = dict(os.environ, TEST_DATABASE_URL=f"sqlite:///{prod}", DATABASE_URL=f"sqlite:///{prod}")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/unit/test_workdays.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Refusing to run" in result.stdout + result.stderr
    assert prod.read_bytes() == b""  # untouched

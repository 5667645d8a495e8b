"""Pooled connections are pinged only after being idle, and a broken one is replaced before use."""
import pytest
from sqlalchemy import create_engine, text

from app.ops import db_liveness


@pytest.fixture
def engine_for(app):
    made = []

    def make(idle_seconds: float):
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], pool_size=1, max_overflow=0)
        db_liveness.install(engine, idle_seconds)
        pings = []
        real = engine.dialect.do_ping
        engine.dialect.do_ping = lambda conn: pings.append(1) or real(conn)
        made.append(engine)
        return engine, pings

    yield make
    for engine in made:
        engine.dispose()


def _one(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar()


def test_a_connection_used_moments_ago_is_not_pinged(engine_for):
    engine, pings = engine_for(60)
    for _ in range(5):
        assert _one(engine) == 1
    assert pings == []  # a new connection, then four reuses within the minute


def test_an_idle_connection_is_pinged(engine_for):
    engine, pings = engine_for(0)
    for _ in range(3):
        assert _one(engine) == 1
    assert len(pings) == 2  # every reuse after "idle" (0 s) is pinged; the new connection is not


def test_a_connection_broken_while_idle_is_replaced_before_use(app, engine_for):
    engine, pings = engine_for(0)
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a server that can end a session (PostgreSQL; run with TEST_DATABASE_URL)")
    with engine.connect() as conn:
        victim = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with other.begin() as conn:  # as a database restart would
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": victim}).scalar() is True
    other.dispose()
    with engine.connect() as conn:  # the pool noticed and connected again: no error for the request
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != victim
    assert len(pings) == 1

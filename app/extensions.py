"""Flask extensions, created unbound and initialised in create_app()."""
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Stable constraint names so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
bootstrap = Bootstrap5()
# Throttling of logins, registration and (later) the API; storage from RATELIMIT_STORAGE_URI (memory:// by
# default; a shared store such as redis:// or the database when several web servers run).
limiter = Limiter(key_func=get_remote_address)


def flush_for(*models) -> None:
    """Before a query read under `db.session.no_autoflush`: write the session's pending changes only if some are
    rows of these models (which the query could see). Other pending writes, such as the timeline events a task
    has recorded so far, then go out together in the one flush at the end instead of one flush per query."""
    s = db.session
    if any(isinstance(o, models) for o in (*s.new, *s.dirty, *s.deleted)):
        s.flush()

"""Reading process versions and the audit of changes for the administration pages."""
from sqlalchemy import select

from app.audit.models import AdminChange
from app.engine.models import ProcessVersion
from app.extensions import db


def process_version(version_id: int) -> ProcessVersion | None:
    return db.session.get(ProcessVersion, version_id)


def recent_changes(limit: int = 500) -> list[AdminChange]:
    return list(db.session.scalars(select(AdminChange).order_by(AdminChange.at.desc(), AdminChange.id.desc()).limit(limit)))

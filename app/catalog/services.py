"""Catalog lookups for filing and deciding cases. No joint action may be based on anything outside it."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.catalog.models import CatalogEntry, CatalogVersion
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l


def usable_entries(kind: str | None = None) -> list[CatalogEntry]:
    """Entries that new cases may cite: not retired, with a current version."""
    stmt = (
        select(CatalogEntry)
        .options(joinedload(CatalogEntry.current_version), joinedload(CatalogEntry.group))
        .where(CatalogEntry.retired_at.is_(None), CatalogEntry.current_version_id.is_not(None))
        .order_by(CatalogEntry.kind, CatalogEntry.code)
    )
    if kind:
        stmt = stmt.where(CatalogEntry.kind == kind)
    return list(db.session.scalars(stmt).unique())


def current_versions_for(entry_ids: list[int], field: str = "entry_ids") -> list[CatalogVersion]:
    """The current versions of the chosen entries; refuses unknown or retired entries."""
    entry_ids = list(dict.fromkeys(entry_ids or []))  # a repeated checkbox value is one choice
    if not entry_ids:
        raise DomainError(_l("Choose at least one behaviour from the catalog."), field)
    entries = {e.id: e for e in usable_entries() if e.id in set(entry_ids)}
    missing = [i for i in entry_ids if i not in entries]
    if missing:
        raise DomainError(_l("The chosen behaviour is not in the catalog (or has been retired)."), field)
    return [entries[i].current_version for i in entry_ids]

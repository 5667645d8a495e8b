"""Reading the catalog for its administration pages."""
from sqlalchemy import select

from app.auth.models import SpecialistGroup, Unit
from app.catalog.models import CatalogEntry, CatalogVersion
from app.extensions import db


def entries() -> list[CatalogEntry]:
    """Every entry, retired ones last, by code."""
    return list(db.session.scalars(select(CatalogEntry).order_by(CatalogEntry.retired_at.is_not(None), CatalogEntry.code)))


def entry(entry_id: int) -> CatalogEntry | None:
    return db.session.get(CatalogEntry, entry_id)


def versions_of(entry: CatalogEntry) -> list[CatalogVersion]:
    return list(db.session.scalars(
        select(CatalogVersion).where(CatalogVersion.entry_id == entry.id).order_by(CatalogVersion.version_no.desc())
    ))


def version_of(entry: CatalogEntry, version_id: int | None) -> CatalogVersion | None:
    """One version of this entry (None for another entry's version or none at all)."""
    v = db.session.get(CatalogVersion, version_id or 0)
    return v if v is not None and v.entry_id == entry.id else None


def group_names() -> list[str]:
    return list(db.session.scalars(select(SpecialistGroup.name).order_by(SpecialistGroup.id)))


def unit_names() -> list[str]:
    return list(db.session.scalars(select(Unit.name).order_by(Unit.id)))

"""The joint reward/punishment catalog (seed 001 二(一)1). An entry is a stable identity; its content lives
in immutable versions so a case can cite exactly the version it was filed under."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import SpecialistGroup, Unit
from app.clock import utcnow
from app.db_types import UTCDateTime
from app.enums import CaseKind
from app.extensions import db

PUNISHMENT, REWARD = CaseKind.PUNISHMENT, CaseKind.REWARD
KINDS = (PUNISHMENT, REWARD)


class CatalogEntry(db.Model):
    __tablename__ = "catalog_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("specialist_group.id"))
    group: Mapped[SpecialistGroup] = relationship()
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_version.id", use_alter=True), nullable=True
    )
    current_version: Mapped["CatalogVersion | None"] = relationship(foreign_keys=[current_version_id], post_update=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CatalogVersion(db.Model):
    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("entry_id", "version_no"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("catalog_entry.id"), index=True)
    entry: Mapped[CatalogEntry] = relationship(foreign_keys=[entry_id])
    version_no: Mapped[int] = mapped_column(Integer)
    # The behaviour the entry covers (dishonest for punishment, trustworthy for reward).
    behaviour: Mapped[str] = mapped_column(String(200))
    admin_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    admin_unit: Mapped[Unit] = relationship()
    grounds: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    # [{"code": "M1", "text": "...", "unit_id": 3}, ...]: each measure and the unit that applies it.
    measures: Mapped[list] = mapped_column(JSON)
    measure_content: Mapped[str] = mapped_column(Text, default="")
    required_evidence: Mapped[str] = mapped_column(Text, default="")
    default_period_days: Mapped[int] = mapped_column(Integer)
    # Where the entry comes from: the national basic list of punishment measures (全国失信惩戒措施基础清单), a
    # provincial list, or a local supplement, which needs the local decision that set it (source_document).
    source: Mapped[str] = mapped_column(String(20), default="national", server_default="national")
    source_document: Mapped[str] = mapped_column(Text, default="", server_default="")
    # A listing under this entry makes the subject a serious-dishonesty subject (严重失信主体; seed 003 8①).
    serious: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    change_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def label(self) -> str:
        return f"{self.entry.code} v{self.version_no} {self.behaviour}"

    def measure(self, code: str) -> dict | None:
        return next((m for m in self.measures if m["code"] == code), None)


def measure_line(m: dict, units: dict) -> str:
    """A measure as the catalog's pages and ledger read it: code, text, unit, and for a local supplement to an entry of
    the national basic list the decision that sets it."""
    line = f"{m['code']} {m['text']}（{units.get(m['unit_id'], m['unit_id'])}）"
    return f"{line}［本市补充：{m['basis']}］" if m.get("basis") else line

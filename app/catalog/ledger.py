"""The monthly ledger (工作台账) of the catalog (seed 003 1., 2.: the catalog is kept up to date and measures
beyond the law are cleaned up): every entry created, revised or retired in a month, what changed, the measures
added and those removed (清理), the reason and who did it; as a page and as XLSX."""
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock, labels
from app.audit.models import AdminChange
from app.auth.models import ADMIN, OFFICE, SUPERVISOR, Unit, User
from app.auth.permissions import require_role
from app.catalog.models import CatalogEntry, CatalogVersion, measure_line
from app.errors import DomainError
from app.exports import xlsx_bytes
from app.extensions import db
from app.i18n import lazy_gettext as _l

READERS = (OFFICE, ADMIN, SUPERVISOR)
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])", re.ASCII)  # (fullmatch: "$" would let a trailing newline through; ASCII: "２０２６" is no month)
COMPARED = ("behaviour", "admin_unit_id", "grounds", "legal_basis", "measure_content", "required_evidence", "default_period_days",
            "source", "source_document", "serious")


@dataclass
class Row:
    at: datetime
    code: str
    behaviour: str
    change: str  # created | revised | retired
    version: str
    fields: list[str]
    added: list[str]
    removed: list[str]
    reason: str
    by: str


def month_bounds(month: str) -> tuple[datetime, datetime]:
    m = _MONTH.fullmatch(month or "")
    if not m or not 1900 <= int(m[1]) <= 9998:  # (year 0 or 9999 has no month after it, or before it, as a date)
        raise DomainError(_l("Give the month as YYYY-MM."), "month")
    y, mo = int(m[1]), int(m[2])
    first, nxt = date(y, mo, 1), date(y + (mo == 12), mo % 12 + 1, 1)
    return clock.start_of_local_day(first), clock.start_of_local_day(nxt)


def _measures(v: CatalogVersion | None, units: dict) -> dict[str, str]:
    return {m["code"]: measure_line(m, units) for m in (v.measures if v else [])}


def rows(actor, month: str) -> list[Row]:
    require_role(actor, *READERS)
    start, end = month_bounds(month)
    units = {u.id: u.name for u in db.session.scalars(select(Unit))}
    names = dict(db.session.execute(select(User.id, User.full_name)).all())
    versions = list(db.session.scalars(
        select(CatalogVersion).options(joinedload(CatalogVersion.entry))
        .where(CatalogVersion.created_at >= start, CatalogVersion.created_at < end).order_by(CatalogVersion.created_at, CatalogVersion.id)))
    previous = {}
    wanted = [(v.entry_id, v.version_no - 1) for v in versions if v.version_no > 1]
    if wanted:
        for p in db.session.scalars(select(CatalogVersion).where(CatalogVersion.entry_id.in_({e for e, _n in wanted}))):
            previous[(p.entry_id, p.version_no)] = p
    out = []
    for v in versions:
        before = previous.get((v.entry_id, v.version_no - 1))
        old, new = _measures(before, units), _measures(v, units)
        changed = [str(labels.AUDIT_FIELD_LABELS.get(f, f)) for f in COMPARED if before is not None and getattr(before, f) != getattr(v, f)]
        out.append(Row(v.created_at, v.entry.code, v.behaviour, "revised" if before else "created", f"v{v.version_no}", changed,
                       [t for c, t in new.items() if old.get(c) != t], [t for c, t in old.items() if new.get(c) != t],
                       v.change_reason, names.get(v.created_by_id, "")))
    retired = db.session.execute(
        select(AdminChange, CatalogEntry).join(CatalogEntry, CatalogEntry.code == AdminChange.entity_key)
        .where(AdminChange.entity == "catalog", AdminChange.action == "retire", AdminChange.at >= start, AdminChange.at < end)
        .order_by(AdminChange.at)).all()
    for change, entry in retired:
        v = entry.current_version
        out.append(Row(change.at, entry.code, v.behaviour if v else "", "retired", f"v{v.version_no}" if v else "", [], [],
                       list(_measures(v, units).values()), change.reason, names.get(change.actor_id, "")))
    out.sort(key=lambda r: clock.as_utc(r.at))
    return out


CHANGE_LABELS = {"created": _l("New entry"), "revised": _l("Revised"), "retired": _l("Retired")}


def xlsx(actor, month: str) -> bytes:
    header = ["时间", "事项编码", "行为", "变动", "版本", "修改的字段", "新增措施", "清理的措施", "原因", "经办人"]
    data = [[clock.as_utc(r.at).astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"), r.code, r.behaviour, str(CHANGE_LABELS[r.change]), r.version,
             "、".join(r.fields), "\n".join(r.added), "\n".join(r.removed), r.reason, r.by] for r in rows(actor, month)]
    return xlsx_bytes(header, data, title=f"目录工作台账 {month}")

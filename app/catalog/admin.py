"""Managing the catalog dynamically (seed 001 二(一)1): every change is a new immutable version with who,
when and why; retired entries cannot be cited by new cases while running cases go on; import and export
as XLSX, all-or-nothing with an error per bad row."""
import difflib
import io
import re
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import func, select

from app import clock, file_checks, labels
from app.audit import services as audit
from app.auth.models import ADMIN, OFFICE, SpecialistGroup, Unit
from app.auth.permissions import require_role
from app.catalog.models import KINDS, CatalogEntry, CatalogVersion, measure_line
from app.errors import DomainError
from app.exports import MAX_SHEET_ROWS, TableTooLarge, append_row, xlsx_rows
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l

MANAGERS = (OFFICE, ADMIN)
FIELDS = ("behaviour", "admin_unit", "grounds", "legal_basis", "measures", "measure_content", "required_evidence", "default_period_days",
          "source", "source_document", "serious")
VERSIONED = ("behaviour", "admin_unit_id", "grounds", "legal_basis", "measures", "measure_content", "required_evidence",
             "default_period_days", "source", "source_document", "serious")
SOURCES = ("national", "provincial", "local")
SOURCE_LABELS_ZH = {"national": "全国基础清单", "provincial": "省级清单", "local": "本地补充"}
SOURCE_TEXT = {"全国基础清单": "national", "省级清单": "provincial", "本地补充": "local", **{s: s for s in SOURCES}}
YES = {"是", "y", "yes", "true", "1", "on"}
NO = {"", "否", "n", "no", "false", "0", "off"}
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,39}\Z")
KIND_TEXT = {"惩戒": "punishment", "激励": "reward", "punishment": "punishment", "reward": "reward"}
LEGACY_HEADER = ["编码", "类别", "专项小组", "行为", "认定单位", "认定依据", "设列依据", "措施（编码|内容|实施单位，每行一条）", "措施内容", "所需证据",
                 "默认期限（天）"]
# Files exported before the source and serious columns existed still import (those columns then take their defaults).
HEADER = LEGACY_HEADER + ["来源（全国基础清单/省级清单/本地补充）", "本地补充的设立决定", "严重失信主体（是/否）"]


# Bounds on an entry's texts (the catalog's spreadsheet holds at most 32,767 characters in a cell, and a decision
# document prints them): a grounds of 300,000 characters was accepted and cut short by the export.
MAX_TEXT = 4000
LONG_TEXTS = ("grounds", "legal_basis", "measure_content", "required_evidence")
MAX_MEASURES = 50
MAX_MEASURE_TEXT = 300


@dataclass
class EntryIn:
    kind: str
    group: str
    behaviour: str
    admin_unit: str
    grounds: str
    legal_basis: str
    measures: str  # one per line: code|text|unit name, and for a local supplement |the decision that sets it
    measure_content: str
    required_evidence: str
    default_period_days: str | int
    source: str = "national"
    source_document: str = ""
    serious: str | bool = False


def _parse(e: EntryIn, prefix: str = "") -> tuple[dict, list[tuple[str, str]]]:
    errors = []
    all_units = list(db.session.scalars(select(Unit)))
    units = {u.name: u.id for u in all_units}
    # Measures are applied by units whose caseworkers confirm them; the office has none (and a unit no longer in
    # use would never answer).
    appliers = {u.name for u in all_units if u.active and u.kind != "office"}
    groups = {g.name: g.id for g in db.session.scalars(select(SpecialistGroup))}
    kind = KIND_TEXT.get((e.kind or "").strip())
    if kind not in KINDS:
        errors.append((prefix + "kind", str(_l("Choose punishment or reward."))))
    group_id = groups.get((e.group or "").strip())
    if group_id is None:
        errors.append((prefix + "group", str(_l("No specialist group named %(name)s.", name=e.group))))
    admin_unit_id = units.get((e.admin_unit or "").strip())
    if admin_unit_id is None:
        errors.append((prefix + "admin_unit", str(_l("No unit named %(name)s.", name=e.admin_unit))))
    for f in ("behaviour", "grounds", "legal_basis"):
        if not (getattr(e, f) or "").strip():
            errors.append((prefix + f, str(_l("This field is required."))))
    measures, seen = [], set()
    lines = lines_all = [x for x in (e.measures or "").replace("｜", "|").splitlines() if x.strip()]
    if len(lines) > MAX_MEASURES:
        errors.append((prefix + "measures", str(_l("At most %(n)s measures per entry.", n=MAX_MEASURES))))
        lines = []
    for n, line in enumerate(lines, start=1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (3, 4) or not all(parts):
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: write code|text|implementing unit (and, for a "
                                                         "measure the city adds, |the decision that sets it).", n=n))))
            continue
        code, text, unit = parts[:3]
        basis = parts[3] if len(parts) == 4 else ""
        if len(basis) > 200:
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: the decision that sets it has at most 200 "
                                                         "characters.", n=n))))
            continue
        if len(code) > 40 or len(text) > MAX_MEASURE_TEXT:
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: a code of at most 40 characters and a text of at "
                                                         "most %(max)s.", n=n, max=MAX_MEASURE_TEXT))))
            continue
        if unit not in units:
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: no unit named %(name)s.", n=n, name=unit))))
            continue
        if unit not in appliers:
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: %(name)s does not apply measures (the office, or a unit "
                                                         "not in use).", n=n, name=unit))))
            continue
        if code in seen:
            errors.append((prefix + "measures", str(_l("Measure line %(n)s: code %(code)s is used twice.", n=n, code=code))))
            continue
        seen.add(code)
        measures.append({"code": code, "text": text, "unit_id": units[unit], **({"basis": basis} if basis else {})})
    if not measures and len(lines_all) <= MAX_MEASURES:  # (too many is said already: not also "none")
        errors.append((prefix + "measures", str(_l("List at least one measure."))))
    for f, limit in (("behaviour", 200), *((f, MAX_TEXT) for f in LONG_TEXTS)):
        if len((getattr(e, f) or "").strip()) > limit:
            errors.append((prefix + f, str(_l("At most %(n)s characters.", n=limit))))
    try:
        days = int(str(e.default_period_days).strip())
        if not 1 <= days <= 1825:  # the longest unified period a determination may set
            raise ValueError
    except (TypeError, ValueError):
        errors.append((prefix + "default_period_days", str(_l("The period must be a whole number of days between 1 and 1825."))))
        days = None
    source = SOURCE_TEXT.get((e.source or "").strip() or "national")
    if source is None:
        errors.append((prefix + "source", str(_l("Choose the national basic list, a provincial list or a local supplement."))))
    source_document = (e.source_document or "").strip()
    if source in ("provincial", "local") and not source_document:
        # 003 and the national basic list: a measure beyond the national list needs the decision that set it.
        errors.append((prefix + "source_document", str(_l("Name the list or the local decision that sets this entry."))))
    serious = e.serious if isinstance(e.serious, bool) else str(e.serious or "").strip().lower() in YES
    if not isinstance(e.serious, bool) and str(e.serious or "").strip().lower() not in YES | NO:
        # (a typo would otherwise read as 否 and silently leave a serious entry off the serious-dishonesty list)
        errors.append((prefix + "serious", str(_l("Write 是 or 否 (or leave it empty for 否)."))))
    if serious and kind == "reward":
        errors.append((prefix + "serious", str(_l("Only a punishment entry can mark a serious-dishonesty subject."))))
    data = {"source": source, "source_document": source_document, "serious": serious,
            "kind": kind, "group_id": group_id, "behaviour": (e.behaviour or "").strip(), "admin_unit_id": admin_unit_id,
            "grounds": (e.grounds or "").strip(), "legal_basis": (e.legal_basis or "").strip(), "measures": measures,
            "measure_content": (e.measure_content or "").strip(), "required_evidence": (e.required_evidence or "").strip(),
            "default_period_days": days}
    return data, errors


def check_entry(e: EntryIn, entry: CatalogEntry | None = None) -> dict:
    """The entry's content checked as create and revise check it (for drafts proposed by member units); `entry`: the
    entry a revision would change."""
    data, errors = _parse(e)
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    unmarked = _unmarked_supplement(entry.current_version, data) if entry is not None else None
    if unmarked:
        raise DomainError(unmarked, "measures")
    return data


def _snapshot(v: CatalogVersion | None) -> dict | None:
    if v is None:
        return None
    return {k: getattr(v, k) for k in VERSIONED}


def create(actor, code: str, e: EntryIn, reason: str = "") -> CatalogEntry:
    require_role(actor, *MANAGERS)
    data, errors = _parse(e)
    code = (code or "").strip().upper()
    if not code:
        errors.insert(0, ("code", str(_l("Give the entry a code."))))
    elif not _CODE.match(code):
        errors.insert(0, ("code", str(_l("A code has letters, digits and dashes only (e.g. SC-P-010)."))))
    elif db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code)):
        errors.insert(0, ("code", str(_l("An entry with code %(code)s already exists.", code=code))))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    entry = CatalogEntry(code=code, kind=data["kind"], group_id=data["group_id"])
    db.session.add(entry)
    db.session.flush()
    _add_version(actor, entry, data, reason or str(_l("New entry")))
    return entry


def _add_version(actor, entry: CatalogEntry, data: dict, reason: str) -> CatalogVersion:
    before = _snapshot(entry.current_version)
    number = (db.session.scalar(select(func.max(CatalogVersion.version_no)).where(CatalogVersion.entry_id == entry.id)) or 0) + 1
    v = CatalogVersion(entry_id=entry.id, version_no=number, created_by_id=actor.id, change_reason=reason,
                       **{k: data[k] for k in VERSIONED})
    db.session.add(v)
    db.session.flush()
    entry.current_version_id = v.id
    entry.kind, entry.group_id = data["kind"], data["group_id"]
    audit.record(actor, "catalog", entry.code, "version" if before else "create", before, _snapshot(v), reason)
    return v


def _unmarked_supplement(version: CatalogVersion | None, data: dict):
    """严格执行全国失信惩戒措施基础清单 (seed 003 1): on an entry of the national basic list, a measure the list did not give
    (new, or its text changed) is the city's own supplement, which names the decision that sets it (补充清单); added
    unmarked it would read as national. The message naming such measures, or None."""
    if version is None or not version.source == "national" == data["source"]:
        return None
    before = {m["code"]: m for m in version.measures}
    # (new, reworded, or a supplement whose decision was dropped: it would read as the national list's)
    unmarked = [m["code"] for m in data["measures"] if not m.get("basis") and (
        m["code"] not in before or before[m["code"]]["text"] != m["text"] or before[m["code"]].get("basis"))]
    if not unmarked:
        return None
    return _l("%(codes)s: not on the national basic list as it stood. A measure the city adds to an entry of the national list "
              "is a local supplement: write the decision that sets it after its unit (code|text|unit|decision).",
              codes="、".join(unmarked))


def revise(actor, entry: CatalogEntry, e: EntryIn, reason: str) -> CatalogVersion:
    """A change makes a new version; cases keep citing the version they were filed under."""
    require_role(actor, *MANAGERS)
    if entry.retired_at is not None:
        raise DomainError(_l("A retired entry cannot be changed."))
    data, errors = _parse(e)
    if not (reason or "").strip():
        errors.append(("reason", str(_l("Say why the entry changes (law, institution, correction)."))))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    unmarked = _unmarked_supplement(entry.current_version, data)
    if unmarked:
        raise DomainError(unmarked, "measures")
    current = _snapshot(entry.current_version)
    if current == {k: data[k] for k in current} and entry.kind == data["kind"] and entry.group_id == data["group_id"]:
        raise DomainError(_l("Nothing changed."))
    return _add_version(actor, entry, data, reason.strip())


def reassign_unit(actor, old_unit_id: int, new_unit_id: int, reason: str) -> list[str]:
    """A unit handed its work to a successor: every live entry it administers or whose measures it applies
    gets a new version naming the successor. Returns the codes changed."""
    changed = []
    for entry in db.session.scalars(select(CatalogEntry).where(CatalogEntry.retired_at.is_(None)).order_by(CatalogEntry.code)):
        v = entry.current_version
        if v is None:
            continue
        measures = [dict(m, unit_id=new_unit_id) if m.get("unit_id") == old_unit_id else m for m in v.measures]
        admin_unit = new_unit_id if v.admin_unit_id == old_unit_id else v.admin_unit_id
        if measures == v.measures and admin_unit == v.admin_unit_id:
            continue
        data = dict(_snapshot(v), measures=measures, admin_unit_id=admin_unit, kind=entry.kind, group_id=entry.group_id)
        _add_version(actor, entry, data, reason)
        changed.append(entry.code)
    return changed


def retire(actor, entry: CatalogEntry, reason: str) -> None:
    require_role(actor, *MANAGERS)
    if not (reason or "").strip():
        raise DomainError(_l("Say why the entry is retired."), "reason")
    # (the form sent from several sessions at once: the first retires it, the others find it retired)
    lock_row(CatalogEntry, entry.id)
    db.session.refresh(entry, ["retired_at"])
    if entry.retired_at is not None:
        raise DomainError(_l("This entry has already been retired."))
    entry.retired_at = clock.now()
    audit.record(actor, "catalog", entry.code, "retire", None, None, reason.strip())


def diff(a: CatalogVersion, b: CatalogVersion) -> list[dict]:
    """Field by field, with line diffs for the texts."""
    units = {u.id: u.name for u in db.session.scalars(select(Unit))}

    def text(v, f):
        if f == "measures":
            return "\n".join(measure_line(m, units) for m in v.measures)
        if f == "admin_unit":
            return units.get(v.admin_unit_id, "")
        if f == "source":
            return SOURCE_LABELS_ZH.get(v.source, v.source or "")
        if f == "serious":
            return "是" if v.serious else "否"
        return str(getattr(v, f) or "")

    out = []
    for f in FIELDS:
        left, right = text(a, f), text(b, f)
        out.append({"field": f, "label": labels.AUDIT_FIELD_LABELS.get(f, f), "left": left, "right": right, "changed": left != right,
                    "lines": list(difflib.ndiff(left.splitlines(), right.splitlines())) if left != right else []})
    return out


def entry_in_from_version(v: CatalogVersion) -> EntryIn:
    units = {u.id: u.name for u in db.session.scalars(select(Unit))}
    return EntryIn(
        kind=v.entry.kind, group=v.entry.group.name, behaviour=v.behaviour, admin_unit=units.get(v.admin_unit_id, ""),
        grounds=v.grounds, legal_basis=v.legal_basis,
        measures="\n".join("|".join((m["code"], m["text"], units.get(m["unit_id"], ""), *([m["basis"]] if m.get("basis") else [])))
                            for m in v.measures),
        measure_content=v.measure_content, required_evidence=v.required_evidence, default_period_days=v.default_period_days,
        source=v.source, source_document=v.source_document, serious=v.serious,
    )


def export_xlsx() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "联合奖惩目录"
    append_row(ws, HEADER)
    for entry in db.session.scalars(select(CatalogEntry).where(CatalogEntry.retired_at.is_(None)).order_by(CatalogEntry.code)):
        e = entry_in_from_version(entry.current_version)
        append_row(ws, [entry.code, "惩戒" if e.kind == "punishment" else "激励", e.group, e.behaviour, e.admin_unit, e.grounds,
                   e.legal_basis, e.measures, e.measure_content, e.required_evidence, e.default_period_days,
                   SOURCE_LABELS_ZH[e.source], e.source_document, "是" if e.serious else "否"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


MAX_IMPORT_BYTES = 5 * 1024 * 1024  # (the route reads one byte more)


def import_xlsx(actor, data: bytes, reason: str) -> tuple[int, int]:
    """New codes become entries, known codes new versions (if changed). Any bad row: nothing imported."""
    require_role(actor, *MANAGERS)
    too_large = file_checks.size_problem("", data, MAX_IMPORT_BYTES)
    if too_large:
        raise DomainError(too_large, "file")
    problem = file_checks.content_problem("xlsx", data)  # (a compression bomb is refused before it is unpacked)
    if problem:
        raise DomainError(problem, "file")
    try:
        rows = [["" if c is None else str(c) for c in r] for r in xlsx_rows(data)]
    except TableTooLarge:
        raise DomainError(_l("The sheet has more than %(n)s rows.", n=MAX_SHEET_ROWS), "file")
    except Exception:
        raise DomainError(_l("The file could not be read as XLSX."), "file")
    header = [c.strip() for c in rows[0]] if rows else []
    while header and not header[-1]:
        header.pop()
    if header not in (HEADER, LEGACY_HEADER):
        raise DomainError(_l("The first row must be the catalog header: %(h)s.", h="、".join(HEADER)), "file")
    width = len(header)
    errors, parsed, codes = [], [], set()
    for n, r in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        r = (r + [""] * width)[:width]
        code = r[0].strip()
        entry_in = EntryIn(*r[1:])
        known = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == code)) if code else None
        if width == len(LEGACY_HEADER) and known is not None and known.current_version is not None:
            v = known.current_version  # an old file says nothing of these: they stay as they are
            entry_in.source, entry_in.source_document, entry_in.serious = v.source, v.source_document, v.serious
        data_, errs = _parse(entry_in)
        unmarked = _unmarked_supplement(known.current_version, data_) if known is not None and not errs else None
        if unmarked:
            errs.append(("measures", str(unmarked)))
        if not code or len(code) > 40:
            errs.insert(0, ("code", str(_l("Give the entry a code of at most 40 characters."))))
        elif db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code, CatalogEntry.retired_at.is_not(None))):
            errs.insert(0, ("code", str(_l("Entry %(code)s is retired and cannot be changed.", code=code))))
        elif code in codes:
            errs.insert(0, ("code", str(_l("Code %(code)s appears twice in the file.", code=code))))
        codes.add(code)
        if errs:
            errors.append((None, str(_l("Row %(n)s: %(problems)s", n=n, problems="；".join(m for _f, m in errs)))))
        else:
            parsed.append((code, data_))
    if errors:
        raise DomainError(_l("Nothing was imported: %(n)s rows have errors.", n=len(errors)),
                          errors=[(None, _l("Nothing was imported: %(n)s rows have errors.", n=len(errors)))] + errors)
    created = versioned = 0
    for code, data_ in parsed:
        entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == code))
        if entry is None:
            entry = CatalogEntry(code=code, kind=data_["kind"], group_id=data_["group_id"])
            db.session.add(entry)
            db.session.flush()
            _add_version(actor, entry, data_, reason or str(_l("Imported")))
            created += 1
        else:
            current = _snapshot(entry.current_version)
            if current != {k: data_[k] for k in current} or entry.kind != data_["kind"] or entry.group_id != data_["group_id"]:
                _add_version(actor, entry, data_, reason or str(_l("Imported")))
                versioned += 1
    return created, versioned

"""Lists determined by departments themselves (seed 000 十 「各级行业主管部门要及时将依法依规认定的“红黑名单”提供给
市、县（区）信联办」; seed 003 8①). A department uploads its red or black list as XLSX in the exchange format the
API gives out (`/api/v1/lists/...?format=xlsx`, English keys) or the Chinese template; every row is checked and
a file with any bad row imports nothing, the errors naming row and column.

Accepted rows become listings of their own: not a joint-procedure case, but the same listing record the credit
check, the API, the public lists and the subject's page read (source "department", the department's document
number instead of a case number). Rows under one catalog entry are held together by a record of kind
"department_list" (`bpmn/department_list.bpmn`), which gives them what a case gives its listings: the units
applying the entry's measures, a timeline, pushes (bpmn/listing.bpmn tells each unit to apply its measure) and
expiry. The record closes when its last listing ends."""
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE, Unit
from app.auth.permissions import require_role
from app.cases import attachments, events, runtime
from app.cases.identifiers import guess_kind, normalise_code
from app.cases.models import REL_IMPLEMENTER, REL_OFFICE, Case, CaseEntry, CaseMeasure, CaseSubject, Subject
from app.cases.services import add_case_unit, office_unit
from app.catalog.models import CatalogEntry
from app.dates import cell_date
from app.enums import CaseKind, EventType, SubjectKind
from app.errors import DomainError
from app.exports import TableTooLarge, xlsx_rows
from app.extensions import db, lock_row
from app.i18n import lazy_gettext as _l
from app.invisible import strip_invisible
from app.listings import services
from app.listings.models import Listing, ListingUnit
from app.workdays.rules import current as current_rules

PROCESS_ID = "department_list"
LISTING_PROCESS = "listing"
LIST_FILE = "department_list"  # (the purpose of the uploaded list kept on its record: it prints identity numbers whole)
UPLOADERS = (CASEWORKER, GROUP_LEAD, OFFICE)  # (not the system administrator: 三员分立, no business work)
MAX_ROWS = 5000
MAX_PERIOD_DAYS = 1825  # the longest period a catalog entry may set

# key -> Chinese heading of the template; the API's English keys are accepted as they are.
COLUMNS = {
    "list": "名单（黑名单/红名单）", "subject_name": "主体名称", "subject_kind": "主体类型（企业/自然人/社会组织/事业单位）",
    "subject_code": "统一社会信用代码或身份证号码", "determined_on": "认定日期", "grounds": "认定事实和理由",
    "legal_basis": "认定依据", "entry_code": "目录事项编码", "deciding_unit": "认定单位", "case_number": "认定文书文号",
    "period_start": "有效期起", "period_end": "有效期止",
}
OPTIONAL = {"subject_kind", "legal_basis"}
HEADING_KEYS = {v: k for k, v in COLUMNS.items()} | {k: k for k in COLUMNS}
LIST_KINDS = {"black": "punishment", "red": "reward", "黑名单": "punishment", "红名单": "reward", "punishment": "punishment",
              "reward": "reward", "黑": "punishment", "红": "reward"}
SUBJECT_KINDS = {"企业": SubjectKind.ENTERPRISE, "法人": SubjectKind.ENTERPRISE, "自然人": SubjectKind.PERSON,
                 "个人": SubjectKind.PERSON, "社会组织": SubjectKind.SOCIAL_ORG, "事业单位": SubjectKind.INSTITUTION,
                 **{k.value: k for k in SubjectKind}}


@dataclass
class Row:
    n: int
    kind: str
    subject_kind: str
    name: str
    code: str
    determined_on: date
    grounds: str
    legal_basis: str
    entry: CatalogEntry
    unit: Unit
    document: str
    start: date
    end: date


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "部门红黑名单"
    ws.append(list(COLUMNS.values()))
    ws.append(["黑名单", "示例建材有限公司", "企业", "91510400MA6X00990D", "2026-11-02", "提供虚假材料骗取行政许可，情节严重",
               "《企业信息公示暂行条例》第十八条", "SC-P-001", "市市场监管局", "资市监信〔2026〕12号", "2026-11-02", "2029-11-01"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _date(value) -> date | None:
    return cell_date(value)


def _read(data: bytes) -> tuple[dict[str, int], list[tuple[int, list]]]:
    try:
        rows = xlsx_rows(data, max_rows=MAX_ROWS + 1)  # (and the header)
    except TableTooLarge:
        raise DomainError(_l("At most %(n)s rows per file.", n=MAX_ROWS), "file")
    except Exception:  # openpyxl raises many kinds of error for a file that is not XLSX
        raise DomainError(_l("The file could not be read as XLSX."), "file")
    if not rows:
        raise DomainError(_l("The file is empty."), "file")
    cols = {}
    for i, heading in enumerate(rows[0]):
        key = HEADING_KEYS.get(str(heading or "").strip())
        if key and key not in cols:
            cols[key] = i
    missing = [COLUMNS[k] for k in COLUMNS if k not in cols and k not in OPTIONAL]
    if missing:
        raise DomainError(_l("The first row must name the columns; missing: %(cols)s.", cols="、".join(missing)), "file")
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(str(c or "").strip() for c in r)]
    if not body:
        raise DomainError(_l("The file has no rows below its header."), "file")
    if len(body) > MAX_ROWS:
        raise DomainError(_l("At most %(n)s rows per file.", n=MAX_ROWS), "file")
    return cols, body


def _cell(r: list, cols: dict, key: str):
    i = cols.get(key)
    return r[i] if i is not None and i < len(r) else None


def _text(value) -> str:
    return strip_invisible(str(value)).strip() if value is not None else ""  # (see app.invisible)


def _check_row(actor, n: int, r: list, cols: dict, today: date, entries: dict, units: dict) -> tuple[Row | None, list[str]]:
    problems: list[str] = []
    get = lambda key: _cell(r, cols, key)  # noqa: E731
    kind = LIST_KINDS.get(_text(get("list")).lower()) or LIST_KINDS.get(_text(get("list")))
    if kind is None:
        problems.append(str(_l("the list must be 黑名单 or 红名单 (black or red)")))
    name = _text(get("subject_name"))
    if not name or len(name) > 200:
        problems.append(str(_l("the subject's name is missing or longer than 200 characters")))
    raw_code = _text(get("subject_code"))
    subject_kind = SUBJECT_KINDS.get(_text(get("subject_kind"))) or (guess_kind(raw_code) if raw_code else None)
    code = ""
    if isinstance(get("subject_code"), (int, float)):
        # Excel keeps only 15 digits of a number: an identity number typed into a number cell is already wrong.
        problems.append(str(_l("the code is stored as a number; format the column as text and type it again")))
    elif subject_kind is None:
        problems.append(str(_l("the kind of subject is not known")))
    else:
        try:
            code = normalise_code(subject_kind, raw_code, "subject_code")
        except DomainError as exc:
            problems.append(str(exc.message).rstrip("。."))
    determined_on = _date(get("determined_on"))
    if determined_on is None or determined_on > today or determined_on.year < 1990:
        problems.append(str(_l("the date of the determination must be a past date (e.g. 2026-11-02)")))
    grounds = _text(get("grounds"))
    if not grounds or len(grounds) > 4000:
        problems.append(str(_l("the facts and reasons are missing or longer than 4000 characters")))
    entry = entries.get(_text(get("entry_code")))
    if entry is None:
        problems.append(str(_l("catalog entry %(code)s is not in use", code=_text(get("entry_code")) or "—")))
    elif kind and entry.kind != kind:
        problems.append(str(_l("entry %(code)s is not on that list", code=entry.code)))
    unit = units.get(_text(get("deciding_unit")))
    if unit is None:
        problems.append(str(_l("the determining unit is not a unit of the system")))
    elif actor.role != OFFICE and unit.id != actor.unit_id:
        problems.append(str(_l("a unit imports only its own lists (the office may import for any unit)")))
    elif entry is not None and entry.current_version.admin_unit_id != unit.id:
        # 谁主管、谁负责: a list under an entry is determined by the entry's administrative unit
        problems.append(str(_l("entry %(code)s is determined by %(unit)s, not by this unit", code=entry.code,
                               unit=entry.current_version.admin_unit.name)))
    document = _text(get("case_number"))
    if not document or len(document) > 80:
        problems.append(str(_l("the number of the determining document is missing or longer than 80 characters")))
    start, end = _date(get("period_start")), _date(get("period_end"))
    if start is None or end is None:
        problems.append(str(_l("the period needs its first and last day")))
    elif end < start:
        problems.append(str(_l("the period ends before it starts")))
    elif start > today:
        problems.append(str(_l("the period has not started: import the determination once it takes effect")))
    elif determined_on and start < determined_on:
        problems.append(str(_l("the period cannot start before the determination")))
    elif end < today:
        problems.append(str(_l("the period is over: nothing to list")))
    elif (end - start).days + 1 > MAX_PERIOD_DAYS:
        problems.append(str(_l("the period is longer than %(n)s days", n=MAX_PERIOD_DAYS)))
    if problems:
        return None, problems
    legal_basis = _text(get("legal_basis")) or entry.current_version.legal_basis
    return Row(n, kind, subject_kind, name, code, determined_on, grounds, legal_basis[:4000], entry, unit, document, start, end), []


def import_list(actor, filename: str, data: bytes) -> list[Case]:
    """Check every row, then import all of them or none (flush). Returns the records made (one per entry)."""
    require_role(actor, *UPLOADERS)
    upload = attachments.Upload(filename or "list.xlsx", data, "file")
    attachments.validate_uploads([upload], "file")
    if not (filename or "").lower().endswith(".xlsx"):
        raise DomainError(_l("Upload the list as an XLSX file."), "file")
    cols, body = _read(data)
    today = clock.today_local()
    entries = {e.code: e for e in db.session.scalars(select(CatalogEntry).where(CatalogEntry.retired_at.is_(None)))}
    units = {u.name: u for u in db.session.scalars(select(Unit).where(Unit.active.is_(True)))}
    errors, rows, seen = [], [], set()
    for n, r in body:
        row, problems = _check_row(actor, n, r, cols, today, entries, units)
        if row is not None:
            if (row.code, row.entry.code) in seen:
                problems = [str(_l("the same subject and entry appear twice in the file"))]
            seen.add((row.code, row.entry.code))
        if problems:
            errors.append((None, str(_l("Row %(n)s: %(problems)s.", n=n, problems="；".join(p.rstrip("。.") for p in problems)))))
        else:
            rows.append(row)
    if not errors:
        # (the same list sent twice at once, or from two sessions — a department and the office uploading for it — : the
        # second waits here, then finds the first's rows. The deciding units' rows, in one order: no deadlock.)
        for unit_id in sorted({actor.unit_id, *(r.unit.id for r in rows)}):
            lock_row(Unit, unit_id)
        errors = _clashes(rows)
    if errors:
        head = _l("Nothing was imported: %(n)s rows have errors.", n=len(errors))
        raise DomainError(head, errors=[(None, head)] + errors[:200])
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(row.entry.code, []).append(row)
    return [_record(actor, group, upload) for group in groups.values()]


def _clashes(rows: list[Row]) -> list[tuple[None, str]]:
    """Rows naming a subject whose registration ended, or already imported (same document, entry and subject)."""
    codes = {r.code for r in rows}
    known = {s.code: s for s in db.session.scalars(select(Subject).where(Subject.code.in_(codes)))} if codes else {}
    # (the determinations already listed for these subjects, in one query: not one per row of a 5,000-row list)
    listed = set(db.session.execute(select(Listing.subject_id, Listing.decision_no).where(
        Listing.subject_id.in_([s.id for s in known.values()]), Listing.status.in_(("in_effect", "suspended"))))) \
        if known else set()
    out = []
    for r in rows:
        s = known.get(r.code)
        if s is None:
            continue
        if s.name != r.name:
            # (the recorded name is not told: the import would otherwise answer who is behind any code)
            out.append((None, str(_l("Row %(n)s: the name differs from the one recorded for this code; check the name and code, or "
                                     "if the recorded name is wrong, have the error corrected first.", n=r.n))))
        elif s.kind != r.subject_kind:
            out.append((None, str(_l("Row %(n)s: this code is already registered for a subject of another kind.", n=r.n))))
        elif s.status != "active":
            out.append((None, str(_l("Row %(n)s: %(name)s was deregistered or merged; list the body that now bears its record.",
                                     n=r.n, name=s.name))))
        elif (s.id, r.document) in listed:
            out.append((None, str(_l("Row %(n)s: this determination (%(doc)s) is listed already.", n=r.n, doc=r.document))))
    return out


def _subject(row: Row) -> Subject:
    subject = db.session.scalar(select(Subject).where(Subject.code == row.code))
    if subject is None:
        subject = Subject(kind=row.subject_kind, name=row.name, code=row.code)
        db.session.add(subject)
        db.session.flush()
    return subject


def _record(actor, rows: list[Row], upload) -> Case:
    """One entry's rows: the record that holds them, its measures and units, then a listing per row."""
    entry, version = rows[0].entry, rows[0].entry.current_version
    now = clock.now()
    deciding = sorted({r.unit.name for r in rows})
    title = str(_l("%(units)s: %(list)s imported under %(entry)s", units="、".join(deciding),
                   list=_l("Black list") if entry.kind == "punishment" else _l("Red list"), entry=version.behaviour))
    case = Case(number=f"TMP-{now.timestamp()}-{actor.id}-{entry.id}", kind=CaseKind.DEPARTMENT_LIST, process_id=PROCESS_ID,
                status="in_effect", route="office", group_id=entry.group_id, initiating_unit_id=actor.unit_id,
                created_by_id=actor.id, title=title[:200], facts=str(_l("Imported from %(file)s", file=upload.filename))[:4000],
                legal_basis=version.legal_basis, created_at=now, rules=current_rules())
    db.session.add(case)
    db.session.flush()
    case.number = f"BM-{clock.local_date(now).year}-{case.id:06d}"
    db.session.add(CaseEntry(case_id=case.id, catalog_version_id=version.id))
    add_case_unit(case.id, actor.unit_id, "initiator")
    add_case_unit(case.id, office_unit().id, REL_OFFICE)
    for unit in {r.unit.id for r in rows}:
        add_case_unit(case.id, unit, "initiator")
    units = []
    for m in version.measures:
        db.session.add(CaseMeasure(case_id=case.id, catalog_version_id=version.id, measure_code=m["code"], text=m["text"],
                                   unit_id=m["unit_id"]))
        add_case_unit(case.id, m["unit_id"], REL_IMPLEMENTER)
        units.append(m["unit_id"])
    events.record(case.id, EventType.DEPARTMENT_LIST_IMPORTED, actor,
                  {"filename": upload.filename, "rows": len(rows), "entry": entry.code})
    attachments.store(case.id, actor, [upload], LIST_FILE, field="file")
    runtime.start(case, PROCESS_ID, {"case_id": case.id}, actor)
    made = [_listing(actor, case, row, version, sorted(set(units))) for row in rows]
    services.touch_rewards_of([lst.subject_id for lst in made if lst.kind == "punishment"], actor)
    services.withhold_new_rewards([lst for lst in made if lst.kind == "reward"], actor)
    return case


def _listing(actor, case: Case, row: Row, version, units: list[int]) -> Listing:
    subject = _subject(row)
    db.session.add(CaseSubject(case_id=case.id, subject_id=subject.id))
    listing = Listing(subject_id=subject.id, kind=row.kind, source="department", case_id=case.id, catalog_version_id=version.id,
                      deciding_unit_id=row.unit.id, decision_no=row.document, grounds=row.grounds, legal_basis=row.legal_basis,
                      serious=row.kind == "punishment" and version.serious, decided_on=row.determined_on,
                      period_start=row.start, period_days=(row.end - row.start).days + 1, period_end=row.end, status="in_effect")
    db.session.add(listing)
    db.session.flush()
    for unit_id in units:
        db.session.add(ListingUnit(listing_id=listing.id, unit_id=unit_id, state="pending", updated_at=clock.now()))
    db.session.flush()
    events.record(case.id, EventType.LISTING_STARTED, actor, {
        "listing_id": listing.id, "subject": subject.name, "period_start": row.start.isoformat(),
        "period_end": row.end.isoformat(), "period_days": listing.period_days, "note": row.document,
    })
    loaded = runtime.start(case, LISTING_PROCESS, {"listing_id": listing.id, "case_id": case.id, "listing_source": "department"},
                           actor)
    listing.instance_id = loaded.instance.id
    return listing

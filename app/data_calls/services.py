"""Data calls (报送 and 督办; seed 000 二, seed 003 5 「日监测、周调度、月通报」, seed 004 (二十五)): the office asks
units for a table by a deadline in working days (bpmn/data_call.bpmn, and one bpmn/data_call_unit.bpmn per
unit). Each unit fills in the table — the XLSX template filled in, or rows pasted from a spreadsheet — checked
against the call's columns (numeric columns must hold numbers); the office accepts it or returns it with reasons;
reminders and overdue marks come from the step's deadline like every task; the office sees the compiled table
across units and exports it, then closes the call (units that never answered end as not submitted)."""
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import clock
from app.auth.models import OFFICE, UNIT_COUNTY, UNIT_MEMBER, UNIT_OTHER, Unit
from app.auth.permissions import require_role
from app.cases import attachments, events, runtime
from app.cases.models import REL_NOTIFIED, REL_OFFICE, Case, CaseEvent
from app.cases.services import add_case_unit, office_unit
from app.data_calls.models import ACCEPTED, NOT_SUBMITTED, OPEN, RETURNED, SUBMITTED, UNREVIEWED, DataSubmission
from app.enums import CaseKind, CaseStatus, EventType
from app.errors import DomainError
from app.exports import TableTooLarge, append_row, xlsx_bytes, xlsx_rows
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.workdays.rules import current as current_rules

PROCESS_ID, UNIT_PROCESS = "data_call", "data_call_unit"
NUMERIC_MARK = "#"  # a column line ending in # holds numbers
MAX_ROWS, MAX_COLUMNS = 2000, 40
# Digits 0-9 only (\d takes every script's digits); at most 15 before the point, as a spreadsheet keeps them exactly.
_NUMBER = re.compile(r"^-?[0-9]{1,15}(\.[0-9]{1,6})?%?\Z")


# Full-width digits and signs (１２．５％, typed with a Chinese input method) made half-width; nothing else (NFKC would
# also turn ①, ² or 𝟏 into digits).
_HALF_WIDTH = str.maketrans("０１２３４５６７８９．，－％＋＃", "0123456789.,-%+#")


def _number_text(text: str) -> str:
    """A number column's cell as typed, its full-width digits and signs made half-width."""
    return text.translate(_HALF_WIDTH).strip()


def _cell_text(v) -> str:
    """A spreadsheet cell as text. A float exactly (f"{v:g}" kept six digits: 1234567.5 became 1.23457e+06), whole
    ones without ".0"."""
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return format(Decimal(repr(v)), "f")
    return str(v)


@dataclass
class Column:
    name: str
    numeric: bool


def parse_columns(text: str) -> list[Column]:
    out, seen = [], set()
    for line in (text or "").splitlines():
        name = line.strip()
        if not name:
            continue
        numeric = name.endswith((NUMERIC_MARK, "＃"))  # (full-width too, as a Chinese input method types it)
        name = name.rstrip(NUMERIC_MARK + "＃").strip()
        if not name or len(name) > 60 or name in seen:
            raise DomainError(_l("Column names: one per line, at most 60 characters, each once."), "columns")
        seen.add(name)
        out.append(Column(name, numeric))
    if not out or len(out) > MAX_COLUMNS:
        raise DomainError(_l("Give between 1 and %(n)s columns.", n=MAX_COLUMNS), "columns")
    return out


def columns_of(case: Case) -> list[Column]:
    return [Column(c["name"], c["numeric"]) for c in (case.determination or {}).get("columns", [])]


def callable_units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True), Unit.kind.in_((UNIT_MEMBER, UNIT_COUNTY, UNIT_OTHER)))
                                   .order_by(Unit.kind, Unit.id)))


def publish(actor, title: str, instructions: str, columns_text: str, unit_ids: list[int], days, template_upload=None,
            submission_key: str | None = None) -> Case:
    """The office publishes a call (flush): its columns (typed, or the header row of its own XLSX template), the
    units it goes to and its deadline in working days."""
    require_role(actor, OFFICE)
    if template_upload is not None:
        if not template_upload.filename.lower().endswith(".xlsx"):
            raise DomainError(_l("Upload the template as an XLSX file."), "template")
        attachments.validate_uploads([template_upload], "template")
        header = [str(c or "").strip() for c in (_table_from_xlsx(template_upload.data) or [[]])[0]]
        if not (columns_text or "").strip():
            columns_text = "\n".join(h for h in header if h)
    title, instructions = (title or "").strip(), (instructions or "").strip()
    if not title or len(title) > 200:
        raise DomainError(_l("Give the call a title (at most 200 characters)."), "title")
    columns = parse_columns(columns_text)
    allowed = {u.id: u for u in callable_units()}
    chosen = sorted(set(unit_ids or []))
    if not chosen or any(u not in allowed for u in chosen):
        raise DomainError(_l("Choose the units the call goes to."), "unit_ids")
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 60:
        raise DomainError(_l("The deadline is between 1 and 60 working days."), "days")
    now, office = clock.now(), office_unit()
    rules = current_rules()
    rules["data_call_submit"] = dict(rules.get("data_call_submit", {}), days=days, day_kind="working", source="call")
    case = Case(number=f"TMP-{now.timestamp()}-{actor.id}", kind=CaseKind.DATA_CALL, process_id=PROCESS_ID,
                status=CaseStatus.DATA_CALL_OPEN, route="office", initiating_unit_id=office.id, created_by_id=actor.id,
                title=title, facts=instructions or title, legal_basis="", created_at=now, rules=rules, submission_key=submission_key,
                determination={"columns": [{"name": c.name, "numeric": c.numeric} for c in columns], "days": days})
    db.session.add(case)
    db.session.flush()
    case.number = f"BS-{clock.local_date(now).year}-{case.id:06d}"
    add_case_unit(case.id, office.id, REL_OFFICE)
    events.record(case.id, EventType.DATA_CALL_PUBLISHED, actor,
                  {"summary": "、".join(allowed[u].name for u in chosen), "days": days, "day_kind": "working"})
    if template_upload is not None:
        attachments.store(case.id, actor, [template_upload], "data_call_template", field="template")
    runtime.start(case, PROCESS_ID, {"case_id": case.id, "office_unit_id": office.id}, actor)
    for uid in chosen:
        add_case_unit(case.id, uid, REL_NOTIFIED)
        sub = DataSubmission(case_id=case.id, unit_id=uid, status=OPEN)
        db.session.add(sub)
        db.session.flush()
        loaded = runtime.start(case, UNIT_PROCESS, {"case_id": case.id, "submission_id": sub.id, "call_unit_id": uid,
                                                    "office_unit_id": office.id}, actor)
        sub.instance_id = loaded.instance.id
    return case


def template(case: Case) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "报送表"
    append_row(ws, [c.name for c in columns_of(case)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _table_from_xlsx(data: bytes) -> list[list]:
    try:
        rows = xlsx_rows(data, max_rows=MAX_ROWS + 1, max_cols=MAX_COLUMNS + 1)
    except TableTooLarge:
        raise DomainError(_l("At most %(n)s rows.", n=MAX_ROWS), "file")
    except Exception:  # openpyxl raises many kinds of error for what is not XLSX
        raise DomainError(_l("The file could not be read as XLSX."), "file")
    return rows


def _table_from_paste(text: str) -> list[list]:
    """Rows pasted from a spreadsheet (tab-separated); text without any tab is read as comma-separated."""
    lines = [line for line in (text or "").splitlines() if line.strip()]
    sep = "\t" if any("\t" in line for line in lines) else ","
    return [[c.strip() for c in re.split("[,，]" if sep == "," else "\t", line)] for line in lines]


def check_table(columns: list[Column], table: list[list], with_header: bool) -> list[list[str]]:
    """The rows as text, checked against the call's columns; DomainError listing every bad row."""
    names = [c.name for c in columns]
    if with_header:
        # (the office's own template may head number columns with their mark: 金额#)
        header = [str(h or "").strip().rstrip(NUMERIC_MARK + "＃").strip() for h in (table[0] if table else [])]
        while header and not header[-1]:
            header.pop()
        if header != names:
            raise DomainError(_l("The first row must be the call's columns: %(cols)s.", cols="、".join(names)), "file")
        table = table[1:]
    body = [r for r in table if any(str(c or "").strip() for c in r)]
    if not body:
        raise DomainError(_l("The table has no rows."), "file")
    if len(body) > MAX_ROWS:
        raise DomainError(_l("At most %(n)s rows.", n=MAX_ROWS), "file")
    errors, out = [], []
    for n, r in enumerate(body, start=2 if with_header else 1):
        cells = [_cell_text(v).strip() for v in r][: len(columns)]
        cells += [""] * (len(columns) - len(cells))
        cells = [_number_text(v) if c.numeric else v for c, v in zip(columns, cells)]
        bad = [str(_l("%(col)s must be a number", col=c.name)) for c, v in zip(columns, cells)
               if c.numeric and v and not _NUMBER.match(v.replace(",", ""))]
        if any(str(v or "").strip() for v in r[len(columns):]):
            bad.append(str(_l("more cells than columns")))
        if bad:
            errors.append((None, str(_l("Row %(n)s: %(problems)s.", n=n, problems="；".join(bad)))))
        out.append(cells)
    if errors:
        raise DomainError(_l("Nothing was submitted: %(n)s rows have errors.", n=len(errors)), errors=[(None, _l(
            "Nothing was submitted: %(n)s rows have errors.", n=len(errors)))] + errors[:100])
    return out


def submission_for_instance(instance_id: int) -> DataSubmission:
    return db.session.scalar(select(DataSubmission).where(DataSubmission.instance_id == instance_id))


def submissions_of(case_id: int) -> list[DataSubmission]:
    return list(db.session.scalars(select(DataSubmission).options(joinedload(DataSubmission.unit))
                                   .where(DataSubmission.case_id == case_id).order_by(DataSubmission.unit_id)))


def compiled(case: Case) -> tuple[list[str], list[list]]:
    """The table across units (accepted and submitted answers), each row headed by its unit and state."""
    columns = columns_of(case)
    header = [str(_l("Unit")), str(_l("State"))] + [c.name for c in columns]
    rows = []
    for sub in submissions_of(case.id):
        for r in sub.rows or []:
            rows.append([sub.unit.name, str(STATE_LABELS[sub.status])] + [_value(c, v) for c, v in zip(columns, r)])
    return header, rows


def _value(column: Column, text: str):
    """A number column's cell as a number in the compiled table (so a spreadsheet can sum it)."""
    if not column.numeric or not text or text.endswith("%"):
        return text
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def compiled_xlsx(case: Case) -> bytes:
    header, rows = compiled(case)
    return xlsx_bytes(header, rows, title=case.number)


STATE_LABELS = {OPEN: _l("not yet submitted"), SUBMITTED: _l("submitted, awaiting review"), RETURNED: _l("returned for correction"),
                ACCEPTED: _l("accepted"), NOT_SUBMITTED: _l("not submitted"),
                UNREVIEWED: _l("submitted, not reviewed before the call closed")}


def calls_for(actor) -> list[tuple[Case, DataSubmission | None]]:
    """The calls the office published, or those addressed to the actor's unit with its answer."""
    if actor.role in (OFFICE, "supervisor", "admin"):
        cases = db.session.scalars(select(Case).where(Case.kind == CaseKind.DATA_CALL).order_by(Case.created_at.desc()).limit(200))
        return [(c, None) for c in cases]
    rows = db.session.execute(select(Case, DataSubmission).join(DataSubmission, DataSubmission.case_id == Case.id)
                              .where(DataSubmission.unit_id == actor.unit_id).order_by(Case.created_at.desc()).limit(200)).all()
    return [(c, s) for c, s in rows]


def uploading_units(case_id: int) -> dict[int, int | None]:
    """{attachment id: the unit it was added for}: its uploader's unit when it was added (the timeline's
    attachment_added events of the case, read at once)."""
    return {(details or {}).get("attachment_id"): unit for unit, details in db.session.execute(
        select(CaseEvent.actor_unit_id, CaseEvent.details).where(CaseEvent.case_id == case_id,
                                                                 CaseEvent.type == EventType.ATTACHMENT_ADDED))}


# -- the tasks ----------------------------------------------------------------------------------------------------
def rows_as_pasted(rows: list | None) -> str:
    """A table's rows as the paste box holds them (one row a line, cells separated by tabs): a returned table comes back
    in it, to be corrected."""
    return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows or [])


def submit(ctx) -> dict:
    """Task submit_data: the unit's table (a filled-in template, or rows pasted), checked against the columns."""
    sub = submission_for_instance(ctx.task.instance_id)
    columns = columns_of(ctx.case)
    files = attachments.of_field(ctx.files, "file")
    pasted = (ctx.values.get("pasted") or "").strip()
    if files and pasted and sub.status == RETURNED and pasted == rows_as_pasted(sub.rows).strip():
        pasted = ""  # (the returned table as the form showed it, left untouched beside a corrected file: the file)
    if files and pasted:
        raise DomainError(_l("Give the table once: upload the file or paste the rows, not both."), "pasted")
    if files:
        if not files[0].filename.lower().endswith(".xlsx"):
            raise DomainError(_l("Upload the table as an XLSX file."), "file")
        attachments.validate_uploads(files[:1], "file")
        rows = check_table(columns, _table_from_xlsx(files[0].data), with_header=True)
    elif pasted:
        rows = check_table(columns, _table_from_paste(pasted), with_header=False)
    else:
        raise DomainError(_l("Upload the filled-in template or paste the rows."), "file")
    if files:
        attachments.store(ctx.case.id, ctx.actor, files[:1], "data_submission", field="file")
    sub.rows, sub.status, sub.submitted_at, sub.submitted_by_id = rows, SUBMITTED, clock.now(), ctx.actor.id
    events.record(ctx.case.id, EventType.DATA_SUBMITTED, ctx.actor, {"unit_id": sub.unit_id, "summary": str(len(rows))})
    return {}


def review(ctx) -> dict:
    """Task review_submission (the office): accept the unit's table, or return it with reasons."""
    sub = submission_for_instance(ctx.task.instance_id)
    outcome = ctx.values.get("outcome")
    reasons = (ctx.values.get("reasons") or "").strip()
    if outcome == "accept":
        sub.status, sub.reviewed_at = ACCEPTED, clock.now()
        events.record(ctx.case.id, EventType.DATA_ACCEPTED, ctx.actor, {"unit_id": sub.unit_id})
    elif outcome == "return":
        if not reasons:
            raise DomainError(_l("Say what the unit has to correct."), "reasons")
        sub.status, sub.return_reasons, sub.reviewed_at = RETURNED, reasons, clock.now()
        sub.times_returned += 1
        events.record(ctx.case.id, EventType.DATA_RETURNED, ctx.actor, {"unit_id": sub.unit_id, "reasons": reasons})
    else:
        raise DomainError(_l("Accept the table or return it."), "outcome")
    return {"review_outcome": outcome}


def close(ctx) -> dict:
    """Task close_call (the office): the call ends; units that have not answered end as not submitted."""
    note = (ctx.values.get("note") or "").strip()
    for sub in submissions_of(ctx.case.id):
        if sub.status in (OPEN, RETURNED):
            sub.status = NOT_SUBMITTED
        elif sub.status == SUBMITTED:
            sub.status = UNREVIEWED
        if sub.instance_id:
            runtime.deliver(ctx.case, "data_call_closed", ctx.actor, instance_id=sub.instance_id)
    events.record(ctx.case.id, EventType.DATA_CALL_CLOSED, ctx.actor, {"note": note})
    return {}


TASKS = {"data_calls.submit": submit, "data_calls.review": review, "data_calls.close": close}

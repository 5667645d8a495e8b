"""双公示 and 双随机 publication on time (seed 000 六: licences and penalties published within 7 working days of the
decision; seed 003 5: 7个工作日内上网公开, 日监测、周调度、月通报, 零瞒报、零迟报; seed 004 (八): random-inspection
results within 20 working days). A member unit uploads its ledger (台账: CSV or XLSX, one row per decision with the
day it was published, if it was); the office and supervisors read, per unit and month, what was published on time,
late, or is overdue and not yet published. The rules are deadline rules administrators edit (publicity_licence,
publicity_penalty, publicity_inspection); each row keeps the length it was counted with."""
import io
import re
from dataclasses import dataclass
from datetime import date

from flask import current_app
from openpyxl import Workbook
from sqlalchemy import case as sql_case
from sqlalchemy import func, select

from app import clock, file_checks
from app.audit import services as audit
from app.auth.models import ADMIN, CASEWORKER, GROUP_LEAD, OFFICE, SUPERVISOR, Unit
from app.auth.permissions import require_role
from app.dates import cell_date
from app.errors import DomainError, NotFound
from app.exports import UnreadableTable, read_table, table_problem
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.pagination import paginate_rows
from app.publicity.models import PublicityEntry
from app.workdays.rules import current as current_rules
from app.workdays.services import add_working_days

UPLOADERS = (CASEWORKER, GROUP_LEAD)  # a member unit's own ledger
READERS = (OFFICE, SUPERVISOR, ADMIN)  # every unit's
KINDS = {"licence": "publicity_licence", "penalty": "publicity_penalty", "inspection": "publicity_inspection"}
KIND_WORDS = {"行政许可": "licence", "许可": "licence", "行政处罚": "penalty", "处罚": "penalty", "双随机抽查": "inspection",
              "抽查": "inspection", "双随机": "inspection", "licence": "licence", "penalty": "penalty", "inspection": "inspection"}
COLUMNS = {"kind": "类别", "decision_no": "决定文书号", "party": "行政相对人名称", "decided_on": "决定日期",
           "published_on": "公示日期", "link": "公示网址"}
OPTIONAL = {"published_on", "link"}
MAX_ROWS = 5000


def _date(value: str) -> date | None:
    return cell_date(value, with_time=True)  # (a date cell of an XLSX is read as text with its time)


# The template's example rows (how a row is filled in): refused if sent back, or they would count as the unit's decisions.
EXAMPLES = (["行政许可", "示例许〔2026〕1号", "示例餐饮有限公司", "2026-11-20", "2026-11-24", "https://www.example.gov.cn/xzxk/1"],
            ["行政处罚", "示例罚〔2026〕1号", "示例建材有限公司", "2026-11-23", "", ""])
EXAMPLE_NUMBERS = frozenset(row[1] for row in EXAMPLES)


def template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "双公示台账"
    ws.append(list(COLUMNS.values()))
    for row in EXAMPLES:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@dataclass
class Row:
    """A ledger row; `given`: the optional columns the file has (a column left out changes nothing when re-sent)."""

    n: int
    kind: str
    decision_no: str
    party: str
    decided_on: date
    published_on: date | None
    link: str
    given: frozenset = frozenset()


def _rows(filename: str, data: bytes, today: date) -> list[Row]:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(data) > limit:
        raise DomainError(_l("File %(name)s is larger than %(mb)s MB.", name=filename, mb=limit // (1024 * 1024)), "file")
    if (filename or "").lower().endswith(".xlsx"):  # (its compression and parts checked before it is unpacked)
        problem = file_checks.content_problem("xlsx", data)
        if problem:
            raise DomainError(problem, "file")
    try:
        table = read_table(filename, data, max_rows=MAX_ROWS + 1)
    except UnreadableTable as exc:
        if str(exc) == "too-large":
            raise DomainError(_l("At most %(n)s rows per file.", n=MAX_ROWS), "file")
        raise DomainError(table_problem(exc), "file")
    if not table:
        raise DomainError(_l("The file is empty."), "file")
    heads = {(h or "").strip(): i for i, h in reversed(list(enumerate(table[0])))}
    cols = {key: heads[title] for key, title in COLUMNS.items() if title in heads}
    missing = [title for key, title in COLUMNS.items() if key not in cols and key not in OPTIONAL]
    if missing:
        raise DomainError(_l("The first row must name the columns; missing: %(cols)s.", cols="、".join(missing)), "file")
    body = [(n, r) for n, r in enumerate(table[1:], start=2) if any((c or "").strip() for c in r)]
    if not body:
        raise DomainError(_l("The file has no rows below its header."), "file")
    if len(body) > MAX_ROWS:
        raise DomainError(_l("At most %(n)s rows per file.", n=MAX_ROWS), "file")

    def cell(r, key):
        i = cols.get(key)
        return (r[i] or "").strip() if i is not None and i < len(r) else ""

    out, problems, seen = [], [], set()
    for n, r in body:
        wrong = []
        kind = KIND_WORDS.get(cell(r, "kind"))
        if kind is None:
            wrong.append(_l("the category is 行政许可, 行政处罚 or 双随机抽查"))
        number, party = cell(r, "decision_no"), cell(r, "party")
        if number in EXAMPLE_NUMBERS:
            problems.append(_l("Row %(n)s is the template's example: delete it and upload the file again.", n=n))
            continue
        if not number or len(number) > 120:
            wrong.append(_l("give the decision's document number (at most 120 characters)"))
        if not party or len(party) > 200:
            wrong.append(_l("name the party (at most 200 characters)"))
        decided = _date(cell(r, "decided_on"))
        if decided is None or not date(2000, 1, 1) <= decided <= today:
            wrong.append(_l("the decision date is a date, not in the future"))
        published = None
        if cell(r, "published_on"):
            published = _date(cell(r, "published_on"))
            if published is None or published > today or (decided and published < decided):
                wrong.append(_l("the publication date is a date, not before the decision and not in the future"))
        link = cell(r, "link")
        if link and (len(link) > 500 or not re.match(r"^https?://\S+$", link)):
            wrong.append(_l("the link is a web address (http or https)"))
        if (kind, number) in seen:
            wrong.append(_l("the same decision is twice in the file"))
        seen.add((kind, number))
        if wrong:
            problems.append(_l("Row %(n)s: %(what)s.", n=n, what="；".join(str(w) for w in wrong)))
        else:
            out.append(Row(n, kind, number, party, decided, published, link, frozenset(k for k in OPTIONAL if k in cols)))
    if problems:
        raise DomainError(problems[0], errors=[(None, p) for p in problems[:200]])
    return out


def import_ledger(actor, filename: str, data: bytes) -> tuple[int, int]:
    """The unit's ledger, all rows or none (flush). A decision already in the unit's ledger (same category and number)
    is updated: its publication day, link and party as now given. Returns (added, updated)."""
    require_role(actor, *UPLOADERS)
    if actor.unit_id is None:
        raise DomainError(_l("Only a member unit's staff upload its ledger."))
    today = clock.today_local()
    rows = _rows(filename, data, today)
    rules = current_rules()
    configured = current_app.config["DEADLINE_RULES"]

    def due_day(kind: str, decided: date) -> tuple[date, int]:
        name = KINDS[kind]  # (the rule in force; its configured default while the rules table is not seeded)
        rule = rules.get(name) or {"days": configured[name][0], "day_kind": "working"}
        days = int(rule["days"])
        if rule.get("day_kind") == "calendar":
            return date.fromordinal(decided.toordinal() + days), days
        return add_working_days(decided, days)[0], days

    existing = {(e.kind, e.decision_no): e for e in db.session.scalars(
        select(PublicityEntry).where(PublicityEntry.unit_id == actor.unit_id,
                                     PublicityEntry.decision_no.in_({r.decision_no for r in rows})))}
    added = updated = 0
    for r in rows:
        entry = existing.get((r.kind, r.decision_no))
        if entry is None:
            due, days = due_day(r.kind, r.decided_on)
            db.session.add(PublicityEntry(unit_id=actor.unit_id, kind=r.kind, decision_no=r.decision_no, party=r.party,
                                          decided_on=r.decided_on, due_on=due, rule_days=days, published_on=r.published_on,
                                          link=r.link, imported_by_id=actor.id))
            added += 1
            continue
        before = {"party": entry.party, "decided_on": entry.decided_on.isoformat(),
                  "published_on": entry.published_on.isoformat() if entry.published_on else None, "link": entry.link}
        entry.party = r.party
        if entry.decided_on != r.decided_on:  # (a corrected decision date: its last day counted again)
            entry.decided_on = r.decided_on
            entry.due_on, entry.rule_days = due_day(r.kind, r.decided_on)
        # (a blank cell leaves a recorded publication as it was: a publication is corrected by its right day, not undone)
        if "published_on" in r.given and r.published_on is not None:
            entry.published_on = r.published_on
        if "link" in r.given and r.link:
            entry.link = r.link
        after = {"party": entry.party, "decided_on": entry.decided_on.isoformat(),
                 "published_on": entry.published_on.isoformat() if entry.published_on else None, "link": entry.link}
        if after != before:  # (each changed row audited with what it was: a late publication cannot be rewritten unseen)
            audit.record(actor, "publicity_entry", entry.id, "update", before, after)
            updated += 1
    audit.record(actor, "publicity_ledger", actor.unit_id, "import", None,
                 {"file": filename, "rows": len(rows), "added": added, "updated": updated})
    db.session.flush()
    return added, updated


def withdraw(actor, entry_id: int, reason: str) -> PublicityEntry:
    """A row the unit entered by mistake (a wrong document number or category) leaves its ledger, with the reason; the
    administrators' audit keeps what it held (flush). Only the unit's own staff withdraw its rows."""
    require_role(actor, *UPLOADERS)
    entry = db.session.get(PublicityEntry, entry_id)
    if entry is None or entry.unit_id != actor.unit_id:
        raise NotFound(_l("No such row in your unit's ledger."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise DomainError(_l("Say why the row is withdrawn (at most 500 characters)."), "reason")
    audit.record(actor, "publicity_entry", entry.id, "withdraw", {
        "kind": entry.kind, "decision_no": entry.decision_no, "party": entry.party, "decided_on": entry.decided_on.isoformat(),
        "published_on": entry.published_on.isoformat() if entry.published_on else None}, None, reason)
    db.session.delete(entry)
    db.session.flush()
    return entry


def state(entry: PublicityEntry, today: date) -> str:
    """on_time | late | overdue (not published, its last day passed) | pending."""
    if entry.published_on is not None:
        return "on_time" if entry.published_on <= entry.due_on else "late"
    return "overdue" if today > entry.due_on else "pending"


def _scope(actor, stmt, unit_id: int | None):
    if actor.role in READERS:
        return stmt.where(PublicityEntry.unit_id == unit_id) if unit_id else stmt
    require_role(actor, *UPLOADERS)
    return stmt.where(PublicityEntry.unit_id == actor.unit_id)


def entries(actor, page: int, unit_id: int | None = None, only: str | None = None, month: str | None = None):
    """A page of the ledger the reader may see (its unit's; the office and supervisors any unit's), newest decision
    first; `only`: late, overdue or pending ones; `month`: due for publication in that month (YYYY-MM), as the month's figures count them."""
    stmt = _scope(actor, select(PublicityEntry), unit_id).order_by(PublicityEntry.decided_on.desc(), PublicityEntry.id.desc())
    today = clock.today_local()
    if only == "late":
        stmt = stmt.where(PublicityEntry.published_on > PublicityEntry.due_on)
    elif only == "overdue":
        stmt = stmt.where(PublicityEntry.published_on.is_(None), PublicityEntry.due_on < today)
    elif only == "pending":
        stmt = stmt.where(PublicityEntry.published_on.is_(None), PublicityEntry.due_on >= today)
    first, last = month_bounds(month)
    if first:
        stmt = stmt.where(PublicityEntry.due_on >= first, PublicityEntry.due_on <= last)
    return paginate_rows(stmt, page, 50, scalars=True, capped_count=True)


def month_bounds(month: str | None) -> tuple[date | None, date | None]:
    m = re.match(r"^(\d{4})-(\d{2})$", month or "")
    if not m or not 2000 <= int(m[1]) <= 2099 or not 1 <= int(m[2]) <= 12:
        return None, None
    first = date(int(m[1]), int(m[2]), 1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def monthly(actor, month: str) -> list[dict]:
    """Per unit, the decisions due for publication in the month: how many, published on time, late, overdue (not
    published, past the last day), still within their time, and the on-time rate of those whose time is up (月通报)."""
    require_role(actor, *READERS)
    first, last = month_bounds(month)
    if first is None:
        raise DomainError(_l("Choose a month."), "month")
    return figures(first, last)


def report_section(first: date, last: date) -> tuple:
    """The monitoring reports' table (registered with cases.hooks): the decisions due in the period, per unit."""
    rows = figures(first, last)
    return (_l("Publication on time, per unit"),
            [_l("Unit"), _l("Decisions"), _l("Published on time"), _l("Published late"), _l("Overdue, not published"),
             _l("Within their time"), _l("On-time rate")],
            [[r["unit"], str(_l("none in the ledger")) if r["no_rows"] else r["total"], r["on_time"], r["late"], r["overdue"],
              r["pending"], "" if r["rate"] is None else r["rate"]] for r in rows])


LEDGER_UNIT_KINDS = ("member", "other", "county")  # (the office keeps none: it decides no licence or penalty)


def figures(first: date, last: date) -> list[dict]:
    """Per unit, the decisions whose last day to publish falls in first..last, counted by state in one grouped query.
    By that day, not the decision's: a month's notice, made once the month is over, then finds every decision it
    counts past its time (published on time or late, or overdue), and a decision made in a month's last days, due in
    the next, is counted in the next month's notice instead of passing as "within its time" in this one and never
    reported late (seed 003 5: 月通报…零迟报)."""
    today = clock.today_local()
    E = PublicityEntry
    published = E.published_on.is_not(None)
    counts = [func.count(),
              func.sum(sql_case((published & (E.published_on <= E.due_on), 1), else_=0)),
              func.sum(sql_case((published & (E.published_on > E.due_on), 1), else_=0)),
              func.sum(sql_case((~published & (E.due_on < today), 1), else_=0)),
              func.sum(sql_case((~published & (E.due_on >= today), 1), else_=0))]
    rows = db.session.execute(select(Unit.id, Unit.name, *counts).join(E, E.unit_id == Unit.id)
                              .where(E.due_on >= first, E.due_on <= last).group_by(Unit.id, Unit.name)
                              .order_by(Unit.id)).all()
    out = {}
    for unit_id, name, total, on_time, late, overdue, pending in rows:
        due = (on_time or 0) + (late or 0) + (overdue or 0)
        out[unit_id] = {"unit_id": unit_id, "unit": name, "total": total, "on_time": on_time or 0, "late": late or 0,
                        "overdue": overdue or 0, "pending": pending or 0,
                        "rate": round(100.0 * (on_time or 0) / due, 1) if due else None, "no_rows": False}
    # The units that make licensing and penalty decisions and keep a ledger, with none in the period, are listed too:
    # a month with no rows is either none decided or none reported (瞒报), which the office asks about (零瞒报).
    for unit_id, name in db.session.execute(select(Unit.id, Unit.name).where(Unit.kind.in_(LEDGER_UNIT_KINDS),
                                                                             Unit.active.is_(True))):
        out.setdefault(unit_id, {"unit_id": unit_id, "unit": name, "total": 0, "on_time": 0, "late": 0, "overdue": 0,
                                 "pending": 0, "rate": None, "no_rows": True})
    return [out[k] for k in sorted(out)]

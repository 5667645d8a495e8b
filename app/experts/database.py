"""Managing the expert database (office and administrators): records, unavailable periods, logins, and
all-or-nothing bulk import from CSV or XLSX with an error per bad row."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from app import file_checks
from app.audit import services as audit
from app.auth.models import ADMIN, EXPERT, OFFICE, Unit, User
from app.auth.permissions import require_role
from app.auth.services import initial_password, username_problem, username_taken
from app.cases.identifiers import guess_kind, normalise_code
from app.errors import DomainError
from app.experts.models import Expert, ExpertUnavailability
from app.exports import UnreadableTable, read_table, table_problem
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.labels import FIELD_LABELS

MANAGERS = (OFFICE, ADMIN)
# Accepted header names (Chinese as exchanged between departments, or English) -> attribute.
HEADERS = {
    "姓名": "name", "name": "name",
    "领域": "fields", "fields": "fields",
    "工作单位": "affiliation", "affiliation": "affiliation",
    "关联成员单位": "affiliated_unit", "affiliated_unit": "affiliated_unit",
    "关联主体代码": "affiliated_subject_code", "affiliated_subject_code": "affiliated_subject_code",
    "联系方式": "contact", "contact": "contact",
    "是否在库": "active", "active": "active",
}
TRUE = {"", "1", "是", "yes", "true", "y", "在库"}
FALSE = {"0", "否", "no", "false", "n", "停用"}


@dataclass
class ExpertIn:
    name: str
    fields: list[str]
    affiliation: str = ""
    affiliated_unit_id: int | None = None
    affiliated_subject_code: str | None = None
    contact: str = ""
    active: bool = True


def _field_key(text: str) -> str | None:
    text = text.strip()
    if text in FIELD_LABELS:
        return text
    for key, label in FIELD_LABELS.items():
        if text in (str(label), label._args[0] if hasattr(label, "_args") else None):
            return key
    # Chinese names regardless of the current locale
    return CHINESE_FIELDS.get(text)


CHINESE_FIELDS = {"法律": "legal", "市场监管": "market", "金融": "finance", "生态环境": "environment", "税务": "tax", "建设": "construction"}


def _validate(e: ExpertIn) -> list[tuple[str, str]]:
    errors = []
    if not e.name.strip():
        errors.append(("name", _l("Enter the expert's name.")))
    # (the columns' lengths: an import's cell may hold anything; the form's fields say the same)
    for key, limit in (("name", 80), ("affiliation", 200), ("contact", 120)):
        if len((getattr(e, key, "") or "").strip()) > limit:
            errors.append((key, _l("At most %(n)s characters.", n=limit)))
    if not e.fields:
        errors.append(("fields", _l("Choose at least one field.")))
    unknown = [f for f in e.fields if f not in FIELD_LABELS]
    if unknown:
        errors.append(("fields", _l("Unknown field: %(f)s.", f="、".join(unknown))))
    if e.affiliated_subject_code:
        kind = guess_kind(e.affiliated_subject_code)
        try:
            e.affiliated_subject_code = normalise_code(kind, e.affiliated_subject_code)
        except DomainError as exc:
            errors.append(("affiliated_subject_code", exc.message))
    return errors


def _one_writer_at_a_time() -> None:
    """Experts are added one transaction at a time past this point, so that the same expert sent twice at once (a
    double click, two managers) is found by the second: the draw would take one person for two. PostgreSQL: an
    advisory lock; SQLite: its write lock, taken by an UPDATE that changes nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('xinlian expert database'))"))
    else:
        db.session.execute(text('UPDATE "expert" SET name = name WHERE 1 = 0'))


def create(actor, e: ExpertIn, username: str | None = None) -> tuple[Expert, str | None]:
    """Create an expert (and optionally a login). Returns (expert, initial password or None)."""
    require_role(actor, *MANAGERS)
    errors = _validate(e)
    username = (username or "").strip()
    if username:  # (the login rules every account follows: no look-alike or spaced names)
        problem = username_problem(username)
        if problem:
            errors.append(("username", problem))
        elif username_taken(username):
            errors.append(("username", _l("This username is taken.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    _one_writer_at_a_time()
    if db.session.scalar(select(Expert.id).where(Expert.name == e.name.strip(), Expert.affiliation == e.affiliation.strip())):
        # (the draw would take one person for two: the form sent twice, or the expert entered again)
        raise DomainError(_l("This expert (the same name and affiliation) is already in the database."), "name")
    expert = Expert(name=e.name.strip(), fields=sorted(set(e.fields)), affiliation=e.affiliation.strip(),
                    affiliated_unit_id=e.affiliated_unit_id, affiliated_subject_code=e.affiliated_subject_code or None,
                    contact=e.contact.strip(), active=e.active)
    db.session.add(expert)
    db.session.flush()
    audit.record(actor, "expert", expert.id, "create", None, _expert_dict(expert))
    password = None
    if username:
        # (an account as every other: its initial password, seen by the one who created it, is changed at first login)
        password = initial_password()
        u = User(username=username, full_name=expert.name, role=EXPERT, expert_id=expert.id, must_change_password=True)
        u.set_password(password)
        db.session.add(u)
        db.session.flush()
        audit.record(actor, "user", u.id, "create", None, {"username": u.username, "full_name": u.full_name, "role": u.role,
                                                           "expert_id": expert.id, "active": u.active})
    return expert, password


def _expert_dict(e: Expert) -> dict:
    """What the record of changes keeps of an expert (the affiliation decides whom a draw excludes)."""
    return {"name": e.name, "fields": list(e.fields or []), "affiliation": e.affiliation, "affiliated_unit_id": e.affiliated_unit_id,
            "affiliated_subject_code": e.affiliated_subject_code, "contact": e.contact, "active": e.active}


def update(actor, expert: Expert, e: ExpertIn) -> Expert:
    require_role(actor, *MANAGERS)
    errors = _validate(e)
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    before = _expert_dict(expert)
    expert.name, expert.fields, expert.affiliation = e.name.strip(), sorted(set(e.fields)), e.affiliation.strip()
    expert.affiliated_unit_id, expert.affiliated_subject_code = e.affiliated_unit_id, e.affiliated_subject_code or None
    expert.contact, expert.active = e.contact.strip(), e.active
    db.session.flush()
    after = _expert_dict(expert)
    if after != before:
        audit.record(actor, "expert", expert.id, "change", {k: v for k, v in before.items() if after[k] != v},
                     {k: v for k, v in after.items() if before[k] != v})
    return expert


def add_unavailability(actor, expert: Expert, start: date, end: date, reason: str) -> ExpertUnavailability:
    require_role(actor, *MANAGERS)
    if start is None or end is None or end < start:
        raise DomainError(_l("The period must end on or after its start."), "end")
    row = ExpertUnavailability(expert_id=expert.id, start=start, end=end, reason=reason.strip())
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "expert", expert.id, "unavailable_add", None,
                 {"start": start.isoformat(), "end": end.isoformat(), "reason": row.reason})
    return row


def remove_unavailability(actor, expert: Expert, row_id: int) -> None:
    require_role(actor, *MANAGERS)
    row = db.session.get(ExpertUnavailability, row_id)
    if row is None or row.expert_id != expert.id:
        raise DomainError(_l("No such period."))
    audit.record(actor, "expert", expert.id, "unavailable_remove",
                 {"start": row.start.isoformat(), "end": row.end.isoformat(), "reason": row.reason}, None)
    db.session.delete(row)
    db.session.flush()


# -- import ----------------------------------------------------------------------------------------
MAX_FILE_BYTES = 5 * 1024 * 1024  # (the route reads one byte more)


def import_file(actor, filename: str, data: bytes) -> list[Expert]:
    """Import every row or none: on any bad row, raise DomainError listing each (row number, reason)."""
    require_role(actor, *MANAGERS)
    too_large = file_checks.size_problem(filename, data, MAX_FILE_BYTES)
    if too_large:
        raise DomainError(too_large, "file")
    if (filename or "").lower().endswith(".xlsx"):  # (a compression bomb is refused before it is unpacked)
        problem = file_checks.content_problem("xlsx", data)
        if problem:
            raise DomainError(problem, "file")
    try:
        rows = read_table(filename, data)
    except UnreadableTable as exc:
        raise DomainError(table_problem(exc), "file")
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise DomainError(_l("The file is empty."), "file")
    header = [HEADERS.get(h.strip().lower() if h else "", HEADERS.get((h or "").strip())) for h in rows[0]]
    if "name" not in header or "fields" not in header:
        raise DomainError(_l("The first row must name the columns, including 姓名 (name) and 领域 (fields)."), "file")
    units = {u.name: u.id for u in db.session.scalars(select(Unit))}
    _one_writer_at_a_time()
    existing = {(e.name, e.affiliation) for e in db.session.scalars(select(Expert))}
    errors, parsed, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        values = {h: (row[i].strip() if i < len(row) and row[i] else "") for i, h in enumerate(header) if h}
        problems = []
        fields = []
        for part in values.get("fields", "").replace("；", ";").replace("，", ";").replace(",", ";").replace("、", ";").split(";"):
            if part.strip():
                key = _field_key(part)
                if key is None:
                    problems.append(str(_l("unknown field %(f)s", f=part.strip())))
                else:
                    fields.append(key)
        unit_id = None
        if values.get("affiliated_unit"):
            unit_id = units.get(values["affiliated_unit"])
            if unit_id is None:
                problems.append(str(_l("no unit named %(u)s", u=values["affiliated_unit"])))
        active_text = values.get("active", "").lower()
        if active_text not in TRUE and active_text not in FALSE:
            problems.append(str(_l("active must be 是 or 否")))
        e = ExpertIn(values.get("name", ""), fields, values.get("affiliation", ""), unit_id,
                     values.get("affiliated_subject_code") or None, values.get("contact", ""), active_text not in FALSE)
        problems += [str(m) for _f, m in _validate(e) if not (_f == "fields" and fields == [] and problems)]
        key = (e.name.strip(), e.affiliation.strip())
        if key in existing or key in seen:
            problems.append(str(_l("the same expert (name and affiliation) is already in the database or the file")))
        seen.add(key)
        if problems:
            errors.append((None, str(_l("Row %(n)s: %(problems)s", n=number, problems="；".join(problems)))))
        else:
            parsed.append(e)
    if errors:
        raise DomainError(_l("Nothing was imported: %(n)s rows have errors.", n=len(errors)), errors=[(None, _l("Nothing was imported: %(n)s rows have errors.", n=len(errors)))] + errors)
    out = []
    for e in parsed:
        expert = Expert(name=e.name.strip(), fields=sorted(set(e.fields)), affiliation=e.affiliation.strip(),
                        affiliated_unit_id=e.affiliated_unit_id, affiliated_subject_code=e.affiliated_subject_code,
                        contact=e.contact.strip(), active=e.active)
        db.session.add(expert)
        out.append(expert)
    db.session.flush()
    audit.record(actor, "expert", f"{out[0].id}-{out[-1].id}" if out else "", "import", None,
                 {"file": filename, "rows": len(out), "name": "、".join(x.name for x in out)[:500]})
    return out

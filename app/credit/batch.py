"""Batch check: an XLSX or CSV of subjects in, an XLSX with each subject's answer out. Each row is checked
and logged like a single check (the rows of one file share a batch id); a row with a bad code or matter is
answered with the reason, the others are still checked."""
import secrets

from flask import current_app

from app import file_checks, labels
from app.cases.identifiers import valid_as
from app.credit import services
from app.errors import DomainError
from app.exports import LOST_DIGITS, UnreadableTable, read_table, table_problem, xlsx_bytes
from app.i18n import lazy_gettext as _l

# Header of the upload (first row), in this order; the name column is optional and only echoed.
COLUMNS = (_l("Credit code or identity number"), _l("Approval matter type"), _l("Matter number"), _l("Name (optional)"))


def _matter_key(text: str) -> str:
    """The matter type as typed: its key or its Chinese/English label."""
    text = (text or "").strip()
    for key in services.matter_types():
        if text in (key, str(labels.MATTER_TYPE_LABELS.get(key, key))):
            return key
    return text


def _is_code(text: str) -> bool:
    text = (text or "").strip()
    return valid_as("person", text) or valid_as("enterprise", text)


def run(requester: services.Requester, filename: str, data: bytes) -> tuple[bytes, int]:
    """The answer sheet and the number of subjects checked (flush). DomainError for an unusable file."""
    too_large = file_checks.size_problem(filename, data, current_app.config["MAX_UPLOAD_BYTES"])
    if too_large:
        raise DomainError(too_large, "file")
    if filename.lower().endswith(".xlsx"):
        problem = file_checks.content_problem("xlsx", data)
        if problem:
            raise DomainError(problem, "file")
    try:
        rows = read_table(filename, data)
    except UnreadableTable as exc:
        raise DomainError(table_problem(exc), "file")
    if rows and rows[0] and _is_code(rows[0][0]):  # (a file without the header: its first subject would be skipped)
        raise DomainError(_l("The first row must be the header row of the template (download it on this page); this "
                             "file starts with a subject."), "file")
    rows = [r for r in rows[1:] if any((c or "").strip() for c in r)]  # the first row is the header
    if not rows:
        raise DomainError(_l("The file has no subjects below its header row."), "file")
    limit = current_app.config["CHECK_BATCH_MAX_ROWS"]
    if len(rows) > limit:
        raise DomainError(_l("At most %(n)s subjects per file; split it.", n=limit), "file")
    batch = secrets.token_hex(8)
    rows = [(list(r) + ["", "", "", ""])[:4] for r in rows]
    answers = services.check_many(requester, [(r[0], _matter_key(r[1]), r[2]) for r in rows], batch)
    out, checked = [], 0
    for r, answer in zip(rows, answers):
        if isinstance(answer, DomainError):
            reason = _l("Excel stored this code as a number and lost its last digits: format the code column as text "
                        "and type the code again.") if LOST_DIGITS.match((r[0] or "").strip()) else answer.message
            out.append([*r, str(_l("Not checked")), str(reason), "", "", "", "", ""])
            continue
        checked += 1
        broken = _broken_cell(answer.broken_commitments)
        if not answer.findings:
            out.append([*r, str(labels.VERDICT_LABELS[answer.verdict]), "", "", "", "", "", broken])
        for f in answer.findings:
            out.append([*r, str(labels.VERDICT_LABELS[answer.verdict]),
                        f"{labels.label(labels.CASE_KIND_LABELS, f.kind)} · {labels.label(labels.LISTING_STATUS_LABELS, f.status)} · {f.behaviour}",
                        _measures_cell(f),
                        f"{f.period_start.isoformat()} – {f.period_end.isoformat() if f.period_end else ''}",
                        f.case_number or "", f.deciding_unit, broken])
    header = [*COLUMNS, _l("Answer"), _l("Listing"), _l("Measures of your unit"), _l("Period"), _l("Case"), _l("Deciding unit"),
              _l("Credit commitments not kept")]
    return xlsx_bytes(header, out, title=str(_l("Credit check"))), checked


def _broken_cell(broken) -> str:
    """The subject's broken credit commitments, as the single check's page lists them (any unit's, newest first)."""
    return "；".join(f"{b.unit} · {_l('made %(a)s, found broken %(b)s', a=b.made_on.isoformat(), b=b.closed_on.isoformat())}: "
                    f"{b.finding}" for b in broken)


def _measures_cell(f) -> str:
    """The unit's measures and, as the page's badge says it, where the unit stands on them (无法实施, 暂停执行…)."""
    measures = "；".join(m.text for m in f.my_measures) or str(_l("No measure of your unit"))
    state = services.unit_state_words(f)
    return str(_l("%(measures)s (%(state)s)", measures=measures, state=state[0])) if state else measures


def template() -> bytes:
    """An empty upload sheet with the header and one example row."""
    return xlsx_bytes(list(COLUMNS), [["91510400MA6X000102", str(labels.MATTER_TYPE_LABELS["licence"]), "XK-2026-0001", ""]],
                      title=str(_l("Credit check")))

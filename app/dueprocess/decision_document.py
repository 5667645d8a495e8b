"""The decision document (决定书): numbered per determining unit and year (文号), rendered from a template
administrators may edit (HTML/CSS with Jinja placeholders, sandboxed) into a PDF with an embedded CJK font by
xhtml2pdf, one copy addressed to each subject; issued at once to the implementing units, the units that
attended and the office (seed 001 二(二)2 「印发各相关单位，同时送联席会议办公室备案」)."""
import functools
import io
import re
import sys
import threading
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import select
from xhtml2pdf import pisa

from app import clock
from app.audit import services as audit
from app.auth.models import ADMIN, Unit
from app.auth.permissions import require_role
from app.cases import attachments, events, runtime
from app.cases.attachments import Upload
from app.cases.models import REL_NOTIFIED, Case, CaseMeasure, CaseUnit
from app.cases.services import add_case_unit, office_unit
from app.dueprocess.models import STATED, DecisionCounter, DocumentTemplate, PriorNotice
from app.enums import EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.rights import repair
from app.workdays.rules import current as current_rules
from config import CALENDAR_DAY_RULES

FONT = Path(__file__).resolve().parents[1] / "fonts" / "wqy-microhei-subset.ttf"
FONT_URL = "xinlian-cjk.ttf"
DECISION = "decision"
# Prepended to every template: the embedded font, whatever the administrator's CSS says.
FONT_CSS = ('<style>@font-face { font-family: "XinlianCJK"; src: url("' + FONT_URL + '"); } '
            'body, p, td, th, div, span, h1, h2, h3 { font-family: "XinlianCJK"; } '
            'p { page-break-inside: avoid; } p.xl-cont { margin-top: 0; }</style>')

# xhtml2pdf cannot split a paragraph of CJK text across a page break ("Splitting error"), so a decision whose facts
# or an administrator's paragraph fell on a page break, or ran longer than a page, could not be issued at all.
# Paragraphs are kept whole on a page (above), and a long paragraph of plain text becomes several, cut after a
# sentence (or a clause), none longer than PARAGRAPH_CHARS.
PARAGRAPH_CHARS = 240
_LONG_PARAGRAPH = re.compile(rf"<p(\s[^>]*)?>([^<]{{{PARAGRAPH_CHARS + 1},}})</p>")
_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])|(?<=\n)")
_CLAUSE_END = re.compile(r"(?<=[，、,：:])")


def _chunks(text: str, pieces=(_SENTENCE_END, _CLAUSE_END)) -> list[str]:
    """`text` cut into runs of at most PARAGRAPH_CHARS, at sentence ends, else at clause ends, else anywhere outside an
    HTML entity."""
    if len(text) <= PARAGRAPH_CHARS:
        return [text]
    if not pieces:
        cut = PARAGRAPH_CHARS
        amp = text.rfind("&", 0, cut)
        if amp != -1 and ";" not in text[amp:cut]:
            cut = amp or cut  # (not inside &amp; and the like)
        return [text[:cut], *_chunks(text[cut:], ())]
    out, current = [], ""
    for part in (p for p in pieces[0].split(text) if p):
        if len(current) + len(part) <= PARAGRAPH_CHARS:
            current += part
            continue
        if current:
            out.append(current)
        current = ""
        if len(part) > PARAGRAPH_CHARS:
            out.extend(_chunks(part, pieces[1:]))
        else:
            current = part
    return out + ([current] if current else [])


def _short_paragraphs(html: str) -> str:
    def split(m):
        attrs, text = m.group(1) or "", m.group(2)
        first, *rest = _chunks(text)
        return f"<p{attrs}>{first}</p>" + "".join(f'<p class="xl-cont">{c}</p>' for c in rest)

    return _LONG_PARAGRAPH.sub(split, html)
MAX_TEMPLATE = 100_000


def default_template() -> str:
    return (Path(current_app.root_path) / "templates" / "documents" / "decision.html").read_text(encoding="utf-8")


def current_template() -> str:
    row = db.session.get(DocumentTemplate, DECISION)
    return row.body if row is not None else default_template()


# What one decision document may come to: a template is text with placeholders, not a program. Bounds on the
# rendered HTML, on loops, on every value made while rendering and on the render's time and memory keep a template
# from tying up a web server.
MAX_RENDERED = 300_000
MAX_LOOP = 1000
MAX_VALUE = MAX_RENDERED  # (no text or list made while rendering is longer than the document may be)
MAX_INT_BITS = 4096  # (a whole number made while rendering: about 1,200 digits)
# A width or precision of millions in a format ("%300000000s", "{:>300000000}"); not digits of the text itself.
_HUGE_WIDTH = re.compile(r"%[-+ #0]*\d{7,}|%[-+ #0]*\d*\.\d{7,}|\{[^{}]*:[^{}]*\d{7,}")
_SIZED_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})  # (their number is the result's size)
_SIZED_FILTERS = frozenset({"do_center", "do_indent", "do_truncate", "do_wordwrap", "do_filesizeformat"})


def _refuse(what) -> None:
    raise SecurityError(str(_l("a value too large for a document (%(what)s)", what=what)))


def _size(value) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict, set, bytes)) else 0


def _check_sizes(args, kwargs) -> None:
    """A width or length of millions given to a method or filter that pads or indents would make text of millions."""
    for v in (*args, *kwargs.values()):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_VALUE:
            _refuse(v)


def _check_result(value):
    if _size(value) > MAX_VALUE:
        _refuse(f"{_size(value)}")
    return value


def _check_estimate(size: int, what: str) -> None:
    if size > MAX_VALUE:
        _refuse(what)


def _check_replace(text, old, new, count=None) -> None:
    """str.replace's result is computed before it can be measured: its length, from the counts."""
    if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
        n = text.count(old) if old else len(text) + 1
        if count is not None and isinstance(count, int) and count >= 0:
            n = min(n, count)
        _check_estimate(len(text) + n * (len(new) - len(old)), "replace")


def _check_join(separator, items) -> None:
    """A join's result is made in one step: its length from the parts (a list, or a text joined character by
    character). Parts made one by one (a generator) are bounded by the render's memory as they are made."""
    if isinstance(items, str):
        _check_estimate(len(items) + len(str(separator)) * max(len(items) - 1, 0), "join")
    elif isinstance(items, (list, tuple)):
        _check_estimate(sum(_size(i) for i in items) + len(str(separator)) * max(len(items) - 1, 0), "join")


class _BoundedSandbox(SandboxedEnvironment):
    """Every operation that could make a large value in one step (in C, between two of the render's steps) is
    measured before it runs: repetition, concatenation, formats with wide fields, widths given to methods and filters
    that pad or indent, replacement, joining, tab expansion. Values made step by step are bounded by the render's memory
    and time (_RenderBudget)."""

    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            seq = next((v for v in (left, right) if isinstance(v, (str, list, tuple))), None)
            n = next((v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)), None)
            if seq is not None and n is not None and len(seq) * max(n, 0) > MAX_VALUE:
                _refuse(f"{len(seq)} × {n}")
            # Whole numbers squared over and over grow without bound (25 squarings of 10: 26 s): a product is kept
            # within MAX_INT_BITS, far past any figure a decision prints.
            if all(isinstance(v, int) and not isinstance(v, bool) for v in (left, right)) and \
                    left.bit_length() + right.bit_length() > MAX_INT_BITS:
                _refuse(f"{left.bit_length()}-bit × {right.bit_length()}-bit")
        elif operator == "**":
            if any(isinstance(v, int) and abs(v) > 64 for v in (left, right)):
                _refuse(f"{left!r:.20} ** {right!r:.20}")
        elif operator == "+":
            if _size(left) + _size(right) > MAX_VALUE:
                _refuse(f"{_size(left)} + {_size(right)}")
        elif operator == "%" and isinstance(left, str):
            if _HUGE_WIDTH.search(left):
                _refuse(left[:40])
        return _check_result(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  (as Jinja's: no clash with keyword arguments)
        name, owner = getattr(__obj, "__name__", None), getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            if name in _SIZED_METHODS:
                _check_sizes(args, kwargs)
            if name == "expandtabs":
                tab = args[0] if args else kwargs.get("tabsize", 8)
                _check_estimate(len(owner) + owner.count("\t") * (tab if isinstance(tab, int) else 8), "expandtabs")
            elif name == "replace":
                _check_replace(owner, *args[:3])
            elif name == "join" and args:
                _check_join(owner, args[0])
        return _check_result(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and _HUGE_WIDTH.search(str(value.__self__)):
            _refuse(str(value.__self__)[:40])
        return wrapped


def _bounded_filter(f):
    @functools.wraps(f)  # (keeps Jinja's pass_context/pass_eval_context marks)
    def bounded(*args, **kwargs):
        at = 1 if getattr(f, "jinja_pass_arg", None) is not None else 0  # (where the value filtered is)
        value = args[at] if len(args) > at else None
        own = args[at + 1:]  # (the filter's own arguments)
        if f.__name__ in _SIZED_FILTERS:
            _check_sizes(own, kwargs)
        if f.__name__ == "do_indent" and isinstance(value, str):
            width = own[0] if own else kwargs.get("width", 4)
            _check_estimate(len(value) + (value.count("\n") + 1) * (width if isinstance(width, int) else len(str(width))), "indent")
        elif f.__name__ == "do_replace":
            _check_replace(value, *own[:3])
        elif f.__name__ == "do_format" and isinstance(value, str) and _HUGE_WIDTH.search(value):
            _refuse(value[:40])
        elif f.__name__ == "do_join":
            _check_join(own[0] if own else kwargs.get("d", ""), value)
        return _check_result(f(*args, **kwargs))

    return bounded


def _bounded_range(*args):
    r = range(*args)
    if len(r) > MAX_LOOP:
        raise SecurityError(str(_l("a loop longer than %(n)s", n=MAX_LOOP)))
    return r


def _env() -> SandboxedEnvironment:
    env = _BoundedSandbox(autoescape=True)
    env.filters = {name: _bounded_filter(f) for name, f in env.filters.items()}
    env.globals["range"] = _bounded_range
    return env


MAX_LOOP_DEPTH = 2  # (two loops of at most MAX_LOOP each: a million steps; three would be a thousand million)


def _loop_problem(template_ast) -> str | None:
    """Loops that could keep a server busy without writing anything (each is bounded, but three nested of a thousand,
    or a loop that calls itself, would run for minutes): more than MAX_LOOP_DEPTH nested, recursive loops, macros."""
    def walk(node, depth):
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            return str(_l("macros"))
        if isinstance(node, nodes.For):
            if node.recursive:
                return str(_l("a loop that calls itself"))
            depth += 1
            if depth > MAX_LOOP_DEPTH:
                return str(_l("more than %(n)s loops one inside another", n=MAX_LOOP_DEPTH))
        for child in node.iter_child_nodes():
            found = walk(child, depth)
            if found:
                return found
        return None

    return walk(template_ast, 0)


def _link(uri, rel):
    """Resources a template may load: the embedded font only (no files, no network)."""
    return str(FONT) if uri == FONT_URL else ""


MAX_RENDER_STEPS = 1_000_000  # (lines of Python run while rendering: a decision document needs a few thousand)
MAX_RENDER_SECONDS = 10.0
MAX_RENDER_MEMORY = 32 * 1024 * 1024  # bytes the render may hold beyond what the process held when it began


class _RenderBudget:
    """A trace function run at every line of Python while a template renders (the template's own compiled code, the
    filters'), stopping the render past its budget of lines, seconds or memory (measured by tracemalloc). The static
    checks (_loop_problem) bound loops and _BoundedSandbox every single operation; this bounds what they add up to
    (a range mapped and joined in every turn of two loops, a text doubled turn after turn in a namespace)."""

    def __init__(self, steps: int, seconds: float, memory: int):
        self.left, self.deadline = steps, time.monotonic() + seconds
        self.memory_limit = tracemalloc.get_traced_memory()[0] + memory

    def __call__(self, frame, event, arg):
        self.left -= 1
        if self.left < 0 or (self.left % 64 == 0 and time.monotonic() > self.deadline):
            raise SecurityError(str(_l("too much work (loops and filters) for one document")))
        if tracemalloc.get_traced_memory()[0] > self.memory_limit:
            raise SecurityError(str(_l("too much memory for one document")))
        return self


def _rendered(template, context: dict) -> str:
    """The template's output, stopped as soon as it is longer than a document may be, or when it has run too long."""
    parts, size = [], 0
    previous = sys.gettrace()  # (a debugger's or a coverage tool's, put back after)
    _tracing(+1)
    sys.settrace(_RenderBudget(MAX_RENDER_STEPS, MAX_RENDER_SECONDS, MAX_RENDER_MEMORY))
    try:
        for part in template.generate(**context):
            parts.append(part)
            size += len(part)
            if size > MAX_RENDERED:
                break
    finally:
        sys.settrace(previous)
        _tracing(-1)
    return "".join(parts)


_TRACING = {"renders": 0, "ours": False}
_TRACING_LOCK = threading.Lock()


def _tracing(change: int) -> None:
    """tracemalloc is the process's: started by the first render running, stopped by the last (renders in two threads
    at once share it; tracing someone else started, a profiler's, is left alone)."""
    with _TRACING_LOCK:
        if change > 0 and _TRACING["renders"] == 0 and not tracemalloc.is_tracing():
            tracemalloc.start()
            _TRACING["ours"] = True
        _TRACING["renders"] += change
        if _TRACING["renders"] == 0 and _TRACING["ours"]:
            tracemalloc.stop()
            _TRACING["ours"] = False


_UNSAFE_ATTRIBUTE = re.compile(r"access to attribute '([^']*)' of '([^']*)' object is unsafe")


def _security_text(exc: SecurityError) -> str:
    """Jinja's sandbox says what it refused in English: the common cases in the user's language."""
    text = str(exc)
    m = _UNSAFE_ATTRIBUTE.search(text)
    if m:
        return str(_l("reading %(attr)s of a value (the database and Python behind the placeholders are not reachable)",
                      attr=m.group(1)))
    if text.endswith("is not safely callable"):
        return str(_l("calling a method that changes data"))
    return text


def _render_problem(exc: Exception) -> str:
    """What went wrong rendering, in the reader's language where it is a common mistake; else Jinja's own words,
    named as the technical detail."""
    if isinstance(exc, UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(exc))
        return str(_l("%(name)s is not a placeholder the template may use (see the list of placeholders)", name=m.group(1))) if m \
            else str(_l("a placeholder the template may not use"))
    if isinstance(exc, ZeroDivisionError):
        return str(_l("a division by zero"))
    if isinstance(exc, TemplateNotFound) or "no loader for this environment" in str(exc):
        return str(_l("including, extending or importing another template file, which a decision template may not do"))
    return str(_l("technical detail: %(e)s", e=str(exc)))


def render_pdf(body: str, context: dict) -> bytes:
    env = _env()
    try:
        problem = _loop_problem(env.parse(body))
        if problem:
            raise SecurityError(problem)
        html = _rendered(env.from_string(body), context)
    except TemplateSyntaxError as exc:
        raise DomainError(_l("The template has a syntax error on line %(line)s (check that every {{ and {%% is closed): %(e)s",
                             line=exc.lineno, e=str(exc)), "body") from exc
    except SecurityError as exc:
        raise DomainError(_l("The template uses something templates may not use: %(e)s", e=_security_text(exc)), "body") from exc
    except Exception as exc:  # noqa: BLE001  (an administrator's template: say what is wrong)
        raise DomainError(_l("The template cannot be rendered: %(e)s", e=_render_problem(exc)), "body") from exc
    if len(html) > MAX_RENDERED:
        raise DomainError(_l("The document would be too long (at most %(n)s characters of HTML).", n=MAX_RENDERED), "body")
    html = _short_paragraphs(html)
    html = html.replace("<head>", "<head>" + FONT_CSS, 1) if "<head>" in html else FONT_CSS + html
    out = io.BytesIO()
    try:
        result = pisa.CreatePDF(html, dest=out, encoding="utf-8", link_callback=_link)
    except Exception as exc:  # noqa: BLE001  (xhtml2pdf raises many kinds of error on markup it cannot lay out)
        raise DomainError(_l("The template does not make a valid document: %(e)s", e=str(exc)[:200]), "body") from exc
    if result.err:
        raise DomainError(_l("The template does not make a valid document."), "body")
    return out.getvalue()


def next_number(unit: Unit, kind: str, year: int) -> str:
    """The next 文号 of the unit for the year, e.g. 市市场监管局信惩决〔2026〕3号 (counter row locked)."""
    row = db.session.scalar(select(DecisionCounter).where(DecisionCounter.unit_id == unit.id, DecisionCounter.year == year)
                            .with_for_update())
    if row is None:
        row = DecisionCounter(unit_id=unit.id, year=year, last=0)
        db.session.add(row)
    row.last += 1
    db.session.flush()
    word = "信惩决" if kind == "punishment" else "信励决"
    return f"{unit.name}{word}〔{year}〕{row.last}号"


def _answer_to(case: Case, subject, det: dict) -> str:
    """The meeting's answer to this subject's statement, on its own copy: none where it made none (a subject that waived
    or kept silent is not served the answer to another's). Cases decided before notices were kept: the answer as given."""
    notice = db.session.scalar(select(PriorNotice).where(PriorNotice.case_id == case.id, PriorNotice.subject_id == subject.id))
    if notice is None:
        return (det.get("statements") or {}).get("statement_answer", "")
    return (notice.answer or "") if notice.state == STATED else ""


def _context(case: Case, subject, number: str, deciding_unit: Unit, issued_on: date, copies: list[str]) -> dict:
    det = case.determination or {}
    measures = db.session.execute(
        select(CaseMeasure.text, Unit.name).join(Unit, Unit.id == CaseMeasure.unit_id)
        .where(CaseMeasure.case_id == case.id).order_by(CaseMeasure.id)).all()
    punishment = case.kind == "punishment"
    acted = case.decision == "act" and subject.id in det.get("subject_ids", [subject.id])
    body = str(_l("the joint meeting (through its office)")) if case.route == "office" else deciding_unit.name
    rule = runtime.deadline_rule_of(case, "objection_reply") or {"days": ""}
    window = runtime.deadline_rule_of(case, "objection_window") or {"days": ""}
    complaint = runtime.deadline_rule_of(case, "complaint_window") or {"days": ""}
    # Plain values only: the template is an administrator's text and must not reach the database through
    # relationships (case.created_by.password_hash...).
    return {
        "title": "联合惩戒决定书" if punishment else "联合激励决定书", "number": number,
        "case": {"number": case.number, "title": case.title, "facts": case.facts, "legal_basis": case.legal_basis},
        "subject": {"name": subject.name, "code": subject.code, "kind": subject.kind},
        "subject_code_label": "居民身份证号码" if subject.kind == "person" else "统一社会信用代码",  # (seed 000 五)
        "deciding_body": deciding_unit.name if case.route != "office" else f"社会信用体系建设联席会议（{body}）",
        "meeting_date": _cn(date.fromisoformat(det["meeting_date"])) if det.get("meeting_date") else "",
        "procedure": "联合奖惩工作程序", "entries": [
            {"code": ce.catalog_version.entry.code, "behaviour": ce.catalog_version.behaviour,
             "legal_basis": ce.catalog_version.legal_basis} for ce in case.entries],
        "statement_answer": _answer_to(case, subject, det),
        # (the meeting decides for each subject: a subject it does not act on is told so, with the reason)
        "acted": acted, "not_acted_reason": "" if acted or case.decision != "act" else det.get("not_acted_reason", ""),
        "punishment": punishment,
        "kind_words": "实施联合惩戒" if punishment else "实施联合激励",
        "measures": [{"text": t, "unit": u} for t, u in measures],
        "period_days": case.period_days, "period_start": _cn(case.period_start) if case.period_start else "",
        "period_end": _cn(case.period_end) if case.period_end else "",
        "objection_reply_days": rule.get("days", ""), "objection_window_days": window.get("days", ""),
        "complaint_window_days": complaint.get("days", ""),
        # The same lengths with their kind of day, as the case's rules count them (60日, 5个工作日): the template says
        # these, so a rule an office counts in working days (or calendar days) is printed as it is counted.
        "objection_reply_text": _cn_days(rule, "objection_reply"), "objection_window_text": _cn_days(window, "objection_window"),
        "complaint_window_text": _cn_days(complaint, "complaint_window"),
        "issued_on": _cn(issued_on), "copies": "、".join(copies),
        # Credit repair (seed 001 二(三)1; seed 000 十一 谁处罚、谁公示、谁督促修复): where and from when the subject applies.
        "repair_unit": case.initiating_unit.name, "repair_min_days": repair.min_days(case),
    }


def _cn_days(rule: dict, name: str) -> str:
    days = rule.get("days", "")
    kind = rule.get("day_kind") or ("calendar" if name in CALENDAR_DAY_RULES else "working")  # (rules copied before kinds were)
    return f"{days}个工作日" if kind == "working" else f"{days}日"


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def issue(case: Case, actor) -> str:
    """Number the decision, render one copy per subject and store them as the case's decision documents;
    the units that attended become parties to the case so they receive it. Returns the number."""
    det = case.determination or {}
    deciding_unit = db.session.get(Unit, det.get("deciding_unit_id") or office_unit().id)
    issued_on = clock.today_local()
    number = next_number(deciding_unit, case.kind, issued_on.year)
    office = office_unit()
    for unit_id in det.get("attending_unit_ids") or []:
        add_case_unit(case.id, unit_id, REL_NOTIFIED)
    add_case_unit(case.id, office.id, "office")
    recipients = db.session.scalars(
        select(Unit.name).join(CaseUnit, CaseUnit.unit_id == Unit.id).where(CaseUnit.case_id == case.id)
        .distinct().order_by(Unit.name)).all()
    body = current_template()
    for cs in case.subjects:
        pdf = render_pdf(body, _context(case, cs.subject, number, deciding_unit, issued_on, list(recipients)))
        attachments.store(case.id, actor, [Upload(f"{number}（{cs.subject.name}）.pdf", pdf, "decision")], "decision",
                          "decision", subject_id=cs.subject_id)
    case.decision_no = number
    events.record(case.id, EventType.DECISION_ISSUED, actor, {"summary": number, "note": "、".join(recipients)})
    return number


def save_template(actor, body: str, reason: str) -> None:
    require_role(actor, ADMIN)
    body = body or ""
    if not body.strip():
        raise DomainError(_l("The template is empty."), "body")
    if len(body) > MAX_TEMPLATE:
        raise DomainError(_l("At most %(n)s characters.", n=MAX_TEMPLATE), "body")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the template changes."), "reason")
    render_pdf(body, sample_context())  # refuse a template that does not render
    row = db.session.get(DocumentTemplate, DECISION)
    before = {"body": row.body if row else default_template()}
    if row is None:
        row = DocumentTemplate(name=DECISION)
        db.session.add(row)
    row.body, row.updated_by_id, row.updated_at = body, actor.id, clock.now()
    db.session.flush()
    audit.record(actor, "document_template", DECISION, "update", before, {"body": body}, reason)


def sample_context() -> dict:
    """A decision with made-up content, to preview a template: the deadlines as the rules in force give them to a case
    filed now, its period of 365 days running from today."""
    today = clock.today_local()
    rules = current_rules()
    reply, window, complaint = (rules.get(n) or {"days": ""} for n in ("objection_reply", "objection_window", "complaint_window"))
    return {"title": "联合惩戒决定书", "number": "市市场监管局信惩决〔2026〕1号",
            "case": {"number": "XL-2026-000001", "title": "某示例公司列入严重违法失信企业名单", "facts": "该公司提供虚假材料取得登记。",
                     "legal_basis": "《企业信息公示暂行条例》第十八条。"},
            "subject": {"name": "某示例有限公司", "code": "91510400MA6X000102", "kind": "enterprise"},
            "subject_code_label": "统一社会信用代码", "deciding_body": "市市场监管局", "meeting_date": _cn(today),
            "procedure": "联合奖惩工作程序", "entries": [{"code": "SC-P-001", "behaviour": "严重违法失信企业", "legal_basis": "示例依据"}],
            "statement_answer": "经核实，陈述申辩意见不予采纳。", "acted": True, "not_acted_reason": "", "punishment": True, "kind_words": "实施联合惩戒",
            "measures": [{"text": "限制参与政府采购", "unit": "市财政局"}], "period_days": 365, "period_start": _cn(today),
            "period_end": _cn(today + timedelta(days=364)), "objection_reply_days": reply.get("days", ""),
            "objection_window_days": window.get("days", ""), "complaint_window_days": complaint.get("days", ""),
            "objection_reply_text": _cn_days(reply, "objection_reply"), "objection_window_text": _cn_days(window, "objection_window"),
            "complaint_window_text": _cn_days(complaint, "complaint_window"), "issued_on": _cn(today), "copies": "市财政局、市发展改革委",
            "repair_unit": "市市场监管局", "repair_min_days": 90}

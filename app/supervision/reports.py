"""Monthly monitoring reports as PDF (reportlab, with its built-in STSong-Light CID font, so no font file
is needed for Chinese) and XLSX (openpyxl), stored outside the web root by content hash; and exports of
case lists to CSV and XLSX."""
import io
import re
from datetime import timedelta

from markupsafe import escape
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from sqlalchemy import select

from app import clock
from app.blobs import store as blobs
from app.cases import hooks
from app.exports import XLSX, append_row, csv_bytes, xlsx_bytes
from app.extensions import db
from app.i18n import gettext as _
from app.labels import CASE_KIND_LABELS, STATUS_LABELS, label, step
from app.supervision import monitoring
from app.supervision.models import Report
from app.supervision.monitoring import Period
from app.workdays.services import working_days_overdue


def _sections(data: dict) -> list[tuple[str, list[str], list[list]]]:
    s = data["serious"]
    return [
        (_("Cases filed, by status"), [_("Status"), _("Cases")], [[label(STATUS_LABELS, k), n] for k, n in data["by_status"]]),
        (_("Cases filed, by specialist group"), [_("Group"), _("Cases")],
         [[g or _("Joint-meeting office"), n] for g, n in data["by_group"]]),
        (_("Cases by month"), [_("Month"), _("Cases")], [[m, n] for m, n in data["by_month"]]),
        (_("Cases filed, by member unit"), [_("Unit"), _("Cases")], [[u, n] for u, n in data.get("by_unit", [])]),
        (_("Time per step (hours)"), [_("Step"), _("Completed"), _("Average"), _("90th percentile")],
         [[step(r["bpmn_id"], r["bpmn_id"]), r["count"], r["avg"], r["p90"]] for r in data["step_times"]]),
        (_("On-time rate per unit"), [_("Unit"), _("Steps"), _("On time"), _("Open past the deadline"), "%"],
         [[r["unit"], r["steps"], r["on_time"], r.get("overdue_open", 0), r["rate"]] for r in data["on_time"]]),
        (_("Objections and repairs filed"), [_("Type"), _("Status"), _("Cases")],
         [[label(CASE_KIND_LABELS, k), label(STATUS_LABELS, st), n] for k, st, n in data["outcomes"]]),
        (_("Serious-dishonesty share"), [_("Enterprises on the serious-dishonesty list"), _("Registered enterprises"), "%"],
         [[s["subjects"], s["registered"], s["percent"]]]),
        *([] if data.get("typical_by_quarter") else [  # (a year's report has every quarter's below)
            (_("Typical cases of the quarter %(q)s", q=data["quota"]["quarter"]), [_("Unit"), _("Registered"), _("Quota met")],
             [[r["unit"], r["count"], _("yes") if r not in data["quota"]["below"] else _("no")] for r in data["quota"]["rows"]])]),
        (_("Credit checks by unit (逢批必查)"), [_("Unit"), _("Checks"), _("Applications recorded")],
         [[u, c, a] for u, c, a in data["check_usage"]]),
        *([(_("Typical cases per quarter"), [_("Unit"), "Q1", "Q2", "Q3", "Q4", _("Quarters with the quota met")],
            [[u, *counts, met] for u, counts, met in data["typical_by_quarter"]])] if data.get("typical_by_quarter") else []),
        # (the features' own tables, e.g. 双公示 on time: cases.hooks.register_report_section)
        *[(str(title), [str(h) for h in headers], rows) for title, headers, rows in data.get("sections", [])],
    ]


def _title(name: str) -> str:
    if len(name) == 4:
        return _("Year-end assessment %(year)s: each unit's on-time rate and typical cases", year=name)
    if "Q" in name:
        return _("Quarterly notice %(quarter)s: progress and each unit's on-time rate", quarter=name)
    return _("Monitoring report %(month)s", month=name)


_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(i: int, title: str) -> str:
    """The section's number and title as a sheet's name (at most 31 characters, none of []:*?/\\)."""
    return f"{i} {_NOT_IN_SHEET_NAMES.sub(' ', str(title))}"[:31].strip()


def render_xlsx(name: str, data: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for i, (title, header, rows) in enumerate(_sections(data), start=1):
        ws = wb.create_sheet(_sheet_name(i, title))
        append_row(ws, [title])
        append_row(ws, header)
        for r in rows:
            append_row(ws, r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_pdf(name: str, data: dict) -> bytes:
    """A real document: each section a table whose cells wrap, headers repeated on every page."""
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["Normal"], fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=20, spaceAfter=10)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=16, spaceBefore=10, spaceAfter=6)
    period = data.get("period")
    story = [Paragraph(escape(_title(name)), h1)]
    if period is not None:
        story.append(Paragraph(escape(_("Period: %(a)s – %(b)s; generated %(at)s", a=clock.local_date(period.start).isoformat(),
                                        b=(clock.local_date(period.end) - timedelta(days=1)).isoformat(),
                                        at=clock.now().astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"))), body))
        if clock.now() < period.end:  # (asked for before its period is over: its figures are those so far)
            story.append(Paragraph(escape(_("The period is not over: the figures are those so far.")), body))
    for title, header, rows in _sections(data):
        story.append(Paragraph(escape(str(title)), h2))
        cells = [[Paragraph(escape(str(v)), body) for v in r] for r in [header] + (rows or [[_("none")] + [""] * (len(header) - 1)])]
        table = Table(cells, repeatRows=1, colWidths=[(A4[0] - 100) / len(header)] * len(header))
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story.append(table)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=50, rightMargin=50, topMargin=50, bottomMargin=50,
                            title=_title(name), invariant=1)
    doc.build(story)
    return buf.getvalue()


def generate(name: str, actor=None) -> list[Report]:
    """Generate and store a report as PDF and XLSX (flush): a month ("2026-11"), a quarter ("2026-Q4") or a year
    ("2026", the year-end assessment), each over its own period."""
    period = Period.named(name)
    data = monitoring.dashboard(period)
    data["sections"] = hooks.report_sections(clock.local_date(period.start), clock.local_date(period.end) - timedelta(days=1))
    out = []
    for fmt, render in (("pdf", render_pdf), ("xlsx", render_xlsx)):
        blob = render(name, data)
        sha = blobs.put(blob)
        r = Report(month=name, fmt=fmt, sha256=sha, size=len(blob), created_by_id=actor.id if actor else None)
        db.session.add(r)
        out.append(r)
    db.session.flush()
    return out


def previous_month() -> str:
    d = clock.today_local().replace(day=1)
    y, m = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    return f"{y}-{m:02d}"


def previous_quarter() -> str:
    d = clock.today_local()
    q = (d.month - 1) // 3 + 1
    return f"{d.year}-Q{q - 1}" if q > 1 else f"{d.year - 1}-Q4"


def previous_year() -> str:
    return str(clock.today_local().year - 1)


def generate_monthly_if_missing() -> list[Report]:
    """Scheduler job: the previous month's report, the previous quarter's notice and the previous year's year-end
    assessment (seed 004 (二十五) 季度通报和年终考核), once each."""
    out = []
    for name in (previous_month(), previous_quarter(), previous_year()):
        if not db.session.scalar(select(Report.id).where(Report.month == name).limit(1)):
            out += generate(name)
    return out


def download(r: Report):
    mime = "application/pdf" if r.fmt == "pdf" else XLSX
    return blobs.download(r.sha256, mime, f"xinlian-report-{r.month}.{r.fmt}")


def referenced_shas() -> set[str]:
    return set(db.session.scalars(select(Report.sha256)))


def export_rows(rows, dates: bool = False) -> list[list]:
    """Case list rows for CSV/XLSX: number, title, type, status, filing unit, subjects, current steps with their units,
    earliest deadline (local time; a date-time cell where `dates`, text in a CSV), working days overdue."""
    def shown(due):
        if not due:
            return ""
        local = clock.as_utc(due).astimezone(clock.LOCAL_TZ)
        return local.replace(tzinfo=None, microsecond=0) if dates else local.strftime("%Y-%m-%d %H:%M")

    return [[c.number, c.title, label(CASE_KIND_LABELS, c.kind), label(STATUS_LABELS, c.status),
             c.initiating_unit.name if c.initiating_unit else "", subjects, steps, shown(due), working_days_overdue(due)]
            for c, due, steps, subjects in rows]


def to_csv(header, rows) -> bytes:
    return csv_bytes(header, rows)


def to_xlsx(header, rows) -> bytes:
    return xlsx_bytes(header, rows)


def recent(limit: int = 100) -> list[Report]:
    return list(db.session.scalars(select(Report).order_by(Report.created_at.desc()).limit(limit)))


def get(report_id: int) -> Report | None:
    return db.session.get(Report, report_id)

"""Monthly monitoring reports as PDF (reportlab, with its built-in STSong-Light CID font, so no font file
is needed for Chinese) and XLSX (openpyxl), stored outside the web root by content hash; and exports of
case lists to CSV and XLSX."""
import csv
import hashlib
import io
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.labels import CASE_KIND_LABELS, STATUS_LABELS, label
from app.supervision import monitoring
from app.supervision.models import Report


def _dir() -> Path:
    d = Path(current_app.config["UPLOAD_DIR"]).parent / "reports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _sections(month: str, data: dict) -> list[tuple[str, list[str], list[list]]]:
    s = data["serious"]
    return [
        (_("Cases by status"), [_("Status"), _("Cases")], [[label(STATUS_LABELS, k), n] for k, n in data["by_status"]]),
        (_("Cases by specialist group"), [_("Group"), _("Cases")], [[g or _("Joint-meeting office"), n] for g, n in data["by_group"]]),
        (_("Cases by month"), [_("Month"), _("Cases")], [[m, n] for m, n in data["by_month"]]),
        (_("Time per step (hours)"), [_("Step"), _("Completed"), _("Average"), "P90"],
         [[r["bpmn_id"], r["count"], r["avg"], r["p90"]] for r in data["step_times"]]),
        (_("On-time rate per unit"), [_("Unit"), _("Steps"), _("On time"), "%"],
         [[r["unit"], r["steps"], r["on_time"], r["rate"]] for r in data["on_time"]]),
        (_("Objections and repairs"), [_("Type"), _("Status"), _("Cases")], [[k, label(STATUS_LABELS, st), n] for k, st, n in data["outcomes"]]),
        (_("Serious-dishonesty share"), [_("Subjects"), _("Registered enterprises"), "%"], [[s["subjects"], s["registered"], s["percent"]]]),
        (_("Typical cases this quarter"), [_("Unit"), _("Registered")], [[r["unit"], r["count"]] for r in data["quota"]["rows"]]),
    ]


def render_xlsx(month: str, data: dict) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for i, (title, header, rows) in enumerate(_sections(month, data), start=1):
        ws = wb.create_sheet(f"{i}")
        ws.append([title])
        ws.append(header)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_pdf(month: str, data: dict) -> bytes:
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)  # invariant: same content, same bytes
    _w, h = A4
    y = h - 60
    c.setFont(font, 16)
    c.drawString(50, y, _("Monitoring report %(month)s", month=month))
    y -= 30
    for title, header, rows in _sections(month, data):
        if y < 120:
            c.showPage()
            y = h - 60
        c.setFont(font, 12)
        c.drawString(50, y, title)
        y -= 18
        c.setFont(font, 9)
        for r in [header] + rows:
            if y < 60:
                c.showPage()
                y = h - 60
                c.setFont(font, 9)
            c.drawString(60, y, "    ".join(str(v) for v in r)[:110])
            y -= 13
        y -= 10
    c.save()
    return buf.getvalue()


def generate(month: str, actor=None) -> list[Report]:
    """Generate and store the month's report as PDF and XLSX (flush). The figures are as of now."""
    data = monitoring.dashboard()
    out = []
    for fmt, render in (("pdf", render_pdf), ("xlsx", render_xlsx)):
        blob = render(month, data)
        sha = hashlib.sha256(blob).hexdigest()
        (_dir() / sha).write_bytes(blob)
        r = Report(month=month, fmt=fmt, sha256=sha, size=len(blob), created_by_id=actor.id if actor else None)
        db.session.add(r)
        out.append(r)
    db.session.flush()
    return out


def previous_month() -> str:
    d = clock.today_local().replace(day=1)
    y, m = (d.year, d.month - 1) if d.month > 1 else (d.year - 1, 12)
    return f"{y}-{m:02d}"


def generate_monthly_if_missing() -> list[Report]:
    """Scheduler job: the previous month's report, once."""
    month = previous_month()
    if db.session.scalar(select(Report.id).where(Report.month == month).limit(1)):
        return []
    return generate(month)


def report_path(r: Report) -> Path:
    return _dir() / r.sha256


def export_rows(rows) -> list[list]:
    """Case list rows for CSV/XLSX: number, title, type, status, current steps, earliest deadline, days overdue."""
    return [[c.number, c.title, label(CASE_KIND_LABELS, c.kind), label(STATUS_LABELS, c.status), steps,
             clock.as_utc(due).astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if due else "", clock.days_overdue(due)]
            for c, due, steps in rows]


def to_csv(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def to_xlsx(header, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def recent(limit: int = 100) -> list[Report]:
    return list(db.session.scalars(select(Report).order_by(Report.created_at.desc()).limit(limit)))


def get(report_id: int) -> Report | None:
    return db.session.get(Report, report_id)

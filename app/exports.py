"""Spreadsheets and CSV files users download. Text that a spreadsheet would read as a formula (starting with
= + - @, or a tab or carriage return before one) is kept as text: a name like "=HYPERLINK(...)" typed into a
form must not run when an official opens the export (CSV/formula injection). In XLSX the cell is stored
as a string, so the text is exactly what was typed; in CSV, which has no types, it is prefixed with a quote."""
import csv
import io

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _plain(value):
    if value is not None and not isinstance(value, (str, int, float)) and hasattr(value, "__html__"):
        return str(value)  # a translated label
    return value


def safe_cell(value):
    """For CSV: text that could be read as a formula is prefixed with a quote; other values pass."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(ws, values) -> None:
    """An XLSX row whose text cells are strings, never formulas (openpyxl makes "=..." a formula)."""
    ws.append([_plain(v) for v in values])
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
            cell.data_type = "s"


def csv_bytes(header, rows) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([safe_cell(h) for h in header])
    w.writerows([[safe_cell(v) for v in r] for r in rows])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 Chinese correctly


def xlsx_bytes(header, rows, title: str | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.title = title[:31]
    append_row(ws, header)
    for r in rows:
        append_row(ws, r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

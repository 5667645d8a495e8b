"""Spreadsheets and CSV files users download, and the tables users upload (read_table). Text that a spreadsheet would read as a formula (starting with
= + - @ |, or a tab or carriage return before one) is kept as text: a name like "=HYPERLINK(...)" typed into a
form must not run when an official opens the export (CSV/formula injection). In XLSX the cell is stored
as a string, so the text is exactly what was typed; in CSV, which has no types, it is prefixed with a quote."""
import csv
import io
import json
import re

from openpyxl import Workbook, load_workbook

from app.i18n import lazy_gettext as _l
from app.invisible import strip_invisible

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_STARTS = ("=", "+", "-", "@", "|", "\t", "\r")
# Control characters other than tab and line breaks: an XLSX cell cannot hold them (openpyxl refuses the whole
# file) and a CSV reader may split a row at them. Forms refuse them; anything stored before is written without them.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value):
    if isinstance(value, (dict, list, tuple)):  # (an event's details: JSON, as the API gives them, not Python's repr)
        value = json.dumps(value, ensure_ascii=False, default=str)
    if value is not None and not isinstance(value, (str, int, float)) and hasattr(value, "__html__"):
        value = str(value)  # a translated label
    return CONTROL.sub("", value) if isinstance(value, str) else value


def safe_cell(value):
    """For CSV: text that could be read as a formula is prefixed with a quote; other values pass."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_row(ws, values) -> None:
    """An XLSX row whose text cells are strings, never formulas (openpyxl makes "=..." a formula)."""
    values = [_plain(v) for v in values]
    ws.append(values)
    row = ws._current_row  # the row just appended (ws.max_row scans every cell: quadratic over a long sheet)
    for col, value in enumerate(values, 1):
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            ws.cell(row=row, column=col).data_type = "s"


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


class UnreadableTable(ValueError):
    """The upload is not a CSV (UTF-8) or XLSX file that can be read; the message says which."""


class TableTooLarge(ValueError):
    """The sheet goes on beyond the rows an upload may have."""


# Rows with content an uploaded sheet may have at most, and columns read of each: far beyond what any upload here
# holds, and small enough that reading them costs little.
MAX_SHEET_ROWS, MAX_SHEET_COLUMNS = 50_000, 64
EXCEL_MAX_ROWS = 1_048_576


def xlsx_rows(data: bytes, max_rows: int = MAX_SHEET_ROWS, max_cols: int = MAX_SHEET_COLUMNS) -> list:
    """The first sheet's values, row by row, at most `max_cols` columns of each; a blank row (only formatting, or none
    at all) is kept as an empty tuple, so row numbers hold. The sheet's declared size is ignored: a 5 KB file may
    declare a million rows of 256 columns, which openpyxl would fill with empty cells (gigabytes). More than
    `max_rows` rows with content raise TableTooLarge, and so does a row beyond a sheet's last (1,048,576 in Excel):
    openpyxl gives every missing row number before a cell's row as an empty row, so one cell in row 2,000,000,000 of
    a 5 KB file would be that many rows to walk (and hold)."""
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        out, filled = [], 0
        for n, row in enumerate(ws.iter_rows(max_col=max_cols, values_only=True)):
            if n >= EXCEL_MAX_ROWS:
                raise TableTooLarge(max_rows)
            if row.count(None) == len(row) or not any(str(v).strip() for v in row if v is not None):
                out.append(())
                continue
            filled += 1
            if filled > max_rows:
                raise TableTooLarge(max_rows)
            cells = list(row)
            while cells[-1] is None:
                cells.pop()
            out.append(cells)
        while out and out[-1] == ():
            out.pop()
        width = max((len(r) for r in out), default=0)  # (rows as wide as the widest, as openpyxl gives a sheet)
        return [r + [None] * (width - len(r)) if r else r for r in out]
    finally:
        wb.close()


def read_table(filename: str, data: bytes, max_rows: int = MAX_SHEET_ROWS) -> list[list[str]]:
    """Rows of the first sheet of an XLSX file, or of a UTF-8 CSV file (a BOM is fine), as text cells. More than
    `max_rows` rows raise UnreadableTable("too-large") as soon as they are read. (An XLSX's compression is checked by
    the caller, with the upload checks: app.file_checks.content_problem.)"""
    name = (filename or "").lower()
    try:
        # (invisible format characters dropped, as from forms: see app.invisible)
        if name.endswith(".csv"):
            return _csv_rows(data.decode("utf-8-sig", errors="strict"), max_rows)
        if name.endswith(".xlsx"):
            return [[_cell_text(v) for v in row] for row in xlsx_rows(data, max_rows=max_rows)]
    except TableTooLarge:
        raise UnreadableTable("too-large")
    except UnicodeDecodeError:
        raise UnreadableTable("csv-encoding")
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise UnreadableTable("damaged")
    raise UnreadableTable("type")


LOST_DIGITS = re.compile(r"^\d(\.\d+)?[eE]\+\d+$")  # a long number Excel stored as a float: its last digits are lost


def _cell_text(value) -> str:
    """A cell as text. A whole number Excel holds as a float (a year or a short number typed into a number cell) is
    written with its digits. Not one of 16 digits or more: Excel keeps 15 significant digits, so an 18-digit identity
    number typed into a number cell has lost its last ones, and its digits could make another valid number (another
    person's). It stays as Excel's float (5.10402198503125e+17), which no code validates (see LOST_DIGITS)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return strip_invisible(str(value))


def _csv_rows(text: str, max_rows: int) -> list[list[str]]:
    """Every row counts, blank ones too (10 MB of ",\n" is five million of them: refused at the limit, not parsed
    whole), and at most MAX_SHEET_COLUMNS cells of each are kept."""
    rows = []
    for row in csv.reader(io.StringIO(text)):
        if len(rows) >= max_rows:
            raise TableTooLarge(f"more than {max_rows} rows")
        rows.append([strip_invisible(v) for v in row[:MAX_SHEET_COLUMNS]])
    return rows


def table_problem(exc: UnreadableTable):
    """The message for the user about an unreadable upload."""
    return {"csv-encoding": _l("The CSV file must be UTF-8 encoded."),
            "damaged": _l("The file could not be read as CSV or XLSX."),
            "type": _l("Upload a CSV or XLSX file."),
            "too-large": _l("The sheet has more than %(n)s rows.", n=MAX_SHEET_ROWS)}.get(str(exc), _l("The file could not be read as CSV or XLSX."))

"""Uploaded sheets are read within bounds: a few kilobytes may declare a million rows of 256 columns, which a reader
filling in the empty cells turns into gigabytes (a denial of service by any caseworker); rows with content are
limited per upload, while blank rows (even formatted ones) cost nothing and keep the row numbers."""
import io
import re
import resource
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.styles import Border, Side

from app.data_calls import services as data_calls
from app.errors import DomainError
from app.exports import TableTooLarge, UnreadableTable, read_table, table_problem, xlsx_rows
from app.listings import imports


def _saved(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _declaring_a_million_rows(head: list) -> bytes:
    """A sheet whose header is followed by one cell in the sheet's last row, its size declared as A1:IV1048576."""
    wb = Workbook()
    wb.active.append(head)
    wb.active.cell(row=1_048_576, column=1, value="x")
    src = zipfile.ZipFile(io.BytesIO(_saved(wb)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:IV1048576"', data)
            dst.writestr(item, data)
    return out.getvalue()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_a_sheet_declaring_a_million_rows_is_read_without_filling_them_in(ctx):
    data = _declaring_a_million_rows(list(imports.COLUMNS.values()))
    assert len(data) < 10_000
    before = _peak_mb()
    rows = xlsx_rows(data)
    assert len(rows) == 1_048_576 and rows[-1][0] == "x" and rows[1] == () and len(rows[0]) <= 64
    _cols, body = imports._read(data)  # the one row, with its number, for the import to check
    assert [n for n, _r in body] == [1_048_576]
    assert _peak_mb() - before < 200  # (filled in, the declared cells take over 2 GB)


def test_more_rows_with_content_than_an_upload_may_have_are_refused(ctx):
    wb = Workbook()
    wb.active.append(list(imports.COLUMNS.values()))
    for i in range(imports.MAX_ROWS + 1):
        wb.active.append([f"r{i}"])
    data = _saved(wb)
    with pytest.raises(DomainError) as err:
        imports._read(data)
    assert "5000" in str(err.value.message)
    with pytest.raises(DomainError) as err:
        data_calls._table_from_xlsx(data)
    assert "2000" in str(err.value.message)
    with pytest.raises(TableTooLarge):
        xlsx_rows(data, max_rows=100)
    assert len(xlsx_rows(data)) == imports.MAX_ROWS + 2


def test_formatted_blank_rows_do_not_count_and_row_numbers_hold(ctx):
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.cell(row=4, column=2, value="y")
    wb.active.cell(row=5, column=200, value="far right")
    thin = Side(style="thin")
    for r in range(6, 12_000):  # a border drawn down a column: rows with cells but no values
        wb.active.cell(row=r, column=1).border = Border(left=thin)
    rows = xlsx_rows(_saved(wb), max_rows=10, max_cols=3)
    assert rows == [["a", "b"], (), (), [None, "y"]]  # (column 200 is not read; trailing blank rows are dropped)


def test_a_table_upload_with_too_many_rows_gets_a_message(ctx):
    wb = Workbook()
    for i in range(3):
        wb.active.append([f"r{i}"])
    with pytest.raises(UnreadableTable) as unreadable:
        read_table("batch.xlsx", b"PK\x03\x04 not really")
    assert str(table_problem(unreadable.value))
    assert read_table("batch.xlsx", _saved(wb)) == [["r0"], ["r1"], ["r2"]]


def test_a_cell_beyond_a_sheets_last_row_is_refused_at_once(ctx):
    """openpyxl gives every missing row number before a cell's row as an empty row: a cell in row 20,000,000 of a
    5 KB file was twenty million rows to walk (21 s of a worker) and two billion would not fit in memory."""
    import time

    src = _declaring_a_million_rows(["a"])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(src)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'r="1048576"', b'r="2000000000"').replace(b'r="A1048576"', b'r="A2000000000"')
            zout.writestr(item, data)
    started = time.process_time()
    with pytest.raises(TableTooLarge):
        xlsx_rows(out.getvalue())
    assert time.process_time() - started < 10  # (the rows up to a sheet's last, no further)

"""Uploaded sheets are read within bounds: a few kilobytes may declare a million rows of 256 columns, which a reader
filling in the empty cells turns into gigabytes (a denial of service by any caseworker)."""
import io
import re
import resource
import zipfile

import pytest
from openpyxl import Workbook

from app.data_calls import services as data_calls
from app.errors import DomainError
from app.exports import TableTooLarge, UnreadableTable, read_table, table_problem, xlsx_rows
from app.listings import imports


def _declaring_a_million_rows(head: list) -> bytes:
    """A sheet whose header is followed by one cell in the sheet's last row, its size declared as A1:IV1048576."""
    wb = Workbook()
    wb.active.append(head)
    wb.active.cell(row=1_048_576, column=1, value="x")
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
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


def test_a_sheet_declaring_a_million_rows_is_refused_without_reading_them(ctx):
    data = _declaring_a_million_rows(list(imports.COLUMNS.values()))
    assert len(data) < 10_000
    before = _peak_mb()
    with pytest.raises(DomainError) as err:
        imports._read(data)
    assert "5000" in str(err.value.message)
    with pytest.raises(DomainError) as err:
        data_calls._table_from_xlsx(data)
    assert "2000" in str(err.value.message)
    with pytest.raises(UnreadableTable) as unreadable:
        read_table("batch.xlsx", data)
    assert "50000" in str(table_problem(unreadable.value))
    with pytest.raises(TableTooLarge):
        xlsx_rows(data)
    assert _peak_mb() - before < 200  # (filled in, the declared cells take over 2 GB)


def test_rows_keep_their_numbers_and_columns_are_bounded(ctx):
    wb = Workbook()
    wb.active.append(["a", "b"])
    wb.active.cell(row=4, column=2, value="y")
    wb.active.cell(row=5, column=200, value="far right")
    buf = io.BytesIO()
    wb.save(buf)
    rows = xlsx_rows(buf.getvalue(), max_cols=3)
    assert len(rows) == 5 and rows[3][:2] == [None, "y"] and all(len(r) <= 3 for r in rows)
    assert not any(rows[1]) and not any(rows[2])  # the blank rows between are kept (row numbers in messages hold)

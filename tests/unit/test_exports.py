"""Every export keeps user text as text: nothing a user typed becomes a spreadsheet formula."""
import csv
import io

from openpyxl import load_workbook

from app.exports import csv_bytes, xlsx_bytes

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "普通文字", 42]


def test_csv_prefixes_formula_starts():
    rows = list(csv.reader(io.StringIO(csv_bytes(["h"], [[v] for v in EVIL]).decode("utf-8-sig"))))
    values = [r[0] for r in rows[1:]]
    assert values[:5] == ["'" + v for v in EVIL[:5]] and values[5:] == ["普通文字", "42"]


def test_xlsx_keeps_the_exact_text_as_strings():
    ws = load_workbook(io.BytesIO(xlsx_bytes(["h"], [[v] for v in EVIL]))).active
    cells = [row[0] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == EVIL
    assert all(c.data_type == "s" for c in cells[:6]) and cells[6].data_type == "n"


def test_structured_values_are_written_as_json():
    details = {"rows": 16, "kind": None, "user": "审计员"}
    rows = list(csv.reader(io.StringIO(csv_bytes(["details"], [[details], [["a", 1]]]).decode("utf-8-sig"))))
    assert rows[1:] == [['{"rows": 16, "kind": null, "user": "审计员"}'], ['["a", 1]']]
    ws = load_workbook(io.BytesIO(xlsx_bytes(["details"], [[details]]))).active
    assert ws.cell(row=2, column=1).value == '{"rows": 16, "kind": null, "user": "审计员"}'

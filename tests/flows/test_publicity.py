"""双公示 on time (seed 000 六, seed 003 5: within 7 working days of the decision; seed 004 (八): random-inspection results
within 20): a unit's ledger is checked row by row, all or nothing; sent again, it updates its rows; the office reads
per unit and month what was published on time, late, or is overdue."""
import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.publicity import services
from app.publicity.models import PublicityEntry
from tests.conftest import user
from tests.helpers import unit_id

HEAD = list(services.COLUMNS.values())


def _xlsx(*rows, head=HEAD) -> bytes:
    wb = Workbook()
    wb.active.append(head)
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_ledger_is_checked_whole_and_each_decision_gets_its_last_day_in_working_days(org, clock):
    # (the test clock stands at Mon 23 Nov 2026)
    bad = _xlsx(["行政许可", "许〔2026〕1号", "甲公司", "2026-11-02", "2026-11-05", ""],
                ["行政罚款", "罚〔2026〕2号", "乙公司", "2026-11-02", "", ""],
                ["行政处罚", "罚〔2026〕3号", "", "2026-12-30", "2026-11-01", "ftp://x"])
    with pytest.raises(DomainError) as err:
        services.import_ledger(user("market_cw"), "ledger.xlsx", bad)
    messages = [str(m) for _f, m in err.value.errors]
    assert messages[0].startswith("第 3 行") and "行政许可、行政处罚或双随机抽查" in messages[0]
    assert messages[1].startswith("第 4 行") and "行政相对人" in messages[1] and "不得晚于今天" in messages[1]
    db.session.rollback()
    assert db.session.scalar(select(func.count(PublicityEntry.id))) == 0  # nothing of a file with a bad row
    good = _xlsx(["行政许可", "许〔2026〕1号", "甲公司", "2026-11-02", "2026-11-05", "https://www.example.gov.cn/1"],
                 ["行政处罚", "罚〔2026〕2号", "乙公司", "2026-11-02", "2026-11-13", ""],
                 ["双随机抽查", "抽〔2026〕3号", "丙公司", "2026-11-02", "", ""],
                 ["行政处罚", "罚〔2026〕4号", "丁公司", "2026-11-06", "", ""],
                 ["行政许可", "许〔2026〕5号", "戊公司", "2026-11-20", "", ""])
    assert services.import_ledger(user("market_cw"), "ledger.xlsx", good) == (5, 0)
    db.session.commit()
    rows = {e.decision_no: e for e in db.session.scalars(select(PublicityEntry))}
    # Mon 2 Nov + 7 working days = Wed 11 Nov; + 20 = Mon 30 Nov; Fri 6 Nov + 7 = Tue 17 Nov
    assert rows["许〔2026〕1号"].due_on == date(2026, 11, 11) and rows["抽〔2026〕3号"].due_on == date(2026, 11, 30)
    today = date(2026, 11, 23)
    assert {n: services.state(e, today) for n, e in rows.items()} == {
        "许〔2026〕1号": "on_time", "罚〔2026〕2号": "late", "抽〔2026〕3号": "pending", "罚〔2026〕4号": "overdue",
        "许〔2026〕5号": "pending"}
    assert all(e.unit_id == unit_id("市市场监管局") for e in rows.values())
    # Sent again with a publication day filled in: the row is updated, not added.
    again = _xlsx(["行政处罚", "罚〔2026〕4号", "丁公司", "2026-11-06", "2026-11-23", ""])
    assert services.import_ledger(user("market_cw"), "ledger.xlsx", again) == (0, 1)
    db.session.commit()
    assert services.state(db.session.get(PublicityEntry, rows["罚〔2026〕4号"].id), today) == "late"
    # The office's figures for November, per unit.
    figures = services.monthly(user("office1"), "2026-11")
    [market] = [r for r in figures if not r["no_rows"]]
    # (the other units that keep a ledger are listed with none in it: none decided, or none reported; not the office)
    silent = {r["unit"] for r in figures if r["no_rows"]}
    assert "市税务局" in silent and "市财政局" in silent and "联席会议办公室" not in "".join(silent)
    assert all(r["total"] == 0 and r["rate"] is None for r in figures if r["no_rows"])
    # (counted by the month each is due: 许〔2026〕5号 of 20 November is due on 1 December, in December's figures)
    assert (market["total"], market["on_time"], market["late"], market["overdue"], market["pending"]) == (4, 1, 2, 0, 1)
    assert market["rate"] == 33.3  # one of the three whose time is up
    assert services.entries(user("office1"), 1, only="late").total == 2
    assert services.entries(user("tax_cw"), 1).total == 0  # (another unit's ledger: not its own)
    with pytest.raises(PermissionDenied):
        services.monthly(user("market_cw"), "2026-11")
    with pytest.raises(PermissionDenied):
        services.import_ledger(user("office1"), "ledger.xlsx", good)


def test_a_file_that_is_not_a_ledger_is_refused_with_a_message(org, clock):
    for name, data, expected in (("l.pdf", b"%PDF-1.4", "请上传 CSV 或 XLSX 文件"), ("l.xlsx", b"PK\x03\x04broken", None),
                                 ("l.csv", "类别,决定文书号\n".encode(), "缺少"), ("l.csv", b"\xff\xfe\x00", "UTF-8")):
        with pytest.raises(DomainError) as err:
            services.import_ledger(user("market_cw"), name, data)
        assert err.value.errors[0][0] == "file" and (expected is None or expected in str(err.value.errors[0][1])), name
        db.session.rollback()


def test_a_ledger_sent_again_without_the_optional_columns_keeps_what_they_held_and_changes_are_audited(org, clock):
    from app.audit.models import AdminChange

    first = _xlsx(["行政许可", "许〔2026〕9号", "甲公司", "2026-11-02", "2026-11-05", "https://www.example.gov.cn/9"])
    services.import_ledger(user("market_cw"), "ledger.xlsx", first)
    db.session.commit()
    # The same decisions, from a file without the publication columns: the days already recorded stay.
    short = _xlsx(["行政许可", "许〔2026〕9号", "甲公司（更名后）", "2026-11-02"], head=HEAD[:4])
    assert services.import_ledger(user("market_cw"), "ledger.xlsx", short) == (0, 1)
    db.session.commit()
    entry = db.session.scalar(select(PublicityEntry))
    assert entry.published_on == date(2026, 11, 5) and entry.link.endswith("/9") and entry.party == "甲公司（更名后）"
    # A publication day rewritten later is on the record with what it was.
    services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(["行政许可", "许〔2026〕9号", "甲公司（更名后）", "2026-11-02",
                                                                    "2026-11-04", "https://www.example.gov.cn/9"]))
    db.session.commit()
    change = db.session.scalar(select(AdminChange).where(AdminChange.entity == "publicity_entry").order_by(AdminChange.id.desc()))
    assert change.before["published_on"] == "2026-11-05" and change.after["published_on"] == "2026-11-04"
    # A blank publication cell does not undo a recorded publication (a template's rows sent as they are, say).
    services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(["行政许可", "许〔2026〕9号", "甲公司（更名后）", "2026-11-02", "", ""]))
    db.session.commit()
    assert db.session.scalar(select(PublicityEntry)).published_on == date(2026, 11, 4)


def test_a_ledger_of_too_many_rows_is_refused_with_the_ledgers_own_limit(org, clock, monkeypatch):
    monkeypatch.setattr(services, "MAX_ROWS", 3)
    rows = [["行政许可", f"许{n}", "甲公司", "2026-11-02", "", ""] for n in range(5)]
    with pytest.raises(DomainError) as err:
        services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(*rows))
    assert str(err.value.errors[0][1]) == "每个文件最多 3 行。"


def test_the_monthly_monitoring_report_carries_the_publication_figures(org, clock):
    from openpyxl import load_workbook

    from app.blobs import store as blobs
    from app.supervision import reports

    services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(
        ["行政许可", "许〔2026〕1号", "甲公司", "2026-11-02", "2026-11-05", ""],
        ["行政处罚", "罚〔2026〕4号", "丁公司", "2026-11-06", "", ""]))
    db.session.commit()
    made = reports.generate("2026-11")
    xlsx = next(r for r in made if r.fmt == "xlsx")
    wb = load_workbook(io.BytesIO(blobs.read(xlsx.sha256)))
    sheet = next(ws for ws in wb.worksheets if ws.cell(1, 1).value == "各单位双公示及时性")
    assert [c.value for c in sheet[3]][:6] == ["市市场监管局", 2, 1, 0, 1, 0]  # one on time, one overdue


def test_the_templates_example_rows_sent_back_are_refused_not_counted_as_the_units_decisions(org, clock):
    from openpyxl import load_workbook

    template = load_workbook(io.BytesIO(services.template())).active
    rows = [[c.value for c in r] for r in template.iter_rows(min_row=2)]
    real = ["行政处罚", "市监罚〔2026〕88号", "某建材有限公司", "2026-11-16", "2026-11-20", ""]
    with pytest.raises(DomainError) as err:
        services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(*rows, real))
    said = [str(m) for _f, m in err.value.errors]
    assert said == ["第 2 行是模板中的示例：请删除后重新上传。", "第 3 行是模板中的示例：请删除后重新上传。"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PublicityEntry)) == 0
    assert services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(real)) == (1, 0)  # (without them: filed)


def test_a_decision_of_a_months_last_days_is_reported_late_in_the_month_it_was_due(org, clock):
    """Seed 003 5 (月通报, 零迟报): the notice of a month, made once it is over, counts the decisions due in it. One made on
    27 November, due in December and never published, is overdue in December's figures, not "within its time" in
    November's and then in none."""
    clock.move_to("2026-11-30T02:00:00+00:00")
    services.import_ledger(user("market_cw"), "ledger.xlsx", _xlsx(
        ["行政处罚", "罚〔2026〕9号", "戊公司", "2026-11-27", "", ""],
        ["行政许可", "许〔2026〕3号", "己公司", "2026-11-02", "2026-11-05", ""]))
    db.session.commit()
    late = db.session.scalar(select(PublicityEntry).where(PublicityEntry.decision_no == "罚〔2026〕9号"))
    assert late.due_on == date(2026, 12, 8)  # 7 working days after Friday 27 November
    clock.move_to("2027-01-01T02:00:00+00:00")
    market = unit_id("市市场监管局")
    nov = {r["unit_id"]: r for r in services.figures(date(2026, 11, 1), date(2026, 11, 30))}[market]
    dec = {r["unit_id"]: r for r in services.figures(date(2026, 12, 1), date(2026, 12, 31))}[market]
    assert (nov["total"], nov["on_time"], nov["overdue"], nov["pending"]) == (1, 1, 0, 0)
    assert (dec["total"], dec["on_time"], dec["overdue"], dec["pending"]) == (1, 0, 1, 0)
    overdue = services.entries(user("office1"), 1, market, "overdue", "2026-12")
    assert [e.decision_no for e in overdue.items] == ["罚〔2026〕9号"]

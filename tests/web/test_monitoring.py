"""Dashboard and report figures against fixtures computed by hand; reports as PDF and XLSX; exports;
typical cases and the quarterly quota; who may see what."""
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.supervision import monitoring, reports
from app.supervision.models import Report
from tests.conftest import csrf_from, login
from tests.helpers import COMPANY2, applicant_for, complete, file_case, in_effect_case, only_task


def test_figures_match_a_hand_count(org, clock, app):
    a, codes = in_effect_case()            # pre_review, schedule, determination, filing, 3 implement, feedback
    file_case(subjects=(COMPANY2,))        # at pre-review
    clock.shift(timedelta(hours=30))
    c = file_case(subjects=(("enterprise", "某三公司", "91510400MA6X000304"),))
    clock.shift(timedelta(hours=50))
    complete("market_lead", only_task(c.id, "pre_review"), {"outcome": "accept"})  # took 50 h
    d = monitoring.dashboard()
    assert dict(d["by_status"]) == {"in_effect": 1, "pre_review": 1, "determination": 1}
    assert dict(d["by_group"]) == {"市场监管专项小组": 3}
    assert d["by_month"] == [("2026-11", 3)]
    pre = next(r for r in d["step_times"] if r["bpmn_id"] == "pre_review")
    assert pre["count"] == 2 and pre["avg"] == 25.0 and pre["p90"] == 50.0  # 0 h and 50 h
    units = {r["unit"]: r for r in d["on_time"]}
    assert units["市市场监管局"]["rate"] == 100.0
    # One enterprise under a serious-dishonesty entry (SC-P-001) among 150,000 registered.
    assert d["serious"] == {"subjects": 1, "registered": 150000, "percent": 0.001, "warning": False, "as_of": None}
    app.config["REGISTERED_ENTERPRISES"] = 50
    try:
        assert monitoring.serious_share()["warning"] is True  # 2%
    finally:
        app.config["REGISTERED_ENTERPRISES"] = 150000
    # Objection outcomes are counted too.
    from app.rights import objections

    objections.file_objection(applicant_for(a, codes), a.id, "异议", [])
    db.session.commit()
    assert monitoring.outcomes() == [("objection", "objection_reply", 1)]


def test_reports_pdf_and_xlsx_are_generated_stored_and_downloadable(client, org, clock):
    in_effect_case()
    login(client, "supervisor1")
    page = client.get("/supervision/reports").get_data(as_text=True)
    for month in ("2026-09", "2026-11"):
        client.post("/supervision/reports", data={"csrf_token": csrf_from(page), "month": month})
    rows = db.session.scalars(select(Report).order_by(Report.month, Report.fmt)).all()
    assert [(r.month, r.fmt) for r in rows] == [("2026-09", "pdf"), ("2026-09", "xlsx"), ("2026-11", "pdf"), ("2026-11", "xlsx")]
    with client.get(f"/supervision/reports/{rows[0].id}") as resp:
        assert resp.data.startswith(b"%PDF") and b"STSong-Light" in resp.data
    statuses = {}
    for r in (rows[1], rows[3]):
        with client.get(f"/supervision/reports/{r.id}") as resp:
            wb = load_workbook(io.BytesIO(resp.data))
            statuses[r.month] = {row[0].value: row[1].value for row in wb["1"].iter_rows(min_row=3)}
    # Each report covers its own month: the case filed on 23 November counts in November only.
    assert statuses == {"2026-09": {}, "2026-11": {"生效中": 1}}
    # The scheduler's daily job makes the previous month's report and the previous quarter's notice, once.
    made = reports.generate_monthly_if_missing()
    assert sorted({r.month for r in made}) == ["2026-10", "2026-Q3"]
    assert reports.generate_monthly_if_missing() == []
    c = client.application.test_client()
    login(c, "market_cw")
    assert c.get(f"/supervision/reports/{rows[0].id}").status_code == 403
    assert c.get("/supervision/dashboard").status_code == 403


def test_exports_and_dashboard_page(client, org, clock):
    case = file_case()
    login(client, "supervisor1")
    html = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "vendor/chartjs/chart.umd.min.js" in html
    csv_bytes = client.get("/supervision/export.csv").data
    assert case.number.encode() in csv_bytes and "专项小组预审".encode() in csv_bytes
    wb = load_workbook(io.BytesIO(client.get("/supervision/export.xlsx").data))
    assert wb.active["A2"].value == case.number


def test_typical_cases_and_the_quota(client, org, clock):
    case, _codes = in_effect_case()
    login(client, "market_cw")
    page = client.get("/supervision/typical").get_data(as_text=True)
    client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number, "summary": "典型案例摘要"})
    quota = monitoring.typical_quota()
    row = next(r for r in quota["rows"] if r["unit"] == "市市场监管局")
    assert row["count"] == 1 and row in quota["below"]
    other = client.application.test_client()
    login(other, "env_cw")
    page = other.get("/supervision/typical").get_data(as_text=True)
    other.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number, "summary": "不是本单位的"})
    assert next(r for r in monitoring.typical_quota()["rows"] if r["unit"] == "市生态环境局")["count"] == 0


def test_only_the_filing_unit_registers_a_typical_case(client, org, clock):
    case, _codes = in_effect_case()
    login(client, "finance_cw")  # an implementing unit of the case, not its filing unit
    page = client.get("/supervision/typical").get_data(as_text=True)
    client.post("/supervision/typical", data={"csrf_token": csrf_from(page), "case_number": case.number, "summary": "x"})
    assert next(r for r in monitoring.typical_quota()["rows"] if r["unit"] == "市财政局")["count"] == 0
    c = client.application.test_client()
    login(c, "expert1")
    assert c.get("/supervision/typical").status_code == 403

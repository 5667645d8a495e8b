"""信用核查 through the browser's requests: the desk's form and answer, recording what the unit did, the batch
download, the log (all units for supervisors, one's own otherwise), the subject's view, and who may not."""
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from app.credit.models import CheckApplication, CreditCheck
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import COMPANY, applicant_for, in_effect_case

CODE = COMPANY[2]


def test_a_desk_checks_records_and_the_log_and_subject_see_it(client, org, clock):
    case, codes = in_effect_case()
    login(client, "finance_cw")
    page = client.get("/check/").get_data(as_text=True)
    assert "行政许可" in page
    resp = client.post("/check/", data={"csrf_token": csrf_from(page), "code": "91510400MA6X000103", "matter_type": "licence",
                                        "matter_no": "XK-1"})
    assert resp.status_code == 200 and "校验" in resp.get_data(as_text=True)
    resp = client.post("/check/", data={"csrf_token": csrf_from(page), "code": CODE, "matter_type": "procurement",
                                        "matter_no": "CG-2026-001"})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "正在被联合惩戒" in html and "限制参与政府采购活动" in html and case.number in html
    assert "限制参与工程建设项目招标投标" not in html  # the housing bureau's measure, not this desk's
    listing_id = re.search(r'name="listing_id" value="(\d+)"', html).group(1)
    resp = client.post(resp.headers["Location"], data={"csrf_token": csrf_from(html), "listing_id": listing_id, "action": "refused",
                                                       "note": "不予受理"}, follow_redirects=True)
    assert "不予办理" in resp.get_data(as_text=True)
    assert db.session.scalar(select(CheckApplication.action)) == "refused"

    sup = client.application.test_client()
    login(sup, "supervisor1")
    log = sup.get("/check/log").get_data(as_text=True)
    assert "市财政局" in log and "915104********0102" in log and CODE not in log and "CG-2026-001" in log
    # The unit's own log leads back to each check, where it records what it did; a supervisor's does not.
    check_id = db.session.scalar(select(CreditCheck.id))
    assert f'href="/check/{check_id}"' in client.get("/check/log").get_data(as_text=True)
    assert f'href="/check/{check_id}"' not in log
    other = client.application.test_client()
    login(other, "tax_cw")
    assert "CG-2026-001" not in other.get("/check/log").get_data(as_text=True)  # another unit's checks
    check_id = db.session.scalar(select(CreditCheck.id))
    assert other.get(f"/check/{check_id}").status_code == 404

    applicant_for(case, codes)
    me = client.application.test_client()
    login(me, "applicant1")
    assert me.get("/check/").status_code == 403
    portal = me.get("/portal/").get_data(as_text=True)
    assert "市财政局" in portal and "政府采购" in portal and "CG-2026-001" not in portal


def test_batch_download(client, org, clock):
    in_effect_case()
    login(client, "finance_cw")
    page = client.get("/check/batch").get_data(as_text=True)
    tpl = client.get("/check/batch/template.xlsx")
    assert tpl.status_code == 200
    csv = f"代码,事项类型,事项编号\n{CODE},政府采购,CG-9\n".encode("utf-8-sig")
    resp = client.post("/check/batch", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(csv), "subjects.csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet")
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert rows[1][0] == CODE and rows[1][4] == "正在被联合惩戒"
    resp = client.post("/check/batch", data={"csrf_token": csrf_from(page), "file": (io.BytesIO(b"\xff\xfe"), "x.csv")},
                       content_type="multipart/form-data")
    assert "UTF-8" in resp.get_data(as_text=True)


def test_a_batch_sent_without_a_file_points_to_its_error(client, org, clock):
    login(client, "finance_cw")
    page = client.get("/check/batch").get_data(as_text=True)
    html = client.post("/check/batch", data={"csrf_token": csrf_from(page)}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'aria-describedby="file-error"' in html and 'id="file-error"' in html


def test_the_administrators_and_supervisors_do_not_check_credit(client, org, clock):
    """三员分立: the security and audit administrators do no business work, so they neither check nor read the log;
    a supervisor reads the log but does not check (only the units' desks do)."""
    case, _codes = in_effect_case()
    for name in ("secadmin", "auditor"):
        c = client.application.test_client()
        login(c, name)
        for path in ("/check/", "/check/batch", "/check/batch/template.xlsx", "/check/log"):
            assert c.get(path).status_code == 403, (name, path)
    c = client.application.test_client()
    login(c, "supervisor1")
    page = c.get("/check/log")
    assert page.status_code == 200
    assert c.get("/check/").status_code == 403
    assert c.post("/check/", data={"csrf_token": csrf_from(page.get_data(as_text=True)), "code": CODE,
                                   "matter_type": "licence", "matter_no": "X-1"}).status_code == 403
    assert db.session.scalar(select(CreditCheck.id)) is None


def test_a_repaired_listing_reads_as_no_longer_applying_not_as_applied(client, org, clock):
    """Seed 001 二(三)1: after repair no measure applies; the unit's last confirmed state (已实施) is not shown beside it."""
    from datetime import timedelta

    from app.rights import repair
    from tests.conftest import user
    from tests.helpers import PDF, do, task_of

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改", True, [PDF], [])
    db.session.commit()
    do(user("market_cw"), task_of(rep.id, "review_repair"), {"outcome": "approve", "reasons": "准予"})
    db.session.commit()
    measures = _finance_desk_measures(client, "CG-2027-001")
    assert "措施不再适用" in measures and "已实施" not in measures


def _finance_desk_measures(client, matter_no: str) -> str:
    """The finance bureau's desk checks the company: the part of the answer about its own measures."""
    login(client, "finance_cw")
    page = client.get("/check/").get_data(as_text=True)
    resp = client.post("/check/", data={"csrf_token": csrf_from(page), "code": CODE, "matter_type": "procurement",
                                        "matter_no": matter_no})
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    return html.split("本单位实施的措施")[1][:600]


def test_a_suspended_listing_does_not_read_as_applied_before_the_unit_confirms(client, org, clock):
    """The punishment is suspended by an objection; until the unit confirms the push, its last state (已实施) is not shown
    above the instruction not to apply the measures: the badge says the suspension waits for its confirmation."""
    from app.rights import objections

    case, codes = in_effect_case()
    objections.file_objection(applicant_for(case, codes), case.id, "处罚所依据的决定已被撤销。", [])
    db.session.commit()
    measures = _finance_desk_measures(client, "CG-2027-002")
    assert "暂停通知待本单位确认" in measures and "已实施" not in measures and "暂停" in measures

"""The task page's other paths through HTTP: a refused value goes back onto the form (200, nothing saved),
a task a colleague claimed is refused with 409 and the form kept, and a lost race on the instance's
version column (StaleDataError at the save) is a 409 with a clear message, never a 500."""
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.cases import runtime
from app.cases.models import Case, CaseEvent
from app.enums import EventType
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import add_colleague_of, file_case, only_task


def _events(case_id, kind):
    return db.session.scalar(select(func.count()).where(CaseEvent.case_id == case_id, CaseEvent.type == kind))


def test_a_value_the_service_refuses_is_shown_on_the_form_and_nothing_is_saved(client, org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "outcome": "return", "reasons": "  "})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "请填写退回触发申报的理由" in html and 'value="return"' in html
    assert db.session.get(Case, case.id).status == "pre_review"
    assert _events(case.id, EventType.TASK_COMPLETED) == 0
    assert only_task(case.id, "pre_review").id == ot.id


def test_a_task_claimed_by_a_colleague_is_refused_with_409_and_nothing_saved(client, org, clock):
    add_colleague_of("market_lead", "market_lead2")
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    other = client.application.test_client()
    login(other, "market_lead2")
    inbox = other.get("/tasks/").get_data(as_text=True)
    assert other.post(f"/tasks/{ot.task_id}/claim", data={"csrf_token": csrf_from(inbox)}).status_code == 302
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "outcome": "return",
                                                     "reasons": "我写的退回理由"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "钱组员 已认领该任务" in html
    assert db.session.get(Case, case.id).status == "pre_review"


def test_losing_the_race_at_the_save_is_a_409_with_a_clear_message(client, org, clock, monkeypatch):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)

    def someone_else_saved_first(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'process_instance' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(runtime, "save", someone_else_saved_first)
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(page), "outcome": "accept", "reasons": ""})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "该任务同时被他人办理或修改，或同一表单被重复提交" in html
    monkeypatch.undo()
    assert db.session.get(Case, case.id).status == "pre_review"
    assert _events(case.id, EventType.TASK_COMPLETED) == 0


def test_the_task_page_names_the_attending_units(client, org, clock):
    import re

    from tests.helpers import complete, determine, open_tasks, unit_id

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    ot = next(t for t in open_tasks(case.id, "implement") if t.unit_id == unit_id("市财政局"))
    login(client, "finance_cw")
    html = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    attending = re.search(r"参会单位[:：]\s*([^<]*)<", html).group(1)
    assert "市市场监管局" in attending and not re.search(r"\d", attending)


def test_checkbox_groups_do_not_make_the_browser_require_every_box(client, org, clock):
    import re

    from tests.helpers import complete, schedule

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    schedule("market_lead", only_task(case.id, "schedule_meeting"))
    ot = only_task(case.id, "determination")
    login(client, "market_lead")
    html = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    boxes = re.findall(r'<input[^>]*name="attending_unit_ids"[^>]*>', html)
    assert len(boxes) > 1 and not any("required" in b for b in boxes)


def test_an_expired_token_gives_the_form_back_with_the_text_and_completes_nothing(client, org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    client.get(f"/tasks/{ot.task_id}")
    reasons = "退回：当事人名称与登记信息不一致，" * 20
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": "expired", "outcome": "return", "reasons": reasons})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "表单已过期" in html and reasons in html
    assert _events(case.id, EventType.TASK_COMPLETED) == 0 and only_task(case.id, "pre_review").id == ot.id
    # With the page's new token the same text goes through.
    resp = client.post(f"/tasks/{ot.task_id}", data={"csrf_token": csrf_from(html), "outcome": "return", "reasons": reasons})
    assert resp.status_code == 302 and _events(case.id, EventType.TASK_COMPLETED) == 1


def test_a_post_without_a_token_from_another_site_completes_nothing(client, org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    resp = client.post(f"/tasks/{ot.task_id}", data={"outcome": "accept"}, headers={"Referer": "https://evil.example/"})
    assert resp.status_code == 200 and _events(case.id, EventType.TASK_COMPLETED) == 0
    resp = client.post(f"/tasks/{ot.task_id}/claim", data={})  # a button without a form of its own: the global check
    assert resp.status_code == 302 and only_task(case.id, "pre_review").claimed_by_id is None


def test_the_repair_reviewer_is_told_of_an_objection_to_the_same_punishment(client, org, clock):
    from datetime import timedelta

    from app.extensions import db
    from app.rights import objections, repair
    from tests.helpers import PDF, applicant_for, in_effect_case, task_of

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.shift(timedelta(days=100))
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    login(client, "market_cw")
    review = task_of(rep.id, "review_repair")
    assert "异议正在办理" not in client.get(f"/tasks/{review.task_id}").get_data(as_text=True)
    obj = objections.file_objection(applicant, case.id, "认定有误。", [])
    db.session.commit()
    page = client.get(f"/tasks/{review.task_id}").get_data(as_text=True)
    assert "异议正在办理" in page and obj.number in page

"""Files sent with a task form that is refused stay with it for the next submission, as on the trigger and the
portal's forms (a browser cannot refill a file input)."""
import io
import re

from sqlalchemy import func, select

from app.cases.models import Attachment
from app.extensions import db
from tests.conftest import csrf_from, login
from tests.helpers import PDF, complete, determine, file_case, only_task, open_tasks, unit_id


def _implementation_task():
    """A decided case and the market regulator's implementation task of it."""
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    return case, next(t for t in open_tasks(case.id, "implement") if t.unit_id == unit_id("市市场监管局"))


def test_a_refused_task_form_keeps_its_files_for_the_next_submission(client, org, clock):
    case, task = _implementation_task()
    login(client, "market_cw")
    url = f"/tasks/{task.task_id}"
    page = client.get(url).get_data(as_text=True)
    refused = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "outcome": "applied", "report": "",
        "files": (io.BytesIO(PDF.data), "实施情况.pdf")})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "实施情况.pdf" in html and "已保留" in html
    token = re.search(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', html).group(1)
    # (chosen again although kept: the same file counts once)
    done = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(html), "outcome": "applied", "report": "已在系统中设置限制", "staged-files": token,
        "files": (io.BytesIO(PDF.data), "实施情况.pdf")})
    assert done.status_code == 302
    names = db.session.scalars(select(Attachment.filename).where(Attachment.case_id == case.id)).all()
    assert names.count("实施情况.pdf") == 1


def test_a_task_form_refused_by_a_conflict_keeps_its_files_too(client, org, clock, monkeypatch):
    """Someone else saved the case first (409): the form comes back with the files sent listed for the next
    submission, as after any refusal, instead of silently dropping them."""
    from sqlalchemy.orm.exc import StaleDataError

    from app.cases import runtime

    case, task = _implementation_task()
    login(client, "market_cw")
    url = f"/tasks/{task.task_id}"
    page = client.get(url).get_data(as_text=True)

    def someone_else_saved_first(*args, **kwargs):
        raise StaleDataError("UPDATE statement on table 'process_instance' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(runtime, "save", someone_else_saved_first)
    resp = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(page), "outcome": "applied", "report": "已设置限制",
        "files": (io.BytesIO(PDF.data), "冲突时的实施情况.pdf")})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "冲突时的实施情况.pdf" in html and "已保留" in html
    monkeypatch.undo()
    token = re.search(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', html).group(1)
    done = client.post(url, content_type="multipart/form-data", data={
        "csrf_token": csrf_from(html), "outcome": "applied", "report": "已设置限制", "staged-files": token})
    assert done.status_code == 302
    assert "冲突时的实施情况.pdf" in db.session.scalars(select(Attachment.filename).where(Attachment.case_id == case.id)).all()


def test_files_kept_across_refusals_stop_at_what_one_submission_takes(client, org, clock):
    """Refused again and again with new files each time, a form keeps at most ten (what one submission takes): the
    rest are not stored, and the form says so."""
    from app.cases.models import StagedUpload

    case, task = _implementation_task()
    login(client, "market_cw")
    url = f"/tasks/{task.task_id}"
    html, tokens = client.get(url).get_data(as_text=True), []
    for round_ in range(3):
        files = [(io.BytesIO(PDF.data.replace(b"%%EOF", f"%{round_}-{i}\n%%EOF".encode())), f"f{round_}-{i}.pdf") for i in range(6)]
        resp = client.post(url, content_type="multipart/form-data", data={
            "csrf_token": csrf_from(html), "outcome": "applied", "report": "", "staged-files": tokens, "files": files})
        html = resp.get_data(as_text=True)
        tokens = re.findall(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', html)
    assert len(tokens) == 10 and db.session.scalar(select(func.count(StagedUpload.id))) == 10
    assert "未保留" in html

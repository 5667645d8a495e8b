"""The filing form as a caseworker meets it: rows for more subjects on request, too many subjects refused
with a message (never silently cut), and files attached to a form that fails validation are kept for the
next submission (and usable by no one else)."""
import io
import re

from sqlalchemy import func, select

from app.cases.models import Attachment, Case, CaseSubject
from app.extensions import db
from tests.conftest import login
from tests.helpers import PDF, add_colleague_of, trigger_data


def _cases():
    return db.session.scalar(select(func.count()).select_from(Case))


def _with_subjects(data, n):
    for i in range(n):
        data[f"subjects-{i}-kind"] = "person"
        data[f"subjects-{i}-name"] = f"张{i}"
        data[f"subjects-{i}-code"] = "510402196207179143"
    return data


def test_more_subjects_than_allowed_are_refused_not_cut(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=_with_subjects(trigger_data(page), 21))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "一次最多可填写20个主体" in html
    assert _cases() == 0


def test_twelve_subjects_are_all_kept(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    data = trigger_data(page)
    for i in range(12):
        data[f"subjects-{i}-kind"] = "enterprise"
        data[f"subjects-{i}-name"] = f"第{i}号有限公司"
        data[f"subjects-{i}-code"] = ""
    data["subjects-0-code"] = "91510400MA6X000102"
    resp = client.post("/cases/new", data=data)
    html = resp.get_data(as_text=True)
    # Without codes the rows are refused by name, but every row is still on the page: none dropped.
    assert resp.status_code == 200 and all(f"第{i}号有限公司" in html for i in range(12))
    assert _cases() == 0


def test_a_row_can_be_added_without_losing_what_was_typed(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    assert len(re.findall(r'name="subjects-\d+-name"', page)) == 3
    data = trigger_data(page, add_row="1")
    resp = client.post("/cases/new", data=data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _cases() == 0
    assert len(re.findall(r'name="subjects-\d+-name"', html)) == 4 and "网页测试有限公司" in html
    assert "请修改标出的内容" not in html  # adding a row is not an error


def test_files_of_a_refused_submission_are_kept_for_the_next_one(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    data = trigger_data(page, title="")
    data["files"] = [(io.BytesIO(PDF.data), "现场检查记录.pdf")]
    resp = client.post("/cases/new", data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请填写简要标题" in html
    assert "现场检查记录.pdf" in html and "已保留" in html
    token = re.search(r'name="staged-files" type="checkbox" value="([0-9a-f]+)"', html)
    token = token.group(1)

    # Another caseworker cannot use the kept file.
    add_colleague_of("market_cw", "market_cw2")  # same unit, another person
    other = client.application.test_client()
    login(other, "market_cw2")
    their_page = other.get("/cases/new").get_data(as_text=True)
    resp = other.post("/cases/new", data=dict(trigger_data(their_page, files=[]), **{"staged-files": token}))
    assert resp.status_code == 200 and "请附上证据材料" in resp.get_data(as_text=True)  # (the file is not theirs: none)
    assert _cases() == 0

    data = trigger_data(html, files=[], **{"staged-files": token})
    resp = client.post("/cases/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    case = db.session.scalar(select(Case))
    assert [a.filename for a in db.session.scalars(select(Attachment).where(Attachment.case_id == case.id))] == ["现场检查记录.pdf"]
    assert db.session.scalar(select(func.count()).select_from(CaseSubject).where(CaseSubject.case_id == case.id)) == 1


def test_the_same_filing_form_sent_twice_files_one_case(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    data = trigger_data(page, submission_key=key)
    first = client.post("/cases/new", data=data)
    again = client.post("/cases/new", data=trigger_data(page, submission_key=key), follow_redirects=True)  # (the same form)
    assert first.status_code == 302 and db.session.scalar(select(func.count(Case.id))) == 1
    case = db.session.scalar(select(Case))
    assert first.headers["Location"].endswith(f"/cases/{case.id}") and f"此表单已提交过：已立案 {case.number}" in again.get_data(as_text=True)
    # A new form (a new key) files a new case.
    page = client.get("/cases/new").get_data(as_text=True)
    assert key not in page
    assert client.post("/cases/new", data=trigger_data(page, submission_key=re.search(
        r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', page).group(1))).status_code == 302
    assert db.session.scalar(select(func.count(Case.id))) == 2


def test_the_form_offers_only_behaviour_in_the_units_own_field_and_the_service_refuses_any_other(client, org, clock):
    import pytest

    from app.catalog.models import CatalogEntry
    from app.errors import DomainError
    from app.joint import services
    from tests.conftest import user
    from tests.helpers import COMPANY, entry_id

    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    own = {e.code for e in db.session.scalars(select(CatalogEntry)) if e.current_version.admin_unit_id == user("market_cw").unit_id}
    assert own and all(code in page for code in own)
    assert "FIN-P-002" not in page and "SC-P-002" not in page  # administered by the tax office
    resp = client.post("/cases/new", data=trigger_data(page, entry_ids=[str(entry_id("FIN-P-002"))]))
    assert resp.status_code == 200 and db.session.scalar(select(func.count(Case.id))) == 0
    with pytest.raises(DomainError) as refused:
        services.file_trigger(user("market_cw"), subjects=[services.SubjectIn(*COMPANY)], entry_ids=[entry_id("FIN-P-002")],
                              title="t", facts="f", legal_basis="l", files=[PDF])
    db.session.rollback()
    assert "FIN-P-002" in str(refused.value.errors[0][1])


def test_a_subject_registered_under_another_name_is_named_as_registered_and_the_user_is_told(client, org, clock):
    from tests.helpers import file_case

    first = file_case()  # registers 91510400MA6X000102 as 测试建材有限公司
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=trigger_data(page, **{"subjects-0-name": "另一个名称有限公司"}), follow_redirects=True)
    html = resp.get_data(as_text=True)
    second = db.session.scalar(select(Case).where(Case.id != first.id))
    assert second.subjects[0].subject.name == "测试建材有限公司"
    assert "已登记为“测试建材有限公司”" in html and "另一个名称有限公司" in html and "915104********0102" in html


def test_an_expired_form_comes_back_with_what_was_typed_and_files_nothing(client, org, clock):
    """The CSRF token expired while the facts were being written: the form comes back with the text and a new token
    (not a redirect that loses it); nothing is filed and no file is kept from the refused request."""
    from app.cases.models import StagedUpload

    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    long_facts = "经查，该公司于2026年多次" + "未按规定公示年度报告，" * 40
    data = trigger_data(page, facts=long_facts, csrf_token="expired-token")
    data["files"] = [(io.BytesIO(PDF.data), "现场检查记录.pdf")]
    before = _cases()
    resp = client.post("/cases/new", data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "表单已过期" in html and long_facts in html
    assert _cases() == before and db.session.scalar(select(func.count()).select_from(StagedUpload)) == 0
    again = trigger_data(html, facts=long_facts)  # the new token the page carries
    assert again["csrf_token"] != "expired-token"
    assert client.post("/cases/new", data=again).status_code == 302 and _cases() == before + 1


def test_adding_a_row_without_a_valid_token_keeps_no_file(client, org, clock):
    """The add-row button does not validate the form; files are still kept only from a post whose token holds."""
    from app.cases.models import StagedUpload

    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    for token in (None, "forged"):
        data = trigger_data(page, add_row="1")
        if token is None:
            data.pop("csrf_token")
        else:
            data["csrf_token"] = token
        data["files"] = [(io.BytesIO(PDF.data), "evil.pdf")]
        assert client.post("/cases/new", data=data, content_type="multipart/form-data").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(StagedUpload)) == 0
    data = trigger_data(page, add_row="1")  # with the page's token the file is kept, as before
    data["files"] = [(io.BytesIO(PDF.data), "现场检查记录.pdf")]
    client.post("/cases/new", data=data, content_type="multipart/form-data")
    assert db.session.scalar(select(func.count()).select_from(StagedUpload)) == 1


def test_over_https_a_post_from_another_site_is_refused_even_where_the_form_checks_its_own_token(client, org, clock):
    """The filing form checks its token itself (an expired one gives the form back), but Flask-WTF's strict Referer
    check over HTTPS still applies: a valid token sent from another origin files nothing."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    before = _cases()
    https = {"base_url": "https://localhost"}
    for headers in ({}, {"Referer": "https://evil.example/cases/new"}):
        resp = client.post("/cases/new", data=trigger_data(page), headers=headers, follow_redirects=True, **https)
        assert "表单已过期或被重复提交" in resp.get_data(as_text=True) and _cases() == before
    resp = client.post("/cases/new", data=trigger_data(page), headers={"Referer": "https://localhost/cases/new"}, **https)
    assert resp.status_code == 302 and _cases() == before + 1


def test_enter_in_a_field_files_the_form_rather_than_adding_a_row(client, org, clock):
    """A browser submits a form on Enter with its first submit button: that one must file, not add a subject row."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    form = page[page.index("<form method=\"post\" enctype=\"multipart/form-data\""):]
    first = re.search(r"<button\b[^>]*>", form).group(0)
    assert 'type="submit"' in first and "add_row" not in first


def test_the_amendment_task_shows_why_the_filing_was_returned(client, org, clock):
    from tests.helpers import complete, file_case, only_task

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "return", "reasons": "请补充处罚决定书的文号。"})
    login(client, "market_cw")
    page = client.get(f"/tasks/{only_task(case.id, 'amend_trigger').task_id}").get_data(as_text=True)
    form_card = page.split("border-primary")[1].split("enctype=\"multipart/form-data\"")[0]  # the task's card, above its form
    assert "专项小组退回补正的理由" in form_card and "请补充处罚决定书的文号。" in form_card


def test_a_trigger_without_evidence_is_refused_and_nothing_is_written(client, org, clock):
    """A unit reports the behaviour with its evidence: a report with no file is sent back, with the fields kept. The
    field is marked required; the browser is not told to require a new file, since files kept from a refused
    submission count."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    evidence = re.search(r'<label class="form-label fw-semibold" for="files">[^<]*</label>(.*?)<input([^>]*)>', page, re.S)
    assert "必填" in evidence.group(1) and " required" not in evidence.group(2)
    resp = client.post("/cases/new", data=trigger_data(page, files=[]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "请附上证据材料" in html and "网页测试有限公司" in html
    assert _cases() == 0


def test_every_error_of_a_refused_filing_is_shown_in_one_round(client, org, clock):
    """No behaviour ticked, a subject code with a wrong check digit and no evidence: the form comes back with all three
    marked at once (the form's own check of the catalog choice used to hide the others until it was corrected)."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    resp = client.post("/cases/new", data=trigger_data(page, code="91510400MA6X000103", entry_ids=[], files=[]))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.count("请从目录清单中至少选择一项行为事项。") == 1
    assert "该统一社会信用代码的校验位有误" in html and "请附上证据材料" in html
    assert _cases() == 0
    # The form's own error of a field is not repeated by the service's.
    resp = client.post("/cases/new", data=trigger_data(page, entry_ids=[], title=""))
    html = resp.get_data(as_text=True)
    assert html.count("请填写简要标题。") == 1 and html.count("请从目录清单中至少选择一项行为事项。") == 1
    assert _cases() == 0


def test_the_row_just_added_is_marked_for_the_focus(client, org, clock):
    """“添加一行主体” is a round trip: the new row is marked so that the page's script puts the focus on its first field
    (it went to the page's top before, and a keyboard user had to tab back through the whole form)."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    assert "data-focus-row" not in page
    html = client.post("/cases/new", data=trigger_data(page, add_row="1", files=[])).get_data(as_text=True)
    marked = html.split("data-focus-row")
    assert len(marked) == 2 and 'id="subjects-3-kind"' in marked[1].split("</div>\n    </div>")[0]
    assert "请附上证据材料" not in html  # (adding a row checks nothing)


def test_an_altered_submission_key_is_said_and_the_form_sent_again_files_the_case(client, org, clock):
    """The hidden key altered (a crafted request, or a page edited): nothing is marked on the form, so the message says
    what happened; the form comes back with a new key, and sent again it files one case."""
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    html = client.post("/cases/new", data=trigger_data(page, submission_key="not-a-key")).get_data(as_text=True)
    assert "表单的隐藏内容被改动或已过期" in html and "请按提示修改标注的填写项" not in html
    assert db.session.scalar(select(func.count(Case.id))) == 0
    key = re.search(r'name="submission_key" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    assert client.post("/cases/new", data=trigger_data(html, submission_key=key)).status_code == 302
    assert db.session.scalar(select(func.count(Case.id))) == 1


def test_a_form_refused_by_its_checks_and_the_services_says_so_once(client, org, clock):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    data = trigger_data(page, code="91510400MA6X000103")  # (a wrong check character: the service's refusal)
    data["title"] = ""  # (the form's own)
    html = client.post("/cases/new", data=data).get_data(as_text=True)
    assert html.count("请按提示修改标注的填写项") == 1

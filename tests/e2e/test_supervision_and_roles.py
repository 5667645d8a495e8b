"""Journey f: the supervisor sees every case and the overdue work, issues a notice that the unit
acknowledges; and each role is kept to its own cases and pages."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import find_case, flash, register_applicant, today

OVERDUE_CASE_SUBJECT = "攀枝花某建材有限公司"  # demo: filed three weeks ago, never pre-reviewed


def case_path(page, subject_name: str) -> str:
    return find_case(page, subject_name).path


def test_supervisor_sees_cases_and_overdue_work(people):
    sup = people("supervisor1")
    sup.goto("/")
    sup.get_by_role("link", name="督查", exact=True).click()
    expect(sup.get_by_role("heading", name="全部案件")).to_be_visible()
    rows = sup.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    # Filtered by status (the list is paged; the status filter has no label, so it is found by name).
    for key, status, subject in (("in_effect", "生效中", "某装饰工程有限公司"),
                                 ("suspended", "异议或投诉处理期间暂停执行", "某食品有限公司"),
                                 ("implementing", "实施中", "某化工有限公司")):
        sup.locator("select[name=status]").select_option(label=status)
        sup.get_by_role("button", name="筛选").click()
        expect(sup).to_have_url(re.compile(rf"status={key}"))
        row = rows.filter(has_text=subject).filter(has_text="失信联合惩戒")
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(2)).to_have_text(status)
    sup.locator("select[name=status]").select_option(label="全部状态")
    expect(sup.get_by_role("link", name="发起触发申报")).to_have_count(0)
    expect(sup.get_by_role("link", name="我的待办")).to_have_count(0)

    # Overdue only: the demo's unreviewed trigger, with the step, its unit and the days overdue.
    sup.get_by_label("仅显示已超期").check()
    sup.get_by_role("button", name="筛选").click()
    expect(sup).to_have_url(re.compile(r"overdue=1"))
    overdue = rows.filter(has_text=OVERDUE_CASE_SUBJECT)
    expect(overdue).to_contain_text("专项小组预审 · 市市场监管局")
    expect(overdue).to_contain_text("预审")
    expect(overdue).to_have_class(re.compile(r"table-danger"))
    days = int(overdue.locator("td").last.inner_text())
    assert days >= 10, days
    expect(overdue.get_by_text(f"已超期 {days} 天")).to_be_visible()
    expect(rows.filter(has_text="某装饰工程有限公司")).to_have_count(0)

    # 超期督办: overdue steps by unit and by step; a notice (通报) to the market regulator.
    sup.get_by_role("link", name="超期督办").click()
    expect(sup.get_by_role("heading", name="超期督办", level=1)).to_be_visible()
    unit = sup.get_by_role("row").filter(has=sup.get_by_role("cell", name="市市场监管局", exact=True))
    expect(unit.locator("td").nth(1)).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(sup.get_by_role("row").filter(has_text="专项小组预审").first).to_be_visible()
    unit.get_by_text("通报 / 约谈").click()
    expect(unit.get_by_label("通报")).to_be_checked()
    # The date input has no label or placeholder on this page: found by its name.
    unit.locator("input[name=on_date]").fill(today().isoformat())
    text = "你局有触发申报逾期未预审，请于三个工作日内办结并书面说明原因。"
    unit.get_by_placeholder("内容").fill(text)
    unit.get_by_role("button", name="发出").click()
    expect(flash(sup)).to_have_text(re.compile(r"已向市市场监管局发出，并记入 [1-9]\d* 个相关案件的办理轨迹。"))
    notice = sup.locator("main .border.rounded").filter(has_text=text)
    expect(notice).to_contain_text("尚未签收")

    # The unit sees the notice and acknowledges it; the supervisor sees that; it is on the case timeline.
    lead = people("market_lead")
    lead.goto("/")
    lead.get_by_role("link", name="通报约谈").click()
    card = lead.locator(".card").filter(has_text=text)
    expect(card).to_contain_text("通报")
    expect(card).to_contain_text("赵督查")
    card.get_by_role("button", name="签收").click()
    expect(lead.locator(".card").filter(has_text=text)).to_contain_text("已签收")
    sup.reload()
    expect(sup.locator("main .border.rounded").filter(has_text=text)).to_contain_text("已签收")
    sup.goto(case_path(sup, OVERDUE_CASE_SUBJECT))
    expect(sup.locator("#timeline").get_by_role("row").filter(has_text="因办理超期被通报或约谈")).to_contain_text(text)


def test_roles_are_kept_to_their_own_cases(people, server):
    sup = people("supervisor1")
    food, decoration = case_path(sup, "某食品有限公司"), case_path(sup, "某装饰工程有限公司")

    # The supervisor may look but not file.
    resp = sup.goto("/cases/new")
    assert resp.status == 403
    expect(sup.get_by_text("您的角色无权进行此操作。")).to_be_visible()

    # The demo applicant sees its own subject's cases only, and gets 403 for another subject's case.
    applicant = people("applicant1")
    applicant.goto("/")
    applicant.get_by_role("link", name="我的案件").click()
    mine = applicant.locator("main table tbody tr")
    expect(mine.first).to_be_visible()
    expect(mine.filter(has_text="某装饰")).to_have_count(0)
    food_id = food.rsplit("/", 1)[1]
    expect(applicant.locator(f'main a[href="/portal/cases/{food_id}"]')).to_have_count(1)
    for path in (f"/portal/cases/{decoration.rsplit('/', 1)[1]}", decoration):
        resp = applicant.goto(path)
        assert resp.status == 403, (path, resp.status)
        expect(applicant.get_by_role("heading", name="403")).to_be_visible()
        expect(applicant.get_by_text("您无权查看此案件。")).to_be_visible()
        expect(applicant.locator("main")).not_to_contain_text("某装饰工程有限公司")

    # The access code `flask demo` prints opens an account for that subject, which sees only its cases.
    subject_code, code = server.demo_access_code()
    newcomer = people.anonymous("demo-access-code")
    register_applicant(newcomer, subject_code, code, "e2e_demo_code", "e2e-demo-code-pw")
    expect(flash(newcomer)).to_contain_text("账号已开通。以下是与您有关的案件。")
    expect(newcomer.locator("main table tbody tr").filter(has_text="XL-")).not_to_have_count(0)
    resp = newcomer.goto(food.replace("/cases/", "/portal/cases/"))
    assert resp.status == 403

    # An expert who was not drawn for a case cannot open it; a caseworker cannot open the admin pages.
    expert = people("expert14")
    resp = expert.goto(decoration)
    assert resp.status == 403
    cw = people("tax_cw")
    resp = cw.goto("/admin/users")
    assert resp.status == 403

    # Without logging in, case pages send to the login page.
    anonymous = people.anonymous()
    anonymous.goto(decoration)
    expect(anonymous).to_have_url(re.compile(r"/login\?next="))
    expect(flash(anonymous)).to_have_text("请登录后访问此页面。")

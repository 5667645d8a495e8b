"""Journey f: the supervisor sees every case and the overdue work, issues a notice that the unit
acknowledges; the office issues a summons too; a supervisor cannot acknowledge notices (only the unit's
own staff can); and each role is kept to its own cases and pages."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import find_case, flash, open_supervision, register_applicant, today

OVERDUE_CASE_SUBJECT = "攀枝花某建材有限公司"  # demo: filed three weeks ago, never pre-reviewed


def case_path(page, subject_name: str) -> str:
    return find_case(page, subject_name).path


def test_supervisor_sees_cases_and_overdue_work(people):
    sup = people("supervisor1")
    open_supervision(sup, "全部案件及其环节")
    expect(sup.get_by_role("heading", name="全部案件")).to_be_visible()
    rows = sup.locator("main table tbody tr")
    expect(rows.first).to_be_visible()
    # Filtered by status (the list is paged; the status filter has no label, so it is found by name). The
    # food company's case stays 生效中 while its subject's listing is suspended by the objection; the
    # two-group case waits for the office to name the determining body.
    for key, status, subject in (("in_effect", "生效中", "某装饰工程有限公司"),
                                 ("in_effect", "生效中", "某食品有限公司"),
                                 ("implementing", "实施中", "某化工有限公司"),
                                 ("routing", "已报送联席办：待确定认定主体", "某物流有限公司")):
        sup.locator("select[name=status]").select_option(label=status)
        sup.get_by_role("button", name="筛选").click()
        expect(sup).to_have_url(re.compile(rf"status={key}"))
        row = rows.filter(has_text=subject).filter(has_text="失信联合惩戒")
        expect(row).to_have_count(1)
        # (the status, and for a case whose subject objected, how many subjects' punishments are suspended)
        expect(row.locator("td").nth(2)).to_have_text(re.compile("^" + re.escape(status)))
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
    days = int(overdue.locator("td").last.inner_text())  # (working days, as the deadline is counted)
    assert days >= 5, days
    expect(overdue.get_by_text(f"已超期 {days} 个工作日")).to_be_visible()
    expect(rows.filter(has_text="某装饰工程有限公司")).to_have_count(0)

    # 超期督办: overdue steps by unit and by step; a notice (通报) to the market regulator.
    open_supervision(sup, "超期督办")
    expect(sup.get_by_role("heading", name="超期督办", level=1)).to_be_visible()
    unit = sup.locator("#by-unit").get_by_role("row").filter(has=sup.get_by_role("cell", name="市市场监管局", exact=True))
    expect(unit.locator("td").nth(1)).to_have_text(re.compile(r"^[1-9]\d*$"))
    expect(sup.get_by_role("row").filter(has_text="专项小组预审").first).to_be_visible()
    unit.get_by_text("通报 / 约谈").click()
    unit.get_by_label("通报", exact=True).check()
    unit.get_by_label("日期（通报日期或约谈日期）").fill(today().isoformat())
    text = "你局有触发申报逾期未预审，请于三个工作日内办结并书面说明原因。"
    unit.get_by_label("内容", exact=True).fill(text)
    unit.get_by_role("button", name="发出").click()
    expect(flash(sup)).to_have_text(re.compile(r"已向市市场监管局发出，并记入 [1-9]\d* 个相关案件的办理轨迹。"))
    notice = sup.locator("main .border.rounded").filter(has_text=text)
    expect(notice).to_contain_text("尚未签收")

    # A supervisor does not acknowledge notices: they are for the unit's own staff (the supervisor's unit is
    # the office's, but it has no 通报约谈 page).
    expect(sup.get_by_role("link", name="通报约谈")).to_have_count(0)
    resp = sup.goto("/supervision/my-notices")
    assert resp.status == 403
    expect(sup.get_by_text("您的角色无权进行此操作。")).to_be_visible()

    # The unit sees the notice and acknowledges it; the supervisor sees that; it is on the case timeline.
    lead = people("market_lead")
    lead.goto("/")
    lead.get_by_role("button", name="本单位事务").click()  # the unit's reporting work is one menu
    lead.get_by_role("link", name="通报约谈").click()
    card = lead.locator(".card").filter(has_text=text)
    expect(card).to_contain_text("通报")
    expect(card).to_contain_text("赵督查")
    card.get_by_role("button", name="签收").click()
    expect(lead.locator(".card").filter(has_text=text)).to_contain_text("已签收")
    open_supervision(sup, "超期督办")
    expect(sup.locator("main .border.rounded").filter(has_text=text)).to_contain_text("已签收")
    sup.goto(case_path(sup, OVERDUE_CASE_SUBJECT))
    expect(sup.locator("#timeline").get_by_role("row").filter(has_text="因办理超期被通报或约谈").filter(has_text=text)).to_have_count(1)

    # The office may issue notices and summons as well: it summons the market regulator, which acknowledges.
    office = people("office1")
    open_supervision(office, "超期督办")
    expect(office.get_by_role("heading", name="超期督办", level=1)).to_be_visible()
    unit = office.locator("#by-unit").get_by_role("row").filter(has=office.get_by_role("cell", name="市市场监管局", exact=True))
    expect(unit).to_have_count(1)
    expect(unit.get_by_text("通报 / 约谈")).to_have_count(1)
    unit.get_by_text("通报 / 约谈").click()
    unit.get_by_label("约谈", exact=True).check()
    unit.get_by_label("日期（通报日期或约谈日期）").fill(today().isoformat())
    summons = "请你局分管负责同志就触发申报逾期未预审一事到联席会议办公室约谈。"
    unit.get_by_label("内容", exact=True).fill(summons)
    unit.get_by_role("button", name="发出").click()
    expect(flash(office)).to_have_text(re.compile(r"已向市市场监管局发出，并记入 [1-9]\d* 个相关案件的办理轨迹。"))
    expect(office.locator("main .border.rounded").filter(has_text=summons)).to_contain_text("尚未签收")
    lead.goto("/supervision/my-notices")
    card = lead.locator(".card").filter(has_text=summons)
    expect(card).to_contain_text("约谈")
    expect(card).to_contain_text("王主任")
    card.get_by_role("button", name="签收").click()
    expect(lead.locator(".card").filter(has_text=summons)).to_contain_text("已签收")


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
    for path, status, words in ((f"/portal/cases/{decoration.rsplit('/', 1)[1]}", 403, "您无权查看此案件。"),
                                (decoration, 404, "案件不存在。")):  # (staff pages: as if no such case)
        resp = applicant.goto(path)
        assert resp.status == status, (path, resp.status)
        expect(applicant.get_by_role("heading", name=str(status))).to_be_visible()
        expect(applicant.get_by_text(words)).to_be_visible()
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
    assert resp.status == 404
    cw = people("tax_cw")
    resp = cw.goto("/admin/users")
    assert resp.status == 403

    # Without logging in, case pages send to the login page.
    anonymous = people.anonymous()
    anonymous.goto(decoration)
    expect(anonymous).to_have_url(re.compile(r"/login\?next="))
    expect(flash(anonymous)).to_have_text("请登录后访问此页面。")

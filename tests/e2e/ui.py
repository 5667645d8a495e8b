"""Steps of the journeys, written the way a user works: by the visible Chinese labels of the pages.

Labels come from app/translations/zh/LC_MESSAGES/messages.po (the UI is Chinese by default). A helper
here never waits by sleeping: Playwright's locators and expect() wait for the page."""
import re
import secrets
import warnings
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from playwright.sync_api import Page, expect
from stdnum.cn.uscc import calc_check_digit

DEMO_PASSWORD = "demo1234"
SHANGHAI = ZoneInfo("Asia/Shanghai")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# A small evidence file the upload check accepts as PDF (by content, not by name).
PDF_BYTES = b"%PDF-1.4\n% xinlian e2e evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# The demo's caseworker for each member unit (README, "Demo logins").
CASEWORKERS = {
    "市市场监管局": "market_cw", "市税务局": "tax_cw", "市中级人民法院": "court_cw", "人民银行市分行": "pbc_cw",
    "市生态环境局": "env_cw", "市住房城乡建设局": "housing_cw", "市财政局": "finance_cw",
}

# SC-P-001 (被列入严重违法失信企业名单) in the demo catalog: its measures and their implementing units.
# A unit files only entries it administers (SC-P-001: 市市场监管局, so market_cw files it).
SC_P_001 = "SC-P-001"
SC_P_001_BEHAVIOUR = "被列入严重违法失信企业名单"
SC_P_001_MEASURES = {
    "限制参与政府采购活动": "市财政局",
    "限制参与工程建设项目招标投标": "市住房城乡建设局",
    "列为重点监管对象，提高抽查比例和频次": "市市场监管局",
}
BLACK_LIST = "黑名单（失信联合惩戒执行中）"
# The pushed change a unit confirms (bpmn/measure_push.bpmn), by the labels of 向实施单位推送的变更.
PUSH_SUSPEND, PUSH_RESUME, PUSH_LIFT = "暂停措施", "恢复措施", "解除措施"
CONFIRM_PUSH = "确认措施调整"


class KnownAppBug(UserWarning):
    """A step a journey cannot drive as the procedure says because of an app bug (reported, not fixed here):
    the journey marks the step with this warning (shown in pytest's warnings summary) and goes on."""


def known_app_bug(text: str) -> None:
    warnings.warn(KnownAppBug(text), stacklevel=2)


def today() -> date:
    """The app counts days in Asia/Shanghai."""
    return datetime.now(SHANGHAI).date()


def recorded_today(make):
    """The text expected for a step the app recorded moments ago, as make(day) writes it for the step's day (in
    Asia/Shanghai). Just after midnight the step may still bear the day before: both days are accepted then (a
    pattern); at any other time, the one text."""
    now = datetime.now(SHANGHAI)
    texts = list(dict.fromkeys(make(d) for d in (now.date(), (now - timedelta(minutes=10)).date())))
    return texts[0] if len(texts) == 1 else re.compile("|".join(re.escape(t) for t in texts))


def cn_date(d: date) -> str:
    """A date as the pages show it (the |d filter in Chinese): 2026年12月1日."""
    return f"{d.year}年{d.month}月{d.day}日"


def new_credit_code(region: str = "510400") -> str:
    """A valid unified social credit code nobody has used yet: 9 (工商) 1 (企业), region, organisation code
    MA6X + 5 random characters, and the check character computed by python-stdnum."""
    org = "MA6X" + "".join(secrets.choice(USCC_ALPHABET) for _ in range(5))
    body = f"91{region}{org}"
    return body + calc_check_digit(body)


def new_subject(prefix: str) -> tuple[str, str]:
    """(name, code) of a fresh enterprise; the code's organisation part is in the name so names stay unique."""
    code = new_credit_code()
    return f"{prefix}{code[10:15]}有限公司", code


def masked(code: str) -> str:
    """Credit codes are shown with their first 6 and last 4 characters (app/cases/identifiers.mask_code)."""
    return code[:6] + "*" * (len(code) - 10) + code[-4:]


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


def flash(page: Page):
    return page.get_by_role("alert")


# Steps that cannot be undone: the browser asks for confirmation before submitting them (and only those).
IRREVERSIBLE_STEPS = {"告知当事人拟认定事项", "联席办确定认定主体", "召开认定会议并记录决定", "审查异议并书面答复", "作出投诉处理决定", "审核修复申请",
                      "受理举报并交办责任单位", "核查举报并处理", "审核目录事项建议", "汇总报送数据并结束报送",
                      "接受答复或提出投诉", "接受部分成立的答复或向联席办投诉"}
CONFIRMATION = "确定提交本环节吗？提交后无法撤回。"
APPLICANT_CONFIRMATION = "确定提交吗？提交后无法撤回。"  # (the applicant is not told of a workflow step)


# In the browser: why the task form would not be submitted, when the only reason is a multiple-choice field
# whose every checkbox carries `required` although one of them is ticked (see _press_submit).
_REQUIRED_CHECKBOX_GROUPS = """() => {
  const form = document.querySelector('main form[method=post]');
  if (!form || form.checkValidity()) return null;
  const bad = [...form.querySelectorAll('input:invalid, select:invalid, textarea:invalid')];
  const groups = bad.every(e => e.type === 'checkbox' && form.querySelector(`input[name="${e.name}"]:checked`));
  if (!groups) return null;
  form.noValidate = true;
  return [...new Set(bad.map(e => e.name))];
}"""


def _press_submit(page: Page, step: str) -> bool:
    """Press 提交 on a task page, accepting the browser's confirmation; True if it asked for one. A group of
    checkboxes must never be `required` box by box (the browser would refuse the form until every box is ticked,
    saying nothing on the page): that is checked first."""
    blocked = page.evaluate(_REQUIRED_CHECKBOX_GROUPS)
    assert not blocked, f"{step}: the browser refuses to submit unless every box of {blocked} is ticked (each is required)"
    messages = []

    def accept(dialog):
        messages.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    try:
        page.get_by_role("button", name="提交", exact=True).click()
        page.wait_for_load_state()
    finally:
        page.remove_listener("dialog", accept)
    assert messages in ([], [CONFIRMATION], [APPLICANT_CONFIRMATION]), messages
    return bool(messages) or bool(blocked)


def submit_step(page: Page, step: str) -> None:
    """Press 提交 on a task page and see the step done; an irreversible step (only those) asks for
    confirmation first."""
    asked = _press_submit(page, step)
    expect(flash(page).filter(has_text=f"已办理：{step}。")).to_be_visible()
    assert asked == (step in IRREVERSIBLE_STEPS), (step, asked)


def submit_refused(page: Page, step: str, message: str) -> None:
    """Press 提交 on a task page (confirming if asked) and see the step refused with `message` at its field."""
    _press_submit(page, step)
    expect(page.locator(".invalid-feedback").filter(has_text=message)).to_be_visible()


def open_task(page: Page, case_number: str, step: str) -> None:
    """From 我的待办, open the task `step` of the case numbered `case_number`."""
    page.goto("/tasks/")
    page.get_by_role("row").filter(has_text=case_number).get_by_role("link", name=step, exact=True).click()
    expect(page.locator(".card-header").filter(has_text=step).first).to_be_visible()


def inbox_row(page: Page, case_number: str):
    page.goto("/tasks/")
    return page.get_by_role("row").filter(has_text=case_number)


@dataclass
class Case:
    number: str
    path: str  # /cases/<id>
    subject_name: str
    subject_code: str

    @property
    def id(self) -> int:
        return int(self.path.rstrip("/").rsplit("/", 1)[1])


def open_case(page: Page, case: Case) -> None:
    page.goto(case.path)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.number)


def find_case(page: Page, subject_name: str) -> Case:
    """From 案件, search by the subject's name: its joint punishment case (number and page path)."""
    page.goto("/cases/")
    page.get_by_placeholder("编号、标题、主体名称或代码").fill(subject_name)
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"[?&]q="))
    row = page.get_by_role("row").filter(has_text=subject_name).filter(has_text="失信联合惩戒")
    expect(row).to_have_count(1)
    link = row.get_by_role("link")
    number = link.inner_text().strip()
    return Case(number=number, path=link.get_attribute("href"), subject_name=subject_name, subject_code="")


def open_supervision(page: Page, item: str) -> None:
    """Open a supervision page (全部案件及其环节, 超期督办, 监测分析, 监测报告) from the 督查 menu of the top bar."""
    page.goto("/")
    nav = page.get_by_role("navigation")
    nav.get_by_role("button", name="督查", exact=True).click()
    nav.get_by_role("link", name=item, exact=True).click()


def status_badge(page: Page):
    """The case status badge in the case header."""
    return page.locator(".case-header .badge.bg-primary")


def timeline(page: Page):
    return page.locator("#timeline")


def file_trigger(page: Page, subject_name: str, subject_code: str, *, entry: str | tuple[str, ...] = SC_P_001, title: str,
                 facts: str, legal_basis: str, files: list[dict]) -> Case:
    """发起触发申报 as a caseworker (of the unit administering the cited entries: a unit reports behaviour in
    its own field only); `entry` is one catalog code or several. Returns the new case (its page is open)."""
    page.goto("/")
    page.get_by_role("link", name="发起触发申报").click()
    expect(page.get_by_role("heading", name="发起触发申报")).to_be_visible()
    page.get_by_label("主体类型").first.select_option(label="企业")
    page.get_by_label("名称（姓名）").first.fill(subject_name)
    page.get_by_label("统一社会信用代码／身份证号码").first.fill(subject_code)
    for code in (entry,) if isinstance(entry, str) else entry:
        page.get_by_label(re.compile(rf"\b{re.escape(code)}\b")).check()
    page.get_by_label("标题").fill(title)
    page.get_by_label("基本事实").fill(facts)
    page.get_by_label("法律依据").fill(legal_basis)
    page.get_by_label("证据材料").set_input_files(files)
    page.get_by_role("button", name="提交触发申报").click()
    done = flash(page).filter(has_text=re.compile(r"触发申报 (XL-\d{4}-\d{6}) 已提交，转入预审。"))
    expect(done).to_be_visible()
    number = re.search(r"XL-\d{4}-\d{6}", done.inner_text()).group(0)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{number} · {title}")
    return Case(number=number, path=re.sub(r"^https?://[^/]+", "", page.url), subject_name=subject_name, subject_code=subject_code)


def pre_review(page: Page, case: Case, *, accept: bool, reasons: str = "") -> None:
    open_task(page, case.number, "专项小组预审")
    page.get_by_label("预审通过，提交认定" if accept else "退回经办人补正").check()
    if reasons:
        page.get_by_label("理由（退回时必填）").fill(reasons)
    submit_step(page, "专项小组预审")


def decide_route(page: Page, case: Case, group: str) -> None:
    """联席办确定认定主体 (the office, for a case spanning several specialist groups): `group` determines it."""
    open_task(page, case.number, "联席办确定认定主体")
    page.get_by_label("由专项小组认定", exact=True).check()
    page.get_by_label("专项小组", exact=True).select_option(label=group)
    submit_step(page, "联席办确定认定主体")


def choice_field(page: Page, label: str):
    """A multiple-choice field of a task form (its checkboxes and their labels): the group (fieldset) named by
    the field's visible label (its legend)."""
    return page.get_by_role("group", name=label, exact=True)


def is_workday(day: date) -> bool:
    """As the app counts it with no administrator's entries (the demo has none): the holiday library, else weekdays."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # (a year the library does not know yet)
        return day.weekday() < 5


def schedule_meeting(page: Page, case: Case, meeting: date | None = None) -> None:
    """安排认定会议并抽取专家 with the default numbers (1 legal, 2 per industry, 1 reserve per field)."""
    open_task(page, case.number, "安排认定会议并抽取专家")
    meeting = meeting or today()
    page.get_by_label("会议日期").fill(meeting.isoformat())
    if not is_workday(meeting):  # (a journey run on a weekend holds its meeting that day, knowingly)
        page.get_by_label("会议在休息日（周末或法定节假日）召开").check()
    expect(page.get_by_label("法律专家人数")).to_have_value("1")
    expect(page.get_by_label("案件所涉行业领域专家人数")).to_have_value("2")
    expect(page.get_by_label("每个领域备选专家人数")).to_have_value("1")
    submit_step(page, "安排认定会议并抽取专家")


def give_notice(page: Page, case: Case, statement: str | None = None) -> None:
    """告知当事人拟认定事项: the determining body tells the subjects the intended decision (drafted from the catalog
    entry's measures and default period), then records what each subject answered on paper: `statement`,
    or its waiver. Every subject having answered, the meeting may decide without waiting for the period."""
    open_task(page, case.number, "告知当事人拟认定事项")
    intended = page.get_by_label("拟作出的决定（惩戒措施和期限）")
    expect(intended).to_have_value(re.compile("期限：自决定印发之日起"))
    expect(page.get_by_label("理由（认定的事实）")).not_to_have_value("")
    submit_step(page, "告知当事人拟认定事项")
    open_case(page, case)
    section = page.locator("#notices")
    expect(section.get_by_text("事先告知与陈述申辩")).to_be_visible()
    row = section.get_by_role("row").filter(has_text=case.subject_name)
    expect(row).to_contain_text("期限内")
    row.get_by_text("录入书面陈述申辩").click()
    row.get_by_label("当事人签字的陈述申辩书或放弃声明扫描件", exact=False).set_input_files([pdf("陈述申辩书.pdf" if statement else "放弃声明.pdf")])
    if statement:
        row.get_by_label("陈述申辩", exact=True).fill(statement)
        row.get_by_role("button", name="录入陈述申辩").click()
        expect(flash(page).filter(has_text="已录入书面陈述申辩。")).to_be_visible()
    else:
        row.get_by_role("button", name="当事人放弃陈述申辩").click()
        expect(flash(page).filter(has_text="已录入当事人放弃陈述申辩。")).to_be_visible()
        expect(page.locator("#notices").get_by_role("row").filter(has_text=case.subject_name)).to_contain_text("已放弃")


def invitations(page: Page, case: Case) -> list[dict]:
    """The rows of 专家及意见 on the case page (convener's view): expert, field, status."""
    open_case(page, case)
    section = page.locator("#experts")
    expect(section).to_be_visible()
    rows = section.locator("table").first.locator("tbody tr")
    out = []
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        out.append({"name": cells[0].strip(), "field": cells[1].strip(), "status": cells[2].strip(), "reason": cells[4].strip()})
    return out


def answer_invitation(page: Page, case: Case, *, confirm: bool, reason: str = "") -> None:
    open_task(page, case.number, "答复参会邀请")
    # Before confirming, the expert sees only the invitation, not the case file.
    expect(page.get_by_text("参会邀请", exact=True)).to_be_visible()
    page.get_by_label("是，确认参会" if confirm else "否，不参会").check()
    if reason:
        page.get_by_label("理由（不参会时必填）").fill(reason)
    submit_step(page, "答复参会邀请")


def give_opinion(page: Page, case: Case, vote: str = "支持联合奖惩", reasons: str = "事实清楚，证据充分，同意实施联合惩戒。") -> None:
    open_task(page, case.number, "提交书面意见")
    page.get_by_label(vote, exact=True).check()
    page.get_by_label("书面意见及理由").fill(reasons)
    submit_step(page, "提交书面意见")


def experts_confirm_and_opine(people, expert_logins: dict, case: Case, lead_page: Page) -> list[str]:
    """Every expert invited to the case's meeting (a decliner's reserve too) confirms and gives a supporting
    opinion. Returns their names: the drawn experts who will be ticked as attending."""
    names = [r["name"] for r in invitations(lead_page, case) if r["status"] == "已邀请"]
    assert names, "no expert was invited"
    for name in names:
        expert = people(expert_logins[name])
        answer_invitation(expert, case, confirm=True)
        give_opinion(expert, case)
    return names


DEFAULT_MINUTES = "会议审查了触发材料，听取了实施单位意见，经专家讨论形成决定。"
MINUTES_FILE, DECISION_FILE = "认定会议纪要.pdf", "联合惩戒决定书.pdf"


def fill_determination(page: Page, case: Case, *, experts: list[str], units: list[str], measures: list[str],
                       period_days: int, minutes: str = DEFAULT_MINUTES) -> None:
    """Open 召开认定会议并记录决定 and fill it: the units and the drawn experts who took part, the minutes,
    joint action with every measure offered (`measures`: their labels "措施 — 实施单位", as offered),
    the default period. There is no start date: the period starts on the day the decision is recorded (印发)."""
    open_task(page, case.number, "召开认定会议并记录决定")
    expect(page.get_by_label("会议日期")).to_have_value(today().isoformat())  # the scheduled date
    expect(page.locator("form input[type=date]")).to_have_count(1)  # the meeting date only
    for unit in units:
        page.get_by_label(unit, exact=True).check()
    page.get_by_label("会议纪要内容", exact=True).fill(minutes)
    page.get_by_label("实施联合奖惩", exact=True).check()
    # Only the drawn experts who confirmed are offered; each one who took part is ticked.
    attending = choice_field(page, "参会的抽取专家")
    expect(attending.locator("input")).to_have_count(len(experts))
    for name in experts:
        attending.get_by_label(re.compile(rf"^{re.escape(name)}（")).check()
    offered = choice_field(page, "措施（从目录条目中选择）")
    expect(offered.locator("input")).to_have_count(len(measures))
    assert sorted(offered.locator("label").all_inner_texts()) == sorted(measures), offered.locator("label").all_inner_texts()
    for i in range(len(measures)):
        offered.locator("input").nth(i).check()
    expect(page.get_by_label("统一实施期限（天）")).to_have_value(str(period_days))  # the entry's default period
    # The internal minutes and the decision served to the subjects are separate documents.
    page.get_by_label("会议纪要签署件（内部）").set_input_files([pdf(MINUTES_FILE)])
    page.get_by_label("向主体送达的决定书").set_input_files([pdf(DECISION_FILE)])


def record_determination(page: Page, case: Case, experts: list[str], minutes: str = DEFAULT_MINUTES) -> None:
    """召开认定会议并记录决定 for an SC-P-001 case: joint action with every measure, the default period,
    every drawn expert (all confirmed) ticked as attending."""
    fill_determination(page, case, experts=experts, units=sorted({"市市场监管局", *SC_P_001_MEASURES.values()}),
                       measures=[f"{m} — {u}" for m, u in SC_P_001_MEASURES.items()], period_days=1095, minutes=minutes)
    submit_step(page, "召开认定会议并记录决定")


def acknowledge_filing(page: Page, case: Case, note: str = "") -> None:
    """决定备案确认: the office files the decision (in parallel with the units' implementation)."""
    open_task(page, case.number, "决定备案确认")
    if note:
        page.get_by_label("备注（选填）", exact=True).fill(note)
    submit_step(page, "决定备案确认")


def open_steps(page: Page, case: Case, step: str) -> list[str]:
    """The units with an open step named `step`, from 当前环节 on the case page."""
    open_case(page, case)
    rows = page.locator("#steps tbody tr").filter(has=page.get_by_role("cell", name=step, exact=True))
    return sorted(rows.nth(i).locator("td").nth(1).inner_text().split("\n")[0].strip() for i in range(rows.count()))


def implementing_units(page: Page, case: Case) -> list[str]:
    """Units with an open 实施措施并反馈 step, from 当前环节 on the case page."""
    return open_steps(page, case, "实施措施并反馈")


def report_implementation(page: Page, case: Case, report: str = "已在本单位业务系统中嵌入限制措施。", files: list[dict] | None = None) -> None:
    open_task(page, case.number, "实施措施并反馈")
    page.get_by_label("措施已实施").check()
    page.get_by_label("简要情况说明").fill(report)
    if files:
        page.get_by_label("证据材料").set_input_files(files)
    submit_step(page, "实施措施并反馈")


def compile_feedback(page: Page, case: Case, summary: str = "各实施单位均已按决定实施惩戒措施。") -> None:
    open_task(page, case.number, "汇总实施反馈")
    page.get_by_label("汇总反馈", exact=True).fill(summary)
    submit_step(page, "汇总实施反馈")


def listing_row(page: Page, subject_name: str):
    """The subject's row in 各主体名单 on the case page: subject, status, period, measures by unit."""
    return page.locator("#overview #listings + table tbody tr").filter(has_text=subject_name)


def push_rows(page: Page, unit: str | None = None):
    """The rows of 向实施单位推送的变更 on the case page (subject, unit, change, pushed, confirmed)."""
    rows = page.locator("#overview #pushes ~ .table-responsive table tbody tr")  # (the table in its scrolling box)
    return rows.filter(has=page.get_by_role("cell", name=unit, exact=True)) if unit else rows


def push_tasks(page: Page, case: Case):
    """The 确认措施调整 tasks of `case` in the user's inbox (我的待办)."""
    return inbox_row(page, case.number).filter(has=page.get_by_role("link", name=CONFIRM_PUSH, exact=True))


def confirm_push(page: Page, case: Case, unit: str, change: str, note: str) -> None:
    """确认措施调整: the unit's caseworker confirms that it suspended, resumed or lifted its measure as pushed
    (`change`: 暂停措施, 恢复措施 or 解除措施); the task page shows the push still waiting for it."""
    open_task(page, case.number, CONFIRM_PUSH)
    expect(push_rows(page, unit).filter(has_text=change).filter(has_text="尚未确认")).to_have_count(1)
    page.get_by_label("已按推送调整措施").check()
    page.get_by_label("说明（调整方式和时间）").fill(note)
    submit_step(page, CONFIRM_PUSH)


def punishment_in_effect(people, expert_logins: dict, prefix: str) -> Case:
    """A new SC-P-001 case taken through the whole procedure by the demo users, without detours:
    filed by market_cw, accepted, meeting with drawn experts who all confirm, support and are ticked as
    attending, decided (the listing starts), filed with the office while each implementing unit applies the
    measures, feedback compiled: 生效中."""
    name, code = new_subject(prefix)
    cw, lead = people("market_cw"), people("market_lead")
    case = file_trigger(cw, name, code, title=f"{name}列入严重违法失信企业名单", facts="该公司因提供虚假材料取得登记，被列入严重违法失信企业名单。",
                        legal_basis="《企业信息公示暂行条例》第十八条。", files=[pdf("列入名单决定书.pdf")])
    pre_review(lead, case, accept=True)
    schedule_meeting(lead, case)
    give_notice(lead, case)
    experts = experts_confirm_and_opine(people, expert_logins, case, lead)
    record_determination(lead, case, experts)
    for unit in implementing_units(lead, case):
        report_implementation(people(CASEWORKERS[unit]), case)
    acknowledge_filing(people("office1"), case)
    compile_feedback(lead, case)
    open_case(lead, case)
    expect(status_badge(lead)).to_have_text("生效中")
    return case


def access_code(page: Page, case: Case) -> str:
    """The subject's one-time access code, issued on the case page (当事主体访问码, by a unit serving the
    decision) and shown once, in its subject's row, to be printed on the decision served to the subject."""
    open_case(page, case)
    section = page.locator("#access")
    expect(section.get_by_text("当事主体访问码（印于送达的告知书或决定书）")).to_be_visible()
    row = section.get_by_role("row").filter(has_text=case.subject_name)
    expect(row).to_contain_text("尚未签发")
    row.get_by_role("button", name="签发访问码").click()
    # (shown once, in the subject's row of the section the page opens at)
    shown = page.locator("#access").get_by_role("row").filter(has_text=case.subject_name).get_by_role("alert")
    expect(shown).to_contain_text("请立即将其打印在送达该主体的告知书或决定书上，此后不再显示。")
    expect(shown).to_be_in_viewport()
    code = page.locator("#issued-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code), code
    row = page.locator("#access").get_by_role("row").filter(has_text=case.subject_name)
    expect(row).to_contain_text("已签发")
    expect(row).to_contain_text("尚未使用")
    page.reload()
    expect(page.locator("main")).not_to_contain_text(code)  # shown once: only its hash is kept
    return code


def register_applicant(page: Page, subject_code: str, code: str, username: str, password: str, contact: str = "法务联系人") -> None:
    """/portal/register, reached from the link in the top bar of the login page."""
    page.goto("/login")
    page.get_by_role("link", name="开通申请人账号").click()
    expect(page.get_by_role("heading", name="开通申请人账号")).to_be_visible()
    page.get_by_label("申请人类型").select_option(label="企业或其他组织")
    page.get_by_label("统一社会信用代码／身份证号码").fill(subject_code)
    page.get_by_label("访问码（印于向您送达的告知书或决定书上）").fill(code)
    page.get_by_label("联系人").fill(contact)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码（不少于10位）").fill(password)
    page.get_by_label("确认密码").fill(password)
    page.get_by_role("button", name="开通账号").click()


def portal_open(page: Page, number: str) -> None:
    """From 我的案件, open the case or request numbered `number` (its status page)."""
    page.goto("/portal/")
    page.get_by_role("link", name=number, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)


def portal_status(page: Page):
    """'当前状态：…' on an applicant's status page."""
    return page.locator("p.fs-5")


def public_list_rows(page: Page, tab: str, query: str | None = None):
    """The rows of a public list (no login needed), optionally searched by name or full code."""
    page.goto("/public/")
    page.get_by_role("link", name=tab).click()
    expect(page.get_by_role("link", name=tab)).to_have_class("nav-link active")
    if query is not None:
        page.get_by_placeholder("名称（姓名）或完整代码").fill(query)
        page.get_by_role("button", name="查询").click()
        expect(page).to_have_url(re.compile(r"[?&]q="))
    return page.locator("main table tbody tr")

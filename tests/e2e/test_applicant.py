"""Journey b: the punished subject opens an applicant account with the access code served with the
decision, objects, gets an unfounded reply from the deciding unit, complains to the joint-meeting office,
and the office rejects the complaint. The objection suspends the subject's own listing: each unit applying
a measure gets 确认措施调整 in its inbox (one unit confirms the suspension); each rejection resumes the
listing from that day and pushes the resumption. The status pages are checked at each step, and the public
black list follows the suspensions."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import (
    BLACK_LIST,
    CASEWORKERS,
    PUSH_RESUME,
    PUSH_SUSPEND,
    SC_P_001_MEASURES,
    access_code,
    choice_field,
    cn_date,
    confirm_push,
    flash,
    listing_row,
    new_credit_code,
    open_case,
    open_task,
    pdf,
    portal_open,
    portal_status,
    public_list_rows,
    punishment_in_effect,
    push_rows,
    push_tasks,
    recorded_today,
    register_applicant,
    status_badge,
    submit_step,
)

PASSWORD = "E2e-Applicant-pw1"
GROUNDS = "我公司登记材料系中介机构代为提交，公司已主动撤回相关登记并完成整改，请求撤销认定。"
UNITS = sorted(set(SC_P_001_MEASURES.values()))
SUSPENDED = "异议或投诉处理期间暂停执行"


def pushes_to_every_unit(people, case, change: str) -> None:
    """Each unit applying a measure to the subject has exactly one 确认措施调整 for the case in its inbox, and
    on the case page the latest change pushed to it is `change`, not yet confirmed."""
    for unit in UNITS:
        expect(push_tasks(people(CASEWORKERS[unit]), case)).to_have_count(1)
    lead = people("market_lead")
    open_case(lead, case)
    for unit in UNITS:
        latest = push_rows(lead, unit).last
        expect(latest).to_contain_text(change)
        expect(latest).to_contain_text("尚未确认")
    # A push replaced by a later change (its task closed) says so; only the latest waits for confirmation.
    for unit in UNITS:
        expect(push_rows(lead, unit).filter(has_text="尚未确认")).to_have_count(1)


def partly_offered(page) -> None:
    """A reply or complaint decision may also find the objection partly founded: the measures of the units
    chosen are lifted for this subject (the units applying its measures are offered)."""
    expect(page.get_by_label("部分成立：解除下列所选单位的措施")).to_be_visible()
    units = choice_field(page, "解除措施的单位（部分成立时）").locator("label")
    expect(units).to_have_count(len(UNITS))
    assert sorted(units.all_inner_texts()) == UNITS


def test_applicant_objects_complains_and_office_decides(people, expert_logins):
    case = punishment_in_effect(people, expert_logins, "信联旅程乙")
    lead, office, finance = people("market_lead"), people("office1"), people("finance_cw")
    code = access_code(lead, case)
    expect(push_rows(lead)).to_have_count(0)  # nothing pushed while the listing simply runs

    # 1. A wrong access code is refused without saying whether the subject exists.
    applicant = people.anonymous("applicant")
    register_applicant(applicant, new_credit_code(), code, "e2e_nobody", PASSWORD)
    expect(applicant.get_by_text("代码与访问码不匹配，或访问码已被使用。")).to_be_visible()

    # 2. The subject opens its account with its code and the access code; it sees its case, in effect.
    login = f"e2e_{case.subject_code[-6:].lower()}"
    register_applicant(applicant, case.subject_code, code, login, PASSWORD)
    expect(flash(applicant)).to_contain_text("账号已开通。以下是与您有关的案件。")
    expect(applicant.get_by_role("heading", name="我的案件")).to_be_visible()
    row = applicant.get_by_role("row").filter(has_text=case.number)
    expect(row).to_contain_text("失信联合惩戒")
    expect(row).to_contain_text("生效中")
    open_case(lead, case)
    expect(lead.locator("#access").get_by_role("row").filter(has_text=case.subject_name)).to_contain_text("已使用")

    # The access code works once.
    again = people.anonymous("second-registration")
    register_applicant(again, case.subject_code, code, login + "_2", PASSWORD)
    expect(again.get_by_text("代码与访问码不匹配，或访问码已被使用。")).to_be_visible()

    # 3. The status page of the punishment: its listing's period and end, the measures, the decision.
    portal_open(applicant, case.number)
    main = applicant.locator("main")
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    expect(main).to_contain_text(recorded_today(lambda d: f"自 {cn_date(d)} 起，为期 1095 天。"))
    expect(main).to_contain_text("将于")  # the end of the period, counted from the day of issue
    expect(main).to_contain_text("限制参与政府采购活动 — 市财政局（已实施）")
    expect(main).to_contain_text("登记认定结论")
    # Why and by whom: the behaviour, grounds and basis, the deciding group; the decision served to it, not
    # the meeting's internal minutes.
    expect(main).to_contain_text("认定的失信行为及依据")
    expect(main).to_contain_text("被列入严重违法失信企业名单")
    expect(main).to_contain_text(recorded_today(lambda d: f"认定单位: 市场监管专项小组 (市市场监管局) · {cn_date(d)}会议"))
    expect(applicant.get_by_role("link", name="联合惩戒决定书.pdf")).to_be_visible()
    expect(main).not_to_contain_text("认定会议纪要.pdf")
    expect(main).to_contain_text("名单生效：期限自决定印发之日起计算")
    expect(main).not_to_contain_text("确认措施调整")  # the units' own steps are not the applicant's

    # 4. The applicant objects with grounds and evidence: its listing is suspended at once.
    applicant.get_by_role("link", name="提出书面异议").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text(f"提出书面异议: {case.number}")
    applicant.get_by_label("异议理由").fill(GROUNDS)
    applicant.get_by_label("证据材料").set_input_files([pdf("整改情况说明.pdf")])
    applicant.get_by_role("button", name="提交异议").click()
    filed = flash(applicant).filter(has_text=re.compile(r"您的异议 YY-\d{4}-\d{6} 已提交。异议处理期间，惩戒措施暂停执行。"))
    expect(filed).to_be_visible()
    objection = re.search(r"YY-\d{4}-\d{6}", filed.inner_text()).group(0)
    expect(applicant.get_by_role("heading", level=1)).to_contain_text(f"{objection} · 关于 {case.number} 的异议")
    expect(portal_status(applicant)).to_have_text("当前状态: 异议处理中：待作出认定的单位答复")
    expect(applicant.locator("main li").filter(has_text="审查异议并书面答复")).to_contain_text("市市场监管局")
    portal_open(applicant, case.number)
    expect(applicant.get_by_text("目前暂停执行：您的异议或投诉正在处理中。")).to_be_visible()
    expect(main).to_contain_text(recorded_today(lambda d: f"自 {cn_date(d)} 起暂停执行 — 仍在暂停执行中"))
    expect(main).to_contain_text(f"您的异议正在处理中： {objection}")
    expect(main).to_contain_text("限制参与政府采购活动 — 市财政局（暂停执行，已通知该单位，待其确认）")  # (until it confirms)
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_text(["暂无列入名单的主体。"])

    # 5. On the case page the subject's listing is suspended and the suspension is pushed to every unit
    #    applying a measure; each has 确认措施调整 in its inbox. The finance bureau confirms it.
    open_case(lead, case)
    listing = listing_row(lead, case.subject_name)
    expect(listing).to_contain_text(SUSPENDED)
    expect(listing).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} – 暂停期间待定"))
    expect(push_rows(lead)).to_have_count(3)
    pushes_to_every_unit(people, case, PUSH_SUSPEND)
    confirm_push(finance, case, "市财政局", PUSH_SUSPEND, "已在政府采购系统中暂停对该企业的限制。")
    expect(push_tasks(finance, case)).to_have_count(0)
    open_case(lead, case)
    expect(listing_row(lead, case.subject_name)).to_contain_text("市财政局: 暂停执行")
    # (a unit that has not confirmed yet reads as told to suspend, not as still applying)
    expect(listing_row(lead, case.subject_name)).to_contain_text("市住房城乡建设局: 暂停执行，已通知该单位，待其确认")
    confirmed = push_rows(lead, "市财政局").filter(has_text=PUSH_SUSPEND)
    expect(confirmed).not_to_contain_text("尚未确认")
    expect(confirmed).to_contain_text("已在政府采购系统中暂停对该企业的限制。")
    portal_open(applicant, case.number)
    expect(main).to_contain_text("限制参与政府采购活动 — 市财政局（暂停执行）")

    # 6. The deciding unit (the group lead) replies: unfounded, with reasons. The listing resumes from today
    #    and the resumption is pushed: the finance bureau, which suspended, and the units that had not yet
    #    confirmed the suspension (the resumption replaces it) each have one task to confirm.
    open_task(lead, objection, "审查异议并书面答复")
    expect(lead.locator("main")).to_contain_text(GROUNDS)
    partly_offered(lead)
    lead.get_by_label("异议不成立：维持认定").check()
    lead.get_by_label("书面答复及理由").fill("经核查，列入名单决定认定事实清楚，整改不影响已作出的认定。")
    submit_step(lead, "审查异议并书面答复")
    expect(status_badge(lead)).to_have_text("异议不成立：申请人可提出投诉")
    pushes_to_every_unit(people, case, PUSH_RESUME)
    expect(listing_row(lead, case.subject_name)).to_contain_text("生效中")
    confirm_push(finance, case, "市财政局", PUSH_RESUME, "已恢复限制。")
    open_case(lead, case)
    expect(listing_row(lead, case.subject_name)).to_contain_text("市财政局: 已实施")

    portal_open(applicant, objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 异议不成立：您可以接受答复，或向联席会议办公室投诉")
    expect(main).to_contain_text("书面答复异议: 不成立")
    expect(main).to_contain_text("经核查，列入名单决定认定事实清楚")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    # (suspended and resumed on one day: no day of the period was lost, and the page says so)
    expect(main).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} 暂停执行，当日即恢复执行（未影响期限）"))
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_count(1)

    # 7. The applicant complains to the office (its own task, linked from the objection's status page).
    portal_open(applicant, objection)
    applicant.get_by_role("link", name="接受答复或提出投诉").click()
    applicant.get_by_label("向联席会议办公室投诉").check()
    applicant.get_by_label("投诉理由（选择投诉时必填）").fill("答复未回应我公司已整改的事实，请求联席会议办公室复核。")
    submit_step(applicant, "接受答复或提出投诉")
    expect(applicant.get_by_role("heading", level=1)).to_contain_text(objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 您的投诉已提交联席会议办公室，正在处理")
    expect(applicant.locator("main li").filter(has_text="受理投诉并召集相关单位和专家")).to_contain_text("市发展改革委")
    portal_open(applicant, case.number)
    expect(applicant.get_by_text("目前暂停执行：您的异议或投诉正在处理中。")).to_be_visible()
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_text(["暂无列入名单的主体。"])
    pushes_to_every_unit(people, case, PUSH_SUSPEND)
    expect(listing_row(lead, case.subject_name)).to_contain_text(SUSPENDED)

    # 8. The office accepts the complaint, convenes the deciding unit, and rejects the complaint.
    open_task(office, objection, "受理投诉并召集相关单位和专家")
    office.get_by_label("市市场监管局", exact=True).check()
    submit_step(office, "受理投诉并召集相关单位和专家")
    expect(status_badge(office)).to_have_text("由联席会议办公室办理（投诉或单位逾期未答复）")
    open_task(office, objection, "作出投诉处理决定")
    partly_offered(office)
    office.get_by_label("投诉不成立：自即日起恢复执行惩戒").check()
    office.get_by_label("决定及理由").fill("经召集市市场监管局核实，原认定并无不当，投诉不成立。")
    # (decided with the units it convened: seed 001 二(三)2 共同对投诉事项进行研究处理)
    office.get_by_role("group", name="参加研究处理的被召集单位（到会或书面提出意见）").get_by_label("市市场监管局").check()
    office.get_by_label("研究处理情况（会议纪要）").fill("市市场监管局到会说明认定依据，与会单位一致认为原认定并无不当。")
    office.get_by_label("决定文书").set_input_files([pdf("投诉处理决定书.pdf")])
    submit_step(office, "作出投诉处理决定")
    expect(status_badge(office)).to_have_text("投诉不成立：恢复执行惩戒")
    expect(office.locator("#documents")).to_contain_text("投诉处理决定书.pdf")
    expect(office.locator("#timeline")).to_contain_text("已安排投诉研究处理")
    expect(office.locator("#timeline")).to_contain_text("召集: 市市场监管局")

    # 9. The applicant sees the decision; the punishment runs again and is back on the black list; the
    #    resumption is pushed to the units once more.
    portal_open(applicant, objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 投诉不成立：恢复执行惩戒")
    expect(main).to_contain_text("作出投诉处理决定: 不成立")
    expect(main).to_contain_text("经召集市市场监管局核实，原认定并无不当，投诉不成立。")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    suspensions = applicant.locator("main ul.small li").filter(has_text=re.compile(r"暂停执行，当日即恢复执行"))
    expect(suspensions).to_have_text([recorded_today(lambda d: f"{cn_date(d)} 暂停执行，当日即恢复执行（未影响期限）")] * 2)
    expect(main).to_contain_text("恢复执行惩戒")
    requests = applicant.locator("main").get_by_role("listitem").filter(has_text=objection)
    expect(requests).to_contain_text("投诉不成立：恢复执行惩戒")
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_count(1)
    pushes_to_every_unit(people, case, PUSH_RESUME)
    expect(listing_row(lead, case.subject_name)).to_contain_text("生效中")

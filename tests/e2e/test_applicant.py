"""Journey b: the punished subject opens an applicant account with the access code served with the
decision, objects, gets an unfounded reply from the deciding unit, complains to the joint-meeting office,
and the office rejects the complaint. The status pages are checked at each step, and the public black
list follows the suspensions."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import (
    access_code,
    cn_date,
    flash,
    new_credit_code,
    open_case,
    open_task,
    pdf,
    portal_open,
    portal_status,
    public_list_rows,
    punishment_in_effect,
    register_applicant,
    status_badge,
    submit_step,
    today,
)

BLACK_LIST = "黑名单（失信联合惩戒执行中）"
PASSWORD = "e2e-applicant-pw"
GROUNDS = "我公司登记材料系中介机构代为提交，公司已主动撤回相关登记并完成整改，请求撤销认定。"


def test_applicant_objects_complains_and_office_decides(people, expert_logins):
    case = punishment_in_effect(people, expert_logins, "信联旅程乙")
    lead, office = people("market_lead"), people("office1")
    code = access_code(lead, case)

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

    # 3. The status page of the punishment: where it is, the period, the measures, the decision.
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    expect(applicant.locator("main")).to_contain_text(f"自 {cn_date(today())} 起，为期 1095 天。")
    expect(applicant.locator("main")).to_contain_text("限制参与政府采购活动 — 市财政局 (已实施)")
    expect(applicant.locator("main")).to_contain_text("登记认定结论")

    # 4. The applicant objects with grounds and evidence: the punishment is suspended at once.
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
    expect(portal_status(applicant)).to_have_text("当前状态: 异议或投诉处理期间暂停执行")
    expect(applicant.get_by_text("目前暂停执行：您的异议或投诉正在处理中。")).to_be_visible()
    expect(applicant.locator("main")).to_contain_text(f"自 {cn_date(today())} 起暂停执行 — 仍在暂停执行中")
    expect(applicant.locator("main")).to_contain_text(f"您的异议正在处理中： {objection}")
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_text(["暂无列入名单的主体。"])

    # 5. The deciding unit (the group lead) replies: unfounded, with reasons. The punishment resumes.
    open_case(lead, case)
    expect(status_badge(lead)).to_have_text("异议或投诉处理期间暂停执行")
    expect(lead.get_by_text("异议或投诉处理期间，各项措施暂停执行")).to_be_visible()
    open_task(lead, objection, "审查异议并书面答复")
    expect(lead.locator("main")).to_contain_text(GROUNDS)
    lead.get_by_label("异议不成立：维持认定").check()
    lead.get_by_label("书面答复及理由").fill("经核查，列入名单决定认定事实清楚，整改不影响已作出的认定。")
    submit_step(lead, "审查异议并书面答复")
    expect(status_badge(lead)).to_have_text("异议不成立：申请人可提出投诉")

    portal_open(applicant, objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 异议不成立：申请人可提出投诉")
    expect(applicant.locator("main")).to_contain_text("书面答复异议: 不成立")
    expect(applicant.locator("main")).to_contain_text("经核查，列入名单决定认定事实清楚")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    expect(applicant.locator("main")).to_contain_text(
        f"自 {cn_date(today())} 起暂停执行 至 {cn_date(today())}（当日起恢复计算期限）")
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_count(1)

    # 6. The applicant complains to the office (its own task, linked from the objection's status page).
    portal_open(applicant, objection)
    applicant.get_by_role("link", name="接受答复或提出投诉").click()
    applicant.get_by_label("向联席会议办公室投诉").check()
    applicant.get_by_label("投诉理由（选择投诉时必填）").fill("答复未回应我公司已整改的事实，请求联席会议办公室复核。")
    submit_step(applicant, "接受答复或提出投诉")
    expect(applicant.get_by_role("heading", level=1)).to_contain_text(objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 投诉处理中：由联席会议办公室办理")
    expect(applicant.locator("main li").filter(has_text="受理投诉并召集相关单位和专家")).to_contain_text("市发展改革委")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 异议或投诉处理期间暂停执行")

    # 7. The office accepts the complaint, convenes the deciding unit, and rejects the complaint.
    open_task(office, objection, "受理投诉并召集相关单位和专家")
    office.get_by_label("市市场监管局", exact=True).check()
    submit_step(office, "受理投诉并召集相关单位和专家")
    expect(status_badge(office)).to_have_text("投诉处理中：由联席会议办公室办理")
    open_task(office, objection, "作出投诉处理决定")
    office.get_by_label("投诉不成立：自即日起恢复执行惩戒").check()
    office.get_by_label("决定及理由").fill("经召集市市场监管局核实，原认定并无不当，投诉不成立。")
    office.get_by_label("决定文书").set_input_files([pdf("投诉处理决定书.pdf")])
    submit_step(office, "作出投诉处理决定")
    expect(status_badge(office)).to_have_text("投诉不成立：恢复执行惩戒")
    expect(office.locator("#documents")).to_contain_text("投诉处理决定书.pdf")
    expect(office.locator("#timeline")).to_contain_text("召开投诉听证会")

    # 8. The applicant sees the decision; the punishment runs again and is back on the black list.
    portal_open(applicant, objection)
    expect(portal_status(applicant)).to_have_text("当前状态: 投诉不成立：恢复执行惩戒")
    expect(applicant.locator("main")).to_contain_text("作出投诉处理决定: 不成立")
    expect(applicant.locator("main")).to_contain_text("经召集市市场监管局核实，原认定并无不当，投诉不成立。")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    suspensions = applicant.locator("main ul.small li").filter(has_text=re.compile(r"^自 \S+ 起暂停执行"))
    expect(suspensions).to_have_text([f"自 {cn_date(today())} 起暂停执行 至 {cn_date(today())}（当日起恢复计算期限）"] * 2)
    expect(applicant.locator("main")).to_contain_text("恢复执行惩戒")
    requests = applicant.locator("main").get_by_role("listitem").filter(has_text=objection)
    expect(requests).to_contain_text("投诉不成立：恢复执行惩戒")
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=case.subject_name)).to_have_count(1)

"""Journey g: a case whose catalog entries span two specialist groups. The tax office's caseworker files
SC-P-002 (市场监管专项小组) and FIN-P-002 (金融专项小组), both administered by 市税务局 (a unit reports behaviour in
its own field only: the market regulator may not file them). The group of the first entry receives and
accepts it; being a multi-group case it goes to the joint-meeting office, which names the financial group as
the determining body (a "major" route needs a reason); that group's lead draws experts from every field of
the case, all of whom confirm and attend, and decides; the decision is issued (black list at once), filed
and implemented in parallel, and the feedback compiled by both groups."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.ui import (
    BLACK_LIST,
    CASEWORKERS,
    acknowledge_filing,
    cn_date,
    compile_feedback,
    experts_confirm_and_opine,
    file_trigger,
    fill_determination,
    flash,
    give_notice,
    implementing_units,
    invitations,
    listing_row,
    masked,
    new_subject,
    open_case,
    open_steps,
    open_task,
    pdf,
    pre_review,
    public_list_rows,
    recorded_today,
    report_implementation,
    schedule_meeting,
    status_badge,
    submit_refused,
    submit_step,
    timeline,
)

OFFICE = "市发展改革委（市社会信用体系建设联席会议办公室）"
ENTRIES = ("SC-P-002", "FIN-P-002")
# The measures the two entries offer, as the determination form lists them (entry by entry).
MEASURES = [
    ("纳税信用级别直接判为D级", "市税务局"), ("限制参与政府采购活动", "市财政局"), ("限制取得政府供应土地", "市住房城乡建设局"),
    ("在融资授信时从严审核", "人民银行市分行"), ("限制参与政府采购活动", "市财政局"),
]
UNITS = sorted({u for _m, u in MEASURES})
LEADS = {"市市场监管局": "market_lead", "人民银行市分行": "pbc_lead"}
FACTS = "该公司虚开增值税专用发票，并欠缴税款经责令限期缴纳逾期仍未缴纳，转移银行存款逃避追缴。"


def test_office_names_the_determining_group(people, expert_logins):
    name, code = new_subject("信联旅程庚")
    title = f"{name}重大税收违法并欠税逃避追缴"

    # 1. The market regulator's caseworker is not offered behaviour administered by the tax office.
    market = people("market_cw")
    market.goto("/cases/new")
    expect(market.get_by_role("heading", name="发起触发申报")).to_be_visible()
    for entry in ENTRIES:
        expect(market.get_by_label(re.compile(rf"\b{entry}\b"))).to_have_count(0)
    # A subject row added (a round trip) takes the focus on its first field: the keyboard user types on there.
    market.get_by_role("button", name="添加一行主体").click()
    expect(market.locator("#subjects-3-kind")).to_be_focused()

    # 2. The tax office's caseworker files both entries for the subject.
    tax = people("tax_cw")
    case = file_trigger(tax, name, code, entry=ENTRIES, title=title, facts=FACTS,
                        legal_basis="《重大税收违法失信主体信息公布管理办法》；《税收征收管理法》第三十八条、第四十条。",
                        files=[pdf("税务处理决定书.pdf"), pdf("责令限期缴纳税款通知书.pdf")])
    overview = tax.locator("#overview")
    for entry in ENTRIES:
        expect(overview).to_contain_text(entry)
    expect(overview).to_contain_text("欠缴税款且逃避追缴的失信主体")
    expect(status_badge(tax)).to_have_text("预审")
    # The tax bureau's own group receives it: 市场监管专项小组, led by 市市场监管局 (whatever the order ticked).
    receiver = open_steps(tax, case, "专项小组预审")
    assert receiver == ["市市场监管局"], receiver

    # 3. The receiving group's lead (market_lead) accepts: spanning two groups, it goes to the office.
    lead = people(LEADS[receiver[0]])
    pre_review(lead, case, accept=True)
    expect(status_badge(lead)).to_have_text("已报送联席办：待确定认定主体")
    assert open_steps(lead, case, "联席办确定认定主体") == [OFFICE]
    expect(lead.locator("#steps")).not_to_contain_text("安排认定会议并抽取专家")

    # 4. The office names the determining body. A special meeting (major behaviour) needs a reason: refused
    #    without one. It names the financial group instead.
    office = people("office1")
    open_task(office, case.number, "联席办确定认定主体")
    groups = office.get_by_label("专项小组", exact=True)
    expect(groups.locator("option")).to_have_count(2)
    assert sorted(groups.locator("option").all_inner_texts()) == ["市场监管专项小组", "金融专项小组"]  # the case's groups only
    office.get_by_label("重大违法失信行为涉及多个专项小组：由联席办召开认定专项会议").check()
    submit_refused(office, "联席办确定认定主体", "请说明认定为重大违法失信行为的理由。")
    office.get_by_label("由专项小组认定", exact=True).check()
    office.get_by_label("专项小组", exact=True).select_option(label="金融专项小组")
    submit_step(office, "联席办确定认定主体")
    expect(status_badge(office)).to_have_text("认定")
    expect(office.locator("#overview")).to_contain_text("专项小组: 金融专项小组")
    expect(timeline(office).get_by_role("row").filter(has_text="联席办已确定认定主体")).to_have_count(1)
    assert open_steps(office, case, "安排认定会议并抽取专家") == ["人民银行市分行"]

    # 5. The financial group's lead (人民银行市分行) schedules the meeting: experts of law and of both
    #    groups' fields are drawn; every one of them confirms and gives an opinion.
    pbc = people("pbc_lead")
    schedule_meeting(pbc, case)
    give_notice(pbc, case)  # the subjects are told; each waives its statement
    drawn = invitations(pbc, case)
    assert sorted(r["field"] for r in drawn) == ["市场监管", "市场监管", "法律", "金融", "金融"], drawn
    experts = experts_confirm_and_opine(people, expert_logins, case, pbc)
    assert sorted(experts) == sorted(r["name"] for r in drawn), experts
    assert {r["status"] for r in invitations(pbc, case)} == {"已提交意见"}
    expect(pbc.locator("#experts")).to_contain_text("书面意见: 支持 5，反对 0，弃权 0")
    # The market group's lead has no step in it.
    market_lead = people("market_lead")
    market_lead.goto("/tasks/")
    expect(market_lead.get_by_role("row").filter(has_text=case.number)).to_have_count(0)

    # 6. pbc_lead records the decision with the five drawn experts attending and every measure of both
    #    entries; the period defaults to the longer of the two entries' (730 days).
    fill_determination(pbc, case, experts=experts, units=sorted({"人民银行市分行", *UNITS}),
                       measures=[f"{m} — {u}" for m, u in MEASURES], period_days=730)
    submit_step(pbc, "召开认定会议并记录决定")
    open_case(pbc, case)
    expect(status_badge(pbc)).to_have_text("实施中")
    expect(pbc.locator("#overview")).to_contain_text("专家表决: 支持 5，反对 0，弃权 0")
    listing = listing_row(pbc, name)
    expect(listing).to_contain_text("生效中")
    expect(listing).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} – {cn_date(d + timedelta(days=729))}"))
    for unit in UNITS:
        expect(listing).to_contain_text(f"{unit}: 尚未反馈")

    # 7. On the black list from the day of issue, as determined by 人民银行市分行.
    rows = public_list_rows(people.anonymous(), BLACK_LIST, query=name)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(masked(code))
    expect(rows.first).to_contain_text(re.compile("重大税收违法失信主体|欠缴税款且逃避追缴的失信主体"))
    expect(rows.first).to_contain_text("人民银行市分行")
    expect(rows.first).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} – {cn_date(d + timedelta(days=729))}"))

    # 8. The office files the decision while the four units apply the measures; pbc_lead and market_lead compile.
    assert open_steps(pbc, case, "决定备案确认") == [OFFICE]
    units = implementing_units(pbc, case)
    assert units == UNITS, units
    acknowledge_filing(office, case)
    for unit in units:
        report_implementation(people(CASEWORKERS[unit]), case, report=f"{unit}已落实本单位措施。")
    open_case(pbc, case)
    for unit in UNITS:
        expect(listing_row(pbc, name)).to_contain_text(f"{unit}: 已实施")
    # Each group whose entries the case cites compiles the feedback (汇总提交给各专项小组): the market group's lead too,
    #    though the office named the central bank's group to determine it.
    compile_feedback(pbc, case, summary="四家实施单位均已落实。")
    expect(flash(pbc).filter(has_text="已办理：汇总实施反馈。")).to_be_visible()
    expect(status_badge(pbc)).to_have_text("实施中")
    compile_feedback(market_lead, case, summary="本组事项的实施单位均已落实。")
    open_case(pbc, case)
    expect(status_badge(pbc)).to_have_text("生效中")

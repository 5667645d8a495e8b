"""Journey a: a joint punishment from the caseworker's trigger to the public black list, with the
amendment loop, the random expert draw (one expert declines, the reserve steps in and confirms too), the
determination with every drawn seat filled by a confirmed expert ticked as attending, the decision issued
(the subject's listing starts that day and it is on the black list at once), the office's filing in
parallel with the units' implementation, and the compiled feedback."""
import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.e2e.ui import (
    BLACK_LIST,
    CASEWORKERS,
    DECISION_FILE,
    MINUTES_FILE,
    SC_P_001_BEHAVIOUR,
    SC_P_001_MEASURES,
    acknowledge_filing,
    answer_invitation,
    cn_date,
    compile_feedback,
    experts_confirm_and_opine,
    file_trigger,
    fill_determination,
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
    push_rows,
    recorded_today,
    report_implementation,
    schedule_meeting,
    status_badge,
    submit_refused,
    submit_step,
    timeline,
)

STATEMENT = "我公司对认定的事实无异议，但已于十月完成整改，请求从轻认定。"
ANSWER = "经核实，整改情况不影响对失信行为的认定，陈述申辩意见不予采纳。"

FACTS = "该公司因提供虚假材料取得公司登记，被市市场监管局列入严重违法失信企业名单。"
AMENDED = FACTS + "列入决定已于本月依法送达，送达回证附后。"
RETURN_REASONS = "请补充列入名单决定书的送达回证。"
UNITS = sorted(set(SC_P_001_MEASURES.values()))


def test_joint_punishment_from_trigger_to_black_list(people, expert_logins):
    name, code = new_subject("信联旅程甲")
    cw, lead, office = people("market_cw"), people("market_lead"), people("office1")

    # 1. The caseworker of the unit administering SC-P-001 files the trigger: subject, entry, facts, basis, a PDF.
    case = file_trigger(cw, name, code, title=f"{name}列入严重违法失信企业名单", facts=FACTS,
                        legal_basis="《企业信息公示暂行条例》第十八条；《严重违法失信企业名单管理暂行办法》。",
                        files=[pdf("列入严重违法失信企业名单决定书.pdf")])
    expect(status_badge(cw)).to_have_text("预审")
    header = cw.locator(".case-header")
    expect(header).to_contain_text(name)
    expect(header).to_contain_text(code)  # the filing unit sees the full code
    overview = cw.locator("#overview")
    expect(overview).to_contain_text("专项小组: 市场监管专项小组")
    expect(overview).to_contain_text("SC-P-001")
    expect(overview).to_contain_text(FACTS)
    expect(cw.locator("#documents")).to_contain_text("列入严重违法失信企业名单决定书.pdf")
    expect(cw.locator("#steps")).to_contain_text("专项小组预审")
    expect(timeline(cw)).to_contain_text("发起触发申报")

    # 2. The group lead returns it with reasons.
    pre_review(lead, case, accept=False, reasons=RETURN_REASONS)
    expect(status_badge(lead)).to_have_text("退回补正")
    expect(timeline(lead).get_by_role("row").filter(has_text="退回经办人")).to_contain_text(RETURN_REASONS)

    # 3. The caseworker amends (the form keeps the filed facts) and resubmits with more evidence.
    open_task(cw, case.number, "补正并重新提交")
    expect(cw.get_by_label("基本事实")).to_have_value(FACTS)
    cw.get_by_label("基本事实").fill(AMENDED)
    cw.get_by_label("补正内容").fill("补充送达回证，补充送达情况说明。")
    cw.get_by_label("补充证据材料").set_input_files([pdf("送达回证.pdf")])
    submit_step(cw, "补正并重新提交")
    expect(status_badge(cw)).to_have_text("预审")
    expect(cw.locator("#overview")).to_contain_text(AMENDED)
    expect(cw.locator("#documents")).to_contain_text("送达回证.pdf")
    expect(timeline(cw).get_by_role("row").filter(has_text="触发申报补正后重新提交")).to_contain_text("补充送达回证")

    # 4. The lead accepts. One specialist group: the case goes straight to its meeting (not to the office
    #    to name a determining body); the lead schedules it and draws the experts.
    pre_review(lead, case, accept=True)
    expect(status_badge(lead)).to_have_text("认定")
    expect(timeline(lead)).to_contain_text("预审通过")
    assert open_steps(lead, case, "安排认定会议并抽取专家") == ["市市场监管局"]
    expect(lead.locator("#steps")).not_to_contain_text("联席办确定认定主体")
    schedule_meeting(lead, case)
    # ... and, the behaviour being one that lists the subject, tells it first (告知): its statement arrives on
    # paper and is recorded; with every subject answered the meeting need not wait for the period's end.
    give_notice(lead, case, statement=STATEMENT)
    expect(timeline(lead)).to_contain_text("已告知当事人拟认定事项（告知书）")
    expect(timeline(lead)).to_contain_text("当事人已陈述申辩")
    drawn = invitations(lead, case)
    assert sorted(r["field"] for r in drawn) == ["市场监管", "市场监管", "法律"], drawn
    assert {r["status"] for r in drawn} == {"已邀请"}, drawn
    expect(timeline(lead)).to_contain_text("抽取专家")
    expect(timeline(lead)).to_contain_text("邀请专家参会")

    # 5. One market-regulation expert declines with a reason: the field's reserve is invited instead.
    decliner = next(r["name"] for r in drawn if r["field"] == "市场监管")
    expert = people(expert_logins[decliner])
    answer_invitation(expert, case, confirm=False, reason="本人近三年与该企业存在业务往来，申请回避。")
    expect(expert).to_have_url(re.compile(r"/tasks/$"))  # a declining expert is not let into the file
    resp = expert.goto(case.path)  # (as a case that does not exist: a 403 would say which ones do)
    assert resp.status == 404
    expect(expert.get_by_role("heading", name="404")).to_be_visible()
    expect(expert.get_by_text("案件不存在。")).to_be_visible()
    after = {r["name"]: r for r in invitations(lead, case)}
    assert after[decliner]["status"] == "不参会", after
    assert after[decliner]["reason"] == "本人近三年与该企业存在业务往来，申请回避。", after
    reserve = [n for n, r in after.items() if n not in {d["name"] for d in drawn}]
    assert len(reserve) == 1 and after[reserve[0]]["field"] == "市场监管" and after[reserve[0]]["status"] == "已邀请", after
    expect(timeline(lead)).to_contain_text("专家回复不参会")

    # 6. Every expert now invited (the reserve too) confirms, opens the file and gives an opinion.
    confirmed = experts_confirm_and_opine(people, expert_logins, case, lead)
    assert sorted(confirmed) == sorted(n for n, r in after.items() if n != decliner), confirmed
    assert reserve[0] in confirmed
    final = {r["name"]: r["status"] for r in invitations(lead, case)}
    assert [final[n] for n in confirmed] == ["已提交意见"] * 3, final
    expect(lead.locator("#experts")).to_contain_text("书面意见: 支持 3，反对 0，弃权 0")
    # A confirmed expert reads the file (documents) but not the timeline.
    expert = people(expert_logins[confirmed[0]])
    open_case(expert, case)
    expect(expert.locator("#documents")).to_contain_text("送达回证.pdf")
    expect(expert.locator("#timeline")).to_have_count(0)
    # The office checks the draw: recomputed from its stored inputs, it matches the record.
    open_case(office, case)
    office.locator("#experts").get_by_role("link", name="核验本次抽取").click()
    expect(office.get_by_text("根据存档的抽取输入重新计算，结果与记录一致：抽取记录经复核一致。")).to_be_visible()

    # 7. The lead records the determination: joint action, every measure, the entry's default period. Every
    #    drawn seat must be filled by a confirmed expert who took part: with one of the three not ticked the
    #    decision is refused; with all three it is recorded, and recording it issues it.
    open_task(lead, case.number, "召开认定会议并记录决定")
    expect(lead.locator("#experts")).to_contain_text("书面意见: 支持 3，反对 0，弃权 0")  # opinions on the step
    fill_determination(lead, case, experts=confirmed, units=sorted({"市市场监管局", *UNITS}),
                       measures=[f"{m} — {u}" for m, u in SC_P_001_MEASURES.items()], period_days=1095)
    expect(lead.locator("#notices")).to_contain_text(STATEMENT)  # the meeting sees the statement
    lead.get_by_label("对当事人陈述申辩的答复（当事人作出陈述申辩时必填）").fill(ANSWER)
    absent = lead.get_by_label(re.compile(rf"^{re.escape(confirmed[2])}（"))
    absent.uncheck()
    submit_refused(lead, "召开认定会议并记录决定", "须由抽取的专家参会：3 个席位中至少 3 人，现勾选出席的已确认专家 2 人。")
    expect(lead.get_by_label("会议纪要内容", exact=True)).not_to_have_value("")  # the form keeps what was entered
    absent.check()
    # ... and the files chosen, kept for the next submission (listed with a box to drop each).
    for kept in (MINUTES_FILE, DECISION_FILE):
        expect(lead.get_by_label(re.compile(rf"^{re.escape(kept)}"))).to_be_checked()
    submit_step(lead, "召开认定会议并记录决定")
    open_case(lead, case)
    expect(status_badge(lead)).to_have_text("实施中")
    overview = lead.locator("#overview")
    expect(overview).to_contain_text("实施联合奖惩")
    expect(overview).to_contain_text("专家表决: 支持 3，反对 0，弃权 0")
    expect(lead.locator("#notices").get_by_role("row").filter(has_text=STATEMENT)).to_contain_text(ANSWER)
    expect(overview).to_contain_text(recorded_today(lambda d: f"1095天，自{cn_date(d)}印发决定之日起算"))
    for measure, unit in SC_P_001_MEASURES.items():
        expect(overview.locator("table").first.get_by_role("row").filter(has_text=measure)).to_contain_text(unit)
    # The subject's own listing started today, for the decided period; no unit has reported yet.
    listing = listing_row(lead, name)
    expect(listing).to_have_count(1)
    expect(listing).to_contain_text("生效中")
    expect(listing).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} – {cn_date(d + timedelta(days=1094))}"))
    for unit in UNITS:
        expect(listing).to_contain_text(f"{unit}: 尚未反馈")
    expect(push_rows(lead)).to_have_count(0)
    # The deciding unit may now issue the subject's access code, to print on the decision served to it.
    access = lead.locator("#access").get_by_role("row").filter(has_text=name)
    expect(access).to_contain_text("尚未签发")
    expect(access.get_by_role("button", name="签发访问码")).to_be_visible()
    expect(timeline(lead)).to_contain_text("登记认定结论")
    documents = lead.locator("#documents")
    expect(documents.get_by_role("row").filter(has_text=MINUTES_FILE)).to_contain_text("会议纪要")
    expect(documents.get_by_role("row").filter(has_text=DECISION_FILE)).to_contain_text("决定文书")
    expect(timeline(lead)).to_contain_text("名单生效：期限自决定印发之日起计算")

    # 8. Issued: the subject is on the public black list at once (no login), masked code, behaviour,
    #    measures and period, before anyone has filed or implemented anything.
    rows = public_list_rows(people.anonymous(), BLACK_LIST, query=name)
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text(name)
    expect(row).to_contain_text(masked(code))
    expect(row).not_to_contain_text(code)
    expect(row).to_contain_text(SC_P_001_BEHAVIOUR)
    for measure in SC_P_001_MEASURES:
        expect(row).to_contain_text(measure)
    expect(row).to_contain_text(recorded_today(lambda d: f"{cn_date(d)} – {cn_date(d + timedelta(days=1094))}"))

    # 9. Filing and implementation run in parallel: the office's filing step and the three units' steps
    #    are open together, and a unit reports before the office has filed.
    assert open_steps(lead, case, "决定备案确认") == ["市发展改革委（市社会信用体系建设联席会议办公室）"]
    units = implementing_units(lead, case)
    assert units == UNITS, units
    first = units[0]
    report_implementation(people(CASEWORKERS[first]), case, report=f"{first}已在业务办理中嵌入限制措施。",
                          files=[pdf(f"{first}实施情况.pdf")])
    assert open_steps(lead, case, "决定备案确认") == ["市发展改革委（市社会信用体系建设联席会议办公室）"]
    expect(listing_row(lead, name)).to_contain_text(f"{first}: 已实施")
    acknowledge_filing(office, case, note="已备案。")
    expect(status_badge(office)).to_have_text("实施中")
    expect(timeline(office)).to_contain_text("决定报联席会议办公室备案")
    expect(office.locator("#steps")).not_to_contain_text("决定备案确认")

    # 10. The other implementing units' caseworkers report.
    for unit in units[1:]:
        report_implementation(people(CASEWORKERS[unit]), case, report=f"{unit}已在业务办理中嵌入限制措施。",
                              files=[pdf(f"{unit}实施情况.pdf")])
    open_case(lead, case)
    measures = lead.locator("#overview table").first
    for measure, unit in SC_P_001_MEASURES.items():
        expect(measures.get_by_role("row").filter(has_text=measure)).to_contain_text(f"{unit}已在业务办理中嵌入限制措施。")
    for unit in UNITS:
        expect(listing_row(lead, name)).to_contain_text(f"{unit}: 已实施")
    expect(lead.locator("#steps")).to_contain_text("汇总实施反馈")

    # 11. The lead compiles the feedback: the punishment is in effect while the listing runs.
    compile_feedback(lead, case, summary="三家实施单位均已按决定实施惩戒措施。")
    expect(status_badge(lead)).to_have_text("生效中")
    expect(lead.locator("#overview")).to_contain_text("三家实施单位均已按决定实施惩戒措施。")
    expect(listing_row(lead, name)).to_contain_text("生效中")
    expect(lead.locator("#steps")).to_contain_text("暂无在办环节。")
    for event in ("措施已实施", "汇总实施反馈"):
        expect(timeline(lead)).to_contain_text(event)
    expect(lead.get_by_text("办理轨迹哈希链校验通过：记录未被篡改或删除。")).to_be_visible()
    expect(public_list_rows(people.anonymous(), BLACK_LIST, query=name)).to_have_count(1)

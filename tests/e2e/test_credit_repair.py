"""Journey c: credit repair. Too early (before the minimum publication period of 90 days) it is refused
with the date from which it is accepted; after it, the filing unit approves and publishes it: the subject's
listing ends early, the lifting of every measure is pushed to the units applying them, which confirm it in
their inboxes (确认措施调整), the subject leaves the black list, and once the units' periodic report is
compiled the procedure ends (every listing of the case has ended).

The approved repair needs a punishment in effect for more than 90 days: a browser cannot make time pass,
so that case is history made before the server starts (tests/e2e/history.py, through the demo loader's
steps with the clock moved back). Its quarterly implementation report fell due meanwhile, so the units have
their periodic reports (定期报告实施情况) open. Everything after that is driven through the pages."""
import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.ui import (
    BLACK_LIST,
    CASEWORKERS,
    PUSH_LIFT,
    SC_P_001_MEASURES,
    Case,
    access_code,
    cn_date,
    confirm_push,
    find_case,
    flash,
    listing_row,
    masked,
    open_case,
    open_steps,
    open_task,
    pdf,
    portal_open,
    portal_status,
    public_list_rows,
    push_rows,
    push_tasks,
    recorded_today,
    register_applicant,
    status_badge,
    submit_step,
    timeline,
    today,
)

PASSWORD = "E2e-Repair-pw1"
UNITS = sorted(set(SC_P_001_MEASURES.values()))
CORRECTION = "我公司已撤回以虚假材料取得的登记，重新依法提交真实材料，并完成信用修复培训，相关不良影响已消除。"


def period_start(page) -> date:
    """'自 2026年11月11日 起，为期 730 天。' on the applicant's status page."""
    m = re.search(r"自 (\d{4})年(\d{1,2})月(\d{1,2})日 起，为期 \d+ 天。", page.locator("main").inner_text())
    assert m, page.locator("main").inner_text()
    return date(*map(int, m.groups()))


def apply_for_repair(page, number: str, eligible: date) -> None:
    portal_open(page, number)
    page.get_by_role("link", name="申请信用修复").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"申请信用修复: {number}")
    expect(page.locator("main")).to_contain_text(f"最短公示期届满后方可受理：本案自 {cn_date(eligible)} 起可申请。")
    page.get_by_label("失信行为的纠正及消除不良影响情况").fill(CORRECTION)
    page.get_by_label("纠正失信行为的证明材料").set_input_files([pdf("整改完成证明.pdf")])
    expect(page.get_by_text("本单位（本人）承诺遵守法律法规，已纠正失信行为并消除不良影响")).to_be_visible()
    page.get_by_label("本单位（本人）作出上述信用承诺").check()
    page.get_by_role("button", name="提交申请").click()


def test_repair_refused_before_minimum_period(people):
    """The demo's decoration company has been punished for 20 days: not yet eligible."""
    lead = people("market_lead")
    case = find_case(lead, "某装饰工程有限公司")
    code = access_code(lead, case)
    expect(status_badge(lead)).to_have_text("生效中")

    applicant = people.anonymous("applicant")
    register_applicant(applicant, "91510400MA6X00101R", code, "e2e_decoration", PASSWORD)
    expect(flash(applicant)).to_contain_text("账号已开通。")
    portal_open(applicant, case.number)
    eligible = period_start(applicant) + timedelta(days=90)
    assert eligible > today()
    # The page says when the form opens instead of offering a form that cannot succeed yet.
    applicant.get_by_role("link", name="申请信用修复").click()
    expect(applicant.get_by_role("heading", level=1)).to_have_text(f"申请信用修复: {case.number}")
    expect(applicant.locator("main")).to_contain_text(f"申请表将于 {cn_date(eligible)} 开放")
    expect(applicant.get_by_role("button", name="提交申请")).to_have_count(0)
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 生效中")
    expect(applicant.locator("main")).not_to_contain_text("您提出的申请")  # nothing was filed


def test_repair_approved_and_published(people, server):
    history = server.history
    case = Case(number=history["number"], path=f"/cases/{history['id']}", subject_name=history["subject_name"],
                subject_code=history["subject_code"])
    lead, cw = people("market_lead"), people("market_cw")
    code = access_code(lead, case)
    expect(status_badge(lead)).to_have_text("生效中")
    start = date.fromisoformat(history["period_start"])  # (120 days before the seeding, as the app recorded it)
    expect(listing_row(lead, case.subject_name)).to_contain_text("生效中")
    expect(listing_row(lead, case.subject_name)).to_contain_text(f"{cn_date(start)} – {cn_date(start + timedelta(days=729))}")
    # The quarterly report fell due 30 days ago: each implementing unit has its periodic report open.
    assert open_steps(lead, case, "定期报告实施情况") == UNITS

    applicant = people.anonymous("applicant")
    register_applicant(applicant, case.subject_code, code, f"e2e_{case.subject_code[-6:].lower()}", PASSWORD)
    expect(flash(applicant)).to_contain_text("账号已开通。")
    portal_open(applicant, case.number)
    assert period_start(applicant) == start

    # 1. The applicant applies with evidence and the credit commitment.
    apply_for_repair(applicant, case.number, start + timedelta(days=90))
    filed = flash(applicant).filter(has_text=re.compile(r"您的修复申请 XF-\d{4}-\d{6} 已提交。"))
    expect(filed).to_be_visible()
    repair = re.search(r"XF-\d{4}-\d{6}", filed.inner_text()).group(0)
    expect(applicant.get_by_role("heading", level=1)).to_have_text(f"{repair} · {case.number} 的信用修复")
    expect(portal_status(applicant)).to_have_text("当前状态: 修复申请审核中")
    expect(applicant.locator("main li").filter(has_text="审核修复申请")).to_contain_text("市市场监管局")

    # 2. The unit that filed the case (its caseworker) reviews and approves.
    open_task(cw, repair, "审核修复申请")
    expect(cw.locator("main")).to_contain_text(CORRECTION)
    cw.get_by_label("准予修复：公示修复结果并提前结束惩戒").check()
    cw.get_by_label("理由（或需补充的材料）").fill("整改材料真实完整，已作出信用承诺，准予修复。")
    submit_step(cw, "审核修复申请")
    expect(status_badge(cw)).to_have_text("准予修复并已公示")
    expect(cw.locator("#documents")).to_contain_text("整改完成证明.pdf")

    # 3. The subject's listing ends today (repaired); lifting each measure is pushed to its unit.
    open_case(cw, case)
    listing = listing_row(cw, case.subject_name)
    expect(listing).to_contain_text("已信用修复，提前移出")
    expect(listing).to_contain_text(recorded_today(lambda d: f"{cn_date(start)} – {cn_date(d)}"))
    expect(timeline(cw)).to_contain_text("信用已修复：提前移出惩戒，解除相关措施")
    for unit in UNITS:
        latest = push_rows(cw, unit).last
        expect(latest).to_contain_text(PUSH_LIFT)
        expect(latest).to_contain_text("尚未确认")
        expect(listing).to_contain_text(f"{unit}: 解除中：已通知实施单位")  # until the unit confirms the lifting

    # 4. Each unit confirms in its inbox that it lifted its measure.
    for unit in UNITS:
        worker = people(CASEWORKERS[unit])
        expect(push_tasks(worker, case)).to_have_count(1)
        confirm_push(worker, case, unit, PUSH_LIFT, f"{unit}已解除对该企业的限制措施。")
        expect(push_tasks(worker, case)).to_have_count(0)
    open_case(cw, case)
    for unit in UNITS:
        expect(listing_row(cw, case.subject_name)).to_contain_text(f"{unit}: 已解除")
        expect(push_rows(cw, unit).last).to_contain_text(f"{unit}已解除对该企业的限制措施。")

    # 5. The applicant sees the outcome on both status pages.
    portal_open(applicant, repair)
    expect(portal_status(applicant)).to_have_text("当前状态: 准予修复并已公示")
    expect(applicant.locator("main")).to_contain_text("修复申请已审核: 准予")
    portal_open(applicant, case.number)
    expect(applicant.locator("main")).to_contain_text(recorded_today(lambda d: f"已信用修复，提前移出（{cn_date(d)}）"))
    expect(applicant.locator("main")).to_contain_text("限制参与政府采购活动 — 市财政局（已解除）")
    expect(applicant.get_by_role("link", name="申请信用修复")).to_have_count(0)
    expect(applicant.get_by_role("link", name="提出书面异议")).to_have_count(0)

    # 6. Public: the repair result is published and the subject is off the black list.
    anonymous = people.anonymous()
    rows = public_list_rows(anonymous, "信用修复结果公示", query=case.subject_name)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(case.subject_name)
    expect(rows.first).to_contain_text(masked(case.subject_code))
    expect(rows.first).to_contain_text(recorded_today(cn_date))
    expect(public_list_rows(anonymous, BLACK_LIST, query=case.subject_name)).to_have_text(["暂无列入名单的主体。"])

    # 7. The case's only listing has ended; the procedure ends once the units' periodic reports (due
    #    before the repair) are in and compiled by the lead: 程序完结.
    open_case(lead, case)
    expect(status_badge(lead)).to_have_text("生效中")
    for unit in UNITS:
        worker = people(CASEWORKERS[unit])
        open_task(worker, case.number, "定期报告实施情况")
        worker.get_by_label("措施已实施").check()
        worker.get_by_label("简要情况说明").fill(f"本季度{unit}依决定实施措施；该企业信用修复后已解除。")
        submit_step(worker, "定期报告实施情况")
    open_task(lead, case.number, "汇总定期实施情况")
    lead.get_by_label("汇总反馈", exact=True).fill("本季度各实施单位均按决定实施；该企业已信用修复，措施均已解除。")
    submit_step(lead, "汇总定期实施情况")
    expect(status_badge(lead)).to_have_text("程序完结：各主体名单均已终止")
    expect(lead.locator("#steps")).to_contain_text("暂无在办环节。")
    portal_open(applicant, case.number)
    expect(portal_status(applicant)).to_have_text("当前状态: 程序完结：各主体名单均已终止")

"""Journey: someone without an account reports dishonest behaviour, keeps the number and query code, and follows
the report; the office assigns it from its inbox; the unit closes it with reasons, which the reporter then sees."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import open_task, submit_step


def test_a_report_from_the_public_is_followed_to_its_outcome(people):
    page = people.anonymous()
    page.goto("/public/")
    page.get_by_role("link", name="举报失信行为").click()
    expect(page.get_by_role("heading", name="举报失信行为")).to_be_visible()
    page.get_by_role("button", name="提交举报").click()  # nothing filled in: each field says what is missing
    expect(page.locator(".invalid-feedback").filter(has_text="请写明被举报的单位或个人")).to_be_visible()
    page.get_by_label("单位名称或个人姓名").fill("某运输有限公司")
    page.get_by_label("举报内容：失信行为及其时间、地点").fill("该公司2026年10月在政府采购投标中提供虚假业绩证明。")
    page.get_by_label("您的姓名").fill("王先生")
    page.get_by_label("您的电话或电子邮箱").fill("13900001234")
    page.get_by_role("button", name="提交举报").click()
    expect(page.get_by_role("heading", name="已收到举报")).to_be_visible()
    number = page.locator("#report-number").inner_text()
    code = page.locator("#query-code").inner_text()
    assert re.fullmatch(r"JB-\d{4}-\d{6}", number) and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    office = people("office1")
    open_task(office, number, "受理举报并交办责任单位")
    expect(office.get_by_text("某运输有限公司").first).to_be_visible()
    expect(office.get_by_text("13900001234")).to_be_visible()
    office.get_by_label("交责任单位核查").check()
    office.get_by_label("责任单位", exact=True).select_option(label="市财政局")
    submit_step(office, "受理举报并交办责任单位")

    unit = people("finance_cw")
    open_task(unit, number, "核查举报并处理")
    unit.get_by_label("不属实或不属于联合惩戒范围：办结").check()
    unit.get_by_label("核查情况和理由（举报人可见）").fill("经调取投标档案核查，业绩证明真实有效。")
    submit_step(unit, "核查举报并处理")

    page.goto("/public/reports/track")
    page.get_by_label("举报编号").fill(number)
    page.get_by_label("查询码").fill("AAAA-BBBB-CCCC")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_text("没有与该编号和查询码对应的举报。")).to_be_visible()
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    status = page.locator("#report-status")
    expect(status).to_contain_text("举报经核查办结")
    expect(status).to_contain_text("业绩证明真实有效")

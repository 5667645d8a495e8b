"""Journey e: the public black and red lists open without logging in and show the demo's subjects under
joint action now (names, masked codes, behaviour, measures, period), each from the day its decision was
issued (not once implementation is reported); a suspended punishment and an undecided case are not listed;
search finds a subject by its full code."""
import re

from playwright.sync_api import expect

BLACK, RED, REPAIRS = "黑名单（失信联合惩戒执行中）", "红名单（守信联合激励实施中）", "信用修复结果公示"


def test_public_lists_without_login(people):
    page = people.anonymous()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_role("link", name="名单公示").click()
    expect(page.get_by_role("heading", name="联合奖惩名单公示")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)

    # Black list (the default tab): the demo's decoration company, in effect; not the food company,
    # whose punishment is suspended while its objection is handled.
    expect(page.get_by_role("link", name=BLACK)).to_have_class("nav-link active")
    rows = page.locator("main table tbody tr")
    decoration = rows.filter(has_text="某装饰工程有限公司")
    expect(decoration).to_have_count(1)
    expect(decoration).to_contain_text("915104********101R")
    expect(decoration).not_to_contain_text("91510400MA6X00101R")
    expect(decoration).to_contain_text("被列入严重违法失信企业名单")
    expect(decoration).to_contain_text("限制参与政府采购活动")
    expect(decoration).to_contain_text("列为重点监管对象，提高抽查比例和频次")
    expect(rows.filter(has_text="某食品有限公司")).to_have_count(0)
    expect(rows.filter(has_text="某软件有限公司")).to_have_count(0)  # a reward is not on the black list
    # Listed from the day of issue: the printing company decided 120 days ago, and the chemical company
    # whose decision was issued 12 days ago while one unit has still to report its implementation.
    printing = rows.filter(has_text="某印刷有限公司")
    expect(printing).to_have_count(1)
    expect(printing).to_contain_text("915104********303B")
    chemical = rows.filter(has_text="某化工有限公司")
    expect(chemical).to_have_count(1)
    expect(chemical).to_contain_text("环境保护严重失信企业")
    expect(chemical).to_contain_text("市生态环境局")  # determined by the environment group's lead unit
    # Not yet decided: the two-group case waiting for the office, and the case at its determination meeting.
    expect(rows.filter(has_text="某物流有限公司")).to_have_count(0)
    expect(rows.filter(has_text="张某")).to_have_count(0)

    # Red list: the demo's software company with its joint reward.
    page.get_by_role("link", name=RED).click()
    expect(page.get_by_role("link", name=RED)).to_have_class("nav-link active")
    software = rows.filter(has_text="某软件有限公司")
    expect(software).to_have_count(1)
    expect(software).to_contain_text("915104********202J")
    expect(software).to_contain_text("纳税信用A级纳税人")
    expect(software).to_contain_text("办理行政审批事项开辟绿色通道")
    expect(rows.filter(has_text="某装饰工程有限公司")).to_have_count(0)

    # Search by the full code, and a search that finds nobody.
    page.get_by_placeholder("名称（姓名）或完整代码").fill("91510400MA6X00202J")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("某软件有限公司")
    page.get_by_placeholder("名称（姓名）或完整代码").fill("不存在的公司")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_text(["暂无列入名单的主体。"])

    # The repair results tab opens too (its content depends on the repair journey: not asserted here).
    page.get_by_role("link", name=REPAIRS).click()
    expect(page.get_by_role("link", name=REPAIRS)).to_have_class("nav-link active")
    expect(page.get_by_role("columnheader", name="修复日期")).to_be_visible()

"""Journey d: the administrator changes the catalog (a new version), the organisation (a unit, a user)
and a deadline rule, and each change shows where it matters: new cases cite the new version and get the
new deadline while running cases keep theirs; the new user logs in and works for the unit it is in."""
import re

from playwright.sync_api import expect

from tests.e2e.ui import file_trigger, flash, login, new_subject, pdf

NEW_BEHAVIOUR = "重大税收违法失信主体（含虚开增值税专用发票）"


def open_admin(page, item: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="系统管理").click()
    page.get_by_role("link", name=item).click()


def test_admin_edits_catalog_unit_user_and_deadline_rule(people):
    admin = people("admin")

    # 1. Catalog: SC-P-002 gets a new version with a reason; the versions and the changes are shown.
    open_admin(admin, "联合奖惩目录清单")
    entry_row = admin.get_by_role("row").filter(has=admin.get_by_role("link", name="SC-P-002", exact=True))
    expect(entry_row).to_contain_text("v1")
    entry_row.get_by_role("link", name="SC-P-002").click()
    expect(admin.get_by_role("heading", name="SC-P-002")).to_be_visible()
    expect(admin.get_by_label("行为事项")).to_have_value("重大税收违法失信主体")
    admin.get_by_label("行为事项").fill(NEW_BEHAVIOUR)
    admin.get_by_label("所需证据材料").fill("税务处理决定书；税务行政处罚决定书；送达回证")
    admin.get_by_label("修改原因（法律法规、机构职能变化或更正）").fill("按新修订的公布管理办法补充列入情形。")
    admin.get_by_role("button", name="保存为新版本").click()
    expect(flash(admin)).to_have_text("已保存为新版本；已申报的案件仍引用申报时的版本。")
    versions = admin.locator("table").first.locator("tbody tr")  # (below the header row)
    expect(versions.first).to_contain_text("v2")
    expect(versions.first).to_contain_text("按新修订的公布管理办法补充列入情形。")
    expect(versions.nth(1)).to_contain_text("v1")
    versions.first.get_by_role("link", name="变更对比").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("SC-P-002: v1 → v2")
    changed = admin.locator("tr.table-warning")
    expect(changed.filter(has_text=NEW_BEHAVIOUR)).to_contain_text("重大税收违法失信主体")
    expect(changed.filter(has_text="送达回证")).to_have_count(1)
    open_admin(admin, "联合奖惩目录清单")
    expect(entry_row).to_contain_text("v2")
    expect(entry_row).to_contain_text(NEW_BEHAVIOUR)

    # The demo case filed under v1 still cites v1.
    admin.goto("/cases/?q=某商贸有限公司")
    admin.get_by_role("row").filter(has_text="某商贸有限公司").get_by_role("link").click()
    expect(admin.locator("#overview")).to_contain_text("SC-P-002 v1 重大税收违法失信主体")

    # 2. A unit: created, then renamed.
    open_admin(admin, "单位和专项小组")
    admin.get_by_label("单位名称").fill("东区税务分局")
    admin.get_by_label("单位类型").select_option(label="县（区）部门")
    admin.get_by_role("button", name="保存").click()
    expect(flash(admin)).to_have_text("已保存。")
    admin.get_by_role("link", name="东区税务分局", exact=True).click()
    expect(admin.get_by_role("heading", name="东区税务分局")).to_be_visible()
    admin.get_by_label("单位名称").fill("东区税务局")
    admin.get_by_role("button", name="保存").click()
    expect(flash(admin)).to_have_text("已保存。")
    expect(admin.get_by_role("link", name="东区税务局", exact=True)).to_have_count(1)
    expect(admin.get_by_role("link", name="东区税务分局", exact=True)).to_have_count(0)
    admin.get_by_role("link", name="东区税务局", exact=True).click()
    expect(admin.get_by_label("单位类型")).to_have_value("county")  # the form keeps the type chosen (县（区）部门)

    # 3. A user: created as a caseworker of 市税务局, shown its initial password once; it logs in, chooses
    #    its own password and sees its unit's work (the demo's returned trigger waits at 市税务局).
    open_admin(admin, "用户")
    admin.get_by_label("用户名").fill("e2e_tax_cw2")
    admin.get_by_label("姓名", exact=True).fill("钱经办")
    admin.get_by_label("角色").select_option(label="经办人")
    admin.get_by_label("单位").select_option(label="市税务局")
    admin.get_by_role("button", name="保存").click()
    expect(flash(admin).first).to_have_text("已保存。")
    shown = flash(admin).filter(has_text="初始密码")
    expect(shown).to_have_text(re.compile(r"用户 e2e_tax_cw2 的初始密码为 \S+，请转告该用户；初始密码不再显示。"))
    password = re.search(r"初始密码为 (\S+)，", shown.inner_text()).group(1)
    user_row = admin.get_by_role("row").filter(has=admin.get_by_role("link", name="e2e_tax_cw2", exact=True))
    expect(user_row).to_contain_text("钱经办")
    expect(user_row).to_contain_text("市税务局")

    # At the first login the initial password must be replaced before anything else.
    newcomer = people.anonymous("e2e_tax_cw2")
    login(newcomer, "e2e_tax_cw2", password)
    expect(newcomer.get_by_role("heading", name="修改密码")).to_be_visible()
    expect(newcomer.get_by_text("您的密码由管理员设置，请先设置自己的密码再继续。")).to_be_visible()
    newcomer.goto("/tasks/")
    expect(newcomer.get_by_role("heading", name="修改密码")).to_be_visible()  # nothing else until it is changed
    newcomer.get_by_label("当前密码").fill(password)
    password = "Qian-Tax-2026"
    newcomer.get_by_label("新密码", exact=True).fill(password)
    newcomer.get_by_label("再次输入新密码").fill(password)
    newcomer.get_by_role("button", name="修改密码").click()
    expect(flash(newcomer).filter(has_text="密码已修改，您账号的其他会话已全部退出。")).to_be_visible()
    expect(newcomer.get_by_role("navigation")).to_contain_text("钱经办")
    newcomer.goto("/tasks/")
    expect(newcomer.get_by_role("heading", name="我的待办")).to_contain_text("经办人 · 市税务局")
    expect(newcomer.get_by_role("row").filter(has_text="某商贸有限公司")).to_contain_text("补正并重新提交")

    # ... then moved to 市财政局: the tax office's task leaves the user's inbox; then deactivated.
    user_row.get_by_role("link", name="e2e_tax_cw2").click()
    admin.get_by_label("单位").select_option(label="市财政局")
    admin.get_by_role("button", name="保存").click()
    expect(flash(admin)).to_have_text("已保存。")
    expect(user_row).to_contain_text("市财政局")
    newcomer.goto("/tasks/")
    expect(newcomer.get_by_role("heading", name="我的待办")).to_contain_text("经办人 · 市财政局")
    expect(newcomer.get_by_role("row").filter(has_text="某商贸有限公司")).to_have_count(0)
    user_row.get_by_role("link", name="e2e_tax_cw2").click()
    admin.get_by_label("账号启用").uncheck()
    admin.get_by_role("button", name="保存").click()
    expect(flash(admin)).to_have_text("已保存。")
    expect(user_row.locator("td").filter(has_text=re.compile(r"^停用$"))).to_have_count(1)
    again = people.anonymous("e2e_tax_cw2-again")
    again.goto("/login")
    again.get_by_label("用户名").fill("e2e_tax_cw2")
    again.get_by_label("密码").fill(password)
    again.get_by_role("button", name="登录").click()
    expect(again.get_by_text("用户名或密码错误，或账号已停用或暂时锁定（连续 5 次密码错误将锁定 15 分钟）。")).to_be_visible()

    # 4. A deadline rule: pre-review becomes 7 working days. A trigger filed now (by the tax office, which
    #    administers SC-P-002) gets it and cites the new catalog version; the demo's old unreviewed case
    #    keeps its 5 days.
    open_admin(admin, "办理时限规则")
    rule = admin.get_by_role("row").filter(has_text="预审时限")
    expect(rule.get_by_role("spinbutton")).to_have_value("5")
    rule.get_by_role("spinbutton").fill("7")
    rule.get_by_role("button", name="保存").click()
    expect(flash(admin)).to_have_text("规则 预审时限 已修改：此后启动的案件适用新规则，已开始计算的办理时限不受影响。")
    expect(admin.get_by_role("row").filter(has_text="预审时限").get_by_role("spinbutton")).to_have_value("7")

    name, code = new_subject("信联旅程丁")
    cw = people("tax_cw")  # SC-P-002 is administered by 市税务局: its caseworker files it
    file_trigger(cw, name, code, entry="SC-P-002", title=f"{name}重大税收违法", facts="该公司虚开增值税专用发票。",
                 legal_basis="《重大税收违法失信主体信息公布管理办法》。", files=[pdf("税务处理决定书.pdf")])
    expect(cw.locator("#overview")).to_contain_text(f"SC-P-002 v2 {NEW_BEHAVIOUR}")
    expect(cw.locator("#steps").get_by_role("row").filter(has_text="专项小组预审")).to_contain_text(re.compile(r"预审时限：\s*7\s*个工作日"))
    admin.goto("/cases/?q=攀枝花某建材有限公司")
    admin.get_by_role("row").filter(has_text="攀枝花某建材有限公司").get_by_role("link").click()
    expect(admin.locator("#steps").get_by_role("row").filter(has_text="专项小组预审")).to_contain_text(re.compile(r"预审时限：\s*5\s*个工作日"))

    # 5. Every change is on the record of administrative changes.
    open_admin(admin, "管理操作记录")
    record = admin.locator("main table tbody")
    for text in ("按新修订的公布管理办法补充列入情形。", "东区税务局", "e2e_tax_cw2", "预审时限"):  # (the rule by its name)
        expect(record.get_by_role("row").filter(has_text=text).first).to_contain_text("系统管理员")

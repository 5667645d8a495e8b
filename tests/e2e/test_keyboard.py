"""Keyboard only (issue 21): two journeys driven with Tab, Shift+Tab, the arrow keys, Space and Enter, never the
mouse. Every stop of the Tab key must show where the focus is (an outline or a ring). The first stop of every
page is the skip link to the main content. A form sent back with errors puts the focus on the first field in
error, which says it is invalid and points to its message.

a. An applicant opens an account with the access code served with a decision (tests/e2e/seed_keyboard.py
   decided the case today) and files a written objection with evidence.
b. The finance bureau's caseworker reports its implementation of a decided punishment (实施措施并反馈) with
   an evidence file."""
import re

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.ui import PDF_BYTES, flash

PASSWORD = "E2e-Keyboard-pw1"
GROUNDS = "我公司已完成整改并撤回相关登记，请求撤销认定。"
MAX_TABS = 120

# The focused element and whether the focus shows: an outline or a box-shadow ring drawn around it.
_FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ring = s.boxShadow && s.boxShadow !== 'none';
  return {what: e.outerHTML.slice(0, 120), visible: outline || !!ring, main: e.id === 'main'};
}"""


def focused(page: Page) -> dict:
    state = page.evaluate(_FOCUS)
    assert state is not None, "the focus was lost (on the page body)"
    return state


def is_focused(target: Locator) -> bool:
    return target.evaluate("e => e === document.activeElement")


def tab_to(page: Page, target: Locator, *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `target` has the focus; each stop on the way must show its focus."""
    expect(target).to_have_count(1)
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = focused(page)
        assert state["visible"], f"no visible focus on {state['what']}"
        if is_focused(target):
            return
    raise AssertionError(f"{target} not reached with {MAX_TABS} presses of Tab")


def press(people, page: Page, who: str, key: str) -> None:
    """A key that may leave the page (Enter on a link or a button): the page is checked with axe first."""
    people.audit.check(page, who)
    page.keyboard.press(key)
    page.wait_for_load_state()


def skip_link_first(page: Page) -> None:
    """The first Tab of a page reaches the skip link; Enter on it moves the focus to the main content."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    assert is_focused(skip), focused(page)
    expect(skip).to_be_visible()  # shown once focused
    assert focused(page)["visible"]
    page.keyboard.press("Enter")
    # (the browser moves the focus with the fragment navigation: allow it a moment on a busy machine)
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'main'", timeout=5000)
    assert focused(page)["main"], focused(page)


def type_into(page: Page, target: Locator, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def choose(page: Page, target: str, options: Locator) -> None:
    """A select: focus it, then press ArrowDown until `target` (one of its options' labels) is selected."""
    tab_to(page, options)
    for _ in range(20):
        if options.evaluate("(e, want) => e.options[e.selectedIndex].label === want", target):
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"option {target!r} not reached with the arrow keys")


def attach(page: Page, file_input: Locator, name: str) -> None:
    """A file field: Space on it opens the file chooser (answered with a small PDF). Headless Chromium now and then
    drops the chooser event of a key press on a busy machine: Space is pressed again (still on the field) then."""
    tab_to(page, file_input)
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=5000) as chooser:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeout:
            assert is_focused(file_input), focused(page)
            if attempt == 2:
                raise
    chooser.value.set_files([{"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}])


def errors_announced(page: Page, field: Locator, message: str) -> None:
    """After a refused form: the first field in error has the focus, aria-invalid, and its message by id."""
    expect(field).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()  # (of the page sent back, not of the one Enter left)
    expect(field).to_be_focused()
    described = field.get_attribute("aria-describedby")
    assert described, "the invalid field points to no message"
    texts = " ".join(page.locator(f"[id='{i}']").inner_text() for i in described.split())
    assert message in texts, (message, texts)


def test_applicant_objects_with_the_keyboard_only(people, server):
    seeded = server.keyboard["objection"]
    page = people.anonymous("keyboard-applicant")
    page.goto("/login")
    skip_link_first(page)
    tab_to(page, page.get_by_role("link", name="开通申请人账号"), backwards=True)
    press(people, page, "keyboard-applicant", "Enter")
    expect(page.get_by_role("heading", name="开通申请人账号", level=1)).to_be_visible()

    # Sent without the access code: the error is announced at the first field in error.
    kind = page.get_by_label("申请人类型")
    choose(page, "企业或其他组织", kind)
    type_into(page, page.get_by_label("统一社会信用代码／身份证号码"), seeded["subject_code"])
    tab_to(page, page.get_by_role("button", name="开通账号"))
    press(people, page, "keyboard-applicant", "Enter")
    code_field = page.get_by_label("访问码（印于向您送达的告知书或决定书上）")
    errors_announced(page, code_field, "请填写访问码。")
    # Required fields say so in words next to their labels, not by colour alone.
    expect(page.locator("label[for=access_code] + .xl-required")).to_have_text("（必填）")

    page.keyboard.type(seeded["access_code"])
    type_into(page, page.get_by_label("联系人"), "法务联系人")
    type_into(page, page.get_by_label("用户名"), f"kb_{seeded['subject_code'][-6:].lower()}")
    type_into(page, page.get_by_label("密码（不少于10位）"), PASSWORD)
    type_into(page, page.get_by_label("确认密码"), PASSWORD)
    # The password fields come back empty after a refusal: the ones above were typed after it.
    tab_to(page, page.get_by_role("button", name="开通账号"))
    press(people, page, "keyboard-applicant", "Enter")
    expect(flash(page)).to_contain_text("账号已开通。以下是与您有关的案件。")

    # 我的案件 → the case → 提出书面异议.
    skip_link_first(page)
    tab_to(page, page.get_by_role("link", name=seeded["number"], exact=True))
    press(people, page, "keyboard-applicant", "Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(seeded["number"])
    skip_link_first(page)
    tab_to(page, page.get_by_role("link", name="提出书面异议"))
    press(people, page, "keyboard-applicant", "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"提出书面异议: {seeded['number']}")

    # Sent empty: refused, the focus on the grounds with their message.
    skip_link_first(page)
    tab_to(page, page.get_by_role("button", name="提交异议"))
    press(people, page, "keyboard-applicant", "Enter")
    grounds = page.get_by_label("异议理由")
    expect(grounds).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state()  # (of the page sent back, not of the one Enter left)
    expect(grounds).to_be_focused()
    assert page.locator(f"[id='{grounds.get_attribute('aria-describedby')}']").inner_text().strip()
    page.keyboard.type(GROUNDS)
    attach(page, page.get_by_label("证据材料"), "整改情况说明.pdf")
    tab_to(page, page.get_by_role("button", name="提交异议"))
    press(people, page, "keyboard-applicant", "Enter")
    expect(flash(page).filter(has_text=re.compile(r"您的异议 YY-\d{4}-\d{6} 已提交。"))).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"关于 {seeded['number']} 的异议")


def test_caseworker_reports_implementation_with_the_keyboard_only(people, server):
    seeded = server.keyboard["implementation"]
    page = people("finance_cw")
    page.goto("/")
    skip_link_first(page)
    tab_to(page, page.get_by_role("navigation").get_by_role("link", name="我的待办"), backwards=True)
    press(people, page, "finance_cw", "Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=seeded["number"])
    skip_link_first(page)
    tab_to(page, row.get_by_role("link", name="实施措施并反馈", exact=True))
    press(people, page, "finance_cw", "Enter")
    expect(page.locator(".card-header").filter(has_text="实施措施并反馈").first).to_be_visible()

    # The outcome: a group of radio buttons, reached with Tab and chosen with the arrow keys and Space.
    applied = page.get_by_label("措施已实施")
    group = page.get_by_role("group").filter(has=applied)
    skip_link_first(page)
    tab_to(page, group.get_by_role("radio").first)
    for _ in range(10):
        if is_focused(applied):
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(applied).to_be_checked()
    type_into(page, page.get_by_label("简要情况说明"), "已在政府采购系统中限制该企业参与政府采购活动。")
    attach(page, page.get_by_label("证据材料"), "限制措施截图.pdf")
    tab_to(page, page.get_by_role("button", name="提交", exact=True))
    press(people, page, "finance_cw", "Enter")
    expect(flash(page).filter(has_text="已办理：实施措施并反馈。")).to_be_visible()
    # The evidence is on the case: listed with the case's documents.
    expect(page.locator("#documents")).to_contain_text("限制措施截图.pdf")

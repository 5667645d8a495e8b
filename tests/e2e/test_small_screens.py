"""Phones and 200% zoom (issue 21): the public lists, the repair results, the public report pages and the whole
applicant portal at 375 CSS pixels wide (a phone) and at 640 (a 1280-pixel screen zoomed to 200%). The page
never scrolls sideways (document.documentElement.scrollWidth within the width); every table either becomes
stacked rows whose cells are led by their column header (.xl-stack with data-label) or scrolls inside its own
box (.table-responsive) with its header row shown."""
import re

from playwright.sync_api import Page, expect

from tests.e2e.ui import login

PUBLIC = ["/login", "/public/?list=punishment", "/public/?list=reward", "/public/?list=repairs", "/public/typical",
          "/public/reports/", "/public/reports/track", "/portal/register"]
# The applicant's pages: its cases, requests, record, tasks and forms (downloads excepted).
PORTAL = re.compile(r"^/(portal|tasks)/(?!.*/files/)")
WIDTHS = (375, 640)

_TABLES = """() => [...document.querySelectorAll('main table')].map(t => {
  const stacked = t.classList.contains('xl-stack');
  const box = t.closest('.table-responsive');
  const head = t.querySelector('thead');
  const unlabelled = [...t.querySelectorAll('tbody tr')].filter(r => r.cells.length > 1)
    .flatMap(r => [...r.cells]).filter(c => !c.dataset.label).length;
  return {html: t.outerHTML.slice(0, 100), stacked, boxed: !!box, unlabelled,
          headVisible: !!head && head.getBoundingClientRect().height > 0 && getComputedStyle(head).visibility !== 'hidden'};
})"""


def fits(page: Page, width: int) -> None:
    """No sideways scroll at this width; each table stacked (cells labelled) or boxed with its header shown."""
    page.wait_for_load_state()
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll}px wide at {width}px: it scrolls sideways"
    for t in page.evaluate(_TABLES):
        if t["stacked"]:
            assert t["unlabelled"] == 0, f"{page.url}: stacked table with cells not led by their header: {t['html']}"
        else:
            assert t["boxed"], f"{page.url}: a table neither stacked nor in its own scrolling box: {t['html']}"
            assert t["headVisible"], f"{page.url}: a table in its own box without its header row shown: {t['html']}"


def sized(people, label: str, width: int) -> Page:
    return people.new_page(label, viewport={"width": width, "height": 800})


def test_public_pages_fit_a_phone_and_200_percent_zoom(people):
    for width in WIDTHS:
        page = sized(people, f"public-{width}", width)
        for path in PUBLIC:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            fits(page, width)
        # The black list at phone width: one block per subject, each value led by its column's name.
        page.goto("/public/?list=punishment")
        row = page.locator("main table tbody tr").filter(has_text="某装饰工程有限公司")
        expect(row).to_have_count(1)
        if width == 375:
            cell = row.locator("td").first
            assert cell.evaluate("c => getComputedStyle(c, '::before').content") == '"主体"'
            assert cell.evaluate("c => getComputedStyle(c).display") == "block"


def test_applicant_portal_fits_a_phone_and_200_percent_zoom(people):
    for width in WIDTHS:
        page = sized(people, f"applicant1-{width}", width)
        login(page, "applicant1")
        seen, todo = set(), ["/portal/", "/portal/record", "/tasks/"]
        while todo:
            path = todo.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = page.goto(path)
            assert response.ok, (path, response.status)
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            fits(page, width)
            for href in page.locator("main a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
                href = href.split("#")[0]
                if PORTAL.match(href) and href not in seen and len(seen) + len(todo) < 40:
                    todo.append(href)
        # The portal's own pages were all reached: the list, a case, a request, the forms of the case page.
        assert any(re.fullmatch(r"/portal/cases/\d+", p) for p in seen), seen
        assert any(p.endswith("/correction") for p in seen), seen
        assert len(seen) >= 6, seen

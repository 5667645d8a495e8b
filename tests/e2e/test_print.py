"""Printing (issue 21): a case page (its decision, feedback and timeline) and the applicant's status page print
as a clean page: no navigation, buttons or forms, each section of the case on a new page, document links with
their address written out."""
from playwright.sync_api import Page, expect

from tests.e2e.ui import find_case

_PRINTED = """() => {
  const shown = e => getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0;
  const visible = sel => [...document.querySelectorAll(sel)].filter(shown).map(e => e.outerHTML.slice(0, 80));
  return {
    chrome: visible('header, nav, footer, .xl-skip'),
    controls: visible('main button, main .btn, main form'),
    links: [...document.querySelectorAll('main a[href*="/files/"]')].map(a => [a.getAttribute('href'), getComputedStyle(a, '::after').content]),
    breaks: [...document.querySelectorAll('main section.card')].map(s => getComputedStyle(s).breakBefore),
  };
}"""


def printed(page: Page) -> dict:
    page.emulate_media(media="print")
    try:
        return page.evaluate(_PRINTED)
    finally:
        page.emulate_media(media="screen")


def test_case_and_status_pages_print_cleanly(people):
    lead = people("market_lead")
    case = find_case(lead, "某装饰工程有限公司")
    lead.goto(case.path)
    expect(lead.locator("#timeline")).to_be_visible()
    out = printed(lead)
    assert out["chrome"] == [], out["chrome"]
    assert out["controls"] == [], out["controls"]
    assert out["links"], "the case has documents"
    for href, after in out["links"]:
        assert href in after, (href, after)
    assert out["breaks"][0] != "page" and set(out["breaks"][1:]) == {"page"}, out["breaks"]

    applicant = people("applicant1")
    applicant.goto("/portal/")
    applicant.locator("main table a").first.click()
    expect(applicant.get_by_role("heading", level=1)).to_be_visible()
    out = printed(applicant)
    assert out["chrome"] == [] and out["controls"] == [], out
    for href, after in out["links"]:
        assert href in after, (href, after)

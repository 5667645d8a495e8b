"""Accessibility audit of every page the journeys visit (issue 21): axe-core (bundled with axe-playwright-python,
run offline) checks each document against the WCAG 2.1 A and AA rules, and _STRUCTURE its landmarks, skip link
and heading levels, just before the browser leaves it, and once
more at the end of the test, so that every state a journey saw is checked: the empty form, the form with its
errors, the page after each step. A test that saw a violation fails at teardown with axe's report.

Before leaving: `AxeAudit.install` wraps the three ways the journeys leave a page (Locator.click, Page.goto,
Page.reload), so that axe runs on the page still shown just before each of them, in the test's own thread.
(A route handler holding the navigation request cannot evaluate in the page with the sync API: the click waits
for the navigation the handler holds.) A page seen again in the same state (same role, same address, same
outline) is not checked twice, which keeps the clicks on checkboxes of one form cheap."""
import hashlib
import re
from dataclasses import dataclass, field

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Locator, Page

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]}
_AXE = Axe()

# What makes two visits of the same address differ for the audit: the page's outline — its headings (digits
# folded), the names of its form fields, the fields in error and the kinds of alerts — not the data it shows
# (a row's badge colour is one style checked on every list already; checking each data variant doubled the
# suite's time).
_SIGNATURE = """() => [...document.querySelectorAll('h1,h2,h3,form [name],[aria-invalid=true],.alert')]
  .map(e => e.tagName + (e.getAttribute('name') || '') + (e.getAttribute('aria-invalid') || '')
            + (e.classList.contains('alert') ? e.className : '')
            + (/^H[1-3]$/.test(e.tagName) ? e.textContent.replace(/[0-9]+/g, 'N').trim().slice(0, 40) : '')).join('|')"""


# Beyond axe's WCAG rules (issue 21): the landmarks (one banner, navigation, main and contentinfo), the skip
# link to the main content first in the page, one h1 in the main content and headings that never skip a level
# going down (h1 → h2 → h3).
_STRUCTURE = """() => {
  const problems = [];
  const count = sel => document.querySelectorAll(sel).length;
  if (count('body > header') !== 1) problems.push('no single <header> (banner)');
  if (count('header nav, body > nav') < 1) problems.push('no <nav> in the header');
  if (count('main') !== 1) problems.push('no single <main>');
  if (count('body > footer') !== 1) problems.push('no single <footer> (contentinfo)');
  const first = document.querySelector('body a[href]');
  if (!first || first.getAttribute('href') !== '#main' || !document.getElementById('main'))
    problems.push('the first link is not the skip link to #main');
  const heads = [...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')]
    .filter(h => h.getClientRects().length > 0 || h.closest('details'));
  if (heads.filter(h => h.tagName === 'H1').length !== 1) problems.push('not exactly one h1 in <main>');
  let level = 0;
  for (const h of heads) {
    const n = +h.tagName[1];
    if (n > level + 1) problems.push(`heading ${h.tagName} "${h.textContent.trim().slice(0, 40)}" after h${level}`);
    level = n;
  }
  return problems;
}"""


def role_of(who: str) -> str:
    """The role a journey's user plays, from its label (the demo's logins: market_cw, tax_cw … are caseworkers,
    expert1 … expert14 experts): a page state is checked once per role, not once per user."""
    who = re.sub(r"^\w+?_cw\d*$", "caseworker", who)
    who = re.sub(r"^\w+?_lead$", "group_lead", who)
    return re.sub(r"^expert\d+$", "expert", who)


@dataclass
class AxeAudit:
    base_url: str
    seen: set = field(default_factory=set)
    watched: dict = field(default_factory=dict)  # page -> user label
    checked: int = 0
    violations: list[str] = field(default_factory=list)

    def check(self, page: Page, who: str) -> None:
        """Run axe on the page as shown now (once per user, address and outline)."""
        url = page.url
        if not url.startswith(self.base_url):
            return  # about:blank, a downloaded file
        try:
            # A click does not wait for the page it opens: the next click may come while that page's stylesheets
            # are still loading, and axe must see the page as styled.
            page.wait_for_load_state("load")
            if page.evaluate("() => document.contentType") != "text/html":
                return
            path = re.sub(r"\d+", "N", url[len(self.base_url):])
            key = (role_of(who), path, hashlib.sha1(page.evaluate(_SIGNATURE).encode()).hexdigest())
            if key in self.seen:
                return
            if not page.evaluate("() => typeof window.axe === 'object'"):
                page.evaluate(_AXE.axe_script)
            response = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
            structure = page.evaluate(_STRUCTURE)
        except PlaywrightError as exc:
            if "context was destroyed" in str(exc) or "Target page, context or browser has been closed" in str(exc):
                return  # the page went away meanwhile (closed, or a navigation the route did not hold)
            raise
        self.seen.add(key)
        self.checked += 1
        results = AxeResults(response)
        if results.violations_count:
            self.violations.append(f"--- {who} at {url}\n{results.generate_report()}")
        if structure:
            self.violations.append(f"--- {who} at {url}\nPage structure:\n" + "\n".join(f"\t* {p}" for p in structure))

    def watch(self, page: Page, who: str) -> None:
        """Check each document of `page` before the journey clicks, goes elsewhere or reloads."""
        self.watched[page] = who

    def install(self) -> None:
        audit = self

        def before(method):
            def wrapped(self, *args, **kwargs):
                page = self.page if isinstance(self, Locator) else self
                if page in audit.watched and not page.is_closed():
                    audit.check(page, audit.watched[page])
                return method(self, *args, **kwargs)
            wrapped.__wrapped__ = method
            return wrapped

        for cls, name in ((Locator, "click"), (Page, "goto"), (Page, "reload")):
            setattr(cls, name, before(getattr(cls, name)))

    def uninstall(self) -> None:
        for cls, name in ((Locator, "click"), (Page, "goto"), (Page, "reload")):
            setattr(cls, name, getattr(cls, name).__wrapped__)

    def report(self) -> str:
        return f"axe-core found WCAG 2.1 A/AA violations on {len(self.violations)} page(s):\n" + "\n".join(self.violations)

"""Every page of every role, as a tester would read it: each form control has a label, each table has column
headers, no id appears twice, and no internal identifier (status keys, rule names, process ids, unit kinds) or Python/JSON leftover reaches the
visible text of the Chinese UI."""
import re
from html.parser import HTMLParser

import pytest

from app import labels
from tests.conftest import login
from tests.helpers import in_effect_case

PAGES = {
    "admin": ["/admin/", "/admin/users", "/admin/units", "/admin/rules", "/admin/calendar?year=2026", "/admin/processes",
              "/admin/catalog", "/admin/catalog/{entry}", "/admin/audit", "/experts/", "/admin/groups/new"],
    "office1": ["/tasks/", "/cases/", "/experts/", "/supervision/", "/supervision/sla", "/supervision/reports",
                "/supervision/typical", "/supervision/my-notices", "/admin/catalog"],
    "supervisor1": ["/supervision/", "/supervision/sla", "/supervision/reports", "/cases/", "/admin/audit"],
    "market_lead": ["/tasks/", "/cases/", "/supervision/my-notices", "/supervision/typical"],
    "market_cw": ["/tasks/", "/cases/", "/cases/new"],
    None: ["/public/", "/public/?list=reward", "/login", "/portal/register"],
}
INTERNAL = set(labels.STATUS_LABELS) | set(labels.DEADLINE_RULE_LABELS) | set(labels.PROCESS_LABELS) | {
    "member", "county", "None", "True", "False", "in_effect", "unit_id", "day_kind"}


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.label_for, self.controls, self.text = [], set(), [], []
        self._skip = 0
        self._in_label = 0
        self._tables, self.headless_tables = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "label":
            self._in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag == "table":
            self._tables.append(False)
        if tag == "th" and self._tables:
            self._tables[-1] = True
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append((tag, a, self._in_label > 0))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "label":
            self._in_label -= 1
        if tag == "table" and self._tables and not self._tables.pop():
            self.headless_tables += 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _check(html, url):
    p = Page()
    p.feed(html)
    assert not p.headless_tables, f"{url}: {p.headless_tables} table(s) without column headers"
    dupes = {i for i in p.ids if p.ids.count(i) > 1}
    assert not dupes, f"{url}: duplicate ids {dupes}"
    for tag, a, wrapped in p.controls:
        labelled = wrapped or a.get("aria-label") or a.get("aria-labelledby") or (a.get("id") in p.label_for)
        assert labelled, f"{url}: <{tag} name={a.get('name')}> has no label"
    text = " ".join(p.text)
    # The process page names each process's BPMN id on purpose: an uploaded file must use the same id.
    allowed = set(labels.PROCESS_LABELS) if url.startswith("/admin/processes") else set()
    leaks = {w for w in re.findall(r"[A-Za-z_]+", text) if w in INTERNAL - allowed}
    assert not leaks, f"{url}: internal words {leaks}"


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_have_labels_unique_ids_and_no_internal_words(client, org, clock, role):
    case, _codes = in_effect_case()
    if role:
        login(client, role)
    entry = case.entries[0].catalog_version.entry_id  # (ids differ between databases: never a fixed number)
    for url in PAGES[role] + ([f"/cases/{case.id}"] if role in ("office1", "market_lead", "supervisor1") else []):
        url = url.format(entry=entry)
        resp = client.get(url)
        assert resp.status_code == 200, url
        _check(resp.get_data(as_text=True), url)

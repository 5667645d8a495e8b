"""The menu of every role leads only to pages the role may open (every item of its drop-down menus too), the menus
open without JavaScript, and an applicant's or expert's inbox links a case only where they may open it."""
import re

import pytest

from tests.conftest import login
from tests.helpers import COMPANY, in_effect_case

NAV = re.compile(r'<nav\b.*?</nav>', re.S)
HREF = re.compile(r'href="(/[^"#]*)"')
ROLES = ["market_cw", "market_lead", "office1", "supervisor1", "admin", "secadmin", "auditor", "expert1"]


@pytest.mark.parametrize("username", ROLES)
def test_every_menu_item_of_a_role_opens(client, org, clock, username):
    login(client, username)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    nav = NAV.search(home.get_data(as_text=True)).group(0)
    links = sorted({h for h in HREF.findall(nav) if not h.startswith(("/static", "/bootstrap", "/logout", "/lang"))})
    assert links
    for href in links:
        assert client.get(href, follow_redirects=True).status_code == 200, (username, href)


def test_menus_open_without_javascript(client, org):
    login(client, "office1")
    html = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'class="no-js"' in html  # (xinlian.js removes it; xinlian.css opens a focused menu while it is there)
    resp = client.get("/static/xinlian.css")
    css = resp.get_data(as_text=True)
    resp.close()
    assert ".no-js .dropdown:focus-within > .dropdown-menu" in css
    assert 'dropdown-toggle" href="#"' in html and "/supervision/reports" in html


def test_an_applicants_inbox_links_the_case_on_the_portal(client, org, clock):
    from tests.helpers import objection_rejected

    case, codes = in_effect_case()
    _a, obj = objection_rejected(case, codes, "app9", "异议。")
    login(client, "app9")
    html = client.get("/tasks/").get_data(as_text=True)
    assert f'href="/portal/cases/{obj.id}"' in html and f'href="/cases/{obj.id}"' not in html
    # Their own tasks: no unit queue to filter, claim or release.
    assert "本单位全部任务" not in html and "认领人" not in html and "/claim" not in html
    assert client.get(f"/portal/cases/{obj.id}").status_code == 200
    assert COMPANY[1]  # (the subject whose objection it is)

"""Case diagrams with state markers, the timeline's deadline facts, and chain verification (page + CLI)."""
import json
import re
from datetime import timedelta

from sqlalchemy import update

from app.cases.models import CaseEvent
from app.extensions import db
from tests.conftest import login
from tests.helpers import complete, file_case, only_task


def test_diagram_page_carries_the_marker_data_of_a_known_state(client, org, clock):
    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    clock.shift(timedelta(days=30))  # scheduling (10 working days) is now overdue
    login(client, "supervisor1")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    states = json.loads(re.search(r"data-states='([^']*)'", html).group(1).replace("&#34;", '"'))
    assert states["start_trigger"] == "completed" and states["pre_review"] == "completed"
    assert states["schedule_meeting"] == "overdue"
    assert "determination" not in states and "pre_review_office" not in states
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    # every script and stylesheet is served by the app itself (a random CSRF token may contain "cdn")
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', html)
    url = re.search(r'data-xml="([^"]+)"', html).group(1)
    xml = client.get(url)
    assert xml.status_code == 200 and b"bpmndi:BPMNDiagram" in xml.data
    assert "哈希链校验通过" in html
    # deadline facts on the timeline: the completed pre-review met its deadline
    assert "按期办结" in html and "超期办结" not in html
    other = client.application.test_client()
    login(other, "env_cw")
    assert other.get(url).status_code == 404


def test_broken_chain_is_shown_and_named_by_the_cli(client, org, clock, app):
    case = file_case()
    db.session.execute(update(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2).values(type="forged"))
    db.session.commit()
    login(client, "supervisor1")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "#2" in html
    result = app.test_cli_runner().invoke(args=["verify-chains"])
    assert result.exit_code == 1 and f"BROKEN {case.number}: timeline event #2" in result.output

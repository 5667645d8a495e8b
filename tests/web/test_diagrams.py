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


def test_one_diagram_per_process_with_its_instances_merged_and_a_bounded_read(client, org, clock, monkeypatch):
    """A case draws its procedure and each helper process once, however many instances it ran (a push per unit; a
    department's list runs one listing per row): markers merged over the instances, their number said. The workflows
    read are the SAMPLE newest of each process; the current tasks of the others still show."""
    from app.cases import diagrams
    from app.engine import runner
    from app.listings import services as listings
    from tests.helpers import COMPANY, WHO, in_effect_case, listing_for, open_tasks, unit_id

    case, _codes = in_effect_case()
    listings.push({"listing_id": listing_for(case.id, COMPANY[2]).id, "action": "suspend", "reason": "objection"}, case, None)
    db.session.commit()
    pushes = open_tasks(case.id, "confirm_push")
    assert len(pushes) == 3
    newest = max(pushes, key=lambda t: t.instance_id)
    complete(WHO[next(n for n in WHO if unit_id(n) == newest.unit_id)], newest, {"done": True, "note": ""})

    monkeypatch.setattr(diagrams, "SAMPLE", 1)
    loads = []
    load = runner.Engine.load.__func__
    monkeypatch.setattr(runner.Engine, "load", classmethod(lambda cls, specs, state: loads.append(1) or load(cls, specs, state)))
    drawn = diagrams.diagrams_for(case)
    assert [d["process_id"] for d in drawn] == ["joint_punishment", "listing", "measure_push"]
    assert len(loads) == 3  # one workflow per process, not one per instance
    push = drawn[2]
    assert (push["total"], push["running"], push["completed"], push["sampled"]) == (3, 2, 1, 1)
    assert push["states"]["confirm_push"] == "active"  # (the two not read: from their open tasks)
    assert "completed" in push["states"].values()  # (the one read had ended)

    monkeypatch.undo()
    login(client, "supervisor1")
    html = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert html.count('class="xl-diagram') == 3
    assert "3 个实例：2 个运行中，1 个已结束" in html

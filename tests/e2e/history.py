"""Past history that a browser cannot make: one joint punishment decided 120 days ago and in effect since
(credit repair is accepted only after the minimum publication period of 90 days).

Run by conftest.py after `flask demo`, in the same environment: `python tests/e2e/history.py CODE NAME`.
Like app/demo.py it goes through the services a user would call, with the app clock moved back
(clock.backdated), so the case has a real timeline; prints the case number."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import select  # noqa: E402

from app import clock  # noqa: E402
from app.auth.models import User  # noqa: E402
from app.cases import services, tasks  # noqa: E402
from app.cases.attachments import Upload  # noqa: E402
from app.cases.services import SubjectIn  # noqa: E402
from app.cases.task_handlers import measure_choices  # noqa: E402
from app.catalog.models import CatalogEntry  # noqa: E402
from app.engine.models import OpenTask  # noqa: E402
from app.extensions import db  # noqa: E402
from wsgi import app  # noqa: E402

PDF = Upload("处罚决定书.pdf", b"%PDF-1.4\n% e2e history\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
DAYS_AGO = 120


def user(username):
    return db.session.scalar(select(User).where(User.username == username))


def open_tasks(case, bpmn_id):
    return db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.bpmn_id == bpmn_id)).all()


def one(case, bpmn_id):
    (ot,) = open_tasks(case, bpmn_id)
    return ot.task_id


def main(code: str, name: str) -> dict:
    entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "SC-P-001"))
    with clock.backdated(DAYS_AGO):
        case = services.file_trigger(
            user("market_cw"), subjects=[SubjectIn("enterprise", name, code)], entry_ids=[entry.id],
            title=f"{name}列入严重违法失信企业名单", facts="该公司因提供虚假材料取得登记，被列入严重违法失信企业名单。",
            legal_basis="《企业信息公示暂行条例》第十八条。", files=[PDF],
        )
        lead = user("market_lead")
        tasks.complete(lead, one(case, "pre_review"), {"outcome": "accept", "reasons": ""})
        tasks.complete(lead, one(case, "schedule_meeting"), {
            "meeting_date": clock.today_local(), "legal_count": 1, "industry_count": 2, "reserves": 1,
            "excluded_expert_ids": [], "exclusion_reason": ""})
        for ot in open_tasks(case, "respond_invitation"):
            tasks.complete(db.session.get(User, ot.assignee_id), ot.task_id, {"answer": "confirm", "reason": ""})
        for ot in open_tasks(case, "submit_opinion"):
            tasks.complete(db.session.get(User, ot.assignee_id), ot.task_id, {"vote": "support", "reasons": "同意。"})
        choices = measure_choices(case)
        tasks.complete(lead, one(case, "determination"), {
            "meeting_date": clock.today_local(), "attending_unit_ids": sorted({m["unit_id"] for _k, m, _v in choices} | {lead.unit_id}),
            "minutes": "会议审查了触发材料，形成决定。", "decision": "act", "measures": [k for k, _m, _v in choices],
            "period_start": clock.today_local(), "period_days": 730})
        tasks.complete(user("office1"), one(case, "file_decision"), {"note": ""})
        for ot in open_tasks(case, "implement"):
            worker = db.session.scalar(select(User).where(User.unit_id == ot.unit_id, User.role == "caseworker"))
            tasks.complete(worker, ot.task_id, {"outcome": "applied", "report": "已落实。", "reasons": ""})
        tasks.complete(lead, one(case, "compile_feedback"), {"summary": "各实施单位均已落实。"})
    assert case.status == "in_effect", case.status
    return {"number": case.number, "id": case.id}


if __name__ == "__main__":
    with app.app_context():
        out = main(sys.argv[1], sys.argv[2])
        db.session.commit()
    print(json.dumps(out))

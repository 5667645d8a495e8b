"""Shared helpers for flow and web tests: file cases and complete tasks through the real services."""
import io
from datetime import date

from sqlalchemy import event, select

from app import clock as app_clock
from app.auth.models import Unit, User
from app.cases import tasks
from app.cases.attachments import Upload
from app.cases.models import Case, CaseEvent, OpenTask, Subject
from app.catalog.models import CatalogEntry
from app.engine.models import ProcessInstance
from app.experts.services import confirmed_experts
from app.extensions import db
from app.joint import services
from app.joint.tasks import measure_choices
from app.listings.models import Listing
from app.rights import accounts, objections
from tests.conftest import csrf_from, user

PDF = Upload("evidence.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
COMPANY = ("enterprise", "测试建材有限公司", "91510400MA6X000102")
COMPANY2 = ("enterprise", "测试物流有限公司", "91510400MA6X000809")
PERSON = ("person", "张某", "510402198503124568")


def unit_id(name: str) -> int:
    return db.session.scalar(select(Unit.id).where(Unit.name == name))


def entry_id(code: str) -> int:
    return db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == code))


def file_case(username="market_cw", subjects=(COMPANY,), entries=("SC-P-001",), files=(PDF,)) -> Case:
    case = services.file_trigger(
        user(username),
        subjects=[services.SubjectIn(*s) for s in subjects],
        entry_ids=[entry_id(c) for c in entries],
        title="测试案件",
        facts="事实。",
        legal_basis="依据。",
        files=list(files),
    )
    db.session.commit()
    return case


def open_tasks(case_id: int, bpmn_id: str | None = None) -> list[OpenTask]:
    stmt = select(OpenTask).where(OpenTask.case_id == case_id).order_by(OpenTask.id)
    if bpmn_id:
        stmt = stmt.where(OpenTask.bpmn_id == bpmn_id)
    return list(db.session.scalars(stmt))


def only_task(case_id: int, bpmn_id: str) -> OpenTask:
    found = open_tasks(case_id, bpmn_id)
    assert len(found) == 1, [t.bpmn_id for t in open_tasks(case_id)]
    return found[0]


def complete(username: str, ot: OpenTask, values: dict, files=()) -> Case:
    case = tasks.complete(user(username), ot.task_id, values, list(files))
    db.session.commit()
    return case


NOT_CONVENED = "各实施单位已书面征求意见，不另行召集到会。"


def schedule(username: str, ot: OpenTask, meeting_date: date | None = None, legal=1, industry=2, reserves=1,
             excluded=(), reason="", notice="waive"):
    """Schedule the meeting; the prior notice is given alongside (see give_notice; notice=False leaves it open). No
    unit is convened (each would get an attendance process of its own): the reason the form then asks for is given."""
    case = complete(
        username, ot,
        {"meeting_date": meeting_date or app_clock.today_local(), "legal_count": legal, "industry_count": industry,
         "reserves": reserves, "excluded_expert_ids": list(excluded), "exclusion_reason": reason,
         "convening_reason": NOT_CONVENED},
    )
    if notice is not False:
        give_notice(username, ot.case_id, notice)
    return case


def heard(*unit_names: str, minutes: str = "召集相关单位共同研究，意见一致。") -> dict:
    """What the office records with its decision on a complaint: the convened units that took part and the minutes."""
    return {"attending_unit_ids": [unit_id(n) for n in unit_names or ("市市场监管局",)], "minutes": minutes}


def experts_confirm(case_id: int, purpose: str = "determination") -> list[int]:
    """Every invited expert of the case's meeting confirms; returns the experts who take part."""
    for ot in open_tasks(case_id, "respond_invitation"):
        tasks.complete(db.session.get(User, ot.assignee_id), ot.task_id, {"answer": "confirm", "reason": ""})
    db.session.commit()
    return [inv.expert_id for inv in confirmed_experts(case_id, purpose)]


def give_notice(username: str, case_id: int, answer: str | None = "waive") -> list:
    """Issue the prior notice (告知) when that step is open; each subject then waives its statement (answer
    "waive"), makes one on paper (any other text), or stays silent (None). Returns the notices."""
    from app.dueprocess import services as dueprocess

    found = open_tasks(case_id, "issue_notice")
    if found:
        complete(username, found[0], {"intended": "拟采取联合惩戒措施。", "grounds": "事实。", "legal_basis": "依据。"})
    notices = dueprocess.notices_of(case_id)
    if answer is not None:
        for n in notices:
            if n.state == "open":
                dueprocess.record_on_paper(user(username), n.id, "" if answer == "waive" else answer, [PDF], waive=answer == "waive")
        db.session.commit()
    return notices


def determine(username: str, ot: OpenTask, decision="act", days=365, measures=None, files=(), statement_answer="", **extra):
    """Schedule the meeting (drawing experts) when that step is open, tell the subjects (they waive their
    statements), let the drawn experts confirm, then record the decision with them attending (the quorum)."""
    if ot.bpmn_id == "schedule_meeting":
        schedule(username, ot)
        ot = only_task(ot.case_id, "determination")
    case = db.session.get(Case, ot.case_id)
    keys = [k for k, _m, _v in measure_choices(case)]
    attended = experts_confirm(case.id)
    return complete(
        username,
        ot,
        {
            "meeting_date": app_clock.today_local(),
            "attending_unit_ids": [user(username).unit_id],
            "attending_expert_ids": attended,
            "minutes": "会议纪要。",
            "decision": decision,
            "measures": keys if measures is None else measures,
            "period_days": days,
            "period_reason": "会议纪要：按违法情节和整改情况确定期限。",
            "statement_answer": statement_answer,
            **extra,
        },
        files=files,
    )


def listings_of(case_id: int) -> list[Listing]:
    return list(db.session.scalars(select(Listing).where(Listing.case_id == case_id).order_by(Listing.id)))


def listing_for(case_id: int, subject_code: str) -> Listing:
    return db.session.scalar(
        select(Listing).join(Subject, Subject.id == Listing.subject_id)
        .where(Listing.case_id == case_id, Subject.code == subject_code)
    )


def event_types(case_id: int) -> list[str]:
    return list(db.session.scalars(select(CaseEvent.type).where(CaseEvent.case_id == case_id).order_by(CaseEvent.seq)))


WHO = {"市财政局": "finance_cw", "市住房城乡建设局": "housing_cw", "市市场监管局": "market_cw", "市税务局": "tax_cw",
       "人民银行市分行": "pbc_cw"}


def issue_codes(case) -> dict[int, str]:
    """The access codes the deciding unit prints on the decisions served to the subjects."""
    codes = {cs.subject_id: accounts.issue_code(user("market_lead"), case, cs.subject_id) for cs in case.subjects}
    db.session.commit()
    return codes


def implement_all(case_id: int, outcome="applied") -> None:
    for t in open_tasks(case_id, "implement"):
        name = next(n for n in WHO if unit_id(n) == t.unit_id)
        complete(WHO[name], t, {"outcome": outcome, "report": "ok", "reasons": "" if outcome == "applied" else "原因"})


def in_effect_case(days=30, subjects=(COMPANY,), entries=("SC-P-001",), username="market_cw"):
    """A case of the market group decided today (its listings start today), filed, implemented, compiled."""
    case = file_case(username=username, subjects=subjects, entries=entries)
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=days)
    codes = issue_codes(case) if case.kind == "punishment" else {}
    complete("office1", only_task(case.id, "file_decision"), {})
    implement_all(case.id)
    complete("market_lead", only_task(case.id, "compile_feedback"), {"summary": "ok"})
    case = db.session.get(Case, case.id)
    assert case.status == "in_effect"
    return case, codes


def applicant_for(case, codes, username="applicant1") -> User:
    subject = case.subjects[0].subject
    u = accounts.register(subject.kind, subject.code, codes[subject.id], username, "A-long-passw0rd", "联系人")
    db.session.commit()
    return u


def objection_rejected(case, codes, username="applicant1", grounds="异议"):
    """The subject's applicant files an objection against `case` and the group's lead rejects it: (applicant,
    objection case), waiting for the applicant's next step."""
    applicant = applicant_for(case, codes, username)
    obj = objections.file_objection(applicant, case.id, grounds, [])
    db.session.commit()
    do(user("market_lead"), only_task(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立"})
    return applicant, obj


def main_instance(case):
    return db.session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case.id).order_by(ProcessInstance.id).limit(1))


def task_of(case_id, bpmn_id) -> OpenTask:
    return only_task(case_id, bpmn_id)


def do(actor, ot, values, files=()):
    tasks.complete(actor, ot.task_id, values, list(files))
    db.session.commit()


def add_colleague_of(username: str, new_username: str) -> User:
    """A second user with the same role and unit (to test claims and simultaneous work)."""
    other = user(username)
    colleague = User(username=new_username, full_name="钱组员", role=other.role, unit_id=other.unit_id)
    colleague.set_password("demo1234")
    db.session.add(colleague)
    db.session.commit()
    return colleague


def trigger_data(page_html, code="91510400MA6X000102", **extra):
    data = {
        "csrf_token": csrf_from(page_html),
        "subjects-0-kind": "enterprise",
        "subjects-0-name": "网页测试有限公司",
        "subjects-0-code": code,
        "subjects-1-kind": "enterprise",
        "subjects-2-kind": "enterprise",
        "entry_ids": [str(entry_id("SC-P-001"))],
        "title": "网页提交的案件",
        "facts": "事实",
        "legal_basis": "依据",
        "files": [(io.BytesIO(PDF.data), "现场检查记录.pdf")],  # (a trigger is reported with its evidence)
    }
    data.update(extra)
    return data


def statements_of(call) -> tuple:
    """(what `call()` returned, the SQL statements it sent): for tests that count a page's queries."""
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        return call(), statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)

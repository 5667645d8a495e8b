"""Due process before a listing: the prior notice to each subject and its statement (陈述申辩).

`init_app` adds the notices to the staff case page and to the applicant's case page, and registers the pages
where statements are made (portal) and recorded when received on paper (staff)."""
from sqlalchemy import select

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, OFFICE, Unit
from app.cases import hooks
from app.cases.access import names_a_person
from app.cases.models import Case, CaseSubject, Subject
from app.dueprocess import admin_routes, corrections, decision_document, routes, services
from app.dueprocess.forms import ServiceForm, StatementForm
from app.engine.runner import register_script_functions
from app.extensions import db


def _section(actor, case) -> dict:
    notices = services.notices_of(case.id)
    recordable = {n.id for n in notices if services.statement_recordable(n, case) and services.may_record_for_subject(actor, n)}
    # (the service of a notice is recorded by the same staff, once, before the case is decided: a period counted from
    # a later service moves, or reopens for a subject the notice reached late)
    serve_notice = {n.id for n in notices if services.may_be_served(actor, n, case)}
    serving = services.may_record_service(actor, case)
    return {"prior_notices": notices, "notice_recordable": recordable, "notice_servable": serve_notice,
            "notice_running": {n.id for n in notices if services.period_open(n)},
            "statement_form": StatementForm() if recordable else None,
            "decision_services": services.services_of(case.id) if case.decision == "act" and case.kind == "punishment" else None,
            "service_due": services.service_due(case), "today": clock.today_local(),
            "to_serve": services.in_force_subjects(case) if case.decision == "act" and case.kind == "punishment" else set(),
            "service_form": ServiceForm() if serving else None}


def _expert_section(actor, case) -> dict:
    """The experts drawn onto the meeting read the prior notice and each subject's statement (陈述申辩): the meeting
    answers them (国办发〔2020〕49号 (八)), and their opinions should weigh them. Read only: no service or recording."""
    return {"prior_notices": services.notices_of(case.id), "notice_recordable": set(), "notice_servable": set(),
            "statement_form": None, "decision_services": None, "service_form": None}


def _portal_section(actor, case) -> dict:
    notice = next((n for n in services.notices_of(case.id) if n.subject_id == actor.subject_id), None)
    served = next((s for s in services.services_of(case.id) if s.subject_id == actor.subject_id), None)
    return {"prior_notice": notice, "notice_open": notice is not None and services.period_open(notice),
            "notice_rights": services.RIGHTS, "decision_service": served,
            # (who the subject states its case to, on paper too: the unit that issued the notice)
            "notice_unit": db.session.get(Unit, notice.unit_id) if notice is not None else None}


def _decisions_visible(actor, attachments) -> set[int]:
    """A decision addressed to a person prints the whole identity number (it is the document served on them and copied
    to the units applying the measures): read by the units' staff who see the case, not by supervisors, experts or the
    administrator, who read the decision on the case page with the number masked. Others stay visible to every reader."""
    if actor.role in (OFFICE, CASEWORKER, GROUP_LEAD):
        return {a.id for a in attachments} - _left_out_copies_hidden(actor, attachments)
    addressed = {a.subject_id for a in attachments if a.subject_id is not None}
    persons = set(db.session.scalars(select(Subject.id).where(Subject.id.in_(addressed), Subject.kind == "person"))) \
        if addressed else set()
    # (the signed decision uploaded for the whole case names each of its subjects: hidden where one is a person)
    whole_case = [a for a in attachments if a.subject_id is None]
    case_has_person = bool(whole_case) and names_a_person(whole_case[0])
    return {a.id for a in attachments
            if (a.subject_id not in persons if a.subject_id is not None else not case_has_person)}


def _left_out_copies_hidden(actor, attachments) -> set[int]:
    """The copies addressed to a subject the decision to act left out (决定不予实施): for the office and the units that
    filed and decided the case, not for the units applying the measures, which take none against it (and a person's
    copy prints the whole identity number)."""
    if actor.role == OFFICE:
        return set()
    addressed = {(a.case_id, a.subject_id) for a in attachments if a.subject_id is not None}
    if not addressed:
        return set()
    left_out = {(c, s) for c, s in db.session.execute(select(CaseSubject.case_id, CaseSubject.subject_id).where(
        CaseSubject.not_acted.is_(True), CaseSubject.case_id.in_({c for c, _s in addressed})))}
    hidden = set()
    for a in attachments:
        if (a.case_id, a.subject_id) in left_out:
            case = db.session.get(Case, a.case_id)
            if actor.unit_id not in (case.initiating_unit_id, (case.determination or {}).get("deciding_unit_id")):
                hidden.add(a.id)
    return hidden


def init_app(app) -> None:
    hooks.register_tasks(corrections.TASKS)
    hooks.register_case_section(_section)
    hooks.register_portal_section(_portal_section)
    hooks.register_expert_section(_expert_section)
    hooks.register_identity_document(decision_document.DECISION)
    hooks.register_attachment_rule(decision_document.DECISION, _decisions_visible)
    register_script_functions(services.SCRIPT_FUNCTIONS)
    app.register_blueprint(routes.portal_bp)
    app.register_blueprint(routes.staff_bp)
    app.register_blueprint(routes.subjects_bp)
    app.register_blueprint(admin_routes.bp)

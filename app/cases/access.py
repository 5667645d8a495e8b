"""Who may see a case and work on its tasks (templates only hide what these forbid). Staff of a unit see
the cases their unit is involved in; the office, supervisors and administrators see all; other roles
(experts, applicants) see what their feature registered in cases.hooks."""
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from app.auth.models import ADMIN, CASEWORKER, GROUP_LEAD, OFFICE, SUPERVISOR
from app.cases import hooks
from app.cases.models import Case, CaseSubject, CaseUnit, Subject
from app.enums import CaseKind
from app.extensions import db
from app.security_log import services as security_log

SEE_ALL_ROLES = (OFFICE, SUPERVISOR, ADMIN)
UNIT_ROLES = (CASEWORKER, GROUP_LEAD)
# Who reads a public report's reporter (name, contact, the file they sent): the office and the unit it was assigned
# to (unit staff see only their units' cases). Supervisors follow the report's steps and deadlines without it; the
# system administrator (三员分立: no part in cases) does not see reports at all.
SEE_REPORTER_ROLES = (OFFICE, CASEWORKER, GROUP_LEAD)


def case_visibility_clause(actor, case_id_column):
    """SQL condition limiting cases to those the actor may see; None means no limit, False none at all."""
    if actor.role == ADMIN:
        # (an alias: the column may be the listing query's own case.id, which the subquery must correlate to)
        report = aliased(Case)
        return ~exists().where(report.id == case_id_column, report.kind == CaseKind.PUBLIC_REPORT)
    if actor.role in SEE_ALL_ROLES:
        return None
    if actor.role in UNIT_ROLES:
        if actor.unit_id is None:
            return False
        return exists().where(CaseUnit.case_id == case_id_column, CaseUnit.unit_id == actor.unit_id)
    clause = hooks.visibility_for(actor.role)
    return clause(actor, case_id_column) if clause else False


def can_see_case(actor, case_id: int) -> bool:
    clause = case_visibility_clause(actor, case_id)
    if clause is None or clause is False:
        return clause is None
    return bool(db.session.scalar(select(clause)))


def can_see_full_codes(actor, case) -> bool:
    """Whole identity numbers only for the office and the unit that filed the case (not the system administrator, who
    under 三员分立 has no part in cases). A public report's, as the reporter typed it: for those who verify the report
    (the office and the unit it was assigned to, the only unit staff who see it), not supervisors."""
    if case.kind == CaseKind.PUBLIC_REPORT:
        return actor.role in SEE_REPORTER_ROLES
    return actor.role == OFFICE or (actor.role in UNIT_ROLES and actor.unit_id == case.initiating_unit_id)


def names_a_person(attachment) -> bool:
    """The document's party is a person: its own subject, or for one uploaded for the whole case, any of the case's."""
    if attachment.subject_id is not None:
        return db.session.scalar(select(Subject.kind).where(Subject.id == attachment.subject_id)) == "person"
    return db.session.scalar(select(CaseSubject.id).join(Subject, Subject.id == CaseSubject.subject_id).where(
        CaseSubject.case_id == attachment.case_id, Subject.kind == "person").limit(1)) is not None


def log_identity_document(actor, attachment, address: str | None) -> bool:
    """Opening a document that prints a person's identity number whole (a decision addressed to them) is a
    whole-number view in the security log, like a case page showing it (flush; the caller commits). True if logged."""
    if hooks.names_identity(attachment) and names_a_person(attachment):
        security_log.record("full_code_view", actor, address=address, entity="attachment", key=attachment.id)
        return True
    return False


def may_work_on(actor, open_task) -> bool:
    """The task is for this person (assignee) or for their role in their unit."""
    if open_task.assignee_id is not None:
        return actor.id == open_task.assignee_id
    return actor.role == open_task.role and actor.unit_id is not None and actor.unit_id == open_task.unit_id


def can_act_on_task(actor, open_task) -> bool:
    return may_work_on(actor, open_task) and open_task.claimed_by_id in (None, actor.id)


def full_codes_shown(actor, case, address: str | None) -> bool:
    """Whether the page shows the subjects' codes whole; when that includes a person's identity number, the view
    is an event of the security audit log (flush; the page's route commits it)."""
    full = can_see_full_codes(actor, case)
    if not full:
        return False
    if case.kind == CaseKind.PUBLIC_REPORT:  # (the subject as typed, not a subject on record)
        reported = case.determination or {}
        person = reported.get("subject_kind") == "person" and bool(reported.get("subject_code"))
    else:  # (one EXISTS, not the subjects loaded one by one: a department's list holds thousands)
        person = db.session.scalar(select(exists().where(CaseSubject.case_id == case.id, CaseSubject.subject_id == Subject.id,
                                                         Subject.kind == "person")))
    if person:
        security_log.record("full_code_view", actor, address=address, entity="case", key=case.id)
    return full

"""Case-level services every procedure uses: the office unit, the units involved in a case, and the
codes of its subjects."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import UNIT_OFFICE, Unit
from app.cases import (
    access_sync,  # noqa: F401  (the CaseAccess rows of the CaseUnit rows added here)
    search_sync,  # noqa: F401  (the CaseSearch rows of the cases and subjects added here)
)
from app.cases.identifiers import code_warnings
from app.cases.models import Case, CaseUnit
from app.errors import DomainError
from app.extensions import db
from app.form_errors import commit_or_errors
from app.i18n import lazy_gettext as _l


def office_unit() -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.kind == UNIT_OFFICE).order_by(Unit.id).limit(1))
    if unit is None:
        raise DomainError(_l("No joint-meeting office unit is configured."))
    return unit


def add_case_unit(case_id: int, unit_id: int, relation: str) -> None:
    exists = db.session.scalar(
        select(CaseUnit.id).where(CaseUnit.case_id == case_id, CaseUnit.unit_id == unit_id, CaseUnit.relation == relation)
    )
    if not exists:
        db.session.add(CaseUnit(case_id=case_id, unit_id=unit_id, relation=relation))


def subject_warnings(case: Case) -> list:
    """Doubts about the codes of a case's subjects (unknown region codes) for the user to double-check."""
    return [w for cs in case.subjects for w in code_warnings(cs.subject.kind, cs.subject.code)]


def commit_once(form, actor, submission_key: str | None, create):
    """commit_or_errors(form, create) for a form with a submission key: the same form sent twice at once makes one
    case (the second request's INSERT fails on the key's unique index; it answers with the first one's case)."""
    try:
        return commit_or_errors(form, create)
    except IntegrityError:
        db.session.rollback()
        case = submitted_with(actor, submission_key)
        if case is None:
            raise
        return case


def submitted_with(actor, submission_key: str | None) -> Case | None:
    """The case this user made with this form submission, if it was sent before (back and resend, a double click, a
    retry): a form's key (forms.fields.SUBMISSION_KEY) is unique among cases."""
    if not submission_key:
        return None
    return db.session.scalar(select(Case).where(Case.submission_key == submission_key, Case.created_by_id == actor.id))

"""Binding applicant accounts to subjects. The office runs it like this: when a determination to take
joint action is recorded, each subject gets a one-time access code, printed on the decision served to it.
With its unified social credit code (or identity number) and that access code, the subject opens an
applicant account, which sees only the cases about that subject. A code works once; staff can see on the
case page whether it was used."""
import hashlib
import hmac
import re
import secrets

from sqlalchemy import select, update

from app import clock
from app.auth.models import APPLICANT, CASEWORKER, GROUP_LEAD, OFFICE, User
from app.auth.services import password_problems, username_problem, username_taken
from app.cases import events
from app.cases.identifiers import normalise_code
from app.cases.models import Case, Subject
from app.crypto import digest
from app.enums import CaseKind, EventType
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.rights.models import AccessCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _compact(code: str) -> str:
    """The code as issued: upper-case, without the dashes, spaces or full-width spaces a person types between its
    groups (as printed: ABCD-EFGH-JKLM; typed from the paper: "abcd efgh jklm")."""
    return re.sub(r"[\s\-\u3000]", "", code).upper()


def _hash(code: str) -> str:
    """Keyed (HMAC-SM3 under the lookup key kept outside the database): a copy of the table does not allow
    guessing codes offline."""
    return digest("access-code:" + _compact(code))


def _hashes(code: str) -> list[str]:
    """The code's keyed digest and, for codes issued before keyed digests, its plain SHA-256."""
    return [_hash(code), hashlib.sha256(_compact(code).encode()).hexdigest()]


def may_issue_codes(actor, case: Case) -> bool:
    """The units that serve the decision on the subjects: the office, the filing unit, the deciding group. (Not the
    administrator, who runs the system: a code opens the subject's account, which only those serving it may hand over.)"""
    return actor.role == OFFICE or (actor.role in (CASEWORKER, GROUP_LEAD) and actor.unit_id in (
        case.initiating_unit_id, case.group.lead_unit_id if case.group else None))


def issue_code(actor, case: Case, subject_id: int) -> str:
    """A new one-time access code for a subject of a decided punishment, to print on the decision served to
    it. Only its hash is stored: the code is shown this once; issuing again replaces an unused one."""
    if not may_issue_codes(actor, case):
        raise PermissionDenied(_l("Your unit does not serve this decision."))
    if case.kind != CaseKind.PUNISHMENT or not (case.decision == "act" or (case.noticed_at and not case.decision)):
        raise DomainError(_l("Access codes are issued with the prior notice or a decision to take joint punishment."))
    if subject_id not in {cs.subject_id for cs in case.subjects}:
        raise DomainError(_l("No such subject in this case."))
    row = db.session.scalar(select(AccessCode).where(AccessCode.case_id == case.id, AccessCode.subject_id == subject_id))
    if row is not None and row.used_at is not None:
        raise DomainError(_l("This subject has already opened its account with a code."))
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    replaced = row is not None
    if row is None:
        row = AccessCode(case_id=case.id, subject_id=subject_id)
        db.session.add(row)
    row.code_hash, row.created_at = _hash(code), clock.now()
    db.session.flush()
    subject = db.session.get(Subject, subject_id)
    details = {"subject_id": subject_id, "subject": subject.name}
    if replaced:  # (the code issued before no longer opens the account: the timeline says so)
        details["replaced"] = True
    events.record(case.id, EventType.ACCESS_CODE_ISSUED, actor, details)
    return code


def codes_for(case_id: int) -> list[AccessCode]:
    return list(db.session.scalars(select(AccessCode).where(AccessCode.case_id == case_id).order_by(AccessCode.id)))


def register(kind: str, subject_code: str, access_code: str, username: str, password: str, full_name: str) -> User:
    # Every problem of the form at once (not one per attempt), the match of the codes first.
    errors, code, subject, row = [], None, None, None
    try:
        code = normalise_code(kind, subject_code, "subject_code")
    except DomainError as exc:
        errors.append(("subject_code", exc.message))
    if code is not None:
        subject = db.session.scalar(select(Subject).where(Subject.code == code))
    if subject is not None:
        row = db.session.scalar(
            select(AccessCode).where(AccessCode.subject_id == subject.id, AccessCode.used_at.is_(None),
                                     AccessCode.code_hash.in_(_hashes(access_code or "")))
        )
    if code is not None and (row is None or not any(hmac.compare_digest(row.code_hash, h) for h in _hashes(access_code or ""))):
        # One message for both cases: it must not reveal whether a subject is in the system.
        errors.append(("access_code", _l("The code and access code do not match an unused access code.")))
    errors += [("password", m) for m in password_problems(password, username or "")]
    if not (username or "").strip():
        errors.append(("username", _l("Choose a login name.")))
    elif username_problem(username.strip()):
        errors.append(("username", username_problem(username.strip())))
    elif row is not None and username_taken(username):
        # (only to someone holding a valid access code: otherwise the form would tell anyone which login names,
        # staff's among them, exist)
        errors.append(("username", _l("This username is taken.")))
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    user = User(username=username.strip(), full_name=(full_name or subject.name).strip(), role=APPLICANT, subject_id=subject.id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    # Claim the code with a conditional update: of two simultaneous registrations only one matches.
    claimed = db.session.execute(
        update(AccessCode).where(AccessCode.id == row.id, AccessCode.used_at.is_(None)).values(used_by_id=user.id, used_at=clock.now())
    ).rowcount
    if claimed != 1:
        raise DomainError(_l("The code and access code do not match an unused access code."), "access_code")
    events.record(row.case_id, EventType.ACCESS_CODE_USED, user, {"subject_id": subject.id, "subject": subject.name})
    return user

"""Binding applicant accounts to subjects. The office runs it like this: when a determination to take
joint action is recorded, each subject gets a one-time access code, printed on the decision served to it.
With its unified social credit code (or identity number) and that access code, the subject opens an
applicant account, which sees only the cases about that subject. A code works once; staff can see on the
case page whether it was used."""
import hashlib
import hmac
import secrets

from sqlalchemy import select, update

from app import clock
from app.auth.models import APPLICANT, User
from app.auth.services import password_problems
from app.cases import events
from app.cases.identifiers import normalise_code
from app.cases.models import Case, Subject
from app.enums import CaseKind, EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.rights.models import AccessCode

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def issue_codes_on_decision(case: Case, actor) -> None:
    """A decision to punish: each subject gets a code, printed on the decision served to it."""
    if case.decision == "act" and case.kind == CaseKind.PUNISHMENT:
        issue_codes(case, actor)


def issue_codes(case: Case, actor) -> dict[int, str]:
    """One code per subject of the case (flush). Returns {subject_id: code} to show once to the issuer."""
    out = {}
    for cs in case.subjects:
        if db.session.scalar(select(AccessCode.id).where(AccessCode.case_id == case.id, AccessCode.subject_id == cs.subject_id)):
            continue
        raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
        code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
        db.session.add(AccessCode(case_id=case.id, subject_id=cs.subject_id, code_hash=_hash(code), plain=code))
        out[cs.subject_id] = code
    db.session.flush()
    events.record(case.id, EventType.ACCESS_CODE_ISSUED, actor, {"subjects": list(out)})
    return out


def codes_for(case_id: int) -> list[AccessCode]:
    return list(db.session.scalars(select(AccessCode).where(AccessCode.case_id == case_id).order_by(AccessCode.id)))


def register(kind: str, subject_code: str, access_code: str, username: str, password: str, full_name: str) -> User:
    errors = []
    try:
        code = normalise_code(kind, subject_code, "subject_code")
    except DomainError as exc:
        raise DomainError(exc.message, "subject_code")
    subject = db.session.scalar(select(Subject).where(Subject.code == code))
    row = None
    if subject is not None:
        row = db.session.scalar(
            select(AccessCode).where(AccessCode.subject_id == subject.id, AccessCode.used_at.is_(None),
                                     AccessCode.code_hash == _hash(access_code or ""))
        )
    if row is None or not hmac.compare_digest(row.code_hash, _hash(access_code or "")):
        # One message for both cases: it must not reveal whether a subject is in the system.
        raise DomainError(_l("The code and access code do not match an unused access code."), "access_code")
    errors += [("password", m) for m in password_problems(password, username or "")]
    if not (username or "").strip():
        errors.append(("username", _l("Choose a login name.")))
    elif db.session.scalar(select(User.id).where(User.username == username.strip())):
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
    return user

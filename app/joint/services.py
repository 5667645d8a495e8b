"""The joint procedure (seed 001 二(二)): filing triggers (step 1) and routing them to the responsible
specialist group or, for several subjects or several groups, to the joint-meeting office."""
from dataclasses import dataclass

from sqlalchemy import select

from app import clock
from app.auth.models import CASEWORKER, GROUP_LEAD, UNIT_OFFICE
from app.auth.permissions import require_role
from app.cases import attachments, events, runtime
from app.cases.identifiers import code_warnings, mask_code, normalise_code
from app.cases.models import (
    REL_INITIATOR,
    REL_LEAD,
    REL_OFFICE,
    SUBJECT_KINDS,
    Case,
    CaseEntry,
    CaseSubject,
    Subject,
)
from app.cases.services import add_case_unit, office_unit, submitted_with
from app.catalog.services import current_versions_for
from app.enums import CaseKind, CaseStatus, EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import queries as listing_queries
from app.workdays.rules import current as current_rules

PROCESS_ID = "joint_punishment"
MAX_SUBJECTS = 20  # on one filing; more subjects of one matter are filed as several cases


@dataclass
class SubjectIn:
    kind: str
    name: str
    code: str


def _checked_subjects(items: list[SubjectIn]) -> tuple[list[tuple[SubjectIn, str]], list]:
    """The typed subjects with their normalised codes, and the (field, message) errors of the rows: nothing read or
    written (the filing reports every error of the form at once)."""
    if not items:
        return [], [("subjects", _l("Name at least one subject."))]
    if len(items) > MAX_SUBJECTS:
        return [], [("subjects", _l("At most %(n)s subjects per case.", n=MAX_SUBJECTS))]
    errors, out, seen = [], [], set()
    for i, it in enumerate(items):
        prefix = f"subjects-{i}-"
        if it.kind not in SUBJECT_KINDS:
            errors.append((prefix + "kind", _l("Choose the kind of subject.")))
            continue
        if not (it.name or "").strip():
            errors.append((prefix + "name", _l("Enter the subject's name.")))
        try:
            code = normalise_code(it.kind, it.code, prefix + "code")
        except DomainError as exc:
            errors.extend(exc.errors)
            continue
        if code in seen:
            errors.append((prefix + "code", _l("The same subject is named twice.")))
            continue
        seen.add(code)
        out.append((i, it, code))
    if not errors:  # a code registered for a subject of another kind (one query for all rows)
        codes = [c for _i, _it, c in out]
        kinds = dict(db.session.execute(select(Subject.code, Subject.kind).where(Subject.code.in_(codes))).all())
        errors = [(f"subjects-{i}-code", _l("This code is already registered for a subject of another kind."))
                  for i, it, code in out if kinds.get(code, it.kind) != it.kind]
    return [(it, code) for _i, it, code in out], errors


def _subjects(checked: list[tuple[SubjectIn, str]]) -> list[Subject]:
    """The subjects' records, new ones added (after _checked_subjects found no error)."""
    subjects = []
    for it, code in checked:
        subject = db.session.scalar(select(Subject).where(Subject.code == code))
        if subject is None:
            subject = Subject(kind=it.kind, name=it.name.strip(), code=code)
            db.session.add(subject)
        subjects.append(subject)
    return subjects


def renamed_subjects(case: Case, typed: list[SubjectIn]) -> list:
    """Messages for subjects already registered under another name than the one typed: the case names them as
    registered (a subject is one record whatever each filing calls it), and the user should know it."""
    stored = {cs.subject.code: cs.subject for cs in case.subjects}
    out = []
    for it in typed:
        try:
            subject = stored.get(normalise_code(it.kind, it.code, "code"))
        except DomainError:
            continue
        if subject is not None and (it.name or "").strip() and it.name.strip() != subject.name:
            out.append(_l("%(code)s is registered as “%(stored)s”: the case names it so, not “%(typed)s”. If the registered "
                          "name is wrong, report a correction of the subject's data.", code=mask_code(subject.kind, subject.code),
                          stored=subject.name, typed=it.name.strip()))
    return out


def filed_with(actor, submission_key: str | None) -> Case | None:
    """The case this user filed with this form submission, if it was sent before (twice: back and resend, a retry)."""
    return submitted_with(actor, submission_key)


def _trigger_checks(actor, subjects, entry_ids, title, facts, legal_basis, files, files_kept=False):
    """(catalog versions, checked subjects, every (field, message) error of the filing): nothing is written."""
    errors = []
    if not (title or "").strip():
        errors.append(("title", _l("Enter a short title.")))
    if not (facts or "").strip():
        errors.append(("facts", _l("Describe the facts.")))
    if not (legal_basis or "").strip():
        errors.append(("legal_basis", _l("Give the legal basis.")))
    # Every error of the form is reported at once (the catalog choice, the subject rows and the files alike), so the
    # caseworker corrects the form in one round.
    versions = []
    try:
        versions = current_versions_for(entry_ids)
    except DomainError as exc:
        errors.extend(exc.errors)
    kinds = {v.entry.kind for v in versions}
    if len(kinds) > 1:
        errors.append(("entry_ids", _l("A case is either for joint punishment or for joint reward, not both.")))
    foreign = [v.entry.code for v in versions if v.admin_unit_id != actor.unit_id]
    if foreign:
        # 负责确定本单位管理领域内的激励和惩戒行为对象 (seed 001 二(二)1): a unit files behaviour in its own field.
        errors.append(("entry_ids", _l("A unit reports behaviour within its own field only: %(codes)s is administered by "
                                       "another unit.", codes="、".join(foreign))))
    if not files and not files_kept:  # the unit reports with its evidence (证据材料, as the catalog entry names it)
        errors.append(("files", _l("Attach the evidence: at least one file (the decision or record the report rests on).")))
    else:
        try:
            attachments.validate_uploads(files, "files")
        except DomainError as exc:
            errors.extend(exc.errors)
    checked, subject_errors = _checked_subjects(subjects)
    errors.extend(subject_errors)
    if kinds and all(k == CaseKind.REWARD for k in kinds) and checked and not subject_errors:
        errors.extend(_punished_errors(subjects, checked))
    return versions, checked, errors


def _punished_errors(subjects, checked) -> list:
    """A joint reward is for the honest (seed 002 五(一) 对诚实守信者): not for a subject a joint punishment stands
    against (in effect, or suspended while its objection is handled)."""
    code_of = {id(it): code for it, code in checked}
    punished = listing_queries.punished_codes(list(code_of.values()))
    return [(f"subjects-{i}-code", _l("A joint punishment stands against this subject (%(case)s): a joint reward is for "
                                      "the honest (资府办发〔2017〕7号 五(一)).", case=punished[code_of[id(it)]] or "—"))
            for i, it in enumerate(subjects) if code_of.get(id(it)) in punished]


def trigger_errors(actor, subjects: list[SubjectIn], entry_ids: list[int], title: str, facts: str, legal_basis: str,
                   files: list[attachments.Upload], files_kept: bool) -> list:
    """Every error file_trigger would report, for a form that its own checks already refused: the caseworker then
    corrects the catalog choice, the subject rows and the files in one round, not one after another.
    `files_kept`: files of an earlier submission are kept for this one (they count as evidence)."""
    return _trigger_checks(actor, subjects, entry_ids, title, facts, legal_basis, files, files_kept)[2]


def file_trigger(
    actor,
    *,
    subjects: list[SubjectIn],
    entry_ids: list[int],
    title: str,
    facts: str,
    legal_basis: str,
    files: list[attachments.Upload],
    submission_key: str | None = None,
) -> Case:
    """A member unit's caseworker reports subjects for joint punishment or reward. Everything is checked
    before anything is written, so a refused trigger leaves no trace. `submission_key`: the filing form's own key
    (a second case with the same key fails on its unique index: see filed_with)."""
    require_role(actor, CASEWORKER)
    if actor.unit is None or actor.unit.kind == UNIT_OFFICE:
        raise DomainError(_l("Only caseworkers of member units may file triggers."))
    versions, checked, errors = _trigger_checks(actor, subjects, entry_ids, title, facts, legal_basis, files)
    if errors:
        raise DomainError(errors[0][1], errors=errors)
    subject_rows = _subjects(checked)

    # The filing unit reports to its own specialist group (报送给对应的专项小组): of the cited entries' groups, the one
    # the unit leads or belongs to, else the group of the first entry by catalog code; never the order the boxes
    # were ticked in. A case spanning several groups is reported on by it to the office, which names the
    # determining body (decide_route).
    groups = {}
    for v in sorted(versions, key=lambda v: v.entry.code):
        groups.setdefault(v.entry.group_id, v.entry.group)
    own = [g for g in groups.values() if g.lead_unit_id == actor.unit_id or any(u.id == actor.unit_id for u in g.members)]
    group = (own or list(groups.values()))[0]
    multi_group = len(groups) > 1
    route = "group"
    office = office_unit()
    now = clock.now()
    case = Case(
        number=f"TMP-{now.timestamp()}-{actor.id}",
        kind=versions[0].entry.kind,
        process_id=PROCESS_ID,
        status=CaseStatus.PRE_REVIEW,
        route=route,
        group_id=group.id if group else None,
        initiating_unit_id=actor.unit_id,
        created_by_id=actor.id,
        title=title.strip(),
        facts=facts.strip(),
        legal_basis=legal_basis.strip(),
        created_at=now, rules=current_rules(), multi_group=multi_group, submission_key=submission_key,
    )
    db.session.add(case)
    db.session.flush()
    case.number = f"XL-{clock.local_date(now).year}-{case.id:06d}"
    for s in subject_rows:
        db.session.add(CaseSubject(case_id=case.id, subject_id=s.id))
    for v in versions:
        db.session.add(CaseEntry(case_id=case.id, catalog_version_id=v.id))
    add_case_unit(case.id, actor.unit_id, REL_INITIATOR)
    add_case_unit(case.id, office.id, REL_OFFICE)
    lead_units = sorted({g.lead_unit_id for g in groups.values()})
    for uid in lead_units:
        add_case_unit(case.id, uid, REL_LEAD)
    events.record(
        case.id,
        EventType.TRIGGER_FILED,
        actor,
        {
            "subjects": [s.id for s in subject_rows],
            "catalog_versions": [v.id for v in versions],
            "route": route,
            "group_id": case.group_id,
            "multi_group": multi_group,
            "code_warnings": [str(w) for s in subject_rows for w in code_warnings(s.kind, s.code)],
        },
    )
    attachments.store(case.id, actor, files, "evidence")
    runtime.start(
        case,
        PROCESS_ID,
        {
            "case_id": case.id,
            "kind": case.kind,
            "initiating_unit_id": actor.unit_id,
            "office_unit_id": office.id,
            "receiving_unit_id": group.lead_unit_id,
            # until the office names another: the receiving group determines
            "determining_unit_id": group.lead_unit_id,
            "determining_role": GROUP_LEAD,
            # the specialist groups the units' implementation is compiled by (seed 001 二(二)3): the determining one
            "compiling_units": [group.lead_unit_id],
            "compiling_role": GROUP_LEAD,
            "multi_group": multi_group,
            "major": False,
            "concerned_lead_units": lead_units,
        },
        actor,
    )
    return case

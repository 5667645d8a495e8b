"""Cases and what hangs off them: subjects, cited catalog versions, involved units, measures,
attachments and the append-only, hash-chained event timeline."""
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, defer, mapped_column, relationship

from app import clock
from app.auth.models import SpecialistGroup, Unit, User
from app.catalog.models import CatalogVersion
from app.clock import utcnow
from app.crypto.columns import Sealed, SealedJSON, looked_up
from app.db_types import UTCDateTime
from app.enums import Relation, SubjectKind
from app.extensions import db

# Subject kinds: organisations carry a unified social credit code, persons a resident identity number.
# Short names (the enums in app/enums.py are the definition).
ENTERPRISE, PERSON = SubjectKind.ENTERPRISE, SubjectKind.PERSON
SUBJECT_KINDS = tuple(SubjectKind)
REL_INITIATOR, REL_LEAD, REL_OFFICE = Relation.INITIATOR, Relation.LEAD, Relation.OFFICE
REL_IMPLEMENTER, REL_NOTIFIED = Relation.IMPLEMENTER, Relation.NOTIFIED


def _month_of(created_at) -> str:
    dt = created_at or clock.now()
    return clock.local_date(dt).strftime("%Y-%m")


def _personal_keys(determination: dict) -> tuple[str, ...]:
    """What a case's determination holds of personal data, sealed at rest: a report's reported code and the
    reporter's contact; a correction's old and new identity number."""
    keys = ("subject_code", "contact")
    return keys + ("current", "proposed") if determination.get("field") == "code" else keys


class Subject(db.Model):
    __tablename__ = "subject"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), index=True)
    # The unified social credit code or identity number, sealed (SM4-GCM) and found by its keyed digest.
    code_sealed: Mapped[str] = mapped_column(Sealed("subject.code"))
    code_digest: Mapped[str] = mapped_column(String(64), unique=True)
    code = looked_up("code_sealed", "code_digest")
    legal_representative: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Registration status: active | deregistered (注销) | merged (合并 into successor_id). Recorded with its
    # date, basis and reason as a SubjectChange (app/dueprocess/subject_changes.py).
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    status_on: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"), index=True)


class Case(db.Model):
    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_status_created", "status", "created_at"),
        Index("ix_case_created", "created_at", "id"),  # case lists, newest first
        Index("ix_case_kind_created", "kind", "created_at"),
        # Monitoring aggregates read these covering indexes instead of the table (100,000 cases).
        Index("ix_case_kind_status", "kind", "status"),
        Index("ix_case_kind_group", "kind", "group_id"),
        Index("ix_case_kind_month", "kind", "created_month"),
        Index("ix_case_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # punishment | reward
    process_id: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(30), index=True)
    route: Mapped[str] = mapped_column(String(10))  # group | office
    group_id: Mapped[int | None] = mapped_column(ForeignKey("specialist_group.id"), index=True)
    group: Mapped[SpecialistGroup | None] = relationship()
    initiating_unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    initiating_unit: Mapped[Unit] = relationship(foreign_keys=[initiating_unit_id])
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    # Determination meeting record: date, attending unit ids, minutes, measures, ...
    determination: Mapped[dict | None] = mapped_column(SealedJSON("case.determination", _personal_keys))
    decision: Mapped[str | None] = mapped_column(String(20))  # act | no_action
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The decision's number (文号), given when it is issued.
    decision_no: Mapped[str | None] = mapped_column(String(120))
    # When the subjects were told of the intended determination (告知): from then on they follow the case.
    noticed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)  # None while an open suspension runs
    period_days: Mapped[int | None] = mapped_column(Integer)
    # The deadline rules in force when the case started ({name: {days, day_kind, source}}): a later
    # change of a rule applies to cases started afterwards, running ones keep theirs.
    rules: Mapped[dict | None] = mapped_column(JSON)
    feedback_summary: Mapped[str | None] = mapped_column(Text)
    parent_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    # An objection or repair concerns one subject's listing of the parent case.
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("listing.id", use_alter=True), index=True)
    # Routing (seed 001 二(二)1): the cited entries span several specialist groups; the office recorded the
    # behaviour as major (and why) and determines the case itself.
    multi_group: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    major: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    major_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The key of the form submission that filed the case (a form sent twice files one case: the second finds it).
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # Local (Shanghai) month of filing, "2026-11": grouped by the monitoring dashboard and reports.
    created_month: Mapped[str] = mapped_column(String(7), default=lambda ctx: _month_of(ctx.get_current_parameters().get("created_at")))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Head of the timeline's hash chain, written with every event: deleting the newest events, or
    # re-hashing the chain without touching this row, is detected by verify_chain.
    event_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    event_hash: Mapped[str] = mapped_column(String(64), default="0" * 64, server_default="0" * 64)

    subjects: Mapped[list["CaseSubject"]] = relationship(back_populates="case", order_by="CaseSubject.id")
    entries: Mapped[list["CaseEntry"]] = relationship(back_populates="case", order_by="CaseEntry.id")
    measures: Mapped[list["CaseMeasure"]] = relationship(back_populates="case", order_by="CaseMeasure.id")

    @classmethod
    def listed(cls) -> tuple:
        """Loader options for list pages: the long texts and the determination (sealed JSON, opened value by
        value) stay in the database; a row that reads one of them loads them together."""
        body = (cls.facts, cls.legal_basis, cls.determination, cls.rules, cls.feedback_summary, cls.major_reason)
        return tuple(defer(c) for c in body)


class CaseSubject(db.Model):
    __tablename__ = "case_subject"
    # (a subject's cases are read from the second index alone: searches go from matching subjects to their cases)
    __table_args__ = (UniqueConstraint("case_id", "subject_id"), Index("ix_case_subject_subject_case", "subject_id", "case_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"))
    # The decision to act left this subject out (seed 001 二(二)2: decided for each subject): lists name it so.
    not_acted: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    case: Mapped[Case] = relationship(back_populates="subjects")
    subject: Mapped[Subject] = relationship()


class CaseSearch(db.Model):
    """Read model of the case search: a case's title, and each of its subjects' names, with the case's filing time
    (the list order) copied. A search matches these narrow rows through one bigram index and orders them without
    reading a case row (1.7 kB each, scattered through the table: a cold search at a million cases read thousands of
    case, subject and case-subject pages). Kept in step by app/cases/search_sync.py in the same flush."""

    __tablename__ = "case_search"
    __table_args__ = (Index("ix_case_search_case", "case_id"), Index("ix_case_search_subject", "subject_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))  # None: the case's title
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    text: Mapped[str] = mapped_column(String(200))


class CaseEntry(db.Model):
    """A catalog version cited by the case (the version in force when the trigger was filed)."""

    __tablename__ = "case_entry"
    __table_args__ = (UniqueConstraint("case_id", "catalog_version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"), index=True)
    case: Mapped[Case] = relationship(back_populates="entries")
    catalog_version: Mapped[CatalogVersion] = relationship()


class CaseUnit(db.Model):
    """Which units are involved in a case and how; drives who may see it (indexed for list pages)."""

    __tablename__ = "case_unit"
    __table_args__ = (UniqueConstraint("case_id", "unit_id", "relation"), Index("ix_case_unit_unit", "unit_id", "case_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    relation: Mapped[str] = mapped_column(String(20))


class CaseAccess(db.Model):
    """Read model of the case lists of unit staff: one row per unit and case it may see, with the case's filing
    time, status and kind copied, so that a unit's list (filtered by status or kind, newest first) is one index
    range however many cases the city has and however few of them match. Kept in step by app/cases/access_sync.py
    in the same flush that adds a CaseUnit or changes a case's status."""

    __tablename__ = "case_access"
    __table_args__ = (
        Index("ix_case_access_created", "unit_id", "created_at", "case_id"),
        Index("ix_case_access_status", "unit_id", "status", "created_at", "case_id"),
        Index("ix_case_access_kind", "unit_id", "kind", "created_at", "case_id"),
        Index("ix_case_access_case", "case_id"),
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(20))


class CaseMeasure(db.Model):
    """A measure decided for a case and the unit applying it, with that unit's implementation status."""

    __tablename__ = "case_measure"
    # (case, unit) first: the credit check asks for one unit's measures of a few cases; with only single-column
    # indexes SQLite chose the unit's index and read every measure of the unit.
    __table_args__ = (Index("ix_case_measure_case_unit", "case_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    case: Mapped[Case] = relationship(back_populates="measures")
    catalog_version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"))
    measure_code: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    unit: Mapped[Unit] = relationship()
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | applied | cannot
    report: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Attachment(db.Model):
    """Metadata of an uploaded file; the bytes live outside the web root, named by their sha256."""

    __tablename__ = "attachment"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(40))  # evidence | minutes | implementation | ...
    # A document addressed to one subject (its copy of the decision): no other subject is served it.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    uploaded_by: Mapped[User] = relationship()
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StagedUpload(db.Model):
    """A file sent with a form that was then refused: kept for its sender's next submission of that form
    (named by a random token on the page), so a validation error never makes anyone attach files again.
    Taken into an Attachment on success; removed after a day otherwise."""

    __tablename__ = "staged_upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class CaseEvent(db.Model):
    """Typed, append-only timeline. Each row carries the hash of the previous row of the same case."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    actor: Mapped[User | None] = relationship()
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    actor_unit: Mapped[Unit | None] = relationship()
    bpmn_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # How `hash` was made: hmac-sha256 (keyed, the key outside the database); sha256 for events recorded
    # before the chains were keyed. Each event is checked with its own algorithm.
    alg: Mapped[str] = mapped_column(String(20), default="hmac-sha256", server_default="sha256")


class OpenTask(db.Model):
    """One row per READY user task, kept in step with the workflow on every save. Inboxes read only this.
    Rows survive re-saves while their task stays READY, so claims and reminder/breach marks persist."""

    __tablename__ = "open_task"
    __table_args__ = (
        # A unit's queue in inbox order (deadline first, none last), and its distinct steps for the filter;
        # partial, as the inbox reads only tasks not assigned to one person.
        Index("ix_open_task_unit_inbox", "role", "unit_id", "due_at", "id",
              postgresql_where=text("assignee_id IS NULL"), sqlite_where=text("assignee_id IS NULL")),
        Index("ix_open_task_unit_step", "role", "unit_id", "bpmn_id",
              postgresql_where=text("assignee_id IS NULL"), sqlite_where=text("assignee_id IS NULL")),
        # The queue's "unclaimed" and "mine" views in the same order, each task in one of the two: a unit whose
        # liaison holds thousands of claimed pushes must not make a colleague's "unclaimed" page read past them all.
        Index("ix_open_task_unit_unclaimed", "role", "unit_id", "due_at", "id",
              postgresql_where=text("assignee_id IS NULL AND claimed_by_id IS NULL"),
              sqlite_where=text("assignee_id IS NULL AND claimed_by_id IS NULL")),
        Index("ix_open_task_claimed", "claimed_by_id", "due_at", "id",
              postgresql_where=text("claimed_by_id IS NOT NULL"), sqlite_where=text("claimed_by_id IS NOT NULL")),
        Index("ix_open_task_assignee", "assignee_id", "due_at", "id"),
        Index("ix_open_task_due", "due_at"),  # overdue tasks, for the supervisors' list
        Index("ix_open_task_remind", "reminded", "remind_at"),
        Index("ix_open_task_breach", "breached", "due_at"),
        Index("ix_open_task_escalate", "escalated", "due_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36), unique=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"), index=True)
    # (set instead of instance_id for an instance started in this transaction and not yet written: the flush
    # writes the instance first)
    instance = relationship("ProcessInstance")
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    case = relationship("Case")
    case_kind: Mapped[str] = mapped_column(String(20))
    bpmn_id: Mapped[str] = mapped_column(String(60), index=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    unit = relationship("Unit")
    # Tasks for one person (an invited expert) rather than for a unit's role.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    form_key: Mapped[str] = mapped_column(String(80))
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deadline_rule: Mapped[str | None] = mapped_column(String(40))
    deadline_days: Mapped[int | None] = mapped_column(Integer)
    # True when the deadline was counted with weekends only, for a year without a holiday schedule.
    calendar_fallback: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    # Overdue past the escalation period: the unit was notified (通报) automatically.
    escalated: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # How the due date was counted, shown with it: {"rule", "days", "day_kind", "source", "start",
    # "holidays": [[iso, name]...], "workdays": [[iso, name]...]} (the case's own copy of the rule).
    deadline_basis: Mapped[dict | None] = mapped_column(JSON)
    # Recording its reminder or breach failed: the deadline sweep leaves it alone until then.
    sweep_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

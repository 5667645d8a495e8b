"""Monitoring figures (seed 001 二(二)1, seed 003, seed 004), each one SQL aggregate over indexed columns —
never a Python loop over cases — so the dashboard stays fast at 100,000 cases."""
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, distinct, exists, func, select
from sqlalchemy import case as sql_case

from app import clock
from app.audit import services as audit
from app.auth.models import ADMIN, SpecialistGroup, Unit
from app.auth.permissions import require_role
from app.cases.models import Case, OpenTask, Subject
from app.credit import queries as credit_queries
from app.enums import JOINT_KINDS, CaseKind, ListingStatus
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings.models import Listing
from app.supervision.models import DashboardSnapshot, EnterpriseCount, StepRecord, TypicalCase

PERIOD_NAME = re.compile(r"(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?", re.ASCII)  # ("２０２６-11" would name a second report)
QUOTA_PER_QUARTER = 2  # seed 004: each unit reports at least two typical cases a quarter


@dataclass(frozen=True)
class Period:
    """A reporting period: [start, end) in UTC, named like 2026-11, 2026-Q4 or 2026 (Shanghai dates)."""

    name: str
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, name: str) -> "Period":
        """A period named by a user: a month, quarter or year of 2000–2099 that has already begun."""
        m = PERIOD_NAME.fullmatch((name or "").strip().upper())  # (2026-q4 as 2026-Q4)
        period = cls.named(m.group(0)) if m and 2000 <= int(m.group(1)) <= 2099 else None
        if period is None or period.start > clock.now():
            raise DomainError(_l("Give a month, quarter or year that has begun, as YYYY-MM, YYYY-Q1 or YYYY."), "month")
        return period

    @classmethod
    def named(cls, name: str) -> "Period":
        """The period a well-formed name gives (2026-11, 2026-Q4, 2026)."""
        if len(name) == 4:
            return cls.year(name)
        return cls.quarter(name) if "Q" in name else cls.month(name)

    @classmethod
    def year(cls, name: str) -> "Period":
        y = int(name)
        return cls(name, clock.start_of_local_day(date(y, 1, 1)), clock.start_of_local_day(date(y + 1, 1, 1)))

    @classmethod
    def month(cls, name: str) -> "Period":
        y, m = (int(x) for x in name.split("-"))
        nxt = date(y + (m == 12), m % 12 + 1, 1)
        return cls(name, clock.start_of_local_day(date(y, m, 1)), clock.start_of_local_day(nxt))

    @classmethod
    def quarter(cls, name: str) -> "Period":
        y, q = int(name[:4]), int(name[-1])
        first = date(y, 3 * (q - 1) + 1, 1)
        nxt = date(y + (q == 4), (3 * q) % 12 + 1, 1)
        return cls(name, clock.start_of_local_day(first), clock.start_of_local_day(nxt))


def _filed_in(stmt, period: Period | None):
    return stmt.where(Case.created_at >= period.start, Case.created_at < period.end) if period else stmt


def _completed_in(stmt, period: Period | None):
    return stmt.where(StepRecord.completed_at >= period.start, StepRecord.completed_at < period.end) if period else stmt


def cases_by_status(period: Period | None = None) -> list[tuple[str, int]]:
    stmt = select(Case.status, func.count()).where(Case.kind.in_(JOINT_KINDS))
    return [(s, n) for s, n in db.session.execute(_filed_in(stmt, period).group_by(Case.status).order_by(Case.status))]


def cases_by_group(period: Period | None = None) -> list[tuple[str | None, int]]:
    names = dict(db.session.execute(select(SpecialistGroup.id, SpecialistGroup.name)).all())
    stmt = select(Case.group_id, func.count()).where(Case.kind.in_(JOINT_KINDS))
    rows = db.session.execute(_filed_in(stmt, period).group_by(Case.group_id))
    return sorted(((names.get(g), n) for g, n in rows), key=lambda r: r[0] or "")


def cases_by_unit(period: Period | None = None) -> list[tuple[str, int]]:
    """Joint cases filed by each member unit (seed 001 二(二)1 对各成员单位报送联合奖惩情况实时监测): most first."""
    names = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    stmt = select(Case.initiating_unit_id, func.count()).where(Case.kind.in_(JOINT_KINDS))
    rows = db.session.execute(_filed_in(stmt, period).group_by(Case.initiating_unit_id))
    return sorted(((names.get(u, str(u)), n) for u, n in rows), key=lambda r: (-r[1], r[0]))


def cases_by_month(period: Period | None = None) -> list[tuple[str, int]]:
    """Joint cases filed per month: every month, or (for a report) the months of its period."""
    stmt = select(Case.created_month, func.count()).where(Case.kind.in_(JOINT_KINDS))
    if period is not None:
        first, last = clock.local_date(period.start), clock.local_date(period.end - timedelta(seconds=1))
        months, (y, m) = [], (first.year, first.month)
        while (y, m) <= (last.year, last.month):
            months.append(f"{y}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        stmt = stmt.where(Case.created_month.in_(months))
    return [(m, n) for m, n in db.session.execute(stmt.group_by(Case.created_month).order_by(Case.created_month))]


def step_times(period: Period | None = None) -> list[dict]:
    """Average and 90th percentile hours per step. The percentile is read per step with ORDER BY/OFFSET
    (portable to SQLite); there are as many queries as steps, not as cases."""
    stmt = select(StepRecord.bpmn_id, func.count(), func.avg(StepRecord.hours))
    rows = db.session.execute(_completed_in(stmt, period).group_by(StepRecord.bpmn_id).order_by(StepRecord.bpmn_id)).all()
    out = []
    for bpmn_id, n, avg in rows:
        offset = max(int(0.9 * n + 0.999999) - 1, 0)  # nearest-rank P90
        p90 = db.session.scalar(
            _completed_in(select(StepRecord.hours).where(StepRecord.bpmn_id == bpmn_id), period)
            .order_by(StepRecord.hours).offset(offset).limit(1)
        )
        out.append({"bpmn_id": bpmn_id, "count": n, "avg": round(float(avg), 1), "p90": round(float(p90), 1)})
    return out


def on_time_by_unit(period: Period | None = None) -> list[dict]:
    """Per unit: steps with a deadline completed in the period and how many of them on time, plus the unit's steps
    still open that were past their deadline by the period's end (or by now, for a period that reaches today): late
    whatever happens next, so a unit sitting on overdue work does not show 100 %, in a month's report either."""
    on_time = func.sum(sql_case((StepRecord.on_time.is_(True), 1), else_=0))
    stmt = (select(Unit.name, func.count(StepRecord.id), on_time)
            .join(Unit, Unit.id == StepRecord.unit_id).where(StepRecord.on_time.is_not(None)))
    done = {u: (n, int(k or 0)) for u, n, k in db.session.execute(_completed_in(stmt, period).group_by(Unit.name))}
    by = clock.now() if period is None else min(clock.now(), period.end)
    overdue = dict(db.session.execute(
        select(Unit.name, func.count(OpenTask.id)).join(Unit, Unit.id == OpenTask.unit_id)
        .where(OpenTask.due_at < by).group_by(Unit.name)).all())
    out = []
    for unit in sorted(done.keys() | overdue.keys()):
        (n, k), late_open = done.get(unit, (0, 0)), overdue.get(unit, 0)
        out.append({"unit": unit, "steps": n + late_open, "on_time": k, "overdue_open": late_open,
                    "rate": round(100.0 * k / (n + late_open), 1)})
    return out


def outcomes(period: Period | None = None) -> list[tuple[str, str, int]]:
    stmt = select(Case.kind, Case.status, func.count()).where(Case.kind.in_((CaseKind.OBJECTION, CaseKind.REPAIR)))
    return [(k, s, n) for k, s, n in db.session.execute(
        _filed_in(stmt, period).group_by(Case.kind, Case.status).order_by(Case.kind, Case.status)
    )]


def serious_share() -> dict:
    """Distinct enterprises under a punishment for a serious-dishonesty entry in effect or suspended (an objection
    suspends it, the determination stands until decided), as a share of the registered enterprises configured (seed
    003: keep it under 1%). The public serious list shows those in effect, persons too: the page says so."""
    n = db.session.scalar(
        select(func.count(distinct(Listing.subject_id)))
        .join(Subject, Subject.id == Listing.subject_id)
        .where(Listing.kind == CaseKind.PUNISHMENT, Listing.serious.is_(True), Listing.status.in_(("in_effect", "suspended")),
               Subject.kind == "enterprise")  # (enterprises, as the registered figure counts them: not social bodies)
    ) or 0
    latest = db.session.scalar(select(EnterpriseCount).order_by(EnterpriseCount.as_of.desc(), EnterpriseCount.id.desc()).limit(1))
    # Until an administrator enters the figure, the configured default (XINLIAN_REGISTERED_ENTERPRISES) stands in.
    total = latest.count if latest else current_app.config["REGISTERED_ENTERPRISES"]
    share = 100.0 * n / total if total else 0.0
    return {"subjects": n, "registered": total, "percent": round(share, 3), "warning": share >= 1.0,  # (the target is "below 1%")
            "as_of": latest.as_of if latest else None}


def set_enterprise_count(actor, count, as_of: date | None, source: str) -> EnterpriseCount:
    """An administrator enters the number of registered enterprises as of a date (flush; audited)."""
    require_role(actor, ADMIN)
    try:
        count = int(str(count).replace(",", "").strip())
    except (TypeError, ValueError):
        count = 0
    if count < 1:
        raise DomainError(_l("Enter the number of registered enterprises as a positive whole number."), "count")
    if as_of is None:
        raise DomainError(_l("Enter the date the figure refers to."), "as_of")
    if as_of > clock.today_local():
        raise DomainError(_l("The date cannot be in the future."), "as_of")
    source = (source or "").strip()
    if not source:
        raise DomainError(_l("Say where the figure comes from."), "source")
    row = EnterpriseCount(count=count, as_of=as_of, source=source[:500], entered_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "enterprise_count", row.id, "create", None, {"count": count, "as_of": as_of.isoformat(), "source": source})
    if db.session.get(DashboardSnapshot, 1) is not None:
        refresh_dashboard()  # the administrator sees the new share at once, not at the next refresh
    return row


def quarter_of(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


# Units with a typical-case quota (seed 004 (十九)): city departments (member units and others) and counties.
QUOTA_UNIT_KINDS = ("member", "other", "county")


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of a quarter named like 2026-Q4."""
    year, q = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * (q - 1) + 1, 1)
    nxt = date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return first, nxt - timedelta(days=1)


def previous_quarter(quarter: str) -> str:
    first, _last = quarter_bounds(quarter)
    return quarter_of(first - timedelta(days=1))


def typical_quota(quarter: str | None = None) -> dict:
    """Typical cases registered this quarter by each unit with a quota, and the units below it."""
    quarter = quarter or quarter_of(clock.today_local())
    # (a case whose decision was revoked after it was submitted is no typical case: it does not count)
    of_case = Listing.case_id == TypicalCase.case_id
    revoked = and_(TypicalCase.case_id.is_not(None), exists().where(of_case),
                   ~exists().where(of_case, Listing.status != ListingStatus.REVOKED))
    counts = dict(db.session.execute(
        select(TypicalCase.unit_id, func.count()).where(TypicalCase.quarter == quarter, ~revoked).group_by(TypicalCase.unit_id)
    ).all())
    units = db.session.execute(select(Unit.id, Unit.name, Unit.kind).where(Unit.kind.in_(QUOTA_UNIT_KINDS), Unit.active.is_(True))
                               .order_by(Unit.kind, Unit.id)).all()
    rows = [{"unit_id": uid, "unit": name, "kind": kind, "count": counts.get(uid, 0)} for uid, name, kind in units]
    first, last = quarter_bounds(quarter)
    return {"quarter": quarter, "rows": rows, "below": [r for r in rows if r["count"] < QUOTA_PER_QUARTER],
            "ends": last, "over": clock.today_local() > last}


def typical_by_quarter(year: int) -> list[tuple[str, list[int], int]]:
    """For the year-end assessment (seed 004 (二十五) 年终考核): each unit with a quota, its typical cases in each quarter,
    and in how many quarters it met the quota."""
    quarters = [typical_quota(f"{year}-Q{q}") for q in range(1, 5)]
    rows = []
    for r in quarters[0]["rows"]:
        counts = [next((x["count"] for x in q["rows"] if x["unit_id"] == r["unit_id"]), 0) for q in quarters]
        rows.append((r["unit"], counts, sum(1 for c in counts if c >= QUOTA_PER_QUARTER)))
    return rows


def dashboard(period: Period | None = None) -> dict:
    """Every figure, over all time or (for a report) over one period: cases filed, steps completed and
    objections or repairs filed in it; the serious-dishonesty share as of now; the quarter's typical cases (for a
    year, each quarter's)."""
    quarter = quarter_of(clock.local_date(period.end - timedelta(seconds=1))) if period else None
    extra = {"typical_by_quarter": typical_by_quarter(int(period.name))} if period is not None and len(period.name) == 4 else {}
    return {
        **extra,
        "by_status": cases_by_status(period), "by_group": cases_by_group(period), "by_month": cases_by_month(period),
        "by_unit": cases_by_unit(period),
        "step_times": step_times(period), "on_time": on_time_by_unit(period), "outcomes": outcomes(period),
        "serious": serious_share(), "quota": typical_quota(quarter), "period": period,
        "check_usage": credit_queries.usage_by_unit(period),
    }


def _json_safe(figures: dict) -> dict:
    out = dict(figures, period=None)
    out["by_status"] = [list(r) for r in figures["by_status"]]
    out["by_group"] = [list(r) for r in figures["by_group"]]
    out["by_unit"] = [list(r) for r in figures["by_unit"]]
    out["by_month"] = [list(r) for r in figures["by_month"]]
    out["outcomes"] = [list(r) for r in figures["outcomes"]]
    out["check_usage"] = [list(r) for r in figures["check_usage"]]
    out["serious"] = dict(figures["serious"], as_of=figures["serious"]["as_of"].isoformat() if figures["serious"]["as_of"] else None)
    out["quota"] = dict(figures["quota"], ends=figures["quota"]["ends"].isoformat())
    return out


def _from_json(figures: dict) -> dict:
    out = dict(figures)
    out.setdefault("by_unit", [])  # (a snapshot stored before the figure existed; the next refresh has it)
    as_of = figures["serious"]["as_of"]
    out["serious"] = dict(figures["serious"], as_of=date.fromisoformat(as_of) if as_of else None)
    out["quota"] = dict(figures["quota"], ends=date.fromisoformat(figures["quota"]["ends"]))
    return out


def snapshot_figures() -> dict:
    """The all-time figures as the snapshot stores them (JSON)."""
    return _json_safe(dashboard())


def refresh_dashboard(figures: dict | None = None) -> DashboardSnapshot:
    """Store the all-time figures (computed now unless given) as the snapshot (flush; the caller commits)."""
    figures = figures if figures is not None else snapshot_figures()
    snap = db.session.get(DashboardSnapshot, 1) or DashboardSnapshot(id=1)
    snap.figures, snap.computed_at = figures, clock.now()
    db.session.add(snap)
    db.session.flush()
    return snap


def current_dashboard() -> dict:
    """The all-time figures for the dashboard page: the scheduler's snapshot while it is fresh (`as_of` says
    when it was computed), else computed now (`as_of` None). The page never writes."""
    snap = db.session.get(DashboardSnapshot, 1)
    max_age = timedelta(seconds=3 * current_app.config["DASHBOARD_REFRESH_SECONDS"])
    if snap is not None and clock.now() - clock.as_utc(snap.computed_at) <= max_age:
        return dict(_from_json(snap.figures), as_of=clock.as_utc(snap.computed_at))
    return dict(dashboard(), as_of=None)

"""Monitoring figures (seed 001 二(二)1, seed 003, seed 004), each one SQL aggregate over indexed columns —
never a Python loop over cases — so the dashboard stays fast at 100,000 cases."""
from datetime import date

from flask import current_app
from sqlalchemy import case as sql_case
from sqlalchemy import distinct, func, select

from app import clock
from app.auth.models import SpecialistGroup, Unit
from app.cases.models import Case, CaseEntry, CaseSubject, Subject
from app.catalog.models import CatalogEntry, CatalogVersion
from app.enums import JOINT_KINDS, CaseKind, CaseStatus
from app.extensions import db
from app.supervision.models import StepRecord, TypicalCase

QUOTA_PER_QUARTER = 2  # seed 004: each unit reports at least two typical cases a quarter


def cases_by_status() -> list[tuple[str, int]]:
    return [(s, n) for s, n in db.session.execute(
        select(Case.status, func.count()).where(Case.kind.in_(JOINT_KINDS)).group_by(Case.status).order_by(Case.status)
    )]


def cases_by_group() -> list[tuple[str | None, int]]:
    names = dict(db.session.execute(select(SpecialistGroup.id, SpecialistGroup.name)).all())
    rows = db.session.execute(
        select(Case.group_id, func.count()).where(Case.kind.in_(JOINT_KINDS)).group_by(Case.group_id)
    )
    return sorted(((names.get(g), n) for g, n in rows), key=lambda r: r[0] or "")


def cases_by_month() -> list[tuple[str, int]]:
    return [(m, n) for m, n in db.session.execute(
        select(Case.created_month, func.count()).where(Case.kind.in_(JOINT_KINDS))
        .group_by(Case.created_month).order_by(Case.created_month)
    )]


def step_times() -> list[dict]:
    """Average and 90th percentile hours per step. The percentile is read per step with ORDER BY/OFFSET
    (portable to SQLite); there are as many queries as steps, not as cases."""
    rows = db.session.execute(
        select(StepRecord.bpmn_id, func.count(), func.avg(StepRecord.hours)).group_by(StepRecord.bpmn_id).order_by(StepRecord.bpmn_id)
    ).all()
    out = []
    for bpmn_id, n, avg in rows:
        offset = max(int(0.9 * n + 0.999999) - 1, 0)  # nearest-rank P90
        p90 = db.session.scalar(
            select(StepRecord.hours).where(StepRecord.bpmn_id == bpmn_id).order_by(StepRecord.hours).offset(offset).limit(1)
        )
        out.append({"bpmn_id": bpmn_id, "count": n, "avg": round(float(avg), 1), "p90": round(float(p90), 1)})
    return out


def on_time_by_unit() -> list[dict]:
    on_time = func.sum(sql_case((StepRecord.on_time.is_(True), 1), else_=0))
    rows = db.session.execute(
        select(Unit.name, func.count(StepRecord.id), on_time)
        .join(Unit, Unit.id == StepRecord.unit_id).where(StepRecord.on_time.is_not(None))
        .group_by(Unit.name).order_by(Unit.name)
    )
    return [{"unit": u, "steps": n, "on_time": int(k or 0), "rate": round(100.0 * (k or 0) / n, 1)} for u, n, k in rows]


def outcomes() -> list[tuple[str, str, int]]:
    return [(k, s, n) for k, s, n in db.session.execute(
        select(Case.kind, Case.status, func.count()).where(Case.kind.in_((CaseKind.OBJECTION, CaseKind.REPAIR)))
        .group_by(Case.kind, Case.status).order_by(Case.kind, Case.status)
    )]


def serious_share() -> dict:
    """Distinct enterprises under an in-effect punishment for a serious-dishonesty entry, as a share of the
    registered enterprises configured (seed 003: keep it under 1%)."""
    codes = current_app.config["SERIOUS_DISHONESTY_ENTRIES"]
    n = db.session.scalar(
        select(func.count(distinct(Subject.id)))
        .select_from(Case)
        .join(CaseSubject, CaseSubject.case_id == Case.id)
        .join(Subject, Subject.id == CaseSubject.subject_id)
        .join(CaseEntry, CaseEntry.case_id == Case.id)
        .join(CatalogVersion, CatalogVersion.id == CaseEntry.catalog_version_id)
        .join(CatalogEntry, CatalogEntry.id == CatalogVersion.entry_id)
        .where(Case.kind == CaseKind.PUNISHMENT, Case.status.in_((CaseStatus.IN_EFFECT, CaseStatus.SUSPENDED)), Subject.kind != "person",
               CatalogEntry.code.in_(codes))
    ) or 0
    total = current_app.config["REGISTERED_ENTERPRISES"]
    share = 100.0 * n / total if total else 0.0
    return {"subjects": n, "registered": total, "percent": round(share, 3), "warning": share > 1.0}


def quarter_of(d: date) -> str:
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def typical_quota(quarter: str | None = None) -> dict:
    """Typical cases registered per member unit this quarter, and the units below the quota."""
    quarter = quarter or quarter_of(clock.today_local())
    counts = dict(db.session.execute(
        select(TypicalCase.unit_id, func.count()).where(TypicalCase.quarter == quarter).group_by(TypicalCase.unit_id)
    ).all())
    units = db.session.execute(select(Unit.id, Unit.name).where(Unit.kind == "member", Unit.active.is_(True)).order_by(Unit.id)).all()
    rows = [{"unit_id": uid, "unit": name, "count": counts.get(uid, 0)} for uid, name in units]
    return {"quarter": quarter, "rows": rows, "below": [r for r in rows if r["count"] < QUOTA_PER_QUARTER]}


def dashboard() -> dict:
    return {
        "by_status": cases_by_status(), "by_group": cases_by_group(), "by_month": cases_by_month(),
        "step_times": step_times(), "on_time": on_time_by_unit(), "outcomes": outcomes(),
        "serious": serious_share(), "quota": typical_quota(),
    }

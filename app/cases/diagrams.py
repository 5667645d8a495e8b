"""Case diagrams: each process of a case drawn from its deployed BPMN, with markers for what completed,
what is active and what is overdue (computed from the workflow state and the open tasks).

A case runs one procedure but may run many instances of a helper process: a listing per subject, a push per unit
and change, and a department's list one listing per row (thousands). One diagram is drawn per deployed process
version, its markers merged over its instances (an activity is overdue, else current, else completed if it is so in
any of them), with how many instances run and ended. The workflows read for the markers are the SAMPLE most recent
of each version, so a page costs the same for a case of ten instances as for one of twenty thousand; the current
user tasks come from the open tasks of all of them."""
from sqlalchemy import func, select

from app import clock
from app.cases.models import OpenTask
from app.engine import instances
from app.engine.models import ProcessInstance, ProcessVersion
from app.extensions import db
from app.labels import PROCESS_LABELS

HELPER_PROCESSES = ("expert_invitation",)  # drawn on their own feature pages, not on every case
SAMPLE = 25  # workflows read per process version for the markers
_RANK = {"completed": 1, "active": 2, "overdue": 3}


def diagrams_for(case, hidden: set[int] = frozenset()) -> list[dict]:
    """`hidden`: instances not shown to this user (cases.hooks.hidden_instances). The case's own procedure comes
    first, then the others in the order they first started."""
    PI, PV = ProcessInstance, ProcessVersion
    shown = (PI.case_id == case.id, PV.process_id.not_in(HELPER_PROCESSES), PI.id.not_in(hidden))
    groups: dict[int, dict] = {}
    for version_id, process_id, status, n, first, last in db.session.execute(
        select(PI.process_version_id, PV.process_id, PI.status, func.count(), func.min(PI.id), func.max(PI.id))
        .join(PV, PV.id == PI.process_version_id).where(*shown).group_by(PI.process_version_id, PV.process_id, PI.status)
    ):
        g = groups.setdefault(version_id, {"process_id": process_id, "label": PROCESS_LABELS.get(process_id, process_id),
                                           "running": 0, "completed": 0, "first": first, "instance_id": last, "states": {}})
        g["running" if status == instances.RUNNING else "completed"] += n
        g["first"], g["instance_id"] = min(g["first"], first), max(g["instance_id"], last)  # (the newest draws the XML)
    if not groups:
        return []
    now = clock.now()
    newest = (select(PI.id, func.row_number().over(partition_by=PI.process_version_id, order_by=PI.id.desc()).label("n"))
              .join(PV, PV.id == PI.process_version_id).where(*shown).subquery())
    sampled = db.session.scalars(select(PI).join(newest, newest.c.id == PI.id).where(newest.c.n <= SAMPLE).order_by(PI.id))
    for inst in sampled:
        _merge(groups[inst.process_version_id]["states"], instances.loaded(inst).engine.activity_states())
    # The current user tasks of every instance (also those not read: a version with more than SAMPLE of them), one row
    # per version and step with its earliest deadline: a department's list has thousands of open tasks.
    overdue = set()
    for version_id, bpmn_id, due in db.session.execute(
            select(PI.process_version_id, OpenTask.bpmn_id, func.min(OpenTask.due_at)).join(PI, PI.id == OpenTask.instance_id)
            .where(OpenTask.case_id == case.id, OpenTask.instance_id.not_in(hidden))
            .group_by(PI.process_version_id, OpenTask.bpmn_id)):
        if version_id in groups:
            _merge(groups[version_id]["states"], {bpmn_id: "active"})
        if due is not None and clock.as_utc(due) < now:
            overdue.add(bpmn_id)
    out = []
    for g in groups.values():
        g["states"] = {b: ("overdue" if s == "active" and b in overdue else s) for b, s in g["states"].items()}
        g["total"] = g["running"] + g["completed"]
        g["sampled"] = min(g["total"], SAMPLE)
        out.append(g)
    return sorted(out, key=lambda g: (g["process_id"] != case.process_id, g["first"]))


def _merge(into: dict, states: dict) -> None:
    for bpmn_id, state in states.items():
        if _RANK[state] > _RANK.get(into.get(bpmn_id), 0):
            into[bpmn_id] = state


def diagram_xml(case, instance_id: int) -> str | None:
    return db.session.scalar(
        select(ProcessVersion.xml)
        .join(ProcessInstance, ProcessInstance.process_version_id == ProcessVersion.id)
        .where(ProcessInstance.id == instance_id, ProcessInstance.case_id == case.id)
    )

"""Case diagrams: each process of a case drawn from its deployed BPMN, with markers for what completed,
what is active and what is overdue (computed from the workflow state and the open tasks)."""
from sqlalchemy import select

from app import clock
from app.cases.models import OpenTask
from app.engine import instances
from app.engine.models import ProcessInstance, ProcessVersion
from app.extensions import db

HELPER_PROCESSES = ("expert_invitation",)  # drawn on their own feature pages, not on every case


def diagrams_for(case, open_tasks: list | None = None, hidden: set[int] = frozenset()) -> list[dict]:
    """`open_tasks`: the case's open tasks if the page has read them already; `hidden`: instances not shown to
    this user (cases.hooks.hidden_instances)."""
    rows = db.session.execute(
        select(ProcessInstance, ProcessVersion.process_id)
        .join(ProcessVersion, ProcessVersion.id == ProcessInstance.process_version_id)
        .where(ProcessInstance.case_id == case.id, ProcessVersion.process_id.not_in(HELPER_PROCESSES),
               ProcessInstance.id.not_in(hidden))
        .order_by(ProcessInstance.id)
    ).all()
    out = []
    now = clock.now()
    overdue = {
        ot.bpmn_id
        for ot in (open_tasks if open_tasks is not None else db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id)))
        if ot.due_at is not None and clock.as_utc(ot.due_at) < now
    }
    for inst, process_id in rows:
        states = instances.loaded(inst).engine.activity_states()
        for bpmn_id in overdue & set(states):
            if states[bpmn_id] == "active":
                states[bpmn_id] = "overdue"
        out.append({"instance_id": inst.id, "process_id": process_id, "states": states})
    return out


def diagram_xml(case, instance_id: int) -> str | None:
    return db.session.scalar(
        select(ProcessVersion.xml)
        .join(ProcessInstance, ProcessInstance.process_version_id == ProcessVersion.id)
        .where(ProcessInstance.id == instance_id, ProcessInstance.case_id == case.id)
    )

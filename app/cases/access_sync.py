"""Keeps CaseAccess (the unit staff's case-list read model) in step with CaseUnit and Case.status: after every
flush, in the same transaction, a new CaseUnit gives its unit a row and a changed status is copied to the
case's rows. A status is written in one of two ways, both covered: by the ORM's flush (seen here), or, for a case
that recorded timeline events and changed only plain columns, by events._write_heads, which calls copy_status
itself. No other code updates case.status with a statement."""
from sqlalchemy import Integer, bindparam, event, select
from sqlalchemy.orm import Session, attributes

from app.cases.models import Case, CaseAccess, CaseUnit


@event.listens_for(Session, "after_flush")
def _sync_case_access(session, _flush_context) -> None:
    pairs = {(o.unit_id, o.case_id) for o in session.new if isinstance(o, CaseUnit)}
    statuses = {o.id: o.status for o in session.dirty
                if isinstance(o, Case) and attributes.get_history(o, "status").has_changes()}
    if not pairs and not statuses:
        return
    conn = session.connection()
    for unit_id, case_id in sorted(pairs):
        conn.execute(_GRANT, {"b_unit": unit_id, "b_case": case_id})
    for case_id, status in statuses.items():
        copy_status(conn, case_id, status)


def copy_status(conn, case_id: int, status: str) -> None:
    """The case's new status onto its access rows (also called for a case written outside the unit of work)."""
    conn.execute(_STATUS, {"b_case": case_id, "status": status})


# INSERT ... SELECT ... WHERE NOT EXISTS: portable (SQLite and PostgreSQL), one statement per new pair. Both
# statements are built once (a task completion that moves the case on runs the second).
_A, _C = CaseAccess.__table__, Case.__table__
_GRANT = _A.insert().from_select(
    ["unit_id", "case_id", "created_at", "status", "kind"],
    select(bindparam("b_unit", type_=Integer), _C.c.id, _C.c.created_at, _C.c.status, _C.c.kind).where(
        _C.c.id == bindparam("b_case"),
        ~select(_A.c.case_id).where(_A.c.case_id == bindparam("b_case"), _A.c.unit_id == bindparam("b_unit")).exists(),
    ))
_STATUS = _A.update().where(_A.c.case_id == bindparam("b_case")).values(status=bindparam("status"))

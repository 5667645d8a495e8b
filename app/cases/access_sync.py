"""Keeps CaseAccess (the unit staff's case-list read model) in step with CaseUnit and Case.status: after every
flush, in the same transaction, a new CaseUnit gives its unit a row and a changed status is copied to the
case's rows. Every write goes through the ORM (no bulk UPDATE of case.status exists), so nothing escapes it."""
from sqlalchemy import Integer, event, insert, literal, select, update
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
        # INSERT ... SELECT ... WHERE NOT EXISTS: portable (SQLite and PostgreSQL), one statement per new pair.
        rows = select(literal(unit_id, Integer), Case.id, Case.created_at, Case.status, Case.kind).where(
            Case.id == case_id,
            ~select(CaseAccess.case_id).where(CaseAccess.case_id == case_id, CaseAccess.unit_id == unit_id).exists(),
        )
        conn.execute(insert(CaseAccess).from_select(["unit_id", "case_id", "created_at", "status", "kind"], rows))
    for case_id, status in statuses.items():
        conn.execute(update(CaseAccess).where(CaseAccess.case_id == case_id).values(status=status))

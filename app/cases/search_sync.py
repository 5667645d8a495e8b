"""Keeps CaseSearch (the case search's read model) in step: after every flush, in the same transaction, a new case
gives a row for its title and a new CaseSubject one for its subject's name, each with the case's filing time. A
subject's name corrected (app/dueprocess/corrections.py) is copied to its rows; a case's title is not changed once
written, but a title changed all the same is copied (retitle), whichever way the case row was written (the ORM's
flush, seen here, or events._write_heads, which calls retitle itself)."""
from sqlalchemy import Integer, bindparam, event, literal, select
from sqlalchemy.orm import Session, attributes

from app.cases.models import Case, CaseSearch, CaseSubject, Subject

CHUNK = 500  # ids per statement (a department's list adds thousands of subjects in one flush)


@event.listens_for(Session, "after_flush")
def _sync_case_search(session, _flush_context) -> None:
    cases = [o.id for o in session.new if isinstance(o, Case)]
    links = [o.id for o in session.new if isinstance(o, CaseSubject)]
    retitled = [o.id for o in session.dirty if isinstance(o, Case) and attributes.get_history(o, "title").has_changes()]
    renamed = [o.id for o in session.dirty if isinstance(o, Subject) and attributes.get_history(o, "name").has_changes()]
    if not (cases or links or retitled or renamed):
        return
    conn = session.connection()
    for stmt, ids in ((_TITLES, cases), (_NAMES, links)):
        for i in range(0, len(ids), CHUNK):
            conn.execute(stmt, {"ids": ids[i:i + CHUNK]})
    for case_id in retitled:
        retitle(conn, case_id)
    for subject_id in renamed:
        conn.execute(_RENAME, {"b_subject": subject_id})


def retitle(conn, case_id: int) -> None:
    conn.execute(_RETITLE, {"b_case": case_id})


_S, _C, _CS, _SUB = CaseSearch.__table__, Case.__table__, CaseSubject.__table__, Subject.__table__
_COLUMNS = ["case_id", "subject_id", "created_at", "text"]
_TITLES = _S.insert().from_select(_COLUMNS, select(
    _C.c.id, literal(None, Integer), _C.c.created_at, _C.c.title).where(_C.c.id.in_(bindparam("ids", expanding=True))))
_NAMES = _S.insert().from_select(_COLUMNS, select(_CS.c.case_id, _CS.c.subject_id, _C.c.created_at, _SUB.c.name)
                                 .join(_C, _C.c.id == _CS.c.case_id).join(_SUB, _SUB.c.id == _CS.c.subject_id)
                                 .where(_CS.c.id.in_(bindparam("ids", expanding=True))))
_RETITLE = _S.update().where(_S.c.case_id == bindparam("b_case"), _S.c.subject_id.is_(None)).values(
    text=select(_C.c.title).where(_C.c.id == bindparam("b_case")).scalar_subquery())
_RENAME = _S.update().where(_S.c.subject_id == bindparam("b_subject")).values(
    text=select(_SUB.c.name).where(_SUB.c.id == bindparam("b_subject")).scalar_subquery())

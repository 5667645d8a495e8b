"""Workflows kept in memory between transactions: the next task of a case is usually completed in the same process
that saved the last one, and rebuilding the workflow from its saved state is the largest single cost of a task
completion (issue 18's P1). A workflow is kept only once the transaction that saved it has committed, and given
out only to a loader whose row holds exactly the state the workflow was saved as (or loaded from) and that has not
been changed in memory since, so a save by another process, a rollback or a change that was never saved can never
be read back from here. A loader takes the workflow out (one owner at a time); its save puts it back at commit.

Only loads that are about to change an instance use it (completing a task, firing a timer, delivering a message);
read-only views deserialize their own copy, so no reader ever sees a workflow another thread is changing.
Size: at most `WORKFLOW_CACHE_MB` megabytes of saved state per process (XINLIAN_WORKFLOW_CACHE_MB, default 16; 0
turns it off), least recently saved first out; a workflow in memory takes about four times its saved state (a case
at implementation: 17 kB saved, 60 kB in memory), so the default holds about a thousand cases in 60 MB. A workflow
whose state alone exceeds a quarter of the budget is not kept."""
import threading
from collections import OrderedDict

from flask import current_app
from sqlalchemy import event

from app.engine.runner import Engine
from app.extensions import db, whole_transaction_committed

_PENDING = "workflows_saved"  # session.info: instance id -> (holder, engine, ready task ids, state written)
_entries: OrderedDict = OrderedDict()  # instance id -> (engine, ready task ids, size of its saved state)
_held = [0]  # the sum of those sizes
_lock = threading.Lock()


def take(instance_id: int, state: str, spec) -> tuple[Engine, frozenset] | None:
    """The kept workflow of an instance whose row holds `state`, taken out for this transaction; None if there is
    none, or it no longer matches (saved since by someone else, changed in memory, another deployment's spec)."""
    with _lock:
        entry = _entries.pop(instance_id, None)
        if entry is not None:
            _held[0] -= entry[2]
    if entry is None:
        return None
    engine, ready, _size = entry
    if engine.wf.spec is not spec or not engine.unchanged_since(state):
        return None
    return engine, ready


class _Detached:
    """What a holder's `engine` becomes once the cache keeps its workflow: from then on another thread may take and
    change it, so a holder that goes on using it after its commit fails at once instead of sharing it."""

    def __getattr__(self, name):
        raise RuntimeError("this workflow was kept for the next transaction at commit: load the instance again")


DETACHED = _Detached()


def saved(instance_id: int, holder, engine: Engine, ready: frozenset, state: str) -> None:
    """A save wrote `state` for the instance: keep the workflow once the transaction commits. `holder` (whose
    `engine` attribute is the workflow) lets go of it then."""
    db.session.info.setdefault(_PENDING, {})[instance_id] = (holder, engine, ready, state)


def clear() -> None:
    with _lock:
        _entries.clear()
        _held[0] = 0


def _keep_committed(session) -> None:
    if not whole_transaction_committed(session):  # a savepoint released: its enclosing transaction may still roll back
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    budget = int(current_app.config.get("WORKFLOW_CACHE_MB", 0) * 1_000_000)
    if budget <= 0:
        return
    with _lock:
        for instance_id, (holder, engine, ready, state) in pending.items():
            old = _entries.pop(instance_id, None)
            if old is not None:
                _held[0] -= old[2]
            # (changed after its save and not saved again: the row is not this workflow)
            if engine.unchanged_since(state) and len(state) * 4 <= budget:
                _entries[instance_id] = (engine, ready, len(state))
                _held[0] += len(state)
                if holder.engine is engine:
                    holder.engine = DETACHED
        while _held[0] > budget:
            _held[0] -= _entries.popitem(last=False)[1][2]


def _forget_pending(session, *_args) -> None:
    """A rollback (of the transaction or a savepoint): what was saved in it is not kept (conservatively, all of it)."""
    session.info.pop(_PENDING, None)


def _forget_at_end(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


event.listen(db.session, "after_commit", _keep_committed)
event.listen(db.session, "after_soft_rollback", _forget_pending)
event.listen(db.session, "after_transaction_end", _forget_at_end)

"""The timeline's hash chain detects edits, deletions and reordering, and names the first bad event."""
import pytest
from sqlalchemy import update

from app.cases import events
from app.cases.models import CaseEvent
from app.extensions import db
from tests.helpers import file_case


def test_chain_verifies_and_detects_tampering(org, clock):
    case = file_case()
    ok, bad = events.verify_chain(case.id)
    assert ok and bad is None
    n = db.session.query(CaseEvent).filter_by(case_id=case.id).count()
    assert n >= 3
    db.session.execute(
        update(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.seq == 2).values(details={"forged": True})
    )
    db.session.commit()
    assert events.verify_chain(case.id) == (False, 2)


def test_deleting_an_event_breaks_the_chain(org, clock):
    case = file_case()
    db.session.query(CaseEvent).filter_by(case_id=case.id, seq=1).delete()
    db.session.commit()
    ok, bad = events.verify_chain(case.id)
    assert not ok and bad == 2


def test_deleting_the_newest_events_is_detected(org, clock):
    case = file_case()
    last = db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq.desc()).first()
    db.session.delete(last)
    db.session.commit()
    ok, bad = events.verify_chain(case.id)
    assert not ok and bad == last.seq


def _recompute_without_the_key(case_id: int, from_seq: int = 1) -> None:
    """What someone who can write the database (but has no key) can do: rebuild the chain with plain SHA-256
    after editing an event, and move the head on the case row."""
    from app.cases.models import Case

    prev = events.GENESIS
    for ev in db.session.query(CaseEvent).filter_by(case_id=case_id).order_by(CaseEvent.seq):
        if ev.seq < from_seq:
            prev = ev.hash
            continue
        if ev.seq == 2:
            ev.details = {"forged": True}
        ev.prev_hash = prev
        ev.hash = events._digest(case_id, ev.seq, ev.type, ev.at, ev.actor_id, ev.actor_unit_id, ev.bpmn_id, ev.details, prev, "sha256")
        ev.alg = "sha256"
        prev = ev.hash
    case = db.session.get(Case, case_id)
    case.event_hash = prev
    db.session.commit()


def test_a_chain_recomputed_without_the_key_does_not_verify(org, clock, app, tmp_path, monkeypatch):
    from app.cases import checkpoints

    case = file_case()
    _recompute_without_the_key(case.id, from_seq=2)  # an edit after a keyed event: caught by the chain itself
    assert events.verify_chain(case.id) == (False, 2)
    other = file_case(subjects=(("enterprise", "另一公司", "91510400MA6X000809"),))
    monkeypatch.setitem(app.config, "CHECKPOINT_DIR", str(tmp_path))
    checkpoints.write()
    _recompute_without_the_key(other.id)  # the whole chain passed off as legacy: caught by the checkpoint
    assert events.verify_chain(other.id) == (True, None)
    assert [cid for cid, _p in checkpoints.verify_against(checkpoints.latest())] == [other.id]


def test_events_recorded_before_the_chains_were_keyed_still_verify(org, clock):
    case = file_case()
    first = db.session.query(CaseEvent).filter_by(case_id=case.id, seq=1).one()
    assert first.alg == "hmac-sm3"
    # An old event: plain SHA-256, as recorded before this release; what follows is keyed.
    first.alg = "sha256"
    first.hash = events._digest(case.id, 1, first.type, first.at, first.actor_id, first.actor_unit_id, first.bpmn_id,
                                first.details, events.GENESIS, "sha256")
    db.session.commit()
    prev = first.hash
    from app.cases.models import Case

    for ev in db.session.query(CaseEvent).filter_by(case_id=case.id).filter(CaseEvent.seq > 1).order_by(CaseEvent.seq):
        ev.prev_hash = prev
        ev.hash = events._digest(case.id, ev.seq, ev.type, ev.at, ev.actor_id, ev.actor_unit_id, ev.bpmn_id, ev.details, prev)
        prev = ev.hash
    db.session.get(Case, case.id).event_hash = prev
    db.session.commit()
    assert events.verify_chain(case.id) == (True, None)


def test_signed_checkpoints_detect_a_chain_cut_short_and_a_case_removed(org, clock, app, tmp_path, monkeypatch):
    from app.cases import checkpoints
    from app.cases.models import Case

    monkeypatch.setitem(app.config, "CHECKPOINT_DIR", str(tmp_path))
    a, b = file_case(), file_case(subjects=(("enterprise", "另一公司", "91510400MA6X000809"),))
    checkpoints.write()
    cp = checkpoints.latest()
    assert {h[0] for h in cp.heads} == {a.id, b.id} and checkpoints.verify_against(cp) == []
    # Cut a's chain short and move its head back consistently: the chain alone still verifies...
    last = db.session.query(CaseEvent).filter_by(case_id=a.id).order_by(CaseEvent.seq.desc()).first()
    prev_hash = last.prev_hash
    db.session.delete(last)
    case_a = db.session.get(Case, a.id)
    case_a.event_seq, case_a.event_hash = case_a.event_seq - 1, prev_hash
    # ...and remove all of b's events.
    db.session.query(CaseEvent).filter_by(case_id=b.id).delete()
    db.session.commit()
    assert events.verify_chain(a.id) == (True, None)
    problems = dict(checkpoints.verify_against(checkpoints.latest()))
    assert set(problems) == {a.id, b.id} and "missing" in problems[a.id]
    result = app.test_cli_runner().invoke(args=["verify-chains"])
    assert result.exit_code == 1 and f"BROKEN case {a.id}" in result.output


def test_an_altered_checkpoint_file_is_refused(org, clock, app, tmp_path, monkeypatch):
    import json

    from app.cases import checkpoints

    monkeypatch.setitem(app.config, "CHECKPOINT_DIR", str(tmp_path))
    file_case()
    path = checkpoints.write()
    doc = json.loads(path.read_text())
    doc["body"] = doc["body"].replace('"heads":[[', '"heads":[[9999,1,"x"],[')
    path.write_text(json.dumps(doc))
    import pytest

    with pytest.raises(ValueError):
        checkpoints.latest()
    result = app.test_cli_runner().invoke(args=["verify-chains"])
    assert result.exit_code == 1 and "signature does not match" in result.output


def test_a_chain_keyed_with_sha256_then_sm3_verifies_and_a_relabelled_event_does_not(org, clock, app, monkeypatch):
    """HMAC-SM3 for new events (密评); events written with HMAC-SHA256 before the switch keep verifying."""
    monkeypatch.setitem(app.config, "CHAIN_ALG", "hmac-sha256")
    case = file_case()
    db.session.commit()
    monkeypatch.setitem(app.config, "CHAIN_ALG", "hmac-sm3")
    from tests.helpers import complete, only_task

    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    db.session.commit()
    algs = [e.alg for e in db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq)]
    assert algs[0] == "hmac-sha256" and algs[-1] == "hmac-sm3"
    assert events.verify_chain(case.id) == (True, None)
    last = db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq.desc()).first()
    assert last.hash == events._digest(case.id, last.seq, last.type, last.at, last.actor_id, last.actor_unit_id,
                                       last.bpmn_id, last.details, last.prev_hash, "hmac-sm3")
    last.alg = "hmac-sha256"  # the same content claimed under the other algorithm: does not verify
    db.session.commit()
    assert events.verify_chain(case.id) == (False, last.seq)


def test_checkpoints_are_signed_with_hmac_sm3_and_older_sha256_ones_still_verify(app, org, clock, tmp_path, monkeypatch):
    import json

    from app.cases import checkpoints

    monkeypatch.setitem(app.config, "CHECKPOINT_DIR", str(tmp_path))
    path = checkpoints.write()
    doc = json.loads(path.read_text())
    assert doc["alg"] == "hmac-sm3" and checkpoints._load(path).heads is not None
    # a checkpoint written before the algorithm was named: HMAC-SHA256, no "alg"
    old = {"version": 1, "body": doc["body"], "signature": checkpoints._sign(doc["body"].encode(), "hmac-sha256")}
    path.write_text(json.dumps(old))
    assert checkpoints._load(path).created_at is not None
    # the same body claimed under the other algorithm does not verify
    path.write_text(json.dumps(dict(old, alg="hmac-sm3")))
    with pytest.raises(ValueError):
        checkpoints._load(path)


def _event_types(case_id):
    return [t for (t,) in db.session.query(CaseEvent.type).filter_by(case_id=case_id).order_by(CaseEvent.seq)]


def test_events_are_written_together_at_the_next_flush(org, clock):
    from sqlalchemy import event as sa_event

    case = file_case()
    before = _event_types(case.id)
    inserts = []

    def count(_conn, _cursor, statement, *_a):
        if statement.lstrip().upper().startswith("INSERT INTO CASE_EVENT"):
            inserts.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        for n in range(3):
            events.record(case.id, "note_added", None, {"n": n})
        assert _event_types(case.id)[len(before):] == ["note_added"] * 3  # (the query's autoflush wrote them)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(inserts) == 1
    db.session.commit()
    assert events.verify_chain(case.id) == (True, None)


def test_events_of_a_rolled_back_transaction_or_savepoint_are_not_written_later(org, clock):
    case = file_case()
    case_id, before = case.id, _event_types(case.id)
    events.record(case_id, "note_added", None, {"n": "rolled back"})
    db.session.rollback()
    events.record(case_id, "note_added", None, {"n": "kept"})
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            events.record(case_id, "note_added", None, {"n": "in a failed savepoint"})
            raise RuntimeError
    db.session.commit()
    details = [d for (d,) in db.session.query(CaseEvent.details).filter_by(case_id=case_id).order_by(CaseEvent.seq)]
    assert details[len(before):] == [{"n": "kept"}]
    assert events.verify_chain(case_id) == (True, None)


def test_events_appended_between_reading_the_timeline_and_the_head_are_not_called_missing(org, clock):
    from app.cases.models import Case
    from app.cases.queries import timeline_rows

    case = file_case()
    read_before = timeline_rows(case.id)  # a page read the timeline, then a colleague completed something
    events.record(case.id, "note_added", None, {"n": 1})
    db.session.commit()
    assert events.verify_chain(case.id, read_before) == (True, None)
    # The other order (the head read before an event was appended): the newer, keyed event is verified too.
    last = db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq.desc()).first()
    row = db.session.get(Case, case.id)
    row.event_seq, row.event_hash = last.seq - 1, last.prev_hash
    db.session.commit()
    assert events.verify_chain(case.id) == (True, None)
    # An unkeyed event past the head is never legitimate: anyone with database access could have added it.
    last.alg = "sha256"
    last.hash = events._digest(case.id, last.seq, last.type, last.at, last.actor_id, last.actor_unit_id, last.bpmn_id,
                               last.details, last.prev_hash, "sha256")
    db.session.commit()
    assert events.verify_chain(case.id) == (False, last.seq)


def test_the_chain_head_goes_out_with_the_events_and_a_rolled_back_head_is_read_again(org, clock):
    """A case whose only change is its chain head is written by one UPDATE before the flush; other changes of the
    case go out with it; a savepoint rolled back after the head was written leaves the database's head in memory."""
    import pytest as _pytest

    from app.cases.models import Case

    case = file_case()
    case_id, seq = case.id, case.event_seq
    events.record(case_id, "note_added", None, {"n": 1})
    db.session.flush()
    assert not db.session.dirty  # (written: nothing left for the unit of work)
    events.record(case_id, "note_added", None, {"n": 2})
    case.title = "另一个标题"
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(Case, case_id)
    assert (row.title, row.event_seq) == ("另一个标题", seq + 2)
    with _pytest.raises(RuntimeError):
        with db.session.begin_nested():
            events.record(case_id, "note_added", None, {"n": "rolled back"})
            db.session.flush()
            assert row.event_seq == seq + 3
            raise RuntimeError
    assert row.event_seq == seq + 2  # read again from the database, not the rolled-back head
    events.record(case_id, "note_added", None, {"n": 3})
    db.session.commit()
    details = [d for (d,) in db.session.query(CaseEvent.details).filter_by(case_id=case_id).order_by(CaseEvent.seq)]
    assert details[-3:] == [{"n": 1}, {"n": 2}, {"n": 3}]
    assert events.verify_chain(case_id) == (True, None)


def test_an_events_hash_is_the_documented_hmac_of_its_canonical_json(org, clock, app, monkeypatch):
    """The stored format does not change with how it is computed: HMAC (SM3 or SHA-256, the chain key) over the JSON
    array of the event's fields with sorted keys, no ASCII escaping and no spaces — chains written before keep
    verifying."""
    import hashlib
    import hmac
    import json

    from app import clock as app_clock
    from app.crypto import chain_key

    for alg, name in (("hmac-sm3", "sm3"), ("hmac-sha256", "sha256")):
        monkeypatch.setitem(app.config, "CHAIN_ALG", alg)
        case = file_case()
        db.session.commit()
        for ev in db.session.query(CaseEvent).filter_by(case_id=case.id).order_by(CaseEvent.seq):
            payload = json.dumps([case.id, ev.seq, ev.type, app_clock.as_utc(ev.at).isoformat(), ev.actor_id, ev.actor_unit_id,
                                  ev.bpmn_id, ev.details, ev.prev_hash], sort_keys=True, ensure_ascii=False,
                                 separators=(",", ":"), default=str).encode("utf-8")
            assert ev.alg == alg and ev.hash == hmac.new(chain_key(), payload, getattr(hashlib, name, None) or name).hexdigest()
        assert events.verify_chain(case.id) == (True, None)

"""Two people complete the same task at the same moment: exactly one wins, the other gets a clear
conflict, and the case moves on once."""
import threading

import pytest
from sqlalchemy import func, select

from app.cases import tasks
from app.cases.models import CaseEvent
from app.db_errors import CONCURRENCY_ERRORS, is_concurrency_error
from app.enums import EventType
from app.errors import Conflict, DomainError
from app.extensions import db
from tests.conftest import user
from tests.helpers import file_case, only_task, open_tasks


@pytest.mark.real_commits
def test_two_sessions_complete_the_same_task(org, clock, app):
    case = file_case()
    task_id = only_task(case.id, "pre_review").task_id
    lead_id = user("market_lead").id
    barrier = threading.Barrier(2)
    results = []

    def worker(outcome):
        with app.app_context():
            actor = db.session.get(type(user("market_lead")), lead_id)
            barrier.wait()
            try:
                tasks.complete(actor, task_id, {"outcome": outcome, "reasons": "理由"})
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("conflict")
            except CONCURRENCY_ERRORS as exc:
                db.session.rollback()
                results.append("conflict" if is_concurrency_error(exc) else f"error {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(o,)) for o in ("accept", "return")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["conflict", "ok"], results
    db.session.rollback()  # end this session's read transaction: see what the two committed
    completed = db.session.scalar(
        select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.TASK_COMPLETED)
    )
    assert completed == 1
    remaining = [t.bpmn_id for t in open_tasks(case.id)]
    assert sorted(remaining) in (["issue_notice", "schedule_meeting"], ["amend_trigger"])


def test_a_form_for_a_task_done_meanwhile_is_refused_and_changes_nothing(org, clock):
    case = file_case()
    ot = only_task(case.id, "pre_review")
    tasks.complete(user("market_lead"), ot.task_id, {"outcome": "accept"})
    db.session.commit()
    before = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case.id))
    try:
        tasks.complete(user("market_lead"), ot.task_id, {"outcome": "return", "reasons": "晚了"})
    except Conflict:
        db.session.rollback()
    else:
        raise AssertionError("a form for a finished task must be refused")
    assert db.session.scalar(select(func.count()).where(CaseEvent.case_id == case.id)) == before
    assert sorted(t.bpmn_id for t in open_tasks(case.id)) == ["issue_notice", "schedule_meeting"]


def test_parallel_units_do_not_invalidate_each_others_forms(org, clock):
    """Each implementing unit opened its form; one submits; the others still can (their task is theirs)."""
    from tests.helpers import complete, determine, unit_id

    case = file_case()
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"))
    complete("office1", only_task(case.id, "file_decision"), {})
    impl = {t.unit_id: t.task_id for t in open_tasks(case.id, "implement")}
    who = {unit_id("市财政局"): "finance_cw", unit_id("市住房城乡建设局"): "housing_cw", unit_id("市市场监管局"): "market_cw"}
    for uid, task_id in impl.items():  # all forms "opened" before any submit; submitted one after another
        tasks.complete(user(who[uid]), task_id, {"outcome": "applied", "report": "ok"})
        db.session.commit()
    assert [t.bpmn_id for t in open_tasks(case.id)] == ["compile_feedback"]


def test_a_save_rolled_back_with_its_savepoint_leaves_the_instance_and_tasks_as_stored(org, clock):
    """A completion inside a savepoint that fails (as one firing of a timer batch may): the instance row, written at
    once by its versioned UPDATE, and the open tasks, written by plain statements, read again as stored; the task is
    then completed once, with no false conflict."""
    from app.engine.models import ProcessInstance

    case = file_case()
    ot = only_task(case.id, "pre_review")
    inst = db.session.get(ProcessInstance, ot.instance_id)
    version, state = inst.version, inst.state
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            tasks.complete(user("market_lead"), ot.task_id, {"outcome": "accept", "reasons": ""})
            assert inst.version == version + 1 and not open_tasks(case.id, "pre_review")
            raise RuntimeError
    assert (inst.version, inst.state) == (version, state)
    again = only_task(case.id, "pre_review")
    assert again.task_id == ot.task_id
    tasks.complete(user("market_lead"), again.task_id, {"outcome": "accept", "reasons": ""})
    db.session.commit()
    assert db.session.get(ProcessInstance, ot.instance_id).version == version + 1
    assert not open_tasks(case.id, "pre_review") and open_tasks(case.id)
    completed = db.session.scalar(select(func.count()).select_from(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.type == EventType.TASK_COMPLETED))
    assert completed == 1


def test_a_save_in_a_released_savepoint_is_read_again_when_the_enclosing_one_rolls_back(org, clock):
    """Releasing a savepoint does not make its writes stand: when the savepoint around it rolls back, the instance
    written directly inside reads again as stored (SQLAlchemy reports the release as a commit)."""
    from app.engine.models import ProcessInstance

    case = file_case()
    ot = only_task(case.id, "pre_review")
    inst = db.session.get(ProcessInstance, ot.instance_id)
    version, state = inst.version, inst.state
    outer = db.session.begin_nested()
    with db.session.begin_nested():
        tasks.complete(user("market_lead"), ot.task_id, {"outcome": "accept", "reasons": ""})
    assert inst.version == version + 1
    outer.rollback()
    assert (inst.version, inst.state) == (version, state)
    tasks.complete(user("market_lead"), only_task(case.id, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
    db.session.commit()
    assert db.session.get(ProcessInstance, ot.instance_id).version == version + 1


def test_an_object_held_for_the_transaction_is_read_again_without_a_query_and_released_at_its_end(org, clock):
    """The identity map holds objects weakly: `hold` keeps one (a listing read by one hook of a save and again by
    the next) until the transaction ends, so the second read by id is not a second SELECT."""
    import gc

    from sqlalchemy import event

    from app.cases.models import Subject
    from app.extensions import hold

    file_case()
    db.session.commit()
    subject_id = db.session.scalar(select(Subject.id).limit(1))
    db.session.expunge_all()
    statements = []

    def count(_conn, _cursor, statement, *_args):
        if "FROM subject" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        hold(db.session.get(Subject, subject_id))
        gc.collect()
        before = len(statements)
        assert db.session.get(Subject, subject_id).id == subject_id and len(statements) == before  # from the map
        db.session.commit()  # the transaction ends: nothing is held any more
        gc.collect()
        before = len(statements)
        assert db.session.get(Subject, subject_id).id == subject_id and len(statements) == before + 1
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _race(app, n, action):
    """`action(i)` in n threads released together, each in its own session; what each ended with."""
    barrier = threading.Barrier(n)
    results = []

    def worker(i):
        with app.app_context():
            barrier.wait()
            try:
                action(i)
                db.session.commit()
                results.append("ok")
            except (Conflict, DomainError) as exc:
                db.session.rollback()
                results.append(type(exc).__name__)
            except CONCURRENCY_ERRORS as exc:
                db.session.rollback()
                results.append("conflict" if is_concurrency_error(exc) else f"error {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.rollback()
    return results


@pytest.mark.real_commits
def test_two_colleagues_claiming_one_task_at_once_do_not_both_get_it(org, clock, app):
    from app.auth.models import User
    from app.cases.models import OpenTask

    lead = user("market_lead")
    second = User(username="market_lead2", full_name="第二组长", role=lead.role, unit_id=lead.unit_id, active=True)
    second.set_password("A-long-passw0rd")
    db.session.add(second)
    case = file_case()
    task_id = only_task(case.id, "pre_review").task_id
    db.session.commit()
    ids = [lead.id, second.id]
    results = _race(app, 2, lambda i: tasks.claim(db.session.get(User, ids[i]), task_id))
    assert sorted(results) in (["Conflict", "ok"], ["conflict", "ok"]), results  # (SQLite: the loser's write fails)
    claimed = db.session.scalar(select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.TASK_CLAIMED))
    holder = db.session.scalar(select(OpenTask.claimed_by_id).where(OpenTask.task_id == task_id))
    assert claimed == 1 and holder in ids
    tasks.claim(db.session.get(User, holder), task_id)  # claiming one's own task again records nothing
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(CaseEvent.case_id == case.id, CaseEvent.type == EventType.TASK_CLAIMED)) == 1


@pytest.mark.real_commits
def test_an_objection_sent_three_times_at_once_is_filed_once(org, clock, app):
    from app.auth.models import User
    from app.cases.models import Case
    from app.rights import objections
    from tests.helpers import applicant_for, in_effect_case

    case, codes = in_effect_case()
    applicant_id = applicant_for(case, codes).id
    results = _race(app, 3, lambda i: objections.file_objection(db.session.get(User, applicant_id), case.id, f"异议{i}", []))
    assert results.count("ok") == 1 and all(r in ("OpenObjection", "conflict") for r in results if r != "ok"), results
    assert db.session.scalar(select(func.count()).select_from(Case).where(Case.parent_case_id == case.id,
                                                                          Case.kind == "objection")) == 1


@pytest.mark.real_commits
def test_a_deadlock_is_a_conflict_to_try_again_not_an_outage(org, clock, app):
    """PostgreSQL breaks a deadlock (two writers locking the same rows in opposite orders) by rolling one
    transaction back: its user is told to try again (409, nothing saved), not that the database is down (503)."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from app.auth.models import Unit

    if db.engine.dialect.name == "postgresql":  # a real deadlock
        first, second = db.session.scalars(select(Unit.id).order_by(Unit.id).limit(2)).all()
        db.session.rollback()
        barrier = threading.Barrier(2)
        errors = []
        engine = db.engine

        def writer(a, b):
            with engine.connect() as conn:
                try:
                    conn.execute(text("UPDATE unit SET name = name WHERE id = :id"), {"id": a})
                    barrier.wait()
                    conn.execute(text("UPDATE unit SET name = name WHERE id = :id"), {"id": b})
                except OperationalError as exc:
                    errors.append(exc)
                finally:
                    conn.rollback()

        threads = [threading.Thread(target=writer, args=pair) for pair in ((first, second), (second, first))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(errors) == 1, errors
        (exc,) = errors
    else:  # what the driver raises for one (SQLite has no row locks: its case is "database is locked", above)
        import psycopg

        exc = OperationalError("UPDATE unit ...", {}, psycopg.errors.DeadlockDetected("deadlock detected"))
    assert is_concurrency_error(exc)
    with app.test_request_context("/tasks/x", method="POST"):
        response = app.make_response(app.handle_user_exception(exc))
    assert response.status_code == 409 and "请重试" in response.get_data(as_text=True)


@pytest.mark.real_commits
def test_people_opening_pages_that_log_at_the_same_moment_all_get_their_page(org, clock, app):
    """Six requests append to the security log at once (six people opening a page that shows a whole number): each is
    logged, in one unbroken chain, and none is told someone else changed something (SQLite locks no row on SELECT …
    FOR UPDATE: the log's head is held for writing before it is read)."""
    from app.security_log import services as security_log
    from app.security_log.models import SecurityEvent

    before = db.session.scalar(select(func.count()).select_from(SecurityEvent))
    db.session.rollback()
    results = _race(app, 6, lambda i: security_log.record("full_code_view", username=f"viewer{i}", entity="case", key=i))
    assert results == ["ok"] * 6, results
    assert db.session.scalar(select(func.count()).select_from(SecurityEvent)) == before + 6
    assert security_log.verify() == (True, None)


@pytest.mark.real_commits
def test_an_objection_and_a_repair_approval_at_the_same_moment_do_not_both_stand(org, clock, app, monkeypatch):
    """The repair's approval ends the listing; the objection suspends it. The approval is sent just after the objection
    has found the listing in effect: it waits for the objection (which holds the listing) and is then refused, as the
    objection is being handled. (Before, the objection read the listing unlocked: the approval ended it meanwhile, and
    the objection ran on against a repaired listing, both saved.)"""
    from app.auth.models import User
    from app.cases.models import Case
    from app.listings.models import Listing
    from app.rights import objections, repair
    from tests.helpers import PDF, applicant_for, in_effect_case, task_of

    case, codes = in_effect_case(days=365)
    applicant = applicant_for(case, codes)
    clock.move_to("2027-02-22T02:00:00+00:00")  # (the minimum publication period has passed)
    rep = repair.apply(applicant, case.id, "已整改。", True, [PDF], [])
    db.session.commit()
    applicant_id, cw_id, review_id = applicant.id, user("market_cw").id, task_of(rep.id, "review_repair").task_id
    checked, approved = threading.Event(), threading.Event()
    last_day = objections.objection_last_day

    def after_the_check(*args, **kwargs):  # (called right after the objection found the listing in effect)
        checked.set()
        approved.wait(2)  # the approval commits meanwhile, unless it waits for this transaction
        return last_day(*args, **kwargs)

    monkeypatch.setattr(objections, "objection_last_day", after_the_check)

    def act(i):
        if i == 0:
            objections.file_objection(db.session.get(User, applicant_id), case.id, "事实认定有误。", [])
            return
        checked.wait(30)
        try:
            tasks.complete(db.session.get(User, cw_id), review_id, {"outcome": "approve", "reasons": "准予修复。"})
            db.session.commit()
        finally:
            approved.set()

    results = _race(app, 2, act)
    assert results.count("ok") == 1 and all(r in ("DomainError", "conflict") for r in results if r != "ok"), results
    status = db.session.scalar(select(Listing.status).where(Listing.case_id == case.id))
    open_objections = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.parent_case_id == case.id, Case.kind == "objection", Case.closed_at.is_(None)))
    assert (status, open_objections) in (("repaired", 0), ("suspended", 1)), (status, open_objections, results)


def _all_at_once(app, calls) -> list[str]:
    """Run each call in its own session at the same moment; each commits or is refused ("refused"). (The suite's SQLite
    begins every transaction at its first read, so a stale writer is refused there even without the service's lock;
    the lock itself is proved by the PostgreSQL run, where without it every call commits.)"""
    barrier = threading.Barrier(len(calls))
    results = []

    def worker(call):
        with app.app_context():
            barrier.wait()
            try:
                call()
                db.session.commit()
                results.append("ok")
            except DomainError:
                db.session.rollback()
                results.append("refused")
            except CONCURRENCY_ERRORS as exc:
                db.session.rollback()
                results.append("refused" if is_concurrency_error(exc) else f"error {exc}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.rollback()
    return sorted(results)


@pytest.mark.real_commits
def test_one_open_proposal_per_entry_when_sent_from_two_sessions_at_once(org, clock, app):
    from app.cases.models import Case
    from app.catalog import admin as catalog
    from app.catalog.models import CatalogEntry
    from app.catalog_proposals import services as proposals
    from tests.helpers import entry_id

    eid = entry_id("SC-P-001")
    draft = catalog.entry_in_from_version(db.session.get(CatalogEntry, eid).current_version)
    db.session.rollback()

    def propose(n):
        return lambda: proposals.propose(user("market_cw"), eid, draft, f"修订 {n}")

    assert _all_at_once(app, [propose(1), propose(2), propose(3)]) == ["ok", "refused", "refused"]
    assert db.session.scalar(select(func.count()).where(Case.kind == "catalog_proposal")) == 1


@pytest.mark.real_commits
def test_a_typical_case_sent_twice_at_once_is_registered_once(org, clock, app):
    from app.supervision import services as supervision
    from app.supervision.models import TypicalCase

    def register():
        supervision.register_typical(user("market_cw"), "", "某公司虚假宣传被联合惩戒，三家单位实施，效果明显。",
                                     "某公司虚假宣传")

    assert _all_at_once(app, [register, register, register]) == ["ok", "refused", "refused"]
    assert db.session.scalar(select(func.count()).select_from(TypicalCase)) == 1


@pytest.mark.real_commits
def test_a_department_list_sent_several_times_at_once_is_imported_once(org, clock, app):
    """Security campaign: four uploads of the same list at once imported it four times (four listings of one subject
    under one document, four pushes to every unit)."""
    from app.cases.models import Case
    from app.listings import imports
    from tests.flows.test_department_lists import PERSON, _xlsx

    data = _xlsx(PERSON)

    def upload():
        imports.import_list(user("market_cw"), "list.xlsx", data)

    assert _all_at_once(app, [upload, upload, upload, upload]) == ["ok", "refused", "refused", "refused"]
    assert db.session.scalar(select(func.count()).where(Case.kind == "department_list")) == 1


@pytest.mark.real_commits
def test_the_same_expert_added_several_times_at_once_is_added_once(org, clock, app):
    """Security campaign: five posts of the new-expert form at once made five experts (the draw would take one person
    for several), and five imports of one row made two."""
    from app.experts import database
    from app.experts.models import Expert

    def add():
        database.create(user("office1"), database.ExpertIn("竞态专家", ["legal"], "某大学", None, None, "", True))

    assert _all_at_once(app, [add, add, add]) == ["ok", "refused", "refused"]
    csv = "姓名,领域,工作单位,是否在库\n竞态专家二,法律,某大学,是\n".encode()

    def load():
        database.import_file(user("office1"), "e.csv", csv)

    assert _all_at_once(app, [load, load, load]) == ["ok", "refused", "refused"]
    assert db.session.scalar(select(func.count()).where(Expert.name.in_(["竞态专家", "竞态专家二"]))) == 2


@pytest.mark.real_commits
def test_a_notice_sent_several_times_at_once_is_issued_once(org, clock, app):
    from app.supervision import services as supervision
    from app.supervision.models import Notice
    from tests.helpers import unit_id

    market = unit_id("市市场监管局")

    def issue():
        supervision.issue(user("supervisor1"), market, "summons", "请说明预审超期原因。", clock_today())

    def clock_today():
        from app import clock as app_clock

        return app_clock.today_local()

    assert _all_at_once(app, [issue, issue, issue]) == ["ok", "refused", "refused"]
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 1
    with pytest.raises(DomainError, match="sent twice|两次"):  # (and one after the other)
        issue()
    db.session.rollback()


@pytest.mark.real_commits
def test_wrong_passwords_sent_at_once_are_each_counted(org, clock, app):
    """Security campaign: eight wrong passwords at once read the same count and wrote it plus one (three counted, the
    account not locked); each is counted now, so the burst locks it."""
    from app.auth.models import User
    from app.auth.services import LoginRefused, authenticate

    counted = []

    def wrong():
        try:
            authenticate("market_cw", "not-the-password")
        except LoginRefused:
            db.session.commit()  # (as the login page does: the failure counts)
            counted.append(1)
            raise

    assert _all_at_once(app, [wrong] * 8) == ["refused"] * 8
    u = db.session.scalar(select(User).where(User.username == "market_cw"))
    # (PostgreSQL commits all eight; the suite's SQLite refuses those that found the database written meanwhile)
    assert (u.locked_until is not None) == (len(counted) >= 5), (len(counted), u.failed_logins)
    if len(counted) < 5:
        assert u.failed_logins == len(counted)


@pytest.mark.real_commits
def test_one_recovery_code_or_authenticator_code_logs_in_once(org, clock, app):
    """Security campaign: one recovery code sent by six logins at once let three in (and one authenticator code two)."""
    from datetime import timedelta

    import pyotp

    from app import clock as app_clock
    from app.auth import two_factor
    from app.auth.models import User

    u = user("market_cw")
    secret = two_factor.new_secret()
    codes = two_factor.enrol(u, secret, pyotp.TOTP(secret).at(app_clock.now()))
    db.session.commit()
    uid = u.id

    def with_code(code):
        def login():
            try:
                two_factor.verify(db.session.get(User, uid), code)
            except two_factor.TwoFactorRefused as exc:
                db.session.commit()  # (as the login page does: the failure counts)
                raise DomainError(exc.message)
        return login

    assert _all_at_once(app, [with_code(codes[0])] * 4) == ["ok", "refused", "refused", "refused"]
    clock.shift(timedelta(seconds=30))
    assert _all_at_once(app, [with_code(pyotp.TOTP(secret).at(app_clock.now()))] * 3) == ["ok", "refused", "refused"]


@pytest.mark.real_commits
def test_a_unit_handed_over_twice_at_once_goes_to_one_successor(org, clock, app):
    """Security campaign: two hand-overs of the finance bureau at once (to housing, to environment) both succeeded and
    split its work between them."""
    from app.admin.succession import hand_over
    from app.auth.models import Unit
    from tests.helpers import unit_id

    finance = unit_id("市财政局")

    def to(name):
        return lambda: hand_over(user("admin"), finance, unit_id(name), "机构改革（示例）")

    assert _all_at_once(app, [to("市住房城乡建设局"), to("市生态环境局")]) == ["ok", "refused"]
    assert db.session.get(Unit, finance).successor_id in (unit_id("市住房城乡建设局"), unit_id("市生态环境局"))


@pytest.mark.real_commits
def test_an_entry_retired_and_a_typical_case_taken_down_from_several_sessions_at_once_count_once(org, clock, app):
    from app.audit.models import AdminChange
    from app.catalog import admin as catalog
    from app.catalog.models import CatalogEntry
    from app.supervision import services as supervision

    entry_id = db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == "SC-P-001"))

    def retire():
        catalog.retire(user("admin"), db.session.get(CatalogEntry, entry_id), "省级清单调整。")

    assert _all_at_once(app, [retire] * 3) == ["ok", "refused", "refused"]
    t = supervision.register_typical(user("office1"), "", "某公司虚假宣传被联合惩戒，三家单位实施，效果明显。", "某公司虚假宣传")
    supervision.publish_typical(user("office1"), t.id, "某公司虚假宣传案", "某公司虚假宣传被联合惩戒，三家单位实施，效果明显。")
    db.session.commit()
    tid = t.id

    def take_down():
        supervision.withdraw_typical(user("office1"), tid, "案件信息有误。")

    assert _all_at_once(app, [take_down] * 3) == ["ok", "refused", "refused"]
    actions = db.session.scalars(select(AdminChange.action).where(AdminChange.entity.in_(("catalog", "typical_case")))).all()
    assert sorted(actions) == ["publish", "retire", "withdraw"]


@pytest.mark.real_commits
def test_units_confirming_their_own_pushes_of_one_case_at_once_all_succeed(org, clock, app):
    """Siblings do not conflict (fault campaign): three units confirming their own pushes of one listing at the same
    moment each wrote the case's next timeline number from a copy read before the others' commits, and all but one were
    refused on the chain's unique key. They queue on the case's chain head now, and the chain holds."""
    from app.cases.events import verify_chain
    from app.rights import objections
    from tests.helpers import WHO, applicant_for, in_effect_case, unit_id

    case, codes = in_effect_case()
    objections.file_objection(applicant_for(case, codes), case.id, "异议", [])  # every unit is told to suspend
    db.session.commit()
    pushes = open_tasks(case.id, "confirm_push")
    assert len(pushes) == 3
    who = {unit_id(name): username for name, username in WHO.items()}
    jobs = [(who[t.unit_id], t.task_id) for t in pushes]
    results = _race(app, 3, lambda i: tasks.complete(user(jobs[i][0]), jobs[i][1], {"done": True, "note": "已暂停"}))
    if db.engine.dialect.name == "postgresql":
        assert results == ["ok", "ok", "ok"], results
        assert open_tasks(case.id, "confirm_push") == []
    else:
        # (the suite runs SQLite with explicit BEGIN, whose read snapshot makes a later writer fail rather than wait;
        # the app's own SQLite mode begins at the first write, and the head's write-locking read then waits its turn)
        assert "ok" in results and set(results) <= {"ok", "conflict"}, results
        assert len(open_tasks(case.id, "confirm_push")) == results.count("conflict")
    assert verify_chain(case.id) == (True, None)


@pytest.mark.real_commits
def test_a_savepoint_rolled_back_after_the_first_event_keeps_the_case_head_held(org, clock, app):
    """(review) A savepoint rolled back after the first event a transaction recorded on a case released the row lock
    taken in it (PostgreSQL), while the session still counted the head as held: its later events took the next number
    from an unlocked read, and another writer made it fail on the chain's unique key. Held heads are forgotten at the
    end of any transaction, a savepoint's too: the transaction's head is checked again when it is written."""
    from sqlalchemy import text

    from app.cases import events

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL row locks")
    case = file_case()
    db.session.commit()
    case_id = case.id

    with pytest.raises(RuntimeError):  # (a step tried in a savepoint, given up)
        with db.session.begin_nested():
            events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"try": 1})
            db.session.flush()
            raise RuntimeError("given up")
    events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"try": 2})  # (the transaction goes on on the case)

    # Meanwhile another request records on the case and commits (or waits for this transaction, which then commits).
    def other():
        with app.app_context():
            try:
                db.session.execute(text("SET lock_timeout = '3s'"))
                events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"other": True})
                db.session.commit()
            finally:
                db.session.remove()

    t = threading.Thread(target=other)
    t.start()
    t.join(2)
    db.session.commit()  # (an IntegrityError on the chain's unique key here was the defect)
    t.join(10)
    assert not t.is_alive()
    details = db.session.scalars(select(CaseEvent.details).where(CaseEvent.case_id == case_id,
                                                                 CaseEvent.type == EventType.TYPICAL_REGISTERED)).all()
    assert sorted(map(str, details)) == sorted(map(str, [{"try": 2}, {"other": True}]))
    assert events.verify_chain(case_id) == (True, None)


@pytest.mark.real_commits
def test_events_numbered_from_a_head_another_writer_moved_are_renumbered_after_it(org, clock, app):
    """A request numbers its events from the case's head as it loaded it; the head's write checks that nobody moved it
    meanwhile (no extra statement when nobody did). When another request got there first, the events waiting are
    numbered and chained after the new head instead of the transaction being refused on the chain's unique key."""
    from app import clock as app_clock
    from app.cases import events
    from app.cases.models import Case

    case = file_case()
    db.session.commit()
    case_id = case.id
    seq_before = db.session.get(Case, case_id).event_seq
    events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"mine": 1})
    events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"mine": 2})

    def other():  # another request's event, committed on the case before this transaction writes its own
        with app.app_context():
            try:
                events.record(case_id, EventType.TYPICAL_REGISTERED, None, {"other": True})
                db.session.commit()
            finally:
                db.session.remove()

    if db.engine.dialect.name == "postgresql":
        t = threading.Thread(target=other)
        t.start()
        t.join(10)
        assert not t.is_alive()
    else:  # (SQLite under the suite's explicit BEGIN: a second connection cannot write; it is written on this one)
        conn = db.session.connection()
        seq, head = conn.execute(select(Case.event_seq, Case.event_hash).where(Case.id == case_id)).one()
        at = app_clock.now()
        digest = events._digest(case_id, seq + 1, EventType.TYPICAL_REGISTERED, at, None, None, None, {"other": True}, head)
        conn.execute(CaseEvent.__table__.insert().values(
            alg=events.current_alg(), case_id=case_id, seq=seq + 1, type=EventType.TYPICAL_REGISTERED, at=at,
            actor_id=None, actor_unit_id=None, bpmn_id=None, details={"other": True}, prev_hash=head, hash=digest))
        conn.execute(Case.__table__.update().where(Case.id == case_id).values(event_seq=seq + 1, event_hash=digest))
    db.session.commit()

    rows = db.session.execute(select(CaseEvent.seq, CaseEvent.details).where(CaseEvent.case_id == case_id,
                                                                             CaseEvent.seq > seq_before)
                              .order_by(CaseEvent.seq)).all()
    assert [r.details for r in rows] == [{"other": True}, {"mine": 1}, {"mine": 2}]
    assert [r.seq for r in rows] == [seq_before + 1, seq_before + 2, seq_before + 3]
    assert db.session.get(Case, case_id).event_seq == seq_before + 3
    assert events.verify_chain(case_id) == (True, None)

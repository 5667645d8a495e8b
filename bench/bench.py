"""`make bench`: the figures the foundation issue names, each measured in one run.

P1 ratio (as issue 18 names it): median time to complete one user task through the service layer (load with lock,
permission and state checks, run, save with open-task projection and timeline, commit on SQLite) divided by the
median of our spec-less engine adapter's load + run + save of the same BPMN without a database. The foundation
issue's ratio, against raw SpiffWorkflow load + run + save (JSON, with SpiffWorkflow's own serializer, which embeds
the spec in every save), is printed beside it. All sides complete
the same sequence: every user task of whole cases, so small and large workflow states both count; the
first task alone (smallest state, where fixed database costs weigh most) is printed beside it.

P2 ratio: time of one timer sweep with 100,000 cases waiting on timers (a handful due) divided by the
same with 1,000 waiting. Every waiting row carries a real serialized workflow state.

timeline ms: the case page of a case with 1,000 timeline events (target at most 50).
dashboard ms: the monitoring dashboard at 100,000 cases (target at most 200).
check p95 ms: POST /api/v1/checks (the credit check of issue 12, logged and committed) with 100,000 cases
each listing a subject with measures of two units (target at most 10)."""
import json
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.cases import tasks  # noqa: E402
from app.cases.attachments import Upload  # noqa: E402
from app.cases.models import Case, OpenTask  # noqa: E402
from app.crypto import digest  # noqa: E402
from app.engine.models import ProcessInstance  # noqa: E402
from app.engine.runner import Engine, parse_bpmn  # noqa: E402
from app.extensions import db  # noqa: E402
from app.joint import services  # noqa: E402
from config import TestConfig  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cpu import calibration_ms  # noqa: E402

# The scan of a subject's signed waiver (a statement or waiver received on paper is recorded with its document).
SIGNED_WAIVER = Upload("放弃陈述申辩声明.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
# The decision a unit reports a trigger with (its evidence).
EVIDENCE = Upload("行政处罚决定书.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

N_CASES = int(__import__("os").environ.get("BENCH_CASES", 60))  # x 8 user tasks each
HANDFUL = 5
TURN = 10  # cases per turn of each side in P1
REPEATS = 51  # sweeps per P2 size: the median of many, so one hiccup cannot swing the ratio


def make_app(tmp: Path):
    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp / 'bench.db'}"
        UPLOAD_DIR = str(tmp / "uploads")
        # Transactions as in production: begun at the first write (the test suite's explicit BEGIN, kept for its
        # savepoints, makes a reader that then writes fail on a stale snapshot instead of waiting its turn).
        SQLITE_EXPLICIT_BEGIN = False

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        from werkzeug.security import generate_password_hash

        from app.auth.models import User
        from app.cli import deploy_processes
        from app.demo import DEMO_PASSWORD, load_organisation_and_catalog

        hashed = generate_password_hash(DEMO_PASSWORD)
        User.set_password = lambda self, pw: setattr(self, "password_hash", hashed)  # one hash for all demo users

        deploy_processes()
        load_organisation_and_catalog()
        db.session.commit()
    return app


def user(username):
    from app.auth.models import User

    return db.session.scalar(select(User).where(User.username == username))


def file_one(entry_id, n):
    from stdnum.cn import uscc

    base = f"91510400MA{n:07d}"
    code = base + uscc.calc_check_digit(base + "0")
    return services.file_trigger(
        user("market_cw"),
        subjects=[services.SubjectIn("enterprise", f"基准测试企业{n}", code)],
        entry_ids=[entry_id],
        title="bench",
        facts="f",
        legal_basis="l",
        files=[EVIDENCE],
    )


def _unit_user(unit_id, role):
    from app.auth.models import User

    return db.session.scalar(select(User.username).where(User.unit_id == unit_id, User.role == role).limit(1))


def _confirm_experts(case_id):
    """The drawn experts confirm their invitations (their own process; not timed)."""
    from app.auth.models import User
    from app.experts.services import confirmed_experts

    for ot in db.session.scalars(select(OpenTask).where(OpenTask.case_id == case_id, OpenTask.bpmn_id == "respond_invitation")):
        tasks.complete(db.session.get(User, ot.assignee_id), ot.task_id, {"answer": "confirm", "reason": ""})
    db.session.commit()
    return [inv.expert_id for inv in confirmed_experts(case_id)]


def _service_values(case, ot):
    from app.joint.tasks import measure_choices

    if ot.bpmn_id == "confirm_push":
        return _unit_user(ot.unit_id, "caseworker"), {"done": True, "note": ""}
    if ot.bpmn_id == "pre_review":
        return "market_lead", {"outcome": "accept", "reasons": ""}
    if ot.bpmn_id == "issue_notice":
        return "market_lead", {"intended": "i", "grounds": "g", "legal_basis": "l"}
    if ot.bpmn_id == "schedule_meeting":
        return "market_lead", {"meeting_date": clock.today_local(), "day_off": True, "legal_count": 1, "industry_count": 2,
                               "reserves": 1, "excluded_expert_ids": [], "exclusion_reason": "",
                               "convening_reason": "各实施单位书面反馈意见。"}  # (none convened: no attendance processes)
    if ot.bpmn_id == "determination":
        return "market_lead", {
            "meeting_date": clock.today_local(), "attending_unit_ids": [ot.unit_id], "minutes": "m",
            "attending_expert_ids": _confirm_experts(case.id),
            "decision": "act", "measures": [k for k, _m, _v in measure_choices(case)], "period_days": 365,
            "period_reason": "会议纪要。",
        }
    if ot.bpmn_id in ("file_decision", "file_no_action"):
        return "office1", {"note": ""}
    if ot.bpmn_id == "implement":
        return _unit_user(ot.unit_id, "caseworker"), {"outcome": "applied", "report": "r", "reasons": ""}
    return "market_lead", {"summary": "s"}


RAW_VALUES = {
    "pre_review": {"review_outcome": "accept"},
    # The statement period ends at once (the subjects' waivers are the app's message; here, the timer).
    "issue_notice": {"statement_due_at": "2000-01-01T00:00:00+00:00"},
    "schedule_meeting": {"meeting_date": "2026-11-23", "draw_id": 1},
    "determination": {"decision": "act", "implementing_units": [3, 4, 5], "reporting_units": [3, 4, 5]},
    "file_decision": {},
    "implement": {"impl_result": {"unit": 0, "outcome": "applied"}},
    "compile_feedback": {},
}


def p1(app) -> dict[str, float]:
    """Every user task of N whole cases (pre-review, scheduling with the expert draw, determination, filing, 3 implementations, feedback),
    through the service layer and, separately, through raw SpiffWorkflow and our adapter. Medians per task.

    The three sides take turns, TURN cases each (about a second): this VM's speed drifts over tens of seconds, and
    sides run one after the other measured that drift as much as themselves (the ratio moved by ±0.3 between
    identical runs). Turns of whole blocks rather than single cases keep each side's code warm within its turn."""
    from app.catalog.models import CatalogEntry

    bpmn_path = Path(app.root_path).parent / "bpmn" / "joint_punishment.bpmn"
    raw_case, adapter_case = raw_stock(bpmn_path), raw_adapter(bpmn_path)
    service, service_first, raw, raw_first, adapter = [], [], [], [], []
    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == "SC-P-001"))
        case_ids = [file_one(entry, n).id for n in range(N_CASES)]
        db.session.commit()
        users, pending = {}, 0
        for cid in case_ids:
            while True:
                # The joint punishment process's own tasks (the experts' invitations are another process)
                ot = db.session.scalar(
                    select(OpenTask).where(OpenTask.case_id == cid, OpenTask.assignee_id.is_(None),
                                           OpenTask.bpmn_id != "confirm_push").order_by(OpenTask.id).limit(1)
                )
                if ot is None:
                    break
                case = db.session.get(Case, cid)
                username, values = _service_values(case, ot)
                actor = users.get(username) or users.setdefault(username, user(username))
                actor = db.session.merge(actor)
                # The acting user as a request has it (Flask-Login loads it before any view runs): its reload after
                # the last commit is the login layer's query, not the service's.
                db.session.refresh(actor)
                t0 = time.perf_counter()
                tasks.complete(actor, ot.task_id, values)
                db.session.commit()
                took = time.perf_counter() - t0
                service.append(took)
                if ot.bpmn_id == "pre_review":
                    service_first.append(took)
                if ot.bpmn_id == "issue_notice":  # the subjects waive their statements (not a task: untimed)
                    from app.dueprocess import services as dueprocess

                    for n in dueprocess.notices_of(cid):
                        dueprocess.record_on_paper(actor, n.id, "", [SIGNED_WAIVER], waive=True)
                    db.session.commit()
            pending += 1
            if pending == TURN or cid == case_ids[-1]:  # the other sides' turns: as many cases
                for _ in range(pending):
                    times, first = raw_case()
                    raw += times
                    raw_first += first
                for _ in range(pending):
                    adapter += adapter_case()[0]
                pending = 0

    assert len(raw) == len(service) == len(adapter), (len(raw), len(service), len(adapter))
    med = statistics.median
    return {"service": med(service), "raw": med(raw), "adapter": med(adapter),
            "service_first": med(service_first), "raw_first": med(raw_first)}


DATA = {"case_id": 1, "kind": "punishment", "initiating_unit_id": 2, "office_unit_id": 1, "receiving_unit_id": 2,
        "determining_unit_id": 2, "determining_role": "group_lead", "multi_group": False, "major": False,
        "concerned_lead_units": [2], "compiling_units": [2], "compiling_role": "group_lead"}


def raw_stock(bpmn_path: Path):
    """SpiffWorkflow as it comes: its parser, its serializer (state with the spec), no database. Returns a function
    that runs one whole case and returns its times per task (and the pre-review's)."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
    from SpiffWorkflow.util.task import TaskState

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_file(str(bpmn_path))
    spec, subs = parser.get_spec("joint_punishment"), parser.get_subprocess_specs("joint_punishment")
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = PythonScriptEngine(environment=TaskDataEnvironment(dict(STAND_INS)))

    def one_case():
        times, first = [], []
        wf = BpmnWorkflow(spec, subs, script_engine=engine)
        wf.get_tasks(state=TaskState.READY)[0].set_data(**DATA)
        wf.do_engine_steps()
        state = serializer.serialize_json(wf)
        while True:
            t0 = time.perf_counter()
            wf = serializer.deserialize_json(state)
            wf.script_engine = engine
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            task.set_data(**RAW_VALUES[task.task_spec.bpmn_id])
            task.run()
            wf.do_engine_steps()
            wf.refresh_waiting_tasks()
            wf.do_engine_steps()
            state = serializer.serialize_json(wf)
            took = time.perf_counter() - t0
            times.append(took)
            if task.task_spec.bpmn_id == "pre_review":
                first.append(took)
        return times, first

    return one_case


# The listing functions read the database in the app; without one they answer "still listed, next report far
# away", which is what the app answers for these cases too.
STAND_INS = {"listings_active": lambda case_id: True, "next_report_at": lambda case_id: "2099-01-01T00:00:00+00:00",
             "listing_end_at": lambda *a: "2099-01-01T00:00:00+00:00",
             # (the statement period ends at once: the subjects' waivers are the app's message; here, the timer)
             "statement_period_end": lambda case_id: "2000-01-01T00:00:00+00:00"}


class stand_ins:
    """Run the engine adapter without a database for a while."""

    def __enter__(self):
        from app.engine.runner import register_script_functions

        register_script_functions(STAND_INS)

    def __exit__(self, *exc):
        from app.dueprocess.services import SCRIPT_FUNCTIONS as DUEPROCESS
        from app.engine.runner import register_script_functions
        from app.listings.services import SCRIPT_FUNCTIONS

        register_script_functions(SCRIPT_FUNCTIONS)
        register_script_functions(DUEPROCESS)


def raw_adapter(bpmn_path: Path):
    """The same through our engine adapter (state saved without the spec), no database: a function that runs one
    whole case (the app's script functions stood in for while it runs)."""
    xml = bpmn_path.read_bytes()
    specs = Engine.restore_spec(parse_bpmn(xml, "joint_punishment.bpmn")[0].spec_json, xml.decode())

    def one_case():
        with stand_ins():
            return _adapter_case(specs)

    return one_case


def _adapter_case(specs):
    times, first = [], []
    state = Engine.start(specs, DATA).dump()
    while True:
        probe = Engine.load(specs, state).ready_user_tasks()
        if not probe:
            break
        t0 = time.perf_counter()
        eng = Engine.load(specs, state)
        task = eng.ready_user_tasks()[0]
        eng.complete(task.task_id, RAW_VALUES[task.bpmn_id])
        eng.fire_timers()
        state = eng.dump()
        took = time.perf_counter() - t0
        times.append(took)
        if task.bpmn_id == "pre_review":
            first.append(took)
    return times, first


def waiting_state(app) -> str:
    """A real state of a case waiting on its period timer (what 100,000 rows each carry)."""
    from app.engine.registry import latest_version, specs_for

    with app.app_context():
        specs = specs_for(latest_version("joint_punishment").id)
    eng = Engine.start(specs, dict(DATA))
    steps = [("pre_review", {"review_outcome": "accept"}), ("schedule_meeting", {"meeting_date": "2026-11-23", "draw_id": 1}),
             ("issue_notice", {"statement_due_at": "2000-01-01T00:00:00+00:00"}),
             ("determination", {"decision": "act", "implementing_units": [3, 4], "reporting_units": [3, 4]}),
             ("file_decision", {}), ("implement", {"impl_result": {"unit": 3}}), ("implement", {"impl_result": {"unit": 4}}),
             ("compile_feedback", {})]
    with stand_ins():  # (the statement period's end is the engine's stand-in: already over)
        for bpmn_id, values in steps:
            eng.complete(next(t for t in eng.ready_user_tasks() if t.bpmn_id == bpmn_id).task_id, values)
            eng.fire_timers()
    assert eng.waiting_timers(), "expected to wait on the period timer"
    return eng.dump(), eng


def add_waiting(app, count, state, version_id, due=False, start=0):
    now = clock.now()
    with app.app_context():
        unit = user("market_cw").unit_id
        creator = user("market_cw").id
        rows, inst = [], []
        first_id = (db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
        for i in range(count):
            cid = first_id + i
            rows.append(dict(id=cid, number=f"B-{cid}", kind="punishment", process_id="joint_punishment",
                             status="in_effect", route="group", initiating_unit_id=unit, created_by_id=creator,
                             title="bench", facts="f", legal_basis="l", created_at=now, updated_at=now,
                             created_month=clock.local_date(now).strftime("%Y-%m")))
            due_at = now - timedelta(seconds=1) if due else now + timedelta(days=365 + (i % 1000))
            inst.append(dict(case_id=cid, process_version_id=version_id, state=state, status="running",
                             next_due_at=due_at, version=1, created_at=now, updated_at=now))
            if len(rows) == 5000:
                db.session.execute(insert(Case), rows)
                db.session.execute(insert(ProcessInstance), inst)
                rows, inst = [], []
        if rows:
            db.session.execute(insert(Case), rows)
            db.session.execute(insert(ProcessInstance), inst)
        db.session.commit()


def timed_sweeps(app, state_due, version_id) -> float:
    from app.scheduler.jobs import sweep_timers

    times = []
    for _ in range(REPEATS):
        add_waiting(app, HANDFUL, state_due, version_id, due=True)
        with app.app_context():
            t0 = time.perf_counter()
            fired = sweep_timers()
            times.append(time.perf_counter() - t0)
            assert fired == HANDFUL, fired
    return statistics.median(times)


def p2(app) -> tuple[float, float]:
    from app.engine.registry import latest_version

    with stand_ins():
        state, eng = waiting_state(app)
    # Due copies: the same workflow with its timer already in the past.
    due_state = json.loads(state)
    for t in due_state["tasks"].values():
        if t["internal_data"].get("event_value"):
            t["internal_data"]["event_value"] = (clock.now() - timedelta(days=1)).isoformat()
    due_state = json.dumps(due_state)
    with app.app_context():
        version_id = latest_version("joint_punishment").id
    add_waiting(app, 1_000, state, version_id)
    small = timed_sweeps(app, due_state, version_id)
    add_waiting(app, 99_000, state, version_id)
    large = timed_sweeps(app, due_state, version_id)
    per_s = drain(app, due_state, version_id)
    return large, small, per_s, timer_lag(app, state, version_id)


def timer_lag(app, state: str, version_id: int, count: int = 200, window: float = 20.0) -> float:
    """p99 seconds from due to fired for `count` single timers falling due at random times over the next
    `window` seconds with the 100,000 of P2 waiting, fired by the real scheduler jobs (APScheduler, add_jobs)
    running in this process as they run in the embedded setup."""
    import random

    from apscheduler.schedulers.background import BackgroundScheduler

    from app.cases import runtime
    from app.scheduler import add_jobs

    rng = random.Random(5)
    base = json.loads(state)
    timer_tasks = [t for t in base["tasks"].values() if t["internal_data"].get("event_value")]
    now = clock.now()
    dues = [now + timedelta(seconds=3 + rng.uniform(0, window)) for _ in range(count)]
    due_of = {}
    with app.app_context():
        first_case = (db.session.scalar(select(Case.id).order_by(Case.id.desc()).limit(1)) or 0) + 1
        unit, creator = user("market_cw").unit_id, user("market_cw").id
        for i, due in enumerate(dues):
            for t in timer_tasks:
                t["internal_data"]["event_value"] = due.isoformat()
            cid = first_case + i
            db.session.execute(insert(Case), [dict(id=cid, number=f"L-{cid}", kind="punishment", process_id="joint_punishment",
                                                   status="in_effect", route="group", initiating_unit_id=unit, created_by_id=creator,
                                                   title="bench", facts="f", legal_basis="l", created_at=now, updated_at=now,
                                                   created_month=clock.local_date(now).strftime("%Y-%m"))])
            inst = db.session.execute(insert(ProcessInstance).returning(ProcessInstance.id), [dict(
                case_id=cid, process_version_id=version_id, state=json.dumps(base), status="running", next_due_at=due,
                version=1, created_at=now, updated_at=now)]).scalar_one()
            due_of[inst] = due.timestamp()
        db.session.commit()
    fired: dict[int, float] = {}
    original = runtime.fire_due

    def recording(instance_id, at):
        done = original(instance_id, at)
        if done and instance_id in due_of:
            fired.setdefault(instance_id, time.time())
        return done

    runtime.fire_due = recording
    scheduler = BackgroundScheduler(timezone="UTC")
    add_jobs(scheduler, app)
    scheduler.start()
    try:
        deadline = time.time() + window + 30
        while len(fired) < count and time.time() < deadline:
            time.sleep(0.2)
    finally:
        scheduler.shutdown(wait=True)
        runtime.fire_due = original
    assert len(fired) == count, f"{len(fired)} of {count} timers fired"
    lags = sorted(fired[i] - due_of[i] for i in fired)
    return lags[int(len(lags) * 0.99) - 1]


def drain(app, due_state, version_id, count: int = 1_000) -> float:
    """Timers fired per second when `count` fall due at the same instant, in one sweep (no cap per pass)."""
    from app.scheduler.jobs import sweep_timers

    add_waiting(app, count, due_state, version_id, due=True)
    with app.app_context():
        t0 = time.perf_counter()
        fired = sweep_timers()
        took = time.perf_counter() - t0
    assert fired == count, fired
    return count / took


def supervisor_client(app):
    """A test client logged in as the demo supervisor (through the real login form)."""
    import re

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "supervisor1", "password": "demo1234", "csrf_token": token})
    return client


def http_task_ms(app, n: int = 30) -> float:
    """Median of one task completion over the real WSGI stack: POST of the pre-review form -> 302 (the form
    page is fetched first, untimed, as a browser would have it)."""
    import re

    from app.catalog.models import CatalogEntry

    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == "SC-P-001"))
        cases = [file_one(entry, 700_000 + i).id for i in range(n)]
        db.session.commit()
        task_ids = [db.session.scalar(select(OpenTask.task_id).where(OpenTask.case_id == c, OpenTask.bpmn_id == "pre_review"))
                    for c in cases]
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "market_lead", "password": "demo1234", "csrf_token": token})
    times = []
    for task_id in task_ids:
        form = client.get(f"/tasks/{task_id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        t0 = time.perf_counter()
        resp = client.post(f"/tasks/{task_id}", data={"csrf_token": token, "outcome": "accept", "reasons": ""})
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return statistics.median(times)


def timeline_ms(app) -> float:
    """Case page (timeline, diagram, chain verification) of a case with 1,000 events, as a supervisor."""
    from app.cases import events
    from app.catalog.models import CatalogEntry
    from app.enums import EventType

    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == "SC-P-001"))
        case = file_one(entry, 999_999)
        while case.event_seq < 1000:
            events.record(case.id, EventType.DEADLINE_REMINDER, None, {"task": "专项小组预审", "due_at": clock.now().isoformat()},
                          bpmn_id="pre_review")
        db.session.commit()
        case_id = case.id
    client = supervisor_client(app)
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        resp = client.get(f"/cases/{case_id}")
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200 and resp.data.count(b"data-bpmn-id") >= 1000
    return statistics.median(times) * 1000


def dashboard_ms(app) -> float:
    """The monitoring dashboard with 100,000+ cases (from P2) and 100,000 step records."""
    from app.supervision.models import StepRecord

    with app.app_context():
        unit = user("market_cw").unit_id
        ids = list(db.session.scalars(select(Case.id).limit(100_000)))
        now = clock.now()
        rows = [dict(case_id=cid, bpmn_id=("pre_review", "schedule_meeting", "implement")[i % 3], unit_id=unit,
                     opened_at=now, completed_at=now, hours=float(i % 97), on_time=i % 5 != 0) for i, cid in enumerate(ids)]
        for i in range(0, len(rows), 5000):
            db.session.execute(insert(StepRecord), rows[i:i + 5000])
        db.session.commit()
    # The page reads the snapshot the scheduler keeps (every DASHBOARD_REFRESH_SECONDS): refresh it once here, as the
    # scheduler's job does, rather than leave the page to the fallback it keeps for a scheduler that has stopped.
    from app.scheduler.jobs import refresh_dashboard

    t0 = time.perf_counter()
    refresh_dashboard(app)
    refresh = time.perf_counter() - t0
    client = supervisor_client(app)
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        resp = client.get("/supervision/dashboard")
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200 and "数据截至".encode() in resp.data, "the page did not read the snapshot"
    return statistics.median(times) * 1000, refresh * 1000


def listed_subjects(app) -> list[str]:
    """Give every bench case a subject under joint punishment: a listing and measures of two units."""
    from stdnum.cn import uscc

    from app.auth.models import Unit
    from app.cases.models import CaseMeasure, CaseSubject, Subject
    from app.catalog.models import CatalogEntry
    from app.listings.models import Listing, ListingUnit

    with app.app_context():
        entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "SC-P-001"))
        version_id = entry.current_version_id
        deciding = user("market_cw").unit_id
        other = db.session.scalar(select(Unit.id).where(Unit.id != deciding, Unit.kind == "member").order_by(Unit.id).limit(1))
        units = [deciding, other]
        case_ids = list(db.session.scalars(select(Case.id).where(Case.number.like("B-%")).order_by(Case.id).limit(100_000)))
        first_subject = (db.session.scalar(select(Subject.id).order_by(Subject.id.desc()).limit(1)) or 0) + 1
        first_listing = (db.session.scalar(select(Listing.id).order_by(Listing.id.desc()).limit(1)) or 0) + 1
        now, today = clock.now(), clock.today_local()
        codes = []
        for start in range(0, len(case_ids), 5000):
            subjects, links, listings, lunits, measures = [], [], [], [], []
            for i, cid in enumerate(case_ids[start:start + 5000], start):
                base = f"91510400MB{i:07d}"
                code = base + uscc.calc_check_digit(base + "0")
                codes.append(code)
                sid, lid = first_subject + i, first_listing + i
                subjects.append(dict(id=sid, kind="enterprise", name=f"核查基准企业{i}", code_sealed=code,
                                     code_digest=digest(code), created_at=now))
                links.append(dict(case_id=cid, subject_id=sid))
                listings.append(dict(id=lid, subject_id=sid, kind="punishment", source="case", case_id=cid,
                                     catalog_version_id=version_id, deciding_unit_id=deciding, grounds="g", legal_basis="l",
                                     serious=False, decided_on=today, period_start=today, period_days=365,
                                     period_end=today + timedelta(days=364), status="in_effect", end_reason="",
                                     created_at=now, updated_at=now))
                for u in units:
                    lunits.append(dict(listing_id=lid, unit_id=u, state="applied", updated_at=now))
                    measures.append(dict(case_id=cid, catalog_version_id=version_id, measure_code="M1", text="限制",
                                         unit_id=u, status="applied"))
            for model, rows in ((Subject, subjects), (CaseSubject, links), (Listing, listings), (ListingUnit, lunits),
                                (CaseMeasure, measures)):
                db.session.execute(insert(model), rows)
        db.session.commit()
    return codes


def check_ms(app) -> tuple[float, float]:
    """p95 and median of the check endpoint: listed subjects and subjects never heard of, by an API client."""
    import random

    from app.api import clients

    codes = listed_subjects(app)
    with app.app_context():
        unit = user("market_cw").unit_id
        _client, token, _secret = clients.create(user("admin"), "bench", unit, ["check"])
        clients.approve(user("secadmin"), _client.id)
        db.session.commit()
    http = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(12)
    asks = [rng.choice(codes) for _ in range(300)] + ["91510400MC" + f"{i:07d}" for i in range(100)]
    rng.shuffle(asks)
    times = []
    for i, code in enumerate(asks):
        if code.startswith("91510400MC"):
            from stdnum.cn import uscc

            code = code + uscc.calc_check_digit(code + "0")
        t0 = time.perf_counter()
        resp = http.post("/api/v1/checks", json={"code": code, "matter_type": "licence", "matter_no": f"B{i}"}, headers=headers)
        times.append(time.perf_counter() - t0)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        body = resp.get_json()
        assert body["verdict"] == ("clear" if "MC" in code else "punished"), body
    times.sort()
    return times[int(len(times) * 0.95) - 1] * 1000, statistics.median(times) * 1000


def main():
    # The machine's speed beside the figures (the same fixed loop bench-pg prints): milliseconds move with it, ratios
    # compare two sides measured in the same run.
    print(f"machine speed: a fixed loop took {calibration_ms():.0f} ms", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        r = p1(app)
        ms = {k: v * 1000 for k, v in r.items()}
        print(
            f"P1 per user task, median over {N_CASES} whole cases x 8 tasks: service layer {ms['service']:.2f} ms; "
            f"raw SpiffWorkflow (its own serializer) {ms['raw']:.2f} ms; pre-review alone {ms['service_first']:.2f} "
            f"vs {ms['raw_first']:.2f} ms"
        )
        # Issue 18 names the P1 ratio against the spec-less adapter without a database (the stricter baseline); the
        # foundation issue's ratio against raw SpiffWorkflow is printed beside it.
        print(f"P1 against raw SpiffWorkflow (the foundation issue's baseline): {r['service'] / r['raw']:.2f}")
        print(f"P1 ratio: {r['service'] / r['adapter']:.2f} (against our spec-less engine adapter without a database, "
              f"{ms['adapter']:.2f} ms per task)")
        http = http_task_ms(app)
        print(f"HTTP task ms: {http * 1000:.2f} (POST -> 302 of the pre-review form; raw engine load+complete+save of the same "
              f"step {r['raw_first'] * 1000:.2f} ms)")
        print(f"HTTP task ratio: {http / r['raw_first']:.2f}")
        import gc

        gc.collect()
        timeline = timeline_ms(app)
        large, small, per_s, lag = p2(app)
        print(f"P2 sweep ms with 100,000 waiting: {large * 1000:.1f}; with 1,000 waiting: {small * 1000:.1f}")
        print(f"P2 ratio: {large / small:.2f}")
        print(f"timer drain per s: {per_s:.0f} (1,000 period timers of whole cases due at the same instant, one sweep, one "
              f"scheduler process, SQLite)")
        print(f"timer lag p99 s: {lag:.2f} (200 single timers due at random times over 20 s, 100,000 waiting; the scheduler's own "
              f"jobs in-process)")
        print(f"timeline ms: {timeline:.1f}")
        page, refresh = dashboard_ms(app)
        print(f"dashboard ms: {page:.1f} (the page from the scheduler's snapshot; the snapshot recomputed in {refresh:.0f} ms)")
        p95, med = check_ms(app)
        print(f"check p95 ms: {p95:.1f} (median {med:.1f}; 400 checks over 100,000 listed subjects)")
        with app.app_context():
            db.engine.dispose()
    print(f"machine speed at the end: a fixed loop took {calibration_ms():.0f} ms", flush=True)


if __name__ == "__main__":
    main()

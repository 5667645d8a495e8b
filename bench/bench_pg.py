"""`make bench-pg`: list, search and dashboard pages at city scale on PostgreSQL (issue 18).

Starts from an empty database it seeds itself (BENCH_DATABASE_URL, default
postgresql+psycopg://xinlian:xinlian@127.0.0.1:5432/xinlian_bench; the name must contain "bench", as every
table in it is dropped first). Seeding: a sample of cases is run through the real services (decided without
action, whole punishments now in effect, and cases waiting at pre-review, scheduling, implementation, in
three specialist groups); then each sample case is copied in bulk with every row that belongs to it (new ids,
a new subject with a generated Chinese name and a valid code, the workflow state with new task ids and its
case id, the timeline's hash chain recomputed with the chain key), so that copies stay valid: their chains
verify and their open tasks can be completed. Most cases are closed; open cases are spread so that a unit
holds hundreds of open tasks. Then, at each size in BENCH_PG_SIZES (default 100000,1000000), every page is
requested through the real WSGI stack (login, permission checks, templates) and its p95 printed, after one
unmeasured pass of the same mix with other pages and search terms (a running server has compiled its queries and
templates; a fresh process pays that once per query shape, which dominated a p95 of 60 requests); the stress
variant adds 30,000 open tasks for one unit and measures that unit's inbox.

    BENCH_DATABASE_URL=postgresql+psycopg://USER:PASS@HOST:5432/xinlian_bench make bench-pg
"""
import collections
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cpu import calibration_ms, postgres_cpu, tree_cpu  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.exc import DBAPIError  # noqa: E402

import bench as sqlite_bench  # noqa: E402  (the services-driving helpers of `make bench`)
from app import clock, create_app  # noqa: E402
from app.cases import tasks  # noqa: E402
from app.cases.models import Case, OpenTask, Subject  # noqa: E402
from app.crypto import digest, seal  # noqa: E402
from app.extensions import db  # noqa: E402
from app.listings.models import Listing  # noqa: E402
from app.ops import production  # noqa: E402
from config import TestConfig  # noqa: E402

URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://xinlian:xinlian@127.0.0.1:5432/xinlian_bench")
SIZES = [int(s) for s in os.environ.get("BENCH_PG_SIZES", "100000,1000000").split(",") if s.strip()]
OPEN_SHARE = float(os.environ.get("BENCH_PG_OPEN_SHARE", "0.005"))  # open cases among all (the rest closed)
STRESS_TASKS = 30_000
# What to run after seeding (all by default): lists at each size, the stress inbox, the credit check, the drain,
# and a backup restored into a new database (at the first size).
PARTS = set(os.environ.get("BENCH_PG_PARTS", "lists,stress,check,drain,restore").split(","))
REQUESTS = 60  # per page and size
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣佳瑶琳雪梅"
WORDS = ["锦程", "华通", "恒泰", "鑫源", "宏达", "天成", "瑞丰", "嘉禾", "永盛", "兴隆", "和润", "金桥", "蓝海", "远航", "顺发",
         "新城", "安康", "广利", "众信", "博雅", "富源", "德胜", "万豪", "联创", "汇丰", "盛世", "卓越", "东方", "长江", "峨眉"]
TRADES = ["商贸", "建筑工程", "科技", "食品", "物流", "置业", "环保", "医药", "机械", "餐饮", "装饰", "农业开发"]


class BenchPgConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = URL


def fresh_database():
    from sqlalchemy.engine import make_url

    if "bench" not in (make_url(URL).database or ""):
        sys.exit("BENCH_DATABASE_URL must name a database whose name contains 'bench' (every table in it is dropped).")
    engine = create_engine(URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_app():
    fresh_database()
    app = create_app(BenchPgConfig)
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        from werkzeug.security import generate_password_hash

        from app.auth.models import User
        from app.cli import deploy_processes
        from app.demo import DEMO_PASSWORD, load_organisation_and_catalog

        hashed = generate_password_hash(DEMO_PASSWORD)
        User.set_password = lambda self, pw: setattr(self, "password_hash", hashed)
        deploy_processes()
        load_organisation_and_catalog()
        db.session.commit()
    return app


# ---------------------------------------------------------------- the sample, through the real services

FILERS = {"SC-P-001": "market_cw", "FIN-P-001": "court_cw", "ENV-P-001": "env_cw"}


def _file(entry_code: str, n: int):
    from stdnum.cn import uscc

    from app.catalog.models import CatalogEntry
    from app.joint import services

    entry = db.session.scalar(select(CatalogEntry.id).where(CatalogEntry.code == entry_code))
    base = f"91510400MA{n:07d}"
    code = base + uscc.calc_check_digit(base + "0")
    return services.file_trigger(sqlite_bench.user(FILERS[entry_code]),
                                 subjects=[services.SubjectIn("enterprise", f"样本企业{n}", code)],
                                 entry_ids=[entry], title=f"样本企业{n}失信联合惩戒", facts="f", legal_basis="l",
                                 files=[sqlite_bench.EVIDENCE])


def _actor_for(ot):
    from app.auth.models import User

    return db.session.scalar(select(User).where(User.unit_id == ot.unit_id, User.role == ot.role).order_by(User.id).limit(1))


def _values(case, ot, decision):
    if ot.bpmn_id == "pre_review":
        return {"outcome": "accept", "reasons": ""}
    _user, values = sqlite_bench._service_values(case, ot)
    if ot.bpmn_id == "determination":
        values["attending_unit_ids"] = [ot.unit_id]
        values["decision"] = decision
        if decision == "no_action":
            values["measures"], values["period_days"] = [], None
    return values


def _advance(case_id: int, stop_before: str | None, decision: str = "act"):
    """Complete the case's own tasks in order until `stop_before` is the next one (None: to the end)."""
    from app.dueprocess import services as dueprocess

    while True:
        ot = db.session.scalar(select(OpenTask).where(OpenTask.case_id == case_id, OpenTask.assignee_id.is_(None),
                                                      OpenTask.bpmn_id != "confirm_push").order_by(OpenTask.id).limit(1))
        if ot is None or ot.bpmn_id == stop_before:
            return
        case = db.session.get(Case, case_id)
        actor = _actor_for(ot)
        tasks.complete(actor, ot.task_id, _values(case, ot, decision))
        db.session.commit()
        if ot.bpmn_id == "issue_notice":
            for n in dueprocess.notices_of(case_id):
                dueprocess.record_on_paper(actor, n.id, "", [sqlite_bench.SIGNED_WAIVER], waive=True)
            db.session.commit()


def sample(app) -> dict[str, list[int]]:
    """Sample cases of each shape, in each of three groups: {shape: [case ids]}."""
    shapes = {"no_action": [], "in_effect": [], "pre_review": [], "schedule_meeting": [], "implement": []}
    n = 0
    with app.app_context():
        for entry in FILERS:
            for shape in shapes:
                n += 1
                case = _file(entry, n)
                db.session.commit()
                if shape == "no_action":
                    _advance(case.id, None, "no_action")
                else:
                    _advance(case.id, None if shape == "in_effect" else shape)
                shapes[shape].append(case.id)
    return shapes



# ---------------------------------------------------------------- bulk copies of the sample

NOT_COPIED = {"credit_check", "check_application", "subject_change", "typical_case", "public_report"}
ID_KEYS = re.compile(r'"(case_id|listing_id|subject_id)": (\d+)')


def owned_tables() -> list:
    """The tables holding rows that belong to a case (or its subjects), in insert order."""
    owned = {"case", "subject"}
    changed = True
    while changed:
        changed = False
        for t in db.metadata.sorted_tables:
            if t.name not in owned and t.name not in NOT_COPIED and any(fk.column.table.name in owned for fk in t.foreign_keys):
                owned.add(t.name)
                changed = True
    return [t for t in db.metadata.sorted_tables if t.name in owned]


class Template:
    """One sample case and every row that belongs to it, ready to be stamped out with new ids."""

    def __init__(self, case_id: int, tables: list):
        self.case_id = case_id
        self.rows = {}
        ids = {"case": {case_id}}
        subject_ids = set(db.session.scalars(text("SELECT subject_id FROM case_subject WHERE case_id = :c"), {"c": case_id}))
        ids["subject"] = subject_ids
        for t in tables:
            if t.name == "case":
                rows = db.session.execute(select(t).where(t.c.id == case_id)).mappings().all()
            elif t.name == "subject":
                rows = db.session.execute(select(t).where(t.c.id.in_(subject_ids))).mappings().all()
            else:
                conds = [fk.parent.in_(ids[fk.column.table.name]) for fk in t.foreign_keys
                         if fk.column.table.name in ids and ids[fk.column.table.name]]
                if not conds:
                    continue
                from sqlalchemy import or_

                rows = db.session.execute(select(t).where(or_(*conds))).mappings().all()
                if "id" in t.c:
                    ids.setdefault(t.name, set()).update(r["id"] for r in rows)
            self.rows[t.name] = [dict(r) for r in rows]
        self.subject = self.rows["subject"][0]
        self.uuids = sorted({u for r in self.rows.get("process_instance", []) for u in UUID_RE.findall(r["state"])})
        tables_by_name = {t.name: t for t in tables}
        for name, rows in self.rows.items():  # JSON columns serialized once, not once per copy
            js = [c.name for c in tables_by_name[name].columns if _is_json(c)]
            for r in rows:
                for c in js:
                    r[c] = None if r[c] is None else Json(r[c])
        for r in self.rows.get("process_instance", []):
            r["state"] = _split_state(r["state"])
        for ev in self.rows.get("case_event", []):  # the hashed payload without its case id and predecessor
            middle = json.dumps([ev["seq"], ev["type"], clock.as_utc(ev["at"]).isoformat(), ev["actor_id"], ev["actor_unit_id"],
                                 ev["bpmn_id"], ev["details"].value if ev["details"] is not None else None],
                                sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)[1:-1]
            ev["payload_middle"] = middle


class Json(str):
    """A JSON value already serialized (COPY writes it as text)."""

    def __new__(cls, value):
        obj = super().__new__(cls, json.dumps(value, ensure_ascii=False))
        obj.value = value
        return obj


STATE_SLOTS = re.compile(r"(?<=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-)[0-9a-f]{12}|" + ID_KEYS.pattern)


def _split_state(state: str) -> tuple[list[str], list]:
    """A workflow state cut where a copy differs: the last 12 digits of each task id (the copy's number goes
    there) and the ids after "case_id"/"listing_id"/"subject_id" (the copy's own)."""
    parts, slots, pos = [], [], 0
    for m in STATE_SLOTS.finditer(state):
        if m.group(1):
            parts.append(state[pos:m.start(2)])
            slots.append((m.group(1)[:-3], int(m.group(2))))
            pos = m.end(2)
        else:
            parts.append(state[pos:m.start()])
            slots.append(None)
            pos = m.end()
    parts.append(state[pos:])
    return parts, slots


def _person_code(n: int) -> str:
    """A valid, unique resident identity number for copy n (birth date and sequence from n)."""
    from datetime import date, timedelta

    from stdnum.cn import ric

    born = date(1950, 1, 1) + timedelta(days=(n // 1000) * 7 % 20000 + n // 1000 // 2857)
    base = f"510104{born:%Y%m%d}{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")  # (stdnum ignores the last character it is given)


def _enterprise_code(n: int) -> str:
    from stdnum.cn import uscc

    base = f"91510100M{n:08X}"[:17]
    return base + uscc.calc_check_digit(base + "0")


def new_subject(rng, n: int) -> tuple[str, str, str]:
    """(kind, name, code): a third are people (names of two or three characters), the rest companies."""
    if n % 3 == 0:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return "person", name, _person_code(n)
    name = f"成都{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
    return "enterprise", name, _enterprise_code(n)


def _is_json(column) -> bool:
    from sqlalchemy import JSON

    return isinstance(getattr(column.type, "impl", column.type), JSON) or isinstance(column.type, JSON)


class Copier:
    """Stamps out copies of template cases in batches, written with COPY."""

    def __init__(self, tables: list):
        self.tables = tables
        self.names = [t.name for t in tables]
        self.next_id = {t.name: (db.session.scalar(select(func.max(t.c.id))) or 0) + 1 for t in tables if "id" in t.c}
        self.json = {t.name: {c.name for c in t.columns if _is_json(c)} for t in tables}
        self.columns = {t.name: [c.name for c in t.columns] for t in tables}
        self.n = 0
        self.rng = random.Random(18)
        self.out = {name: [] for name in self.names}
        self.listing_fix = []
        self.uuid_cols = {t.name: [c.name for c in t.columns if c.name in ("task_id",)] for t in tables}

    def stamp(self, tpl: Template, created_at, overdue_days: int = 0):
        import hmac
        from datetime import timedelta

        from flask import current_app

        from app.cases.events import GENESIS, KEYED

        key = current_app.config["CHAIN_KEY"].encode()

        self.n += 1
        rng = self.rng
        idmap = {}
        for name, rows in tpl.rows.items():
            if name in self.next_id:
                m = idmap[name] = {}
                for r in rows:
                    m[r["id"]] = self.next_id[name]
                    self.next_id[name] += 1
        suffix = f"{self.n:012x}"
        uuids = {u: u[:24] + suffix for u in tpl.uuids}
        kind, name, code = new_subject(rng, self.n)
        case_id = idmap["case"][tpl.case_id]
        events = []
        for t in self.tables:
            rows = tpl.rows.get(t.name)
            if not rows:
                continue
            fks = [(fk.parent.name, fk.column.table.name) for fk in t.foreign_keys if fk.column.table.name in idmap]
            for r in rows:
                new = dict(r)
                if t.name in idmap:
                    new["id"] = idmap[t.name][r["id"]]
                for col, ref in fks:
                    v = r[col]
                    if v is not None and v in idmap[ref]:
                        new[col] = idmap[ref][v]
                for col in self.uuid_cols[t.name]:
                    if new[col] in uuids:
                        new[col] = uuids[new[col]]
                if t.name == "subject":
                    new.update(kind=kind, name=name, code_sealed=seal(code, "subject.code"), code_digest=digest(code))
                elif t.name == "case":
                    new.update(number=f"XL-{created_at.year}-{case_id:07d}", title=f"{name}失信联合惩戒",
                               created_at=created_at, created_month=clock.local_date(created_at).strftime("%Y-%m"))
                    if new["listing_id"] is not None:
                        self.listing_fix.append((case_id, new["listing_id"]))
                        new["listing_id"] = None
                elif t.name == "process_instance":
                    parts, slots = r["state"]
                    suffix = f"{self.n:012x}"
                    fill = [suffix if slot is None else str(idmap.get(slot[0], {}).get(slot[1], slot[1])) for slot in slots]
                    new["state"] = "".join(p + f for p, f in zip(parts, fill)) + parts[-1]
                elif t.name == "case_access":
                    new["created_at"] = created_at
                elif t.name == "case_search":  # (as app/cases/search_sync.py writes it: the title, or a subject's name)
                    new.update(created_at=created_at, text=f"{name}失信联合惩戒" if r["subject_id"] is None else name)
                elif t.name == "open_task" and new["due_at"] is not None:
                    new["due_at"] = new["due_at"] - timedelta(days=overdue_days)
                elif t.name == "case_event":
                    events.append(new)
                self.out[t.name].append(new)
        prev = GENESIS
        for ev in sorted(events, key=lambda e: e["seq"]):  # the chain, keyed as app.cases.events hashes it
            ev["prev_hash"] = prev
            payload = f'[{case_id},{ev["payload_middle"]},"{prev}"]'.encode()
            ev["hash"] = prev = hmac.new(key, payload, KEYED[ev["alg"]]).hexdigest()
        case_row = next(r for r in reversed(self.out["case"]) if r["id"] == case_id)
        case_row["event_hash"] = prev

    def flush(self):
        from psycopg.copy import QueuedLibpqWriter

        conn = db.session.connection().connection.driver_connection
        with conn.cursor() as cur:
            for name in self.names:
                rows = self.out[name]
                if not rows:
                    continue
                cols = self.columns[name]
                with cur.copy(f'COPY "{name}" ({", ".join(f"{c}" for c in cols)}) FROM STDIN', writer=QueuedLibpqWriter(cur)) as cp:
                    for r in rows:
                        cp.write_row([r[c] for c in cols])
                rows.clear()
            if self.listing_fix:
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS listing_fix (case_id int, listing_id int)")
                with cur.copy("COPY listing_fix (case_id, listing_id) FROM STDIN") as cp:
                    for row in self.listing_fix:
                        cp.write_row(row)
                cur.execute('UPDATE "case" c SET listing_id = f.listing_id FROM listing_fix f WHERE c.id = f.case_id')
                cur.execute("TRUNCATE listing_fix")
                self.listing_fix.clear()
        db.session.commit()

    def begin_bulk(self):
        """Drop the copied tables' foreign keys and plain indexes for the load (re-created, and so checked,
        by end_bulk): a row-by-row foreign-key check and index update is most of the cost of a bulk load."""
        names = tuple(self.names)
        self.saved_fks = db.session.execute(text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(:n)"), {"n": [f'"{n}"' for n in names] + list(names)}).all()
        self.saved_indexes = db.session.execute(text(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(:n) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"), {"n": list(names)}).all()
        for table, name, _def in self.saved_fks:
            db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
        for name, _def in self.saved_indexes:
            db.session.execute(text(f'DROP INDEX "{name}"'))
        db.session.commit()

    def end_bulk(self):
        t0 = time.perf_counter()
        db.session.execute(text("SET maintenance_work_mem = '512MB'"))
        for _name, definition in self.saved_indexes:
            db.session.execute(text(definition))
        for table, name, definition in self.saved_fks:
            db.session.execute(text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
        db.session.commit()
        print(f"  indexes and foreign keys re-created and checked in {time.perf_counter() - t0:.0f} s", flush=True)

    def finish(self):
        for name in self.next_id:
            db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), (SELECT max(id) FROM \"{name}\"))"))
        db.session.commit()
        vacuum()


def vacuum(table: str = "") -> None:
    """VACUUM ANALYZE after a bulk load: what autovacuum does to a database that has been running a while (hint bits
    set, visibility maps for index-only scans, statistics), so that the first reads of each page after loading do
    not write it again while something is being timed."""
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {table}"))


def grow(app, templates: dict, target: int, copier: Copier | None = None) -> Copier:
    """Copy sample cases until the database holds `target` cases: OPEN_SHARE of them open (spread over the
    open shapes), the rest closed or in effect, filed over the last five years (open ones in the last 60 days)."""
    from datetime import timedelta

    with app.app_context():
        copier = copier or Copier(owned_tables())
        db.session.execute(text("SET synchronous_commit = off"))
        try:  # workflow states compressed with LZ4 (several times faster than the default pglz)
            db.session.execute(text("ALTER TABLE process_instance ALTER COLUMN state SET COMPRESSION lz4"))
            db.session.commit()
        except Exception:  # noqa: BLE001  (a server built without LZ4 keeps pglz)
            db.session.rollback()
        bulk = target - db.session.scalar(select(func.count()).select_from(Case)) > 20_000
        if bulk:
            copier.begin_bulk()
        have = db.session.scalar(select(func.count()).select_from(Case))
        now = clock.now()
        rng = random.Random(target)
        closed = templates["no_action"] + templates["in_effect"]
        open_ = templates["pre_review"] + templates["schedule_meeting"] + templates["implement"]
        t0 = time.perf_counter()
        for i in range(target - have):
            if rng.random() < OPEN_SHARE:
                copier.stamp(rng.choice(open_), now - timedelta(days=rng.uniform(0, 60)), overdue_days=rng.randint(-10, 20))
            else:
                copier.stamp(rng.choice(closed), now - timedelta(days=rng.uniform(60, 5 * 365)))
            if copier.n % 5000 == 0:
                copier.flush()
        copier.flush()
        if bulk:
            copier.end_bulk()
        copier.finish()
        print(f"  seeded {target:,} cases in {time.perf_counter() - t0:.0f} s", flush=True)
    return copier


def load_templates(app, shapes) -> dict:
    with app.app_context():
        tables = owned_tables()
        return {shape: [Template(cid, tables) for cid in ids] for shape, ids in shapes.items()}



# ---------------------------------------------------------------- measuring the pages

def login(app, username: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = client.post("/login", data={"username": username, "password": "demo1234", "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client


def p95(times: list[float]) -> float:
    times = sorted(times) or [float("nan")]
    return times[max(int(len(times) * 0.95) - 1, 0)] * 1000


SQL_SECONDS = [0.0]  # database time of the request being timed (engine events, see measure)


def timed(requests_: list, sql: list | None = None) -> list[float]:
    """requests_: (client, url, check) — each GET over the real WSGI stack; check(html) must hold. The database
    part of each request is appended to `sql`."""
    times = []
    for client, url, check in requests_:
        SQL_SECONDS[0] = 0.0
        t0 = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - t0)
        if sql is not None:
            sql.append(SQL_SECONDS[0])
        assert resp.status_code == 200, (url, resp.status_code)
        if check:
            assert check(resp.get_data(as_text=True)), url
    return times


def _count_sql_time(app) -> None:
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    if getattr(engine, "_bench_timed", False):
        return

    def before(conn, *_a, **_k):
        conn.info["bench_t0"] = time.perf_counter()

    def after(conn, *_a, **_k):
        SQL_SECONDS[0] += time.perf_counter() - conn.info.pop("bench_t0", time.perf_counter())

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    engine._bench_timed = True


def search_terms(app, seed: int = 7) -> list[str]:
    """Names searched as people would: two characters (a common full name), three, a company's words, a whole code."""
    with app.app_context():
        rng = random.Random(seed)
        people = db.session.scalars(text("SELECT name FROM subject WHERE kind = 'person' ORDER BY id DESC LIMIT 2000")).all()
        companies = db.session.scalars(text("SELECT name FROM subject WHERE kind = 'enterprise' ORDER BY id DESC LIMIT 2000")).all()
        codes = db.session.scalars(select(Subject.code).order_by(Subject.id.desc()).limit(2000)).all()
    two = [n for n in people if len(n) == 2]
    three = [n for n in people if len(n) == 3]
    terms = []
    for i in range(REQUESTS):
        kind = i % 4
        if kind == 0:
            terms.append(rng.choice(two))
        elif kind == 1:
            terms.append(rng.choice(three))
        elif kind == 2:
            terms.append(rng.choice(companies)[2:6])  # 成都|锦程华通|...
        else:
            terms.append(rng.choice(codes))
    return terms


def measure(app, label: str, stress: bool = False, seed: int = 3) -> dict[str, tuple[float, float]]:
    """{page: (p95 ms of the whole request, p95 ms of its database part)}."""
    from urllib.parse import quote

    _count_sql_time(app)
    clients = {u: login(app, u) for u in ("market_lead", "market_cw", "court_cw", "pbc_lead", "housing_cw", "office1",
                                          "supervisor1")}
    rng = random.Random(seed)
    staff = ["market_lead", "market_cw", "court_cw", "pbc_lead", "housing_cw"]

    def run(requests_):
        sql = []
        return p95(timed(requests_, sql)), p95(sql)

    inbox = [(clients["market_lead" if stress else rng.choice(staff)], f"/tasks/?page={rng.choice((1, 1, 2))}"
              + rng.choice(("", "&scope=unclaimed", "&kind=punishment")), None) for _ in range(REQUESTS)]
    out = {"inbox": run(inbox)}
    if stress:
        return out
    statuses = ("", "&status=in_effect", "&status=closed_no_action", "&kind=punishment")
    cases = [(clients[rng.choice(("market_cw", "court_cw", "office1", "housing_cw"))],
              f"/cases/?page={rng.choice((1, 1, 2, 5))}{rng.choice(statuses)}", None) for _ in range(REQUESTS)]
    out["case list"] = run(cases)
    sup = [(clients["supervisor1"], f"/supervision/?page={rng.choice((1, 2))}" + rng.choice(("", "&overdue=1", "&status=in_effect")),
            None) for _ in range(REQUESTS)]
    out["supervision list"] = run(sup)
    terms = search_terms(app, seed + 4)
    search = [(clients[rng.choice(("office1", "market_cw"))], f"/cases/?q={quote(t)}", None) for t in terms]
    out["search"] = run(search)
    with app.app_context():  # as the scheduler keeps it (every DASHBOARD_REFRESH_SECONDS)
        from app.supervision import monitoring

        t0 = time.perf_counter()
        monitoring.refresh_dashboard()
        db.session.commit()
        print(f"  dashboard snapshot recomputed in {time.perf_counter() - t0:.1f} s (by the scheduler, in the background)",
              flush=True)
    dash = [(clients["supervisor1"], "/supervision/dashboard", None) for _ in range(REQUESTS // 2)]
    out["dashboard"] = run(dash)
    return out


def reused_app():
    """BENCH_PG_REUSE=1: measure again on the database a previous run seeded (migrated to head first)."""
    app = create_app(BenchPgConfig)
    with app.app_context():
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
        have = db.session.scalar(select(func.count()).select_from(Case))
    if have < max(SIZES):
        sys.exit(f"BENCH_PG_REUSE: the database holds {have:,} cases, fewer than {max(SIZES):,}; run without it.")
    return app


def main():
    import logging

    logging.getLogger("alembic").setLevel(logging.WARNING)
    reuse = os.environ.get("BENCH_PG_REUSE") == "1"
    if reuse:
        app = reused_app()
        if "lists" in PARTS:
            for size in SIZES:
                report(app, size)
        if "restore" in PARTS:
            with app.app_context():
                restore_timing(app, db.session.scalar(select(func.count()).select_from(Case)))
        finish(app)
        return
    app = make_app()
    shapes = sample(app)
    templates = load_templates(app, shapes)
    copier = None
    for size in SIZES:
        copier = grow(app, templates, size, copier)
        if "lists" in PARTS:
            report(app, size)
        if "restore" in PARTS and size == SIZES[0]:
            restore_timing(app, size)
    if "stress" in PARTS:
        stress(app, templates, copier)
    finish(app)


def finish(app):
    if "stress" in PARTS:
        report_stress(app)
    if "check" in PARTS:
        check_at_scale(app)
    if "drain" in PARTS:
        drain(app)


def report(app, size):
    with app.app_context():
        have = db.session.scalar(select(func.count()).select_from(Case))
    measure(app, f"{size:,}", seed=1)  # warm-up, as a running server is: the same mix with other pages and terms
    figures = measure(app, f"{size:,}")
    for name, (whole, sql) in figures.items():
        print(f"{name} p95 ms: {whole:.1f} (at {have:,} cases; database part p95 {sql:.1f} ms)", flush=True)


def stress(app, templates, copier):
    """One unit holding 30,000 open tasks: cases waiting at the market group's pre-review."""
    from datetime import timedelta

    with app.app_context():
        if db.session.scalar(text("SELECT count(*) FROM open_task WHERE role = 'group_lead'")) >= STRESS_TASKS:
            return
        tpl = next(t for t in templates["pre_review"] if t.rows["open_task"][0]["role"] == "group_lead"
                   and db.session.get(Case, t.case_id).initiating_unit.name == "市市场监管局")
        now = clock.now()
        for i in range(STRESS_TASKS):
            copier.stamp(tpl, now - timedelta(minutes=i), overdue_days=i % 30 - 10)
            if copier.n % 5000 == 0:
                copier.flush()
        copier.flush()
        copier.finish()


def report_stress(app):
    with app.app_context():
        held = db.session.scalar(text("SELECT count(*) FROM open_task WHERE role = 'group_lead' AND unit_id = "
                                      "(SELECT unit_id FROM \"user\" WHERE username = 'market_lead')"))
    measure(app, "stress", stress=True, seed=1)  # (warm-up, as above)
    whole, sql = measure(app, "stress", stress=True)["inbox"]
    print(f"inbox p95 ms: {whole:.1f} (stress: one unit holding {held:,} open tasks; database part p95 {sql:.1f} ms)", flush=True)


# ---------------------------------------------------------------- timers at midnight, two scheduler processes

DRAIN = int(os.environ.get("BENCH_PG_DRAIN", 10_000))
EVENT_VALUE = re.compile(r'"event_value": "([^"]+)"')


def scheduler_process():
    """What `flask scheduler` runs, on the bench database, with only the engine-timer job (the drain is
    what is measured; the deadline sweeps and dashboard refresh would run beside it in production)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from app.ops import warmup
    from app.scheduler import add_jobs

    app = create_app(BenchPgConfig)
    sched = BlockingScheduler(timezone="UTC")
    add_jobs(sched, app)
    for job in sched.get_jobs():
        if job.id != "timers":
            sched.remove_job(job.id)
    warmup.settle()  # (as `flask scheduler` does)
    sched.start()


def subscribe_unknown(listing_ids) -> None:
    """A database seeded before instances kept the messages they wait for (`waits_for`) gets them for the cases
    of these listings, as the next save of each would write them (rows seeded since carry them already)."""
    from app.engine.instances import loaded, subscriptions
    from app.engine.models import ProcessInstance
    from app.listings.models import Listing

    unknown = db.session.scalars(select(ProcessInstance).where(
        ProcessInstance.waits_for.is_(None), ProcessInstance.status == "running",
        ProcessInstance.case_id.in_(select(Listing.case_id).where(Listing.id.in_(list(listing_ids)))))).all()
    for inst in unknown:
        inst.waits_for = subscriptions(loaded(inst).engine.waiting_messages())
    db.session.flush()
    if unknown:
        print(f"  (subscriptions written for {len(unknown):,} instances seeded before they were kept)", flush=True)


def drain(app) -> None:
    """DRAIN listings' periods end at the same instant; two scheduler processes fire them with everything
    that follows (the listing expires, pushes to lift its measures start at every unit, the case closes when
    its last listing ends). Prints the rate and checks each fired exactly once."""
    import subprocess
    from datetime import timedelta

    with app.app_context():
        rows = db.session.execute(text(
            "SELECT pi.id, pi.state, l.id FROM process_instance pi JOIN listing l ON l.instance_id = pi.id "
            "WHERE l.status = 'in_effect' AND pi.status = 'running' AND pi.next_due_at IS NOT NULL "
            "ORDER BY pi.id DESC LIMIT :n"), {"n": DRAIN}).all()
        midnight = clock.now() + timedelta(seconds=25)  # the schedulers are up and idle by then
        # Copies keep their sample's other timers, so many fall due together hours after seeding: put those a
        # day later, so that only the period ends are drained (and the rate is theirs).
        db.session.execute(text("UPDATE process_instance SET next_due_at = :later WHERE status = 'running' AND next_due_at < :m "
                                "AND id <> ALL(:ids)"), {"later": midnight + timedelta(days=1), "m": midnight + timedelta(minutes=10),
                                                         "ids": [r[0] for r in rows]})
        stamp = midnight.isoformat()
        conn = db.session.connection().connection.driver_connection
        with conn.cursor() as cur:
            cur.executemany("UPDATE process_instance SET state = %s, next_due_at = %s WHERE id = %s",
                            [(EVENT_VALUE.sub(f'"event_value": "{stamp}"', state), midnight, iid) for iid, state, _l in rows])
            cur.execute("UPDATE listing SET period_end = %s WHERE id = ANY(%s)",
                        (clock.local_date(midnight) - timedelta(days=1), [lid for _i, _s, lid in rows]))
        subscribe_unknown([lid for _i, _s, lid in rows])
        db.session.commit()
        before = db.session.scalar(text("SELECT count(*) FROM push"))
    instance_ids, listing_ids = [r[0] for r in rows], [r[2] for r in rows]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    procs = [subprocess.Popen([sys.executable, __file__, "scheduler"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        deadline = time.time() + 25 + 300
        time.sleep(max(0.0, (midnight - clock.now()).total_seconds()))
        cpu0, pg0 = tree_cpu([p.pid for p in procs]), postgres_cpu()  # (from midnight: the start-up is not counted)
        with app.app_context():
            while time.time() < deadline:
                time.sleep(1)
                left = db.session.scalar(text("SELECT count(*) FROM process_instance WHERE id = ANY(:ids) AND next_due_at <= :m"),
                                         {"ids": instance_ids, "m": midnight})
                db.session.rollback()
                if left == 0:
                    break
        cpu1, pg1 = tree_cpu([p.pid for p in procs]), postgres_cpu()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    with app.app_context():
        left = db.session.scalar(text("SELECT count(*) FROM process_instance WHERE id = ANY(:ids) AND next_due_at <= :m"),
                                 {"ids": instance_ids, "m": midnight})
        last = db.session.scalar(text("SELECT max(updated_at) FROM process_instance WHERE id = ANY(:ids) AND updated_at >= :m"),
                                 {"ids": instance_ids, "m": midnight})
        expired = db.session.scalar(text("SELECT count(*) FROM listing WHERE id = ANY(:ids) AND status = 'expired'"),
                                    {"ids": listing_ids})
        events_ = db.session.execute(text(
            "SELECT count(*), count(DISTINCT e.details->>'listing_id') FROM case_event e WHERE e.type = 'listing_expired' "
            "AND (e.details->>'listing_id')::int = ANY(:ids)"), {"ids": listing_ids}).one()
        pushes = db.session.execute(text(
            "SELECT count(*), count(DISTINCT (listing_id, unit_id, action)) FROM push WHERE listing_id = ANY(:ids)"),
            {"ids": listing_ids}).one()
        after = db.session.scalar(text("SELECT count(*) FROM push"))
    fired = len(rows) - left
    took = (clock.as_utc(last) - midnight).total_seconds() if last else float("inf")
    done = f"all done in {took:.0f} s" if left == 0 else f"{left:,} still waiting after {took:.0f} s"
    print(f"timer drain per s: {fired / took:.0f} ({len(rows):,} period ends due at the same instant, fired with the "
          f"pushes and list changes they cause by two scheduler processes on PostgreSQL; {done})", flush=True)
    print(f"  cpu ms per period end: schedulers {(cpu1 - cpu0) * 1000 / max(fired, 1):.1f}, PostgreSQL "
          f"{(pg1 - pg0) * 1000 / max(fired, 1):.1f} (two cores: 150 per s leaves 13.3 ms in all; machine speed: a fixed "
          f"loop took {calibration_ms():.0f} ms)", flush=True)
    print(f"  exactly once: {expired:,} listings expired, {events_[0]:,} expiry events for {events_[1]:,} listings, "
          f"{pushes[0]:,} lift pushes ({pushes[1]:,} distinct; {after - before:,} new)", flush=True)
    assert expired == fired == events_[0] == events_[1] and pushes[0] == pushes[1]


# ---------------------------------------------------------------- backup and restore

def restore_timing(app, size: int) -> None:
    """`flask backup` of the bench database, then `flask restore` into a new one (BENCH_DATABASE_URL's name +
    "_restore"), timed; the row counts are compared and a sample of timelines verified."""
    import shutil
    import tempfile

    from sqlalchemy.engine import make_url

    from app.cases.events import verify_chain
    from app.ops import backup as backup_ops

    target = make_url(URL).set(database=make_url(URL).database + "_restore")
    try:
        engine = create_engine(target)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001  (the database is missing and cannot be made: say how)
        print(f"restore: skipped, no database {target.database} ({str(exc).splitlines()[0]}); create it owned by "
              f"{target.username} and run again", flush=True)
        return
    folder = Path(tempfile.mkdtemp(prefix="xinlian-bench-backup-"))
    app.config["CHECKPOINT_DIR"] = str(folder / "checkpoints")
    with app.app_context():
        t0 = time.perf_counter()
        body = backup_ops.backup(folder / "backup")
        took_backup = time.perf_counter() - t0

    class RestoreConfig(BenchPgConfig):
        SQLALCHEMY_DATABASE_URI = target.render_as_string(hide_password=False)
        CHECKPOINT_DIR = str(folder / "checkpoints")
        UPLOAD_DIR = str(folder / "uploads")

    other = create_app(RestoreConfig)
    with other.app_context():
        t0 = time.perf_counter()
        restored = backup_ops.restore(folder / "backup")
        took_restore = time.perf_counter() - t0
        same = restored["restored_counts"] == body["counts"]
        ids = db.session.scalars(text("SELECT id FROM \"case\" ORDER BY random() LIMIT 200")).all()
        verified = sum(verify_chain(i)[0] for i in ids)
        db.session.rollback()
    dump_mb = (folder / "backup" / body["database"]["file"]).stat().st_size / 1e6
    print(f"restore {size // 1000}k s: {took_restore:.0f} (pg_restore of a {dump_mb:,.0f} MB dump into a new database, "
          f"indexes rebuilt; backup took {took_backup:.0f} s; row counts equal: {same}; {verified} of {len(ids)} sampled "
          "timelines verify)", flush=True)
    shutil.rmtree(folder, ignore_errors=True)
    assert same and verified == len(ids)


# ---------------------------------------------------------------- the credit check at city scale

LOG_ROWS = int(os.environ.get("BENCH_PG_CHECK_LOG", 10_000_000))
CHECK_CLIENTS = 20
CHECK_SECONDS = int(os.environ.get("BENCH_PG_CHECK_SECONDS", 60))  # (shorter runs swing with one busy moment)
CHECK_WARM = int(os.environ.get("BENCH_PG_CHECK_WARM", 10))  # seconds offered before the timed ones
CHECK_RATE = float(os.environ.get("BENCH_PG_CHECK_RATE", 200))  # checks per second offered by all clients together


def wsgi_app():
    """The app on the bench database, for gunicorn (`gunicorn 'bench_pg:wsgi_app()'`: the check's servers), warmed
    in each worker as production's post_worker_init does (gunicorn_conf)."""
    from app.ops.warmup import warm

    app = create_app(BenchPgConfig)
    warm(app)
    return app


def fill_check_log(app) -> int:
    """The query log holds LOG_ROWS checks (bulk, spread over two years) before the checks are timed."""
    with app.app_context():
        have = db.session.scalar(text("SELECT count(*) FROM credit_check"))
        if have < LOG_ROWS:
            db.session.execute(text("SET synchronous_commit = off"))
            unit = db.session.scalar(text("SELECT id FROM unit ORDER BY id LIMIT 1 OFFSET 1"))
            db.session.execute(text(
                "INSERT INTO credit_check (at, unit_id, user_id, api_client_id, subject_code_sealed, subject_code_digest, "
                "subject_kind, subject_id, "
                "matter_type, matter_no, verdict, listing_ids, batch) "
                "SELECT now() - (g % 730) * interval '1 day' - (g % 86400) * interval '1 second', :unit, NULL, NULL, "
                "s.code_sealed, s.code_digest, s.kind, s.id, 'licence', 'XK-' || g, 'clear', '[]', NULL "
                "FROM generate_series(1, :n) g JOIN subject s ON s.id = 1 + (g % (SELECT max(id) FROM subject))"),
                {"unit": unit, "n": LOG_ROWS - have})
            db.session.commit()
            vacuum("credit_check")
        return db.session.scalar(text("SELECT count(*) FROM credit_check"))


# What a check reads (the subject by its code, its listings and the catalog) and writes (the query log and its indexes).
CHECK_TABLES = ("subject", "listing", "listing_unit", "catalog_version", "catalog_entry", "unit", "api_client", "credit_check")


def prewarm(app, tables) -> None:
    """The tables' indexes, and those tables' rows but the query log's, read into PostgreSQL's shared buffers with
    pg_prewarm (when the server has the extension; BENCH_PG_PREWARM=0 skips it): a server that has been answering
    checks for a while holds them. On a VM that evicts page cache it does not use (DAMON's pageout here), only
    shared_buffers keeps them, so size it as for production (about a quarter of RAM) before measuring."""
    if os.environ.get("BENCH_PG_PREWARM", "1") == "0":
        return
    with app.app_context():
        try:  # (the seeding dropped the schema, and an extension installed in it with it; a superuser adds it back)
            with db.session.begin_nested():
                db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_prewarm"))
            db.session.commit()
        except DBAPIError:
            db.session.rollback()
        if not db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'pg_prewarm'")):
            print("  (pg_prewarm is not installed in the bench database: CREATE EXTENSION pg_prewarm as a superuser "
                  "to start from warm buffers)", flush=True)
            return
        t0 = time.perf_counter()
        rels = db.session.scalars(text(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid::regclass::text = ANY(:t) "
            "UNION ALL SELECT unnest(CAST(:heaps AS text[]))"),
            {"t": list(tables), "heaps": [t for t in tables if t != "credit_check"]}).all()
        blocks = sum(db.session.scalar(text("SELECT pg_prewarm(CAST(:r AS regclass))"), {"r": r}) for r in rels)
        buffers = db.session.scalar(text("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'"))
        db.session.rollback()
        print(f"  prewarmed {len(rels)} relations ({blocks * 8 // 1024:,} MB) in {time.perf_counter() - t0:.0f} s; "
              f"shared_buffers {int(buffers) * 8 // 1024:,} MB", flush=True)


class _Conn:
    """A kept-alive HTTP/1.1 connection that sends prepared bytes and reads one answer by its Content-Length: the
    load clients share the machine's two cores with the servers they measure, so they should cost little
    (http.client's header parsing took about a millisecond of CPU per check)."""

    def __init__(self, port: int):
        import socket

        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def post(self, request: bytes) -> tuple[int, bool]:
        """(status, whether the server will close the connection)"""
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buf:
            self._read()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        headers = dict(line.split(b":", 1) for line in lines[1:])
        headers = {k.strip().lower(): v.strip().lower() for k, v in headers.items()}
        length = int(headers.get(b"content-length", b"0"))
        while len(self.buf) < length:
            self._read()
        self.buf = self.buf[length:]
        return int(lines[0].split()[1]), headers.get(b"connection") == b"close"

    def _read(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buf += chunk

    def close(self) -> None:
        self.sock.close()


def _check_clients(port: int, token: str, codes: list[str], threads: int, start: float, queue, seed: int) -> None:
    """`threads` API clients in one process (as approval desks' systems would be: outside the servers). Each sends
    its checks at random (Poisson) times, CHECK_RATE / CHECK_CLIENTS per second, over a kept-alive connection: the
    load is offered at the target rate, not as fast as answers come back (which measures only queueing). A check's
    time runs from the moment it was due to be sent, so a client held up by a slow answer counts that wait too.
    The first CHECK_WARM seconds are offered the same way but not counted (every worker's connection, compiled and
    prepared statements in use, as on a server that has been answering checks)."""
    import threading

    per_client = CHECK_RATE / CHECK_CLIENTS
    times, errors, answered, cpu0 = [], [], [], time.process_time()
    head = (f"POST /api/v1/checks HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nContent-Length: ")

    def client_loop(n):
        rng = random.Random(f"{seed}-{n}")
        conn = _Conn(port)
        due, i = start + rng.expovariate(per_client), 0
        while due < start + CHECK_WARM + CHECK_SECONDS:
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            body = json.dumps({"code": rng.choice(codes), "matter_type": "licence",
                               "matter_no": f"C{seed}-{n}-{i}"}).encode()
            try:
                # (a connection the server closed is opened again when the next check is sent, as an HTTP client
                # does: one opened at once would sit idle in a server's accept queue or hold a worker meanwhile)
                conn = conn or _Conn(port)
                status, closing = conn.post(f"{head}{len(body)}\r\n\r\n".encode() + body)
                if closing:
                    conn.close()
                    conn = None
            except (OSError, ValueError, IndexError) as exc:  # (a refused, cut or garbled answer: an error, counted)
                status = type(exc).__name__
                if conn is not None:
                    conn.close()
                conn = None
            answered.append(status == 200)
            if due >= start + CHECK_WARM:
                times.append(time.time() - due)
                if status != 200:
                    errors.append(status)
            i += 1
            due += rng.expovariate(per_client)
        if conn is not None:
            conn.close()

    ts = [threading.Thread(target=client_loop, args=(n,)) for n in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    queue.put((times, errors, sum(answered), (time.process_time() - cpu0) / max(len(answered), 1)))


def _start_check_servers(workers: int, log) -> tuple[subprocess.Popen, int]:
    """gunicorn with production's worker settings (gthread, one thread each, idle connections kept) on the bench database;
    every worker warmed up (connections open, statements compiled) before anything is measured."""
    import http.client
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from app.ops import gunicorn_conf  # reason: production's worker settings (read only here)

    default = f"-k {gunicorn_conf.worker_class} --threads {gunicorn_conf.threads} --keep-alive {gunicorn_conf.keepalive}"
    args = os.environ.get("BENCH_PG_CHECK_GUNICORN", default).split()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", *args, "--workers", str(workers), "--bind",
                               f"127.0.0.1:{port}", "--chdir", str(Path(__file__).parent), "bench_pg:wsgi_app()"],
                              stdout=log, stderr=log,
                              env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1])))
    for _ in range(240):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("the check servers did not start")


def check_at_scale(app) -> None:
    """The check offered at CHECK_RATE per second by CHECK_CLIENTS API clients (two client processes) to gunicorn
    servers on the bench database: what a deployment on this machine would answer."""
    import http.client
    import multiprocessing

    from stdnum.cn import uscc

    from app.api import clients

    logged = fill_check_log(app)
    prewarm(app, CHECK_TABLES)
    with app.app_context():
        subjects = db.session.scalar(text("SELECT count(*) FROM subject"))
        listed = db.session.scalars(select(Subject.code).join(Listing, Listing.subject_id == Subject.id)
                                    .where(Listing.status == "in_effect").order_by(func.random()).limit(3000)).all()
        _client, token, _secret = clients.create(sqlite_bench.user("admin"), "bench-pg", sqlite_bench.user("market_cw").unit_id,
                                                 ["check"])
        clients.approve(sqlite_bench.user("secadmin"), _client.id)
        db.session.commit()
    unknown = [b + uscc.calc_check_digit(b + "0") for b in (f"91510400MC{i:07d}" for i in range(1000))]
    codes = listed + unknown
    workers = int(os.environ.get("BENCH_PG_CHECK_WORKERS", production.default_workers()))
    server_log = tempfile.TemporaryFile("w+")  # the servers' request lines: each check's time inside the app
    server, port = _start_check_servers(workers, server_log)
    try:
        for i in range(workers * 20):  # (warm-up: logged like any check, counted below)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("POST", "/api/v1/checks", json.dumps({"code": codes[i], "matter_type": "licence", "matter_no": f"W{i}"}),
                         {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            conn.getresponse().read()
            conn.close()
        with app.app_context():
            before = db.session.scalar(text("SELECT count(*) FROM credit_check"))
        ctx = multiprocessing.get_context("spawn")
        queue, start = ctx.Queue(), time.time() + 3  # (the client processes are up by then)
        procs = [ctx.Process(target=_check_clients, args=(port, token, codes, CHECK_CLIENTS // 2, start, queue, k))
                 for k in range(2)]
        for p in procs:
            p.start()
        time.sleep(max(0.0, start + CHECK_WARM - time.time()))
        cpu0, pg0 = tree_cpu([server.pid]), postgres_cpu()
        results = [queue.get() for _ in procs]
        cpu1, pg1 = tree_cpu([server.pid]), postgres_cpu()
        for p in procs:
            p.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    times = [t for ts, *_r in results for t in ts]
    errors = [e for _t, es, *_r in results for e in es]
    answered = sum(r[2] for r in results)
    inside = _server_times(server_log, start + CHECK_WARM)
    client_cpu = statistics.mean(r[3] for r in results)
    with app.app_context():
        after = db.session.scalar(text("SELECT count(*) FROM credit_check"))
    n = max(len(times), 1)
    print(f"check p95 ms: {p95(times):.1f} (median {statistics.median(times) * 1000:.1f}; {CHECK_CLIENTS} API clients in 2 "
          f"processes offering {CHECK_RATE:.0f} checks per s at random times to {workers} gunicorn workers for "
          f"{CHECK_SECONDS} s after {CHECK_WARM} s not counted; inside the servers p95 {p95(inside):.1f}, "
          f"median {statistics.median(inside or [0]) * 1000:.1f}; "
          f"{len(times) / CHECK_SECONDS:.0f} checks per s answered; {subjects:,} subjects, {logged:,} logged checks before; "
          f"{len(errors)} errors {dict(collections.Counter(errors))}; {after - before:,} new log rows for {answered:,} checks answered; "
          f"cpu ms per check: servers {(cpu1 - cpu0) * 1000 / n:.1f}, PostgreSQL {(pg1 - pg0) * 1000 / n:.1f}, "
          f"load clients {client_cpu * 1000:.2f}; machine speed: a fixed loop took {calibration_ms():.0f} ms)", flush=True)
    assert after - before == answered, collections.Counter(errors)
    batch_check(app, listed, unknown)


def _server_times(log, since: float) -> list[float]:
    """Seconds each check took inside the app (its request log line), for checks answered after `since`."""
    log.seek(0)
    out = []
    for line in log:
        if '"api_checks.create_check"' in line:
            entry = json.loads(line)
            if datetime.fromisoformat(entry["ts"]).timestamp() >= since:
                out.append(entry["duration_ms"] / 1000)
    log.close()
    return out


def batch_check(app, listed, unknown) -> None:
    """A 10,000-row CSV through the batch page (upload, every row checked and logged, the XLSX answer)."""
    import io

    rng = random.Random(9)
    rows = ["代码,事项类型,事项编号,名称"] + [f"{rng.choice(listed + unknown)},licence,PL-{i}," for i in range(10_000)]
    data = "\n".join(rows).encode("utf-8")
    client = login(app, "market_cw")
    page = client.get("/check/batch").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    t0 = time.perf_counter()
    resp = client.post("/check/batch", data={"csrf_token": token, "file": (io.BytesIO(data), "batch.csv")},
                       content_type="multipart/form-data")
    took = time.perf_counter() - t0
    assert resp.status_code == 200 and resp.mimetype.endswith("sheet"), resp.get_data(as_text=True)[:500]
    print(f"batch check 10k s: {took:.1f} (10,000 rows uploaded as CSV, each checked and logged, XLSX answer)", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["scheduler"]:
        scheduler_process()
    else:
        main()

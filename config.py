"""Configuration classes. Values come from environment variables so the same code runs embedded
(SQLite, scheduler in-process) and scaled out (PostgreSQL, several workers, one scheduler process)."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("XINLIAN_INSTANCE_DIR", BASE_DIR / "instance"))

# Working-day deadline rules per workflow step: (working days, source). The BPMN user tasks name a rule
# with their "deadline_rule" property. Seed 001 says "within the set time" without figures; these are the
# office's configurable defaults and every deadline shown says which rule produced it.
DEFAULT_DEADLINE_RULES = {
    "pre_review": (5, "local"),
    # The office names the determining body of a case spanning several groups (seed 001 二(二)1).
    "decide_route": (5, "local"),
    "amend_trigger": (10, "local"),
    "schedule_meeting": (10, "local"),
    # Before a determination that lists a subject it is told the intended decision, and may state its case
    # within the statement period (国办发〔2020〕49号 (八); the period is the office's local default).
    "issue_notice": (5, "local"),
    "statement_period": (5, "local"),
    # A reported error in a subject's data is verified and corrected by the unit responsible (信息更正).
    "correction_verify": (5, "local"),
    # A unit convened to a determination meeting confirms whether it attends.
    "attendance_confirm": (2, "local"),
    "determination": (20, "local"),
    "file_decision": (5, "local"),
    "notify_groups": (5, "local"),
    "implement": (10, "local"),
    "compile_feedback": (5, "local"),
    # Experts answer an invitation within 2 working days (issue: experts; a local default).
    "expert_response": (2, "local"),
    # Objections and complaints (seed 001 二(三) "within the set time"; the default reply time).
    "objection_reply": (5, "local"),
    # A subject objects within this many calendar days of being served the decision (counted from service;
    # before the service is recorded the subject may object at any time).
    "objection_window": (60, "local"),
    "complaint_window": (10, "local"),
    "complaint_schedule": (5, "local"),
    "complaint_decide": (20, "local"),
    # Credit repair review by the organ that handled the behaviour, and the applicant's supplements.
    "repair_review": (10, "local"),
    "repair_supplement": (10, "local"),
    # A unit confirms a pushed change of a measure (suspend, resume, lift: seed 001 二(一)2 信息推送、执行反馈).
    "push_confirm": (3, "local"),
    # A member unit's proposal for the catalog (seed 001 二(一)1: 各成员单位梳理……由联席会议办公室整理汇总): the office
    # reviews it; a proposal returned for changes is amended by the unit.
    "proposal_review": (10, "local"),
    "proposal_amend": (10, "local"),
    # Data calls (报送): a unit answers by the call's own deadline (this is the default when the office gives
    # none); the office accepts or returns each answer.
    "data_call_submit": (5, "local"),
    "data_call_review": (3, "local"),
    # Reports of dishonest behaviour from the public: the office assigns each to the unit responsible, which
    # verifies it and files a trigger or closes it (seed 004 (二十四) 联合受理查处失信投诉举报; local defaults).
    "report_assign": (3, "local"),
    "report_verify": (15, "local"),
    # 双公示: administrative licences and penalties published within 7 working days of the decision (seed 000 六, seed 003
    # 5); random-inspection results (双随机) entered within 20 working days (seed 004 (八)).
    "publicity_licence": (7, "seed 000 六; seed 003 5"),
    "publicity_penalty": (7, "seed 000 六; seed 003 5"),
    "publicity_inspection": (20, "seed 004 (八)"),
    # The office decides the reward of a confirmed report (seed 002 五(三) 对举报人实行有偿奖励; local default).
    "report_reward": (10, "local"),
    # Implementing units report periodically while listings are in effect (calendar days, e.g. a quarter).
    "report_interval": (90, "local"),
}
# Rules counted in calendar days rather than working days.
CALENDAR_DAY_RULES = {"report_interval", "objection_window"}

# Default draw for a meeting: at least one legal expert and two from each industry of the case, plus
# reserves per field (seed 001 二(二)2 asks for industry and legal experts drawn at random).
DEFAULT_DRAW = {"legal": 1, "industry": 2, "reserves": 1}
# A determination is recorded only if this share of the drawn expert seats took part (1.0: every seat).
EXPERT_QUORUM = float(os.environ.get("XINLIAN_EXPERT_QUORUM", 1.0))

# Monitoring (seed 003): registered enterprises in the city, and the catalog entries that put a subject on
# the serious-dishonesty list; the share of such subjects is to stay under 1%.
REGISTERED_ENTERPRISES = int(os.environ.get("XINLIAN_REGISTERED_ENTERPRISES", 150_000))

# Credit repair: minimum publication period (calendar days from the start of the punishment) before a
# subject may apply. The 2023 national measures on credit repair set at least 3 months for ordinary
# administrative penalty information and at least 1 year in production safety, fire safety and special
# equipment; entries of those fields are listed by catalog code. Local configuration, documented in README.
REPAIR_MIN_DAYS_DEFAULT = int(os.environ.get("XINLIAN_REPAIR_MIN_DAYS", 90))
REPAIR_MIN_DAYS_BY_ENTRY = {"ENV-P-001": 365}

# A decision to punish is served on each subject within this many working days of its issue (《行政处罚法》第六十一条:
# 七日内依照民事诉讼法的有关规定送达; 第八十五条: its 七日 are working days): the case page shows the day, and supervisors
# list the decisions still unserved after it.
DECISION_SERVICE_DAYS = int(os.environ.get("XINLIAN_DECISION_SERVICE_DAYS", 7))

# The credit check (逢批必查): the kinds of approval matter a desk picks from, in this order. A city names its
# own with XINLIAN_CHECK_MATTER_TYPES="licence,subsidy,...", from the keys of app.labels.MATTER_TYPE_LABELS.
CHECK_MATTER_TYPES = [k.strip() for k in os.environ.get(
    "XINLIAN_CHECK_MATTER_TYPES",
    "licence,qualification,subsidy,honour,procurement,bidding,land,financing,supervision,recruitment,appointment,"
    "major_decision,other").split(",") if k.strip()]
# A batch check takes at most this many rows.
CHECK_BATCH_MAX_ROWS = int(os.environ.get("XINLIAN_CHECK_BATCH_MAX_ROWS", 10000))


def _deadline_rules() -> dict:
    """Defaults, each overridable by an environment variable XINLIAN_DEADLINE_<RULE> (working days)."""
    rules = {}
    for name, (days, source) in DEFAULT_DEADLINE_RULES.items():
        override = os.environ.get(f"XINLIAN_DEADLINE_{name.upper()}")
        rules[name] = (int(override), "local") if override else (days, source)
    return rules


def _secret_key() -> str:
    """SECRET_KEY from the environment; otherwise a random key kept in the instance folder (never a fixed,
    publicly known value: anyone knowing the key could sign themselves a session)."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


CHAIN_KEY_FILE = os.environ.get("XINLIAN_CHAIN_KEY_FILE", str(INSTANCE_DIR / "chain.key"))


def _chain_key() -> str:
    """The key of the timelines' keyed hashes (HMAC). Kept outside the database — in the environment or a
    file of the instance folder (a key file or a key service in production) — so that someone who can
    write the database cannot recompute a chain."""
    if os.environ.get("XINLIAN_CHAIN_KEY"):
        return os.environ["XINLIAN_CHAIN_KEY"]
    path = Path(CHAIN_KEY_FILE)
    if not path.exists():
        if os.environ.get("XINLIAN_ENV") == "production":
            # Not made here in production: a server whose key file was not copied would sign with a key of its
            # own, and every chain it wrote would fail the others' checks. `flask keys init` makes it once.
            return ""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SECRET_KEY = _secret_key()
    CHAIN_KEY = _chain_key()
    CHAIN_KEY_FILE = CHAIN_KEY_FILE
    # Keys sealing identity numbers and contact details (app/crypto): a key file outside the database, made on
    # first use except in production (every server needs the same provisioned file), or a key service.
    DATA_KEY_FILE = os.environ.get("XINLIAN_DATA_KEY_FILE", str(INSTANCE_DIR / "data.key"))
    DATA_KEY_PROVIDER = os.environ.get("XINLIAN_DATA_KEY_PROVIDER") or None
    DATA_KEY_CREATE = os.environ.get("XINLIAN_ENV") != "production"
    # The keyed hash of new timeline events: hmac-sm3 (national algorithm, 密评) or hmac-sha256.
    CHAIN_ALG = os.environ.get("XINLIAN_CHAIN_ALG", "hmac-sm3")
    # Signed checkpoints of every timeline's head, written outside the database (a folder that backups and
    # auditors keep apart from the database dumps).
    CHECKPOINT_DIR = os.environ.get("XINLIAN_CHECKPOINT_DIR", str(INSTANCE_DIR / "checkpoints"))
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'xinlian.db'}"
    )
    # A pooled connection broken by a database restart is noticed and replaced before use, so the app recovers
    # by itself after an outage (during one, users get the 503 page, see app.register_errorhandlers): a
    # connection idle this many seconds is pinged first (app.ops.db_liveness; not one ping per request).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    DB_PING_AFTER_IDLE_SECONDS = float(os.environ.get("XINLIAN_DB_PING_AFTER_IDLE_SECONDS", 1.0))
    # PostgreSQL: how many pages a bitmap heap scan asks the disk for ahead of reading them (effective_io_concurrency,
    # set on each connection). The server's default, 1, reads a search's matching rows one at a time when they are
    # not in memory; SSDs and networked volumes answer many at once (a cold search at a million cases waited on
    # ~1,500 such reads). 0 leaves the server's own setting.
    PG_IO_CONCURRENCY = int(os.environ.get("XINLIAN_PG_IO_CONCURRENCY", 200))
    BPMN_DIR = str(BASE_DIR / "bpmn")
    UPLOAD_DIR = os.environ.get("XINLIAN_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # Where uploaded files and generated reports are kept: "local" (UPLOAD_DIR, one machine) or "database"
    # (every app server of a cluster reads the same files); `flask files move` copies them across.
    FILE_STORE = os.environ.get("XINLIAN_FILE_STORE", "local")
    MAX_UPLOAD_BYTES = int(os.environ.get("XINLIAN_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))
    # Whole request cap (several files per form); Werkzeug answers 413 above it.
    MAX_CONTENT_LENGTH = 5 * MAX_UPLOAD_BYTES
    ALLOWED_UPLOAD_TYPES = {
        "pdf": "application/pdf",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    DEADLINE_RULES = _deadline_rules()
    DRAW_DEFAULTS = DEFAULT_DRAW
    EXPERT_QUORUM = EXPERT_QUORUM
    REPAIR_MIN_DAYS_DEFAULT = REPAIR_MIN_DAYS_DEFAULT
    DECISION_SERVICE_DAYS = DECISION_SERVICE_DAYS
    REGISTERED_ENTERPRISES = REGISTERED_ENTERPRISES
    REPAIR_MIN_DAYS_BY_ENTRY = REPAIR_MIN_DAYS_BY_ENTRY
    CHECK_MATTER_TYPES = CHECK_MATTER_TYPES
    CHECK_BATCH_MAX_ROWS = CHECK_BATCH_MAX_ROWS
    # Work overdue by more than this many working days is escalated: its unit is notified (通报) automatically.
    ESCALATE_AFTER_WORKING_DAYS = int(os.environ.get("XINLIAN_ESCALATE_AFTER_WORKING_DAYS", 3))
    # A reminder is recorded this many working days before a task's deadline.
    REMINDER_WORKING_DAYS = 1
    # "Due soon" badge in inboxes: deadline within this many calendar days.
    DUE_SOON_DAYS = 2
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh", "en"]
    BOOTSTRAP_SERVE_LOCAL = True
    SCHEDULER_ENABLED = os.environ.get("XINLIAN_SCHEDULER", "1") == "1"
    SCHEDULER_INTERVAL_SECONDS = int(os.environ.get("XINLIAN_SCHEDULER_INTERVAL", 30))
    TIMER_INTERVAL_SECONDS = float(os.environ.get("XINLIAN_TIMER_INTERVAL", 1))  # engine timers: at most this late
    # Engine timers fired per transaction (one commit for the batch; a failure retries them one per transaction):
    # fewer commits when thousands fall due at once.
    TIMER_BATCH = int(os.environ.get("XINLIAN_TIMER_BATCH", 25))
    # Megabytes of saved workflow state kept in memory per process after their save commits (app.engine.cache; about
    # four times that in objects); 0: none.
    WORKFLOW_CACHE_MB = float(os.environ.get("XINLIAN_WORKFLOW_CACHE_MB", 16))
    # /metrics answers a request carrying "Authorization: Bearer <token>", or from an address in the allow list.
    METRICS_TOKEN = os.environ.get("XINLIAN_METRICS_TOKEN", "")
    METRICS_ALLOW = os.environ.get("XINLIAN_METRICS_ALLOW", "127.0.0.1/32,::1/128")
    # Two-factor login: required for these roles (others may enrol); XINLIAN_TWO_FACTOR=0 turns it off for a
    # demo, which production refuses to start with.
    TWO_FACTOR = os.environ.get("XINLIAN_TWO_FACTOR", "1") == "1"
    TWO_FACTOR_ROLES = tuple(r for r in os.environ.get("XINLIAN_TWO_FACTOR_ROLES", "admin,security_admin,audit_admin,office,supervisor").split(",") if r)
    # A session unused for this long is ended (等保: 登录连接超时自动退出).
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("XINLIAN_IDLE_TIMEOUT_MINUTES", 30))
    SINGLE_SESSION = os.environ.get("XINLIAN_SINGLE_SESSION", "0") == "1"  # a new login ends the user's other sessions
    PROXY_HOPS = int(os.environ.get("XINLIAN_PROXY_HOPS", 0))  # reverse proxies in front (1 behind nginx)
    LOG_FORMAT = os.environ.get("XINLIAN_LOG_FORMAT", "json")  # json | text
    # No scheduler heartbeat for this long: administrators and supervisors are warned, the metrics say so.
    SCHEDULER_STALE_SECONDS = int(os.environ.get("XINLIAN_SCHEDULER_STALE", max(3 * SCHEDULER_INTERVAL_SECONDS, 90)))
    # The scheduler recomputes the dashboard's all-time figures this often; the page reads them (with their
    # time) and falls back to computing them itself once they are three intervals old (no scheduler running).
    DASHBOARD_REFRESH_SECONDS = int(os.environ.get("XINLIAN_DASHBOARD_REFRESH", 300))
    # Throttling (Flask-Limiter; storage shared by all web servers in production, e.g. redis://).
    RATELIMIT_STORAGE_URI = os.environ.get("XINLIAN_RATELIMIT_STORAGE", "process-memory://")
    # Webhooks may not go to this server's own loopback address unless this is set (a receiver on the same host).
    WEBHOOK_ALLOW_LOOPBACK = os.environ.get("XINLIAN_WEBHOOK_ALLOW_LOOPBACK") == "1"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("XINLIAN_LOGIN_RATE_LIMIT", "10 per minute;60 per hour")
    REGISTER_RATE_LIMIT = os.environ.get("XINLIAN_REGISTER_RATE_LIMIT", "5 per minute;20 per hour")
    API_RATE_LIMIT = os.environ.get("XINLIAN_API_RATE_LIMIT", "600 per minute")
    # Reports from the public filed, and their queries, per address; every report form sent (filed or refused).
    REPORT_RATE_LIMIT = os.environ.get("XINLIAN_REPORT_RATE_LIMIT", "3 per minute;10 per hour;30 per day")
    REPORT_ATTEMPT_RATE_LIMIT = os.environ.get("XINLIAN_REPORT_ATTEMPT_RATE_LIMIT", "20 per minute;100 per hour")
    # Searches of the public lists, per address (a person's whole identity number confirms their listing: guessing the
    # masked digits one request at a time must not be quick).
    PUBLIC_SEARCH_RATE_LIMIT = os.environ.get("XINLIAN_PUBLIC_SEARCH_RATE_LIMIT", "30 per minute;300 per hour")
    # Wrong passwords in a row before an account is locked, and for how long.
    LOGIN_MAX_FAILURES = int(os.environ.get("XINLIAN_LOGIN_MAX_FAILURES", 5))
    LOGIN_LOCK_MINUTES = int(os.environ.get("XINLIAN_LOGIN_LOCK_MINUTES", 15))
    PASSWORD_MIN_LENGTH = int(os.environ.get("XINLIAN_PASSWORD_MIN_LENGTH", 10))
    # 等保: passwords changed regularly (0: never expire) and not reused (the last N are refused).
    PASSWORD_MAX_AGE_DAYS = int(os.environ.get("XINLIAN_PASSWORD_MAX_AGE_DAYS", 90))
    PASSWORD_HISTORY = int(os.environ.get("XINLIAN_PASSWORD_HISTORY", 5))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    PER_PAGE = 25


class DevConfig(Config):
    DEBUG = False


def is_test_database(url: str) -> bool:
    """A database the test suite may empty: its name (or SQLite file name) says "test"."""
    from sqlalchemy.engine import make_url

    try:
        name = make_url(url).database or ""
    except Exception:  # noqa: BLE001  (an unparsable URL is certainly not a known test database)
        return False
    return "test" in Path(name).name.lower()


class TestConfig(Config):
    """Tests read only TEST_DATABASE_URL (never DATABASE_URL, which names a real database) and the suite
    refuses any database whose name does not say "test" before it drops anything (see tests/conftest.py)."""

    TESTING = True
    SQLITE_EXPLICIT_BEGIN = True  # every test is rolled back to a savepoint (see app._sqlite_pragmas)
    # Throttling stays on but generous; the throttling tests set the production limits.
    LOGIN_RATE_LIMIT = REGISTER_RATE_LIMIT = API_RATE_LIMIT = REPORT_RATE_LIMIT = REPORT_ATTEMPT_RATE_LIMIT = \
        PUBLIC_SEARCH_RATE_LIMIT = "100000 per minute"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite:///" + str(
        BASE_DIR / "instance" / "test.db"
    )
    SCHEDULER_ENABLED = False
    TWO_FACTOR = False  # (tests/web/test_two_factor.py turns it on)
    PASSWORD_MAX_AGE_DAYS = 0  # (tests/web/test_two_factor.py turns expiry on; clocks moved by years would expire every login)
    WEBHOOK_ALLOW_LOOPBACK = True  # (the webhook tests' receiver listens on 127.0.0.1)
    SECRET_KEY = "test-secret"
    CHAIN_KEY = "test-chain-key"
    DATA_KEY_FILE = str(BASE_DIR / "instance" / "test-data.key")
    DATA_KEY_PROVIDER = None
    DATA_KEY_CREATE = True
    UPLOAD_DIR = str(BASE_DIR / "instance" / "test-uploads")


class ProdConfig(Config):
    SESSION_COOKIE_SECURE = os.environ.get("XINLIAN_INSECURE_COOKIES") != "1"

    @classmethod
    def check(cls):
        key = os.environ.get("SECRET_KEY", "")
        if len(key) < 32:
            raise RuntimeError("Production needs SECRET_KEY of at least 32 characters in the environment.")
        if os.environ.get("XINLIAN_TWO_FACTOR", "1") != "1":
            raise RuntimeError("Production does not run without two-factor login (XINLIAN_TWO_FACTOR=0 is for the demo).")

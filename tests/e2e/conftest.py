"""Browser journeys: the real app (`flask serve`, with its in-process scheduler) on a fresh SQLite database
loaded by `flask demo`, driven by Debian's headless Chromium through Playwright.

One server and one browser per session. Each test gets `people`: one browser context (own cookies) per
demo login, so a journey hands a case from user to user the way the office does. When a test fails, every
page it opened is saved to tests/e2e/artifacts/ as a full-page PNG plus its HTML (CI keeps that folder).

These tests are not collected by `make test` (pytest.ini: norecursedirs); run them with `make e2e` or
`.venv/bin/python -m pytest tests/e2e` once requirements-e2e.txt is installed."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.a11y import AxeAudit
from tests.e2e.ui import DEMO_PASSWORD, login, new_subject

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("XINLIAN_E2E_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling Google services (closed network here).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_TIMEOUT = 60

expect.set_options(timeout=15_000)


def _run(env: dict, argv: list[str], timeout: int) -> subprocess.CompletedProcess:
    """Run a seeding command; when it fails, the failure says what it printed (CI keeps only pytest's report)."""
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        pytest.fail(f"{' '.join(argv)} exited {done.returncode}\n--- stdout ---\n{done.stdout[-4000:]}\n"
                    f"--- stderr ---\n{done.stderr[-8000:]}", pytrace=False)
    return done


def _flask(env: dict, *args: str) -> subprocess.CompletedProcess:
    return _run(env, [str(ROOT / ".venv" / "bin" / "flask"), *args], timeout=300)


def _python(env: dict, script: str, *args: str) -> subprocess.CompletedProcess:
    return _run(env, [str(ROOT / ".venv" / "bin" / "python"), str(Path(__file__).with_name(script)), *args], timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"flask serve exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url + "/login", timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling the server's start, not waiting inside a journey
    raise RuntimeError(f"flask serve did not answer within {SERVER_START_TIMEOUT}s:\n{log.read_text()[-4000:]}")


class Server:
    def __init__(self, url: str, demo_output: str, history: dict, keyboard: dict):
        self.url = url
        self.demo_output = demo_output
        self.history = history  # the case tests/e2e/history.py made: number, id, subject_name, subject_code
        self.keyboard = keyboard  # the cases tests/e2e/seed_keyboard.py made for the keyboard-only journeys

    def demo_access_code(self) -> tuple[str, str]:
        """The (subject code, access code) that `flask demo` prints for trying /portal/register."""
        m = re.search(r"code (\S+), access code (\S+)", self.demo_output)
        assert m, f"flask demo printed no access code:\n{self.demo_output}"
        return m.group(1), m.group(2)


def pytest_configure(config):
    # pytest.ini makes every warning an error; a step marked with ui.known_app_bug is reported, not failed
    # (it shows in the warnings summary of every run until the app is fixed).
    config.addinivalue_line("filterwarnings", "always::tests.e2e.ui.KnownAppBug")


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`flask db upgrade`, `flask demo` and `flask serve` on a free port, in a temporary instance folder."""
    instance = tmp_path_factory.mktemp("xinlian-e2e")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINLIAN_", "FLASK_")) and k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(
        FLASK_APP="wsgi",
        XINLIAN_INSTANCE_DIR=str(instance),
        DATABASE_URL=f"sqlite:///{instance / 'xinlian.db'}",
        PYTHONUNBUFFERED="1",
        # Logins and registrations are throttled per address; here every person of the journeys comes from
        # 127.0.0.1 (about 30 logins in the first minutes), so the e2e server allows more per address.
        XINLIAN_LOGIN_RATE_LIMIT="600 per minute",
        XINLIAN_TWO_FACTOR="0",  # (the demo setting; the two-factor journey is tested in tests/web)
        XINLIAN_REGISTER_RATE_LIMIT="600 per minute",
    )
    _flask(env, "db", "upgrade")
    demo = _flask(env, "demo").stdout
    name, code = new_subject("信联往期")
    seeded = _python(env, "history.py", code, name)
    history = dict(json.loads(seeded.stdout.strip().splitlines()[-1]), subject_name=name, subject_code=code)
    (name1, code1), (name2, code2) = new_subject("信联键盘甲"), new_subject("信联键盘乙")
    seeded = _python(env, "seed_keyboard.py", code1, name1, code2, name2)
    keyboard = json.loads(seeded.stdout.strip().splitlines()[-1])
    keyboard["objection"].update(subject_name=name1, subject_code=code1)
    keyboard["implementation"].update(subject_name=name2, subject_code=code2)
    # What the scheduler's first tick would do, done before any journey starts so that no journey races it:
    # timers that fell due in the backdated history fire (e.g. the quarterly report of the case decided 120
    # days ago) and overdue deadlines are marked.
    _flask(env, "sweep")
    port = _free_port()
    log = instance / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "flask"), "serve", "--port", str(port)], cwd=ROOT, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, proc, log)
        yield Server(url, demo, history, keyboard)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(log, ARTIFACTS / "server.log")  # the app's own log of the run, kept with the screenshots


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) or set XINLIAN_E2E_CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class People:
    """One logged-in page per user: people("market_lead") returns that user's page. Each user logs in
    through the login page once per session; later tests reuse the session cookie (logins hash slowly)."""

    sessions: dict[str, dict] = {}  # username -> storage state after logging in

    def __init__(self, browser, base_url: str, audit: AxeAudit):
        self.browser, self.base_url, self.audit = browser, base_url, audit
        self.pages: dict[str, Page] = {}

    def new_page(self, label: str, storage_state: dict | None = None, viewport: dict | None = None) -> Page:
        ctx = self.browser.new_context(base_url=self.base_url, locale="zh-CN", timezone_id="Asia/Shanghai",
                                       viewport=viewport or {"width": 1400, "height": 1000}, storage_state=storage_state,
                                       # no colour transitions half-way when axe checks a focused button
                                       reduced_motion="reduce")
        ctx.set_default_timeout(15_000)
        page = ctx.new_page()
        self.audit.watch(page, label)
        self.pages[label] = page
        return page

    def anonymous(self, label: str = "anonymous") -> Page:
        return self.pages.get(label) or self.new_page(label)

    def __call__(self, username: str, password: str = DEMO_PASSWORD) -> Page:
        if username in self.pages:
            return self.pages[username]
        state = self.sessions.get(username)
        page = self.new_page(username, storage_state=state)
        if state is None:
            login(page, username, password)
            self.sessions[username] = page.context.storage_state()
        return page

    def check_last_pages(self) -> None:
        """axe on the page each user was left on (the earlier ones were checked as the browser left them)."""
        for label, page in self.pages.items():
            if not page.is_closed():
                self.audit.check(page, label)

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


@pytest.fixture(scope="session")
def axe_audit(server):
    audit = AxeAudit(server.url)
    audit.install()
    yield audit
    audit.uninstall()
    sys.stderr.write(f"\naxe-core: {audit.checked} page states checked against WCAG 2.1 A/AA\n")


@pytest.fixture
def people(browser, server, axe_audit, request):
    p = People(browser, server.url, axe_audit)
    before = len(axe_audit.violations)
    yield p
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if not failed:
        p.check_last_pages()
    p.close()
    new = axe_audit.violations[before:]
    if new:
        pytest.fail(AxeAudit(server.url, violations=new).report(), pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir()
    yield


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """On a failed test (or failed setup), save a full-page PNG and the HTML of every page it opened."""
    report = yield
    if report.when == "call":
        item.rep_call = report  # the people fixture checks the last pages only of a test that passed
    if report.failed and report.when in ("setup", "call"):
        p = item.funcargs.get("people") if hasattr(item, "funcargs") else None
        if isinstance(p, People):
            name = re.sub(r"[^\w.-]+", "_", item.nodeid.split("::", 1)[-1])
            ARTIFACTS.mkdir(exist_ok=True)
            for label, page in p.pages.items():
                stem = ARTIFACTS / f"{name}--{label}"
                try:
                    page.screenshot(path=f"{stem}.png", full_page=True, timeout=10_000)
                    Path(f"{stem}.html").write_text(f"<!-- {page.url} -->\n" + page.content(), encoding="utf-8")
                except Exception as exc:  # noqa: BLE001  (a crashed page must not hide the test's own failure)
                    sys.stderr.write(f"could not save {stem}: {exc}\n")
    return report


@pytest.fixture(scope="session")
def expert_logins(browser, server) -> dict[str, str]:
    """Expert name → login, as the administrator's user list shows them (expert1 … expert14 in the demo)."""
    ctx = browser.new_context(base_url=server.url)
    page = ctx.new_page()
    login(page, "admin")
    page.goto("/admin/users")
    out = {}
    rows = page.locator("table tr").filter(has=page.get_by_role("cell", name="专家", exact=True))
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        out[cells[1].strip()] = cells[0].strip()
    ctx.close()
    assert len(out) >= 14, out
    return out

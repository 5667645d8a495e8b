"""The server console's account commands: a new installation's three administrators, and the password reset
that no one in the app may do (the security administrator's own; every administrator locked out)."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.auth.models import ADMIN_ROLES, RecoveryCode, Unit, User
from app.extensions import db
from app.security_log.models import SecurityEvent
from tests.conftest import csrf_from, user


def _login(client, username, password):
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_from(page)})


def _console_events():
    return db.session.scalars(select(SecurityEvent).where(SecurityEvent.kind == "console_action")
                              .order_by(SecurityEvent.seq)).all()


def test_a_new_installation_gets_its_three_administrators_once(app, ctx, client):
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    result = app.test_cli_runner().invoke(args=["accounts", "init", "--office", "市社会信用体系建设联席会议办公室"])
    assert result.exit_code == 0, result.output
    made = {u.username: u for u in db.session.scalars(select(User))}
    assert {u.role for u in made.values()} == set(ADMIN_ROLES) and set(made) == {"admin", "secadmin", "auditor"}
    office = db.session.scalar(select(Unit))
    assert office.kind == "office" and all(u.unit_id == office.id and u.must_change_password for u in made.values())
    passwords = dict(re.findall(r"^\s+(\w+)\s.*one-time password: (\S+)$", result.output, re.M))
    assert set(passwords) == set(made)
    # Each one-time password logs its holder in, who must replace it first.
    resp = _login(client, "auditor", passwords["auditor"])
    assert resp.status_code == 302 and "password" in resp.headers["Location"]
    [event] = _console_events()
    assert event.username == "console" and event.details == {"action": "accounts_initialised"}
    # Once there are administrators the command refuses and changes nothing.
    again = app.test_cli_runner().invoke(args=["accounts", "init", "--office", "别的办公室"])
    assert again.exit_code != 0 and "已有管理员" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 3 and len(_console_events()) == 1


def test_the_console_resets_the_security_administrators_password_and_authenticator(app, org, client, monkeypatch):
    monkeypatch.undo()  # (org stores the demo password's hash for every password set; this one must be real)
    sec = user("secadmin")
    sec.totp_secret, sec.locked_until = "JBSWY3DPEHPK3PXP", clock.now() + timedelta(minutes=10)
    sessions = sec.session_version or 0
    db.session.add(RecoveryCode(user_id=sec.id, code_hash="x"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["accounts", "reset-password", "secadmin", "--two-factor"])
    assert result.exit_code == 0, result.output
    password = result.output.split("one-time password ")[1].split()[0]
    db.session.expire_all()
    sec = user("secadmin")
    assert sec.check_password(password) and sec.must_change_password and sec.locked_until is None
    assert sec.totp_secret is None and sec.session_version == sessions + 1
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == sec.id)) == 0
    assert _console_events()[-1].details == {"action": "password_reset", "two_factor": True}
    assert _login(client, "secadmin", password).status_code == 302
    unknown = app.test_cli_runner().invoke(args=["accounts", "reset-password", "nobody"])
    assert unknown.exit_code != 0 and len(_console_events()) == 1


def test_no_account_may_be_called_console(org):
    """The security log names the console's actions by "console": an account of that name would muddle them."""
    import pytest

    from app.auth.services import save_user
    from app.errors import DomainError
    from tests.helpers import unit_id

    for name in ("console", "Console"):
        with pytest.raises(DomainError) as refused:
            save_user(user("admin"), None, name, "某人", "caseworker", unit_id("市税务局"), True)
        assert refused.value.errors[0][0] == "username"


def test_a_second_init_racing_the_first_is_told_and_changes_nothing(app, ctx, monkeypatch):
    """Two consoles run `accounts init` at once: both pass the checks, the second's accounts collide in the
    database (unique usernames). It gets a clear message, not a traceback, and the first one's accounts stand."""
    from app.auth import console

    assert app.test_cli_runner().invoke(args=["accounts", "init", "--office", "联席办"]).exit_code == 0
    first = {u.username: u.password_hash for u in db.session.scalars(select(User))}
    # as if the checks had run before the first one's commit
    monkeypatch.setattr(console, "username_taken", lambda _name: False)
    monkeypatch.setattr(console.db.session, "scalar", _no_admin_yet(console.db.session.scalar))
    result = app.test_cli_runner().invoke(args=["accounts", "init"])
    assert result.exit_code == 1 and "created meanwhile" in result.output and "Traceback" not in result.output
    monkeypatch.undo()
    assert {u.username: u.password_hash for u in db.session.scalars(select(User))} == first
    assert len(_console_events()) == 1


def _no_admin_yet(scalar):
    def fake(stmt, *a, **k):
        return None if "role IN" in str(stmt) else scalar(stmt, *a, **k)
    return fake


def test_look_alike_login_names_are_refused(org):
    """Full-width letters (ｍａｒｋｅｔ_ｃｗ) and another case of a name in use (MARKET_CW) would make accounts that read as
    another's: refused with the reason, nothing created; a plain new name is taken."""
    import pytest
    from sqlalchemy import func, select

    from app.auth.models import User
    from app.auth.services import save_user
    from app.errors import DomainError
    from app.extensions import db
    from tests.helpers import unit_id

    before = db.session.scalar(select(func.count()).select_from(User))
    for name, message in (("ｍａｒｋｅｔ_ｃｗ", "半角"), ("MARKET_CW", "已被使用"), ("a b", "半角"), ("-x", "半角")):
        with pytest.raises(DomainError) as refused:
            save_user(user("admin"), None, name, "某人", "caseworker", unit_id("市税务局"), True)
        assert refused.value.errors[0][0] == "username" and message in str(refused.value.errors[0][1]), name
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == before
    made, _password = save_user(user("admin"), None, "tax.cw-2", "某人", "caseworker", unit_id("市税务局"), True)
    assert made.username == "tax.cw-2"

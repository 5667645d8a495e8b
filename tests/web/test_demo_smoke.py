"""`flask demo` as a newcomer runs it: the command loads the demo, prints the logins, and every open task
it leaves renders its form for a user who may work on it (each task form key, through HTTP)."""
from sqlalchemy import select

from app.auth.models import User
from app.cases.models import OpenTask
from app.extensions import db
from tests.conftest import login


def _worker_for(ot: OpenTask) -> User:
    if ot.assignee_id:
        return db.session.get(User, ot.assignee_id)
    return db.session.scalar(
        select(User).where(User.role == ot.role, User.unit_id == ot.unit_id, User.active.is_(True)).order_by(User.id).limit(1)
    )


def test_flask_demo_loads_once_and_every_open_task_form_renders(app, ctx, client, clock):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "demo data loaded" in result.output and "market_cw" in result.output and "/portal/register" in result.output
    again = runner.invoke(args=["demo"])
    assert "demo data already present" in again.output
    # The market regulator's 双公示 ledger shows every state a row can be in.
    from app import clock as app_clock
    from app.publicity import services as publicity
    from app.publicity.models import PublicityEntry

    today = app_clock.today_local()
    assert {publicity.state(e, today) for e in db.session.scalars(select(PublicityEntry))} == {"on_time", "late", "overdue", "pending"}

    tasks = db.session.scalars(select(OpenTask).order_by(OpenTask.id)).all()
    form_keys = {ot.form_key for ot in tasks}
    assert len(form_keys) >= 7, form_keys  # the demo leaves most kinds of task open
    seen = set()
    for ot in tasks:
        if ot.form_key in seen:
            continue
        seen.add(ot.form_key)
        worker = _worker_for(ot)
        assert worker is not None, ot.form_key
        c = app.test_client()
        login(c, worker.username, "demo1234")
        resp = c.get(f"/tasks/{ot.task_id}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, (ot.form_key, html[:300])
        assert 'name="csrf_token"' in html and "<form" in html, ot.form_key

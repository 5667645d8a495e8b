"""Command-line entry points. Like routes, each command is an edge: it calls services and commits once."""
import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from werkzeug.serving import WSGIRequestHandler, run_simple

from app.cases import checkpoints
from app.cases.events import verify_all_chains
from app.cases.runtime import checker
from app.demo import DEMO_PASSWORD, EXPERTS, USERS, load_demo, unused_access_code
from app.engine.registry import deploy_directory
from app.extensions import db
from app.scheduler import add_jobs, init_scheduler
from app.scheduler.jobs import sweep_deadlines, sweep_timers
from app.workdays.cli import calendar_cli
from app.workdays.rules import current as current_rules
from app.workdays.rules import ensure_seeded
from forms import FORMS


class _QuietHandler(WSGIRequestHandler):
    """The embedded server does not announce its software and versions (Server header)."""

    server_version = "Xinlian"
    sys_version = ""


def deploy_processes() -> list:
    """Seed the deadline rules and deploy bpmn/ (new content becomes a new process version). Flush only."""
    ensure_seeded()
    return deploy_directory(current_app.config["BPMN_DIR"], checker(set(FORMS), current_rules()))


def _print_logins() -> None:
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, full_name, role, unit in USERS:
        click.echo(f"  {username:<12} {role:<11} {full_name} · {unit}")
    click.echo(f"  expert1..expert{len(EXPERTS)}  expert      (the expert database)")
    click.echo("  applicant1   applicant   某食品有限公司 (an objection is being handled)")
    row = unused_access_code()
    if row:
        db.session.commit()
        click.echo(f"To try opening an applicant account (/portal/register): code {row[0]}, access code {row[1]}")


def register(app) -> None:
    app.cli.add_command(calendar_cli)

    @app.cli.command("deploy-bpmn")
    def deploy_bpmn():
        """Deploy the BPMN files in bpmn/ (new content becomes a new process version)."""
        versions = deploy_processes()
        db.session.commit()
        for v in versions:
            click.echo(f"{v.process_id}: version {v.id} sha256 {v.sha256[:12]}")

    @app.cli.command("demo")
    def demo():
        """Load demo units, users, catalog and cases (skipped if users already exist)."""
        deploy_processes()
        created = load_demo()
        db.session.commit()
        click.echo("demo data loaded" if created else "demo data already present")
        _print_logins()

    @app.cli.command("verify-chains")
    def verify_chains():
        """Verify every case's keyed timeline chain, then that every head of the latest signed checkpoint is
        still in its chain. Exit 1 if anything is broken."""
        broken = 0
        for number, seq in verify_all_chains():
            broken += 1
            click.echo(f"BROKEN {number}: timeline event #{seq} does not follow from the one before")
        try:
            cp = checkpoints.latest()
        except ValueError as exc:
            cp, broken = None, broken + 1
            click.echo(f"BROKEN {exc}")
        if cp is None:
            click.echo("no signed checkpoint to compare with (flask checkpoint writes one)")
        else:
            for case_id, problem in checkpoints.verify_against(cp):
                broken += 1
                click.echo(f"BROKEN case {case_id}: {problem} ({cp.path.name})")
            click.echo(f"compared with the checkpoint of {cp.created_at.isoformat()} ({len(cp.heads)} cases)")
        click.echo(f"{broken} problem(s)" if broken else "all timeline chains verify")
        if broken:
            raise SystemExit(1)

    @app.cli.command("checkpoint")
    def checkpoint():
        """Write a signed checkpoint of every timeline's head to CHECKPOINT_DIR (outside the database)."""
        path = checkpoints.write()
        click.echo(f"checkpoint written: {path}")

    @app.cli.command("sweep")
    def sweep():
        """Run the timer and deadline sweeps once."""
        fired = sweep_timers()
        reminders, breaches = sweep_deadlines()
        click.echo(f"timers fired: {fired}; reminders: {reminders}; breaches: {breaches}")

    @app.cli.command("scheduler")
    def scheduler():
        """Run the scheduler as its own process (scaled-out deployments)."""
        sched = BlockingScheduler(timezone="UTC")
        add_jobs(sched, current_app._get_current_object())
        click.echo("scheduler running; Ctrl+C to stop")
        sched.start()

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    def serve(host, port):
        """Embedded mode: web app plus the in-process scheduler."""
        app_obj = current_app._get_current_object()
        deploy_processes()
        db.session.commit()
        init_scheduler(app_obj)
        click.echo(f"Xinlian is running at http://{host}:{port}/  (Ctrl+C to stop)")
        run_simple(host, port, app_obj, threaded=True, use_reloader=False, request_handler=_QuietHandler)

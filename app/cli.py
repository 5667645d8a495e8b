"""Command-line entry points. Like routes, each command is an edge: it calls services and commits once."""
import subprocess
from pathlib import Path

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from sqlalchemy import func, select
from werkzeug.serving import WSGIRequestHandler, run_simple

from app import clock
from app.auth.cli import accounts_cli
from app.blobs import store as blobs
from app.cases import checkpoints
from app.cases.events import verify_all_chains
from app.cases.runtime import checker
from app.crypto.cli import keys_cli
from app.demo import DEMO_PASSWORD, EXPERTS, USERS, load_demo, unused_access_code
from app.engine.models import ProcessVersion
from app.engine.registry import deploy_directory
from app.extensions import db
from app.ops import backup, production, warmup
from app.scheduler import add_jobs, init_scheduler
from app.scheduler.jobs import collect_files, referenced_files, sweep_deadlines, sweep_timers
from app.security_log import services as security_log
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
    else:  # (the demo's code was used: a new one is issued on the decided case's page, 当事主体访问码)
        click.echo("The demo's access code has been used: log in as market_lead and issue a new one on a decided case's page "
                   "(当事主体访问码), then open an applicant account at /portal/register.")


def register(app) -> None:
    app.cli.add_command(calendar_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(accounts_cli)

    @app.cli.command("deploy-bpmn")
    def deploy_bpmn():
        """Deploy the BPMN files in bpmn/ (new content becomes a new process version)."""
        versions = deploy_processes()
        db.session.commit()
        for v in versions:  # (the process's own version number; the id is the row's, shared by all processes)
            n = db.session.scalar(select(func.count()).select_from(ProcessVersion).where(
                ProcessVersion.process_id == v.process_id, ProcessVersion.id <= v.id))
            click.echo(f"{v.process_id}: version {n} (id {v.id}) sha256 {v.sha256[:12]}")

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
        """Verify every case's keyed timeline chain, then compare the database with the signed checkpoints.
        Exit 1 on tampering (a chain broken or rewritten, or events missing with no older checkpoint matching),
        2 on an unexplained rollback (only newer events missing: the database is an older copy), else 0."""
        broken = 0
        for number, seq in verify_all_chains():
            broken += 1
            click.echo(f"BROKEN {number}: timeline event #{seq} does not follow from the one before")
        ok, seq = security_log.verify()
        if not ok:
            broken += 1
            click.echo(f"BROKEN security audit log: event #{seq} does not follow from the one before")
        try:
            found = checkpoints.assess()
        except ValueError as exc:
            click.echo(f"BROKEN {exc}")
            raise SystemExit(1) from None
        cp = found.reference
        if cp is None:
            click.echo("no signed checkpoint to compare with (flask checkpoint writes one)")
        elif found.rollback_to is not None and not broken:
            lost = len(found.problems)
            click.echo(f"ROLLBACK: the database holds the state of about {found.rollback_to.created_at.isoformat()} "
                       f"(it matches that checkpoint); {lost} case(s) lack events recorded by the checkpoint of "
                       f"{cp.created_at.isoformat()}. Every chain verifies, so this is an older copy of the "
                       "database (a restore), not an alteration; work recorded in between is lost.")
            raise SystemExit(2)
        else:
            for case_id, problem in found.problems:
                broken += 1
                click.echo(f"BROKEN {'security audit log' if case_id is None else f'case {case_id}'}: {problem} ({cp.path.name})")
            click.echo(f"compared with the checkpoint of {cp.created_at.isoformat()} ({len(cp.heads)} cases)")
            if found.restore is not None:
                r = found.restore
                click.echo(f"restored on {r.restored_at.isoformat()} from a backup of {r.backup_created_at.isoformat()}: "
                           "work recorded between the two was lost with the restore")
        click.echo(f"{broken} problem(s)" if broken else "all timeline chains verify")
        if broken:
            raise SystemExit(1)

    @app.cli.command("backup")
    @click.option("--to", "target", type=click.Path(file_okay=False), default=None,
                  help="new folder for the backup (default: instance/backups/<time>)")
    def backup_cmd(target):
        """A consistent backup: database snapshot, stored files, signed checkpoint, manifest of hashes."""
        target = Path(target or Path(current_app.instance_path) / "backups" / clock.now().strftime("%Y%m%dT%H%M%SZ"))
        try:
            body = backup.backup(target)
        except (backup.BackupError, subprocess.CalledProcessError) as exc:
            raise click.ClickException(f"backup failed: {getattr(exc, 'stderr', b'') or exc}") from None
        click.echo(f"backup written to {target}: {sum(body['counts'].values())} rows in {len(body['counts'])} tables, "
                   f"{len(body['files'])} files, checkpoint {body['checkpoint']['file']}")

    @app.cli.command("restore")
    @click.option("--from", "source", type=click.Path(exists=True, file_okay=False), required=True)
    def restore_cmd(source):
        """Load a backup into the configured database, which must be new and empty; every hash is checked first."""
        try:
            body = backup.restore(Path(source))
        except backup.BackupError as exc:
            raise click.ClickException(f"restore refused: {exc}") from None
        differ = {t: (n, body["restored_counts"].get(t)) for t, n in body["counts"].items() if body["restored_counts"].get(t) != n}
        for t, (want, got) in differ.items():
            click.echo(f"COUNT {t}: {got} rows, the backup recorded {want}")
        click.echo(f"restored the backup of {body['created_at']}: {sum(body['counts'].values())} rows, {len(body['files'])} files"
                   + ("" if not differ else f"; {len(differ)} table(s) differ"))
        click.echo("next: flask verify-chains, then flask db upgrade if this release is newer than the backup")
        if differ:
            raise SystemExit(1)

    @app.cli.group("files")
    def files():
        """Stored files (attachments, kept uploads, reports)."""

    @files.command("move")
    @click.option("--to", "target", type=click.Choice(blobs.STORES), required=True, help="the store to copy into")
    def files_move(target):
        """Copy every stored file that a record refers to from the configured store (XINLIAN_FILE_STORE) into
        another, checking each against its hash; then set XINLIAN_FILE_STORE to the new store and restart."""
        source = current_app.config.get("FILE_STORE", "local")
        if source == target:
            raise click.UsageError(f"the files are already in the {target} store (XINLIAN_FILE_STORE)")
        shas = sorted(set().union(*(q() for q in referenced_files())))
        db.session.rollback()
        counts = blobs.move(source, target, shas, report=lambda sha, outcome: click.echo(f"{outcome.upper()} {sha}"))
        click.echo(f"{len(shas)} files: {counts['copied']} copied, {counts['present']} already there, "
                   f"{counts['missing']} missing, {counts['damaged']} damaged ({counts['seconds']} s)")
        if counts["missing"] or counts["damaged"]:
            raise SystemExit(1)
        click.echo(f"now set XINLIAN_FILE_STORE={target} and restart every app server and scheduler")

    @files.command("collect")
    def files_collect():
        """Remove stored files no record refers to (older than a day), as the scheduler does nightly."""
        click.echo(f"removed {collect_files(current_app._get_current_object())} unreferenced files")

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
        warmup.settle()
        click.echo("scheduler running; Ctrl+C to stop")
        sched.start()

    @app.cli.command("run-production")
    @click.option("--bind", default="0.0.0.0:8000", show_default=True, help="address:port the web workers listen on")
    @click.option("--workers", default=None, type=click.IntRange(1, 64),
                  help="gunicorn web workers (default: two per core; each serves one request at a time)")
    @click.option("--schedulers", default=1, show_default=True, type=click.IntRange(0, 8),
                  help="scheduler processes on this machine (0 where another machine runs them)")
    def run_production(bind, workers, schedulers):
        """Production on this machine: gunicorn web workers plus scheduler processes, configured from the
        environment (DATABASE_URL, SECRET_KEY, XINLIAN_*). Refuses a configuration that cannot be safe."""
        workers = workers or production.default_workers()
        problems = production.unsafe(current_app.config, workers)
        if problems:
            raise click.ClickException("refusing to start:\n- " + "\n- ".join(problems))
        for caution in production.cautions(current_app.config, workers):
            click.echo(f"caution: {caution}", err=True)
        raise SystemExit(production.run(bind, workers, schedulers, echo=click.echo))

    @app.cli.command("serve")
    @click.option("--host", default="127.0.0.1")
    @click.option("--port", default=5000, type=int)
    def serve(host, port):
        """Embedded mode: web app plus the in-process scheduler."""
        app_obj = current_app._get_current_object()
        deploy_processes()
        db.session.commit()
        init_scheduler(app_obj)
        warmup.settle()
        click.echo(f"Xinlian is running at http://{host}:{port}/  (Ctrl+C to stop)")
        run_simple(host, port, app_obj, threaded=True, use_reloader=False, request_handler=_QuietHandler)

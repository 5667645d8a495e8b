"""`flask accounts ...`: a new installation's first administrators, and the console's password reset
(app/auth/console.py says why only the console may do these)."""
import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.auth import console
from app.errors import DomainError
from app.extensions import db

accounts_cli = AppGroup("accounts", help="First administrators; an administrator's password from the console.")


def _refused(exc: DomainError):
    db.session.rollback()
    raise click.ClickException(str(exc.message))


@accounts_cli.command("init")
@click.option("--office", default="", help="Name of the joint-meeting office (when the installation has none yet).")
def init(office):
    """Create the three administrators (system, security, audit) of a new installation."""
    try:
        made = console.init_accounts(office)
        db.session.commit()
    except DomainError as exc:
        _refused(exc)
    except IntegrityError:  # another `accounts init` (on another server) committed first: its accounts stand
        db.session.rollback()
        raise click.ClickException("Administrators were created meanwhile by another `flask accounts init`; "
                                   "nothing was changed here.") from None
    click.echo("Administrators created. Give each password to its holder in person; it must be changed at the first "
               "login, where two-factor login is set up.")
    for user, password in made:
        click.echo(f"  {user.username:<10} {user.full_name}  one-time password: {password}")


@accounts_cli.command("reset-password")
@click.argument("username")
@click.option("--two-factor", is_flag=True, help="Also remove the account's authenticator (lost phone).")
def reset_password(username, two_factor):
    """A new one-time password for an account nobody in the app may reset (e.g. the security administrator's)."""
    try:
        user, password = console.reset_password(username, two_factor)
        db.session.commit()
    except DomainError as exc:
        _refused(exc)
    extra = "; authenticator removed (set up again at login)" if two_factor else ""
    click.echo(f"{user.username}: one-time password {password} (unlocked, every session ended{extra}).")

"""`flask calendar ...`: maintain the holiday table until the administration pages arrive. The State
Council publishes each next year's schedule late in the year; enter it here and mark the year complete."""
from datetime import date

import click
from flask.cli import AppGroup

from app.extensions import db
from app.workdays import services

calendar_cli = AppGroup("calendar", help="Holiday calendar (holidays and working weekends).")


@calendar_cli.command("set-day")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--off/--work", "off", required=True, help="--off: a holiday; --work: a working day (调休).")
@click.option("--name", default="", help="e.g. 元旦, 春节, 国庆节调休")
def set_day(day, off, name):
    """Record one day as a holiday (--off) or a working day (--work)."""
    services.set_day(day.date(), not off, name)
    db.session.commit()
    click.echo(f"{day.date()}: {'holiday' if off else 'working day'} {name}")


@calendar_cli.command("complete-year")
@click.argument("year", type=int)
@click.option("--source", required=True, help="The notice the schedule comes from.")
def complete_year(year, source):
    """Mark a year's official schedule as entered (ends the weekends-only warning for that year)."""
    services.mark_year_entered(year, source)
    db.session.commit()
    click.echo(f"{year}: schedule marked as entered ({source})")


@calendar_cli.command("status")
def status():
    """Which years are known (library or entered) and which fall back to weekends only."""
    this_year = date.today().year
    for year in (this_year, this_year + 1):
        click.echo(f"{year}: {services.year_source(year)}")

"""The minimum publication period before a punishment may be repaired (seed 003 10; per catalog entry, else the
configured default), counted without the days the punishment was suspended: the subject's repair application and
the deciding body's recognition of a repair recorded elsewhere both wait for it."""
from datetime import date, timedelta

from flask import current_app

from app.cases.models import Case
from app.listings import period
from app.listings.models import Listing
from app.listings.services import suspensions as listing_suspensions


def min_days(case: Case) -> int:
    by_entry = current_app.config["REPAIR_MIN_DAYS_BY_ENTRY"]
    codes = [ce.catalog_version.entry.code for ce in case.entries]
    return max([by_entry.get(c, current_app.config["REPAIR_MIN_DAYS_DEFAULT"]) for c in codes] or [0])


def eligible_from(case: Case, listing: Listing | None = None, suspended: list | None = None) -> date | None:
    """The first day a repair may be applied for: after the minimum publication period. Days on which the subject's
    punishment was suspended (an objection or complaint being handled) were not published, so they do not count;
    None while a suspension is open (the day is not known yet)."""
    days = min_days(case)
    if listing is None or days < 1:
        return (listing.period_start if listing is not None else case.period_start) + timedelta(days=days)
    last = period.period_end(listing.period_start, days, listing_suspensions(listing.id) if suspended is None else suspended)
    return last + timedelta(days=1) if last is not None else None

"""The range of dates a procedure can have. WTForms parses 0001-01-01 and 9999-12-31 as dates; no meeting,
hearing, holiday or notice of this office falls outside this century, and such a date would only overflow the
deadline arithmetic later, so forms refuse it at once with a message."""
import re
from datetime import date, datetime

from flask_babel import get_locale
from wtforms.validators import StopValidation

from app import clock
from app.i18n import lazy_gettext as _l

_CELL_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?P<time>[ T].*)?\Z")

EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def plausible(day: date) -> bool:
    return EARLIEST <= day <= LATEST


class PlausibleDate:
    """WTForms validator for date fields (an empty optional field is left to Optional/InputRequired)."""

    message = _l("Enter a date between the years 2000 and 2099.")

    def __call__(self, form, field):
        if field.data is not None and not plausible(field.data):
            raise StopValidation(self.message)


def show_date(value: date | datetime | None) -> str:
    """A day as the reader's language writes it (2027年1月31日; ISO in English); a time is shown as its local day."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.as_utc(value).astimezone(clock.LOCAL_TZ).date()
    if str(get_locale()).startswith("zh"):
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


class ShownDate:
    """A day put into a message (DomainError, flash): written in the reader's language when the message is shown."""

    def __init__(self, day: date):
        self.day = day

    def __str__(self) -> str:
        return show_date(self.day)


def cell_date(value, with_time: bool = False) -> date | None:
    """A date from an imported sheet's cell: a date or datetime as openpyxl reads it, or text such as 2026-11-02,
    2026/11/02 or 2026年11月2日 (`with_time`: followed by a time, as a date cell read as text is); None if it is none."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = _CELL_DATE.match(str(value or "").strip())
    if not m or (m["time"] and not with_time):
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None

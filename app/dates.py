"""The range of dates a procedure can have. WTForms parses 0001-01-01 and 9999-12-31 as dates; no meeting,
hearing, holiday or notice of this office falls outside this century, and such a date would only overflow the
deadline arithmetic later, so forms refuse it at once with a message."""
from datetime import date

from wtforms.validators import StopValidation

from app.i18n import lazy_gettext as _l

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

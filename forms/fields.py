"""Field helpers shared by every form (task forms here and the features' own forms)."""
import re
import secrets

from wtforms import HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.i18n import lazy_gettext as _l

# A form's own key, made by secrets.token_hex(16) when the form is shown: a submission sent twice (back and resend,
# a double click) is known by it.
SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}\Z")


def submission_key_field() -> HiddenField:
    return HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])


def submission_key_of(form) -> str | None:
    """The form's key as sent, if well formed (a key altered by hand is no key: the form is a new submission)."""
    key = form.submission_key.data or ""
    return key if SUBMISSION_KEY.match(key) else None


def renew_submission_key(form, posted: bool) -> None:
    """A form shown for the first time gets its key; one shown again after a refusal keeps it (sent again, it is
    the same submission)."""
    if not posted or form.submission_key.errors:
        form.submission_key.data = secrets.token_hex(16)


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choice objects."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        # (WTForms' Chinese catalog leaves this message untranslated: it would be shown in English)
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_l("Choose only among the options offered.")) from None

    def __iter__(self):
        # "At least one" cannot be said in HTML: a required checkbox means *this* box must be ticked, so the
        # browser would refuse the form until every box is. The server checks the choice and says so.
        for option in super().__iter__():
            option.flags.required = False
            yield option


class CheckedByTheService:
    """Marks a field as required on the page ("(required)") where the service, not the form, refuses it when missing:
    file fields, whose uploads the service keeps with a refused form so that they need not be sent again."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None

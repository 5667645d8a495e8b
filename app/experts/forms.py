from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.dates import PlausibleDate
from app.i18n import lazy_gettext as _l
from app.labels import FIELD_LABELS
from forms.fields import MultiCheckboxField, choices


class ExpertForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(message=_l("Enter the expert's name.")), Length(max=80)])
    fields = MultiCheckboxField(
        _l("Fields"), choices=choices(FIELD_LABELS.items()), validators=[DataRequired(message=_l("Choose at least one field."))]
    )
    affiliation = StringField(_l("Affiliation (employer)"), validators=[Optional(), Length(max=200)])
    affiliated_unit_id = SelectField(_l("Affiliated member unit (for exclusions)"), coerce=int, validators=[Optional()])
    affiliated_subject_code = StringField(
        _l("Credit code of the employer, if it could be a subject (for exclusions)"), validators=[Optional(), Length(max=30)]
    )
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=120)])
    active = BooleanField(_l("Active in the database"), default=True)
    username = StringField(_l("Login name for the expert (optional; an initial password is shown once)"),
                           validators=[Optional(), Length(max=60)])


class UnavailableForm(FlaskForm):
    start = DateField(_l("From"), validators=[InputRequired(message=_l("Enter the first day.")), PlausibleDate()])
    end = DateField(_l("To"), validators=[InputRequired(message=_l("Enter the last day.")), PlausibleDate()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(message=_l("Choose a file."))])

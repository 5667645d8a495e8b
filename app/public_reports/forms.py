from flask_wtf import FlaskForm
from wtforms import FileField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.i18n import lazy_gettext as _l
from app.public_reports.services import CONTACT
from forms.fields import choices, submission_key_field


class ReportForm(FlaskForm):
    """The public's report of dishonest behaviour (no account)."""

    subject_kind = SelectField(_l("Who is reported"), choices=choices([("enterprise", _l("A company or other organisation")),
                                                                     ("person", _l("A natural person"))]))
    subject_name = StringField(_l("Name of the company or person"),
                               validators=[DataRequired(message=_l("Name whom the report is about.")), Length(max=200)])
    subject_code = StringField(_l("Unified social credit code (optional; for a person leave it empty)"), validators=[Optional(), Length(max=30)])
    content = TextAreaField(_l("What happened: the dishonest behaviour, when and where"),
                            validators=[DataRequired(message=_l("Describe the behaviour you report.")),
                                        Length(min=10, message=_l("Describe the behaviour you report (at least 10 characters).")),
                                        Length(max=8000, message=_l("At most %(n)s characters.", n=8000))])
    contact_name = StringField(_l("Your name"), validators=[DataRequired(message=_l("Give your name so the unit can ask you.")), Length(max=80)])
    contact = StringField(_l("Your telephone or e-mail"), validators=[DataRequired(message=_l("Give a telephone number or an e-mail address.")),
                                                                    Length(max=120),
                                                                    Regexp(CONTACT, message=_l("Give a telephone number or an e-mail address."))])
    file = FileField(_l("Evidence (optional; PDF, PNG, JPG, DOCX, XLSX; at most 10 MB)"))
    submission_key = submission_key_field()


class TrackForm(FlaskForm):
    number = StringField(_l("Report number"), validators=[DataRequired(message=_l("Enter the report number.")), Length(max=30)])
    code = StringField(_l("Query code"), validators=[DataRequired(message=_l("Enter the query code.")), Length(max=30)])

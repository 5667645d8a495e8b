from flask_wtf import FlaskForm
from wtforms import DateField, FileField, HiddenField, MultipleFileField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app import labels
from app.dates import PlausibleDate
from app.i18n import lazy_gettext as _l
from forms.fields import choices


class StatementForm(FlaskForm):
    """A subject's statement (陈述申辩), on the portal or as received on paper; or its waiver."""

    statement = TextAreaField(_l("Statement (陈述申辩)"), validators=[Optional(), Length(max=8000)])
    # (on paper: the day the letter arrived, which must fall within the period; the portal's is now)
    received_on = DateField(_l("Received on"), validators=[Optional(), PlausibleDate()])
    files = MultipleFileField(_l("Evidence (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"))
    submit = SubmitField(_l("Submit the statement"))
    waive = SubmitField(_l("Waive the statement"))


class ServiceForm(FlaskForm):
    """How and when the decision reached a subject (送达)."""

    subject_id = HiddenField(validators=[DataRequired()])
    way = SelectField(_l("Way of service"), choices=choices(labels.SERVICE_WAY_LABELS.items()))
    served_on = DateField(_l("Date of service"), validators=[InputRequired(message=_l("Enter the date of service.")), PlausibleDate()])
    proof = FileField(_l("Proof of service (receipt or scan; not needed for the portal)"))
    note = TextAreaField(_l("Note on the service (optional)"), validators=[Optional(), Length(max=2000)])


class NoticeServiceForm(FlaskForm):
    """How and when a prior notice reached its subject (送达): the statement period runs from that day."""

    way = SelectField(_l("Way of service"), choices=choices(labels.SERVICE_WAY_LABELS.items()))
    served_on = DateField(_l("Date of service"), validators=[InputRequired(message=_l("Enter the date of service.")), PlausibleDate()])
    proof = FileField(_l("Proof of service (receipt or scan; not needed for the portal)"))


class TemplateForm(FlaskForm):
    body = TextAreaField(_l("Template (HTML and CSS with {{ placeholders }})"),
                         validators=[DataRequired(message=_l("The template is empty.")), Length(max=100_000)])
    reason = TextAreaField(_l("Why it changes (required to save)"), validators=[Optional(), Length(max=2000)])
    save = SubmitField(_l("Save"))
    preview = SubmitField(_l("Preview as PDF"))


class CorrectionForm(FlaskForm):
    """Report that a subject's data is recorded wrongly (信息更正)."""

    field = SelectField(_l("What is wrong"), choices=choices(labels.CORRECTION_FIELD_LABELS.items()))
    proposed = TextAreaField(_l("The correct value"), validators=[DataRequired(message=_l("Give the correct value.")), Length(max=200)])
    reason = TextAreaField(_l("Why the recorded data is wrong"), validators=[DataRequired(message=_l("Say why the recorded data is wrong.")),
                                                                             Length(max=4000)])
    files = MultipleFileField(_l("Evidence (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"))


class SubjectChangeForm(FlaskForm):
    """A change in a subject's registration: deregistered (注销) or merged (合并) into another body."""

    kind = RadioField(_l("What happened"), choices=choices(labels.SUBJECT_CHANGE_LABELS.items()),
                      validators=[InputRequired(message=_l("Choose deregistration or merger."))])
    on_date = DateField(_l("Date recorded by the registration authority"),
                        validators=[InputRequired(message=_l("Enter the date the registration authority recorded it.")), PlausibleDate()])
    basis = TextAreaField(_l("Registration authority's document"), validators=[Optional(), Length(max=500)])
    reason = TextAreaField(_l("What was found, and where"), validators=[Optional(), Length(max=2000)])
    successor_code = StringField(_l("Merged into: unified social credit code"), validators=[Optional(), Length(max=30)])
    successor_name = StringField(_l("Merged into: name (if the code is not recorded yet)"), validators=[Optional(), Length(max=200)])

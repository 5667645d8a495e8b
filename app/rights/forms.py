from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, MultipleFileField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from app.i18n import lazy_gettext as _l
from forms.fields import CheckedByTheService, choices


class RegisterForm(FlaskForm):
    kind = SelectField(_l("You are"), choices=choices([("enterprise", _l("An enterprise or organisation")), ("person", _l("A natural person"))]))
    subject_code = StringField(_l("Unified social credit code / identity number"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=30)])
    access_code = StringField(_l("Access code (printed on the notice or decision served to you)"), validators=[DataRequired(message=_l("Enter the access code.")), Length(max=40)])
    full_name = StringField(_l("Contact person"), validators=[Length(max=80)])
    username = StringField(_l("Login name"), validators=[DataRequired(message=_l("Choose a login name.")), Length(max=60)])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired(message=_l("Choose a password.")), Length(max=200)])
    password2 = PasswordField(_l("Password again"), validators=[EqualTo("password", message=_l("The passwords differ."))])


class ObjectionForm(FlaskForm):
    grounds = TextAreaField(_l("Grounds of the objection"), validators=[DataRequired(message=_l("Write the grounds of your objection.")), Length(max=20000)])
    files = MultipleFileField(_l("Evidence (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"))


class RepairForm(FlaskForm):
    correction = TextAreaField(_l("How the behaviour was corrected and its effects removed"),
                               validators=[DataRequired(message=_l("Describe how the behaviour was corrected and its effects removed.")), Length(max=20000)])
    files = MultipleFileField(_l("Evidence of the correction (PDF, PNG, JPG, DOCX, XLSX; at most 10 MB each)"),
                              validators=[CheckedByTheService()])
    pledge = BooleanField(_l("I make the credit commitment above"))
    commitment_files = MultipleFileField(_l("Or upload the signed credit commitment (信用承诺书)"))


class PaperObjectionForm(FlaskForm):
    """A written objection received on paper, registered by the unit that made the determination."""
    subject_id = IntegerField(_l("Subject"), validators=[InputRequired(message=_l("Choose a subject of this case."))])
    received_on = DateField(_l("Received on"), validators=[InputRequired(message=_l("Enter the day the objection was received."))])
    grounds = TextAreaField(_l("Grounds of the objection (as written by the subject)"),
                            validators=[DataRequired(message=_l("Write the grounds of your objection.")), Length(max=20000)])
    files = MultipleFileField(_l("Scan of the written objection and its evidence (PDF, PNG, JPG; at most 10 MB each)"),
                              validators=[CheckedByTheService()])


class DeskRepairForm(FlaskForm):
    """A credit repair application brought to the desk, registered by the unit that handled the behaviour."""
    subject_id = IntegerField(_l("Subject"), validators=[InputRequired(message=_l("Choose a subject of this case."))])
    received_on = DateField(_l("Received on"), validators=[InputRequired(message=_l("Enter the day the application was received."))])
    correction = TextAreaField(_l("How the behaviour was corrected and its effects removed"),
                               validators=[DataRequired(message=_l("Describe how the behaviour was corrected and its effects removed.")), Length(max=20000)])

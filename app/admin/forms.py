from app.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FileField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.auth.models import ROLES
from app.labels import ROLE_LABELS
from forms.joint_punishment import MultiCheckboxField, choices


class CatalogEntryForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=choices([("punishment", _l("Joint punishment")), ("reward", _l("Joint reward"))]))
    group = SelectField(_l("Specialist group responsible"))
    behaviour = StringField(_l("Behaviour"), validators=[DataRequired(message=_l("This field is required.")), Length(max=200)])
    admin_unit = SelectField(_l("Administrative unit"))
    grounds = TextAreaField(_l("Grounds"), validators=[DataRequired(message=_l("This field is required."))])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[DataRequired(message=_l("This field is required."))])
    measures = TextAreaField(_l("Measures: one per line, code|text|implementing unit"), validators=[DataRequired(message=_l("List at least one measure."))])
    measure_content = TextAreaField(_l("Measure content"), validators=[Optional()])
    required_evidence = TextAreaField(_l("Required evidence"), validators=[Optional()])
    default_period_days = StringField(_l("Default implementation period (days)"), validators=[DataRequired(message=_l("The period must be a positive whole number of days."))])
    reason = TextAreaField(_l("Why (law, institution, correction)"), validators=[Optional(), Length(max=2000)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l("Give a reason.")), Length(max=2000)])


class FileForm(FlaskForm):
    file = FileField(_l("File"), validators=[DataRequired(message=_l("Choose a file."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the unit's name.")), Length(max=120)])
    kind = SelectField(_l("Kind"), choices=choices([("member", _l("Member unit")), ("office", _l("Joint-meeting office")),
                                                    ("county", _l("County department")), ("other", _l("Other unit"))]))
    active = BooleanField(_l("Active"), default=True)


class GroupForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    domain = StringField(_l("Domain (industry key, e.g. market)"), validators=[DataRequired(), Length(max=40)])
    lead_unit_id = SelectField(_l("Lead unit"), coerce=int)
    member_ids = MultiCheckboxField(_l("Member units"), coerce=int, validators=[Optional()])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Choose a login name.")), Length(max=60)])
    full_name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=80)])
    role = SelectField(_l("Role"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    unit_id = SelectField(_l("Unit"), coerce=int)
    active = BooleanField(_l("Active"), default=True)


class RuleForm(FlaskForm):
    days = IntegerField(_l("Length"), validators=[InputRequired(), NumberRange(min=1, max=365, message=_l("The length must be a positive whole number of days."))])
    day_kind = SelectField(_l("Counted in"), choices=choices([("working", _l("working days")), ("calendar", _l("calendar days"))]))
    source = StringField(_l("Source (seed, national measure, local decision)"), validators=[Optional(), Length(max=200)])


class DayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])
    status = SelectField(_l("This day is"), choices=choices([("off", _l("a holiday")), ("work", _l("a working day (调休)"))]))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=60)])


class YearForm(FlaskForm):
    source = StringField(_l("The official notice"), validators=[DataRequired(message=_l("Name the notice the schedule comes from.")), Length(max=200)])

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.auth.models import ROLES
from app.i18n import lazy_gettext as _l
from app.labels import FIELD_LABELS, ROLE_LABELS, UNIT_KIND_LABELS
from forms.fields import MultiCheckboxField, choices


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Enter your username.")), Length(max=60)],
                           render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})


class TwoFactorForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code"})


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(message=_l("Enter your password.")), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a new password.")), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(message=_l("Repeat the new password.")), Length(max=200)],
                            render_kw={"autocomplete": "new-password"})


class UnitForm(FlaskForm):
    name = StringField(_l("Unit name"), validators=[DataRequired(message=_l("Enter the unit's name.")), Length(max=120)])
    kind = SelectField(_l("Unit type"), choices=choices(UNIT_KIND_LABELS.items()))
    active = BooleanField(_l("In use"), default=True)
    liaison_id = SelectField(_l("Liaison (联系人)"), coerce=int, default=0)
    liaison_phone = StringField(_l("Liaison's telephone"), validators=[Optional(), Length(max=40)])


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=120)])
    domain = SelectField(_l("Industry"), choices=choices((k, v) for k, v in FIELD_LABELS.items() if k != "legal"))
    lead_unit_id = SelectField(_l("Lead unit"), coerce=int)
    member_ids = MultiCheckboxField(_l("Member units"), coerce=int, validators=[Optional()])


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Choose a login name.")), Length(max=60)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(message=_l("Enter the name.")), Length(max=80)])
    role = SelectField(_l("Role"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    unit_id = SelectField(_l("Unit"), coerce=int)
    active = BooleanField(_l("Account active"), default=True)

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.dates import PlausibleDate
from app.i18n import lazy_gettext as _l
from forms.fields import choices


class RuleForm(FlaskForm):
    # (one message, whatever is wrong: "abc" made the field's own "not a valid integer" and the range say it twice)
    days = IntegerField(_l("Length"), validators=[NumberRange(min=1, max=365, message=_l("The length must be a whole number of days from 1 to 365."))])
    day_kind = SelectField(_l("Counted in"), choices=choices([("working", _l("working days")), ("calendar", _l("calendar days"))]))
    source = StringField(_l("Source (seed, national measure, local decision)"), validators=[Optional(), Length(max=200)])


class DayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date.")), PlausibleDate()])
    status = SelectField(_l("This day is"), choices=choices([("off", _l("a holiday")), ("work", _l("a working day (调休)"))]))
    name = StringField(_l("Holiday name"), validators=[Optional(), Length(max=60)])


class YearForm(FlaskForm):
    source = StringField(_l("The official notice"), validators=[DataRequired(message=_l("Name the notice the schedule comes from.")), Length(max=200)])


class ClearDayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(message=_l("Enter the date."))])

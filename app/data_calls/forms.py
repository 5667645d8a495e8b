from flask_wtf import FlaskForm
from wtforms import FileField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.i18n import lazy_gettext as _l
from forms.fields import SUBMISSION_KEY, MultiCheckboxField, choices


class CallForm(FlaskForm):
    title = StringField(_l("Title of the call"), validators=[DataRequired(message=_l("Give the call a title (at most 200 characters).")),
                                                            Length(max=200)])
    instructions = TextAreaField(_l("What to report, and how"), validators=[Optional(), Length(max=8000)])
    columns = TextAreaField(_l("Columns of the table: one per line; end a line with # for a column of numbers"),
                            validators=[Optional(), Length(max=4000)])
    template = FileField(_l("Or your own XLSX template (its first row gives the columns; end a heading with # for numbers)"))
    unit_ids = MultiCheckboxField(_l("Units the call goes to"), coerce=int, validators=[Optional()])
    days = IntegerField(_l("Deadline (working days)"), default=5,
                        validators=[InputRequired(message=_l("The deadline is between 1 and 60 working days.")),
                                    NumberRange(min=1, max=60, message=_l("The deadline is between 1 and 60 working days."))])
    submission_key = HiddenField(validators=[Optional(), Regexp(SUBMISSION_KEY)])
    repeat = SelectField(_l("Publish it again"), choices=choices([("", _l("No: once")), ("month", _l("Each month (on the 1st)")),
                                                                  ("quarter", _l("Each quarter (on 1 March, 1 June, 1 September, 1 December)"))]),
                         default="", validators=[Optional()])

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.dates import PlausibleDate
from app.i18n import lazy_gettext as _l
from forms.fields import choices


class NoticeForm(FlaskForm):
    unit_id = HiddenField(validators=[DataRequired()])
    kind = RadioField(_l("Notice type"), choices=choices([("notice", _l("Notice (通报)")), ("summons", _l("Summons (约谈)"))]),
                      default="notice", validators=[InputRequired()])
    on_date = DateField(_l("Date (of the notice, or of the interview)"), validators=[InputRequired(message=_l("Enter the date.")), PlausibleDate()])
    text = TextAreaField(_l("Text"), validators=[DataRequired(message=_l("Write the text of the notice.")), Length(max=4000)])

    def validate_unit_id(self, field):
        try:
            field.data = int(field.data)
        except (TypeError, ValueError):
            raise ValidationError(_l("No such unit."))


class EnterpriseCountForm(FlaskForm):
    """The number of registered enterprises as of a date (the serious-dishonesty share's denominator)."""

    count = StringField(_l("Registered enterprises"), validators=[InputRequired(message=_l("Enter the number of registered enterprises as a positive whole number.")),
                                                              Length(max=12)])
    as_of = DateField(_l("As of"), validators=[InputRequired(message=_l("Enter the date the figure refers to.")), PlausibleDate()])
    source = StringField(_l("Source of the figure"), validators=[Optional(), Length(max=500)])

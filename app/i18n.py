"""Translated text that is safe to put into a page.

Flask-Babel's lazy strings declare themselves HTML (`__html__`), so Jinja prints them unescaped, together
with whatever was interpolated into them: a user's name or a file name in a flashed message or a form
error ran as script in another user's page. Here the translated template stays trusted (it is ours) and
every interpolated value is escaped when the string is put into HTML; `str()` gives the plain text for
PDFs, spreadsheets and logs."""
from flask_babel import LazyString, get_domain, gettext
from markupsafe import Markup, escape


def _translate(string: str) -> str:
    return get_domain().get_translations().ugettext(string)


class SafeLazyString(LazyString):
    def __init__(self, string: str, **variables):
        super().__init__(gettext, string, **variables)
        self._msgid = string
        self._variables = variables

    def __html__(self) -> Markup:
        template = Markup(escape(_translate(self._msgid)))
        return template % self._variables if self._variables else template


def lazy_gettext(string: str, **variables) -> SafeLazyString:
    return SafeLazyString(string, **variables)

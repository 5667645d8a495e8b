"""Translated text that is safe to put into a page, and a fast path to the request's catalog.

Flask-Babel's lazy strings declare themselves HTML (`__html__`), so Jinja prints them unescaped, together
with whatever was interpolated into them: a user's name or a file name in a flashed message or a form
error ran as script in another user's page. Here the translated template stays trusted (it is ours) and
every interpolated value is escaped when the string is put into HTML; `str()` gives the plain text for
PDFs, spreadsheets and logs.

A page translates a few hundred strings; Flask-Babel looks the locale and the catalog up through several
context proxies for each one. `translations()` keeps the catalog beside Flask-Babel's own per-request
locale and reuses it while that locale object is the same one (`force_locale` swaps it, so a forced
section still gets its own language)."""
from babel.support import NullTranslations
from flask import current_app
from flask.globals import _cv_app
from flask_babel import LazyString, force_locale, get_domain
from markupsafe import Markup, escape

_NULL = NullTranslations()


def translations():
    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return _NULL
    ns = app_ctx.g.__dict__.get("_flask_babel")
    if ns is not None:
        cached = ns.__dict__.get("xl_catalog")
        if cached is not None and cached[0] is ns.__dict__.get("babel_locale"):
            return cached[1]
    catalog = get_domain().get_translations()  # makes g._flask_babel and picks the locale
    ns = app_ctx.g._flask_babel
    ns.xl_catalog = (ns.__dict__.get("babel_locale"), catalog)
    return catalog


def gettext(string: str, **variables) -> str:
    s = translations().ugettext(string)
    return s % variables if variables else s


def _translate(string: str) -> str:
    return translations().ugettext(string)


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


def install(app) -> None:
    """Templates' _() and ngettext() through the fast path (after Flask-Babel installed its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=_translate,
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def in_default_language(text) -> str:
    """A lazy text as the system's default language says it: for names stored once and read by everyone (a service
    account's), whatever language the person whose action made it had chosen."""
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh")):
        return str(text)

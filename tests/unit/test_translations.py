"""Every message the code and templates use has a Chinese translation (the UI is Chinese by default)."""
import gc
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"


def test_every_extracted_message_is_translated(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l", "-o", str(pot),
         "app", "forms"],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as f:
        used = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    assert len(used) > 300
    missing = sorted(str(m) for m in used if not catalog.get(m))
    assert missing == []


def test_the_catalog_kept_per_request_follows_the_language_and_a_forced_one(app):
    """app.i18n keeps the request's catalog beside Flask-Babel's locale; a force_locale section (a notice sent in
    the recipient's language) gets its own language and the page its own again afterwards."""
    from flask_babel import force_locale

    from app.i18n import gettext, lazy_gettext

    with app.test_request_context("/"):  # the default language: Chinese
        page = gettext("My tasks")
        assert page == "我的待办"
        with force_locale("en"):
            assert gettext("My tasks") == "My tasks"
            assert str(lazy_gettext("Cases")) == "Cases"
        assert gettext("My tasks") == "我的待办"
        assert str(lazy_gettext("Cases")) == "案件"
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"  # chosen with the language links
        assert gettext("My tasks") == "My tasks"


def test_a_warmed_worker_has_every_page_template_compiled(app):
    from app.ops.warmup import warm

    app.jinja_env.cache.clear()
    try:
        warm(app)
        # What the worker has loaded by now is left out of later full collections (a 190 ms walk otherwise).
        assert gc.get_freeze_count() > 100_000 and len(gc.get_objects()) < 1_000
    finally:
        gc.unfreeze()  # (the rest of the test run collects as usual)
    names = {key[1] for key in app.jinja_env.cache.keys()}
    assert {"base.html", "tasks/inbox.html", "cases/detail.html", "portal/index.html"} <= names

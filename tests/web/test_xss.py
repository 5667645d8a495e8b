"""User data never reaches a page as markup: flashed messages, form errors and the error page escape what
users typed (their names, file names), in every translated message that interpolates a value."""
import io
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import flash, render_template
from flask_babel import force_locale

from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l
from tests.conftest import csrf_from, login, user
from tests.helpers import add_colleague_of, file_case, only_task, trigger_data

PAYLOAD = "L<img src=x onerror=alert(1)>"
ESCAPED = "L&lt;img src=x onerror=alert(1)&gt;"
PO = Path(__file__).resolve().parents[2] / "app" / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
VARIABLE = re.compile(r"%\((\w+)\)s")


def _interpolating_messages() -> list[str]:
    with PO.open("rb") as f:
        return [m.id for m in read_po(f) if isinstance(m.id, str) and VARIABLE.search(m.id)]


def test_catalog_has_interpolating_messages():
    assert len(_interpolating_messages()) > 50


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_every_interpolating_message_escapes_its_values_in_flash_and_error_pages(ctx, locale):
    """All flashes, form errors and error pages carry these lazy strings: each one, with markup in every
    variable, is rendered through the real base template (flash) and the error page."""
    for msgid in _interpolating_messages():
        with ctx.test_request_context("/"), force_locale(locale):
            msg = _l(msgid, **{name: PAYLOAD for name in VARIABLE.findall(msgid)})
            assert PAYLOAD in str(msg)  # plain text keeps the value for PDFs and exports
            flash(msg, "danger")
            html = render_template("error.html", code=400, message=msg)  # the flash and the message
            assert "<img" not in html, msgid
            assert html.count(ESCAPED) >= 2, msgid


def test_markup_in_a_full_name_is_inert_in_a_colleagues_inbox_and_task_page(client, org):
    case = file_case()
    lead = user("market_lead")
    lead.full_name = PAYLOAD
    db.session.commit()
    add_colleague_of("market_lead", "market_lead2")
    ot = only_task(case.id, "pre_review")
    login(client, "market_lead")
    inbox = client.get("/tasks/").get_data(as_text=True)
    client.post(f"/tasks/{ot.task_id}/claim", data={"csrf_token": csrf_from(inbox)})
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})

    login(client, "market_lead2")
    inbox = client.get("/tasks/").get_data(as_text=True)
    assert ESCAPED in inbox and "<img" not in inbox
    # Claiming it flashes "<name> has already claimed this task."
    resp = client.post(f"/tasks/{ot.task_id}/claim", data={"csrf_token": csrf_from(inbox)}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert ESCAPED in html and "<img" not in html
    page = client.get(f"/tasks/{ot.task_id}").get_data(as_text=True)
    assert ESCAPED in page and "<img" not in page


def test_markup_in_an_upload_name_is_inert_in_the_form_error(client, org):
    login(client, "market_cw")
    page = client.get("/cases/new").get_data(as_text=True)
    data = trigger_data(page)
    data["files"] = (io.BytesIO(b"<html><script>alert(1)</script></html>"), f"{PAYLOAD}.pdf")
    resp = client.post("/cases/new", data=data, content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "onerror=alert(1)&gt;" in html and "<img" not in html


def test_domain_error_page_escapes_its_message(ctx):
    with ctx.test_request_context("/"):
        resp = ctx.make_response(ctx.handle_user_exception(DomainError(_l("File %(name)s is empty.", name=PAYLOAD))))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and ESCAPED in html and "<img" not in html

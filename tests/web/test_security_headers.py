"""Headers every response carries: a strict Content-Security-Policy (assets are local), no framing, no MIME
sniffing, no referrer beyond the site, no caching of pages with personal data, no software versions."""
import re
from pathlib import Path

from tests.conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"


def test_pages_carry_the_security_headers(client, org):
    login(client, "market_cw")
    resp = client.get("/tasks/")
    h = resp.headers
    assert "script-src 'self';" in h["Content-Security-Policy"] and "frame-ancestors 'none'" in h["Content-Security-Policy"]
    assert "unsafe-inline" not in h["Content-Security-Policy"].split("style-src-attr")[0]
    assert h["X-Content-Type-Options"] == "nosniff" and h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin" and h["Cache-Control"] == "no-store"
    assert "Server" not in h
    with client.get("/static/xinlian.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")
    with client.get("/static/favicon.svg") as icon:
        assert icon.status_code == 200
    assert "Strict-Transport-Security" not in h  # (plain HTTP in tests and on a developer's machine)


def test_production_over_https_tells_browsers_to_keep_to_it(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    resp = client.get("/login")
    assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
    html = resp.get_data(as_text=True)  # password managers fill the right fields
    assert 'autocomplete="username"' in html and 'autocomplete="current-password"' in html


def test_templates_hold_no_inline_script_or_handlers():
    """So the policy needs no 'unsafe-inline' for scripts: behaviour lives in app/static/*.js."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text):
            offenders.append(f"{path.name}: {m.group(0)}")
        if re.search(r"\son[a-z]+=\"", text) or "javascript:" in text:
            offenders.append(f"{path.name}: inline handler")
    assert offenders == []

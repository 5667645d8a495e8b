"""Outbound pushes to department systems: a change of the measures a unit applies is written to the outbox in
the same transaction as the change (so none is lost or sent for a change that was rolled back), then POSTed by
the scheduler to each of the unit's clients with a webhook, signed with HMAC-SHA256, retried with growing
delays, and marked failed after the last attempt (administrators see every delivery and can send it again)."""
import hashlib
import hmac
import http.client
import json
import logging
import re
import socket
import ssl
import urllib.error
import urllib.request
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from app import clock, txcache
from app.api import webhook_address
from app.api.models import ApiClient, WebhookDelivery
from app.extensions import db
from app.i18n import lazy_gettext as _l
from app.listings import queries as listing_queries

log = logging.getLogger(__name__)
EVENT = "measure.changed"
MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(hours=6)
TIMEOUT_SECONDS = 5


def enqueue(listing, unit_id: int, action: str, reason: str, push=None) -> list[WebhookDelivery]:
    """hooks.MEASURE_CHANGED listener: one delivery per active, approved client of the unit with a webhook (flush)."""
    targets = txcache.cached(("webhook_clients", unit_id), lambda: list(db.session.scalars(
        select(ApiClient.id).where(ApiClient.unit_id == unit_id, ApiClient.revoked_at.is_(None), ApiClient.approved_at.is_not(None),
                                   ApiClient.webhook_url.is_not(None)))))  # (not one awaiting its access's approval)
    if not targets:
        return []
    if push is not None and push.id is None:
        db.session.flush()  # (the message names the push)
    v = listing.catalog_version
    payload = {
        "event": EVENT, "action": action, "reason": reason, "push_id": push.id if push is not None else None,
        "listing": {"id": listing.id, "list": "black" if listing.kind == "punishment" else "red",
                    "subject_name": listing.subject.name, "subject_code": listing.subject.code,
                    "entry_code": v.entry.code if v else "", "reason": v.behaviour if v else "",
                    "case_number": listing.case.number if listing.case else listing.decision_no,
                    "period_start": listing.period_start.isoformat(),
                    "period_end": listing.period_end.isoformat() if listing.period_end else None,
                    "status": listing.status, "serious": bool(listing.serious)},
        # (the unit's measures the change concerns: for a lift, those it lifts)
        "measures": listing_queries.measures_of([listing], unit_id, lifted_too=True).get(listing.id, []) if listing.case_id else [],
        "unit_id": unit_id, "at": clock.now().isoformat(),
    }
    out = [WebhookDelivery(client_id=c, event=EVENT, payload=payload, next_attempt_at=clock.now()) for c in targets]
    db.session.add_all(out)
    db.session.flush()
    return out


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not followed (it could lead to an address the webhook may not go to): a 3xx is a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _pinned(connection_class, address: str):
    """`connection_class` connecting to `address` whatever its host name resolves to by then (the Host header and,
    for HTTPS, the certificate's name check still use the name)."""
    def make(host, **kwargs):
        conn = connection_class(host, **kwargs)
        conn._create_connection = lambda addr, *args: socket.create_connection((address, addr[1]), *args)
        return conn
    return make


class _PinnedHTTP(urllib.request.HTTPHandler):
    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(_pinned(http.client.HTTPConnection, self.address), req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, address: str):
        super().__init__(context=ssl.create_default_context())
        self.address = address

    def https_open(self, req):
        return self.do_open(_pinned(http.client.HTTPSConnection, self.address), req, context=self._context)


def _opener(address: str):
    """No redirects, no proxy from the environment (the address checks would then be the proxy's), and the
    connection made to the address that was checked."""
    return urllib.request.build_opener(_NoRedirects, urllib.request.ProxyHandler({}), _PinnedHTTP(address), _PinnedHTTPS(address))


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(client: ApiClient, delivery: WebhookDelivery) -> None:
    body = json.dumps({"delivery_id": delivery.id, **delivery.payload}, ensure_ascii=False, sort_keys=True).encode()
    req = urllib.request.Request(client.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": "Xinlian-Webhook/1",
        "X-Xinlian-Event": delivery.event, "X-Xinlian-Delivery": str(delivery.id),
        "X-Xinlian-Signature": signature(client.webhook_secret or "", body)})
    target = urlsplit(client.webhook_url)
    address = webhook_address.resolve_allowed(target.hostname, target.port or (443 if target.scheme == "https" else 80))
    if address is None:
        raise urllib.error.URLError(f"{target.hostname} resolves to an address webhooks may not go to")
    with _opener(address).open(req, timeout=TIMEOUT_SECONDS) as resp:
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(client.webhook_url, resp.status, "not 2xx", resp.headers, None)


def delay_after(attempts: int) -> timedelta:
    return min(FIRST_DELAY * (2 ** (attempts - 1)), LONGEST_DELAY)


def deliver_due(limit: int = 50) -> tuple[int, int]:
    """Send the deliveries that are due, each claimed and committed on its own. Returns (delivered, failed now)."""
    delivered = failed = 0
    seen: set[int] = set()
    for _ in range(limit):
        now = clock.now()
        stmt = (select(WebhookDelivery).where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(1).with_for_update(skip_locked=True))
        if seen:
            stmt = stmt.where(WebhookDelivery.id.not_in(seen))
        d = db.session.scalar(stmt)
        if d is None:
            db.session.rollback()
            break
        seen.add(d.id)
        d.attempts += 1
        try:
            if d.client.revoked_at is not None or d.client.approved_at is None or not d.client.webhook_url:
                raise RuntimeError("the client was revoked, is not approved or has no webhook any more")
            _post(d.client, d)
        except Exception as exc:  # any failure of the receiver or the network: try again later
            d.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if d.attempts >= MAX_ATTEMPTS:
                d.status = "failed"
                failed += 1
            else:
                d.next_attempt_at = now + delay_after(d.attempts)
            log.warning("webhook delivery %s attempt %s failed: %s", d.id, d.attempts, d.last_error)
        else:
            d.status, d.delivered_at, d.last_error = "delivered", now, ""
            delivered += 1
        db.session.commit()
    return delivered, failed


_HTTP_ERROR = re.compile(r"HTTPError: HTTP Error (\d{3})")


def error_words(last_error: str) -> str:
    """A failed attempt's error as the delivery list says it: the receiver's HTTP status in words of the page's
    language, else the network's own message (a refused connection, a timeout) as it came."""
    m = _HTTP_ERROR.match(last_error or "")
    return str(_l("The receiving system answered HTTP %(code)s", code=m.group(1))) if m else (last_error or "")


def retry(delivery_id: int) -> WebhookDelivery | None:
    """An administrator sends a failed delivery again (flush)."""
    d = db.session.get(WebhookDelivery, delivery_id)
    if d is None or d.status == "delivered":
        return None
    d.status, d.next_attempt_at, d.retried_by_admin = "pending", clock.now(), True
    d.attempts = min(d.attempts, MAX_ATTEMPTS - 1)
    db.session.flush()
    return d


def recent(limit: int = 200) -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)))

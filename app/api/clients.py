"""API clients: created and revoked by administrators; each belongs to one unit, acts as a service account of
that unit, holds scopes and a token whose secret part is stored only as its SHA-256 (the token is 256 random
bits, so a fast hash is enough; compared in constant time)."""
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlparse

from sqlalchemy import bindparam, select

from app import clock
from app.api import webhook_address
from app.api.models import SCOPES, ApiClient
from app.audit import services as audit
from app.auth.models import ADMIN, CASEWORKER, SECURITY_ADMIN, Unit, User
from app.auth.permissions import require_role
from app.errors import DomainError, NotFound
from app.extensions import db, lock_row
from app.i18n import in_default_language
from app.i18n import lazy_gettext as _l

TOKEN = re.compile(r"xl_(\d{1,9})_([A-Za-z0-9_-]{20,100})", re.ASCII)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def _valid_host(host: str | None) -> bool:
    """An IP address or a host name that can exist: labels of letters, digits and inner hyphens, and an IDNA label
    (xn--…) that decodes (xn--, or a name with a space, was taken and failed only at each delivery)."""
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii").rstrip(".")
        labels = ascii_host.split(".")
        for label in labels:
            if label.startswith("xn--"):
                label.encode("ascii").decode("idna")
    except UnicodeError:
        return False
    return 0 < len(ascii_host) <= 253 and all(_LABEL.fullmatch(label) for label in labels)


def _check_webhook(url: str | None) -> str | None:
    url = (url or "").strip()
    if not url:
        return None
    try:
        parsed = urlparse(url)  # (a broken bracketed IPv6 host is refused here)
        parsed.port  # (a port out of range or not a number: urllib refuses it only when asked)
    except ValueError:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not _valid_host(parsed.hostname) or len(url) > 500:
        raise DomainError(_l("The webhook address must be an http(s) URL."), "webhook_url")
    if webhook_address.refused_literal(parsed.hostname):
        raise DomainError(_l("The webhook address may not be this server, a link-local (cloud metadata), multicast or "
                             "reserved address."), "webhook_url")
    return url


def create(actor, name: str, unit_id: int, scopes: list[str], webhook_url: str | None = None) -> tuple[ApiClient, str, str | None]:
    """A new client; returns it with its token and webhook secret, both shown once."""
    require_role(actor, ADMIN)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise DomainError(_l("Name the client (the department system), at most 120 characters."), "name")
    unit = db.session.get(Unit, unit_id) if unit_id else None
    if unit is None or not unit.active:
        raise DomainError(_l("Choose the unit the client belongs to."), "unit_id")
    scopes = [s for s in SCOPES if s in set(scopes or [])]
    if not scopes:
        raise DomainError(_l("Give the client at least one scope."), "scopes")
    webhook_url = _check_webhook(webhook_url)
    account = User(username=f"api_{secrets.token_hex(6)}", full_name=in_default_language(_l("%(name)s (department system)", name=name))[:80], role=CASEWORKER,
                   unit_id=unit.id, active=True, service_account=True, password_hash="!")
    db.session.add(account)
    db.session.flush()
    secret = secrets.token_urlsafe(32)
    client = ApiClient(name=name, unit_id=unit.id, user_id=account.id, token_hash=_digest(secret), scopes=scopes,
                       webhook_url=webhook_url, webhook_secret=secrets.token_hex(32) if webhook_url else None,
                       created_by_id=actor.id)
    db.session.add(client)
    db.session.flush()
    audit.record(actor, "api_client", client.id, "create", None,
                 {"name": name, "unit_id": unit.id, "scopes": scopes, "webhook_url": webhook_url})
    return client, f"xl_{client.id}_{secret}", client.webhook_secret


def approve(actor, client_id: int) -> ApiClient:
    """The security administrator grants a registered client its access (三员分立: the system administrator alone
    could otherwise give itself the office's checks and whole identity numbers through a client of its making). One
    who registered the client does not approve it."""
    require_role(actor, SECURITY_ADMIN)
    lock_row(ApiClient, client_id)  # (approved from two sessions at once: once)
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(_l("No such client."))
    db.session.refresh(client, ["approved_at", "revoked_at"])
    if not client.pending:
        raise DomainError(_l("This client is not awaiting approval."))
    if client.created_by_id == actor.id:
        raise DomainError(_l("A client is approved by someone other than the administrator who registered it."))
    client.approved_at, client.approved_by_id = clock.now(), actor.id
    audit.record(actor, "api_client", client.id, "approve", None,
                 {"name": client.name, "unit_id": client.unit_id, "scopes": client.scopes, "webhook_url": client.webhook_url})
    db.session.flush()
    return client


def pending_clients() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).where(ApiClient.approved_at.is_(None), ApiClient.revoked_at.is_(None))
                                   .order_by(ApiClient.id)))


def revoke(actor, client_id: int) -> ApiClient:
    """The system administrator revokes a client; the security administrator refuses (or withdraws) its access."""
    require_role(actor, ADMIN, SECURITY_ADMIN)
    client = db.session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(_l("No such client."))
    if client.revoked_at is None:
        client.revoked_at = clock.now()
        client.user.active = False
        audit.record(actor, "api_client", client.id, "revoke", {"name": client.name}, None)
    db.session.flush()
    return client


@dataclass(frozen=True)
class Caller:
    """The client making an API call, as one row read (every call reads it: an ORM object cost more than the query)."""

    id: int
    name: str
    unit_id: int
    user_id: int
    scopes: list
    last_used_at: datetime | None

    @property
    def user(self) -> User:
        """The service account the client acts as."""
        return db.session.get(User, self.user_id)

    def mark_used(self, now: datetime) -> None:
        """Record the time of use (in the call's transaction)."""
        db.session.connection().execute(_MARK_USED, {"client_id": self.id, "now": now})


# Built once: every API call looks its client up (an active client of an active unit).
_t = ApiClient.__table__
_ACTIVE_CLIENT = (select(_t.c.id, _t.c.name, _t.c.unit_id, _t.c.user_id, _t.c.scopes, _t.c.last_used_at, _t.c.token_hash)
                  .join(Unit.__table__, Unit.__table__.c.id == _t.c.unit_id)
                  .where(_t.c.id == bindparam("client_id"), _t.c.revoked_at.is_(None), _t.c.approved_at.is_not(None),
                         Unit.__table__.c.active.is_(True)))
_MARK_USED = _t.update().where(_t.c.id == bindparam("client_id")).values(last_used_at=bindparam("now"))


def from_token(token: str | None) -> Caller | None:
    """The active client whose token this is, or None (unknown, wrong, revoked or not yet approved)."""
    m = TOKEN.fullmatch((token or "").strip())
    if not m:
        return None
    row = db.session.connection().execute(_ACTIVE_CLIENT, {"client_id": int(m.group(1))}).first()
    if row is None or not hmac.compare_digest(row.token_hash, _digest(m.group(2))):
        return None
    return Caller(row.id, row.name, row.unit_id, row.user_id, row.scopes or [], row.last_used_at)


def awaiting_approval(token: str | None) -> bool:
    """The token is a client's, registered and not revoked, whose access the security administrator has not approved."""
    m = TOKEN.fullmatch((token or "").strip())
    if not m:
        return False
    row = db.session.execute(select(ApiClient.token_hash).where(
        ApiClient.id == int(m.group(1)), ApiClient.revoked_at.is_(None), ApiClient.approved_at.is_(None))).first()
    return row is not None and hmac.compare_digest(row.token_hash, _digest(m.group(2)))


def all_clients() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.id)))

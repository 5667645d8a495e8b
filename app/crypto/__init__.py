"""Personal data at rest (密评, GB/T 39786): identity numbers and contact details are stored sealed with SM4 in
GCM mode (authenticated: a changed byte is refused, not decrypted into something else), and found by exact
value through a keyed SM3 digest (HMAC-SM3) kept in a column of its own.

The keys never enter the database. They come from a key provider: by default a key file
(XINLIAN_DATA_KEY_FILE, JSON, readable by the app's account only); a key service (a 密码机 or KMS client) plugs
in as XINLIAN_DATA_KEY_PROVIDER="package.module:callable" returning the same structure:

    {"current": "<key id>", "keys": {"<key id>": "<64 hex>", ...}, "lookup": "<64 hex>"}

Every sealed value names the key it was sealed with, so `flask keys rotate` can add a key, re-seal every value
under it and then drop the old one while the servers go on reading both. The lookup key is not rotated with
them: a digest cannot be recomputed without reading every value, which rotation does anyway — see
rotate.reseal_all(lookup=True)."""
import base64
import hmac
import importlib
import json
import os
import secrets
import tempfile
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import current_app


def chain_key() -> bytes:
    """The key of the keyed hash chains (timelines, the security log, checkpoints, backup manifests)."""
    key = current_app.config.get("CHAIN_KEY")
    if not key:  # production without its key file (config._chain_key does not make one there)
        raise RuntimeError(f"The chain key file {current_app.config.get('CHAIN_KEY_FILE')} (XINLIAN_CHAIN_KEY_FILE) does "
                           "not exist: create it once with `flask keys init` and give every server the same file "
                           "(or set XINLIAN_CHAIN_KEY).")
    return key.encode()


PREFIX = "sm4gcm"
NONCE, TAG = 12, 16
OPENED_CACHE = 20_000
BYTES_MAGIC = b"XLSM4\x01"
RECHECK_SECONDS = 2  # how often the key file is looked at for a change (a rotation on another process)


class KeyProblem(RuntimeError):
    """The keys are missing, malformed, or do not open a value."""


def _derive(master_hex: str, label: bytes, size: int) -> bytes:
    return hmac.new(bytes.fromhex(master_hex), label, "sm3").digest()[:size]


class Keyring:
    def __init__(self, data: dict):
        try:
            self.current = str(data["current"])
            self.keys = {str(k): v for k, v in data["keys"].items()}
            self.lookup_hex = data["lookup"]
            self._enc = {k: _derive(v, b"xinlian sm4 data key", 16) for k, v in self.keys.items()}
            self._lookup = _derive(self.lookup_hex, b"xinlian sm3 lookup key", 32)
            self._opened: dict = {}
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise KeyProblem(f"The data keys are malformed ({exc.__class__.__name__}: {exc}).") from None
        if self.current not in self.keys:
            raise KeyProblem(f"The current data key {self.current!r} is not among the keys.")

    def as_dict(self) -> dict:
        return {"current": self.current, "keys": dict(self.keys), "lookup": self.lookup_hex}

    def seal(self, plaintext: str, purpose: str) -> str:
        nonce = os.urandom(NONCE)
        enc = Cipher(algorithms.SM4(self._enc[self.current]), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(purpose.encode())
        body = enc.update(plaintext.encode()) + enc.finalize()
        return f"{PREFIX}:{self.current}:" + base64.urlsafe_b64encode(nonce + body + enc.tag).decode().rstrip("=")

    def open(self, sealed: str, purpose: str) -> str:
        # Lists open the same few values again and again (a unit on every row, a subject on every task): the
        # opened values of this process are kept, bounded, keyed by the ciphertext itself.
        hit = self._opened.get((sealed, purpose))
        if hit is not None:
            return hit
        value = self._open(sealed, purpose)
        if len(self._opened) >= OPENED_CACHE:
            self._opened.clear()
        self._opened[(sealed, purpose)] = value
        return value

    def _open(self, sealed: str, purpose: str) -> str:
        try:
            prefix, kid, data = sealed.split(":", 2)
            raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        except ValueError:
            raise KeyProblem("A sealed value is malformed.") from None
        if prefix != PREFIX or kid not in self._enc:
            raise KeyProblem(f"A value is sealed with key {kid!r}, which the key provider does not hold.")
        nonce, body, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
        dec = Cipher(algorithms.SM4(self._enc[kid]), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(purpose.encode())
        try:
            return (dec.update(body) + dec.finalize()).decode()
        except InvalidTag:
            raise KeyProblem("A sealed value fails its authentication tag (changed, or sealed for another column).") from None

    def seal_bytes(self, data: bytes, purpose: str) -> bytes:
        """Binary form (file chunks): BYTES_MAGIC, key id length and key id, nonce, ciphertext, tag."""
        nonce, kid = os.urandom(NONCE), self.current.encode()
        enc = Cipher(algorithms.SM4(self._enc[self.current]), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(purpose.encode())
        body = enc.update(data) + enc.finalize()
        return BYTES_MAGIC + bytes([len(kid)]) + kid + nonce + body + enc.tag

    def open_bytes(self, sealed: bytes, purpose: str) -> bytes:
        kid = key_of_bytes(sealed)
        if kid not in self._enc:
            raise KeyProblem(f"A file is sealed with key {kid!r}, which the key provider does not hold.")
        raw = sealed[len(BYTES_MAGIC) + 1 + len(kid):]
        nonce, body, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
        dec = Cipher(algorithms.SM4(self._enc[kid]), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(purpose.encode())
        try:
            return dec.update(body) + dec.finalize()
        except InvalidTag:
            raise KeyProblem("A sealed file fails its authentication tag.") from None

    def digest(self, value: str) -> str:
        return hmac.new(self._lookup, value.encode(), "sm3").hexdigest()

    @staticmethod
    def key_of(sealed: str) -> str:
        return sealed.split(":", 2)[1]


def new_keyring() -> dict:
    kid = "k1"
    return {"current": kid, "keys": {kid: secrets.token_hex(32)}, "lookup": secrets.token_hex(32)}


def write_key_file(path: Path, data: dict, exclusive: bool = False) -> bool:
    """Atomically, readable by the owner only (a reader never sees half a file). With `exclusive`, only if no
    file exists yet (two processes starting at once must not each make their own key): False if one did."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.chmod(tmp, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    if not exclusive:
        os.replace(tmp, path)
        return True
    try:
        os.link(tmp, path)  # fails if the file exists
        return True
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)


_cache: dict = {}


def file_provider(path: str, create: bool) -> dict:
    p = Path(path)
    if not p.exists():
        if not create:
            raise KeyProblem(f"The data key file {path} does not exist (production never creates one: provision the "
                            "same file to every server, see docs/security.md).")
        write_key_file(p, new_keyring(), exclusive=True)
    return json.loads(p.read_text())


def keyring() -> Keyring:
    """The keys, read again when the key file changes (a rotation started on another process)."""
    cfg = current_app.config
    provider = cfg.get("DATA_KEY_PROVIDER")
    if provider:
        mod, _, fn = provider.partition(":")
        stamp = ("provider", provider)
        if _cache.get("stamp") != stamp:
            _cache.update(stamp=stamp, ring=Keyring(getattr(importlib.import_module(mod), fn)()))
        return _cache["ring"]
    path = cfg["DATA_KEY_FILE"]
    now = time.monotonic()
    if "ring" in _cache and _cache.get("path") == path and now - _cache.get("checked", 0) < RECHECK_SECONDS:
        return _cache["ring"]
    try:
        st = os.stat(path)
        stamp = (path, st.st_mtime_ns, st.st_size)
    except FileNotFoundError:
        stamp = None
    if stamp is None or _cache.get("stamp") != stamp:
        ring = Keyring(file_provider(path, create=cfg.get("DATA_KEY_CREATE", False)))
        st = os.stat(path)
        _cache.update(stamp=(path, st.st_mtime_ns, st.st_size), ring=ring)
    _cache.update(path=path, checked=now)
    return _cache["ring"]


def seal(value: str | None, purpose: str) -> str | None:
    return None if value is None else keyring().seal(value, purpose)


def unseal(value: str | None, purpose: str) -> str | None:
    if value is None:
        return None
    ring = keyring()
    if is_sealed(value) and Keyring.key_of(value) not in ring.keys:
        _cache.pop("checked", None)  # sealed under a key added since the file was last read: read it now
        ring = keyring()
    return ring.open(value, purpose)


def digest(value: str | None) -> str | None:
    """The lookup digest of an exact value (HMAC-SM3 under the lookup key)."""
    return None if value is None else keyring().digest(value)


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ":")


def key_of_bytes(sealed: bytes) -> str:
    n = sealed[len(BYTES_MAGIC)]
    return sealed[len(BYTES_MAGIC) + 1:len(BYTES_MAGIC) + 1 + n].decode()


def seal_bytes(data: bytes, purpose: str) -> bytes:
    return keyring().seal_bytes(data, purpose)


def open_bytes(data: bytes, purpose: str) -> bytes:
    """A sealed chunk opened; a chunk stored before files were sealed comes back as it is."""
    if not data.startswith(BYTES_MAGIC):
        return data
    ring = keyring()
    if key_of_bytes(data) not in ring.keys:
        _cache.pop("checked", None)
        ring = keyring()
    return ring.open_bytes(data, purpose)

"""`flask keys …`: the data keys that seal identity numbers and contact details (see app/crypto)."""
import os
import secrets
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.crypto import RECHECK_SECONDS, _cache, keyring, new_keyring, write_key_file
from app.crypto.rotate import keys_in_use, reseal_all

keys_cli = AppGroup("keys", help="The data keys sealing identity numbers and contact details (SM4).")


def _file() -> Path:
    if current_app.config.get("DATA_KEY_PROVIDER"):
        raise click.UsageError("the keys come from a key service (XINLIAN_DATA_KEY_PROVIDER): create and rotate them "
                               "there, then run `flask keys reseal`")
    return Path(current_app.config["DATA_KEY_FILE"])


@keys_cli.command("init")
def init():
    """Create the key files of a new installation: the data keys (XINLIAN_DATA_KEY_FILE) and the chain key
    (XINLIAN_CHAIN_KEY_FILE, unless XINLIAN_CHAIN_KEY is set); copy both to every server."""
    path = _file()
    chain = Path(current_app.config["CHAIN_KEY_FILE"])
    need_chain = not os.environ.get("XINLIAN_CHAIN_KEY") and not chain.exists()
    if path.exists() and not need_chain:
        raise click.UsageError(f"{path} exists already: a new key would make every sealed value unreadable")
    if not path.exists():
        write_key_file(path, new_keyring())
        click.echo(f"created {path} (mode 600): copy it to every server, and keep a copy away from the database backups")
    if need_chain:
        chain.parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(os.open(chain, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
            f.write(secrets.token_hex(32))
        click.echo(f"created {chain} (mode 600), the key of the timelines' and the security log's hash chains: "
                   "copy it to every server, and keep a copy away from the database backups")


@keys_cli.command("status")
def status():
    """Which keys seal how many values."""
    ring = keyring()
    used = keys_in_use()
    for kid in sorted(set(ring.keys) | set(used)):
        mark = " (current)" if kid == ring.current else "" if kid in ring.keys else " (NOT IN THE KEY FILE)"
        click.echo(f"{kid}{mark}: {used.get(kid, 0)} values")


def _number(kid: str) -> int:
    return int(kid[1:]) if kid[1:].isdigit() else 0


@keys_cli.command("prepare")
def prepare():
    """Add a new key to the file without using it yet: copy the file to every server, then `flask keys rotate`."""
    path = _file()
    data = keyring().as_dict()
    kid = f"k{1 + max(_number(k) for k in data['keys'])}"
    data["keys"][kid] = secrets.token_hex(32)
    write_key_file(path, data)
    _cache.clear()
    click.echo(f"added key {kid} (not used yet): copy {path} to every server, then run flask keys rotate")


@keys_cli.command("rotate")
@click.option("--keep-old", is_flag=True, help="keep the old keys in the file after re-sealing")
def rotate(keep_old):
    """Make the newest key current (the one `flask keys prepare` added, or a new one), re-seal every value under
    it, then drop the old keys.

    The servers read the key file again when it changes and read old and new values throughout. With one key
    file per machine, run `flask keys prepare` and copy the file to every server first; the file without the
    old keys can be copied afterwards."""
    path = _file()
    data = keyring().as_dict()
    newest = max(data["keys"], key=_number)
    if newest == data["current"]:
        newest = f"k{1 + _number(newest)}"
        data["keys"][newest] = secrets.token_hex(32)
    data["current"] = newest
    write_key_file(path, data)
    _cache.clear()
    click.echo(f"key {newest} is current; re-sealing …")
    changed = reseal_all(echo=click.echo)
    stale = {k: v for k, v in keys_in_use().items() if k != newest}
    for _ in range(3):  # values another process sealed before it re-read the file (at most RECHECK_SECONDS)
        if not stale:
            break
        time.sleep(RECHECK_SECONDS + 1)
        changed += reseal_all(echo=click.echo)
        stale = {k: v for k, v in keys_in_use().items() if k != newest}
    if stale:
        click.echo(f"values still sealed with other keys: {stale}; old keys kept", err=True)
        raise SystemExit(1)
    if not keep_old:
        write_key_file(path, dict(data, keys={newest: data["keys"][newest]}))
        _cache.clear()
    click.echo(f"{changed} values re-sealed under {newest}" + ("" if keep_old else "; old keys removed from the file"))


@keys_cli.command("reseal")
def reseal():
    """Re-seal every value not sealed with the current key (after the key service changed the current key)."""
    click.echo(f"{reseal_all(echo=click.echo)} values re-sealed under {keyring().current}")

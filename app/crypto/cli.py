"""`flask keys …`: the data keys that seal identity numbers and contact details (see app/crypto)."""
import secrets
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.crypto import _cache, keyring, new_keyring, write_key_file
from app.crypto.rotate import keys_in_use, reseal_all

keys_cli = AppGroup("keys", help="The data keys sealing identity numbers and contact details (SM4).")


def _file() -> Path:
    if current_app.config.get("DATA_KEY_PROVIDER"):
        raise click.UsageError("the keys come from a key service (XINLIAN_DATA_KEY_PROVIDER): create and rotate them "
                               "there, then run `flask keys reseal`")
    return Path(current_app.config["DATA_KEY_FILE"])


@keys_cli.command("init")
def init():
    """Create the key file (XINLIAN_DATA_KEY_FILE) for a new installation; copy it to every server."""
    path = _file()
    if path.exists():
        raise click.UsageError(f"{path} exists already: a new key would make every sealed value unreadable")
    write_key_file(path, new_keyring())
    click.echo(f"created {path} (mode 600): keep a copy with the backups, apart from them")


@keys_cli.command("status")
def status():
    """Which keys seal how many values."""
    ring = keyring()
    used = keys_in_use()
    for kid in sorted(set(ring.keys) | set(used)):
        mark = " (current)" if kid == ring.current else "" if kid in ring.keys else " (NOT IN THE KEY FILE)"
        click.echo(f"{kid}{mark}: {used.get(kid, 0)} values")


@keys_cli.command("rotate")
@click.option("--keep-old", is_flag=True, help="keep the old keys in the file after re-sealing")
def rotate(keep_old):
    """Add a new key, make it current, re-seal every value under it, then drop the old keys.

    The servers read the key file again when it changes: they read old and new values throughout. Copy the
    file to the other servers after each of the two writes (or keep it on a shared, protected volume)."""
    path = _file()
    ring = keyring()
    data = ring.as_dict()
    n = 1 + max(int(k[1:]) for k in data["keys"] if k[1:].isdigit()) if any(k[1:].isdigit() for k in data["keys"]) else 1
    kid = f"k{n}"
    data["keys"][kid] = secrets.token_hex(32)
    data["current"] = kid
    write_key_file(path, data)
    _cache.clear()
    click.echo(f"new key {kid} is current; re-sealing …")
    changed = reseal_all(echo=click.echo)
    used = keys_in_use()
    stale = {k: v for k, v in used.items() if k != kid}
    if stale:
        click.echo(f"values still sealed with other keys: {stale}; old keys kept", err=True)
        raise SystemExit(1)
    if not keep_old:
        write_key_file(path, dict(data, keys={kid: data["keys"][kid]}))
        _cache.clear()
    click.echo(f"{changed} values re-sealed under {kid}" + ("" if keep_old else "; old keys removed from the file"))


@keys_cli.command("reseal")
def reseal():
    """Re-seal every value not sealed with the current key (after the key service changed the current key)."""
    click.echo(f"{reseal_all(echo=click.echo)} values re-sealed under {keyring().current}")

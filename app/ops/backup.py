"""`flask backup` and `flask restore`: a consistent snapshot of the database (pg_dump's custom format on
PostgreSQL, SQLite's online backup API on SQLite), the stored files kept outside the database, and the signed
timeline checkpoint written just before the dump, described by a signed manifest of hashes and row counts.
A restore checks every hash before it touches anything, loads only into an empty database, and leaves a
signed restore marker beside the checkpoints, so `flask verify-chains` reports the lost interval as a
rollback to the backup's time rather than as tampering."""
import hashlib
import hmac
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask import current_app
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from app import clock
from app.blobs import store as blobs
from app.cases import checkpoints
from app.crypto import chain_key
from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _sign(body: bytes, alg: str = "hmac-sha256") -> str:
    """The manifest's signature (HMAC under the chain key; its algorithm named in the manifest, HMAC-SM3 for new
    backups, as the checkpoints)."""
    return hmac.new(chain_key(), b"backup-manifest:" + body, checkpoints.SIGNING[alg]).hexdigest()


def _libpq_url(url) -> str:
    """The SQLAlchemy URL as pg_dump/pg_restore take it (no driver name)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def table_counts() -> dict[str, int]:
    names = sorted(n for n in inspect(db.engine).get_table_names() if n != "alembic_version")
    return {n: db.session.scalar(select(func.count()).select_from(text(f'"{n}"'))) for n in names}


def _revision() -> str | None:
    try:
        return db.session.scalar(text("SELECT version_num FROM alembic_version"))
    except Exception:  # noqa: BLE001  (an empty database has no version table)
        db.session.rollback()
        return None


def backup(target: Path) -> dict:
    """Write a backup into the new folder `target`; returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty")
    target.mkdir(parents=True, exist_ok=True)
    cp_path = checkpoints.write()  # every head as of now, signed: the dump below holds at least these events
    shutil.copy2(cp_path, target / cp_path.name)
    db.session.rollback()
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    counts = table_counts()
    revision = _revision()
    db.session.rollback()
    if url.get_backend_name() == "postgresql":
        db_file = target / "database.dump"
        # One snapshot of the whole database (pg_dump runs in a single repeatable-read transaction).
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={db_file}",
                        _libpq_url(url)], check=True, capture_output=True)
    else:
        db_file = target / "database.sqlite"
        src = sqlite3.connect(url.database)
        dst = sqlite3.connect(db_file)
        with dst:
            src.backup(dst)  # online and consistent while the app keeps writing
        dst.close()
        src.close()
    files = []
    if current_app.config.get("FILE_STORE", "local") == "local":  # (the database store is inside the dump)
        local = blobs.LocalStore(current_app.config["UPLOAD_DIR"])
        for sha in sorted(local.shas()):
            dest = target / "files" / sha[:2] / sha
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(local.path(sha), dest)
            if blobs.content_sha(target / "files", sha) != sha:  # (copied sealed; its opened content checked)
                raise BackupError(f"stored file {sha} is damaged; the backup is incomplete")
            files.append(sha)
    body = {
        "format": FORMAT, "created_at": clock.now().isoformat(), "dialect": url.get_backend_name(),
        "database": {"file": db_file.name, "sha256": _sha256_file(db_file), "size": db_file.stat().st_size},
        "revision": revision, "counts": counts, "files": files, "file_store": current_app.config.get("FILE_STORE", "local"),
        "checkpoint": {"file": cp_path.name, "sha256": _sha256_file(cp_path)},
    }
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    alg = checkpoints.signing_alg()
    (target / MANIFEST).write_text(json.dumps({"body": raw.decode(), "alg": alg, "signature": _sign(raw, alg)}, indent=1),
                                   encoding="utf-8")
    return body


def read_manifest(source: Path) -> dict:
    """The manifest, after checking its signature and every file it names (BackupError if anything is off)."""
    source = Path(source)
    try:
        doc = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
        raw = doc["body"].encode()
    except (OSError, ValueError, KeyError) as exc:
        raise BackupError(f"{source}: no readable {MANIFEST} ({exc})") from None
    alg = doc.get("alg", "hmac-sha256")
    if alg not in checkpoints.SIGNING or not hmac.compare_digest(_sign(raw, alg), doc.get("signature", "")):
        raise BackupError("the manifest's signature does not match (altered, or made with another chain key)")
    body = json.loads(raw)
    if body.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {body.get('format')}")
    checks = [(source / body["database"]["file"], body["database"]["sha256"]),
              (source / body["checkpoint"]["file"], body["checkpoint"]["sha256"])]
    for path, sha in checks:
        if not path.is_file():
            raise BackupError(f"{path.relative_to(source)} is missing from the backup")
        if _sha256_file(path) != sha:
            raise BackupError(f"{path.relative_to(source)} does not match its hash in the manifest")
    for sha in body["files"]:  # kept sealed: their opened content is checked (which needs the data key)
        path = source / "files" / sha[:2] / sha
        if not path.is_file():
            raise BackupError(f"{path.relative_to(source)} is missing from the backup")
        if blobs.content_sha(source / "files", sha) != sha:
            raise BackupError(f"{path.relative_to(source)} does not match its hash in the manifest")
    return body


def _database_is_empty() -> bool:
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return not names


def restore(source: Path) -> dict:
    """Load the backup in `source` into the configured (empty) database and file store. Returns the manifest
    with the row counts found after loading ("restored_counts")."""
    source = Path(source)
    body = read_manifest(source)
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if body["dialect"] != url.get_backend_name():
        raise BackupError(f"this is a {body['dialect']} backup; the configured database is {url.get_backend_name()}")
    if not _database_is_empty():
        raise BackupError("the configured database is not empty: restore only into a new, empty database")
    db.session.rollback()  # (nothing of ours is open on the new database while pg_restore loads it)
    db_file = source / body["database"]["file"]
    if body["dialect"] == "postgresql":
        done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                               f"--dbname={_libpq_url(url)}", str(db_file)], capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")
    else:
        src = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
        dst = sqlite3.connect(url.database)
        with dst:
            src.backup(dst)
        dst.close()
        src.close()
    if current_app.config.get("FILE_STORE", "local") == "local" and body["files"]:
        local = blobs.LocalStore(current_app.config["UPLOAD_DIR"])
        for sha in body["files"]:
            local.put(sha, blobs.LocalStore(source / "files").content(sha))
    elif body["files"]:  # files kept in a folder at backup time, now in the database store
        store = blobs.store_named("database")
        for sha in body["files"]:
            store.put(sha, blobs.LocalStore(source / "files").content(sha))
        db.session.commit()
    cp_dir = Path(current_app.config["CHECKPOINT_DIR"])
    cp_dir.mkdir(parents=True, exist_ok=True)
    if not (cp_dir / body["checkpoint"]["file"]).exists():
        shutil.copy2(source / body["checkpoint"]["file"], cp_dir / body["checkpoint"]["file"])
    checkpoints.write_restore_marker(body["checkpoint"]["file"], body["created_at"])
    body["restored_counts"] = table_counts()
    db.session.rollback()
    return body


"""Content-addressed file storage behind one interface, chosen by XINLIAN_FILE_STORE:

- "local" (the embedded default): a folder outside the web root (UPLOAD_DIR/ab/abcdef…);
- "database": the `blob`/`blob_chunk` tables, written in the caller's transaction (a file and the row that
  refers to it commit or vanish together) and read a chunk at a time, so every app server of a cluster serves
  every file without a shared disk.

Both keep files sealed with SM4-GCM (app/crypto) chunk by chunk, each chunk bound to its file and position;
files stored before sealing are read as they are and sealed by `flask keys reseal`/`rotate`.

Every read checks the content against its sha256 before anything is sent; `move` copies every file from one
store to the other (`flask files move`), `collect_garbage` forgets files that no row refers to."""
import hashlib
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from flask import current_app, send_file, stream_with_context
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import clock
from app.blobs.models import Blob, BlobChunk
from app.crypto import BYTES_MAGIC, KeyProblem, key_of_bytes, keyring, open_bytes, seal_bytes
from app.crypto import rotate as key_rotation
from app.extensions import db

CHUNK = 256 * 1024
STORES = ("local", "database")
FILE_MAGIC = b"XLSF\x01\n"  # a sealed local file: this header, then (4-byte length, sealed chunk) records


def _purpose(sha: str, seq: int) -> str:
    return f"blob {sha} {seq}"


def _open(sha: str, seq: int, data: bytes) -> bytes:
    try:
        return open_bytes(data, _purpose(sha, seq))
    except KeyProblem:  # changed, or sealed under a key this installation does not hold
        raise FileUnavailable(sha, damaged=True) from None


def _sealed_chunks(sha: str, data: bytes) -> list[bytes]:
    return [seal_bytes(data[o:o + CHUNK], _purpose(sha, i)) for i, o in enumerate(range(0, max(len(data), 1), CHUNK))]


class FileUnavailable(Exception):
    """A stored file is missing or no longer matches its hash (its sha256 is in `sha`)."""

    def __init__(self, sha: str, damaged: bool):
        super().__init__(f"stored file {sha} is {'damaged' if damaged else 'missing'}")
        self.sha, self.damaged = sha, damaged


class LocalStore:
    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def put(self, sha: str, data: bytes) -> None:
        path = self.path(sha)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A unique temporary name: two requests storing the same content must not share one.
        self._write(path, sha, data)

    def _write(self, path: Path, sha: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as f:
            f.write(FILE_MAGIC)
            for rec in _sealed_chunks(sha, data):
                f.write(len(rec).to_bytes(4, "big") + rec)
        os.replace(tmp, path)  # same content either way, so the last rename winning is fine

    def sealed(self, sha: str) -> bool:
        with self.path(sha).open("rb") as f:
            return f.read(len(FILE_MAGIC)) == FILE_MAGIC

    def records(self, sha: str) -> Iterator[bytes]:
        """The stored chunks as they are on disk (sealed, or plain blocks of a file stored before sealing)."""
        try:
            f = self.path(sha).open("rb")
        except FileNotFoundError:
            raise FileUnavailable(sha, damaged=False) from None
        with f:
            if f.read(len(FILE_MAGIC)) != FILE_MAGIC:
                f.seek(0)
                while block := f.read(CHUNK):
                    yield block
                return
            while head := f.read(4):
                rec = f.read(int.from_bytes(head, "big")) if len(head) == 4 else b""
                if not rec:
                    raise FileUnavailable(sha, damaged=True)
                yield rec

    def content(self, sha: str) -> bytes:
        return b"".join(self.chunks(sha))

    def rewrite(self, sha: str, data: bytes) -> None:
        self._write(self.path(sha), sha, data)

    def has(self, sha: str) -> bool:
        return self.path(sha).is_file()

    def chunks(self, sha: str) -> Iterator[bytes]:
        for seq, rec in enumerate(self.records(sha)):
            yield _open(sha, seq, rec)

    def delete(self, sha: str) -> None:
        self.path(sha).unlink(missing_ok=True)

    def shas(self, before: datetime | None = None) -> Iterator[str]:
        if not self.root.is_dir():
            return
        cutoff = before.timestamp() if before else None
        for sub in self.root.iterdir():
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for p in sub.iterdir():
                if len(p.name) == 64 and (cutoff is None or p.stat().st_mtime < cutoff):
                    yield p.name


class DatabaseStore:
    name = "database"

    def put(self, sha: str, data: bytes) -> None:
        # Insert-if-absent, so two requests storing the same content at once both succeed.
        ins = _insert_ignoring_duplicates()
        inserted = db.session.execute(ins(Blob).values(sha256=sha, size=len(data), created_at=clock.now())).rowcount
        if inserted:
            db.session.execute(ins(BlobChunk), [{"sha256": sha, "seq": i, "data": rec}
                                                for i, rec in enumerate(_sealed_chunks(sha, data))])

    def has(self, sha: str) -> bool:
        return db.session.scalar(select(Blob.sha256).where(Blob.sha256 == sha)) is not None

    def chunks(self, sha: str) -> Iterator[bytes]:
        count = db.session.scalar(select(func.count()).select_from(BlobChunk).where(BlobChunk.sha256 == sha))
        if not count:
            raise FileUnavailable(sha, damaged=False)
        for seq in range(count):  # one chunk per query: never the whole file in memory
            data = db.session.scalar(select(BlobChunk.data).where(BlobChunk.sha256 == sha, BlobChunk.seq == seq))
            if data is None:
                raise FileUnavailable(sha, damaged=True)
            yield _open(sha, seq, bytes(data))

    def delete(self, sha: str) -> None:
        db.session.execute(delete(BlobChunk).where(BlobChunk.sha256 == sha))
        db.session.execute(delete(Blob).where(Blob.sha256 == sha))

    def shas(self, before: datetime | None = None) -> Iterator[str]:
        stmt = select(Blob.sha256)
        if before is not None:
            stmt = stmt.where(Blob.created_at < before)
        yield from db.session.scalars(stmt).all()


def content_sha(folder: Path, sha: str) -> str | None:
    """The sha256 of a file's opened content in a folder laid out as the local store (a backup's files)."""
    h = hashlib.sha256()
    try:
        for block in LocalStore(folder).chunks(sha):
            h.update(block)
    except FileUnavailable:
        return None
    return h.hexdigest()


def _insert_ignoring_duplicates():
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return lambda table: insert(table).on_conflict_do_nothing()


def store_named(name: str):
    if name == "local":
        return LocalStore(current_app.config["UPLOAD_DIR"])
    if name == "database":
        return DatabaseStore()
    raise ValueError(f"unknown file store {name!r} (choose one of {', '.join(STORES)})")


def current():
    return store_named(current_app.config.get("FILE_STORE", "local"))


def put(data: bytes) -> str:
    """Store the bytes under their sha256 (once per content) and return it."""
    sha = hashlib.sha256(data).hexdigest()
    current().put(sha, data)
    return sha


def verified_chunks(sha: str, store=None) -> Iterator[bytes]:
    """The file's chunks, after a first pass has checked them against the hash (nothing of a damaged file is
    ever sent). Raises FileUnavailable."""
    store = store or current()
    h = hashlib.sha256()
    for block in store.chunks(sha):
        h.update(block)
    if h.hexdigest() != sha:
        raise FileUnavailable(sha, damaged=True)
    return store.chunks(sha)


def read(sha: str) -> bytes:
    """A small file whole (a kept upload handed back to a form), checked."""
    return b"".join(verified_chunks(sha))


class _ChunkReader(io.RawIOBase):
    def __init__(self, chunks: Iterable[bytes]):
        self._it, self._left = iter(chunks), b""

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        while not self._left:
            try:
                self._left = next(self._it)
            except StopIteration:
                return 0
        n = min(len(buf), len(self._left))
        buf[:n], self._left = self._left[:n], self._left[n:]
        return n


def download(sha: str, mimetype: str, name: str):
    """A response that sends the stored file (checked first) as a download named `name`."""
    store = current()
    chunks = verified_chunks(sha, store)
    if isinstance(store, LocalStore) and not store.sealed(sha):  # (a file stored before sealing)
        chunks.close()
        return _ascii_fallback(send_file(store.path(sha), mimetype=mimetype, as_attachment=True, download_name=name), name, sha)
    # The body is read after the view returns: keep the request (and its database session) while it streams.
    return _ascii_fallback(send_file(io.BufferedReader(_ChunkReader(stream_with_context(chunks)), CHUNK), mimetype=mimetype,
                                     as_attachment=True, download_name=name), name, sha)


def _ascii_fallback(response, name: str, sha: str):
    """Browsers use the UTF-8 name (filename*); the plain `filename` is for clients that cannot read it. Werkzeug
    makes that one by dropping what is not ASCII, which leaves a Chinese name as "20265().pdf": name it after the
    file instead, with its extension."""
    if name.isascii():
        return response
    suffix = PurePosixPath(name).suffix
    suffix = suffix if suffix.isascii() and suffix[1:].isalnum() else ""
    response.headers.set("Content-Disposition", "attachment", filename=f"xinlian-{sha[:12]}{suffix}",
                         **{"filename*": "UTF-8''" + quote(name, safe="")})
    return response


def collect_garbage(referenced: Iterable[Callable[[], Iterable[str]]], before: datetime) -> int:
    """Forget files stored before `before` that no row refers to (the grace period covers a file written by a
    request whose row is not yet committed). Returns how many were removed (flush)."""
    used: set[str] = set()
    for query in referenced:
        used.update(query())
    store = current()
    gone = [sha for sha in store.shas(before) if sha not in used]
    for sha in gone:
        store.delete(sha)
    db.session.flush()
    return len(gone)


def move(source: str, target: str, shas: Iterable[str], report=lambda sha, outcome: None) -> dict[str, int]:
    """Copy each file from one store to the other, checked on the way (one commit per file). Files already in
    the target are skipped; missing or damaged ones are reported and left out."""
    src, dst = store_named(source), store_named(target)
    counts = {"copied": 0, "present": 0, "missing": 0, "damaged": 0}
    started = time.perf_counter()
    for sha in shas:
        if dst.has(sha):
            counts["present"] += 1
            continue
        try:
            data = b"".join(verified_chunks(sha, src))
        except FileUnavailable as exc:
            outcome = "damaged" if exc.damaged else "missing"
            counts[outcome] += 1
            report(sha, outcome)
            continue
        dst.put(sha, data)
        db.session.commit()
        counts["copied"] += 1
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


# ---------------------------------------------------------------- key rotation of the stored files


def _keys_of_files() -> dict:
    """How many stored chunks each key id seals ("plain" for chunks stored before sealing)."""
    used: dict = {}
    store = current()
    for sha in list(store.shas()):
        recs = store.records(sha) if isinstance(store, LocalStore) else (
            bytes(d) for d in db.session.scalars(select(BlobChunk.data).where(BlobChunk.sha256 == sha)))
        for rec in recs:
            kid = key_of_bytes(rec) if rec.startswith(BYTES_MAGIC) else "plain"
            used[kid] = used.get(kid, 0) + 1
    return used


def _reseal_files(echo) -> int:
    """Every stored file not wholly sealed under the current key, opened and sealed again (each file committed)."""
    store, current_key, changed = current(), keyring().current, 0
    for sha in list(store.shas()):
        if isinstance(store, LocalStore):
            recs = list(store.records(sha))
        else:
            recs = [bytes(d) for d in db.session.scalars(select(BlobChunk.data).where(BlobChunk.sha256 == sha)
                                                           .order_by(BlobChunk.seq))]
        if all(r.startswith(BYTES_MAGIC) and key_of_bytes(r) == current_key for r in recs):
            continue
        data = b"".join(_open(sha, i, r) for i, r in enumerate(recs))
        if hashlib.sha256(data).hexdigest() != sha:
            echo(f"file {sha} is damaged: left as it is")
            continue
        if isinstance(store, LocalStore):
            store.rewrite(sha, data)
        else:
            for i, rec in enumerate(_sealed_chunks(sha, data)):
                db.session.execute(BlobChunk.__table__.update().where(BlobChunk.sha256 == sha, BlobChunk.seq == i)
                                   .values(data=rec))
        db.session.commit()
        changed += 1
    if changed:
        echo(f"stored files: {changed} re-sealed")
    return changed


key_rotation.register("stored files", _keys_of_files, _reseal_files)

"""Uploads: checked for size and real type (magic bytes, not just the name), stored outside the web root
under their sha256, recorded as Attachment rows and on the timeline."""
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import delete, exists, select

from app import file_checks
from app.blobs import store as blobs
from app.cases import events
from app.cases.models import Attachment, StagedUpload
from app.enums import EventType
from app.errors import DomainError
from app.extensions import db
from app.i18n import lazy_gettext as _l


@dataclass
class Upload:
    """A file as a route hands it to a service: the client's name and the bytes read (capped)."""

    filename: str
    data: bytes
    field: str = "files"  # the form field it came with (a form can ask for several kinds of document)


def uploads_from(file_storages, field: str = "files") -> list[Upload]:
    """Request files (werkzeug FileStorage, handed over by a route) as service inputs. Each non-empty file
    is read one byte past the limit so an oversized file is recognised as such."""
    cap = current_app.config["MAX_UPLOAD_BYTES"] + 1
    out = []
    for fs in file_storages or []:
        if fs is None or not fs.filename:
            continue
        out.append(Upload(fs.filename, fs.stream.read(cap), field))
    return out


def of_field(uploads: list[Upload], field: str) -> list[Upload]:
    return [u for u in uploads if u.field == field]


def _kind_of(upload: Upload) -> str | None:
    """The file's type (extension) if its content is of that allowed type, else None."""
    ext = Path(upload.filename).suffix.lower().lstrip(".")
    allowed = current_app.config["ALLOWED_UPLOAD_TYPES"]
    if ext not in allowed:
        return None
    guessed = filetype.guess(upload.data)
    if guessed is None:
        return None
    # docx/xlsx are zip containers; filetype recognises them by their inner parts, or as plain zip.
    if guessed.mime == allowed[ext] or (ext in ("docx", "xlsx") and guessed.mime == "application/zip"):
        return ext
    return None


# What a scan of a signed paper document may be (a statement, a waiver, a letter): a picture or a PDF.
SCAN_KINDS = ("pdf", "png", "jpg", "jpeg")


MAX_FILES = 10  # per field of a form


def validate_uploads(uploads: list[Upload], field: str, kinds: tuple[str, ...] | None = None) -> None:
    """Raise DomainError naming the first bad file; nothing is stored. `kinds`: only these types (e.g. SCAN_KINDS)."""
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if len(uploads) > MAX_FILES:  # (each file's content is checked: hundreds in one request would tie up a worker)
        raise DomainError(_l("At most %(n)s files at once.", n=MAX_FILES), field)
    for up in uploads:
        if len(up.data) == 0:
            raise DomainError(_l("File %(name)s is empty.", name=up.filename), field)
        if len(up.data) > limit:
            raise DomainError(
                _l("File %(name)s is larger than %(mb)s MB.", name=up.filename, mb=limit // (1024 * 1024)), field
            )
        problem = file_checks.name_problem(up.filename)
        if problem:
            raise DomainError(problem, field)
        kind = _kind_of(up)
        if kind is None:
            ext = Path(up.filename).suffix.lower().lstrip(".")
            if ext in current_app.config["ALLOWED_UPLOAD_TYPES"]:  # (named .pdf, not a PDF inside: renamed, or damaged)
                raise DomainError(_l("File %(name)s is not a %(kind)s file inside: its content does not match its name. "
                                     "Upload the original file.", name=up.filename, kind=ext.upper()), field)
            raise DomainError(
                _l("File %(name)s is not an allowed type (PDF, PNG, JPG, DOCX, XLSX).", name=up.filename), field
            )
        if kinds is not None and kind not in kinds:
            raise DomainError(_l("File %(name)s is not a scan: give the signed document as PDF, PNG or JPG.", name=up.filename), field)
        problem = file_checks.content_problem(kind, up.data)
        if problem:
            raise DomainError(_l("File %(name)s: %(why)s", name=up.filename, why=problem), field)


MAX_NAME = 200  # (the column's size)


def _safe_name(filename: str) -> str:
    """The file's own name, shortened to fit with its extension kept (a download without it opens as nothing)."""
    name = Path(filename).name or "file"
    if len(name) <= MAX_NAME:
        return name
    suffix = Path(name).suffix
    suffix = suffix if len(suffix) <= 10 else ""
    return name[:MAX_NAME - len(suffix)] + suffix


def store(case_id: int, actor, uploads: list[Upload], purpose: str, field: str = "files",
          subject_id: int | None = None, checked: bool = False) -> list[Attachment]:
    """`checked`: the caller validated these very uploads already (one document filed on many cases: its content
    checks, a PDF's decoding above all, are not run again for each)."""
    if not checked:
        validate_uploads(uploads, field)
    out = []
    for up in uploads:
        sha = blobs.put(up.data)
        safe_name = _safe_name(up.filename)
        att = Attachment(
            case_id=case_id,
            sha256=sha,
            filename=safe_name,
            content_type=current_app.config["ALLOWED_UPLOAD_TYPES"][_kind_of(up)],
            size=len(up.data),
            purpose=purpose,
            uploaded_by_id=actor.id,
            subject_id=subject_id,
        )
        db.session.add(att)
        db.session.flush()
        events.record(
            case_id, EventType.ATTACHMENT_ADDED, actor, {"attachment_id": att.id, "filename": safe_name, "sha256": sha, "purpose": purpose}
        )
        out.append(att)
    return out


def download(att: Attachment):
    """The response that sends an attachment (checked against its hash first)."""
    return blobs.download(att.sha256, att.content_type, att.filename)


def referenced_shas() -> set[str]:
    """Every file an attachment or a kept upload refers to (the garbage collector keeps these)."""
    return set(db.session.scalars(select(Attachment.sha256).distinct())) | set(
        db.session.scalars(select(StagedUpload.sha256).distinct()))


# Files of a refused form, kept for the sender's next submission (see StagedUpload).
STAGED_TOKEN = re.compile(r"[0-9a-f]{32}")
STAGED_KEPT_FOR_HOURS = 24


def stage(actor, uploads: list[Upload]) -> tuple[list[StagedUpload], list[str]]:
    """Keep each acceptable file for the next submission (flush); returns the kept rows and, for each
    refused file, the reason (the same checks as for attachments)."""
    kept, problems = [], []
    for up in uploads:
        try:
            validate_uploads([up], "files")
        except DomainError as exc:
            problems.append(exc.message)
            continue
        row = StagedUpload(token=secrets.token_hex(16), user_id=actor.id, sha256=blobs.put(up.data),
                           filename=_safe_name(up.filename), size=len(up.data))
        db.session.add(row)
        kept.append(row)
    db.session.flush()
    return kept, problems


def staged_of(actor, tokens) -> list[StagedUpload]:
    """The sender's own kept files named by the tokens of the page (others' tokens are ignored)."""
    tokens = [t for t in tokens if STAGED_TOKEN.fullmatch(t or "")][:50]
    if not tokens:
        return []
    return list(db.session.scalars(select(StagedUpload).where(StagedUpload.token.in_(tokens),
                                                              StagedUpload.user_id == actor.id).order_by(StagedUpload.id)))


def keep_for_resubmission(actor, tokens, uploads: list[Upload]) -> tuple[list[StagedUpload], list[str]]:
    """A form goes back to its sender refused: the files it brought stay for the next submission (a browser cannot
    refill a file input): those kept before (named by the page's tokens) and the new ones staged; with the reasons
    the new ones that were not acceptable were refused (flush)."""
    kept = staged_of(actor, tokens)[:MAX_FILES]
    room = MAX_FILES - len(kept)  # (a form takes at most MAX_FILES a field: more kept would only be refused later)
    rows, problems = stage(actor, uploads[:room])
    if len(uploads) > room:
        problems = [*problems, str(_l("At most %(n)s files at once: %(m)s of those sent were not kept.", n=MAX_FILES,
                                       m=len(uploads) - room))]
    return kept + rows, problems


def take_staged(actor, tokens, field: str = "files") -> list[Upload]:
    """The kept files as uploads of the form's `field` for the service, removed from the staging area in the same
    transaction."""
    out = []
    for row in staged_of(actor, tokens):
        try:
            out.append(Upload(row.filename, blobs.read(row.sha256), field))
        except blobs.FileUnavailable:
            pass  # (a kept file lost meanwhile: the form asks for it again)
        db.session.delete(row)
    db.session.flush()
    return out


def purge_staged(before) -> int:
    """Forget kept files older than `before` (flush); a blob no attachment or kept file uses is deleted."""
    rows = list(db.session.scalars(select(StagedUpload).where(StagedUpload.created_at < before)))
    if not rows:
        return 0
    db.session.execute(delete(StagedUpload).where(StagedUpload.id.in_([r.id for r in rows])))
    for sha in {r.sha256 for r in rows}:
        used = db.session.scalar(select(exists().where(Attachment.sha256 == sha))) or db.session.scalar(
            select(exists().where(StagedUpload.sha256 == sha)))
        if not used:
            blobs.current().delete(sha)
    db.session.flush()
    return len(rows)

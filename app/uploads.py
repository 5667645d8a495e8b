"""Turning request files into service inputs (the only place that touches werkzeug FileStorage)."""
from flask import current_app

from app.cases.attachments import Upload


def uploads_from(file_storages) -> list[Upload]:
    """Read each non-empty file, one byte past the limit so an oversized file is recognised as such."""
    cap = current_app.config["MAX_UPLOAD_BYTES"] + 1
    out = []
    for fs in file_storages or []:
        if fs is None or not fs.filename:
            continue
        out.append(Upload(fs.filename, fs.stream.read(cap)))
    return out

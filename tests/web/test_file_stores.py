"""Stored files in either store (issue 19): the database store every app server of a cluster shares, the
local folder of the embedded setup, `flask files move` between them, the hash checked on every read, and
files no row refers to collected."""
import hashlib
import os
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app import clock as app_clock
from app.blobs import store as blobs
from app.blobs.models import Blob, BlobChunk
from app.cases import attachments
from app.cases.models import Attachment
from app.extensions import db
from app.scheduler.jobs import collect_files
from tests.conftest import login
from tests.helpers import PDF, file_case

PDF_BYTES = PDF.data


def _big_pdf(n_bytes: int) -> bytes:
    # A valid PDF header with a comment padding it past several chunks (content differs from PDF_BYTES).
    return PDF_BYTES.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + b"x" * n_bytes + b"\n", 1)


@pytest.fixture
def database_store(app, monkeypatch):
    monkeypatch.setitem(app.config, "FILE_STORE", "database")


def test_database_store_keeps_a_case_file_in_chunks_and_serves_it(client, org, clock, database_store):
    data = _big_pdf(3 * blobs.CHUNK)
    case = file_case(files=(attachments.Upload("大文件.pdf", data),))
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert att.sha256 == hashlib.sha256(data).hexdigest()
    assert db.session.scalar(select(func.count()).select_from(BlobChunk).where(BlobChunk.sha256 == att.sha256)) == 4
    assert not blobs.LocalStore(current_app.config["UPLOAD_DIR"]).has(att.sha256)  # nothing on this machine's disk
    login(client, "market_cw")
    with client.get(f"/cases/{case.id}/files/{att.id}") as resp:
        assert resp.status_code == 200 and resp.data == data
        # The name in UTF-8 for browsers; for clients that read only the plain name, one made from the file (what
        # Werkzeug makes by dropping the Chinese characters is ".pdf").
        disposition = resp.headers["Content-Disposition"]
        assert disposition.startswith("attachment") and "filename*=UTF-8''%E5%A4%A7%E6%96%87%E4%BB%B6.pdf" in disposition
        assert f"filename=xinlian-{att.sha256[:12]}.pdf" in disposition.replace('"', "")


def test_a_damaged_file_is_never_sent(client, org, clock, database_store, caplog):
    case = file_case()
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    chunk = db.session.get(BlobChunk, (att.sha256, 0))
    assert b"%PDF" not in chunk.data  # kept sealed (SM4-GCM): one byte changed fails its authentication tag
    chunk.data = chunk.data[:-1] + bytes([chunk.data[-1] ^ 1])
    db.session.commit()
    login(client, "market_cw")
    with client.get(f"/cases/{case.id}/files/{att.id}") as resp:
        page = resp.get_data(as_text=True)
        assert resp.status_code == 500 and "%PDF" not in page and "损坏" in page
    assert f"stored file {att.sha256} is damaged" in caplog.text


def test_a_damaged_local_file_is_never_sent_either(client, org, clock):
    case = file_case()
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    path = blobs.LocalStore(current_app.config["UPLOAD_DIR"]).path(att.sha256)
    path.write_bytes(path.read_bytes() + b"appended")
    login(client, "market_cw")
    assert client.get(f"/cases/{case.id}/files/{att.id}").status_code == 500
    path.unlink()
    assert client.get(f"/cases/{case.id}/files/{att.id}").status_code == 500


def test_files_move_from_the_local_folder_into_the_database(app, client, org, clock):
    case = file_case(files=(attachments.Upload("证据.pdf", _big_pdf(10)),))
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    result = app.test_cli_runner().invoke(args=["files", "move", "--to", "database"])
    assert result.exit_code == 0, result.output
    assert "1 copied" in result.output and "XINLIAN_FILE_STORE=database" in result.output
    assert db.session.get(Blob, att.sha256).size == att.size
    # Moved twice: nothing copied again.
    assert "1 already there" in app.test_cli_runner().invoke(args=["files", "move", "--to", "database"]).output
    blobs.LocalStore(current_app.config["UPLOAD_DIR"]).delete(att.sha256)  # the old folder is gone
    app.config["FILE_STORE"] = "database"
    try:
        login(client, "market_cw")
        with client.get(f"/cases/{case.id}/files/{att.id}") as resp:
            assert resp.status_code == 200 and resp.data == _big_pdf(10)
    finally:
        app.config["FILE_STORE"] = "local"


def test_files_move_reports_a_missing_file_and_fails(app, org, clock):
    case = file_case(files=(attachments.Upload("证据.pdf", _big_pdf(20)),))
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    blobs.LocalStore(current_app.config["UPLOAD_DIR"]).delete(att.sha256)
    result = app.test_cli_runner().invoke(args=["files", "move", "--to", "database"])
    assert result.exit_code == 1 and f"MISSING {att.sha256}" in result.output


@pytest.mark.parametrize("store", ["local", "database"])
def test_files_no_row_refers_to_are_collected_after_a_day(app, org, clock, monkeypatch, store):
    monkeypatch.setitem(app.config, "FILE_STORE", store)
    case = file_case()
    kept = db.session.scalar(select(Attachment.sha256).where(Attachment.case_id == case.id))
    orphan = blobs.put(_big_pdf(30))
    db.session.commit()
    assert collect_files(app) == 0  # too young: its row may still be on its way
    clock.shift(timedelta(days=2))
    if store == "local":  # a file's age in the folder is its modification time (the real clock's)
        local = blobs.LocalStore(app.config["UPLOAD_DIR"])
        old = (app_clock.now() - timedelta(days=3)).timestamp()
        for sha in (orphan, kept):
            os.utime(local.path(sha), (old, old))
    assert collect_files(app) == 1
    assert not blobs.current().has(orphan) and blobs.current().has(kept)
    assert blobs.read(kept) == PDF_BYTES


def test_two_requests_storing_the_same_content_both_succeed(org, clock, database_store):
    a = blobs.put(PDF_BYTES)
    b = blobs.put(PDF_BYTES)
    assert a == b and db.session.scalar(select(func.count()).select_from(Blob)) == 1


def test_a_file_stored_before_sealing_is_still_served_and_sealed_by_reseal(app, client, org, clock, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    case = file_case()
    db.session.commit()
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    local = blobs.LocalStore(current_app.config["UPLOAD_DIR"])
    plain = local.content(att.sha256)
    local.path(att.sha256).write_bytes(plain)  # as an older release stored it
    login(client, "market_cw")
    with client.get(f"/cases/{case.id}/files/{att.id}") as resp:
        assert resp.data == plain
    result = app.test_cli_runner().invoke(args=["keys", "reseal"])
    assert result.exit_code == 0 and "stored files: 1 re-sealed" in result.output, result.output
    assert local.path(att.sha256).read_bytes().startswith(blobs.FILE_MAGIC)
    with client.get(f"/cases/{case.id}/files/{att.id}") as resp:
        assert resp.data == plain

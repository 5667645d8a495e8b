"""Identity numbers and contact details at rest (issue 20, 密评): sealed with SM4-GCM under a key kept outside the
database, found by exact value through a keyed SM3 digest, re-sealed by `flask keys rotate`. A filled database
is read column by column, as a copy of it would be, and no plain value is found."""
import io
import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook
from sqlalchemy import select

from app import clock as app_clock
from app import crypto
from app.api import clients
from app.api.models import WebhookDelivery
from app.auth import services as auth_services
from app.auth.models import Unit
from app.cases.attachments import Upload
from app.cases.models import Case, Subject
from app.credit import services as credit
from app.credit.models import CreditCheck
from app.crypto.rotate import keys_in_use
from app.data_calls import services as calls
from app.data_calls.models import DataSubmission
from app.dueprocess import subject_changes
from app.experts.models import Expert
from app.extensions import db
from app.public_reports import services as reports
from tests.conftest import user
from tests.helpers import COMPANY, PERSON, complete, file_case, in_effect_case, only_task, unit_id

REPORTED = "91510400MA6X000809"
CONTACT, EXPERT_PHONE, LIAISON_PHONE = "13800001111", "13912345678", "0832-1234567"


def _fill():
    # a decided case about a person: its listing, the pushes to the units and a department system's webhook message
    c, _token, _secret = clients.create(user("admin"), "财政业务系统", unit_id("市财政局"), ["check"], "http://127.0.0.1:9/hook")
    clients.approve(user("secadmin"), c.id)
    person_case, _codes = in_effect_case(subjects=(PERSON,))
    assert db.session.scalar(select(WebhookDelivery)).payload["listing"]["subject_code"] == PERSON[2]
    # the person's registration ends (a timeline line names the subject: masked there)
    subject_changes.record_change(user("market_cw"), person_case.subjects[0].subject_id, "deregistered", app_clock.today_local(),
                                  "注销证明", "死亡注销")
    case = file_case(subjects=(COMPANY,))
    requester = credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id)
    credit.check(requester, PERSON[2], "procurement", "CG-1")
    reports.submit("enterprise", "某建材有限公司", REPORTED, "该公司在政府采购投标中提供虚假业绩材料。", "李先生", CONTACT, [])
    db.session.add(Expert(name="王专家", fields=["legal"], affiliation="某律所", affiliated_subject_code=PERSON[2],
                          contact=EXPERT_PHONE))
    unit = db.session.get(Unit, unit_id("市市场监管局"))  # (through the service: the audit of changes keeps before/after)
    auth_services.save_unit(user("admin"), unit, unit.name, unit.kind, True, unit.liaison_id, LIAISON_PHONE)
    # a unit answers a data call with a table naming the person
    call = calls.publish(user("office1"), "涉及人员报送", "请报送。", "指标名称\n本月数值#\n说明", [unit_id("市财政局")], 5)
    book = Workbook()
    for row in (("指标名称", "本月数值", "说明"), ("涉及人员", 1, PERSON[2])):
        book.active.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    complete("finance_cw", only_task(call.id, "submit_data"), {"pasted": ""}, files=[Upload("table.xlsx", buf.getvalue(), "file")])
    assert db.session.scalar(select(DataSubmission.rows).where(DataSubmission.case_id == call.id)) == [["涉及人员", "1", PERSON[2]]]
    db.session.commit()
    return case


def _plain_hits(values: list[str]) -> list[str]:
    """Every table and column of the database read raw (no model types), each value searched for the plain values."""
    hits = []
    conn = db.session.connection()
    for table in sa.inspect(conn).get_table_names():
        for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')).mappings():
            for col, v in row.items():
                text = v.decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v)
                hits += [f"{table}.{col}" for plain in values if plain in text]
    return sorted(set(hits))


def test_no_plain_identity_number_or_contact_at_rest(org, clock):
    case = _fill()
    assert _plain_hits([PERSON[2], REPORTED, CONTACT, EXPERT_PHONE, LIAISON_PHONE]) == []
    raw = db.session.execute(sa.text("SELECT code_sealed, code_digest FROM subject WHERE id = :i"),
                             {"i": case.subjects[0].subject_id}).one()
    assert db.session.execute(sa.text("SELECT payload FROM webhook_delivery")).scalar().startswith("sm4gcm:")
    # the stored files too (evidence, decisions naming the person): sealed chunk by chunk on disk
    from app.blobs import store as blobs
    from app.cases.models import Attachment

    local = blobs.LocalStore(current_app.config["UPLOAD_DIR"])
    for att in db.session.scalars(select(Attachment)):
        on_disk = local.path(att.sha256).read_bytes()
        plain = local.content(att.sha256)
        assert on_disk.startswith(blobs.FILE_MAGIC) and plain[:4] in (b"%PDF", b"PK\x03\x04") and plain[:64] not in on_disk
    assert raw.code_sealed.startswith("sm4gcm:") and len(raw.code_digest) == 64
    # ... and the application reads and finds them as before
    person = db.session.scalar(select(Subject).where(Subject.code == PERSON[2]))
    assert person is not None and person.code == PERSON[2] and person.name == PERSON[1]
    assert db.session.scalar(select(CreditCheck).where(CreditCheck.subject_code == PERSON[2])).subject_code == PERSON[2]
    assert db.session.scalar(select(Expert).where(Expert.name == "王专家")).contact == EXPERT_PHONE
    db.session.expire_all()
    assert db.session.get(Unit, unit_id("市市场监管局")).liaison_phone == LIAISON_PHONE
    report = db.session.scalar(select(Case).where(Case.kind == "public_report"))
    assert report.determination["contact"] == CONTACT and report.determination["subject_code"] == REPORTED


def test_a_changed_or_moved_sealed_value_is_refused():
    ring = crypto.Keyring(crypto.new_keyring())
    sealed = ring.seal(PERSON[2], "subject.code")
    assert ring.open(sealed, "subject.code") == PERSON[2]
    with pytest.raises(crypto.KeyProblem):  # the same ciphertext copied into another kind of column
        ring.open(sealed, "expert.contact")
    body = sealed.rsplit(":", 1)[1]
    flipped = sealed[: -len(body)] + ("A" if body[5] != "A" else "B").join((body[:5], body[6:]))
    with pytest.raises(crypto.KeyProblem):
        ring.open(flipped, "subject.code")
    with pytest.raises(crypto.KeyProblem):  # another installation's key
        crypto.Keyring(crypto.new_keyring()).open(sealed, "subject.code")
    assert ring.seal(PERSON[2], "subject.code") != sealed  # random nonces: equal values do not look equal
    assert ring.digest(PERSON[2]) == ring.digest(PERSON[2]) != crypto.Keyring(crypto.new_keyring()).digest(PERSON[2])


def test_rotating_the_key_reseals_every_value_and_drops_the_old_key(app, org, clock, tmp_path, monkeypatch):
    keyfile = tmp_path / "data.key"
    shutil.copy(app.config["DATA_KEY_FILE"], keyfile)
    monkeypatch.setitem(app.config, "DATA_KEY_FILE", str(keyfile))
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))  # (its files are re-sealed under the new key)
    crypto._cache.clear()
    old = json.loads(keyfile.read_text())
    _fill()
    before = keys_in_use()
    assert set(before) == {old["current"]} and sum(before.values()) >= 10
    # one key file per machine: the next key is added unused first (and copied to every server) ...
    prepared = app.test_cli_runner().invoke(args=["keys", "prepare"])
    assert prepared.exit_code == 0, prepared.output
    added = json.loads(keyfile.read_text())
    [kid] = set(added["keys"]) - set(old["keys"])
    assert added["current"] == old["current"] and keys_in_use() == before
    # ... then made current: every value re-sealed under it, the old key dropped
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    new = json.loads(keyfile.read_text())
    assert new["current"] == kid != old["current"] and list(new["keys"]) == [new["current"]] and new["lookup"] == old["lookup"]
    assert keys_in_use() == {new["current"]: sum(before.values())}
    db.session.expire_all()
    assert db.session.scalar(select(Subject).where(Subject.code == PERSON[2])).name == PERSON[1]
    found = credit.check(credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id), PERSON[2], "procurement", "CG-2")
    assert found.subject_name == PERSON[1]
    assert "values re-sealed" in result.output
    # the old key alone opens nothing any more
    Path(keyfile).write_text(json.dumps(old))
    crypto._cache.clear()
    with pytest.raises(crypto.KeyProblem):
        db.session.execute(sa.text("SELECT 1")).all()
        db.session.expire_all()
        db.session.scalar(select(Subject).where(Subject.code == PERSON[2])).code  # noqa: B018
    crypto._cache.clear()


def test_access_codes_are_kept_as_keyed_sm3_digests_and_older_plain_hashes_still_open_an_account(org, clock):
    import hashlib

    from app.rights import accounts
    from app.rights.models import AccessCode
    from tests.helpers import applicant_for, issue_codes

    case, _codes = in_effect_case(subjects=(PERSON, COMPANY))
    codes = issue_codes(case)
    person_id, company_id = (cs.subject_id for cs in case.subjects)
    row = db.session.scalar(select(AccessCode).where(AccessCode.subject_id == person_id))
    plain = codes[person_id].replace("-", "")
    assert row.code_hash == crypto.digest("access-code:" + plain) != hashlib.sha256(plain.encode()).hexdigest()
    assert applicant_for(case, codes).subject_id == case.subjects[0].subject_id
    # a code issued before keyed digests (its plain SHA-256 kept) still opens the account once
    old = db.session.scalar(select(AccessCode).where(AccessCode.subject_id == company_id))
    old.code_hash = hashlib.sha256(codes[company_id].replace("-", "").encode()).hexdigest()
    db.session.commit()
    company = db.session.get(Subject, company_id)
    assert accounts.register(company.kind, company.code, codes[company_id], "applicant2", "A-long-passw0rd", "联系人").subject_id == company_id

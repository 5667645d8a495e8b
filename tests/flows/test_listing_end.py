"""The deciding body ends a listing early (谁决定、谁负责; for a department's own list 谁处罚、谁公示、谁督促修复): its
decision annulled or wrong, or a department's record of the subject's repair. The listing's process lifts the measures at
every unit; the subject leaves the public list and the credit check; a case whose last listing ends closes."""
import pytest
from sqlalchemy import func, select

from app.cases.attachments import Upload
from app.cases.models import Attachment, Case
from app.credit import services as credit
from app.enums import EventType
from app.errors import DomainError, PermissionDenied
from app.extensions import db
from app.listings import imports, queries, withdrawal
from app.listings.models import Listing, Push
from tests.conftest import csrf_from, login, user
from tests.flows.test_department_lists import GOOD, PERSON, _xlsx
from tests.helpers import COMPANY, COMPANY2, event_types, in_effect_case, listings_of, open_tasks, unit_id

SCAN = Upload("撤销决定书.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _finance():
    return credit.Requester(unit_id=unit_id("市财政局"), user_id=user("finance_cw").id)


def test_the_deciding_groups_lead_revokes_one_subjects_listing(org, clock):
    case, _codes = in_effect_case(subjects=(COMPANY, COMPANY2))
    first, second = listings_of(case.id)
    assert withdrawal.candidates(user("market_lead"), case) == [first, second]
    assert withdrawal.candidates(user("market_cw"), case) is None  # a case's decision is the group's, not a caseworker's
    assert withdrawal.candidates(user("env_lead"), case) is None  # another group's lead

    # Refused, with a message and nothing written: another unit's lead, no reasons, no scan, a way a case's listing has not.
    refusals = [
        (PermissionDenied, dict(actor=user("env_lead"))),
        (PermissionDenied, dict(actor=user("market_cw"))),
        (DomainError, dict(reasons="  ")),
        (DomainError, dict(files=[])),
        (DomainError, dict(way="lunar")),
        (DomainError, dict(files=[Upload("决定.docx", b"PK\x03\x04 not really")])),
    ]
    for error, change in refusals:
        args = dict(actor=user("market_lead"), way="revoked", reasons="复议决定撤销原处罚决定。", files=[SCAN]) | change
        with pytest.raises(error):
            withdrawal.end(args["actor"], case.id, first.id, args["way"], args["reasons"], args["files"])
        db.session.rollback()
    assert [lst.status for lst in listings_of(case.id)] == ["in_effect", "in_effect"]
    assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.purpose == "listing_end")) == 0

    withdrawal.end(user("market_lead"), case.id, first.id, "revoked", "复议决定撤销原处罚决定。", [SCAN])
    db.session.commit()
    first, second = listings_of(case.id)
    assert (first.status, first.end_reason, second.status) == ("revoked", "revoked", "in_effect")
    lifts = db.session.scalars(select(Push).where(Push.listing_id == first.id, Push.action == "lift")).all()
    assert {p.unit_id for p in lifts} == {unit_id("市财政局"), unit_id("市住房城乡建设局"), unit_id("市市场监管局")}
    assert len(open_tasks(case.id, "confirm_push")) == 3
    # the subject leaves the public list and the check at once; the other subject stays
    assert credit.check(_finance(), COMPANY[2], "procurement", "CG-1").verdict != "punished"
    assert credit.check(_finance(), COMPANY2[2], "procurement", "CG-2").verdict == "punished"
    assert [lst.subject.name for lst in queries.public_list("punishment", None, 1).items] == [COMPANY2[1]]
    # on the timeline with the reasons and the signed decision; the case goes on for the other subject
    assert EventType.DETERMINATION_REVOKED in event_types(case.id)
    [att] = db.session.scalars(select(Attachment).where(Attachment.purpose == "listing_end")).all()
    assert att.subject_id == first.subject_id
    assert db.session.get(Case, case.id).status == "in_effect"
    with pytest.raises(DomainError):  # already ended
        withdrawal.end(user("office1"), case.id, first.id, "revoked", "再次撤销", [SCAN])
    db.session.rollback()

    # the office ends the last one: the case closes
    withdrawal.end(user("office1"), case.id, second.id, "revoked", "法院判决撤销。", [SCAN])
    db.session.commit()
    assert db.session.get(Case, case.id).status == "closed"


def test_a_repair_recorded_on_another_platform_is_recognised_after_the_minimum_period(org, clock):
    """Seed 003 10/21 结果互认: the deciding body records it as repaired (not revoked), once the minimum publication
    period the subject's own application would wait for has run."""
    case, _codes = in_effect_case(days=365)
    [listing] = listings_of(case.id)
    assert withdrawal.ways(listing) == ("revoked", "repaired")
    with pytest.raises(DomainError) as early:
        withdrawal.end(user("market_lead"), case.id, listing.id, "repaired", "已在其他平台修复。", [SCAN])
    assert early.value.errors[0][0] == "way" and "2027年2月21日" in str(early.value.errors[0][1])
    db.session.rollback()
    clock.move_to("2027-02-22T02:00:00+00:00")
    withdrawal.end(user("market_lead"), case.id, listing.id, "repaired", "该主体已在信用中国网站完成信用修复，予以互认。", [SCAN])
    db.session.commit()
    [listing] = listings_of(case.id)
    assert listing.status == "repaired" and EventType.CREDIT_REPAIRED in event_types(case.id)
    assert credit.check(_finance(), COMPANY[2], "procurement", "CG-9").verdict != "punished"


def test_a_department_ends_its_own_listing_by_revocation_or_repair(org, clock):
    [record] = imports.import_list(user("market_cw"), "list.xlsx", _xlsx(GOOD, PERSON))
    db.session.commit()
    company, person = db.session.scalars(select(Listing).where(Listing.case_id == record.id).order_by(Listing.id)).all()
    assert withdrawal.ways(company) == ("revoked", "repaired")
    assert withdrawal.candidates(user("market_cw"), record) == [company, person]  # the department's own staff
    assert withdrawal.candidates(user("finance_cw"), record) is None

    withdrawal.end(user("market_cw"), record.id, person.id, "repaired", "已履行义务，本部门认定信用修复。", [SCAN])
    db.session.commit()
    assert db.session.get(Listing, person.id).status == "repaired"
    assert credit.check(_finance(), PERSON[3], "procurement", "CG-3").verdict != "punished"
    assert EventType.CREDIT_REPAIRED in event_types(record.id)
    # The department's record of the repair is published as an approved application is (谁处罚、谁公示).
    from app.rights import repair

    assert [row[-1].id for row in repair.published_results(None, 1).items] == [person.subject_id]
    withdrawal.end(user("market_cw"), record.id, company.id, "revoked", "原处罚决定被撤销。", [SCAN])
    db.session.commit()
    assert db.session.get(Listing, company.id).status == "revoked"
    assert [row[-1].id for row in repair.published_results(None, 1).items] == [person.subject_id]  # (a revocation is not)
    assert db.session.get(Case, record.id).status != "in_effect"


def test_the_case_page_ends_a_listing_and_keeps_what_was_typed_when_refused(client, org, clock):
    case, _codes = in_effect_case()
    [listing] = listings_of(case.id)
    login(client, "market_cw")
    assert "listing-end" not in client.get(f"/cases/{case.id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/").get_data(as_text=True))})
    login(client, "market_lead")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="listing-end"' in page
    form = {"csrf_token": csrf_from(page), "listing_id": str(listing.id), "way": "revoked", "reasons": "复议撤销。"}
    refused = client.post(f"/cases/{case.id}/listings/end", data=form, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "请附上" in html and "复议撤销。" in html  # the scan is asked for; the reasons kept
    assert db.session.get(Listing, listing.id).status == "in_effect"
    done = client.post(f"/cases/{case.id}/listings/end", content_type="multipart/form-data",
                       data=form | {"files": (__import__("io").BytesIO(SCAN.data), "撤销决定书.pdf")})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).status == "revoked"


def test_a_red_list_entry_is_withdrawn_by_the_body_that_decided_it(org, clock):
    """Seed 004 (十七): a reward found undeserved (the subject later found dishonest, the reward annulled) is withdrawn
    early; the units stop the reward measures and the subject leaves the red list."""
    from tests.helpers import complete, determine, file_case, only_task

    case = file_case(username="tax_cw", entries=("SC-R-001",))
    complete("market_lead", only_task(case.id, "pre_review"), {"outcome": "accept"})
    determine("market_lead", only_task(case.id, "schedule_meeting"), days=730)
    [listing] = listings_of(case.id)
    assert listing.kind == "reward" and listing.status == "in_effect"
    assert [lst.subject.name for lst in queries.public_list("reward", None, 1).items] == [COMPANY[1]]
    withdrawal.end(user("market_lead"), case.id, listing.id, "revoked", "该主体被查实存在严重失信行为，撤销激励。", [SCAN])
    db.session.commit()
    assert db.session.get(Listing, listing.id).status == "revoked"
    assert queries.public_list("reward", None, 1).items == []
    assert db.session.scalars(select(Push).where(Push.listing_id == listing.id, Push.action == "lift")).all()


def test_a_department_red_list_entry_is_only_revoked_never_repaired(org, clock):
    """Credit repair ends a punishment: a department's red-list reward has nothing to repair, so only revocation (or its
    withdrawal from today) is offered, and a request to end it as repaired is refused with nothing changed."""
    red = ["红名单", "某电子科技有限公司", "企业", "91510400MA6X000506", "2026-11-02", "纳税信用A级", "", "SC-R-001",
           "市税务局", "川税信〔2026〕8号", "2026-11-02", "2027-11-01"]
    [record] = imports.import_list(user("tax_cw"), "red.xlsx", _xlsx(red))
    db.session.commit()
    [reward] = db.session.scalars(select(Listing).where(Listing.case_id == record.id)).all()
    assert reward.kind == "reward" and withdrawal.ways(reward) == ("revoked", "withdrawn")
    with pytest.raises(DomainError):
        withdrawal.end(user("tax_cw"), record.id, reward.id, "repaired", "不适用。", [SCAN])
    db.session.rollback()
    assert db.session.get(Listing, reward.id).status == "in_effect"
    withdrawal.end(user("tax_cw"), record.id, reward.id, "revoked", "该主体后被认定失信，撤销红名单。", [SCAN])
    db.session.commit()
    assert db.session.get(Listing, reward.id).status == "revoked"


def test_a_listing_under_objection_is_not_ended_beside_it(org, clock):
    """While the subject's objection is handled the deciding body answers it (a founded objection revokes the listing)
    rather than ending the listing beside it, which would leave the objection running with its deadlines."""
    from app.rights import objections
    from tests.helpers import applicant_for, do, task_of

    case, codes = in_effect_case()
    [listing] = listings_of(case.id)
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "认定事实有误。", [])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        withdrawal.end(user("market_lead"), case.id, listing.id, "revoked", "复议撤销。", [SCAN])
    db.session.rollback()
    assert obj.number in str(refused.value.message) and db.session.get(Listing, listing.id).status == "suspended"
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "accept"})
    withdrawal.end(user("market_lead"), case.id, listing.id, "revoked", "复议撤销。", [SCAN])
    db.session.commit()
    assert db.session.get(Listing, listing.id).status == "revoked"


def test_the_refusal_says_where_the_subjects_objection_stands(org, clock):
    """Answered, the objection waits on the subject's choice to complain; complained, it is with the office: the
    refusal says so instead of asking the unit to answer what it has answered."""
    from app.rights import objections
    from tests.helpers import applicant_for, do, task_of

    case, codes = in_effect_case()
    [listing] = listings_of(case.id)
    applicant = applicant_for(case, codes)
    obj = objections.file_objection(applicant, case.id, "认定事实有误。", [])
    db.session.commit()

    def refusal() -> str:
        with pytest.raises(DomainError) as refused:
            withdrawal.end(user("market_lead"), case.id, listing.id, "revoked", "复议撤销。", [SCAN])
        db.session.rollback()
        return str(refused.value.message)

    assert obj.number in refusal() and "请在异议中答复" in refusal()
    do(user("market_lead"), task_of(obj.id, "reply_objection"), {"outcome": "rejected", "reasons": "不成立。"})
    assert obj.number in refusal() and "已答复" in refusal() and "请在异议中答复" not in refusal()
    do(applicant, task_of(obj.id, "applicant_next"), {"next_step": "complain", "grounds": "投诉。"})
    assert obj.number in refusal() and "联席会议办公室" in refusal() and "请在异议中答复" not in refusal()
    assert db.session.get(Listing, listing.id).status == "suspended"

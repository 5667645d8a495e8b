"""Identity numbers are whole only where the case page shows them whole (the office and the filing unit): also on a
correction of the number and in the subject page's record of a deregistration (found by a review helper's probes)."""
from datetime import date

from app.extensions import db
from tests.conftest import csrf_from, login, user
from tests.helpers import PERSON, in_effect_case

ID = PERSON[2]  # 510402198503124568
MASKED = "510***********4568"


def _logout(client):
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/tasks/", follow_redirects=True).get_data(as_text=True))})


def test_a_correction_of_an_identity_number_shows_both_numbers_masked_to_those_the_case_page_masks_them_for(client, org, clock):
    from app.dueprocess import corrections

    case, _codes = in_effect_case(subjects=(PERSON,))
    subject = case.subjects[0].subject
    corr = corrections.report(user("finance_cw"), subject.id, "code", "510402198503124584", "身份证号录入错误", [])
    db.session.commit()
    for who in ("finance_cw", "supervisor1", "admin"):
        login(client, who)
        page = client.get(f"/cases/{corr.id}").get_data(as_text=True)
        assert ID not in page and "510402198503124584" not in page, who
        assert MASKED in page and "510***********4584" in page, who
        _logout(client)
    login(client, "office1")  # the office reads both whole (and the view is logged like any whole number)
    page = client.get(f"/cases/{corr.id}").get_data(as_text=True)
    assert ID in page and "510402198503124584" in page


def test_the_subject_pages_record_of_a_deregistration_masks_the_number(client, org, clock):
    from app.dueprocess import subject_changes

    case, _codes = in_effect_case(subjects=(PERSON,))
    subject = case.subjects[0].subject
    subject_changes.record_change(user("market_cw"), subject.id, "deregistered", date(2026, 11, 20), "死亡证明（示例）", "当事人死亡")
    db.session.commit()
    for who in ("finance_cw", "supervisor1", "admin", "office1"):
        login(client, who)
        page = client.get(f"/subjects/{subject.id}").get_data(as_text=True)
        assert MASKED in page and ID not in page, who
        _logout(client)


def test_a_check_that_found_nothing_does_not_open_the_subject_page_which_would_name_the_person(client, org, clock):
    """The credit check does not name whom a number belongs to unless it finds a listing (a party to a case still
    undecided must not be learned by checking numbers); the subject page, reached by id, must not name them either."""
    from app.credit import services as credit
    from tests.helpers import file_case

    case = file_case(subjects=(PERSON,))  # a trigger under way: no decision, no listing
    subject = case.subjects[0].subject
    answer = credit.check(credit.Requester.of_user(user("court_cw")), ID, "licence", "XK-1")
    db.session.commit()
    assert answer.subject_name is None
    login(client, "court_cw")
    assert PERSON[1] not in client.get(f"/check/{answer.check_id}").get_data(as_text=True)
    assert client.get(f"/subjects/{subject.id}").status_code == 404
    assert client.get(f"/subjects/{subject.id + 1}").status_code == 404  # (the same answer as an id that does not exist)


def test_a_check_that_found_nothing_does_not_say_the_number_was_deregistered(client, org, clock):
    """A party to a case still undecided, deregistered by the filing unit: a desk that checks the number learns nothing
    (not that the number is on record, nor when it ended), on the page, in the answer and through the API."""
    from datetime import date

    from app.credit import services as credit
    from app.dueprocess import subject_changes
    from tests.helpers import file_case

    case = file_case("court_cw", subjects=(PERSON,), entries=("FIN-P-001",))
    subject = case.subjects[0].subject
    subject_changes.record_change(user("court_cw"), subject.id, "deregistered", date(2026, 11, 20), "死亡证明（示例）", "当事人死亡")
    db.session.commit()
    for desk in ("housing_cw", "court_cw"):
        answer = credit.check(credit.Requester.of_user(user(desk)), ID, "licence", "XK-1")
        db.session.commit()
        assert (answer.verdict, answer.subject_status, answer.status_on, answer.successor) == ("clear", "active", None, None)
        again = credit.answer_of(credit.Requester.of_user(user(desk)), answer.check_id)
        assert (again.subject_status, again.status_on) == ("active", None)
        login(client, desk)
        page = client.get(f"/check/{answer.check_id}").get_data(as_text=True)
        assert 'id="subject-status"' not in page and "注销" not in page
        _logout(client)
    [batched] = credit.check_many(credit.Requester.of_user(user("housing_cw")), [(ID, "licence", "XK-2")], "b1")
    assert (batched.subject_status, batched.status_on) == ("active", None)


def test_opening_a_decision_that_prints_a_persons_number_whole_is_logged_as_a_whole_number_view(client, org, clock):
    """The decision document names its party by identity number (it is the document served on them and copied to the
    units applying the measures): every reader who opens it is in the security log, as for a case page showing it."""
    from sqlalchemy import select

    from app.cases.models import Attachment
    from app.security_log.models import SecurityEvent

    case, _codes = in_effect_case(subjects=(PERSON,))
    att = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id, Attachment.purpose == "decision",
                                                     Attachment.subject_id.is_not(None)))
    db.session.commit()
    for who in ("finance_cw", "market_lead"):
        login(client, who)
        assert client.get(f"/cases/{case.id}/files/{att.id}").status_code == 200
        _logout(client)
    # Supervisors and the administrator read the decision on the case page, its number masked: not the served copy.
    for who in ("supervisor1", "admin"):
        login(client, who)
        assert client.get(f"/cases/{case.id}").status_code == 200
        assert client.get(f"/cases/{case.id}/files/{att.id}").status_code == 404
        _logout(client)
    logged = db.session.scalars(select(SecurityEvent.username).where(SecurityEvent.kind == "full_code_view",
                                                                     SecurityEvent.entity == "attachment",
                                                                     SecurityEvent.entity_key == str(att.id))).all()
    assert sorted(logged) == ["finance_cw", "market_lead"]
    # The signed decision uploaded for the whole case (no one subject's copy) prints the person's number too: the same
    # readers, the same log.
    from app.cases import attachments
    from tests.helpers import PDF

    [signed] = attachments.store(case.id, user("market_lead"), [PDF], "decision", "decision_files")
    db.session.commit()
    for who, status in (("supervisor1", 404), ("admin", 404), ("finance_cw", 200)):
        login(client, who)
        assert client.get(f"/cases/{case.id}/files/{signed.id}").status_code == status, who
        _logout(client)
    assert db.session.scalars(select(SecurityEvent.username).where(SecurityEvent.kind == "full_code_view",
                                                                   SecurityEvent.entity_key == str(signed.id))).all() == ["finance_cw"]
    # The auditor reads which document of which case it was (not a bare number, and never its file name).
    login(client, "auditor")
    page = client.get("/admin/security-log/").get_data(as_text=True)
    assert f"{case.number} · 决定文书 #{att.id}" in page

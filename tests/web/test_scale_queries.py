"""Lists and search at city scale (issue 18): the right rows, in the right order, from the indexes built for
them (EXPLAIN on PostgreSQL, in CI's second run), with totals counted only so far past the page."""
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from app import clock as app_clock
from app import pagination
from app.cases import queries
from app.cases.models import Case, OpenTask
from app.extensions import db
from app.supervision import monitoring
from tests.conftest import login, user
from tests.helpers import COMPANY, COMPANY2, file_case, only_task

PEOPLE = (("person", "张伟", "510402198503124568"), ("person", "张伟华", "110101199003074514"),
          ("person", "李伟", "11010519491231002X"))


def _postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def _plan(stmt, ordered: bool = False) -> str:
    """The plan PostgreSQL would use if the table were large (sequential scans priced out, as they are at a
    million rows; on a handful of test rows the planner would rightly scan). ordered: sorting and bitmap scans
    (which return rows unordered) priced out too, so a Sort remains only if no index can give the order."""
    compiled = stmt.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    if ordered:
        db.session.execute(text("SET LOCAL enable_sort = off"))
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    rows = db.session.execute(text(f"EXPLAIN {compiled}")).scalars().all()
    db.session.rollback()
    return "\n".join(rows)


@pytest.fixture
def named(org):
    cases = {}
    for subj in PEOPLE + (COMPANY,):
        person = subj[0] == "person"
        cases[subj[1]] = file_case("court_cw" if person else "market_cw", subjects=(subj,),
                                   entries=("FIN-P-001",) if person else ("SC-P-001",)).id
    return cases


def _found(actor, q) -> set[int]:
    return {c.id for c in queries.visible_cases(user(actor), q=q).items}


def test_two_and_three_character_names_find_the_right_cases(named):
    assert _found("office1", "张伟") == {named["张伟"], named["张伟华"]}
    assert _found("office1", "张伟华") == {named["张伟华"]}
    assert _found("office1", "伟华") == {named["张伟华"]}
    assert _found("office1", "建材") == {named[COMPANY[1]]}
    assert _found("office1", "王五") == set()
    number = db.session.get(Case, named["李伟"]).number  # XL-2026-000003: by its digits or whole
    assert _found("office1", number[-6:]) == {named["李伟"]} and _found("office1", number.lower()) == {named["李伟"]}
    # A whole code finds its subject's case; one character is looked up only as a code or number.
    assert _found("office1", PEOPLE[2][2]) == {named["李伟"]}
    full_width = PEOPLE[2][2].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789X"})  # (typed with a Chinese input method)
    assert _found("office1", full_width) == {named["李伟"]} and _found("office1", "ＸＬ－" + number[3:]) == {named["李伟"]}
    assert _found("office1", "伟") == set()
    # Wildcards typed by a user are characters, not patterns.
    assert _found("office1", "%%") == set()
    # A unit sees only its own cases in the results.
    assert _found("tax_cw", "张伟") == set()


def test_search_pages_follow_the_list_order_with_a_capped_total(clock, named, monkeypatch):
    ids = [named[COMPANY[1]]]
    for _ in range(4):
        clock.shift(timedelta(minutes=1))
        ids.append(file_case().id)  # the same company: five cases match "建材"
    newest_first = ids[::-1]
    pages = [queries.visible_cases(user("office1"), q="建材", page=n, per_page=2) for n in (1, 2, 3)]
    assert [[c.id for c in p.items] for p in pages] == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert [(p.total, p.capped, p.has_next) for p in pages] == [(5, False, True), (5, False, True), (5, False, False)]
    assert [c.id for c in queries.visible_cases(user("market_cw"), q="建材", per_page=10).items] == newest_first
    monkeypatch.setattr(pagination, "COUNT_AHEAD", 2)  # counted only so far past the page: "more than 4"
    page = queries.visible_cases(user("office1"), q="建材", page=2, per_page=2)
    assert [c.id for c in page.items] == newest_first[2:4] and (page.total, page.capped, page.has_next) == (4, True, True)


def test_a_case_matching_by_title_and_by_several_subjects_is_listed_once(named):
    """Its title and both subjects' names all contain 测试: one row, counted once (they are three search rows)."""
    both = file_case(subjects=(COMPANY, COMPANY2)).id
    page = queries.visible_cases(user("office1"), q="测试", per_page=50)
    ids = [c.id for c in page.items]
    assert ids.count(both) == 1 and len(ids) == len(set(ids)) == page.total
    assert [c.id for c in queries.visible_cases(user("market_cw"), q="测试", per_page=50).items].count(both) == 1


def test_search_with_status_and_kind_filters(named):
    """A search narrowed by status or kind: the office's from the matching cases' rows, a unit's from its access rows."""
    for who, case in (("office1", named["测试建材有限公司"]), ("market_cw", named["测试建材有限公司"])):
        assert [c.id for c in queries.visible_cases(user(who), q="建材", status="pre_review").items] == [case]
        assert [c.id for c in queries.visible_cases(user(who), q="建材", kind="punishment").items] == [case]
        assert queries.visible_cases(user(who), q="建材", status="in_effect").items == []
        assert queries.visible_cases(user(who), q="建材", kind="repair").items == []


def test_one_character_search_says_how_names_are_searched(client, named):
    login(client, "office1")
    html = client.get("/cases/?q=伟").get_data(as_text=True)
    assert "名称至少输入两个字检索" in html
    assert "张伟" not in html.split("</form>", 1)[1].split("名称至少输入两个字检索")[1]
    html = client.get("/cases/?q=张伟").get_data(as_text=True)
    assert "名称至少输入两个字检索" not in html and "张伟华" in html


def test_public_list_search_by_two_characters(client, org, clock):
    from tests.helpers import in_effect_case

    case, _codes = in_effect_case(subjects=(COMPANY,))
    masked = "915104********0102"
    assert masked in client.get("/public/?q=建材").get_data(as_text=True)
    assert masked in client.get("/public/?q=测试建材有限").get_data(as_text=True)
    assert masked not in client.get("/public/?q=物流").get_data(as_text=True)
    html = client.get("/public/?q=建").get_data(as_text=True)  # one character: only a whole code
    assert masked not in html and "名称至少输入两个字检索" in html
    # A whole code written in groups, with spaces or a dash, as the credit check accepts it (it found nothing).
    code = case.subjects[0].subject.code
    grouped = " ".join(code[i:i + 4] for i in range(0, 18, 4))
    for typed in (grouped, f"{code[:8]}-{code[8:]}", code.lower()):
        assert masked in client.get("/public/", query_string={"q": typed}).get_data(as_text=True), typed
    from tests.conftest import login

    login(client, "market_cw")
    assert case.number in client.get("/cases/", query_string={"q": grouped}).get_data(as_text=True)


def test_search_uses_the_bigram_index_for_two_and_three_characters(named):
    if not _postgres():
        pytest.skip("EXPLAIN of the PostgreSQL indexes (CI's PostgreSQL run); SQLite scans by design")
    for q in ("张伟", "张伟华", "2026-0001"):
        for who in ("office1", "market_cw"):
            plan = _plan(queries._search_ids(user(who), q))
            # (a unit's few cases here may rightly be walked through its access rows instead, each probing its
            # search rows; at a city's scale the planner reads the bigram index, as the office's plan must here)
            assert "ix_case_search_text_bigrams" in plan or who != "office1", plan
            assert ("ix_case_number_bigrams" in plan) == q.startswith("2026"), plan
            assert "Seq Scan" not in plan, plan
            # Titles and names are matched in the narrow search rows, which carry the list order: no case row is
            # read to order the matches (the case table is read only for a whole code's or a number's cases).
            assert "ix_case_title_bigrams" not in plan and "ix_subject_name_bigrams" not in plan, plan
            assert ('on "case"' in plan) == q.startswith("2026"), plan
    # The exact lookup by code: with four subjects a scan of the primary key filtered by digest costs the same as
    # the unique index and the planner picks either; 2,000 subjects with statistics make the choice the city's.
    db.session.execute(text(
        "INSERT INTO subject (kind, name, code_sealed, code_digest, created_at, status) "
        "SELECT 'company', '填充主体' || g, 'x', md5(g::text) || md5((g + 1)::text), now(), 'active' "
        "FROM generate_series(1, 2000) g"))
    db.session.execute(text("ANALYZE subject"))
    plan = _plan(queries._search_ids(user("office1"), PEOPLE[0][2]))
    assert "uq_subject_code" in plan and "Seq Scan" not in plan, plan
    assert "bigrams" not in plan, plan  # a whole code is looked up exactly, not as a substring of every name


def test_searches_read_cold_rows_ahead_on_postgresql(org, app):
    """The rows a search's bitmap scans match are asked of the disk many at a time (PG_IO_CONCURRENCY on every
    connection the app opens), not one by one as the server's default would."""
    if not _postgres():
        pytest.skip("a PostgreSQL session setting (CI's PostgreSQL run)")
    expected = str(app.config["PG_IO_CONCURRENCY"])
    assert expected != "1"
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW effective_io_concurrency")).scalar() == expected
        conn.rollback()  # (a transaction rolled back does not undo it: it was committed when the connection opened)
        assert conn.execute(text("SHOW effective_io_concurrency")).scalar() == expected


def test_inbox_is_read_in_index_order_without_a_sort(named):
    if not _postgres():
        pytest.skip("EXPLAIN of the PostgreSQL indexes (CI's PostgreSQL run)")
    lead = user("market_lead")
    stmt = (select(OpenTask).where(queries._mine(lead))
            .order_by(OpenTask.due_at.asc().nulls_last(), OpenTask.id).limit(25))
    plan = _plan(stmt, ordered=True)
    assert "ix_open_task_unit_inbox" in plan and "Sort" not in plan, plan
    # The "unclaimed" and "mine" views: one range of the claim index each, not the whole queue filtered (a liaison
    # may hold thousands of claimed pushes: 500 such tasks here, with statistics, so the planner sees the city's case).
    liaison = user("market_cw").id
    for claim, index in ((OpenTask.claimed_by_id.is_(None), "ix_open_task_unit_unclaimed"),
                         (OpenTask.claimed_by_id == lead.id, "ix_open_task_claimed")):
        db.session.execute(text(
            "INSERT INTO open_task (task_id, instance_id, case_id, case_kind, bpmn_id, name, role, unit_id, form_key, "
            "created_at, due_at, claimed_by_id, reminded, breached, escalated, calendar_fallback) "
            "SELECT gen_random_uuid()::text, instance_id, case_id, case_kind, bpmn_id, name, role, unit_id, form_key, "
            "created_at, now() + g * interval '1 hour', :liaison, false, false, false, false "
            "FROM open_task, generate_series(1, 500) g WHERE open_task.id = (SELECT min(id) FROM open_task "
            "WHERE role = :role AND unit_id = :unit AND assignee_id IS NULL)"),
            {"liaison": liaison, "role": lead.role, "unit": lead.unit_id})
        db.session.execute(text("ANALYZE open_task"))
        plan = _plan(stmt.where(claim), ordered=True)
        assert index in plan and "Sort" not in plan, plan
    expert_stmt = (select(OpenTask).where(OpenTask.assignee_id == 1)
                   .order_by(OpenTask.due_at.asc().nulls_last(), OpenTask.id).limit(25))
    plan = _plan(expert_stmt, ordered=True)
    assert "ix_open_task_assignee" in plan and "Sort" not in plan, plan
    plan = _plan(select(Case.id).order_by(Case.created_at.desc(), Case.id.desc()).limit(25), ordered=True)
    assert "ix_case_created" in plan and "Sort" not in plan, plan


def test_inbox_order_steps_and_capped_total(named, monkeypatch, clock):
    lead = user("market_lead")
    page = queries.inbox(lead)
    assert [t.case.id for t in page.items] == sorted(t.case.id for t in page.items)  # same deadline: by id
    assert page.total == 1 and not page.capped
    for _ in range(3):
        file_case()
    assert [b for b, _n in queries.inbox_steps(lead)] == ["pre_review"]
    ot = only_task(named[COMPANY[1]], "pre_review")
    ot.due_at = app_clock.now() - timedelta(days=3)  # the most urgent comes first
    db.session.commit()
    assert queries.inbox(lead).items[0].id == ot.id
    monkeypatch.setattr(pagination, "COUNT_AHEAD", 2)
    page = queries.inbox(lead, per_page=1)
    assert page.capped and page.total == 2 and page.has_next


def test_capped_total_is_shown_as_more_than(client, named, monkeypatch):
    for _ in range(3):
        file_case()
    monkeypatch.setattr(pagination, "COUNT_AHEAD", 2)
    login(client, "office1")
    html = client.get("/cases/").get_data(as_text=True)
    assert "超过 2 条" in html


def test_overdue_supervision_list_most_overdue_first(client, named, monkeypatch):
    ids = list(named.values())
    now = app_clock.now()
    for days, case_id in zip((2, 9, 5), ids[:3]):
        for ot in db.session.scalars(select(OpenTask).where(OpenTask.case_id == case_id)):
            ot.due_at = now - timedelta(days=days)
    db.session.commit()
    page = queries.supervision_overview(user("supervisor1"), overdue_only=True)
    assert [c.id for c, _due in page.items] == [ids[1], ids[2], ids[0]]
    assert page.total == 3
    second = queries.supervision_overview(user("supervisor1"), overdue_only=True, page=2, per_page=2)
    assert [c.id for c, _due in second.items] == [ids[0]]
    assert queries.supervision_overview(user("supervisor1"), overdue_only=True, status="in_effect").items == []
    monkeypatch.setattr(queries, "OVERDUE_COUNT_AHEAD", 1)  # (the overdue walk counts ahead less than other lists)
    capped = queries.supervision_overview(user("supervisor1"), overdue_only=True, per_page=1)
    assert capped.capped and capped.total == 1 and capped.has_next and [c.id for c, _d in capped.items] == [ids[1]]
    monkeypatch.undo()
    login(client, "supervisor1")
    html = client.get("/supervision/?overdue=1").get_data(as_text=True)
    assert html.index(db.session.get(Case, ids[1]).number) < html.index(db.session.get(Case, ids[0]).number)


def test_dashboard_reads_the_scheduler_snapshot_with_its_time(client, named, clock, app, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_REFRESH_SECONDS", 300)
    login(client, "supervisor1")
    assert "刚刚计算" in client.get("/supervision/dashboard").get_data(as_text=True)
    from app.scheduler.jobs import refresh_dashboard

    refresh_dashboard(app)
    figures = db.session.get(monitoring.DashboardSnapshot, 1).figures
    assert sum(n for _s, n in figures["by_status"]) == len(named)
    html = client.get("/supervision/dashboard").get_data(as_text=True)
    assert "数据截至" in html
    file_case()  # not in the snapshot until the next refresh ...
    assert monitoring.current_dashboard()["by_status"] == figures["by_status"]
    clock.shift(timedelta(minutes=16))  # ... and a snapshot three intervals old is not shown: computed afresh
    live = monitoring.current_dashboard()
    assert live["as_of"] is None and sum(n for _s, n in live["by_status"]) == len(named) + 1
    refresh_dashboard(app)
    monitoring.set_enterprise_count(user("admin"), 2_000_000, app_clock.today_local(), "市市场监管局统计")
    db.session.commit()  # the administrator's new figure is in the snapshot at once
    assert db.session.get(monitoring.DashboardSnapshot, 1).figures["serious"]["registered"] == 2_000_000
    assert monitoring.current_dashboard()["serious"]["registered"] == 2_000_000


def _access_rows():
    from app.cases.models import CaseAccess, CaseUnit

    access = {(a.unit_id, a.case_id): a.status for a in db.session.scalars(select(CaseAccess))}
    expected = {(cu.unit_id, cu.case_id): db.session.get(Case, cu.case_id).status for cu in db.session.scalars(select(CaseUnit))}
    return access, expected


def test_case_access_follows_units_and_statuses(org, clock):
    """The unit staff's list reads CaseAccess: one row per unit and case, in step with CaseUnit and the status."""
    from tests.helpers import in_effect_case, unit_id

    case = file_case()
    access, expected = _access_rows()
    assert access == expected and access[(unit_id("市市场监管局"), case.id)] == "pre_review"
    done, _codes = in_effect_case()  # determination adds the implementing units; statuses move on
    access, expected = _access_rows()
    assert access == expected
    assert access[(unit_id("市财政局"), done.id)] == "in_effect"
    market = user("market_cw")
    assert [c.id for c in queries.visible_cases(market, status="in_effect").items] == [done.id]
    assert [c.id for c in queries.visible_cases(user("finance_cw")).items] == [done.id]  # not the other case
    assert queries.visible_cases(user("housing_cw"), status="pre_review").items == []


def test_unit_case_list_is_one_index_range(org):
    if not _postgres():
        pytest.skip("EXPLAIN of the PostgreSQL indexes (CI's PostgreSQL run)")
    from app.cases.models import CaseAccess

    file_case()
    for filters, index in (((), "ix_case_access_created"), ((CaseAccess.status == "in_effect",), "ix_case_access_status"),
                           ((CaseAccess.kind == "punishment",), "ix_case_access_kind")):
        stmt = (select(Case.id).join(CaseAccess, CaseAccess.case_id == Case.id).where(CaseAccess.unit_id == 2, *filters)
                .order_by(CaseAccess.created_at.desc(), CaseAccess.case_id.desc()).limit(25))
        plan = _plan(stmt, ordered=True)
        # On a handful of rows the planner may take the unit's range and filter it (equally cheap); it always
        # reads one of the unit's CaseAccess ranges in order, never the case table with a sort.
        assert "ix_case_access_" in plan and "Sort" not in plan, plan
        assert index in {i.name for i in CaseAccess.__table__.indexes}


def test_unserved_decisions_are_read_from_their_partial_index(org):
    """The supervisors' list of decisions unserved after 7 working days: its query implies ix_listing_unserved's
    predicate (so the planner can use it), read in its order without a sort."""
    from datetime import date

    from app.listings.queries import unserved_statement

    if not _postgres():
        pytest.skip("EXPLAIN of the PostgreSQL indexes (CI's PostgreSQL run)")
    plan = _plan(unserved_statement(date(2026, 12, 1)), ordered=True)
    assert "ix_listing_unserved" in plan and "Sort" not in plan.split("ix_listing_unserved")[0], plan

"""Demo data for `make run`: the organisation, a small catalog, users for every role and cases in
different steps, all created through the same services a user would call (so they carry real timelines).
Every demo login uses the password DEMO_PASSWORD."""
from datetime import timedelta
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import select

from app import clock
from app.auth.models import SpecialistGroup, Unit, User
from app.cases import tasks
from app.cases.attachments import Upload
from app.cases.models import Case, CaseSubject, OpenTask, Subject
from app.catalog import admin as catalog_admin
from app.catalog.models import CatalogEntry, CatalogVersion
from app.catalog_proposals import services as catalog_proposals
from app.data_calls import services as data_calls
from app.dueprocess import services as dueprocess
from app.engine.runner import shift_timer_clock
from app.experts.models import Expert
from app.experts.services import confirmed_experts
from app.extensions import db
from app.joint import services
from app.joint.services import SubjectIn
from app.joint.tasks import intended_decision, measure_choices, units_to_convene
from app.listings import imports as department_lists
from app.public_reports import services as public_reports
from app.publicity import services as publicity
from app.rights import accounts, objections
from app.rights.models import AccessCode
from app.supervision import services as supervision

DEMO_PASSWORD = "demo1234"


class backdated:
    """Load a piece of history as of some days ago: the app clock and the engine's timer clock both move."""

    def __init__(self, days: float):
        self.delta = timedelta(days=-days)

    def __enter__(self):
        clock.set_offset(self.delta)
        shift_timer_clock(self.delta)

    def __exit__(self, *exc):
        clock.set_offset(timedelta(0))
        shift_timer_clock(None)

UNITS = [
    ("office", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("member", "市市场监管局"),
    ("member", "市税务局"),
    ("member", "市中级人民法院"),
    ("member", "人民银行市分行"),
    ("member", "市生态环境局"),
    ("member", "市住房城乡建设局"),
    ("member", "市财政局"),
    ("county", "东区发展改革局"),
]

USERS = [
    # username, full name, role, unit
    ("office1", "王主任", "office", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("supervisor1", "赵督查", "supervisor", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("admin", "系统管理员", "admin", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("secadmin", "安全管理员", "security_admin", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("auditor", "审计管理员", "audit_admin", "市发展改革委（市社会信用体系建设联席会议办公室）"),
    ("market_cw", "李经办", "caseworker", "市市场监管局"),
    ("market_lead", "张组长", "group_lead", "市市场监管局"),
    ("tax_cw", "陈经办", "caseworker", "市税务局"),
    ("court_cw", "刘经办", "caseworker", "市中级人民法院"),
    ("pbc_cw", "周经办", "caseworker", "人民银行市分行"),
    ("pbc_lead", "吴组长", "group_lead", "人民银行市分行"),
    ("env_cw", "郑经办", "caseworker", "市生态环境局"),
    ("env_lead", "孙组长", "group_lead", "市生态环境局"),
    ("housing_cw", "何经办", "caseworker", "市住房城乡建设局"),
    ("finance_cw", "马经办", "caseworker", "市财政局"),
]

GROUPS = [
    ("市场监管专项小组", "market", "市市场监管局", ["市市场监管局", "市税务局", "市住房城乡建设局", "市财政局"]),
    ("金融专项小组", "finance", "人民银行市分行", ["人民银行市分行", "市中级人民法院", "市财政局"]),
    ("生态环境专项小组", "environment", "市生态环境局", ["市生态环境局", "市住房城乡建设局"]),
]

# code, kind, group, behaviour, admin unit, grounds, legal basis, measures [(code, text, unit)], period days
CATALOG = [
    ("SC-P-001", "punishment", "市场监管专项小组", "被列入严重违法失信企业名单", "市市场监管局",
     "企业因严重违法行为被市场监管部门列入严重违法失信企业名单",
     "《企业信息公示暂行条例》第十八条；《严重违法失信企业名单管理暂行办法》",
     [("M1", "限制参与政府采购活动", "市财政局"), ("M2", "限制参与工程建设项目招标投标", "市住房城乡建设局"),
      ("M3", "列为重点监管对象，提高抽查比例和频次", "市市场监管局")], 1095),
    ("SC-P-002", "punishment", "市场监管专项小组", "重大税收违法失信主体", "市税务局",
     "纳税人存在偷税、逃避追缴欠税、骗取出口退税等重大税收违法行为",
     "《重大税收违法失信主体信息公布管理办法》",
     [("M1", "纳税信用级别直接判为D级", "市税务局"), ("M2", "限制参与政府采购活动", "市财政局"),
      ("M3", "限制取得政府供应土地", "市住房城乡建设局")], 730),
    ("FIN-P-001", "punishment", "金融专项小组", "失信被执行人", "市中级人民法院",
     "有履行能力而拒不履行生效法律文书确定义务",
     "《最高人民法院关于公布失信被执行人名单信息的若干规定》",
     [("M1", "限制高消费及非生活和工作必需的消费行为", "市中级人民法院"),
      ("M2", "在融资授信时从严审核", "人民银行市分行"), ("M3", "限制担任企业法定代表人及高级管理人员", "市市场监管局")], 730),
    ("ENV-P-001", "punishment", "生态环境专项小组", "环境保护严重失信企业", "市生态环境局",
     "企业环境信用评价为环保不良（严重失信）等级",
     "《企业环境信用评价办法（试行）》",
     [("M1", "从严审批各类环保专项资金补助申请", "市生态环境局"), ("M2", "限制参与工程建设项目招标投标", "市住房城乡建设局")], 365),
    ("FIN-P-002", "punishment", "金融专项小组", "欠缴税款且逃避追缴的失信主体", "市税务局",
     "纳税人欠缴税款，经税务机关责令限期缴纳逾期仍未缴纳，并转移、隐匿财产",
     "《税收征收管理法》第三十八条、第四十条",
     [("M1", "在融资授信时从严审核", "人民银行市分行"), ("M2", "限制参与政府采购活动", "市财政局")], 365),
    ("SC-R-001", "reward", "市场监管专项小组", "纳税信用A级纳税人", "市税务局",
     "连续三年被评为纳税信用A级",
     "《关于对纳税信用A级纳税人实施联合激励措施的合作备忘录》",
     [("R1", "办理行政审批事项开辟绿色通道", "市市场监管局"), ("R2", "政府采购活动中依法予以信用加分", "市财政局")], 730),
]


# Entries whose listings make a subject a serious-dishonesty subject (严重失信主体名单).
SERIOUS_ENTRIES = {"SC-P-001", "SC-P-002", "FIN-P-001", "ENV-P-001"}

# name, fields, affiliation, affiliated unit (for exclusions)
EXPERTS = [
    ("周律师", ["legal"], "四川某律师事务所", None),
    ("吴律师", ["legal"], "某律师事务所", None),
    ("郑教授", ["legal"], "某大学法学院", None),
    ("王律师", ["legal"], "市市场监管局法律顾问室", "市市场监管局"),
    ("冯研究员", ["market"], "市质量技术研究院", None),
    ("陈高工", ["market"], "某检验检测中心", None),
    ("褚经理", ["market", "construction"], "某工程咨询公司", None),
    ("卫研究员", ["market"], "某标准化研究所", None),
    ("蒋分析师", ["finance"], "某证券研究所", None),
    ("沈教授", ["finance"], "某财经大学", None),
    ("韩经济师", ["finance"], "某商业银行", None),
    ("杨工程师", ["environment"], "市环境监测站", None),
    ("朱教授", ["environment"], "某大学环境学院", None),
    ("秦工程师", ["environment"], "某环保咨询公司", None),
]


def _unit(name):
    return db.session.scalar(select(Unit).where(Unit.name == name))


def _user(username):
    return db.session.scalar(select(User).where(User.username == username))


def load_organisation_and_catalog() -> None:
    for kind, name in UNITS:
        db.session.add(Unit(name=name, kind=kind))
    db.session.flush()
    for username, full_name, role, unit in USERS:
        u = User(username=username, full_name=full_name, role=role, unit_id=_unit(unit).id)
        u.set_password(DEMO_PASSWORD)
        db.session.add(u)
    db.session.flush()
    # Each unit's liaison (联系人): its caseworker (the office: its office user).
    for i, (username, _name, role, unit) in enumerate(USERS):
        if role in ("caseworker", "office"):
            _unit(unit).liaison_id, _unit(unit).liaison_phone = _user(username).id, f"028-2660{i:04d}"
    for name, domain, lead, members in GROUPS:
        db.session.add(SpecialistGroup(name=name, domain=domain, lead_unit=_unit(lead), members=[_unit(m) for m in members]))
    db.session.flush()
    for i, (name, fields, affiliation, unit) in enumerate(EXPERTS, start=1):
        e = Expert(name=name, fields=fields, affiliation=affiliation, affiliated_unit_id=_unit(unit).id if unit else None,
                   contact=f"1380000{i:04d}")
        db.session.add(e)
        db.session.flush()
        u = User(username=f"expert{i}", full_name=name, role="expert", expert_id=e.id)
        u.set_password(DEMO_PASSWORD)
        db.session.add(u)
    for code, kind, group, behaviour, admin_unit, grounds, basis, measures, days in CATALOG:
        g = db.session.scalar(select(SpecialistGroup).where(SpecialistGroup.name == group))
        entry = CatalogEntry(code=code, kind=kind, group_id=g.id)
        db.session.add(entry)
        db.session.flush()
        v = CatalogVersion(
            entry_id=entry.id,
            version_no=1,
            behaviour=behaviour,
            admin_unit_id=_unit(admin_unit).id,
            grounds=grounds,
            legal_basis=basis,
            measures=[{"code": c, "text": t, "unit_id": _unit(u).id} for c, t, u in measures],
            measure_content="；".join(t for _, t, _ in measures),
            required_evidence="行政处罚决定书或列入名单决定书；相关证明材料",
            default_period_days=days,
            source="national",
            serious=code in SERIOUS_ENTRIES,
            change_reason="初始目录",
        )
        db.session.add(v)
        db.session.flush()
        entry.current_version_id = v.id
    db.session.flush()


def _entry(code):
    return db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == code)).id


def _task(case, bpmn_id, unit_name=None):
    stmt = select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.bpmn_id == bpmn_id)
    if unit_name:
        stmt = stmt.where(OpenTask.unit_id == _unit(unit_name).id)
    return db.session.scalar(stmt)


PDF = Upload("处罚决定书.pdf", b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _file(username, subjects, entry_codes, title, facts):
    return services.file_trigger(
        _user(username),
        subjects=[SubjectIn(*s) for s in subjects],
        entry_ids=[_entry(c) for c in entry_codes],
        title=title,
        facts=facts,
        legal_basis="见所引目录条目的设列依据及行政处罚决定书。",
        files=[PDF],
    )


def _concerned(case) -> list[int]:
    """The units whose measures the case's entries name: convened to its meeting."""
    return units_to_convene(case)


def _schedule(case, lead):
    tasks.complete(
        _user(lead), _task(case, "schedule_meeting").task_id,
        {"meeting_date": clock.today_local(), "legal_count": 1, "industry_count": 2, "reserves": 1,
         "excluded_expert_ids": [], "exclusion_reason": "", "day_off": True,  # (the demo may be seeded on a weekend)
         "convened_unit_ids": _concerned(case)},
    )


def _notice(case, lead, statement=None):
    """The determining body tells the subjects of the intended determination (告知); each waives its statement,
    or makes the one given (received on paper)."""
    ot = _task(case, "issue_notice")
    if ot is None:  # a reward: no notice
        return
    tasks.complete(_user(lead), ot.task_id, {"intended": intended_decision(case), "grounds": case.facts,
                                              "legal_basis": case.legal_basis})
    for n in dueprocess.notices_of(case.id):
        signed = Upload("陈述申辩书.pdf" if statement else "放弃陈述申辩声明.pdf", PDF.data)  # (the scan of the signed paper)
        dueprocess.record_on_paper(_user(lead), n.id, statement or "", [signed], waive=statement is None)


def _experts_answer(case, opinions=True):
    """Every invited expert of the case confirms and (optionally) gives an opinion."""
    for ot in db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.bpmn_id == "respond_invitation")).all():
        expert = db.session.get(User, ot.assignee_id)
        tasks.complete(expert, ot.task_id, {"answer": "confirm", "reason": ""})
    if opinions:
        for ot in db.session.scalars(select(OpenTask).where(OpenTask.case_id == case.id, OpenTask.bpmn_id == "submit_opinion")).all():
            expert = db.session.get(User, ot.assignee_id)
            tasks.complete(expert, ot.task_id, {"vote": "support", "reasons": "事实清楚，证据充分，符合目录所列情形，同意实施联合惩戒。"})


def _determine(case, lead, measures_all=True, decision="act", days=None, statement=None):
    _schedule(case, lead)
    _notice(case, lead, statement)
    _experts_answer(case)
    ot = _task(case, "determination")
    keys = [k for k, _m, _v in measure_choices(case)]
    attended = [inv.expert_id for inv in confirmed_experts(case.id)]
    tasks.complete(
        _user(lead),
        ot.task_id,
        {
            "meeting_date": clock.today_local(),
            "attending_unit_ids": sorted({m["unit_id"] for _k, m, _v in measure_choices(case)} | {_user(lead).unit_id}),
            "attending_expert_ids": attended,
            "minutes": "会议审查了触发材料，听取了实施单位意见，经专家讨论形成决定。",
            "decision": decision,
            "measures": keys if measures_all else keys[:1],
            "period_days": days or 365,
            "period_reason": "会议纪要：结合违法情节、危害后果和整改情况确定期限。",
            "statement_answer": "经核实，陈述申辩所述整改情况不影响对失信行为的认定，不予采纳。" if statement else "",
        },
    )


def decided_case(username, subject, entry_code, title, days_ago: int, period_days: int, lead="market_lead"):
    """A case filed, decided, filed with the office, implemented and compiled `days_ago` days ago: its
    listing is in effect since then."""
    implementers = {"市财政局": "finance_cw", "市住房城乡建设局": "housing_cw", "市市场监管局": "market_cw",
                    "市税务局": "tax_cw", "人民银行市分行": "pbc_cw", "市中级人民法院": "court_cw", "市生态环境局": "env_cw"}
    with backdated(days_ago):
        c = _file(username, [subject], [entry_code], title, "详见所附决定书。")
        tasks.complete(_user(lead), _task(c, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
        _determine(c, lead, days=period_days)
        tasks.complete(_user("office1"), _task(c, "file_decision").task_id, {"note": ""})
        for unit, user in implementers.items():
            t = _task(c, "implement", unit)
            if t is not None:
                tasks.complete(_user(user), t.task_id, {"outcome": "applied", "report": "已落实。", "reasons": ""})
        tasks.complete(_user(lead), _task(c, "compile_feedback").task_id, {"summary": "各实施单位均已落实。"})
    return c


def _xlsx(head, rows) -> bytes:
    wb = Workbook()
    wb.active.append(list(head))
    for r in rows:
        wb.active.append(r)
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


def load_cases() -> None:
    """Cases in different steps, with history spread over the past weeks."""
    # 1. Filed 3 weeks ago and never pre-reviewed: overdue on the supervisor's page.
    with backdated(21):
        _file("market_cw", [("enterprise", "攀枝花某建材有限公司", "91510400MA6X000102")], ["SC-P-001"],
              "某建材公司列入严重违法失信企业名单", "该公司因提供虚假材料取得登记，被列入严重违法失信企业名单。")
    # 2. Returned for amendment.
    with backdated(6):
        c2 = _file("tax_cw", [("enterprise", "某商贸有限公司", "91510400MA6X000203")], ["SC-P-002"],
                   "某商贸公司重大税收违法", "该公司虚开增值税专用发票，金额较大。")
        tasks.complete(_user("market_lead"), _task(c2, "pre_review").task_id,
                       {"outcome": "return", "reasons": "请补充税务处理决定书及送达回证。"})
    # 3. At determination.
    with backdated(4):
        c3 = _file("court_cw", [("person", "张某", "510402198503124568")], ["FIN-P-001"],
                   "张某失信被执行人", "张某有履行能力而拒不履行生效判决确定的给付义务。")
        tasks.complete(_user("pbc_lead"), _task(c3, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
    # ... the subject told of the intended determination (the statement period is running), its meeting scheduled after
    # that period and the experts drawn; one has confirmed so far.
    with backdated(1):
        tasks.complete(_user("pbc_lead"), _task(c3, "issue_notice").task_id,
                       {"intended": intended_decision(c3), "grounds": c3.facts, "legal_basis": c3.legal_basis})
        tasks.complete(
            _user("pbc_lead"), _task(c3, "schedule_meeting").task_id,
            {"meeting_date": max(clock.today_local() + timedelta(days=7), dueprocess.heard_from(c3)), "legal_count": 1,
             "industry_count": 2, "reserves": 1, "excluded_expert_ids": [], "exclusion_reason": "", "day_off": True,
             "convened_unit_ids": sorted({*_concerned(c3), _unit("市中级人民法院").id, _unit("市税务局").id})},
        )
        first = db.session.scalar(select(OpenTask).where(OpenTask.case_id == c3.id, OpenTask.bpmn_id == "respond_invitation"))
        tasks.complete(db.session.get(User, first.assignee_id), first.task_id, {"answer": "confirm", "reason": ""})
    # 4. Implementing: decision issued (the listing runs from that day) and filed, one unit has reported.
    with backdated(12):
        c4 = _file("env_cw", [("enterprise", "某化工有限公司", "91510400MA6X000304")], ["ENV-P-001"],
                   "某化工公司环境信用严重失信", "该公司环境信用评价为环保不良等级。")
        tasks.complete(_user("env_lead"), _task(c4, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
        _determine(c4, "env_lead", days=365)
        tasks.complete(_user("office1"), _task(c4, "file_decision").task_id, {"note": "已备案。"})
        tasks.complete(_user("env_cw"), _task(c4, "implement", "市生态环境局").task_id,
                       {"outcome": "applied", "report": "已暂停该企业环保专项资金申请资格。", "reasons": ""})
    # 5. In effect: the whole procedure done; the period runs until its end.
    with backdated(30):
        c5 = _file("market_cw", [("enterprise", "某食品有限公司", "91510400MA6X000405")], ["SC-P-001"],
                   "某食品公司列入严重违法失信企业名单", "该公司三年内两次因食品安全违法被吊销许可。")
        tasks.complete(_user("market_lead"), _task(c5, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
        _determine(c5, "market_lead", days=1095, statement="我公司已完成整改，请求不予列入严重违法失信企业名单。")
        tasks.complete(_user("office1"), _task(c5, "file_decision").task_id, {"note": ""})
        for unit, user in (("市财政局", "finance_cw"), ("市住房城乡建设局", "housing_cw"), ("市市场监管局", "market_cw")):
            tasks.complete(_user(user), _task(c5, "implement", unit).task_id,
                           {"outcome": "applied", "report": "已在本系统业务办理中嵌入限制措施。", "reasons": ""})
        tasks.complete(_user("market_lead"), _task(c5, "compile_feedback").task_id,
                       {"summary": "三家实施单位均已按决定实施惩戒措施。"})
    # ... its subject opened an applicant account with the access code and objected: suspended.

    with backdated(2):
        code = accounts.issue_code(_user("market_lead"), c5, c5.subjects[0].subject_id)
        applicant = accounts.register("enterprise", "91510400MA6X000405", code, "applicant1", "Demo-applicant-2026", "某食品有限公司 法务")
        applicant.set_password(DEMO_PASSWORD)
        objections.file_objection(applicant, c5.id, "我公司已于处罚后完成整改，且其中一次许可吊销已被行政复议撤销，请求撤销认定。", [PDF])
    # 5b. Two more in effect, for the public black list and red list; and one decided 120 days ago, past the
    # minimum publication period, whose subject may apply for credit repair.
    c5b = decided_case("market_cw", ("enterprise", "某装饰工程有限公司", "91510400MA6X00101R"), "SC-P-001",
                       "某装饰公司列入严重违法失信企业名单", days_ago=20, period_days=730)
    decided_case("tax_cw", ("enterprise", "某软件有限公司", "91510400MA6X00202J"), "SC-R-001",
                 "某软件公司纳税信用A级联合激励", days_ago=20, period_days=730)
    decided_case("market_cw", ("enterprise", "某印刷有限公司", "91510400MA6X00303B"), "SC-P-001",
                 "某印刷公司列入严重违法失信企业名单", days_ago=120, period_days=730)
    # 6. Reward path, at pre-review.
    _file("tax_cw", [("enterprise", "某电子科技有限公司", "91510400MA6X000506")], ["SC-R-001"],
          "某电子科技公司纳税信用A级联合激励", "该公司连续三年纳税信用评价为A级。")
    # 7. Two subjects, two groups: received by the market group, which accepted it; the office is to name the
    # determining body (or determine it itself as a major case).
    with backdated(3):
        c7 = _file("tax_cw", [("enterprise", "某物流有限公司", "91510400MA6X000809"), ("person", "王某", "510402199207085677")],
                   ["SC-P-002", "FIN-P-002"], "某物流公司及其法定代表人欠税逃避追缴",
                   "公司虚开发票并欠缴税款，法定代表人转移公司财产逃避追缴。")
        tasks.complete(_user("market_lead"), _task(c7, "pre_review").task_id, {"outcome": "accept", "reasons": ""})
    # 8. A department's own black list, imported by the market regulator: two enterprises, the units told to apply.
    with backdated(5):
        day = clock.today_local().isoformat()
        end = (clock.today_local() + timedelta(days=1094)).isoformat()
        rows = [["黑名单", name, "企业", code, day, "因提供虚假材料取得登记被列入严重违法失信名单", "", "SC-P-001", "市市场监管局", doc, day, end]
                for name, code, doc in (("某家具有限公司", "91510400MA6X00111T", "资市监信〔2026〕21号"),
                                        ("某广告传媒有限公司", "91510400MA6X00222L", "资市监信〔2026〕22号"))]
        department_lists.import_list(_user("market_cw"), "市市场监管局严重违法失信名单.xlsx", _xlsx(department_lists.COLUMNS.values(), rows))
    # 8a. The market regulator's 双公示 ledger: published on time, late, overdue and not published, within its time.
    today = clock.today_local()

    def ago(days):
        return (today - timedelta(days=days)).isoformat()

    ledger = [["行政许可", "资市监许〔2026〕101号", "某餐饮管理有限公司", ago(20), ago(17), "https://www.example.gov.cn/xzxk/101"],
              ["行政处罚", "资市监罚〔2026〕55号", "某建材有限公司", ago(20), ago(4), ""],
              ["行政处罚", "资市监罚〔2026〕58号", "某商贸有限公司", ago(15), "", ""],
              ["行政许可", "资市监许〔2026〕120号", "某药房连锁有限公司", ago(1), "", ""],
              ["双随机抽查", "资市监抽〔2026〕7号", "某食品有限公司", ago(8), "", ""]]
    publicity.import_ledger(_user("market_cw"), "市市场监管局双公示台账.xlsx", _xlsx(publicity.COLUMNS.values(), ledger))
    # 9. Reports from the public: one assigned to the market regulator (being verified), one waiting for the office.
    with backdated(2):
        r1, _code = public_reports.submit("enterprise", "某建筑劳务有限公司", "", "该公司长期拖欠农民工工资，并在招投标中隐瞒欠薪情况。",
                                          "刘先生", "13900000001", [])
        tasks.complete(_user("office1"), _task(r1, "assign_report").task_id,
                       {"assignment": "assign", "unit_id": _unit("市住房城乡建设局").id, "reasons": "请核查是否存在拖欠农民工工资情形。"})
    public_reports.submit("enterprise", "某餐饮管理有限公司", "", "该店使用过期食材，消费者多次投诉未整改。", "陈女士", "chen@example.com", [])
    # 10. Typical cases of this quarter: two from decided cases, one published by the office (the other's punishment
    # is suspended by its subject's objection: not publishable meanwhile), one described freely.
    supervision.register_typical(_user("market_cw"), c5.number, "依法将某食品有限公司列入严重违法失信企业名单，财政、住建、市场监管三家单位"
                                 "联合限制其参与政府采购和工程招投标，并提高抽查频次。", "")
    t = supervision.register_typical(_user("market_cw"), c5b.number, "依法将某装饰工程有限公司列入严重违法失信企业名单，财政、住建、市场监管"
                                     "三家单位联合限制其参与政府采购和工程招投标。", "")
    supervision.publish_typical(_user("office1"), t.id, "某装饰公司严重违法失信被联合惩戒",
                                "某装饰工程有限公司因严重违法失信被列入名单。经市场监管专项小组认定后，财政、住建、市场监管三家单位"
                                "联合限制其参与政府采购和工程招投标，形成有力震慑。")
    supervision.register_typical(_user("tax_cw"), "", "对连续三年纳税信用A级的企业开通办税绿色通道，平均办理时间缩短一半，激励企业诚信纳税。",
                                 "纳税信用A级企业享受办税绿色通道")
    # 12. The environment bureau proposes a revision of its catalog entry; it waits for the office's review.
    env_entry = db.session.scalar(select(CatalogEntry).where(CatalogEntry.code == "ENV-P-001"))
    draft = catalog_admin.entry_in_from_version(env_entry.current_version)
    draft.required_evidence = (draft.required_evidence + "；生态环境部门出具的环境信用评价结果").strip("；")
    catalog_proposals.propose(_user("env_cw"), env_entry.id, draft, "依据新修订的企业环境信用评价办法，补充所需证据。")
    # 11. A data call for the month's indicators: the finance bureau has answered, the others have not yet.
    with backdated(3):
        call = data_calls.publish(_user("office1"), "11月城市信用监测指标报送", "请按模板填报本单位11月数据。",
                                  "指标名称\n本月数值#\n说明", [_unit(u).id for u in ("市财政局", "市税务局", "市住房城乡建设局")], 5)
    tasks.complete(_user("finance_cw"), _task(call, "submit_data", "市财政局").task_id,
                   {"pasted": "实施联合惩戒次数\t12\t\n查询信用记录次数\t340\t含批量核查"})


def load_demo() -> bool:
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return False
    load_organisation_and_catalog()
    load_cases()
    return True


TRY_REGISTER_SUBJECT = "91510400MA6X00303B"  # the printing company, decided 120 days ago


def unused_access_code():
    """(subject code, access code): a fresh code for one demo subject (only hashes are stored, so a code is
    issued anew each time the logins are printed), to try opening an applicant account."""
    row = db.session.execute(
        select(CaseSubject.case_id, Subject.id).join(Subject, Subject.id == CaseSubject.subject_id)
        .where(Subject.code == TRY_REGISTER_SUBJECT)
    ).first()
    if row is None:
        return None
    used = db.session.scalar(select(AccessCode.used_at).where(AccessCode.case_id == row[0], AccessCode.subject_id == row[1]))
    if used is not None:
        return None
    return TRY_REGISTER_SUBJECT, accounts.issue_code(_user("market_lead"), db.session.get(Case, row[0]), row[1])

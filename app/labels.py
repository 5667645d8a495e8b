"""One translated label per enumeration value (statuses, roles, kinds, event types), defined once."""
import re

from app.i18n import lazy_gettext as _l

ROLE_LABELS = {
    "caseworker": _l("Caseworker"),
    "group_lead": _l("Specialist group lead"),
    "office": _l("Joint-meeting office"),
    "supervisor": _l("Supervisor"),
    "admin": _l("System administrator"),
    "security_admin": _l("Security administrator"),
    "audit_admin": _l("Audit administrator"),
    "expert": _l("Expert"),
    "applicant": _l("Applicant"),
}

CASE_KIND_LABELS = {
    "punishment": _l("Joint punishment"),
    "reward": _l("Joint reward"),
    "objection": _l("Objection and complaint"),
    "repair": _l("Credit repair"),
    "correction": _l("Correction of a subject's data"),
    "department_list": _l("Department list (imported)"),
    "public_report": _l("Report from the public"),
    "catalog_proposal": _l("Catalog proposal"),
    "data_call": _l("Data call"),
}

UNIT_KIND_LABELS = {
    "member": _l("Member unit"),
    "office": _l("Joint-meeting office"),
    "county": _l("County department"),
    "other": _l("Other unit"),
}

SUBJECT_KIND_LABELS = {
    "enterprise": _l("Enterprise"),
    "person": _l("Natural person"),
    "social_org": _l("Social organisation"),
    "institution": _l("Public institution"),
}

STATUS_LABELS = {
    "data_call_open": _l("Call open"),
    "data_call_closed": _l("Call closed"),
    "proposal_review": _l("Proposal under review by the office"),
    "proposal_returned": _l("Proposal returned for changes"),
    "proposal_published": _l("Proposal published in the catalog"),
    "proposal_rejected": _l("Proposal not adopted"),
    "report_assigning": _l("Report being assigned"),
    "report_verifying": _l("Report being verified"),
    "report_rewarding": _l("Report confirmed: reward being decided"),
    "report_filed": _l("Report: trigger filed"),
    "report_closed": _l("Report closed after verification"),
    "report_declined": _l("Report declined"),
    "pre_review": _l("Pre-review"),
    "returned": _l("Returned for amendment"),
    "determination": _l("Determination"),
    "filing": _l("Decision filing"),
    "implementing": _l("Implementing"),
    "in_effect": _l("In effect"),
    "closed_no_action": _l("Closed: no joint action"),
    "expired": _l("Period ended"),
    "suspended": _l("Suspended during an objection or complaint"),
    "revoked": _l("Determination revoked, measures lifted"),
    "repaired": _l("Credit repaired, removed early"),
    "objection_reply": _l("Objection: awaiting the reply of the deciding unit"),
    "objection_rejected": _l("Objection not upheld: the applicant may complain"),
    "objection_upheld": _l("Objection upheld"),
    "objection_closed": _l("Objection closed: reply accepted"),
    # (also where the unit replied late: the matter then goes to the office without a complaint)
    "complaint": _l("With the joint-meeting office (a complaint, or the unit's reply was late)"),
    "complaint_upheld": _l("Complaint upheld"),
    "complaint_rejected": _l("Complaint not upheld: punishment resumed"),
    "repair_review": _l("Repair application under review"),
    "repair_supplement": _l("Repair application: supplements requested"),
    "repair_approved": _l("Repair approved and published"),
    "repair_rejected": _l("Repair rejected"),
    "repair_moot": _l("Repair application closed: the punishment had ended"),
    "routing": _l("Reported on to the office: determining body to be named"),
    "closed": _l("Procedure ended: every listing has ended"),
    "objection_partly": _l("Objection partly upheld: measures changed"),
    "objection_partly_open": _l("Objection partly upheld: measures changed; the applicant may complain"),
    "complaint_partly": _l("Complaint partly upheld: measures changed"),
    "statement_period": _l("Subjects told of the intended determination: statement period"),
    "correction_review": _l("Correction: being verified by the unit responsible"),
    "correction_done": _l("Correction made and pushed to the units"),
    "correction_rejected": _l("Correction refused, with reasons"),
}

# What the case's "facts" field holds, by kind of case, on the staff's case page (a request's own words, a call's
# instructions): "基本事实" read wrongly on an objection or a data call.
FACTS_LABELS = {
    "objection": _l("Grounds of the objection"),
    "repair": _l("Rectification as the applicant describes it"),
    "correction": _l("Why the data should be corrected"),
    "department_list": _l("Source"),
    "public_report": _l("What was reported"),
    "catalog_proposal": _l("Why the entry is proposed"),
    "data_call": _l("Instructions to the units"),
}

# Who the unit on a case is, by kind ("申报单位", the unit that reported a behaviour, on the others).
FILED_BY_LABELS = {
    # (a subject's own request registered by staff from its letter or at the desk: the unit registered it, not filed it)
    "objection": _l("Registered by"), "repair": _l("Registered by"), "correction": _l("Registered by"),
    "data_call": _l("Published by"),
    "department_list": _l("Imported by"),
    "catalog_proposal": _l("Proposed by"),
    "public_report": _l("Received by"),
}

# The steps before a decision as the subject concerned reads them on the portal: the staff's short names
# ("认定") read as if it had already been decided.
APPLICANT_STATUS_LABELS = {
    "pre_review": _l("Under review by the specialist group (nothing has been decided)"),
    "returned": _l("Under review: the reporting unit is completing its report (nothing has been decided)"),
    "determination": _l("Being determined: a meeting will decide whether joint action is taken (nothing has been decided yet)"),
}

LISTING_STATUS_LABELS = {
    "in_effect": _l("In effect"),
    "suspended": _l("Suspended during an objection or complaint"),
    "expired": _l("Period ended, removed"),
    "revoked": _l("Revoked, removed"),
    "repaired": _l("Credit repaired, removed early"),
}

def listing_status_text(status: str, end_reason: str | None = None):
    """A listing's status as pages say it: a reward withdrawn from a day on (end_reason "withdrawn", its status
    "revoked") is not a decision found wrong."""
    return _l("Withdrawn") if status == "revoked" and end_reason == "withdrawn" else label(LISTING_STATUS_LABELS, status)


UNIT_MEASURE_STATE_LABELS = {
    "pending": _l("Not yet reported"),
    "applied": _l("Applied"),
    "cannot": _l("Cannot apply"),
    "suspended": _l("Suspended"),
    "lifted": _l("Lifted"),
}

SUBJECT_CHANGE_LABELS = {"deregistered": _l("Deregistered (注销)"), "merged": _l("Merged into another body (合并)")}
SUBJECT_STATUS_LABELS = {"active": _l("Registered"), "deregistered": _l("Deregistered (注销)"), "merged": _l("Merged (合并)")}
PUSH_ACTION_LABELS = {"suspend": _l("Suspend the measure"), "resume": _l("Resume the measure"), "lift": _l("Lift the measure"),
                      "apply": _l("Apply the measure"), "correct": _l("Update the subject's data in your records")}
# Why a reward's units are told to withhold or grant its incentives again (listings.services.touch_rewards_of).
REWARD_PUSH_REASONS = {
    "subject_punished": _l("A joint punishment now stands against the subject: withhold the incentives while it stands "
                           "(they are for the honest, 资府办发〔2017〕7号 五(一))."),
    "punishment_ended": _l("No joint punishment stands against the subject any more: grant the incentives again."),
}
CORRECTION_FIELD_LABELS = {"name": _l("Name"), "code": _l("Unified social credit code / identity number"),
                           "legal_representative": _l("Legal representative")}
API_SCOPE_LABELS = {"check": _l("credit check"), "feedback": _l("application records and confirmations"),
                    "lists": _l("black and red lists"),
                    "lists-identity": _l("whole identity numbers of persons on the lists"), "cases-read": _l("the unit's cases and tasks (read)")}
DELIVERY_STATUS_LABELS = {"pending": _l("pending"), "delivered": _l("delivered"), "failed": _l("failed")}


ROUTE_LABELS = {"group": _l("Specialist group"), "office": _l("Joint-meeting office")}

DECISION_LABELS = {"act": _l("Take joint action"), "no_action": _l("No joint action")}

MEASURE_STATUS_LABELS = {
    "pending": _l("Pending"),
    "applied": _l("Applied"),
    "cannot": _l("Cannot apply"),
    "suspended": _l("Suspended"),
    "lifted": _l("Lifted"),
}

OUTCOME_LABELS = {"upheld": _l("upheld"), "partly": _l("partly upheld"), "rejected": _l("not upheld"), "approve": _l("approved"),
                  "reject": _l("rejected"), "supplement": _l("supplements requested"),
                  "ended": _l("closed: the punishment had ended"),
                  "rewarded": _l("reporter rewarded"), "not_rewarded": _l("no reward due")}

EVENT_LABELS = {
    "trigger_filed": _l("Trigger filed"),
    "task_created": _l("Step opened"),
    "task_completed": _l("Step completed"),
    "task_claimed": _l("Task claimed"),
    "task_released": _l("Task released"),
    "pre_review_returned": _l("Returned to the caseworker"),
    "pre_review_accepted": _l("Accepted at pre-review"),
    "trigger_resubmitted": _l("Trigger amended and resubmitted"),
    "decision_recorded": _l("Determination recorded"),
    "decision_filed": _l("Decision filed with the office"),
    "decision_received": _l("Decision received by group lead"),
    "measure_applied": _l("Measures applied"),
    "measure_not_applied": _l("Measures could not be applied"),
    "feedback_compiled": _l("Implementation feedback compiled"),
    "deadline_reminder": _l("Deadline reminder"),
    "deadline_breached": _l("Deadline breached"),
    "timer_fired": _l("Time limit reached"),
    "case_closed": _l("Case closed"),
    "attachment_added": _l("Attachment added"),
    "expert_draw": _l("Experts drawn"),
    "expert_draw_short": _l("Expert draw could not be filled"),
    "expert_invited": _l("Expert invited"),
    "expert_confirmed": _l("Expert confirmed"),
    "expert_declined": _l("Expert declined"),
    "expert_no_answer": _l("Expert did not answer in time"),
    "expert_replaced": _l("Expert replaced"),
    "expert_opinion": _l("Expert opinion submitted"),
    "meeting_scheduled": _l("Meeting scheduled"),
    "objection_filed": _l("Objection filed"),
    "objection_replied": _l("Reply to the objection"),
    "objection_reply_accepted": _l("Reply accepted by the applicant"),
    "complaint_filed": _l("Complaint filed with the joint-meeting office"),
    "complaint_hearing": _l("Complaint meeting arranged"),
    "complaint_decided": _l("Complaint decided"),
    "punishment_suspended": _l("Punishment suspended"),
    "punishment_resumed": _l("Punishment resumed"),
    "determination_revoked": _l("Determination revoked, measures lifted"),
    "access_code_issued": _l("Access codes issued for the subjects"),
    "access_code_used": _l("Portal account opened with the access code"),
    "repair_applied": _l("Credit repair applied for"),
    "repair_reviewed": _l("Repair application reviewed"),
    "repair_supplemented": _l("Repair application supplemented"),
    "credit_repaired": _l("Credit repaired: punishment ended early, measures lifted"),
    "unit_noticed": _l("Unit notified or summoned for overdue work"),
    "listing_started": _l("Listing started: the period runs from the decision's issue"),
    "listing_expired": _l("Period ended: removed from the list"),
    "measures_changed": _l("Measures changed for a subject"),
    "push_sent": _l("Change pushed to an implementing unit"),
    "push_confirmed": _l("Implementing unit confirmed the change"),
    "route_decided": _l("Office named the determining body"),
    "credit_check_applied": _l("A unit applied the listing in an approval (credit check)"),
    "notice_issued": _l("Subjects told of the intended determination (告知书)"),
    "notice_served": _l("Notice served on a subject; the statement period counts from that day"),
    "statement_made": _l("Statement made (陈述申辩)"),
    "statement_waived": _l("Statement waived"),
    "decision_served": _l("Decision served on the subject (送达)"),
    "decision_issued": _l("Decision document issued to the units (印发)"),
    "unit_succeeded": _l("A unit handed its work to its successor"),
    "correction_reported": _l("Correction of the subject's data reported (信息更正)"),
    "subject_corrected": _l("Subject's data corrected"),
    "subject_deregistered": _l("Subject deregistered (注销)"),
    "subject_merged": _l("Subject merged into another (合并)"),
    "listing_carried_over": _l("Listing carried over to the successor"),
    "department_list_imported": _l("Department list imported"),
    "report_received": _l("Report received"),
    "report_assigned": _l("Report assigned"),
    "report_declined": _l("Report declined"),
    "report_filed": _l("Trigger filed from the report"),
    "report_closed": _l("Report closed"),
    "report_reward_decided": _l("Reporter's reward decided"),
    "proposal_filed": _l("Catalog proposal filed"),
    "proposal_returned": _l("Catalog proposal returned"),
    "proposal_amended": _l("Catalog proposal amended"),
    "proposal_published": _l("Catalog proposal published"),
    "typical_registered": _l("Submitted as a typical case"),
    "typical_published": _l("Typical case published"),
    "typical_withdrawn": _l("Typical case taken off the public page"),
    "proposal_rejected": _l("Catalog proposal not adopted"),
    "data_call_published": _l("Data call published"),
    "data_call_repeat_set": _l("Set to be published again each period"),
    "data_call_repeat_stopped": _l("No longer published again"),
    "data_call_repeated": _l("Published again for a new period"),
    "data_submitted": _l("Table submitted"),
    "data_returned": _l("Table returned for correction"),
    "data_accepted": _l("Table accepted"),
    "data_call_closed": _l("Data call closed"),
    "correction_refused": _l("Correction refused"),
    "units_convened": _l("Units convened to the meeting"),
    "attendance_answered": _l("A convened unit answered"),
}

# The credit check: kinds of approval matter (config CHECK_MATTER_TYPES names the ones in use), what a
# unit did about a listing, and the answer's verdict.
MATTER_TYPE_LABELS = {
    "licence": _l("Administrative licence"),
    "qualification": _l("Qualification or certification"),
    "subsidy": _l("Subsidy or public funds"),
    "honour": _l("Honour or commendation"),
    "procurement": _l("Government procurement"),
    "bidding": _l("Public tender"),
    "land": _l("Supply of public land"),
    "financing": _l("Financing or credit"),
    "supervision": _l("Supervision and inspection"),
    # (seed 000 九: 人员招聘、干部任用、评先评优; seed 004 (十): 重大决策)
    "recruitment": _l("Recruitment of staff"),
    "appointment": _l("Appointment of officials"),
    "major_decision": _l("Major decision"),
    "other": _l("Other matter"),
}
CHECK_ACTION_LABELS = {
    "refused": _l("Refused"),
    "restricted": _l("Restricted or examined strictly"),
    "green_channel": _l("Approved through the green channel"),
    "approved": _l("Approved: the listing does not apply to this matter"),
}
COMMITMENT_KIND_LABELS = {
    "tolerance": _l("Missing materials supplied later (容缺受理)"),
    "notification": _l("Conditions declared met (告知承诺)"),
    "other": _l("Other commitment"),
}
COMMITMENT_STATUS_LABELS = {"open": _l("Open"), "kept": _l("Kept"), "broken": _l("Broken")}
VERDICT_LABELS = {
    "punished": _l("Under joint punishment"),
    "suspended": _l("Joint punishment suspended (objection or complaint in progress)"),
    "rewarded": _l("Under joint reward"),
    "repaired": _l("Credit repaired: no joint punishment now"),
    "clear": _l("Neither punished nor rewarded"),
}

# Expert fields: legal, and the industry domains of the specialist groups.
FIELD_LABELS = {
    "legal": _l("Legal"),
    "market": _l("Market regulation"),
    "finance": _l("Finance"),
    "environment": _l("Environment"),
    "tax": _l("Taxation"),
    "construction": _l("Construction"),
}

PROCESS_LABELS = {
    "joint_punishment": _l("Joint reward and punishment procedure"),
    "listing": _l("A subject's listing"),
    "measure_push": _l("Push of a measure change to a unit"),
    "expert_invitation": _l("Expert invitation"),
    "objection": _l("Objection and complaint"),
    "credit_repair": _l("Credit repair"),
    "catalog_proposal": _l("Catalog entry proposal"),
    "correction": _l("Correction of a subject's data"),
    "data_call": _l("Data call"),
    "data_call_unit": _l("A unit's answer to a data call"),
    "department_list": _l("Department list"),
    "meeting_attendance": _l("Attendance of a unit at a determination meeting"),
    "public_report": _l("Public report of dishonest behaviour"),
}

NOTICE_LABELS = {"notice": _l("Notice (通报)"), "summons": _l("Summons (约谈)")}

VOTE_LABELS = {"support": _l("Support"), "oppose": _l("Oppose"), "abstain": _l("Abstain")}

INVITATION_STATUS_LABELS = {
    "invited": _l("Invited"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "expired": _l("No answer"),
    "opinion": _l("Opinion submitted"),
    "closed": _l("Meeting closed"),
    "closed_unanswered": _l("Meeting closed before an answer"),
}


ATTACHMENT_PURPOSE_LABELS = {
    "evidence": _l("Evidence"),
    "minutes": _l("Meeting minutes"),
    "commitment": _l("Credit commitment"),
    "decision": _l("Decision document"),
    "implementation": _l("Implementation evidence"),
    "statement": _l("Evidence with a statement"),
    "service": _l("Proof of service"),
    "report_evidence": _l("Evidence from the reporter"),
    "department_list": _l("Department list as uploaded"),
    "data_call_template": _l("Template of the data call"),
    "data_submission": _l("Table submitted"),
    "listing_end": _l("Decision ending a listing early"),
}


PUBLICITY_KIND_LABELS = {"licence": _l("Administrative licence"), "penalty": _l("Administrative penalty"),
                         "inspection": _l("Random-inspection result")}
PUBLICITY_STATE_LABELS = {"on_time": _l("Published on time"), "late": _l("Published late"),
                          "overdue": _l("Overdue, not published"), "pending": _l("Within their time")}


def label(mapping: dict, key) -> str:
    return str(mapping.get(key, key)) if key is not None else ""

ATTENDANCE_LABELS = {"invited": _l("Not yet answered"), "attending": _l("Attends"), "absent": _l("Does not attend"),
                     "no_answer": _l("No answer in time"), "closed": _l("Meeting held before an answer")}
SERVICE_WAY_LABELS = {"portal": _l("served on the portal"), "post": _l("by post"), "in_person": _l("in person"),
                      "other": _l("other way")}
STATEMENT_CHANNEL_LABELS = {"portal": _l("on the portal"), "paper": _l("on paper, recorded by staff")}

DEADLINE_RULE_LABELS = {
    "data_call_submit": _l("Deadline for answering a data call"),
    "data_call_review": _l("Deadline for reviewing a unit's answer to a data call"),
    "proposal_review": _l("Deadline for the office to review a catalog proposal"),
    "proposal_amend": _l("Deadline for amending a returned catalog proposal"),
    "report_assign": _l("Deadline for assigning a report from the public"),
    "report_verify": _l("Deadline for verifying a report from the public"),
    "report_reward": _l("Deadline for deciding the reward of a confirmed report"),
    "publicity_licence": _l("Publication of an administrative licence (双公示)"),
    "publicity_penalty": _l("Publication of an administrative penalty (双公示)"),
    "publicity_inspection": _l("Publication of a random-inspection result (双随机)"),
    "issue_notice": _l("Deadline for telling the subjects of the intended determination"),
    "statement_period": _l("Statement period of the subjects (陈述申辩)"),
    "correction_verify": _l("Deadline for verifying a reported correction"),
    "attendance_confirm": _l("Deadline for a convened unit to confirm attendance"),
    "objection_window": _l("Objection period, from the service of the decision"),
    "decide_route": _l("Deadline for naming the determining body"),
    "push_confirm": _l("Deadline for confirming a pushed change"),
    "report_interval": _l("Interval of periodic implementation reports"),
    "pre_review": _l("Pre-review deadline"),
    "amend_trigger": _l("Amendment deadline"),
    "schedule_meeting": _l("Meeting scheduling deadline"),
    "determination": _l("Determination deadline"),
    "expert_response": _l("Expert answer deadline"),
    "objection_reply": _l("Objection reply deadline"),
    "complaint_window": _l("Complaint deadline"),
    "complaint_schedule": _l("Complaint acceptance deadline"),
    "complaint_decide": _l("Complaint decision deadline"),
    "repair_review": _l("Repair review deadline"),
    "repair_supplement": _l("Repair supplement deadline"),
    "file_decision": _l("Filing acknowledgement deadline"),
    "notify_groups": _l("Decision receipt deadline"),
    "implement": _l("Implementation feedback deadline"),
    "compile_feedback": _l("Feedback compilation deadline"),
}

DEADLINE_SOURCE_LABELS = {"local": _l("local default, configurable"), "call": _l("set by the data call")}
CATALOG_SOURCE_LABELS = {"national": _l("National basic list of punishment measures (全国失信惩戒措施基础清单)"),
                         "provincial": _l("Provincial list"), "local": _l("Local supplement (needs the local decision)")}

# Holiday names as the chinese-calendar library gives them.
HOLIDAY_LABELS = {
    "New Year's Day": _l("New Year's Day"),
    "Spring Festival": _l("Spring Festival"),
    "Tomb-sweeping Day": _l("Tomb-sweeping Day"),
    "Labour Day": _l("Labour Day"),
    "Dragon Boat Festival": _l("Dragon Boat Festival"),
    "National Day": _l("National Day"),
    "Mid-autumn Festival": _l("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _l("Anti-Fascist 70th Day"),
}


def days_text(n, day_kind: str | None):
    """"5 working days" or "90 calendar days"."""
    if day_kind == "calendar":
        return _l("%(n)s calendar days", n=n)
    return _l("%(n)s working days", n=n)


# The policy documents the configured rules cite as "seed 00N" (the project's names for them), by their numbers.
SEED_DOCUMENTS = {"000": "攀信联办〔2020〕2号", "001": "攀办函〔2017〕36号", "002": "资府办发〔2017〕7号",
                  "003": "宣信用办〔2021〕8号", "004": "安政办发〔2017〕64号"}
_SEED = re.compile(r"\bseed (00\d)\b")


def source_text(source: str | None):
    """Where a rule comes from: the label of a known source, else the administrator's own words, a document the project
    calls "seed 00N" named by its number."""
    if (source or "") in DEADLINE_SOURCE_LABELS:
        return DEADLINE_SOURCE_LABELS[source]
    return _SEED.sub(lambda m: SEED_DOCUMENTS.get(m.group(1), m.group(0)), source or "")

# Workflow steps by BPMN id. The diagram carries the Chinese names; these make them translatable.
STEP_LABELS = {
    "submit_data": _l("Fill in the call's table"),
    "review_submission": _l("Review the unit's table"),
    "close_call": _l("Compile the answers and close the call"),
    "review_proposal": _l("Review the catalog proposal"),
    "amend_proposal": _l("Amend the returned catalog proposal"),
    "assign_report": _l("Accept the report and assign it to the unit responsible"),
    "verify_report": _l("Verify the report and act on it"),
    "decide_reward": _l("Decide the reporter's reward"),
    "issue_notice": _l("Tell the subjects of the intended determination"),
    "verify_correction": _l("Verify and correct the subject's data"),
    "confirm_attendance": _l("Confirm attendance at the meeting"),
    "timer_statement_due": _l("Statement period ended"),
    "msg_statements_in": _l("Every subject has made or waived its statement"),
    "decide_route": _l("Office names the determining body"),
    "periodic_report": _l("Periodic implementation report"),
    "compile_periodic": _l("Compile the periodic reports"),
    "confirm_push": _l("Confirm the adjusted measure"),
    "timer_report": _l("Periodic report due"),
    "msg_listings_ended": _l("Every listing has ended"),
    "end_closed": _l("Procedure ended"),
    "end_closed_all": _l("Procedure ended"),
    "pre_review": _l("Specialist group pre-review"),
    "pre_review_office": _l("Office pre-review"),
    "amend_trigger": _l("Amend and resubmit"),
    "schedule_meeting": _l("Schedule the determination meeting and draw experts"),
    "schedule_meeting_office": _l("Schedule the special meeting and draw experts"),
    "determination": _l("Determination meeting and decision"),
    "respond_invitation": _l("Answer the meeting invitation"),
    "submit_opinion": _l("Submit a written opinion"),
    "reply_objection": _l("Examine the objection and reply in writing"),
    "applicant_next": _l("Accept the reply or complain"),
    "applicant_next_partly": _l("Accept the partly upheld reply or complain"),
    "schedule_hearing": _l("Accept the complaint and convene units and experts"),
    "decide_complaint": _l("Decide on the complaint"),
    "review_repair": _l("Review the repair application"),
    "supplement_repair": _l("Supplement the repair application"),
    "timer_no_supplement": _l("Supplement period ended without the material"),
    "determination_office": _l("Special meeting and decision"),
    "file_decision": _l("Acknowledge filing of the decision"),
    "file_no_action": _l("Acknowledge filing of the decision not to act"),
    "notify_groups": _l("Group lead receives the decision"),
    "implement": _l("Apply measures and report"),
    "compile_feedback": _l("Compile implementation feedback"),
    "compile_feedback_office": _l("Office compiles implementation feedback"),
    "timer_period_end": _l("Unified period ends"),
    "end_period_ended": _l("Removed at the end of the period"),
    "end_no_action": _l("No joint action"),
}


def step(bpmn_id: str | None, fallback: str = "") -> str:
    return str(STEP_LABELS[bpmn_id]) if bpmn_id in STEP_LABELS else fallback


# The record of administrative changes: what was changed, how, and the recorded fields.
AUDIT_ENTITY_LABELS = {
    "catalog": _l("Catalog entry"), "process": _l("Process model"), "user": _l("User"), "unit": _l("Unit"),
    "group": _l("Specialist group"), "rule": _l("Deadline rule"), "calendar": _l("Holiday calendar"),
    "api_client": _l("API client"), "document_template": _l("Decision template"),
    "enterprise_count": _l("Number of enterprises in the city"),
    "publicity_ledger": _l("双公示 ledger"), "publicity_entry": _l("双公示 entry"), "typical_case": _l("Typical case"),
    "expert": _l("Expert"),
}
# What a security-log event concerns: an administered record, a case, or what an export contained.
SECURITY_RECORD_LABELS = {
    **AUDIT_ENTITY_LABELS, "case": _l("Case"), "case_list": _l("Case list"), "data_call": _l("Data call"),
    "credit_check_batch": _l("Batch credit check"),
}
SECURITY_DETAIL_LABELS = {"rows": _l("Rows"), "action": _l("Action"), "two_factor": _l("Two-factor login"),
                          "from": _l("Role before"), "to": _l("Role after")}
AUDIT_ACTION_LABELS = {
    "create": _l("created"), "version": _l("new version"), "retire": _l("retired"), "deploy": _l("deployed"),
    "change": _l("changed"), "password_change": _l("changed own password"), "password_reset": _l("password reset"),
    "set_day": _l("day set"), "clear_day": _l("entry for the day removed"), "complete_year": _l("year marked as entered"), "revoke": _l("revoked"),
    "update": _l("updated"), "hand_over": _l("handed over to a successor"), "role_change": _l("role changed"),
    "recovery_code_used": _l("recovery code used"), "two_factor_enrolled": _l("two-factor login set up"),
    "two_factor_reset": _l("two-factor login reset"), "two_factor_policy": _l("two-factor policy changed"),
    "unlock": _l("unlocked"), "accounts_initialised": _l("first administrators created"),
    "import": _l("imported"), "withdraw": _l("withdrawn"), "publish": _l("published"),
    "end_listings": _l("punishments under it ended"),
    "approve": _l("approved"), "unavailable_add": _l("unavailable period added"), "unavailable_remove": _l("unavailable period removed"),
}
AUDIT_FIELD_LABELS = {
    "title": _l("Title"), "text": _l("Text"), "reason": _l("Reason"), "withdrawn": _l("Taken off the public page"),
    "published_at": _l("Published"),
    "behaviour": _l("Behaviour"), "admin_unit_id": _l("Administering unit"), "admin_unit": _l("Administering unit"),
    "grounds": _l("Grounds"), "legal_basis": _l("Legal basis"), "measures": _l("Measures"),
    "measure_content": _l("Content of the measures"), "required_evidence": _l("Evidence required"),
    "default_period_days": _l("Default period (days)"),
    "source_document": _l("The provincial list or local decision that sets it"),
    "serious": _l("Marks a serious-dishonesty subject"), "name": _l("Name"), "kind": _l("Unit type"),
    "active": _l("In use"), "username": _l("Username"), "full_name": _l("Full name"), "role": _l("Role"),
    "unit_id": _l("Unit"), "days": _l("Length"), "day_kind": _l("Counted in"), "source": _l("Source"),
    "workday": _l("Working day"), "version_id": _l("Version"), "sha256": _l("SHA-256"), "filename": _l("File"),
    "domain": _l("Domain"), "lead": _l("Lead unit"), "members": _l("Member units"),
    "file": _l("File"), "rows": _l("Rows"), "added": _l("Added"), "updated": _l("Updated"), "party": _l("Party"),
    "decided_on": _l("Decided on"), "published_on": _l("Published on"), "link": _l("Link"),
    "fields": _l("Fields"), "affiliation": _l("Affiliation"), "affiliated_unit_id": _l("Affiliated unit"),
    "affiliated_subject_code": _l("Affiliated enterprise (code)"), "contact": _l("Contact"), "expert_id": _l("Expert"),
    "start": _l("From"), "end": _l("Until"),
}


SECURITY_EVENT_LABELS = {
    "login": _l("Login"),
    "login_failed": _l("Failed login"),
    "two_factor_failed": _l("Wrong second-factor code"),
    "password_change_failed": _l("Wrong current password when changing it"),
    "logout": _l("Logout"),
    "idle_logout": _l("Logged out when idle"),
    "admin_action": _l("Administrative action"),
    "role_change": _l("Role changed"),
    "export": _l("Data exported"),
    "full_code_view": _l("Full identity number shown"),
    "audit_export": _l("Audit log exported"),
    "console_action": _l("Account action from the server console"),
}

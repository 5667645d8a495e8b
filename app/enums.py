"""Enumerations with one meaning each: roles, kinds, statuses, relations, event types. Stored as their
string values (StrEnum), labelled once in app/labels.py; case statuses are named by the BPMN files'
"case_status" properties (a test checks both agree)."""
from enum import StrEnum


class Role(StrEnum):
    CASEWORKER = "caseworker"
    GROUP_LEAD = "group_lead"
    OFFICE = "office"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"  # system administrator (系统管理员): users, units, configuration
    SECURITY_ADMIN = "security_admin"  # security administrator (安全管理员): roles, two-factor, security policy
    AUDIT_ADMIN = "audit_admin"  # audit administrator (审计管理员): reads and exports the security audit log
    EXPERT = "expert"
    APPLICANT = "applicant"


class UnitKind(StrEnum):
    MEMBER = "member"
    OFFICE = "office"
    COUNTY = "county"
    OTHER = "other"


class SubjectKind(StrEnum):
    ENTERPRISE = "enterprise"
    PERSON = "person"
    SOCIAL_ORG = "social_org"
    INSTITUTION = "institution"


class CaseKind(StrEnum):
    PUNISHMENT = "punishment"
    REWARD = "reward"
    OBJECTION = "objection"
    REPAIR = "repair"
    CORRECTION = "correction"
    DEPARTMENT_LIST = "department_list"  # a department's own red or black list, imported (app/listings/imports.py)
    PUBLIC_REPORT = "public_report"  # a report of dishonest behaviour from the public (app/public_reports)
    CATALOG_PROPOSAL = "catalog_proposal"  # a member unit's new or revised catalog entry (app/catalog_proposals)
    DATA_CALL = "data_call"  # the office asks units for figures (app/data_calls)


JOINT_KINDS = (CaseKind.PUNISHMENT, CaseKind.REWARD)


class CaseStatus(StrEnum):
    """A case's status, named by the "case_status" property of the BPMN element it is at."""

    PRE_REVIEW = "pre_review"
    RETURNED = "returned"
    DETERMINATION = "determination"
    FILING = "filing"
    IMPLEMENTING = "implementing"
    IN_EFFECT = "in_effect"
    CLOSED_NO_ACTION = "closed_no_action"
    EXPIRED = "expired"
    SUSPENDED = "suspended"
    REVOKED = "revoked"
    REPAIRED = "repaired"
    OBJECTION_REPLY = "objection_reply"
    OBJECTION_REJECTED = "objection_rejected"
    OBJECTION_UPHELD = "objection_upheld"
    OBJECTION_CLOSED = "objection_closed"
    COMPLAINT = "complaint"
    COMPLAINT_UPHELD = "complaint_upheld"
    COMPLAINT_REJECTED = "complaint_rejected"
    REPAIR_REVIEW = "repair_review"
    REPAIR_SUPPLEMENT = "repair_supplement"
    REPAIR_APPROVED = "repair_approved"
    REPAIR_REJECTED = "repair_rejected"
    REPAIR_MOOT = "repair_moot"
    ROUTING = "routing"
    CLOSED = "closed"
    OBJECTION_PARTLY = "objection_partly"
    OBJECTION_PARTLY_OPEN = "objection_partly_open"
    COMPLAINT_PARTLY = "complaint_partly"
    STATEMENT_PERIOD = "statement_period"
    CORRECTION_REVIEW = "correction_review"
    CORRECTION_DONE = "correction_done"
    CORRECTION_REJECTED = "correction_rejected"
    REPORT_ASSIGNING = "report_assigning"
    REPORT_VERIFYING = "report_verifying"
    REPORT_REWARDING = "report_rewarding"
    REPORT_FILED = "report_filed"
    REPORT_CLOSED = "report_closed"
    REPORT_DECLINED = "report_declined"
    PROPOSAL_REVIEW = "proposal_review"
    PROPOSAL_RETURNED = "proposal_returned"
    PROPOSAL_PUBLISHED = "proposal_published"
    PROPOSAL_REJECTED = "proposal_rejected"
    DATA_CALL_OPEN = "data_call_open"
    DATA_CALL_CLOSED = "data_call_closed"


class Relation(StrEnum):
    """How a unit is involved in a case (drives who may see it)."""

    INITIATOR = "initiator"
    LEAD = "lead"
    OFFICE = "office"
    IMPLEMENTER = "implementer"
    NOTIFIED = "notified"


class MeasureStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"
    CANNOT = "cannot"
    SUSPENDED = "suspended"
    LIFTED = "lifted"


class EventType(StrEnum):
    """Kinds of timeline events."""

    TRIGGER_FILED = "trigger_filed"
    TASK_CREATED = "task_created"
    TASK_COMPLETED = "task_completed"
    TASK_CLAIMED = "task_claimed"
    TASK_RELEASED = "task_released"
    PRE_REVIEW_RETURNED = "pre_review_returned"
    PRE_REVIEW_ACCEPTED = "pre_review_accepted"
    TRIGGER_RESUBMITTED = "trigger_resubmitted"
    DECISION_RECORDED = "decision_recorded"
    DECISION_FILED = "decision_filed"
    DECISION_RECEIVED = "decision_received"
    MEASURE_APPLIED = "measure_applied"
    MEASURE_NOT_APPLIED = "measure_not_applied"
    FEEDBACK_COMPILED = "feedback_compiled"
    DEADLINE_REMINDER = "deadline_reminder"
    DEADLINE_BREACHED = "deadline_breached"
    TIMER_FIRED = "timer_fired"
    CASE_CLOSED = "case_closed"
    ATTACHMENT_ADDED = "attachment_added"
    EXPERT_DRAW = "expert_draw"
    EXPERT_DRAW_SHORT = "expert_draw_short"
    EXPERT_INVITED = "expert_invited"
    EXPERT_CONFIRMED = "expert_confirmed"
    EXPERT_DECLINED = "expert_declined"
    EXPERT_NO_ANSWER = "expert_no_answer"
    EXPERT_REPLACED = "expert_replaced"
    EXPERT_OPINION = "expert_opinion"
    MEETING_SCHEDULED = "meeting_scheduled"
    OBJECTION_FILED = "objection_filed"
    OBJECTION_REPLIED = "objection_replied"
    OBJECTION_REPLY_ACCEPTED = "objection_reply_accepted"
    COMPLAINT_FILED = "complaint_filed"
    COMPLAINT_HEARING = "complaint_hearing"
    COMPLAINT_DECIDED = "complaint_decided"
    PUNISHMENT_SUSPENDED = "punishment_suspended"
    PUNISHMENT_RESUMED = "punishment_resumed"
    DETERMINATION_REVOKED = "determination_revoked"
    ACCESS_CODE_ISSUED = "access_code_issued"
    ACCESS_CODE_USED = "access_code_used"
    REPAIR_APPLIED = "repair_applied"
    REPAIR_REVIEWED = "repair_reviewed"
    REPAIR_SUPPLEMENTED = "repair_supplemented"
    CREDIT_REPAIRED = "credit_repaired"
    UNIT_NOTICED = "unit_noticed"
    LISTING_STARTED = "listing_started"
    LISTING_EXPIRED = "listing_expired"
    MEASURES_CHANGED = "measures_changed"
    PUSH_SENT = "push_sent"
    PUSH_CONFIRMED = "push_confirmed"
    ROUTE_DECIDED = "route_decided"
    CREDIT_CHECK_APPLIED = "credit_check_applied"
    NOTICE_ISSUED = "notice_issued"
    NOTICE_SERVED = "notice_served"
    STATEMENT_MADE = "statement_made"
    STATEMENT_WAIVED = "statement_waived"
    DECISION_SERVED = "decision_served"
    DECISION_ISSUED = "decision_issued"
    UNIT_SUCCEEDED = "unit_succeeded"
    CORRECTION_REPORTED = "correction_reported"
    SUBJECT_CORRECTED = "subject_corrected"
    CORRECTION_REFUSED = "correction_refused"
    SUBJECT_DEREGISTERED = "subject_deregistered"
    SUBJECT_MERGED = "subject_merged"
    LISTING_CARRIED_OVER = "listing_carried_over"
    DEPARTMENT_LIST_IMPORTED = "department_list_imported"
    REPORT_RECEIVED = "report_received"
    REPORT_ASSIGNED = "report_assigned"
    REPORT_DECLINED = "report_declined"
    REPORT_FILED = "report_filed"
    REPORT_CLOSED = "report_closed"
    REPORT_REWARD_DECIDED = "report_reward_decided"
    PROPOSAL_FILED = "proposal_filed"
    PROPOSAL_RETURNED = "proposal_returned"
    PROPOSAL_AMENDED = "proposal_amended"
    PROPOSAL_PUBLISHED = "proposal_published"
    PROPOSAL_REJECTED = "proposal_rejected"
    TYPICAL_REGISTERED = "typical_registered"
    TYPICAL_PUBLISHED = "typical_published"
    TYPICAL_WITHDRAWN = "typical_withdrawn"
    DATA_CALL_PUBLISHED = "data_call_published"
    DATA_CALL_REPEAT_SET = "data_call_repeat_set"
    DATA_CALL_REPEAT_STOPPED = "data_call_repeat_stopped"
    DATA_CALL_REPEATED = "data_call_repeated"
    DATA_SUBMITTED = "data_submitted"
    DATA_RETURNED = "data_returned"
    DATA_ACCEPTED = "data_accepted"
    DATA_CALL_CLOSED = "data_call_closed"
    UNITS_CONVENED = "units_convened"
    ATTENDANCE_ANSWERED = "attendance_answered"


class ListingStatus(StrEnum):
    """A listing's state, named by bpmn/listing.bpmn's "listing_status" properties."""

    IN_EFFECT = "in_effect"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"
    REPAIRED = "repaired"

"""Request and response schemas of the exchange API (marshmallow; the OpenAPI document is generated from them)."""
from datetime import datetime, timezone

from marshmallow import Schema, fields, pre_load, validate

from app.api.models import SCOPES  # noqa: F401  (documented in the spec's security description)
from app.invisible import strip_invisible


class ApiError(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable error code"})
    message = fields.Dict(keys=fields.String(), values=fields.String(), required=True,
                          metadata={"description": "the message in Chinese (zh) and English (en)"})
    field = fields.String(metadata={"description": "the request field at fault"})
    details = fields.Raw()


class _Input(Schema):
    """A request body: invisible format characters dropped from its text, as from every form (see app.invisible)."""

    @pre_load
    def _visible(self, data, **_kwargs):
        return {k: strip_invisible(v) if isinstance(v, str) else v for k, v in data.items()} if isinstance(data, dict) else data


class CheckIn(_Input):
    code = fields.String(required=True, validate=validate.Length(min=1, max=30),
                         metadata={"description": "unified social credit code or resident identity number"})
    matter_type = fields.String(required=True, metadata={"description": "approval matter type (see /api/v1/matter-types)"})
    matter_no = fields.String(required=True, validate=validate.Length(min=1, max=80), metadata={"description": "受理编号"})


class MeasureOut(Schema):
    code = fields.String(required=True)
    text = fields.String(required=True)


class FindingOut(Schema):
    listing_id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "punishment | reward"})
    status = fields.String(required=True, metadata={"description": "in_effect | suspended | repaired"})
    behaviour = fields.String(required=True)
    entry_code = fields.String(required=True)
    grounds = fields.String(required=True)
    legal_basis = fields.String(required=True)
    entry_basis = fields.String(required=True)
    deciding_unit = fields.String(required=True)
    case_number = fields.String(allow_none=True, required=True)
    decided_on = fields.Date(required=True)
    period_start = fields.Date(required=True)
    period_end = fields.Date(allow_none=True, required=True)
    ended_on = fields.Date(allow_none=True, required=True)
    my_state = fields.String(allow_none=True, required=True, metadata={"description": "where the unit's own measures stand"})
    my_measures = fields.List(fields.Nested(MeasureOut), required=True)
    source = fields.String(required=True, metadata={"description": "case (joint determination) | department (a department's own list; "
                                                                   "case_number is then its document number)"})
    incentives_withheld = fields.Boolean(required=True, metadata={
        "description": "a red-list entry of a subject a joint punishment stands against now (in effect, or suspended while "
                       "an objection is handled): its incentives (green channel) are not granted meanwhile (资府办发〔2017〕7号 五(一))"})


class BrokenCommitmentOut(Schema):
    unit = fields.String(required=True)
    made_on = fields.Date(required=True)
    closed_on = fields.Date(required=True, metadata={"description": "the day the unit found it broken"})
    finding = fields.String(required=True)


class AnswerOut(Schema):
    check_id = fields.Integer(required=True)
    code = fields.String(required=True)
    subject_kind = fields.String(required=True)
    subject_name = fields.String(allow_none=True, required=True,
                                 metadata={"description": "the recorded name, only when the check finds a listing (else null)"})
    matter_type = fields.String(required=True)
    matter_no = fields.String(required=True)
    verdict = fields.String(required=True, metadata={"description": "punished | suspended | rewarded | repaired | clear"})
    findings = fields.List(fields.Nested(FindingOut), required=True)
    subject_status = fields.String(required=True, metadata={"description": "active | deregistered (注销) | merged (合并)"})
    status_on = fields.Date(allow_none=True, required=True, metadata={"description": "date of the deregistration or merger"})
    successor = fields.String(allow_none=True, required=True,
                              metadata={"description": "for a merged subject: the body it merged into, which now bears its listings"})
    broken_commitments = fields.List(fields.Nested(BrokenCommitmentOut), required=True, metadata={
        "description": "信用承诺 the subject made to a unit's desk and did not keep, newest first (资府办发〔2017〕7号 五(二) "
                       "申请人信用审查)"})


class ApplicationIn(_Input):
    listing_id = fields.Integer(required=True)
    action = fields.String(required=True, validate=validate.OneOf(("refused", "restricted", "green_channel", "approved")))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ApplicationOut(Schema):
    id = fields.Integer(required=True)
    check_id = fields.Integer(required=True)
    listing_id = fields.Integer(required=True)
    action = fields.String(required=True)
    note = fields.String(required=True)
    at = fields.DateTime(required=True)


class MatterTypeOut(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)


class PushOut(Schema):
    id = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"description": "suspend | resume | lift"})
    reason = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    listing_id = fields.Integer(required=True)
    subject_name = fields.String(required=True)
    subject_code = fields.String(required=True)
    case_number = fields.String(allow_none=True, required=True)
    measures = fields.List(fields.String(), required=True)


class ConfirmIn(_Input):
    note = fields.String(load_default="", validate=validate.Length(max=2000))
    cannot = fields.Boolean(load_default=False, metadata={
        "description": "for a measure to apply (a department's list): the unit cannot apply it; `note` says why"})


class PushConfirmedOut(Schema):
    id = fields.Integer(required=True)
    confirmed_at = fields.DateTime(required=True)


class CaseOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    kind = fields.String(required=True)
    status = fields.String(required=True)
    title = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    relations = fields.List(fields.String(), required=True,
                            metadata={"description": "how the unit takes part: initiator, lead, implementer, office ..."})


class TaskOut(Schema):
    task_id = fields.String(required=True)
    case_id = fields.Integer(required=True)
    case_number = fields.String(required=True)
    step = fields.String(required=True)
    name = fields.String(required=True)
    due_at = fields.DateTime(allow_none=True, required=True)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ListArgs(Schema):
    as_of = fields.Date(load_default=None, metadata={"description": "the day the list is for (default today)"})
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "xlsx")))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


_EARLIEST = datetime(1900, 1, 1, tzinfo=timezone.utc)
_LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


class ChangesArgs(Schema):
    # (bounded so that it stays a valid time in UTC: 0001-01-01T00:00+14:00 is not)
    since = fields.AwareDateTime(required=True, validate=validate.Range(min=_EARLIEST, max=_LATEST),
                                 metadata={"description": "ISO 8601 with offset, e.g. 2026-12-01T00:00:00+08:00"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=5000))
    after_id = fields.Integer(load_default=None, validate=validate.Range(min=0, max=2_147_483_647), metadata={
        "description": "with `since`: also the changes at exactly that time with a listing id above this (pass the "
                       "previous answer's `until` and `until_id`, so that a page ending among changes made at the same "
                       "moment goes on where it stopped)"})


class UnitStateOut(Schema):
    unit = fields.String(required=True)
    state = fields.String(required=True, metadata={
        "description": "pending (not yet reported) | applied | cannot (cannot apply, with reasons on the case) | suspended | lifted"})
    updated_at = fields.DateTime(required=True, metadata={"description": "when the unit last reported or confirmed"})


class ListEntryOut(Schema):
    """The unified exchange format (seed 001 二(一)2: basic information, time and reason of the determination)."""

    listing_id = fields.Integer(required=True)
    list = fields.String(required=True, metadata={"description": "black (punishment) | red (reward)"})
    subject_name = fields.String(required=True)
    subject_kind = fields.String(required=True)
    subject_code = fields.String(required=True, metadata={
        "description": "a person's identity number is masked (first 3 and last 4 characters) unless the client holds the "
                       "lists-identity scope or its unit has a measure of its own on the entry"})
    subject_code_masked = fields.Boolean(required=True)
    code_type = fields.String(required=True, metadata={
        "description": "证件类型: uscc (统一社会信用代码) for an organisation, resident_id (居民身份证号码) for a person"})
    legal_representative = fields.String(allow_none=True, required=True, metadata={"description": "法定代表人 (organisations)"})
    determined_on = fields.Date(required=True, metadata={"description": "认定时间"})
    reason = fields.String(required=True, metadata={"description": "认定原因 (the behaviour)"})
    grounds = fields.String(required=True)
    legal_basis = fields.String(required=True)
    entry_code = fields.String(required=True)
    deciding_unit = fields.String(required=True)
    case_number = fields.String(allow_none=True, required=True)
    decision_no = fields.String(allow_none=True, required=True, metadata={"description": "认定文书文号 (the decision document's number)"})
    source = fields.String(required=True, metadata={"description": "case (decided in Xinlian) | department (a department's own list)"})
    period_start = fields.Date(required=True)
    period_end = fields.Date(allow_none=True, required=True, metadata={
        "description": "the period's last day as it stands now (none while suspended: the suspended days are added on "
                       "resumption)"})
    status = fields.String(required=True, metadata={
        "description": "in_effect | suspended | expired | revoked | repaired: now; on a list as of an earlier day, "
                       "in_effect (it was that day: `status_now` says where it stands now)"})
    ended_on = fields.Date(allow_none=True, required=True)
    end_reason = fields.String(allow_none=True, required=True, metadata={
        "description": "移出原因 once ended: expired | revoked | repaired | …"})
    incentives_withheld = fields.Boolean(required=True, metadata={
        "description": "a red-list entry whose subject a joint punishment stands against now (in effect, or suspended while an "
                       "objection is handled): left off the red list as of today and its incentives not granted meanwhile "
                       "(资府办发〔2017〕7号 五(一))"})
    serious = fields.Boolean(required=True, metadata={
        "description": "on the serious-dishonesty list (严重失信主体名单, seed 003 8①): a black-list entry under a catalog "
                       "entry that marks serious dishonesty"})
    measures = fields.List(fields.String(), required=True)
    units = fields.List(fields.Nested(UnitStateOut), required=True, metadata={
        "description": "实施结果: where each implementing unit's measures stand, as it reported (seed 003 8① 实施结果…实时反馈); "
                       "a unit's report changes `updated_at`, so the changes feed carries it"})
    updated_at = fields.DateTime(required=True)


class ListedEntryOut(ListEntryOut):
    """An entry of a list as of a day."""

    status_now = fields.String(required=True, metadata={"description": "where the listing stands now (units and "
                                                                     "period_end too are as they stand now)"})


class ListOut(Schema):
    list = fields.String(required=True)
    as_of = fields.Date(required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    entries = fields.List(fields.Nested(ListedEntryOut), required=True)


class TypicalArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class TypicalOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "as published (personal data removed, persons as 王某)"})
    unit = fields.String(required=True, metadata={"description": "the unit that submitted it"})
    quarter = fields.String(required=True, metadata={"description": "e.g. 2026-Q4"})
    kind = fields.String(allow_none=True, required=True, metadata={"description": "punishment | reward | department_list, or null"})
    published_at = fields.DateTime(required=True)


class TypicalListOut(Schema):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    entries = fields.List(fields.Nested(TypicalOut), required=True)


class ChangesOut(Schema):
    list = fields.String(required=True)
    since = fields.DateTime(required=True)
    until = fields.DateTime(required=True, metadata={"description": "pass as `since` next time"})
    until_id = fields.Integer(allow_none=True, metadata={"description": "pass as `after_id` next time"})
    entries = fields.List(fields.Nested(ListEntryOut), required=True)

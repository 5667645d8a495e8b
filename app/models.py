"""Imports every model module so metadata is complete (Alembic, create_all)."""
from app.api.models import ApiCall, ApiClient, WebhookDelivery  # noqa: F401
from app.audit.models import AdminChange  # noqa: F401
from app.auth.models import PasswordHistory, RecoveryCode, SpecialistGroup, Unit, User  # noqa: F401
from app.blobs.models import Blob, BlobChunk  # noqa: F401
from app.cases import (
    access_sync,  # noqa: F401  (keeps the CaseAccess read model in step: a flush listener)
    search_sync,  # noqa: F401  (and the CaseSearch one)
)
from app.cases.models import (  # noqa: F401
    Attachment,
    Case,
    CaseAccess,
    CaseEntry,
    CaseEvent,
    CaseMeasure,
    CaseSearch,
    CaseSubject,
    CaseUnit,
    OpenTask,
    Subject,
)
from app.catalog.models import CatalogEntry, CatalogVersion  # noqa: F401
from app.credit.models import CheckApplication, CreditCheck  # noqa: F401
from app.data_calls.models import DataSubmission  # noqa: F401
from app.dueprocess.models import DecisionCounter, DecisionService, DocumentTemplate, PriorNotice, SubjectChange  # noqa: F401
from app.engine.models import ProcessInstance, ProcessVersion  # noqa: F401
from app.experts.models import Draw, Expert, ExpertUnavailability, Invitation, Opinion  # noqa: F401
from app.listings.models import Listing, ListingUnit, PeriodSuspension, Push  # noqa: F401
from app.public_reports.models import PublicReport  # noqa: F401
from app.publicity.models import PublicityEntry  # noqa: F401
from app.rights.models import AccessCode  # noqa: F401
from app.security_log.models import SecurityEvent, SecurityLogHead  # noqa: F401
from app.supervision.models import EnterpriseCount, Notice, Report, StepRecord, TypicalCase  # noqa: F401
from app.workdays.models import (  # noqa: F401
    CalendarDay,
    CalendarYear,
    DeadlineRule,  # noqa: F401
)

"""SQLModel tables.

Times are aware datetimes stored in UTC (sqlmodel's ``UTCDateTime``) and
shown in Asia/Ho_Chi_Minh. Config rows (agencies, plans, obligations, targets) are
never deleted: what leaves the configuration is marked inactive, so history
keeps its references.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from dondoc.db.statuses import DeadlineStatus, InboundStatus, OutboxStatus

__all__ = [
    "AccountRow",
    "AgencyRow",
    "AuditEventRow",
    "AttachmentRow",
    "ChaseHorizonRow",
    "InboundRow",
    "InboundStatus",
    "ReportRow",
    "ReportStatus",
    "RequestRow",
    "RequestStatus",
    "SourceMessageRow",
    "SubmissionRow",
    "SubmissionStatus",
    "ContactRow",
    "DeadlineRow",
    "DeadlineStatus",
    "ObligationRow",
    "OutboxRow",
    "OutboxStatus",
    "PauseRow",
    "PlanRow",
    "TargetRow",
]


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


class StatusColumn(TypeDecorator):
    """A status enum in the VARCHAR column it has always been (no database enum, no migration): written as its
    value, read back as the enum member; a value outside the enum is refused when written."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)


class AgencyRow(SQLModel, table=True):
    __tablename__ = "agency"

    id: str = Field(primary_key=True, max_length=80)
    area: str = Field(max_length=80, index=True)
    name: str
    short: str | None = None
    level: str = Field(max_length=20)
    domain: str | None = None
    active: bool = True


class ContactRow(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("agency_id", "address", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=80)
    address: str = Field(max_length=254, index=True)
    name: str | None = None
    role: str = Field(max_length=20)
    flagged_at: dt.datetime | None = None
    flag_reason: str | None = None


class PlanRow(SQLModel, table=True):
    __tablename__ = "plan"

    id: str = Field(primary_key=True, max_length=80)
    title: str
    number: str | None = None
    area: str = Field(max_length=80)
    issuer_id: str = Field(max_length=80)
    coordinator_id: str = Field(max_length=80)
    valid_start: dt.date
    valid_end: dt.date | None = None
    source_file: str
    active: bool = True


class ObligationRow(SQLModel, table=True):
    __tablename__ = "obligation"

    plan_id: str = Field(foreign_key="plan.id", primary_key=True, max_length=80)
    id: str = Field(primary_key=True, max_length=80)
    title: str
    kind: str = Field(max_length=30)
    recipient_id: str = Field(max_length=80)
    also_to: list = Field(sa_column=Column(JSON, nullable=False))
    via_id: str | None = Field(default=None, max_length=80)
    rule: str = Field(max_length=10)
    quote: str
    source_file: str
    source_section: str | None = None
    schedule: dict = Field(sa_column=Column(JSON, nullable=False))
    consolidates: list = Field(sa_column=Column(JSON, nullable=False))
    reporters: list = Field(sa_column=Column(JSON, nullable=False))
    active: bool = True


class TargetRow(SQLModel, table=True):
    __tablename__ = "target"

    plan_id: str = Field(foreign_key="plan.id", primary_key=True, max_length=80)
    id: str = Field(primary_key=True, max_length=40)
    text: str
    unit: str = Field(max_length=20)
    goal_op: str | None = Field(default=None, max_length=2)
    goal_value: float | None = None
    lead_id: str | None = Field(default=None, max_length=80)
    partners: list = Field(sa_column=Column(JSON, nullable=False))
    active: bool = True


class DeadlineRow(SQLModel, table=True):
    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("plan_id", "obligation_id", "agency_id", "period_key"),
        # the console's overview reads the periods from this index alone (and a period by its prefix)
        Index("ix_deadline_period", "plan_id", "obligation_id", "period_key", "period_start", "period_end", "last_day"),
    )

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", index=True, max_length=80)
    obligation_id: str = Field(max_length=80)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=80)
    period_key: str = Field(max_length=20)
    period_label: str
    period_start: dt.date
    period_end: dt.date
    written_date: dt.date
    rule: str = Field(max_length=10)
    last_day: dt.date = Field(index=True)
    status: DeadlineStatus = Field(default=DeadlineStatus.OPEN, sa_type=StatusColumn(DeadlineStatus, 20), index=True)
    status_reason: str | None = None
    excused_by_sync: bool = False
    extended_to: dt.date | None = None
    extension_reason: str | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    # comma-separated ids of the dissolved agencies whose function this agency took over (Res. 190/2025/QH15)
    succeeds: str | None = Field(default=None, max_length=400)


class OutboxRow(SQLModel, table=True):
    """One mail to send, rendered once, identified by ``key`` and its ``message_id``.

    ``key`` is unique (``reminder:<deadline>:<stage>``): a stage can be queued
    once only. ``raw`` holds the exact bytes sent, so a retry after a crash
    sends the same message with the same Message-ID.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_to_address_created_at", "to_address", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=20)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    stage: str | None = Field(default=None, max_length=80)
    message_id: str = Field(max_length=250, unique=True)
    sender: str = Field(max_length=254)
    recipients: list = Field(sa_column=Column(JSON, nullable=False))
    subject: str
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=StatusColumn(OutboxStatus, 10), index=True)
    attempts: int = 0
    last_error: str | None = None
    not_before: dt.datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_at: dt.datetime | None = None
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None
    to_address: str | None = Field(
        default=None,
        max_length=254,
        description="for automatic mails (receipts, notices): the address, for the daily cap",
    )


class PauseRow(SQLModel, table=True):
    """The coordinator paused reminders to an agency until a day, with a reason."""

    __tablename__ = "pause"

    id: int | None = Field(default=None, primary_key=True)
    agency_id: str = Field(foreign_key="agency.id", index=True, max_length=80)
    until: dt.date
    reason: str
    created_at: dt.datetime = Field(default_factory=utcnow)


class InboundRow(SQLModel, table=True):
    """Every message taken in, stored raw (content-addressed) before anything else."""

    __tablename__ = "inbound"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    source_ref: str = Field(max_length=300)
    path: str = Field(max_length=300, description="the raw .eml, relative to the data dir")
    size: int
    received_at: dt.datetime = Field(default_factory=utcnow, index=True)
    status: InboundStatus = Field(default=InboundStatus.NEW, sa_type=StatusColumn(InboundStatus, 20), index=True)
    reason: str | None = None
    message_id: str | None = Field(default=None, max_length=500, index=True)
    from_address: str | None = Field(default=None, max_length=254)
    subject: str | None = None
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    match_method: str | None = Field(default=None, max_length=20)
    processed_at: dt.datetime | None = None


class SourceMessageRow(SQLModel, table=True):
    """A message dondoc has taken from its mail source: how it decides what it has taken, never by a seen flag.

    ``source`` names the mailbox (``maildir``, ``imap:<user>@<host>/<mailbox>``);
    ``scope`` is the IMAP UIDVALIDITY the ``ref`` belongs to (empty for a
    Maildir); ``ref`` is ``imap:<uidvalidity>:<uid>`` or ``maildir:<unique
    name>`` (the part before ``:2,``, which a person's flags never change).
    ``sha256`` is the inbound message it was stored as: the same bytes under
    two refs (delivered twice, a recreated mailbox) are one inbound row.
    """

    __tablename__ = "source_message"
    __table_args__ = (UniqueConstraint("source", "scope", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=300)
    scope: str = Field(default="", max_length=20)
    ref: str = Field(max_length=300)
    sha256: str = Field(max_length=64, index=True)
    taken_at: dt.datetime = Field(default_factory=utcnow)


class SubmissionStatus(StrEnum):
    """``accepted``: the submission counts (the last accepted version of a deadline is the one that counts);
    ``returned``: the coordinator returned it for completion (the deadline re-opened)."""

    ACCEPTED = "accepted"
    RETURNED = "returned"


class SubmissionRow(SQLModel, table=True):
    """One version of an agency's report for a deadline; the latest accepted one counts."""

    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("deadline_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True)
    inbound_id: int = Field(foreign_key="inbound.id", unique=True)
    version: int
    received_at: dt.datetime
    on_time: bool
    from_address: str | None = Field(default=None, max_length=254)
    body_text: str
    no_report: bool = False
    form_values: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    form_problems: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: SubmissionStatus = Field(default=SubmissionStatus.ACCEPTED, sa_type=StatusColumn(SubmissionStatus, 20))
    returned_reason: str | None = None


class AttachmentRow(SQLModel, table=True):
    """A file that came with a submission, stored by its hash."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", index=True)
    filename: str = Field(max_length=200)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64)
    path: str | None = Field(default=None, max_length=300, description="None when refused")
    refused: str | None = None


class RequestStatus(StrEnum):
    """``open`` until the coordinator grants a request for more time (``granted``) or refuses it (``refused``)."""

    OPEN = "open"
    GRANTED = "granted"
    REFUSED = "refused"


class RequestRow(SQLModel, table=True):
    """An agency asked for more time, or asked a question, instead of reporting."""

    __tablename__ = "request"

    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int = Field(foreign_key="deadline.id", index=True)
    inbound_id: int = Field(foreign_key="inbound.id", unique=True)
    kind: str = Field(max_length=20)
    text: str
    status: RequestStatus = Field(default=RequestStatus.OPEN, sa_type=StatusColumn(RequestStatus, 20))
    created_at: dt.datetime = Field(default_factory=utcnow)


class ReportStatus(StrEnum):
    """A consolidated report: ``draft → approved → sent``, or ``draft → rejected`` (compiled again after changes)."""

    DRAFT = "draft"
    APPROVED = "approved"
    REJECTED = "rejected"
    SENT = "sent"


class ReportRow(SQLModel, table=True):
    """A compiled consolidated report: ``draft → approved → sent``."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("plan_id", "obligation_id", "period_key", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: str = Field(foreign_key="plan.id", max_length=80)
    obligation_id: str = Field(max_length=80)
    period_key: str = Field(max_length=20)
    revision: int = 1
    status: ReportStatus = Field(default=ReportStatus.DRAFT, sa_type=StatusColumn(ReportStatus, 20))
    files: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    summary: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    compiled_at: dt.datetime = Field(default_factory=utcnow)
    approved_at: dt.datetime | None = None
    approved_by: str | None = None
    sent_at: dt.datetime | None = None


class AccountRow(SQLModel, table=True):
    """A local account of the web console: a name, an argon2 hash of its password, a role, enabled or not."""

    __tablename__ = "account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    password_hash: str = Field(max_length=200)
    role: str = Field(max_length=20)
    active: bool = True
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_login_at: dt.datetime | None = None
    signed_out_at: dt.datetime | None = None  # sessions issued before this moment are no longer valid


class AuditEventRow(SQLModel, table=True):
    """One action taken on the season (excuse, extend, remind, assign, approve, …): who, when, what, why.

    Written by the operation in the same transaction as the change it records. ``actor`` says who:
    ``cli:<login>``, ``web:<user>``, ``schedule:<flow>``. The ids name what it touched (no foreign keys: the log
    outlives nothing it refers to, and an action refused for an unknown id writes nothing). ``details`` holds
    what else the action had (the new last day, the signer, the stage, …).
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=200)
    action: str = Field(max_length=40)
    reason: str | None = None
    deadline_id: int | None = Field(default=None, index=True)
    agency_id: str | None = Field(default=None, max_length=80, index=True)
    report_id: int | None = None
    message_id: int | None = None
    details: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ChaseHorizonRow(SQLModel, table=True):
    """Until when a chase has nothing to do (docs/chasing.md, "Nothing to do"): one row at most.

    A full chase claims it (``token``, its ``key`` and ``since``, no ``until``)
    before it reads the deadlines, and sets ``until`` — the earliest moment a
    reminder may next fall due — once it has queued everything due. Triggers
    (migration 0011) delete it whenever a table that can add work changes, so
    a claim that was overtaken by a change is never completed.
    """

    __tablename__ = "chase_horizon"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(max_length=32)
    key: str = Field(max_length=64)
    since: dt.datetime
    until: dt.datetime | None = None

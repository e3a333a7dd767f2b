"""What the coordinators' console shows: the overview, a period, a deadline's history, the audit log. Read only.

Pure queries that return frozen dataclasses (no HTML, no words of a page
beyond the vocabulary's labels). Each view issues a fixed number of
set-based statements, whatever the number of agencies: a national plan
(≈ 4,000 reporting units, 5 years) answers in well under a second
(``dondoc bench``, row ``console``).

Counts and rates are those of the consolidated report and ``dondoc status``:
an agency's state is :func:`dondoc.vocabulary.deadline_state` of its deadline
on ``today`` (Asia/Ho_Chi_Minh), the counts and the rates (reporting rate,
on-time rate, both out of ``required``; excused agencies are not required)
come from :func:`dondoc.aggregate.tally`. ``held`` counts the agencies whose
report is held for confirmation (:mod:`dondoc.held`): they are still
``missing`` until it is confirmed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from dondoc.aggregate import tally
from dondoc.consolidate import lost_recipients
from dondoc.db.tables import (
    AgencyRow,
    AttachmentRow,
    AuditEventRow,
    ContactRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    ObligationRow,
    OutboxRow,
    PauseRow,
    PlanRow,
    RequestRow,
    SubmissionRow,
)
from dondoc.errors import NotFound
from dondoc.operations._clock import moment
from dondoc.vocabulary import deadline_state, label, stage_label, state_label
from dondoc.wiring import App

__all__ = [
    "ActionEvent",
    "AgencyInPeriod",
    "AttachmentInfo",
    "Counts",
    "DeadlineHistory",
    "HeldMail",
    "NextLastDay",
    "ObligationSummary",
    "Overview",
    "PeriodSummary",
    "PeriodView",
    "PlanSummary",
    "ReceiptEvent",
    "Reminder",
    "ReminderEvent",
    "ReceivedMail",
    "ReplyEvent",
    "SentMail",
    "StoredFile",
    "SubmissionEvent",
    "attachment_file",
    "audit_log",
    "deadline_history",
    "overview",
    "period",
    "received_mail",
    "sent_mail",
]

NEXT_LAST_DAYS = 3  # per obligation, the coming last days the overview names


@dataclass(frozen=True)
class Counts:
    """Agencies of one period by where they stand, and the rates with their denominator ``required``.

    ``required`` = submitted + missing (excused ones are out); ``missing`` = overdue + not yet due (+ held ones,
    which are also counted in ``held``); rates are percentages with one decimal, None when nothing is required.
    """

    required: int
    submitted: int
    on_time: int
    late: int
    missing: int
    overdue: int
    not_due: int
    excused: int
    held: int
    reporting_rate: float | None
    on_time_rate: float | None

    @property
    def denominator(self) -> int:
        """What both rates are out of."""
        return self.required

    @classmethod
    def of(cls, states: Counter[str], held: int = 0) -> Counts:
        counted = tally(states)
        return cls(
            counted.expected,
            counted.submitted,
            counted.on_time,
            counted.late,
            counted.missing,
            states.get("overdue", 0),
            states.get("not-due", 0),
            counted.excused,
            held,
            counted.reporting_rate,
            counted.timeliness_rate,
        )


@dataclass(frozen=True)
class PeriodSummary:
    """One period of an obligation in the overview. ``last_day``: the earliest last day of its deadlines
    (extensions not counted); ``current``: the one being chased now (see :func:`overview`)."""

    period_key: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    last_day: dt.date
    current: bool
    counts: Counts


@dataclass(frozen=True)
class NextLastDay:
    """A coming last day (an extension included) and how many agencies still owe their report by it."""

    day: dt.date
    period_key: str
    period_label: str
    open: int


@dataclass(frozen=True)
class ObligationSummary:
    obligation_id: str
    title: str
    periods: tuple[PeriodSummary, ...]  # by last day; the last one is the current one
    next_last_days: tuple[NextLastDay, ...]  # soonest first, at most NEXT_LAST_DAYS


@dataclass(frozen=True)
class PlanSummary:
    plan_id: str
    title: str
    obligations: tuple[ObligationSummary, ...]


@dataclass(frozen=True)
class Overview:
    """Tổng quan: every active plan → obligation → its current and recent periods, as of ``today``."""

    today: dt.date
    plans: tuple[PlanSummary, ...]
    quarantined: int  # inbound mail waiting for the coordinator (not matched to a deadline)
    held: int  # reports held for confirmation, in every plan


@dataclass(frozen=True)
class Reminder:
    """A reminder queued for a deadline. ``result``: the outbox status (pending, sending, sent, failed), or
    ``bounced`` when it was sent and a bounce flagged its address since. ``bounced`` names the addresses it did
    not reach: all of them when it failed (a 5xx), those a bounce flagged after it was sent
    (:func:`dondoc.consolidate.lost_recipients`, the consolidated report's rule)."""

    outbox_id: int
    stage: str
    stage_label: str
    at: dt.datetime  # sent, else queued
    result: str
    result_label: str
    error: str | None
    recipients: tuple[str, ...]
    bounced: tuple[str, ...]


@dataclass(frozen=True)
class HeldMail:
    """Inbound mail for a deadline that waits for the coordinator: ``held`` (for confirmation) or ``quarantine``."""

    inbound_id: int
    status: str
    status_label: str
    received_at: dt.datetime
    sender: str
    subject: str
    reason: str


@dataclass(frozen=True)
class AgencyInPeriod:
    """One agency's row on a period's page."""

    deadline_id: int
    agency_id: str
    agency_name: str  # with the dissolved agencies it took over from, if any
    state: str  # dondoc.vocabulary.STATES
    state_label: str
    last_day: dt.date
    extended_to: dt.date | None
    extension_reason: str | None
    status_reason: str | None
    paused_until: dt.date | None  # reminders to the agency paused until this day (inclusive)
    reminders: tuple[Reminder, ...]  # oldest first
    submitted_at: dt.datetime | None  # the latest accepted version
    version: int | None
    versions: int  # every version received, returned ones included
    held: tuple[HeldMail, ...]

    @property
    def effective_last_day(self) -> dt.date:
        return self.extended_to or self.last_day


@dataclass(frozen=True)
class PeriodView:
    plan_id: str
    plan_title: str
    obligation_id: str
    obligation_title: str
    period_key: str
    period_label: str
    today: dt.date
    counts: Counts
    agencies: tuple[AgencyInPeriod, ...]  # by agency name


@dataclass(frozen=True)
class AttachmentInfo:
    attachment_id: int
    filename: str
    content_type: str
    size: int
    stored: bool  # False when it was refused (``refused`` says why): nothing to download
    refused: str | None


@dataclass(frozen=True)
class ReminderEvent:
    at: dt.datetime
    reminder: Reminder
    kind: str = "reminder"


@dataclass(frozen=True)
class ReceiptEvent:
    """A mail dondoc sent the agency about what it sent: a receipt, a return notice, a confirmation request."""

    at: dt.datetime
    outbox_id: int
    mail_kind: str  # receipt | notice | confirm
    mail_label: str
    stage: str
    stage_label: str
    result: str
    result_label: str
    recipients: tuple[str, ...]
    kind: str = "receipt"


@dataclass(frozen=True)
class ReplyEvent:
    """A message taken in for this deadline: its headers, its class, why, and how it was matched."""

    at: dt.datetime  # received
    inbound_id: int
    sender: str
    subject: str
    date: dt.datetime | None  # the Date header, when the stored message has a readable one
    status: str  # the class (dondoc.vocabulary KINDS["inbound"])
    status_label: str
    reason: str
    match_method: str | None
    request: str | None = None  # extension | question, when it was a request
    request_status: str | None = None
    kind: str = "reply"


@dataclass(frozen=True)
class SubmissionEvent:
    at: dt.datetime  # received
    submission_id: int
    inbound_id: int
    version: int
    on_time: bool
    status: str  # accepted | returned
    status_label: str
    returned_reason: str | None
    sender: str | None
    attachments: tuple[AttachmentInfo, ...]
    kind: str = "submission"


@dataclass(frozen=True)
class ActionEvent:
    """An action someone (or a schedule) took, from the audit log."""

    at: dt.datetime
    audit_id: int
    actor: str
    action: str
    action_label: str
    reason: str | None
    details: dict[str, Any]
    deadline_id: int | None = None
    agency_id: str | None = None
    report_id: int | None = None
    message_id: int | None = None
    kind: str = "action"


Event = ReminderEvent | ReceiptEvent | ReplyEvent | SubmissionEvent | ActionEvent


@dataclass(frozen=True)
class DeadlineHistory:
    """A deadline and everything that happened to it, on one timeline (oldest first)."""

    deadline_id: int
    plan_id: str
    plan_title: str
    obligation_id: str
    obligation_title: str
    agency_id: str
    agency_name: str
    period_key: str
    period_label: str
    last_day: dt.date
    extended_to: dt.date | None
    extension_reason: str | None
    status: str
    status_reason: str | None
    state: str
    state_label: str
    events: tuple[Event, ...]


def _today(app: App, now: dt.datetime | None) -> dt.date:
    return moment(app, now).astimezone(ZoneInfo(app.settings.timezone)).date()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


EFFECTIVE = func.coalesce(DeadlineRow.extended_to, DeadlineRow.last_day)


def overview(app: App, *, now: dt.datetime | None = None, periods: int = 4) -> Overview:
    """Per active plan and obligation: the current period and the ones before it (``periods`` in all, by their
    last day), with their counts and rates, and the next last days. Seven statements.

    The current period is the first one that has begun on ``now``'s day and whose last day has not passed (the
    half-year's, before the year's that began the same day), else the last one that has begun; when none has
    begun, the first to come is shown, not current.
    """
    today = _today(app, now)
    with app.session() as session:
        plans = list(session.exec(select(PlanRow.id, PlanRow.title).where(PlanRow.active).order_by(col(PlanRow.id))))
        obligations = list(
            session.exec(
                select(ObligationRow.plan_id, ObligationRow.id, ObligationRow.title).where(ObligationRow.active)
            )
        )
        every = list(
            session.execute(  # from the index ix_deadline_period alone
                sa_select(
                    col(DeadlineRow.plan_id),
                    col(DeadlineRow.obligation_id),
                    col(DeadlineRow.period_key),
                    func.min(DeadlineRow.period_start),
                    func.max(DeadlineRow.period_end),
                    func.min(DeadlineRow.last_day),
                ).group_by(DeadlineRow.plan_id, DeadlineRow.obligation_id, DeadlineRow.period_key)
            )
        )
        chosen: dict[tuple[str, str], list[Any]] = {}
        current: dict[tuple[str, str], str] = {}
        for row in sorted(every, key=lambda r: (r[0], r[1], r[5], r[3], r[2])):
            chosen.setdefault((row[0], row[1]), []).append(row)
        for key, rows in chosen.items():
            begun = [r for r in rows if r[3] <= today]
            if not begun:
                chosen[key] = rows[:1]
                continue
            at = next((i for i, r in enumerate(begun) if r[5] >= today), len(begun) - 1)
            chosen[key] = begun[: at + 1][-periods:]
            current[key] = begun[at][2]
        wanted = [(r[0], r[1], r[2]) for rows in chosen.values() for r in rows]
        states: dict[tuple[str, str, str], Counter[str]] = {}
        labels: dict[tuple[str, str, str], str] = {}
        held: dict[tuple[str, str, str], int] = {}
        if wanted:
            # three IN lists (a search of the index; a row-value IN scans it whole), the few extra periods dropped
            which = (
                col(DeadlineRow.plan_id).in_({w[0] for w in wanted}),
                col(DeadlineRow.obligation_id).in_({w[1] for w in wanted}),
                col(DeadlineRow.period_key).in_({w[2] for w in wanted}),
            )
            wanted_set = set(wanted)
            for plan_id, obligation_id, period_key, status, last, period_label, count in session.execute(
                sa_select(
                    col(DeadlineRow.plan_id),
                    col(DeadlineRow.obligation_id),
                    col(DeadlineRow.period_key),
                    col(DeadlineRow.status),
                    EFFECTIVE,
                    func.min(DeadlineRow.period_label),
                    func.count(),
                )
                .where(*which)
                .group_by(
                    DeadlineRow.plan_id,
                    DeadlineRow.obligation_id,
                    DeadlineRow.period_key,
                    DeadlineRow.status,
                    EFFECTIVE,
                )
            ):
                if (plan_id, obligation_id, period_key) in wanted_set:
                    states.setdefault((plan_id, obligation_id, period_key), Counter())[
                        deadline_state(status, last, today)
                    ] += count
                    labels[(plan_id, obligation_id, period_key)] = period_label
            for plan_id, obligation_id, period_key, count in session.exec(
                select(
                    DeadlineRow.plan_id,
                    DeadlineRow.obligation_id,
                    DeadlineRow.period_key,
                    func.count(func.distinct(DeadlineRow.id)),
                )
                .join(InboundRow, col(InboundRow.deadline_id) == DeadlineRow.id)
                .where(InboundRow.status == InboundStatus.HELD, DeadlineRow.status == DeadlineStatus.OPEN, *which)
                .group_by(DeadlineRow.plan_id, DeadlineRow.obligation_id, DeadlineRow.period_key)
            ):
                held[(plan_id, obligation_id, period_key)] = count
        coming: dict[tuple[str, str], list[NextLastDay]] = {}
        for plan_id, obligation_id, period_key, period_label, day, count in session.execute(
            sa_select(
                col(DeadlineRow.plan_id),
                col(DeadlineRow.obligation_id),
                col(DeadlineRow.period_key),
                func.min(DeadlineRow.period_label),
                EFFECTIVE,
                func.count(),
            )
            .where(col(DeadlineRow.status) == DeadlineStatus.OPEN, today <= EFFECTIVE)
            .group_by(DeadlineRow.plan_id, DeadlineRow.obligation_id, DeadlineRow.period_key, EFFECTIVE)
            .order_by(EFFECTIVE)
        ):
            found = coming.setdefault((plan_id, obligation_id), [])
            if len(found) < NEXT_LAST_DAYS:
                found.append(NextLastDay(day, period_key, period_label, count))
        waiting = dict(
            session.exec(
                select(InboundRow.status, func.count())
                .where(col(InboundRow.status).in_((InboundStatus.QUARANTINE, InboundStatus.HELD)))
                .group_by(InboundRow.status)
            ).all()
        )
    titles: dict[str, list[tuple[str, str]]] = {}
    for plan_id, obligation_id, title in obligations:
        titles.setdefault(plan_id, []).append((obligation_id, title))
    result = []
    for plan_id, plan_title in plans:
        summaries = []
        for obligation_id, title in sorted(titles.get(plan_id, ())):
            rows = chosen.get((plan_id, obligation_id), [])
            last = current.get((plan_id, obligation_id))
            summaries.append(
                ObligationSummary(
                    obligation_id,
                    title,
                    tuple(
                        PeriodSummary(
                            key,
                            labels.get((plan_id, obligation_id, key), key),
                            start,
                            end,
                            last_day,
                            key == last,
                            Counts.of(
                                states.get((plan_id, obligation_id, key), Counter()),
                                held.get((plan_id, obligation_id, key), 0),
                            ),
                        )
                        for _, _, key, start, end, last_day in rows
                    ),
                    tuple(coming.get((plan_id, obligation_id), ())),
                )
            )
        result.append(PlanSummary(plan_id, plan_title, tuple(summaries)))
    return Overview(today, tuple(result), waiting.get(InboundStatus.QUARANTINE, 0), waiting.get(InboundStatus.HELD, 0))


def _flagged(session: Session) -> dict[str, dt.datetime]:
    return {
        address.lower(): at
        for address, at in session.exec(
            select(ContactRow.address, ContactRow.flagged_at).where(col(ContactRow.flagged_at).is_not(None))
        )
        if at is not None  # (the query's own condition, for the type)
    }


def _reminder(row: Sequence[Any], flagged: dict[str, dt.datetime]) -> Reminder:
    """A reminder from (id, deadline_id, stage, status, created_at, sent_at, last_error, recipients)."""
    outbox_id, _, stage, status, created_at, sent_at, error, recipients = row
    at = _aware(sent_at or created_at)
    bounced = tuple(lost_recipients(status, recipients, at, flagged)) if status in ("sent", "failed") else ()
    result = "bounced" if status == "sent" and bounced else status
    return Reminder(
        outbox_id,
        stage or "",
        stage_label(stage),
        at,
        result,
        label("outbox", result),
        error,
        tuple(recipients),
        bounced,
    )


REMINDER_COLUMNS = (
    col(OutboxRow.id),
    col(OutboxRow.deadline_id),
    col(OutboxRow.stage),
    col(OutboxRow.status),
    col(OutboxRow.created_at),
    col(OutboxRow.sent_at),
    col(OutboxRow.last_error),
    col(OutboxRow.recipients),
)


def _names(session: Session, rows: Sequence[tuple[int, str, str | None]]) -> dict[int, str]:
    """Each deadline's holder name from (deadline id, agency name, succeeds): "Sở Y tế (tiếp nhận từ Sở LĐTBXH)"
    for a successor, as :func:`dondoc.db.repo.holder_name` writes it."""
    before_ids = {a for _, _, succeeds in rows if succeeds for a in succeeds.split(",")}
    before = (
        {}
        if not before_ids
        else {a.id: a.short or a.name for a in session.exec(select(AgencyRow).where(col(AgencyRow.id).in_(before_ids)))}
    )
    return {
        deadline_id: name
        if not succeeds
        else f"{name} (tiếp nhận từ {', '.join(before.get(i, i) for i in succeeds.split(','))})"
        for deadline_id, name, succeeds in rows
    }


def period(
    app: App, plan_id: str, obligation_id: str, period_key: str, *, now: dt.datetime | None = None
) -> PeriodView:
    """Every agency of one period with its state, last day, reminders, latest submission and waiting mail
    (``NotFound`` when the plan has no such obligation or period). Eight statements at most."""
    today = _today(app, now)
    where = (
        col(DeadlineRow.plan_id) == plan_id,
        col(DeadlineRow.obligation_id) == obligation_id,
        col(DeadlineRow.period_key) == period_key,
    )
    ids = select(DeadlineRow.id).where(*where)
    with app.session() as session:
        found = session.exec(
            select(PlanRow.title, ObligationRow.title)
            .join(ObligationRow, col(ObligationRow.plan_id) == PlanRow.id)
            .where(PlanRow.id == plan_id, ObligationRow.id == obligation_id)
        ).first()
        if found is None:
            raise NotFound(f"no obligation '{obligation_id}' in plan '{plan_id}' (see `dondoc plans list`)")
        rows = session.execute(
            sa_select(  # columns, not rows: thousands of ORM objects cost more than the query
                col(DeadlineRow.id),
                col(DeadlineRow.agency_id),
                col(AgencyRow.name),
                col(DeadlineRow.succeeds),
                col(DeadlineRow.status),
                col(DeadlineRow.last_day),
                col(DeadlineRow.extended_to),
                col(DeadlineRow.extension_reason),
                col(DeadlineRow.status_reason),
                col(DeadlineRow.period_label),
            )
            .join(AgencyRow, col(AgencyRow.id) == DeadlineRow.agency_id)
            .where(*where)
        ).all()
        if not rows:
            raise NotFound(
                f"no period '{period_key}' of {plan_id}/{obligation_id} (see `dondoc deadlines --plan {plan_id}`)"
            )
        names = _names(session, [(r[0], r[2], r[3]) for r in rows])
        flagged = _flagged(session)
        reminders: dict[int, list[Reminder]] = {}
        for row in session.execute(
            sa_select(*REMINDER_COLUMNS)
            .where(col(OutboxRow.deadline_id).in_(ids), col(OutboxRow.kind) == "reminder")
            .order_by(col(OutboxRow.id))
        ):
            reminders.setdefault(row[1], []).append(_reminder(row, flagged))
        versions: dict[int, list[tuple[int, int, dt.datetime, str]]] = {}
        for version in session.exec(
            select(SubmissionRow.deadline_id, SubmissionRow.version, SubmissionRow.received_at, SubmissionRow.status)
            .where(col(SubmissionRow.deadline_id).in_(ids))
            .order_by(col(SubmissionRow.version))
        ):
            versions.setdefault(version[0], []).append(version)
        waiting: dict[int, list[HeldMail]] = {}
        for message in session.exec(
            select(InboundRow)
            .where(
                col(InboundRow.deadline_id).in_(ids),
                col(InboundRow.status).in_((InboundStatus.HELD, InboundStatus.QUARANTINE)),
            )
            .order_by(col(InboundRow.id))
        ):
            assert message.id is not None and message.deadline_id is not None  # loaded by the query above
            waiting.setdefault(message.deadline_id, []).append(
                HeldMail(
                    message.id,
                    message.status,
                    label("inbound", message.status),
                    _aware(message.received_at),
                    message.from_address or "",
                    message.subject or "",
                    message.reason or "",
                )
            )
        paused = dict(
            session.exec(
                select(PauseRow.agency_id, func.max(PauseRow.until))
                .where(
                    PauseRow.until >= today, col(PauseRow.agency_id).in_(select(DeadlineRow.agency_id).where(*where))
                )
                .group_by(PauseRow.agency_id)
            ).all()
        )
    agencies = []
    for deadline_id, agency_id, _, _, status, last_day, extended_to, extension_reason, status_reason, _ in rows:
        state = deadline_state(status, extended_to or last_day, today)
        mine = versions.get(deadline_id, [])
        accepted = [v for v in mine if v[3] == "accepted"]
        agencies.append(
            AgencyInPeriod(
                deadline_id,
                agency_id,
                names[deadline_id],
                state,
                state_label(state),
                last_day,
                extended_to,
                extension_reason,
                status_reason,
                paused.get(agency_id),
                tuple(reminders.get(deadline_id, ())),
                _aware(accepted[-1][2]) if accepted else None,
                accepted[-1][1] if accepted else None,
                len(mine),
                tuple(waiting.get(deadline_id, ())),
            )
        )
    agencies.sort(key=lambda a: (a.agency_name.casefold(), a.agency_id))
    held = sum(1 for a in agencies if a.state in ("overdue", "not-due") and any(m.status == "held" for m in a.held))
    plan_title, obligation_title = found
    return PeriodView(
        plan_id,
        plan_title,
        obligation_id,
        obligation_title,
        period_key,
        rows[0][9],
        today,
        Counts.of(Counter(a.state for a in agencies), held),
        tuple(agencies),
    )


def _date_header(data_dir: Path, path: str | None) -> dt.datetime | None:
    """The Date header of a stored message (its headers only are read), None when it has none readable."""
    if not path:
        return None
    try:
        with open(_inside(data_dir, path), "rb") as handle:
            headers = BytesHeaderParser(policy=default_policy).parse(handle)
        value = headers.get("Date")
        return _aware(parsedate_to_datetime(str(value))) if value else None
    except (OSError, NotFound, ValueError, TypeError, IndexError):
        return None


def deadline_history(app: App, deadline_id: int, *, now: dt.datetime | None = None) -> DeadlineHistory:
    """One deadline and its whole history on one timeline, oldest first: reminders, replies, versions (with their
    attachments), receipts and notices, and the actions taken (``NotFound`` for an unknown id)."""
    today = _today(app, now)
    with app.session() as session:
        found = session.exec(
            select(DeadlineRow, AgencyRow, PlanRow)
            .join(AgencyRow, col(AgencyRow.id) == DeadlineRow.agency_id)
            .join(PlanRow, col(PlanRow.id) == DeadlineRow.plan_id)
            .where(DeadlineRow.id == deadline_id)
        ).first()
        if found is None:
            raise NotFound(f"no deadline {deadline_id} (see `dondoc deadlines`)")
        deadline, agency, plan = found
        assert deadline.id is not None  # loaded from the database
        obligation = session.get(ObligationRow, (deadline.plan_id, deadline.obligation_id))
        name = _names(session, [(deadline.id, agency.name, deadline.succeeds)])[deadline.id]
        flagged = _flagged(session)
        events: list[Event] = []
        for row in session.execute(
            sa_select(*REMINDER_COLUMNS, col(OutboxRow.kind))
            .where(col(OutboxRow.deadline_id) == deadline_id)
            .order_by(col(OutboxRow.id))
        ):
            reminder = _reminder(row[:8], flagged)
            if row[8] == "reminder":
                events.append(ReminderEvent(reminder.at, reminder))
            else:
                events.append(
                    ReceiptEvent(
                        reminder.at,
                        reminder.outbox_id,
                        row[8],
                        label("mail", row[8]),
                        reminder.stage,
                        reminder.stage_label,
                        reminder.result,
                        reminder.result_label,
                        reminder.recipients,
                    )
                )
        requests = {
            r.inbound_id: r for r in session.exec(select(RequestRow).where(RequestRow.deadline_id == deadline_id))
        }
        for message in session.exec(
            select(InboundRow).where(InboundRow.deadline_id == deadline_id).order_by(col(InboundRow.id))
        ):
            assert message.id is not None  # loaded from the database
            request = requests.get(message.id)
            events.append(
                ReplyEvent(
                    _aware(message.received_at),
                    message.id,
                    message.from_address or "",
                    message.subject or "",
                    _date_header(app.settings.data_dir, message.path),
                    message.status,
                    label("inbound", message.status),
                    message.reason or "",
                    message.match_method,
                    request.kind if request else None,
                    request.status if request else None,
                )
            )
        submissions = list(
            session.execute(
                sa_select(
                    col(SubmissionRow.id),
                    col(SubmissionRow.inbound_id),
                    col(SubmissionRow.version),
                    col(SubmissionRow.received_at),
                    col(SubmissionRow.on_time),
                    col(SubmissionRow.status),
                    col(SubmissionRow.returned_reason),
                    col(SubmissionRow.from_address),
                )
                .where(col(SubmissionRow.deadline_id) == deadline_id)
                .order_by(col(SubmissionRow.version))
            )
        )
        files: dict[int, list[AttachmentInfo]] = {}
        if submissions:
            for attachment in session.exec(
                select(AttachmentRow)
                .where(col(AttachmentRow.submission_id).in_([s[0] for s in submissions]))
                .order_by(col(AttachmentRow.id))
            ):
                assert attachment.id is not None  # loaded from the database
                files.setdefault(attachment.submission_id, []).append(
                    AttachmentInfo(
                        attachment.id,
                        attachment.filename,
                        attachment.content_type,
                        attachment.size,
                        attachment.path is not None,
                        attachment.refused,
                    )
                )
        for sid, inbound_id, version, received, on_time, status, returned, sender in submissions:
            events.append(
                SubmissionEvent(
                    _aware(received),
                    sid,
                    inbound_id,
                    version,
                    on_time,
                    status,
                    label("submission", status),
                    returned,
                    sender,
                    tuple(files.get(sid, ())),
                )
            )
        # its own actions, and those on its agency as a whole (a pause of reminders)
        events += [
            _action(row)
            for row in session.exec(
                select(AuditEventRow)
                .where(
                    (col(AuditEventRow.deadline_id) == deadline_id)
                    | ((col(AuditEventRow.agency_id) == deadline.agency_id) & col(AuditEventRow.deadline_id).is_(None))
                )
                .order_by(col(AuditEventRow.id))
            )
        ]
    order = {"reply": 0, "submission": 1, "action": 2, "receipt": 3, "reminder": 4}
    events.sort(key=lambda e: (e.at, order[e.kind]))
    state = deadline_state(deadline.status, deadline.extended_to or deadline.last_day, today)
    return DeadlineHistory(
        deadline.id,
        plan.id,
        plan.title,
        deadline.obligation_id,
        obligation.title if obligation else deadline.obligation_id,
        agency.id,
        name,
        deadline.period_key,
        deadline.period_label,
        deadline.last_day,
        deadline.extended_to,
        deadline.extension_reason,
        deadline.status,
        deadline.status_reason,
        state,
        state_label(state),
        tuple(events),
    )


def _action(row: AuditEventRow) -> ActionEvent:
    assert row.id is not None  # loaded from the database
    return ActionEvent(
        _aware(row.at),
        row.id,
        row.actor,
        row.action,
        label("action", row.action),
        row.reason,
        dict(row.details),
        row.deadline_id,
        row.agency_id,
        row.report_id,
        row.message_id,
    )


def audit_log(
    app: App,
    *,
    actor: str | None = None,
    agency_id: str | None = None,
    deadline_id: int | None = None,
    report_id: int | None = None,
    limit: int = 200,
) -> tuple[ActionEvent, ...]:
    """The actions taken, newest first (optionally of one actor, agency, deadline or report), at most ``limit``."""
    query = select(AuditEventRow)
    for column, value in (
        (AuditEventRow.actor, actor),
        (AuditEventRow.agency_id, agency_id),
        (AuditEventRow.deadline_id, deadline_id),
        (AuditEventRow.report_id, report_id),
    ):
        if value is not None:
            query = query.where(column == value)
    with app.session() as session:
        return tuple(_action(row) for row in session.exec(query.order_by(col(AuditEventRow.id).desc()).limit(limit)))


# What the pages open: a rendered mail we sent, a message we took in (as text), a stored file.

SAFE_TYPES = frozenset(
    {  # served with their own type; anything else as application/octet-stream
        "application/pdf",
        "application/msword",
        "application/vnd.ms-excel",
        "application/zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
        "text/csv",
        "image/png",
        "image/jpeg",
    }
)


@dataclass(frozen=True)
class SentMail:
    """A mail dondoc queued (a reminder, a receipt, a notice, a report): its exact bytes and its text part."""

    outbox_id: int
    kind: str
    deadline_id: int | None
    stage: str | None
    subject: str
    recipients: tuple[str, ...]
    status: str
    status_label: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    text: str  # the plain-text part, as the agency read it
    raw: bytes


@dataclass(frozen=True)
class ReceivedMail:
    """A message taken in, as text only (never its HTML), with the names of its attachments."""

    inbound_id: int
    status: str
    status_label: str
    reason: str
    deadline_id: int | None
    match_method: str | None
    received_at: dt.datetime
    sender: str
    sender_name: str
    subject: str
    date: dt.datetime | None
    text: str  # decoded, NFC, control characters removed (dondoc.mail.parse); "" when unreadable
    attachments: tuple[str, ...]
    unreadable: str | None  # why the stored message could not be read, if it could not


@dataclass(frozen=True)
class StoredFile:
    """An attachment's file on disk, for a download: ``path`` is inside the data dir and has the stored size."""

    attachment_id: int
    submission_id: int
    filename: str
    content_type: str  # as the sender declared it
    size: int
    path: Path

    @property
    def safe_content_type(self) -> str:
        """The type to serve it with: the declared one when it is a document type, else a download of bytes."""
        return self.content_type if self.content_type.lower() in SAFE_TYPES else "application/octet-stream"


def sent_mail(app: App, outbox_id: int) -> SentMail:
    """One mail of the outbox with its bytes and text (``NotFound`` for an unknown id)."""
    import email
    import email.policy

    with app.session() as session:
        row = session.get(OutboxRow, outbox_id)
    if row is None:
        raise NotFound(f"no mail {outbox_id} in the outbox (see `dondoc outbox`)")
    message = email.message_from_bytes(row.raw, policy=email.policy.default)
    body = message.get_body(("plain",))
    return SentMail(
        outbox_id,
        row.kind,
        row.deadline_id,
        row.stage,
        row.subject,
        tuple(row.recipients),
        row.status,
        label("outbox", row.status),
        _aware(row.created_at),
        _aware(row.sent_at) if row.sent_at else None,
        body.get_content() if body is not None else "",
        row.raw,
    )


def received_mail(app: App, inbound_id: int) -> ReceivedMail:
    """One inbound message as text (``NotFound`` for an unknown id); an unreadable one says why, with no text."""
    from dondoc.mail.parse import Unparseable, parse_message

    with app.session() as session:
        row = session.get(InboundRow, inbound_id)
    if row is None:
        raise NotFound(f"no inbound message {inbound_id} (see `dondoc inbox`)")
    try:
        mail = parse_message(_inside(app.settings.data_dir, row.path).read_bytes())
        text, name, date, files, why = (
            mail.text,
            mail.from_name,
            mail.date,
            tuple(a.filename for a in mail.attachments),
            None,
        )
    except (OSError, NotFound, Unparseable) as error:
        text, name, date, files, why = "", "", None, (), str(error)[:200]
    return ReceivedMail(
        inbound_id,
        row.status,
        label("inbound", row.status),
        row.reason or "",
        row.deadline_id,
        row.match_method,
        _aware(row.received_at),
        row.from_address or "",
        name,
        row.subject or "",
        date,
        text,
        files,
        why,
    )


def attachment_file(app: App, attachment_id: int) -> StoredFile:
    """The stored file of an attachment (``NotFound`` for an unknown id, a refused file, a file gone or changed)."""
    with app.session() as session:
        row = session.get(AttachmentRow, attachment_id)
    if row is None or row.path is None:
        raise NotFound(f"no stored attachment {attachment_id}")
    path = _inside(app.settings.data_dir, row.path)
    try:
        if path.stat().st_size != row.size:
            raise NotFound(f"attachment {attachment_id}: the stored file changed size (run `dondoc doctor`)")
    except OSError:
        raise NotFound(f"attachment {attachment_id}: the stored file is missing (run `dondoc doctor`)") from None
    return StoredFile(attachment_id, row.submission_id, row.filename, row.content_type, row.size, path)


def _inside(data_dir: Path, relative: str) -> Path:
    """``data_dir / relative``, refused (``NotFound``) unless it stays inside the data dir."""
    root = data_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise NotFound("a stored path outside the data dir is refused")
    return path

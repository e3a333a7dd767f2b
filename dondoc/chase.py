"""Chasing: from the deadlines of today to mail at the server, exactly once per stage.

1. **plan** — the policy says which reminders are due at ``now``
   (:func:`dondoc.policy.due_reminders`), minus stages already queued;
2. **queue** — each is rendered (templates, form, invite) and written to the
   outbox with a unique key and a deterministic Message-ID; a template error
   stops the run here, before anything is sent;
3. **deliver** — rows are claimed and sent over the transport; each answer is
   committed as it comes, so a crash leaves at most the in-flight messages in
   ``sending``; the next run sends those again with the same Message-ID.

"Exactly once" at the SMTP boundary means: every queued reminder is accepted
by the relay at least once, and a copy sent twice (only possible when the
process dies between the server's ``250`` and our commit) carries the same
Message-ID, which the receiving side deduplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import jinja2
from sqlmodel import Session, select

from db.outbox import claim, enqueue, mark, recover_interrupted, sent_stages
from db.tables import AgencyRow, ContactRow, DeadlineRow, DeadlineStatus, OutboxRow, PauseRow
from dondoc.calendar import WorkCalendar
from dondoc.documents.form import FormRow, write_form
from dondoc.documents.ics import deadline_invite
from dondoc.errors import MailError
from dondoc.mail.compose import Attachment, build_message, message_id_for, parse_address
from dondoc.mail.context import ReminderFacts, agency_targets, reminder_context
from dondoc.mail.render import render
from dondoc.mail.tokens import make_token
from dondoc.mail.transport import Delivery, Envelope, Transport
from dondoc.model import Catalog, Role
from dondoc.policy import DeadlineState, PolicyFile, Reminder, due_reminders

__all__ = ["ChaseFilter", "ChaseReport", "MailSetup", "deliver", "plan_reminders", "queue_reminders", "run_chase"]

LEASE = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class ChaseFilter:
    """Restrict a run to a plan, obligation, period or agency (all optional)."""

    plan: str | None = None
    obligation: str | None = None
    period: str | None = None
    agency: str | None = None
    deadline: int | None = None


@dataclass(frozen=True)
class MailSetup:
    """What composing needs, built from Settings by the caller."""

    env: jinja2.Environment
    sender: str
    sender_name: str
    domain: str
    reply_local: str
    hmac_key: bytes
    timezone: str = "Asia/Ho_Chi_Minh"


@dataclass
class ChaseReport:
    """What a chase run did, per reminder."""

    planned: list[dict] = field(default_factory=list)
    queued: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    recovered: int = 0
    skipped: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"planned": len(self.planned), "queued": self.queued, "sent": self.sent, "failed": self.failed,
                "retrying": self.retrying, "recovered": self.recovered, "skipped": len(self.skipped)}


def _local(now: dt.datetime, timezone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def effective_last_day(row: DeadlineRow) -> dt.date:
    """The last day, an extension included."""
    return row.extended_to or row.last_day


def plan_reminders(
    session: Session, catalog: Catalog, policy: PolicyFile, calendar: WorkCalendar, now: dt.datetime,
    timezone: str, only: ChaseFilter = ChaseFilter(), force_stage: str | None = None,
) -> list[tuple[DeadlineRow, Reminder]]:
    """The reminders due at ``now`` for open deadlines matching ``only``, not queued before."""
    local = _local(now, timezone)
    query = select(DeadlineRow).where(DeadlineRow.status == DeadlineStatus.OPEN,
                                      DeadlineRow.plan_id.in_(list(catalog.plans)))
    for column, value in ((DeadlineRow.plan_id, only.plan), (DeadlineRow.obligation_id, only.obligation),
                          (DeadlineRow.period_key, only.period), (DeadlineRow.agency_id, only.agency),
                          (DeadlineRow.id, only.deadline)):
        if value is not None:
            query = query.where(column == value)
    rows = {row.id: row for row in session.exec(query)}
    if not rows:
        return []
    stages = sent_stages(session, list(rows))
    pauses: dict[str, dt.date] = {}
    for pause in session.exec(select(PauseRow).where(PauseRow.until >= local.date())):
        pauses[pause.agency_id] = max(pauses.get(pause.agency_id, pause.until), pause.until)
    if force_stage is not None:
        return [
            (row, Reminder(row.id, force_stage, local.date(), 0, False))
            for row in rows.values() if force_stage not in stages.get(row.id, set())
        ]
    states = [
        DeadlineState(id=row.id, plan_id=row.plan_id, obligation_id=row.obligation_id,
                      last_day=effective_last_day(row), open=True,
                      sent_stages=frozenset(stages.get(row.id, ())), paused_until=pauses.get(row.agency_id))
        for row in rows.values()
    ]
    due = due_reminders(states, policy.for_obligation, local, calendar)
    return [(rows[reminder.deadline_id], reminder) for reminder in due]


def _recipients(session: Session, catalog: Catalog, row: DeadlineRow, reminder: Reminder) -> tuple[list, list]:
    flagged = {c.address for c in session.exec(
        select(ContactRow).where(ContactRow.flagged_at.is_not(None)))}
    agency = catalog.directory.agencies[row.agency_id]
    coordinator = catalog.directory.agencies[catalog.plans[row.plan_id].coordinator]

    def usable(addresses: list[str]) -> list[str]:
        good = []
        for address in addresses:
            try:
                parse_address(address)
            except MailError:
                continue
            if address not in flagged:
                good.append(address)
        return good

    to = [(agency.name, a) for a in usable(agency.addresses(Role.REPORTER))]
    cc = []
    if reminder.escalate:
        cc += [(f"Thủ trưởng {agency.short or agency.name}", a) for a in usable(agency.addresses(Role.HEAD))]
        cc += [(coordinator.name, a) for a in usable(coordinator.addresses(Role.LEADER))]
    return to, cc


def compose_reminder(
    setup: MailSetup, session: Session, catalog: Catalog, calendar: WorkCalendar, row: DeadlineRow,
    reminder: Reminder, now: dt.datetime,
) -> dict:
    """The outbox row (values) of one reminder: rendered message and envelope. ``MailError`` if unsendable."""
    plan = catalog.plans[row.plan_id]
    obligation = plan.obligation(row.obligation_id)
    agency = catalog.directory.agencies[row.agency_id]
    to, cc = _recipients(session, catalog, row, reminder)
    if not to:
        raise MailError(f"{agency.id}: no valid reporter address (all missing, malformed or flagged)")
    token = make_token(row.id, setup.hmac_key)
    reply_to = f"{setup.reply_local}+{token}@{setup.domain}"
    last_day = effective_last_day(row)
    targets = agency_targets(plan, agency.id, catalog.directory)
    attachments = []
    form_rows = tuple(FormRow(t.id, t.text, str(t.unit),
                              f"{t.goal.op} {t.goal.value:g}" if t.goal else "", role) for t, role in targets)
    attachments.append(Attachment(
        f"bieu-mau-DD-{row.id}.xlsx",
        write_form(deadline_id=row.id, token=token, plan_title=plan.title, obligation_title=obligation.title,
                   agency_name=agency.name, period_label=row.period_label, last_day=last_day, rows=form_rows),
        "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    summary = f"Hạn cuối: {obligation.title} {row.period_label} [DD-{row.id}]"
    attachments.append(Attachment(
        f"han-DD-{row.id}.ics",
        deadline_invite(uid=f"dd-{row.id}-{last_day:%Y%m%d}@{setup.domain}", summary=summary,
                        description=obligation.quote, last_day=last_day,
                        stamp=dt.datetime.combine(last_day, dt.time(), dt.UTC)),
        "text", "calendar"))
    facts = ReminderFacts(
        deadline_id=row.id, plan=plan, obligation=obligation, agency=agency, directory=catalog.directory,
        period_label=row.period_label, written_date=row.written_date, last_day=last_day, stage=reminder.stage,
        overdue=reminder.overdue, escalate=reminder.escalate, today=_local(now, setup.timezone).date(),
        extended_to=row.extended_to, extension_reason=row.extension_reason, reply_to=reply_to,
        attachments=[a.filename for a in attachments])
    context = reminder_context(facts, calendar)
    lang = agency.language
    key = f"reminder:{row.id}:{reminder.stage}"
    message_id = message_id_for(key, setup.domain)
    message = build_message(
        subject=render(setup.env, f"mail/{lang}/reminder.subject.j2", context).strip(),
        text=render(setup.env, f"mail/{lang}/reminder.txt.j2", context),
        html=render(setup.env, f"mail/{lang}/reminder.html.j2", context),
        sender=(setup.sender_name, setup.sender), to=to, cc=cc, reply_to=reply_to, message_id=message_id,
        date=now, attachments=attachments, language=lang)
    return dict(key=key, kind="reminder", deadline_id=row.id, stage=reminder.stage, message_id=message_id,
                sender=setup.sender, recipients=[a for _, a in to + cc], subject=str(message["Subject"]),
                raw=message.as_bytes(), status="pending", attempts=0, created_at=now)


def queue_reminders(
    setup: MailSetup, session: Session, catalog: Catalog, calendar: WorkCalendar,
    planned: list[tuple[DeadlineRow, Reminder]], now: dt.datetime, report: ChaseReport,
) -> list[dict]:
    """Render every planned reminder, then queue them all. Renders everything before queueing anything."""
    rows = []
    for deadline, reminder in planned:
        entry = {"deadline": deadline.id, "agency": deadline.agency_id, "plan": deadline.plan_id,
                 "obligation": deadline.obligation_id, "period": deadline.period_key, "stage": reminder.stage,
                 "escalate": reminder.escalate}
        try:
            rows.append(compose_reminder(setup, session, catalog, calendar, deadline, reminder, now))
        except MailError as error:
            report.skipped.append({**entry, "reason": str(error)})
            continue
        report.planned.append({**entry, "subject": rows[-1]["subject"], "to": rows[-1]["recipients"]})
    return rows


def _flag_refused(session: Session, refused: dict[str, str], now: dt.datetime) -> None:
    for address, reason in refused.items():
        if not reason.startswith("5"):
            continue
        for contact in session.exec(select(ContactRow).where(ContactRow.address == address.lower())):
            contact.flagged_at, contact.flag_reason = now, reason
    session.commit()


async def deliver(session: Session, transport: Transport, worker: str, now: dt.datetime, limit: int,
                  report: ChaseReport, batch: int = 200) -> None:
    """Claim and send pending outbox rows (up to ``limit``), recording each answer as it comes."""
    report.recovered += recover_interrupted(session, now, LEASE)
    remaining = limit
    while remaining > 0:
        rows = claim(session, worker, now, min(batch, remaining))
        if not rows:
            return
        remaining -= len(rows)
        envelopes = [Envelope(r.id, r.sender, list(r.recipients), r.raw, r.message_id) for r in rows]

        def record(result: Delivery) -> None:
            status = mark(session, result.outbox_id, ok=result.ok, permanent=result.permanent,
                          error=result.error or ("; ".join(result.refused.values()) or None), now=now)
            if result.refused:
                _flag_refused(session, result.refused, now)
            if status == "sent":
                report.sent += 1
            elif status == "failed":
                report.failed += 1
            else:
                report.retrying += 1

        await transport.deliver(envelopes, record)


def run_chase(
    *, session: Session, catalog: Catalog, policy: PolicyFile, calendar: WorkCalendar, setup: MailSetup,
    transport: Transport | None, now: dt.datetime, only: ChaseFilter = ChaseFilter(), dry_run: bool = False,
    force_stage: str | None = None, limit: int = 2000, worker: str = "",
) -> ChaseReport:
    """One chase run: plan, queue, deliver. ``dry_run`` renders and lists without queueing or sending."""
    report = ChaseReport()
    planned = plan_reminders(session, catalog, policy, calendar, now, setup.timezone, only, force_stage)
    rows = queue_reminders(setup, session, catalog, calendar, planned, now, report)
    if dry_run:
        return report
    report.queued = enqueue(session, rows)
    if transport is not None:
        asyncio.run(deliver(session, transport, worker, now, limit, report))
    return report


def outbox_rows(session: Session, status: str | None = None) -> list[tuple[OutboxRow, AgencyRow | None]]:
    """The outbox with each row's agency, newest first."""
    query = (select(OutboxRow, AgencyRow)
             .join(DeadlineRow, DeadlineRow.id == OutboxRow.deadline_id, isouter=True)
             .join(AgencyRow, AgencyRow.id == DeadlineRow.agency_id, isouter=True)
             .order_by(OutboxRow.id.desc()))
    if status is not None:
        query = query.where(OutboxRow.status == status)
    return list(session.exec(query))

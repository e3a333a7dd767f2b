"""Chasing: from the deadlines of today to mail at the server, exactly once per stage.

1. **plan** — the policy says which reminders are due at ``now``
   (:func:`dondoc.policy.due_reminders`), minus stages already queued;
2. **queue** — each is rendered (templates, form, invite) and written to the
   outbox with a unique key and a deterministic Message-ID; a template error
   stops the run here, before anything is sent;
3. **deliver** (:func:`dondoc.delivery.deliver`) — rows are claimed and sent
   over the transport; the answers are committed in small batches, so a crash
   leaves at most a batch and the in-flight messages in ``sending``
   (docs/chasing.md); the next run sends those again with the same Message-ID.

"Exactly once" at the SMTP boundary means: every queued reminder is accepted
by the relay at least once, and a copy sent twice (only possible when the
process dies between the server's ``250`` and our commit) carries the same
Message-ID, which the receiving side deduplicates.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import email
import email.policy
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dondoc.chase_report import ChaseFilter, ChaseReport, PlannedReminder
from dondoc.db.ids import row_id
from dondoc.delivery import deliver
from dondoc.errors import Fault, MailError
from dondoc.mail.compose import header_text, message_id_for, message_raw, parse_address
from dondoc.mail.context import ReminderFacts, agency_targets, reminder_context
from dondoc.mail.tokens import make_token
from dondoc.model import Catalog, Role
from dondoc.policy import (
    DeadlineState,
    PolicyFile,
    Reminder,
    Unchased,
    due_reminders,
    next_chase_moment,
    next_due,
    unchased_reason,
)
from dondoc.processes import signal_on_parent_death
from dondoc.succession import exists, life
from dondoc.vocabulary import goal_text, report_title
from dondoc.workdays import WorkCalendar

# SQLAlchemy and the tables, Jinja and aiosmtplib are imported by the functions that use them: a chase with nothing
# to do (docs/chasing.md, "Nothing to do") decides so without loading them, in a fraction of their import time.
if TYPE_CHECKING:
    import jinja2
    from sqlmodel import Session

    from dondoc.db.outbox import Claimed, QueuedMessage
    from dondoc.db.tables import AgencyRow, DeadlineRow, OutboxRow
    from dondoc.mail.compose import Attachment
    from dondoc.mail.render import SharedRender
    from dondoc.mail.transport import Transport

    # what composing a chunk gives: (outbox rows, planned entries, skipped entries)
    Composed = tuple[list[QueuedMessage], list["PlannedReminder"], list[dict]]

__all__ = [
    "ChaseFilter",
    "ChasePreview",
    "ChaseReport",
    "MailSetup",
    "PlannedReminder",
    "die_with_parent",
    "plan_reminders",
    "preview_chase",
    "queue_reminders",
    "run_chase",
    "stage_samples",
    "unchased_deadlines",
]

log = logging.getLogger("dondoc.chase")

# what differs between the reminders of one group: printed, and not expected in the mail (see SharedRender)
_PER_MAIL = (("tag", "agency_name"), ("deadline_id", "reply_to", "attachments"))
CHUNK = 250  # reminders composed per worker task
EVERY_DEADLINE = ChaseFilter()  # no restriction
PIPELINE_MIN = 2 * CHUNK  # fewer reminders than this: compose in-process, worker start-up is not worth it


@dataclass(frozen=True)
class MailSetup:
    """What composing needs, built from Settings by the caller."""

    env: jinja2.Environment | None
    sender: str
    sender_name: str
    domain: str
    reply_local: str
    hmac_key: bytes
    timezone: str = "Asia/Ho_Chi_Minh"
    attach_files: bool = True  # the .xlsx form and the .ics invite
    trusted_authserv_id: str | None = None  # whose Authentication-Results authenticate a sender (intake)

    def templates(self) -> jinja2.Environment:
        """The templates, which a setup that renders has (only the copy sent to worker processes leaves them out)."""
        if self.env is None:
            raise AssertionError("this MailSetup has no templates: it cannot render a mail")
        return self.env


def _local(now: dt.datetime, timezone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def effective_last_day(row: DeadlineRow | DeadlineView) -> dt.date:
    """The last day, an extension included."""
    return row.extended_to or row.last_day


def plan_reminders(
    session: Session,
    catalog: Catalog,
    policy: PolicyFile,
    calendar: WorkCalendar,
    now: dt.datetime,
    timezone: str,
    only: ChaseFilter = EVERY_DEADLINE,
    force_stage: str | None = None,
) -> list[tuple[DeadlineView, Reminder]]:
    """The reminders due at ``now`` for open deadlines matching ``only``, not queued before."""
    return _planned(session, catalog, policy, calendar, _local(now, timezone), only, force_stage)[0]


def _planned(
    session: Session,
    catalog: Catalog,
    policy: PolicyFile,
    calendar: WorkCalendar,
    local: dt.datetime,
    only: ChaseFilter,
    force_stage: str | None,
) -> tuple[list[tuple[DeadlineView, Reminder]], list[DeadlineState]]:
    """The reminders due at ``local``, and the state of every deadline matching ``only`` that may be chased at
    ``local`` or later (what :func:`dondoc.policy.next_due` reads): a deadline of an agency that does not exist
    yet counts as paused until the eve of its first day."""
    from sqlmodel import col, select

    from dondoc.db.outbox import sent_stages
    from dondoc.db.tables import DeadlineRow, DeadlineStatus, PauseRow

    query = select(*(col(getattr(DeadlineRow, name)) for name in _VIEW_COLUMNS)).where(
        col(DeadlineRow.status) == DeadlineStatus.OPEN, col(DeadlineRow.plan_id).in_(list(catalog.plans))
    )
    if only.plan is not None:
        query = query.where(col(DeadlineRow.plan_id) == only.plan)
    if only.obligation is not None:
        query = query.where(col(DeadlineRow.obligation_id) == only.obligation)
    if only.period is not None:
        query = query.where(col(DeadlineRow.period_key) == only.period)
    if only.agency is not None:
        query = query.where(col(DeadlineRow.agency_id) == only.agency)
    if only.deadline is not None:
        query = query.where(col(DeadlineRow.id) == only.deadline)
    directory = catalog.directory
    # a dissolved agency is never reminded (its open deadlines are sync's to excuse or hand over); one that does
    # not exist yet is, from its first day
    rows: dict[int, DeadlineView] = {}
    dormant: dict[int, tuple[DeadlineView, dt.date]] = {}  # with the eve of its agency's first day
    for row in (DeadlineView(*values) for values in session.execute(query)):
        if row.agency_id not in directory.agencies or exists(directory, row.agency_id, local.date()):
            rows[row.id] = row
        elif (first := life(directory, row.agency_id).valid_from) is not None and first > local.date():
            dormant[row.id] = (row, first - dt.timedelta(days=1))
    if not rows and not dormant:
        return [], []
    stages = sent_stages(session, [*rows, *dormant])
    pauses: dict[str, dt.date] = {}
    for pause in session.exec(select(PauseRow).where(PauseRow.until >= local.date())):
        pauses[pause.agency_id] = max(pauses.get(pause.agency_id, pause.until), pause.until)
    if force_stage is not None:
        return [
            (row, Reminder(row_id, force_stage, local.date(), 0, False))
            for row_id, row in rows.items()
            if force_stage not in stages.get(row_id, set())
        ], []

    def state(row: DeadlineView, paused_until: dt.date | None) -> DeadlineState:
        return DeadlineState(
            id=row.id,
            plan_id=row.plan_id,
            obligation_id=row.obligation_id,
            last_day=effective_last_day(row),
            open=True,
            sent_stages=frozenset(stages.get(row.id, ())),
            paused_until=paused_until,
            chase_from=catalog.plans[row.plan_id].chase_from,
        )

    states = [state(row, pauses.get(row.agency_id)) for row in rows.values()]
    due = due_reminders(states, policy.for_obligation, local, calendar)
    later = [state(row, max(eve, pauses.get(row.agency_id, eve))) for row, eve in dormant.values()]
    return [(rows[reminder.deadline_id], reminder) for reminder in due], states + later


def unchased_deadlines(
    session: Session, catalog: Catalog, policy: PolicyFile, today: dt.date
) -> list[tuple[DeadlineRow, Unchased]]:
    """Open deadlines past their last day that the schedule does not chase (long overdue, or before ``chase_from``)."""
    from sqlmodel import col, func, select

    from dondoc.db.tables import DeadlineRow, DeadlineStatus

    query = select(DeadlineRow).where(
        col(DeadlineRow.status) == DeadlineStatus.OPEN,
        col(DeadlineRow.plan_id).in_(list(catalog.plans)),
        func.coalesce(DeadlineRow.extended_to, DeadlineRow.last_day) < today,
    )
    found = []
    for row in session.exec(
        query.order_by(
            col(DeadlineRow.plan_id),
            col(DeadlineRow.obligation_id),
            col(DeadlineRow.period_start),
            col(DeadlineRow.agency_id),
        )
    ):
        reason = unchased_reason(
            effective_last_day(row),
            today,
            policy.for_obligation(row.plan_id, row.obligation_id),
            catalog.plans[row.plan_id].chase_from,
        )
        if reason is not None:
            found.append((row, reason))
    return found


@dataclass
class ChasePreview:
    """What the next chase would send, and what it leaves alone: ``dondoc sync`` says it before it happens."""

    at: dt.datetime  # local time of the next chase
    reminders: list[dict]  # per (plan, obligation, period): {"plan", "obligation", "period", "label", "count"}
    unchased: list[dict]  # the same, with "reason": long overdue or before chase_from

    @property
    def total(self) -> int:
        return sum(item["count"] for item in self.reminders)

    @property
    def total_unchased(self) -> int:
        return sum(item["count"] for item in self.unchased)

    def as_dict(self) -> dict:
        return {
            "at": self.at.isoformat(),
            "reminders": self.total,
            "by_period": self.reminders,
            "unchased": self.total_unchased,
            "unchased_by_period": self.unchased,
        }


def _by_period(rows: Sequence[tuple[DeadlineRow | DeadlineView, str | None]]) -> list[dict]:
    """Deadlines counted per (plan, obligation, period[, reason]), in period order, with the earliest last day."""
    groups: dict[tuple, dict] = {}
    for row, reason in rows:
        key = (row.plan_id, row.obligation_id, row.period_start, row.period_key, str(reason or ""))
        item = groups.setdefault(
            key,
            dict(
                plan=row.plan_id,
                obligation=row.obligation_id,
                period=row.period_key,
                label=row.period_label,
                last_day=effective_last_day(row),
                count=0,
                **({"reason": str(reason)} if reason is not None else {}),
            ),
        )
        item["count"] += 1
        item["last_day"] = min(item["last_day"], effective_last_day(row))
    return [groups[key] for key in sorted(groups)]


def preview_chase(
    session: Session, catalog: Catalog, policy: PolicyFile, calendar: WorkCalendar, now: dt.datetime, timezone: str
) -> ChasePreview:
    """The reminders that a chase at the next moment mail can go out (now, in office hours) would send, by period,
    and the overdue deadlines it would leave alone. Nothing is rendered or written."""
    local = next_chase_moment(_local(now, timezone), calendar, policy.default)
    moment = local.replace(tzinfo=ZoneInfo(timezone))
    planned = plan_reminders(session, catalog, policy, calendar, moment, timezone)
    return ChasePreview(
        local,
        _by_period([(row, None) for row, _ in planned]),
        _by_period(unchased_deadlines(session, catalog, policy, local.date())),
    )


def flagged_addresses(session: Session) -> set[str]:
    """Addresses flagged by a bounce or a permanent refusal: no mail goes to them."""
    from sqlmodel import col, select

    from dondoc.db.tables import ContactRow

    return set(session.exec(select(ContactRow.address).where(col(ContactRow.flagged_at).is_not(None))))


def _recipients(flagged: set[str], catalog: Catalog, row: DeadlineView, reminder: Reminder) -> tuple[list, list]:
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
        cc += [
            (f"Lãnh đạo {coordinator.short or coordinator.name}", a) for a in usable(coordinator.addresses(Role.LEADER))
        ]
    return to, cc


def _files(
    setup: MailSetup, plan, obligation, agency, row: DeadlineView, token: str, last_day: dt.date, targets
) -> list[Attachment]:
    """The reporting form and the calendar invite of a deadline."""
    from dondoc.documents.form import FormRow, write_form  # openpyxl and icalendar: only when forms are attached
    from dondoc.documents.ics import deadline_invite
    from dondoc.mail.compose import Attachment

    form_rows = tuple(
        FormRow(t.id, t.text, str(t.unit), goal_text(t.goal.op, t.goal.value, str(t.unit)) if t.goal else "", role)
        for t, role in targets
    )
    form = write_form(
        deadline_id=row.id,
        token=token,
        plan_title=plan.title,
        obligation_title=obligation.title,
        agency_name=agency.name,
        period_label=row.period_label,
        last_day=last_day,
        rows=form_rows,
    )
    summary = f"Hạn cuối: {report_title(obligation.title, row.period_label)} [DD-{row.id}]"
    invite = deadline_invite(
        uid=f"dd-{row.id}-{last_day:%Y%m%d}@{setup.domain}",
        summary=summary,
        description=obligation.quote,
        last_day=last_day,
        stamp=dt.datetime.combine(last_day, dt.time(), dt.UTC),
    )
    return [
        Attachment(
            f"bieu-mau-DD-{row.id}.xlsx", form, "application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        Attachment(f"han-DD-{row.id}.ics", invite, "text", "calendar"),
    ]


def compose_reminder(
    setup: MailSetup,
    flagged: set[str],
    catalog: Catalog,
    calendar: WorkCalendar,
    row: DeadlineView,
    reminder: Reminder,
    now: dt.datetime,
    texts: SharedRender | None = None,
) -> QueuedMessage:
    """The outbox row (values) of one reminder: rendered message and envelope. ``MailError`` if unsendable.

    ``texts`` renders the templates once per group of reminders that share all but the agency's name and the
    deadline's tag (a chunk of a chase passes one); without it each is rendered in full.
    """
    from dondoc.db.outbox import QueuedMessage
    from dondoc.mail.render import render

    plan = catalog.plans[row.plan_id]
    obligation = plan.obligation(row.obligation_id)
    agency = catalog.directory.agencies[row.agency_id]
    to, cc = _recipients(flagged, catalog, row, reminder)
    if not to:
        raise MailError(f"{agency.id}: no valid reporter address (all missing, malformed or flagged)")
    token = make_token(row.id, setup.hmac_key)
    reply_to = f"{setup.reply_local}+{token}@{setup.domain}"
    last_day = effective_last_day(row)
    attachments = []
    if setup.attach_files:  # (the targets only for the form)
        targets = agency_targets(plan, agency.id, catalog.directory)
        attachments = _files(setup, plan, obligation, agency, row, token, last_day, targets)
    facts = ReminderFacts(
        deadline_id=row.id,
        plan=plan,
        obligation=obligation,
        agency=agency,
        directory=catalog.directory,
        period_label=row.period_label,
        written_date=row.written_date,
        last_day=last_day,
        stage=reminder.stage,
        overdue=reminder.overdue,
        escalate=reminder.escalate,
        today=_local(now, setup.timezone).date(),
        extended_to=row.extended_to,
        extension_reason=row.extension_reason,
        reply_to=reply_to,
        attachments=[a.filename for a in attachments],
        copied=tuple(dict.fromkeys(name for name, _ in cc)),
    )
    context = reminder_context(facts, calendar)
    lang = agency.language
    key = f"reminder:{row.id}:{reminder.stage}"
    message_id = message_id_for(key, setup.domain, setup.hmac_key)
    names = tuple(f"mail/{lang}/reminder.{part}.j2" for part in ("subject", "txt", "html"))
    subject, text, html = (
        texts.render(names, context, *_PER_MAIL)
        if texts is not None
        else [render(setup.templates(), name, context) for name in names]
    )
    subject = header_text(subject.strip())
    raw = message_raw(
        subject=subject,
        text=text,
        html=html,
        sender=(setup.sender_name, setup.sender),
        to=to,
        cc=cc,
        reply_to=reply_to,
        message_id=message_id,
        date=now,
        attachments=attachments,
        language=lang,
    )
    return QueuedMessage(
        key=key,
        kind="reminder",
        deadline_id=row.id,
        stage=reminder.stage,
        message_id=message_id,
        sender=setup.sender,
        recipients=[a for _, a in to + cc],
        subject=subject,
        raw=raw,
        created_at=now,
    )


@dataclass(frozen=True)
class DeadlineView:
    """The fields of a deadline that composing needs: light, picklable (for worker processes)."""

    id: int
    plan_id: str
    obligation_id: str
    agency_id: str
    period_key: str
    period_label: str
    written_date: dt.date
    last_day: dt.date
    extended_to: dt.date | None
    extension_reason: str | None
    period_start: dt.date | None = None  # (the preview's order of periods)

    @classmethod
    def of(cls, row: DeadlineRow | DeadlineView) -> DeadlineView:
        if isinstance(row, DeadlineView):
            return row
        return cls(
            row_id(row),
            row.plan_id,
            row.obligation_id,
            row.agency_id,
            row.period_key,
            row.period_label,
            row.written_date,
            row.last_day,
            row.extended_to,
            row.extension_reason,
            row.period_start,
        )


# the columns of a deadline that planning reads (not its ORM row: at 20,000 open deadlines the ORM's rows and the
# status enum of each cost more than the rest of planning)
_VIEW_COLUMNS = (
    "id",
    "plan_id",
    "obligation_id",
    "agency_id",
    "period_key",
    "period_label",
    "written_date",
    "last_day",
    "extended_to",
    "extension_reason",
    "period_start",
)


def _compose_chunk(
    setup: MailSetup,
    flagged: set[str],
    catalog: Catalog,
    calendar: WorkCalendar,
    items: list[tuple[DeadlineView, Reminder]],
    now: dt.datetime,
) -> Composed:
    """Compose reminders: (outbox rows, planned entries, skipped entries)."""
    from dondoc.mail.render import SharedRender

    rows: list[QueuedMessage] = []
    planned: list[PlannedReminder] = []
    skipped: list[dict] = []
    texts = SharedRender(setup.templates())
    for deadline, reminder in items:
        try:
            row = compose_reminder(setup, flagged, catalog, calendar, deadline, reminder, now, texts)
        except MailError as error:
            skipped.append(
                {
                    "deadline": deadline.id,
                    "agency": deadline.agency_id,
                    "plan": deadline.plan_id,
                    "obligation": deadline.obligation_id,
                    "period": deadline.period_key,
                    "stage": reminder.stage,
                    "escalate": reminder.escalate,
                    "reason": str(error),
                }
            )
            continue
        rows.append(row)
        planned.append(
            PlannedReminder(
                deadline=deadline.id,
                agency=deadline.agency_id,
                plan=deadline.plan_id,
                obligation=deadline.obligation_id,
                period=deadline.period_key,
                stage=reminder.stage,
                escalate=reminder.escalate,
                subject=row.subject,
                to=row.recipients,
            )
        )
    return rows, planned, skipped


def queue_reminders(
    setup: MailSetup,
    session: Session,
    catalog: Catalog,
    calendar: WorkCalendar,
    planned: list[tuple[DeadlineView, Reminder]],
    now: dt.datetime,
    report: ChaseReport,
) -> list[QueuedMessage]:
    """Render every planned reminder (before anything is queued); unsendable ones go to ``report.skipped``."""
    items = [(DeadlineView.of(row), reminder) for row, reminder in planned]
    rows, entries, skipped = _compose_chunk(setup, flagged_addresses(session), catalog, calendar, items, now)
    report.planned += entries
    report.skipped += skipped
    return rows


# Worker processes compose while the main process sends (see _pipelined).
_WORKER: dict = {}
_PARENT_WATCH = 0.5  # seconds between two looks at the parent, when the kernel cannot be asked to tell


def die_with_parent(parent: int) -> None:
    """End this process when ``parent`` ends, even by SIGKILL, even while blocked writing into a pipe.

    A worker that outlives its parent stays for ever: it blocks writing a
    composed chunk into a pipe whose reading end it holds itself (fork). On
    Linux the kernel sends SIGKILL when the parent dies (``PR_SET_PDEATHSIG``,
    through libc's ``prctl``); everywhere, a daemon thread also watches
    ``getppid()`` and exits the process when the parent is gone. A parent that
    died before this ran is seen at once.

    The kernel's signal comes when the *thread* that forked the worker ends:
    :func:`_pipelined` submits (and so forks) from the thread that runs its
    event loop, which outlives the pool.
    """
    if refused := signal_on_parent_death(signal.SIGKILL):  # not Linux, or no libc: the watching thread alone
        log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", refused)
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="dondoc-parent-watch", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_WATCH)
    os._exit(1)


def _init_worker(
    parent: int, setup: MailSetup, templates_dir: str, catalog: Catalog, years: list, flagged: set[str]
) -> None:
    from dondoc.mail.render import jinja_environment

    die_with_parent(parent)
    _WORKER.update(
        setup=replace(setup, env=jinja_environment(Path(templates_dir))),
        catalog=catalog,
        calendar=WorkCalendar(years),
        flagged=flagged,
    )


def _compose_in_worker(items: list[tuple[DeadlineView, Reminder]], now: dt.datetime) -> Composed:
    return _compose_chunk(_WORKER["setup"], _WORKER["flagged"], _WORKER["catalog"], _WORKER["calendar"], items, now)


async def _pipelined(
    session: Session,
    transport: Transport,
    setup: MailSetup,
    catalog: Catalog,
    calendar: WorkCalendar,
    planned: list[tuple[DeadlineView, Reminder]],
    now: dt.datetime,
    report: ChaseReport,
    limit: int,
    worker: str,
    workers: int,
) -> None:
    """Compose in worker processes, chunk by chunk, while the main process queues and sends.

    The first chunk is composed here (while the workers start on the next
    ones): a template error stops the run before anything is queued or sent.
    """
    import jinja2

    from dondoc.db.outbox import enqueue_claimed

    flagged = flagged_addresses(session)
    items = [(DeadlineView.of(row), reminder) for row, reminder in planned]
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    context = multiprocessing.get_context("fork")
    loader = setup.templates().loader
    assert isinstance(loader, jinja2.FileSystemLoader), "the templates are read from a folder"
    templates = str(loader.searchpath[0])
    with ProcessPoolExecutor(
        workers,
        mp_context=context,
        initializer=_init_worker,
        initargs=(os.getpid(), replace(setup, env=None), templates, catalog, calendar.years, flagged),
    ) as pool:
        loop = asyncio.get_running_loop()

        def died() -> Fault:
            return Fault(
                f"một tiến trình soạn thư đã dừng đột ngột / a mail-composing worker process died "
                f"(bị tắt hoặc hết bộ nhớ / killed, or out of memory); đã gửi / sent {report.sent}, các "
                "thư còn lại chưa xếp hàng / the rest were not queued — chạy lại / run again"
            )

        pending: list[asyncio.Future[Composed]] = []
        tasks: list[concurrent.futures.Future[Composed]] = []  # the pool's own futures (``pending`` wraps them)
        try:
            for chunk in chunks[1:]:
                task = pool.submit(_compose_in_worker, chunk, now)
                tasks.append(task)
                future = asyncio.wrap_future(task, loop=loop)
                # A worker that dies breaks the pool and fails every chunk's future at once; queue_next reports the
                # first as the run's one line, and the others' BrokenProcessPool is expected: taken here, so that
                # asyncio never prints "Future exception was never retrieved" beside that line, whichever path the
                # run ends by.
                future.add_done_callback(_taken)
                pending.append(future)
        except BrokenProcessPool:  # a worker died while the chunks were being handed out
            await asyncio.gather(*pending, return_exceptions=True)
            raise died() from None
        try:
            # the first chunk, composed here while the workers compose the next ones: a template error stops the run
            # here, before anything is queued or sent (what the workers composed is dropped)
            first = _compose_chunk(setup, flagged, catalog, calendar, chunks[0], now)
        except BaseException:
            for future in pending:
                future.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            raise
        results: list[Composed | asyncio.Future[Composed]] = [first, *pending]
        taken = 0  # chunks queued so far

        def compose_a_later_one() -> bool:
            """Compose here the last chunk that no worker has started (its task cancelled): this process has nothing
            else to do while it waits for a worker. False when every chunk left is started or done."""
            for index in range(len(results) - 1, taken - 1, -1):
                if isinstance(results[index], asyncio.Future) and tasks[index - 1].cancel():
                    results[index] = _compose_chunk(setup, flagged, catalog, calendar, chunks[index], now)
                    log.debug("chunk %d of %d composed here, waiting for chunk %d", index + 1, len(chunks), taken)
                    return True
            return False

        async def queue_next(claim: int = 0) -> list[Claimed] | None:
            """Queue the next composed chunk (waiting for its worker, composing later chunks here meanwhile), its
            first ``claim`` rows claimed for sending at once (see :func:`enqueue_claimed`); ``None`` when no chunk is
            left."""
            nonlocal taken
            if taken == len(results):
                return None
            result, taken = results[taken], taken + 1
            try:
                if not isinstance(result, tuple):
                    while not result.done() and compose_a_later_one():
                        pass
                rows, entries, skipped = result if isinstance(result, tuple) else await result
            except BrokenProcessPool:
                raise died() from None
            report.planned += entries
            report.skipped += skipped
            queued, claimed = enqueue_claimed(session, rows, worker, now, claim)
            report.queued += queued
            return claimed

        try:
            # one delivery for the whole run: when the outbox runs dry it queues the next chunk, its rows claimed as
            # they are inserted, so the pool never waits for a chunk's last message before the next chunk's first
            await deliver(session, transport, worker, now, limit, report, refill=queue_next)
            while await queue_next() is not None:  # over the rate limit: queued now, sent by a later run
                pass
        finally:
            for future in pending:
                future.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def _taken(future: asyncio.Future[Composed]) -> None:
    if not future.cancelled():
        future.exception()


def _stage_order(kind: str) -> tuple:
    name, _, number = kind.rpartition("-")
    if name == "before" and number.isdigit():
        return (0, -int(number))
    if name == "overdue" and number.isdigit():
        return (2, int(number))
    return (1, 0) if kind == "due" else (3, 0)


def _one_line(header) -> str:
    return " ".join(str(header or "").split())


def stage_samples(rows: list[QueuedMessage]) -> list[dict]:
    """One composed reminder per stage (``before-10``, ``due``, ``overdue-2``…), as a person reads it: decoded
    subject, recipients and the plain-text part — what a dry run shows before anything is sent."""
    first: dict[str, QueuedMessage] = {}
    for row in rows:
        first.setdefault((row.stage or "").split("@")[0], row)
    samples = []
    for kind in sorted(first, key=_stage_order):
        row = first[kind]
        message = email.message_from_bytes(row.raw, policy=email.policy.default)
        body = message.get_body(("plain",))
        samples.append(
            {
                "stage": kind,
                "deadline": row.deadline_id,
                "subject": _one_line(message["Subject"]),
                "to": _one_line(message["To"]),
                "cc": _one_line(message.get("Cc", "")),
                "text": body.get_content() if body is not None else "",
            }
        )
    return samples


def run_chase(
    *,
    session: Session,
    catalog: Catalog,
    policy: PolicyFile,
    calendar: WorkCalendar,
    setup: MailSetup,
    transport: Transport | None,
    now: dt.datetime,
    only: ChaseFilter = EVERY_DEADLINE,
    dry_run: bool = False,
    force_stage: str | None = None,
    limit: int = 2000,
    worker: str = "",
    workers: int = 0,
    horizon: bool = False,
) -> ChaseReport:
    """One chase run: plan, queue, deliver. ``dry_run`` renders and lists without queueing or sending.

    With ``workers`` > 0 and many reminders, composing runs in that many
    worker processes while this one sends. With ``horizon`` (a run over every
    deadline that queues), the report also says when a reminder may next fall
    due (:attr:`ChaseReport.horizon`).
    """
    from dondoc.db.outbox import enqueue

    report = ChaseReport()
    local = _local(now, setup.timezone)
    planned, states = _planned(session, catalog, policy, calendar, local, only, force_stage)
    if workers > 0 and transport is not None and not dry_run and len(planned) >= PIPELINE_MIN:
        asyncio.run(
            _pipelined(session, transport, setup, catalog, calendar, planned, now, report, limit, worker, workers)
        )
    else:
        rows = queue_reminders(setup, session, catalog, calendar, planned, now, report)
        if dry_run:
            report.samples = stage_samples(rows)
            return report
        report.queued = enqueue(session, rows)
        if transport is not None:
            asyncio.run(deliver(session, transport, worker, now, limit, report))
        log.info("chase: %s", {k: v for k, v in report.as_dict().items() if not isinstance(v, list)})
    if horizon:
        report.horizon = _horizon(states, report, policy, calendar, local, setup.timezone)
    return report


NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)  # the horizon when no reminder will ever fall due


def _horizon(
    states: list[DeadlineState],
    report: ChaseReport,
    policy: PolicyFile,
    calendar: WorkCalendar,
    local: dt.datetime,
    timezone: str,
) -> dt.datetime | None:
    """The earliest moment (UTC) after ``local`` a reminder may fall due, now that the run queued what it planned;
    ``None`` when one is due still (a reminder was skipped: no usable address); :data:`NEVER` when none ever will."""
    if report.skipped:
        return None
    queued: dict[int, set[str]] = {}
    for reminder in report.planned:
        queued.setdefault(reminder.deadline, set()).add(reminder.stage)
    states = [replace(s, sent_stages=s.sent_stages | queued[s.id]) if s.id in queued else s for s in states]
    moment = next_due(states, policy.for_obligation, local, calendar)
    if moment is None:
        return NEVER
    if moment <= local:
        return None
    return moment.replace(tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def outbox_rows(session: Session, status: str | None = None) -> list[tuple[OutboxRow, AgencyRow | None]]:
    """The outbox with each row's agency, newest first."""
    from sqlmodel import col, select

    from dondoc.db.tables import AgencyRow, DeadlineRow, OutboxRow

    query = (
        select(OutboxRow, AgencyRow)
        .join(DeadlineRow, col(DeadlineRow.id) == col(OutboxRow.deadline_id), isouter=True)
        .join(AgencyRow, col(AgencyRow.id) == col(DeadlineRow.agency_id), isouter=True)
        .order_by(col(OutboxRow.id).desc())
    )
    if status is not None:
        query = query.where(col(OutboxRow.status) == status)
    return list(session.exec(query))

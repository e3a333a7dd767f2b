"""Tình hình: where each plan's open periods stand, for ``dondoc status`` and the coordinator's weekly digest.

Per plan, obligation and period that is overdue or falls due soon: who has
submitted on time, who late, who is overdue, how many are not yet due or
excused; plus the mail held in quarantine, the reports held for confirmation
(not counted as submitted until the agency or the coordinator confirms them)
and the addresses that bounced.
Overdue deadlines that the schedule no longer chases (the last day more than
``stale_after_days`` past, or before the plan's ``chase_from``) are counted
apart, per period: "quá hạn lâu, không nhắc tự động".
The digest is one mail a week to each coordinating agency about its own
plans, queued in the outbox under a key of the ISO week: sent once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from dondoc.chase import MailSetup
from dondoc.db.outbox import QueuedMessage, enqueue
from dondoc.db.tables import ContactRow, DeadlineRow, DeadlineStatus, InboundRow, InboundStatus
from dondoc.held import list_held
from dondoc.mail.compose import build_message, message_id_for
from dondoc.mail.render import render
from dondoc.model import Catalog, Role
from dondoc.policy import PolicyFile, unchased_reason
from dondoc.succession import display_name
from dondoc.vocabulary import deadline_state

__all__ = ["Overview", "PeriodStatus", "long_overdue_by_obligation", "overview", "queue_digests", "send_digests"]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class PeriodStatus:
    """One obligation's period: agencies by where they stand (names, in directory order)."""

    plan_id: str
    obligation_id: str
    obligation_title: str
    period_key: str
    period_label: str
    last_day: dt.date
    on_time: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)
    overdue: list[str] = field(default_factory=list)
    not_due: list[str] = field(default_factory=list)
    excused: list[str] = field(default_factory=list)
    unchased: list[str] = field(default_factory=list)  # overdue, and no longer chased automatically

    def as_row(self) -> dict:
        return dict(
            plan=self.plan_id,
            obligation=self.obligation_id,
            period=self.period_label,
            last_day=f"{self.last_day:%d/%m/%Y}",
            submitted=len(self.on_time),
            late=len(self.late),
            overdue=len(self.overdue),
            unchased=len(self.unchased),
            not_due=len(self.not_due),
            excused=len(self.excused),
        )


@dataclass
class Overview:
    """Everything ``dondoc status`` and the digest show, as of ``today``."""

    today: dt.date
    periods: list[PeriodStatus]
    quarantined: int
    bounced: list[str]
    long_overdue: list[PeriodStatus] = field(default_factory=list)  # periods whose overdue ones are all unchased
    held: list[dict] = field(default_factory=list)  # reports held for confirmation: agency, period, received

    @property
    def unchased(self) -> int:
        """Overdue deadlines no longer chased automatically, in every period."""
        return sum(len(p.unchased) for p in [*self.periods, *self.long_overdue])


def overview(
    session: Session, catalog: Catalog, today: dt.date, ahead: int = 30, policy: PolicyFile | None = None
) -> Overview:
    """The periods that are overdue or fall due within ``ahead`` days, with their agencies.

    A period whose only overdue deadlines are past the lower bound of chasing
    (``policy``: ``stale_after_days``; the plan's ``chase_from``) goes to
    ``long_overdue`` instead of ``periods``.
    """
    policy = policy or PolicyFile()
    groups: dict[tuple, list[DeadlineRow]] = {}
    for row in session.exec(
        select(DeadlineRow).order_by(
            DeadlineRow.plan_id, DeadlineRow.obligation_id, col(DeadlineRow.period_start), DeadlineRow.agency_id
        )
    ):
        groups.setdefault((row.plan_id, row.obligation_id, row.period_key), []).append(row)
    periods: list[PeriodStatus] = []
    long_overdue: list[PeriodStatus] = []
    for (plan_id, obligation_id, period_key), rows in groups.items():
        lasts = [row.extended_to or row.last_day for row in rows]
        open_rows = [row for row in rows if row.status == DeadlineStatus.OPEN]
        overdue = {row.id for row in open_rows if (row.extended_to or row.last_day) < today}
        if not overdue and not (open_rows and min(lasts) <= today + dt.timedelta(days=ahead)):
            continue
        plan = catalog.plans.get(plan_id)
        rule = policy.for_obligation(plan_id, obligation_id)
        unchased = {
            row.id
            for row in open_rows
            if row.id in overdue
            and unchased_reason(row.extended_to or row.last_day, today, rule, plan.chase_from if plan else None)
            is not None
        }
        obligation = next((o for o in plan.obligations if o.id == obligation_id), None) if plan else None
        status = PeriodStatus(
            plan_id,
            obligation_id,
            obligation.title if obligation else obligation_id,
            period_key,
            rows[0].period_label,
            min(lasts),
        )
        for row in rows:
            name = display_name(
                catalog.directory, row.agency_id, row.period_end, row.succeeds.split(",") if row.succeeds else ()
            )
            if row.id in unchased:
                status.unchased.append(name)
                continue
            state = deadline_state(row.status, row.extended_to or row.last_day, today)
            bucket = {
                "on-time": status.on_time,
                "late": status.late,
                "excused": status.excused,
                "overdue": status.overdue,
                "not-due": status.not_due,
            }.get(state)
            if bucket is not None:
                bucket.append(name)
        due_soon = any(
            row.id not in overdue and (row.extended_to or row.last_day) <= today + dt.timedelta(days=ahead)
            for row in open_rows
        )
        (long_overdue if unchased and not status.overdue and not due_soon else periods).append(status)
    periods.sort(key=lambda p: (p.last_day, p.plan_id, p.obligation_id))
    long_overdue.sort(key=lambda p: (p.plan_id, p.obligation_id, p.last_day))
    quarantined = session.exec(
        select(func.count()).select_from(InboundRow).where(InboundRow.status == InboundStatus.QUARANTINE)
    ).one()
    bounced = sorted(set(session.exec(select(ContactRow.address).where(col(ContactRow.flagged_at).is_not(None)))))
    held = [
        dict(
            id=h.inbound_id,
            agency=h.agency_name,
            deadline=h.deadline_id,
            period=h.period_label,
            plan=h.plan_id,
            received=f"{h.received_at.astimezone(HANOI):%d/%m/%Y}",
            sender=h.sender,
        )
        for h in list_held(session, catalog)
    ]
    return Overview(today, periods, quarantined, bounced, long_overdue, held)


def long_overdue_by_obligation(periods: list[PeriodStatus]) -> list[dict]:
    """The deadlines no longer chased, per plan and obligation: how many, and in which periods (for people)."""
    groups: dict[tuple, dict] = {}
    for period in periods:
        if not period.unchased:
            continue
        group = groups.setdefault(
            (period.plan_id, period.obligation_id),
            dict(
                plan_id=period.plan_id,
                obligation_id=period.obligation_id,
                obligation_title=period.obligation_title,
                count=0,
                periods=[],
            ),
        )
        group["count"] += len(period.unchased)
        group["periods"].append(f"{period.period_label} ({len(period.unchased)})")
    return list(groups.values())


def queue_digests(
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    now: dt.datetime,
    today: dt.date,
    policy: PolicyFile | None = None,
) -> int:
    """Queue this week's digest to each coordinating agency (its reporter addresses); returns how many are new."""
    from zoneinfo import ZoneInfo

    status = overview(session, catalog, today, policy=policy)
    year, week, _ = today.isocalendar()
    local = now.astimezone(ZoneInfo(setup.timezone))
    rows: list[QueuedMessage] = []
    for coordinator_id in sorted({plan.coordinator for plan in catalog.plans.values()}):
        coordinator = catalog.directory.agencies[coordinator_id]
        addresses = coordinator.addresses(Role.REPORTER)
        if not addresses:
            continue
        plans = {plan.id: plan.title for plan in catalog.plans.values() if plan.coordinator == coordinator_id}
        context = {
            "coordinator_name": coordinator.name,
            "today": f"{today:%d/%m/%Y}",
            "week": week,
            "year": year,
            "made_at": f"{local:%H:%M} ngày {local:%d/%m/%Y}",
            "periods": [p for p in status.periods if p.plan_id in plans],
            "plans": plans,
            "long_overdue": long_overdue_by_obligation(
                [p for p in [*status.periods, *status.long_overdue] if p.plan_id in plans]
            ),
            "quarantined": status.quarantined,
            "bounced": status.bounced,
            "held": [h for h in status.held if h["plan"] in plans],
        }
        lang = coordinator.language
        key = f"digest:{year}-W{week:02d}:{coordinator_id}"
        message_id = message_id_for(key, setup.domain)
        subject = render(setup.templates(), f"mail/{lang}/digest.subject.j2", context).strip()
        message = build_message(
            subject=subject,
            text=render(setup.templates(), f"mail/{lang}/digest.txt.j2", context),
            html=render(setup.templates(), f"mail/{lang}/digest.html.j2", context),
            sender=(setup.sender_name, setup.sender),
            to=[(coordinator.name, address) for address in addresses],
            message_id=message_id,
            date=now,
            language=lang,
        )
        rows.append(
            QueuedMessage(
                key=key,
                kind="digest",
                stage=f"{year}-W{week:02d}",
                message_id=message_id,
                sender=setup.sender,
                recipients=list(addresses),
                subject=subject,
                raw=message.as_bytes(),
                created_at=now,
            )
        )
    queued = enqueue(session, rows, commit=False)
    session.commit()
    return queued


def send_digests(app, moment: dt.datetime):
    """Queue this week's digests (once a week) and send what the outbox holds: (newly queued, Delivered)."""
    import asyncio
    from zoneinfo import ZoneInfo

    from dondoc.db.outbox import worker_id
    from dondoc.delivery import Delivered, deliver

    today = moment.astimezone(ZoneInfo(app.settings.timezone)).date()
    with app.session() as session:
        queued = queue_digests(session, app.catalog(), app.mail_setup(), moment, today, policy=app.policy())
        sent = Delivered()
        asyncio.run(deliver(session, app.transport(), worker_id(), moment, app.settings.smtp_rate_limit, sent))
    return queued, sent

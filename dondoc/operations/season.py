"""What the demo reads of a season it played: the deadlines of an obligation, and the season's counts. Read only.

Set-based: each function issues a fixed number of statements (counts are
grouped in the database), whatever the number of agencies.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select

from dondoc.db.tables import DeadlineRow, InboundRow, OutboxRow, OutboxStatus
from dondoc.wiring import App

__all__ = ["SeasonDeadline", "SeasonSummary", "season_deadlines", "season_summary"]


@dataclass(frozen=True)
class SeasonDeadline:
    """One agency's deadline for one period of an obligation."""

    period_key: str
    agency_id: str
    last_day: dt.date


@dataclass(frozen=True)
class SeasonSummary:
    """The counts of a season: mail sent and received, deadlines by status, who the report went to."""

    reminders_sent: int
    receipts_sent: int
    inbound: Counter[str]
    deadlines: Counter[str]
    report_sent_to: tuple[str, ...]


def season_deadlines(app: App, plan_id: str, obligation_id: str) -> list[SeasonDeadline]:
    """The deadlines of ``obligation_id`` of ``plan_id``, every period."""
    statement = select(col(DeadlineRow.period_key), col(DeadlineRow.agency_id), col(DeadlineRow.last_day)).where(
        DeadlineRow.plan_id == plan_id, DeadlineRow.obligation_id == obligation_id
    )
    with app.session() as session:
        return [SeasonDeadline(period, agency, last_day) for period, agency, last_day in session.exec(statement)]


def season_summary(app: App, plan_id: str, period: str) -> SeasonSummary:
    """Reminders and receipts sent, inbound mail by status, the deadlines of ``period`` by status, and the
    recipients of the reports sent (in the outbox's order)."""
    with app.session() as session:
        sent = dict(
            session.exec(
                select(OutboxRow.kind, func.count())
                .where(col(OutboxRow.kind).in_(("reminder", "receipt")), OutboxRow.status == OutboxStatus.SENT)
                .group_by(OutboxRow.kind)
            ).all()
        )
        inbound = Counter(
            {
                str(status): count
                for status, count in session.exec(
                    select(InboundRow.status, func.count()).group_by(InboundRow.status)
                ).all()
            }
        )
        deadlines = Counter(
            {
                str(status): count
                for status, count in session.exec(
                    select(DeadlineRow.status, func.count())
                    .where(DeadlineRow.plan_id == plan_id, DeadlineRow.period_key == period)
                    .group_by(DeadlineRow.status)
                ).all()
            }
        )
        recipients = session.exec(
            select(OutboxRow.recipients).where(OutboxRow.kind == "report").order_by(col(OutboxRow.id))
        ).all()
    return SeasonSummary(
        reminders_sent=sent.get("reminder", 0),
        receipts_sent=sent.get("receipt", 0),
        inbound=inbound,
        deadlines=deadlines,
        report_sent_to=tuple(str(r) for listed in recipients for r in listed),
    )

"""Read-only operations that list what the database holds: deadlines, outbox, inbox, submissions, requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from dondoc.chase import outbox_rows
from dondoc.db.repo import find_deadlines, holder_name
from dondoc.db.tables import AgencyRow, DeadlineRow, InboundRow, OutboxRow, PlanRow, RequestRow, SubmissionRow
from dondoc.errors import NotFound
from dondoc.inbox import inbound_messages
from dondoc.wiring import App

__all__ = ["ListedDeadline", "deadlines", "inbound", "inbound_message", "outbox", "requests", "submissions"]


@dataclass
class ListedDeadline:
    """A deadline, its agency, and the name to show (with the dissolved agencies it took over from)."""

    deadline: DeadlineRow
    agency: AgencyRow
    name: str


def deadlines(
    app: App,
    *,
    plan: str | None = None,
    obligation: str | None = None,
    agency: str | None = None,
    period: str | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[ListedDeadline]:
    """The deadlines that match (``NotFound`` when none does because ``plan`` is not in the database)."""
    with app.session() as session:
        found = find_deadlines(
            session=session,
            plan=plan,
            obligation=obligation,
            agency=agency,
            period=period,
            status=status,
            date_from=date_from,
            date_to=date_to,
        )
        if not found and plan is not None and session.get(PlanRow, plan) is None:
            raise NotFound(f"no plan '{plan}' in the database (run `dondoc sync`, or see `dondoc plans list`)")
        return [ListedDeadline(d, a, holder_name(session, d, a)) for d, a in found]


def outbox(app: App, *, status: str | None = None) -> list[tuple[OutboxRow, AgencyRow | None]]:
    """The outbox (optionally only rows of ``status``) with each row's agency, newest first."""
    with app.session() as session:
        return outbox_rows(session, status)


def inbound(app: App, *, status: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Recent inbound mail (optionally of one class): class, match, reason."""
    with app.session() as session:
        return inbound_messages(session, status=status, limit=limit)


def inbound_message(app: App, message_id: int) -> InboundRow:
    """One inbound message's row (``NotFound`` if there is none); its raw mail is at ``data_dir / row.path``."""
    with app.session() as session:
        row = session.get(InboundRow, message_id)
    if row is None:
        raise NotFound(f"no inbound message {message_id}")
    return row


def submissions(
    app: App, *, plan: str | None = None, period: str | None = None, agency: str | None = None
) -> list[tuple[SubmissionRow, DeadlineRow]]:
    """Every version of every submission received (optionally of one plan, period or agency), oldest first."""
    query = select(SubmissionRow, DeadlineRow).join(DeadlineRow, col(DeadlineRow.id) == SubmissionRow.deadline_id)
    for column, value in (
        (DeadlineRow.plan_id, plan),
        (DeadlineRow.period_key, period),
        (DeadlineRow.agency_id, agency),
    ):
        if value is not None:
            query = query.where(column == value)
    with app.session() as session:
        return list(session.exec(query.order_by(col(SubmissionRow.id))))


def requests(app: App) -> list[tuple[RequestRow, DeadlineRow]]:
    """Agencies' requests for more time and questions, oldest first, each with its deadline."""
    with app.session() as session:
        return list(
            session.exec(
                select(RequestRow, DeadlineRow)
                .join(DeadlineRow, col(DeadlineRow.id) == RequestRow.deadline_id)
                .order_by(col(RequestRow.id))
            )
        )

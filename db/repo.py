"""Repository functions: queries the CLI, flows and reports share. Each takes the session."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from dondoc.db.tables import AgencyRow, DeadlineRow

__all__ = ["find_deadlines", "holder_name"]


def find_deadlines(
    *,
    session: Session,
    plan: str | None = None,
    obligation: str | None = None,
    agency: str | None = None,
    period: str | None = None,
    status: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> list[tuple[DeadlineRow, AgencyRow]]:
    """Deadlines matching every given filter, with their agency, by last day then agency."""
    query = select(DeadlineRow, AgencyRow).join(AgencyRow, col(AgencyRow.id) == DeadlineRow.agency_id)
    filters = {
        DeadlineRow.plan_id: plan,
        DeadlineRow.obligation_id: obligation,
        DeadlineRow.agency_id: agency,
        DeadlineRow.period_key: period,
        DeadlineRow.status: status,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    if date_from is not None:
        query = query.where(DeadlineRow.last_day >= date_from)
    if date_to is not None:
        query = query.where(DeadlineRow.last_day <= date_to)
    query = query.order_by(
        DeadlineRow.plan_id, col(DeadlineRow.last_day), DeadlineRow.obligation_id, DeadlineRow.agency_id
    )
    return list(session.exec(query))


def holder_name(session: Session, deadline: DeadlineRow, agency: AgencyRow) -> str:
    """The agency's name, with the dissolved agencies it took the deadline over from:
    "Sở Y tế (tiếp nhận từ Sở LĐTBXH)"."""
    if not deadline.succeeds:
        return agency.name
    before = []
    for agency_id in deadline.succeeds.split(","):
        row = session.get(AgencyRow, agency_id)
        before.append((row.short or row.name) if row else agency_id)
    return f"{agency.name} (tiếp nhận từ {', '.join(before)})"

"""Repository functions: queries the CLI, flows and reports share. Each takes the session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, col, select

from dondoc.db.engine import locked
from dondoc.db.tables import AgencyRow, DeadlineRow

__all__ = ["find_deadlines", "holder_name", "lock_deadline", "lock_deadlines"]


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


def lock_deadlines(session: Session, ids: Iterable[int]) -> list[DeadlineRow]:
    """The deadlines of ``ids``, by id, read for an update: on PostgreSQL they are locked until the transaction ends
    (in id order, so two transactions locking overlapping sets do not deadlock) and another transaction that wants
    them waits, so what is read here is their latest state."""
    pick = select(DeadlineRow).where(col(DeadlineRow.id).in_(list(ids))).order_by(col(DeadlineRow.id))
    return list(session.exec(locked(session, pick)))


def lock_deadline(session: Session, deadline_id: int) -> DeadlineRow | None:
    """The deadline ``deadline_id`` (None if there is none), read for an update as in :func:`lock_deadlines`."""
    return session.exec(locked(session, select(DeadlineRow).where(DeadlineRow.id == deadline_id))).first()

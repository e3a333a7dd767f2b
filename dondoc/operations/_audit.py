"""The audit log's one writer: an operation adds its event to the session of the change it records.

The event is added before the library function that makes the change commits,
so both are one transaction: the change is never there without its event,
nor the event without the change (a refused action — an unknown id, a
deadline no longer open — rolls back with the session and leaves nothing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from sqlmodel import Session

from dondoc.db.tables import AuditEventRow
from dondoc.errors import UsageError
from dondoc.model import nfc

Row = TypeVar("Row")


def who(actor: str) -> str:
    """``actor`` checked: someone must be named (``cli:<login>``, ``web:<user>``, ``schedule:<flow>``)."""
    text = nfc(actor or "").strip()
    if not text:
        raise UsageError("who acts is required (actor)")
    return text[:200]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    at: dt.datetime,
    reason: str | None = None,
    deadline_id: int | None = None,
    agency_id: str | None = None,
    report_id: int | None = None,
    message_id: int | None = None,
    **details: Any,
) -> AuditEventRow:
    """Add one event to ``session`` (committed by the change's own commit)."""
    row = AuditEventRow(
        at=at,
        actor=who(actor),
        action=action,
        reason=nfc(reason).strip() if reason else None,
        deadline_id=deadline_id,
        agency_id=agency_id,
        report_id=report_id,
        message_id=message_id,
        details={
            k: (v.isoformat() if isinstance(v, dt.date | dt.datetime) else v)
            for k, v in details.items()
            if v is not None
        },
    )
    session.add(row)
    return row


def locked(session: Session, model: type[Row], key: int) -> Row | None:
    """The row ``key`` of ``model``, read afresh and locked until the transaction ends (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite has one writer at a time): of two coordinators acting on one thing at once, the second
    waits, then sees what the first did — a deadline no longer open, a report no longer a draft — and is told."""
    return session.get(model, key, with_for_update=True, populate_existing=True)

"""The chase horizon in the database: claimed by a full chase before it reads, completed once it has queued.

The claim comes first and is committed before the chase reads a deadline:
any change committed after it (by sync, an extension, a pause, an intake…)
deletes it through the triggers of migration 0011, and then completing it
changes nothing. So a stored horizon always describes the database as it
still is. The reading side is :func:`dondoc.db.idle.before_horizon`.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING

from sqlalchemy import delete, update
from sqlmodel import col

from dondoc.db.tables import ChaseHorizonRow

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = ["claim", "settle"]


def claim(session: Session, key: str, at: dt.datetime) -> str:
    """Replace any horizon by a claim under ``key`` from ``at`` (no end yet), committed; its token."""
    token = secrets.token_hex(16)
    session.execute(delete(ChaseHorizonRow))
    session.add(ChaseHorizonRow(token=token, key=key, since=at))
    session.commit()
    return token


def settle(session: Session, token: str, until: dt.datetime | None) -> bool:
    """Complete the claim ``token`` with ``until`` (or drop it: ``None``, a reminder is still due); committed.
    False when a change deleted the claim meanwhile (or ``until`` is ``None``): no horizon then."""
    if until is None:
        session.execute(delete(ChaseHorizonRow).where(col(ChaseHorizonRow.token) == token))
        session.commit()
        return False
    result = session.execute(update(ChaseHorizonRow).where(col(ChaseHorizonRow.token) == token).values(until=until))
    session.commit()
    return bool(getattr(result, "rowcount", 0))

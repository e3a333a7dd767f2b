"""The coordinator's controls: pause an agency, extend or excuse a deadline.

Each takes the session and records who-knows-why (the reason) next to the
change; later reminders mention extensions.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from db.tables import AgencyRow, DeadlineRow, DeadlineStatus, PauseRow
from dondoc.errors import NotFound, UsageError
from dondoc.model import nfc

__all__ = ["excuse", "extend", "pause"]


def _reason(reason: str) -> str:
    text = nfc(reason)
    if not text:
        raise UsageError("a reason is required")
    return text


def _deadline(session: Session, deadline_id: int) -> DeadlineRow:
    row = session.get(DeadlineRow, deadline_id)
    if row is None:
        raise NotFound(f"no deadline {deadline_id} (see `dondoc deadlines`)")
    return row


def pause(session: Session, agency_id: str, until: dt.date, reason: str) -> PauseRow:
    """No reminder to ``agency_id`` until ``until`` (inclusive)."""
    if session.get(AgencyRow, agency_id) is None:
        raise NotFound(f"no agency '{agency_id}' (run `dondoc sync`, or check the id)")
    row = PauseRow(agency_id=agency_id, until=until, reason=_reason(reason))
    session.add(row)
    session.commit()
    return row


def extend(session: Session, deadline_id: int, to: dt.date, reason: str) -> DeadlineRow:
    """Move an open deadline's last day to ``to``; reminders start a new series and state the reason."""
    row = _deadline(session, deadline_id)
    if row.status != DeadlineStatus.OPEN:
        raise UsageError(f"deadline {deadline_id} is {row.status}, not open: nothing to extend")
    if to <= row.last_day:
        raise UsageError(f"{to:%d/%m/%Y} is not after the last day {row.last_day:%d/%m/%Y}")
    row.extended_to, row.extension_reason = to, _reason(reason)
    session.commit()
    return row


def excuse(session: Session, deadline_id: int, reason: str) -> DeadlineRow:
    """The agency no longer owes this report; no more reminders."""
    row = _deadline(session, deadline_id)
    if row.status != DeadlineStatus.OPEN:
        raise UsageError(f"deadline {deadline_id} is {row.status}, not open")
    row.status, row.status_reason = DeadlineStatus.EXCUSED, _reason(reason)
    session.commit()
    return row

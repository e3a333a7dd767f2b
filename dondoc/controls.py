"""The coordinator's controls: pause an agency, extend or excuse a deadline.

Each takes the session and records who-knows-why (the reason) next to the
change; later reminders mention extensions.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session

from dondoc.db.tables import (
    AgencyRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    PauseRow,
    RequestRow,
    RequestStatus,
    SubmissionRow,
    SubmissionStatus,
)
from dondoc.errors import NotFound, UsageError
from dondoc.model import nfc

__all__ = ["assign", "excuse", "extend", "grant", "pause", "reject", "return_submission"]


def _reason(reason: str) -> str:
    text = nfc(reason)
    if not text:
        raise UsageError("a reason is required")
    return text


def deadline_row(session: Session, deadline_id: int) -> DeadlineRow:
    """The deadline ``deadline_id`` (``NotFound`` if there is none)."""
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
    row = deadline_row(session, deadline_id)
    if row.status != DeadlineStatus.OPEN:
        raise UsageError(f"deadline {deadline_id} is {row.status}, not open: nothing to extend")
    if to <= row.last_day:
        raise UsageError(f"{to:%d/%m/%Y} is not after the last day {row.last_day:%d/%m/%Y}")
    row.extended_to, row.extension_reason = to, _reason(reason)
    session.commit()
    return row


def excuse(session: Session, deadline_id: int, reason: str) -> DeadlineRow:
    """The agency no longer owes this report; no more reminders."""
    row = deadline_row(session, deadline_id)
    if row.status != DeadlineStatus.OPEN:
        raise UsageError(f"deadline {deadline_id} is {row.status}, not open")
    row.status, row.status_reason = DeadlineStatus.EXCUSED, _reason(reason)
    session.commit()
    return row


def reject(session: Session, inbound_id: int, reason: str) -> InboundRow:
    """Close a quarantined message as not a report (kept, with the reason)."""
    row = session.get(InboundRow, inbound_id)
    if row is None or row.status != InboundStatus.QUARANTINE:
        raise NotFound(f"no quarantined message {inbound_id} (see `dondoc quarantine list`)")
    row.status, row.reason = InboundStatus.REJECTED, _reason(reason)
    session.commit()
    return row


def assign(
    session: Session, catalog, setup, data_dir, inbound_id: int, deadline_id: int, now: dt.datetime
) -> SubmissionRow:
    """The coordinator says which deadline a quarantined message belongs to: it becomes a submission."""
    from dondoc.intake import record_submission
    from dondoc.mail.parse import Unparseable, parse_message
    from dondoc.matching import strip_quoted

    row = session.get(InboundRow, inbound_id)
    if row is None or row.status != InboundStatus.QUARANTINE:
        raise NotFound(f"no quarantined message {inbound_id} (see `dondoc quarantine list`)")
    deadline = deadline_row(session, deadline_id)
    try:
        mail = parse_message((data_dir / row.path).read_bytes())
    except Unparseable as error:
        raise UsageError(f"message {inbound_id} cannot be read ({error}); reject it instead") from None
    submission = record_submission(session, catalog, setup, data_dir, deadline, row, mail, strip_quoted(mail.text), now)
    row.status, row.deadline_id, row.match_method = InboundStatus.SUBMISSION, deadline.id, "coordinator"
    session.commit()
    return submission


def return_submission(
    session: Session, catalog, setup, submission_id: int, reason: str, now: dt.datetime
) -> SubmissionRow:
    """Send a submission back: the deadline re-opens, the agency is told why, chasing resumes."""
    from dondoc.intake import queue_notice

    submission = session.get(SubmissionRow, submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id} (see `dondoc submissions`)")
    if submission.status == SubmissionStatus.RETURNED:
        raise UsageError(f"submission {submission_id} was already returned")
    text = _reason(reason)
    submission.status, submission.returned_reason = SubmissionStatus.RETURNED, text
    deadline = deadline_row(session, submission.deadline_id)
    deadline.status, deadline.status_reason = DeadlineStatus.OPEN, f"returned: {text}"
    queue_notice(session, catalog, setup, deadline, submission, text, now)
    session.commit()
    return submission


def grant(session: Session, request_id: int, to: dt.date, reason: str) -> RequestRow:
    """Grant an agency's request for more time: the deadline is extended."""
    request = session.get(RequestRow, request_id)
    if request is None or request.status != RequestStatus.OPEN:
        raise NotFound(f"no open request {request_id} (see `dondoc requests`)")
    extend(session, request.deadline_id, to, reason)
    request.status = RequestStatus.GRANTED
    session.commit()
    return request


def refuse(session: Session, request_id: int, reason: str) -> RequestRow:
    """Refuse an agency's request for more time: the deadline stays as it is (the reason is the audit log's)."""
    _reason(reason)
    request = session.get(RequestRow, request_id)
    if request is None or request.status != RequestStatus.OPEN:
        raise NotFound(f"no open request {request_id} (see `dondoc requests`)")
    request.status = RequestStatus.REFUSED
    session.commit()
    session.refresh(request)
    return request

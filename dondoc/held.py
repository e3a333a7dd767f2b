"""Reports held for confirmation: list them, confirm one, reject one (the coordinator's side).

A report is held when nothing proves who sent it (no token of ours, no
trusted ``Authentication-Results``; see docs/security.md). It counts as
nothing — the deadline stays open, reminders go on — until the agency's
registered address replies to the confirmation request (intake does that),
or the coordinator confirms it here after checking with the agency by phone.
One function per operation, for the CLI, the flows and the web console.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from dondoc.db.ids import row_id
from dondoc.db.tables import DeadlineRow, DeadlineStatus, InboundRow, InboundStatus, SubmissionRow
from dondoc.errors import NotFound, UsageError
from dondoc.model import Catalog, nfc

__all__ = ["HeldReport", "confirm_held", "list_held", "reject_held"]


@dataclass(frozen=True)
class HeldReport:
    """One held report, as the coordinator sees it."""

    inbound_id: int
    received_at: dt.datetime
    sender: str
    subject: str
    deadline_id: int
    plan_id: str
    agency_id: str
    agency_name: str
    period_label: str
    reason: str

    def as_row(self) -> dict:
        return dict(
            id=self.inbound_id,
            received=self.received_at.isoformat(timespec="minutes"),
            sender=self.sender,
            subject=self.subject,
            deadline=self.deadline_id,
            agency=self.agency_name,
            period=self.period_label,
            reason=self.reason,
        )


def list_held(session: Session, catalog: Catalog) -> list[HeldReport]:
    """Every report held for confirmation, oldest first."""
    rows = session.exec(
        select(InboundRow, DeadlineRow)
        .join(DeadlineRow, col(DeadlineRow.id) == InboundRow.deadline_id)
        .where(InboundRow.status == InboundStatus.HELD)
        .order_by(col(InboundRow.id))
    )
    names = {agency_id: agency.name for agency_id, agency in catalog.directory.agencies.items()}
    return [
        HeldReport(
            row_id(row),
            row.received_at,
            row.from_address or "",
            row.subject or "",
            row_id(deadline),
            deadline.plan_id,
            deadline.agency_id,
            names.get(deadline.agency_id, deadline.agency_id),
            deadline.period_label,
            row.reason or "",
        )
        for row, deadline in rows
    ]


def _held(session: Session, inbound_id: int) -> InboundRow:
    row = session.get(InboundRow, inbound_id)
    if row is None or row.status != InboundStatus.HELD or row.deadline_id is None:
        raise NotFound(f"no held report {inbound_id} (see `dondoc held list`)")
    return row


def confirm_held(
    session: Session,
    catalog: Catalog,
    setup,
    data_dir: Path,
    inbound_id: int,
    now: dt.datetime,
    who: str = "coordinator",
) -> SubmissionRow:
    """The coordinator confirms a held report: it becomes the agency's submission, on time or late by when it
    arrived, and the agency gets its receipt."""
    from dondoc.intake import record_submission
    from dondoc.mail.parse import Unparseable, parse_message
    from dondoc.matching import strip_quoted

    row = _held(session, inbound_id)
    deadline = session.get(DeadlineRow, row.deadline_id)
    if deadline is None:  # the foreign key rules it out; a clear error all the same
        raise NotFound(f"no deadline {row.deadline_id} for held report {inbound_id}")
    if deadline.status in (DeadlineStatus.EXCUSED, DeadlineStatus.CLOSED):
        raise UsageError(f"deadline {deadline.id} is {deadline.status}: reject the held report instead")
    try:
        mail = parse_message((data_dir / row.path).read_bytes())
    except (OSError, Unparseable) as error:
        raise UsageError(f"held report {inbound_id} cannot be read ({error}); reject it instead") from None
    submission = record_submission(
        session, catalog, setup, data_dir, deadline, row, mail, strip_quoted(mail.text), now, received=row.received_at
    )
    row.status, row.match_method = InboundStatus.SUBMISSION, "confirmed"
    row.reason = f"xác nhận / confirmed by the {nfc(who)[:60]}"
    session.commit()
    return submission


def reject_held(session: Session, inbound_id: int, reason: str) -> InboundRow:
    """The coordinator rejects a held report (the agency did not send it): kept, with the reason; counts nothing."""
    text = nfc(reason)
    if not text:
        raise UsageError("a reason is required")
    row = _held(session, inbound_id)
    row.status, row.reason = InboundStatus.REJECTED, f"held report rejected: {text}"[:500]
    session.commit()
    return row

"""Operations on what agencies send: ingest, quarantine (assign, reject), return, requests (grant), held reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from dondoc import controls, held
from dondoc.db.outbox import worker_id
from dondoc.db.tables import DeadlineRow, InboundRow, RequestRow, SubmissionRow
from dondoc.intake import IntakeReport, run_ingest
from dondoc.operations._audit import locked, record
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = [
    "assign",
    "confirm_held",
    "grant",
    "held_reports",
    "ingest",
    "refuse",
    "reject",
    "reject_held",
    "return_submission",
]


def ingest(app: App, *, now: dt.datetime | None = None, limit: int = 1000) -> IntakeReport:
    """Take in up to ``limit`` replies: store raw, classify, match, record submissions, send receipts."""
    catalog, setup = app.catalog(), app.mail_setup()
    at = moment(app, now)
    source = app.source()
    try:
        with app.session() as session:
            return run_ingest(
                session=session,
                catalog=catalog,
                setup=setup,
                source=source,
                transport=app.transport(),
                data_dir=app.settings.data_dir,
                now=at,
                limit=limit,
                worker=worker_id(),
            )
    finally:
        source.close()


def assign(app: App, message_id: int, deadline_id: int, *, actor: str, now: dt.datetime | None = None) -> SubmissionRow:
    """Record a quarantined message as a submission for ``deadline_id`` (its receipt is queued); audited."""
    catalog, setup = app.catalog(), app.mail_setup()
    at = moment(app, now)
    with app.session() as session:
        locked(session, InboundRow, message_id)
        deadline = session.get(DeadlineRow, deadline_id)
        record(
            session,
            actor=actor,
            action="assign",
            at=at,
            deadline_id=deadline_id,
            message_id=message_id,
            agency_id=deadline.agency_id if deadline else None,
        )
        return controls.assign(session, catalog, setup, app.settings.data_dir, message_id, deadline_id, at)


def reject(app: App, message_id: int, *, reason: str, actor: str, now: dt.datetime | None = None) -> InboundRow:
    """Close a quarantined message as not a report (it is kept, with ``reason``); audited."""
    with app.session() as session:
        message = locked(session, InboundRow, message_id)
        record(
            session,
            actor=actor,
            action="reject",
            at=moment(app, now),
            reason=reason,
            message_id=message_id,
            deadline_id=message.deadline_id if message else None,
        )
        return controls.reject(session, message_id, reason)


def return_submission(
    app: App, submission_id: int, *, reason: str, actor: str, now: dt.datetime | None = None
) -> SubmissionRow:
    """Return a submission for completion: the agency is told ``reason``, the deadline re-opens; audited."""
    catalog, setup = app.catalog(), app.mail_setup()
    at = moment(app, now)
    with app.session() as session:
        _audited(
            session,
            SubmissionRow,
            submission_id,
            more=lambda submission, _: {"version": submission.version},
            actor=actor,
            action="return",
            at=at,
            reason=reason,
            submission=submission_id,
        )
        return controls.return_submission(session, catalog, setup, submission_id, reason, at)


def grant(
    app: App, request_id: int, *, to: dt.date, reason: str, actor: str, now: dt.datetime | None = None
) -> RequestRow:
    """Grant an agency's request for more time: its deadline is extended to ``to``; audited."""
    with app.session() as session:
        _audited(
            session,
            RequestRow,
            request_id,
            more=lambda _, deadline: {"last_day": deadline.extended_to or deadline.last_day},
            actor=actor,
            action="grant",
            at=moment(app, now),
            reason=reason,
            request=request_id,
            to=to,
        )
        return controls.grant(session, request_id, to, reason)


def refuse(app: App, request_id: int, *, reason: str, actor: str, now: dt.datetime | None = None) -> RequestRow:
    """Refuse an agency's request for more time: its deadline stays; audited with ``reason``."""
    with app.session() as session:
        _audited(
            session,
            RequestRow,
            request_id,
            actor=actor,
            action="refuse",
            at=moment(app, now),
            reason=reason,
            request=request_id,
        )
        return controls.refuse(session, request_id, reason)


def held_reports(app: App) -> list[held.HeldReport]:
    """The reports held until their agency confirms them."""
    catalog = app.catalog()
    with app.session() as session:
        return held.list_held(session, catalog)


def confirm_held(app: App, message_id: int, *, actor: str, now: dt.datetime | None = None) -> SubmissionRow:
    """A held report, confirmed with its agency, becomes its submission; its receipt is queued; audited."""
    catalog, setup = app.catalog(), app.mail_setup()
    at = moment(app, now)
    with app.session() as session:
        _held_event(session, message_id, actor=actor, action="confirm-held", at=at)
        return held.confirm_held(session, catalog, setup, app.settings.data_dir, message_id, at)


def reject_held(app: App, message_id: int, *, reason: str, actor: str, now: dt.datetime | None = None) -> InboundRow:
    """A held report the agency did not send: kept with ``reason``, counts for nothing; audited."""
    with app.session() as session:
        _held_event(session, message_id, actor=actor, action="reject-held", at=moment(app, now), reason=reason)
        return held.reject_held(session, message_id, reason)


def _held_event(session: Session, message_id: int, **event: Any) -> None:
    message = locked(session, InboundRow, message_id)
    deadline = session.get(DeadlineRow, message.deadline_id) if message and message.deadline_id else None
    record(
        session,
        message_id=message_id,
        deadline_id=deadline.id if deadline else None,
        agency_id=deadline.agency_id if deadline else None,
        **event,
    )


def _audited(
    session: Session,
    model: type[SubmissionRow] | type[RequestRow],
    key: int,
    *,
    more: Callable[[Any, DeadlineRow], dict[str, Any]] | None = None,
    **event: Any,
) -> None:
    """The audit event of an action on a submission or a request (locked first), with its deadline, agency and
    message, and the details ``more`` draws from the row and its deadline (nothing for an unknown id: the action
    raises ``NotFound`` next)."""
    row = locked(session, model, key)
    if row is not None:
        deadline = controls.deadline_row(session, row.deadline_id)
        record(
            session,
            deadline_id=deadline.id,
            agency_id=deadline.agency_id,
            message_id=row.inbound_id,
            **event,
            **(more(row, deadline) if more else {}),
        )

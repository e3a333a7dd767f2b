"""Operations on what agencies send: ingest, quarantine (assign, reject), return, requests (grant), held reports."""

from __future__ import annotations

import datetime as dt

from dondoc.db.outbox import worker_id
from dondoc.db.tables import InboundRow, RequestRow, SubmissionRow
from dondoc import controls, held
from dondoc.intake import IntakeReport, run_ingest
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = ["assign", "confirm_held", "grant", "held_reports", "ingest", "reject", "reject_held", "return_submission"]


def ingest(app: App, *, now: dt.datetime | None = None, limit: int = 1000) -> IntakeReport:
    """Take in up to ``limit`` replies: store raw, classify, match, record submissions, send receipts."""
    catalog, setup = app.catalog(), app.mail_setup()
    at = moment(app, now)
    source = app.source()
    try:
        with app.session() as session:
            return run_ingest(session=session, catalog=catalog, setup=setup, source=source,
                              transport=app.transport(), data_dir=app.settings.data_dir, now=at, limit=limit,
                              worker=worker_id())
    finally:
        source.close()


def assign(app: App, message_id: int, deadline_id: int, *, now: dt.datetime | None = None) -> SubmissionRow:
    """Record a quarantined message as a submission for ``deadline_id`` (its receipt is queued)."""
    catalog, setup = app.catalog(), app.mail_setup()
    with app.session() as session:
        return controls.assign(session, catalog, setup, app.settings.data_dir, message_id, deadline_id,
                               moment(app, now))


def reject(app: App, message_id: int, *, reason: str) -> InboundRow:
    """Close a quarantined message as not a report (it is kept, with ``reason``)."""
    with app.session() as session:
        return controls.reject(session, message_id, reason)


def return_submission(app: App, submission_id: int, *, reason: str,
                      now: dt.datetime | None = None) -> SubmissionRow:
    """Return a submission for completion: the agency is told ``reason``, the deadline re-opens."""
    catalog, setup = app.catalog(), app.mail_setup()
    with app.session() as session:
        return controls.return_submission(session, catalog, setup, submission_id, reason, moment(app, now))


def grant(app: App, request_id: int, *, to: dt.date, reason: str) -> RequestRow:
    """Grant an agency's request for more time: its deadline is extended to ``to``."""
    with app.session() as session:
        return controls.grant(session, request_id, to, reason)


def held_reports(app: App) -> list[held.HeldReport]:
    """The reports held until their agency confirms them."""
    catalog = app.catalog()
    with app.session() as session:
        return held.list_held(session, catalog)


def confirm_held(app: App, message_id: int, *, now: dt.datetime | None = None) -> SubmissionRow:
    """A held report, confirmed with its agency, becomes its submission; its receipt is queued."""
    catalog, setup = app.catalog(), app.mail_setup()
    with app.session() as session:
        return held.confirm_held(session, catalog, setup, app.settings.data_dir, message_id, moment(app, now))


def reject_held(app: App, message_id: int, *, reason: str) -> InboundRow:
    """A held report the agency did not send: kept with ``reason``, counts for nothing."""
    with app.session() as session:
        return held.reject_held(session, message_id, reason)

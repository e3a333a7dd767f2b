"""Operations on the consolidated report: build, approve, reject, send up; the list of reports."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from dondoc import consolidate
from dondoc.aggregate import ReportData
from dondoc.db.outbox import worker_id
from dondoc.db.tables import DeadlineRow, PlanRow, ReportRow, ReportStatus
from dondoc.delivery import Delivered, deliver
from dondoc.errors import NotFound
from dondoc.operations._audit import locked, record
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = ["BuiltReport", "SentReport", "approve", "build", "listing", "reject", "send"]

UPSTREAM_BATCH = 100  # a report goes to a handful of recipients: send them all at once, outside the rate limit


@dataclass
class BuiltReport:
    """A compiled draft: its row, the figures it holds and its files (.docx, .xlsx, .html) by kind."""

    row: ReportRow
    data: ReportData
    files: dict[str, Path]


@dataclass
class SentReport:
    """A report sent up the chain, and what the SMTP server answered for its mails."""

    row: ReportRow
    mails: Delivered


@dataclass
class ListedReport:
    """One compiled report and its files, for a listing."""

    row: ReportRow
    files: dict[str, Path]


def build(
    app: App, plan_id: str, *, obligation: str, period: str, out_dir: Path | None = None, now: dt.datetime | None = None
) -> BuiltReport:
    """Compile the consolidated report of a period as a draft to approve (the same draft when nothing changed)."""
    catalog = app.catalog()
    data_dir = app.settings.data_dir
    with app.session() as session:
        row, data = consolidate.compile_report(
            session,
            catalog,
            plan_id=plan_id,
            obligation_id=obligation,
            period_key=period,
            out_dir=out_dir or data_dir / "reports",
            template=app.report_template,
            env=app.jinja,
            now=moment(app, now),
            timezone=app.settings.timezone,
            data_dir=data_dir,
        )
    return BuiltReport(row, data, consolidate.report_paths(row, data_dir))


def approve(app: App, report_id: int, *, by: str, actor: str, now: dt.datetime | None = None) -> ReportRow:
    """Approve a draft; ``by`` (a signer of the coordinating agency) goes into its signature block; audited
    (``actor`` is who acted, ``by`` who signs)."""
    at = moment(app, now)
    with app.session() as session:
        _event(session, report_id, actor=actor, action="approve-report", at=at, by=by)
        return consolidate.approve(session, report_id, by, at, catalog=app.catalog(), data_dir=app.settings.data_dir)


def reject(
    app: App, report_id: int, *, comment: str, actor: str, only_draft: bool = False, now: dt.datetime | None = None
) -> ReportRow:
    """Reject a draft with a comment (what to change before it is built again); audited.

    With ``only_draft``, a report that is no longer a draft (another
    coordinator answered first) is left as it is and returned (nothing audited).
    """
    with app.session() as session:
        if only_draft:
            row = locked(session, ReportRow, report_id)
            if row is not None and row.status != ReportStatus.DRAFT:
                return row
        _event(session, report_id, actor=actor, action="reject-report", at=moment(app, now), reason=comment)
        return consolidate.reject(session, report_id, comment)


def send(
    app: App, report_id: int, *, actor: str, now: dt.datetime | None = None, approve_by: str | None = None
) -> SentReport:
    """Send an approved report to its obligation's recipients and deliver the mails now; audited.

    With ``approve_by``, a report still a draft is first approved by them (the
    answer given to a paused ``compile-report`` run; its own audit event); one
    already approved (e.g. from the CLI) is sent as it is.
    """
    at = moment(app, now)
    catalog = app.catalog()
    with app.session() as session:
        if approve_by is not None and _report(session, report_id).status == ReportStatus.DRAFT:
            _event(session, report_id, actor=actor, action="approve-report", at=at, by=approve_by)
            consolidate.approve(session, report_id, approve_by, at, catalog=catalog, data_dir=app.settings.data_dir)
        _event(session, report_id, actor=actor, action="send-report", at=at)
        row = consolidate.send_up(session, catalog, app.mail_setup(), report_id, at, data_dir=app.settings.data_dir)
        mails = Delivered()
        asyncio.run(deliver(session, app.transport(), worker_id(), at, UPSTREAM_BATCH, mails))
    return SentReport(row, mails)


def _event(session: Session, report_id: int, **event: Any) -> None:
    """The audit event of an action on a report, on the coordinator's own deadline for its period when there is
    one (so the deadline's history shows it)."""
    row = locked(session, ReportRow, report_id)
    if row is None:
        return  # the action raises NotFound next
    plan = session.get(PlanRow, row.plan_id)
    deadline = (
        session.exec(
            select(DeadlineRow).where(
                DeadlineRow.plan_id == row.plan_id,
                DeadlineRow.obligation_id == row.obligation_id,
                DeadlineRow.period_key == row.period_key,
                DeadlineRow.agency_id == plan.coordinator_id,
            )
        ).first()
        if plan
        else None
    )
    record(
        session,
        report_id=report_id,
        deadline_id=deadline.id if deadline else None,
        agency_id=plan.coordinator_id if plan else None,
        revision=row.revision,
        **event,
    )


def listing(app: App) -> list[ListedReport]:
    """Every compiled report, oldest first, with its files."""
    with app.session() as session:
        rows = session.exec(select(ReportRow).order_by(col(ReportRow.id))).all()
    return [ListedReport(r, consolidate.report_paths(r, app.settings.data_dir)) for r in rows]


def _report(session: Session, report_id: int) -> ReportRow:
    row = session.get(ReportRow, report_id)
    if row is None:
        raise NotFound(f"no report {report_id} (see `dondoc reports`)")
    return row

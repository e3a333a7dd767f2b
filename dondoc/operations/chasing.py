"""Operations that send reminders: chase, remind, deliver the outbox."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from dondoc.chase import ChaseFilter, ChaseReport, run_chase
from dondoc.delivery import deliver
from dondoc.errors import NotFound, UsageError
from dondoc.model import Catalog
from dondoc.operations._clock import moment
from dondoc.policy import PolicyFile, may_remind
from dondoc.wiring import App

log = logging.getLogger("dondoc.chase")

__all__ = ["chase", "deliver_outbox", "remind"]


def chase(
    app: App,
    *,
    now: dt.datetime | None = None,
    only: ChaseFilter | None = None,
    dry_run: bool = False,
    force_stage: str | None = None,
    send: bool = True,
) -> ChaseReport:
    """Plan the reminders due at ``now``, render and queue them (each stage once), then send what the outbox holds.

    ``dry_run`` renders and lists without queueing or sending; ``send=False``
    queues without sending (the flow sends in its own task with
    :func:`deliver_outbox`). Commits in chunks as it goes.
    """
    return _chase(app, now=now, only=only, dry_run=dry_run, force_stage=force_stage, send=send)


def _chase(
    app: App,
    *,
    now: dt.datetime | None = None,
    only: ChaseFilter | None = None,
    dry_run: bool = False,
    force_stage: str | None = None,
    send: bool = True,
    audit: dict[str, Any] | None = None,
) -> ChaseReport:
    catalog, policy = app.catalog(), app.policy()
    at = moment(app, now)
    if send and not dry_run and force_stage is None and audit is None and _nothing_to_do(app, catalog, policy, at):
        log.info("chase: nothing may be due at %s and the outbox is empty: nothing to do", at.isoformat())
        return ChaseReport()
    # SQLAlchemy and the tables: imported once there is something to do
    from dondoc.db.outbox import worker_id
    from dondoc.db.tables import DeadlineRow
    from dondoc.operations._audit import record

    setup = app.mail_setup()
    only = only or ChaseFilter()
    with app.session() as session:
        if audit is not None:  # committed with the reminder it queues
            deadline = session.get(DeadlineRow, audit["deadline_id"])
            if deadline is None or deadline.agency_id != audit["agency_id"]:
                raise NotFound(
                    f"no deadline {audit['deadline_id']} of agency '{audit['agency_id']}' (see `dondoc deadlines`)"
                )
            record(session, at=at, **audit)
        report = run_chase(
            session=session,
            catalog=catalog,
            policy=policy,
            calendar=app.calendar(catalog),
            setup=setup,
            transport=app.transport() if send and not dry_run else None,  # none: queue (or list) only
            now=at,
            only=only,
            dry_run=dry_run,
            force_stage=force_stage,
            limit=app.settings.smtp_rate_limit,
            worker=worker_id(),
            workers=app.settings.compose_workers,
        )
        if audit is not None:
            session.commit()  # nothing was due (submitted, excused, paused): the request is still on record
        return report


def _nothing_to_do(app: App, catalog: Catalog, policy: PolicyFile, at: dt.datetime) -> bool:
    """Whether a chase at ``at`` certainly has nothing to do: no reminder may go out then under any policy (a day
    off, or outside office hours), and the outbox has nothing to send or put back (a SQLite outbox, asked without
    an engine). Then the full run would plan nothing, queue nothing and send nothing; any doubt says no. A missing
    HMAC secret is still reported (by the full run)."""
    from dondoc.db.idle import outbox_idle

    key = app.settings.hmac_key
    if key is None or not key.get_secret_value():
        return False
    local = at.astimezone(ZoneInfo(app.settings.timezone)).replace(tzinfo=None)
    return not may_remind(policy, local, app.calendar(catalog)) and outbox_idle(app.settings.effective_database_url)


def remind(
    app: App, agency_id: str, deadline_id: int, *, reason: str, actor: str, now: dt.datetime | None = None
) -> ChaseReport:
    """Send one reminder for a deadline now, outside the schedule (a stage of its own, named by the moment);
    audited with ``reason`` and the stage (the report's ``planned`` is empty when nothing was due: submitted,
    excused, paused). ``UsageError`` for a blank reason."""
    if not (reason or "").strip():
        raise UsageError("a reason is required")
    at = moment(app, now)
    stage = f"manual@{at.astimezone(dt.UTC):%Y%m%dT%H%M%S}"
    return _chase(
        app,
        now=at,
        only=ChaseFilter(agency=agency_id, deadline=deadline_id),
        force_stage=stage,
        audit=dict(
            actor=actor, action="remind", reason=reason, deadline_id=deadline_id, agency_id=agency_id, stage=stage
        ),
    )


def deliver_outbox(
    app: App, *, now: dt.datetime | None = None, report: ChaseReport | None = None, limit: int | None = None
) -> ChaseReport:
    """Send what the outbox holds (up to ``limit``, else the rate limit), recording each answer into ``report``."""
    from dondoc.db.outbox import worker_id

    report = report if report is not None else ChaseReport()
    with app.session() as session:
        asyncio.run(
            deliver(
                session,
                app.transport(),
                worker_id(),
                moment(app, now),
                app.settings.smtp_rate_limit if limit is None else limit,
                report,
            )
        )
    return report

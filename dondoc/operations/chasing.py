"""Operations that send reminders: chase, remind, deliver the outbox.

Light to import: :func:`idle_chase` answers a chase with nothing to do
before the configuration, SQLAlchemy or the planning code are loaded
(docs/chasing.md, "Nothing to do"); the other operations import them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dondoc.chase_report import ChaseFilter, ChaseReport
from dondoc.errors import NotFound, UsageError
from dondoc.operations._clock import moment

if TYPE_CHECKING:
    from dondoc.model import Catalog
    from dondoc.policy import PolicyFile
    from dondoc.wiring import App

log = logging.getLogger("dondoc.chase")

__all__ = ["IdleChase", "chase", "deliver_outbox", "idle_chase", "remind"]


@dataclass
class IdleChase:
    """A chase that had nothing to do: its (empty) report, and the language of tables the environment asks for."""

    lang: str
    report: ChaseReport = field(default_factory=ChaseReport)


def idle_chase(now: dt.datetime | None = None, environ: Mapping[str, str] = os.environ) -> IdleChase | None:
    """A chase of every deadline at ``now`` (the clock's if not given) that certainly has nothing to do, answered
    from the environment and one read of the database: the last full chase, under the same settings,
    configuration and code (:func:`dondoc.horizon.surroundings`), stored a horizon later than ``now`` that no change
    has voided since, and the outbox has nothing to send or put back. ``None`` whenever unsure: then
    :func:`chase` decides, and stores the horizon for the next one."""
    from dondoc.db.idle import before_horizon
    from dondoc.horizon import surroundings

    found = surroundings(environ)
    if found is None or not before_horizon(found.database_url, found.key, now or dt.datetime.now(dt.UTC)):
        return None
    return IdleChase(found.lang)


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
    # SQLAlchemy, the tables and the planning code: imported once there is something to do
    from dondoc.chase import run_chase
    from dondoc.db.horizon import claim, settle
    from dondoc.db.outbox import worker_id
    from dondoc.db.tables import DeadlineRow
    from dondoc.operations._audit import record

    setup = app.mail_setup()
    only = only or ChaseFilter()
    everything = only == ChaseFilter() and not dry_run and force_stage is None and audit is None
    key = _horizon_key(app) if everything else None
    with app.session() as session:
        token = claim(session, key, at) if key is not None else None
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
            horizon=token is not None,
        )
        if token is not None:
            settle(session, token, report.horizon)
        if audit is not None:
            session.commit()  # nothing was due (submitted, excused, paused): the request is still on record
        return report


def _horizon_key(app: App) -> str | None:
    """The key to store a horizon under, when :func:`idle_chase` can read it back: a SQLite database, and settings
    that are the environment's as :func:`dondoc.horizon.surroundings` reads it (same database, same configuration
    folder, same time zone). ``None`` otherwise: no horizon is stored (PostgreSQL always takes the full path)."""
    from dondoc.horizon import surroundings

    settings = app.settings
    if not settings.effective_database_url.startswith("sqlite:///"):
        return None
    found = surroundings()
    if (
        found is None
        or found.database_url != settings.effective_database_url
        or found.config_dir.resolve() != settings.config_dir.resolve()
        or found.timezone != settings.timezone
    ):
        return None
    return found.key


def _nothing_to_do(app: App, catalog: Catalog, policy: PolicyFile, at: dt.datetime) -> bool:
    """Whether a chase at ``at`` certainly has nothing to do: no reminder may go out then under any policy (a day
    off, or outside office hours), and the outbox has nothing to send or put back (a SQLite outbox, asked without
    an engine). Then the full run would plan nothing, queue nothing and send nothing; any doubt says no. A missing
    HMAC secret is still reported (by the full run)."""
    from zoneinfo import ZoneInfo

    from dondoc.db.idle import outbox_idle
    from dondoc.policy import may_remind

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
    import asyncio

    from dondoc.db.outbox import worker_id
    from dondoc.delivery import deliver

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

"""Operations on deadlines and agencies: sync, pause, extend, excuse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from dondoc import controls
from dondoc.chase import ChasePreview, preview_chase
from dondoc.db.tables import DeadlineRow, PauseRow
from dondoc.operations._audit import locked, record
from dondoc.operations._clock import moment
from dondoc.sync import SyncReport, sync_catalog
from dondoc.wiring import App

__all__ = ["SyncResult", "excuse", "extend", "pause", "sync"]


@dataclass
class SyncResult:
    """What a sync changed, and (when asked) what the next chase would send."""

    report: SyncReport
    next_chase: ChasePreview | None = None


def sync(app: App, *, now: dt.datetime | None = None, preview: bool = True) -> SyncResult:
    """Load config/ (``ConfigError`` if invalid) and materialise deadlines up to the horizon, in one transaction."""
    catalog, policy = app.catalog(), app.policy()
    at = moment(app, now)
    with app.session() as session:
        report = sync_catalog(
            catalog, session=session, now=at, horizon_days=policy.horizon_days, timezone=app.settings.timezone
        )
        ahead = (
            preview_chase(session, catalog, policy, app.calendar(catalog), at, app.settings.timezone)
            if preview
            else None
        )
    return SyncResult(report, ahead)


def pause(
    app: App, agency_id: str, *, until: dt.date, reason: str, actor: str, now: dt.datetime | None = None
) -> PauseRow:
    """No reminder to ``agency_id`` until ``until`` (``NotFound`` for an unknown agency); audited."""
    with app.session() as session:
        record(
            session, actor=actor, action="pause", at=moment(app, now), reason=reason, agency_id=agency_id, until=until
        )
        return controls.pause(session, agency_id, until, reason)


def extend(
    app: App, deadline_id: int, *, to: dt.date, reason: str, actor: str, now: dt.datetime | None = None
) -> DeadlineRow:
    """Move an open deadline's last day to ``to``; later reminders quote ``reason``; audited."""
    with app.session() as session:
        _audited(session, deadline_id, actor=actor, action="extend", at=moment(app, now), reason=reason, to=to)
        return controls.extend(session, deadline_id, to, reason)


def excuse(app: App, deadline_id: int, *, reason: str, actor: str, now: dt.datetime | None = None) -> DeadlineRow:
    """The agency no longer owes this report: no more reminders, out of the denominator; audited."""
    with app.session() as session:
        _audited(session, deadline_id, actor=actor, action="excuse", at=moment(app, now), reason=reason)
        return controls.excuse(session, deadline_id, reason)


def _audited(session: Session, deadline_id: int, **event: Any) -> None:
    """The audit event of an action on a deadline, with its agency and previous state (nothing for an unknown
    deadline: the action raises ``NotFound`` next)."""
    deadline = locked(session, DeadlineRow, deadline_id)
    if deadline is not None:
        record(
            session,
            deadline_id=deadline_id,
            agency_id=deadline.agency_id,
            was=deadline.status,
            last_day=deadline.extended_to or deadline.last_day,
            **event,
        )

"""Operations that tell where the season stands: the status overview and the weekly digest."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dondoc import status as state
from dondoc.delivery import Delivered
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = ["Digest", "Status", "digest", "status"]


@dataclass
class Status:
    """The overview as of ``today`` (in the configured time zone)."""

    today: dt.date
    overview: state.Overview


@dataclass
class Digest:
    """The weekly digests newly queued, and what sending the outbox gave."""

    queued: int
    mails: Delivered


def status(app: App, *, now: dt.datetime | None = None, ahead: int = 30) -> Status:
    """Per plan and open period (overdue or due within ``ahead`` days): who reported, on time, late, missing."""
    today = moment(app, now).astimezone(ZoneInfo(app.settings.timezone)).date()
    catalog, policy = app.catalog(), app.policy()
    with app.session() as session:
        return Status(today, state.overview(session, catalog, today, ahead, policy=policy))


def digest(app: App, *, now: dt.datetime | None = None) -> Digest:
    """Queue this week's digest for each coordinating agency (once per ISO week) and send the outbox."""
    queued, mails = state.send_digests(app, moment(app, now))
    return Digest(queued, mails)

"""What a chase is asked and what it answers: the filter, the reminders planned, the report.

Light (the standard library and :mod:`dondoc.delivery`'s counts): a chase
with nothing to do answers with an empty :class:`ChaseReport` without
loading the planning code (docs/chasing.md, "Nothing to do").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dondoc.delivery import Delivered

__all__ = ["ChaseFilter", "ChaseReport", "PlannedReminder"]


@dataclass(frozen=True)
class ChaseFilter:
    """Restrict a run to a plan, obligation, period or agency (all optional)."""

    plan: str | None = None
    obligation: str | None = None
    period: str | None = None
    agency: str | None = None
    deadline: int | None = None


@dataclass(frozen=True)
class PlannedReminder:
    """A reminder a chase run composed (and queued, unless a dry run): whom, for which deadline and stage."""

    deadline: int
    agency: str
    plan: str
    obligation: str
    period: str
    stage: str
    escalate: bool
    subject: str
    to: list[str]


@dataclass
class ChaseReport(Delivered):
    """What a chase run did, per reminder: what it planned, queued and skipped, and (from :class:`Delivered`) what
    the mail server answered."""

    planned: list[PlannedReminder] = field(default_factory=list)
    queued: int = 0
    skipped: list[dict] = field(default_factory=list)
    samples: list[dict] = field(default_factory=list)  # a dry run: one rendered mail per stage
    # a run asked for it (every deadline, queued and not a dry run): the earliest moment (UTC) a reminder may next
    # fall due, later than the run's moment (dondoc.chase.NEVER when none will); None when one is still due (skipped)
    horizon: dt.datetime | None = None

    def as_dict(self) -> dict:
        return {
            "planned": len(self.planned),
            "queued": self.queued,
            **super().as_dict(),
            "skipped": len(self.skipped),
        }

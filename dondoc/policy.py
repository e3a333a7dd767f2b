"""The reminder policy: when agencies are reminded and chased. Pure.

``config/policy.yaml`` holds a default, per-plan and per-obligation
overrides. Offsets count *working days* before the last day; overdue
reminders repeat every N working days, at most M times; from a given overdue
step the agency's head and the coordinator's leader are copied. Mail goes
out only on working days, within office hours, outside quiet periods.

Chasing has a lower bound: a deadline whose last day is more than
``stale_after_days`` in the past, or before its plan's ``chase_from``, is
never chased by the schedule (:func:`unchased_reason`); ``dondoc status`` and
the digest list it instead. A first run on a database full of old deadlines
therefore mails nothing about them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dondoc.workdays import WorkCalendar

__all__ = [
    "DeadlineState",
    "Overdue",
    "Policy",
    "PolicyFile",
    "QuietPeriod",
    "Reminder",
    "Unchased",
    "due_reminders",
    "may_remind",
    "next_chase_moment",
    "next_due",
    "stages",
    "unchased_reason",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Overdue(_Model):
    """Reminders after the last day: every ``every`` working days, at most ``max``."""

    every: int = Field(default=3, ge=1)
    max: int = Field(default=3, ge=0)


class QuietPeriod(_Model):
    """Days when no reminder is sent (e.g. around Tết), as ``dd/mm`` each year."""

    start: str = Field(pattern=r"^\d{1,2}/\d{1,2}$")
    end: str = Field(pattern=r"^\d{1,2}/\d{1,2}$")
    reason: str


class Policy(_Model):
    """One reminder policy."""

    before: list[int] = Field(default=[10, 3], description="working days before the last day")
    on_the_day: bool = True
    overdue: Overdue = Overdue()
    escalate_from: int = Field(default=2, ge=1, description="overdue step from which heads are copied")
    office_hours: tuple[dt.time, dt.time] = (dt.time(8, 0), dt.time(16, 30))
    quiet: list[QuietPeriod] = []
    stale_after_days: int = Field(
        default=30, ge=1, le=3660, description="no automatic reminder once the last day is this many days past"
    )

    @model_validator(mode="after")
    def _sane(self) -> Policy:
        if any(n <= 0 for n in self.before):
            raise ValueError("'before' counts working days before the last day: use positive numbers")
        if len(set(self.before)) != len(self.before):
            raise ValueError("'before' lists the same offset twice")
        if self.office_hours[0] >= self.office_hours[1]:
            raise ValueError("office hours end before they start")
        return self


class PolicyFile(_Model):
    """``config/policy.yaml``: the default and its overrides."""

    default: Policy = Policy()
    plans: dict[str, Policy] = {}
    obligations: dict[str, Policy] = Field(default={}, description="keys are 'plan-id/obligation-id'")
    horizon_days: int = Field(default=400, ge=1, description="how far ahead sync materialises deadlines")

    def for_obligation(self, plan_id: str, obligation_id: str) -> Policy:
        """The policy that applies: the obligation's, else the plan's, else the default."""
        return self.obligations.get(f"{plan_id}/{obligation_id}") or self.plans.get(plan_id) or self.default


@dataclass(frozen=True, slots=True)
class DeadlineState:
    """What the policy needs to know of a deadline (built from the database by the caller)."""

    id: int
    plan_id: str
    obligation_id: str
    last_day: dt.date
    open: bool
    sent_stages: frozenset[str] = frozenset()
    paused_until: dt.date | None = None
    chase_from: dt.date | None = None  # the plan's ``chase_from``


class Unchased(StrEnum):
    """Why the schedule does not chase an open deadline at all."""

    STALE = "stale"  # quá hạn lâu: the last day is more than ``stale_after_days`` past
    BEFORE_CHASE_FROM = "before-chase-from"  # the last day is before the plan's ``chase_from``


def unchased_reason(
    last_day: dt.date, today: dt.date, policy: Policy, chase_from: dt.date | None = None
) -> Unchased | None:
    """Why a deadline with this last day (an extension included) is never chased automatically, or None."""
    if chase_from is not None and last_day < chase_from:
        return Unchased.BEFORE_CHASE_FROM
    if (today - last_day).days > policy.stale_after_days:
        return Unchased.STALE
    return None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A reminder due now: which deadline, which stage, whether heads are copied."""

    deadline_id: int
    stage: str
    on: dt.date
    overdue: int
    escalate: bool


def stages(last_day: dt.date, policy: Policy, calendar: WorkCalendar) -> list[tuple[str, dt.date, int]]:
    """Every stage of a deadline as ``(stage id, day, overdue step)``, in time order.

    ``before-10`` is 10 working days before the last day; ``due`` the last
    day; ``overdue-k`` the k-th reminder after it, every ``overdue.every``
    working days. Stage ids carry the last day (``due@2021-05-19``): when the
    last day moves (an extension, a changed plan), a new series begins.
    """
    suffix = f"@{last_day.isoformat()}"
    result = [
        (f"before-{n}{suffix}", calendar.add_working_days(last_day, -n), 0) for n in sorted(policy.before, reverse=True)
    ]
    if policy.on_the_day:
        result.append((f"due{suffix}", last_day, 0))
    result += [
        (f"overdue-{k}{suffix}", calendar.add_working_days(last_day, k * policy.overdue.every), k)
        for k in range(1, policy.overdue.max + 1)
    ]
    return result


def _quiet(day: dt.date, policy: Policy) -> bool:
    for period in policy.quiet:
        start = _day_month(period.start, day.year)
        end = _day_month(period.end, day.year)
        inside = start <= day <= end if start <= end else (day >= start or day <= end)
        if inside:
            return True
    return False


def _day_month(text: str, year: int) -> dt.date:
    day, month = (int(x) for x in text.split("/"))
    return dt.date(year, month, day)


def due_reminders(
    deadlines: list[DeadlineState],
    policy_for: Callable[[str, str], Policy],
    now: dt.datetime,
    calendar: WorkCalendar,
) -> list[Reminder]:
    """The reminders to send at ``now`` (local time of the offices).

    Nothing on a day off, outside office hours or in a quiet period; nothing
    for a deadline that is not open, is paused, or is out of the chase
    window (:func:`unchased_reason`: long overdue, or before the plan's
    ``chase_from``). Of the stages that have come
    due and were not sent, only the latest is sent (a run that missed days
    does not send a stale "10 days left"), and never one older than a stage
    already sent.
    """
    today = now.date()
    if not calendar.is_working_day(today):
        return []
    result = []
    # the deadlines of a period share a few last days and policies: each series of stages is computed once
    # (keyed by the policy's identity, and holding the policy, so that the key stays its own)
    came_due_for: dict[tuple[dt.date, int], tuple[Policy, list[tuple[str, dt.date, int]]]] = {}
    for deadline in deadlines:
        if not deadline.open or (deadline.paused_until is not None and today <= deadline.paused_until):
            continue
        policy = policy_for(deadline.plan_id, deadline.obligation_id)
        if not _lets_out(policy, now):
            continue
        if unchased_reason(deadline.last_day, today, policy, deadline.chase_from) is not None:
            continue
        series = (deadline.last_day, id(policy))
        known = came_due_for.get(series)
        if known is None or known[0] is not policy:
            known = came_due_for[series] = (
                policy,
                [s for s in stages(deadline.last_day, policy, calendar) if s[1] <= today],
            )
        came_due = known[1]
        if not came_due:
            continue
        stage, day, step = came_due[-1]
        if stage not in deadline.sent_stages:
            result.append(Reminder(deadline.id, stage, day, step, step >= policy.escalate_from))
    return result


def _lets_out(policy: Policy, now: dt.datetime) -> bool:
    """Whether ``policy`` lets a reminder go out at ``now`` (local) of a working day: office hours, not quiet."""
    start, end = policy.office_hours
    return start <= now.time() < end and not _quiet(now.date(), policy)


def may_remind(policies: PolicyFile, now: dt.datetime, calendar: WorkCalendar) -> bool:
    """Whether a reminder may go out at ``now`` (local) under any policy of ``policies``: false on a day off, and
    outside the office hours (or in a quiet period) of the default and of every plan's and obligation's policy.
    When false, :func:`due_reminders` returns nothing, whatever the deadlines."""
    if not calendar.is_working_day(now.date()):
        return False
    return any(
        _lets_out(policy, now)
        for policy in (policies.default, *policies.plans.values(), *policies.obligations.values())
    )


def next_chase_moment(now: dt.datetime, calendar: WorkCalendar, policy: Policy) -> dt.datetime:
    """The first moment at or after ``now`` (local, naive) when ``policy`` lets a reminder go out.

    ``dondoc sync`` previews the chase at this moment: now, within office
    hours of a working day outside a quiet period; else the start of office
    hours of the next such day.
    """
    start, end = policy.office_hours
    day = now.date()
    if calendar.is_working_day(day) and not _quiet(day, policy) and now.time() < end:
        return max(now, dt.datetime.combine(day, start))
    for _ in range(370):
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day) and not _quiet(day, policy):
            return dt.datetime.combine(day, start)
    return dt.datetime.combine(day, start)  # a policy quiet all year: there is no next chase to preview


def next_due(
    deadlines: list[DeadlineState],
    policy_for: Callable[[str, str], Policy],
    now: dt.datetime,
    calendar: WorkCalendar,
) -> dt.datetime | None:
    """The earliest moment (local, naive) at or after ``now`` at which :func:`due_reminders` may return a reminder
    for ``deadlines`` as they stand (no stage queued, no pause, extension or deadline changed meanwhile); ``None``
    when it never will. ``now`` itself when a reminder is due now.

    Never later than the first moment a reminder is due, sometimes earlier
    (a stage already queued ahead of its day, a deadline that goes stale
    first): at every moment from ``now`` until the one returned,
    :func:`due_reminders` returns nothing. For each deadline: the moment its
    latest stage come due (or, when that one was queued, its next stage's day)
    is next let out by its policy, counted from the day after its pause.
    """
    today = now.date()
    earliest: dt.datetime | None = None
    series_of: dict[tuple[dt.date, int], tuple[Policy, list[tuple[str, dt.date, int]]]] = {}
    for deadline in deadlines:
        if not deadline.open:
            continue
        policy = policy_for(deadline.plan_id, deadline.obligation_id)
        if unchased_reason(deadline.last_day, today, policy, deadline.chase_from) is not None:
            continue  # stale or before chase_from: only more so later (a new last day is a change to the deadline)
        start = now
        if deadline.paused_until is not None and today <= deadline.paused_until:
            start = dt.datetime.combine(deadline.paused_until + dt.timedelta(days=1), dt.time())
        key = (deadline.last_day, id(policy))
        known = series_of.get(key)
        if known is None or known[0] is not policy:
            known = series_of[key] = (policy, stages(deadline.last_day, policy, calendar))
        series = known[1]
        came_due = [s for s in series if s[1] <= start.date()]
        if came_due and came_due[-1][0] not in deadline.sent_stages:
            at = start  # its latest stage is still to send: as soon as the policy lets it out
        else:
            later = min((day for _, day, _ in series if day > start.date()), default=None)
            if later is None:
                continue  # every stage came due and the latest was queued: nothing more for this deadline
            at = dt.datetime.combine(later, dt.time())
        moment = next_chase_moment(at, calendar, policy)
        if earliest is None or moment < earliest:
            earliest = moment
            if earliest <= now:
                return now
    return earliest

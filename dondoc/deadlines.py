"""From obligations to deadlines: periods, last days, links. Pure.

Each (obligation, agency, period) is one :class:`DeadlineSpec`. Its last day
comes from the plan's written date and rule (``before`` 20/5 → 19/5,
``by`` 20/5 → 20/5), moved to the next working day when it is a day off
(Civil Code 2015 art. 148). A consolidated obligation's deadline is never
before the deadlines it consolidates: if the calendar would put it earlier,
it is moved to the latest of theirs.

Agencies end (``dondoc.succession``). A period's report is owed by the agency
that holds the obligation's function on the later of the period's last day
and the deadline's last day: the agency named in the plan while it exists,
else its successor for that function (chains followed) — one deadline per
holder, however many dissolved agencies it took over from. An agency that
existed on the period's last day but ended before the deadline, with nobody
to take the function over, gets an excused deadline with the reason and its
basis; one that no longer existed on the period's last day gets none. When
the recipient has ended with no successor, the period's deadlines are excused
with that reason. So a period's denominator is the agencies that exist on its
last day (holders counted once), excused ones aside.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.rrule import MONTHLY, rrule

from dondoc.model import Directory, Every, Obligation, Plan, Rule, Schedule, Validity, WrittenDate
from dondoc.succession import Holder, Lapse, exists, holder, life
from dondoc.workdays import WorkCalendar

__all__ = ["Due", "DeadlineSpec", "Period", "dues", "last_day", "plan_deadlines", "written_last_day"]

_ROMAN = ("I", "II", "III", "IV")


@dataclass(frozen=True, slots=True)
class Period:
    """What a report covers: key ``2021-H1``, label "6 tháng đầu năm 2021"."""

    key: str
    label: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True, slots=True)
class Due:
    """A period of an obligation and the date the plan writes for it."""

    period: Period
    written: dt.date


@dataclass(frozen=True, slots=True)
class DeadlineSpec:
    """One deadline as config says it should be: what sync materialises."""

    plan_id: str
    obligation_id: str
    agency_id: str
    period_key: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    written_date: dt.date
    rule: Rule
    last_day: dt.date
    succeeds: tuple[str, ...] = ()
    excused: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The identity of a deadline across syncs."""
        return (self.plan_id, self.obligation_id, self.agency_id, self.period_key)


def _year(year: int) -> Period:
    return Period(str(year), f"năm {year}", dt.date(year, 1, 1), dt.date(year, 12, 31))


def _half(year: int, part: str) -> Period:
    if part == "Y":
        return _year(year)
    if part == "H1":
        return Period(f"{year}-H1", f"6 tháng đầu năm {year}", dt.date(year, 1, 1), dt.date(year, 6, 30))
    return Period(f"{year}-H2", f"6 tháng cuối năm {year}", dt.date(year, 7, 1), dt.date(year, 12, 31))


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return following - dt.timedelta(days=1)


def _day_in_month(first: dt.date, day: int) -> dt.date:
    """``day`` of the month starting at ``first``, clamped to the month's end."""
    return first.replace(day=min(day, _month_end(first).day))


def _monthly(schedule: Schedule, first: dt.date, last: dt.date) -> list[Due]:
    step = 3 if schedule.every is Every.QUARTER else 1
    starts = rrule(MONTHLY, interval=step, dtstart=dt.datetime(first.year, 1, 1), until=dt.datetime(last.year, 12, 31))
    result = []
    for start in (s.date() for s in starts):
        end_month = start.month + step - 1
        end = _month_end(dt.date(start.year, end_month, 1))
        due_month = dt.date(start.year, end_month, 1)
        for _ in range(schedule.months_after):
            due_month = _month_end(due_month) + dt.timedelta(days=1)
        written = _day_in_month(due_month, schedule.day or 1)
        if schedule.every is Every.QUARTER:
            quarter = (start.month - 1) // 3
            period = Period(f"{start.year}-Q{quarter + 1}", f"quý {_ROMAN[quarter]} năm {start.year}", start, end)
        else:
            period = Period(f"{start:%Y-%m}", f"tháng {start.month} năm {start.year}", start, end)
        result.append(Due(period, written))
    return result


def dues(schedule: Schedule, valid: Validity, until: dt.date) -> list[Due]:
    """The periods of ``schedule`` that fall in ``valid`` and are due by ``until``.

    A period counts when it overlaps the validity span and its written date
    is on or after ``schedule.since`` (if set) and no later than ``until``.
    Ad hoc obligations have no scheduled periods.
    """
    last = min(valid.end, until) if valid.end else until
    first_year, last_year = valid.start.year, max(last.year, valid.start.year)
    candidates: list[Due] = []
    if schedule.every is Every.ONCE:
        due = schedule.due
        assert isinstance(due, WrittenDate) and due.year is not None  # Schedule's validator: `once` has a full date
        written = due.in_year(due.year)
        candidates.append(Due(Period("once", f"hạn {written:%d/%m/%Y}", valid.start, written), written))
    elif schedule.every is Every.YEAR:
        for year in range(first_year, last_year + 2):
            written = schedule.due.in_year(year)  # type: ignore[union-attr]
            if schedule.due.year in (None, year):  # type: ignore[union-attr]
                candidates.append(Due(_year(year), written))
    elif schedule.every is Every.HALF_YEAR:
        for year in range(first_year, last_year + 2):
            for part, date in schedule.due.items():  # type: ignore[union-attr]
                if date.year in (None, year):
                    candidates.append(Due(_half(year, part), date.in_year(year)))
    elif schedule.every in (Every.QUARTER, Every.MONTH):
        candidates = _monthly(schedule, valid.start, dt.date(last_year + 1, 12, 31))
    selected = [
        due
        for due in candidates
        if due.period.end >= valid.start
        and (valid.end is None or due.period.start <= valid.end)
        and due.written <= until
        and (schedule.since is None or due.written >= schedule.since)
    ]
    return sorted(selected, key=lambda d: (d.written, d.period.key))


def written_last_day(written: dt.date, rule: Rule) -> dt.date:
    """The last day the plan's words allow, before any day off is considered."""
    return written - dt.timedelta(days=1) if rule is Rule.BEFORE else written


def last_day(written: dt.date, rule: Rule, calendar: WorkCalendar) -> dt.date:
    """The last day to submit: the rule applied, then moved off a day off (art. 148)."""
    return calendar.next_working_day(written_last_day(written, rule))


def _link_key(obligation: Obligation, period_key: str) -> str:
    # A one-off consolidation consolidates its one-off inputs whatever their dates.
    return "once" if obligation.schedule.every is Every.ONCE else period_key


def plan_deadlines(plan: Plan, directory: Directory, calendar: WorkCalendar, until: dt.date) -> list[DeadlineSpec]:
    """Every deadline of ``plan`` due by ``until``, consolidators after their inputs.

    Obligations are processed so that each consolidator comes after the
    obligations it consolidates (config checks rule out cycles).
    """
    done: dict[str, list[DeadlineSpec]] = {}
    pending = list(plan.obligations)
    while pending:
        ready = [o for o in pending if all(c in done for c in o.consolidates)]
        if not ready:
            raise ValueError(f"plan {plan.id}: obligations consolidate each other in a cycle")
        for obligation in ready:
            done[obligation.id] = _obligation_deadlines(plan, obligation, directory, calendar, until, done)
            pending.remove(obligation)
    return [spec for obligation in plan.obligations for spec in done[obligation.id]]


def _obligation_deadlines(
    plan: Plan,
    obligation: Obligation,
    directory: Directory,
    calendar: WorkCalendar,
    until: dt.date,
    done: dict[str, list[DeadlineSpec]],
) -> list[DeadlineSpec]:
    floors: dict[str, dt.date] = {}
    for input_id in obligation.consolidates:
        for spec in done[input_id]:
            key = _link_key(obligation, spec.period_key)
            floors[key] = max(floors.get(key, spec.last_day), spec.last_day)
    agencies = directory.expand(obligation.reporters)
    function = plan.function_of(obligation)
    specs: list[DeadlineSpec] = []
    for due in dues(obligation.schedule, plan.valid, until):
        day = last_day(due.written, obligation.rule, calendar)
        floor = floors.get(_link_key(obligation, due.period.key))
        if floor is not None and floor > day:
            day = floor
        recipient = holder(directory, obligation.recipient, function, day)
        closed = f"Cơ quan nhận báo cáo: {recipient.reason}" if isinstance(recipient, Lapse) else None
        owed: dict[str, tuple[tuple[str, ...], str | None]] = {}
        for agency_id, succeeds, lapse in _holders(directory, agencies, function, due.period.end, day):
            if isinstance(recipient, Holder) and agency_id == recipient.agency_id:
                continue  # an agency never reports to itself ("các sở, ban, ngành" with the coordinator among them)
            before, reason = owed.get(agency_id, ((), lapse))
            owed[agency_id] = (tuple(dict.fromkeys((*before, *succeeds))), reason if lapse and reason else None)
        specs.extend(
            DeadlineSpec(
                plan_id=plan.id,
                obligation_id=obligation.id,
                agency_id=agency_id,
                period_key=due.period.key,
                period_label=due.period.label,
                period_start=due.period.start,
                period_end=due.period.end,
                written_date=due.written,
                rule=obligation.rule,
                last_day=day,
                succeeds=succeeds,
                excused=lapse or closed,
            )
            for agency_id, (succeeds, lapse) in owed.items()
        )
    return specs


def _holders(
    directory: Directory, agencies: list[str], function: str | None, period_end: dt.date, day: dt.date
) -> list[tuple[str, tuple[str, ...], str | None]]:
    """``(holder, taken over from, lapse reason)`` for each reporter that owes the period (module docstring)."""
    reference = max(period_end, day)
    result: list[tuple[str, tuple[str, ...], str | None]] = []
    for agency_id in agencies:
        born = life(directory, agency_id).valid_from
        found = holder(directory, agency_id, function, reference)
        if found is None or (born is not None and born > period_end):
            continue
        if isinstance(found, Lapse):
            if exists(directory, agency_id, period_end):
                result.append((agency_id, (), found.reason))
            continue
        result.append((found.agency_id, found.succeeds, None))
    return result

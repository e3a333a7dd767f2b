"""The working-day calendar of Vietnamese public offices.

Pure: public holidays come from the ``holidays`` package (Tết by the lunar
calendar, compensatory days included); ``config/calendar/<year>.yaml`` adds
what it lacks: extra days off decided each year and the weekend days worked
in exchange (ngày làm bù). Civil Code 2015 art. 148: when the last day of a
term is a day off, the term ends at the end of the next working day — see
:meth:`WorkCalendar.next_working_day`.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from collections.abc import Iterable
from pathlib import Path

import holidays
from pydantic import BaseModel, ConfigDict, model_validator

__all__ = ["CalendarYear", "DayNote", "WorkCalendar", "WEEKDAYS_VI"]

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DayNote(_Model):
    """A date with the reason it is special and the document that says so."""

    date: dt.date
    reason: str
    source: str | None = None


class CalendarYear(_Model):
    """One ``config/calendar/<year>.yaml``: extra days off and swap working days."""

    year: int
    days_off: list[DayNote] = []
    working_days: list[DayNote] = []

    @model_validator(mode="after")
    def _consistent(self) -> CalendarYear:
        for kind, notes in (("days_off", self.days_off), ("working_days", self.working_days)):
            for note in notes:
                if note.date.year != self.year:
                    raise ValueError(f"{kind}: {note.date:%d/%m/%Y} is not in {self.year}")
        for note in self.working_days:
            if note.date.weekday() < 5:
                raise ValueError(
                    f"working_days: {note.date:%d/%m/%Y} is a {WEEKDAYS_VI[note.date.weekday()]}, "
                    "already a working day; a swap working day is a Saturday or Sunday"
                )
        clash = {n.date for n in self.days_off} & {n.date for n in self.working_days}
        if clash:
            day = min(clash)
            raise ValueError(f"{day:%d/%m/%Y} is both a day off and a working day")
        return self


def _vietnam_holidays() -> holidays.HolidayBase:
    """Vietnam's public holidays (in Vietnamese), loading only Vietnam's module of the ``holidays`` package.

    ``holidays.country_holidays("VN")`` and ``from holidays.countries.vietnam import Vietnam`` both run
    ``holidays/countries/__init__.py``, which imports every country (about 250 modules, a fifth of a second of
    a CLI command's start-up); Vietnam's module needs none of them, so it is loaded from its file alone. A
    package laid out otherwise falls back to the registry.
    """
    name = "holidays.countries.vietnam"
    module = sys.modules.get(name)
    if module is None:
        path = Path(holidays.__file__).parent / "countries" / "vietnam.py"
        spec = importlib.util.spec_from_file_location(name, path) if path.is_file() else None
        if spec is None or spec.loader is None:
            return holidays.country_holidays("VN", language="vi")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # a later `import holidays.countries` finds it loaded
        spec.loader.exec_module(module)
    calendar: holidays.HolidayBase = module.Vietnam(language="vi")
    return calendar


class WorkCalendar:
    """Answers "is this a working day?" for Vietnamese public offices.

    A day is off when it is a Saturday or Sunday, a public holiday, or a
    configured extra day off — unless it is a configured swap working day.
    """

    def __init__(self, years: Iterable[CalendarYear] = ()):
        self.years = list(years)  # kept, to build the same calendar in a worker process
        self._public = _vietnam_holidays()
        self._extra_off: dict[dt.date, str] = {}
        self._swap_on: dict[dt.date, str] = {}
        for year in self.years:
            self._extra_off.update({n.date: n.reason for n in year.days_off})
            self._swap_on.update({n.date: n.reason for n in year.working_days})
        self._cache: dict[dt.date, str | None] = {}

    def day_off_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is a day off, or ``None`` if it is a working day."""
        try:
            return self._cache[day]
        except KeyError:
            pass
        if day in self._swap_on:
            reason = None
        elif day in self._extra_off:
            reason = self._extra_off[day]
        elif (holiday := self._public.get(day)) is not None:
            reason = holiday
        elif day.weekday() >= 5:
            reason = WEEKDAYS_VI[day.weekday()]
        else:
            reason = None
        self._cache[day] = reason
        return reason

    def is_working_day(self, day: dt.date) -> bool:
        """True if public offices work on ``day``."""
        return self.day_off_reason(day) is None

    def swap_reason(self, day: dt.date) -> str | None:
        """Why a weekend ``day`` is worked, if it is a configured swap day."""
        return self._swap_on.get(day)

    def next_working_day(self, day: dt.date) -> dt.date:
        """``day`` itself if it is a working day, else the next one (art. 148)."""
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, day: dt.date, count: int) -> dt.date:
        """The working day ``count`` working days after ``day`` (before, if negative)."""
        step = dt.timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]`` (negative when ``end`` is before ``start``)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def year(self, year: int) -> list[tuple[dt.date, str | None, str | None]]:
        """Every day of ``year`` as ``(date, why it is off or None, why it is worked or None)``."""
        day, days = dt.date(year, 1, 1), []
        while day.year == year:
            days.append((day, self.day_off_reason(day), self.swap_reason(day)))
            day += dt.timedelta(days=1)
        return days

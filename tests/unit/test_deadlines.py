"""Periods, keys and labels for every schedule; consolidators after their inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.deadlines import dues, plan_deadlines
from dondoc.model import Area, Directory, Plan, Schedule, Validity
from dondoc.workdays import WorkCalendar

D = dt.date
YEAR_2021 = Validity(start=D(2021, 1, 1), end=D(2021, 12, 31))


def keys(schedule: dict, valid=YEAR_2021, until=D(2030, 1, 1)):  # noqa: B008 — a date is immutable
    return [(d.period.key, d.period.label, d.written) for d in dues(Schedule.model_validate(schedule), valid, until)]


def test_half_year_gives_the_six_month_and_the_annual_period():
    assert keys({"every": "half-year", "due": {"H1": "20/5", "Y": "15/11"}}) == [
        ("2021-H1", "6 tháng đầu năm 2021", D(2021, 5, 20)),
        ("2021", "năm 2021", D(2021, 11, 15)),
    ]


def test_once_year_quarter_month():
    assert keys({"every": "once", "due": "10/7/2021"}) == [("once", "hạn 10/07/2021", D(2021, 7, 10))]
    assert keys({"every": "year", "due": "30/11"}, Validity(start=D(2021, 7, 5), end=D(2025, 12, 31))) == [
        (str(y), f"năm {y}", D(y, 11, 30)) for y in range(2021, 2026)
    ]
    quarters = keys({"every": "quarter", "day": 20})
    assert [q[0] for q in quarters] == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4"]
    assert quarters[1] == ("2021-Q2", "quý II năm 2021", D(2021, 6, 20))
    months = keys({"every": "month", "day": 31, "months_after": 1})
    assert months[0] == ("2021-01", "tháng 1 năm 2021", D(2021, 2, 28))  # clamped to the month's end
    assert months[-1] == ("2021-12", "tháng 12 năm 2021", D(2022, 1, 31))
    assert keys({"every": "ad-hoc"}) == []


def test_validity_horizon_and_since_bound_the_periods():
    open_ended = Validity(start=D(2020, 12, 7))
    assert [k for k, _, _ in keys({"every": "year", "due": "15/12"}, open_ended, until=D(2023, 1, 1))] == [
        "2020",
        "2021",
        "2022",
    ]
    assert [
        k for k, _, _ in keys({"every": "year", "due": "15/12", "since": "2021-01-01"}, open_ended, until=D(2023, 1, 1))
    ] == ["2021", "2022"]
    # a programme that starts in August has no first-half report that year
    aug = Validity(start=D(2016, 8, 17), end=D(2020, 12, 31))
    assert keys({"every": "half-year", "due": {"H1": "15/6", "Y": "15/12"}}, aug)[0][0] == "2016"
    # a pinned year only yields that year
    assert keys({"every": "year", "due": "20/11/2021"}, Validity(start=D(2021, 1, 1))) == [
        ("2021", "năm 2021", D(2021, 11, 20))
    ]


def _plan(consolidator_due: str) -> tuple[Plan, Directory]:
    area = Area.model_validate(
        {
            "area": "x",
            "name": "X",
            "agencies": [
                {"id": "x.a", "name": "A", "level": "district"},
                {"id": "x.so", "name": "Sở", "level": "province"},
                {"id": "x.ubnd", "name": "UBND", "level": "province"},
            ],
        }
    )
    common = {"kind": "period-report", "rule": "by", "quote": "q", "source": {"file": "f"}}
    plan = Plan.model_validate(
        {
            "id": "p",
            "title": "P",
            "issuer": "x.ubnd",
            "area": "x",
            "coordinator": "x.so",
            "source": {"file": "f"},
            "valid": {"start": "2030-01-01", "end": "2030-12-31"},
            "obligations": [
                {
                    "id": "in",
                    "title": "in",
                    "reporters": ["x.a"],
                    "recipient": "x.so",
                    "schedule": {"every": "year", "due": "11/5"},
                    **common,
                },
                {
                    "id": "out",
                    "title": "out",
                    "reporters": ["x.so"],
                    "recipient": "x.ubnd",
                    "consolidates": ["in"],
                    "schedule": {"every": "year", "due": consolidator_due},
                    **common,
                },
            ],
        }
    )
    return plan, Directory([area])


def test_a_consolidator_is_never_due_before_its_inputs():
    # 11/5/2030 is a Saturday; with a swap working day it stays the last day of the
    # input, while the consolidator's 10/5 (Friday) would come first: it waits.
    from dondoc.workdays import CalendarYear

    calendar = WorkCalendar([CalendarYear(year=2030, working_days=[{"date": "2030-05-11", "reason": "làm bù"}])])
    plan, directory = _plan("10/5")
    specs = {s.obligation_id: s.last_day for s in plan_deadlines(plan, directory, calendar, D(2031, 1, 1))}
    assert specs == {"in": D(2030, 5, 11), "out": D(2030, 5, 11)}


def test_consolidation_cycles_are_refused():
    plan, directory = _plan("20/5")
    cyclic = plan.model_copy(
        update={"obligations": [plan.obligations[0].model_copy(update={"consolidates": ["out"]}), plan.obligations[1]]}
    )
    with pytest.raises(ValueError, match="cycle"):
        plan_deadlines(cyclic, directory, WorkCalendar(), D(2031, 1, 1))

"""Working days and last days: the rules of docs/findings.md ("Calendar"), by example and by property."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dondoc.deadlines import last_day, written_last_day
from dondoc.model import Rule
from dondoc.workdays import CalendarYear, WorkCalendar

D = dt.date
CAL = WorkCalendar()


def test_weekends_and_holidays_are_days_off():
    assert CAL.is_working_day(D(2021, 11, 12))  # Friday
    assert CAL.day_off_reason(D(2021, 11, 13)) == "Thứ Bảy"
    assert CAL.day_off_reason(D(2021, 11, 14)) == "Chủ nhật"
    assert CAL.day_off_reason(D(2021, 9, 2)) == "Quốc khánh"
    assert not CAL.is_working_day(D(2021, 2, 12))  # Tết Nguyên đán (lunar new year)
    assert not CAL.is_working_day(D(2021, 2, 15))


def test_before_means_the_day_before_and_by_means_the_day_itself():
    assert written_last_day(D(2021, 5, 20), Rule.BEFORE) == D(2021, 5, 19)
    assert written_last_day(D(2021, 5, 20), Rule.BY) == D(2021, 5, 20)
    assert last_day(D(2021, 5, 20), Rule.BEFORE, CAL) == D(2021, 5, 19)  # a Wednesday


def test_a_last_day_on_a_sunday_moves_to_monday():
    # 000: "trước ngày 15/11" 2021 → 14/11/2021 is a Sunday → Monday 15/11/2021.
    assert last_day(D(2021, 11, 15), Rule.BEFORE, CAL) == D(2021, 11, 15)


def test_a_last_day_in_tet_moves_past_tet():
    # by 12/2/2021 (Tết) → the first working day after the holiday, Wednesday 17/2/2021.
    assert last_day(D(2021, 2, 12), Rule.BY, CAL) == D(2021, 2, 17)


def test_configured_day_off_and_swap_working_day():
    year = CalendarYear(
        year=2030,
        days_off=[{"date": "2030-05-03", "reason": "Nghỉ bù"}],
        working_days=[{"date": "2030-05-11", "reason": "Làm bù cho 03/05"}],
    )
    cal = WorkCalendar([year])
    assert cal.day_off_reason(D(2030, 5, 3)) == "Nghỉ bù"
    assert cal.is_working_day(D(2030, 5, 11))  # a Saturday worked
    assert last_day(D(2030, 5, 3), Rule.BY, cal) == D(2030, 5, 6)
    assert last_day(D(2030, 5, 11), Rule.BY, cal) == D(2030, 5, 11)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"year": 2030, "working_days": [{"date": "2030-05-08", "reason": "x"}]}, "already a working day"),
        ({"year": 2030, "days_off": [{"date": "2031-01-02", "reason": "x"}]}, "is not in 2030"),
    ],
)
def test_calendar_year_rejects_inconsistent_days(data, message):
    with pytest.raises(ValueError, match=message):
        CalendarYear.model_validate(data)


def test_working_day_arithmetic():
    friday = D(2021, 11, 12)
    assert CAL.add_working_days(friday, 1) == D(2021, 11, 15)
    assert CAL.add_working_days(D(2021, 11, 15), -1) == friday
    assert CAL.working_days_between(friday, D(2021, 11, 19)) == 5
    assert CAL.working_days_between(D(2021, 11, 19), friday) == -5


dates = st.dates(min_value=D(2016, 1, 1), max_value=D(2027, 12, 31))
rules = st.sampled_from(list(Rule))


@settings(max_examples=300, deadline=None)
@given(dates, rules)
def test_last_day_is_a_working_day_never_earlier_than_written_and_idempotent(written, rule):
    day = last_day(written, rule, CAL)
    assert CAL.is_working_day(day)
    assert day >= written_last_day(written, rule)
    assert CAL.next_working_day(day) == day
    # nothing between the written last day and the computed one is a working day
    probe = written_last_day(written, rule)
    while probe < day:
        assert not CAL.is_working_day(probe)
        probe += dt.timedelta(days=1)


@settings(max_examples=300, deadline=None)
@given(dates, dates, rules)
def test_last_day_is_monotonic_in_the_written_date(a, b, rule):
    early, late = min(a, b), max(a, b)
    assert last_day(early, rule, CAL) <= last_day(late, rule, CAL)

"""The reminder policy: which reminders are due at a given moment. Pure, by example and by property."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dondoc.policy import (
    DeadlineState,
    Policy,
    PolicyFile,
    QuietPeriod,
    Unchased,
    due_reminders,
    next_chase_moment,
    stages,
    unchased_reason,
)
from dondoc.workdays import WorkCalendar

CAL = WorkCalendar()
POLICY = Policy()
LAST = dt.date(2021, 5, 19)  # Wednesday


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


def deadline(**changes) -> DeadlineState:
    values = dict(id=1, plan_id="p", obligation_id="o", last_day=LAST, open=True)
    return DeadlineState(**{**values, **changes})


def due(moment, state=None, policy=POLICY):
    return due_reminders([state or deadline()], lambda p, o: policy, moment, CAL)


def test_the_stages_of_a_default_policy():
    assert [(s, d.isoformat(), k) for s, d, k in stages(LAST, POLICY, CAL)] == [
        ("before-10@2021-05-19", "2021-05-05", 0),  # 30/4, 1/5 and 3/5 (observed) are days off
        ("before-3@2021-05-19", "2021-05-14", 0),
        ("due@2021-05-19", "2021-05-19", 0),
        ("overdue-1@2021-05-19", "2021-05-24", 1),
        ("overdue-2@2021-05-19", "2021-05-27", 2),
        ("overdue-3@2021-05-19", "2021-06-01", 3),
    ]


def test_a_reminder_is_due_on_its_day_within_office_hours_only():
    [reminder] = due(at(dt.date(2021, 5, 5)))
    assert (reminder.stage, reminder.escalate) == ("before-10@2021-05-19", False)
    assert due(at(dt.date(2021, 5, 5), hour=7)) == []  # before office hours
    assert due(at(dt.date(2021, 5, 5), hour=17)) == []  # after office hours
    assert due(at(dt.date(2021, 5, 4))) == []  # nothing came due yet


def test_a_missed_day_sends_only_the_latest_stage():
    [reminder] = due(at(dt.date(2021, 5, 18)))
    assert reminder.stage == "before-3@2021-05-19"
    assert due(at(dt.date(2021, 5, 18)), deadline(sent_stages=frozenset({"before-3@2021-05-19"}))) == []


def test_escalation_from_the_second_overdue_reminder():
    assert due(at(dt.date(2021, 5, 24)))[0].escalate is False
    [second] = due(at(dt.date(2021, 5, 27)))
    assert (second.stage, second.overdue, second.escalate) == ("overdue-2@2021-05-19", 2, True)


def test_no_reminder_for_submitted_paused_or_quiet():
    day = at(dt.date(2021, 5, 19))
    assert due(day, deadline(open=False)) == []
    assert due(day, deadline(paused_until=dt.date(2021, 5, 20))) == []
    assert due(day, policy=Policy(quiet=[QuietPeriod(start="18/5", end="20/5", reason="x")])) == []
    assert due(at(dt.date(2021, 5, 22))) == []  # Saturday


def test_policy_overrides():
    special = Policy(before=[5])
    file = PolicyFile(plans={"p": special}, obligations={"p/x": Policy(before=[1])})
    assert file.for_obligation("p", "o") is special
    assert file.for_obligation("p", "x").before == [1]
    assert file.for_obligation("q", "o") is file.default


days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2022, 12, 31))
hours = st.integers(min_value=0, max_value=23)


@settings(max_examples=200, deadline=None)
@given(days, days, hours, st.booleans())
def test_properties(last_day, today, hour, is_open):
    state = deadline(last_day=CAL.next_working_day(last_day), open=is_open)
    reminders = due(at(today, hour), state)
    if not is_open or not CAL.is_working_day(today):
        assert reminders == []  # a submitted deadline, or a day off: nothing
    for reminder in reminders:
        assert reminder.on <= today
        # sending it and asking again the same day yields nothing: each stage at most once
        again = due(at(today, hour), deadline(last_day=state.last_day, sent_stages=frozenset({reminder.stage})))
        assert again == []


@settings(max_examples=100, deadline=None)
@given(days)
def test_a_season_sends_each_stage_at_most_once_and_only_on_working_days(last_day):
    state = deadline(last_day=CAL.next_working_day(last_day))
    sent: list[tuple[str, dt.date]] = []
    day = state.last_day - dt.timedelta(days=30)
    while day <= state.last_day + dt.timedelta(days=40):
        for reminder in due(at(day), deadline(last_day=state.last_day, sent_stages=frozenset(s for s, _ in sent))):
            sent.append((reminder.stage, day))
        day += dt.timedelta(days=1)
    assert len({s for s, _ in sent}) == len(sent) == 6
    assert all(CAL.is_working_day(d) for _, d in sent)


# -- the lower bound of chasing: a first run never mails about long-past deadlines ----------------------


def test_no_reminder_once_the_last_day_is_more_than_stale_after_days_past():
    # 33 days after the last day the overdue series is long over; with a long series it would still be "due"
    long_series = Policy(overdue={"every": 3, "max": 30})
    assert due(at(dt.date(2021, 6, 18)), policy=long_series)  # 30 days after 19/5: still chased
    assert due(at(dt.date(2021, 6, 21)), policy=long_series) == []  # 33 days: not any more
    assert due(at(dt.date(2021, 6, 21)), policy=long_series.model_copy(update={"stale_after_days": 40}))


def test_unchased_reason_names_stale_and_chase_from():
    policy = Policy()
    assert unchased_reason(LAST, LAST + dt.timedelta(days=30), policy) is None
    assert unchased_reason(LAST, LAST + dt.timedelta(days=31), policy) is Unchased.STALE
    assert unchased_reason(LAST, LAST, policy, chase_from=dt.date(2021, 6, 1)) is Unchased.BEFORE_CHASE_FROM
    assert unchased_reason(LAST, LAST, policy, chase_from=LAST) is None


def test_chase_from_stops_reminders_for_earlier_last_days():
    assert due(at(dt.date(2021, 5, 5)), deadline(chase_from=dt.date(2021, 5, 20))) == []
    assert due(at(dt.date(2021, 5, 5)), deadline(chase_from=dt.date(2021, 5, 19)))


@settings(max_examples=200, deadline=None)
@given(
    st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)),
    st.dates(dt.date(2016, 1, 1), dt.date(2027, 12, 31)),
    st.integers(1, 400),
    st.integers(0, 40),
)
def test_never_a_reminder_for_a_last_day_older_than_the_bound(last, today, stale, every_max):
    policy = Policy(stale_after_days=stale, overdue={"every": 1, "max": every_max})
    reminders = due(at(today, 10), deadline(last_day=last), policy=policy)
    if reminders:
        assert (today - last).days <= stale


def test_next_chase_moment_is_the_next_office_hour_of_a_working_day():
    policy = Policy()
    assert next_chase_moment(at(dt.date(2021, 5, 5), 9), CAL, policy) == at(dt.date(2021, 5, 5), 9)
    assert next_chase_moment(at(dt.date(2021, 5, 5), 6), CAL, policy) == dt.datetime(2021, 5, 5, 8, 0)
    # after hours on Friday 30/4/2021, then 1/5, the weekend and 3/5 (observed) are days off
    assert next_chase_moment(at(dt.date(2021, 4, 29), 17), CAL, policy) == dt.datetime(2021, 5, 4, 8, 0)

"""``next_due``: until the moment it gives, no reminder is due — checked against ``due_reminders`` itself."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from dondoc.policy import DeadlineState, Overdue, Policy, QuietPeriod, due_reminders, next_due, stages
from dondoc.workdays import WorkCalendar

CAL = WorkCalendar()
LAST = dt.date(2021, 5, 19)  # Wednesday
POLICIES = {
    "o": Policy(),
    "late": Policy(office_hours=(dt.time(13, 0), dt.time(16, 30)), before=[5], overdue=Overdue(every=2, max=2)),
    "quiet": Policy(quiet=[QuietPeriod(start="12/5", end="17/5", reason="nghỉ")], stale_after_days=5),
}


def policy_for(_plan: str, obligation: str) -> Policy:
    return POLICIES[obligation]


def deadline(**changes) -> DeadlineState:
    values = dict(id=1, plan_id="p", obligation_id="o", last_day=LAST, open=True)
    return DeadlineState(**{**values, **changes})


def test_the_next_stage_after_the_one_sent_is_the_horizon():
    sent = deadline(sent_stages=frozenset({"before-10@2021-05-19"}))
    assert next_due([sent], policy_for, dt.datetime(2021, 5, 5, 9), CAL) == dt.datetime(2021, 5, 14, 8)


def test_a_stage_due_and_not_sent_is_due_now_or_when_office_hours_begin():
    assert next_due([deadline()], policy_for, dt.datetime(2021, 5, 5, 9), CAL) == dt.datetime(2021, 5, 5, 9)
    assert next_due([deadline()], policy_for, dt.datetime(2021, 5, 5, 6), CAL) == dt.datetime(2021, 5, 5, 8)
    # after office hours: the next working morning (a Saturday and Sunday in between)
    assert next_due([deadline()], policy_for, dt.datetime(2021, 5, 7, 17), CAL) == dt.datetime(2021, 5, 10, 8)


def test_a_pause_moves_it_to_the_day_after_and_a_closed_or_finished_deadline_never_comes():
    paused = deadline(paused_until=dt.date(2021, 5, 12))
    assert next_due([paused], policy_for, dt.datetime(2021, 5, 5, 9), CAL) == dt.datetime(2021, 5, 13, 8)
    assert next_due([deadline(open=False)], policy_for, dt.datetime(2021, 5, 5, 9), CAL) is None
    every = frozenset(stage for stage, _, _ in stages(LAST, POLICIES["o"], CAL))
    assert next_due([deadline(sent_stages=every)], policy_for, dt.datetime(2021, 6, 30, 9), CAL) is None
    assert next_due([], policy_for, dt.datetime(2021, 5, 5, 9), CAL) is None


@st.composite
def deadlines(draw) -> list[DeadlineState]:
    found = []
    for number in range(draw(st.integers(1, 4))):
        obligation = draw(st.sampled_from(sorted(POLICIES)))
        last_day = LAST + dt.timedelta(days=draw(st.integers(-20, 20)))
        series = [stage for stage, _, _ in stages(last_day, POLICIES[obligation], CAL)]
        sent = draw(st.sets(st.sampled_from(series))) if series else set()
        paused = draw(st.none() | st.integers(-5, 25).map(lambda n: LAST + dt.timedelta(days=n - 14)))
        found.append(
            DeadlineState(
                id=number,
                plan_id="p",
                obligation_id=obligation,
                last_day=last_day,
                open=draw(st.booleans()),
                sent_stages=frozenset(sent),
                paused_until=paused,
                chase_from=draw(st.none() | st.just(LAST - dt.timedelta(days=10))),
            )
        )
    return found


@settings(max_examples=150, deadline=None)
@given(deadlines(), st.integers(0, 40 * 24 * 2))
def test_no_reminder_is_due_before_the_moment_it_gives(states, half_hours):
    now = dt.datetime(2021, 4, 25) + dt.timedelta(minutes=30 * half_hours)
    moment = next_due(states, policy_for, now, CAL)
    if due_reminders(states, policy_for, now, CAL):
        assert moment == now
    end = moment if moment is not None else now + dt.timedelta(days=60)
    t = now
    while t < end:
        assert due_reminders(states, policy_for, t, CAL) == [], (t, moment)
        t += dt.timedelta(minutes=30)

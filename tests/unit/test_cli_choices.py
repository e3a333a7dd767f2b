"""The CLI's --status choices are the stored statuses (plus the states of today that `deadlines` derives)."""

from dondoc.cli import DeadlineFilter, InboundFilter, OutboxFilter
from dondoc.db.tables import DeadlineStatus, InboundStatus, OutboxStatus


def test_deadline_filter_is_every_deadline_status_plus_the_states_of_today():
    assert [f.value for f in DeadlineFilter] == [*DeadlineStatus, "overdue", "not-due"]


def test_outbox_and_inbox_filters_are_the_stored_statuses():
    assert [f.value for f in OutboxFilter] == [s.value for s in OutboxStatus]
    assert [f.value for f in InboundFilter] == [s.value for s in InboundStatus]

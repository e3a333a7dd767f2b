"""A calendar invite for a deadline: an all-day VEVENT on the last day with a VALARM."""

from __future__ import annotations

import datetime as dt

from icalendar import Alarm, Calendar, Event

__all__ = ["deadline_invite"]


def deadline_invite(
    *, uid: str, summary: str, description: str, last_day: dt.date, stamp: dt.datetime, alarm_days: int = 3
) -> bytes:
    """The .ics bytes: the last day as an all-day event, with a reminder ``alarm_days`` before."""
    calendar = Calendar()
    calendar.add("prodid", "-//dondoc//dondoc//VI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", last_day)
    event.add("dtend", last_day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", dt.timedelta(days=-alarm_days))
    event.add_component(alarm)
    calendar.add_component(event)
    return calendar.to_ical()

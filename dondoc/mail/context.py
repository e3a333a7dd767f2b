"""What a reminder says, as plain data for the templates. Pure.

Templates stay dumb: every date is already formatted (dd/mm/yyyy, with the
weekday), every name chosen, every count computed here — where tests can
call it without Jinja2 or a mail library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dondoc.deadlines import written_last_day
from dondoc.model import Agency, Directory, Obligation, Plan, Rule, Target
from dondoc.vocabulary import goal_text
from dondoc.workdays import WEEKDAYS_VI, WorkCalendar

__all__ = ["ReminderFacts", "agency_targets", "reminder_context"]

WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class ReminderFacts:
    """Everything a reminder is about."""

    deadline_id: int
    plan: Plan
    obligation: Obligation
    agency: Agency
    directory: Directory
    period_label: str
    written_date: dt.date
    last_day: dt.date
    stage: str
    overdue: int
    escalate: bool
    today: dt.date
    extended_to: dt.date | None = None
    extension_reason: str | None = None
    reply_to: str = ""
    attachments: list[str] = field(default_factory=list)
    copied: tuple[str, ...] = ()  # who an escalated reminder is copied to (names, in order)


def agency_targets(plan: Plan, agency_id: str, directory: Directory) -> list[tuple[Target, str]]:
    """The targets an agency reports on, with its role: ``lead``, ``partner`` or ``all`` (no lead named)."""
    result = []
    for target in plan.targets:
        if target.lead == agency_id or (
            target.lead in directory.groups and agency_id in directory.expand([target.lead])
        ):
            result.append((target, "lead"))  # a group's members each lead for their own figures
        elif agency_id in directory.expand([p for p in target.partners if directory.knows(p)]):
            result.append((target, "partner"))
        elif target.lead is None:
            result.append((target, "all"))
    return result


def _day(day: dt.date, language: str) -> str:
    names = WEEKDAYS_VI if language == "vi" else WEEKDAYS_EN
    return f"{names[day.weekday()]}, {day:%d/%m/%Y}"


def _name(agency: Agency) -> str:
    return agency.short or agency.name


def reminder_context(facts: ReminderFacts, calendar: WorkCalendar) -> dict:
    """The template context of a reminder."""
    lang = facts.agency.language
    obligation, directory = facts.obligation, facts.directory
    coordinator = directory.agencies[facts.plan.coordinator]
    recipient = directory.agencies[obligation.recipient]
    via = directory.agencies[obligation.via] if obligation.via else None
    left = calendar.working_days_between(facts.today, facts.last_day)
    kind = "overdue" if facts.overdue else ("due" if left <= 0 else "before")
    return {
        "lang": lang,
        "kind": kind,
        "tag": f"DD-{facts.deadline_id}",
        "deadline_id": facts.deadline_id,
        "stage": facts.stage,
        "overdue": facts.overdue,
        "escalate": facts.escalate,
        "copied": list(facts.copied),
        "agency_name": facts.agency.name,
        "plan_title": facts.plan.title,
        "plan_number": facts.plan.number or "",
        "obligation_title": obligation.title,
        "content": obligation.content or "",
        "period_label": facts.period_label,
        "quote": obligation.quote,
        "assumed": obligation.schedule.assumed,
        "assumption": obligation.schedule.assumption or "",
        "rule_words": ("trước ngày" if obligation.rule is Rule.BEFORE else "chậm nhất ngày")
        if lang == "vi"
        else ("before" if obligation.rule is Rule.BEFORE else "no later than"),
        "written_date": f"{facts.written_date:%d/%m/%Y}",
        "written_last_day": _day(written_last_day(facts.written_date, obligation.rule), lang),
        "last_day": _day(facts.last_day, lang),
        "last_day_short": f"{facts.last_day:%d/%m/%Y}",
        "moved": facts.last_day != written_last_day(facts.written_date, obligation.rule) and not facts.extended_to,
        "working_days_left": max(left, 0),
        "working_days_late": max(-left, 0),
        "extended": facts.extended_to is not None,
        "extension_reason": facts.extension_reason or "",
        "recipient_name": recipient.name,
        "via_name": via.name if via else "",
        "coordinator_name": coordinator.name,
        "coordinator_short": _name(coordinator),
        "targets": [
            {
                "id": t.id,
                "text": t.text,
                "role": role,
                "goal": goal_text(t.goal.op, t.goal.value, str(t.unit)) if t.goal else "",
            }
            for t, role in agency_targets(facts.plan, facts.agency.id, directory)
        ],
        "reply_to": facts.reply_to,
        "attachments": facts.attachments,
    }

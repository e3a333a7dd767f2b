"""The consolidated report's figures: completeness, rates, targets. Pure.

Rates follow DHIS2: **reporting rate** = reports received / reports expected;
**timeliness rate** = reports received on time / reports expected; each is
shown with its denominator. Excused agencies are not expected.

A target's figure is aggregated as its unit demands:

- ``count``: the sum of the agencies' counts;
- ``percent``, ``per-1000``, ``per-100000``: recomputed from the summed
  numerators and denominators when every contributing agency gave both;
  otherwise the unweighted mean of the agencies' figures (said so in the report);
- ``level``, ``text``: not aggregated; each agency's answer is listed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dondoc.gcpause import gc_paused
from dondoc.model import Goal, Plan, Target, Unit

__all__ = ["AgencyInput", "AgencyLine", "ReportData", "Tally", "TargetLine", "aggregate", "figure", "meets", "tally"]

SCALE = {Unit.PERCENT: 100, Unit.PER_1000: 1000, Unit.PER_100000: 100000}


@dataclass(frozen=True)
class AgencyInput:
    """One expected agency and what it sent, if anything.

    ``state`` is the agency's state for the deadline (``dondoc.vocabulary.deadline_state``: on-time, late,
    overdue, not-due, excused, …), the same one ``dondoc status`` shows; without it the state is read from
    ``excused``/``submitted_at``/``on_time``. ``first_at`` is when the version that decided timeliness came (the
    first accepted one), ``submitted_at`` when the latest accepted one came, ``version`` its number; the values,
    narrative and ``sections`` (the parts of the agency's attached report, ``documents.sections``) are the latest's.
    ``reminders`` counts the reminders delivered; ``bounced`` names the addresses where a reminder bounced.
    """

    agency_id: str
    name: str
    excused: bool = False
    submitted_at: dt.datetime | None = None
    on_time: bool | None = None
    version: int | None = None
    narrative: str = ""
    files: tuple[str, ...] = ()
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    reminders: int = 0
    state: str | None = None
    first_at: dt.datetime | None = None
    bounced: tuple[str, ...] = ()
    sections: dict[str, list[str]] = field(default_factory=dict)
    documents: tuple[str, ...] = ()

    def resolved_state(self) -> str:
        """The state given, or the one the other fields imply (no submission: overdue)."""
        if self.state is not None:
            return self.state
        if self.excused:
            return "excused"
        if self.submitted_at is None:
            return "overdue"
        return "on-time" if self.on_time else "late"


SUBMITTED = ("on-time", "late")
NOT_SUBMITTED = ("overdue", "not-due", "held")


@dataclass(frozen=True)
class AgencyLine:
    agency_id: str
    name: str
    status: str  # a state of dondoc.vocabulary.STATES: on-time | late | overdue | not-due | excused | …
    submitted_at: dt.datetime | None  # the latest accepted version
    version: int | None
    reminders: int
    narrative: str
    files: tuple[str, ...]
    first_at: dt.datetime | None = None  # the version that decided timeliness
    bounced: tuple[str, ...] = ()
    sections: dict[str, list[str]] = field(default_factory=dict)
    documents: tuple[str, ...] = ()

    @property
    def submitted(self) -> bool:
        return self.status in SUBMITTED


@dataclass(frozen=True)
class TargetLine:
    target_id: str
    text: str
    unit: str
    goal: str
    value: float | None
    method: str  # sum | ratio | mean | listed | none
    contributors: tuple[str, ...]
    missing: tuple[str, ...]
    met: bool | None
    answers: tuple[tuple[str, str], ...] = ()  # (agency name, answer) for listed units


@dataclass(frozen=True)
class ReportData:
    """Everything the consolidated report shows, computed once; every output renders from this."""

    plan_id: str
    plan_title: str
    plan_number: str
    obligation_id: str
    obligation_title: str
    period_key: str
    period_label: str
    coordinator_name: str
    recipients: tuple[str, ...]
    report_date: dt.date
    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    excused: int
    reporting_rate: float | None
    timeliness_rate: float | None
    agencies: tuple[AgencyLine, ...]
    targets: tuple[TargetLine, ...]
    plan_issued: dt.date | None = None  # the plan's date of issue, when its text gives it
    plan_issuer: str = ""  # the name of the body that issued the plan ("Ủy ban nhân dân tỉnh Bình Phước")

    @property
    def missing_agencies(self) -> tuple[AgencyLine, ...]:
        """The agencies expected that have not (yet) submitted: overdue, not yet due, held."""
        return tuple(a for a in self.agencies if a.status in NOT_SUBMITTED)


@dataclass(frozen=True)
class Tally:
    """How many agencies stand where, and the two rates with their one denominator, ``expected``.

    ``expected`` counts the agencies that owe the report (submitted, overdue, not yet due, held); the excused
    (and closed) ones are out of it. ``missing`` is ``expected - submitted``.
    """

    expected: int
    submitted: int
    on_time: int
    late: int
    missing: int
    excused: int
    reporting_rate: float | None  # percent, one decimal; None when nothing is expected
    timeliness_rate: float | None


def tally(states: Mapping[str, int]) -> Tally:
    """The counts and rates of agencies by state (``{"on-time": 3, "overdue": 1, …}``, states of
    :data:`dondoc.vocabulary.STATES`): the one rule behind the report, ``dondoc status`` and the console."""
    on_time, late = states.get("on-time", 0), states.get("late", 0)
    excused = states.get("excused", 0) + states.get("closed", 0)
    missing = sum(states.get(s, 0) for s in NOT_SUBMITTED)
    submitted = on_time + late
    expected = submitted + missing
    return Tally(
        expected,
        submitted,
        on_time,
        late,
        missing,
        excused,
        round(submitted / expected * 100, 1) if expected else None,
        round(on_time / expected * 100, 1) if expected else None,
    )


def figure(value: object) -> float | None:
    """A number typed into a form ("96,5", "96.5%", 96.5) as a float, or None if it is not one."""
    if type(value) is int or type(value) is float:  # what a form's number cell holds: no text to clean
        return float(value)
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return float(str(value).replace(",", ".").rstrip("%").strip())
    except ValueError:
        return None


def meets(goal: Goal | None, value: float | None) -> bool | None:
    """Whether ``value`` reaches ``goal`` (None when either is unknown)."""
    if goal is None or value is None:
        return None
    return {
        ">=": value >= goal.value,
        "<=": value <= goal.value,
        "=": value == goal.value,
        ">": value > goal.value,
        "<": value < goal.value,
    }[goal.op]


def _goal_text(goal: Goal | None) -> str:
    return "" if goal is None else f"{ {'>=': '≥', '<=': '≤'}.get(goal.op, goal.op) } {goal.value:g}"


def _target(target: Target, reporting: list[AgencyInput]) -> TargetLine:
    given = [(a, a.values.get(target.id, {})) for a in reporting]
    if target.unit in (Unit.LEVEL, Unit.TEXT):
        answers = tuple(
            (a.name, str(entry.get("value") or entry.get("note") or ""))
            for a, entry in given
            if entry.get("value") or entry.get("note")
        )
        answered = {name for name, _ in answers}
        return TargetLine(
            target.id,
            target.text,
            str(target.unit),
            _goal_text(target.goal),
            None,
            "listed",
            tuple(n for n, _ in answers),
            tuple(a.name for a, _ in given if a.name not in answered),
            None,
            answers,
        )

    def counts(entry: dict[str, Any]) -> bool:
        return figure(entry.get("value")) is not None or (
            figure(entry.get("numerator")) is not None and bool(figure(entry.get("denominator")))
        )

    counted = [(a, entry, counts(entry)) for a, entry in given]
    contributors = [(a, entry) for a, entry, yes in counted if yes]
    missing = tuple(a.name for a, _, yes in counted if not yes)
    names = tuple(a.name for a, _ in contributors)
    if not contributors:
        return TargetLine(
            target.id, target.text, str(target.unit), _goal_text(target.goal), None, "none", (), missing, None
        )
    value: float | None
    if target.unit == Unit.COUNT:
        value, method = sum(figure(e.get("value")) or 0 for _, e in contributors), "sum"
    else:
        pairs = [(figure(e.get("numerator")), figure(e.get("denominator"))) for _, e in contributors]
        complete = [(n, d) for n, d in pairs if n is not None and d]
        if len(complete) == len(pairs):
            value = sum(n for n, _ in complete) / sum(d for _, d in complete) * SCALE[target.unit]
            method = "ratio"
        else:
            figures = [f for f in (figure(e.get("value")) for _, e in contributors) if f is not None]
            value, method = (sum(figures) / len(figures), "mean") if figures else (None, "none")
    if value is not None:
        value = round(value, 2)
    return TargetLine(
        target.id,
        target.text,
        str(target.unit),
        _goal_text(target.goal),
        value,
        method,
        names,
        missing,
        meets(target.goal, value),
    )


@gc_paused
def aggregate(
    plan: Plan,
    obligation_id: str,
    period_key: str,
    period_label: str,
    inputs: list[AgencyInput],
    *,
    coordinator_name: str,
    recipients: tuple[str, ...],
    report_date: dt.date,
    plan_issuer: str = "",
) -> ReportData:
    """The report's data from the expected agencies (in the plan's order) and what they sent."""
    obligation = plan.obligation(obligation_id)
    lines = [
        AgencyLine(
            a.agency_id,
            a.name,
            a.resolved_state(),
            a.submitted_at,
            a.version,
            a.reminders,
            a.narrative,
            a.files,
            a.first_at or a.submitted_at,
            a.bounced,
            a.sections,
            a.documents,
        )
        for a in inputs
    ]
    counts = tally(Counter(line.status for line in lines))
    reporting = [a for a, line in zip(inputs, lines, strict=True) if line.submitted]
    return ReportData(
        plan_id=plan.id,
        plan_title=plan.title,
        plan_number=plan.number or "",
        obligation_id=obligation.id,
        obligation_title=obligation.title,
        period_key=period_key,
        period_label=period_label,
        coordinator_name=coordinator_name,
        recipients=recipients,
        report_date=report_date,
        expected=counts.expected,
        submitted=counts.submitted,
        on_time=counts.on_time,
        late=counts.late,
        missing=counts.missing,
        excused=counts.excused,
        reporting_rate=counts.reporting_rate,
        timeliness_rate=counts.timeliness_rate,
        agencies=tuple(lines),
        targets=tuple(_target(t, reporting) for t in plan.targets),
        plan_issued=plan.issued,
        plan_issuer=plan_issuer,
    )

"""Who holds an agency's function on a given day: agencies end, successors take over. Pure.

Vietnam's 2025 reorganisation dissolved departments (Sở LĐTBXH on 1/3/2025),
abolished the district level (1/7/2025) and merged provinces. Resolution
190/2025/QH15: where a document names a reorganised agency, the agency that
received the function carries on its work. In the configuration an agency (or
its area) has ``valid_from``/``valid_until`` (both inclusive), ``ended_by``
(the legal basis of its end) and ``successors`` (function → agency, from a
date, on a basis). This module answers, for an agency named in a plan, a
function (``children``) and a day:

- :class:`Holder`: the agency that holds the function that day (itself, or the
  end of a chain of successors — a successor may itself be dissolved later);
- :class:`Lapse`: nobody does (dissolved, no successor for that function), with
  the reason and its basis, in Vietnamese, for the excused deadline;
- ``None``: the agency did not exist yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dondoc.model import Directory, Successor

__all__ = ["ALL", "Holder", "Lapse", "Life", "display_name", "end_text", "exists", "holder", "life", "short_name"]

ALL = "all"  # a successor's function that covers every function


@dataclass(frozen=True, slots=True)
class Life:
    """An agency's dates, its own or else its area's."""

    valid_from: dt.date | None
    valid_until: dt.date | None
    ended_by: str | None
    successors: tuple[Successor, ...]

    def exists(self, day: dt.date) -> bool:
        """True if the body exists on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


@dataclass(frozen=True, slots=True)
class Holder:
    """The agency holding the function; ``succeeds`` the agencies it took the function over from, first one first."""

    agency_id: str
    succeeds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lapse:
    """Nobody holds the function: ``reason`` says why, with the legal basis."""

    agency_id: str
    reason: str


def life(directory: Directory, agency_id: str) -> Life:
    """The dates of ``agency_id``: its own; a date it does not give is its area's."""
    agency = directory.agencies[agency_id]
    area = directory.areas.get(directory.area_of.get(agency_id, ""))
    valid_from = agency.valid_from or (area.valid_from if area else None)
    until, ended_by = agency.valid_until, agency.ended_by
    if until is None and area is not None and area.valid_until is not None:
        until, ended_by = area.valid_until, area.ended_by
    return Life(valid_from, until, ended_by, tuple(agency.successors))


def exists(directory: Directory, agency_id: str, day: dt.date) -> bool:
    """True if ``agency_id`` exists on ``day``."""
    return life(directory, agency_id).exists(day)


def short_name(directory: Directory, agency_id: str, day: dt.date | None = None) -> str:
    """The short name in use on ``day`` (its name if it has none)."""
    agency = directory.agencies[agency_id]
    name, short = agency.name_on(day)
    return short or name


def display_name(
    directory: Directory, agency_id: str, day: dt.date | None = None, succeeds: tuple[str, ...] | list[str] = ()
) -> str:
    """The agency's name on ``day``, with the agency it took over from: "Sở Y tế (tiếp nhận từ Sở LĐTBXH)"."""
    if agency_id not in directory.agencies:
        return agency_id
    name, _ = directory.agencies[agency_id].name_on(day)
    before = [short_name(directory, a) if a in directory.agencies else a for a in succeeds]
    return f"{name} (tiếp nhận từ {', '.join(before)})" if before else name


def end_text(directory: Directory, agency_id: str) -> str:
    """ "Sở LĐTBXH chấm dứt hoạt động từ 01/03/2025 (Nghị định 45/2025/NĐ-CP)"; empty for a living agency."""
    lived = life(directory, agency_id)
    if lived.valid_until is None:
        return ""
    basis = f" ({lived.ended_by})" if lived.ended_by else ""
    return (
        f"{short_name(directory, agency_id, lived.valid_until)} chấm dứt hoạt động từ "
        f"{lived.valid_until + dt.timedelta(days=1):%d/%m/%Y}{basis}"
    )


def _handover(successors: tuple[Successor, ...], function: str | None, day: dt.date) -> Successor | None:
    """The successor for ``function`` in force on ``day``: one named for the function, else one for ``all``."""
    for wanted in ((function,) if function else ()) + (ALL,):
        named = [s for s in successors if s.function == wanted and s.since <= day]
        if named:
            return max(named, key=lambda s: s.since)
    return None


def holder(directory: Directory, agency_id: str, function: str | None, day: dt.date) -> Holder | Lapse | None:
    """Who holds ``agency_id``'s ``function`` on ``day``, following successors (chains included)."""
    first = life(directory, agency_id)
    if first.valid_from is not None and day < first.valid_from:
        return None
    trail = [agency_id]
    while True:
        current = trail[-1]
        lived = life(directory, current)
        if lived.valid_from is not None and day < lived.valid_from:
            return Lapse(
                agency_id, f"{' → '.join(short_name(directory, a) for a in trail)}: chưa hoạt động ngày {day:%d/%m/%Y}"
            )
        if lived.valid_until is None or day <= lived.valid_until:
            return Holder(current, tuple(trail[:-1]))
        step = _handover(lived.successors, function, day)
        if step is None or step.agency in trail or step.agency not in directory.agencies:
            what = f"nhiệm vụ '{function}'" if function else "nhiệm vụ này (nghĩa vụ không ghi 'function')"
            chain = "".join(f"{short_name(directory, a)} → " for a in trail[:-1])
            return Lapse(agency_id, f"{chain}{end_text(directory, current)}; không có cơ quan tiếp nhận {what}")
        trail.append(step.agency)

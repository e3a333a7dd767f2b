"""Checks across documents: ids unique, references known, links in order. Pure.

Schema errors inside one document are pydantic's job; this module finds what
only the whole configuration shows: a duplicate id in two files, a reporter
that names no agency, a group that contains itself, a consolidated report due
before the reports it consolidates. Each finding is a :class:`Problem` that
names the document (an opaque key the loader chose) and the path inside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from dondoc.deadlines import dues, written_last_day
from dondoc.model import Agency, Area, Directory, Every, Group, Obligation, Plan, Problem, WrittenDate
from dondoc.succession import ALL, Life, life

Path = tuple[str | int, ...]

__all__ = ["check_catalog"]

_FAR = 6  # years of periods compared when a plan has no end


def check_catalog(plans: list[tuple[str, Plan]], areas: list[tuple[str, Area]]) -> list[Problem]:
    """Every cross-document problem of this configuration, in document order."""
    directory = Directory([area for _, area in areas])
    problems = list(_check_areas(areas, directory))
    problems.extend(_check_lives(areas, directory))
    seen_plans: dict[str, str] = {}
    area_names = {area.area for _, area in areas}
    for where, plan in plans:
        if plan.id in seen_plans:
            problems.append(Problem(where, ("id",), f"plan id '{plan.id}' is already used in {seen_plans[plan.id]}"))
        seen_plans.setdefault(plan.id, where)
        problems.extend(_check_plan(where, plan, directory, area_names))
    return problems


def _duplicates(where: str, items: Iterable[tuple[Path, str]], what: str) -> Iterable[Problem]:
    seen: set[str] = set()
    for path, ident in items:
        if ident in seen:
            yield Problem(where, path, f"duplicate {what} id '{ident}'")
        seen.add(ident)


def _check_areas(areas: list[tuple[str, Area]], directory: Directory) -> Iterable[Problem]:
    owner: dict[str, str] = {}
    for where, area in areas:
        lists: tuple[tuple[str, Sequence[Agency | Group]], ...] = (("agencies", area.agencies), ("groups", area.groups))
        for kind, items in lists:
            for i, item in enumerate(items):
                if item.id in owner:
                    yield Problem(
                        where, (kind, i, "id"), f"duplicate id '{item.id}' (already defined in {owner[item.id]})"
                    )
                else:
                    owner[item.id] = where
        for i, group in enumerate(area.groups):
            for j, member in enumerate(group.members):
                if not directory.knows(member):
                    yield Problem(where, ("groups", i, "members", j), f"group '{group.id}': unknown member '{member}'")
            try:
                directory.expand([group.id])
            except ValueError as cycle:
                yield Problem(where, ("groups", i, "members"), f"group '{group.id}' contains itself: {cycle}")
            except KeyError:
                pass  # reported above as an unknown member


def _check_lives(areas: list[tuple[str, Area]], directory: Directory) -> Iterable[Problem]:
    """Successors known, dated after the end, existing on their date; no cycle of successors; renames in life."""
    for where, area in areas:
        yield from _check_life(where, (), area, area.valid_until, set(directory.areas), lambda ref: None)
        for i, agency in enumerate(area.agencies):
            if directory.agencies.get(agency.id) is agency:
                yield from _check_life(
                    where,
                    ("agencies", i),
                    agency,
                    life(directory, agency.id).valid_until,
                    set(directory.agencies),
                    lambda ref: life(directory, ref),
                )
                yield from _check_chain(where, ("agencies", i), agency.id, directory)


def _check_life(
    where: str,
    path: Path,
    body: Area | Agency,
    until: dt.date | None,
    known: set[str],
    life_of: Callable[[str], Life | None],
) -> Iterable[Problem]:
    """``until`` is the body's last day, its own or (for an agency) its area's."""
    what = body.id if isinstance(body, Agency) else body.area
    if body.successors and until is None:
        yield Problem(where, (*path, "successors"), f"'{what}' has successors but no 'valid_until' (its last day)")
    seen: set[tuple[str, dt.date]] = set()
    for j, successor in enumerate(body.successors):
        here = (*path, "successors", j)
        if successor.agency not in known:
            yield Problem(where, (*here, "agency"), f"'{what}': unknown successor '{successor.agency}'")
            continue
        if successor.agency == what:
            yield Problem(where, (*here, "agency"), f"'{what}' cannot succeed itself")
        if until is not None and successor.since <= until:
            yield Problem(
                where,
                (*here, "from"),
                f"'{what}': successor '{successor.agency}' dated "
                f"{successor.since:%d/%m/%Y}, not after the end {until:%d/%m/%Y} (valid_until)",
            )
        lived = life_of(successor.agency)
        if lived is not None and not lived.exists(successor.since):
            yield Problem(
                where,
                (*here, "from"),
                f"'{what}': successor '{successor.agency}' does not exist on {successor.since:%d/%m/%Y}",
            )
        if (successor.function, successor.since) in seen:
            yield Problem(
                where,
                (*here, "function"),
                f"'{what}': two successors for '{successor.function}' from {successor.since:%d/%m/%Y}",
            )
        seen.add((successor.function, successor.since))
    for j, rename in enumerate(body.renamed):
        if (until is not None and rename.since > until) or (body.valid_from and rename.since <= body.valid_from):
            yield Problem(
                where,
                (*path, "renamed", j, "from"),
                f"'{what}': renamed on {rename.since:%d/%m/%Y}, outside its life (valid_from … valid_until)",
            )


def _check_chain(where: str, path: Path, agency_id: str, directory: Directory) -> Iterable[Problem]:
    """No chain of successors (for one function, or ``all``) leads back to the agency."""
    functions = {s.function for s in directory.agencies[agency_id].successors}
    for function in sorted(functions):
        trail = [agency_id]
        while True:
            steps = [
                s
                for s in life(directory, trail[-1]).successors
                if s.function in (function, ALL) and s.agency in directory.agencies
            ]
            if not steps:
                break
            nxt = max(steps, key=lambda s: s.since).agency
            if nxt in trail:
                yield Problem(
                    where,
                    (*path, "successors"),
                    f"successors form a cycle for '{function}': {' → '.join((*trail, nxt))}",
                )
                break
            trail.append(nxt)


def _check_plan(where: str, plan: Plan, directory: Directory, area_names: set[str]) -> Iterable[Problem]:
    def agency(path: Path, ref: str | None, what: str) -> Iterable[Problem]:
        if ref is not None and ref not in directory.agencies:
            hint = " (it is a group; name one agency)" if ref in directory.groups else ""
            yield Problem(where, path, f"{what}: unknown agency '{ref}'{hint}")

    def member(path: Path, ref: str, what: str) -> Iterable[Problem]:
        if not directory.knows(ref):
            yield Problem(where, path, f"{what}: unknown agency or group '{ref}'")

    if plan.area not in area_names:
        yield Problem(where, ("area",), f"unknown area '{plan.area}' (no config/agencies file declares it)")
    yield from agency(("issuer",), plan.issuer, "issuer")
    yield from agency(("coordinator",), plan.coordinator, "coordinator")
    yield from _duplicates(
        where, ((("obligations", i, "id"), o.id) for i, o in enumerate(plan.obligations)), "obligation"
    )
    yield from _duplicates(where, ((("targets", i, "id"), t.id) for i, t in enumerate(plan.targets)), "target")
    yield from _duplicates(where, ((("programmes", i, "id"), p.id) for i, p in enumerate(plan.programmes)), "programme")
    yield from _duplicates(
        where, ((("assignments", i, "agency"), a.agency) for i, a in enumerate(plan.assignments)), "assignment"
    )
    for i, target in enumerate(plan.targets):
        if target.lead is not None:  # a group may lead: each member leads for its own figures
            yield from member(("targets", i, "lead"), target.lead, f"target '{target.id}' lead")
        for j, partner in enumerate(target.partners):
            yield from member(("targets", i, "partners", j), partner, f"target '{target.id}' partner")
    for i, programme in enumerate(plan.programmes):
        yield from agency(("programmes", i, "lead"), programme.lead, f"programme '{programme.id}' lead")
        for j, partner in enumerate(programme.partners):
            yield from member(("programmes", i, "partners", j), partner, f"programme '{programme.id}' partner")
    for i, assignment in enumerate(plan.assignments):
        yield from agency(("assignments", i, "agency"), assignment.agency, "assignment")
    ids = {o.id for o in plan.obligations}
    for i, obligation in enumerate(plan.obligations):
        yield from _check_obligation(where, ("obligations", i), plan, obligation, directory, ids, agency)
    yield from _check_links(where, plan)


def _check_obligation(
    where: str,
    path: Path,
    plan: Plan,
    obligation: Obligation,
    directory: Directory,
    ids: set[str],
    agency: Callable[[Path, str | None, str], Iterable[Problem]],
) -> Iterable[Problem]:
    name = f"obligation '{obligation.id}'"
    for j, ref in enumerate(obligation.reporters):
        if not directory.knows(ref):
            yield Problem(where, (*path, "reporters", j), f"{name}: unknown reporter '{ref}' (not an agency or group)")
    yield from agency((*path, "recipient"), obligation.recipient, f"{name} recipient")
    for j, ref in enumerate(obligation.also_to):
        yield from agency((*path, "also_to", j), ref, f"{name} also_to")
    yield from agency((*path, "via"), obligation.via, f"{name} via")
    for j, ref in enumerate(obligation.consolidates):
        if ref == obligation.id:
            yield Problem(where, (*path, "consolidates", j), f"{name} consolidates itself")
        elif ref not in ids:
            yield Problem(where, (*path, "consolidates", j), f"{name} consolidates unknown obligation '{ref}'")
    schedule = obligation.schedule
    if schedule.every is Every.ONCE and isinstance(schedule.due, WrittenDate) and schedule.due.year is not None:
        written = schedule.due.in_year(schedule.due.year)
        if written < plan.valid.start or (plan.valid.end and written > plan.valid.end):
            yield Problem(
                where, (*path, "schedule", "due"), f"{name}: {written:%d/%m/%Y} is outside the plan's validity"
            )


def _cycle(start: str, links: dict[str, list[str]]) -> list[str] | None:
    """The chain of consolidations from ``start`` back to itself, if any."""
    stack = [(start, [start])]
    while stack:
        node, trail = stack.pop()
        for nxt in links.get(node, []):
            if nxt == start:
                return [*trail, start]
            if nxt not in trail:
                stack.append((nxt, [*trail, nxt]))
    return None


def _check_links(where: str, plan: Plan) -> Iterable[Problem]:
    """No consolidation cycle; a consolidated report not due before its inputs, as written."""
    end = plan.valid.end or dt.date(plan.valid.start.year + _FAR, 12, 31)
    index = {o.id: (i, o) for i, o in enumerate(plan.obligations)}
    links = {o.id: [c for c in o.consolidates if c != o.id] for o in plan.obligations}
    cycles = [
        Problem(where, ("obligations", i, "consolidates"), f"consolidation cycle: {' → '.join(cycle)}")
        for i, obligation in enumerate(plan.obligations)
        if (cycle := _cycle(obligation.id, links)) is not None
    ]
    if cycles:  # dates cannot be ordered along a cycle: report the cycle alone
        yield from cycles
        return
    for i, obligation in enumerate(plan.obligations):
        mine = _written_last_days(plan, obligation, end)
        for ref in obligation.consolidates:
            if ref not in index or ref == obligation.id:
                continue
            theirs = _written_last_days(plan, index[ref][1], end)
            for key, day in sorted(mine.items()):
                if key in theirs and day < theirs[key]:
                    yield Problem(
                        where,
                        ("obligations", i, "schedule", "due"),
                        f"obligation '{obligation.id}': last day {day:%d/%m/%Y} for {key} is before "
                        f"{theirs[key]:%d/%m/%Y}, the last day of '{ref}' that it consolidates",
                    )


def _written_last_days(plan: Plan, obligation: Obligation, end: dt.date) -> dict[str, dt.date]:
    once = obligation.schedule.every is Every.ONCE
    return {
        ("once" if once else due.period.key): written_last_day(due.written, obligation.rule)
        for due in dues(obligation.schedule, plan.valid, end)
    }

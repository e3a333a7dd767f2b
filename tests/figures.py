"""The reliability figures the test session prints at its end.

Tests that kill, break or attack dondoc say what they did::

    from tests import figures
    figures.add(figures.CRASH_POINTS)              # one SIGKILL at one point, then a rerun
    figures.add(figures.FAULTS)                    # one fault injected at an edge
    figures.add(figures.HOSTILE, len(inputs))      # hostile inputs fed in
    figures.add(figures.CHECKED, len(messages))    # items whose fate was checked exactly once
    figures.add(figures.LOST, lost)                # found missing after the rerun (the test asserts 0)
    figures.add(figures.DUPLICATED, duplicated)    # found twice (the test asserts 0)

``LOST`` and ``DUPLICATED`` are counted, not assumed: a test computes them
from what it observed, records them, then asserts they are 0. The summary
shows each total, per test file too, so a figure of 0 crash points (the tests
did not run) is as visible as a figure of 1 lost.

Under pytest-xdist each worker sends its tallies to the controller, which
prints the sum.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["CATEGORIES", "CHECKED", "CRASH_POINTS", "DUPLICATED", "FAULTS", "HOSTILE", "LOST", "add", "tallies"]

CRASH_POINTS = "crash points tried"
FAULTS = "faults injected"
HOSTILE = "hostile inputs tried"
CHECKED = "items checked exactly once"
LOST = "lost"
DUPLICATED = "duplicated"
CATEGORIES = (CRASH_POINTS, FAULTS, HOSTILE, CHECKED, LOST, DUPLICATED)

_counts: Counter[tuple[str, str]] = Counter()  # (category, test file) → count


def add(category: str, count: int = 1) -> None:
    """Count ``count`` more of ``category`` for the test that is running."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; one of {CATEGORIES}")
    if count < 0:
        raise ValueError("a count is never negative")
    _counts[(category, _current_file())] += count


def tallies() -> Counter[tuple[str, str]]:
    """What has been counted so far, by (category, test file)."""
    return _counts


def merge(items: list[tuple[str, str, int]]) -> None:
    """Add a worker's tallies (``[(category, file, count)]``) to this process's."""
    for category, where, count in items:
        _counts[(category, where)] += count


def _current_file() -> str:
    import os

    test = os.environ.get("PYTEST_CURRENT_TEST", "")
    return test.split("::", 1)[0] or "(outside a test)"


def summary_lines() -> list[str]:
    """The lines of the end-of-session summary; none when nothing was counted."""
    if not _counts:
        return []
    totals = Counter()
    files: dict[str, Counter] = {}
    for (category, where), count in _counts.items():
        totals[category] += count
        files.setdefault(where, Counter())[category] += count
    lines = ["  ".join(f"{category}: {totals[category]}" for category in CATEGORIES)]
    for where in sorted(files):
        counted = files[where]
        lines.append(
            f"  {where}: "
            + ", ".join(f"{category} {counted[category]}" for category in CATEGORIES if counted[category])
        )
    if totals[LOST] or totals[DUPLICATED]:
        lines.append(f"NOT EXACTLY ONCE: {totals[LOST]} lost, {totals[DUPLICATED]} duplicated")
    return lines

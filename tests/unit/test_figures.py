"""The end-of-session reliability summary counts what tests report, per category and per file."""

from __future__ import annotations

import pytest

from tests import figures


def test_an_unknown_category_or_a_negative_count_is_refused():
    with pytest.raises(ValueError, match="unknown category"):
        figures.add("crashes")
    with pytest.raises(ValueError, match="never negative"):
        figures.add(figures.LOST, -1)


def test_the_summary_names_every_category_and_flags_anything_lost(monkeypatch):
    monkeypatch.setattr(figures, "_counts", figures.Counter())
    figures.add(figures.CRASH_POINTS, 3)
    figures.merge([(figures.FAULTS, "tests/x.py", 2)])
    lines = figures.summary_lines()
    assert lines[0].startswith("crash points tried: 3  faults injected: 2  hostile inputs tried: 0")
    assert "lost: 0" in lines[0] and "duplicated: 0" in lines[0]
    assert any(line.strip() == "tests/x.py: faults injected 2" for line in lines)
    assert not any("NOT EXACTLY ONCE" in line for line in lines)
    figures.add(figures.DUPLICATED)
    assert figures.summary_lines()[-1] == "NOT EXACTLY ONCE: 0 lost, 1 duplicated"

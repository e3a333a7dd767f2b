"""Scoring the plan importer against the hand-labelled plans of ``tests/data/plans``, whole obligation by obligation.

Each ``<stem>.txt`` has a ``<stem>.expected.yaml`` that lists the reporting
obligations a reader finds in it, one per (reporters, recipient, period):
``reporters``, ``recipient`` (``also_to`` for further recipients), ``via``,
``period`` (H1, Y, Q, M, once, ad-hoc, periodic), ``day``, ``month``,
``year``, ``rule`` (before, by) and the ``quote`` it was read from. ``split``
says whether the file is one the importer was tuned on (``tuning``) or one
kept aside (``held-aside``).

A found item (:func:`dondoc.importer.find_items`) matches an expected
obligation when all of these hold:

- period, day, month and rule are equal (``None`` equal to ``None``; the year
  is not compared: a yearly deadline has none, a one-off one is read with it);
- the recipient is right: the found recipient is the expected recipient, one
  of its ``also_to`` or its ``via``; or the found ``via`` is the expected one;
- the reporters are right: at least one found reporter is an expected one
  (the exact set is counted too, and printed beside).

Names are compared after :func:`normalise`: a group's wording becomes its
kind (``departments``, ``districts``, ``communes``, ``provinces``,
``ministries``), an agency's name its canonical key with "Chủ tịch",
"Giám đốc", "Bộ trưởng" … and a leading plural "các" dropped, and two keys are equal when one is the
other followed by more words ("UBND tỉnh" and "UBND tỉnh Quảng Ngãi").
Expected and found are paired one to one, in order. Precision is matched /
found, recall matched / expected, over all files of a split.

The date-only figures compare the (day, month) pairs of dated items per file,
as multisets, whatever the other fields.

``python -m tests.plan_scoring [tuning|held-aside|fresh|all|unseen|unseen-tuning|unseen-aside|unseen-g|
unseen-g-aside] [-v] [-f]`` prints the figures (with ``-v`` each file's misses and extras, with ``-f`` the fields
the missed ones got wrong).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dondoc.importer import find_items, level_of, read_plan
from dondoc.importer.agencies import canonical

PLANS = Path(__file__).resolve().parent / "data" / "plans"
UNSEEN = "unseen2026"  # the 2025 texts found and labelled after the importer was tuned on everything above
# their splits, in the order the batches came: the part tuned on first, then the parts kept aside and the later batches
UNSEEN_SPLITS = (
    "unseen-tuning",
    "unseen-aside",
    "unseen-final",
    "unseen-last",
    "unseen-f",
    "unseen-g",
    "unseen-g-aside",
)
KINDS = ("departments", "districts", "communes", "provinces", "ministries")

# Wordings of the groups, as plans write them (the scorer's own list, not the importer's).
_GROUP_WORDS = [
    ("ministries", r"\bcác bộ\b|\bbộ,? ngành\b|\bcơ quan ngang bộ\b|\bbộ trưởng các bộ\b"),
    (
        "provinces",
        r"\bcác tỉnh\b|\btỉnh,? thành phố trực thuộc trung ương\b|\bđịa phương\b(?=.*\bbộ\b)|\bubnd cấp tỉnh\b",
    ),
    ("districts", r"\bhuyện\b|\bcấp huyện\b"),
    (
        "communes",
        r"\b(?:ubnd|hđnd) (?:các )?(?:xã|phường|cấp xã)\b|\bcác xã\b|\bcấp xã\b|\bxã, phường\b"
        r"|^(?:các )?địa phương$",
    ),
    (
        "departments",
        r"\bcác sở\b|\bsở,? ban,? ngành\b|\bcác cơ quan\b|^cơ quan,? đơn vị\b|\bcác đơn vị\b"
        r"|\bsở quản lý ngành\b|\bcác ban,? ngành\b|\bsở ngành\b",
    ),
]
_TITLES = re.compile(r"^(?:chủ tịch|phó chủ tịch|giám đốc|bộ trưởng|thủ trưởng|trưởng ban|chánh văn phòng)\s+")


def normalise(name: str | None) -> set[str]:
    """The keys a name stands for: group kinds, or the canonical name of one agency."""
    if name is None:
        return set()
    if name in KINDS:
        return {name}
    key = _TITLES.sub("", canonical(name))
    key = re.sub(r"^(?:các|những) ", "", key)  # the plural word: "các doanh nghiệp X" is "doanh nghiệp X"
    kinds = {kind for kind, words in _GROUP_WORDS if re.search(words, key)}  # "UBND cấp tỉnh": every province's
    key = re.sub(r"\bcấp tỉnh\b", "tỉnh", key)
    kinds |= {kind for kind, words in _GROUP_WORDS if re.search(words, key)}
    if kinds and not re.match(r"^(?:sở|bộ|ban|phòng|văn phòng|cục|vụ|viện) ", key):
        return kinds
    return {key}


def _same(a: str, b: str) -> bool:
    return a == b or a.startswith(b + " ") or b.startswith(a + " ")


def _meets(found: set[str], expected: set[str]) -> bool:
    return any(_same(f, e) for f in found for e in expected)


@dataclass(slots=True)
class Expected:
    reporters: list[str]
    recipient: str | None
    also_to: list[str]
    via: str | None
    period: str
    day: int | None
    month: int | None
    rule: str | None
    quote: str

    @classmethod
    def of(cls, data: dict) -> Expected:
        return cls(
            data["reporters"],
            data["recipient"],
            data.get("also_to") or [],
            data.get("via"),
            data["period"],
            data["day"],
            data["month"],
            data["rule"],
            data["quote"],
        )


def _found_fields(item) -> dict:
    return {
        "reporters": list(item.reporters),
        "recipient": item.recipient,
        "also_to": list(item.also_to),
        "via": item.via,
        "period": item.period,
        "day": item.date.day if item.date else None,
        "month": item.date.month if item.date else None,
        "rule": item.rule.value if item.rule else None,
    }


def matches(found: dict, expected: Expected, *, exact_reporters: bool = False) -> bool:
    """Whether a found item is the expected obligation (see the module docstring)."""
    if (found["period"], found["day"], found["month"], found["rule"]) != (
        expected.period,
        expected.day,
        expected.month,
        expected.rule,
    ):
        return False
    if expected.recipient is None and expected.via is None:
        recipient_ok = found["recipient"] is None
    else:
        targets = set().union(*(normalise(n) for n in (expected.recipient, *expected.also_to, expected.via)))
        recipient_ok = _meets(normalise(found["recipient"]), targets) or (
            expected.via is not None and _meets(normalise(found["via"]), normalise(expected.via))
        )
    if not recipient_ok:
        return False
    mine = set().union(set(), *(normalise(r) for r in found["reporters"]))
    theirs = set().union(set(), *(normalise(r) for r in expected.reporters))
    if exact_reporters:
        return (
            bool(mine)
            and all(any(_same(m, t) for t in theirs) for m in mine)
            and all(any(_same(m, t) for m in mine) for t in theirs)
        )
    return _meets(mine, theirs)


@dataclass(slots=True)
class FileScore:
    name: str
    split: str
    expected: int
    found: int
    matched: int
    matched_exact: int
    dates_expected: int
    dates_found: int
    dates_matched: int
    missed: list[Expected] = field(default_factory=list)
    extra: list[dict] = field(default_factory=list)


def score_file(path: Path) -> FileScore:
    """The importer's items for one labelled text against its labels."""
    labels = yaml.safe_load(path.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    expected = [Expected.of(o) for o in labels["obligations"]]
    text = read_plan(path)
    found = [_found_fields(item) for item in find_items(text, level_of(text))]
    taken: set[int] = set()
    missed: list[Expected] = []
    for want in expected:
        index = next((i for i, got in enumerate(found) if i not in taken and matches(got, want)), None)
        if index is None:
            missed.append(want)
        else:
            taken.add(index)
    taken_exact: set[int] = set()
    for want in expected:
        index = next(
            (i for i, got in enumerate(found) if i not in taken_exact and matches(got, want, exact_reporters=True)),
            None,
        )
        if index is not None:
            taken_exact.add(index)
    want_dates = Counter((e.day, e.month) for e in expected if e.day is not None)
    got_dates = Counter((f["day"], f["month"]) for f in found if f["day"] is not None)
    return FileScore(
        path.stem,
        labels.get("split", "tuning"),
        len(expected),
        len(found),
        len(taken),
        len(taken_exact),
        sum(want_dates.values()),
        sum(got_dates.values()),
        sum((want_dates & got_dates).values()),
        missed,
        [f for i, f in enumerate(found) if i not in taken],
    )


def labelled(split: str = "all") -> list[Path]:
    """The labelled texts of a split (``tuning``, ``held-aside``, ``fresh``, ``all``, or ``unseen`` with its parts
    ``unseen-tuning``, ``unseen-aside`` … ``unseen-g``, ``unseen-g-aside``, each selected by its labels' ``split``).

    ``all`` is the corpus the importer was developed on (tuning and held-aside, the texts at the top of
    ``tests/data/plans``); the ``fresh`` texts live in ``tests/data/plans/fresh`` and the ``unseen`` ones in
    ``tests/data/plans/unseen2026``, each scored on their own.
    """
    if split == "fresh":
        return sorted(p for p in (PLANS / "fresh").glob("*.txt") if p.with_suffix(".expected.yaml").exists())
    if split.startswith("unseen"):
        paths = sorted(p for p in (PLANS / UNSEEN).glob("*.txt") if p.with_suffix(".expected.yaml").exists())
        if split == "unseen":
            return paths
        return [
            p
            for p in paths
            if yaml.safe_load(p.with_suffix(".expected.yaml").read_text(encoding="utf-8")).get("split") == split
        ]
    paths = sorted(p for p in PLANS.glob("*.txt") if p.with_suffix(".expected.yaml").exists())
    if split == "all":
        return paths
    return [
        p
        for p in paths
        if yaml.safe_load(p.with_suffix(".expected.yaml").read_text(encoding="utf-8")).get("split") == split
    ]


@dataclass(frozen=True, slots=True)
class Figures:
    files: int
    expected: int
    found: int
    precision: float
    recall: float
    precision_exact: float
    recall_exact: float
    date_precision: float
    date_recall: float

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.files} texts, {self.expected} obligations expected, {self.found} found; "
            f"whole obligation precision {self.precision:.2f} recall {self.recall:.2f} "
            f"(exact reporter sets {self.precision_exact:.2f}/{self.recall_exact:.2f}); "
            f"dates (day, month) precision {self.date_precision:.2f} recall {self.date_recall:.2f}"
        )


def figures(scores: list[FileScore]) -> Figures:
    """Precision and recall over the files of ``scores``."""

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    expected = sum(s.expected for s in scores)
    found = sum(s.found for s in scores)
    matched = sum(s.matched for s in scores)
    exact = sum(s.matched_exact for s in scores)
    return Figures(
        len(scores),
        expected,
        found,
        ratio(matched, found),
        ratio(matched, expected),
        ratio(exact, found),
        ratio(exact, expected),
        ratio(sum(s.dates_matched for s in scores), sum(s.dates_found for s in scores)),
        ratio(sum(s.dates_matched for s in scores), sum(s.dates_expected for s in scores)),
    )


def details(scores: list[FileScore]) -> str:
    lines = []
    for s in scores:
        lines.append(f"{s.name} [{s.split}]: {s.matched}/{s.expected} found, {s.found - s.matched} extra")
        for want in s.missed:
            lines.append(
                f"    missed {want.period} {want.day}/{want.month} {want.rule} {want.reporters} -> "
                f"{want.recipient} via {want.via}"
            )
        for got in s.extra:
            lines.append(
                f"    extra  {got['period']} {got['day']}/{got['month']} {got['rule']} {got['reporters']} -> "
                f"{got['recipient']} (+{got['also_to']}) via {got['via']}"
            )
    return "\n".join(lines)


_FIELDS = ("period", "day", "month", "rule", "recipient", "reporters")


def _field_right(found: dict, want: Expected, name: str) -> bool:
    if name in ("period", "day", "month", "rule"):
        return found[name] == getattr(want, name)
    if name == "reporters":
        return matches(
            {
                **found,
                **{k: getattr(want, k) for k in ("period", "day", "month", "rule")},
                "recipient": want.recipient,
                "via": want.via,
                "also_to": want.also_to,
            },
            want,
        )
    return matches(
        {**found, **{k: getattr(want, k) for k in ("period", "day", "month", "rule")}, "reporters": want.reporters},
        want,
    )


def field_misses(scores: list[FileScore]) -> Counter:
    """Why the missed obligations were missed: for each, the fields on which the closest unmatched found item of its
    file is wrong ("nothing found" when the file has none left)."""
    why: Counter = Counter()
    for score in scores:
        for want in score.missed:
            if not score.extra:
                why["nothing found"] += 1
                continue
            wrong = min(
                ([name for name in _FIELDS if not _field_right(got, want, name)] for got in score.extra), key=len
            )
            why.update(wrong)
    return why


def main(argv: list[str]) -> None:
    split = next((a for a in argv if not a.startswith("-")), "tuning")
    scores = [score_file(p) for p in labelled(split)]
    if "-v" in argv:
        print(details(scores))
    print(figures(scores).line(split))
    if "-f" in argv:
        print(
            "missed obligations, by the field the closest found item has wrong: "
            + ", ".join(f"{name} {count}" for name, count in field_misses(scores).most_common())
        )


if __name__ == "__main__":
    main(sys.argv[1:])

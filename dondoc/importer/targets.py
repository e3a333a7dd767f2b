"""Targets (chỉ tiêu) of a plan, and the agencies the implementation section gives them to.

Two shapes are read: "Chỉ tiêu 7: Giảm tỷ lệ … xuống dưới 6‰" anywhere, and
the numbered items of a "Mục tiêu cụ thể" section ("2.1. Đảm bảo tối thiểu
95% …"). The first figure of a target gives its unit and goal. Leads and
partners come from sentences of the implementation section that cite targets
by number under an agency's heading: "Chủ trì … thực hiện các chỉ tiêu 1, 6,
8 của Kế hoạch" (lead), "Phối hợp … thực hiện chỉ tiêu 11, 17" (partner).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clauses import Sentence
from .parties import GROUP_KINDS as GROUPS

__all__ = ["FoundTarget", "find_targets"]


@dataclass(slots=True)
class FoundTarget:
    """A target as the text gives it, with its lead and partners (names as written) if the plan names them."""

    id: str
    text: str
    unit: str
    op: str | None
    value: float | None
    lead: str | None = None
    partners: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


_NAMED = re.compile(r"(?i)^chỉ\s+tiêu\s+(?:số\s+)?(\d{1,2}[a-z]?)\s*[:.)-]\s*(.+)$")
_GOALS_SECTION = re.compile(
    r"(?i)\b(?:mục\s+tiêu\s+cụ\s+thể|chỉ\s+tiêu\s+cụ\s+thể|các\s+chỉ\s+tiêu|một\s+số\s+chỉ\s+tiêu)\b"
)
# A heading that is only "CHỈ TIÊU" ("II. CHỈ TIÊU", "2. Chỉ tiêu chủ yếu", "b) Các chỉ tiêu cụ thể:").
_GOALS_HEADING = re.compile(
    r"(?i)^(?:[IVX]+\.|\d{1,2}(?:\.\d{1,2})*\.?|[a-zđ]\))?\s*(?:(?:các|một\s+số)\s+)?"
    r"(?:mục\s+tiêu\s+(?:cụ\s+thể|và\s+chỉ\s+tiêu)|chỉ\s+tiêu)(?:\s+[\wÀ-ỹ,]+){0,4}\s*:?$"
)
_ITEM = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)[.)]\s+(.+)$")
_LETTER = re.compile(r"^([a-zđ])\)\s+(.+)$")
_BULLET = re.compile(r"^[-–+•]\s*(.+)$")
_FIGURE = re.compile(
    r"(?P<word>(?:xuống\s+dưới|dưới|không\s+quá|tối\s+đa|xuống|tối\s+thiểu|ít\s+nhất|trên|đạt|còn)\s+)?"
    r"(?P<num>\d{1,3}(?:[.]\d{3})*(?:,\d+)?|\d+(?:,\d+)?)\s*(?P<unit>%|‰|p/1\.?000|/1\.?000|/100\.000)?",
    re.I,
)
_CITED = re.compile(
    r"(?i)\b(?:các\s+)?(?:chỉ\s+tiêu|mục\s+tiêu)\s+(?:số\s+)?((?:\d{1,2}(?:\.\d{1,2})?[a-z]?"
    r"(?:\s*(?:,|và|-)\s*)?)+)"
)


def find_targets(lines: list[str], implementation: list[Sentence]) -> list[FoundTarget]:
    """The plan's targets, from its lines, with leads and partners from the implementation sentences.

    Under a goals heading ("Mục tiêu cụ thể", "II. CHỈ TIÊU", "Một số chỉ tiêu cơ bản bao gồm:") a target is a
    numbered item ("1.", "1.1."), a lettered one ("a)", numbered under its parent: "2.a") or a bullet ("-",
    "+") that states a figure (numbered in order under its parent: "2.1", or "2-1" where that is taken).
    """
    targets: list[FoundTarget] = []
    seen: set[str] = set()
    in_goals = False
    parent = ""
    bullets: dict[str, int] = {}
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        named = _NAMED.match(line.lstrip("-–+• ").strip())
        if named:
            _add(targets, seen, named.group(1), named.group(2))
            continue
        if (
            len(line) < 90
            and (_GOALS_HEADING.match(line) or _GOALS_SECTION.search(line))
            and not (in_goals and _figures(line))
        ):
            item = _ITEM.match(line)
            in_goals, parent = True, (item.group(1) if item and in_goals else "")
            continue
        if re.match(r"^[IVX]+\.\s", line):
            in_goals = False
            continue
        if re.match(r"^\d{1,2}\.\s+[^\d]", line) and len(line) < 90 and not _FIGURE.search(line):
            # A numbered sub-heading ("2. Mục tiêu về bảo vệ trẻ em") ends a goals list unless it names one.
            in_goals = bool(_GOALS_SECTION.search(line)) or (in_goals and "mục tiêu" in line.lower())
            # (a line that matched the sub-heading pattern above also matches _ITEM)
            item = _ITEM.match(line)
            parent = item.group(1) if in_goals and item else ""
            continue
        if not in_goals:
            continue
        item, letter, bullet = _ITEM.match(line), _LETTER.match(line), _BULLET.match(line)
        if item:
            parent = item.group(1)
            _add(targets, seen, item.group(1), item.group(2))
        elif letter:
            mark = letter.group(1).replace("đ", "dd")  # an id is ascii: a), b) … d), đ), e)
            number = f"{parent}.{mark}" if parent else mark
            _add(targets, seen, number, letter.group(2))
        elif bullet and _figures(bullet.group(1)):
            bullets[parent] = bullets.get(parent, 0) + 1
            number = f"{parent}.{bullets[parent]}" if parent else str(bullets[parent])
            if number in seen:
                number = f"{parent or 't'}-{bullets[parent]}"
            _add(targets, seen, number, bullet.group(1))
    _assign(targets, implementation)
    return targets


def _figures(text: str) -> list[re.Match]:
    return [m for m in _FIGURE.finditer(text) if m["unit"] or m["word"]]


def _add(targets: list[FoundTarget], seen: set[str], number: str, text: str) -> None:
    if number in seen:
        return
    seen.add(number)
    text = text.strip()
    unit, op, value, review = _goal(text)
    targets.append(FoundTarget(number, text, unit, op, value, review=review))


def _goal(text: str) -> tuple[str, str | None, float | None, list[str]]:
    review: list[str] = []
    figures = [m for m in _FIGURE.finditer(text) if m["unit"] or m["word"]]
    if not figures:
        return "text", None, None, ["no figure: a target to report on in words"]
    first = figures[0]
    unit_mark = (first["unit"] or "").lower()
    unit = {"%": "percent", "‰": "per-1000", "/100.000": "per-100000"}.get(unit_mark)
    if unit is None:
        unit = "per-1000" if "1" in unit_mark and "000" in unit_mark else "count"
    number = first["num"].replace(".", "").replace(",", ".") if unit == "count" else first["num"].replace(",", ".")
    try:
        value = float(number)
    except ValueError:
        return unit, None, None, ["the figure could not be read"]
    word = " ".join((first["word"] or "").lower().split())
    lowered = text.lower()
    if word in ("dưới", "xuống dưới"):
        op = "<"
    elif word in ("không quá", "tối đa", "xuống", "còn") or (word == "" and re.search(r"\bgiảm\b", lowered)):
        op = "<="
    else:
        op = ">="
        if word == "trên":
            review.append('"trên" is strictly more than; written ">="')
    if len(figures) > 1:
        review.append(f"{len(figures)} figures in one target: only the first is the goal; split it if needed")
    return unit, op, value, review


def _assign(targets: list[FoundTarget], implementation: list[Sentence]) -> None:
    by_number = {t.id: t for t in targets}
    for sentence in implementation:
        if not sentence.heading_agency or sentence.heading_agency in GROUPS:
            continue
        for match in _CITED.finditer(sentence.text):
            numbers = re.findall(r"\d{1,2}(?:\.\d{1,2})?[a-z]?", match.group(1))
            before = sentence.text[: match.start()].lower().rsplit(";", 1)[-1]  # this clause only
            partner = "phối hợp" in before and not re.search(r"chủ\s+trì|hướng\s+dẫn", before)
            for target in (t for number in numbers for t in _cited(number, by_number)):
                agency = sentence.heading_agency
                if partner:
                    if agency not in target.partners and agency != target.lead:
                        target.partners.append(agency)
                elif target.lead is None:
                    target.lead = agency
                elif target.lead != agency and agency not in target.partners:
                    target.review.append(f"also led by {agency} in the plan; kept as partner")
                    target.partners.append(agency)
    for target in targets:
        if target.lead is None and target.partners:
            target.lead = target.partners.pop(0)
            target.review.append(f"the plan names no lead; {target.lead} (named to take part) is proposed")
        elif target.lead is None:
            target.review.append("the plan names no lead for this target: set 'lead'")


def _cited(number: str, by_number: dict[str, FoundTarget]) -> list[FoundTarget]:
    """The targets a citation names: "chỉ tiêu 3" is target 3, or, where the plan numbers none 3, its items (3.1,
    3.a …); "chỉ tiêu 1b" is 1.b."""
    letter = re.fullmatch(r"(\d{1,2})([a-z])", number)
    if letter:
        number = f"{letter[1]}.{letter[2]}"
    if number in by_number:
        return [by_number[number]]
    return [target for key, target in by_number.items() if key.startswith(f"{number}.")]

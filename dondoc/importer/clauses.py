"""Reporting clauses: who reports what to whom, by which date, as a plan's sentences say it.

A clause is a sentence that asks for a report ("báo cáo", "gửi … về") and
names a period ("06 tháng", "hằng năm", "quý", "đột xuất") or a deadline
("trước ngày 20/5", "chậm nhất ngày 15/12/2021", "trước ngày 15 tháng 12").
Each (period, date) pair of a clause becomes one :class:`Item`; a sentence
often holds several — "định kỳ 06 tháng (trước ngày 20/5) và cả năm (trước
ngày 15/11)", "trước ngày 25/5 (đối với báo cáo 6 tháng) và trước ngày
20/11 năm 2021 (đối với báo cáo năm)" — and the pairing follows the
sentence: the period named just before a date, or the one the parenthesis
after it names.

A date is only ever read from the text. A period without a day gives an item
with ``date=None``, which the draft flags for review; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Kind, Level, Rule
from .agencies import GROUPS, canonical, find_agencies, find_groups, overlaps

__all__ = ["NO_DATE", "Item", "Sentence", "WrittenDay", "find_items", "sentences"]

NO_DATE = "the plan writes no date for this report: set it from the coordinator's instructions"


@dataclass(frozen=True, slots=True)
class WrittenDay:
    """A deadline as written: day, and month and year when the text gives them ("ngày 15 hằng tháng" has none)."""

    day: int
    month: int | None = None
    year: int | None = None

    def __str__(self) -> str:
        parts = [str(self.day)] + ([str(self.month)] if self.month else []) + ([str(self.year)] if self.year else [])
        return "/".join(parts)


@dataclass(slots=True)
class Item:
    """One report one set of reporters owes, for one period, with its deadline if the plan writes one."""

    reporters: list[str]  # group kinds (departments, districts, communes) or agency names as written
    recipient: str | None
    also_to: list[str]
    via: str | None
    period: str  # H1, H2, Y, Q, M, once, ad-hoc, periodic
    kind: Kind
    date: WrittenDay | None
    rule: Rule | None
    quote: str
    section: str | None
    consolidating: bool = False
    review: list[str] = field(default_factory=list)
    confidence: float = 0.9


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the plan, with the section heading and the agency heading it sits under."""

    text: str
    section: str | None
    heading_agency: str | None
    index: int


_ROMAN = re.compile(r"^([IVXLC]+)\.\s*(.+)$")
_NUMBERED = re.compile(r"^(?:\d{1,2}|[a-zđ])[.)]\s*(?:Đề nghị\s+)?(.{3,})$")
_LIST_MARK = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-–+•*])\s*")
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[-–+•]?\s*[A-ZĐÀ-Ỹ])")


def sentences(text: str) -> list[Sentence]:
    """The plan's sentences in order, each knowing its section ("V. CHẾ ĐỘ BÁO CÁO") and agency heading.

    The agency heading is the agency a numbered line starts with: for a short line ("13. Ban Dân tộc Thành
    phố") it holds for the paragraphs under it, for a paragraph ("2. Sở LĐTBXH chịu trách nhiệm …") for
    that paragraph's sentences.
    """
    out: list[Sentence] = []
    section: str | None = None
    heading: str | None = None
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        roman = _ROMAN.match(line)
        if roman and len(line) < 140:
            section, heading = line, None
            continue
        subject = heading
        numbered = _NUMBERED.match(line)
        if numbered and re.match(r"^\d", line):
            lead = _leading_agency(numbered.group(1))
            if lead and _is_heading(line):
                heading = subject = lead
            elif lead:
                subject = lead
            elif _is_heading(line):
                heading = subject = None
        for part in _SPLIT.split(line):
            part = _LIST_MARK.sub("", part.strip()).strip()
            if part and not _is_heading(part):
                out.append(Sentence(part, section, subject, len(out)))
    return out


def _is_heading(line: str) -> bool:
    return len(line) < 200 and not re.search(r"[.;]$", line) and len(line.split()) < 30 and (
        line.endswith(":") or not re.search(r"\bbáo\s+cáo\b", line, re.I))


def _leading_agency(text: str) -> str | None:
    groups = [(s, kind) for s, _, kind in find_groups(text) if kind != "departments" and s <= 12]
    agencies = [(s, name) for s, _, name in find_agencies(text) if s <= 12]
    first = min(groups or agencies, default=None, key=lambda pair: pair[0])
    return first[1] if first else None


# Periods, most specific first; each pattern's match is the mention's span.
_PERIODS: list[tuple[str, re.Pattern]] = [
    ("ad-hoc", re.compile(r"(?i)\bđột\s+xuất\b")),
    ("H1", re.compile(r"(?i)\b(?:0?6|sáu)\s+tháng(?:\s+đầu\s+năm)?\b")),
    ("Y", re.compile(r"(?i)\b(?:cả\s+năm|hằng\s+năm|hàng\s+năm|định\s+kỳ\s+năm|0?1\s+năm|một\s+năm|mỗi\s+năm"
                     r"|báo\s+cáo\s+năm|tổng\s+kết\s+năm|kết\s+quả\s+năm)\b"
                     r"|(?<=tháng,\s)năm\b|(?<=tháng và\s)năm\b|(?<=quý,\s)năm\b|(?<=quý và\s)năm\b")),
    ("Q", re.compile(r"(?i)\b(?:hằng\s+quý|hàng\s+quý|mỗi\s+quý|theo\s+quý|định\s+kỳ\s+quý|báo\s+cáo\s+quý)\b")),
    ("M", re.compile(r"(?i)\b(?:hằng\s+tháng|hàng\s+tháng|mỗi\s+tháng|định\s+kỳ\s+tháng|báo\s+cáo\s+tháng)\b")),
    ("once:period-report", re.compile(r"(?i)\b(?:sau\s+khi\s+|khi\s+)?kết\s+thúc\s+(?:tháng|đợt|chiến\s+dịch)\b")),
    ("once:implementation-plan", re.compile(r"(?i)\b(?:xây\s+dựng|ban\s+hành)\s+(?:và\s+ban\s+hành\s+)?kế\s+hoạch\b")),
    ("once:evaluation", re.compile(r"(?i)\b(?:sơ\s+kết|tổng\s+kết(?!\s+năm)|đánh\s+giá)\b")),
    ("periodic", re.compile(r"(?i)\bđịnh\s+kỳ\b")),
]

_RULES = (r"(?P<rule>trước\s+hoặc\s+(?:vào|trong)\s+ngày|chậm\s+nhất(?:\s+là)?(?:\s+vào)?(?:\s+ngày)?"
          r"|trước\s+ngày|hạn(?:\s+chót)?(?:\s+là)?(?:\s+ngày)?|vào\s+ngày|đến\s+hết\s+ngày|trước)")
_DATE = re.compile(
    _RULES + r"\s+(?P<d>\d{1,2})\s*(?:(?:/|-|\.)\s*(?P<m>\d{1,2})|\s+tháng\s+(?P<mw>\d{1,2}))"
    r"(?:\s*(?:/|-|\.)\s*(?P<y>\d{4})|\s+năm\s+(?P<yw>\d{4}))?(?!\s*/?\s*\d)", re.I)
_DAY_OF = re.compile(_RULES + r"\s+(?P<d>\d{1,2})\s+(?:hằng|hàng|của|mỗi)\s+(?:tháng|quý)(?P<tail>\s+cuối\s+quý)?",
                     re.I)
_AFTER = re.compile(r"^\s*\((?:đối\s+với\s+|với\s+)?(?:báo\s+cáo\s+)?(?P<what>[^()]{1,40})\)", re.I)
_REPORTING = re.compile(r"(?i)\bbáo\s+cáo\b|\bgửi\b[^.;]{0,120}\bvề\b")
_NOT_A_REPORT = re.compile(r"(?i)^(?:số\b|(?:căn cứ|thực hiện|triển khai) (?:luật|bộ luật|quyết định|nghị định|công văn"
                           r"|chỉ thị|nghị quyết|thông tư|kế hoạch số|văn bản))")
_RECIPIENT_MARK = re.compile(r"(?i)\b(?:về|cho|tới|lên|trình|báo\s+cáo|gửi)\s+(?:đến\s+)?$")
_OBJECT_MARK = re.compile(r"(?i)\b(?:phối\s+hợp(?:\s+với)?|(?<!báo cáo )với|chỉ\s+đạo|hướng\s+dẫn|của|đối\s+với|giúp|đề\s+nghị)"
                          r"\s+(?:(?:Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc)\s+)?$")
_VIA_MARK = re.compile(r"(?i)(?:\(|\b)(?:thông\s+qua|qua)\s+$")
_CONSOLIDATE = re.compile(r"(?i)\btổng\s+hợp\b")
_ONWARD = re.compile(r"(?i)\bđể\s+tổng\s+hợp,?\s+báo\s+cáo\s+")
_VERB = re.compile(r"(?i)\b(?:chủ\s+trì|phối\s+hợp|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|căn\s+cứ|định\s+kỳ"
                   r"|đột\s+xuất|báo\s+cáo|gửi|xây\s+dựng|tổ\s+chức|triển\s+khai|hướng\s+dẫn|kiểm\s+tra|tổng\s+hợp"
                   r"|chủ\s+động|thực\s+hiện|theo\s+dõi|đánh\s+giá|hàng\s+năm|hằng\s+năm)\b")
_AFTER_PURPOSE = re.compile(r"(?i)\bđể\s+(?:tổng\s+hợp|phục\s+vụ|báo\s+cáo)")


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    period: str


def _periods(text: str) -> list[_Mention]:
    found: list[_Mention] = []
    for period, pattern in _PERIODS:
        for match in pattern.finditer(text):
            if overlaps(match.start(), match.end(), [(m.start, m.end) for m in found]):
                continue
            found.append(_Mention(match.start(), match.end(), period))
    return sorted(found, key=lambda m: m.start)


@dataclass(frozen=True, slots=True)
class _Date:
    start: int
    end: int
    day: WrittenDay
    rule: Rule
    every: str | None  # "M" or "Q" for "ngày 15 hằng tháng"


def _dates(text: str) -> list[_Date]:
    found: list[_Date] = []
    for match in _DAY_OF.finditer(text):
        every = "Q" if "quý" in match.group(0).lower() else "M"
        found.append(_Date(match.start(), match.end(), WrittenDay(int(match["d"])), _rule(match["rule"]), every))
    for match in _DATE.finditer(text):
        if overlaps(match.start(), match.end(), [(d.start, d.end) for d in found]):
            continue
        day, month = int(match["d"]), int(match["m"] or match["mw"])
        year = match["y"] or match["yw"]
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        found.append(_Date(match.start(), match.end(), WrittenDay(day, month, int(year) if year else None),
                           _rule(match["rule"]), None))
    return sorted(found, key=lambda d: d.start)


def _rule(words: str) -> Rule:
    words = " ".join(words.lower().split())
    return Rule.BEFORE if words in ("trước ngày", "trước") else Rule.BY


def _kind(period: str) -> Kind:
    if period == "ad-hoc":
        return Kind.AD_HOC
    if period.startswith("once:"):
        return Kind(period.split(":", 1)[1])
    return Kind.PERIOD_REPORT


def find_items(text: str, level: Level = Level.PROVINCE) -> list[Item]:
    """Every reporting item of the plan's text, in the order of the text."""
    all_sentences = sentences(text)
    items: list[Item] = []
    for sentence in all_sentences:
        items.extend(_items_of(sentence, level))
    _infer_from_section(items, all_sentences)
    addressed = re.search(r"(?im)^\s*kính\s+gửi\s*:?\s*(.+)$", text)
    if addressed:
        names = find_agencies(addressed.group(1))
        for item in items:
            if not item.reporters and names and not item.consolidating:
                item.reporters = [names[0][2]]
                item.review = [r for r in item.review if r != "the sentence names no reporter"]
                item.review.append(f"reporter read from the addressee (Kính gửi: {names[0][2]})")
    return items


def _items_of(sentence: Sentence, level: Level) -> list[Item]:
    text = sentence.text
    if not _REPORTING.search(text) or _NOT_A_REPORT.match(text):
        return []
    periods, dates = _periods(text), _dates(text)
    if not dates and not any(m.period in ("H1", "Y", "Q", "M", "ad-hoc", "periodic", "once:period-report")
                             for m in periods):
        return []
    pairs = _pair(text, periods, dates)
    if not pairs:
        return []
    reporters, recipient, also_to, via = _parties(text, level, sentence.heading_agency)
    consolidating = bool(_CONSOLIDATE.search(_AFTER_PURPOSE.sub("", text))) and bool(reporters) and not any(
        r in GROUPS for r in reporters)
    out = []
    for period, date in pairs:
        item = Item(
            reporters=list(reporters), recipient=recipient, also_to=list(also_to), via=via,
            period=period.split(":")[0], kind=_kind(period), date=date.day if date else None,
            rule=date.rule if date else None, quote=text, section=sentence.section, consolidating=consolidating)
        _assess(item, sentence)
        out.append(item)
    onward = _ONWARD.search(text)
    if out and onward and out[0].recipient:
        up = find_agencies(text[onward.end():])
        if up and up[0][0] == 0:
            item = Item(reporters=[out[0].recipient], recipient=up[0][2], also_to=[], via=None,
                        period=out[0].period, kind=out[0].kind, date=None, rule=None, quote=text,
                        section=sentence.section, consolidating=True)
            _assess(item, sentence)
            out.append(item)
    return out


def _pair(text: str, periods: list[_Mention], dates: list[_Date]) -> list[tuple[str, _Date | None]]:
    """(period, date) pairs of one sentence; periods left without a date give (period, None)."""
    used: set[int] = set()
    pairs: list[tuple[str, _Date | None]] = []
    previous_end = 0
    for date in dates:
        period = None
        if date.every:
            period = date.every
            for index, mention in enumerate(periods):
                if mention.period in (date.every, "periodic") and index not in used:
                    used.add(index)
        after = _AFTER.match(text[date.end:])
        if period is None and after:
            for index, mention in enumerate(periods):
                if index not in used and date.end + after.start() <= mention.start < date.end + after.end():
                    period = mention.period
                    used.add(index)
                    break
        if period is None:
            # The nearest period before the date, after the previous date.
            for index in range(len(periods) - 1, -1, -1):
                mention = periods[index]
                if index in used or mention.start >= date.start or mention.end < previous_end:
                    continue
                if mention.period == "periodic" and any(
                        m.period not in ("periodic",) and previous_end <= m.start < date.start for m in periods):
                    continue
                period = mention.period
                used.add(index)
                break
        if period is None or period == "periodic":
            period = "once:period-report" if date.day.year else "Y?"
        pairs.append((period, date))
        previous_end = date.end
    named = {p for p, _ in pairs}
    for index, mention in enumerate(periods):
        if index in used or (mention.period.startswith("once") and mention.period != "once:period-report"):
            continue
        if mention.period == "periodic" and (pairs or any(m.period in ("H1", "Y", "Q", "M") for m in periods)):
            continue
        if mention.period in named:
            continue
        pairs.append((mention.period, None))
        named.add(mention.period)
    return pairs


def _parties(text: str, level: Level, heading: str | None) -> tuple[list[str], str | None, list[str], str | None]:
    """Reporters, recipient, further recipients and the coordinator the report passes through."""
    purpose = _AFTER_PURPOSE.search(text)
    limit = purpose.start() if purpose else len(text)
    groups = [(s, e, kind, "group") for s, e, kind in find_groups(text, level)]
    names = [(s, e, name, "agency") for s, e, name in find_agencies(text)
             if not overlaps(s, e, groups)] + groups
    names.sort()
    reporters: list[str] = []
    recipient: str | None = None
    also_to: list[str] = []
    via: str | None = None
    first_name = names[0][0] if names else 0
    verb = _VERB.search(text, names[0][1] if names else 0)
    zone_end = verb.start() if verb else len(text)
    last_recipient_end = -1
    object_end = -1  # where the last name in object position ("phối hợp với X") ended
    for start, end, name, what in names:
        before = text[max(0, start - 40):start]
        if what == "agency" and recipient is None and re.search(r"(?i)\bbáo\s+cáo\b[^;]{0,100}\bvới\s+$", text[:start]):
            recipient, last_recipient_end = name, end
            continue
        marked = _OBJECT_MARK.search(before)
        if marked or (object_end >= 0 and re.fullmatch(r"\s*(?:,|và)?\s*(?:và\s+)?(?:(?:Thủ trưởng|Chủ tịch)\s+)?",
                                                        text[object_end:start])):
            # "phối hợp với A, B và C": the whole list is in object position; "của A" only A.
            chained = marked is None or re.search(r"(?i)với", marked.group(0))
            object_end = end if chained else -1
            continue
        if _VIA_MARK.search(before):
            if via is None:
                via = name
            continue
        if start >= limit:
            continue
        if what == "agency" and _RECIPIENT_MARK.search(before):
            if recipient is None:
                recipient, last_recipient_end = name, end
            continue
        if recipient is not None and what == "agency" and re.fullmatch(r"\s*(?:,|và)\s*", text[last_recipient_end:start]):
            also_to.append(name)
            last_recipient_end = end
            continue
        if recipient is None and name not in reporters and first_name <= start < zone_end:
            reporters.append(name)
    if not reporters and heading:
        reporters = [heading]
    return reporters, recipient, also_to, via


def _assess(item: Item, sentence: Sentence) -> None:
    if item.period == "Y?":
        item.period = "Y"
        item.review.append("the date names no period; read as a yearly report")
        item.confidence -= 0.3
    if item.date is None and item.kind is not Kind.AD_HOC:
        item.review.append(NO_DATE)
        item.confidence -= 0.3
    if item.period == "periodic":
        item.review.append('"định kỳ" without a period: say which (6 tháng, năm, quý, tháng)')
        item.confidence -= 0.2
    if item.kind is Kind.PERIOD_REPORT and item.period == "once" and item.date and item.date.year is None:
        item.review.append("a one-off report whose date has no year")
        item.confidence -= 0.2
    if not item.reporters:
        item.review.append("the sentence names no reporter")
        item.confidence -= 0.3
    elif sentence.heading_agency and item.reporters == [sentence.heading_agency] and (
            sentence.heading_agency not in sentence.text):
        item.review.append(f"reporter taken from the heading ({sentence.heading_agency})")
        item.confidence -= 0.1
    if item.recipient is None:
        item.review.append("the sentence names no recipient")
        item.confidence -= 0.3
    item.confidence = round(max(item.confidence, 0.1), 2)


_GIAO = re.compile(r"(?i)tổng\s+hợp[^.]{0,200}?báo\s+cáo\s+")


def _infer_from_section(items: list[Item], all_sentences: list[Sentence]) -> None:
    """Fill a missing recipient or coordinator from the sentences of the same section.

    "… đánh giá kết quả thực hiện trước ngày 10/7/2021" followed by "Giao Sở
    LĐTBXH … tổng hợp …, báo cáo UBND Thành phố": the report goes to UBND
    Thành phố through Sở LĐTBXH. "… báo cáo … cho UBND tỉnh" and "… về Ủy ban
    nhân dân tỉnh (thông qua Sở LĐTBXH)": through Sở LĐTBXH.
    """
    by_section: dict[str | None, list[Sentence]] = {}
    for sentence in all_sentences:
        by_section.setdefault(sentence.section, []).append(sentence)
    for item in items:
        if item.consolidating:
            continue
        around = by_section.get(item.section, [])
        if item.recipient is None:
            for sentence in around:
                if sentence.text == item.quote:
                    continue
                agencies = find_agencies(sentence.text)
                hub = _GIAO.search(sentence.text)
                if not hub or not agencies:
                    continue
                subject = agencies[0]
                target = next((a for a in agencies if a[0] >= hub.end() - 1), None)
                if target and subject[0] < hub.start():
                    item.recipient, item.via = target[2], subject[2]
                    item.review.append(f"recipient and coordinator read from: \"{sentence.text[:120]}\"")
                    item.confidence = round(max(item.confidence - 0.1 + 0.3, 0.1), 2)
                    item.review = [r for r in item.review if r != "the sentence names no recipient"]
                    break
        if item.recipient is not None and item.via is None:
            for sentence in around:
                for match in re.finditer(r"\((?:thông\s+qua|qua)\s+([^()]+)\)", sentence.text, re.I):
                    before = find_agencies(sentence.text[:match.start()])
                    inside = find_agencies(match.group(1))
                    if before and inside and canonical(before[-1][2]) == canonical(item.recipient):
                        item.via = inside[0][2]
                        break
                if item.via:
                    break

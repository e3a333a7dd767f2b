"""Reporting regimes written as blocks, the form of Circulars and Decisions on reporting ("chế độ báo cáo").

A block is a heading that names a report, then lettered fields::

    1. Báo cáo tháng
    a) Cơ quan thực hiện báo cáo: Các Vụ, Cục, đơn vị thuộc Bộ.
    b) Cơ quan nhận báo cáo: Bộ Tài chính (qua Vụ Tổng hợp).
    c) Thời gian chốt số liệu: từ ngày 15 tháng trước đến ngày 14 của tháng báo cáo.
    d) Thời gian gửi báo cáo: trước ngày 20 hằng tháng.

The obligation is spread over the fields: the period is the heading's, the
reporters and the recipient are their fields', the date is the sending
field's. A data cut-off is never a deadline. A field the block leaves out is
taken from the blocks before it (a regime names its recipient once), and
failing that the recipient is the body that issues the text; each such
borrowing is said in a review note. An ad-hoc block ("Báo cáo đột xuất",
"Báo cáo theo yêu cầu") gives an undated item: its date is never invented.

:func:`find_blocks` reads the structure (pure text); :func:`block_items`
turns blocks into :class:`~dondoc.importer.clauses.Item` with the clause
reader's own date and period rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Level
from .clauses import (
    AD_HOC_NOTE,
    Item,
    _assess,
    _Date,
    _dates,
    _days_of_every,
    _kind,
    _Mention,
    _of_periods,
    _pair,
    _parties,
    _periods,
)
from .parties import find_parties, plural_units

__all__ = ["AD_HOC_NOTE", "Block", "block_items", "find_blocks", "issuer_of"]

_MARK = re.compile(r"^(?:Điều\s+\d+[.:]?|[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ][.)]|[-–+•])\s*")
_HEADING = re.compile(
    r"(?i)^(?:chế\s+độ\s+(?:thông\s+tin,?\s+)?)?báo\s+cáo\b(?P<rest>[^.;:]{0,160})"
    r"(?::\s*(?P<inline>\S.*)|[.:]?)$"
)
_HEADING_PERIODS = [
    ("ad-hoc", re.compile(r"(?i)\b(?:đột\s+xuất|theo\s+yêu\s+cầu|khi\s+có\s+yêu\s+cầu)\b")),
    ("H1", re.compile(r"(?i)\b(?:0?6|sáu)\s+tháng\b")),
    ("Q", re.compile(r"(?i)\b(?:hằng\s+|hàng\s+)?quý\b")),
    ("M", re.compile(r"(?i)\b(?:hằng\s+|hàng\s+)?tháng\b")),
    ("Y", re.compile(r"(?i)\b(?:hằng\s+|hàng\s+)?năm\b")),
]
_FIELDS = [
    ("cut_off", re.compile(r"(?i)^thời\s+(?:gian|điểm|hạn)\s+chốt\s+số\s+liệu\b[^:]*:\s*")),
    # not "Nơi nhận:", the document's own distribution list
    (
        "recipient",
        re.compile(
            r"(?i)^(?:(?:cơ\s+quan|đơn\s+vị)(?:,?\s+đơn\s+vị)?\s+(?:tiếp\s+)?nhận(?:\s+báo\s+cáo)?"
            r"|nơi\s+(?:tiếp\s+)?nhận\s+báo\s+cáo)\s*:\s*"
        ),
    ),
    (
        "reporters",
        re.compile(
            r"(?i)^(?:(?:cơ\s+quan|đơn\s+vị)(?:,?\s+(?:đơn\s+vị|tổ\s+chức))?|đối\s+tượng)\s+"
            r"(?:thực\s+hiện|gửi|lập|có\s+trách\s+nhiệm|báo\s+cáo)"
            r"(?:\s+(?:gửi\s+)?báo\s+cáo)?\s*:\s*"
        ),
    ),
    (
        "due",
        re.compile(
            r"(?i)^(?:thời\s+(?:gian|hạn)|hạn|ngày)\s+(?:gửi\s+|nộp\s+|nhận\s+)?(?:báo\s+cáo|gửi|nộp)"
            r"(?:\s+định\s+kỳ)?\s*:\s*"
        ),
    ),
    ("frequency", re.compile(r"(?i)^(?:tần\s+suất|kỳ)(?:\s+(?:thực\s+hiện\s+|gửi\s+)?báo\s+cáo)?\s*:\s*")),
    (
        "other",
        re.compile(
            r"(?i)^(?:tên|nội\s+dung|phương\s+thức|hình\s+thức|mẫu|biểu\s+mẫu|phạm\s+vi)\b"
            r"[^:]{0,40}:\s*"
        ),
    ),
]


@dataclass(slots=True)
class Block:
    """A report's heading and its fields, with the lines (numbered as in the text) it spans."""

    heading: str
    mark: str  # "1.", "Điều 7.", "a)"
    period: str | None  # M, Q, H1, Y, ad-hoc, or None when the heading names none
    first_line: int
    last_line: int
    fields: dict[str, str] = field(default_factory=dict)
    stray: bool = False  # a line of its span is neither a field nor a field's continuation
    lines: set[int] = field(default_factory=set)  # the heading's, its fields' and their continuations'

    def covers(self, line: int) -> bool:
        """Whether a line of the text is read as part of this block (a stray sentence among its lines is not)."""
        return line in self.lines


def _content(line: str) -> tuple[str, str]:
    """The list mark of a line and what follows it."""
    match = _MARK.match(line)
    return (match.group(0).strip(), line[match.end() :].strip()) if match else ("", line.strip())


def _heading_period(words: str) -> str | None:
    return next((period for period, pattern in _HEADING_PERIODS if pattern.search(words)), None)


def _field(content: str) -> tuple[str, str] | None:
    for name, pattern in _FIELDS:
        match = pattern.match(content)
        if match:
            return name, content[match.end() :].strip()
    return None


def _is_heading(mark: str, content: str) -> bool:
    """ "1. Báo cáo tháng", "Điều 7. Báo cáo đột xuất"; not "- Báo cáo của các Vụ" (whose report a content list
    describes), nor a line with a date (a clause, not a heading)."""
    heading = _HEADING.match(content)
    if heading and heading["inline"] and _heading_period(heading["rest"]) != "ad-hoc":
        return False  # "1. Báo cáo tháng: Các sở … gửi … trước ngày 20": a sentence, read as one
    return (
        bool(mark)
        and mark[0] not in "-–+•"
        and bool(heading)
        and not re.match(r"(?i)báo\s+cáo\s+của\b", content)
        and not re.search(r"\d{1,2}\s*/\s*\d{1,2}|\bngày\s+\d", content)
    )


def find_blocks(text: str) -> list[Block]:
    """The report blocks of a text: a "Báo cáo …" heading followed by at least one field of its own."""
    lines = text.split("\n")
    blocks: list[Block] = []
    current: Block | None = None
    open_field: str | None = None
    for number, raw in enumerate(lines):
        mark, content = _content(raw)
        if not content:
            continue
        heading = _HEADING.match(content)  # (a heading matches it: _is_heading asks the same)
        if heading is not None and _is_heading(mark, content) and not _inside_article(current, mark, content):
            current, open_field = Block(content, mark, _heading_period(heading["rest"]), number, number), None
            current.lines.add(number)
            if heading["inline"]:
                current.fields["body"] = heading["inline"]  # "2. Báo cáo đột xuất: theo yêu cầu của UBND tỉnh."
            blocks.append(current)
            continue
        if current is None:
            continue
        found = _field(content)  # marked or not: a converted document may have lost its list marks
        if _ends(current.mark, mark, raw):
            current, open_field = None, None
        elif found:
            open_field = found[0]
            current.fields[open_field] = found[1]
            current.last_line = number
            current.lines.add(number)
        elif open_field is None and current.period == "ad-hoc" and number == current.last_line + 1:
            current.fields["body"] = f"{current.fields.get('body', '')}\n{content}".strip()  # an article's text
            current.last_line = number
            current.lines.add(number)
        elif open_field is not None and (not mark or mark in "-–+•") and number == current.last_line + 1:
            current.fields[open_field] = f"{current.fields[open_field]}\n{content}".strip()  # the field goes on
            current.last_line = number
            current.lines.add(number)
        else:
            current.stray, open_field = True, None
    return [block for block in blocks if _has_fields(block)]


def _inside_article(current: Block | None, mark: str, content: str) -> bool:
    """ "Điều 7. Báo cáo đột xuất / 1. Báo cáo theo nội dung yêu cầu của …": a case of the article, not a block."""
    return current is not None and current.mark.startswith("Điều") and current.period == "ad-hoc" and mark[:1].isdigit()


def _depth(mark: str) -> int:
    if _SECTION_MARK.match(mark):
        return -1
    return 0 if mark.startswith("Điều") else mark.count(".") if mark[:1].isdigit() else 9 if mark[:1].isalpha() else 10


_SECTION_MARK = re.compile(r"^[IVXLC]+\.$")


def _ends(block_mark: str, mark: str, raw: str) -> bool:
    """Whether a line closes the block: a chapter, an article, or a numbered item of the block's own rank or above."""
    if re.match(r"(?:Điều|Chương|CHƯƠNG|Mục|MỤC|Phần|PHẦN)\s+[\dIVXLC]|[IVXLC]+\.\s", raw):
        return True
    if not mark or mark[0] in "-–+•" or block_mark.startswith("Điều") or _SECTION_MARK.match(block_mark):
        return False
    return _depth(mark) <= _depth(block_mark) and _depth(mark) != 10


def _has_fields(block: Block) -> bool:
    """A block says who or to whom, or when with nothing else in between; an ad-hoc one may say none of it, when it
    heads an article or a numbered item ("Điều 7. Báo cáo đột xuất"), not when it is one entry of a list of kinds
    ("b) Báo cáo đột xuất.")."""
    if any(block.fields.get(name) for name in ("reporters", "recipient")):
        return True
    if any(block.fields.get(name) for name in ("due", "frequency")):
        return not block.stray  # else a sentence among its lines names the parties: the sentence reader reads it
    return block.period == "ad-hoc" and "body" in block.fields and not re.match(r"[a-zđ][.)]", block.mark)


_ISSUER = re.compile(
    r"(?m)^(?!Căn\s+cứ|Theo\s|Xét\s)(?P<who>[^\n.;:\d]{3,80}?)\s+"
    r"(?:quy\s+định|ban\s+hành|hướng\s+dẫn)\b[^\n]*(?:như\s+sau|Thông\s+tư)"
)


def issuer_of(text: str) -> str | None:
    """The words naming the body that issues the text ("Uỷ ban Dân tộc quy định … như sau:"), where it says so."""
    match = _ISSUER.search(text[:6000])
    if not match:
        return None
    who = re.sub(r"^(?:Bộ\s+trưởng|Chủ\s+nhiệm|Thủ\s+trưởng)\s+", "", match["who"].strip())
    return who if re.match(r"[A-ZĐÀ-Ỹ]", who) else None


# ---------------------------------------------------------------------------------------------------------------
# From blocks to items

_SPLIT_AND = re.compile(r"\s*;\s*|\s+và\s+(?=(?:các|[Cc]ơ\s+quan|UBND|Ủy|Uỷ|Sở|Bộ|Cục|Vụ|Ban|Văn\s+phòng)\b)")
_PURPOSE = re.compile(r"(?i)\s+(?:để|nhằm)\s.*$", re.DOTALL)


@dataclass(slots=True)
class _Regime:
    """What the blocks read so far say, for a block that leaves a field out."""

    reporters: list[str] = field(default_factory=list)
    recipient: tuple[str | None, list[str], str | None] = (None, [], None)


def _reporters(value: str, level: Level, modern: bool) -> list[str]:
    """The reporters a field names: agencies and groups, and plural units as written ("Các Vụ, Cục, đơn vị thuộc
    Bộ"), which name no one agency."""
    names: list[str] = []
    for conjunct in _SPLIT_AND.split(value.split("\n")[0].rstrip(" .")):
        conjunct = conjunct.strip(" ,.")
        parties = find_parties(conjunct, level, modern=modern)
        units = plural_units(conjunct)
        if units and not (parties and parties[0].start == 0 and parties[0].group):
            names.append(units)
            continue
        names.extend(party.name for party in parties)
    return list(dict.fromkeys(names))


def _recipient(
    value: str, level: Level, modern: bool, *, bare_titles: bool = True
) -> tuple[str | None, list[str], str | None]:
    """Recipient, further recipients and the unit that takes it in ("Bộ Tài chính (qua Vụ Tổng hợp)"). Without
    ``bare_titles``, a title without its body ("Bộ trưởng, Chủ nhiệm …") names no recipient."""
    value = _PURPOSE.sub("", value.split("\n")[0]).rstrip(" .")
    parties = [p for p in find_parties(value, level, modern=modern) if not p.group]
    if not bare_titles:
        parties = [p for p in parties if p.name not in _BARE_TITLES]
    outside = [p for p in parties if not _inside(value, p.start)]
    inside = [p for p in parties if _inside(value, p.start)]
    if not outside:
        return None, [], None
    return outside[0].name, [p.name for p in outside[1:]], inside[0].name if inside else None


def _inside(text: str, position: int) -> bool:
    return text.rfind("(", 0, position) > text.rfind(")", 0, position)


def _named_periods(block: Block) -> list[str]:
    """The periods a block is for: its heading's, else those its frequency field names ("Định kỳ 6 tháng, hằng năm
    hoặc đột xuất"), in order."""
    if block.period:
        return [block.period]
    frequency = block.fields.get("frequency", "")
    return list(
        dict.fromkeys(
            m.period.split(":")[0] for m in _periods(frequency) if m.period in ("H1", "Y", "Q", "M", "ad-hoc")
        )
    )


def _dated(block: Block) -> list[tuple[str, _Date | None]]:
    """(period, date) pairs of a block: its periods, the dates of its sending field."""
    named = _named_periods(block)
    regular = [period for period in named if period != "ad-hoc"]
    ad_hoc: list[tuple[str, _Date | None]] = [("ad-hoc", None)] if "ad-hoc" in named else []
    due = block.fields.get("due", "")
    ends = _of_periods(due, [_Mention(0, 0, period) for period in regular])[0]
    if ends or not regular and ad_hoc:
        return ends + ad_hoc
    dates = _dates(due) or _days_of_every(due, [_Mention(0, 0, p) for p in regular])
    if len(regular) == 1 and len(dates) <= 1:
        return [(regular[0], dates[0] if dates else None)] + ad_hoc
    pairs = _pair(due, _periods(due), dates)
    undecided = [index for index, (period, _) in enumerate(pairs) if period.endswith("?")]
    if len(undecided) == len(regular) and len(regular) > 1:
        for index, period in zip(undecided, regular, strict=True):  # in the order the frequency names them
            pairs[index] = (period, pairs[index][1])
    elif len(regular) == 1:
        pairs = [(regular[0] if period.endswith("?") else period, date) for period, date in pairs]
    given = {period.rstrip("?") for period, _ in pairs}
    return pairs + [(period, None) for period in regular if period not in given] + ad_hoc


_BARE_TITLES = ("Bộ trưởng", "Lãnh đạo Bộ")
_ASKER = re.compile(r"(?i)\b(?:theo|khi\s+có)\s+(?:nội\s+dung\s+)?yêu\s+cầu\s+(?:của\s+)?(?P<who>[^.;\n]+)")


def _body_subjects(block: Block, level: Level, modern: bool) -> list[str]:
    """The reporters of an article's first sentence ("Các Bộ, ngành và UBND cấp tỉnh có trách nhiệm báo cáo …")."""
    first = block.fields.get("body", "").split("\n")[0]
    return _parties(first, level, modern)[0] if first else []


def _parties_of(block: Block, regime: _Regime, issuer: str | None, level: Level, modern: bool):
    """Reporters, recipient and the notes that say where the ones the block leaves out were taken from."""
    notes: list[str] = []
    reporters = _reporters(block.fields.get("reporters", ""), level, modern) or _body_subjects(block, level, modern)
    if not reporters and regime.reporters:
        reporters = list(regime.reporters)
        notes.append(f'the block "{block.heading[:60]}" names no reporter: read from the block before it')
    recipient = _recipient(block.fields.get("recipient", ""), level, modern)
    asker = _ASKER.search(block.fields.get("body", ""))
    asked_by = _recipient(asker["who"], level, modern, bare_titles=False) if asker else (None, [], None)
    if recipient[0] is None and asker and asked_by[0] is not None:
        recipient = asked_by  # "theo yêu cầu của Bộ Tư pháp": who asks for the report receives it
        notes.append(f'the recipient is read as the body that asks for the report ("{asker.group(0)[:60]}")')
    elif recipient[0] is None and regime.recipient[0] is not None:
        recipient = regime.recipient
        notes.append(f'the block "{block.heading[:60]}" names no recipient: read from the block before it')
    elif recipient[0] is None and issuer:
        recipient = (issuer, [], None)
        notes.append(f"the regime names no recipient: read as the body that issues the text ({issuer})")
    return reporters, recipient, notes


def block_items(text: str, level: Level, modern: bool) -> list[tuple[Block, list[Item]]]:
    """The text's report blocks, each with its items (the sentence reader leaves the blocks' lines alone)."""
    blocks = find_blocks(text)
    issuer = issuer_of(text) if blocks else None
    regime = _Regime()
    out: list[tuple[Block, list[Item]]] = []
    for block in blocks:
        items: list[Item] = []
        reporters, (recipient, also_to, via), notes = _parties_of(block, regime, issuer, level, modern)
        regime.reporters = reporters or regime.reporters
        regime.recipient = (recipient, also_to, via) if recipient else regime.recipient
        quote = (block.fields.get("due") or block.heading).split("\n")[0]
        for period, date in _dated(block):
            item = Item(
                reporters=list(reporters),
                recipient=recipient,
                also_to=list(also_to),
                via=via,
                period=period.split(":")[0],
                kind=_kind(period),
                date=date.day if date else None,
                rule=date.rule if date else None,
                quote=quote,
                section=block.heading,
                months_after=date.months_after if date else 0,
            )
            item.review.extend(notes)
            item.confidence -= 0.1 * len(notes)
            _assess(item)
            items.append(item)
        out.append((block, items))
    return out

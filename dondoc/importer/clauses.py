"""Reporting clauses: who reports what to whom, by which date, as a plan's sentences and its structure say it.

A clause is a sentence that asks for a report ("báo cáo", "gửi … về") and
names a period ("06 tháng", "hằng năm", "quý", "đột xuất") or a deadline
("trước ngày 20/5", "chậm nhất ngày 15/12/2021", "trước ngày 15 hằng tháng",
"từ ngày 05 đến ngày 10 tháng 12"). Each (period, date) pair of a clause
becomes one :class:`Item`; the pairing follows the sentence: the period a
date's parenthesis follows, the period named in a parenthesis after a date,
the period named just before it. Two dates and no period words ("trước ngày
05/6 và 20/11 hằng năm") are read as the 6-month and the yearly report,
flagged for review.

Who reports is read from the sentence, and when the sentence does not say,
from where it stands: an earlier sentence of the same paragraph, the
paragraph's lead-in ("Các sở, ban, ngành … có trách nhiệm:"), the numbered
heading or article it sits under ("4. Các sở, ban, ngành", "Điều 12.
Trách nhiệm của Sở Khoa học và Công nghệ"), or the addressees of a letter
("Kính gửi: …"), and in a regulation of a body's functions ("CHỨC NĂNG, NHIỆM VỤ, QUYỀN HẠN … CỦA SỞ TƯ PHÁP")
that body. "… về Sở Y tế để tổng hợp, báo cáo UBND tỉnh trước ngày D"
gives two items: the reporters' report to Sở Y tế, and Sở Y tế's onward
report to UBND tỉnh, which alone gets D.

A date is only ever read from the text. Data cut-offs ("chốt số liệu"),
deadlines to issue or set up something ("ban hành … trước ngày") and dates
counted from an event ("trong 10 ngày kể từ …") are not report deadlines; a
one-off report due within a month, a quarter or a phase's year ("trong tháng
11/2025", "(năm 2030)") is undated and kept beside the dated ones; weekly and
daily reports are ``periodic`` (dondoc has no such period). A clause left
without a date, reporter or recipient says so in ``review``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from ..model import Kind, Level, Rule
from .agencies import canonical, find_agencies, find_groups, overlaps
from .parties import GROUP_KINDS, Party, find_parties, generic_party, plural_units

__all__ = ["AD_HOC_NOTE", "NO_DATE", "Item", "Sentence", "WrittenDay", "find_items", "is_modern", "sentences"]

NO_DATE = "the plan writes no date for this report: set it from the coordinator's instructions"
WITHIN_NOTE = "a one-off report due within"
AD_HOC_NOTE = (
    'an ad-hoc report ("đột xuất", "theo yêu cầu"): the plan gives it no date and none is invented; it '
    "falls due when it is asked for"
)


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

    reporters: list[str]  # group kinds (departments, districts, communes, provinces, ministries) or names as written
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
    onward: bool = False  # the coordinator's report read from "… để tổng hợp, báo cáo X"
    months_after: int = 0  # "ngày 05 của tháng đầu quý sau": due in the month after the period


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the plan, with its section, its agency heading and the reporters its place gives it."""

    text: str
    section: str | None
    heading_agency: str | None
    index: int
    subjects: tuple[str, ...] = ()  # reporters from the structure (heading, lead-in), groups as kinds
    subject_from: str | None = None  # the heading or lead-in they were read from
    line: int = 0


# ---------------------------------------------------------------------------------------------------------------
# The plan's structure: sections, headings, lead-ins, sentences

_ROMAN = re.compile(r"^([IVXLC]+)\.\s*(.+)$")
_NUMBERED = re.compile(r"^(?:\d{1,2}|[a-zđ])[.)]\s*(?:Đề nghị\s+)?(.{3,})$")
_LIST_MARK = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*[.)]|\(\d{1,2}\)|[a-zđ][.)]|[-–+•*])\s*")
# tasks numbered inside one paragraph: "…: (1) Bộ Công an …; (2) Bộ Tài chính …" (the first mark after ":" or ";")
_INLINE_TASK = re.compile(r"(?<=[:;.])\s+(?=\(\d{1,2}\)\s+\w)")
_SPLIT = re.compile(r"(?<!TP\.)(?<!Tp\.)(?<!\bđ/c\.)(?<=[.!?])\s+(?=[-–+•]?\s*[A-ZĐÀ-Ỹ]|[a-zđ][.)]\s+[A-ZĐÀ-Ỹ])")
_RANKS = [
    (re.compile(r"^(?:Chương|CHƯƠNG|Phần|PHẦN)\s+[IVXLC\d]+\b"), 0),
    (re.compile(r"^[IVXLC]+\.\s"), 0),
    (re.compile(r"^(?:Mục|MỤC)\s+\d+\b"), 1),
    (re.compile(r"^Điều\s+\d+\b[.:]?"), 2),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s"), 5),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.?\s"), 4),
    (re.compile(r"^\d{1,2}[.)]\s"), 3),
    (re.compile(r"^[a-zđ][.)]\s"), 6),
    (re.compile(r"^[-–•*]\s*"), 7),
    (re.compile(r"^\+\s*"), 8),
]
_DUE_LINE = re.compile(r"(?i)^(?:[-+]\s*)?thời\s+(?:gian|hạn)\s+(?:hoàn\s+thành|thực\s+hiện|gửi|báo\s+cáo)\b")
# "Trách nhiệm các phòng, ban …" is written without "của" too; "Yêu cầu đối với cơ sở …" and "Nghĩa vụ của thương
# nhân …" name those they bind
_SUBJECT_LEAD = re.compile(
    r"(?i)^(?:giao|đề\s+nghị|yêu\s+cầu\s+đối\s+với|yêu\s+cầu|trách\s+nhiệm(?:\s+của)?|nhiệm\s+vụ\s+của|đối\s+với"
    r"|(?:quyền\s+và\s+)?nghĩa\s+vụ\s+của)\s+"
)
# the heads of bodies, capitalised or not ("Trách nhiệm của thủ trưởng các đơn vị thuộc Cục …")
_TITLES = re.compile(
    r"^(?:(?:[Cc]hủ tịch|[Gg]iám đốc|[Tt]hủ trưởng|[Bb]ộ trưởng|[Tt]rưởng ban|[Cc]hánh [Vv]ăn phòng|[Ll]ãnh đạo)"
    r"(?:\s+|,\s*))+"
)
_LEAD_IN = re.compile(r"(?i)\b(?:có|chịu)\s+trách\s+nhiệm|\bthực\s+hiện\b|\bnhư\s+sau\b|\bnhiệm\s+vụ\b|\bchỉ\s+đạo\b")


def _rank(line: str) -> tuple[int | None, str]:
    for pattern, rank in _RANKS:
        match = pattern.match(line)
        if match:
            return rank, line[match.end() :].strip()
    return None, line


def _chain(parties: list[Party], text: str) -> list[str]:
    """The first party and those listed with it ("Sở A, Sở B và UBND các xã"), as reporters."""
    if not parties:
        return []
    names = [parties[0].name]
    for previous, party in zip(parties, parties[1:]):
        gap = text[previous.end : party.start]
        if not re.fullmatch(r"\s*(?:,|;|và|,\s*và|/)?\s*(?:các\s+)?(?:(?:Thủ trưởng|Chủ tịch|Giám đốc)\s+)?", gap):
            break
        if party.name not in names:
            names.append(party.name)
    return names


def _subjects(content: str, level: Level, modern: bool, *, heading: bool) -> list[str]:
    """The reporters a heading or a lead-in names at its start ("4. Các sở, ban, ngành", "Giao Sở Y tế …")."""
    led = _SUBJECT_LEAD.match(content)
    body = content[led.end() :] if led else content
    body = _TITLES.sub("", body)
    parties = find_parties(body[:400], level, modern=modern)
    if (
        len(parties) > 1
        and parties[0].start <= 4
        and re.fullmatch(
            r"(?i)\s*(?:đề\s+nghị|yêu\s+cầu|giao)\s+(?:các\s+)?(?:(?:Chủ tịch|Giám đốc|Thủ trưởng|Bộ trưởng)\s+)?",
            body[parties[0].end : parties[1].start],
        )
    ):
        return _chain(parties[1:], body)  # "Bộ X đề nghị UBND các tỉnh …:": those asked, not the one who asks
    if parties and parties[0].start <= 4:
        names = _chain(parties, body)
        first = parties[0]
        whole = body[first.start :].split("(")[0].rstrip(" :.")
        if (
            heading
            and led
            and first.group
            and len(whole) > first.end - first.start + 3
            and not re.match(r"(?i)^[^,;]*(?:có|chịu)\s+trách", whole[first.end - first.start :])
        ):
            literal = generic_party(whole)
            if literal:
                return [literal]
        return names
    regime = _REGIME_LEAD.search(content) is not None  # "Các tổ chức, đơn vị … thực hiện chế độ báo cáo như sau:"
    units = plural_units(body, organisations=regime) if (heading and led) or regime else None
    if units:
        return [units]  # "Trách nhiệm các phòng, ban, đơn vị thuộc UBND cấp xã": units named by their kinds
    if heading and (led or re.match(r"(?i)^(?:các\s+)?(?:doanh\s+nghiệp|cơ\s+sở|đối\s+tượng|chủ\s+rừng)", body)):
        literal = generic_party(body.rstrip(":"))
        if literal:
            return [literal]
    return []


def _is_heading(line: str) -> bool:
    return (
        len(line) < 200
        and not re.search(r"[.;]$", line)
        and len(line.split()) < 30
        and (line.endswith(":") or not re.search(r"\bbáo\s+cáo\b", line, re.I))
    )


def _leading_agency(text: str) -> str | None:
    groups = [(s, kind) for s, _, kind in find_groups(text) if kind != "departments" and s <= 12]
    # the longest reading of the name ("Trung tâm Phục vụ hành chính công tỉnh", not "Trung tâm Phục vụ")
    agencies = [(p.start, p.name) for p in find_parties(text) if not p.group and p.start <= 12]
    first = min(groups or agencies, default=None, key=lambda pair: pair[0])
    return first[1] if first else None


def is_modern(text: str) -> bool:
    """Whether the plan was written after the 2025 reorganisation (districts gone since 1/7/2025; "các địa
    phương" of a province are its communes): its date of issue, else the dates it writes, else its words."""
    issued = re.search(r"ngày\s+\d{1,2}\s+tháng\s+(\d{1,2})\s+năm\s+(20\d\d)", text[:1500])
    if issued:
        return (int(issued[2]), int(issued[1])) >= (2025, 7)
    written = [(int(y), int(m)) for m, y in re.findall(r"\b\d{1,2}\s*/\s*(\d{1,2})\s*/\s*(20\d\d)\b", text[:6000])]
    if written and max(written) >= (2025, 7):
        return True
    return bool(re.search(r"(?i)đặc\s+khu|chính\s+quyền\s+địa\s+phương\s+0?2\s+cấp", text))


def sentences(text: str, level: Level = Level.PROVINCE, *, modern: bool | None = None) -> list[Sentence]:
    """The plan's sentences in order, each knowing its section, agency heading and structural reporters.

    The agency heading (for targets and assignments) is the agency a numbered line starts with: for a short
    line ("13. Ban Dân tộc Thành phố") it holds for the paragraphs under it, for a paragraph ("2. Sở LĐTBXH
    chịu trách nhiệm …") for that paragraph's sentences. The structural reporters follow the outline: a
    heading or lead-in that names agencies holds until a heading of its rank or above.
    """
    modern = is_modern(text) if modern is None else modern
    out: list[Sentence] = []
    section: str | None = None
    heading: str | None = None
    stack: list[tuple[float, tuple[str, ...], str]] = []  # rank, subjects, the line they come from
    for number, raw in enumerate(text.split("\n")):
        line = raw.strip()
        if not line:
            continue
        rank, content = _rank(line)
        if rank is not None:
            stack = [entry for entry in stack if entry[0] < rank]
        roman = _ROMAN.match(line)
        if (roman or (rank == 0)) and len(line) < 140:
            section, heading, stack = line, None, []
            continue
        if _DUE_LINE.match(line) and out:
            last = out[-1]
            out[-1] = replace(last, text=f"{last.text}\n{line}")
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
        own: list[str] = []
        structural = stack[-1] if stack else None
        if rank is not None and (_is_heading(content) or rank == 2):
            names = _subjects(
                re.sub(r"^(?:Trách nhiệm|Nhiệm vụ)\s+(?=của)", "Trách nhiệm ", content), level, modern, heading=True
            )
            if names:
                stack.append((rank, tuple(names), line))
            if _is_heading(content):
                continue
        elif content.endswith(":") and _LEAD_IN.search(content):
            names = _subjects(content, level, modern, heading=False)
            if names:
                stack.append((rank if rank is not None else (stack[-1][0] + 0.5 if stack else 0.5), tuple(names), line))
                if not _REPORTING.search(content):
                    continue
        else:
            own = _subjects(content, level, modern, heading=False) if rank is not None else []
            if own and rank is not None and 2 <= rank <= 6:
                # "3. Sở X a. Chủ trì …": its sub-items are Sở X's too; "a) Các sở … phải …" and the unmarked
                # paragraphs that go on with it, until the next lettered item
                stack.append((rank, tuple(own), line))
        inline = _INLINE_TASK.search(line) is not None
        parts = [q for p in _SPLIT.split(line) for q in _INLINE_TASK.split(p) if q.strip()]
        merged: list[str] = []
        for part in parts:
            if merged and _DUE_LINE.match(part.strip()):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        several = len([m for m in merged if _LIST_MARK.sub("", m.strip()).strip()]) > 1  # not "2." split off alone
        for part in merged:
            task = re.match(r"\(\d{1,2}\)\s", part.strip()) is not None
            part = _LIST_MARK.sub("", part.strip()).strip()
            reporting = inline and bool(_REPORTING.search(part))
            if part.endswith(":") and several and _LEAD_IN.search(part) and not own:
                # "Các bộ, ngành thực hiện: (1) … (2) …": the lead-in of the tasks numbered after it
                own = _subjects(part, level, modern, heading=False)
                if not reporting:
                    continue
            if not part or (_is_heading(part) and not task and not reporting):
                continue  # (a report's sentence before its numbered contents, "… gồm các nội dung: (1) …", is read)
            subjects, origin = (
                (tuple(own), line) if own else (structural[1], structural[2]) if structural else ((), None)
            )
            out.append(Sentence(part, section, subject, len(out), subjects, origin, number))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Periods and dates

# a one-off report due within a quarter or a month of a named year, no day written ("báo cáo Thủ tướng Chính phủ trong
# quý I năm 2010", "vào đầu quý I năm 2010", "trong tháng 11/2025"), or within a named year
_WITHIN = re.compile(
    r"(?i)\b(?:trong|vào)(?:\s+(?:đầu|cuối))?\s+(?:quý\s+(?:[IV]{1,3}|[1-4])|tháng\s+\d{1,2})"
    r"(?:\s+(?:năm\s+)?|\s*/\s*)\d{4}\b"
    # a phase's review in a named year: "báo cáo giữa kỳ thực hiện Kế hoạch (năm 2030)", "sơ kết … (năm 2028)"
    r"|\b(?:giữa\s+kỳ|sơ\s+kết|tổng\s+kết)\b[^.;()]{0,60}?\((?:vào\s+)?năm\s+\d{4}\)"
    # … or at a named year's end or start, without brackets: "sơ kết … vào cuối năm 2027 và tổng kết vào cuối năm 2030"
    r"|\b(?:giữa\s+kỳ|sơ\s+kết|tổng\s+kết)\b[^.;()]{0,60}?\bvào\s+(?:cuối|đầu|giữa)\s+năm\s+\d{4}\b"
    r"(?=[^.;]{0,60}\bbáo\s+cáo\b)"  # when reported in the same clause ("… tổ chức tổng kết vào cuối năm 2020." is not)
)
_WEEKLY = re.compile(
    r"(?i)\b(?:định\s+kỳ\s+)?(?:hằng|hàng|mỗi)\s+(?:tuần|ngày)\b|\bbáo\s+cáo\s+(?:tuần|ngày)\b"
    r"|\b0?\d\s+lần\s*/\s*(?:ngày|tuần)"
)
_PERIODS: list[tuple[str, re.Pattern]] = [
    (
        "ad-hoc",
        re.compile(
            r"(?i)(?<!vấn đề )(?<!sự việc )(?<!tình huống )\bđột\s+xuất\b(?!,?\s+phát\s+sinh)"
            r"|\bkhi\s+(?:có|được)\s+yêu\s+cầu\b"
            r"|(?<=báo cáo )theo\s+yêu\s+cầu\b(?![^.;]{0,80}\b(?:tại|số)\s)"
            # "… hằng năm hoặc theo yêu cầu của …", "báo cáo theo định kỳ và theo yêu cầu của …"
            r"|(?<=\bhoặc )theo\s+(?:yêu\s+cầu|đề\s+nghị)\b(?!\s+báo\s+cáo\s+nhanh)(?![^.;]{0,80}\b(?:tại|số)\s)"
            r"|(?<=định kỳ và )theo\s+yêu\s+cầu\s+của\b(?![^.;]{0,80}\b(?:tại|số)\s)"
        ),
    ),
    (
        "Q",
        re.compile(
            r"(?i)(?<!ngày\s)\b(?:định\s+kỳ\s+)?0?3\s+tháng(?:\s*/\s*lần|\s+một\s+lần|\s+1\s+lần)?(?!\s*/?\s*\d)"
        ),
    ),
    (
        "H1",
        re.compile(
            r"(?i)(?<!ngày\s)\b(?:0?6|sáu)(?:\s*\(sáu\))?\s+tháng(?:\s*/\s*lần|\s+đầu\s+năm|\s+một\s+lần)?(?!\s*/?\s*\d)"
        ),
    ),
    (
        "Y",
        re.compile(
            # "trong quý I của năm liền kề": every year, within a quarter of the next one (no day written)
            r"(?i)(?<=trong\s)quý\s+(?:I{1,3}|IV|[1-4])\s+(?:của\s+)?năm\s+(?:sau|tiếp\s+theo|liền\s+kề)\b"
            r"|\b(?:cả\s+năm|hằng\s+năm|hàng\s+năm|định\s+kỳ\s+năm|0?1\s+năm|một\s+năm|mỗi\s+năm"
            r"|báo\s+cáo\s+năm|tổng\s+kết\s+năm|kết\s+quả\s+năm|năm\s+sau|năm\s+tiếp\s+theo)\b(?!\s+học)"
            r"|(?<=tháng,\s)năm\b|(?<=tháng và\s)năm\b|(?<=quý,\s)năm\b|(?<=quý và\s)năm\b|(?<=\),\s)năm\b"
            r"|(?<=\svà\s)năm\b(?=\s+(?:\(|trước\s+ngày|chậm\s+nhất))"
        ),
    ),
    (
        "Q",
        re.compile(
            r"(?i)\b(?:hằng\s+quý|hàng\s+quý|mỗi\s+quý|theo\s+quý|định\s+kỳ\s+quý|báo\s+cáo\s+quý)\b"
            # a list of periods after what the report is about: "báo cáo thông tin … quý, sáu tháng, năm"
            r"|(?<!hằng\s)(?<!hàng\s)(?<!mỗi\s)(?<!theo\s)(?<!kỳ\s)(?<!cáo\s)\bquý(?=\s*(?:,|và)\s+(?:sáu|0?6)\s+tháng\b)"
        ),
    ),
    ("M", re.compile(r"(?i)\b(?:hằng\s+tháng|hàng\s+tháng|mỗi\s+tháng|định\s+kỳ\s+tháng|báo\s+cáo\s+tháng)\b")),
    ("once:period-report", re.compile(r"(?i)\b(?:sau\s+khi\s+|khi\s+)?kết\s+thúc\s+(?:tháng|đợt|chiến\s+dịch)\b")),
    ("once:period-report", _WITHIN),
    ("once:implementation-plan", re.compile(r"(?i)\b(?:xây\s+dựng|ban\s+hành)\s+(?:và\s+ban\s+hành\s+)?kế\s+hoạch\b")),
    # "tự đánh giá, xếp loại" is what a report contains (a self-assessment), not a review reported once
    ("once:evaluation", re.compile(r"(?i)\b(?:sơ\s+kết|tổng\s+kết(?!\s+năm)|(?<!tự\s)đánh\s+giá)\b")),
    # a weekly or daily report (an emergency plan's "hằng ngày", "02 lần/ngày"): dondoc has no such period, so it is
    # read as periodic and said so (see _assess)
    ("periodic", _WEEKLY),
    ("periodic", re.compile(r"(?i)\bđịnh\s+kỳ\b")),
]

_RULES = (
    r"(?P<rule>trước\s+hoặc\s+(?:vào|trong)\s+ngày|chậm\s+nhất(?:\s+là)?(?:\s+vào)?(?:\s+ngày)?"
    r"|(?:vào\s+)?trước\s+ngày|hạn(?:\s+(?:chót|cuối))?(?:\s+là)?(?:\s+ngày)?|vào\s+ngày|đến\s+hết\s+ngày"
    r"|trong\s+ngày|trước)"
)
_DM = (
    r"(?P<d>\d{1,2})\s*(?:(?:/|-|\.)\s*(?P<m>\d{1,2})|\s+tháng\s+(?P<mw>\d{1,2}))"
    r"(?:\s*(?:/|-|\.)\s*(?P<y>\d{4})|\s+năm\s+(?P<yw>\d{4}))?(?!\s*/?\s*\d)"
)
_DATE = re.compile(_RULES + r"\s+" + _DM, re.I)
_WINDOW = re.compile(
    r"(?i)\btừ\s+ngày\s+\d{1,2}(?:\s*/\s*\d{1,2}(?:\s*/\s*\d{4})?)?\s+(?:đến|tới)\s+(?P<rule>(?:hết\s+)?ngày)\s+" + _DM
)
_ALSO_DATE = re.compile(r"\s*(?:,|và|;|hoặc)\s*(?:(?:trước\s+)?ngày\s+)?" + _DM, re.I)
_DAY_OF = re.compile(
    _RULES + r"\s+(?P<d>\d{1,2})\s+(?:(?:hằng|hàng|của|mỗi)\s+)?(?:tháng|quý)(?!\s*\d)"
    r"(?P<tail>\s+(?:(?:cuối|đầu(?:\s+tiên)?)(?:\s+của)?\s+quý(?:\s+(?:sau|tiếp\s+theo))?"
    r"|tiếp\s+theo|sau"
    r"|cuối\s+cùng\s+của\s+quý))?",
    re.I,
)
_QUARTER_MONTHS = re.compile(
    _RULES + r"\s+(?P<d>\d{1,2})\s+(?:các\s+)?tháng\s+0?3\s*,\s*0?6\s*,\s*0?9\s*(?:,|và)\s*12\b", re.I
)
_ALSO_MONTH = re.compile(r"\s*(?:,|và)\s*tháng\s+(?P<mw>\d{1,2})\b(?!\s*/)", re.I)
_CUT_OFF = re.compile(r"(?i)(?:thời\s+(?:gian|điểm)\s+)?chốt\s+số\s+liệu[^.;]*|số\s+liệu\s+(?:tính\s+)?từ\s+ngày[^.;]*")
_RECURRING = re.compile(r"(?i)^\s*(?:của\s+)?(?:hằng|hàng|mỗi)\s+năm\b")
_LAST_YEAR = re.compile(r"(?i)^\s*(?:của\s+)?năm\s+cuối\b")
_NEXT_YEAR = re.compile(r"(?i)^[^.;()]{0,12}?(?:năm\s+sau|năm\s+tiếp\s+theo|năm\s+liền\s+kề)")
_ISSUE = re.compile(r"(?i)\b(?:ban\s+hành|thành\s+lập|phê\s+duyệt|khởi\s+công|khánh\s+thành|phát\s+động)\b")
_RELATIVE = re.compile(
    r"(?i)\b(?:trong\s+(?:thời\s+hạn\s+)?(?:\d+|vòng\s+\d+)\s+ngày(?:\s+làm\s+việc)?,?\s+(?:kể\s+)?từ"
    r"|chậm\s+nhất(?:\s+là)?\s+\d+\s+ngày|\d+\s+ngày(?:\s+làm\s+việc)?,?\s+(?:trước|sau|kể\s+từ)\s+(?:ngày|khi)"
    r"|(?:ngay\s+)?sau\s+khi\s+kết\s+thúc)"
)
_REPORT_PERIODS = ("H1", "Y", "Q", "M", "ad-hoc", "periodic", "once:period-report")
_AFTER = re.compile(r"^\s*\((?:đối\s+với\s+|với\s+)?(?:báo\s+cáo\s+)?(?P<what>[^()]{1,40})\)", re.I)


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
            if period in ("H1", "Y", "Q") and re.search(
                r"(?i)\b(?:sơ\s+kết|tổng\s+kết|sau)\s+$", text[: match.start()]
            ):
                continue  # "sơ kết 6 tháng việc thực hiện …": a review of a span, reported once
            if (
                period == "Y"
                and re.search(r"(?i)\btháng\s+\d{1,2}\s+$", text[: match.start()])
                and not re.search(r"(?i)\b(?:trong|vào)\s+tháng\s+\d{1,2}\s+$", text[: match.start()])
            ):
                continue  # "(tháng 01 và tháng 6 hàng năm)": the months of a period already named, every year
            if (
                period == "Y"
                and re.match(r"(?i)năm\s+(?:sau|tiếp\s+theo)", match.group(0))
                and re.search(r"(?i)\b(?:của|cho)\s+$", text[: match.start()])
                and not re.search(
                    r"(?i)(?:tháng\s+\d{1,2}|\d{1,2}\s*/\s*\d{1,2})\s+(?:của\s+)?$", text[: match.start()]
                )
            ):
                continue  # "xây dựng kế hoạch, nhu cầu của năm tiếp theo": what is planned, not when it is reported
            found.append(_Mention(match.start(), match.end(), period))
    return sorted(found, key=lambda m: m.start)


_SEGMENT_REPORT = re.compile(r"(?i)\bbáo\s+cáo\b|\bgửi\b")
_VERBS = (
    r"(?:bố\s+trí|tổ\s+chức|xây\s+dựng|triển\s+khai|kiểm\s+tra|rà\s+soát|tuyên\s+truyền"
    r"|phân\s+bổ|cấp|chi|đề\s+xuất|ban\s+hành|lập|cập\s+nhật|tập\s+huấn|bồi\s+dưỡng|giao|trích"
    r"|sơ\s+kết|tổng\s+kết|đánh\s+giá|thanh\s+tra|giám\s+sát|vận\s+động|hỗ\s+trợ|đào\s+tạo)\b"
)
_OTHER_VERB = re.compile(r"(?i)\s*(?:\S+\s+)?" + _VERBS)
_OTHER_VERB_BEFORE = re.compile(r"(?i)^\s*(?:đồng\s+thời\s+)?" + _VERBS)
# "khi có yêu cầu của cơ quan có thẩm quyền thực hiện kiểm tra …": the request is for another verb than the report
# "… hằng năm hoặc theo yêu cầu của …", "báo cáo theo định kỳ và theo yêu cầu của …": the report asked for outside
# its period, an ad-hoc one, when the clause's verb is "báo cáo" (see _of_the_report).
_OR_ON_REQUEST = re.compile(r"(?i)theo\s+(?:yêu\s+cầu|đề\s+nghị)\b")
_REPORT_WORD = re.compile(r"(?i)\bbáo\s+cáo\b")
# "báo cáo định kỳ và đột xuất", "định kỳ hoặc đột xuất báo cáo", "báo cáo định kỳ, đột xuất": a standing duty of
# its own sentence, kept beside the reports another sentence gives the same parties with their periods.
_STANDING_DUTY = re.compile(r"(?i)\bđịnh\s+kỳ\s*(?:,|và|hoặc)\s*đột\s+xuất\b")
_REQUESTED_VERB = re.compile(r"(?i)\s+của\s+[^,;]{0,60}?\s+(?:thực\s+hiện\s+)?" + _VERBS)


def _segments(text: str) -> list[tuple[int, int]]:
    """The comma- and semicolon-separated parts of a clause, outside parentheses."""
    bounds, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")" and depth > 0
        if char in ",;" and depth == 0:
            bounds.append((start, index))
            start = index + 1
    bounds.append((start, len(text)))
    return bounds


def _of_the_report(text: str, periods: list[_Mention]) -> list[_Mention]:
    """The period words that belong to the report, when the clause gives the report its own.

    "… hàng năm bố trí kinh phí để thực hiện, định kỳ báo cáo Chủ tịch UBND tỉnh": "hàng năm" times the budget,
    another verb of the sentence; the report is "định kỳ". A period word is dropped when its comma-separated part
    has no reporting verb, the word is followed by a verb of its own, and the part with the reporting verb names a
    period itself.
    """
    periods = [
        m
        for m in periods
        if not (m.period == "ad-hoc" and _OR_ON_REQUEST.match(text, m.start) and not _REPORT_WORD.search(text))
    ]  # "gửi Sở Tài chính danh mục … hàng năm hoặc theo yêu cầu của …": a list sent on request, not a report
    segments = _segments(text)

    def part(mention: _Mention) -> tuple[int, int]:
        return next(((a, b) for a, b in segments if a <= mention.start < b), segments[-1])

    reporting = [(a, b) for a, b in segments if _SEGMENT_REPORT.search(text[a:b])]
    if not any(part(m) in reporting for m in periods):
        return periods
    kept = []
    for mention in periods:
        a, b = part(mention)
        if (
            (a, b) not in reporting
            and mention.period in ("H1", "Y", "Q", "M")
            and (_OTHER_VERB.match(text[mention.end : b]) or _OTHER_VERB_BEFORE.search(text[a : mention.start]))
        ):
            continue  # the period of another verb of the sentence ("đồng thời xây dựng kế hoạch của năm tiếp theo")
        if (a, b) not in reporting and mention.period == "periodic" and _WEEKLY.match(text, mention.start):
            continue  # "Kiểm tra hộp thư ít nhất 02 lần/ngày; … báo cáo": how often another verb is done
        if (
            (a, b) not in reporting
            and mention.period in ("once:implementation-plan", "once:evaluation")
            and not _DATE.search(text[a:b])
        ):
            continue  # "…; UBND các xã xây dựng kế hoạch cụ thể; định kỳ trước ngày … báo cáo": another verb's task
        if (a, b) not in reporting and mention.period == "ad-hoc" and _REQUESTED_VERB.match(text[mention.end : b]):
            continue  # "khi có yêu cầu của cơ quan có thẩm quyền thực hiện kiểm tra …": an inspection on request
        kept.append(mention)
    return kept


@dataclass(frozen=True, slots=True)
class _Date:
    start: int
    end: int
    day: WrittenDay
    rule: Rule
    every: str | None  # "M" or "Q" for "ngày 15 hằng tháng"
    months_after: int = 0


def _blank(text: str, pattern: re.Pattern) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def _written(match: re.Match) -> WrittenDay | None:
    day, month = int(match["d"]), int(match["m"] or match["mw"])
    year = match["y"] or match["yw"]
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return WrittenDay(day, month, int(year) if year else None)


def _dates(text: str) -> list[_Date]:
    """The deadlines of a clause; not data cut-offs, not the dates of issuing or setting something up."""
    text = _blank(text, _CUT_OFF)
    found: list[_Date] = []
    taken = lambda s, e: overlaps(s, e, [(d.start, d.end) for d in found])  # noqa: E731
    for match in _WINDOW.finditer(text):
        day = _written(match)
        if day and not re.search(r"(?i)số\s+liệu\s*$", text[max(0, match.start() - 30) : match.start()]):
            found.append(_Date(match.start(), match.end(), day, Rule.BY, None))
    for match in _QUARTER_MONTHS.finditer(text):  # "trước ngày 15 tháng 3, 6, 9 và 12": every quarter's last month
        found.append(_Date(match.start(), match.end(), WrittenDay(int(match["d"])), _rule(match["rule"]), "Q"))
    for match in _DAY_OF.finditer(text):
        if taken(match.start(), match.end()):
            continue
        every = "Q" if "quý" in match.group(0).lower() else "M"
        later = bool(match["tail"] and re.search(r"(?i)sau|tiếp\s+theo", match["tail"]))
        found.append(
            _Date(match.start(), match.end(), WrittenDay(int(match["d"])), _rule(match["rule"]), every, int(later))
        )
        # "trước ngày 25 tháng cuối của quý, ngày 25 tháng 6 và ngày 25 tháng 12 hằng năm": the dates of the other
        # periods listed after the quarter's day
        also = _ALSO_DATE.match(text, match.end())
        while also and (second := _written(also)) is not None:
            found.append(_Date(also.start("d"), also.end(), second, _rule(match["rule"]), None))
            also = _ALSO_DATE.match(text, also.end())
    for match in _DATE.finditer(text):
        if taken(match.start(), match.end()):
            continue
        day = _written(match)
        if day:
            found.append(_Date(match.start(), match.end(), day, _rule(match["rule"]), None))
            same_day = _ALSO_MONTH.match(text, match.end())
            while same_day and 1 <= int(same_day["mw"]) <= 12:  # "trước ngày 20 tháng 6 và tháng 12"
                found.append(
                    _Date(
                        same_day.start("mw"),
                        same_day.end(),
                        WrittenDay(day.day, int(same_day["mw"]), day.year),
                        _rule(match["rule"]),
                        None,
                    )
                )
                same_day = _ALSO_MONTH.match(text, same_day.end())
            also = _ALSO_DATE.match(text, match.end())
            while also:
                second = _written(also)
                if second is None:
                    break
                found.append(_Date(also.start("d"), also.end(), second, _rule(match["rule"]), None))
                also = _ALSO_DATE.match(text, also.end())
    kept = []
    for date in sorted(found, key=lambda d: d.start):
        part_start = max(text.rfind(";", 0, date.start), text.rfind(". ", 0, date.start)) + 1
        part_end = min(p for p in (text.find(";", date.end), text.find(". ", date.end), len(text)) if p >= 0)
        part = text[part_start:part_end]
        if _ISSUE.search(part) and not re.search(r"(?i)\bbáo\s+cáo\b|\bgửi\b", part):
            continue
        kept.append(date)
    return kept


# "trước ngày 20 của tháng cuối kỳ báo cáo", "trước ngày 03 của tháng tiếp theo sau tháng cuối cùng của kỳ báo cáo
# đối với báo cáo quý, 6 tháng và cả năm": a day of the period's last month, or of the month after it
_OF_PERIOD = re.compile(
    r"(?i)(?P<rule>trước|chậm\s+nhất(?:\s+là)?(?:\s+vào)?|vào)\s+ngày\s+(?P<d>\d{1,2})\s+(?:của\s+)?tháng\s+"
    r"(?P<which>cuối\s+(?:cùng\s+)?(?:của\s+)?kỳ\s+báo\s+cáo"
    r"|(?:tiếp\s+theo|đầu)\s+(?:sau\s+|của\s+)?(?:tháng\s+)?(?:cuối\s+cùng\s+của\s+)?(?:tháng\s+)?"
    r"kỳ\s+(?:báo\s+cáo\s*)?(?:sau|tiếp\s+theo)?)"
    r"(?:\s+đối\s+với\s+(?:các\s+)?(?P<for>báo\s+cáo\s+[^.;]*?))?(?=\s+và\s+(?:trước|chậm)|[.;]|$)"
)
_LAST_MONTH = {"H1": 6, "Y": 12}


def _of_periods(text: str, periods: list[_Mention]) -> tuple[list[tuple[str, _Date]], str]:
    """Deadlines set against the period reported on, each with its periods (those the date names after "đối với", else
    the clause's), and the text with them blanked for the other date rules."""
    pairs: list[tuple[str, _Date]] = []
    for match in _OF_PERIOD.finditer(text):
        day, rule = int(match["d"]), _rule(match["rule"])
        after = 0 if match["which"].lower().startswith("cuối") else 1
        named = _periods(match["for"]) if match["for"] else periods
        for period in dict.fromkeys(m.period for m in named if m.period in ("H1", "Y", "Q", "M")):
            if period in _LAST_MONTH:
                month = _LAST_MONTH[period] % 12 + after if after else _LAST_MONTH[period]
                pairs.append((period, _Date(match.start(), match.end(), WrittenDay(day, month), rule, None)))
            else:
                pairs.append((period, _Date(match.start(), match.end(), WrittenDay(day), rule, period, after)))
    return pairs, _blank(text, _OF_PERIOD)


_LONE_DAY = re.compile(
    r"(?i)(?P<rule>trước|chậm\s+nhất(?:\s+là)?(?:\s+vào)?|vào)\s+ngày\s+(?P<d>\d{1,2})\b"
    r"(?!\s*(?:/|-|\.\d|tháng|năm))"
)


def _days_of_every(text: str, periods: list[_Mention]) -> list[_Date]:
    """ "hằng tháng, chậm nhất vào ngày 22": a day without a month in a clause that names one monthly or quarterly
    period is that period's day."""
    every = {m.period for m in periods if m.period in ("H1", "Y", "Q", "M")}
    if len(every) != 1 or not every <= {"Q", "M"}:
        return []
    period = every.pop()
    return [
        _Date(m.start(), m.end(), WrittenDay(int(m["d"])), _rule(m["rule"]), period)
        for m in _LONE_DAY.finditer(text)
        if 1 <= int(m["d"]) <= 31
    ]


def _rule(words: str) -> Rule:
    words = " ".join(words.lower().split())
    return Rule.BEFORE if words in ("trước ngày", "trước", "vào trước ngày") else Rule.BY


def _kind(period: str) -> Kind:
    if period == "ad-hoc":
        return Kind.AD_HOC
    if period.startswith("once:"):
        return Kind(period.split(":", 1)[1])
    return Kind.PERIOD_REPORT


def _inside_parenthesis(text: str, position: int) -> int | None:
    opening = text.rfind("(", 0, position)
    return opening if opening > text.rfind(")", 0, position) else None


def _listed_without_periods(text: str, periods: list[_Mention], dates: list[_Date], used: set[int]) -> dict[int, str]:
    """Dates listed together with no period named before them ("trước ngày 05/6 và 20/11 hằng năm"): "?" each, or
    the periods a parenthesis after the list names in order ("… 25/12 hằng năm (báo cáo 6 tháng và báo cáo năm)")."""
    out: dict[int, str] = {}
    run = [0] if dates else []
    for index in range(1, len(dates) + 1):
        if (
            index < len(dates)
            and not dates[index].every
            and re.fullmatch(
                r"(?i)\s*(?:,|và|;|hoặc)\s*(?:(?:trước\s+)?ngày\s+|tháng\s+)?",
                text[dates[index - 1].end : dates[index].start],
            )
        ):
            run.append(index)
            continue
        if len(run) >= 2:
            first, last = dates[run[0]], dates[run[-1]]
            before = [
                m
                for m in periods
                if m.end <= first.start
                and m.period != "periodic"
                and not any(d.end <= m.start for d in dates[: run[0]])
            ]
            listed = [periods.index(m) for m in before if m.period in ("H1", "Y", "Q", "M")]
            if len(listed) == len(run) and len({periods[i].period for i in listed}) == len(listed):
                # "định kỳ 6 tháng, hằng năm … trước ngày 15/6 và 15/12": in the order written
                used.update(listed)
                out.update({index: periods[m].period for index, m in zip(run, listed)})
                run = [index]
                continue
            recurring = _RECURRING.match(text[last.end :])
            inside = [m for m in periods if first.start <= m.start < last.end]
            if not before and not inside:
                tail = last.end + (recurring.end() if recurring else 0)
                if recurring:
                    used.update(i for i, m in enumerate(periods) if last.end <= m.start < tail)
                named = re.match(r"\s*\(([^()]*)\)", text[tail:])
                listed = [
                    i
                    for i, m in enumerate(periods)
                    if named
                    and tail + named.start(1) <= m.start < tail + named.end(1)
                    and m.period in ("H1", "Y", "Q", "M")
                ]
                if named and len(listed) == len(run):
                    used.update(listed)
                    out.update({index: periods[m].period for index, m in zip(run, listed)})
                else:
                    out.update({index: "?" for index in run})
        run = [index]
    return out


def _named_before(periods: list[_Mention], used: set[int], since: int, date: _Date) -> int | None:
    """The one 6-month report named before a date "… hằng năm" ("báo cáo 6 tháng … trước ngày 10/6 hằng năm": every
    year's 10/6 is the 6-month report's), when no other period comes between."""
    before = [
        i for i, m in enumerate(periods) if i not in used and since <= m.start < date.start and m.period != "periodic"
    ]
    return before[0] if len(before) == 1 and periods[before[0]].period == "H1" else None


def _pair(text: str, periods: list[_Mention], dates: list[_Date]) -> list[tuple[str, _Date | None]]:
    """(period, date) pairs of one clause; periods left without a date give (period, None)."""
    used: set[int] = set()
    pairs: list[tuple[str, _Date | None]] = []
    previous_end = 0

    def take(index: int) -> str:
        used.add(index)
        return periods[index].period

    undecided_group = _listed_without_periods(text, periods, dates, used)
    for position, date in enumerate(dates):
        if position in undecided_group:
            pairs.append((undecided_group[position], date))
            previous_end = date.end
            continue
        period = None
        recurring = _RECURRING.match(text[date.end :])
        if recurring:
            for index, mention in enumerate(periods):
                if mention.period == "Y" and date.end <= mention.start < date.end + recurring.end():
                    used.add(index)
        if date.every:
            period = date.every
            for index, mention in enumerate(periods):
                if mention.period in (date.every, "periodic") and index not in used:
                    used.add(index)
        opening = _inside_parenthesis(text, date.start)
        if period is None and opening is not None:
            for index in range(len(periods) - 1, -1, -1):
                mention = periods[index]
                if index not in used and opening - 30 <= mention.end <= opening + 1 and mention.start >= previous_end:
                    period = take(index)
                    break
                if index not in used and opening < mention.start < date.start:
                    period = take(index)
                    break
        after = _AFTER.match(text[date.end :])
        if period is None and after:
            for index, mention in enumerate(periods):
                if index not in used and date.end + after.start() <= mention.start < date.end + after.end():
                    period = take(index)
                    break
        if period is None and recurring:
            tail = date.end + recurring.end()
            nearby = [
                i
                for i, m in enumerate(periods)
                if i not in used and tail <= m.start < tail + 25 and m.period in ("H1", "Q", "M")
            ]
            named_before = _named_before(periods, used, previous_end, date)
            period = take(nearby[0]) if nearby else take(named_before) if named_before is not None else "Y"
        if period is None:
            for index in range(len(periods) - 1, -1, -1):
                mention = periods[index]
                if index in used or mention.start >= date.start or mention.end < previous_end:
                    continue
                if mention.period == "periodic" and any(
                    m.period != "periodic" and previous_end <= m.start < date.start for m in periods
                ):
                    continue
                period = take(index)
                break
        if period is None or period == "periodic":
            if _NEXT_YEAR.match(text[date.end :]):
                period = "Y"
            elif _LAST_YEAR.match(text[date.end :]):
                period = "once:period-report"  # "trước ngày 20 tháng 7 năm cuối của chương trình": once, its last year
            elif date.day.year:
                period = "once:period-report"
            else:
                period = "?"
        pairs.append((period, date))
        previous_end = date.end
    # every pair so far has its date (the periods without one are added below)
    undecided = [(index, date) for index, (period, date) in enumerate(pairs) if period == "?" and date is not None]
    if len(undecided) >= 2:
        ordered = sorted(undecided, key=lambda pair: (pair[1].day.month or 0, pair[1].day.day))
        pairs[ordered[0][0]] = ("H1?", ordered[0][1])
        for index, date in ordered[1:]:
            pairs[index] = ("Y?", date)
    elif undecided:
        pairs[undecided[0][0]] = ("Y?", undecided[0][1])
    named = {p.rstrip("?") for p, _ in pairs}
    for index, mention in enumerate(periods):
        if index in used or (mention.period.startswith("once") and mention.period != "once:period-report"):
            continue
        if mention.period == "periodic" and (pairs or any(m.period in ("H1", "Y", "Q", "M") for m in periods)):
            continue
        again = (
            mention.period == "once:period-report"
            and (within := _WITHIN.match(text, mention.start)) is not None
            and within.end() == mention.end
            and all(d is None for p, d in pairs if p == mention.period)
        )  # "Báo cáo giữa kỳ … (năm 2030) và báo cáo tổng kết … (năm 2035)": one report each
        if (mention.period in named and not again) or (mention.period == "once:period-report" and pairs and not again):
            continue
        pairs.append((mention.period, None))
        named.add(mention.period)
    return pairs


# ---------------------------------------------------------------------------------------------------------------
# Parties of a clause

_REPORTING = re.compile(
    r"(?i)\bbáo\s+cáo\b|\bgửi\b[^.;]{0,120}\bvề\b|\bgửi\s+(?:báo\s+cáo\s+)?(?-i:[A-ZĐÀ-Ỹ])"
    # a programme sent up ("lập, trình Bộ Quốc phòng (qua Cục …) chương trình … trước ngày …")
    r"|\blập,\s+trình\s+(?-i:[A-ZĐÀ-Ỹ])"
)
_NOT_SENT_UP = re.compile(
    r"(?i)\b(?:dự\s+toán|hồ\s+sơ\s+đề\s+nghị|văn\s+bản\s+đề\s+nghị)\b[^.;]{0,140}\bgửi\b|\bđể\s+đăng\s+tải\b"
    r"|\bđăng\s+tải\b|\bthông\s+báo\b[^.;]{0,120}\bgửi\s+(?:đến\s+|cho\s+)?các\b"
    r"|\bgửi\s+(?:văn\s+bản\s+)?đề\s+nghị\b"  # "phải gửi đề nghị dùng chung tới doanh nghiệp …": a request
)
# A sentence that starts with its verb has no subject of its own: its reporters are those of its heading.
_VERB_FIRST = re.compile(
    r"(?i)^(?:khẩn\s+trương|tổ\s+chức|chủ\s+trì|thực\s+hiện|tăng\s+cường|theo\s+dõi|tổng\s+hợp|báo\s+cáo"
    r"|hoàn\s+thành|hoàn\s+thiện|xây\s+dựng|hướng\s+dẫn|phối\s+hợp|kiểm\s+tra|rà\s+soát|đôn\s+đốc"
    r"|triển\s+khai|tiếp\s+tục|đẩy\s+mạnh|chỉ\s+đạo|tham\s+mưu|nghiên\s+cứu|cung\s+cấp|gửi|thống\s+kê"
    r"|chịu\s+trách\s+nhiệm|có\s+trách\s+nhiệm|làm\s+đầu\s+mối)\b"
)
_ADVISED = re.compile(
    r"(?i)\btham\s+mưu\s+(?:cho\s+)?(?:UBND|Ủy\s+ban\s+nhân\s+dân|Uỷ\s+ban\s+nhân\s+dân)\s+(?:tỉnh|thành\s+phố)"
    r"(?:\s+[A-ZĐÀ-Ỹ]\w*)*\s+(?:báo\s+cáo|trình)\b"
)
_ISSUING = re.compile(r"(?i)^(?:xây\s+dựng,?\s+)?(?:ban\s+hành|thành\s+lập|phê\s+duyệt)\b")
# a kind of document, not the verb: "phê duyệt Báo cáo nghiên cứu khả thi", "lập báo cáo đánh giá tác động môi trường"
_DOCUMENT_KIND = re.compile(
    r"(?i)\bbáo\s+cáo\s+(?:nghiên\s+cứu\s+(?:tiền\s+)?khả\s+thi|đánh\s+giá\s+tác\s+động\s+môi\s+trường"
    r"|kinh\s+tế\s*[-–]\s*kỹ\s+thuật|đề\s+xuất\s+(?:chủ\s+trương|cấp)|thành\s+tích)\b"
)
_NOT_A_REPORT = re.compile(
    r"(?i)^(?:số\b|(?:căn cứ|thực hiện|triển khai|tiếp theo) (?:luật|bộ luật|quyết định|nghị định"
    r"|công văn|công điện|chỉ thị|nghị quyết|thông tư|thông báo|kết luận|kế hoạch số|văn bản)"
    r"|(?:\d{1,2}\.\s*)?nội\s+dung\s+(?:của\s+)?báo\s+cáo\b)"
)  # what a report says, not who owes it
_CONTINGENT = re.compile(
    r"(?i)\b(?:nếu\s+có|khi\s+có|trường\s+hợp|quá\s+trình)\b[^.]{0,60}\b(?:khó\s+khăn|vướng\s+mắc|phát\s+sinh"
    r"|vượt|sự\s+cố)|\bkịp\s+thời\s+phản\s+ánh\b|\bvượt\s+(?:quá\s+)?thẩm\s+quyền\b"
)
_RECIPIENT_MARK = re.compile(
    r"(?i)\b(?:về|cho|tới|lên|trình|báo\s+cáo|gửi|đến|nộp)\s+(?:(?:đến|về|cho)\s+)?"
    r"(?:(?:Thủ\s+tướng|Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng|Trưởng\s+ban)\s+)?$"
)
_OBJECT_MARK = re.compile(
    r"(?i)\b(?:phối\s+hợp(?:\s+với)?|(?<!báo cáo )với|chỉ\s+đạo|hướng\s+dẫn|của|đối\s+với|giúp|đề\s+nghị"
    r"|tham\s+mưu(?:\s+cho)?|đôn\s+đốc|kiểm\s+tra|thuộc|cùng|tại|do|từ)"
    r"\s+(?:(?:Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng)\s+)?(?:các\s+)?$"
)
_OTHERS_REPORTS = re.compile(r"(?i)\btổng\s+hợp,?\s+(?:các\s+)?báo\s+cáo\b[^.;]{0,80}?\bcủa\s+(?:các|những)\s")
# A report named as the product of a task, made or published periodically, not sent to anyone: "Báo cáo kiểm kê … được
# xây dựng, công bố định kỳ", "Dự thảo Báo cáo … cập nhật định kỳ"
_PRODUCT = re.compile(
    r"(?i)^(?:dự\s+thảo\s+)?báo\s+cáo\b(?=[^;]*?(?:\bđược\s+(?:xây\s+dựng|công\s+bố|ban\s+hành|cập\s+nhật|phát\s+hành)\b"
    r"|\b(?:cập\s+nhật|công\s+bố)\s+định\s+kỳ\b))"
)
# Bodies of one kind at every level, as the subject of a report: "cơ quan thuế các cấp phải báo cáo …"
_EVERY_LEVEL = re.compile(
    r"(?:^|[,:]\s*)((?:[Cc]ác\s+)?(?:cơ\s+quan|đơn\s+vị|tổ\s+chức)(?:\s+[a-zđà-ỹ]+){1,4}?\s+các\s+cấp)"
    r"\s+(?:(?:phải|có\s+trách\s+nhiệm|định\s+kỳ|thực\s+hiện)\s+)*(?:báo\s+cáo|gửi)\b"
)
# A report that goes through a section of the unit, named by what it does: "… báo cáo … qua bộ phận tổ chức cán bộ để …"
_SECTION_VIA = re.compile(
    r"(?i)\bbáo\s+cáo\b[^.;]{0,60}?\bqua\s+((?-i:bộ\s+phận)(?:\s+[a-zđà-ỹ]+){1,5}?)(?=\s+(?:để|nhằm|trước)\b|\s*[,;.(]|$)"
)
# "báo cáo … theo yêu cầu của Ban quản lý khu du lịch hoặc …": who asks, a body named by what it is (a capital first)
_ASKED_BY_NAME = re.compile(
    r"(?i)\bbáo\s+cáo\b[^.;]{0,80}?\btheo\s+yêu\s+cầu\s+của\s+((?-i:[A-ZĐ])[a-zđà-ỹ]*(?:\s+(?-i:[a-zđà-ỹ]+)){1,5}?)"
    r"(?=\s+(?:hoặc|và|về|trước|trong)\b|\s*[,.;(]|$)"
)
# A body called by its abbreviation (the text defines it once, "Trung tâm … (VNMAC)"), as a report's recipient
# ("báo cáo về TTHC" is what the report is about: "về" only after "gửi"; an abbreviation the text never defines in
# brackets is dropped by find_items)
_ACRONYM_RECIPIENT = re.compile(
    r"\b(?:gửi\b[^.;]{0,120}?\svề|gửi|[Bb]áo\s+cáo)\s+(?!UBND\b|HĐND\b|MTTQ\b|ĐBQH\b|BCĐ\b)([A-ZĐ]{3,8})\b"
    r"(?=\s*[,;.(]|\s+(?:và|trước|theo|để|chậm|qua|định|hằng|hàng)\b|$)"
)
# the lead-in of a reporting regime's points: "Các tổ chức … thực hiện chế độ báo cáo như sau:"
_REGIME_LEAD = re.compile(r"(?i)\bchế\s+độ\s+báo\s+cáo\b[^.;]{0,40}(?:như\s+sau|sau\s+đây)\s*:\s*$")
_ASKED_BY = re.compile(r"(?i)\bbáo\s+cáo\b[^.;]{0,60}\b(?:theo|khi\s+có)\s+yêu\s+cầu\s+của\s+$")
_REQUESTER = re.compile(r"(?i)^\s*(?:yêu\s+cầu|đề\s+nghị|giao)\b")
_ASKED = re.compile(
    r"(?i)(?:^|\b(?:yêu\s+cầu|đề\s+nghị|giao)\s+)(?:(?:Thủ\s+trưởng|Chủ\s+tịch|Giám\s+đốc|Bộ\s+trưởng)\s+)?$"
)
# "(gửi Tờ trình / Hồ sơ trình,) đề nghị Thủ tướng Chính phủ, Chủ tịch UBND tỉnh xem xét …": the bodies a document
# asks to decide, neither its senders nor (when the sentence names where it goes) its recipient; not "Đề nghị UBND các
# xã xem xét, báo cáo …", where those asked are the reporters
_ASKED_TO_DECIDE_BEFORE = re.compile(
    r"(?i)\b(?:tờ\s+trình|hồ\s+sơ|văn\s+bản|công\s+văn|trình,?|gửi)\s+(?:[^.;:]{0,30}?\s)?đề\s+nghị\s+"
    r"(?:(?!\b(?:báo\s+cáo|gửi|nộp|thực\s+hiện|để)\b)[^.;:]){0,80}$"
)
_ASKED_TO_DECIDE_AFTER = re.compile(r"(?i)^(?:(?!\b(?:báo\s+cáo|gửi|nộp|thực\s+hiện|để)\b)[^.;:]){0,80}?\bxem\s+xét\b")
_VIA_MARK = re.compile(r"(?i)(?:\(|\b)(?:thông\s+qua|qua)(?:\s+(?:cơ\s+quan\s+)?đầu\s+mối(?:\s+là)?)?\s+$")
_CONSOLIDATE = re.compile(r"(?i)\btổng\s+hợp\b")
_ONWARD = re.compile(
    r"(?i)(?:\bđể\s+|(?<=[\wÀ-ỹ)]\s))(?:tổng\s+hợp|theo\s+dõi|tổng\s+hợp,\s*theo\s+dõi)\s*,?\s*(?:báo\s+cáo|trình)\s+"
    r"|\bđể\s+(?:báo\s+cáo|trình)\s+"
)
_VERB = re.compile(
    r"(?i)\b(?:chủ\s+trì|phối\s+hợp|có\s+trách\s+nhiệm|chịu\s+trách\s+nhiệm|căn\s+cứ|định\s+kỳ"
    r"|đột\s+xuất|báo\s+cáo|gửi|xây\s+dựng|triển\s+khai|hướng\s+dẫn|kiểm\s+tra|tổng\s+hợp"
    # "tổ chức" is a verb, except as the noun of a list of bodies ("các tổ chức chính trị - xã hội")
    r"|(?<!các\s)(?<!những\s)tổ\s+chức(?!\s+(?:chính\s+trị|xã\s+hội|đoàn\s+thể|kinh\s+tế|tín\s+dụng))"
    r"|chủ\s+động|thực\s+hiện|theo\s+dõi|đánh\s+giá|hàng\s+năm|hằng\s+năm|có\s+nhiệm\s+vụ|nghiêm\s+túc"
    r"|thống\s+kê|rà\s+soát|trước\s+ngày|chậm\s+nhất|có\s+báo\s+cáo|là\s+cơ\s+quan)\b"
)
_AFTER_PURPOSE = re.compile(r"(?i)\bđể\s+(?:tổng\s+hợp|phục\s+vụ|báo\s+cáo)")
_GENERIC_RECIPIENT = re.compile(
    r"(?i)\b(?:báo\s+cáo|gửi(?:\s+về)?|cho|về)\s+((?:các\s+)?cơ\s+quan\s+[^,.;()]{3,70}?)"
    r"(?=\s+(?:theo|trước|để|về|trong|khi)\b|\s*[,.;(]|$)"
)
_ADDRESSED = re.compile(
    r"(?i)\b(?:quý\s+(?:ủy\s+ban|uỷ\s+ban|cơ\s+quan|đơn\s+vị|doanh\s+nghiệp|sở|bộ)|các\s+đơn\s+vị\s+gửi)"
)


def _qualified(text: str, party: Party) -> str | None:
    """ "Các đơn vị quản lý vận hành công trình điện lực": a kind of unit, not every department."""
    run = re.match(r"(?:\s+[a-zđà-ỹ]\w*)+", text[party.end :])
    words: list[str] = []
    for word in run.group(0).split() if run else []:
        if word in _PHRASE_STOP or len(words) >= 8:
            break
        words.append(word)
    if len(words) < 2:
        return None
    return generic_party(f"{text[party.start : party.end]} {' '.join(words)}")


_PHRASE_STOP = {
    "tổ",
    "thực",
    "có",
    "chịu",
    "báo",
    "gửi",
    "phối",
    "chủ",
    "định",
    "triển",
    "xây",
    "theo",
    "thống",
    "hằng",
    "hàng",
    "nghiêm",
    "khẩn",
    "kịp",
    "thường",
    "căn",
    "tiếp",
    "tăng",
    "và",
    "trước",
    "cung",
    "đăng",
    "rà",
    "kiểm",
    "cập",
    "phải",
    "được",
    "liên",
    "thuộc",
    "trực",
    "trên",
    "của",
    "khác",
    "trong",
}
_OWNER = re.compile(
    r"(?i)^[^,;]{0,120}?\bcủa\s+((?:các\s+)?(?:doanh\s+nghiệp|đơn\s+vị|cơ\s+quan|tổ\s+chức|chủ\s+đầu\s+tư)"
    r"(?:\s+[a-zđà-ỹ]\w*){0,6}?)\s+(?:phải|được|cần|sẽ)\b"
)


def _parties(
    text: str, level: Level, modern: bool, *, open_purpose: bool = False
) -> tuple[list[str], str | None, list[str], str | None]:
    """Reporters, recipient, further recipients and the body the report goes through, as the clause names them."""
    purpose = _AFTER_PURPOSE.search(text)
    limit = purpose.start() if purpose else len(text)
    names = find_parties(text, level, modern=modern)
    reporters: list[str] = []
    recipient: str | None = None
    also_to: list[str] = []
    via: str | None = None
    first = next((p for p in names if not _REQUESTER.match(text[p.end : p.end + 12])), None)
    opening = generic_party(
        re.split(r"\s+(?:chủ\s+động|có\s+trách|chịu|phối\s+hợp|thực\s+hiện|gửi|báo\s+cáo)\b", text, 1)[0]
    )
    if (
        opening
        and (first is None or first.start > 0)
        and re.match(r"(?i)(?:các|những)\s|doanh\s+nghiệp|chủ\s+(?:đầu\s+tư|rừng)", text)
    ):
        reporters.append(opening)  # "Các cơ sở đào tạo chủ động …": a body named by what it is
    units = plural_units(text) if first is None or first.start > 0 else None
    if units and not reporters:
        reporters.append(units)  # "Các Vụ, Cục, đơn vị thuộc Bộ gửi …": units named by their kinds
    verb = _VERB.search(text, first.end if first else 0)
    label = re.match(r"^[^:;.]{2,40}:\s+(?=[A-ZĐÀ-Ỹ])", text)  # "Báo cáo tháng: Sở Tài chính tổng hợp …"
    zone_end = 0 if _VERB_FIRST.match(text[label.end() if label else 0 :]) else verb.start() if verb else len(text)
    last_recipient_end = -1
    object_end = -1
    deciders: list[str] = []
    for party in names:
        before = text[max(0, party.start - 40) : party.start]
        if _ASKED_TO_DECIDE_BEFORE.search(text[: party.start]) and _ASKED_TO_DECIDE_AFTER.match(text[party.end :]):
            if not party.group:
                deciders.append(party.name)  # "đề nghị Chủ tịch UBND tỉnh xem xét": asked to decide, not a sender
            continue
        if _REQUESTER.match(text[party.end : party.end + 12]) and not party.group:
            continue  # "Ủy ban nhân dân Thành phố yêu cầu …": the one who asks
        if (
            not party.group
            and recipient is None
            and re.search(r"(?i)\bbáo\s+cáo\b[^;]{0,100}\bvới\s+$", text[: party.start])
        ):
            recipient, last_recipient_end = party.name, party.end
            continue
        if not party.group and recipient is None and _ASKED_BY.search(text[: party.start]):
            recipient, last_recipient_end = party.name, party.end  # "báo cáo theo yêu cầu của UBND tỉnh": who asks
            continue
        asked = _ASKED.search(before) and party.start <= zone_end
        marked = None if asked else _OBJECT_MARK.search(before)
        if marked or (
            object_end >= 0
            and re.fullmatch(
                r"\s*(?:,|và)?\s*(?:và\s+)?(?:các\s+)?(?:(?:Thủ trưởng|Chủ tịch)\s+)?", text[object_end : party.start]
            )
        ):
            chained = marked is None or re.search(r"(?i)với|phối|cùng", marked.group(0))
            object_end = party.end if chained else -1
            continue
        object_end = -1
        if _VIA_MARK.search(before):
            if via is None and not party.group:
                via = party.name
            continue
        if party.start >= limit:
            continue
        if not party.group and _RECIPIENT_MARK.search(before):
            if recipient is None:
                recipient, last_recipient_end = party.name, party.end
            elif re.fullmatch(r"\s*(?:,|và)\s*", text[last_recipient_end : party.start]) or re.search(
                r"(?i)đồng\s+gửi", before
            ):
                also_to.append(party.name)
                last_recipient_end = party.end
            continue
        if (
            recipient is not None
            and not party.group
            and re.fullmatch(r"\s*(?:,|và|,\s*và)\s*", text[last_recipient_end : party.start])
        ):
            also_to.append(party.name)
            last_recipient_end = party.end
            continue
        if (
            recipient is not None
            and not party.group
            and via is None
            and re.fullmatch(r"\s*\(\s*", text[last_recipient_end : party.start])
        ):
            via = party.name  # "Bộ Tài chính (Cục Quản lý giá)": the unit that receives it
            continue
        if party.group and recipient is not None and re.match(r"(?i)^[^.;]{0,60}?\bbáo\s+cáo\b", text[party.end :]):
            reporters.append(party.name)  # "… phải báo cáo Sở X, các doanh nghiệp, địa phương báo cáo UBND tỉnh"
            continue
        if recipient is None and party.name not in reporters and (first and first.start <= party.start < zone_end):
            qualified = _qualified(text, party) if party.name == "departments" else None
            reporters.append(qualified or party.name)
    if recipient is None and open_purpose and purpose:
        after = next(
            (
                p
                for p in names
                if p.start >= purpose.start()
                and not p.group
                and _RECIPIENT_MARK.search(text[max(0, p.start - 40) : p.start])
            ),
            None,
        )
        if after:
            recipient = after.name
    if recipient is None:
        generic = _GENERIC_RECIPIENT.search(text if open_purpose else text[:limit])
        if generic and re.search(r"(?i)\bcó\s+thẩm\s+quyền\b", generic.group(1)):
            generic = None  # "cơ quan nhà nước có thẩm quyền" names no body, as "cấp có thẩm quyền" does not
        if generic:
            recipient = generic.group(1).strip()
            also_to += [
                p.name
                for p in names
                if not p.group
                and generic.end() <= p.start < generic.end() + 40
                and p.name not in reporters
                and p.name != via
            ]
    if recipient is None and deciders:
        recipient, also_to = deciders[0], [*also_to, *deciders[1:]]  # the dossier goes to those asked to decide
    acronym = _ACRONYM_RECIPIENT.search(text) if recipient is None else None
    if acronym:
        recipient = acronym.group(1)  # "gửi báo cáo … về VNMAC, quân khu …": a body called by its abbreviation
    asker = _ASKED_BY_NAME.search(text) if recipient is None else None
    if asker and re.search(r"(?i)\bthẩm\s+quyền\b|\bcấp\s+trên\b|\bliên\s+quan\b", asker.group(1)):
        asker = None  # "theo yêu cầu của Cơ quan có thẩm quyền" names no body
    if asker:
        recipient = asker.group(1)  # "báo cáo … theo yêu cầu của Tổ chức quản lý chợ": a body named by what it is
    section = _SECTION_VIA.search(text) if via is None else None
    if section:
        via = section.group(1)  # "báo cáo đánh giá qua bộ phận tổ chức cán bộ để theo dõi": a unit's own section
    same = {canonical(n) for n in (recipient, via) if n}
    reporters = [r for r in reporters if r in GROUP_KINDS or canonical(r) not in same]
    return reporters, recipient, also_to, via


# ---------------------------------------------------------------------------------------------------------------
# Items


def find_items(text: str, level: Level = Level.PROVINCE) -> list[Item]:
    """Every reporting item of the plan's text, in the order of the text."""
    from .blocks import Block, block_items  # the block reader uses this module's date rules
    from .tables import Table, table_items  # so does the table reader

    modern = is_modern(text)
    all_sentences = sentences(text, level, modern=modern)
    addressees = _addressees(text, level, modern)
    owner = _owner_of_functions(text, level, modern)
    short_forms = _short_forms(text)
    items: list[Item] = []
    carried: tuple[int, list[str]] = (-1, [])
    context: dict[str | None, _Clause] = {}
    # regimes written as blocks of fields or as a table: read apart, their lines skipped below
    pending: list[tuple[Block | Table, list[Item]]] = [
        *block_items(text, level, modern),
        *table_items(text, level, modern),
    ]
    pending.sort(key=lambda found: found[0].first_line)
    blocks = [block for block, _ in pending]
    for sentence in all_sentences:
        while pending and pending[0][0].first_line <= sentence.line:
            items.extend(pending.pop(0)[1])
        if any(block.covers(sentence.line) for block in blocks):
            continue  # read as a block's field
        found, named, clause = _items_of(
            sentence,
            level,
            modern,
            carried[1] if carried[0] == sentence.line else [],
            addressees,
            context.get(sentence.section),
            owner,
            short_forms,
        )
        if named:
            carried = (sentence.line, named)
        if clause is not None:
            context[sentence.section] = clause
        items.extend(found)
    for _block, block_found in pending:
        items.extend(block_found)
    defined = set(re.findall(r"\(([A-ZĐ]{3,8})\)", text))
    for item in items:
        if (
            item.recipient
            and re.fullmatch(r"[A-ZĐ]{3,8}", item.recipient)
            and item.recipient not in defined
            and item.recipient not in ("UBND", "HĐND", "MTTQ", "ĐBQH", "BCĐ")
            and not find_parties(item.recipient, level, modern=modern)
        ):
            item.recipient = None  # an abbreviation the text never defines ("báo cáo CCHC …"): what, not whom
            item.review.append("the sentence names no recipient")
            item.confidence = round(max(item.confidence - 0.3, 0.1), 2)
    _infer_from_section(items, all_sentences)
    return _deduplicated(items)


_FUNCTIONS_OF = re.compile(
    r"CHỨC NĂNG,\s+NHIỆM VỤ,\s+QUYỀN HẠN(?:\s+VÀ\s+CƠ CẤU TỔ CHỨC)?\s+CỦA\s+"
    r"(?P<name>[A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ-]*(?:\s+[A-ZĐÀ-Ỹ-]+){0,9})"
)


def _owner_of_functions(text: str, level: Level, modern: bool) -> list[str]:
    """The body a "functions, duties and powers" regulation is about ("QUY ĐỊNH CHỨC NĂNG, NHIỆM VỤ, QUYỀN HẠN VÀ CƠ
    CẤU TỔ CHỨC CỦA SỞ TƯ PHÁP"): every duty it lists is that body's, so it reports where a sentence names nobody.
    The title is in capitals and runs into the next heading: the name is the longest run of its words that the text
    also writes in ordinary case."""
    match = _FUNCTIONS_OF.search(text)
    if not match:
        return []
    words = match.group("name").split()
    for size in range(len(words), 1, -1):
        name = " ".join(words[:size])
        written = next(
            (
                m
                for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text, re.I)
                if not m.group(0).isupper()
            ),
            None,
        )
        if written is not None:
            parties = find_parties(written.group(0), level, modern=modern)
            return [parties[0].name] if parties and not parties[0].group else []
    return []


def _addressees(text: str, level: Level, modern: bool) -> list[str]:
    """The agencies a letter is addressed to ("Kính gửi: …"), as reporters of last resort."""
    match = re.search(r"(?im)^\s*kính\s+gửi\s*:?\s*(.*)$", text[:4000])
    if not match:
        return []
    body = match.group(1).strip()
    if len(body) < 4:
        following = text[match.end() :].lstrip("\n").split("\n")
        body = "; ".join(line.lstrip("-–+ ").rstrip(";.") for line in following[:12] if re.match(r"^\s*[-–+]", line))
    body = re.split(r"\s+(?=(?:Thực hiện|Căn cứ|Theo|Nhằm|Để|Ngày)\s)", body, 1)[0]
    parties = find_parties(body, level, modern=modern)
    if parties:
        return [p.name for p in parties]
    literal = generic_party(body)
    return [literal] if literal else []


_SHORT_HEADS = ("Quỹ", "Trung tâm", "Viện", "Ban Quản lý")
_SHORT_NAME_END = re.compile(
    r"\s(?:của|là|được|có|và|theo|để|thì|do|tại|trong|cho|với|phải|thực|báo|gửi|nhằm|này|đó|trên|từ|khi|hoặc|quy|"
    r"chịu|không|bao|gồm|sau|trước|đến|về)\b.*$"
)
_SHORT_SUBJECT = re.compile(
    r"(?:^|[,;:]\s*)(?P<head>" + "|".join(_SHORT_HEADS) + r")\s+(?=có\s+trách|chịu\s+trách|phải\b|định\s+kỳ|hằng|hàng"
    r"|báo\s+cáo|gửi\b|thực\s+hiện)"
)


def _short_forms(text: str) -> dict[str, str]:
    """The full name a text's short form stands for: a regulation names its body once in full ("Quỹ nhà ở quốc gia")
    and then by its kind alone ("Quỹ có trách nhiệm báo cáo …"). The name is the first one with that head word the
    text writes more than once (the first one written, when none is written twice); none when it names no such body."""
    forms: dict[str, str] = {}
    for head in _SHORT_HEADS:
        counts: dict[str, int] = {}  # in the order first written
        for match in re.finditer(rf"(?<![\w]){head}(?: [^\s,.;:()]+){{1,6}}", text):
            name = _SHORT_NAME_END.sub("", match.group(0)).strip()
            if len(name.split()) > len(head.split()):
                counts[name] = counts.get(name, 0) + 1
        repeated = [name for name, count in counts.items() if count >= 2]
        if repeated or counts:
            forms[head] = (repeated or list(counts))[0]
    return forms


@dataclass(frozen=True, slots=True)
class _Clause:
    """A reporting clause with its parties but no period or date ("Các sở … báo cáo về Sở Nội vụ để tổng hợp,
    báo cáo UBND tỉnh."), whose periods and dates the next lines of its section give ("- Báo cáo năm: trước …")."""

    reporters: list[str]
    recipient: str | None
    also_to: list[str]
    via: str | None
    text: str
    onward: re.Match | None
    line: int
    complete: bool = False  # it had its own periods or dates: its parties hold for its own paragraph only


_REPORT_OF = re.compile(
    r"(?i)\bbáo\s+cáo(?:\s+(?:định\s+kỳ|hằng|hàng|mỗi|quý|tháng|năm|06|6|sáu|03|3))*\s+của\s+(?:các\s+)?$"
)


def _authors(text: str, level: Level, modern: bool) -> list[str]:
    """The reporters named as the owners of the report: "báo cáo hàng quý của các sở, ban, ngành và UBND quận - huyện
    gửi UBND thành phố" (the report of X, sent to Y)."""
    names = find_parties(text, level, modern=modern)
    authors: list[str] = []
    end = -1
    for party in names:
        if not authors:
            if _REPORT_OF.search(text[max(0, party.start - 60) : party.start]):
                authors, end = [party.name], party.end
            continue
        if re.fullmatch(r"\s*(?:,|và|,\s*và)\s*(?:các\s+)?", text[end : party.start]):
            authors.append(party.name)
            end = party.end
        else:
            break
    if authors and re.match(r"(?i)(?:\s*[-–]\s*[a-zđà-ỹ]+)?\s*(?:gửi|về|cho|lên|trình)\b", text[end : end + 20]):
        return authors
    return []


_OPENS_WITH_A_BODY = re.compile(
    r"(?:Các|các|UBND|Ủy|Uỷ|Sở|Bộ|Ban|Văn phòng|Cục|Vụ|Công an|Thủ trưởng|Chủ tịch|Giám đốc"
    r"|Đài|Báo|Hội|Liên|Trung tâm|Thanh tra|Kho bạc|Bảo hiểm|Cơ quan)\b"
)


_OWN_LEADERSHIP = re.compile(
    r"(?i)\bbáo\s+cáo\s+(?:cho\s+|với\s+)?(?:lãnh\s+đạo|thủ\s+trưởng|người\s+đứng\s+đầu|cấp\s+trên)\b"
)
# "Căn cứ Kế hoạch này, …", "Trên cơ sở nội dung Kế hoạch, …", "Theo chức năng, nhiệm vụ được giao, …"
_LEADING_ADVERBIAL = re.compile(
    r"(?i)^(?:\d{1,2}[.)]\s*)?(?:(?:căn\s+cứ|trên\s+cơ\s+sở|theo\s+chức\s+năng|để\s+triển\s+khai)[^,;.]{0,160}?,\s*"
    r"(?:[^,;.]{0,60}?(?:tình\s+hình|điều\s+kiện)\s+thực\s+(?:tiễn|tế)[^,;.]{0,40},\s*)?"
    r"|(?:đề\s+nghị|yêu\s+cầu|giao)\s+)"  # "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện."
)


def _subject_of(text: str, level: Level, modern: bool) -> list[str]:
    """The bodies a sentence opens with as its subject ("Các sở, ban, ngành, UBND các xã, phường chủ động triển khai
    thực hiện."): the reporters of a next sentence of the paragraph that names none. A leading adverbial ("Căn cứ nội
    dung Kế hoạch và tình hình thực tiễn, các sở, ban, ngành … xây dựng …") is passed over."""
    lead = _LEADING_ADVERBIAL.match(text)
    if lead:
        text = text[lead.end() :]
    if not _OPENS_WITH_A_BODY.match(text):
        return []  # most sentences open otherwise: spare them the search for names
    parties = find_parties(text[:300], level, modern=modern)
    if not parties or parties[0].start > 4:
        return []
    names = _chain(parties, text)
    last = next(p for p in reversed(parties) if p.name == names[-1])
    return names if _VERB.match(text[last.end :].lstrip(" ,")) or _OTHER_VERB.match(text[last.end :]) else []


def _reporting_part(text: str, level: Level, modern: bool) -> str:
    """The part of a sentence from the ";" that opens the reporting clause with its own subject: "Đề nghị Ủy ban
    MTTQ tỉnh phối hợp triển khai; Sở Giáo dục và Đào tạo gửi báo cáo …" is Sở Giáo dục và Đào tạo's report. The
    parts before it must hold no report, date nor period of their own."""
    parts = text.split("; ")
    for index, part in enumerate(parts[1:], start=1):
        if not _REPORTING.search(part):
            continue
        before = "; ".join(parts[:index])
        opener = find_parties(part[:120], level, modern=modern)
        own_subject = opener and opener[0].start == 0 and _ends_with_a_verb(before, level, modern)
        if (
            own_subject
            and not _REPORTING.search(before)
            and not _dates(before)
            and not any(m.period in _REPORT_PERIODS for m in _periods(before))
        ):
            return "; ".join(parts[index:])
        break
    return text


def _ends_with_a_verb(text: str, level: Level, modern: bool) -> bool:
    """Whether a part ends with what its subject does ("… tỉnh phối hợp triển khai"), not with a list of names
    ("các Sở, ban, ngành, đoàn thể; UBND các huyện … báo cáo": one subject, listed across the ";")."""
    parties = find_parties(text, level, modern=modern)
    tail = text[parties[-1].end :] if parties else text
    return bool(_VERB.search(tail) or _OTHER_VERB.search(tail))


def _items_of(
    sentence: Sentence,
    level: Level,
    modern: bool,
    carried: list[str],
    addressees: list[str],
    context: _Clause | None = None,
    owner_of_text: list[str] | None = None,
    short_forms: dict[str, str] | None = None,
) -> tuple[list[Item], list[str], _Clause | None]:
    """The items of one sentence, the reporters it names, and the clause whose parties the next lines may take."""
    text = _reporting_part(sentence.text, level, modern)
    regime_item = bool(
        sentence.subject_from
        and _REGIME_LEAD.search(sentence.subject_from)
        and re.search(r"(?i)\bđịnh\s+kỳ\b", text)
        and _dates(text)
    )  # "… thực hiện chế độ báo cáo như sau: … b) … định kỳ trước ngày 15 tháng cuối của quý …": a report's item
    if not regime_item and not _REPORTING.search(_DOCUMENT_KIND.sub("hồ sơ", text)):
        return [], _subject_of(text, level, modern), None  # who the paragraph is about, for its next sentences
    if _NOT_A_REPORT.match(text):
        return [], [], None
    if _NOT_SENT_UP.search(text) and not re.search(r"(?i)(?<!để\s)\bbáo\s+cáo\b", text):
        return [], [], None  # a budget estimate, a request, a notice sent down, a publication ("… để báo cáo" too)
    advised = _ADVISED.search(text)
    if advised and _REPORTING.search(text[: advised.start()]):
        text = text[: advised.start()].rstrip(" ,;")  # "… về Sở Nội vụ để tổng hợp, tham mưu UBND tỉnh báo cáo Bộ"
    elif advised:
        return [], [], None  # "tham mưu UBND tỉnh báo cáo …": the issuer's own report
    onward_mark = _onward_mark(text, level, modern)
    main = text[: onward_mark.start()] if onward_mark else text
    reporters, recipient, also_to, via = _parties(main, level, modern)
    if onward_mark and recipient is None and via is None:
        # "Tổng hợp … để báo cáo cơ quan X": the report of the sentence, not an onward one
        onward_mark, main = None, text
        reporters, recipient, also_to, via = _parties(text, level, modern, open_purpose=True)
    if recipient is None and _ISSUING.match(text):
        return [], [], None
    periods = _periods(main)
    of_periods, unblanked = _of_periods(main, periods)
    dates = _dates(unblanked) or _days_of_every(unblanked, periods)
    periods = _of_the_report(main, periods)
    relative = _RELATIVE.search(text)
    dated_onward: list[tuple[str, _Date | None]] = []
    if onward_mark and not dates and not any(m.period in _REPORT_PERIODS for m in periods):
        tail = text[onward_mark.end() :]
        dated_onward = [(p, None) for p, _ in _pair(tail, _periods(tail), _dates(tail))]
    if not dates and not of_periods and not dated_onward and not any(m.period in _REPORT_PERIODS for m in periods):
        if not (relative and re.search(r"(?i)kỳ\s+họp\s+thường\s+lệ|hằng\s+năm|hàng\s+năm", text)):
            clause = None
            if recipient is not None and not _CONTINGENT.search(text):
                clause = _Clause(list(reporters), recipient, list(also_to), via, text, onward_mark, sentence.line)
            return [], list(reporters), clause
        periods = [_Mention(relative.start(), relative.end(), "periodic")]
    if (
        _CONTINGENT.search(text)
        and not dates
        and not any(m.period in ("H1", "Y", "Q", "M") for m in periods)
        and all(_CONTINGENT.search(_clause_at(main, m.start)) for m in periods)
    ):
        return [], [], None  # reports "khi có vướng mắc", unless a period is in a clause of its own (between ";")
    pairs = dated_onward or of_periods + _pair(unblanked, periods, dates)
    if not pairs:
        return [], [], None
    named = list(reporters)
    origin = None
    if (
        recipient is None
        and not reporters
        and context is not None
        and (sentence.line == context.line or (not context.complete and sentence.line - context.line <= 8))
        and any(date is not None or period.rstrip("?") in ("H1", "Y", "Q", "M") for period, date in pairs)
    ):
        reporters, recipient, also_to, via = (
            list(context.reporters),
            context.recipient,
            list(context.also_to),
            context.via,
        )
        origin, text_of_parties = f'the reporting clause before it ("{context.text[:80]}")', context
        recipient_from: str | None = origin
    else:
        text_of_parties, recipient_from = None, None
    owner = _OWNER.match(main)
    authors = _authors(main, level, modern)
    if authors and origin is None:
        reporters = authors
    if not reporters and owner:
        reporters, origin = [owner.group(1)], 'the owner of what is sent ("của …")'
    if not reporters and _ADDRESSED.search(main) and addressees:
        reporters, origin = list(addressees), f"the addressees (Kính gửi: {', '.join(addressees)})"
    every_level = _EVERY_LEVEL.search(main) if not reporters else None
    if every_level:
        reporters = [every_level.group(1)]  # "cơ quan thuế các cấp phải báo cáo …": the bodies of a kind, as written
    if not reporters and carried:
        reporters, origin = list(carried), "an earlier sentence of the paragraph"
    if not reporters and sentence.subjects:
        reporters, origin = list(sentence.subjects), f'the heading "{(sentence.subject_from or "")[:80]}"'
    if not reporters and addressees:
        reporters, origin = list(addressees), f"the addressees (Kính gửi: {', '.join(addressees)})"
    if not reporters and owner_of_text:
        reporters, origin = list(owner_of_text), "the body whose functions the regulation lists"
    short = _SHORT_SUBJECT.search(main) if not reporters and short_forms else None
    if short and short_forms and short.group("head") in short_forms:
        full = short_forms[short.group("head")]
        reporters, origin = [full], f'the short form "{short.group("head")}" of "{full}", the body the text names'
    if recipient is None and not reporters:
        return [], named, None
    if recipient is None and via is None and _OTHERS_REPORTS.search(main):
        return [], named, None  # "phối hợp tổng hợp báo cáo định kỳ … của các cơ quan": compiling others' reports
    if recipient is None and via is None and not named and _PRODUCT.search(main):
        return [], named, None  # "Báo cáo … được xây dựng, công bố định kỳ": a task's product, not a duty to report
    if not reporters and all(p.split(":")[0].rstrip("?") in ("periodic", "ad-hoc") for p, _ in pairs):
        return [], named, None  # "báo cáo định kỳ hoặc đột xuất theo yêu cầu" with no reporter named
    if recipient is None and via is None and _OWN_LEADERSHIP.search(main):
        return [], named, None  # "định kỳ báo cáo lãnh đạo …": a unit's report to its own head, no body's
    consolidating = (
        bool(_CONSOLIDATE.search(_AFTER_PURPOSE.sub("", main)))
        and bool(reporters)
        and not any(r in GROUP_KINDS for r in reporters)
    )
    out = []
    within = [m.group(0) for m in _WITHIN.finditer(main)]
    for period, date in pairs:
        item = Item(
            reporters=list(reporters),
            recipient=recipient,
            also_to=list(also_to),
            via=via,
            period=period.split(":")[0],
            kind=_kind(period.rstrip("?")),
            date=date.day if date else None,
            rule=date.rule if date else None,
            quote=text,
            section=sentence.section,
            consolidating=consolidating,
            months_after=date.months_after if date else 0,
        )
        if origin:
            item.review.append(f"reporters read from {origin}")
            item.confidence -= 0.1
        if recipient_from and recipient_from != origin:
            item.review.append(f"recipient read from {recipient_from}")
        if regime_item:
            item.review.append(
                f'the point writes no "báo cáo": read as a report of the regime "{(sentence.subject_from or "")[:80]}"'
            )
            item.confidence -= 0.1
        if dated_onward:
            item.review.append("the plan dates only the onward report: set this report's date")
        if period.startswith("once:period-report") and date is None and within:
            item.review.append(f'{WITHIN_NOTE} "{within.pop(0)}"')
        if relative and date is None:
            item.review.append(
                f'a date relative to an event ("{relative.group(0)}"): left undated, write the deadline in'
            )
        _assess(item)
        out.append(item)
    if onward_mark and out:
        out.extend(_onward(text, onward_mark, out, pairs, sentence, level, modern))
    elif text_of_parties is not None and text_of_parties.onward is not None and out:
        out.extend(_onward(text_of_parties.text, text_of_parties.onward, out, pairs, sentence, level, modern))
    clause = None
    if out and text_of_parties is None and out[0].recipient is not None and out[0].reporters:
        first = out[0]
        clause = _Clause(
            list(first.reporters),
            first.recipient,
            list(first.also_to),
            first.via,
            text,
            onward_mark,
            sentence.line,
            complete=True,
        )
    return out, named, clause


def _clause_at(text: str, position: int) -> str:
    """The ";"-separated clause of ``text`` around ``position``."""
    start = text.rfind(";", 0, position) + 1
    end = text.find(";", position)
    return text[start : end if end >= 0 else len(text)]


def _onward_mark(text: str, level: Level, modern: bool) -> re.Match | None:
    """Where the coordinator's onward report starts: the first "(để) tổng hợp, báo cáo X" that names X right after
    it. "UBND các xã tổng hợp báo cáo kết quả gửi về Sở Công Thương để tổng hợp báo cáo UBND tỉnh" has two: the first
    is the reporters' own compiling, the second the Sở's report."""
    marks = list(_ONWARD.finditer(text))
    for mark in marks:
        parties = [p for p in find_parties(text[mark.end() : mark.end() + 200], level, modern=modern) if not p.group]
        if parties and parties[0].start <= 3:
            return mark
    return marks[0] if marks else None


def _onward(
    text: str, mark: re.Match, items: list[Item], pairs, sentence: Sentence, level: Level, modern: bool
) -> list[Item]:
    """The coordinator's report read from "… để tổng hợp, báo cáo X [trước ngày D]"."""
    tail = text[mark.end() :]
    parties = [p for p in find_parties(tail, level, modern=modern) if not p.group]
    if not parties or parties[0].start > 3:
        return []
    names = _chain(parties, tail)
    first = items[0]
    hub = first.recipient
    if hub is None or canonical(hub) == canonical(names[0]):
        hub = first.via
    if hub is None or canonical(hub) == canonical(names[0]) or _TOP.match(canonical(hub)):
        return []  # the plan's issuer reporting on: not a report the plan can chase
    dates = _dates(tail)
    periods = [p for p, _ in pairs]
    own = _pair(tail, _periods(tail), dates) if dates else []
    out: list[Item] = []
    if dates:
        for period, date in own:
            if date is None:
                continue
            if period in ("Y?", "once:period-report") and len({p.rstrip("?") for p in periods}) >= 1:
                dated = [
                    (p, d)
                    for p, d in pairs
                    if d is not None
                    and d.day.month
                    and date.day.month
                    and (d.day.month, d.day.day) <= (date.day.month, date.day.day)
                ]
                period = dated[-1][0] if dated else periods[0] if len(set(periods)) == 1 else period
            out.append(_onward_item(hub, names, period, date, text, sentence))
    else:
        for period in dict.fromkeys(p.rstrip("?") for p in periods):
            item = _onward_item(hub, names, period, None, text, sentence)
            out.append(item)
    return out


_TOP = re.compile(r"^(?:ubnd (?:tỉnh|thành phố)(?: [a-zđà-ỹ ]+)?|thủ tướng chính phủ|chính phủ)$")


def _onward_item(hub: str, names: list[str], period: str, date: _Date | None, text: str, sentence: Sentence) -> Item:
    item = Item(
        reporters=[hub],
        recipient=names[0],
        also_to=names[1:],
        via=None,
        period=period.split(":")[0],
        kind=_kind(period.rstrip("?")),
        date=date.day if date else None,
        rule=date.rule if date else None,
        quote=text,
        section=sentence.section,
        consolidating=True,
        onward=True,
    )
    if date is None:
        item.review.append(f"the onward report of {hub} has no date of its own in the plan")
    _assess(item)
    return item


def _assess(item: Item) -> None:
    if item.period in ("Y?", "H1?"):
        guessed = item.period.rstrip("?")
        item.period = guessed
        item.review.append(
            "the date names no period; read as the "
            + ("yearly report" if guessed == "Y" else "6-month report (the earlier of two dates)")
        )
        item.confidence -= 0.3
    if item.date is None and item.kind is not Kind.AD_HOC:
        item.review.append(NO_DATE)
        item.confidence -= 0.3
    if item.kind is Kind.AD_HOC and AD_HOC_NOTE not in item.review:
        item.review.append(AD_HOC_NOTE)
    frequent = _WEEKLY.search(item.quote) if item.period == "periodic" else None
    if frequent is not None:
        item.review.append(
            f'a weekly or daily report ("{frequent.group(0)}"): dondoc has no such period; set its schedule by hand'
        )
        item.confidence -= 0.2
    elif item.period == "periodic":
        item.review.append('"định kỳ" without a period: say which (6 tháng, năm, quý, tháng)')
        item.confidence -= 0.2
    if item.kind is Kind.PERIOD_REPORT and item.period == "once" and item.date and item.date.year is None:
        item.review.append("a one-off report whose date has no year")
        item.confidence -= 0.2
    if not item.reporters:
        item.review.append("the sentence names no reporter")
        item.confidence -= 0.3
    if item.recipient is None:
        item.review.append("the sentence names no recipient")
        item.confidence -= 0.3
    item.confidence = round(max(item.confidence, 0.1), 2)


def _date_given_elsewhere(items: list[Item], key) -> None:
    """ "… gửi Bộ Tư pháp tổng hợp báo cáo Chính phủ trước ngày 31 tháng 10", when the plan gives the Bộ's report to
    the Chính phủ its own, other date elsewhere ("Bộ Tư pháp báo cáo Chính phủ … trước ngày 25 tháng 12"): the date
    is the reporters' deadline, not the onward report's. The date moves to the reporters and the onward item goes."""
    own = {key(item): item for item in items if not item.onward and item.date is not None}
    for onward in [item for item in items if item.onward and item.date is not None]:
        other = own.get(key(onward))
        if other is None or str(other.date) == str(onward.date) or not onward.reporters:
            continue
        hub = canonical(onward.reporters[0])
        firsts = [
            item
            for item in items
            if not item.onward
            and item.quote == onward.quote
            and item.date is None
            and item.period == onward.period
            and item.recipient
            and canonical(item.recipient) == hub
        ]
        if not firsts:
            continue
        for first in firsts:
            first.date, first.rule, first.months_after = onward.date, onward.rule, onward.months_after
            first.review = [note for note in first.review if note != NO_DATE and "dates only the onward" not in note]
            first.review.append(
                "the date written after the onward report is read as this report's: the plan gives "
                f"the report of {onward.reporters[0]} its own date elsewhere"
            )
        items.remove(onward)


def _deduplicated(items: list[Item]) -> list[Item]:
    """Without the same item twice, nor an undated onward report the plan gives elsewhere with its period."""

    def key(item: Item) -> tuple:
        return (
            tuple(sorted(canonical(r) for r in item.reporters)),
            item.recipient and canonical(item.recipient),
            item.period,
        )

    _date_given_elsewhere(items, key)
    given = {key(item) for item in items if not item.onward}
    dated = {key(item) for item in items if item.date is not None}
    specific = {key(item)[:2] for item in items if item.period in ("H1", "H2", "Y", "Q", "M")}
    specific_quotes = {item.quote for item in items if item.period in ("H1", "H2", "Y", "Q", "M")}
    with_reporters = {
        (item.recipient and canonical(item.recipient), item.period, str(item.date)) for item in items if item.reporters
    }
    periodic_dates = {
        (key(item)[:2], str(item.date)): item
        for item in items
        if item.date is not None and item.period in ("H1", "H2", "Y", "Q", "M")
    }
    seen: set[tuple] = set()
    out: list[Item] = []
    for item in items:
        last_year = item.date is not None and item.date.year is None and re.search(r"(?i)\bnăm\s+cuối\b", item.quote)
        twin = (
            periodic_dates.get((key(item)[:2], str(item.date)))
            if item.period == "once" and item.date and not last_year
            else None
        )  # not the same day in a programme's last year: "… năm cuối đối với chương trình; … hằng năm …"
        if twin is not None:
            twin.also_to += [name for name in item.also_to if name not in twin.also_to and name != twin.recipient]
            continue  # "báo cáo UBND tỉnh trước ngày 20/12/2026" said twice, once as the yearly report
        if item.onward and item.date is None and key(item) in given:
            continue
        if item.date is None and key(item) in dated and not (item.period == "once" and _WITHIN.search(item.quote)):
            continue  # the plan says it again with its date elsewhere (a one-off due within a month is another)
        if (
            item.period == "periodic"
            and key(item)[:2] in specific
            and not (_STANDING_DUTY.search(item.quote) and item.quote not in specific_quotes)
        ):
            continue  # "định kỳ báo cáo X" restating a report the plan gives with its period
        if (
            not item.reporters
            and (item.recipient and canonical(item.recipient), item.period, str(item.date)) in with_reporters
        ):
            continue
        if (
            item.recipient is None
            and item.date is None
            and not (item.period in ("periodic", "ad-hoc") and _STANDING_DUTY.search(item.quote))
            and any(
                other is not item
                and other.recipient is not None
                and other.period == item.period
                and set(other.reporters) & set(item.reporters)
                for other in items
            )
        ):
            continue  # "… báo cáo định kỳ 6 tháng, năm" restating, without its recipient, a report given in full
        if (
            item.recipient is None
            and item.via is None
            and item.period == "periodic"
            and not _STANDING_DUTY.search(item.quote)
            and any(
                other.recipient is not None
                and other.period in ("H1", "H2", "Y", "Q", "M")
                and set(other.reporters) & set(item.reporters)
                for other in items
            )
        ):
            continue  # "Định kỳ tổng hợp báo cáo kết quả": the reports with periods it owes elsewhere, said again
        span = next((note for note in item.review if note.startswith(WITHIN_NOTE)), None)
        ident = (key(item), str(item.date), item.rule, item.quote, span)
        if ident in seen:
            continue
        seen.add(ident)
        out.append(item)
    return out


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
        if item.consolidating or (item.date is None and item.period not in ("H1", "H2", "Y", "Q", "M", "once")):
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
                    item.review.append(f'recipient and coordinator read from: "{sentence.text[:120]}"')
                    item.confidence = round(max(item.confidence - 0.1 + 0.3, 0.1), 2)
                    item.review = [r for r in item.review if r != "the sentence names no recipient"]
                    break
        if item.recipient is not None and item.via is None:
            for sentence in around:
                for match in re.finditer(r"\((?:thông\s+qua|qua)\s+([^()]+)\)", sentence.text, re.I):
                    before = find_agencies(sentence.text[: match.start()])
                    inside = find_agencies(match.group(1))
                    if before and inside and canonical(before[-1][2]) == canonical(item.recipient):
                        item.via = inside[0][2]
                        break
                if item.via:
                    break

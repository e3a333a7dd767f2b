"""An agency's report cut into the parts of a consolidated report, by its own headings. Pure.

Agencies write their reports in the usual order — tình hình triển khai,
kết quả thực hiện, tồn tại/hạn chế/khó khăn, phương hướng/nhiệm vụ, kiến
nghị/đề xuất — each with its own numbering and words. A heading is a short
line that is numbered (``I.``, ``II -``, ``IV/``, ``3.``, ``2.1.``, ``a)``,
``Phần thứ hai:``) or written in capitals, and whose first words name one of
the parts; diacritics, case and ``đ`` do not matter ("TON TAI, HAN CHE" reads
like "Tồn tại, hạn chế"). A heading that names no part ("1. Ưu điểm") keeps
the part it is in and stays in the text.

What comes before the first heading (letterhead, "Kính gửi", "… báo cáo như
sau:") and from "Nơi nhận" or "Trên đây là báo cáo" on (closing, recipients,
signature) is not content. A report with no heading at all gives its body as
results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dondoc.folding import fold as _fold

__all__ = ["PARTS", "Sections", "fold", "heading_part", "split_report"]

# The consolidated report's parts, in order: (key, heading in the consolidated report).
PARTS: tuple[tuple[str, str], ...] = (
    ("deployment", "TÌNH HÌNH TRIỂN KHAI THỰC HIỆN VÀ GỬI BÁO CÁO"),
    ("results", "KẾT QUẢ THỰC HIỆN"),
    ("problems", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN"),
    ("plans", "PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"),
    ("proposals", "KIẾN NGHỊ, ĐỀ XUẤT"),
)

# Keywords of each part, folded (no diacritics, lower case), tried in this order on a heading's first words:
# "Khó khăn, vướng mắc và kiến nghị" is a problem heading; "Nhiệm vụ, giải pháp" a plan.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("problems", ("ton tai", "han che", "kho khan", "vuong mac", "bat cap", "nguyen nhan")),
    ("proposals", ("kien nghi", "de xuat", "de nghi")),
    ("plans", ("phuong huong", "nhiem vu", "giai phap", "ke hoach thoi gian toi", "trong tam")),
    (
        "deployment",
        (
            "cong tac chi dao",
            "cong tac lanh dao",
            "tinh hinh trien khai",
            "trien khai thuc hien",
            "to chuc trien khai",
            "cong tac trien khai",
            "chi dao, dieu hanh",
            "chi dao dieu hanh",
            "tinh hinh to chuc",
        ),
    ),
    ("results", ("ket qua", "danh gia ket qua", "tinh hinh thuc hien", "thuc hien cac chi tieu", "thuc hien chi tieu")),
)
_ROMAN = r"(?:X{0,3})(?:IX|IV|V?I{0,3})"
_NUMBERING = re.compile(
    rf"^\s*(?:(?:phan|muc)\s+(?:thu\s+)?\w+\s*[:.\-–]?\s*"
    rf"|(?=[ivx]){_ROMAN}\s*[.)/:\-–]\s*"
    rf"|\d{{1,2}}(?:\.\d{{1,2}}){{0,3}}\s*[.)/:\-–]?\s+"
    rf"|[a-zđ]\s*[.)]\s*)",
    re.IGNORECASE,
)
_END = ("noi nhan", "tren day la bao cao", "tren day la ket qua", "tren day la tinh hinh")
MAX_HEADING = 140


def fold(text: str) -> str:
    """Lower case without diacritics (``đ`` → ``d``), blanks collapsed: for comparing headings."""
    return " ".join(_fold(text).split())


def heading_part(line: str, *, capitals: bool = True) -> str | None:
    """The part a heading line names (``"III. TỒN TẠI, HẠN CHẾ"`` → ``problems``), or None if it is not one.

    ``capitals``: whether an unnumbered line in capitals may be a heading (not in the preamble, where the
    report's own title is written in capitals).
    """
    text = line.strip()
    if not text or len(text) > MAX_HEADING or text.endswith((";", ",")):
        return None
    folded = fold(text)
    numbered = _NUMBERING.match(folded)
    if numbered and numbered.group(0).strip():
        rest = folded[numbered.end() :]
    elif capitals and _capitals(text):
        rest = folded
    else:
        return None
    first_words = " ".join(rest.strip(" :.-–").split()[:7])
    if not first_words:
        return None
    # the part's words come first: "Kết quả thực hiện" is a heading, "Tuy nhiên, kết quả còn thấp" is not
    for part, keywords in _KEYWORDS:
        if first_words.startswith(keywords):
            return part
    window = f" {first_words}"[:40]
    for part, keywords in _KEYWORDS:
        if any(f" {k}" in window for k in keywords):
            return part
    return None


def _capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 6 and all(c.isupper() for c in letters)


def _opens_body(line: str) -> bool:
    """ "Kính gửi: …" and "… báo cáo như sau:" end a report's preamble."""
    folded = fold(line)
    return folded.startswith("kinh gui") or folded.rstrip(" .").endswith(("nhu sau:", "nhu sau"))


@dataclass
class Sections:
    """An agency report's text by part (``PARTS`` keys); each a list of paragraphs, in the order written."""

    parts: dict[str, list[str]] = field(default_factory=dict)
    headed: bool = False  # at least one heading was found

    def get(self, part: str) -> list[str]:
        return self.parts.get(part, [])


def split_report(text: str) -> Sections:
    """Cut a report's text (one paragraph a line, as ``documents.extract`` gives it) into its parts."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    end = next((i for i, line in enumerate(lines) if fold(line).startswith(_END)), len(lines))
    lines = lines[:end]
    found = Sections()
    current: str | None = None
    body: list[str] = []
    in_body = False
    for line in lines:
        part = heading_part(line, capitals=in_body)
        if part is not None:
            found.headed = in_body = True
            current = part
            tail = line.rpartition(":")[2].strip()  # "3. Khó khăn: thiếu kinh phí ở vùng sâu." keeps its words
            if ":" in line and len(tail.split()) >= 4 and not _capitals(tail):
                found.parts.setdefault(current, []).append(tail)
            continue
        in_body = in_body or _opens_body(line)
        if current is None:
            body.append(line)
            continue
        found.parts.setdefault(current, []).append(line)
    if not found.headed:
        found.parts["results"] = _after_preamble(body)
    return found


def _after_preamble(lines: list[str]) -> list[str]:
    """The body of a report without headings: from after "Kính gửi …" and "… như sau:", without the title lines."""
    start = 0
    for i, line in enumerate(lines[:25]):
        if _opens_body(line):
            start = i + 1
    rest = lines[start:]
    while rest and (_capitals(rest[0]) or fold(rest[0]).startswith(("so:", "so ", "cong hoa", "doc lap"))):
        rest = rest[1:]
    return rest

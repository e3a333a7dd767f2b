"""Agency names in a plan's text: finding them, comparing them, and matching them to the directory.

Plans write the same agency many ways — "Sở Lao động - Thương binh và Xã
hội", "Sở Lao động, Thương binh và Xã hội tỉnh", "Sở LĐTBXH", "Sở LĐ-TB&XH";
"Ủy ban nhân dân tỉnh", "Uỷ ban nhân dân tỉnh", "UBND tỉnh" — so names are
compared by :func:`canonical`, a key that folds those spellings together.

Groups of agencies are named by what they cover, not by a list:
``departments`` ("các sở, ban, ngành", "các cơ quan, đơn vị"), ``districts``
("UBND các huyện, thị xã, thành phố", "các địa phương" in a provincial
plan) and ``communes`` ("UBND các xã, phường, thị trấn").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..folding import without_marks
from ..model import Area, Level

__all__ = [
    "GROUPS",
    "PLACE_NAME",
    "AgencyMatch",
    "Directory",
    "canonical",
    "find_agencies",
    "find_groups",
    "loose",
    "overlaps",
    "slug",
]

GROUPS = ("departments", "districts", "communes")

# Departments and ministries whose names hold "và", commas or dashes, and their usual abbreviations.
_LONG_NAMES = {
    "lao động thương binh và xã hội": "lđtbxh",
    "lao động thương binh xã hội": "lđtbxh",
    "lđtbxh": "lđtbxh",
    "lđtbvxh": "lđtbxh",
    "giáo dục và đào tạo": "gdđt",
    "văn hóa thể thao và du lịch": "vhttdl",
    "văn hóa và thể thao": "vhtt",
    "văn hóa và thông tin": "vhttin",
    "văn hóa thông tin": "vhttin",
    "văn hóa thông tin và thể thao": "vhttintt",
    "kế hoạch và đầu tư": "khđt",
    "thông tin và truyền thông": "tttt",
    "tài nguyên và môi trường": "tnmt",
    "nông nghiệp và phát triển nông thôn": "nnptnt",
    "nông nghiệp và môi trường": "nnmt",
    "khoa học và công nghệ": "khcn",
    # the same names written without their "và" ("Sở Khoa học Công nghệ"), as copies and hasty drafts do
    "khoa học công nghệ": "khcn",
    "nông nghiệp môi trường": "nnmt",
    "giáo dục đào tạo": "gdđt",
    "tài nguyên môi trường": "tnmt",
    "kế hoạch đầu tư": "khđt",
    "dân tộc tôn giáo": "dân tộc và tôn giáo",
    "giao thông vận tải": "gtvt",
    "tài chính kế hoạch": "tckh",
    "nội vụ": "nv",
}
_OLD_TONES = [
    ("oà", "òa"),
    ("oá", "óa"),
    ("oả", "ỏa"),
    ("oã", "õa"),
    ("oạ", "ọa"),
    ("oè", "òe"),
    ("oé", "óe"),
    ("oẻ", "ỏe"),
    ("oẽ", "õe"),
    ("oẹ", "ọe"),
    ("uỳ", "ùy"),
    ("uý", "úy"),
    ("uỷ", "ủy"),
    ("uỹ", "ũy"),
    ("uỵ", "ụy"),
]


def overlaps(start: int, end: int, spans) -> bool:
    """Whether ``[start, end)`` overlaps any ``(start, end, …)`` span of ``spans``."""
    return any(other[0] < end and start < other[1] for other in spans)


def canonical(name: str) -> str:
    """A key under which the spellings of one agency's name compare equal."""
    text = unicodedata.normalize("NFC", name).lower()
    for old, new in _OLD_TONES:
        text = text.replace(old, new)
    text = re.sub(r"^(?:chủ tịch|giám đốc|thủ trưởng|trưởng ban)\s+", "", text)
    text = re.sub(r"ủy ban nhân dân", "ubnd", text)
    text = re.sub(r"hội đồng nhân dân", "hđnd", text)
    text = re.sub(r"\btp\b\.?", "thành phố", text)
    text = re.sub(r"[&]", "", text)
    text = re.sub(r"[-–—,.;:()\"“”']", " ", text)
    text = " ".join(text.split())
    for long, short in sorted(_LONG_NAMES.items(), key=lambda item: -len(item[0])):
        text = re.sub(rf"\b{long}\b", short, text)
    text = re.sub(r"\b(lđ) ?(tb) ?(xh)\b", "lđtbxh", text)
    text = re.sub(r"\b(gd) ?(đt)\b", "gdđt", text)
    text = re.sub(r"\b(vh) ?(tt) ?(dl)\b", "vhttdl", text)
    text = re.sub(r"\b(vh) ?(tt)\b", "vhtt", text)
    text = re.sub(r"\b(kh) ?(đt)\b", "khđt", text)
    # "Sở Y tế tỉnh Bình Phước" and "Sở Y tế" are one agency in one plan: drop the trailing place.
    text = re.sub(
        r"^((?:sở|phòng|ban|bộ|liên hiệp|liên minh) .+?) (?:tỉnh|thành phố|thị xã|huyện|quận|cấp tỉnh)(?: .*)?$",
        r"\1",
        text,
    )
    return text


_LOOSE_UNITS = (
    ("p", "phường"),
    ("x", "xã"),
    ("tt", "thị trấn"),
    ("tx", "thị xã"),
    ("q", "quận"),
    ("h", "huyện"),
    ("tp", "thành phố"),
    ("dk", "đặc khu"),
)


_LOOSE_LONG = sorted(
    {(without_marks(long), without_marks(short)) for long, short in _LONG_NAMES.items()}, key=lambda i: -len(i[0])
)


def loose(name: str) -> str:
    """:func:`canonical` without accents, for names typed without diacritics ("So Y te", "UBND P. Vy Da"): two
    names with one key may still differ by their accents (Hương Văn, Hương Vân); callers check for that."""
    text = unicodedata.normalize("NFC", name).strip()
    for short, long in _LOOSE_UNITS:  # "P. Vỹ Dạ", "UBND P.Vỹ Dạ" → "phường Vỹ Dạ"
        text = re.sub(rf"(?i)(^|\s|UBND\s*)({short})\.\s*(?=\w)", rf"\1{long} ", text)
    text = without_marks(canonical(text))
    text = re.sub(r"\buy ban nhan dan\b", "ubnd", text)
    text = " ".join(re.sub(r"[-–—,.;:()&]", " ", text).split())
    for long, short in _LOOSE_LONG:
        text = re.sub(rf"\b{long}\b", short, text)
    text = re.sub(r"\bld ?tb ?xh\b", "ldtbxh", text)
    text = re.sub(r"^((?:so|phong|ban|bo) .+?) (?:tinh|thanh pho|thi xa|huyen|quan|cap tinh)(?: .*)?$", r"\1", text)
    return " ".join(text.split())


def slug(name: str) -> str:
    """An ascii id part for a new agency: "Sở Y tế" → "so-y-te"."""
    text = without_marks(canonical(name))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:60] or "agency"


_UPPER = "".join(c for c in map(chr, range(0x41, 0x1EFA)) if c.isalpha() and c.isupper())
_LOWER = "".join(c for c in map(chr, range(0x61, 0x1EFA)) if c.isalpha() and c.islower())
_CAP = rf"[{_UPPER}]\w*"
_LOW = rf"[{_LOWER}]\w*"
_LEVEL = r"(?:cùng cấp|tỉnh|[Tt]hành phố|TP\.?|thị xã|huyện|quận|xã|phường|thị trấn|cấp tỉnh|cấp huyện|cấp xã)"
_HEADS = r"(?:Sở|Phòng|Bộ|Ban|UBND|Ủy|Uỷ|Công an|Trung tâm|Hội|Cục|Văn phòng|Tỉnh|Thành)\b"
# A department's name: "Y tế", "Giáo dục và Đào tạo", "Lao động - Thương binh và Xã hội", "GD&ĐT", "LĐ-TB&XH".
_PART = rf"(?!{_HEADS}){_CAP}(?:[&-]{_CAP})*(?: (?:{_LOW}))?"
_SPECIAL = r"(?:(?:Khoa học|Nông nghiệp|Tài nguyên|Giáo dục|Kế hoạch|Dân tộc) (?:Công nghệ|Môi trường|Đào tạo|Đầu tư|Tôn giáo)|Công Thương|Phát triển nông thôn|Giao thông vận tải|Lao động,? Thương binh và Xã hội|Văn hóa, Thể thao và Du lịch)"
_DEPT = rf"(?:{_SPECIAL}|{_PART}(?:(?: và | - | – |-|–)(?:{_SPECIAL}|{_PART}))*)"
_PLACE = rf"(?: {_LEVEL}(?: (?!{_HEADS}){_CAP})*)?"
# a level and the place's own name, as they follow a body: "tỉnh", "Thành phố", "tỉnh Bình Minh"
PLACE_NAME = rf"{_LEVEL}(?: (?!{_HEADS}){_CAP})*"
# Words a committee's name does not go on with: a verb, a time, what a report is about ("Ban Chỉ đạo về kết quả …",
# "Thành viên Ban Chỉ đạo định kỳ hằng năm báo cáo …" end at "Ban Chỉ đạo").
_NAME_STOP = (
    r"(?! (?:về (?:kết quả|tình hình|việc|tiến độ|nội dung|các)|kết quả|tình hình|định kỳ|hằng|hàng|báo cáo|trước"
    r"|chậm|theo|để|qua|thực hiện|tổng hợp|có|chủ trì|phối hợp|gửi|trong|tại|từ|đến|ngày|năm|tháng|quý|chịu|và các"
    r"|đánh giá|xem xét|cho ý kiến|biết|chỉ đạo|tiến độ|việc(?! làm)|số liệu|danh sách|kế hoạch|nội dung)\b)"
)
_AGENCY = re.compile(
    "|".join(
        [
            rf"(?:Ủy|Uỷ|ủy|uỷ) ban nhân dân {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            rf"UBND {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            rf"(?:Hội đồng nhân dân|HĐND) {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            rf"Bộ Chỉ huy (?:[Qq]uân sự|Bộ đội Biên phòng){_PLACE}",
            rf"(?:Sở|Phòng|Bộ) {_DEPT}",
            # councils, courts, the treasury and the tax office, as plans name them since 2025
            rf"Hội đồng (?!nhân dân){_DEPT}{_PLACE}",
            rf"(?:Tòa|Toà) án nhân dân {_LEVEL}",
            rf"Viện [Kk]iểm sát nhân dân {_LEVEL}",
            rf"Kho bạc Nhà nước(?: khu vực [IVXLC\d]+| {_LEVEL}(?: (?!{_HEADS}){_CAP})*)?",
            rf"Thuế (?:tỉnh|thành phố|Thành phố)(?: (?!{_HEADS}){_CAP})*",
            rf"Ngân hàng Nhà nước(?: Việt Nam| [Cc]hi nhánh(?: {_LEVEL}(?: (?!{_HEADS}){_CAP})*)?| [Kk]hu vực \d+)?",
            rf"Ngân hàng Chính sách [Xx]ã hội(?: [Cc]hi nhánh)?(?: {_LEVEL}(?: (?!{_HEADS}){_CAP})*)?",
            rf"Đài Phát thanh(?:,| và) Truyền hình {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            rf"Văn phòng Đoàn [Đđ]ại biểu Quốc hội và (?:Hội đồng nhân dân|HĐND) {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            rf"(?:Thường trực |Cơ quan thường trực )?Ban (?:Dân tộc|Chỉ đạo(?:{_NAME_STOP}(?: {_LOW}| {_CAP})){{0,10}}|Tuyên giáo|Quản lý {_CAP}(?: {_LOW})?){_PLACE}",
            rf"Công an {_LEVEL}(?: (?!{_HEADS}){_CAP})*",
            r"(?:Tỉnh|Thành|Huyện|Thị) (?:đoàn|Đoàn)",
            rf"Bảo hiểm [Xx]ã hội {_LEVEL}",
            rf"(?:(?:Ủy|Uỷ) ban )?(?:Mặt trận Tổ quốc|MTTQ)(?: Việt Nam| VN)?(?: {_LEVEL})?",
            rf"Hội Liên hiệp Phụ nữ(?: Việt Nam)?(?: {_LEVEL})?",
            rf"Trung tâm {_DEPT}(?: (?!{_HEADS}){_CAP})*",
            rf"Văn phòng (?:UBND|(?:Ủy|Uỷ) ban nhân dân) {_LEVEL}",
            rf"Cục {_DEPT}",
            rf"Liên hiệp các [Hh]ội Khoa học và Kỹ thuật(?: {_LEVEL}(?: (?!{_HEADS}){_CAP})*)?",
            rf"Liên (?:minh|đoàn) {_DEPT}{_PLACE}",
            r"Thủ tướng Chính phủ",
            r"(?:Ủy|Uỷ) ban nhân dân các tỉnh, thành phố trực thuộc Trung ương",
        ]
    )
)


def find_agencies(text: str) -> list[tuple[int, int, str]]:
    """Every agency named in ``text``: (start, end, name as written)."""
    found = []
    for match in _AGENCY.finditer(text):
        name = match.group(0).rstrip(" ,-–")
        found.append((match.start(), match.start() + len(name), name))
    return found


_GROUP_PATTERNS = {
    "departments": re.compile(
        r"(?i)các\s+(?:sở|cơ quan|ngành|đơn vị|ban,? ngành)(?:[\s,;]*(?:sở|ban|ngành|cơ quan|đơn vị|đoàn thể|hội"
        r"|liên quan|cấp tỉnh|tỉnh|thành phố|có liên quan|chức năng)\b)*"
    ),
    "districts": re.compile(
        r"(?i)(?:(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?:các\s+)?(?:quận,\s*)?(?:huyện|cấp huyện|quận)"
        r"(?:[\s,]*(?:thị xã|thành phố|quận|huyện|thị xã, thành phố))*"
        r"|các\s+(?:quận,\s*)?huyện(?:,\s*(?:thị xã|thành phố|quận))+"
        r"|(?:các\s+)?(?:thị xã|huyện|quận)(?:(?:,|\s+và)\s+(?:các\s+)?(?:thị xã|huyện|quận|thành phố))+)"
    ),
    "communes": re.compile(
        r"(?i)(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+(?:các\s+)?(?:xã|cấp xã|phường)(?:[\s,]*(?:phường|thị trấn|xã))*"
        r"|các\s+xã,\s*phường(?:,\s*thị trấn)?"
        r"|các\s+xã\b(?!\s+(?:hội|viên|đội))"
    ),
}
_LOCALITIES = re.compile(r"(?i)(?:\bcác|,|\bvà)\s+địa\s+phương\b")


def find_groups(text: str, level: Level = Level.PROVINCE) -> list[tuple[int, int, str]]:
    """The groups named in ``text``: (start, end, group); "các địa phương" is the level below the plan's issuer."""
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for group in ("districts", "communes", "departments"):
        for match in _GROUP_PATTERNS[group].finditer(text):
            if overlaps(match.start(), match.end(), taken):
                continue
            spans.append((match.start(), match.end(), group))
            taken.append((match.start(), match.end()))
    below = "communes" if level in (Level.DISTRICT, Level.COMMUNE) else "districts"
    for match in _LOCALITIES.finditer(text):
        if not overlaps(match.start(), match.end(), taken):
            spans.append((match.start(), match.end(), below))
    return sorted(spans)


@dataclass(frozen=True, slots=True)
class AgencyMatch:
    """A name of the text and the directory id it matched, or a proposed id for a new agency."""

    name: str
    id: str
    known: bool


class Directory:
    """The agencies and groups of one area of ``config/agencies``, looked up by canonical name."""

    def __init__(self, areas: list[Area], prefix: str = "new"):
        self.prefix = prefix
        self._by_key: dict[str, str] = {}
        self._groups: dict[str, str] = {}
        self.level = Level.PROVINCE
        for area in areas:
            for agency in area.agencies:
                for name in filter(None, (agency.name, agency.short)):
                    self._by_key.setdefault(canonical(name), agency.id)
            for group in area.groups:
                kinds = {kind for _, _, kind in find_groups(group.name)}
                for kind in kinds:
                    self._groups.setdefault(kind, group.id)
                self._by_key.setdefault(canonical(group.name), group.id)

    def agency(self, name: str) -> AgencyMatch:
        """The directory agency called ``name``, or a new id under the prefix."""
        key = canonical(name)
        if key in self._by_key:
            return AgencyMatch(name, self._by_key[key], True)
        # "UBND tỉnh" against "Ủy ban nhân dân tỉnh Thừa Thiên Huế": a known name that starts with this one.
        candidates = {aid for k, aid in self._by_key.items() if k.startswith(key + " ")}
        if len(candidates) == 1:
            return AgencyMatch(name, candidates.pop(), True)
        return AgencyMatch(name, f"{self.prefix}.{slug(name)}", False)

    def group(self, kind: str, name: str) -> AgencyMatch:
        """The directory group of ``kind`` (departments, districts, communes), or a new one."""
        if kind in self._groups:
            return AgencyMatch(name, self._groups[kind], True)
        return AgencyMatch(name, f"{self.prefix}.{kind}", False)

"""The parties of a reporting clause: agencies and groups named in a sentence, ending where their names end.

:func:`find_parties` joins what :mod:`.agencies` finds (the directory's
departments, UBNDs and the seeds' groups) with the bodies of national and
post-2025 plans that it does not know: the Government and its Office, the
ministries' units (Cục, Vụ, Viện), Thường trực Tỉnh ủy/HĐND, management boards,
"UBND Tỉnh" written with a capital, and two more groups:

- ``provinces``: "UBND các tỉnh, thành phố trực thuộc Trung ương", "Chủ tịch
  Ủy ban nhân dân các tỉnh, thành phố", and "các địa phương" in a national text;
- ``ministries``: "các bộ, ngành", "Bộ trưởng các Bộ, Thủ trưởng cơ quan ngang bộ".

A name ends where its words stop being a name: "Ban Chỉ đạo về kết quả …" is
"Ban Chỉ đạo", "Bộ VHTTDL yêu cầu" is "Bộ VHTTDL". Since 1/7/2025 the level
below a province is the commune: "các địa phương" of a 2025 provincial plan
are its communes, of an older one its districts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Level
from .agencies import PLACE_NAME, find_agencies, find_groups

__all__ = ["GROUP_KINDS", "GROUP_NAMES", "Party", "find_parties", "generic_party", "plural_units", "trim_name"]

GROUP_KINDS = ("departments", "districts", "communes", "provinces", "ministries")
GROUP_NAMES = {
    "departments": "Các sở, ban, ngành",
    "districts": "UBND các huyện, thị xã, thành phố",
    "communes": "UBND các xã, phường, đặc khu",
    "provinces": "UBND các tỉnh, thành phố trực thuộc Trung ương",
    "ministries": "Các bộ, cơ quan ngang bộ",
}


@dataclass(frozen=True, slots=True)
class Party:
    """A name in a text: an agency (``name`` as written) or a group (``name`` is its kind)."""

    start: int
    end: int
    name: str

    @property
    def group(self) -> bool:
        return self.name in GROUP_KINDS


_UP = "A-ZĐÀ-ỸÂĂÊÔƠƯ"
_STOP = {
    "yêu",
    "cầu",
    "đề",
    "nghị",
    "chủ",
    "trì",
    "tổng",
    "hợp",
    "báo",
    "cáo",
    "gửi",
    "về",
    "có",
    "để",
    "theo",
    "trước",
    "phối",
    "tại",
    "hướng",
    "dẫn",
    "chỉ",
    "kiểm",
    "tra",
    "tổ",
    "chức",
    "triển",
    "khai",
    "là",
    "được",
    "cung",
    "định",
    "kỳ",
    "đôn",
    "đốc",
    "làm",
    "tham",
    "mưu",
    "thực",
    "hiện",
    "khẩn",
    "trương",
    "kết",
    "quả",
    "tình",
    "hình",
    "các",
    "trong",
    "với",
    "của",
    "hoặc",
    "này",
    "đối",
    "khi",
    "nếu",
    "trình",
    "xem",
    "xét",
    "quyết",
    "ban",
    "hành",
    "chịu",
    "trách",
    "nhiệm",
    "giao",
    "sau",
    "đây",
    "như",
    "năm",
    "tháng",
    "số",
    "gặp",
    "đường",
    "địa",
}
_CUT_AT = re.compile(r"\s+(?:về|để|theo|trước|tại|đối với|trong|của|thuộc)\s.*$|\s+[-–]\s+(?:Phó|Cơ quan|cơ quan).*$")

_PROVINCES = (
    r"(?:(?:Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+)?[Cc]ác\s+tỉnh,?\s+thành\s+phố"
    r"(?:\s+trực\s+thuộc\s+[Tt]rung\s+ương)?(?:\s+từ\s+\S+(?:\s+\S+)?\s+đến\s+\S+(?:\s+\S+)?)?"
    r"|(?:Chủ tịch\s+)?(?:UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+các\s+tỉnh\b"
    # a ministry's rules for any province: "Ủy ban Nhân dân tỉnh (thành phố)", "UBND tỉnh, thành phố"
    r"|(?:Chủ tịch\s+)?(?:UBND|(?:Ủy|Uỷ) ban [Nn]hân [Dd]ân)\s+tỉnh\s*(?:\(\s*thành\s+phố\s*\)|,\s*thành\s+phố\b)"
)
_MINISTRIES = (
    r"(?:Bộ\s+trưởng\s+)?[Cc]ác\s+[Bb]ộ(?:,\s*(?:ngành|cơ\s+quan\s+ngang\s+[Bb]ộ|cơ\s+quan\s+thuộc\s+Chính\s+phủ))*"
    r"|(?:Thủ\s+trưởng\s+)?(?:[Cc]ác\s+)?cơ\s+quan\s+ngang\s+[Bb]ộ(?:,\s*cơ\s+quan\s+thuộc\s+Chính\s+phủ)?"
)
_SECTORS = (
    r"(?:[Cc]ác\s+)?[Ss]ở\s+quản\s+lý\s+(?:chuyên\s+)?ngành(?:,\s*lĩnh\s+vực)?"
    r"|(?:[Cc]ác\s+)?cơ\s+quan\s+chuyên\s+môn\s+(?:thuộc|của)\s+(?:UBND|Ủy\s+ban\s+nhân\s+dân)\s+(?:tỉnh|thành\s+phố)"
)
_EXTRA_GROUPS = [
    ("provinces", re.compile(_PROVINCES)),
    ("ministries", re.compile(_MINISTRIES)),
    ("departments", re.compile(_SECTORS)),
]
# A name goes on across ", ", " và ", " - " only while the next word does not open another agency's name
# ("Vụ Kế hoạch và Vụ Xuất nhập khẩu" are two units; "Bộ Lao động - Thương binh và Xã hội" is one).
_HEAD = r"(?!(?:Vụ|Cục|Sở|Bộ|Ban|Văn phòng|Tổng cục|Chi cục|Viện|Trung tâm|UBND|Ủy ban|Uỷ ban)\b)"
# … nor past the verb that follows the name ("Vụ Khoa học và Công nghệ báo cáo Lãnh đạo Bộ").
_VERB_AFTER = (
    r"(?!(?:báo cáo|gửi|chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|tổng hợp|thực hiện|theo dõi"
    r"|định kỳ|hằng|hàng|trước|để|về|theo|kết quả|tình hình|tiến độ|việc(?! làm)|số liệu|danh sách|kế hoạch|nội dung"
    r"|chậm nhất|đánh giá|xem xét|trong|tại|qua|cho|với)\b)"
)
# "Vụ Pháp luật dân sự - kinh tế": a lower-case part after a dash is the name's, unless it says what the body is
_NAME_DASH = r" [-–] (?!(?:là|cơ quan|đơn vị|Phó|Trưởng)\b)[a-zđà-ỹ][\w&-]*"
_BODY = (
    rf"[{_UP}][\w&-]*(?:(?:, | và | - ){_HEAD}[{_UP}][\w&-]*|{_NAME_DASH}"
    rf"| (?!và ){_HEAD}{_VERB_AFTER}[{_UP}a-zđà-ỹ][\w&-]*)*"
)
_EXTRA_NAMES = re.compile(
    "|".join(
        [
            r"Phó Thủ tướng(?: Chính phủ)?",
            r"Thủ tướng Chính phủ",
            # a ministry's own leadership and office, as its internal plans name them
            r"Văn phòng Bộ(?= |[,.;()]|$)(?! [A-ZĐÀ-Ỹ])",
            r"Lãnh đạo Bộ(?= |[,.;()]|$)(?! [A-ZĐÀ-Ỹ])",
            r"Bộ trưởng(?= |[,.;()]|$)(?! (?:Bộ|[Cc]ác|[A-ZĐÀ-Ỹ]))",
            r"Văn phòng Chính phủ",
            # provincial command boards: "Ban Chỉ huy Phòng thủ dân sự tỉnh", "Ban Chỉ huy Phòng chống thiên tai và …"
            r"(?:Văn phòng )?Ban [Cc]hỉ huy (?:[Pp]hòng thủ dân sự|[Pp]hòng,? chống thiên tai(?: và [Tt]ìm kiếm,? [Cc]ứu nạn)?"
            r"|[Qq]uân sự)(?: (?:tỉnh|thành phố|Thành phố|cấp xã))?",
            r"Bộ Công an",  # "Công an" opens other names ("Công an tỉnh"): the directory's rule stops before it
            r"Chính phủ",
            rf"(?:Ủy|Uỷ) ban nhân dân (?:Tỉnh|Thành phố)(?: [{_UP}]\w*)*",
            r"UBND Tỉnh",
            r"Thường trực (?:Tỉnh ủy|Thành ủy|HĐND(?: (?:tỉnh|thành phố|Thành phố|cấp xã|cùng cấp))?"
            r"|Hội đồng nhân dân(?: (?:tỉnh|thành phố|Thành phố))?)",
            r"Ban Thường vụ (?:Tỉnh ủy|Thành ủy)",
            r"Tỉnh ủy|Thành ủy",
            r"HĐND(?: (?:tỉnh|thành phố|Thành phố))?",
            rf"(?:Tổng cục|Chi cục|Cục|Vụ|Viện|Trung tâm) {_BODY}",
            # party and mass bodies, schools, funds, offices and companies a province's plans task by name
            rf"(?:Trường|Hội|Quỹ|Văn phòng|Công ty|Đài|(?:Ủy|Uỷ) ban Kiểm tra|Ban(?! Chỉ đạo| Quản lý| Chỉ huy)) {_BODY}",
            rf"(?:Viễn thông|Bưu điện|Điện lực) (?:tỉnh|thành phố|Thành phố)(?: [{_UP}]\w*)*",
            # state groups and corporations, which national texts task and ask for reports like agencies
            # (their names end with "Việt Nam" as a rule, or run on in capitals)
            rf"(?:Tập đoàn|Tổng [Cc]ông ty) [{_UP}][^,.;:()]{{0,60}}?Việt Nam"
            rf"|Công ty (?:TNHH |[Cc]ổ phần )?[{_UP}][\w&-]*(?: (?:[{_UP}][\w&-]*|[a-zđà-ỹ]+(?= [{_UP}])))*"
            rf"|(?:Tập đoàn|Tổng [Cc]ông ty) [{_UP}][\w&-]*(?:(?: | - )[{_UP}][\w&-]*)*",
            # a steering committee's own members, deputies and office, as its working rules name them
            r"(?:Phó\s+)?Trưởng [Bb]an [Cc]hỉ đạo|(?:[Cc]ác\s+)?[Tt]hành viên Ban [Cc]hỉ đạo|Văn phòng Ban [Cc]hỉ đạo",
            r"Ban [Qq]uản lý (?:các )?(?:[Kk]hu|[Dd]ự án|[Cc]ụm)[^,.;()]*?(?=\s+(?:để|về|theo|trước|báo|gửi|có|thực|chủ|phối"
            r"|tổng|trong|tham|chỉ|hướng|kiểm)\b|[,.;()]|$)",
            r"Đài (?:[Tt]ruyền hình|Tiếng nói|Phát thanh)(?: [\w-]+){0,4}? Việt Nam|Thông tấn xã Việt Nam",
            rf"Thống kê (?:tỉnh|thành phố) [{_UP}]\w*(?: [{_UP}]\w*)*",
            rf"[Cc]ổng [Tt]hông tin điện tử(?: [{_UP}]\w*)+",
            r"Thanh tra (?:tỉnh|thành phố|Thành phố|Chính phủ)",
            r"Bảo hiểm xã hội Việt Nam|Kiểm toán Nhà nước",
        ]
    )
)


def trim_name(name: str) -> str:
    """A name without the words that follow it in the sentence ("Ban Chỉ đạo về kết quả" → "Ban Chỉ đạo")."""
    name = _CUT_AT.sub("", name).rstrip(" ,-–")
    words = name.split(" ")
    while len(words) > 2 and (words[-1] in _STOP or words[-1] in ("và", "-", "–", ",")) and not _compound(words):
        words.pop()
    return " ".join(words).rstrip(" ,-–")


def _compound(words: list[str]) -> bool:
    """ "Phòng Tham mưu", "Phòng Tổng hợp", "Cục Kiểm tra": the last word ends a capitalised compound of the name."""
    return words[-2][:1].isupper() and words[-2].lower() in _STOP and words[-1] not in ("và", "-", "–", ",")


def _below(level: Level, modern: bool) -> str:
    if level is Level.NATIONAL:
        return "provinces"
    if level in (Level.DISTRICT, Level.COMMUNE) or modern:
        return "communes"
    return "districts"


# "Ủy ban nhân dân và Hội đồng nhân dân tỉnh", "UBND và HĐND Thành phố": two bodies sharing one place name
_SHARED_PLACE = re.compile(
    r"(?P<first>(?:Ủy|Uỷ) ban nhân dân|UBND|Hội đồng nhân dân|HĐND) và "
    r"(?P<second>(?:Ủy|Uỷ) ban nhân dân|UBND|Hội đồng nhân dân|HĐND) "
    rf"(?P<place>{PLACE_NAME})"
)


def _shared_place(text: str) -> list[tuple[int, int, str, int]]:
    """Each of two bodies written before one place name, with the place: "UBND và HĐND tỉnh" is "UBND tỉnh" and
    "HĐND tỉnh" (never "HĐND tỉnh" alone, after a nameless "UBND")."""
    found = []
    for match in _SHARED_PLACE.finditer(text):
        if match.group("first")[0] == match.group("second")[0]:
            continue  # "Ủy ban nhân dân và Ủy ban …": not two bodies of one place
        place = match.group("place")
        found.append((match.start("first"), match.end("first"), f"{match.group('first')} {place}", 4))
        found.append((match.start("second"), match.end(), f"{match.group('second')} {place}", 4))
    return found


# "Sở Y tế - cơ quan thường trực Ban Chỉ đạo": what the body is, not another body
_APPOSITION = re.compile(r"\s[-–]\s+(?:là\s+)?(?:cơ\s+quan|đơn\s+vị)\s+(?:[a-zđà-ỹ]+\s+){0,4}(?:của\s+)?$")


def find_parties(text: str, level: Level = Level.PROVINCE, *, modern: bool = False) -> list[Party]:
    """Every agency and group named in ``text``, in order, without overlaps (the longer name wins)."""
    candidates: list[tuple[int, int, str, int]] = _shared_place(text)  # start, end, name, preference
    for kind, pattern in _EXTRA_GROUPS:
        for match in pattern.finditer(text):
            candidates.append((match.start(), match.end(), kind, 3))
    below = _below(level, modern)
    for start, end, kind in find_groups(text, level):
        if re.search(r"địa\s+phương", text[start:end], re.I) and kind in ("districts", "communes"):
            kind = below
        candidates.append((start, end, kind, 2))
    for match in _EXTRA_NAMES.finditer(text):
        name = trim_name(match.group(0))
        candidates.append((match.start(), match.start() + len(name), name, 1))
    for start, _end, name in find_agencies(text):
        name = trim_name(name)
        candidates.append((start, start + len(name), name, 0))
    candidates = [c for c in candidates if not _APPOSITION.search(text[max(0, c[0] - 60) : c[0]])]
    candidates.sort(key=lambda c: (-(c[1] - c[0]) - 2 * c[3], c[0]))
    chosen: list[tuple[int, int, str]] = []
    for start, end, name, _ in candidates:
        if end <= start or any(s < end and start < e for s, e, _ in chosen):
            continue
        chosen.append((start, end, name))
    return [Party(s, e, n) for s, e, n in sorted(chosen)]


_GENERIC = re.compile(
    r"(?i)^(?:các\s+)?((?:doanh\s+nghiệp|cơ\s+sở|cơ\s+quan|đơn\s+vị|tổ\s+chức|đối\s+tượng|chủ\s+đầu\s+tư"
    r"|chủ\s+rừng|thương\s+nhân|hộ\s+kinh\s+doanh)\b[^,.;:()]{0,80}?)\s*(?:\(|:|$|,\s*(?:có|chịu)\b)"
)


def generic_party(text: str) -> str | None:
    """A body named by what it is rather than by name ("Các doanh nghiệp hoạt động cho thuê lại lao động")."""
    match = _GENERIC.match(text.strip())
    if not match:
        return None
    phrase = match.group(1).strip()
    phrase = re.sub(r"\s+(?:có|chịu)\s+trách\s+nhiệm.*$", "", phrase)
    return phrase[0].lower() + phrase[1:] if phrase else None


_PLURAL_UNITS = re.compile(
    r"(?i)^các\s+(?:vụ|cục|tổng\s+cục|chi\s+cục|viện|trung\s+tâm|phòng|ban|đơn\s+vị|cơ\s+quan)"
    r"(?=\s*[,:]|\s+[a-zđà-ỹ])"
)
_UNITS_END = re.compile(
    r"\s+(?:có\s+trách|chịu\s+trách|chủ\s+động|phối\s+hợp|thực\s+hiện|gửi|báo\s+cáo|định\s+kỳ"
    r"|hằng|hàng|tổng\s+hợp|theo\s+dõi|trước|để|giám\s+sát|kiểm\s+tra|tổ\s+chức|triển\s+khai|xây\s+dựng"
    r"|hướng\s+dẫn|chỉ\s+đạo|tham\s+mưu|rà\s+soát|cập\s+nhật)\b|\s*[.;(]|$"
)


def plural_units(text: str, *, organisations: bool = False) -> str | None:
    """Units named by their kinds, as written, where a text opens with them ("Các Vụ, Cục, đơn vị thuộc Bộ gửi …"):
    no one agency, and not every department either. ``None`` when the text opens otherwise. With ``organisations``
    (a reporting regime's lead-in), "Các tổ chức, đơn vị …" too."""
    text = text.strip()
    opening = _PLURAL_UNITS.match(text) or (re.match(r"(?i)^các\s+tổ\s+chức,\s", text) if organisations else None)
    if not opening:
        return None
    end = _UNITS_END.search(text, opening.end())
    assert end is not None  # the pattern ends with "|$": it always matches
    phrase = text[: end.start()].strip(" ,:")
    return re.sub(r"\s*:\s*", ", ", phrase[0].upper() + phrase[1:]) if phrase else None

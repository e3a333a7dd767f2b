"""One vocabulary: the words for every state and kind that a user reads, in Vietnamese and English.

The CLI's tables, the consolidated report and the mails take their words
from here, so "Quá hạn" means the same thing everywhere. A new state (say,
``held`` for a report waiting for confirmation) is one line in ``STATES``.

An agency's **state** for one deadline is derived from the deadline row by
:func:`deadline_state` — the one rule behind ``dondoc status``, the
consolidated report's status table and the digest:

- ``submitted`` → ``on-time``; ``late`` → ``late``; ``excused`` → ``excused``;
  ``closed`` → ``closed``; any other stored status keeps its name (``held``);
- ``open`` → ``overdue`` once its last day (or the extension) has passed,
  else ``not-due``.

Times read ``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh; percentages ``72,7%``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "KINDS",
    "STATES",
    "Lang",
    "deadline_state",
    "goal_text",
    "iso_time",
    "label",
    "local_time",
    "lower_first",
    "percent",
    "report_title",
    "stage_label",
    "state_label",
]

Lang = str  # "vi" | "en"

# An agency's state for one deadline (see the module docstring): (Vietnamese, English).
STATES: dict[str, tuple[str, str]] = {
    "on-time": ("Đúng hạn", "on time"),
    "late": ("Muộn", "late"),
    "overdue": ("Quá hạn", "overdue"),
    "not-due": ("Chưa đến hạn", "not yet due"),
    "excused": ("Được miễn", "excused"),
    "closed": ("Đã đóng", "closed"),
    "held": ("Chờ xác nhận", "held for confirmation"),
}

# Every other word a table shows, by what it names: (Vietnamese, English).
KINDS: dict[str, dict[str, tuple[str, str]]] = {
    "deadline": {  # the stored status of a deadline row (``dondoc deadlines --status``)
        "open": ("Chưa nộp", "open"),
        "submitted": ("Đúng hạn", "submitted"),
        "late": ("Muộn", "late"),
        "excused": ("Được miễn", "excused"),
        "closed": ("Đã đóng", "closed"),
        "held": ("Chờ xác nhận", "held for confirmation"),
    },
    "outbox": {
        "pending": ("Chờ gửi", "pending"),
        "sending": ("Đang gửi", "sending"),
        "sent": ("Đã gửi", "sent"),
        "failed": ("Lỗi, không gửi được", "failed"),
        "bounced": ("Bị trả lại", "bounced"),
    },
    "mail": {  # what an outbox row is
        "reminder": ("Thư nhắc", "reminder"),
        "receipt": ("Thư xác nhận", "receipt"),
        "notice": ("Thư trả lại báo cáo", "notice"),
        "digest": ("Thư tổng hợp tuần", "weekly digest"),
        "report": ("Báo cáo tổng hợp", "consolidated report"),
        "confirm": ("Thư đề nghị xác nhận", "confirmation request"),
    },
    "action": {  # what the audit log records (dondoc/operations; db.tables.AuditEventRow)
        "pause": ("Tạm dừng nhắc", "reminders paused"),
        "extend": ("Gia hạn", "extended"),
        "excuse": ("Miễn báo cáo", "excused"),
        "remind": ("Nhắc ngay", "reminded now"),
        "assign": ("Gán thư vào hạn nộp", "message assigned"),
        "reject": ("Loại thư", "message rejected"),
        "return": ("Trả lại báo cáo", "submission returned"),
        "grant": ("Chấp nhận gia hạn", "request granted"),
        "refuse": ("Không chấp nhận gia hạn", "request refused"),
        "confirm-held": ("Xác nhận báo cáo chờ", "held report confirmed"),
        "reject-held": ("Loại báo cáo chờ", "held report rejected"),
        "approve-report": ("Duyệt báo cáo tổng hợp", "report approved"),
        "reject-report": ("Không duyệt báo cáo tổng hợp", "report rejected"),
        "send-report": ("Gửi báo cáo tổng hợp", "report sent"),
        "import-contacts": ("Nhập danh bạ", "contacts imported"),
    },
    "inbound": {
        "new": ("Chưa xử lý", "new"),
        "submission": ("Báo cáo", "submission"),
        "request": ("Đề nghị", "request"),
        "auto-reply": ("Trả lời tự động", "auto-reply"),
        "bounce": ("Thư báo lỗi", "bounce"),
        "quarantine": ("Chờ xử lý", "quarantined"),
        "rejected": ("Đã loại", "rejected"),
        "held": ("Chờ xác nhận", "held for confirmation"),
    },
    "submission": {
        "accepted": ("Đã nhận", "accepted"),
        "returned": ("Đã trả lại", "returned"),
        "held": ("Chờ xác nhận", "held for confirmation"),
    },
    "request": {
        "extension": ("Xin gia hạn", "extension"),
        "question": ("Hỏi", "question"),
        "open": ("Chưa giải quyết", "open"),
        "granted": ("Đã gia hạn", "granted"),
        "refused": ("Không chấp nhận", "refused"),
    },
    "report": {
        "draft": ("Dự thảo", "draft"),
        "approved": ("Đã duyệt", "approved"),
        "rejected": ("Không duyệt", "rejected"),
        "sent": ("Đã gửi", "sent"),
    },
    "obligation": {
        "period-report": ("Báo cáo định kỳ", "period report"),
        "implementation-plan": ("Kế hoạch triển khai", "implementation plan"),
        "evaluation": ("Báo cáo đánh giá", "evaluation"),
        "ad-hoc": ("Báo cáo đột xuất", "ad hoc"),
    },
    "every": {
        "once": ("Một lần", "once"),
        "year": ("Hằng năm", "yearly"),
        "half-year": ("6 tháng, năm", "half-yearly"),
        "quarter": ("Hằng quý", "quarterly"),
        "month": ("Hằng tháng", "monthly"),
        "ad-hoc": ("Đột xuất", "ad hoc"),
    },
    "unit": {
        "percent": ("%", "%"),
        "count": ("số lượng", "count"),
        "per-1000": ("‰", "per 1,000"),
        "per-100000": ("/100.000", "per 100,000"),
        "level": ("mức độ", "level"),
        "text": ("định tính", "text"),
    },
    "rule": {"before": ("trước ngày", "before"), "by": ("chậm nhất ngày", "by")},
    "yes": {"true": ("Có", "yes"), "false": ("Không", "no")},
    "stage": {  # reminder stages without their "@last day" suffix
        "before": ("Nhắc trước hạn {n} ngày làm việc", "{n} working days before"),
        "due": ("Nhắc ngày hạn cuối", "on the last day"),
        "overdue": ("Quá hạn, nhắc lần {n}", "overdue, reminder {n}"),
        "manual": ("Nhắc ngay (bằng tay)", "sent by hand"),
        "receipt": ("Xác nhận lần gửi {n}", "receipt of version {n}"),
        "returned": ("Trả lại lần gửi {n}", "return of version {n}"),
        "report": ("Gửi báo cáo tổng hợp", "consolidated report"),
    },
}


def label(kind: str, value: object, lang: Lang = "vi") -> str:
    """The word for ``value`` of ``kind`` (``label("outbox", "failed")`` → "Lỗi, không gửi được").

    A value the vocabulary does not know is shown as it is, never dropped.
    """
    if value is None:
        return ""
    key = str(value).lower() if isinstance(value, bool) else str(value)
    words = (STATES if kind == "state" else KINDS.get(kind, {})).get(key)
    return key if words is None else words[lang == "en"]


def state_label(state: str, lang: Lang = "vi") -> str:
    """The word for an agency's state (``overdue`` → "Quá hạn")."""
    return label("state", state, lang)


def stage_label(stage: str | None, lang: Lang = "vi") -> str:
    """A reminder stage id (``overdue-3@2021-05-19``, ``before-10@…``, ``manual@…``, ``receipt-v2``) in words."""
    if not stage:
        return ""
    name = stage.partition("@")[0]
    head, _, number = name.rpartition("-")
    if not head or not number.lstrip("v").isdigit():
        head, number = name, ""
    words = KINDS["stage"].get(head)
    if words is None:
        return stage
    return words[lang == "en"].format(n=number.lstrip("v"))


def deadline_state(status: str, last_day: dt.date, today: dt.date) -> str:
    """An agency's state for a deadline from its stored ``status`` and effective last day (see the module)."""
    if status == "open":
        return "overdue" if last_day < today else "not-due"
    return {"submitted": "on-time"}.get(status, status)


def local_time(moment: dt.datetime | None, timezone: str = "Asia/Ho_Chi_Minh") -> str:
    """``dd/mm/yyyy HH:MM`` in ``timezone`` (a naive time is UTC, as stored); empty for None."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(ZoneInfo(timezone)):%d/%m/%Y %H:%M}"


def iso_time(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset (``2021-05-05T03:30:00+00:00``), for machines; None stays None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def percent(value: float | None, decimals: int = 1) -> str:
    """``72.72`` → ``72,7%``: one way of writing a rate everywhere; empty for None."""
    if value is None:
        return ""
    return f"{value:.{decimals}f}".replace(".", ",") + "%"


def lower_first(text: str) -> str:
    """The first letter in lower case, for a title inside a sentence — unless the first word is an acronym
    ("UBND", "HĐND") or a proper noun keeps it: "Báo cáo kết quả … tỉnh Bình Phước" → "báo cáo kết quả … tỉnh Bình
    Phước" (never ``str.lower``, which would write "tỉnh bình phước")."""
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    return text[0].lower() + text[1:]


_PERIOD_WORDS = re.compile(
    r"\s*\b(?:định kỳ\s+)?(?:(?:0?6 tháng(?: đầu năm| cuối năm)?)(?:\s*(?:,|và)\s*(?:một năm|cả năm|tổng kết năm|năm))?"
    r"|(?:định kỳ\s+)?(?:hàng|hằng) năm|tổng kết năm)(?:\s+\d{4})?\b"
    r"|(?<!tháng \d)(?<!tháng \d\d)\s+năm \d{4}\b",
    re.IGNORECASE,
)


def report_title(title: str, period_label: str) -> str:
    """A report's title with its period said once: the period words of the obligation's title ("định kỳ 6 tháng và
    cả năm 2021", "hàng năm", "năm 2026") give way to the period's label at the end.

    "Báo cáo định kỳ 6 tháng và cả năm 2021 kết quả thực hiện công tác trẻ em", "6 tháng đầu năm 2021" →
    "Báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021".
    """
    if not period_label:
        return title
    bare = " ".join(_PERIOD_WORDS.sub(" ", title).split()).strip(" ,")
    separator = ", " if bare[-1:].isdigit() or bare.endswith(")") else " "
    return f"{bare}{separator}{period_label}"


GOAL_OPS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}
UNIT_SUFFIX = {"percent": "%", "per-1000": "‰", "per-100000": "/100.000"}


@lru_cache(maxsize=1024)  # a plan's few goals, in every reminder of every agency
def goal_text(op: str, value: float, unit: str) -> str:
    """A target's goal with its unit, the Vietnamese way: "≥ 95%", "≤ 7,2%", "≥ 600/100.000", "≥ 100"."""
    number = f"{value:g}".replace(".", ",")
    return f"{GOAL_OPS.get(op, op)} {number}{UNIT_SUFFIX.get(str(unit), '')}"

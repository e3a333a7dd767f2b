"""Sorting inbound mail: a bounce, an automatic reply, or a candidate reply from a person. Pure.

Decided on headers and on how the subject *starts*, never on body text: a
person's real reply may quote an out-of-office notice or a bounce and must
still count. Bounces are checked first, because MTAs mark their delivery
reports ``Auto-Submitted`` too. Conventions: RFC 3834 (``Auto-Submitted``),
RFC 3464 (delivery status notifications), FINDINGS.md "Mail conventions".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from dondoc.mail.parse import ParsedMail

__all__ = ["Classification", "MailKind", "classify"]


class MailKind(StrEnum):
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class Classification:
    """What the mail is, the one-line reason, and for a bounce the addresses that failed."""

    kind: MailKind
    reason: str
    failed_recipients: tuple[str, ...] = ()


def _plain(text: str) -> str:
    """Lowercase, without diacritics (đ → d), whitespace collapsed: "Trả lời TỰ ĐỘNG" → "tra loi tu dong"."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return " ".join("".join(c for c in decomposed if unicodedata.category(c) != "Mn").split())


def _phrases(*phrases: str) -> str:
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s*") for p in phrases) + r")(?![a-z0-9])"


_LEADING_NOISE = re.compile(r"^[\s\[\](){}<>\"'*#|=_.-]+")
_REPLY_PREFIX = re.compile(r"^(?:re|fw|fwd|tl|trl|aw|sv|vs|ct|tr)\s*(?:\[\d+\])?\s*:")
_AUTOMATIC_SUBJECT = _phrases(
    "tra loi tu dong", "tu dong tra loi", "thu tra loi tu dong", "thu tu dong tra loi", "phan hoi tu dong",
    "vang mat", "dang vang mat", "dang di cong tac", "di cong tac", "dang nghi phep", "nghi phep",
    "out of office", "out of the office", "automatic reply", "auto-reply", "auto reply", "autoreply",
    "auto response", "auto-response", "autoresponse", "ooo",
)
_AUTOMATIC_START = re.compile("^" + _AUTOMATIC_SUBJECT)
_AUTOMATIC_ANYWHERE = re.compile(r"(?<![a-z0-9])" + _AUTOMATIC_SUBJECT)
_DSN_SUBJECT = re.compile("^" + _phrases(
    "undelivered mail returned to sender", "undelivered mail", "undeliverable", "delivery status notification",
    "mail delivery failed", "mail delivery failure", "delivery failure", "delivery failed", "delivery has failed",
    "returned mail", "failure notice", "mail system error", "message not delivered", "nondeliverable",
    "non-deliverable", "non remis", "delayed mail", "delivery delayed", "warning: could not send message",
    "khong gui duoc thu", "thu khong gui duoc", "khong the gui thu", "khong the chuyen thu",
    "khong chuyen duoc thu", "gui thu khong thanh cong", "thu bi tra lai", "khong the chuyen phat",
    "thong bao tinh trang gui thu", "thong bao ve tinh trang gui thu", "thong bao trang thai gui thu",
))
_DELAY_SUBJECT = re.compile("^" + _phrases(
    "delayed mail", "delivery delayed", "warning: could not send message", "delivery status notification (delay)",
    "warning: message", "thu bi tre", "thu gui cham"))
_DAEMON = re.compile(r"^(?:mailer[-_]?daemon|mail[-_]?daemon|postmaster|mdaemon|microsoftexchange[0-9a-f]{32})@")
_DAEMON_NAMES = frozenset({"mail delivery subsystem", "mail delivery system", "mailer-daemon", "postmaster"})
_QUIET = frozenset({"", "no", "false", "0", "off"})
_BULK = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})

_ADDRESS = r"[A-Za-z0-9._%+=&'/-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_FAILED_IN_TEXT = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in (
    rf"^\s*<({_ADDRESS})>\s*:",  # Postfix, qmail: "<user@host>: host … said"
    rf"^\s*({_ADDRESS})\s*(?:\(\s*{_ADDRESS}\s*\))?\s*$",  # Exim, Exchange: the address alone on its line
    rf"(?:wasn't|was not|couldn't be|could not be|has not been) delivered to\s+<?({_ADDRESS})",  # Gmail
    rf"your message to\s+<?({_ADDRESS})>?\s+couldn't be delivered",  # Exchange Online
    rf"(?:gửi|gởi) (?:tới|đến|cho)\s+<?({_ADDRESS})",  # Gmail, Vietnamese
    rf"^\s*(?:recipient address|failed recipient|địa chỉ người nhận)\s*:\s*<?({_ADDRESS})",
)]
# Where a bounce's own words end and the copy of the returned message begins.
_RETURNED_COPY = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:this is a copy of|below this line is a copy|original message|forwarded message"
    r"|the original message|original message headers|reporting-mta:)",
    re.IGNORECASE | re.MULTILINE)


def _param(value: str, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}\s*=\s*\"?([^\";\s]*)", value, re.IGNORECASE)
    return found.group(1).lower() if found else ""


def _is_daemon(mail: ParsedMail) -> bool:
    return_path = mail.headers.get("return-path", "").strip().strip("<>").strip().lower()
    return bool(_DAEMON.match(mail.from_address or "") or _DAEMON.match(return_path)
                or mail.from_name.strip().lower() in _DAEMON_NAMES)


def _failed_from_text(mail: ParsedMail) -> tuple[str, ...]:
    """Failed addresses named in a bounce's human text: conservative patterns, before the returned copy."""
    cut = _RETURNED_COPY.search(mail.text)
    text = mail.text[: cut.start()] if cut else mail.text
    found = [m.group(1).lower() for pattern in _FAILED_IN_TEXT for m in pattern.finditer(text[:20000])]
    ignore = {mail.from_address}
    return tuple(a for a in dict.fromkeys(found) if a not in ignore and not _DAEMON.match(a))


def _bounce(mail: ParsedMail) -> str | None:
    report_type = _param(mail.headers.get("content-type", ""), "report-type")
    if mail.is_report and report_type in ("delivery-status", "global-delivery-status"):
        return f"multipart/report; report-type={report_type}"
    if mail.is_report and not report_type and mail.report_recipients:
        return "multipart/report with a delivery-status part"
    if "x-failed-recipients" in mail.headers:
        return "X-Failed-Recipients header"
    subject = _plain(mail.subject)
    dsn_subject = _DSN_SUBJECT.match(subject) is not None
    sender = mail.from_address or mail.headers.get("return-path", "")
    if (mail.from_address or "").startswith(("mailer-daemon@", "mailer_daemon@", "mailerdaemon@")):
        return f"from {mail.from_address}"
    if dsn_subject and _is_daemon(mail):
        return f"delivery failure subject from {sender}"
    if dsn_subject and (mail.headers.get("return-path", "").strip() == "<>" or _automatic_header(mail)):
        return "delivery failure subject with a null sender or Auto-Submitted"
    return None


def _automatic_header(mail: ParsedMail) -> str | None:
    headers = mail.headers
    if "auto-submitted" in headers:
        values = [v.split(";")[0].strip().lower() for v in headers["auto-submitted"].split(",")]
        if any(v != "no" for v in values):
            return f"Auto-Submitted: {headers['auto-submitted'][:60]}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers and headers[name].strip().lower() not in _QUIET - {""}:
            return f"{name.title()} header"
    precedence = headers.get("precedence", "").split(";")[0].strip().lower()
    if precedence in _BULK:
        return f"Precedence: {precedence}"
    return None


def _automatic(mail: ParsedMail) -> str | None:
    if mail.is_report and (kind := _param(mail.headers.get("content-type", ""), "report-type")):
        return f"multipart/report; report-type={kind}"  # read receipts, abuse feedback
    if reason := _automatic_header(mail):
        return reason
    subject = _LEADING_NOISE.sub("", _plain(mail.subject))
    if _AUTOMATIC_START.match(subject):
        return f"subject {mail.subject[:80]!r} reads as an automatic reply"
    if "x-auto-response-suppress" in mail.headers and not _REPLY_PREFIX.match(subject) \
            and _AUTOMATIC_ANYWHERE.search(subject):
        return f"X-Auto-Response-Suppress and an out-of-office subject {mail.subject[:80]!r}"
    return None


def _failed(mail: ParsedMail) -> tuple[str, ...]:
    """The failed recipients: from the delivery-status parts when there are any (a delay lists none there),
    else from the human text — unless the subject says the mail is only delayed."""
    if mail.report_recipients:
        return mail.report_recipients
    machine_readable = mail.is_report and _param(mail.headers.get("content-type", ""), "report-type") in (
        "delivery-status", "global-delivery-status")
    if machine_readable or _DELAY_SUBJECT.match(_plain(mail.subject)):
        return ()
    return _failed_from_text(mail)


def classify(mail: ParsedMail) -> Classification:
    """A bounce, an automatic reply, or a candidate that may be a real reply (see the module docstring)."""
    if reason := _bounce(mail):
        return Classification(MailKind.BOUNCE, reason, _failed(mail))
    if reason := _automatic(mail):
        return Classification(MailKind.AUTO_REPLY, reason)
    return Classification(MailKind.CANDIDATE, "no automatic-mail header or subject")

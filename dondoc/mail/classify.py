"""Sorting inbound mail: a bounce, an automatic reply, or a candidate reply from a person. Pure.

Decided on headers and on how the subject *starts*, never on body text: a
person's real reply may quote an out-of-office notice or a bounce and must
still count. Bounces are checked first, because MTAs mark their delivery
reports ``Auto-Submitted`` too. Conventions: RFC 3834 (``Auto-Submitted``),
RFC 3464 (delivery status notifications), docs/findings.md, "Automatic mail".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dondoc.folding import fold
from dondoc.mail.parse import ParsedMail

__all__ = ["Classification", "MailKind", "classify"]


class MailKind(StrEnum):
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class Classification:
    """What the mail is and the one-line reason; for a bounce, what it claims, for intake to verify:
    the addresses that failed (and why), the Message-IDs of the message it returns, the addresses the bounce was
    sent to (a Reply-To token of ours may be among them), and whether it is only a delay."""

    kind: MailKind
    reason: str
    failed_recipients: tuple[str, ...] = ()
    refers_to: tuple[str, ...] = ()
    addressed_to: tuple[str, ...] = ()  # the bounce's own recipients: a token of ours among them is proof
    delayed: bool = False
    diagnostics: tuple[tuple[str, str], ...] = ()


def _plain(text: str) -> str:
    """Lowercase, without diacritics (đ → d), whitespace collapsed: "Trả lời TỰ ĐỘNG" → "tra loi tu dong"."""
    return " ".join(fold(text).split())


def _phrases(*phrases: str) -> str:
    return "(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s*") for p in phrases) + r")(?![a-z0-9])"


_LEADING_NOISE = re.compile(r"^[\s\[\](){}<>\"'*#|=_.-]+")
# Reply and forward prefixes of the mail clients agencies use (Re, TL = trả lời, Fwd, CT = chuyển tiếp, AW, SV …).
_REPLY_PREFIX = re.compile(
    r"^(?:re|fw|fwd|tl|trl|tra loi|phan hoi|aw|wg|sv|vs|ct|tr|chuyen tiep|antw|odp|res|rif|r|enc|doorst"
    r"|回复|答复|转发|回覆|転送)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]"
)
_AUTOMATIC_SUBJECT = _phrases(
    # Vietnamese (compared without diacritics: "Trả lời tự động" → "tra loi tu dong")
    "tra loi tu dong",
    "tu dong tra loi",
    "thu tra loi tu dong",
    "thu tu dong tra loi",
    "phan hoi tu dong",
    "thong bao tu dong",
    "thu tu dong",
    "email tu dong",
    "thu dien tu tu dong",
    "hoi am tu dong",
    "vang mat",
    "dang vang mat",
    "tam vang",
    "khong co mat",
    "ngoai van phong",
    "dang di cong tac",
    "di cong tac",
    "dang nghi phep",
    "nghi phep",
    # English
    "out of office",
    "out of the office",
    "automatic reply",
    "automatic response",
    "automated reply",
    "automated response",
    "auto-reply",
    "auto reply",
    "autoreply",
    "auto response",
    "auto-response",
    "autoresponse",
    "auto:",
    "ooo",
    "oof",
    "away from my mail",
    "away from the office",
    "on vacation",
    "vacation reply",
    "on leave",
    # other languages an office's partners write in
    "abwesenheit",
    "abwesenheitsnotiz",
    "automatische antwort",
    "reponse automatique",
    "absence",
    "absent",
    "risposta automatica",
    "fuori sede",
    "respuesta automatica",
    "automatisch antwoord",
    "afwezig",
    "autosvar",
    "franvaro",
    "自动回复",
    "自動回覆",
    "自動応答",
)
_AUTOMATIC_START = re.compile("^" + _AUTOMATIC_SUBJECT)
_AUTOMATIC_ANYWHERE = re.compile(r"(?<![a-z0-9])" + _AUTOMATIC_SUBJECT)
_DSN_SUBJECT = re.compile(
    "^"
    + _phrases(
        "undelivered mail returned to sender",
        "undelivered mail",
        "undeliverable",
        "delivery status notification",
        "mail delivery failed",
        "mail delivery failure",
        "delivery failure",
        "delivery failed",
        "delivery has failed",
        "returned mail",
        "failure notice",
        "mail system error",
        "message not delivered",
        "nondeliverable",
        "non-deliverable",
        "non remis",
        "delayed mail",
        "delivery delayed",
        "warning: could not send message",
        "khong gui duoc thu",
        "thu khong gui duoc",
        "khong the gui thu",
        "khong the chuyen thu",
        "khong chuyen duoc thu",
        "gui thu khong thanh cong",
        "thu bi tra lai",
        "khong the chuyen phat",
        "thong bao tinh trang gui thu",
        "thong bao ve tinh trang gui thu",
        "thong bao trang thai gui thu",
    )
)
_DELAY_SUBJECT = re.compile(
    "^"
    + _phrases(
        "delayed mail",
        "delivery delayed",
        "warning: could not send message",
        "delivery status notification (delay)",
        "warning: message",
        "thu bi tre",
        "thu gui cham",
    )
)
_DAEMON = re.compile(r"^(?:mailer[-_]?daemon|mail[-_]?daemon|postmaster|mdaemon|microsoftexchange[0-9a-f]{32})@")
_DAEMON_NAMES = frozenset({"mail delivery subsystem", "mail delivery system", "mailer-daemon", "postmaster"})
_QUIET = frozenset({"", "no", "false", "0", "off"})
_BULK = frozenset({"bulk", "junk", "list", "auto_reply", "auto-reply"})

_ADDRESS = r"[A-Za-z0-9._%+=&'/-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
_FAILED_IN_TEXT = [
    re.compile(p, re.IGNORECASE | re.MULTILINE)
    for p in (
        rf"^\s*<({_ADDRESS})>\s*:",  # Postfix, qmail: "<user@host>: host … said"
        rf"^\s*({_ADDRESS})\s*(?:\(\s*{_ADDRESS}\s*\))?\s*$",  # Exim, Exchange: the address alone on its line
        rf"(?:wasn't|was not|couldn't be|could not be|has not been) delivered to\s+<?({_ADDRESS})",  # Gmail
        rf"your message to\s+<?({_ADDRESS})>?\s+couldn't be delivered",  # Exchange Online
        rf"(?:gửi|gởi) (?:tới|đến|cho)\s+<?({_ADDRESS})",  # Gmail, Vietnamese
        rf"^\s*(?:recipient address|failed recipient|địa chỉ người nhận)\s*:\s*<?({_ADDRESS})",
    )
]
# Where a bounce's own words end and the copy of the returned message begins.
_RETURNED_COPY = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:this is a copy of|below this line is a copy|original message|forwarded message"
    r"|the original message|original message headers|reporting-mta:)",
    re.IGNORECASE | re.MULTILINE,
)


def _param(value: str, name: str) -> str:
    found = re.search(rf"(?:^|;)\s*{name}\s*=\s*\"?([^\";\s]*)", value, re.IGNORECASE)
    return found.group(1).lower() if found else ""


def _is_daemon(mail: ParsedMail) -> bool:
    return_path = mail.headers.get("return-path", "").strip().strip("<>").strip().lower()
    return bool(
        _DAEMON.match(mail.from_address or "")
        or _DAEMON.match(return_path)
        or mail.from_name.strip().lower() in _DAEMON_NAMES
    )


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


# Headers that only automatic mail carries (presence is enough, whatever the value): vacation programs, Exchange
# inbox rules, FirstClass, and the "X-" spellings of RFC 3834 that some responders use.
_AUTOMATIC_HEADERS = (
    "x-ms-exchange-inbox-rules-loop",
    "x-ms-exchange-generated-message-source",
    "x-auto-reply",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-autogenerated",
    "x-vacation",
    "x-fc-machinegenerated",
)
_MACHINE_SENDER = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|khong[-_.]?tra[-_.]?loi|khongtraloi|auto[-_.]?reply"
    r"|autoresponder|vacation|bounces?)(?:[-+_.][^@]*)?@"
)


def _automatic_header(mail: ParsedMail) -> str | None:
    """The first header that marks ``mail`` automatic. ``Auto-Submitted: no`` never outweighs another sign."""
    headers = mail.headers
    if "auto-submitted" in headers:
        values = [v.split(";")[0].split("(")[0].strip().lower() for v in headers["auto-submitted"].split(",")]
        if any(v != "no" for v in values):
            return f"Auto-Submitted: {headers['auto-submitted'][:60]}"
    for name in ("x-autoreply", "x-autorespond"):
        if name in headers and headers[name].strip().lower() not in _QUIET - {""}:
            return f"{name.title()} header"
    for name in ("precedence", "x-precedence"):
        precedence = headers.get(name, "").split(";")[0].strip().lower()
        if precedence in _BULK:
            return f"{name.title()}: {precedence}"
    for name in _AUTOMATIC_HEADERS:
        if name in headers and headers[name].strip().lower() not in ("no", "false", "0"):
            return f"{name.title()} header"
    if headers.get("return-path", "").strip().replace(" ", "") in ("<>", "<<>>"):
        return "Return-Path: <> (a null sender: automatic mail)"
    if mail.from_address and _MACHINE_SENDER.match(mail.from_address):
        return f"sent from a no-reply address ({mail.from_address})"
    return None


def _subject_core(subject: str) -> tuple[str, bool]:
    """The subject without diacritics, leading punctuation and Re:/TL:/Fwd: prefixes; and whether it had any."""
    text, prefixed = _LEADING_NOISE.sub("", _plain(subject)), False
    for _ in range(20):
        found = _REPLY_PREFIX.match(text)
        if not found:
            break
        text, prefixed = _LEADING_NOISE.sub("", text[found.end() :]), True
    return text, prefixed


def _automatic(mail: ParsedMail) -> str | None:
    if mail.is_report and (kind := _param(mail.headers.get("content-type", ""), "report-type")):
        return f"multipart/report; report-type={kind}"  # read receipts, abuse feedback
    if reason := _automatic_header(mail):
        return reason
    for name, value in (("subject", mail.subject), ("Thread-Topic", mail.headers.get("thread-topic", ""))):
        core, _ = _subject_core(value)
        if _AUTOMATIC_START.match(core):
            return f"{name} {value[:80]!r} reads as an automatic reply"
    core, prefixed = _subject_core(mail.subject)
    if "x-auto-response-suppress" in mail.headers and not prefixed and _AUTOMATIC_ANYWHERE.search(core):
        return f"X-Auto-Response-Suppress and an out-of-office subject {mail.subject[:80]!r}"
    return None


def _failed(mail: ParsedMail) -> tuple[str, ...]:
    """The failed recipients: from the delivery-status parts when there are any (a delay lists none there),
    else from the human text — unless the subject says the mail is only delayed."""
    if mail.report_recipients:
        return mail.report_recipients
    machine_readable = mail.is_report and _param(mail.headers.get("content-type", ""), "report-type") in (
        "delivery-status",
        "global-delivery-status",
    )
    if machine_readable or _DELAY_SUBJECT.match(_plain(mail.subject)):
        return ()
    return _failed_from_text(mail)


_COPY_ID = re.compile(r"^[ \t>]*message-id:[ \t]*(<[^<>\s]{3,250}>)", re.IGNORECASE | re.MULTILINE)


def _returned(mail: ParsedMail) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a bounce says it returns: Message-IDs (its own In-Reply-To/References, the returned headers, a
    "Message-ID:" line of a copy in its text); and the addresses the bounce itself was sent to."""
    cut = _RETURNED_COPY.search(mail.text)
    copy = mail.text[cut.start() :][:200_000] if cut else ""
    ids = [*mail.in_reply_to, *mail.references, *mail.enclosed_ids, *_COPY_ID.findall(copy)[:20]]
    return tuple(dict.fromkeys(ids))[:50], tuple(dict.fromkeys(mail.recipients))[:50]


def _why(mail: ParsedMail, failed: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """For each failed address, the status and diagnostic of its delivery-status block, or its line of text."""
    blocks = {
        address: f"{status} {diagnostic}".strip()
        for address, action, status, diagnostic in mail.report_blocks
        if action in ("", "failed")
    }
    cut = _RETURNED_COPY.search(mail.text)
    lines = (mail.text[: cut.start()] if cut else mail.text)[:20000].splitlines()
    why = []
    for address in failed:
        at = next((i for i, line in enumerate(lines) if address in line.lower()), None)
        text = blocks.get(address) or (" ".join(" ".join(lines[at : at + 2]).split()) if at is not None else "")
        why.append((address, text[:300]))
    return tuple(why)


def classify(mail: ParsedMail) -> Classification:
    """A bounce, an automatic reply, or a candidate that may be a real reply (see the module docstring)."""
    if reason := _bounce(mail):
        failed = _failed(mail)
        refers_to, addressed_to = _returned(mail)
        actions = {action for _, action, _, _ in mail.report_blocks}
        delayed = not failed and (actions == {"delayed"} or _DELAY_SUBJECT.match(_plain(mail.subject)) is not None)
        return Classification(MailKind.BOUNCE, reason, failed, refers_to, addressed_to, delayed, _why(mail, failed))
    if reason := _automatic(mail):
        return Classification(MailKind.AUTO_REPLY, reason)
    return Classification(MailKind.CANDIDATE, "no automatic-mail header or subject")

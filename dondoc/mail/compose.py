"""Building RFC 5322 messages: headers safe against injection, text and HTML parts, attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from dondoc.errors import MailError

__all__ = ["Attachment", "build_message", "header_text", "message_id_for", "parse_address"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def header_text(text: str) -> str:
    """``text`` fit for a header: NFC, control characters (CR, LF, …) replaced by spaces, one line."""
    return " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", text)).split())


def parse_address(address: str) -> str:
    """A plain ASCII ``local@domain`` or ``MailError``: nothing else reaches an envelope or header."""
    candidate = address.strip()
    if not _ADDRESS.match(candidate):
        raise MailError(f"not a valid e-mail address: {header_text(address)!r}")
    return candidate


def message_id_for(key: str, domain: str) -> str:
    """A deterministic Message-ID for an outbox key: the same key always gives the same id."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    slug = re.sub(r"[^a-z0-9.-]+", ".", key.lower()).strip(".")[:60]
    return f"<{slug}.{digest}@{domain}>"


def _address(name: str | None, address: str) -> Address:
    return Address(display_name=header_text(name or ""), addr_spec=parse_address(address))


def build_message(
    *,
    subject: str,
    text: str,
    html: str | None,
    sender: tuple[str, str],
    to: list[tuple[str | None, str]],
    cc: list[tuple[str | None, str]] = (),
    reply_to: str | None = None,
    message_id: str,
    date: dt.datetime,
    in_reply_to: str | None = None,
    attachments: list[Attachment] = (),
    auto_submitted: str = "auto-generated",
    language: str = "vi",
) -> EmailMessage:
    """A complete message; every header value passes :func:`header_text` or :func:`parse_address`."""
    if not to:
        raise MailError("no recipient address")
    message = EmailMessage()
    message["Subject"] = header_text(subject)
    message["From"] = _address(*sender)
    message["To"] = [_address(name, address) for name, address in to]
    if cc:
        message["Cc"] = [_address(name, address) for name, address in cc]
    if reply_to:
        message["Reply-To"] = _address(sender[0], reply_to)
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = auto_submitted
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    message["Content-Language"] = header_text(language)
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        message.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                               filename=attachment.filename)
    return message

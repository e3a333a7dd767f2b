"""Read-only operations that open what the data dir keeps: a message as safe text, an attachment, a report's file;
and the answer given to a ``compile-report`` run paused for a report's approval."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from db.tables import AttachmentRow, InboundRow
from dondoc.errors import NotFound
from dondoc.wiring import App

__all__ = ["MessageText", "SentMail", "answer_paused_run", "attachment", "message_text", "report_file", "sent_mail"]

# What a stored attachment may be served as: anything else (HTML, SVG, scripts, unknown kinds) goes out as
# application/octet-stream, always as an attachment, never shown in the browser.
SERVED_TYPES = {
    "application/pdf": b"%PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK",
    "application/vnd.oasis.opendocument.text": b"PK",
    "application/vnd.oasis.opendocument.spreadsheet": b"PK",
    "application/zip": b"PK",
    "application/msword": b"\xd0\xcf\x11\xe0",
    "application/vnd.ms-excel": b"\xd0\xcf\x11\xe0",
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8",
    "text/plain": b"",
    "text/csv": b"",
}
REPORT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "html": "text/html", "pdf": "application/pdf"}


@dataclass
class MessageText:
    """A message as text only: what dondoc read from it (never the sender's HTML), or why it cannot be read."""

    row: InboundRow
    from_name: str = ""
    from_address: str = ""
    subject: str = ""
    headers: dict[str, str] | None = None
    text: str = ""
    attachments: tuple[str, ...] = ()
    unreadable: str | None = None


def _inside(data_dir: Path, name: str | None) -> Path:
    """``data_dir / name``, refused (``NotFound``) when it would lead outside the data dir or is not a file."""
    if not name:
        raise NotFound("no such file")
    root = data_dir.resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("no such file")
    return path


def message_text(app: App, message_id: int, *, limit: int = 20_000) -> MessageText:
    """An inbound message's headers, text and attachment names, read from its raw mail (``NotFound`` if none)."""
    from dondoc.mail.parse import Unparseable, parse_message
    from dondoc.operations.listings import inbound_message

    row = inbound_message(app, message_id)
    try:
        mail = parse_message(_inside(app.settings.data_dir, row.path).read_bytes())
    except (Unparseable, NotFound) as error:
        return MessageText(row, subject=row.subject or "", unreadable=str(error))
    shown = {k: v for k, v in mail.headers.items() if k.lower() in ("from", "to", "cc", "date", "subject",
                                                                      "message-id", "in-reply-to", "reply-to")}
    return MessageText(row, mail.from_name, mail.from_address or "", mail.subject, shown, mail.text[:limit],
                       tuple(a.filename for a in mail.attachments))


def attachment(app: App, attachment_id: int) -> tuple[AttachmentRow, Path, str]:
    """A stored attachment, its file and the type to serve it as: its stored type when that is a kind the console
    serves and the file's first bytes agree, else ``application/octet-stream`` (``NotFound`` when there is none,
    it was refused, or its path leads outside the data dir)."""
    with app.session() as session:
        row = session.get(AttachmentRow, attachment_id)
    if row is None or row.path is None:
        raise NotFound(f"no attachment {attachment_id}")
    path = _inside(app.settings.data_dir, row.path)
    kind = (row.content_type or "").split(";")[0].strip().lower()
    magic = SERVED_TYPES.get(kind)
    with path.open("rb") as file:
        head = file.read(8)
    return row, path, kind if magic is not None and head.startswith(magic) else "application/octet-stream"


def report_file(app: App, report_id: int, kind: str) -> tuple[Path, str]:
    """A compiled report's file of ``kind`` (docx, xlsx, html, pdf) and its type (``NotFound`` otherwise)."""
    from dondoc.operations.reports import listing

    for listed in listing(app):
        if listed.row.id == report_id:
            path = listed.files.get(kind)
            if path is None or kind not in REPORT_TYPES:
                raise NotFound(f"report {report_id} has no {kind} file")
            return _inside(app.settings.data_dir, str(path)), REPORT_TYPES[kind]
    raise NotFound(f"no report {report_id}")


def answer_paused_run(plan_id: str, obligation_id: str, period_key: str, answer: dict) -> list[str]:
    """Give ``answer`` to the compile-report runs paused for this report, when a Prefect server is configured
    (``PREFECT_API_URL``); the ids of the runs answered."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return []
    from dondoc.prefect_runs import resume_paused_report_runs

    return list(resume_paused_report_runs(plan_id, obligation_id, period_key, answer))


@dataclass
class SentMail:
    """A mail dondoc queued (a reminder, a receipt, …) as its recipients read it: headers and text, never HTML."""

    outbox_id: int
    deadline_id: int | None
    kind: str
    stage: str | None
    status: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    attachments: tuple[str, ...]


def sent_mail(app: App, outbox_id: int) -> SentMail:
    """An outbox row's mail rendered as text (``NotFound`` if there is none)."""
    from db.tables import OutboxRow
    from dondoc.mail.parse import Unparseable, parse_message

    with app.session() as session:
        row = session.get(OutboxRow, outbox_id)
    if row is None:
        raise NotFound(f"no mail {outbox_id} in the outbox")
    try:
        mail = parse_message(bytes(row.raw))
        text, attachments = mail.text, tuple(a.filename for a in mail.attachments)
    except Unparseable as error:
        text, attachments = f"({error})", ()
    return SentMail(row.id, row.deadline_id, row.kind, row.stage, row.status, tuple(row.recipients), row.subject,
                    text, attachments)

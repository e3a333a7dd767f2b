"""Building replies the way an agency's mail client does: Re:, quoting, the form filled in."""

from __future__ import annotations

import email
import email.policy
import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from openpyxl import load_workbook

from dondoc.documents.form import FIRST_ROW, FORM_SHEET


def fill_form(content: bytes, values: dict[str, object]) -> bytes:
    """The form with ``values`` typed into the input column, as a person would in Excel."""
    book = load_workbook(io.BytesIO(content))
    sheet = book[FORM_SHEET]
    row = FIRST_ROW
    while sheet.cell(row, 2).value:
        if str(sheet.cell(row, 2).value) in values:
            sheet.cell(row, 7).value = values[str(sheet.cell(row, 2).value)]
        row += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def reply_to(
    reminder: bytes,
    *,
    sender: str,
    body: str,
    form_values: dict | None = None,
    extra: list[tuple[str, bytes, str]] = (),
    when=None,
    forward: bool = False,
) -> bytes:
    """A reply (or a forward of the reminder, quoted) to a dondoc reminder."""
    original = email.message_from_bytes(reminder, policy=email.policy.default)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = str(original["Reply-To"])
    message["Subject"] = ("Fwd: " if forward else "Re: ") + str(original["Subject"])
    if not forward:
        message["In-Reply-To"] = original["Message-ID"]
        message["References"] = original["Message-ID"]
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2])
    if when is not None:
        message["Date"] = format_datetime(when)
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    message.set_content(f"{body}\n\nVào {original['Date']}, {original['From']} đã viết:\n{quoted}\n")
    for part in original.iter_attachments():
        if part.get_filename().endswith(".xlsx") and form_values is not None:
            message.add_attachment(
                fill_form(part.get_content(), form_values),
                maintype="application",
                subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                filename=part.get_filename(),
            )
    for name, content, mime in extra:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()

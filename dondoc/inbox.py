"""The inbound mail as the coordinator sees it: each message with its class, reason and match method.

One row per message dondoc has taken in (a raw copy stored under its
sha256), with stable, machine-readable fields — what ``dondoc inbox
--format json`` prints:

``id``, ``received`` (ISO 8601, UTC), ``sender``, ``subject``, ``class`` (an
:class:`~dondoc.db.tables.InboundStatus`: ``new`` until processed), ``reason`` (why
it has that class: the quarantine's reason, the auto-reply sign, the bounce's
flagged addresses), ``match_method`` (``token``, ``thread``, ``tag``,
``sender``… for a message matched to a deadline), ``deadline``,
``message_id``, ``sha256``, ``source_ref`` (where it was first fetched:
``imap:<uidvalidity>:<uid>``, ``maildir:<name>``). A value that does not apply
is ``null``.

Messages left at the source (too big, unreadable, before
``DONDOC_INBOX_SINCE``) were never taken in: ``dondoc ingest`` names them on
every run instead.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from dondoc.db.tables import InboundRow

__all__ = ["FIELDS", "inbound_messages"]

FIELDS = (
    "id",
    "received",
    "sender",
    "subject",
    "class",
    "reason",
    "match_method",
    "deadline",
    "message_id",
    "sha256",
    "source_ref",
)


def inbound_messages(session: Session, *, status: str | None = None, limit: int = 50) -> list[dict]:
    """The latest ``limit`` inbound messages (of class ``status``, if given), newest first, as :data:`FIELDS`."""
    query = select(InboundRow).order_by(col(InboundRow.id).desc()).limit(limit)
    if status:
        query = query.where(InboundRow.status == status)
    return [
        {
            "id": row.id,
            "received": row.received_at.isoformat(),
            "sender": row.from_address,
            "subject": row.subject,
            "class": str(row.status),
            "reason": row.reason,
            "match_method": row.match_method,
            "deadline": row.deadline_id,
            "message_id": row.message_id,
            "sha256": row.sha256,
            "source_ref": row.source_ref,
        }
        for row in session.exec(query)
    ]

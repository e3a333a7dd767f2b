"""The states of a deadline, an outbox row and an inbound message: plain enums, importable without SQLAlchemy
(the CLI's choices, and a chase that finds nothing to do, need them before any table); :mod:`dondoc.db.tables`
stores them and exports them too."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["DeadlineStatus", "InboundStatus", "OutboxStatus"]


class DeadlineStatus(StrEnum):
    """Where a deadline stands.

    ``open``: not submitted yet (overdue is derived from the last day);
    ``submitted``: on time; ``late``: submitted after the last day;
    ``excused``: the agency no longer owes it (removed from config, or excused
    by the coordinator); ``closed``: closed by the coordinator.
    """

    OPEN = "open"
    SUBMITTED = "submitted"
    LATE = "late"
    EXCUSED = "excused"
    CLOSED = "closed"


class OutboxStatus(StrEnum):
    """``pending → sending → sent | failed``; a 4xx sends ``sending`` back to ``pending`` later."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class InboundStatus(StrEnum):
    """What became of an inbound message. ``new`` until it is processed; each message ends in one class.

    ``held``: a report whose sender is not proved (no token, no trusted
    authentication), kept until the agency's registered address confirms it
    (then ``submission``) or the coordinator rejects it; ``confirmation``: the
    agency's reply that confirmed a held report.
    """

    NEW = "new"
    SUBMISSION = "submission"
    REQUEST = "request"
    HELD = "held"
    CONFIRMATION = "confirmation"
    AUTO_REPLY = "auto-reply"
    BOUNCE = "bounce"
    QUARANTINE = "quarantine"
    REJECTED = "rejected"

"""Delivery: the outbox's pending rows to the mail server, whoever queued them (reminders, receipts, notices,
digests, the consolidated report).

Rows are claimed in batches (``sending``, with the worker and the time), sent
over the transport with every connection of the pool kept busy, and the
servers' answers are recorded in batches: at most :data:`RECORD_EVERY` answers,
or :data:`RECORD_AFTER` seconds' worth, wait to be recorded. A crash leaves
those rows ``sending``; after :data:`LEASE` the next run puts them back and
sends them again with the same Message-ID (docs/chasing.md, the duplicate
window). An address the server refuses for good (5xx) is flagged on its contact.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# SQLAlchemy, the tables and the transport are imported by the functions that use them: a chase with nothing to do
# (docs/chasing.md, "Nothing to do") imports this module without loading them.
if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlmodel import Session

    from dondoc.db.outbox import Claimed
    from dondoc.mail.transport import Delivery, Envelope, Transport

__all__ = ["LEASE", "RECORD_AFTER", "RECORD_EVERY", "Delivered", "deliver"]

LEASE = dt.timedelta(minutes=15)  # a row claimed longer ago than this, still ``sending``, is put back


@dataclass
class Delivered:
    """What the mail server answered to one delivery: sent, refused for good, to be tried again (and why)."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    recovered: int = 0
    errors: dict[str, Counter] = field(default_factory=lambda: {"retrying": Counter(), "failed": Counter()})

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "retrying": self.retrying, "recovered": self.recovered}

    def problems(self) -> list[str]:
        """One bilingual line per kind of trouble at the mail server (retried later, or refused for good)."""
        lines = []
        retrying, failed = self.errors["retrying"], self.errors["failed"]
        if retrying:
            lines.append(
                f"Máy chủ thư chưa nhận {sum(retrying.values())} thư, sẽ gửi lại ở lần chạy sau / "
                f"the mail server did not take {sum(retrying.values())} message(s), they will be sent "
                f"again on a later run: {_reasons(retrying)}"
            )
        if failed:
            lines.append(
                f"Máy chủ thư từ chối {sum(failed.values())} thư / the mail server refused "
                f"{sum(failed.values())} message(s) for good: {_reasons(failed)} — "
                "xem / see `dondoc outbox --status failed`"
            )
        return lines


def _reasons(counts: Counter) -> str:
    (reason, _), others = counts.most_common(1)[0], len(counts) - 1
    return reason + (f" (+{others} lý do khác / other reason(s))" if others else "")


def _flag_refused(session: Session, refused: dict[str, str], now: dt.datetime) -> None:
    from sqlmodel import select

    from dondoc.db.tables import ContactRow

    for address, reason in refused.items():
        if not reason.startswith("5"):
            continue
        for contact in session.exec(select(ContactRow).where(ContactRow.address == address.lower())):
            contact.flagged_at, contact.flag_reason = now, reason
    session.commit()


def _short(result: Delivery) -> str:
    """The server's answer in one short line (a multi-line SMTP reply or a long refusal list, cut)."""
    text = result.error or "; ".join(result.refused.values()) or "?"
    return " ".join(text.split())[:200]


RECORD_EVERY = 32  # answers recorded in one transaction …
RECORD_AFTER = 0.05  # … or fewer, once the oldest unrecorded one is this many seconds old


class _Answers:
    """The servers' answers of one delivery, recorded in batches (see :data:`RECORD_EVERY`)."""

    def __init__(self, connection: Connection, session: Session, now: dt.datetime, report: Delivered):
        self.connection, self.session, self.now, self.report = connection, session, now, report
        self.attempts: dict[int, int] = {}
        self.waiting: list[tuple[Delivery, str | None]] = []
        self.since = 0.0

    def record(self, result: Delivery) -> None:
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append((result, result.error or ("; ".join(result.refused.values()) or None)))
        if result.refused:
            _flag_refused(self.session, result.refused, self.now)
        if len(self.waiting) >= RECORD_EVERY or time.monotonic() - self.since >= RECORD_AFTER:
            self.flush()

    def flush(self) -> None:
        from dondoc.db.outbox import mark_many

        if not self.waiting:
            return
        waiting, self.waiting = self.waiting, []
        statuses = mark_many(
            self.connection,
            [(r.outbox_id, self.attempts.pop(r.outbox_id), r.ok, r.permanent, error) for r, error in waiting],
            self.now,
        )
        for (result, _), status in zip(waiting, statuses, strict=True):
            if status == "sent":
                self.report.sent += 1
            elif status == "failed":
                self.report.failed += 1
                self.report.errors["failed"][_short(result)] += 1
            else:
                self.report.retrying += 1
                self.report.errors["retrying"][_short(result)] += 1


async def _claimed(
    session: Session,
    worker: str,
    now: dt.datetime,
    limit: int,
    batch: int,
    attempts: dict[int, int],
    refill: Callable[[int], Awaitable[list[Claimed] | None]] | None,
) -> AsyncIterator[Envelope]:
    """Pending outbox rows, claimed ``batch`` at a time as the pool asks for more (up to ``limit``); when none is
    left, ``refill`` is asked to queue more, up to the number given claimed as it queues them (``None``: nothing
    left to queue)."""
    from dondoc.db.outbox import claim_batch
    from dondoc.mail.transport import Envelope

    remaining = limit
    while remaining > 0:
        rows = claim_batch(session, worker, now, min(batch, remaining))
        while not rows and refill is not None:
            queued = await refill(remaining)
            if queued is None:
                break
            rows = queued or claim_batch(session, worker, now, min(batch, remaining))
        if not rows:
            return
        remaining -= len(rows)
        for row in rows:
            attempts[row.id] = row.attempts
            yield Envelope(row.id, row.sender, list(row.recipients), row.raw, row.message_id)


async def deliver(
    session: Session,
    transport: Transport,
    worker: str,
    now: dt.datetime,
    limit: int,
    report: Delivered,
    batch: int = 200,
    refill: Callable[[int], Awaitable[list[Claimed] | None]] | None = None,
) -> None:
    """Claim and send pending outbox rows (up to ``limit``), every connection of the pool kept busy, and record
    the answers in batches: at most :data:`RECORD_EVERY` answers, or :data:`RECORD_AFTER` seconds' worth, wait
    to be recorded (a crash then leaves them ``sending``; the next run sends them again, same Message-ID)."""
    from sqlalchemy import Engine
    from sqlalchemy.exc import SQLAlchemyError

    from dondoc.db.outbox import recover_interrupted

    report.recovered += recover_interrupted(session, now, LEASE)
    engine = session.get_bind()
    assert isinstance(engine, Engine), "answers are recorded on a connection of their own"
    with engine.connect() as connection:
        answers = _Answers(connection, session, now, report)
        try:
            await transport.deliver(
                _claimed(session, worker, now, limit, batch, answers.attempts, refill), answers.record
            )
        except BaseException:
            # Record what the servers already answered, if the database still can; when it is the database that
            # failed, its error is the one to report (the answers not recorded are sent again by the next run,
            # within the window docs/chasing.md states), not the invalid transaction a second attempt would meet.
            with contextlib.suppress(SQLAlchemyError):
                answers.flush()
            raise
        answers.flush()

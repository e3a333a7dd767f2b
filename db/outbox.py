"""The outbox: queue once, claim safely, record every answer.

States: ``pending → sending → sent | failed`` (a transient failure goes back
to ``pending`` with a ``not_before``). Each row is claimed by one worker:
on PostgreSQL with ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite the claim
is a single ``UPDATE`` statement, which the database serialises.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, select, update
from sqlmodel import Session, SQLModel, col

from dondoc.db.engine import insert_or_skip, locked
from dondoc.db.tables import OutboxRow, OutboxStatus

__all__ = [
    "QueuedMessage",
    "Claimed",
    "claim",
    "claim_batch",
    "enqueue",
    "enqueue_claimed",
    "mark",
    "mark_many",
    "process_running",
    "recover_interrupted",
    "sent_stages",
    "worker_id",
]

RETRY_DELAYS = (60, 300, 900, 3600)  # seconds after the 1st, 2nd, 3rd, 4th transient failure
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def worker_id() -> str:
    """``host:pid:nonce`` — who claimed a row, so a dead claimer's rows can be recovered."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _alive(claimer: str) -> bool:
    host, _, rest = claimer.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only the lease can tell
    return process_running(int(pid))


def process_running(pid: int) -> bool:
    """Is process ``pid`` alive on this machine (one of another user counts as alive)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class QueuedMessage:
    """One rendered mail to queue: the values of a new :class:`OutboxRow` (it starts ``pending``, never tried)."""

    key: str  # unique: a stage (``reminder:<deadline>:<stage>``) or a notice is queued once
    kind: str  # reminder, receipt, notice, report
    message_id: str
    sender: str
    recipients: list[str]
    subject: str
    raw: bytes  # the exact bytes sent, every attempt
    created_at: dt.datetime
    deadline_id: int | None = None
    stage: str | None = None
    to_address: str | None = None  # automatic mails: the address, for the daily cap
    status: OutboxStatus = field(default=OutboxStatus.PENDING)
    attempts: int = 0


def enqueue(session: Session, rows: Sequence[QueuedMessage], commit: bool = True) -> int:
    """Insert outbox rows whose ``key`` is new; rows already queued are left as they are.

    Commits unless ``commit`` is false (the caller's transaction then holds the rows).
    """
    if not rows:
        return 0
    # the fields as they are (``asdict`` deep-copies each message's bytes and recipients: ~0.5 ms a row)
    values = [dict(vars(row)) for row in rows]
    statement = insert_or_skip(session, OutboxRow, ["key"])
    count = select(func.count()).select_from(OutboxRow)
    before = session.scalar(count) or 0
    session.execute(statement, values)
    if commit:
        session.commit()
    return (session.scalar(count) or 0) - before


_OUTBOX: Table = SQLModel.metadata.tables["outbox"]  # the table itself (Core statements)


def enqueue_claimed(
    session: Session, rows: Sequence[QueuedMessage], worker: str, now: dt.datetime, claim: int
) -> tuple[int, list[Claimed]]:
    """:func:`enqueue` (commits), the first ``claim`` rows already claimed by ``worker``, as :func:`claim_batch`
    leaves a row (``sending``, its worker and time, one attempt more): a run sends what it has just queued without
    claiming it again. Rows already queued (by another run) are left as they are, and not returned.

    Returns how many rows were new, and the new claimed rows in queue order. A crash before they are sent leaves
    them ``sending``: :func:`recover_interrupted` puts them back, as any claimed row.
    """
    if not rows:
        return 0, []
    values = []
    for index, row in enumerate(rows):
        value = dict(vars(row), claimed_by=None, claimed_at=None)  # every row the same columns: one statement
        if index < claim:
            value.update(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now, attempts=row.attempts + 1)
        values.append(value)
    # the table's INSERT on the session's connection (its transaction), not the ORM's bulk insert of the class: the
    # same statement and rows, without the ORM's work per row (this runs while the pool sends)
    table = _OUTBOX
    inserted = (
        session.connection()
        .execute(insert_or_skip(session, table, ["key"]).returning(table.c.id, table.c.key), values)
        .all()
    )
    session.commit()
    ids = {key: row_id for row_id, key in inserted}
    claimed = [
        Claimed(ids[v["key"]], v["sender"], v["recipients"], v["raw"], v["message_id"], v["attempts"])
        for v in values[:claim]
        if v["key"] in ids
    ]
    return len(inserted), claimed


def sent_stages(session: Session, deadline_ids: list[int] | None = None) -> dict[int, set[str]]:
    """The stages already queued (whatever their state) by deadline: a stage is queued once."""
    query = select(col(OutboxRow.deadline_id), col(OutboxRow.stage)).where(col(OutboxRow.kind) == "reminder")
    if deadline_ids is not None:
        query = query.where(col(OutboxRow.deadline_id).in_(deadline_ids))
    result: dict[int, set[str]] = {}
    for deadline_id, stage in session.execute(query):
        if deadline_id is not None and stage is not None:  # a reminder always has both
            result.setdefault(deadline_id, set()).add(stage)
    return result


def recover_interrupted(
    session: Session, now: dt.datetime, lease: dt.timedelta, alive: Callable[[str], bool] = _alive
) -> int:
    """Put back to ``pending`` the ``sending`` rows whose worker died (or whose lease expired).

    Such a row may or may not have reached the server: it is sent again with
    the same Message-ID, which the receiving side uses to drop a duplicate.
    """
    stale = session.scalars(select(OutboxRow).where(col(OutboxRow.status) == OutboxStatus.SENDING)).all()
    recovered = 0
    for row in stale:
        expired = row.claimed_at is None or row.claimed_at < now - lease
        if expired or not alive(row.claimed_by or ""):
            row.status = OutboxStatus.PENDING
            row.last_error = "interrupted while sending; sent again with the same Message-ID"
            row.claimed_by = row.claimed_at = None
            recovered += 1
    session.commit()
    return recovered


def claim(session: Session, worker: str, now: dt.datetime, limit: int, ids: list[int] | None = None) -> list[OutboxRow]:
    """Claim up to ``limit`` pending rows for ``worker``; no other worker can claim them. Commits."""
    ready = (col(OutboxRow.status) == OutboxStatus.PENDING) & (
        (col(OutboxRow.not_before).is_(None)) | (col(OutboxRow.not_before) <= now)
    )
    pick = select(col(OutboxRow.id)).where(ready).order_by(col(OutboxRow.id)).limit(limit)
    if ids is not None:
        pick = pick.where(col(OutboxRow.id).in_(ids))
    pick = locked(session, pick, skip_locked=True)
    claimed = session.scalars(
        update(OutboxRow)
        .where(col(OutboxRow.id).in_(pick.scalar_subquery()), ready)
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now, attempts=col(OutboxRow.attempts) + 1)
        .returning(col(OutboxRow.id))
    ).all()
    session.commit()
    if not claimed:
        return []
    return list(session.scalars(select(OutboxRow).where(col(OutboxRow.id).in_(claimed)).order_by(col(OutboxRow.id))))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed row, as much of it as sending needs."""

    id: int
    sender: str
    recipients: list[str]
    raw: bytes
    message_id: str
    attempts: int


def claim_batch(session: Session, worker: str, now: dt.datetime, limit: int) -> list[Claimed]:
    """:func:`claim`, returning the columns sending needs from the claiming statement itself (no second read of
    the rows, no ORM objects: this runs while the pool sends). Commits."""
    ready = (col(OutboxRow.status) == OutboxStatus.PENDING) & (
        (col(OutboxRow.not_before).is_(None)) | (col(OutboxRow.not_before) <= now)
    )
    pick = select(col(OutboxRow.id)).where(ready).order_by(col(OutboxRow.id)).limit(limit)
    pick = locked(session, pick, skip_locked=True)
    columns = (OutboxRow.id, OutboxRow.sender, OutboxRow.recipients, OutboxRow.raw, OutboxRow.message_id)
    rows = session.execute(
        update(OutboxRow)
        .where(col(OutboxRow.id).in_(pick.scalar_subquery()), ready)
        .values(status=OutboxStatus.SENDING, claimed_by=worker, claimed_at=now, attempts=col(OutboxRow.attempts) + 1)
        .returning(*(col(c) for c in columns), col(OutboxRow.attempts))
    ).all()
    session.commit()
    return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)


_MARK_EXTRA: tuple[tuple[OutboxStatus, dict[str, Any]], ...] = (
    (OutboxStatus.SENT, {"sent_at": bindparam("at")}),
    (OutboxStatus.FAILED, {}),
    (OutboxStatus.PENDING, {"not_before": bindparam("at")}),
)
_MARK = {
    status: update(OutboxRow)
    .where(col(OutboxRow.id) == bindparam("row_id"))
    .values(status=status, claimed_by=None, last_error=bindparam("error"), **extra)
    for status, extra in _MARK_EXTRA
}


def _answer(
    outbox_id: int, attempts: int, ok: bool, permanent: bool, error: str | None, now: dt.datetime
) -> tuple[OutboxStatus, dict[str, Any]]:
    params: dict[str, Any] = {"row_id": outbox_id, "error": error}
    if ok:
        status, params["at"] = OutboxStatus.SENT, now
    elif permanent or attempts >= MAX_ATTEMPTS:
        status = OutboxStatus.FAILED
    else:
        delay = RETRY_DELAYS[min(attempts, MAX_ATTEMPTS - 1) - 1]
        status, params["at"] = OutboxStatus.PENDING, now + dt.timedelta(seconds=delay)
    return status, params


def mark(
    connection: Connection,
    outbox_id: int,
    *,
    attempts: int,
    ok: bool,
    permanent: bool,
    error: str | None,
    now: dt.datetime,
) -> str:
    """Record the server's answer for one row and commit; returns the new status."""
    return mark_many(connection, [(outbox_id, attempts, ok, permanent, error)], now)[0]


def mark_many(
    connection: Connection, answers: list[tuple[int, int, bool, bool, str | None]], now: dt.datetime
) -> list[str]:
    """Record the server's answers — ``(outbox id, attempts, ok, permanent, error)`` each — in one transaction;
    returns the new status of each.

    A prepared ``UPDATE`` by primary key per status, executed for many rows,
    and one commit on a plain connection (no ORM session): the commit, not
    the row, is what costs, and this runs while messages are being sent.
    """
    statuses: list[str] = []
    batches: dict[OutboxStatus, list[dict[str, Any]]] = {}
    for answer in answers:
        status, params = _answer(*answer, now)
        statuses.append(status)
        batches.setdefault(status, []).append(params)
    for status, batch in batches.items():
        connection.execute(_MARK[status], batch)
    connection.commit()
    return statuses

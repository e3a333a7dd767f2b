"""Queries of the inbound mail: the messages fetched from a mailbox and what intake takes from them.

Their SQL differs between SQLite and PostgreSQL (``ON CONFLICT`` inserts, ``FOR UPDATE SKIP LOCKED``); the
difference stays here (:mod:`dondoc.db.engine`), and dondoc/intake.py calls the same function whatever the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session, col, select

from dondoc.db.engine import insert_or_skip, locked
from dondoc.db.tables import InboundRow, InboundStatus, SourceMessageRow

__all__ = ["claim_new_inbound", "insert_new_inbound", "record_taken"]


def insert_new_inbound(session: Session, rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert the fetched messages (the values of :class:`InboundRow`) whose ``sha256`` is not stored yet; one
    already stored is a duplicate, left as it is. Returns the ids of the rows inserted. Does not commit."""
    statement = insert_or_skip(session, InboundRow, ["sha256"]).returning(col(InboundRow.id))
    return [inserted for (inserted,) in session.execute(statement, list(rows)).all()]


def record_taken(session: Session, taken: Sequence[Mapping[str, Any]]) -> None:
    """Record each message taken from a source (the values of :class:`SourceMessageRow`: source, scope, ref, …); one
    already recorded is left as it is. Does not commit."""
    session.execute(insert_or_skip(session, SourceMessageRow, ["source", "scope", "ref"]), list(taken))


def claim_new_inbound(session: Session, ids: Sequence[int]) -> list[InboundRow]:
    """The rows of ``ids`` still ``new``, by id, for this transaction to process: on PostgreSQL a row another
    worker's transaction holds is skipped (left to it) and the others are locked until the commit."""
    pick = (
        select(InboundRow)
        .where(col(InboundRow.id).in_(ids), InboundRow.status == InboundStatus.NEW)
        .order_by(col(InboundRow.id))
    )
    return list(session.exec(locked(session, pick, skip_locked=True)))

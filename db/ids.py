"""The primary key of a row read from (or flushed to) the database.

SQLModel types ``id`` as ``int | None``: it is ``None`` only until the row is
flushed. Code that holds a row loaded by a query, or flushed just before,
asks :func:`row_id` instead of repeating the narrowing.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["row_id"]


class _Saved(Protocol):
    @property
    def id(self) -> int | None: ...


def row_id(row: _Saved) -> int:
    """``row.id``, which a row read from the database or flushed always has."""
    if row.id is None:
        raise AssertionError(f"{type(row).__name__} has no id: it was never flushed")
    return row.id

"""The errors dondoc raises for things a user can fix.

The CLI turns each into one line (or one line per problem) and exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "BackupError",
    "ConfigError",
    "DondocError",
    "Fault",
    "Located",
    "MailError",
    "NotFound",
    "ServeError",
    "TemplateError",
    "UsageError",
    "explain",
    "faults_explained",
    "visible",
]


class DondocError(Exception):
    """Base of every error a user can act on."""


@dataclass(frozen=True, slots=True)
class Located:
    """One configuration problem at ``file:line``."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}"
        return visible(f"{where}: {self.message}")


def visible(text: str, keep: str = "") -> str:
    """``text`` with its invisible characters spelled out (``\\n``, ``\\x1b``, ``\\u202e``) but those in ``keep``:
    a value quoted from a hostile file, mail or argument can neither break the line nor drive the terminal."""
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode("ascii") for c in text)


class ConfigError(DondocError):
    """The configuration does not validate; ``problems`` lists all that is wrong."""

    def __init__(self, problems: list[Located]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFound(DondocError):
    """A plan, obligation, agency or period named by the user does not exist."""


class UsageError(DondocError):
    """An argument is malformed (a bad date, an unknown format)."""


class TemplateError(DondocError):
    """A template does not render: the message names the template and the line."""


class MailError(DondocError):
    """Mail cannot be composed or sent (no valid address, a missing secret, …)."""

    why: str | None = None  # the cause alone, when a mail source gives it (dondoc/mail/sources.py)


class BackupError(DondocError):
    """A backup cannot be written or restored (corrupt archive, occupied target, pg_dump failing, …)."""


class ServeError(DondocError):
    """``dondoc serve`` cannot start: the port is taken, another serve holds the data dir, the Prefect server is
    down or does not start in time."""


class Fault(DondocError):
    """Something outside dondoc failed (disk, database, mail server); nothing was lost, run again once it is fixed."""


_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def explain(error: BaseException) -> Fault | None:
    """A known operational failure as a :class:`Fault` with one bilingual line; ``None`` for anything else.

    Only failures of the machine around dondoc are explained (a full disk, a
    locked or unreachable database); any other exception is a bug and keeps
    its traceback. The line never quotes SQL or its parameters (they may
    hold mail), only the database's own first line.
    """
    if isinstance(error, OSError) and error.errno in _DISK_FULL:
        where = f" {error.filename}" if error.filename else ""
        return Fault(
            f"ổ đĩa đầy / disk full: không ghi được / could not write{where} ({error.strerror}); "
            "giải phóng dung lượng rồi chạy lại / free some space and run again — việc dở sẽ làm lại, thư "
            "chưa lưu vẫn ở hộp thư nguồn / unfinished work is redone, mail not yet stored stays at the "
            "source"
        )
    from sqlalchemy.exc import DBAPIError

    if not isinstance(error, DBAPIError) or error.orig is None:
        return None
    first = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0][:200]
    if "database is locked" in first or "database table is locked" in first:
        return Fault(
            f"cơ sở dữ liệu đang bị khóa / database is locked ({first}): một tiến trình khác đang ghi / "
            "another process is writing to it; chờ rồi chạy lại / wait and run again — không có gì bị "
            "ghi dở / nothing was half-written"
        )
    if "database or disk is full" in first:
        return Fault(
            f"ổ đĩa đầy / disk full: cơ sở dữ liệu không ghi được / the database cannot write ({first}); "
            "giải phóng dung lượng rồi chạy lại / free some space and run again"
        )
    if error.connection_invalidated or _psycopg_operational(error.orig):
        return Fault(
            f"mất kết nối cơ sở dữ liệu / database connection lost ({first}); chạy lại khi cơ sở dữ liệu "
            "hoạt động / run again once the database is up — việc đã ghi được giữ nguyên, việc dở sẽ làm "
            "lại / what was committed stays, the rest is redone"
        )
    return None


def _psycopg_operational(error: BaseException) -> bool:
    """PostgreSQL unreachable, shut down or restarting (psycopg's OperationalError and its kinds: AdminShutdown, …)."""
    try:
        import psycopg
    except ImportError:  # no PostgreSQL driver installed: SQLite only
        return False
    return isinstance(error, psycopg.OperationalError)


@contextmanager
def faults_explained() -> Iterator[None]:
    """Re-raise a known operational failure as its :class:`Fault` (see :func:`explain`); anything else as it is."""
    try:
        yield
    except DondocError:
        raise
    except Exception as error:
        fault = explain(error)
        if fault is None:
            raise
        raise fault from error

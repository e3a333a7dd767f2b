"""Which exceptions become one line for the coordinator (dondoc.errors.explain), and which stay bugs."""

from __future__ import annotations

import errno
import sqlite3

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from dondoc.errors import Fault, explain, faults_explained


def wrapped(orig: Exception, kind=OperationalError) -> Exception:
    return kind("UPDATE outbox SET raw=? WHERE id=?", (b"Subject: secret body", 1), orig)


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/data/raw/ab/x.tmp1"), "ổ đĩa đầy / disk full"),
        (OSError(errno.EFBIG, "File too large"), "ổ đĩa đầy / disk full"),
        (wrapped(sqlite3.OperationalError("database is locked")), "cơ sở dữ liệu đang bị khóa / database is locked"),
        (wrapped(sqlite3.OperationalError("database or disk is full")), "ổ đĩa đầy / disk full"),
    ],
)
def test_known_operational_failures_are_one_line_without_sql_or_parameters(error, start):
    fault = explain(error)
    assert isinstance(fault, Fault) and str(fault).startswith(start)
    assert "\n" not in str(fault) and "UPDATE" not in str(fault) and "secret" not in str(fault)


def test_a_lost_postgresql_connection_is_one_line():
    psycopg = pytest.importorskip("psycopg")
    fault = explain(wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")))
    assert str(fault).startswith("mất kết nối cơ sở dữ liệu / database connection lost (terminating connection")


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        KeyError("x"),
        OSError(errno.EACCES, "Permission denied"),
        wrapped(sqlite3.OperationalError("no such table: outbox")),
        wrapped(sqlite3.IntegrityError("UNIQUE"), IntegrityError),
    ],
)
def test_anything_else_stays_a_bug_with_its_traceback(error):
    assert explain(error) is None
    with pytest.raises(type(error)), faults_explained():
        raise error

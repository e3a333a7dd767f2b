"""The web console's local accounts: who may sign in, with which role, and their argon2-hashed password.

Roles, each including the one before: ``viewer`` reads every page; ``coordinator`` also acts (remind, extend,
excuse, pause, assign, grant, approve, send); ``admin`` also manages accounts. Passwords are hashed with argon2id
(argon2-cffi's defaults); a hash made with older parameters is rehashed at the next sign-in.
"""

from __future__ import annotations

import datetime as dt
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from dondoc.db.tables import AccountRow
from dondoc.errors import NotFound, UsageError

__all__ = ["ROLES", "active", "authenticate", "create", "disable", "may", "sign_out", "users"]

ROLES = ("viewer", "coordinator", "admin")
MIN_PASSWORD = 10
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{1,79}")
_hasher = PasswordHasher()
# Verified against when the name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY = _hasher.hash("dondoc: no such account")


def may(role: str, needed: str) -> bool:
    """Whether ``role`` includes ``needed`` (an admin may do what a coordinator may, who may do what a viewer may)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def create(session: Session, name: str, password: str, role: str) -> AccountRow:
    """A new, enabled account (``UsageError`` for a taken or malformed name, an unknown role, a short password)."""
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise UsageError(f"'{name}' is not an account name: 2–80 of a-z 0-9 . _ -, starting with a letter or digit")
    if role not in ROLES:
        raise UsageError(f"unknown role '{role}' (one of: {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"mật khẩu quá ngắn / password too short: at least {MIN_PASSWORD} characters")
    if session.exec(select(AccountRow).where(AccountRow.name == name)).first() is not None:
        raise UsageError(f"account '{name}' already exists")
    row = AccountRow(name=name, password_hash=_hasher.hash(password), role=role)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def users(session: Session) -> list[AccountRow]:
    """Every account, by name."""
    return list(session.exec(select(AccountRow).order_by(AccountRow.name)))


def disable(session: Session, name: str) -> AccountRow:
    """The account can no longer sign in; its open sessions end at their next request."""
    row = session.exec(select(AccountRow).where(AccountRow.name == name.strip().lower())).first()
    if row is None:
        raise NotFound(f"no account '{name}'")
    row.active = False
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def authenticate(session: Session, name: str, password: str, now: dt.datetime) -> AccountRow | None:
    """The enabled account ``name`` if ``password`` is its password, else None (the same time either way)."""
    row = session.exec(select(AccountRow).where(AccountRow.name == name.strip().lower())).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    row.last_login_at = now
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def active(session: Session, account_id: int, issued: float | None = None) -> AccountRow | None:
    """The account of a session issued at ``issued`` (a POSIX time), if it still exists, is enabled and has not
    signed out since."""
    row = session.get(AccountRow, account_id)
    if row is None or not row.active:
        return None
    if row.signed_out_at is not None and (issued is None or issued < _aware(row.signed_out_at).timestamp()):
        return None
    return row


def sign_out(session: Session, account_id: int, now: dt.datetime) -> None:
    """End every session of the account issued until ``now`` (a copied cookie included)."""
    row = session.get(AccountRow, account_id)
    if row is not None:
        row.signed_out_at = now
        session.add(row)
        session.commit()


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)

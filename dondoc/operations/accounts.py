"""Operations on the web console's accounts: create, list, disable, sign in (see :mod:`dondoc.accounts`)."""

from __future__ import annotations

import datetime as dt

from dondoc import accounts
from dondoc.db.tables import AccountRow
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = ["account", "authenticate", "create", "disable", "sign_out", "users"]


def create(app: App, name: str, *, password: str, role: str) -> AccountRow:
    """A new account (``UsageError`` for a taken name, an unknown role, a password under 10 characters)."""
    with app.session() as session:
        return accounts.create(session, name, password, role)


def users(app: App) -> list[AccountRow]:
    """Every account, by name."""
    with app.session() as session:
        return accounts.users(session)


def disable(app: App, name: str) -> AccountRow:
    """The account can no longer sign in (``NotFound`` for an unknown name)."""
    with app.session() as session:
        return accounts.disable(session, name)


def authenticate(app: App, name: str, password: str, *, now: dt.datetime | None = None) -> AccountRow | None:
    """The enabled account whose name and password these are, else None."""
    with app.session() as session:
        return accounts.authenticate(session, name, password, moment(app, now))


def account(app: App, account_id: int, *, issued: float | None = None) -> AccountRow | None:
    """A signed-in session's account (the session issued at ``issued``), if still enabled and not signed out."""
    with app.session() as session:
        return accounts.active(session, account_id, issued)


def sign_out(app: App, account_id: int, *, now: dt.datetime | None = None) -> None:
    """End the account's sessions issued until now, wherever their cookie is."""
    with app.session() as session:
        accounts.sign_out(session, account_id, moment(app, now))

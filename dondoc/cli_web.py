"""``dondoc web`` (the coordinators' console) and ``dondoc users`` (its local accounts). Thin: each command calls
one function of :mod:`dondoc.operations.accounts` or :mod:`dondoc.web`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dondoc.cli import Format, _emit, _guarded, out
from dondoc.errors import UsageError

__all__ = ["users_app", "web"]

users_app = typer.Typer(help="Tài khoản — the web console's local accounts.", no_args_is_help=True)


def data_dir(directory: Path) -> Path:
    """``--dir``: a data dir, or the folder `dondoc demo --dir` made (its data dir is ``data/`` inside)."""
    if not (directory / "dondoc.sqlite3").exists() and (directory / "data" / "dondoc.sqlite3").exists():
        return directory / "data"
    return directory


def _application(directory: Path | None):
    from dondoc.settings import Settings
    from dondoc.wiring import build

    return build(Settings(data_dir=data_dir(directory)) if directory is not None else None)


DirOption = Annotated[
    Path | None,
    typer.Option("--dir", help="The data dir (default: DONDOC_DATA_DIR, else dondoc-data), or a demo's folder."),
]


@users_app.command("add")
@_guarded
def users_add(
    name: Annotated[str, typer.Argument(help="The account name (a-z 0-9 . _ -).")],
    role: Annotated[str, typer.Option(help="viewer | coordinator | admin")] = "viewer",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input (never from the command line).",
        ),
    ] = False,
    directory: DirOption = None,
) -> None:
    """Thêm tài khoản — add an account; the password is asked twice (or read from stdin), at least 10 characters."""
    from dondoc.operations import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Mật khẩu / password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise UsageError("mật khẩu trống / empty password")
    row = accounts.create(_application(directory), name, password=password, role=role)
    out.say(f"Đã tạo tài khoản / account created: {row.name} ({row.role})")


@users_app.command("list")
@_guarded
def users_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE, directory: DirOption = None) -> None:
    """Danh sách tài khoản — the accounts, their role, whether enabled, their last sign-in."""
    from dondoc.operations import accounts

    rows = [
        dict(name=u.name, role=u.role, active=u.active, created=u.created_at, last_login=u.last_login_at)
        for u in accounts.users(_application(directory))
    ]
    _emit(
        rows,
        fmt,
        [
            ("name", "Tên", "Name"),
            ("role", "Vai trò", "Role"),
            ("active", "Hoạt động", "Enabled", "yes"),
            ("created", "Tạo lúc", "Created", "time"),
            ("last_login", "Đăng nhập", "Last sign-in", "time"),
        ],
        title=(f"Tài khoản ({len(rows)})", f"Accounts ({len(rows)})"),
    )


@users_app.command("disable")
@_guarded
def users_disable(name: Annotated[str, typer.Argument(help="The account name.")], directory: DirOption = None) -> None:
    """Khóa tài khoản — the account can no longer sign in (its open sessions end at their next page)."""
    from dondoc.operations import accounts

    row = accounts.disable(_application(directory), name)
    out.say(f"Đã khóa / disabled: {row.name}")


@_guarded
def web(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on (127.0.0.1: this machine only; behind a reverse proxy in server mode)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8080,
    directory: DirOption = None,
) -> None:
    """Bảng điều khiển web — serve the coordinators' console (Vietnamese, English switch) until Ctrl-C."""
    from dondoc.web.serve import serve

    app = _application(directory)
    serve(app, host, port, lambda line: out.say(line))

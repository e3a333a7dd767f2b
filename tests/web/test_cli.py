"""`dondoc users` and `dondoc web` as an administrator types them; the console when the database fails."""

from __future__ import annotations

import json
import socket

from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.web.security import SessionCodec

PASSWORD = "mật-khẩu-quản-trị"


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result


def test_accounts_are_added_listed_and_disabled_from_the_command_line(tmp_path):
    data = str(tmp_path / "data")
    added = run("users", "add", "Quan.Tri", "--role", "admin", "--password-stdin", "--dir", data, input=PASSWORD + "\n")
    assert added.exit_code == 0 and "quan.tri (admin)" in added.stdout
    # asked twice at the prompt; a mismatch is asked again, the password never echoed
    prompted = run("users", "add", "xem", "--dir", data, input=f"{PASSWORD}\nkhac-hoan-toan\n{PASSWORD}\n{PASSWORD}\n")
    assert prompted.exit_code == 0 and "xem (viewer)" in prompted.stdout and PASSWORD not in prompted.output
    listed = json.loads(run("users", "list", "--format", "json", "--dir", data).stdout)
    assert [(u["name"], u["role"], u["active"]) for u in listed] == [
        ("quan.tri", "admin", True),
        ("xem", "viewer", True),
    ]
    assert run("users", "disable", "xem", "--dir", data).exit_code == 0
    assert [u["active"] for u in json.loads(run("users", "list", "--format", "json", "--dir", data).stdout)] == [
        True,
        False,
    ]


def test_account_mistakes_are_one_line(tmp_path):
    data = str(tmp_path / "data")
    run("users", "add", "xem", "--password-stdin", "--dir", data, input=PASSWORD + "\n")
    twice = run("users", "add", "xem", "--password-stdin", "--dir", data, input=PASSWORD + "\n")
    assert twice.exit_code == 1 and "already exists" in twice.output
    short = run("users", "add", "moi", "--password-stdin", "--dir", data, input="ngan\n")
    assert short.exit_code == 1 and "too short" in short.output
    role = run("users", "add", "moi", "--role", "root", "--password-stdin", "--dir", data, input=PASSWORD + "\n")
    assert role.exit_code == 1 and "unknown role" in role.output
    on_the_line = run("users", "add", "moi", "--password", PASSWORD, "--dir", data)
    assert on_the_line.exit_code == 2  # there is no way to give it on the command line
    assert run("users", "disable", "khong-co", "--dir", data).exit_code == 1


def test_web_says_so_in_one_line_when_its_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("web", "--port", str(port), "--dir", str(tmp_path / "data"))
    assert result.exit_code == 1 and f"cannot listen on 127.0.0.1:{port}" in result.output


def test_a_database_gone_mid_request_is_one_clear_page(tmp_path):
    from starlette.testclient import TestClient

    from dondoc.settings import Settings
    from dondoc.web import create_app
    from dondoc.wiring import App

    gone = App(Settings(data_dir=tmp_path / "data", database_url="postgresql+psycopg://dondoc@127.0.0.1:9/none"))
    client = TestClient(create_app(gone, secret=b"k" * 32), follow_redirects=False)
    client.cookies.set("dondoc_session", SessionCodec(b"k" * 32).dumps({"uid": 1, "csrf": "t"}))
    page = client.get("/plans")
    assert page.status_code == 503
    assert "mất kết nối cơ sở dữ liệu" in page.text and "Traceback" not in page.text
    assert page.headers["x-content-type-options"] == "nosniff"

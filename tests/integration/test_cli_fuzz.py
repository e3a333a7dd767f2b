"""Hostile CLI arguments: bad dates, unknown or huge ids, injection in names and reasons.

Every command that takes an id, a date or free text is run (typer's CliRunner, the real app on a real reporting
season) with values a careless or malicious user could type. The property: exit 0, 1 or 2 and never an exception;
an error is one ``Lỗi / error: …`` line (or click's usage box for exit 2); a refused command leaves every row of
the database as it was; whatever is echoed back — a reason, a bad date, a mail subject in a table — is printed
literally: no ESC reaches the terminal and rich markup is shown, not interpreted.
"""

from __future__ import annotations

import mailbox
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.errors import visible
from tests import figures
from tests.integration import test_backup
from tests.integration.test_backup import sqlite_url, tables
from tests.support.config import PLAN, write_config

season = test_backup.season  # the fixture: a data dir with a reporting season (SQLite)

ROOT = Path(__file__).resolve().parents[2]

EXAMPLES = int(os.environ.get("DONDOC_FUZZ_EXAMPLES", "60"))
TEXT = st.one_of(
    st.sampled_from(
        [
            "$(rm -rf /)",
            "`rm -rf /`",
            "'; DROP TABLE deadline;--",
            '" OR 1=1 --',
            "\x1b[31mred\x1b[0m",
            "\x1b]0;owned\x07",
            "[red]x[/red]",
            "[/b] closing",
            "[link=https://example.com]x[/link]",
            "a\r\nb",
            "a\rb",
            "\x00",
            "\u202eevil",
            "Ba\u0300o ca\u0301o",
            "x" * 10_000,
            "",
            " ",
            "../../etc/passwd",
            "%s%n",
            "{0}",
            "Ủy ban nhân dân",
        ]
    ),
    st.text(max_size=40),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "31/02/2021",
            "2021-13-01",
            "abc",
            "",
            "99999-01-01",
            "0/0/0",
            "15/06/2021",
            "01/01/10000",
            "2021-02-29",
            "29/02/2024",
            "9999-12-31",
            "0001-01-01",
            "\x00",
            "31/12/2021\n[red]x",
            "2021-06-15T25:00",
            "-1",
        ]
    ),
    TEXT,
)
IDS = st.one_of(
    st.sampled_from(
        [
            "1",
            "2",
            "3",
            "0",
            "-1",
            "999999",
            "99999999999999999999999",
            "abc",
            "",
            "1.5",
            "0x10",
            "1;DROP TABLE deadline",
            "１",
        ]
    ),
    st.integers().map(str),
)
AGENCIES = st.one_of(
    st.sampled_from(
        [
            "demo.so-y-te",
            "demo.ubnd-a",
            "../../etc/passwd",
            "demo.so-y-te\r\nx",
            "demo.so-y-te\x00",
            "x" * 10_000,
            "'; DROP TABLE agency;--",
        ]
    ),
    TEXT,
)
PLANS = st.one_of(
    st.sampled_from(["demo-2021", "../../etc/passwd", "/etc/passwd", "demo-2021\x00", "x" * 10_000]), TEXT
)
COMMANDS = st.one_of(
    st.tuples(st.just("pause"), AGENCIES, st.just("--until"), DATES, st.just("--reason"), TEXT),
    st.tuples(st.just("extend"), IDS, st.just("--to"), DATES, st.just("--reason"), TEXT),
    st.tuples(st.just("excuse"), IDS, st.just("--reason"), TEXT),
    st.tuples(st.just("return"), IDS, st.just("--reason"), TEXT, st.just("--now"), DATES),
    st.tuples(st.just("grant"), IDS, st.just("--to"), DATES, st.just("--reason"), TEXT),
    st.tuples(st.just("quarantine"), st.just("reject"), IDS, st.just("--reason"), TEXT),
    st.tuples(st.just("quarantine"), st.just("show"), IDS),
    st.tuples(st.just("quarantine"), st.just("assign"), IDS, IDS),
    st.tuples(st.just("held"), st.just("reject"), IDS, st.just("--reason"), TEXT),
    st.tuples(st.just("held"), st.just("confirm"), IDS, st.just("--now"), DATES),
    st.tuples(st.just("report"), st.just("reject"), IDS, st.just("--comment"), TEXT),
    st.tuples(st.just("report"), st.just("approve"), IDS),
    st.tuples(st.just("remind"), st.just("--deadline"), IDS, st.just("--now"), DATES),
    st.tuples(st.just("plans"), st.just("show"), PLANS),
    st.tuples(st.just("deadlines"), st.just("--plan"), PLANS, st.just("--agency"), AGENCIES),
    st.tuples(st.just("submissions"), st.just("--agency"), AGENCIES, st.just("--period"), TEXT),
    st.tuples(st.just("calendar"), IDS),
    st.tuples(st.just("status"), st.just("--now"), DATES),
    st.tuples(st.just("sync"), st.just("--now"), DATES),
).map(list)


def run(args: list[str]):
    """The CLI with ``args``; it must end by an exit code, never by an exception."""
    result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), f"{args!r} raised {result.exception!r}"
    return result


def assert_inert(result, args: list[str]) -> None:
    """Exit 0/1/2; an error in one line; nothing the user typed drives the terminal."""
    output = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, output)
    assert "Traceback" not in output and "\x1b" not in output and "\x00" not in output, (args, output)
    if result.exit_code == 1 and args[0] not in ("sync", "plans"):
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("Lỗi / error: "), line


@pytest.mark.slow
def test_hostile_arguments_end_in_an_exit_code_and_a_refusal_changes_nothing(season):
    root, play = season
    play()
    url = sqlite_url(root)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(COMMANDS)
    def check(args):
        figures.add(figures.HOSTILE)
        before = tables(url)
        result = run(args)
        assert_inert(result, args)
        if result.exit_code != 0:
            assert tables(url) == before, f"{args!r} was refused but changed the database"

    check()


@pytest.mark.parametrize(
    "reason",
    ["[red]x[/red]", "[/b] closing", "\x1b[31mred\x1b[0m", "$(rm -rf /)", "'; DROP TABLE deadline;--", "a\r\nb"],
)
def test_an_accepted_reason_is_stored_as_typed_and_echoed_inert(season, reason):
    figures.add(figures.HOSTILE)
    root, play = season
    play()
    result = run(["pause", "demo.so-y-te", "--until", "15/06/2021", "--reason", reason])
    assert result.exit_code == 0, result.output
    assert visible(reason.strip(), keep="\n") in result.stdout and "\x1b" not in result.stdout
    [pause] = tables(sqlite_url(root))["pause"]
    assert reason.strip() in pause  # stored exactly: the database holds what was typed, the terminal sees it inert
    assert tables(sqlite_url(root))["deadline"]  # no SQL was run from the text


def test_a_mail_subject_with_markup_and_escapes_is_shown_literally_in_the_inbox(season):
    """A subject ``[/b] …`` crashed ``dondoc inbox`` (rich MarkupError); ESC sequences went to the terminal."""
    figures.add(figures.HOSTILE)
    root, play = season
    play()
    subject = "[/b] [red]x[/red] \x1b[31mred"
    mailbox.Maildir(root / "inbox").add(
        f"From: vanthu@syt.demo.example.org\r\nSubject: {subject}\r\n"
        "Message-ID: <hostile@example.org>\r\n\r\nxin chào\r\n".encode()
    )
    assert run(["ingest", "--now", "2021-05-11T10:00"]).exit_code == 0
    result = run(["inbox"])
    assert result.exit_code == 0 and "\x1b" not in result.stdout
    flat = "".join(result.stdout.split())
    assert "[/b][red]x[/red]\\x1b[31mred" in flat or "[/b][red]x[/red]" in flat, result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["extend", "99999999999999999999999", "--to", "01/01/2030", "--reason", "r"],
        ["pause", "demo.so-y-te", "--until", "31/02/2021", "--reason", "\x1b[31mr"],
        ["excuse", "999999", "--reason", "[red]x[/red]"],
        ["plans", "show", "../../etc/passwd"],
    ],
)
def test_a_sample_through_a_real_process(season, args):
    """The same through ``python -m dondoc`` (real argv, real stderr): exit 1 or 2, no traceback, no ESC."""
    figures.add(figures.HOSTILE)
    root, play = season
    play()
    done = subprocess.run(
        [sys.executable, "-m", "dondoc", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=120,
    )
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr and "\x1b" not in done.stderr, done.stderr
    if done.returncode == 1:
        assert done.stderr.count("\n") == 1 and done.stderr.startswith("Lỗi / error: ")


def test_plans_show_prints_a_title_with_markup_literally(tmp_path, monkeypatch):
    """A plan title ``[/b] …`` crashed ``dondoc plans show`` (rich MarkupError: the title sat inside [bold])."""
    figures.add(figures.HOSTILE)
    plan = PLAN.replace("title: Kế hoạch mẫu năm 2021", 'title: "[/b] [red]Kế hoạch[/red] \\x1b[31m"')
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config", plan=plan)))
    result = run(["plans", "show", "demo-2021"])
    assert result.exit_code == 0 and "\x1b" not in result.stdout
    assert "[/b] [red]Kế hoạch[/red] \\x1b[31m" in result.stdout, result.stdout

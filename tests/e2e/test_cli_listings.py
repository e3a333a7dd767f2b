"""Every listing command on a demo season, as a table, JSON and CSV: one vocabulary, local times, machine formats.

The Vietnamese tables hold no English state or kind word and no ISO time; ``--lang en`` gives English; JSON keeps
ids, ISO times and lists as lists; CSV parses as CSV with the same rows as the JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from typer.testing import CliRunner

from dondoc.cli import app

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

LISTINGS = [
    ["plans", "list"],
    ["plans", "show", "bp-2021"],
    ["deadlines", "--plan", "bp-2021"],
    ["deadlines", "--status", "overdue", "--now", "2021-05-25"],
    ["calendar", "2021"],
    ["chase", "--dry-run", "--now", "2021-11-02T09:00"],  # the annual report: 10 working days before 15/11,
    ["outbox"],
    ["inbox", "--limit", "200"],
    ["quarantine", "list"],
    ["submissions"],
    ["requests"],
    ["reports"],
    ["status", "--now", "2021-05-25"],
]
# Words of the machine vocabulary that must never show in a Vietnamese table.
ENGLISH = re.compile(
    r"(?<![\w.@/-])(open|submitted|late|excused|closed|overdue|not-due|on-time|pending|sending|sent"
    r"|failed|accepted|returned|draft|approved|rejected|period-report|half-year|percent|count"
    r"|True|False|auto-reply|bounce|submission|quarantine|reminder|receipt|notice)(?![\w@-])"
)
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\+00:00")
LOCAL_TIME = re.compile(r"\b\d{2}/\d{2}/\d{4} \d{2}:\d{2}\b")


@pytest.fixture(scope="module")
def season(prefect_harness, tmp_path_factory):
    """A season of seed 000 played by `dondoc demo` (reminders, replies, bounces, a report approved and sent)."""
    from dondoc.demo import run_demo

    directory = tmp_path_factory.mktemp("listings") / "demo"
    result = run_demo(plan_id="bp-2021", seed=1, directory=directory)
    return result.data_dir


@pytest.fixture
def cli(season, monkeypatch):
    monkeypatch.setenv("DONDOC_DATA_DIR", str(season))
    monkeypatch.setenv("DONDOC_HMAC_KEY", "listing-test-key")
    for name in ("DONDOC_CONFIG_DIR", "DONDOC_TEMPLATES_DIR", "DONDOC_DATABASE_URL", "DONDOC_LANG"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
        return result.stdout

    return run


def _rows(document) -> list[dict]:
    if isinstance(document, list):
        return document
    for key in ("periods", "reminders"):
        if key in document:
            return document[key]
    return [document]


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_in_table_json_and_csv(cli, command):
    table = cli(*command)
    assert not ENGLISH.findall(table), ENGLISH.findall(table)[:5]
    assert not ISO_TIME.search(table)
    if command[0] in ("outbox", "inbox", "submissions", "reports"):
        assert LOCAL_TIME.search(table), "times are local, dd/mm/yyyy HH:MM"
    as_json = json.loads(cli(*command, "--format", "json"))
    text = cli(*command, "--format", "csv")
    as_csv = list(csv.DictReader(io.StringIO(text)))
    if command[:2] == ["plans", "show"]:
        assert len(as_csv) == len(as_json["obligations"]) + len(as_json["targets"])
        return
    rows = _rows(as_json)
    assert len(as_csv) == len(rows), command
    if not rows:  # the season quarantined nothing and asked nothing: still a CSV with its header
        assert command in (["quarantine", "list"], ["requests"]) and next(csv.reader(io.StringIO(text)))[0] == "id"
        return
    for row, line in zip(rows, as_csv, strict=True):
        assert set(line) == set(row)
        for key, value in row.items():  # lists stay lists in JSON; CSV joins them
            if isinstance(value, list):
                assert line[key] == "; ".join(map(str, value)).replace("'", "'") or line[key].startswith("'")
            elif isinstance(value, str) and not value.startswith(("=", "+", "-", "@")):
                assert line[key] == value
    for key in ("received", "sent_at", "created_at", "compiled_at"):
        for row in rows:
            if row.get(key):
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+00:00", row[key]), row[key]


def test_machine_formats_keep_ids_and_lists(cli):
    outbox = json.loads(cli("outbox", "--format", "json"))
    assert all(isinstance(row["recipients"], list) and isinstance(row["id"], int) for row in outbox)
    reports = json.loads(cli("reports", "--format", "json"))
    assert isinstance(reports[0]["files"], dict) and set(reports[0]["files"]) == {"docx", "html", "xlsx"}
    assert isinstance(reports[0]["reporting_rate"], float)
    status = json.loads(cli("status", "--now", "2021-05-25", "--format", "json"))
    row = next(r for r in status["periods"] if r["plan"] == "bp-2021")
    assert row["period"] == "2021-H1" and row["period_label"] == "6 tháng đầu năm 2021"
    deadlines = json.loads(cli("deadlines", "--plan", "bp-2021", "--format", "json"))
    assert all(
        isinstance(d["id"], int) and d["state"] in ("on-time", "late", "overdue", "not-due", "excused", "closed")
        for d in deadlines
    )


def test_the_same_tables_in_english(cli):
    table = cli("--lang", "en", "deadlines", "--plan", "bp-2021", "--period", "2021-H1")
    assert "State" in table and "Trạng thái" not in table and re.search(r"\b(overdue|on time|late)\b", table)
    reports = cli("--lang", "en", "reports")
    assert "Reporting rate" in reports and "72,7%" in reports


def test_rates_are_written_one_way(cli):
    assert re.search(r"\b\d{1,3},\d%", cli("reports")) and not re.search(r"\b\d{1,3}\.\d\b", cli("reports"))

"""The dondoc command, as a user runs it: exact output, exit codes, no tracebacks."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from tests.support.config import write_config

runner = CliRunner()


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
    return tmp_path


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("dondoc ")


def test_sync_then_deadlines_as_json(env):
    assert invoke("sync", "--now", "2021-03-01").exit_code == 0
    result = invoke("deadlines", "--plan", "demo-2021", "--now", "2021-03-01", "--format", "json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert len(rows) == 6
    assert rows[0] == {
        "id": rows[0]["id"],
        "plan": "demo-2021",
        "obligation": "dinh-ky",
        "agency": "demo.so-y-te",
        "agency_name": "Sở Y tế tỉnh Mẫu",
        "period": "2021-H1",
        "period_label": "6 tháng đầu năm 2021",
        "written_date": "2021-05-20",
        "rule": "before",
        "last_day": "2021-05-19",
        "extended_to": None,
        "status": "open",
        "state": "not-due",
        "succeeds": [],
        "reason": None,
    }
    assert isinstance(rows[0]["id"], int)
    assert [(r["obligation"], r["agency"], r["period"], r["last_day"]) for r in rows[1:]] == [
        ("dinh-ky", "demo.ubnd-a", "2021-H1", "2021-05-19"),
        ("tong-hop", "demo.so-ldtbxh", "2021-H1", "2021-05-24"),
        ("dinh-ky", "demo.so-y-te", "2021", "2021-11-15"),
        ("dinh-ky", "demo.ubnd-a", "2021", "2021-11-15"),
        ("tong-hop", "demo.so-ldtbxh", "2021", "2021-11-19"),
    ]


def test_deadlines_filters_and_csv(env):
    invoke("sync", "--now", "2021-03-01")
    result = invoke(
        "deadlines", "--agency", "demo.ubnd-a", "--from", "01/06/2021", "--now", "2021-03-01", "--format", "csv"
    )
    header, row = result.stdout.splitlines()
    assert header == (
        "id,plan,obligation,agency,agency_name,period,period_label,written_date,rule,last_day,"
        "extended_to,status,state,succeeds,reason"
    )
    assert row.partition(",")[2] == (
        "demo-2021,dinh-ky,demo.ubnd-a,Ủy ban nhân dân huyện A,2021,năm 2021,2021-11-15,"
        "before,2021-11-15,,open,not-due,,"
    )
    table = invoke("deadlines", "--plan", "demo-2021", "--period", "2021", "--now", "2021-03-01")
    assert "Thứ Hai 15/11/2021" in table.stdout and "trước ngày 15/11/2021" in table.stdout
    assert "Chưa đến hạn" in table.stdout and "open" not in table.stdout
    overdue = json.loads(invoke("deadlines", "--status", "overdue", "--now", "2021-05-25", "--format", "json").stdout)
    assert {(r["obligation"], r["period"], r["state"]) for r in overdue} == {
        ("dinh-ky", "2021-H1", "overdue"),
        ("tong-hop", "2021-H1", "overdue"),
    }


def test_second_sync_says_nothing_changed(env):
    invoke("sync", "--now", "2021-03-01")
    result = json.loads(invoke("sync", "--now", "2021-03-01", "--format", "json").stdout)
    preview = result.pop("next_chase")
    assert result == {
        "created": {},
        "updated": {},
        "retired": {},
        "deadlines_reopened": 0,
        "deadlines_left_closed": 0,
        "deadlines_total": 6,
    }
    assert (preview["reminders"], preview["unchased"]) == (0, 0)  # 1/3/2021: nothing is due yet


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (
            ["deadlines", "--from", "31/02/2021"],
            "Lỗi / error: '31/02/2021' is not a date (dd/mm/yyyy or yyyy-mm-dd)",
            2,
        ),
        (
            ["deadlines", "--plan", "khong-co"],
            "Lỗi / error: no plan 'khong-co' in the database (run `dondoc sync`, or see `dondoc plans list`)",
            1,
        ),
        (["plans", "show", "khong-co"], "Lỗi / error: no plan 'khong-co' (known: demo-2021)", 1),
        (["sync", "--now", "hôm qua"], "Lỗi / error: 'hôm qua' is not a date (dd/mm/yyyy or yyyy-mm-dd)", 2),
        (["plans", "check", "/khong/co"], "Lỗi / error: /khong/co: no such file or directory", 1),
        (
            ["deadlines", "--status", "overdue2"],
            "Lỗi / error: Invalid value for '--status': 'overdue2' is not one of "
            "'open', 'submitted', 'late', 'excused', 'closed', 'overdue', 'not-due'. (dondoc deadlines --help)",
            2,
        ),
        (["status", "--plan", "x"], "Lỗi / error: No such option: --plan (dondoc status --help)", 2),
        (
            ["outbox", "--status", "lost"],
            "Lỗi / error: Invalid value for '--status': 'lost' is not one of 'pending', "
            "'sending', 'sent', 'failed'. (dondoc outbox --help)",
            2,
        ),
        (["report", "approve", "1"], "Lỗi / error: Missing option '--by'. (dondoc report approve --help)", 2),
        (
            ["--lang", "fr", "status"],
            "Lỗi / error: Invalid value for '--lang': 'fr' is not one of 'vi', 'en'. (dondoc --help)",
            2,
        ),
    ],
)
def test_user_mistakes_are_one_line_and_exit_1_usage_errors_2(env, args, message, code):
    result = invoke(*args)
    assert result.exit_code == code
    assert result.stderr.strip() == message


def test_sync_refuses_invalid_config(env, tmp_path, monkeypatch):
    from tests.support.config import PLAN

    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "bad", plan=PLAN.replace("20/5", "31/2"))))
    result = invoke("sync")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith("demo-2021.yaml:14: 31/2: day 31 does not exist in month 2")
    assert not (tmp_path / "data" / "dondoc.sqlite3").exists()


def test_plans_show_and_list(env):
    shown = invoke("plans", "show", "demo-2021")
    assert shown.exit_code == 0
    assert "Kế hoạch mẫu năm 2021" in shown.stdout
    assert (
        "báo cáo 6 tháng 20/5, báo cáo năm 15/11 (trước ngày)" in shown.stdout and "period-report" not in shown.stdout
    )
    rows = list(
        __import__("csv").DictReader(
            __import__("io").StringIO(invoke("plans", "show", "demo-2021", "--format", "csv").stdout)
        )
    )
    assert [r["id"] for r in rows if r["item"] == "obligation"] == ["dinh-ky", "tong-hop"]
    as_json = json.loads(invoke("plans", "show", "demo-2021", "--format", "json").stdout)
    assert as_json["obligations"][1]["consolidates"] == ["dinh-ky"]
    listed = json.loads(invoke("plans", "list", "--format", "json").stdout)
    assert [p["id"] for p in listed] == ["demo-2021"]


def test_calendar_lists_holidays_and_counts_working_days(env):
    result = invoke("calendar", "2021", "--format", "json")
    days = {d["date"]: d for d in json.loads(result.stdout)}
    assert len(days) == 365
    assert days["2021-09-02"] == {"date": "2021-09-02", "working": False, "reason": "Quốc khánh"}
    assert days["2021-11-15"]["working"] is True
    table = invoke("calendar", "2021").stdout
    assert "Thứ Năm 02/09/2021" in table


def test_status_shows_open_periods(env):
    invoke("sync", "--now", "2021-03-01")
    result = json.loads(invoke("status", "--now", "2021-05-25", "--format", "json").stdout)
    assert result["quarantined"] == 0 and result["bounced"] == []
    assert [(r["obligation"], r["period"], r["period_label"], r["overdue"]) for r in result["periods"]] == [
        ("dinh-ky", "2021-H1", "6 tháng đầu năm 2021", 2),
        ("tong-hop", "2021-H1", "6 tháng đầu năm 2021", 1),
    ]
    assert result["today"] == "2021-05-25" and result["periods"][0]["last_day"] == "2021-05-19"
    table = invoke("status", "--now", "2021-05-25").stdout
    assert "Tình hình báo cáo ngày 25/05/2021" in table

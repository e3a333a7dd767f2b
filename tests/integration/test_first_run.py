"""A safe first run: a new installation never mails about deadlines long past.

Through the real CLI (typer's runner) on a fresh data dir: ``dondoc sync``
says what the next chase would send and what it leaves alone; ``dondoc chase
--dry-run`` plans no reminder for a last day more than ``stale_after_days``
(30) past, nor before a plan's ``chase_from``, and shows one rendered mail per
stage; ``dondoc status`` counts the deadlines it leaves alone.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.db.engine import make_engine
from dondoc.db.tables import DeadlineRow
from tests.support.config import AREA, write_config

runner = CliRunner()
FIRST_DAY = "2026-12-08T09:00"
ONBOARDED = "2026-07-15T09:00"  # a plan of 2026, onboarded mid-July: its first five months are long past

MONTHLY = """\
id: demo-2026
title: Kế hoạch mẫu năm 2026
issuer: demo.ubnd-tinh
area: demo
coordinator: demo.so-ldtbxh
source: {file: mau.txt}
valid: {start: 2026-01-01, end: 2026-12-31}
obligations:
  - id: hang-thang
    title: Báo cáo hằng tháng
    kind: period-report
    reporters: [demo.cac-so]
    recipient: demo.so-ldtbxh
    schedule: {every: month, day: 5, months_after: 1}
    rule: by
    quote: "báo cáo hằng tháng chậm nhất ngày 05 của tháng sau"
    source: {file: mau.txt}
"""


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exit_code == 0, result.output
    return result.stdout


def last_day(reminder: dict) -> dt.date:
    """The last day a planned reminder is about: its stage id carries it (``overdue-2@2021-05-19``)."""
    return dt.date.fromisoformat(reminder["stage"].split("@")[1])


@pytest.fixture
def fresh(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_HMAC_KEY", "first-run-secret")
    monkeypatch.delenv("DONDOC_DATABASE_URL", raising=False)
    monkeypatch.delenv("DONDOC_CONFIG_DIR", raising=False)
    return tmp_path


@pytest.mark.slow
def test_the_shipped_configuration_on_its_first_day_chases_nothing_long_past(fresh):
    synced = invoke("sync", "--now", FIRST_DAY)
    dry = json.loads(invoke("chase", "--dry-run", "--now", FIRST_DAY, "--format", "json"))
    reminders = dry["reminders"]
    assert reminders, "the shipped plans have reports due in December 2026"
    today = dt.date(2026, 12, 8)
    assert all((today - last_day(r)).days <= 30 for r in reminders), sorted(
        {last_day(r) for r in reminders if (today - last_day(r)).days > 30}
    )
    assert not [r for r in reminders if r["stage"].startswith("overdue-3")]  # no third overdue notice for June
    # sync said it before it happened: the same count, and the overdue deadlines it leaves alone
    lines = synced.strip().splitlines()
    assert f"sẽ gửi {len(reminders)} thư nhắc" in synced
    assert lines[-1].startswith("Quá hạn lâu, không nhắc tự động")
    status = json.loads(invoke("status", "--now", FIRST_DAY, "--format", "json"))
    assert status["unchased"] > 800  # 2016–2025 periods of the seeds, none of them mailed
    assert f"{status['unchased']} hạn báo cáo" in lines[-1]
    assert not [p for p in status["periods"] if p["overdue"]]  # nothing overdue is still chased on this day
    # decoded subjects, and one rendered plain-text mail per stage
    assert all("=?" not in r["subject"] and r["subject"].startswith(f"[DD-{r['deadline']}]") for r in reminders)
    assert [s["stage"] for s in dry["samples"]] == sorted({r["stage"].split("@")[0] for r in reminders})
    for sample in dry["samples"]:
        assert sample["text"].startswith("Kính gửi") and f"DD-{sample['deadline']}" in sample["text"]
        assert "=?" not in sample["subject"] + sample["to"] and "@" in sample["to"]


@pytest.fixture
def mid_year(fresh) -> Path:
    config = write_config(fresh / "config", plan=MONTHLY, area=AREA)
    (config / "calendar").mkdir()
    return config


def test_a_plan_onboarded_mid_year_is_not_chased_for_its_past_months(mid_year, monkeypatch):
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    synced = invoke("sync", "--now", ONBOARDED)
    dry = json.loads(invoke("chase", "--dry-run", "--now", ONBOARDED, "--format", "json"))
    # June's report (last day Monday 6/7, 9 days ago) is chased; January to May's (5/2 … 5/6) are not
    assert {(r["period"], r["agency"]) for r in dry["reminders"]} == {
        ("2026-06", "demo.so-y-te"),
        ("2026-06", "demo.ubnd-a"),
    }
    assert {last_day(r) for r in dry["reminders"]} == {dt.date(2026, 7, 6)}
    assert "sẽ gửi 2 thư nhắc" in synced and "2026-06" not in synced.splitlines()[-1]
    assert synced.splitlines()[-1].startswith(
        "Quá hạn lâu, không nhắc tự động / long overdue, not chased "
        "automatically: 10 hạn báo cáo (deadlines) của 5 kỳ (periods), "
        "hạn cuối từ 05/02/2026 đến 05/06/2026"
    )
    status = json.loads(invoke("status", "--now", ONBOARDED, "--format", "json"))
    assert status["unchased"] == 10
    assert [p["period_label"] for p in status["long_overdue"]] == [f"tháng {m} năm 2026" for m in range(1, 6)]
    assert [(p["period"], p["overdue"], p["unchased"]) for p in status["periods"]] == [
        ("2026-06", 2, 0),
        ("2026-07", 0, 0),
    ]  # June still chased; July due within 30 days
    table = invoke("status", "--now", ONBOARDED)
    assert "Quá hạn lâu, không nhắc tự động" in table and "hang-thang" in table


def test_stale_after_days_is_a_policy_value_per_plan(mid_year, monkeypatch):
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    (mid_year / "policy.yaml").write_text("plans:\n  demo-2026: {stale_after_days: 45}\n", encoding="utf-8")
    invoke("sync", "--now", ONBOARDED)
    dry = json.loads(invoke("chase", "--dry-run", "--now", ONBOARDED, "--format", "json"))
    # May's last day (5/6/2026, 40 days ago) is within 45 days now: its latest overdue stage goes out, with copies
    assert sorted({r["period"] for r in dry["reminders"]}) == ["2026-05", "2026-06"]
    may = [r for r in dry["reminders"] if r["period"] == "2026-05"]
    assert {r["stage"] for r in may} == {"overdue-3@2026-06-05"} and all(r["escalate"] is True for r in may)
    assert [s["stage"] for s in dry["samples"]] == ["overdue-2", "overdue-3"]  # one mail per stage, in stage order
    assert all("phogiamdoc@sldtbxh.demo.example.org" in s["cc"] for s in dry["samples"])  # escalation's copies


def test_chase_from_leaves_earlier_deadlines_alone(mid_year, monkeypatch):
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    plan = mid_year / "plans" / "demo-2021.yaml"
    plan.write_text(
        MONTHLY.replace(
            "valid: {start: 2026-01-01, end: 2026-12-31}\n",
            "valid: {start: 2026-01-01, end: 2026-12-31}\nchase_from: 2026-07-07\n",
        ),
        encoding="utf-8",
    )
    synced = invoke("sync", "--now", ONBOARDED)
    dry = json.loads(invoke("chase", "--dry-run", "--now", ONBOARDED, "--format", "json"))
    assert dry["reminders"] == [] and "sẽ gửi 0 thư nhắc" in synced
    preview = json.loads(invoke("sync", "--now", ONBOARDED, "--format", "json"))["next_chase"]
    assert preview["unchased"] == 12
    assert {p["reason"] for p in preview["unchased_by_period"] if p["period"] == "2026-06"} == {"before-chase-from"}
    assert {p["reason"] for p in preview["unchased_by_period"] if p["period"] == "2026-01"} == {"before-chase-from"}
    # July's report (last day 5/8) is chased when its time comes
    later = json.loads(invoke("chase", "--dry-run", "--now", "2026-07-22T09:00", "--format", "json"))
    assert {r["period"] for r in later["reminders"]} == {"2026-07"}


@pytest.mark.parametrize(
    ("where", "text", "expected"),
    [
        (
            "policy.yaml",
            "default:\n  before: [10, 3]\n  stale_after_days: 0\n",
            "policy.yaml:3: 'stale_after_days': Input should be greater than or equal to 1",
        ),
        (
            "policy.yaml",
            "plans:\n  demo-2026:\n    stale_after_days: lâu\n",
            "policy.yaml:3: 'stale_after_days': Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "plans/demo-2021.yaml",
            MONTHLY.replace("obligations:\n", "chase_from: 2026-02-31\nobligations:\n"),
            "plans/demo-2021.yaml:8: YAML error",
        ),
        (
            "plans/demo-2021.yaml",
            MONTHLY.replace("obligations:\n", "chase_from: sắp tới\nobligations:\n"),
            "plans/demo-2021.yaml:8: 'chase_from': Input should be a valid date",
        ),
    ],
)
def test_bad_bounds_are_refused_at_their_line(mid_year, monkeypatch, where, text, expected):
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    (mid_year / where).write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["sync", "--now", ONBOARDED])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.replace(f"{mid_year}/", "").startswith(expected), result.stderr


def test_a_long_overdue_deadline_is_still_reminded_on_request(mid_year, monkeypatch, tmp_path):
    from dondoc.mail.sink import MaildirSink

    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    invoke("sync", "--now", ONBOARDED)
    engine = make_engine(f"sqlite:///{mid_year.parent / 'data' / 'dondoc.sqlite3'}")
    with Session(engine) as session:
        deadline_id = session.exec(
            select(DeadlineRow.id).where(DeadlineRow.period_key == "2026-01", DeadlineRow.agency_id == "demo.ubnd-a")
        ).one()
    engine.dispose()
    with MaildirSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(sink.port))
        sent = json.loads(
            invoke(
                "remind",
                "demo.ubnd-a",
                "--deadline",
                str(deadline_id),
                "--reason",
                "Báo cáo tháng 01/2026 vẫn thiếu",
                "--now",
                ONBOARDED,
                "--format",
                "json",
            )
        )
        assert (sent["summary"]["sent"], [r["period"] for r in sent["reminders"]]) == (1, ["2026-01"])
        assert sink.stats.delivered == {"vanthu@huyen-a.demo.example.org": 1}


def test_the_weekly_digest_lists_what_is_no_longer_chased(mid_year, monkeypatch, tmp_path):
    import email
    import email.policy

    from dondoc.mail.sink import MaildirSink

    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(mid_year))
    invoke("sync", "--now", ONBOARDED)
    with MaildirSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(sink.port))
        invoke("status", "--now", ONBOARDED, "--mail")
        [raw] = sink.messages("vanthu@sldtbxh.demo.example.org")
    digest = email.message_from_bytes(raw, policy=email.policy.default)
    text = digest.get_body(("plain",)).get_content()
    assert (
        "== Quá hạn lâu, không nhắc tự động" in text
        and "Báo cáo hằng tháng: 10 hạn báo cáo; kỳ tháng 1 năm "
        "2026 (2), tháng 2 năm 2026 (2), tháng 3 năm 2026 (2), tháng 4 năm 2026 (2), tháng 5 năm 2026 (2)"
        in text
    )
    assert "Quá hạn, chưa gửi: 2" in text  # June, still chased, is where it was
    html = digest.get_body(("html",)).get_content()
    assert "Quá hạn lâu, không nhắc tự động</h3>" in html and "<strong>10</strong> hạn báo cáo" in html

"""The coordinator's chase commands against a real SMTP server."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from tests.support.cli import synced

runner = CliRunner()
MORNING = "2021-05-05T09:00"  # 10 working days before the 6-month last day (19/5/2021)


@pytest.fixture
def env(tmp_path, monkeypatch):
    with synced(tmp_path, monkeypatch, "cli-test-secret") as sink:
        yield sink


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def test_dry_run_lists_without_sending_then_chase_sends_once(env):
    dry = json.loads(invoke("chase", "--dry-run", "--now", MORNING, "--format", "json").stdout)
    assert dry["summary"]["planned"] == 2 and dry["summary"]["queued"] == 0
    assert sum(env.stats.delivered.values()) == 0
    sent = json.loads(invoke("chase", "--now", MORNING, "--format", "json").stdout)
    assert (sent["summary"]["queued"], sent["summary"]["sent"]) == (2, 2)
    assert {r["agency"] for r in sent["reminders"]} == {"demo.so-y-te", "demo.ubnd-a"}
    again = json.loads(invoke("chase", "--now", MORNING, "--format", "json").stdout)
    assert again["summary"]["planned"] == 0
    assert env.stats.delivered == {"vanthu@syt.demo.example.org": 1, "vanthu@huyen-a.demo.example.org": 1}
    outbox = json.loads(invoke("outbox", "--format", "json").stdout)
    assert [(r["agency"], r["status"]) for r in outbox] == [("demo.ubnd-a", "sent"), ("demo.so-y-te", "sent")]


def test_pause_extend_excuse_and_remind(env):
    listed = json.loads(invoke("deadlines", "--period", "2021-H1", "--format", "json").stdout)
    ids = {r["agency"]: i + 1 for i, r in enumerate(listed)}
    assert invoke("pause", "demo.so-y-te", "--until", "06/05/2021", "--reason", "Đang kiện toàn tổ chức").exit_code == 0
    first = json.loads(invoke("chase", "--now", MORNING, "--format", "json").stdout)
    assert [r["agency"] for r in first["reminders"]] == ["demo.ubnd-a"]
    result = invoke("extend", str(ids["demo.ubnd-a"]), "--to", "31/05/2021", "--reason", "Thiên tai")
    assert result.exit_code == 0 and "31/05/2021" in result.stdout
    assert invoke("excuse", str(ids["demo.so-y-te"]), "--reason", "Sáp nhập").exit_code == 0
    manual = json.loads(
        invoke(
            "remind",
            "demo.ubnd-a",
            "--deadline",
            str(ids["demo.ubnd-a"]),
            "--reason",
            "Sắp họp giao ban",
            "--now",
            MORNING,
            "--format",
            "json",
        ).stdout
    )
    assert manual["summary"]["sent"] == 1 and manual["reminders"][0]["stage"].startswith("manual@")
    assert invoke("remind", "demo.ubnd-a", "--deadline", str(ids["demo.ubnd-a"])).exit_code == 2  # --reason required
    assert "Sắp họp giao ban" in invoke("history", str(ids["demo.ubnd-a"])).stdout
    raw = env.messages("vanthu@huyen-a.demo.example.org")[-1]
    text = email.message_from_bytes(raw, policy=email.policy.default).get_body(("plain",)).get_content()
    assert "Đã được gia hạn đến Thứ Hai, 31/05/2021. Lý do: Thiên tai" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["pause", "demo.khong-co", "--until", "01/01/2021", "--reason", "x"],
            "Lỗi / error: no agency 'demo.khong-co' (run `dondoc sync`, or check the id)",
        ),
        (
            ["extend", "999", "--to", "01/01/2022", "--reason", "x"],
            "Lỗi / error: no deadline 999 (see `dondoc deadlines`)",
        ),
        (
            ["extend", "1", "--to", "01/01/2021", "--reason", "x"],
            "Lỗi / error: 01/01/2021 is not after the last day 19/05/2021",
        ),
        (["excuse", "1", "--reason", "  "], "Lỗi / error: a reason is required"),
        (["remind", "demo.ubnd-a", "--deadline", "1", "--reason", " "], "Lỗi / error: a reason is required"),
    ],
)
def test_control_mistakes(env, args, message):
    result = invoke(*args)
    assert result.exit_code == 1
    assert result.stderr.strip() == message


def test_a_missing_secret_sends_nothing(env, monkeypatch):
    monkeypatch.delenv("DONDOC_HMAC_KEY")
    result = invoke("chase", "--now", MORNING)
    assert result.exit_code == 1
    assert result.stderr.startswith("Lỗi / error: DONDOC_HMAC_KEY is not set")
    assert sum(env.stats.delivered.values()) == 0


def test_a_template_error_names_the_template_and_sends_nothing(env, tmp_path, monkeypatch):
    import shutil

    from dondoc.resources import shipped

    templates = tmp_path / "templates"
    shutil.copytree(shipped("templates"), templates)
    body = templates / "mail" / "vi" / "reminder.txt.j2"
    body.write_text(body.read_text(encoding="utf-8") + "\n{{ khong_co_bien }}\n", encoding="utf-8")
    monkeypatch.setenv("DONDOC_TEMPLATES_DIR", str(templates))
    result = invoke("chase", "--now", MORNING)
    assert result.exit_code == 1
    line = len(body.read_text(encoding="utf-8").splitlines())
    assert (
        result.stderr.strip() == f"Lỗi / error: templates/mail/vi/reminder.txt.j2:{line}: 'khong_co_bien' is undefined"
    )
    assert sum(env.stats.delivered.values()) == 0


def test_the_coordinator_is_told_what_the_mail_server_refused_and_what_will_be_retried(env):
    from tests import figures

    figures.add(figures.FAULTS, 2)
    env.refuse["vanthu@syt.demo.example.org"] = "550 5.1.1 No such user"
    env.refuse["vanthu@huyen-a.demo.example.org"] = "451 4.2.1 Mailbox busy, try later"
    result = invoke("chase", "--now", MORNING)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        "Máy chủ thư chưa nhận 1 thư, sẽ gửi lại ở lần chạy sau / the mail server did not take 1 message(s), "
        "they will be sent again on a later run: 451 4.2.1 Mailbox busy, try later" in lines
    )
    assert (
        "Máy chủ thư từ chối 1 thư / the mail server refused 1 message(s) for good: 550 5.1.1 No such user — "
        "xem / see `dondoc outbox --status failed`" in lines
    )
    env.refuse.clear()
    later = json.loads(invoke("chase", "--now", "2021-05-05T09:30", "--format", "json").stdout)
    assert (later["summary"]["sent"], later["problems"]) == (1, [])
    assert env.stats.delivered == {"vanthu@huyen-a.demo.example.org": 1}

"""The audit log: every action of a coordinator (console, CLI) or of a schedule writes one event, in the same
transaction as the change, and the deadline's history and the log show who did what, when and why."""

from __future__ import annotations

import datetime as dt
import getpass
import mailbox
import re
import threading
from itertools import pairwise

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from dondoc.cli import app as cli
from dondoc.db.tables import DeadlineRow
from dondoc.errors import NotFound, UsageError
from dondoc.operations import chasing, deadlines, listings, opened, replies, views
from tests.integration.test_console_views import DOCX, REPLY_DAY, season
from tests.integration.test_operations import MORNING, settings, sink  # noqa: F401  (sink is a fixture)
from tests.replies_helpers import reply_to
from tests.support.config import write_config

COORDINATOR = "web:le.thi.binh"


def replies_of_ubnd_a(app, sink, tmp_path) -> None:
    """Two strangers answer UBND huyện A's reminder (quarantined), and UBND huyện A asks for more time."""
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    inbox = mailbox.Maildir(tmp_path / "data" / "inbox", create=True)
    for body in ("Báo cáo của huyện A (gửi hộ)", "Quảng cáo"):
        inbox.add(reply_to(reminder, sender="someone@elsewhere.example.com", body=body, extra=[DOCX], when=REPLY_DAY))
    inbox.add(
        reply_to(
            reminder,
            sender="vanthu@huyen-a.demo.example.org",
            when=REPLY_DAY,
            body="Do ảnh hưởng của mưa lũ, UBND huyện xin gia hạn nộp báo cáo đến ngày 30/5.",
        )
    )
    assert replies.ingest(app, now=REPLY_DAY + dt.timedelta(hours=1)).classes == {"quarantine": 2, "request": 1}


def test_each_action_is_on_the_deadline_timeline_with_who_and_why(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        replies_of_ubnd_a(app, sink, tmp_path)
        ubnd = ids["demo.ubnd-a"]
        later = REPLY_DAY + dt.timedelta(hours=2)
        [request] = [r for r, _ in listings.requests(app)]
        replies.grant(app, request.id, to=dt.date(2021, 5, 31), reason="Mưa lũ", actor=COORDINATOR, now=later)
        deadlines.pause(
            app,
            "demo.ubnd-a",
            until=dt.date(2021, 5, 12),
            reason="Kiện toàn bộ máy",
            actor=COORDINATOR,
            now=later + dt.timedelta(minutes=1),
        )
        first, second = sorted(m["id"] for m in listings.inbound(app, status="quarantine"))
        replies.reject(
            app, second, reason="Không phải báo cáo", actor="cli:tran.van.cuong", now=later + dt.timedelta(minutes=2)
        )
        submission = replies.assign(app, first, ubnd, actor=COORDINATOR, now=later + dt.timedelta(minutes=3))
        assert submission.deadline_id == ubnd
        replies.return_submission(
            app, submission.id, reason="Thiếu số liệu", actor=COORDINATOR, now=later + dt.timedelta(minutes=4)
        )
        sent = chasing.remind(
            app, "demo.ubnd-a", ubnd, reason="Sắp họp giao ban", actor=COORDINATOR, now=later + dt.timedelta(days=3)
        )
        assert [p.agency for p in sent.planned] == ["demo.ubnd-a"]  # (the outbox went out with it)

        history = views.deadline_history(app, ubnd, now=later + dt.timedelta(days=3))
        actions = [(e.action, e.actor, e.reason) for e in history.events if e.kind == "action"]
        assert actions == [
            ("grant", COORDINATOR, "Mưa lũ"),
            ("pause", COORDINATOR, "Kiện toàn bộ máy"),
            ("assign", COORDINATOR, None),
            ("return", COORDINATOR, "Thiếu số liệu"),
            ("remind", COORDINATOR, "Sắp họp giao ban"),
        ]
        grant = next(e for e in history.events if e.kind == "action" and e.action == "grant")
        assert grant.details["to"] == "2021-05-31" and grant.details["last_day"] == "2021-05-19"
        assert grant.action_label == "Chấp nhận gia hạn" and grant.message_id == request.inbound_id
        assert grant.details == {"request": request.id, "to": "2021-05-31", "last_day": "2021-05-19"}
        returned = next(e for e in history.events if e.kind == "action" and e.action == "return")
        assert (returned.deadline_id, returned.agency_id, returned.message_id) == (ubnd, "demo.ubnd-a", first)
        assert returned.details == {"submission": submission.id, "version": submission.version}
        # the action, then the reminder it queued, at the same moment
        remind = next(e for e in history.events if e.kind == "action" and e.action == "remind")
        [manual] = [e for e in history.events if e.kind == "reminder" and e.reminder.stage == remind.details["stage"]]
        assert manual.at == remind.at and history.events.index(manual) > history.events.index(remind)
        assert all(a.at <= b.at for a, b in pairwise(history.events))

        log = views.audit_log(app)
        assert [e.action for e in log] == ["remind", "return", "assign", "reject", "pause", "grant"]
        assert (log[3].actor, log[3].message_id, log[3].deadline_id) == ("cli:tran.van.cuong", second, None)
        assert [e.action for e in views.audit_log(app, actor="cli:tran.van.cuong")] == ["reject"]


def test_a_refused_action_writes_no_event_and_changes_nothing(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        done = ids["demo.so-y-te"]  # submitted on time
        with pytest.raises(UsageError, match="not open"):
            deadlines.excuse(app, done, reason="nhầm", actor=COORDINATOR)
        with pytest.raises(NotFound):
            deadlines.extend(app, 999_999, to=dt.date(2021, 6, 1), reason="x", actor=COORDINATOR)
        with pytest.raises(NotFound):
            chasing.remind(app, "demo.ubnd-a", done, reason="x", actor=COORDINATOR)  # not UBND huyện A's deadline
        with pytest.raises(UsageError, match="a reason is required"):
            chasing.remind(app, "demo.ubnd-a", ids["demo.ubnd-a"], reason=" ", actor=COORDINATOR)
        with pytest.raises(UsageError, match="who acts is required"):
            deadlines.excuse(app, ids["demo.ubnd-a"], reason="Sáp nhập", actor=" ")
        with pytest.raises(UsageError, match="a reason is required"):
            deadlines.excuse(app, ids["demo.ubnd-a"], reason=" ", actor=COORDINATOR)
        assert views.audit_log(app) == ()
        assert views.deadline_history(app, ids["demo.ubnd-a"], now=REPLY_DAY).status == "open"


def test_the_event_is_written_in_the_transaction_of_the_change(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        transactions: list[list[str]] = [[]]

        def statement(conn, cursor, text, parameters, context, executemany):
            transactions[-1].append(text.split("(")[0].split(" SET")[0].strip())

        def committed(conn):
            transactions.append([])

        event.listen(app.engine, "before_cursor_execute", statement)
        event.listen(app.engine, "commit", committed)
        try:
            deadlines.excuse(app, ids["demo.ubnd-a"], reason="Sáp nhập", actor=COORDINATOR)
        finally:
            event.remove(app.engine, "before_cursor_execute", statement)
            event.remove(app.engine, "commit", committed)
        writes = [[s for s in t if s.split()[0] in ("INSERT", "UPDATE")] for t in transactions]
        assert [w for w in writes if w] == [["INSERT INTO audit_event", "UPDATE deadline"]]


def test_the_cli_acts_as_the_login_and_prints_the_timeline_in_hanoi_time(tmp_path, monkeypatch):
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(write_config(tmp_path / "config")))
    runner = CliRunner()
    assert runner.invoke(cli, ["sync", "--now", "2021-03-01"]).exit_code == 0
    found = runner.invoke(cli, ["deadlines", "--agency", "demo.ubnd-a", "--period", "2021-H1", "--format", "json"])
    deadline = re.search(r'"id": (\d+)', found.stdout).group(1)
    moved = runner.invoke(cli, ["extend", deadline, "--to", "31/05/2021", "--reason", "Thiên tai <b>lớn</b>"])
    assert moved.exit_code == 0, moved.output
    shown = runner.invoke(cli, ["history", deadline, "--now", "2021-05-10"])
    assert shown.exit_code == 0 and "Traceback" not in shown.output
    assert f"Gia hạn — cli:{getpass.getuser()}" in shown.stdout
    assert "lý do: Thiên tai <b>lớn</b>" in shown.stdout and "to: 2021-05-31" in shown.stdout
    assert "Hạn cuối: 19/05/2021, gia hạn đến 31/05/2021" in shown.stdout
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", shown.stdout)
    missing = runner.invoke(cli, ["history", "999999"])
    assert missing.exit_code == 1 and "no deadline 999999" in missing.output and "Traceback" not in missing.output


@pytest.mark.postgres
def test_the_views_and_the_log_on_postgresql(tmp_path, sink, pg_url):
    with opened(settings(tmp_path, sink, database_url=pg_url)) as app:
        ids = season(app, sink, tmp_path)
        deadlines.excuse(app, ids["demo.ubnd-a"], reason="Sáp nhập", actor=COORDINATOR, now=REPLY_DAY)
        [plan] = views.overview(app, now=REPLY_DAY).plans
        counts = next(o for o in plan.obligations if o.obligation_id == "dinh-ky").periods[0].counts
        assert (counts.required, counts.submitted, counts.excused, counts.reporting_rate) == (1, 1, 1, 100.0)
        page = views.period(app, "demo-2021", "dinh-ky", "2021-H1", now=REPLY_DAY)
        assert {a.agency_id: a.state for a in page.agencies} == {"demo.so-y-te": "on-time", "demo.ubnd-a": "excused"}
        history = views.deadline_history(app, ids["demo.ubnd-a"], now=REPLY_DAY)
        assert [(e.kind, getattr(e, "action", None)) for e in history.events] == [
            ("reminder", None),
            ("action", "excuse"),
        ]
        assert history.events[1].at == REPLY_DAY


@pytest.mark.postgres
def test_two_coordinators_acting_on_one_deadline_at_once_the_second_is_told(tmp_path, sink, pg_url):
    with opened(settings(tmp_path, sink, database_url=pg_url)) as app:
        deadlines.sync(app, now=dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC), preview=False)
        [target] = [
            d.deadline.id for d in listings.deadlines(app, period="2021-H1", obligation="dinh-ky", agency="demo.ubnd-a")
        ]
        outcome: dict[str, object] = {}

        def second() -> None:
            try:
                outcome["row"] = deadlines.excuse(app, target, reason="Sáp nhập", actor="web:second")
            except UsageError as error:
                outcome["error"] = str(error)

        with app.session() as first:  # the first coordinator's excuse, holding the row until it commits
            row = first.get(DeadlineRow, target, with_for_update=True)
            thread = threading.Thread(target=second)
            thread.start()
            while True:  # until the second waits for the row (no timing: PostgreSQL says so, asked afresh each time)
                with app.engine.connect() as probe:
                    waiting = probe.exec_driver_sql(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    ).scalar()
                if waiting or not thread.is_alive():
                    break
            row.status, row.status_reason = "excused", "Giải thể"
            first.commit()
        thread.join()
        assert waiting == 1 and outcome == {"error": f"deadline {target} is excused, not open"}
        assert views.audit_log(app) == ()  # the refused second action wrote nothing
        assert views.deadline_history(app, target).status_reason == "Giải thể"

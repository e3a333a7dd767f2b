"""The operations layer as the CLI, the flows and the console use it: an App, a few arguments, a typed result."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.chase import ChaseFilter
from dondoc.errors import NotFound, UsageError
from dondoc.mail.sink import MaildirSink
from dondoc.operations import chasing, deadlines, listings, opened, replies, reports, status, views
from dondoc.settings import Settings
from tests.support.config import write_config

MORNING = dt.datetime(2021, 5, 5, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội, 10 working days before 19/5/2021
ACTOR = "test:coordinator"  # who acts, for the audit log


@pytest.fixture
def sink(tmp_path):
    with MaildirSink(tmp_path / "mail") as sink:
        yield sink


def settings(tmp_path, sink, config=None, **more) -> Settings:
    """The settings of a test's installation in ``tmp_path`` (``more``: other settings, e.g. ``database_url``)."""
    return Settings(
        data_dir=tmp_path / "data",
        config_dir=config or write_config(tmp_path / "config"),
        smtp_port=sink.port,
        hmac_key="operations-test-secret",
        **more,
    )


def test_sync_chase_and_the_deadline_actions(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        first = deadlines.sync(app, now=dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC))
        assert first.report.changed and first.report.created["deadlines"] > 0
        assert first.next_chase is not None
        assert not deadlines.sync(app, now=dt.datetime(2021, 3, 1, 2, tzinfo=dt.UTC), preview=False).report.changed

        only = ChaseFilter(period="2021-H1", obligation="dinh-ky")
        dry = chasing.chase(app, now=MORNING, only=only, dry_run=True)
        assert (len(dry.planned), dry.queued, dry.sent) == (2, 0, 0)
        assert sum(sink.stats.delivered.values()) == 0
        sent = chasing.chase(app, now=MORNING, only=only)
        assert (sent.queued, sent.sent) == (2, 2)
        assert chasing.chase(app, now=MORNING, only=only).planned == []

        listed = {
            d.deadline.agency_id: d.deadline.id for d in listings.deadlines(app, period="2021-H1", obligation="dinh-ky")
        }
        with pytest.raises(NotFound):
            deadlines.extend(app, 999_999, to=dt.date(2021, 5, 31), reason="Thiên tai", actor=ACTOR)
        with pytest.raises(UsageError):
            deadlines.extend(app, listed["demo.ubnd-a"], to=dt.date(2021, 1, 1), reason="trước hạn", actor=ACTOR)
        moved = deadlines.extend(app, listed["demo.ubnd-a"], to=dt.date(2021, 5, 31), reason="Thiên tai", actor=ACTOR)
        assert (moved.extended_to, moved.extension_reason) == (dt.date(2021, 5, 31), "Thiên tai")
        excused = deadlines.excuse(app, listed["demo.so-y-te"], reason="Sáp nhập", actor=ACTOR)
        assert excused.status == "excused"
        with pytest.raises(UsageError):  # excused: no longer open
            deadlines.extend(app, listed["demo.so-y-te"], to=dt.date(2021, 6, 30), reason="x", actor=ACTOR)
        with pytest.raises(NotFound):
            deadlines.pause(app, "demo.khong-co", until=dt.date(2021, 6, 1), reason="x", actor=ACTOR)
        assert deadlines.pause(
            app, "demo.ubnd-a", until=dt.date(2021, 5, 6), reason="Kiện toàn", actor=ACTOR
        ).until == dt.date(2021, 5, 6)

        manual = chasing.remind(
            app,
            "demo.ubnd-a",
            listed["demo.ubnd-a"],
            reason="Sắp hết hạn",
            actor=ACTOR,
            now=MORNING + dt.timedelta(hours=1),
        )
        assert [p.agency for p in manual.planned] == ["demo.ubnd-a"] and manual.sent == 1
        assert sink.stats.delivered == {"vanthu@syt.demo.example.org": 1, "vanthu@huyen-a.demo.example.org": 2}
        assert [(o.stage.startswith("manual@"), a.id) for o, a in listings.outbox(app)][0] == (True, "demo.ubnd-a")

        seen = status.status(app, now=MORNING, ahead=30)
        assert seen.today == dt.date(2021, 5, 5)
        [period] = [p for p in seen.overview.periods if (p.obligation_id, p.period_key) == ("dinh-ky", "2021-H1")]
        assert (len(period.excused), len(period.not_due)) == (1, 1)


def test_the_quarantine_and_request_actions_name_what_is_missing(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        deadlines.sync(app, now=dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC), preview=False)
        with pytest.raises(NotFound, match="no quarantined message 7"):
            replies.assign(app, 7, 1, actor=ACTOR, now=MORNING)
        with pytest.raises(NotFound, match="no quarantined message 7"):
            replies.reject(app, 7, reason="không phải báo cáo", actor=ACTOR)
        with pytest.raises(NotFound, match="no submission 3"):
            replies.return_submission(app, 3, reason="thiếu biểu mẫu", actor=ACTOR, now=MORNING)
        with pytest.raises(NotFound, match="no open request 5"):
            replies.grant(app, 5, to=dt.date(2021, 6, 1), reason="Đồng ý", actor=ACTOR)
        with pytest.raises(NotFound, match="no inbound message 9"):
            listings.inbound_message(app, 9)
        with pytest.raises(NotFound, match="no plan 'khong-co'"):
            listings.deadlines(app, plan="khong-co")
        assert replies.held_reports(app) == [] and listings.submissions(app) == [] and listings.requests(app) == []


def test_a_report_built_approved_by_the_paused_run_and_sent_up_once(tmp_path, sink):
    at = dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    with opened(Settings(data_dir=tmp_path / "data", smtp_port=sink.port, hmac_key="operations-test")) as app:
        deadlines.sync(app, now=at, preview=False)
        built = reports.build(app, "bp-2021", obligation="tong-hop", period="2021-H1", now=at)
        assert built.row.status == "draft" and set(built.files) >= {"docx", "xlsx"}
        assert all(path.is_file() for path in built.files.values())
        with pytest.raises(UsageError, match="approve it first"):
            reports.send(app, built.row.id, actor=ACTOR, now=at)
        # the paused run's answer approves a draft, then sends it up; the mail reaches the SMTP server once
        done = reports.send(app, built.row.id, actor=ACTOR, now=at, approve_by="pho-giam-doc")
        assert done.row.status == "sent" and done.mails.sent == 1 and done.mails.failed == 0
        assert len(sink.stats.delivered) >= 2 and set(sink.stats.delivered.values()) == {1}  # ministry, UBND tỉnh
        ministry = app.catalog().directory.agencies["vn.bo-ldtbxh"].contacts[0].address
        assert sink.stats.delivered[ministry] == 1
        # a reject that comes after (another coordinator, a late answer) leaves the sent report as it is
        assert reports.reject(app, built.row.id, comment="muộn", actor=ACTOR, only_draft=True).status == "sent"
        with pytest.raises(UsageError, match="not a draft"):
            reports.reject(app, built.row.id, comment="muộn", actor=ACTOR)
        with pytest.raises(NotFound):
            reports.send(app, 999, actor=ACTOR, now=at, approve_by="pho-giam-doc")
        # each action is in the audit log once, with who acted (the approver is named apart); the refused
        # reject and the late one that left the sent report as it was wrote nothing
        log = views.audit_log(app, report_id=built.row.id)
        assert [(e.action, e.actor, e.details.get("by")) for e in log] == [
            ("send-report", ACTOR, None),
            ("approve-report", ACTOR, "pho-giam-doc"),
        ]
        assert log[0].deadline_id is not None and log[0].agency_id == "bp.so-ldtbxh"
        [listed] = reports.listing(app)
        assert (listed.row.id, listed.row.approved_by, listed.files) == (built.row.id, "Trần Thị Bình", built.files)

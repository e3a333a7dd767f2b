"""The console's read models (dondoc.operations.views) on a season driven through the operations, as the console
does: sync, chase to a real SMTP sink, a reply taken in from the Maildir, actions with their audit events."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import mailbox
from itertools import pairwise

import pytest

from dondoc.errors import NotFound
from dondoc.operations import chasing, deadlines, listings, opened, replies, views
from tests.integration.test_operations import MORNING, settings, sink  # noqa: F401  (sink is a fixture)
from tests.integration.test_trust import relay_bounce
from tests.replies_helpers import reply_to

DOCX = (
    "bao-cao-6-thang.docx",
    b"PK\x03\x04 fake docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)
REPLY_DAY = dt.datetime(2021, 5, 10, 3, tzinfo=dt.UTC)  # 10:00 in Hà Nội, before the last day 19/5


def season(app, sink, tmp_path) -> dict[str, int]:
    """Deadlines synced, the 2021-H1 reminders sent, Sở Y tế's reply with a .docx taken in on 10/5."""
    deadlines.sync(app, now=dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC), preview=False)
    from dondoc.chase import ChaseFilter

    chasing.chase(app, now=MORNING, only=ChaseFilter(period="2021-H1", obligation="dinh-ky"))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    reply = reply_to(
        reminder,
        sender="vanthu@syt.demo.example.org",
        body="Kính gửi Sở, xin gửi báo cáo 6 tháng.",
        form_values={},
        extra=[DOCX],
        when=REPLY_DAY,
    )
    mailbox.Maildir(tmp_path / "data" / "inbox", create=True).add(reply)
    assert replies.ingest(app, now=REPLY_DAY).classes == {"submission": 1}
    return {
        d.deadline.agency_id: d.deadline.id for d in listings.deadlines(app, period="2021-H1", obligation="dinh-ky")
    }


def test_the_overview_counts_a_period_and_its_rates_out_of_the_agencies_required(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        seen = views.overview(app, now=REPLY_DAY)
        assert seen.today == dt.date(2021, 5, 10) and (seen.quarantined, seen.held) == (0, 0)
        [plan] = seen.plans
        assert plan.plan_id == "demo-2021"
        by_id = {o.obligation_id: o for o in plan.obligations}
        # the year's report began on 1/1 too, but its last day comes after the half-year's: H1 is current
        [h1] = by_id["dinh-ky"].periods
        assert (h1.period_key, h1.current, h1.last_day) == ("2021-H1", True, dt.date(2021, 5, 19))
        counts = h1.counts
        assert (
            counts.required,
            counts.submitted,
            counts.on_time,
            counts.late,
            counts.missing,
            counts.not_due,
            counts.overdue,
            counts.excused,
            counts.held,
        ) == (2, 1, 1, 0, 1, 1, 0, 0, 0)
        assert (counts.reporting_rate, counts.on_time_rate, counts.denominator) == (50.0, 50.0, 2)
        [next_day, *_] = by_id["dinh-ky"].next_last_days
        assert (next_day.day, next_day.period_key, next_day.open) == (dt.date(2021, 5, 19), "2021-H1", 1)

        deadlines.excuse(app, ids["demo.ubnd-a"], reason="Sáp nhập", actor="test:coordinator")
        excused = (
            next(o for o in views.overview(app, now=REPLY_DAY).plans[0].obligations if o.obligation_id == "dinh-ky")
            .periods[0]
            .counts
        )
        # the excused agency leaves the denominator: 1 of 1 required
        assert (excused.required, excused.excused, excused.reporting_rate, excused.denominator) == (1, 1, 100.0, 1)

        # on 1/12 the year's report is overdue for both (Sở Y tế sent only the first half's): both are shown
        later = next(
            o
            for o in views.overview(app, now=dt.datetime(2021, 12, 1, 3, tzinfo=dt.UTC)).plans[0].obligations
            if o.obligation_id == "dinh-ky"
        )
        assert [(p.period_key, p.current) for p in later.periods] == [("2021-H1", False), ("2021", True)]
        assert (later.periods[1].counts.overdue, later.periods[1].counts.reporting_rate) == (2, 0.0)
        only_one = views.overview(app, now=dt.datetime(2021, 12, 1, 3, tzinfo=dt.UTC), periods=1)
        assert [
            p.period_key for o in only_one.plans[0].obligations if o.obligation_id == "dinh-ky" for p in o.periods
        ] == ["2021"]


def test_a_period_shows_each_agency_with_its_reminders_and_submission(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        deadlines.extend(app, ids["demo.ubnd-a"], to=dt.date(2021, 5, 31), reason="Thiên tai", actor="test:coordinator")
        deadlines.pause(app, "demo.ubnd-a", until=dt.date(2021, 5, 20), reason="Kiện toàn", actor="test:coordinator")
        page = views.period(app, "demo-2021", "dinh-ky", "2021-H1", now=REPLY_DAY)
        assert (page.period_label, page.obligation_title) == ("6 tháng đầu năm 2021", "Báo cáo định kỳ")
        assert (page.counts.required, page.counts.submitted, page.counts.reporting_rate) == (2, 1, 50.0)
        rows = {a.agency_id: a for a in page.agencies}
        so = rows["demo.so-y-te"]
        assert (so.state, so.state_label, so.version, so.versions) == ("on-time", "Đúng hạn", 1, 1)
        assert so.submitted_at is not None and so.paused_until is None and so.held == ()
        [reminder] = so.reminders
        assert reminder.stage.startswith("before-10@") and reminder.result == "sent"
        assert (reminder.result_label, reminder.bounced) == ("Đã gửi", ())
        assert reminder.stage_label == "Nhắc trước hạn 10 ngày làm việc"
        ubnd = rows["demo.ubnd-a"]
        assert (ubnd.state, ubnd.state_label, ubnd.submitted_at, ubnd.version) == (
            "not-due",
            "Chưa đến hạn",
            None,
            None,
        )
        assert (ubnd.extended_to, ubnd.extension_reason, ubnd.effective_last_day, ubnd.paused_until) == (
            dt.date(2021, 5, 31),
            "Thiên tai",
            dt.date(2021, 5, 31),
            dt.date(2021, 5, 20),
        )
        [first] = ubnd.reminders
        assert (first.result, first.bounced) == ("sent", ())
        # a bounce of UBND huyện A's reminder comes back: the reminder shows it, with the address it did not reach
        [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
        mailbox.Maildir(tmp_path / "data" / "inbox").add(relay_bounce(reminder, "vanthu@huyen-a.demo.example.org"))
        assert replies.ingest(app, now=REPLY_DAY + dt.timedelta(hours=1)).classes == {"bounce": 1}
        [bounced] = next(
            a
            for a in views.period(app, "demo-2021", "dinh-ky", "2021-H1", now=REPLY_DAY).agencies
            if a.agency_id == "demo.ubnd-a"
        ).reminders
        assert (bounced.result, bounced.result_label, bounced.bounced) == (
            "bounced",
            "Bị trả lại",
            ("vanthu@huyen-a.demo.example.org",),
        )
        with pytest.raises(NotFound, match="no period '2030-H1'"):
            views.period(app, "demo-2021", "dinh-ky", "2030-H1", now=REPLY_DAY)
        with pytest.raises(NotFound, match="no obligation 'khong-co'"):
            views.period(app, "demo-2021", "khong-co", "2021-H1", now=REPLY_DAY)


def test_a_deadline_history_puts_reminder_reply_version_receipt_and_actions_on_one_timeline(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        history = views.deadline_history(app, ids["demo.so-y-te"], now=REPLY_DAY)
        assert (history.agency_id, history.state, history.period_key) == ("demo.so-y-te", "on-time", "2021-H1")
        assert [e.kind for e in history.events] == ["reminder", "reply", "submission", "receipt"]
        reminder, reply, version, receipt = history.events
        assert reminder.reminder.outbox_id in {o.id for o, _ in listings.outbox(app)}
        assert (reply.sender, reply.status, reply.status_label, reply.match_method) == (
            "vanthu@syt.demo.example.org",
            "submission",
            "Báo cáo",
            "token",
        )
        assert reply.subject.startswith("Re: ") and reply.date == REPLY_DAY
        assert (version.version, version.on_time, version.status) == (1, True, "accepted")
        [attachment] = [a for a in version.attachments if a.filename == DOCX[0]]
        assert (attachment.content_type, attachment.size, attachment.stored) == (DOCX[2], len(DOCX[1]), True)
        assert (receipt.mail_kind, receipt.mail_label, receipt.stage) == ("receipt", "Thư xác nhận", "receipt-v1")
        assert all(a.at <= b.at for a, b in pairwise(history.events))

        returned = replies.return_submission(
            app,
            version.submission_id,
            reason="Thiếu biểu mẫu",
            now=REPLY_DAY + dt.timedelta(hours=1),
            actor="web:nguyen.van.an",
        )
        assert returned.status == "returned"
        again = views.deadline_history(app, ids["demo.so-y-te"], now=REPLY_DAY + dt.timedelta(hours=2))
        assert [e.kind for e in again.events][-2:] == ["action", "receipt"]  # the action, then its notice
        action = again.events[-2]
        assert (action.actor, action.action, action.action_label, action.reason) == (
            "web:nguyen.van.an",
            "return",
            "Trả lại báo cáo",
            "Thiếu biểu mẫu",
        )
        assert again.events[-1].mail_kind == "notice"
        assert again.state == "not-due" and again.events[2].status == "returned"
        with pytest.raises(NotFound, match="no deadline 999999"):
            views.deadline_history(app, 999_999)


def test_the_mails_and_files_a_page_opens(tmp_path, sink):
    with opened(settings(tmp_path, sink)) as app:
        ids = season(app, sink, tmp_path)
        reminder, reply, version, receipt = views.deadline_history(app, ids["demo.so-y-te"], now=REPLY_DAY).events
        mail = views.sent_mail(app, reminder.reminder.outbox_id)
        assert (mail.kind, mail.deadline_id, mail.status, mail.status_label) == (
            "reminder",
            ids["demo.so-y-te"],
            "sent",
            "Đã gửi",
        )
        delivered = email.message_from_bytes(
            sink.messages("vanthu@syt.demo.example.org")[0], policy=email.policy.default
        )
        ours = email.message_from_bytes(mail.raw, policy=email.policy.default)
        assert ours["Message-ID"] == delivered["Message-ID"] and str(ours["Subject"]) == mail.subject
        assert mail.text == delivered.get_body(("plain",)).get_content() and "19/05/2021" in mail.text
        received = views.received_mail(app, reply.inbound_id)
        assert (received.sender, received.status, received.unreadable) == (
            "vanthu@syt.demo.example.org",
            "submission",
            None,
        )
        assert "xin gửi báo cáo 6 tháng" in received.text and DOCX[0] in received.attachments
        [attachment] = [a for a in version.attachments if a.filename == DOCX[0]]
        stored = views.attachment_file(app, attachment.attachment_id)
        assert stored.path.read_bytes() == DOCX[1] and stored.safe_content_type == DOCX[2]
        assert stored.path.is_relative_to((tmp_path / "data").resolve())
        html = views.StoredFile(1, 1, "x.html", "text/html", 1, stored.path)
        assert html.safe_content_type == "application/octet-stream"  # never served as a page
        for missing, call in (
            ("no mail 999", lambda: views.sent_mail(app, 999)),
            ("no inbound message 999", lambda: views.received_mail(app, 999)),
            ("no stored attachment 999", lambda: views.attachment_file(app, 999)),
        ):
            with pytest.raises(NotFound, match=missing):
                call()
        stored.path.write_bytes(b"changed")
        with pytest.raises(NotFound, match="changed size"):
            views.attachment_file(app, attachment.attachment_id)
        with pytest.raises(NotFound, match="outside the data dir"):
            views._inside(tmp_path / "data", "../../etc/passwd")

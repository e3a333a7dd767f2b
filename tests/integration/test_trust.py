"""Replies you can trust, end to end: reminders over SMTP (aiosmtpd), intake, outbox.

- every automatic-reply form (Vietnamese and English) makes 0 submissions, 0 receipts, 0 mails;
- a forged ``From:`` without a token is held: nothing counts (the deadline stays open, reminders go on, the
  status shows it) until the agency's registered address replies to the one confirmation mail, or the
  coordinator confirms it;
- a trusted ``Authentication-Results`` dmarc pass is accepted; forged ones (another authserv-id, below the
  office's boundary, several) are not;
- a bounce flags an address only when it returns a message dondoc sent to that address.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from sqlmodel import Session, select

from dondoc.db.tables import ContactRow, DeadlineRow, DeadlineStatus, InboundRow, OutboxRow, SubmissionRow
from dondoc.held import confirm_held, list_held, reject_held
from dondoc.intake import run_ingest
from dondoc.mail.sources import MemorySource
from dondoc.status import overview
from tests import figures
from tests.integration.test_chase import SETUP, morning
from tests.integration.test_replies import DOCX, chase, pg_engine  # noqa: F401 — a fixture
from tests.mail_corpus import automatic_forms
from tests.replies_helpers import reply_to

SYT = "vanthu@syt.demo.example.org"
HEAD = "giamdoc@syt.demo.example.org"
HUYEN = "vanthu@huyen-a.demo.example.org"
OFFICE = "mx.sldtbxh.example.org"
TRUSTING = dataclasses.replace(SETUP, trusted_authserv_id=OFFICE)


def ingest(engine, catalog, transport, data, raws, day, setup=SETUP, hour=10):
    with Session(engine) as session:
        return run_ingest(
            session=session,
            catalog=catalog,
            setup=setup,
            source=MemorySource(raws),
            transport=transport,
            data_dir=data,
            now=morning(day, hour),
        )


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def deadline_of(engine, agency: str) -> DeadlineRow:
    with Session(engine) as session:
        return session.exec(
            select(DeadlineRow).where(
                DeadlineRow.agency_id == agency,
                DeadlineRow.obligation_id == "dinh-ky",
                DeadlineRow.period_key == "2021-H1",
            )
        ).one()


def claimed(
    sender: str,
    subject: str,
    *,
    to: str = "baocao@sldtbxh.example.org",
    trace: list[tuple[str, str]] = (),
    when=None,
    body: str = "Kính gửi Sở, xin gửi báo cáo 6 tháng.",
) -> bytes:
    """A report that only *claims* to be from ``sender``: no token, sent to the plain address, trace headers on top."""
    message = EmailMessage()
    for name, value in trace:
        message[name] = value
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="forged.example.net")
    message["Date"] = format_datetime(when or morning(dt.date(2021, 5, 10), 9))
    message.set_content(body)
    name, content, mime = DOCX
    message.add_attachment(content, maintype="application", subtype=mime.partition("/")[2], filename=name)
    return message.as_bytes()


def outbox(engine, kind: str) -> list[OutboxRow]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxRow).where(OutboxRow.kind == kind).order_by(OutboxRow.id)))


# --- 2. automatic mail ---------------------------------------------------------------------------------------------


def test_each_auto_reply_form_makes_no_submission_no_receipt_and_no_mail(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(SYT)
    original = parsed(reminder)
    forms = automatic_forms(
        sender=SYT,
        to=str(original["Reply-To"]),
        subject=str(original["Subject"]),
        in_reply_to=str(original["Message-ID"]),
    )
    figures.add(figures.HOSTILE, len(forms))
    report = ingest(engine, catalog, transport, data, [raw for _, raw in forms], dt.date(2021, 5, 10))
    assert report.classes == {"auto-reply": len(forms)} and report.receipts == 0
    with Session(engine) as session:
        assert session.exec(select(SubmissionRow)).all() == []
        assert {r.status for r in session.exec(select(InboundRow))} == {"auto-reply"}
        assert session.exec(select(OutboxRow).where(OutboxRow.kind != "reminder")).all() == []
    assert deadline_of(engine, "demo.so-y-te").status == DeadlineStatus.OPEN
    assert sink.messages(SYT) == [reminder]  # never answered


# --- 3. who a report is from --------------------------------------------------------------------------------------


def test_a_forged_from_without_token_is_held_and_counts_for_nothing_until_the_agency_confirms(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    deadline = deadline_of(engine, "demo.ubnd-a")
    forged = claimed(HUYEN, f"Re: [DD-{deadline.id}] Báo cáo 6 tháng")  # the tag, the registered From: no proof
    report = ingest(engine, catalog, transport, data, [forged], dt.date(2021, 5, 10))
    assert report.classes == {"held": 1} and report.receipts == 0
    with Session(engine) as session:
        held = session.exec(select(InboundRow)).one()
        assert (held.status, held.deadline_id, held.match_method) == ("held", deadline.id, "tag")
        assert held.reason.startswith("chờ xác nhận / held for confirmation") and HUYEN in held.reason
        assert session.exec(select(SubmissionRow)).all() == []
        state = overview(session, catalog, dt.date(2021, 5, 10))
    assert deadline_of(engine, "demo.ubnd-a").status == DeadlineStatus.OPEN
    assert [h["id"] for h in state.held] == [held.id]
    period = next(p for p in state.periods if p.obligation_id == "dinh-ky")
    assert "UBND huyện A" not in period.on_time + period.late  # not counted as submitted
    # one short mail to the registered address (from config), asking to confirm by replying; no receipt
    [ask] = outbox(engine, "confirm")
    assert ask.recipients == [HUYEN] and outbox(engine, "receipt") == []
    confirmation = sink.messages(HUYEN)[-1]
    assert "Đề nghị xác nhận" in str(parsed(confirmation)["Subject"])
    assert "baocao+xn" in str(parsed(confirmation)["Reply-To"])
    # reminders go on while it is held
    later = chase(engine, catalog, transport, dt.date(2021, 5, 14))
    assert "demo.ubnd-a" in [p.agency for p in later.planned]
    # the forger cannot confirm: a reply to the plain address or a made-up token is no confirmation
    guessed = claimed(HUYEN, "Re: xác nhận", to=f"baocao+xn{held.id}-aaaaaaaaaaaaaaaa@sldtbxh.example.org")
    assert "confirmation" not in ingest(engine, catalog, transport, data, [guessed], dt.date(2021, 5, 20)).classes
    assert deadline_of(engine, "demo.ubnd-a").status == DeadlineStatus.OPEN
    # the agency replies to the confirmation after the last day (19/5): on time, as it arrived on 10/5
    yes = reply_to(confirmation, sender=HUYEN, body="Đúng, đơn vị đã gửi báo cáo.")
    report = ingest(engine, catalog, transport, data, [yes], dt.date(2021, 5, 25))
    assert report.classes == {"confirmation": 1} and report.receipts == 1
    with Session(engine) as session:
        submission = session.exec(select(SubmissionRow)).one()
        confirmed = session.get(InboundRow, held.id)
        assert (submission.inbound_id, submission.on_time, submission.version) == (held.id, True, 1)
        assert (confirmed.status, confirmed.match_method) == ("submission", "confirmed")
    assert deadline_of(engine, "demo.ubnd-a").status == DeadlineStatus.SUBMITTED
    assert "Đã nhận" in str(parsed(sink.messages(HUYEN)[-1])["Subject"])  # the receipt
    # the same confirmation again confirms nothing more
    again = reply_to(confirmation, sender=HUYEN, body="Xác nhận lần nữa.")
    assert ingest(engine, catalog, transport, data, [again], dt.date(2021, 5, 26)).classes == {"quarantine": 1}


def test_the_coordinator_confirms_or_rejects_a_held_report(world, engine):
    from dondoc.errors import NotFound

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    syt, huyen = deadline_of(engine, "demo.so-y-te"), deadline_of(engine, "demo.ubnd-a")
    raws = [claimed(SYT, f"[DD-{syt.id}] Báo cáo"), claimed(HUYEN, f"[DD-{huyen.id}] Báo cáo")]
    assert ingest(engine, catalog, None, data, raws, dt.date(2021, 5, 10)).classes == {"held": 2}
    with Session(engine) as session:
        first, second = (h.inbound_id for h in list_held(session, catalog))
        submission = confirm_held(session, catalog, SETUP, data, first, morning(dt.date(2021, 5, 24)))
        assert submission.on_time and submission.deadline_id == syt.id
        assert reject_held(session, second, "cơ quan không gửi").status == "rejected"
        assert list_held(session, catalog) == []
        with pytest.raises(NotFound):
            confirm_held(session, catalog, SETUP, data, second, morning(dt.date(2021, 5, 24)))
    assert deadline_of(engine, "demo.so-y-te").status == DeadlineStatus.SUBMITTED
    assert deadline_of(engine, "demo.ubnd-a").status == DeadlineStatus.OPEN
    assert [r.recipients for r in outbox(engine, "receipt")] == [[SYT]]


BORDER = (
    "Received",
    "from mail.syt.demo.example.org (mail.syt.demo.example.org [192.0.2.7]) by "
    "mx.sldtbxh.example.org (Postfix) with ESMTPS id 4Q; Mon, 10 May 2021 09:00:00 +0700",
)
SENDERS_OWN = ("Received", "from [10.0.0.5] by mail.syt.demo.example.org; Mon, 10 May 2021 08:59:00 +0700")
PASS = "dmarc=pass (p=reject) header.from=syt.demo.example.org"


def test_a_trusted_dmarc_pass_is_accepted_and_forged_ones_are_not(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    tag = f"[DD-{deadline_of(engine, 'demo.so-y-te').id}] Báo cáo 6 tháng"
    forged = {
        "another authserv-id": [("Authentication-Results", f"mx.evil.example.net; {PASS}"), BORDER],
        "below the office's boundary": [
            ("Authentication-Results", f"{OFFICE}; dmarc=none"),
            BORDER,
            ("Authentication-Results", f"{OFFICE}; {PASS}"),
            SENDERS_OWN,
        ],
        "several below, the office's says none": [
            ("Authentication-Results", f"{OFFICE}; none"),
            BORDER,
            *[("Authentication-Results", f"{OFFICE}; {PASS}")] * 3,
            SENDERS_OWN,
        ],
        "several above one that fails": [
            ("Authentication-Results", f"{OFFICE}; dmarc=fail"),
            *[("Authentication-Results", f"{OFFICE}; {PASS}")] * 2,
            BORDER,
        ],
        "several above the office's, which fails": [
            ("Authentication-Results", f"mx.evil.example.net; {PASS}"),
            ("Authentication-Results", f"{OFFICE}; {PASS}"),
            ("Received", "from mx by imap.sldtbxh.example.org with LMTP"),
            ("Authentication-Results", f"{OFFICE}; dmarc=fail header.from=syt.demo.example.org"),
            BORDER,
        ],
        "no office header at all": [BORDER],
        "dkim of another domain": [
            ("Authentication-Results", f"{OFFICE}; dkim=pass header.d=evil.example.net"),
            BORDER,
        ],
    }
    figures.add(figures.HOSTILE, len(forged))
    report = ingest(
        engine,
        catalog,
        None,
        data,
        [claimed(SYT, tag, trace=t) for t in forged.values()],
        dt.date(2021, 5, 10),
        setup=TRUSTING,
    )
    assert report.classes == {"held": len(forged)}
    assert deadline_of(engine, "demo.so-y-te").status == DeadlineStatus.OPEN
    genuine = claimed(
        SYT,
        tag,
        trace=[
            ("Received", "from mx by imap.sldtbxh.example.org with LMTP"),
            ("Authentication-Results", f"{OFFICE}; spf=pass; {PASS}"),
            BORDER,
        ],
    )
    report = ingest(engine, catalog, None, data, [genuine], dt.date(2021, 5, 12), setup=TRUSTING)  # after the cap
    assert report.classes == {"submission": 1} and report.receipts == 1
    with Session(engine) as session:
        row = session.exec(select(InboundRow).where(InboundRow.status == "submission")).one()
        assert row.match_method == "tag" and row.reason.startswith("sender authenticated")
    assert deadline_of(engine, "demo.so-y-te").status == DeadlineStatus.SUBMITTED
    # the same genuine message, when no authserv-id is configured, is held
    again = claimed(SYT, tag, trace=[("Authentication-Results", f"{OFFICE}; {PASS}"), BORDER])
    assert ingest(engine, catalog, None, data, [again], dt.date(2021, 5, 13)).classes == {"held": 1}


def test_a_reply_with_the_token_needs_no_authentication(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(SYT)
    reply = reply_to(reminder, sender=SYT, body="Xin gửi báo cáo.", extra=[DOCX])
    assert ingest(engine, catalog, None, data, [reply], dt.date(2021, 5, 10), setup=TRUSTING).classes == {
        "submission": 1
    }


# --- 4. bounces ---------------------------------------------------------------------------------------------------


def relay_bounce(
    returned: bytes,
    failed: str,
    *,
    action: str = "failed",
    to: str = "dondoc@sldtbxh.example.org",
    copy: str = "headers",
) -> bytes:
    """A DSN as Postfix writes it: text, message/delivery-status, and the returned message's headers."""
    head = returned.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].replace(b"\n", b"\r\n").decode("ascii", "replace")
    boundary = "dsn-postfix-4Q"
    status = "5.1.1" if action == "failed" else "4.4.1"
    returned_part = (
        f"Content-Type: text/rfc822-headers\r\n\r\n{head}\r\n"
        if copy == "headers"
        else "Content-Type: text/plain\r\n\r\nno copy\r\n"
    )
    return (
        f"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.sldtbxh.example.org (Mail Delivery System)\r\nTo: {to}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: Mon, 10 May 2021 09:00:00 +0700\r\n"
        f"Message-ID: {make_msgid(domain='mx.sldtbxh.example.org')}\r\nAuto-Submitted: auto-replied\r\n"
        f"MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host "
        f"mx.sldtbxh.example.org.\r\n\r\n<{failed}>: host mx.syt.demo.example.org said: 550 5.1.1 <{failed}>: "
        f"Recipient address rejected: User unknown in virtual mailbox table\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.sldtbxh.example.org\r\n"
        f"X-Postfix-Queue-ID: 4Q\r\nArrival-Date: Mon, 10 May 2021 08:59:00 +0700\r\n\r\n"
        f"Final-Recipient: rfc822; {failed}\r\nOriginal-Recipient: rfc822;{failed}\r\nAction: {action}\r\n"
        f"Status: {status}\r\nRemote-MTA: dns; mx.syt.demo.example.org\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected: User unknown\r\n\r\n"
        f"--{boundary}\r\n{returned_part}\r\n--{boundary}--\r\n"
    ).encode()


def flagged(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {
            c.address: c.flag_reason for c in session.exec(select(ContactRow).where(ContactRow.flagged_at.is_not(None)))
        }


def test_a_real_bounce_of_a_real_reminder_flags_only_the_failed_recipient(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(SYT)  # as the relay received it over SMTP
    report = ingest(engine, catalog, None, data, [relay_bounce(reminder, SYT)], dt.date(2021, 5, 6))
    assert report.classes == {"bounce": 1}
    reasons = flagged(engine)
    assert list(reasons) == [SYT] and "5.1.1" in reasons[SYT] and "User unknown" in reasons[SYT]
    with Session(engine) as session:
        row = session.exec(select(InboundRow)).one()
        assert row.reason.startswith(f"flagged: {SYT}") and f"bounce #{row.id}" in reasons[SYT]
        assert (data / row.path).exists()  # the bounce is kept
    # the flagged address gets no more reminders; the other agency's still does
    later = chase(engine, catalog, transport, dt.date(2021, 5, 14))
    assert "demo.ubnd-a" in [p.agency for p in later.planned]
    assert len(sink.messages(SYT)) == 1


def test_exim_and_qmail_text_bounces_prove_themselves_by_the_copy_or_the_token(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(SYT)
    [other] = sink.messages(HUYEN)
    head = reminder.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace").replace("\n", "\r\n")
    exim = (
        f"From: Mail Delivery System <Mailer-Daemon@mail.syt.demo.example.org>\r\nTo: dondoc@sldtbxh.example.org"
        f"\r\nSubject: Mail delivery failed: returning message to sender\r\nX-Failed-Recipients: {SYT}\r\n"
        f"Auto-Submitted: auto-replied\r\n\r\nThis message was created automatically by mail delivery software."
        f"\r\n\r\nA message that you sent could not be delivered to one or more of its\r\nrecipients. This is a "
        f"permanent error. The following address(es) failed:\r\n\r\n  {SYT}\r\n    550 5.1.1 User unknown\r\n\r\n"
        f"------ This is a copy of the message, including all the headers. ------\r\n\r\n{head}\r\n"
    ).encode()
    token_to = str(parsed(other)["Reply-To"])
    qmail = (
        f"From: MAILER-DAEMON@mail.huyen-a.demo.example.org\r\nTo: {token_to}\r\nSubject: failure notice\r\n\r\n"
        f"Hi. This is the qmail-send program at mail.huyen-a.demo.example.org.\r\nI'm afraid I wasn't able to "
        f"deliver your message to the following addresses.\r\nThis is a permanent error; I've given up.\r\n\r\n"
        f"<{HUYEN}>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n"
    ).encode()
    report = ingest(engine, catalog, None, data, [exim, qmail], dt.date(2021, 5, 6))
    assert report.classes == {"bounce": 2}
    reasons = flagged(engine)
    assert set(reasons) == {SYT, HUYEN} and "User unknown" in reasons[SYT] and "no mailbox" in reasons[HUYEN]


def test_bounces_that_prove_nothing_flag_nothing(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(SYT)
    unknown = reminder.replace(b"Message-ID: <dd.", b"Message-ID: <zz.", 1)
    assert unknown != reminder
    everyone = "\r\n".join(
        f"Final-Recipient: rfc822; {a}\r\nAction: failed\r\nStatus: 5.1.1\r\n" for a in (SYT, HEAD, HUYEN)
    )
    not_a_token = (
        f"From: MAILER-DAEMON@relay.example.net\r\nTo: baocao+17-aaaaaaaaaaaaaaaa@sldtbxh.example.org\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report;"
        f' report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nfailed\r\n'
        f"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example.net\r\n\r\n"
        f"{everyone}\r\n--b--\r\n"
    ).encode()
    cases = {
        "a message dondoc never sent": relay_bounce(unknown, SYT),
        "a non-token address, every contact named": not_a_token,
        "a real reminder, another address named": relay_bounce(reminder, HEAD),
        "no copy and no reference": relay_bounce(reminder, SYT, copy="none"),
    }
    figures.add(figures.HOSTILE, len(cases) + 1)
    report = ingest(engine, catalog, None, data, list(cases.values()), dt.date(2021, 5, 6))
    assert report.classes == {"quarantine": len(cases)}
    with Session(engine) as session:
        reasons = [r.reason for r in session.exec(select(InboundRow))]
    assert all(r.startswith("thư báo lỗi chưa xác minh / bounce, unverified") for r in reasons), reasons
    delayed = relay_bounce(reminder, SYT, action="delayed")
    assert ingest(engine, catalog, None, data, [delayed], dt.date(2021, 5, 6)).classes == {"bounce": 1}
    assert flagged(engine) == {}


def test_held_and_confirmed_on_postgresql(world, pg_engine):
    """The confirmation locks and reads the held report's deadline on PostgreSQL too; one chunk holds both the
    confirming reply and other mail."""
    catalog, sink, transport, data = world
    engine = pg_engine
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    deadline = deadline_of(engine, "demo.ubnd-a")
    assert ingest(
        engine, catalog, transport, data, [claimed(HUYEN, f"[DD-{deadline.id}] Báo cáo")], dt.date(2021, 5, 10)
    ).classes == {"held": 1}
    confirmation = sink.messages(HUYEN)[-1]
    [reminder] = sink.messages(SYT)
    replies = [
        reply_to(confirmation, sender=HUYEN, body="Xác nhận."),
        reply_to(reminder, sender=SYT, body="Báo cáo.", extra=[DOCX]),
    ]
    report = ingest(engine, catalog, transport, data, replies, dt.date(2021, 5, 12))
    assert report.classes == {"confirmation": 1, "submission": 1} and report.receipts == 2
    assert deadline_of(engine, "demo.ubnd-a").status == DeadlineStatus.SUBMITTED
    with Session(engine) as session:
        assert sorted(s.version for s in session.exec(select(SubmissionRow))) == [1, 1]

"""The whole thread: reminder over SMTP → a reply from the agency → intake → submission → receipt → no more chasing."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import mailbox

import pytest
from sqlmodel import Session, select

from dondoc.chase import ChaseFilter, run_chase
from dondoc.db.tables import DeadlineRow, DeadlineStatus, InboundRow, RequestRow, SubmissionRow
from dondoc.intake import run_ingest
from dondoc.mail.sources import MaildirSource, MemorySource
from dondoc.policy import PolicyFile
from dondoc.sync import sync_catalog
from dondoc.workdays import WorkCalendar
from tests import figures
from tests.integration.test_chase import SETUP, morning
from tests.replies_helpers import reply_to

DOCX = (
    "bao-cao-6-thang.docx",
    b"PK\x03\x04 fake docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


def chase(engine, catalog, transport, day):
    with Session(engine) as session:
        return run_chase(
            session=session,
            catalog=catalog,
            policy=PolicyFile(),
            calendar=WorkCalendar(),
            setup=SETUP,
            transport=transport,
            now=morning(day),
            only=ChaseFilter(period="2021-H1", obligation="dinh-ky"),
        )


def ingest(engine, catalog, transport, data_dir, source, day):
    with Session(engine) as session:
        return run_ingest(
            session=session,
            catalog=catalog,
            setup=SETUP,
            source=source,
            transport=transport,
            data_dir=data_dir,
            now=morning(day, 10),
        )


def test_the_whole_thread(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    reply = reply_to(
        reminder,
        sender="vanthu@syt.demo.example.org",
        body="Kính gửi Sở, xin gửi báo cáo 6 tháng.",
        form_values={},
        extra=[DOCX],
    )
    data.mkdir(parents=True, exist_ok=True)
    inbox = mailbox.Maildir(data / "inbox", create=True)
    inbox.add(reply)
    report = ingest(engine, catalog, transport, data, MaildirSource(data / "inbox"), dt.date(2021, 5, 10))
    assert report.classes == {"submission": 1}
    with Session(engine) as session:
        [submission] = session.exec(select(SubmissionRow)).all()
        deadline = session.get(DeadlineRow, submission.deadline_id)
        assert (deadline.agency_id, deadline.status, submission.on_time, submission.version) == (
            "demo.so-y-te",
            DeadlineStatus.SUBMITTED,
            True,
            1,
        )
        inbound = session.exec(select(InboundRow)).one()
        assert inbound.match_method == "token"
    [receipt] = sink.messages("vanthu@syt.demo.example.org")[1:]
    parsed = email.message_from_bytes(receipt, policy=email.policy.default)
    assert parsed["In-Reply-To"] == email.message_from_bytes(reply, policy=email.policy.default)["Message-ID"]
    text = parsed.get_body(("plain",)).get_content()
    assert "đúng hạn" in text and "bao-cao-6-thang.docx" in text and "Lần gửi: 1" in text
    # the next stage (before-3 on 14/5) goes to the agency that did not submit, not to Sở Y tế
    later = chase(engine, catalog, transport, dt.date(2021, 5, 14))
    assert [p.agency for p in later.planned] == ["demo.ubnd-a"]
    # a second run takes in nothing new
    again = ingest(engine, catalog, transport, data, MaildirSource(data / "inbox"), dt.date(2021, 5, 11))
    assert (again.fetched, again.classes) == (0, {})


def test_a_stranger_with_a_valid_token_is_held_and_a_resubmission_is_a_new_version(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    stranger = reply_to(reminder, sender="someone@elsewhere.example.com", body="Báo cáo", extra=[DOCX])
    first = reply_to(reminder, sender="vanthu@huyen-a.demo.example.org", body="Báo cáo lần 1", extra=[DOCX])
    second = reply_to(
        reminder, sender="vanthu@huyen-a.demo.example.org", body="Báo cáo bổ sung", extra=[DOCX], forward=True
    )
    report = ingest(engine, catalog, transport, data, MemorySource([stranger, first, second]), dt.date(2021, 5, 25))
    assert report.classes == {"quarantine": 1, "submission": 2}
    with Session(engine) as session:
        held = session.exec(select(InboundRow).where(InboundRow.status == "quarantine")).one()
        assert held.reason.startswith("held: sender someone@elsewhere.example.com is not a known address")
        versions = session.exec(select(SubmissionRow.version, SubmissionRow.on_time)).all()
        assert sorted(versions) == [(1, False), (2, False)]  # last day was 19/5
        deadline = session.get(DeadlineRow, session.exec(select(SubmissionRow.deadline_id)).first())
        assert deadline.status == DeadlineStatus.LATE


def test_a_request_for_more_time_is_not_a_submission(world, engine):
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    asking = reply_to(
        reminder,
        sender="vanthu@huyen-a.demo.example.org",
        body="Do ảnh hưởng của mưa lũ, UBND huyện xin gia hạn nộp báo cáo đến ngày 30/5.",
    )
    report = ingest(engine, catalog, transport, data, MemorySource([asking]), dt.date(2021, 5, 12))
    assert report.classes == {"request": 1}
    with Session(engine) as session:
        request = session.exec(select(RequestRow)).one()
        assert request.kind == "extension" and "xin gia hạn" in request.text
        assert session.get(DeadlineRow, request.deadline_id).status == DeadlineStatus.OPEN


def test_the_whole_thread_through_dovecot(world, engine, dovecot):
    """The reply is delivered to a real IMAP mailbox (Dovecot) and taken in from there."""
    import uuid

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    folder = f"dondoc-{uuid.uuid4().hex[:8]}"
    with dovecot.client() as client:
        client.create_folder(folder)
    reply = reply_to(
        reminder, sender="vanthu@huyen-a.demo.example.org", body="Xin gửi báo cáo.", form_values={}, extra=[DOCX]
    )
    dovecot.deliver(reply, folder)
    source = dovecot.source(folder)
    try:
        report = ingest(engine, catalog, transport, data, source, dt.date(2021, 5, 10))
        assert report.classes == {"submission": 1}
        again = ingest(engine, catalog, transport, data, source, dt.date(2021, 5, 10))
        assert (again.fetched, again.already_taken) == (0, 1)  # by its UID in dondoc's records, no flag set
    finally:
        source.close()
    [receipt] = sink.messages("vanthu@huyen-a.demo.example.org")[1:]
    assert "Re: [DD-" in str(email.message_from_bytes(receipt, policy=email.policy.default)["Subject"])
    later = chase(engine, catalog, transport, dt.date(2021, 5, 14))
    assert "demo.ubnd-a" not in [p.agency for p in later.planned]


def test_the_hostile_corpus_through_intake_loses_nothing_and_crashes_nothing(world, engine):
    """Every message of the corpus ends exactly once in one class; count in = count out."""
    from collections import Counter

    from tests.mail_corpus import build_corpus

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))  # so that some tags and threads point somewhere
    corpus = build_corpus()
    raws = [m.raw for m in corpus]
    figures.add(figures.HOSTILE, len(raws))
    report = ingest(engine, catalog, transport, data, MemorySource(raws), dt.date(2021, 5, 10))
    distinct = len({__import__("hashlib").sha256(r).hexdigest() for r in raws})
    assert report.fetched == len(raws) and report.stored == distinct and report.duplicates == len(raws) - distinct
    with Session(engine) as session:
        rows = session.exec(select(InboundRow)).all()
    assert len(rows) == distinct
    classes = Counter(r.status for r in rows)
    assert "new" not in classes and sum(classes.values()) == distinct
    assert set(classes) <= {"submission", "request", "held", "auto-reply", "bounce", "quarantine"}
    expected = {m.raw: m.expect for m in corpus}
    for row in rows:
        raw = (data / row.path).read_bytes()
        if expected[raw] == "unparseable":
            assert row.status == "quarantine" and row.reason.startswith("unparseable"), (row.id, row.reason)
        elif expected[raw] == "auto-reply":
            assert row.status == "auto-reply"
        elif expected[raw] == "bounce":  # none returns a message dondoc sent: a delay, or unverified
            assert (
                row.status == "bounce"
                and row.reason.startswith("delivery delayed")
                or (row.status == "quarantine" and row.reason.startswith("thư báo lỗi chưa xác minh"))
            ), row.reason
        else:  # strangers with valid-looking tags and unknown senders never become submissions
            assert row.status in ("quarantine", "submission", "request")
            if row.status == "submission":
                assert row.from_address and row.from_address.endswith(".demo.example.org")


def test_the_text_of_an_attached_docx_becomes_the_narrative(world, engine):
    import io

    from docx import Document

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    document = Document()
    document.add_paragraph("Kết quả: 100% trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế.")
    buffer = io.BytesIO()
    document.save(buffer)
    reply = reply_to(
        reminder,
        sender="vanthu@syt.demo.example.org",
        body="Gửi báo cáo.",
        extra=[("bao-cao.docx", buffer.getvalue(), DOCX[2])],
    )
    ingest(engine, catalog, transport, data, MemorySource([reply]), dt.date(2021, 5, 10))
    with Session(engine) as session:
        submission = session.exec(select(SubmissionRow)).one()
    assert submission.body_text.startswith("Gửi báo cáo.")
    assert "[bao-cao.docx]\nKết quả: 100% trẻ em dưới 6 tuổi" in submission.body_text


def _outcomes(engine, data) -> dict[str, tuple]:
    with Session(engine) as session:
        inbound = {row.id: row for row in session.exec(select(InboundRow))}
        submissions = {
            (s.inbound_id): (s.deadline_id, s.version, s.on_time, s.form_problems, s.no_report)
            for s in session.exec(select(SubmissionRow))
        }
    return {
        row.sha256: (row.status, row.reason, row.deadline_id, row.match_method, submissions.get(row.id))
        for row in inbound.values()
    }


def test_taking_mail_by_chunks_decides_exactly_as_one_message_at_a_time(world, engine, tmp_path, monkeypatch):
    """A chunk's messages are decided on state each accepted one updates: the outcome is the one-by-one outcome.

    The corpus, three replies for one deadline (a version each), a replayed
    Message-ID and a reply naming its deadline only by its sender, in one chunk.
    """
    import dondoc.intake
    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import upgrade
    from tests.mail_corpus import build_corpus

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    replies = [
        reply_to(reminder, sender="vanthu@huyen-a.demo.example.org", body=f"Báo cáo lần {n}", extra=[DOCX])
        for n in (1, 2, 3)
    ]
    replayed = replies[0].replace(b"Subject: Re: ", b"Subject: RE: ")  # other bytes, the same Message-ID
    assert replayed != replies[0]
    plain = (
        b"From: vanthu@huyen-a.demo.example.org\r\nTo: so@demo.example.org\r\nSubject: Bao cao\r\n"
        b"Message-ID: <plain-1@huyen-a.demo.example.org>\r\n\r\nXin gui bao cao kem theo.\r\n"
    )
    raws = [m.raw for m in build_corpus()] + replies + [replayed, plain]
    one_by_one = make_engine(f"sqlite:///{tmp_path / 'one.sqlite3'}")
    upgrade(one_by_one)
    with Session(engine) as session, Session(one_by_one) as copy:  # the same deadlines and outbox in both
        for table in ("plan", "agency", "contact", "deadline", "outbox"):
            rows = session.connection().exec_driver_sql(f"SELECT * FROM {table}").mappings().all()
            if rows:
                columns = ", ".join(rows[0])
                copy.connection().exec_driver_sql(
                    f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(rows[0]))})",
                    [tuple(r.values()) for r in rows],
                )
        copy.commit()
    ingest(engine, catalog, None, data, MemorySource(raws), dt.date(2021, 5, 10))
    monkeypatch.setattr(dondoc.intake, "CHUNK", 1)
    ingest(one_by_one, catalog, None, tmp_path / "data-one", MemorySource(raws), dt.date(2021, 5, 10))
    chunked, single = _outcomes(engine, data), _outcomes(one_by_one, tmp_path / "data-one")
    one_by_one.dispose()
    assert chunked == single
    statuses = [chunked[__import__("hashlib").sha256(r).hexdigest()] for r in (*replies, replayed)]
    assert [s[4][1] for s in statuses[:3]] == [1, 2, 3]  # three versions, in order
    assert statuses[3][0] == "quarantine" and statuses[3][1].startswith("replayed Message-ID")


def test_a_raw_file_left_truncated_by_a_crash_is_written_again(tmp_path):
    from dondoc.intake import store_raw

    raw = b"From: a@example.org\r\n\r\nbody\r\n" * 100
    digest, relative = store_raw(tmp_path, raw, sync=False)
    (tmp_path / relative).write_bytes(raw[:10])  # what a crash before the disk sync can leave
    assert store_raw(tmp_path, raw) == (digest, relative)
    assert (tmp_path / relative).read_bytes() == raw


def test_the_temporary_of_a_run_killed_while_storing_is_cleared_by_the_rerun(tmp_path):
    """A SIGKILL between writing and renaming leaves ``<sha256>.tmp<pid>``; writing that file again removes it."""
    import hashlib
    import subprocess
    import sys

    from dondoc.intake import store_raw

    raw = b"From: a@example.org\r\n\r\nbody\r\n" * 100
    digest = hashlib.sha256(raw).hexdigest()
    folder = tmp_path / "raw" / digest[:2]
    folder.mkdir(parents=True)
    killed = subprocess.Popen([sys.executable, "-c", "pass"])
    killed.wait()
    (folder / f"{digest}.tmp{killed.pid}").write_bytes(raw[:10])  # its process is gone
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as writing:
        (folder / f"{digest}.tmp{writing.pid}").write_bytes(raw[:20])  # a process still at work: its own file
        store_raw(tmp_path, raw, sync=False)
        writing.kill()
    assert sorted(p.name for p in folder.iterdir()) == [f"{digest}.eml", f"{digest}.tmp{writing.pid}"]


def test_at_most_a_few_automatic_mails_per_address_per_day(world, engine):
    """Receipts to one address stop at the daily cap (no mail loop with an agency's robot), even across runs."""
    from dondoc.db.tables import OutboxRow
    from dondoc.intake import AUTOMATIC_PER_DAY

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    replies = [
        reply_to(reminder, sender="VanThu@huyen-a.demo.example.org", body=f"Báo cáo lần {n}", extra=[DOCX])
        for n in range(AUTOMATIC_PER_DAY + 3)
    ]
    ingest(engine, catalog, None, data, MemorySource(replies[:3]), dt.date(2021, 5, 10))
    ingest(engine, catalog, None, data, MemorySource(replies[3:]), dt.date(2021, 5, 10))
    with Session(engine) as session:
        receipts = session.exec(select(OutboxRow).where(OutboxRow.kind == "receipt")).all()
        assert len(session.exec(select(SubmissionRow)).all()) == AUTOMATIC_PER_DAY + 3
    assert len(receipts) == AUTOMATIC_PER_DAY
    assert {r.to_address for r in receipts} == {"vanthu@huyen-a.demo.example.org"}


@pytest.fixture
def pg_engine(world, pg_url):
    """A migrated PostgreSQL database with the world's config synced, as the SQLite one is."""
    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    with Session(engine) as session:
        sync_catalog(world[0], session=session, now=morning(dt.date(2021, 3, 1)), horizon_days=400)
    yield engine
    engine.dispose()


def test_intake_by_chunks_on_postgresql(world, pg_engine):
    """The same corpus and replies on PostgreSQL: every message accounted for once, versions in order."""
    import hashlib

    from tests.mail_corpus import build_corpus

    catalog, sink, transport, data = world
    engine = pg_engine
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@huyen-a.demo.example.org")
    replies = [
        reply_to(reminder, sender="vanthu@huyen-a.demo.example.org", body=f"Báo cáo lần {n}", extra=[DOCX])
        for n in (1, 2, 3)
    ]
    raws = [m.raw for m in build_corpus()] + replies + replies[:1]
    report = ingest(engine, catalog, None, data, MemorySource(raws), dt.date(2021, 5, 10))
    distinct = len({hashlib.sha256(r).hexdigest() for r in raws})
    assert (report.stored, report.duplicates) == (distinct, len(raws) - distinct)
    assert sum(report.classes.values()) == distinct and "new" not in report.classes
    with Session(engine) as session:
        versions = session.exec(
            select(SubmissionRow.version)
            .join(InboundRow, InboundRow.id == SubmissionRow.inbound_id)
            .where(InboundRow.from_address == "vanthu@huyen-a.demo.example.org")
            .order_by(SubmissionRow.version)
        ).all()
    assert versions == [1, 2, 3]


def test_two_workers_processing_the_same_inbox_take_each_message_once(world, pg_engine):
    """Two processes' worth of intake on one PostgreSQL at once: each message ends once; one version per reply."""
    import threading

    import dondoc.intake
    from dondoc.intake import IntakeReport, process_new, take_in

    catalog, sink, transport, data = world
    engine = pg_engine
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    replies = []
    for address in ("vanthu@huyen-a.demo.example.org", "vanthu@syt.demo.example.org"):
        [reminder] = sink.messages(address)
        replies += [reply_to(reminder, sender=address, body=f"Báo cáo lần {n}", extra=[DOCX]) for n in range(30)]
    with Session(engine) as session:
        take_in(session, MemorySource(replies), data, morning(dt.date(2021, 5, 10)), 1000, IntakeReport())
    reports = [IntakeReport(), IntakeReport()]
    errors = []

    def work(report):
        try:
            with Session(engine) as session:
                process_new(session, catalog, SETUP, data, morning(dt.date(2021, 5, 10), 10), report)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    original = dondoc.intake.CHUNK
    dondoc.intake.CHUNK = 7  # many small chunks, so the two workers interleave
    try:
        workers = [threading.Thread(target=work, args=(r,)) for r in reports]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(120)
    finally:
        dondoc.intake.CHUNK = original
    assert not errors
    with Session(engine) as session:
        odd = session.exec(select(InboundRow.status, InboundRow.reason).where(InboundRow.status != "submission")).all()
    assert odd == [] and sum(r.classes["submission"] for r in reports) == len(replies), (odd, reports)
    with Session(engine) as session:
        rows = session.exec(select(SubmissionRow.deadline_id, SubmissionRow.version)).all()
        assert len(rows) == len(set(rows)) == len(replies)
        assert session.exec(select(InboundRow).where(InboundRow.status != "submission")).all() == []


def test_the_text_of_an_attached_pdf_becomes_the_narrative(world, engine):
    from tests.integration.test_pdf import _minimal_pdf

    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    reply = reply_to(
        reminder,
        sender="vanthu@syt.demo.example.org",
        body="Gửi báo cáo bản PDF.",
        extra=[("bao-cao.pdf", _minimal_pdf("Ket qua: 100% tre em duoi 6 tuoi co the BHYT"), "application/pdf")],
    )
    ingest(engine, catalog, transport, data, MemorySource([reply]), dt.date(2021, 5, 10))
    with Session(engine) as session:
        submission = session.exec(select(SubmissionRow)).one()
    assert "[bao-cao.pdf]\nKet qua: 100% tre em duoi 6 tuoi co the BHYT" in submission.body_text

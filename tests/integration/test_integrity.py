"""The integrity checker finds each broken invariant, and finds none in data a normal season leaves."""

from __future__ import annotations

import datetime as dt
import mailbox

import pytest
from sqlmodel import Session, select

from dondoc.db.tables import (
    AttachmentRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    OutboxRow,
    OutboxStatus,
    SourceMessageRow,
    SubmissionRow,
)
from dondoc.integrity import check_integrity
from dondoc.mail.sources import MaildirSource
from tests.integration.test_replies import DOCX, chase, ingest
from tests.replies_helpers import reply_to


@pytest.fixture
def season(world, engine):
    """One reminder round, one submission with an attachment, its receipt: consistent data."""
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    data.mkdir(parents=True, exist_ok=True)
    mailbox.Maildir(data / "inbox", create=True).add(
        reply_to(reminder, sender="vanthu@syt.demo.example.org", body="Xin gửi báo cáo 6 tháng.", extra=[DOCX])
    )
    ingest(engine, catalog, transport, data, MaildirSource(data / "inbox"), dt.date(2021, 5, 10))
    return data


def violations(engine, data, **options) -> dict[str, str]:
    with Session(engine) as session:
        return {v.rule: str(v) for v in check_integrity(session, data, settled=True, deep=True, **options)}


def test_a_normal_season_breaks_no_invariant(season, engine):
    assert violations(engine, season) == {}


def change(engine, model, where, **values) -> int:
    with Session(engine) as session:
        row = session.exec(select(model).where(where)).first()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()
        return row.id


def test_a_missing_or_altered_raw_file_is_named(season, engine):
    with Session(engine) as session:
        inbound = session.exec(select(InboundRow)).one()
    (season / inbound.path).write_bytes(b"x" * inbound.size)  # same size, other bytes: only deep sees it
    assert violations(engine, season)["raw"] == (
        f"raw: inbound {inbound.id} {inbound.path}: content differs from its hash"
    )
    with Session(engine) as session:
        assert check_integrity(session, season, deep=False) == []
    (season / inbound.path).unlink()
    assert violations(engine, season)["raw"].endswith(": missing")


def test_a_message_recorded_as_taken_from_the_source_but_not_taken_in_is_named(season, engine):
    with Session(engine) as session:
        [taken] = session.exec(select(SourceMessageRow)).all()
    change(engine, SourceMessageRow, SourceMessageRow.id == taken.id, sha256="0" * 64)
    assert violations(engine, season) == {"taken": f"taken: {taken.ref} (maildir)"}


def test_a_truncated_attachment_is_named(season, engine):
    with Session(engine) as session:
        attachment = session.exec(select(AttachmentRow).where(AttachmentRow.path.is_not(None))).first()
    (season / attachment.path).write_bytes(b"PK")
    assert f"attachment {attachment.id}" in violations(engine, season)["attachment"]


def test_a_message_left_new_and_a_mail_left_sending_break_a_settled_state_only(season, engine):
    change(engine, InboundRow, InboundRow.status == InboundStatus.SUBMISSION, status=InboundStatus.NEW)
    change(engine, OutboxRow, OutboxRow.kind == "receipt", status=OutboxStatus.SENDING)
    found = violations(engine, season)
    assert {"unprocessed", "in-flight", "inbound-outcome"} <= set(found)
    assert "has a submission" in found["inbound-outcome"]
    with Session(engine) as session:
        unsettled = {v.rule for v in check_integrity(session, season, settled=False)}
    assert "unprocessed" not in unsettled and "in-flight" not in unsettled


def test_deadline_status_must_agree_with_its_submissions(season, engine):
    with Session(engine) as session:
        submission = session.exec(select(SubmissionRow)).one()
    change(engine, DeadlineRow, DeadlineRow.id == submission.deadline_id, status=DeadlineStatus.OPEN)
    assert violations(engine, season)["open-but-submitted"] == f"open-but-submitted: deadline {submission.deadline_id}"
    change(engine, DeadlineRow, DeadlineRow.id == submission.deadline_id, status=DeadlineStatus.SUBMITTED)
    change(engine, SubmissionRow, SubmissionRow.id == submission.id, version=2, status="returned")
    found = violations(engine, season)
    assert found["versions"] == f"versions: deadline {submission.deadline_id}: versions [2]"
    assert found["closed-without-report"] == f"closed-without-report: deadline {submission.deadline_id} is submitted"


def test_a_sent_mail_without_its_time_of_sending_is_named(season, engine):
    ident = change(engine, OutboxRow, OutboxRow.kind == "reminder", sent_at=None)
    assert violations(engine, season)["sent-without-id"].startswith(f"sent-without-id: outbox {ident} (reminder:")


def test_a_sent_report_needs_its_files_whole_and_its_mail_queued(engine, catalog, tmp_path):
    from dondoc.consolidate import approve, send_up
    from dondoc.sync import sync_catalog
    from tests.integration.test_chase import SETUP
    from tests.support.reports import compile_tong_hop

    at = dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=at, horizon_days=400)
        report, _ = compile_tong_hop(session, catalog, out_dir=tmp_path / "reports", now=at)
        approve(session, report.id, "Phó Giám đốc", at)
        send_up(session, catalog, SETUP, report.id, at)
        files = dict(report.files)
    assert violations(engine, tmp_path) == {}
    with open(files["docx"], "r+b") as docx:
        docx.truncate(1000)
    assert violations(engine, tmp_path)["report-files"] == (
        f"report-files: report {report.id} docx: {files['docx']} is not a whole docx"
    )
    with Session(engine) as session:
        session.delete(session.exec(select(OutboxRow).where(OutboxRow.kind == "report")).one())
        session.commit()
    assert f"report {report.id} is sent but has no mail in the outbox" in violations(engine, tmp_path)["report-files"]


def test_a_deadline_of_an_obligation_no_longer_known_is_an_orphan(season, engine):
    change(engine, DeadlineRow, DeadlineRow.status == DeadlineStatus.OPEN, obligation_id="khong-con")
    assert violations(engine, season)["orphan"] == "orphan: 1 deadline(s) of unknown obligation demo-2021/khong-con"

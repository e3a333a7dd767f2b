"""The consolidated report of seeds 000 and 004 from realistic submissions: figures, rates, missing, every part."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from dondoc.consolidate import approve, send_up
from dondoc.db.tables import DeadlineRow, DeadlineStatus, InboundRow, OutboxRow, SubmissionRow
from dondoc.sync import sync_catalog
from tests.integration.test_chase import SETUP
from tests.support.reports import compile_tong_hop


def submit(
    session,
    deadline: DeadlineRow,
    *,
    at: dt.datetime,
    on_time: bool,
    version: int = 1,
    values: dict | None = None,
    text: str = "Báo cáo kết quả.",
) -> None:
    inbound = InboundRow(
        sha256=f"{deadline.id:032d}{version:032d}",
        source_ref="test",
        path="x",
        size=1,
        received_at=at,
        status="submission",
        deadline_id=deadline.id,
    )
    session.add(inbound)
    session.flush()
    session.add(
        SubmissionRow(
            deadline_id=deadline.id,
            inbound_id=inbound.id,
            version=version,
            received_at=at,
            on_time=on_time,
            body_text=text,
            form_values=values or {},
        )
    )
    if deadline.status == DeadlineStatus.OPEN:  # as intake does: the first version decides
        deadline.status = DeadlineStatus.SUBMITTED if on_time else DeadlineStatus.LATE


def text_of(path) -> str:
    document = Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("plan", "period", "at_ok", "at_late"),
    [
        ("bp-2021", "2021-H1", dt.datetime(2021, 5, 17, 3, tzinfo=dt.UTC), dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)),
        ("tth-2020", "2020-H1", dt.datetime(2020, 6, 5, 3, tzinfo=dt.UTC), dt.datetime(2020, 6, 12, 3, tzinfo=dt.UTC)),
    ],
)
def test_consolidated_report(engine, catalog, tmp_path, plan, period, at_ok, at_late):
    with Session(engine, expire_on_commit=False) as session:
        sync_catalog(catalog, session=session, now=at_ok, horizon_days=400)
        rows = list(
            session.exec(
                select(DeadlineRow).where(
                    DeadlineRow.plan_id == plan,
                    DeadlineRow.obligation_id == "bao-cao-dinh-ky",
                    DeadlineRow.period_key == period,
                )
            )
        )
        targets = catalog.plans[plan].targets
        percent = next(t for t in targets if str(t.unit) == "percent")
        expected = len(rows)
        # 4 on time (one resubmits), 2 late, one excused, the rest missing
        for i, row in enumerate(rows[:4]):
            submit(
                session,
                row,
                at=at_ok,
                on_time=True,
                values={percent.id: {"value": 90, "numerator": 90 + i, "denominator": 100}},
                text=f"I. KẾT QUẢ THỰC HIỆN\nĐơn vị {i} đã triển khai đầy đủ <b>nhiệm vụ</b>.",
            )
        submit(
            session,
            rows[0],
            at=at_late,
            on_time=False,
            version=2,
            values={percent.id: {"value": 99, "numerator": 99, "denominator": 100}},
            text="Bản bổ sung.",
        )
        for row in rows[4:6]:
            submit(session, row, at=at_late, on_time=False, values={percent.id: {"value": 80}})
        rows[6].status = DeadlineStatus.EXCUSED
        reminded = rows[7].agency_id
        session.add(
            OutboxRow(
                key=f"reminder:{rows[7].id}:x",
                kind="reminder",
                deadline_id=rows[7].id,
                stage="x",
                message_id="<x@y>",
                sender="a@b.example.org",
                recipients=["c@d.example.org"],
                subject="s",
                raw=b"x",
                status="sent",
            )
        )
        session.commit()
        report, data = compile_tong_hop(
            session, catalog, out_dir=tmp_path / "out", now=at_late + dt.timedelta(days=1), plan=plan, period=period
        )
    assert (data.expected, data.submitted, data.on_time, data.late, data.excused) == (expected - 1, 6, 4, 2, 1)
    assert data.missing == expected - 1 - 6
    assert data.reporting_rate == round(6 / (expected - 1) * 100, 1)
    line = next(t for t in data.targets if t.target_id == percent.id)
    # agency 0's latest version (99/100) replaces its first; the late ones gave no numerators: mean
    assert line.method == "mean" and line.value == round((99 + 90 + 90 + 90 + 80 + 80) / 6, 2)
    missing = [a for a in data.agencies if a.status in ("overdue", "not-due")]
    assert next(a.reminders for a in missing if a.agency_id == reminded) == 1
    text = text_of(report.files["docx"])
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "Nơi nhận",
        f"{6}/{expected - 1}",
        "Số:",
    ):
        assert part in text, part
    assert missing[0].name in text
    assert "Đơn vị 1 đã triển khai đầy đủ <b>nhiệm vụ</b>." in text  # a report written in the mail, with headings
    assert "Bản bổ sung." not in text  # a mail without a report's headings is a cover mail: not content
    book = load_workbook(report.files["xlsx"])
    assert len(book.sheetnames) == 2
    html = Path(report.files["html"]).read_text(encoding="utf-8")
    assert "&lt;b&gt;nhiệm vụ&lt;/b&gt;" in html
    # compiling again from the same data gives the same bytes
    before = {k: Path(v).read_bytes() for k, v in report.files.items()}
    with Session(engine, expire_on_commit=False) as session:
        again, _ = compile_tong_hop(
            session, catalog, out_dir=tmp_path / "out", now=at_late + dt.timedelta(days=1), plan=plan, period=period
        )
        assert again.id == report.id
    assert {k: Path(v).read_bytes() for k, v in again.files.items()} == before


def test_approved_report_is_sent_up_once_and_closes_the_coordinators_deadline(engine, catalog, tmp_path):
    import asyncio

    from dondoc.delivery import Delivered, deliver
    from dondoc.mail.transport import MemoryTransport

    at = dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=at, horizon_days=400)
        report, _ = compile_tong_hop(session, catalog, out_dir=tmp_path, now=at)
        with pytest.raises(Exception, match="approve it first"):
            send_up(session, catalog, SETUP, report.id, at)
        approve(session, report.id, "Phó Giám đốc", at)
        send_up(session, catalog, SETUP, report.id, at)
        transport = MemoryTransport()
        asyncio.run(deliver(session, transport, "t", at, 10, Delivered()))
        asyncio.run(deliver(session, transport, "t", at, 10, Delivered()))
        [sent] = transport.sent
        ministry = catalog.directory.agencies["vn.bo-ldtbxh"].contacts[0].address
        assert ministry in sent.recipients and len(sent.recipients) >= 2  # the ministry and UBND tỉnh
        import email
        import email.policy

        message = email.message_from_bytes(sent.raw, policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()
        # the province keeps its capitals; the period is said once, in the subject and the text
        assert str(message["Subject"]) == (
            "Sở LĐTBXH: Báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước 6 tháng đầu năm 2021"
        )
        assert "gửi báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước 6 tháng đầu năm 2021 (tệp" in body
        assert "bình phước" not in body
        coordinator_deadline = session.exec(
            select(DeadlineRow).where(
                DeadlineRow.plan_id == "bp-2021",
                DeadlineRow.obligation_id == "tong-hop",
                DeadlineRow.period_key == "2021-H1",
            )
        ).one()
        assert coordinator_deadline.status == DeadlineStatus.SUBMITTED

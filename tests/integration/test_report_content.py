"""The consolidated report of seeds 000 and 004 from realistic agency reports taken in by intake.

Agencies reply with a .docx written the usual way (letterhead, "Kính gửi", I.–V. with their own numbering and
words), one with a .pdf, one resubmits late after an on-time report, one is returned and resends late, one is
excused, a reminder bounces. The report must quote each agency's words under the right part, cite the plan, be
signed by whom the coordinator names, and show each agency's state exactly as ``dondoc status`` does that day.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import pytest
from docx import Document
from sqlmodel import Session, select
from typer.testing import CliRunner

from dondoc.consolidate import approve
from dondoc.controls import excuse, return_submission
from dondoc.db.tables import ContactRow, DeadlineRow, DeadlineStatus, InboundRow, OutboxRow, SubmissionRow
from dondoc.intake import record_submission
from dondoc.mail.parse import parse_message
from dondoc.matching import strip_quoted
from dondoc.status import overview
from dondoc.sync import sync_catalog
from dondoc.vocabulary import state_label
from tests.integration.test_chase import SETUP
from tests.integration.test_report import text_of
from tests.support.pdf import text_pdf
from tests.support.reports import compile_tong_hop

SEASONS = {  # plan: (period, on time, late, report compiled)
    "bp-2021": (
        "2021-H1",
        dt.datetime(2021, 5, 17, 3, tzinfo=dt.UTC),
        dt.datetime(2021, 5, 21, 3, tzinfo=dt.UTC),
        dt.datetime(2021, 5, 24, 2, tzinfo=dt.UTC),
    ),
    "tth-2020": (
        "2020-H1",
        dt.datetime(2020, 6, 5, 3, tzinfo=dt.UTC),
        dt.datetime(2020, 6, 11, 3, tzinfo=dt.UTC),
        dt.datetime(2020, 6, 12, 2, tzinfo=dt.UTC),
    ),
}


def agency_docx(name: str, headings: dict[str, str], *, numbering=("I.", "II.", "III.", "IV.", "V.")) -> bytes:
    """An agency's report as a district office writes it: letterhead, title, "Kính gửi", five headed parts, closing."""
    document = Document()
    for line in (
        name.upper(),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/BC-UBND",
        "BÁO CÁO",
        "KẾT QUẢ THỰC HIỆN CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM",
        "Kính gửi: Sở Lao động - Thương binh và Xã hội.",
        f"Thực hiện Kế hoạch của UBND tỉnh, {name} báo cáo kết quả như sau:",
    ):
        document.add_paragraph(line)
    for number, (heading, text) in zip(numbering, headings.items(), strict=False):
        document.add_paragraph(f"{number} {heading}")
        for paragraph in text.split("\n"):
            document.add_paragraph(paragraph)
    for line in (
        f"Trên đây là báo cáo của {name}./.",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
        "CHỦ TỊCH",
        "Nguyễn Văn Mười",
    ):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def reply(
    session,
    catalog,
    data_dir,
    deadline: DeadlineRow,
    at: dt.datetime,
    files: list[tuple[str, bytes, str]],
    cover: str = "Kính gửi Sở, đơn vị xin gửi báo cáo theo yêu cầu. Trân trọng.",
) -> SubmissionRow:
    """What intake does with an agency's reply carrying its report: a new version, the attachments' text read."""
    agency = catalog.directory.agencies[deadline.agency_id]
    sender = agency.contacts[0].address
    message = EmailMessage()
    message["From"], message["To"] = sender, "baocao@sldtbxh.example.org"
    message["Subject"] = f"Re: [DD-{deadline.id}] Báo cáo 6 tháng"
    message["Message-ID"], message["Date"] = make_msgid(domain="example.org"), format_datetime(at)
    message.set_content(cover)
    for name, content, mime in files:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    raw = message.as_bytes()
    count = len(list(session.exec(select(InboundRow.id))))
    row = InboundRow(
        sha256=f"{count:064d}",
        source_ref="test",
        path="x",
        size=len(raw),
        received_at=at,
        status="submission",
        deadline_id=deadline.id,
    )
    session.add(row)
    session.flush()
    mail = parse_message(raw)
    submission = record_submission(session, catalog, SETUP, data_dir, deadline, row, mail, strip_quoted(mail.text), at)
    session.commit()
    return submission


def reminder(session, deadline: DeadlineRow, address: str, at: dt.datetime, stage: str) -> None:
    session.add(
        OutboxRow(
            key=f"reminder:{deadline.id}:{stage}",
            kind="reminder",
            deadline_id=deadline.id,
            stage=stage,
            message_id=f"<{deadline.id}.{stage}@sldtbxh.example.org>",
            sender="dondoc@example.org",
            recipients=[address],
            subject="Nhắc hạn",
            raw=b"x",
            status="sent",
            sent_at=at,
            created_at=at,
        )
    )


@pytest.mark.parametrize("plan", list(SEASONS))
def test_the_report_quotes_agencies_under_the_right_parts_and_agrees_with_status(
    engine, catalog, tmp_path, plan, monkeypatch
):
    period, at_ok, at_late, at_report = SEASONS[plan]
    data_dir = tmp_path / "data"
    with Session(engine, expire_on_commit=False) as session:
        sync_catalog(catalog, session=session, now=at_ok, horizon_days=400)
        rows = list(
            session.exec(
                select(DeadlineRow)
                .where(
                    DeadlineRow.plan_id == plan,
                    DeadlineRow.obligation_id == "bao-cao-dinh-ky",
                    DeadlineRow.period_key == period,
                )
                .order_by(DeadlineRow.id)
            )
        )
        name = {r.agency_id: catalog.directory.agencies[r.agency_id].name for r in rows}
        a, b, c, d, e, f, g = rows[:7]
        # (a) on time, a .docx with the usual headings
        reply(
            session,
            catalog,
            data_dir,
            a,
            at_ok,
            [
                (
                    "bao-cao.docx",
                    agency_docx(
                        name[a.agency_id],
                        {
                            "CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN": (
                                "Ban hành Kế hoạch số 45/KH-UBND triển khai công tác trẻ em."
                            ),
                            "KẾT QUẢ THỰC HIỆN": "Tổ chức 12 lớp tập huấn kỹ năng sống cho học sinh.",
                            "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN": "Kinh phí cho công tác trẻ em còn hạn chế.",
                            "PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM": "Kiện toàn đội ngũ cộng tác viên thôn, ấp.",
                            "KIẾN NGHỊ, ĐỀ XUẤT": "Đề nghị tỉnh bổ sung biên chế cán bộ làm công tác trẻ em.",
                        },
                    ),
                    DOCX,
                )
            ],
        )
        # (b) on time with a .pdf (other words, other numbering), then a second version after the last day
        reply(
            session,
            catalog,
            data_dir,
            b,
            at_ok,
            [
                (
                    "bao-cao.pdf",
                    text_pdf(
                        [
                            "BAO CAO",
                            "Kinh gui: So LDTBXH",
                            "Don vi bao cao nhu sau:",
                            "1. Ket qua dat duoc",
                            "Cap 850 the BHYT cho tre em duoi 6 tuoi.",
                            "2. Kho khan, vuong mac",
                            "Thieu can bo chuyen trach o cap xa.",
                            "3. De xuat",
                            "Mo lop boi duong cho cong tac vien.",
                            "Noi nhan:",
                        ]
                    ),
                    "application/pdf",
                )
            ],
        )
        reply(
            session,
            catalog,
            data_dir,
            b,
            at_late,
            [
                (
                    "bao-cao-bo-sung.docx",
                    agency_docx(
                        name[b.agency_id],
                        {
                            "Kết quả đạt được": "Cấp 870 thẻ BHYT cho trẻ em dưới 6 tuổi (số liệu bổ sung).",
                            "Khó khăn, vướng mắc": "Thiếu cán bộ chuyên trách ở cấp xã.",
                        },
                        numbering=("1.", "2."),
                    ),
                    DOCX,
                )
            ],
        )
        # (c) late only; (d) on time but returned, resent late
        reply(
            session,
            catalog,
            data_dir,
            c,
            at_late,
            [
                (
                    "bc.docx",
                    agency_docx(
                        name[c.agency_id],
                        {
                            "Tình hình triển khai thực hiện": "Triển khai đến 100% xã, phường.",
                            "Nhiệm vụ trọng tâm thời gian tới": "Tăng cường kiểm tra, giám sát tại cơ sở.",
                        },
                        numbering=("Phần I:", "Phần II:"),
                    ),
                    DOCX,
                )
            ],
        )
        returned = reply(
            session,
            catalog,
            data_dir,
            d,
            at_ok,
            [("bc.docx", agency_docx(name[d.agency_id], {"KẾT QUẢ": "Số liệu chưa đầy đủ."}), DOCX)],
        )
        return_submission(session, catalog, SETUP, returned.id, "Thiếu số liệu", at_ok + dt.timedelta(hours=4))
        reply(
            session,
            catalog,
            data_dir,
            d,
            at_late,
            [("bc-v2.docx", agency_docx(name[d.agency_id], {"KẾT QUẢ": "Số liệu đầy đủ sau khi bổ sung."}), DOCX)],
        )
        # (e) excused; (f) a reminder that bounced; (g) a reminder delivered; the rest never answered
        excuse(session, e.id, "Sáp nhập đơn vị")
        bounced = catalog.directory.agencies[f.agency_id].contacts[0].address
        reminder(session, f, bounced, at_ok - dt.timedelta(days=2), "before-3")
        contact = session.exec(select(ContactRow).where(ContactRow.address == bounced)).first()
        contact.flagged_at, contact.flag_reason = at_ok - dt.timedelta(days=1), "bounce (inbound #1)"
        reminder(session, g, catalog.directory.agencies[g.agency_id].contacts[0].address, at_ok, "before-3")
        reminder(session, g, catalog.directory.agencies[g.agency_id].contacts[0].address, at_late, "overdue-1")
        session.commit()

        report, data = compile_tong_hop(
            session, catalog, out_dir=data_dir / "reports", now=at_report, plan=plan, period=period, data_dir=data_dir
        )
        today = at_report.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
        state = overview(session, catalog, today, ahead=30)

    # every agency's state in the report is the one `dondoc status` gives it that day
    [period_status] = [
        p
        for p in state.periods
        if p.plan_id == plan and p.obligation_id == "bao-cao-dinh-ky" and p.period_key == period
    ]
    by_status = {
        "on-time": period_status.on_time,
        "late": period_status.late,
        "overdue": period_status.overdue,
        "not-due": period_status.not_due,
        "excused": period_status.excused,
    }
    for line in data.agencies:
        assert line.name in by_status[line.status], (line.name, line.status)
    assert sum(map(len, by_status.values())) == len(data.agencies)
    states = {line.agency_id: line for line in data.agencies}
    assert [states[r.agency_id].status for r in (a, b, c, d, e, f, g)] == [
        "on-time",
        "on-time",
        "late",
        "late",
        "excused",
        "overdue",
        "overdue",
    ]
    # (b): on time by its first version, its latest version shown beside; (d): the returned version counts for nothing
    assert states[b.agency_id].first_at == at_ok and states[b.agency_id].submitted_at == at_late
    assert states[b.agency_id].version == 2
    assert states[d.agency_id].first_at == at_late and states[d.agency_id].version == 2
    assert (states[f.agency_id].reminders, states[f.agency_id].bounced) == (0, (bounced,))
    assert states[g.agency_id].reminders == 2 and not states[g.agency_id].bounced
    assert (data.on_time, data.late, data.excused) == (2, 2, 1)

    # the same counts in `dondoc status --format json`
    monkeypatch.setenv("DONDOC_DATABASE_URL", str(engine.url))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(data_dir))
    from dondoc.cli import app

    shown = CliRunner().invoke(app, ["status", "--now", at_report.isoformat(), "--format", "json"])
    assert shown.exit_code == 0, shown.output
    [row] = [
        r for r in json.loads(shown.stdout)["periods"] if r["plan"] == plan and r["obligation"] == "bao-cao-dinh-ky"
    ]
    assert (row["on_time"], row["late"], row["excused"], row["overdue"] + row["not_due"]) == (
        data.on_time,
        data.late,
        data.excused,
        data.missing,
    )

    docx = data_dir / report.files["docx"]
    lines = [line for line in text_of(docx).splitlines()]
    text = "\n".join(lines)
    # the status table: state words of the vocabulary, first time, latest version where it differs, bounces
    local = "%d/%m/%Y %H:%M"
    first_b = at_ok.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime(local)
    latest_b = at_late.astimezone(dt.timezone(dt.timedelta(hours=7))).strftime(local)
    row_b = lines[lines.index(name[b.agency_id]) : lines.index(name[b.agency_id]) + 5]
    assert row_b == [name[b.agency_id], state_label("on-time"), first_b, f"lần 2, {latest_b}", "0"]
    assert f"{name[f.agency_id]} (quá hạn): chưa nhắc được lần nào; thư nhắc bị trả lại (địa chỉ {bounced})." in text
    assert f"{name[g.agency_id]} (quá hạn): đã nhắc 2 lần." in text
    assert lines[lines.index(name[c.agency_id]) + 1] == "Muộn" and lines[lines.index(name[e.agency_id]) + 1] == (
        "Được miễn"
    )

    # each part quotes what the agencies wrote under it, with their names; cover mails are not content
    heads = [
        lines.index(h)
        for h in (
            "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN VÀ GỬI BÁO CÁO",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
            "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
            "V. KIẾN NGHỊ, ĐỀ XUẤT",
            "Nơi nhận:",
        )
    ]
    part = ["\n".join(lines[heads[i] : heads[i + 1]]) for i in range(5)]
    assert "Ban hành Kế hoạch số 45/KH-UBND triển khai công tác trẻ em." in part[0]
    assert "Triển khai đến 100% xã, phường." in part[0] and f"{name[c.agency_id]} báo cáo:" in part[0]
    assert "Tổ chức 12 lớp tập huấn kỹ năng sống cho học sinh." in part[1]
    assert "Cấp 870 thẻ BHYT cho trẻ em dưới 6 tuổi (số liệu bổ sung)." in part[1]  # b's latest version
    assert "Cap 850 the BHYT" not in text  # b's first version (the .pdf) is replaced by its latest
    assert "Số liệu đầy đủ sau khi bổ sung." in part[1] and "Số liệu chưa đầy đủ." not in text
    assert "Kinh phí cho công tác trẻ em còn hạn chế." in part[2] and "Thiếu cán bộ chuyên trách ở cấp xã." in part[2]
    assert (
        "Kiện toàn đội ngũ cộng tác viên thôn, ấp." in part[3] and "Tăng cường kiểm tra, giám sát tại cơ sở." in part[3]
    )
    assert "Đề nghị tỉnh bổ sung biên chế cán bộ làm công tác trẻ em." in part[4]
    assert all("[Cơ quan tổng hợp viết tiếp tại đây" in p for p in part)
    for not_content in (
        "đơn vị xin gửi báo cáo",
        "Kính gửi",
        "Nơi nhận:\n- Như trên",
        "Nguyễn Văn Mười",
        "bao-cao.docx",
    ):
        assert not_content not in "\n".join(part), not_content

    # the plan cited as its text gives it (000 and 004 write no number and no date), the trích yếu says it once
    issuer = {"bp-2021": "UBND tỉnh Bình Phước", "tth-2020": "UBND tỉnh Thừa Thiên Huế"}[plan]
    assert f"Thực hiện Kế hoạch của {issuer} về công tác" in text
    assert "số /" not in text and "Kế hoạch thực hiện công tác" not in text
    # signed on approval by whom the coordinator names
    with Session(engine, expire_on_commit=False) as session:
        approve(session, report.id, "Phó Giám đốc", at_report, catalog=catalog, data_dir=data_dir)
        assert session.get(type(report), report.id).summary["signer"]["authority"] == "KT. GIÁM ĐỐC"
    signer = next(s for s in catalog.directory.agencies[catalog.plans[plan].coordinator].signers if s.form == "KT")
    signed = text_of(docx).splitlines()
    assert [line for line in signed[signed.index("- Lưu: VT.") :] if line][1:] == [
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        signer.name,
    ]
    html = (data_dir / report.files["html"]).read_text(encoding="utf-8")
    assert f"<p>{signer.name}</p>" in html and "<p>KT. GIÁM ĐỐC</p>" in html


def test_approving_with_a_name_that_is_no_signer_changes_nothing(engine, catalog, tmp_path):
    from dondoc.errors import UsageError

    at = dt.datetime(2021, 5, 24, 3, tzinfo=dt.UTC)
    with Session(engine, expire_on_commit=False) as session:
        sync_catalog(catalog, session=session, now=at, horizon_days=400)
        report, _ = compile_tong_hop(session, catalog, out_dir=tmp_path, now=at)
        before = (tmp_path / report.files["docx"].rpartition("/")[2]).read_bytes()
        with pytest.raises(UsageError, match="not a signer of bp.so-ldtbxh.*pho-giam-doc"):
            approve(session, report.id, "Chánh Văn phòng", at, catalog=catalog)
        assert session.get(type(report), report.id).status == "draft"
        approve(session, report.id, "giam-doc", at, catalog=catalog)
        after = text_of(tmp_path / report.files["docx"].rpartition("/")[2]).splitlines()
    assert before != (tmp_path / report.files["docx"].rpartition("/")[2]).read_bytes()
    assert [line for line in after[after.index("- Lưu: VT.") :] if line][1:] == ["GIÁM ĐỐC", "Nguyễn Văn An"]
    assert not any(line.startswith("KT.") for line in after)
    assert DeadlineStatus.OPEN == "open"

"""``dondoc demo``: a whole reporting season of a seed plan, on a simulated clock, everything embedded.

SQLite, the real Prefect flows (an ephemeral Prefect server, nothing to
start), a local SMTP server (aiosmtpd) delivering into one Maildir per
address, and simulated agencies that answer as real ones do: on time with
the form filled in, late, after escalation, never, with an out-of-office
reply, from an address that bounces, with the wrong attachment, twice.
Then intake, receipts, and the consolidated report approved and sent up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import secrets
import shutil
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

__all__ = ["DemoResult", "plan_and_config", "run_demo"]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
BEHAVIOURS = (
    "on-time",
    "on-time",
    "on-time",
    "late",
    "after-escalation",
    "never",
    "auto-reply",
    "bounce",
    "wrong-attachment",
    "resubmits",
)


@dataclass
class DemoResult:
    """What the season produced."""

    plan: str
    period: str
    data_dir: Path
    mail_dir: Path
    behaviours: dict[str, str]
    reminders_sent: int = 0
    receipts_sent: int = 0
    inbound: Counter = field(default_factory=Counter)
    deadlines: Counter = field(default_factory=Counter)
    report_files: dict[str, str] = field(default_factory=dict)
    report_summary: dict = field(default_factory=dict)
    report_sent_to: list[str] = field(default_factory=list)


def _reply(
    reminder: bytes,
    sender: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    when: dt.datetime,
    auto: bool = False,
) -> bytes:
    import email
    import email.policy

    original = email.message_from_bytes(reminder, policy=email.policy.default)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = str(original["Reply-To"] or original["From"])
    message["Subject"] = ("Trả lời tự động: " if auto else "Re: ") + str(original["Subject"])
    message["In-Reply-To"] = original["Message-ID"]
    message["References"] = original["Message-ID"]
    message["Message-ID"] = make_msgid(domain=sender.partition("@")[2])
    message["Date"] = format_datetime(when)
    if auto:
        message["Auto-Submitted"] = "auto-replied"
    plain = original.get_body(("plain",))
    quoted = "\n".join("> " + line for line in (plain.get_content() if plain is not None else "").splitlines())
    message.set_content(f"{body}\n\nVào {original['Date']}, {original['From']} đã viết:\n{quoted}\n")
    for name, content, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def _filled_form(reminder: bytes, rng: random.Random) -> tuple[str, bytes] | None:
    import email
    import email.policy
    import io

    from openpyxl import load_workbook

    from dondoc.documents.form import FIRST_ROW, FORM_SHEET

    original = email.message_from_bytes(reminder, policy=email.policy.default)
    for part in original.iter_attachments():
        filename = part.get_filename() or ""
        if filename.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(part.get_content()))
            sheet = book[FORM_SHEET]
            row = FIRST_ROW
            while sheet.cell(row, 2).value:
                unit = sheet.cell(row, 4).value
                if unit == "%":
                    denominator = rng.randint(200, 2000)
                    numerator = round(denominator * rng.uniform(0.8, 1.0))
                    sheet.cell(row, 7).value = round(numerator / denominator * 100, 1)
                    sheet.cell(row, 8).value, sheet.cell(row, 9).value = numerator, denominator
                elif unit == "số lượng":
                    sheet.cell(row, 7).value = rng.randint(1, 60)
                row += 1
            out = io.BytesIO()
            book.save(out)
            return filename, out.getvalue()
    return None


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def plan_and_config(plan: str) -> tuple[str, Path | None]:
    """``--plan`` as a plan id of the configuration, or as a plan file of another one (an example's
    ``…/plans/<id>.yaml``: its configuration is the folder above ``plans/``)."""
    path = Path(plan)
    if path.suffix.lower() not in (".yaml", ".yml"):
        return plan, None
    if not path.is_file() and not path.is_absolute() and path.parts[:1] == ("config",):
        from dondoc.resources import shipped

        path = shipped("config").joinpath(*path.parts[1:])  # the shipped example, also from an installed wheel
    if not path.is_file():
        from dondoc.errors import NotFound

        raise NotFound(f"{plan}: no such plan file")
    from dondoc.config import load_catalog

    config_dir = path.resolve().parent.parent
    catalog = load_catalog(config_dir, plan_files=[path.resolve()])
    return next(iter(catalog.plans)), config_dir


def run_demo(
    *,
    plan_id: str = "bp-2021",
    period: str | None = None,
    seed: int = 1,
    directory: Path,
    progress=None,
    config_dir: Path | None = None,
) -> DemoResult:
    """Play one reporting season of ``plan_id`` in ``directory`` (wiped first); see the module docstring.
    ``config_dir``: another configuration than the settings' (an example's)."""
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from dondoc.mail.sink import MaildirSink

    if directory.exists():
        shutil.rmtree(directory)
    data, mail = directory / "data", directory / "mail"
    directory.mkdir(parents=True, mode=0o700)
    data.mkdir(mode=0o700)
    rng = random.Random(seed)
    saved = dict(os.environ)  # the demo's settings are for its run only: put the environment back after
    with MaildirSink(mail) as sink:
        os.environ.update(
            {
                "DONDOC_DATA_DIR": str(data),
                "DONDOC_DATABASE_URL": f"sqlite:///{data / 'dondoc.sqlite3'}",
                "DONDOC_SMTP_HOST": "127.0.0.1",
                "DONDOC_SMTP_PORT": str(sink.port),
                "DONDOC_SMTP_SECURITY": "none",
                "DONDOC_INBOX": "maildir",
                "DONDOC_MAILDIR": str(data / "inbox"),
                "DONDOC_HMAC_KEY": secrets.token_hex(16),
                "DONDOC_COMPOSE_WORKERS": "0",
                **({"DONDOC_CONFIG_DIR": str(config_dir)} if config_dir is not None else {}),
            }
        )
        try:
            return _season(plan_id, period, rng, data, mail, sink, progress)
        finally:
            os.environ.clear()
            os.environ.update(saved)


def _season(plan_id, period, rng, data, mail, sink, progress) -> DemoResult:
    import mailbox

    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from dondoc.errors import NotFound
    from dondoc.flows.chase import chase
    from dondoc.flows.compile_report import compile_report_flow
    from dondoc.flows.ingest_replies import ingest_replies
    from dondoc.flows.sync_plans import sync_plans
    from dondoc.operations import season
    from dondoc.policy import stages
    from dondoc.wiring import build

    app = build()
    catalog = app.catalog()
    if plan_id not in catalog.plans:
        raise NotFound(f"no plan '{plan_id}' (known: {', '.join(sorted(catalog.plans))})")
    plan = catalog.plans[plan_id]
    consolidating = next((o for o in plan.obligations if o.consolidates), None)
    inputs = (
        plan.obligation(consolidating.consolidates[0])
        if consolidating
        else next(o for o in plan.obligations if o.schedule.every != "ad-hoc")
    )
    calendar, policy = app.calendar(catalog), app.policy()
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        start = dt.datetime.combine(plan.valid.start, dt.time(8), HANOI)
        sync_plans(now=start)
        rows = season.season_deadlines(app, plan_id, inputs.id)
        period = period or min(rows, key=lambda r: r.last_day).period_key
        rows = [r for r in rows if r.period_key == period]
        last_day = max(r.last_day for r in rows)
        agencies = sorted({r.agency_id for r in rows})
        behaviours = {a: BEHAVIOURS[i % len(BEHAVIOURS)] for i, a in enumerate(rng.sample(agencies, len(agencies)))}
        result = DemoResult(plan_id, period, data, mail, behaviours)
        season_stages = stages(last_day, policy.for_obligation(plan_id, inputs.id), calendar)
        first, final = season_stages[0][1], season_stages[-1][1]
        stage_days = {day for _, day, _ in season_stages}
        days = [first + dt.timedelta(days=n) for n in range((final - first).days + 3)]
        inbox = mailbox.Maildir(data / "inbox", create=True)
        replied: dict[str, int] = Counter()
        for index, day in enumerate(days):
            if progress:
                progress(index + 1, len(days) + 1, f"{day:%d/%m/%Y}")
            if not calendar.is_working_day(day):
                continue
            morning = dt.datetime.combine(day, dt.time(8, 30), HANOI)
            if day in stage_days:  # on other days the policy has nothing to send: skip the flow run
                asyncio.run(chase(plan=plan_id, obligation=inputs.id, period=period, now=morning))
            queued_replies = _agencies_answer(
                catalog, sink, behaviours, replied, inbox, rng, day, last_day, calendar, morning
            )
            if queued_replies:
                asyncio.run(ingest_replies(now=morning + dt.timedelta(hours=2)))
        # the coordinator compiles, approves and sends the consolidated report
        report_day = calendar.add_working_days(last_day, 1)
        when = dt.datetime.combine(max(report_day, days[-1]), dt.time(9), HANOI)
        if progress:
            progress(len(days) + 1, len(days) + 1, "báo cáo tổng hợp")
        target = consolidating or inputs
        compiled = compile_report_flow(
            plan=plan_id, obligation=target.id, period=period, require_approval=False, now=when
        )
        assert isinstance(compiled, dict), "without an approval to wait for, the flow returns its result"
        from dondoc.consolidate import report_paths
        from dondoc.operations import reports

        signers = catalog.directory.agencies[catalog.plans[plan_id].coordinator].signers
        row = reports.send(
            app,
            compiled["report"],
            actor="demo",
            now=when,
            approve_by=signers[-1].id if signers else "Lãnh đạo Sở (demo)",
        ).row
        result.report_files = {kind: str(path) for kind, path in report_paths(row, app.settings.data_dir).items()}
        result.report_summary = dict(row.summary)
        summary = season.season_summary(app, plan_id, period)
        result.report_sent_to = list(summary.report_sent_to)
        result.reminders_sent = summary.reminders_sent
        result.receipts_sent = summary.receipts_sent
        result.inbound = summary.inbound
        result.deadlines = summary.deadlines
    app.dispose()
    return result


def _bounce(sink, inbox, address: str, replied: Counter, agency_id: str, when: dt.datetime) -> int:
    """The agency's mail server does not know the address: the relay returns a DSN (once), like Postfix does,
    with the headers of the message it returns (so dondoc can tell it is a bounce of its own reminder)."""
    box = sink.mailbox(address)
    if replied[agency_id] or not box.keys():
        return 0
    returned = box.get_bytes(sorted(box.keys())[-1]).replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    returned = returned.replace(b"\n", b"\r\n").decode("ascii", "replace")
    box.clear()  # the message never reached a mailbox
    replied[agency_id] = 1
    host = address.partition("@")[2]
    boundary = f"dsn-{abs(hash(address)) % 10**8}"
    raw = (
        f"From: MAILER-DAEMON@relay.example.org (Mail Delivery System)\r\n"
        f"To: dondoc@sldtbxh.example.org\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: {make_msgid(domain='relay.example.org')}\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"This is the mail system at host relay.example.org.\r\n\r\nI'm sorry to have to inform you that your "
        f"message could not be delivered to one or more recipients.\r\n\r\n<{address}>: host {host} said: "
        f"550 5.1.1 <{address}>: Recipient address rejected: User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; relay.example.org\r\n\r\nFinal-Recipient: rfc822; {address}\r\n"
        f"Action: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n{returned}\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    inbox.add(raw)
    return 1


# What simulated agencies write in their reports, by part (the usual headings of a Vietnamese period report).
_REPORT_PARTS = (
    (
        "I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN",
        (
            "Ban hành kế hoạch triển khai công tác trẻ em năm 2021 và phân công nhiệm vụ cho các phòng, đơn vị.",
            "Tổ chức hội nghị quán triệt kế hoạch của UBND tỉnh tới cán bộ phụ trách công tác trẻ em.",
            "Lồng ghép nhiệm vụ bảo vệ, chăm sóc trẻ em vào chương trình công tác năm của đơn vị.",
        ),
    ),
    (
        "II. KẾT QUẢ THỰC HIỆN",
        (
            "Tổ chức {n} buổi truyền thông về phòng, chống xâm hại trẻ em và tai nạn đuối nước.",
            "Hỗ trợ {n} trẻ em có hoàn cảnh đặc biệt được chăm sóc, tái hòa nhập cộng đồng.",
            "Tặng {n} suất quà cho trẻ em nghèo nhân dịp Tháng hành động vì trẻ em.",
        ),
    ),
    (
        "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        (
            "Kinh phí bố trí cho công tác trẻ em còn hạn chế, chủ yếu lồng ghép từ các chương trình khác.",
            "Cán bộ làm công tác trẻ em cấp xã kiêm nhiệm nhiều việc, thường xuyên thay đổi.",
            "Một số đơn vị gửi báo cáo chưa đúng thời hạn, số liệu chưa đầy đủ.",
        ),
    ),
    (
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM",
        (
            "Tiếp tục tuyên truyền Luật Trẻ em và các chính sách hỗ trợ trẻ em có hoàn cảnh đặc biệt.",
            "Kiện toàn đội ngũ cộng tác viên làm công tác trẻ em ở thôn, ấp, khu phố.",
        ),
    ),
    (
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        (
            "Đề nghị Sở Lao động - Thương binh và Xã hội tổ chức tập huấn nghiệp vụ cho cán bộ cấp xã.",
            "Đề nghị UBND tỉnh bố trí kinh phí riêng cho công tác bảo vệ trẻ em.",
        ),
    ),
)


def _agency_report(agency_name: str, rng: random.Random) -> bytes:
    """An agency's report as a .docx written the usual way: title, "Kính gửi", parts I–V, closing, "Nơi nhận"."""
    import io

    from docx import Document

    document = Document()
    for line in (
        agency_name.upper(),
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BÁO CÁO",
        "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021",
        "Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Bình Phước.",
        f"Thực hiện Kế hoạch của UBND tỉnh, {agency_name} báo cáo kết quả như sau:",
    ):
        document.add_paragraph(line)
    for heading, sentences in _REPORT_PARTS:
        if heading.startswith(("IV", "V.")) and rng.random() < 0.3:
            continue  # not every agency writes every part
        document.add_paragraph(heading)
        for sentence in rng.sample(sentences, k=rng.randint(1, min(2, len(sentences)))):
            document.add_paragraph(sentence.format(n=rng.randint(3, 40)))
    for line in (f"Trên đây là báo cáo của {agency_name}./.", "Nơi nhận:", "- Như trên;", "- Lưu: VT."):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _agencies_answer(catalog, sink, behaviours, replied, inbox, rng, day, last_day, calendar, morning) -> int:
    """Each agency reads its new mail and answers as its behaviour says; returns the replies delivered."""
    import email
    import email.policy

    from dondoc.model import Role

    count = 0
    for agency_id, behaviour in behaviours.items():
        agency = catalog.directory.agencies[agency_id]
        addresses = agency.addresses(Role.REPORTER)
        if not addresses or behaviour == "never":
            continue
        address = addresses[0]
        if behaviour == "bounce":
            count += _bounce(sink, inbox, address, replied, agency_id, morning)
            continue
        box = sink.mailbox(address)
        reminders = []
        for key in sorted(box.keys()):
            raw = box.get_bytes(key)
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            subject = str(parsed["Subject"] or "")
            if subject.startswith("[DD-") and not parsed["In-Reply-To"]:
                reminders.append((parsed["Date"].datetime if parsed["Date"] else None, raw, subject))
        if not reminders:
            continue
        reminders.sort(key=lambda r: r[0].timestamp() if r[0] is not None else 0.0)  # (the sink's mails have a Date)
        _, latest, stage_text = reminders[-1]
        overdue = "Quá hạn" in stage_text
        when = morning + dt.timedelta(hours=1, minutes=rng.randint(0, 120))
        form = _filled_form(latest, rng)
        report = ("bao-cao-ket-qua.docx", _agency_report(agency.name, random.Random(agency_id)), DOCX)
        answer = None
        if behaviour == "auto-reply" and replied[agency_id] < len(reminders):
            answer = _reply(latest, address, "Tôi đang đi công tác, sẽ trả lời khi về cơ quan.", [], when, auto=True)
            replied[agency_id] = len(reminders)
        elif replied[agency_id]:
            if behaviour == "resubmits" and replied[agency_id] == 1 and day > last_day:
                answer = _reply(
                    latest,
                    address,
                    "Gửi bổ sung báo cáo đã hoàn thiện số liệu.",
                    [report, (form[0], form[1], XLSX)] if form else [report],
                    when,
                )
                replied[agency_id] = 2
        elif (
            behaviour in ("on-time", "resubmits")
            or (behaviour == "late" and day > last_day)
            or (behaviour == "after-escalation" and overdue and "lần 2" in stage_text)
        ):
            text = "Kính gửi Sở, đơn vị xin gửi báo cáo kết quả thực hiện và biểu mẫu số liệu."
            answer = _reply(latest, address, text, [report, (form[0], form[1], XLSX)] if form else [report], when)
            replied[agency_id] = 1
        elif behaviour == "wrong-attachment" and day >= last_day:
            answer = _reply(
                latest,
                address,
                "Gửi báo cáo.",
                [("baocao.exe", b"MZ\x90\x00 not a report", "application/octet-stream")],
                when,
            )
            replied[agency_id] = 1
        if answer is not None:
            inbox.add(answer)
            count += 1
    return count

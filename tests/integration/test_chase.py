"""Chasing over a simulated season, against a real SMTP server (aiosmtpd delivering into Maildirs)."""

from __future__ import annotations

import datetime as dt
import email
import io
from collections import defaultdict
from dataclasses import replace
from email import policy as email_policy
from functools import partial
from zoneinfo import ZoneInfo

import icalendar
import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from dondoc.chase import ChaseFilter, MailSetup, run_chase
from dondoc.db.tables import ContactRow, DeadlineRow, DeadlineStatus, OutboxRow
from dondoc.documents.form import read_form
from dondoc.mail.render import jinja_environment
from dondoc.mail.sink import MaildirSink
from dondoc.mail.tokens import read_token
from dondoc.mail.transport import SmtpTransport
from dondoc.resources import shipped
from dondoc.sync import sync_catalog
from dondoc.workdays import WorkCalendar
from tests import figures

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
KEY = b"test-secret"
SETUP = MailSetup(
    env=jinja_environment(shipped("templates")),
    sender="dondoc@sldtbxh.example.org",
    sender_name="Hệ thống đôn đốc báo cáo",
    domain="sldtbxh.example.org",
    reply_local="baocao",
    hmac_key=KEY,
)


@pytest.fixture
def sink(tmp_path):
    with MaildirSink(tmp_path / "mail") as server:
        yield server


def morning(day: dt.date, hour: int = 8, minute: int = 30) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), HANOI).astimezone(dt.UTC)


def season(engine, catalog, sink, only: ChaseFilter, start: dt.date, end: dt.date, submit=None):
    """Run chase every day at 08:30 from ``start`` to ``end``; ``submit`` maps a day to agencies that submit."""
    calendar = WorkCalendar(catalog.calendar_years.values())
    transport = SmtpTransport(host="127.0.0.1", port=sink.port, connections=2)
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=morning(start), horizon_days=400)
    sent = []
    day = start
    while day <= end:
        with Session(engine) as session:
            for agency in (submit or {}).get(day, []):
                query = select(DeadlineRow).where(DeadlineRow.agency_id == agency, DeadlineRow.plan_id == only.plan)
                if only.obligation:
                    query = query.where(DeadlineRow.obligation_id == only.obligation)
                for row in session.exec(query):
                    row.status = DeadlineStatus.SUBMITTED
            session.commit()
            report = run_chase(
                session=session,
                catalog=catalog,
                policy=policy_default(),
                calendar=calendar,
                setup=SETUP,
                transport=transport,
                now=morning(day),
                only=only,
                worker="test",
            )
            assert report.failed == 0 and not report.skipped, report.skipped
            sent += [(day, p.agency, p.stage.split("@")[0], p.escalate) for p in report.planned]
        day += dt.timedelta(days=1)
    return sent


def policy_default():
    from dondoc.policy import PolicyFile

    return PolicyFile()


def by_agency(sent):
    result = defaultdict(list)
    for day, agency, stage, escalate in sent:
        result[agency].append((day.isoformat(), stage, escalate))
    return result


def test_hanoi_evaluation_season(engine, catalog, sink):
    """001: evaluation "trước ngày 10/7/2021" → last day Friday 9/7/2021."""
    only = ChaseFilter(plan="hn-235-2020", obligation="danh-gia-2021")
    sent = season(
        engine,
        catalog,
        sink,
        only,
        dt.date(2021, 6, 14),
        dt.date(2021, 7, 31),
        submit={dt.date(2021, 7, 7): ["hn.so-y-te"]},
    )
    agencies = by_agency(sent)
    full = [
        ("2021-06-25", "before-10", False),
        ("2021-07-06", "before-3", False),
        ("2021-07-09", "due", False),
        ("2021-07-14", "overdue-1", False),
        ("2021-07-19", "overdue-2", True),
        ("2021-07-22", "overdue-3", True),
    ]
    reporters = catalog.directory.expand(catalog.plans["hn-235-2020"].obligation("danh-gia-2021").reporters)
    assert set(agencies) == set(reporters)
    for agency in reporters:
        expected = full[:2] if agency == "hn.so-y-te" else full  # submitted on 7/7: nothing after
        assert agencies[agency] == expected, agency
    # at the server: one mail per (agency, stage), escalation copies to the head and the coordinator's leader
    assert sink.stats.duplicates == 0
    head = catalog.directory.agencies["hn.cong-an-tp"].addresses(__import__("dondoc.model").model.Role.HEAD)[0]
    assert sink.stats.delivered[head] == 2
    leader = catalog.directory.agencies["hn.so-ldtbxh"].addresses(__import__("dondoc.model").model.Role.LEADER)
    assert leader and sink.stats.delivered[leader[0]] == 2 * (len(reporters) - 1)


def test_dak_lak_season_skips_days_off(engine, catalog, sink):
    """002, year 2018: agencies by 15/12 (a Saturday → Mon 17/12); Sở LĐTBXH by 20/12; New Year off."""
    only = ChaseFilter(plan="dl-2041-2016", period="2018")
    sent = season(engine, catalog, sink, only, dt.date(2018, 11, 26), dt.date(2019, 1, 10))
    agencies = by_agency(sent)
    assert agencies["dl.so-y-te"] == [
        ("2018-12-03", "before-10", False),
        ("2018-12-12", "before-3", False),
        ("2018-12-17", "due", False),
        ("2018-12-20", "overdue-1", False),
        ("2018-12-25", "overdue-2", True),
        ("2018-12-28", "overdue-3", True),
    ]
    assert agencies["dl.so-ldtbxh"] == [
        ("2018-12-06", "before-10", False),
        ("2018-12-17", "before-3", False),
        ("2018-12-20", "due", False),
        ("2018-12-25", "overdue-1", False),
        ("2018-12-28", "overdue-2", True),
        ("2019-01-04", "overdue-3", True),
    ]  # 31/12/2018 and 1/1/2019 are days off
    calendar = WorkCalendar(catalog.calendar_years.values())
    assert all(calendar.is_working_day(day) for day, *_ in sent)


def test_a_reminder_as_the_agency_receives_it(engine, catalog, sink):
    only = ChaseFilter(plan="hn-235-2020", obligation="danh-gia-2021", agency="hn.cong-an-tp")
    season(engine, catalog, sink, only, dt.date(2021, 6, 25), dt.date(2021, 6, 25))
    address = catalog.directory.agencies["hn.cong-an-tp"].contacts[0].address
    [raw] = sink.messages(address)
    message = email.message_from_bytes(raw, policy=email_policy.default)
    with Session(engine) as session:
        row = session.exec(
            select(DeadlineRow).where(
                DeadlineRow.agency_id == "hn.cong-an-tp", DeadlineRow.obligation_id == "danh-gia-2021"
            )
        ).one()
        outbox = session.exec(select(OutboxRow).where(OutboxRow.deadline_id == row.id)).one()
    assert str(message["Subject"]).startswith(f"[DD-{row.id}] Nhắc hạn báo cáo: ")
    assert str(message["Subject"]).endswith("— hạn 09/07/2021")
    assert message["Message-ID"] == outbox.message_id
    assert message["Auto-Submitted"] == "auto-generated"
    local, _, domain = message["Reply-To"].addresses[0].addr_spec.partition("@")
    assert domain == "sldtbxh.example.org" and read_token(local.split("+", 1)[1], KEY) == row.id
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Thứ Sáu, 09/07/2021" in text and "Thứ Sáu, 09/07/2021" in html
    assert "trước ngày 10/07/2021" in text
    assert "còn 10 ngày làm việc" in text
    assert "3a." in text  # the targets Công an leads
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    form = attachments[f"bieu-mau-DD-{row.id}.xlsx"]
    book = load_workbook(io.BytesIO(form))
    assert book["_dondoc"].sheet_state == "veryHidden"
    assert book["Bao cao"].protection.sheet is True
    sheet = book["Bao cao"]
    assert sheet["C7"].value == "Chỉ tiêu" and sheet["C7"].protection.locked  # labels locked, inputs open
    assert [sheet.cell(8, c).protection.locked for c in (3, 7, 8, 9, 10)] == [True, False, False, False, False]
    assert sheet["C4"].value == catalog.directory.agencies["hn.cong-an-tp"].name
    assert sheet["C5"].value == "09/07/2021" and sheet["C6"].value == f"DD-{row.id}"
    parsed = read_form(form)
    assert parsed["deadline_id"] == row.id and read_token(parsed["token"], KEY) == row.id
    assert set(parsed["values"]) == {"3a", "3b", "3c", "3d"}
    invite = icalendar.Calendar.from_ical(attachments[f"han-DD-{row.id}.ics"])
    [event] = invite.walk("VEVENT")
    assert event.decoded("dtstart") == dt.date(2021, 7, 9)
    assert event.walk("VALARM")[0].decoded("trigger") == -dt.timedelta(days=3)


def test_a_refused_address_fails_the_row_and_flags_the_contact(engine, catalog, sink):
    address = catalog.directory.agencies["hn.cong-an-tp"].contacts[0].address
    sink.refuse[address] = "550 5.1.1 No such user"
    figures.add(figures.FAULTS)
    only = ChaseFilter(plan="hn-235-2020", obligation="danh-gia-2021", agency="hn.cong-an-tp")
    calendar = WorkCalendar(catalog.calendar_years.values())
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=morning(dt.date(2021, 6, 25)), horizon_days=400)
        report = run_chase(
            session=session,
            catalog=catalog,
            policy=policy_default(),
            calendar=calendar,
            setup=SETUP,
            transport=SmtpTransport(host="127.0.0.1", port=sink.port),
            now=morning(dt.date(2021, 6, 25)),
            only=only,
        )
        assert (report.sent, report.failed) == (0, 1)
        assert report.problems() == [
            "Máy chủ thư từ chối 1 thư / the mail server refused 1 message(s) for good: "
            "550 5.1.1 No such user — xem / see `dondoc outbox --status failed`"
        ]
        contact = session.exec(select(ContactRow).where(ContactRow.address == address)).first()
        assert contact.flag_reason.startswith("550")


def test_a_temporary_failure_is_retried_later(engine, catalog, sink):
    sink.fail_data = "451 4.3.0 Try again later"
    figures.add(figures.FAULTS)
    only = ChaseFilter(plan="hn-235-2020", obligation="danh-gia-2021", agency="hn.cong-an-tp")
    calendar = WorkCalendar(catalog.calendar_years.values())
    transport = SmtpTransport(host="127.0.0.1", port=sink.port)
    first = morning(dt.date(2021, 6, 25))
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=first, horizon_days=400)
        chase = partial(
            run_chase,
            session=session,
            catalog=catalog,
            policy=policy_default(),
            calendar=calendar,
            setup=SETUP,
            transport=transport,
            only=only,
        )
        report = chase(now=first)
        assert (report.sent, report.retrying) == (0, 1)
        assert report.problems() == [
            "Máy chủ thư chưa nhận 1 thư, sẽ gửi lại ở lần chạy sau / the mail server did "
            "not take 1 message(s), they will be sent again on a later run: "
            "451 4.3.0 Try again later"
        ]
        sink.fail_data = None
        # too early: the backoff has not passed
        again = chase(now=first + dt.timedelta(seconds=10))
        assert again.sent == 0
        later = chase(now=first + dt.timedelta(minutes=2))
        assert later.sent == 1
    assert sum(sink.stats.delivered.values()) == 1


@pytest.mark.slow
def test_a_large_run_composes_in_a_worker_process_and_sends_each_once(tmp_path, engine):
    from benchmarks.data import province_config
    from dondoc.chase import PIPELINE_MIN
    from dondoc.config import load_catalog
    from dondoc.mail.transport import MemoryTransport

    count = PIPELINE_MIN + 100
    catalog = load_catalog(province_config(tmp_path / "config", count))
    transport = MemoryTransport()
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=morning(dt.date(2021, 3, 1)), horizon_days=400)
        report = run_chase(
            session=session,
            catalog=catalog,
            policy=policy_default(),
            calendar=WorkCalendar(),
            setup=replace(SETUP, attach_files=False),
            transport=transport,
            now=morning(dt.date(2021, 5, 5)),
            workers=1,
            limit=10 * count,
        )
        assert (report.queued, report.sent, len(report.planned)) == (count, count, count)
        assert {row.status for row in session.exec(select(OutboxRow))} == {"sent"}
    assert len({e.message_id for e in transport.sent}) == count
    assert {e.recipients[0] for e in transport.sent} == {f"vanthu@h{i:05d}.bench.example.org" for i in range(count)}


@pytest.mark.slow
def test_a_run_waiting_for_its_worker_composes_later_chunks_itself_and_queues_each_once_in_order(
    tmp_path, engine, caplog
):
    """Sending to memory outruns one compose worker: the run composes the last chunks nobody started while it waits
    (each chunk composed once, by one process); every reminder is queued once, in plan order, with the bytes that
    composing it alone gives."""
    import logging

    from benchmarks.data import province_config
    from dondoc.chase import CHUNK, DeadlineView, flagged_addresses, plan_reminders, queue_reminders
    from dondoc.chase import ChaseReport as Report
    from dondoc.config import load_catalog
    from dondoc.mail.transport import MemoryTransport

    count = 8 * CHUNK + 17
    catalog = load_catalog(province_config(tmp_path / "config", count))
    transport = MemoryTransport()
    setup, now = replace(SETUP, attach_files=False), morning(dt.date(2021, 5, 5))
    with Session(engine) as session, caplog.at_level(logging.DEBUG, logger="dondoc.chase"):
        sync_catalog(catalog, session=session, now=morning(dt.date(2021, 3, 1)), horizon_days=400)
        planned = plan_reminders(session, catalog, policy_default(), WorkCalendar(), now, setup.timezone)
        alone = {
            row.key: row.raw for row in queue_reminders(setup, session, catalog, WorkCalendar(), planned, now, Report())
        }
        assert flagged_addresses(session) == set() and len(alone) == count
        report = run_chase(
            session=session,
            catalog=catalog,
            policy=policy_default(),
            calendar=WorkCalendar(),
            setup=setup,
            transport=transport,
            now=now,
            workers=1,
            limit=10 * count,
        )
        outbox = session.exec(select(OutboxRow).order_by(OutboxRow.id)).all()
    assert (report.queued, report.sent, len(report.planned)) == (count, count, count)
    assert [row.deadline_id for row in outbox] == [DeadlineView.of(row).id for row, _ in planned]  # plan order
    assert {row.key: row.raw for row in outbox} == alone
    assert len({e.message_id for e in transport.sent}) == count == len(transport.sent)
    assert any("composed here" in record.getMessage() for record in caplog.records)

"""The coordinator's weekly digest: who submitted, who is late or overdue, what is held, what bounced; once a week."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

from sqlmodel import Session, select

from dondoc.db.tables import ContactRow, OutboxRow
from dondoc.delivery import Delivered, deliver
from dondoc.mail.sources import MemorySource
from dondoc.status import overview, queue_digests
from tests.integration.test_chase import SETUP, morning
from tests.integration.test_replies import DOCX, chase, ingest
from tests.integration.test_trust import claimed, deadline_of
from tests.replies_helpers import reply_to


def _send(engine, transport, now):
    import asyncio

    with Session(engine) as session:
        report = Delivered()
        asyncio.run(deliver(session, transport, "test", now, 100, report))
    return report


def test_the_digest_says_where_each_period_stands_and_goes_once_a_week(world, engine):  # noqa: F811
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages("vanthu@syt.demo.example.org")
    on_time = reply_to(reminder, sender="vanthu@syt.demo.example.org", body="Báo cáo 6 tháng.", extra=[DOCX])
    stranger = reply_to(reminder, sender="someone@elsewhere.example.com", body="Báo cáo", extra=[DOCX])
    huyen = deadline_of(engine, "demo.ubnd-a")
    forged = claimed("vanthu@huyen-a.demo.example.org", f"[DD-{huyen.id}] Báo cáo")  # no token: held, not counted
    ingest(engine, catalog, transport, data, MemorySource([on_time, stranger, forged]), dt.date(2021, 5, 10))
    with Session(engine) as session:
        contact = session.exec(select(ContactRow).where(ContactRow.address == "vanthu@huyen-a.demo.example.org")).one()
        contact.flagged_at, contact.flag_reason = morning(dt.date(2021, 5, 11)), "550 5.1.1 No such user"
        session.commit()
        today = dt.date(2021, 5, 24)  # Monday: Sở Y tế on time, huyện A overdue (last day 19/5)
        state = overview(session, catalog, today)
    [period] = [p for p in state.periods if p.obligation_id == "dinh-ky" and p.period_key == "2021-H1"]
    assert (period.on_time, period.late, period.overdue) == (["Sở Y tế tỉnh Mẫu"], [], ["Ủy ban nhân dân huyện A"])
    assert period.last_day == dt.date(2021, 5, 19)
    assert (state.quarantined, state.bounced) == (1, ["vanthu@huyen-a.demo.example.org"])
    assert [(h["agency"], h["deadline"]) for h in state.held] == [("Ủy ban nhân dân huyện A", huyen.id)]

    monday = morning(dt.date(2021, 5, 24), 7)
    with Session(engine) as session:
        assert queue_digests(session, catalog, SETUP, monday, today) == 1
        assert queue_digests(session, catalog, SETUP, monday + dt.timedelta(days=2), today + dt.timedelta(days=2)) == 0
    assert _send(engine, transport, monday).sent >= 1
    received = [
        email.message_from_bytes(m, policy=email.policy.default)
        for m in sink.messages("vanthu@sldtbxh.demo.example.org")
    ]
    [message] = [m for m in received if str(m["Subject"]).startswith("Tình hình báo cáo tuần 21/2021 — ")]
    text = message.get_body(("plain",)).get_content()
    assert f"== Báo cáo định kỳ {period.period_label} — hạn cuối 19/05/2021" in text
    assert "Đã gửi đúng hạn: 1 (Sở Y tế tỉnh Mẫu)" in text
    assert "Quá hạn, chưa gửi: 1 (Ủy ban nhân dân huyện A)" in text
    assert "Thư chờ xử lý (quarantine): 1" in text and "vanthu@huyen-a.demo.example.org" in text
    assert "Báo cáo chờ xác nhận (chưa tính là đã gửi): 1" in text and "Ủy ban nhân dân huyện A, 6 tháng" in text
    html = message.get_body(("html",)).get_content()
    assert "<strong>Quá hạn, chưa gửi: 1</strong>" in html
    with Session(engine) as session:
        assert len(session.exec(select(OutboxRow).where(OutboxRow.kind == "digest")).all()) == 1
    next_monday = morning(dt.date(2021, 5, 31), 7)
    with Session(engine) as session:
        assert queue_digests(session, catalog, SETUP, next_monday, dt.date(2021, 5, 31)) == 1  # a new week

"""Hostile replies end to end, through intake, the outbox and an SMTP sink: header injection in a
reply's From, Message-ID and Subject; HTML in config names, file names and reasons in the HTML mails.

The agency's reply is genuine (a contact, the reminder's token) but its From display name, Message-ID and Subject
carry header-injection attempts. The receipt dondoc queues and sends must have one To (the contact), no Cc/Bcc and
no header dondoc did not set; nobody else receives anything.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import re

import pytest
from sqlmodel import Session, select

from dondoc.config import load_catalog
from dondoc.controls import return_submission
from dondoc.db.tables import InboundRow, OutboxRow, SubmissionRow
from dondoc.delivery import Delivered, deliver
from dondoc.mail.sink import MaildirSink
from dondoc.mail.sources import MemorySource
from dondoc.mail.transport import SmtpTransport
from dondoc.sync import sync_catalog
from tests import figures
from tests.integration.test_chase import SETUP, morning
from tests.integration.test_replies import DOCX, chase, ingest
from tests.replies_helpers import reply_to
from tests.support.config import AREA, PLAN, write_config
from tests.unit.test_headers import EXPECTED_HEADERS
from tests.unit.test_html_escaping import parsed

CONTACT = "vanthu@syt.demo.example.org"
HOSTILE_HEADERS = {
    "From": [
        f"=?utf-8?q?V=C4=83n_th=C6=B0=0D=0ABcc:_evil@example.com?= <{CONTACT}>",
        f'"Văn thư\\r\\nBcc: evil@example.com" <{CONTACT}>',
        f"Evil <{CONTACT}>, evil@example.com",
        f"{CONTACT}\r\n\tBcc: evil@example.com",
    ],
    "Message-ID": [
        "<x@example.com>\r\n\tBcc: evil@example.com",
        "<x@example.com> <y@example.com>\r\nBcc: e@example.com",
        "=?utf-8?q?<x@example.com>=0D=0ABcc:_evil@example.com?=",
        "<" + "x" * 990 + "@example.com>",
        "<x\u202e@example.com>",
    ],
    "Subject": [
        "=?utf-8?q?Re:_B=C3=A1o_c=C3=A1o=0D=0ABcc:_evil@example.com?=",
        "Re: x\r\n\tBcc: evil@example.com",
        "=?utf-8?b?UmU6IHgNCg0KYm9keQ==?=",
        "Re: " + "Báo cáo " * 300,
    ],
}
CASES = [(name, value) for name, values in HOSTILE_HEADERS.items() for value in values]


def with_header(raw: bytes, name: str, value: str) -> bytes:
    """``raw`` with its header ``name`` replaced by ``value`` as raw bytes (folds and all)."""
    head, body = raw.split(b"\n\n", 1)
    lines = re.sub(rb"(?im)^" + name.encode() + rb":.*(\n[ \t].*)*$", b"\x00", head).split(b"\n")
    replaced = [f"{name}: {value}".encode() if line == b"\x00" else line for line in lines]
    return b"\n".join(replaced) + b"\n\n" + body


@pytest.mark.parametrize("name, value", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_a_reply_with_hostile_headers_gets_a_receipt_to_its_sender_alone(world, engine, name, value):
    figures.add(figures.HOSTILE)
    catalog, sink, transport, data = world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(CONTACT)
    reply = with_header(
        reply_to(reminder, sender=CONTACT, body="Xin gửi báo cáo.", form_values={}, extra=[DOCX]), name, value
    )
    ingest(engine, catalog, transport, data, MemorySource([reply]), dt.date(2021, 5, 10))
    with Session(engine) as session:
        [inbound] = session.exec(select(InboundRow)).all()
        receipts = session.exec(select(OutboxRow).where(OutboxRow.kind == "receipt")).all()
    assert inbound.status in ("submission", "quarantine"), inbound.reason
    delivered = sink.messages(CONTACT)[1:]
    assert len(receipts) == len(delivered) <= 1
    if name != "From":  # a clean sender: the submission stands and its receipt is sent (a From may be held)
        assert inbound.status == "submission" and len(receipts) == 1
    for raw in [r.raw for r in receipts] + delivered:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        names = [n.lower() for n in parsed.keys()]
        assert len(names) == len(set(names)) and set(names) <= EXPECTED_HEADERS, names
        assert [a.addr_spec for a in parsed["To"].addresses] == [CONTACT]
        assert all(len(line) <= 998 for line in raw.split(b"\n"))
    assert all(r.recipients == [CONTACT] for r in receipts)
    assert sink.messages("evil@example.com") == [] and sink.messages("e@example.com") == []


SCRIPT = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
FORBIDDEN_TAGS = {"script", "img", "iframe", "svg", "style", "object", "embed"}


@pytest.fixture
def poisoned_world(tmp_path, engine):
    """The demo world with the payload in the agency's name, its contact's name and the obligation's title."""
    area = AREA.replace("name: Sở Y tế tỉnh Mẫu", f"name: {json.dumps('Sở Y tế ' + SCRIPT)}").replace(
        "name: Văn thư Sở Y tế}", f"name: {json.dumps('Văn thư ' + SCRIPT)}}}"
    )
    plan = PLAN.replace("title: Báo cáo định kỳ", f"title: {json.dumps('Báo cáo định kỳ ' + SCRIPT)}")
    assert area != AREA and plan != PLAN
    catalog = load_catalog(write_config(tmp_path / "config", plan=plan, area=area))
    with Session(engine) as session:
        sync_catalog(catalog, session=session, now=morning(dt.date(2021, 3, 1)), horizon_days=400)
    with MaildirSink(tmp_path / "mail") as sink:
        yield catalog, sink, SmtpTransport(host="127.0.0.1", port=sink.port), tmp_path / "data"


def html_of(raw: bytes) -> str:
    return email.message_from_bytes(raw, policy=email.policy.default).get_body(("html",)).get_content()


def assert_inert_html(page: str) -> None:
    tags = parsed(page)
    assert not {tag for tag, _ in tags.tags} & FORBIDDEN_TAGS, tags.tags
    assert not [name for _, attrs in tags.tags for name, _ in attrs if name.startswith("on")], tags.tags
    assert '<script>alert("x")</script>' in "".join(tags.text)  # shown, as text


def test_html_mails_show_what_config_and_agencies_wrote_as_text(poisoned_world, engine):
    """Reminder (agency and title from config), receipt (the agency's file names and subject), returned notice (the
    coordinator's reason): each HTML part has no element or attribute from the payload."""
    figures.add(figures.HOSTILE, 3)
    catalog, sink, transport, data = poisoned_world
    chase(engine, catalog, transport, dt.date(2021, 5, 5))
    [reminder] = sink.messages(CONTACT)
    assert_inert_html(html_of(reminder))
    reply = reply_to(
        reminder,
        sender=CONTACT,
        body=f"Báo cáo {SCRIPT}",
        extra=[(f"{SCRIPT}.docx", DOCX[1], DOCX[2]), (f"{SCRIPT}.exe", b"MZ", "application/octet-stream")],
    )
    ingest(
        engine,
        catalog,
        transport,
        data,
        MemorySource([with_header(reply, "Subject", f"Re: {SCRIPT}")]),
        dt.date(2021, 5, 10),
    )
    [receipt] = sink.messages(CONTACT)[1:]
    assert_inert_html(html_of(receipt))
    with Session(engine) as session:
        [submission] = session.exec(select(SubmissionRow)).all()
        return_submission(
            session, catalog, SETUP, submission.id, f"Thiếu biểu mẫu {SCRIPT}", morning(dt.date(2021, 5, 11))
        )
    with Session(engine) as session:
        asyncio.run(deliver(session, transport, "", morning(dt.date(2021, 5, 11)), 100, Delivered()))
    [notice] = sink.messages(CONTACT)[2:]
    assert_inert_html(html_of(notice))

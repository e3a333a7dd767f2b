"""Automatic mail is recognised the way mail systems recognise it, and real replies are not.

Every form of :func:`tests.mail_corpus.automatic_forms` (Vietnamese and
English subjects after any Re:/TL:/Fwd: prefix, with or without diacritics,
RFC 3834 and vendor headers, ``Return-Path: <>``, a no-reply sender, and
``Auto-Submitted: no`` beside another sign) is an automatic reply; the
through-intake half is in tests/integration/test_trust.py.
"""

from __future__ import annotations

import pytest

from dondoc.mail.classify import MailKind, classify
from dondoc.mail.parse import parse_message
from tests.mail_corpus import AGENCY, REPLY_TO, automatic_forms, mail, with_attachment, xlsx_part

FORMS = automatic_forms(
    sender=AGENCY,
    to=REPLY_TO,
    subject="[DD-17] Nhắc nộp báo cáo 6 tháng đầu năm 2021",
    in_reply_to="<dd.0123456789abcdef01234567@dondoc.ubnd.gov.vn>",
)


@pytest.mark.parametrize("name,raw", FORMS, ids=[name for name, _ in FORMS])
def test_each_automatic_form_is_an_automatic_reply(name, raw):
    kind = classify(parse_message(raw))
    assert kind.kind is MailKind.AUTO_REPLY, (name, kind.reason)


def test_there_are_forms_in_both_languages_and_for_each_header():
    names = [name for name, _ in FORMS]
    assert sum(n.startswith("vi-") for n in names) >= 15 and sum(n.startswith("en-") for n in names) >= 20
    assert sum(n.startswith("header-") for n in names) >= 15


@pytest.mark.parametrize(
    "subject",
    [
        "Re: [DD-17] Báo cáo 6 tháng đầu năm 2021",
        "TL: [DD-17] Gửi báo cáo",
        "Báo cáo cán bộ vắng mặt tháng 11",
        "Re: [DD-17] Báo cáo tình hình nghỉ phép năm 2026",
        "Autonomous vehicles report [DD-17]",
        "Automation of reports: [DD-17]",
        "Re: Automobile survey",
        "Oooh, the report",
        "Thông báo kết quả [DD-17]",
        "Trả lời: [DD-17] Sở Y tế gửi báo cáo",
        "Re: Báo cáo tự động hoá hành chính",
    ],
)
def test_real_replies_that_merely_resemble_automatic_mail_are_candidates(subject):
    raw = with_attachment(xlsx_part('filename="baocao.xlsx"'), subject=subject, extra=[("Auto-Submitted", "no")])
    kind = classify(parse_message(raw))
    assert kind.kind is MailKind.CANDIDATE, (subject, kind.reason)


def test_auto_submitted_no_does_not_outweigh_another_sign():
    claims_no = mail(extra=[("Auto-Submitted", "no")])
    assert classify(parse_message(claims_no)).kind is MailKind.CANDIDATE
    for sign in (
        ("Precedence", "bulk"),
        ("X-Autoreply", "yes"),
        ("Return-Path", "<>"),
        ("X-MS-Exchange-Inbox-Rules-Loop", "a@example.org"),
    ):
        raw = mail(extra=[("Auto-Submitted", "no"), sign])
        assert classify(parse_message(raw)).kind is MailKind.AUTO_REPLY, sign
    assert (
        classify(parse_message(mail("Thông báo tự động: hệ thống", extra=[("Auto-Submitted", "no")]))).kind
        is MailKind.AUTO_REPLY
    )

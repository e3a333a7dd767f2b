"""Authentication-Results: only the office's own server's headers, at the top, count."""

from __future__ import annotations

from dondoc.mail.authresults import authenticate
from dondoc.mail.parse import parse_message

OFFICE = "mx.sldtbxh.example.org"
SENDER = "vanthu@syt.demo.example.org"
BORDER = (
    "received",
    "from mail.syt.demo.example.org (mail.syt.demo.example.org [192.0.2.7]) by "
    "mx.sldtbxh.example.org (Postfix) with ESMTPS id 4Q; Mon, 10 May 2021 09:00:00 +0700",
)
LMTP = ("received", "from mx.sldtbxh.example.org by imap.sldtbxh.example.org with LMTP id x; Mon, 10 May 2021")
SENDERS_OWN = ("received", "from [10.0.0.5] by mail.syt.demo.example.org; Mon, 10 May 2021 08:59:00 +0700")


def ar(text: str, server: str = OFFICE) -> tuple[str, str]:
    return ("authentication-results", f"{server}; {text}")


def proof(*trace, sender=SENDER, office=OFFICE):
    return authenticate(tuple(trace), sender, office).proof


def test_the_office_server_saying_dmarc_or_aligned_dkim_pass_authenticates():
    assert proof(ar("dmarc=pass (p=none) header.from=syt.demo.example.org"), BORDER) == "dmarc=pass"
    assert (
        proof(
            LMTP, ar("spf=pass smtp.mailfrom=syt.demo.example.org; dmarc=pass header.from=syt.demo.example.org"), BORDER
        )
        == "dmarc=pass"
    )
    assert (
        proof(ar("dkim=pass header.d=syt.demo.example.org header.s=s1"), BORDER)
        == "dkim=pass header.d=syt.demo.example.org"
    )
    assert proof(ar("dkim=pass header.d=demo.example.org"), BORDER) == "dkim=pass header.d=demo.example.org"
    assert proof(ar("dkim=pass header.i=@syt.demo.example.org"), BORDER) is not None
    assert proof(ar("DMARC=PASS header.from=syt.demo.example.org", server="MX.SLDTBXH.EXAMPLE.ORG"), BORDER)


def test_what_the_office_did_not_find_is_not_proof():
    assert proof(ar("dmarc=fail header.from=syt.demo.example.org"), BORDER) is None
    assert proof(ar("dkim=pass header.d=evil.example.net"), BORDER) is None  # not aligned with From
    assert proof(ar("dkim=pass header.d=example.org.evil.example.net"), BORDER) is None
    assert proof(ar("spf=pass smtp.mailfrom=syt.demo.example.org"), BORDER) is None  # SPF is not about From
    assert proof(ar("dmarc=pass header.from=other.example.org"), BORDER) is None
    assert proof(ar("none"), BORDER) is None
    assert proof(BORDER) is None
    assert authenticate((ar("dmarc=pass"),), SENDER, None).proof is None  # nothing configured: nothing trusted
    assert authenticate((ar("dmarc=pass"),), None, OFFICE).proof is None


def test_headers_forged_by_the_sender_count_for_nothing():
    forged = ar("dmarc=pass header.from=syt.demo.example.org; dkim=pass header.d=syt.demo.example.org")
    # another server's id
    assert proof(ar("dmarc=pass header.from=syt.demo.example.org", server="mx.evil.example.net"), BORDER) is None
    # the trusted id, but below the office's own boundary: written before the message reached the office
    assert proof(ar("dmarc=none"), BORDER, forged, SENDERS_OWN) is None
    assert proof(ar("dmarc=fail"), BORDER, forged, forged, forged) is None
    assert proof(LMTP, ar("none"), BORDER, forged) is None
    # several right under the office's one (no Received between): one that does not pass wins
    assert proof(ar("dmarc=fail header.from=syt.demo.example.org"), forged, forged) is None
    assert proof(ar("dkim=fail header.d=syt.demo.example.org"), ar("dkim=pass header.d=syt.demo.example.org")) is None
    # several above the office's own (another id, or the trusted id above a Received): the office's fail wins
    assert (
        proof(
            ar("dmarc=pass header.from=syt.demo.example.org", server="mx.evil.example.net"),
            ar("none", server="mx.evil.example.net"),
            ar("dmarc=fail"),
            BORDER,
        )
        is None
    )
    assert proof(forged, forged, LMTP, ar("dmarc=fail header.from=syt.demo.example.org"), BORDER) is None
    assert proof(forged, LMTP, ar("dkim=fail header.d=syt.demo.example.org; dmarc=none"), BORDER) is None
    # unparseable, overlong, or without an id
    assert proof(("authentication-results", ";;; dmarc=pass"), BORDER) is None
    assert proof(
        ("authentication-results", f"{OFFICE}; dmarc=pass header.from=syt.demo.example.org" + " x" * 5000), BORDER
    ) in (None, "dmarc=pass")  # cut at 4000 characters: parsed or not, never an error


def test_the_parser_keeps_trace_headers_in_order():
    raw = (
        b"Return-Path: <vanthu@syt.demo.example.org>\r\n"
        b"Received: from mx by imap with LMTP\r\n"
        b"Authentication-Results: mx.sldtbxh.example.org;\r\n dmarc=pass header.from=syt.demo.example.org\r\n"
        b"Received: from mail.syt by mx.sldtbxh.example.org\r\n"
        b"Authentication-Results: mx.evil.example.net; dmarc=fail\r\n"
        b"From: vanthu@syt.demo.example.org\r\nTo: x@example.org\r\nSubject: s\r\n\r\nbody\r\n"
    )
    mail = parse_message(raw)
    assert [name for name, _ in mail.trace] == [
        "received",
        "authentication-results",
        "received",
        "authentication-results",
    ]
    assert authenticate(mail.trace, mail.from_address, OFFICE).proof == "dmarc=pass"
    assert authenticate(mail.trace[2:], mail.from_address, OFFICE).proof is None

"""Header injection: no value dondoc puts in a header can add a header, a recipient or a line.

Every value that reaches a header — subjects (plan titles, agency names, an agency's own reply subject), display
names, addresses (config contacts, the From of an inbound reply), In-Reply-To/References (inbound Message-IDs),
attachment filenames — is fed CR, LF, NUL, ``\\r\\nBcc: …``, encoded-words that decode to CRLF, over-long text and
non-ASCII. The bytes produced are parsed back with ``email.policy.default``: exactly the intended recipients and
headers, each value only inside its own header — or the message is refused with ``MailError`` (an address with a
control character is refused, never "cleaned" into another address).
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dondoc.errors import MailError
from dondoc.mail.compose import Attachment, build_message, header_text, message_id_for
from tests import figures

EXAMPLES = int(os.environ.get("DONDOC_FUZZ_EXAMPLES", "150"))
NOW = dt.datetime(2021, 5, 10, 8, 0, tzinfo=dt.UTC)
ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
INJECTIONS = [
    "\r\nBcc: evil@example.com",
    "\nBcc: evil@example.com",
    "\rBcc: evil@example.com",
    "\x00Bcc: evil@example.com",
    "=?utf-8?q?x=0D=0ABcc:_evil@example.com?=",
    "=?utf-8?b?eA0KQmNjOiBldmlsQGV4YW1wbGUuY29t?=",
    "\r\n\r\nbody injected",
    "\u2028Bcc: evil@example.com",
    "\x85Bcc: evil@example.com",
    "\r\n X-Folded: evil",
    '"evil@example.com" <evil@example.com>',
    "a, evil@example.com",
    "<evil@example.com>",
    "x" * 2000,
    "Báo cáo định kỳ 6 tháng năm 2021 — Sở Lao động - Thương binh và Xã hội " * 8,
    "\u202eevil",
    "",
]
HOSTILE = st.one_of(
    st.sampled_from(INJECTIONS),
    st.lists(st.sampled_from(INJECTIONS + ["Sở Y tế", " ", ":", ";", '"', "\\"]), max_size=4).map("".join),
    st.text(max_size=60),
)
GOOD_ADDRESSES = st.sampled_from(["vanthu@syt.demo.example.org", "a.b+c@example.com", "X_Y@sub.example.org"])
BAD_ADDRESSES = st.one_of(
    st.builds(lambda a, i: a + i, GOOD_ADDRESSES, st.sampled_from(INJECTIONS[:10] + ["\r\n", "\n", "\r", "\t", " x"])),
    st.sampled_from(
        [
            "evil@example.com\r\nBcc: x@example.com",
            "a@example.org, evil@example.com",
            "Evil <evil@example.com>",
            "=?utf-8?q?evil=40example.com?=",
            "\x00a@example.org",
            "a@example",
            "thư@example.org",
            "a@@example.org",
        ]
    ),
    st.text(max_size=40),
)
ADDRESSES = st.one_of(GOOD_ADDRESSES, GOOD_ADDRESSES, BAD_ADDRESSES)
EXPECTED_HEADERS = {
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "in-reply-to",
    "references",
    "auto-submitted",
    "x-auto-response-suppress",
    "content-language",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


def is_plain_address(text: str) -> bool:
    return ADDRESS.fullmatch(text) is not None


def squeezed(name: str) -> str:
    return "".join(header_text(name).split())


def assert_exactly_as_intended(
    raw: bytes,
    *,
    subject: str,
    sender: tuple[str, str],
    to: list[tuple[str, str]],
    in_reply_to: str | None,
    filename: str | None,
) -> None:
    """``raw`` parses back to the intended headers, recipients and values — and nothing else."""
    assert all(len(line) <= 998 for line in raw.split(b"\n")), "a line longer than SMTP allows"
    assert b"\r" not in raw.replace(b"\r\n", b""), "a bare CR"
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    names = [name.lower() for name in parsed.keys()]
    assert len(names) == len(set(names)) and set(names) <= EXPECTED_HEADERS, names
    assert [a.addr_spec for a in parsed["To"].addresses] == [address for _, address in to]
    # Python's parser keeps the folding space between the encoded-words of a long name (RFC 2047 drops it): compare
    # names without their spaces.
    assert [squeezed(a.display_name) for a in parsed["To"].addresses] == [
        squeezed(header_text(name)[:200]) for name, _ in to
    ]
    assert [(squeezed(a.display_name), a.addr_spec) for a in parsed["From"].addresses] == [
        (squeezed(header_text(sender[0])[:200]), sender[1])
    ]
    assert str(parsed["Subject"]) == header_text(subject)
    if in_reply_to and re.fullmatch(r"<[!-;=?-~]{1,900}>", in_reply_to):
        assert str(parsed["In-Reply-To"]) == in_reply_to == str(parsed["References"])
    else:  # not a plain <id>: not echoed
        assert "In-Reply-To" not in parsed and "References" not in parsed
    # policy.default's get_filename() also strips <…> from a name: read the name with the classic parser.
    parts = [part for part in email.message_from_bytes(raw).walk() if part.get_content_disposition() == "attachment"]
    if filename is not None:
        [part] = parts
        shown = header_text(filename) or "attachment"
        assert part.get_filename() == shown if len(shown) <= 80 else len(part.get_filename()) <= 80
        assert {name.lower() for name in part.keys()} == {
            "content-type",
            "mime-version",
            "content-transfer-encoding",
            "content-disposition",
        }
    for part in parsed.walk():
        assert not [d for d in part.defects if "Header" in type(d).__name__], part.defects


@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    subject=HOSTILE,
    sender_name=HOSTILE,
    names=st.lists(HOSTILE, min_size=1, max_size=3),
    addresses=st.lists(ADDRESSES, min_size=3, max_size=3),
    in_reply_to=st.none() | HOSTILE,
    filename=st.none() | HOSTILE,
)
def test_no_value_reaching_a_header_adds_a_header_or_a_recipient(
    subject, sender_name, names, addresses, in_reply_to, filename
):
    figures.add(figures.HOSTILE)
    to = list(zip(names, addresses, strict=False))  # hypothesis draws the two lists apart
    attachments = [Attachment(filename, b"%PDF-1.4 x", "application", "pdf")] if filename is not None else []
    try:
        message = build_message(
            subject=subject,
            text="Nội dung",
            html="<p>Nội dung</p>",
            sender=(sender_name, "dondoc@sldtbxh.example.org"),
            to=to,
            message_id=message_id_for("k", "sldtbxh.example.org"),
            date=NOW,
            in_reply_to=in_reply_to,
            attachments=attachments,
        )
    except MailError:
        assert not all(is_plain_address(address) for _, address in to), "a valid address was refused"
        return
    assert all(is_plain_address(address) for _, address in to), f"an unsafe address was accepted: {to}"
    assert_exactly_as_intended(
        message.as_bytes(),
        subject=subject,
        sender=(sender_name, "dondoc@sldtbxh.example.org"),
        to=to,
        in_reply_to=in_reply_to,
        filename=filename,
    )


@pytest.mark.parametrize(
    "address",
    [
        "vanthu@example.org\r\n",
        "vanthu@example.org\n",
        "\rvanthu@example.org",
        "vanthu@example.org\r\nBcc: evil@example.com",
        "vanthu@example.org\x00",
        "vanthu@example.org\t",
        "Văn thư <vanthu@example.org>",
    ],
)
def test_an_address_with_a_control_character_is_refused_not_cleaned(address):
    figures.add(figures.HOSTILE)
    with pytest.raises(MailError):
        build_message(
            subject="s",
            text="t",
            html=None,
            sender=("S", "dondoc@sldtbxh.example.org"),
            to=[(None, address)],
            message_id="<m@example.org>",
            date=NOW,
        )


@pytest.mark.parametrize("value", INJECTIONS)
def test_each_injection_in_every_header_at_once(value):
    """The named injections, each put in every header value at the same time."""
    figures.add(figures.HOSTILE)
    to = [(value, "vanthu@syt.demo.example.org")]
    message = build_message(
        subject=value,
        text="t",
        html="<p>t</p>",
        sender=(value, "dondoc@sldtbxh.example.org"),
        to=to,
        message_id="<m@example.org>",
        date=NOW,
        in_reply_to=value,
        attachments=[Attachment(value or "x", b"x", "application", "octet-stream")],
    )
    assert_exactly_as_intended(
        message.as_bytes(),
        subject=value,
        sender=(value, "dondoc@sldtbxh.example.org"),
        to=to,
        in_reply_to=value,
        filename=value or "x",
    )

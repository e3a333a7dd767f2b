"""The fast paths of composing give the bytes the stock ``email`` package gives: header folding, encoded words,
text parts, whole messages."""

import datetime as dt
import random
from email import base64mime, quoprimime
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.policy import compat32

from dondoc.mail.compose import (
    FAST_POLICY,
    Attachment,
    _body_base64,
    _header,
    _qp_header_length,
    _text_part,
    build_message,
    message_bytes,
    message_raw,
)

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ĐƯ0123456789—–-:[]()😀"
)
ASCII_WORD = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789=?<>@.+-_/,;:"


def _stock_or_error(policy, name, value):
    try:
        return policy.fold_binary(name, value)
    except Exception as error:  # noqa: BLE001 — both must fail alike
        return repr(error)


def test_header_folding_matches_the_stock_policy_on_random_values():
    rnd = random.Random(1)
    for _ in range(20_000):
        words = [
            "".join(rnd.choice(ASCII_WORD) for _ in range(rnd.choice([1, 3, 8, 20, 40, 60, 75, 80])))
            for _ in range(rnd.randint(1, 8))
        ]
        value = words[0] + "".join(rnd.choice([" ", " ", "\n ", "  ", "\n"]) + w for w in words[1:])
        name = rnd.choice(["To", "Subject", "Reply-To", "X-Auto-Response-Suppress"])
        assert _stock_or_error(FAST_POLICY, name, value) == _stock_or_error(compat32, name, value), (name, value)


def test_encoded_words_match_the_stock_header_on_random_vietnamese_text():
    rnd = random.Random(2)
    for _ in range(3_000):
        text = "".join(rnd.choice(VIETNAMESE) for _ in range(rnd.randint(0, 300)))
        for name in ("Subject", "To"):
            assert _header(text, name) == Header(text, "utf-8", header_name=name).encode(), text
    assert _header("ok", "To") == Header("ok", "utf-8", header_name="To").encode()  # quoted-printable, as stock


def test_text_parts_are_the_bytes_of_mimetext():
    for text in ("", "Kính gửi Ủy ban nhân dân huyện\n" * 300, "a" * 1000, "x\r\ny\n.\n", "😀 Đôn đốc"):
        for subtype in ("plain", "html"):
            assert _text_part(text, subtype).as_bytes() == MIMEText(text, subtype, "utf-8").as_bytes()


def test_whole_messages_are_the_bytes_of_the_stock_policy():
    rnd = random.Random(3)
    for number in range(60):

        def name():
            return "".join(rnd.choice(VIETNAMESE) for _ in range(rnd.randint(1, 120))).strip() or "x"

        recipients = [(name(), f"vanthu{i}@h{number}.example.org") for i in range(rnd.randint(1, 4))]
        message = build_message(
            subject=f"[DD-{number}] " + name(),
            text=name() * 20,
            html=f"<p>{name()}</p>" if number % 3 else None,
            sender=(name(), "dondoc@so.example.org"),
            to=recipients,
            cc=[(name(), "lanhdao@so.example.org")] if number % 2 else [],
            reply_to=f"baocao+{number:032d}@so.example.org",
            message_id=f"<dd.{number}@so.example.org>",
            date=dt.datetime(2021, 5, 5, 2, tzinfo=dt.UTC),
            in_reply_to="<r@example.net>" if number % 5 == 0 else None,
            attachments=[
                Attachment(f"bieu-mau-{number}.xlsx", bytes(range(256)) * 10, "application", "octet-stream"),
                Attachment(f"Báo cáo {name()}.ics", b"BEGIN:VCALENDAR", "text", "calendar"),
            ]
            if number % 4 == 0
            else [],
        )
        assert message.as_bytes() == message.as_bytes(policy=compat32)
        assert message_bytes(message) == message.as_bytes()


def test_message_bytes_are_the_stock_generators_on_bodies_of_any_line_endings():
    rnd = random.Random(5)
    pieces = ["a", "ă b", "\n", "\r\n", "\r", " ", "=?utf-8?b?eA==?=", ".", "From x", "\n\n"]
    for number in range(300):
        message = Message(policy=FAST_POLICY if number % 2 else compat32)
        message["Subject"] = f"thử {number}"
        body = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40)))
        message.set_payload(body.encode("utf-8").decode("ascii", "surrogateescape") if number % 3 else body)
        assert _bytes_or_error(message_bytes, message) == _bytes_or_error(Message.as_bytes, message), repr(body)


def _bytes_or_error(write, message):
    try:
        return write(message)
    except Exception as error:  # noqa: BLE001 — both must fail alike
        return type(error).__name__


def test_base64_bodies_and_quoted_printable_lengths_are_the_stock_ones():
    rnd = random.Random(6)
    for size in [0, 1, 2, 56, 57, 58, 113, 114, 115, *(rnd.randint(0, 5000) for _ in range(300))]:
        data = bytes(rnd.randrange(256) for _ in range(size))
        assert _body_base64(data) == base64mime.body_encode(data), size
        assert _qp_header_length(data[:200]) == quoprimime.header_length(data[:200]), size


def test_messages_written_straight_are_the_bytes_of_the_stock_policy():
    """``message_raw`` (a reminder's bytes, written without ``Message`` objects) against the stock generator's
    ``as_bytes`` of ``build_message``, over names, subjects, bodies, copies and replies of every shape."""
    rnd = random.Random(4)
    for number in range(400):

        def name():
            return "".join(rnd.choice(VIETNAMESE + ASCII_WORD) for _ in range(rnd.randint(1, 120))).strip() or "x"

        fields = dict(
            subject=f"[DD-{number}] " + name(),
            text=name() * rnd.randint(0, 30),
            html=f"<p>{name()}</p>" * rnd.randint(0, 20) if number % 3 else None,
            sender=(name(), "dondoc@so.example.org"),
            to=[(name() if i % 3 else None, f"vanthu{i}@h{number}.example.org") for i in range(rnd.randint(1, 4))],
            cc=[(name(), "lanhdao@so.example.org")] if number % 2 else [],
            reply_to=f"baocao+{number:0{number % 40}d}@so.example.org" if number % 7 else None,
            message_id=f"<dd.{number}@so.example.org>",
            date=dt.datetime(2021, 5, 5, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=number),
            in_reply_to=["<r@example.net>", "not an id", None][number % 3],
            auto_submitted=rnd.choice(["auto-generated", "auto-replied"]),
            language=rnd.choice(["vi", "en"]),
        )
        assert message_raw(**fields) == build_message(**fields).as_bytes(policy=compat32), number
    attached = [Attachment("bieu-mau-1.xlsx", bytes(range(256)), "application", "octet-stream")]
    fields["attachments"] = attached
    assert message_raw(**fields) == build_message(**fields).as_bytes(policy=compat32)

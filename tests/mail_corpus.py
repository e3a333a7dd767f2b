"""A generated corpus of hostile and odd inbound mail (no downloads), for the parser and the classifier.

Each :class:`CorpusMessage` says what dondoc must make of it: ``candidate``,
``auto-reply``, ``bounce`` or ``unparseable``. ``HINTS`` holds, by message
name, what the tests check beyond that: the decoded subject, a phrase of the
text, the safe attachment names, the failed recipients of a bounce.

``ordinary_replies(n, make_xlsx)`` makes N ordinary replies with a
spreadsheet attached, in the styles of the mail clients agencies use, for
benchmarks.
"""

from __future__ import annotations

import base64
import hashlib
import io
import quopri
import random
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["HINTS", "SUBJECTS", "CorpusMessage", "automatic_forms", "build_corpus", "fake_xlsx", "ordinary_replies"]

EXPECTS = ("candidate", "auto-reply", "bounce", "unparseable")
AGENCY = "vanthu@soyte.hanoi.gov.vn"
REPLY_TO = "baocao+17-k3xqabcdefghijkl@dondoc.ubnd.gov.vn"
SENDER = "dondoc@dondoc.ubnd.gov.vn"
DATE = "Mon, 30 Nov 2026 09:15:00 +0700"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBJECTS = [
    "Báo cáo tình hình thực hiện kế hoạch tháng 11/2026",
    "Sở Y tế gửi báo cáo tiến độ giải ngân vốn đầu tư công",
    "Đề nghị gia hạn nộp báo cáo quý IV",
    "Kết quả triển khai Nghị quyết số 57-NQ/TW về chuyển đổi số",
    "Phụ lục số liệu: ước thực hiện năm và kế hoạch năm tới",
    "Ủy ban nhân dân huyện Đông Anh trân trọng gửi văn bản",
]
BODY = "Kính gửi Văn phòng UBND tỉnh,\nSở Y tế xin gửi báo cáo tháng 11/2026 kèm theo.\nTrân trọng."
PHRASE = "xin gửi báo cáo tháng 11/2026"
TONES = "\u0300\u0301\u0303\u0309\u0323"


@dataclass(frozen=True)
class CorpusMessage:
    name: str
    raw: bytes
    expect: str


HINTS: dict[str, dict] = {}


# --- encoders --------------------------------------------------------------------------------------------------


def cp1258(text: str) -> bytes:
    """``text`` in windows-1258 the way Vietnamese software writes it: base letters, then tone marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONES))
            out += (base + "".join(c for c in decomposed if c in TONES)).encode("cp1258")
    return bytes(out)


def word_b(data: bytes, charset: str = "UTF-8") -> str:
    return f"=?{charset}?B?{base64.b64encode(data).decode()}?="


def word_q(data: bytes, charset: str = "utf-8") -> str:
    safe = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/"
    return f"=?{charset}?Q?" + "".join(chr(b) if b in safe else "_" if b == 32 else f"={b:02X}" for b in data) + "?="


def b64_body(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def qp_body(data: bytes) -> bytes:
    return quopri.encodestring(data).replace(b"\n", b"\r\n")


def pct(data: bytes) -> str:
    return "".join(chr(b) if chr(b).isalnum() and b < 128 or b in b".-_" else f"%{b:02X}" for b in data)


def _digest(*values: str | bytes) -> str:
    return hashlib.sha256(b"|".join(_bytes(v) for v in values)).hexdigest()[:20]


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def headers_block(headers: list[tuple[str, str | bytes]], eol: bytes = b"\r\n") -> bytes:
    return b"".join(_bytes(name) + b": " + _bytes(value) + eol for name, value in headers)


def mail(
    subject: str | bytes = "Re: [DD-17] " + SUBJECTS[0],
    *,
    body: bytes | str = BODY,
    content_type: str | bytes | None = "text/plain; charset=utf-8",
    cte: str | None = "8bit",
    sender: str | bytes = f"=?UTF-8?B?{base64.b64encode('Sở Y tế Hà Nội'.encode()).decode()}?= <{AGENCY}>",
    to: str | bytes = REPLY_TO,
    message_id: str | None = None,
    extra: list = (),
    eol: bytes = b"\r\n",
    mime: bool = True,
) -> bytes:
    """One message from the given parts; nothing is re-encoded or cleaned (that is the point)."""
    headers: list[tuple[str, str | bytes]] = [
        ("From", sender),
        ("To", to),
        ("Subject", subject),
        ("Date", DATE),
        ("Message-ID", message_id or f"<{_digest(subject, body)}@soyte>"),
    ]
    if mime:
        headers.append(("MIME-Version", "1.0"))
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    if cte is not None:
        headers.append(("Content-Transfer-Encoding", cte))
    headers += list(extra)
    return headers_block(headers, eol) + eol + _bytes(body).replace(b"\r\n", b"\n").replace(b"\n", eol)


def part(
    content_type: str | bytes,
    body: bytes | str,
    *,
    cte: str | None = None,
    disposition: str | bytes | None = None,
    extra: list = (),
) -> bytes:
    headers: list[tuple[str, str | bytes]] = [("Content-Type", content_type)]
    if cte:
        headers.append(("Content-Transfer-Encoding", cte))
    if disposition is not None:
        headers.append(("Content-Disposition", disposition))
    headers += list(extra)
    return headers_block(headers) + b"\r\n" + _bytes(body)


def multipart_body(parts: list[bytes], boundary: str, *, close: bool = True, preamble: bytes = b"") -> bytes:
    out = preamble
    for piece in parts:
        out += b"--" + boundary.encode() + b"\r\n" + piece + b"\r\n"
    if close:
        out += b"--" + boundary.encode() + b"--\r\n"
    return out


def text_part(text: str = BODY, charset: str = "utf-8") -> bytes:
    return part(f"text/plain; charset={charset}", b64_body(text.encode(charset)), cte="base64")


def fake_xlsx(index: int = 0, size: int = 20_000) -> bytes:
    """A small .xlsx-shaped zip (incompressible filler) — enough for the parser, no openpyxl needed."""
    buffer = io.BytesIO()

    def member(name: str) -> zipfile.ZipInfo:  # a fixed time: the same index gives the same bytes
        return zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0))

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(member("[Content_Types].xml"), '<?xml version="1.0"?><Types/>')
        archive.writestr(member("xl/workbook.xml"), f"<workbook id='{index}'/>")
        archive.writestr(member("xl/media/filler.bin"), random.Random(index).randbytes(size))
    return buffer.getvalue()


def xlsx_part(filename_params: str, data: bytes | None = None, *, content_type: str = XLSX) -> bytes:
    return part(
        f"{content_type}",
        b64_body(data if data is not None else fake_xlsx(1, 2000)),
        cte="base64",
        disposition=f"attachment; {filename_params}" if filename_params else "attachment",
    )


def with_attachment(
    att: bytes,
    *,
    subject: str = "Re: [DD-17] " + SUBJECTS[0],
    boundary: str = "=_mix_1",
    text: str = BODY,
    extra: list = (),
) -> bytes:
    return mail(
        subject,
        content_type=f'multipart/mixed; boundary="{boundary}"',
        cte=None,
        body=multipart_body([text_part(text), att], boundary),
        extra=extra,
    )


# --- the corpus --------------------------------------------------------------------------------------------


class _Corpus:
    def __init__(self) -> None:
        self.messages: list[CorpusMessage] = []

    def add(self, name: str, raw: bytes, expect: str, **hints) -> None:
        assert expect in EXPECTS and name not in HINTS, name
        self.messages.append(CorpusMessage(name, raw, expect))
        HINTS[name] = hints


def _subjects(c: _Corpus) -> None:
    """Every Vietnamese subject in every encoding seen in the wild."""
    for i, phrase in enumerate(SUBJECTS):
        utf8, windows = phrase.encode(), cp1258(phrase)
        half = len(utf8) // 2 + 1  # mid-character, on purpose
        while half < len(utf8) and (utf8[half] & 0xC0) != 0x80:
            half += 1
        encodings = {
            "utf8-b": word_b(utf8),
            "utf8-q": word_q(utf8),
            "utf8-split-word": word_b(utf8[:half]) + "\r\n " + word_b(utf8[half:]),
            "cp1258-b": word_b(windows, "windows-1258"),
            "cp1258-q": word_q(windows, "cp1258"),
            "raw-utf8": utf8,
            "raw-cp1258": windows,
            "utf8mb4-label": word_b(utf8, "utf8mb4"),
            "x-unknown-cp1258": word_b(windows, "x-unknown"),
            "vietnamese-label": word_q(utf8, "vietnamese"),
            "empty-charset": word_b(utf8, ""),
            "language-suffix": word_b(utf8, "utf-8*vi").replace("?B?", "?b?"),
        }
        for label, subject in encodings.items():
            prefix = b"Re: [DD-17] " if isinstance(subject, bytes) else "Re: [DD-17] "
            c.add(f"subject/{label}/{i}", mail(prefix + subject), "candidate", subject=f"Re: [DD-17] {phrase}")


def _bodies(c: _Corpus) -> None:
    text = BODY
    cases = {
        "utf8-8bit": ("text/plain; charset=utf-8", "8bit", text.encode()),
        "utf8-base64": ("text/plain; charset=UTF-8", "base64", b64_body(text.encode())),
        "utf8-qp": ("text/plain; charset=utf-8", "quoted-printable", qp_body(text.encode())),
        "cp1258-8bit": ("text/plain; charset=windows-1258", "8bit", cp1258(text)),
        "cp1258-qp": ("text/plain; charset=cp1258", "quoted-printable", qp_body(cp1258(text))),
        "cp1258-base64": ('text/plain; charset="windows-1258"', "base64", b64_body(cp1258(text))),
        "cp1258-labelled-latin1": ("text/plain; charset=iso-8859-1", "8bit", cp1258(text)),
        "utf8-labelled-cp1258": ("text/plain; charset=windows-1258", "8bit", text.encode()),
        "cp1258-labelled-utf8": ("text/plain; charset=utf-8", "8bit", cp1258(text)),
        "x-unknown-utf8": ("text/plain; charset=x-unknown", "8bit", text.encode()),
        "x-unknown-cp1258": ("text/plain; charset=x-unknown", "8bit", cp1258(text)),
        "utf8mb4": ("text/plain; charset=utf8mb4", "base64", b64_body(text.encode())),
        "vietnamese-label": ("text/plain; charset=vietnamese", "8bit", text.encode()),
        "empty-charset": ('text/plain; charset=""', "8bit", text.encode()),
        "empty-charset-cp1258": ("text/plain; charset=", "8bit", cp1258(text)),
        "no-charset-8bit": ("text/plain", "8bit", text.encode()),
        "no-content-type": (None, None, text.encode()),
        "utf8-stray-cp1252-byte": ("text/plain; charset=utf-8", "8bit", text.encode() + b"\r\nGi\xe1 tr\x93i"),
        "utf16": ("text/plain; charset=utf-16", "base64", b64_body(text.encode("utf-16"))),
    }
    for label, (content_type, cte, body) in cases.items():
        c.add(f"body/{label}", mail(body=body, content_type=content_type, cte=cte), "candidate", text=PHRASE)
    smart = "The \u201cquarterly report\u201d \u2013 final version \u2026 r\u00e9sum\u00e9"
    for label in ("iso-8859-1", "latin1", "us-ascii", "ISO_8859-1"):
        c.add(
            f"body/cp1252-labelled-{label}",
            mail(body=smart.encode("cp1252"), content_type=f"text/plain; charset={label}"),
            "candidate",
            text=smart,
        )
    c.add(
        "body/true-latin1",
        mail(body="Caf\u00e9 cr\u00e8me, na\u00efve".encode("latin-1"), content_type="text/plain; charset=iso-8859-1"),
        "candidate",
        text="Café crème, naïve",
    )
    c.add(
        "subject/cp1252-labelled-latin1",
        mail("=?iso-8859-1?Q?=93Quarterly_report=94_=96_final?="),
        "candidate",
        subject="\u201cQuarterly report\u201d \u2013 final",
    )
    c.add(
        "subject/raw-cp1252", mail(b"Re: \x93report\x94 for Nov"), "candidate", subject="Re: \u201creport\u201d for Nov"
    )
    c.add(
        "from/raw-8bit-name",
        mail(sender="Sở Y tế".encode() + f" <{AGENCY}>".encode()),
        "candidate",
        from_name="Sở Y tế",
        from_address=AGENCY,
    )
    c.add(
        "from/raw-cp1258-name",
        mail(sender=cp1258("Phòng Tài chính") + f" <{AGENCY}>".encode()),
        "candidate",
        from_name="Phòng Tài chính",
        from_address=AGENCY,
    )


def _filenames(c: _Corpus) -> None:
    """RFC 2231 and RFC 2047 names, and names with nothing safe about them."""
    name = "Báo cáo tháng 11.xlsx"
    utf8 = name.encode()
    encoded = pct(utf8)
    cut1 = encoded.find("%", len(encoded) // 3)  # RFC 2231 pieces may split a character, never a %XX
    cut2 = encoded.find("%", 2 * len(encoded) // 3)
    cases = {
        "2231-simple": (f"filename*=utf-8''{encoded}", name),
        "2231-language": (f"filename*=UTF-8'vi'{encoded}", name),
        "2231-continuation": (
            f"filename*0*=utf-8''{encoded[:cut1]};\r\n filename*1*={encoded[cut1:cut2]};"
            + f"\r\n filename*2*={encoded[cut2:]}",
            name,
        ),
        "2231-continuation-plain": ('filename*0="Bao cao ";\r\n filename*1="thang 11.xlsx"', "Bao cao thang 11.xlsx"),
        "2231-mixed-continuation": (
            "filename*0*=utf-8''B%C3%A1o%20c%C3%A1o;\r\n filename*1=\" th\u00e1ng 11.xlsx\"",
            name,
        ),
        "2231-out-of-order": (f"filename*1*={encoded[cut1:]}; filename*0*=utf-8''{encoded[:cut1]}", name),
        "2231-cp1258": (f"filename*=windows-1258''{pct(cp1258(name))}", name),
        "2231-beats-plain": (f"filename=\"baocao.xlsx\"; filename*=utf-8''{encoded}", name),
        "2047-quoted": (f'filename="{word_b(utf8)}"', name),
        "2047-split": (f'filename="{word_b(utf8[:9])}\r\n {word_b(utf8[9:])}"', name),
        "2047-q-cp1258": (f'filename="{word_q(cp1258(name), "windows-1258")}"', name),
        "raw-utf8": (b'filename="' + utf8 + b'"', name),
        "raw-cp1258": (b'filename="' + cp1258(name) + b'"', name),
    }
    for label, (params, expected) in cases.items():
        disposition = b"attachment; " + _bytes(params)
        att = part(XLSX, b64_body(fake_xlsx(2, 500)), cte="base64", disposition=disposition)
        c.add(f"filename/{label}", with_attachment(att), "candidate", filenames=[expected])
    only_type = part(f'{XLSX}; name="{word_b(utf8)}"', b64_body(fake_xlsx(3, 500)), cte="base64")
    c.add("filename/2047-in-content-type-name", with_attachment(only_type), "candidate", filenames=[name])
    nameless = part(XLSX, b64_body(fake_xlsx(4, 500)), cte="base64", disposition="attachment")
    c.add("filename/none", with_attachment(nameless), "candidate", filenames=["attachment.xlsx"])
    long_name = "Báo cáo " * 60 + ".xlsx"
    c.add(
        "filename/300-chars",
        with_attachment(xlsx_part(f"filename*=utf-8''{pct(long_name.encode())}")),
        "candidate",
        filenames_end=".xlsx",
        filenames_max=120,
    )

    hostile = {
        "traversal-posix": ("../../etc/passwd", "passwd"),
        "traversal-windows": ("..\\\\..\\\\x.exe", "x.exe"),
        "traversal-windows-lone": ("..\\..\\y.exe", "y.exe"),
        "absolute-posix": ("/etc/shadow", "shadow"),
        "absolute-windows": ("C:\\\\Windows\\\\System32\\\\evil.dll", "evil.dll"),
        "unc-path": ("\\\\\\\\server\\\\share\\\\bc.xlsx", "bc.xlsx"),
        "dots-only": ("..", "attachment.xlsx"),
        "extension-only": (".xlsx", "attachment.xlsx"),
        "empty": ("", "attachment.xlsx"),
        "reserved-device": ("CON.xlsx", "_CON.xlsx"),
        "windows-forbidden": ("a<b>:c|d?.xlsx", "a_b__c_d_.xlsx"),
        "trailing-dots": ("report.xlsx . . ", "report.xlsx"),
        "1000-chars": ("A" * 1000 + ".exe", None),
    }
    for label, (raw_name, expected) in hostile.items():
        hints = {"filenames": [expected]} if expected else {"filenames_end": ".exe", "filenames_max": 120}
        c.add(f"hostile-name/{label}", with_attachment(xlsx_part(f'filename="{raw_name}"')), "candidate", **hints)
    encoded_hostile = {
        "rtl-override-2231": ("filename*=utf-8''" + pct("baocao\u202excod.exe".encode()), "baocaoxcod.exe"),
        "rtl-override-2047": ('filename="' + word_b("baocao\u202excod.exe".encode()) + '"', "baocaoxcod.exe"),
        "rtl-override-raw": (b'filename="baocao' + "\u202e".encode() + b'xslx.scr"', "baocaoxslx.scr"),
        "bidi-isolates": ("filename*=utf-8''" + pct("\u2066bao\u2067cao\u2069\u200f.xlsx".encode()), "baocao.xlsx"),
        "nul-raw": (b'filename="bao\x00cao.xlsx"', "baocao.xlsx"),
        "nul-2231": ("filename*=utf-8''bao%00cao.xlsx", "baocao.xlsx"),
        "crlf-2047": ('filename="' + word_q(b"bao\r\ncao.xlsx") + '"', "baocao.xlsx"),
        "crlf-2231": ("filename*=utf-8''bao%0D%0ABcc%3A%20x%40y.xlsx", "baoBcc_ x@y.xlsx"),
        "tab-and-zero-width": ("filename*=utf-8''" + pct("bao\t\u200bcao.xlsx".encode()), "baocao.xlsx"),
        "traversal-2231-encoded": ("filename*=utf-8''%2E%2E%2F%2E%2E%2Fetc%2Fcron.d%2Fx", "x"),
        "traversal-2047": ('filename="' + word_q(b"../../boot.ini") + '"', "boot.ini"),
        "traversal-in-name-param": ('name="../../../../tmp/x.xlsx"', "x.xlsx"),
    }
    for label, (params, expected) in encoded_hostile.items():
        if label == "traversal-in-name-param":
            att = part(f"{XLSX}; {params}", b64_body(fake_xlsx(5, 300)), cte="base64")
        else:
            att = part(XLSX, b64_body(fake_xlsx(5, 300)), cte="base64", disposition=b"attachment; " + _bytes(params))
        c.add(f"hostile-name/{label}", with_attachment(att), "candidate", filenames=[expected])


def _zips(c: _Corpus) -> None:
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("baocao.xlsx", b"\0" * (16 * 1024 * 1024))
    c.add(
        "zip/bomb-by-ratio",
        with_attachment(xlsx_part('filename="baocao.zip"', bomb.getvalue(), content_type="application/zip")),
        "candidate",
        filenames=["baocao.zip"],
        zip_size=len(bomb.getvalue()),
    )
    nested = io.BytesIO()
    with zipfile.ZipFile(nested, "w") as archive:
        archive.writestr("inner.zip", bomb.getvalue())
        archive.writestr("../../evil.sh", b"rm -rf /")
    c.add(
        "zip/nested-and-traversal",
        with_attachment(
            xlsx_part('filename="hoso.zip"', nested.getvalue(), content_type="application/x-zip-compressed")
        ),
        "candidate",
        filenames=["hoso.zip"],
        zip_size=len(nested.getvalue()),
    )
    c.add(
        "zip/declared-as-xlsx",
        with_attachment(xlsx_part('filename="baocao.xlsx"', bomb.getvalue())),
        "candidate",
        filenames=["baocao.xlsx"],
        zip_size=len(bomb.getvalue()),
    )


def _broken_mime(c: _Corpus) -> None:
    att = xlsx_part('filename="baocao.xlsx"')
    body = multipart_body([text_part(), att], "B1", close=False)
    c.add(
        "mime/missing-closing-boundary",
        mail(content_type='multipart/mixed; boundary="B1"', cte=None, body=body),
        "candidate",
        text=PHRASE,
        filenames=["baocao.xlsx"],
    )
    body = multipart_body([text_part(), att], "ACTUAL")
    c.add(
        "mime/wrong-boundary",
        mail(content_type='multipart/mixed; boundary="DECLARED"', cte=None, body=body),
        "candidate",
        text=PHRASE,
        filenames=["baocao.xlsx"],
    )
    c.add(
        "mime/boundary-never-appears",
        mail(content_type='multipart/mixed; boundary="NEVER"', cte=None, body=BODY),
        "candidate",
        text=PHRASE,
    )
    c.add(
        "mime/multipart-without-boundary",
        mail(content_type="multipart/mixed", cte=None, body=BODY),
        "candidate",
        text=PHRASE,
    )
    inner = part("multipart/alternative", text_part() + b"\r\n")
    c.add(
        "mime/nested-multipart-without-boundary",
        mail(content_type='multipart/mixed; boundary="OUT"', cte=None, body=multipart_body([inner, att], "OUT")),
        "candidate",
        text=PHRASE,
        filenames=["baocao.xlsx"],
    )
    c.add(
        "mime/only-closing-delimiter",
        mail(content_type='multipart/mixed; boundary="B2"', cte=None, body=BODY + "\r\n--B2--\r\n"),
        "candidate",
        text=PHRASE,
    )
    c.add("mime/empty-subtype", mail(content_type="multipart/", cte=None, body=BODY), "candidate", text=PHRASE)
    c.add("mime/star-param-indexerror", mail(content_type="text/plain; a*", body=BODY), "candidate", text=PHRASE)
    c.add("mime/garbage-content-type", mail(content_type="%%%; ;;=;", body=BODY), "candidate", text=PHRASE)
    c.add(
        "mime/mixed-2231-boundary",
        mail(
            content_type='multipart/mixed; boundary*0="A"; boundary*1*=B',
            cte=None,
            body=multipart_body([text_part()], "AB"),
        ),
        "candidate",
        text=PHRASE,
    )
    b64 = b64_body(BODY.encode()).decode()
    c.add(
        "mime/base64-bad-padding",
        mail(body=b64.rstrip("=\r\n")[:-1] + "\r\n", cte="base64"),
        "candidate",
        text="Kính gửi",
    )
    c.add(
        "mime/base64-junk-characters",
        mail(body="!!" + b64.replace("\r\n", " *\r\n"), cte="base64"),
        "candidate",
        text=PHRASE,
    )
    c.add("mime/cte-trailing-junk", mail(body=b64, cte="Base64 (encoded)"), "candidate", text=PHRASE)
    c.add("mime/cte-unknown", mail(body=BODY, cte="x-something"), "candidate", text=PHRASE)
    c.add(
        "mime/qp-bad-escapes",
        mail(body=qp_body(BODY.encode()) + b"=ZZ=\r\n=4", cte="quoted-printable"),
        "candidate",
        text=PHRASE,
    )
    c.add("mime/bare-lf", mail(eol=b"\n"), "candidate", text=PHRASE)
    c.add("mime/bare-cr", mail(eol=b"\r"), "candidate", text=PHRASE)
    c.add(
        "mime/mixed-line-endings",
        mail().replace(b"\r\nDate:", b"\nDate:").replace(b"\r\n", b"\n", 3),
        "candidate",
        text=PHRASE,
    )
    c.add("mime/no-mime-version", mail(mime=False), "candidate", text=PHRASE)
    c.add(
        "mime/duplicate-content-type",
        mail(extra=[("Content-Type", 'multipart/mixed; boundary="X"')]),
        "candidate",
        text=PHRASE,
    )
    c.add(
        "mime/8bit-in-params",
        mail(content_type=b'text/plain; charset=utf-8; name="b\xe1o c\xe1o"'),
        "candidate",
        text=PHRASE,
    )
    c.add(
        "mime/part-without-headers",
        mail(
            content_type='multipart/mixed; boundary="P"', cte=None, body=multipart_body([b"\r\n" + BODY.encode()], "P")
        ),
        "candidate",
        text=PHRASE,
    )
    html = "<html><body><p>Kính gửi,</p><p>Sở Y tế xin gửi báo cáo tháng 11/2026</p></body></html>"
    alt = part('multipart/alternative; boundary="ALT"', multipart_body([part("text/html; charset=utf-8", html)], "ALT"))
    c.add(
        "mime/alternative-html-only",
        mail(content_type='multipart/mixed; boundary="M"', cte=None, body=multipart_body([alt, att], "M")),
        "candidate",
        text=PHRASE,
        filenames=["baocao.xlsx"],
    )
    related = part(
        'multipart/related; boundary="REL"',
        multipart_body(
            [
                part(
                    'multipart/alternative; boundary="ALT2"',
                    multipart_body([text_part(), part("text/html", html)], "ALT2"),
                ),
                part("image/png", b64_body(b"\x89PNG\r\n\x1a\nfake"), cte="base64", extra=[("Content-ID", "<logo@x>")]),
            ],
            "REL",
        ),
    )
    c.add(
        "mime/related-inline-image",
        mail(content_type='multipart/mixed; boundary="M2"', cte=None, body=multipart_body([related, att], "M2")),
        "candidate",
        text=PHRASE,
        filenames=["attachment.png", "baocao.xlsx"],
    )
    signed = multipart_body(
        [
            text_part(),
            part(
                'application/pkcs7-signature; name="smime.p7s"',
                b64_body(b"0\x82sig"),
                cte="base64",
                disposition='attachment; filename="smime.p7s"',
            ),
        ],
        "SIG",
    )
    c.add(
        "mime/smime-signed",
        mail(
            content_type='multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="SIG"',
            cte=None,
            body=signed,
        ),
        "candidate",
        text=PHRASE,
        filenames=["smime.p7s"],
    )
    c.add(
        "mime/text-attachment-without-name",
        with_attachment(part("text/csv; charset=utf-8", "ma,gia tri\r\nA1,12\r\n", disposition="attachment")),
        "candidate",
        text=PHRASE,
        filenames=["attachment.csv"],
    )
    c.add(
        "mime/uuencoded-attachment",
        with_attachment(
            part('application/octet-stream; name="a.txt"', "begin 644 a.txt\r\n#86)C\r\n`\r\nend\r\n", cte="x-uuencode")
        ),
        "candidate",
        filenames=["a.txt"],
    )
    c.add(
        "mime/html-only-with-script",
        mail(
            content_type="text/html; charset=utf-8",
            body="<html><head><title>t</title><style>p{}</style><script>alert('x')</script></head>"
            "<body>Sở Y tế <b>xin gửi</b> báo cáo tháng 11/2026<br>Trân trọng</body></html>",
        ),
        "candidate",
        text=PHRASE,
        text_absent="alert",
    )


def _caps(c: _Corpus) -> None:
    c.add("caps/100kb-subject", mail("Báo cáo " + "x" * 100_000), "unparseable")
    c.add(
        "caps/70kb-received",
        mail(extra=[("Received", f"from relay{i}.example by mx; {DATE}") for i in range(1500)]),
        "unparseable",
    )
    c.add("caps/40kb-subject", mail("Re: [DD-17] " + "Báo cáo " * 5000), "candidate")
    c.add("caps/3000-small-headers", mail(extra=[(f"X-H{i}", "v") for i in range(3000)]), "candidate")
    for count, expect in ((10_000, "unparseable"), (600, "unparseable"), (300, "candidate")):
        parts = [text_part()] + [
            part("application/octet-stream", b"x", disposition=f'attachment; filename="{i}.bin"')
            for i in range(count - 1)
        ]
        c.add(
            f"caps/{count}-parts",
            mail(content_type='multipart/mixed; boundary="N"', cte=None, body=multipart_body(parts, "N")),
            expect,
        )
    c.add("caps/26mb", mail(body=b"A" * (26 * 1024 * 1024)), "unparseable")
    nested = text_part()
    for level in range(100):
        nested = part(f'multipart/mixed; boundary="L{level}"', multipart_body([nested], f"L{level}"))
    c.add(
        "caps/100-nested-multiparts",
        mail(content_type='multipart/mixed; boundary="TOP"', cte=None, body=multipart_body([nested], "TOP")),
        "unparseable",
    )
    c.add(
        "caps/100kb-filename",
        with_attachment(xlsx_part('filename="' + "B" * 100_000 + '.xlsx"')),
        "candidate",
        filenames_end=".xlsx",
        filenames_max=120,
    )
    many = ", ".join(f"user{i}@agency{i % 50}.gov.vn" for i in range(1500))
    c.add("caps/1500-recipients", mail(extra=[("Cc", many)]), "candidate")
    c.add("caps/500-references", mail(extra=[("References", " ".join(f"<id{i}@x>" for i in range(500)))]), "candidate")


def _forward_of(inner: bytes, level: int, *, subject: str | None = None, note: str = "Chuyển tiếp") -> bytes:
    boundary = f"=_fwd_{level}"
    rfc822 = part("message/rfc822", inner, disposition='attachment; filename="forwarded.eml"')
    return mail(
        subject or f"FW: [DD-17] {SUBJECTS[0]}",
        content_type=f'multipart/mixed; boundary="{boundary}"',
        cte=None,
        body=multipart_body([text_part(f"{note} lần {level}"), rfc822], boundary),
        sender=f"nguoi{level}@soyte.hanoi.gov.vn",
        message_id=f"<fwd{level}@soyte>",
    )


def _forwards(c: _Corpus) -> None:
    form = with_attachment(
        xlsx_part(f"filename*=utf-8''{pct('Mẫu báo cáo DD-17.xlsx'.encode())}"), subject="[DD-17] Nhắc nộp báo cáo"
    )
    c.add(
        "forward/outlook-attached",
        _forward_of(form, 1),
        "candidate",
        filenames=["Mẫu báo cáo DD-17.xlsx"],
        text="Forwarded message",
    )
    chain = form
    for level in range(1, 4):
        chain = _forward_of(chain, level)
    c.add("forward/nested-3", chain, "candidate", filenames=["Mẫu báo cáo DD-17.xlsx"])
    for level in range(4, 13):
        chain = _forward_of(chain, level)
    c.add("forward/nested-12", chain, "candidate", filenames=["Mẫu báo cáo DD-17.xlsx"])
    deep = form
    for level in range(200):
        deep = _forward_of(deep, level)
    c.add("forward/nested-200", deep, "unparseable")
    gmail = (
        "Anh xem giúp.\n\n---------- Forwarded message ---------\nFrom: Sở Y tế <vanthu@soyte.hanoi.gov.vn>\n"
        "Date: Mon, 30 Nov 2026\nSubject: Re: [DD-17] Báo cáo\n\n" + BODY
    )
    c.add(
        "forward/gmail-inline",
        with_attachment(xlsx_part('filename="baocao.xlsx"'), text=gmail, subject="Fwd: Re: [DD-17] Báo cáo"),
        "candidate",
        text="---------- Forwarded message",
        filenames=["baocao.xlsx"],
    )
    c.add(
        "forward/whole-message-is-rfc822",
        mail("Fwd: báo cáo", content_type="message/rfc822", cte=None, body=form),
        "candidate",
        filenames=["Mẫu báo cáo DD-17.xlsx"],
    )
    encoded = part("message/rfc822", b64_body(form), cte="base64", disposition='attachment; filename="a.eml"')
    c.add(
        "forward/base64-encoded-rfc822",
        mail(
            "Fwd: báo cáo",
            content_type='multipart/mixed; boundary="E"',
            cte=None,
            body=multipart_body([text_part(), encoded], "E"),
        ),
        "candidate",
        filenames=["Mẫu báo cáo DD-17.xlsx"],
    )
    inner_cp1258 = mail(
        b"Re: " + cp1258("Báo cáo quý IV"), body=cp1258(BODY), content_type="text/plain; charset=windows-1258"
    )
    c.add("forward/inner-cp1258", _forward_of(inner_cp1258, 1), "candidate", text="Subject: Re: Báo cáo quý IV")
    auto = mail("Trả lời tự động: [DD-17] Nhắc nộp báo cáo", extra=[("Auto-Submitted", "auto-replied")])
    # an automatic subject after Re:/Fwd: prefixes is automatic, also when a person forwards it
    c.add(
        "forward/of-an-auto-reply", _forward_of(auto, 1, subject="Fwd: Trả lời tự động: [DD-17] Nhắc nộp"), "auto-reply"
    )
    c.add(
        "forward/digest",
        mail(content_type='multipart/digest; boundary="D"', cte=None, body=multipart_body([b"\r\n" + form], "D")),
        "candidate",
        filenames=["Mẫu báo cáo DD-17.xlsx"],
    )


def _spoofs(c: _Corpus) -> None:
    tag = "Re: [DD-123] " + SUBJECTS[0]
    c.add(
        "spoof/sender-differs",
        mail(tag, extra=[("Sender", "attacker@evil.example"), ("Return-Path", "<attacker@evil.example>")]),
        "candidate",
        from_address=AGENCY,
    )
    c.add(
        "spoof/address-in-display-name",
        mail(tag, sender=f'"{AGENCY}" <attacker@evil.example>'),
        "candidate",
        from_address="attacker@evil.example",
    )
    c.add(
        "spoof/encoded-angle-address",
        mail(tag, sender=word_b(f"<{AGENCY}>".encode()) + " <attacker@evil.example>"),
        "candidate",
        from_address="attacker@evil.example",
    )
    c.add(
        "spoof/comment-address",
        mail(tag, sender=f"({AGENCY}) attacker@evil.example"),
        "candidate",
        from_address="attacker@evil.example",
    )
    c.add(
        "spoof/two-from-addresses",
        mail(tag, sender=f"attacker@evil.example, {AGENCY}"),
        "candidate",
        from_address="attacker@evil.example",
    )
    injected = word_q(b"Van thu\r\nBcc: x@evil.example") + f" <{AGENCY}>"
    c.add("spoof/header-injection-in-name", mail(tag, sender=injected), "candidate", from_address=AGENCY)
    c.add(
        "spoof/reply-to-elsewhere",
        mail(tag, extra=[("Reply-To", "attacker@evil.example")]),
        "candidate",
        from_address=AGENCY,
    )
    for i, body in enumerate((BODY, "Nội dung khác hẳn.", "Third copy, replayed")):
        c.add(
            f"replay/same-message-id-{i}",
            mail(tag, body=body, message_id="<replayed-1@soyte.hanoi.gov.vn>"),
            "candidate",
            message_id="<replayed-1@soyte.hanoi.gov.vn>",
        )


def _auto_replies(c: _Corpus) -> None:
    vietnamese = [
        "Trả lời tự động: Re: [DD-17] Nhắc nộp báo cáo",
        "Tự động trả lời: [DD-17] Nhắc nộp báo cáo",
        "Thư trả lời tự động",
        "Vắng mặt",
        "Đang đi công tác đến hết ngày 05/12",
        "Nghỉ phép từ 01/12 đến 05/12",
        "TRẢ LỜI TỰ ĐỘNG: [DD-17]",
        "Tra loi tu dong: [DD-17]",
        "[Trả lời tự động] Re: báo cáo",
        "Phản hồi tự động: Re: [DD-17]",
    ]
    for i, subject in enumerate(vietnamese):
        c.add(f"auto/vi-subject-utf8-{i}", mail(word_b(subject.encode())), "auto-reply")
        c.add(f"auto/vi-subject-cp1258-{i}", mail(word_q(cp1258(subject), "windows-1258")), "auto-reply")
        c.add(f"auto/vi-subject-raw-{i}", mail(subject.encode()), "auto-reply")
    english = [
        "Out of Office: Re: [DD-17] Reminder",
        "Automatic reply: [DD-17] Nhắc nộp báo cáo",
        "Auto-Reply: Re: [DD-17]",
        "Autoreply: away",
        "AutoReply",
        "Out of Office AutoReply: [DD-17]",
        "[Auto-Reply] Re: [DD-17]",
        "OOO: back on Monday",
        "Auto Response: [DD-17]",
        "out of the office until 7 December",
    ]
    for i, subject in enumerate(english):
        c.add(f"auto/en-subject-{i}", mail(subject), "auto-reply")
    headers = [
        ("Auto-Submitted", "auto-replied"),
        ("Auto-Submitted", "auto-generated"),
        ("Auto-Submitted", "auto-notified"),
        ("Auto-Submitted", 'auto-replied; owner-email="a@b.vn"'),
        ("Auto-Submitted", "AUTO-REPLIED"),
        ("X-Autoreply", "yes"),
        ("X-Autorespond", "Vacation"),
        ("Precedence", "bulk"),
        ("Precedence", "junk"),
        ("Precedence", "list"),
        ("Precedence", "auto_reply"),
        ("X-Autoreply", ""),
    ]
    for i, header in enumerate(headers):
        c.add(f"auto/header-only-{i}", mail(extra=[header]), "auto-reply")
    c.add(
        "auto/x-ars-with-absence-subject",
        mail("Thông báo: tôi đang vắng mặt đến 5/12", extra=[("X-Auto-Response-Suppress", "All")]),
        "auto-reply",
    )
    c.add(
        "auto/x-ars-out-of-office-inside",
        mail(
            "[DD-17] (Out of Office) back on 7/12", extra=[("X-Auto-Response-Suppress", "DR, RN, NRN, OOF, AutoReply")]
        ),
        "auto-reply",
    )
    mdn = multipart_body(
        [
            text_part("Thư của bạn đã được đọc."),
            part(
                "message/disposition-notification",
                "Reporting-UA: x; Outlook\r\nFinal-Recipient: rfc822;"
                + AGENCY
                + "\r\nDisposition: manual-action/MDN-sent-manually; displayed\r\n",
            ),
        ],
        "MDN",
    )
    c.add(
        "auto/read-receipt",
        mail(
            "Đã đọc: [DD-17] Nhắc nộp báo cáo",
            cte=None,
            body=mdn,
            content_type='multipart/report; report-type=disposition-notification; boundary="MDN"',
        ),
        "auto-reply",
    )
    # real replies that merely look automatic somewhere
    report = with_attachment(xlsx_part('filename="baocao.xlsx"'), extra=[("Auto-Submitted", "no")])
    c.add("auto/not-auto-submitted-no", report, "candidate", filenames=["baocao.xlsx"])
    quoting = "Gửi lại báo cáo.\n\n> Trả lời tự động: Tôi đang đi công tác.\n> Out of office"
    c.add(
        "auto/reply-prefix-then-automatic-subject",
        mail("Re: Trả lời tự động: [DD-17] Nhắc nộp báo cáo", body=quoting),
        "auto-reply",
    )
    c.add(
        "auto/not-body-says-out-of-office",
        mail(body="Out of office until Monday, but here is the report."),
        "candidate",
    )
    c.add("auto/not-leave-report", mail("Re: [DD-17] Báo cáo tình hình nghỉ phép năm 2026"), "candidate")
    c.add("auto/not-absence-report", mail("Báo cáo cán bộ vắng mặt tháng 11 [DD-17]"), "candidate")
    c.add(
        "auto/not-outlook-x-ars", mail("RE: [DD-17] Báo cáo", extra=[("X-Auto-Response-Suppress", "All")]), "candidate"
    )
    c.add(
        "auto/x-ars-reply-prefix-then-ooo",
        mail("RE: Out of Office: [DD-17]", extra=[("X-Auto-Response-Suppress", "All")]),
        "auto-reply",
    )
    c.add("auto/not-precedence-first-class", mail(extra=[("Precedence", "first-class")]), "candidate")
    c.add("auto/not-x-autoreply-no", mail(extra=[("X-Autoreply", "no")]), "candidate")
    c.add("auto/not-ooo-word-inside", mail("Re: [DD-17] Báo cáo xoooy"), "candidate")


AUTOMATIC_SUBJECTS_VI = [
    "Thông báo tự động: {s}",
    "Thông báo tự động",
    "THÔNG BÁO TỰ ĐỘNG: {s}",
    "Thong bao tu dong: {s}",
    "Trả lời tự động: {s}",
    "Thư trả lời tự động: {s}",
    "Tự động trả lời: {s}",
    "Phản hồi tự động - {s}",
    "Vắng mặt: {s}",
    "VẮNG MẶT",
    "Vang mat: {s}",
    "Đang đi công tác: {s}",
    "Nghỉ phép đến 05/12",
    "TL: Trả lời tự động: {s}",
    "Trả lời: Thông báo tự động: {s}",
    "TL: TL: Vắng mặt",
    "CT: Thư tự động: {s}",
    "[Trả lời tự động] {s}",
    "(Thông báo tự động) {s}",
    "Re: tra loi tu dong - {s}",
]
AUTOMATIC_SUBJECTS_EN = [
    "Auto: {s}",
    "AUTO: {s}",
    "auto:{s}",
    "Automatic reply: {s}",
    "Automatic Reply: {s}",
    "Autoreply: {s}",
    "AutoReply",
    "Auto-Reply: {s}",
    "Auto Response: {s}",
    "Out of Office: {s}",
    "OUT OF OFFICE",
    "Out of the office",
    "Re: Out of Office: {s}",
    "RE: Automatic reply: {s}",
    "Fwd: Auto: {s}",
    "FW: Re: Autoreply: {s}",
    "AW: Abwesenheitsnotiz: {s}",
    "Abwesenheit: {s}",
    "Réponse automatique : {s}",
    "Risposta automatica: {s}",
    "Respuesta automática: {s}",
    "OOO: back on 07/12",
    "away from my mail",
    "On vacation: {s}",
    "[Auto-Reply] {s}",
    "自动回复: {s}",
]
AUTOMATIC_HEADERS = [
    [("Auto-Submitted", "auto-replied")],
    [("Auto-Submitted", "auto-generated (vacation)")],
    [("Auto-Submitted", "auto-notified")],
    [("Auto-Submitted", "no"), ("Precedence", "bulk")],
    [("Auto-Submitted", "no"), ("X-Autoreply", "yes")],
    [("Auto-Submitted", "no"), ("Return-Path", "<>")],
    [("Auto-Submitted", "no"), ("Auto-Submitted", "auto-replied")],
    [("X-Autoreply", "yes")],
    [("X-Autorespond", "Vacation")],
    [("X-Auto-Reply", "yes")],
    [("Precedence", "junk")],
    [("Precedence", "list")],
    [("Precedence", "auto_reply")],
    [("X-Precedence", "bulk")],
    [("Return-Path", "<>")],
    [("X-MS-Exchange-Inbox-Rules-Loop", "vanthu@example.org")],
    [("X-MS-Exchange-Generated-Message-Source", "Mailbox Rules Agent")],
    [("Thread-Topic", "Automatic reply: Nhắc nộp báo cáo")],
    [("X-Vacation", "yes")],
    [("X-Auto-Response-Suppress", "All"), ("Thread-Topic", "Out of Office")],
]


def automatic_forms(
    *, sender: str, to: str, subject: str, in_reply_to: str | None = None, attach: bool = True
) -> list[tuple[str, bytes]]:
    """Automatic replies to a reminder in every form seen in offices' mail, each looking like a report otherwise
    (sent to ``to``, from ``sender``, in the thread, with a form attached): ``(name, raw)`` pairs."""
    forms: list[tuple[str, list, str]] = []
    for i, pattern in enumerate(AUTOMATIC_SUBJECTS_VI):
        forms.append((f"vi-subject-{i}", [], pattern.format(s=subject)))
    for i, pattern in enumerate(AUTOMATIC_SUBJECTS_EN):
        forms.append((f"en-subject-{i}", [], pattern.format(s=subject)))
    for i, headers in enumerate(AUTOMATIC_HEADERS):
        forms.append((f"header-{i}", headers, "Re: " + subject))
    forms.append(("sender-noreply", [], "Re: " + subject))
    out = []
    for name, headers, text in forms:
        extra = list(headers) + ([("In-Reply-To", in_reply_to), ("References", in_reply_to)] if in_reply_to else [])
        words = word_b(text.encode()) if not text.isascii() else text
        from_ = sender if name != "sender-noreply" else f"no-reply@{sender.partition('@')[2]}"
        boundary = f"=_auto_{_digest(name, text)[:8]}"
        parts = [text_part("Tôi đang vắng mặt, sẽ trả lời khi về cơ quan. / I am out of the office.")]
        if attach:
            parts.append(xlsx_part('filename="bieu-mau.xlsx"'))
        raw = mail(
            words,
            sender=from_,
            to=to,
            content_type=f'multipart/mixed; boundary="{boundary}"',
            cte=None,
            body=multipart_body(parts, boundary),
            extra=extra,
            message_id=f"<auto-{_digest(name, text)[:16]}@{sender.partition('@')[2]}>",
        )
        out.append((name, raw))
    return out


RETURNED = mail(
    "[DD-17] Nhắc nộp báo cáo tháng 11/2026",
    sender=f"Văn phòng UBND <{SENDER}>",
    to=AGENCY,
    extra=[("Auto-Submitted", "auto-generated")],
    body="Kính gửi Sở Y tế, đề nghị nộp báo cáo.",
)


def _dsn(
    mta: str,
    subject: str,
    sender: str,
    human: bytes,
    status: str,
    *,
    human_type: str = "text/plain",
    extra: list = (),
    returned: bytes = RETURNED,
    returned_type: str = "message/rfc822",
) -> bytes:
    body = multipart_body(
        [
            part(f"{human_type}; charset=utf-8", human),
            part("message/delivery-status", status),
            part(returned_type, returned),
        ],
        f"=_{mta}",
    )
    return mail(
        subject,
        sender=sender,
        to=SENDER,
        cte=None,
        body=body,
        extra=list(extra),
        content_type=f'multipart/report; report-type=delivery-status; boundary="=_{mta}"',
    )


def _status(*recipients: tuple[str, str], original: bool = True, kind: str = "rfc822") -> str:
    blocks = ["Reporting-MTA: dns; mx.dondoc.ubnd.gov.vn\r\nArrival-Date: " + DATE + "\r\n"]
    for address, action in recipients:
        block = f"Final-Recipient: {kind}; {address}\r\n"
        if original:
            block += f"Original-Recipient: rfc822;{address}\r\n"
        block += f"Action: {action}\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        blocks.append(block)
    return "\r\n".join(blocks)


def _bounces(c: _Corpus) -> None:
    failed = "nguoinhan@sonnptnt.hanoi.gov.vn"
    daemon = "MAILER-DAEMON@mx.dondoc.ubnd.gov.vn"
    c.add(
        "dsn/postfix",
        _dsn(
            "postfix",
            "Undelivered Mail Returned to Sender",
            f"Mail Delivery System <{daemon}>",
            f"This is the mail system at host mx.\r\n\r\nI'm sorry to have to inform you that your "
            f"message could not\r\nbe delivered.\r\n\r\n<{failed}>: host mx.sonnptnt said: 550 5.1.1 "
            f"User unknown\r\n".encode(),
            _status((failed, "failed")),
            extra=[("Auto-Submitted", "auto-replied")],
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/postfix-delayed",
        _dsn(
            "delay",
            "Delayed Mail (still being retried)",
            f"<{daemon}>",
            f"Your message could not be delivered for 4 hours.\r\n\r\n<{failed}>: "
            f"connect to mx.sonnptnt: Connection timed out\r\n".encode(),
            _status((failed, "delayed")),
        ),
        "bounce",
        failed=[],
    )
    c.add(
        "dsn/sendmail-delay-text-only",
        mail(
            "Warning: could not send message for past 4 hours",
            sender=f"Mail Delivery Subsystem <{daemon}>",
            body=f"    **********************************************\r\n"
            f"    **      THIS IS A WARNING MESSAGE ONLY      **\r\n\r\n"
            f"<{failed}>: Deferred: Connection timed out\r\n",
        ),
        "bounce",
        failed=[],
    )
    c.add(
        "dsn/postfix-two-recipients",
        _dsn(
            "two",
            "Undelivered Mail Returned to Sender",
            f"<{daemon}>",
            b"Two failed.\r\n",
            _status((failed, "failed"), ("b@x.gov.vn", "failed"), ("c@x.gov.vn", "delivered")),
        ),
        "bounce",
        failed=[failed, "b@x.gov.vn"],
    )
    c.add(
        "dsn/exim-report",
        _dsn(
            "exim",
            "Mail delivery failed: returning message to sender",
            "Mail Delivery System <Mailer-Daemon@mail.soyte.hanoi.gov.vn>",
            f"This message was created automatically by mail delivery software.\r\n\r\n"
            f"A message that you sent could not be delivered to one or more of its\r\n"
            f"recipients. This is a permanent error. The following address(es) failed:\r\n\r\n"
            f"  {failed}\r\n    host mx said: 550 User unknown\r\n".encode(),
            _status((failed, "failed"), original=False),
            extra=[("X-Failed-Recipients", failed)],
        ),
        "bounce",
        failed=[failed],
    )
    exim_text = (
        f"This message was created automatically by mail delivery software.\r\n\r\nA message that you sent "
        f"could not be delivered to one or more of its\r\nrecipients. This is a permanent error. "
        f"The following "
        f"address(es) failed:\r\n\r\n  {failed}\r\n    SMTP error from remote mail server after RCPT "
        f"TO:<{failed}>:\r\n    550 5.1.1 User unknown\r\n\r\n------ This is a copy of the message, including "
        f"all the headers. ------\r\n\r\nFrom: {SENDER}\r\nTo: other@elsewhere.gov.vn\r\n"
    )
    c.add(
        "dsn/exim-text-with-header",
        mail(
            "Mail delivery failed: returning message to sender",
            sender="Mail Delivery System <Mailer-Daemon@mail.soyte.hanoi.gov.vn>",
            body=exim_text,
            extra=[("X-Failed-Recipients", failed)],
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/exim-text-only",
        mail(
            "Mail delivery failed: returning message to sender",
            sender="Mail Delivery System <Mailer-Daemon@mail.soyte.hanoi.gov.vn>",
            body=exim_text,
        ),
        "bounce",
        failed=[failed],
    )
    exchange_html = (
        f"<html><body><p><b>Your message to {failed} couldn't be delivered.</b></p><p>{failed} wasn't "
        f"found at sonnptnt.hanoi.gov.vn.</p></body></html>"
    ).encode()
    exchange = "postmaster@sonnptnt.hanoi.gov.vn"
    c.add(
        "dsn/exchange",
        _dsn(
            "exch",
            "Undeliverable: [DD-17] Nhắc nộp báo cáo",
            f"<{exchange}>",
            exchange_html,
            _status((failed, "failed")),
            human_type="text/html",
            returned=headers_block([("From", SENDER), ("To", failed), ("Subject", "x")]),
            returned_type="text/rfc822-headers",
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/exchange-vietnamese",
        _dsn(
            "exvi",
            "Không thể chuyển phát: [DD-17] Nhắc nộp báo cáo",
            "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@sonnptnt.hanoi.gov.vn>",
            exchange_html,
            _status((failed, "failed")),
        ),
        "bounce",
        failed=[failed],
    )
    exchange_text = (
        f"Delivery has failed to these recipients or groups:\r\n\r\n{failed} ({failed})\r\nThe e-mail "
        f"address you entered couldn't be found.\r\n\r\nDiagnostic information for administrators:\r\n"
        f"\r\nGenerating server: mail.sonnptnt.hanoi.gov.vn\r\n\r\nOriginal message headers:\r\n\r\n"
        f"To: someone.else@x.gov.vn\r\n"
    )
    c.add(
        "dsn/exchange-text-only",
        mail("Undeliverable: [DD-17] Nhắc nộp báo cáo", sender=f"<{exchange}>", body=exchange_text),
        "bounce",
        failed=[failed],
    )
    gmail = "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    gmail_text = (
        f"** Address not found **\r\n\r\nYour message wasn't delivered to {failed} because the address "
        f"couldn't be found, or is unable to receive mail.\r\n"
    ).encode()
    c.add(
        "dsn/gmail",
        _dsn("gmail", "Delivery Status Notification (Failure)", gmail, gmail_text, _status((failed, "failed"))),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/gmail-text-only",
        mail("Delivery Status Notification (Failure)", sender=gmail, body=gmail_text),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/gmail-vietnamese",
        mail(
            "Thông báo về tình trạng gửi thư (Không gửi được)",
            sender=gmail,
            body=f"Không tìm thấy địa chỉ\r\n\r\nThư của bạn không được gửi tới {failed} vì "
            f"không tìm thấy địa chỉ này.\r\n",
        ),
        "bounce",
        failed=[failed],
    )
    qmail = (
        f"Hi. This is the qmail-send program at mail.x.gov.vn.\r\nI'm afraid I wasn't able to deliver your "
        f"message to the following addresses.\r\nThis is a permanent error; I've given up. Sorry it didn't work "
        f"out.\r\n\r\n<{failed}>:\r\n1.2.3.4 does not like recipient.\r\n"
        f"Remote host said: 550 No such user\r\n\r\n"
        f"--- Below this line is a copy of the message.\r\n\r\nReturn-Path: <{SENDER}>\r\nTo: <other@x.gov.vn>\r\n"
        f"\r\n<third@x.gov.vn>:\r\n"
    )
    c.add("dsn/qmail", mail("failure notice", sender=f"<{daemon}>", body=qmail), "bounce", failed=[failed])
    c.add(
        "dsn/sendmail",
        _dsn(
            "sm",
            "Returned mail: see transcript for details",
            "Mail Delivery Subsystem <MAILER-DAEMON@mx.x.gov.vn>",
            f"   ----- The following addresses had permanent fatal errors -----\r\n<{failed}>\r\n".encode(),
            _status((failed, "failed")),
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/vietnamese-daemon",
        mail(
            "Không gửi được thư",
            sender=f"<{daemon}>",
            body=f"Thư không gửi được tới các địa chỉ sau:\r\n\r\n<{failed}>: 550 không tồn tại\r\n",
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/utf8-address-type",
        _dsn(
            "u8",
            "Undelivered Mail Returned to Sender",
            f"<{daemon}>",
            b"x",
            _status((failed, "failed"), original=False, kind="utf-8"),
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/null-return-path",
        mail(
            "Không gửi được thư: [DD-17]",
            sender="Hệ thống thư <noreply@mail.gov.vn>",
            body=f"<{failed}>: không tồn tại\r\n",
            extra=[("Return-Path", "<>")],
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/report-without-report-type",
        mail(
            "Returned mail",
            sender="<postmaster@x.gov.vn>",
            cte=None,
            content_type='multipart/report; boundary="R"',
            body=multipart_body(
                [text_part("failed"), part("message/delivery-status", _status((failed, "failed")))], "R"
            ),
        ),
        "bounce",
        failed=[failed],
    )
    c.add(
        "dsn/not-human-forwards-bounce",
        mail("Fwd: Undelivered Mail Returned to Sender", body=f"Anh ơi thư bị trả lại:\r\n<{failed}>: User unknown"),
        "candidate",
    )
    c.add("dsn/not-subject-only", mail("Undeliverable report? [DD-17]"), "candidate")


def _structure(c: _Corpus) -> None:
    c.add("structure/empty", b"", "unparseable")
    c.add("structure/whitespace", b" \r\n\t\r\n", "unparseable")
    c.add("structure/blank-lines", b"\r\n\r\n\r\n", "unparseable")
    c.add("structure/headers-only", mail().split(b"\r\n\r\n")[0], "candidate", text="")
    c.add("structure/headers-and-blank-line", mail().split(b"\r\n\r\n")[0] + b"\r\n\r\n", "candidate", text="")
    rng = random.Random(2026)
    for i, size in enumerate((16, 300, 4096, 65536, 200_000)):
        c.add(
            f"structure/binary-garbage-{i}",
            bytes(rng.randrange(256) for _ in range(min(size, 4096))) * max(1, size // 4096),
            "unparseable",
        )
    c.add("structure/zip-file", fake_xlsx(9, 1000), "unparseable")
    c.add("structure/pdf-file", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "unparseable")
    c.add("structure/gzip-file", b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, "unparseable")
    c.add("structure/only-a-body", BODY.encode() + b"\r\n\r\nPh\xe1\xba\xa7n 2\r\n", "unparseable")
    c.add("structure/body-with-a-colon-line", b"Kinh gui: anh Nam\r\n\r\nBao cao\r\n", "unparseable")
    c.add("structure/one-line-body", mail(body="OK"), "candidate", text="OK")
    c.add("structure/one-line-no-newline", mail(body="Đã gửi.").rstrip(b"\r\n"), "candidate", text="Đã gửi.")
    c.add("structure/utf8-bom", b"\xef\xbb\xbf" + mail(), "candidate", text=PHRASE)
    c.add(
        "structure/mbox-from-line",
        b"From vanthu@soyte.hanoi.gov.vn Mon Nov 30 09:15:00 2026\r\n" + mail(),
        "candidate",
        text=PHRASE,
    )
    c.add("structure/leading-blank-lines", b"\r\n\r\n" + mail(), "candidate", text=PHRASE)
    c.add(
        "structure/nul-bytes-in-body",
        mail(body=b"Ph\x00\x00\xe1\xba\xa7n\x00 " + BODY.encode()),
        "candidate",
        text=PHRASE,
    )
    c.add("structure/nul-in-subject", mail(b"Re: [DD-17] B\x00o c\x00o"), "candidate", subject="Re: [DD-17] B o c o")
    c.add("structure/1mb-line", mail(body="Báo cáo " * 130_000), "candidate")
    c.add(
        "structure/non-header-line-in-headers", mail().replace(b"Date:", b"This is not a header\r\nDate:"), "candidate"
    )
    html_cases = {
        "entities": (
            "text/html; charset=utf-8",
            "8bit",
            b"<p>S&#7903; Y t&#7871; xin g&#7917;i b&aacute;o c&aacute;o th&aacute;ng 11/2026</p>",
        ),
        "meta-charset-cp1258": (
            "text/html",
            "8bit",
            b'<html><head><meta charset="windows-1258"></head><body>'
            + cp1258("Sở Y tế xin gửi báo cáo tháng 11/2026")
            + b"</body></html>",
        ),
        "base64": (
            "text/html; charset=utf-8",
            "base64",
            b64_body("<div>Sở Y tế<br>xin gửi báo cáo tháng 11/2026</div>".encode()),
        ),
        "qp-cp1258": (
            "text/html; charset=windows-1258",
            "quoted-printable",
            qp_body(b"<p>" + cp1258("Sở Y tế xin gửi báo cáo tháng 11/2026") + b"</p>"),
        ),
        "unclosed-tags": (
            "text/html; charset=utf-8",
            "8bit",
            "<div><p>Sở Y tế xin gửi báo cáo tháng 11/2026<td".encode(),
        ),
        "table": (
            "text/html; charset=utf-8",
            "8bit",
            "<table><tr><td>Chỉ tiêu</td><td>Giá trị</td></tr></table><p>xin gửi báo cáo tháng 11/2026</p>".encode(),
        ),
        "broken-markup": (
            "text/html; charset=utf-8",
            "8bit",
            "<!-- x <![CDATA[ <p>xin gửi báo cáo tháng 11/2026 </scr<script>ipt> &#xFFFFFFF; &#0;".encode(),
        ),
    }
    for label, (content_type, cte, body) in html_cases.items():
        hint = {"text": "xin gửi báo cáo tháng 11/2026"} if label != "broken-markup" else {}
        c.add(f"html/{label}", mail(body=body, content_type=content_type, cte=cte), "candidate", **hint)
    garbage_from = [
        "<<<>>>",
        ";;;",
        "=?utf-8?B?!!!?=",
        "",
        "@",
        "<@>",
        '"unterminated <a@b.vn',
        "a@b@c",
        "=?x-unknown?Q?=FF=FE?= <" + AGENCY + ">",
    ]
    for i, sender in enumerate(garbage_from):
        c.add(f"header/garbage-from-{i}", mail(sender=sender), "candidate")
    c.add("header/no-from", mail().replace(b"From:", b"X-From:"), "candidate", from_address=None)
    for i, value in enumerate(["<<<@>>>", "no-brackets@soyte.hanoi.gov.vn", "<folded\r\n @soyte>", "", "<a@b> <c@d>"]):
        c.add(f"header/message-id-{i}", mail(message_id=value or " "), "candidate")
    for i, value in enumerate(
        [
            "Mon, 32 Foo 99999 25:61:00 +9999",
            "hôm qua",
            "Mon, 30 Nov 2026 09:15:00 -0000",
            "30 Nov 2026 09:15 GMT",
            "Thu, 01 Jan 0000 00:00:00 +0000",
            "\xff\xfe",
        ]
    ):
        c.add(f"header/date-{i}", mail().replace(DATE.encode(), value.encode("latin-1")), "candidate")
    garbage_ids = [("In-Reply-To", "<dd.abc@dondoc> (Văn phòng's message of Mon)"), ("References", "<a@x>\r\n\t<b@y>")]
    c.add(
        "header/in-reply-to-with-garbage",
        mail(extra=garbage_ids),
        "candidate",
        in_reply_to=["<dd.abc@dondoc>"],
        references=["<a@x>", "<b@y>"],
    )
    c.add(
        "header/recipients-everywhere",
        mail(
            extra=[
                ("Cc", "Phòng KH <phongkh@soyte.hanoi.gov.vn>"),
                ("Delivered-To", REPLY_TO.upper()),
                ("X-Original-To", "baocao+9-zzzz@dondoc.ubnd.gov.vn"),
                ("Envelope-To", "<envelope@dondoc.ubnd.gov.vn>"),
            ]
        ),
        "candidate",
        recipients=[
            REPLY_TO,
            "phongkh@soyte.hanoi.gov.vn",
            "baocao+9-zzzz@dondoc.ubnd.gov.vn",
            "envelope@dondoc.ubnd.gov.vn",
        ],
    )


def build_corpus() -> list[CorpusMessage]:
    """The whole corpus (≈ 300 messages, a few seconds to build the largest of them)."""
    HINTS.clear()
    corpus = _Corpus()
    for family in (
        _subjects,
        _bodies,
        _filenames,
        _zips,
        _broken_mime,
        _caps,
        _forwards,
        _spoofs,
        _auto_replies,
        _bounces,
        _structure,
    ):
        family(corpus)
    for message in ordinary_replies(12, None):
        corpus.add(message.name, message.raw, message.expect, filenames_end=".xlsx")
    return corpus.messages


# --- ordinary replies, for benchmarks ------------------------------------------------------------------------


def ordinary_replies(n: int, make_xlsx: Callable[[int], bytes] | None = None) -> list[CorpusMessage]:
    """``n`` ordinary replies with the filled-in form attached, rotating through mail-client styles."""
    make = make_xlsx or fake_xlsx
    styles = (_outlook, _gmail, _thunderbird, _zimbra)
    messages = []
    for i in range(n):
        deadline = 100 + i
        raw = styles[i % len(styles)](i, deadline, make(i))
        messages.append(CorpusMessage(f"ordinary/{styles[i % len(styles)].__name__[1:]}-{i}", raw, "candidate"))
    return messages


def _quoted(deadline: int) -> str:
    return (
        f"Kính gửi Văn phòng,\n\nSở Y tế gửi báo cáo kỳ tháng 11/2026 (DD-{deadline}) kèm theo.\n\n"
        f"Trân trọng,\nVăn thư Sở Y tế\n\nVào 09:00 Thứ Hai, 30/11/2026, Văn phòng UBND <{SENDER}> đã viết:\n"
        f"> Kính gửi Sở Y tế,\n> Đề nghị quý cơ quan nộp báo cáo trước ngày 05/12/2026.\n"
    )


def _envelope(i: int, deadline: int, extra: list) -> list[tuple[str, str]]:
    subject = f"Re: [DD-{deadline}] Nhắc nộp báo cáo tình hình thực hiện kế hoạch tháng 11/2026"
    return [
        ("From", f"{word_b('Văn thư Sở Y tế'.encode())} <{AGENCY}>"),
        ("To", f"{word_b('Văn phòng UBND'.encode())} <baocao+{deadline}-k3xqabcdefghijkl@dondoc.ubnd.gov.vn>"),
        ("Subject", word_b(subject.encode())),
        ("Date", DATE),
        ("Message-ID", f"<reply.{i}@soyte.hanoi.gov.vn>"),
        ("In-Reply-To", f"<dd.{deadline:024x}@dondoc.ubnd.gov.vn>"),
        ("References", f"<dd.{deadline:024x}@dondoc.ubnd.gov.vn>"),
        ("MIME-Version", "1.0"),
        *extra,
    ]


def _outlook(i: int, deadline: int, xlsx: bytes) -> bytes:
    text = _quoted(deadline)
    html = "<html><body><p>" + text.replace("\n", "<br>") + "</p></body></html>"
    alt = part(
        'multipart/alternative; boundary="_000_alt_"',
        multipart_body(
            [
                part("text/plain; charset=utf-8", b64_body(text.encode()), cte="base64"),
                part("text/html; charset=utf-8", b64_body(html.encode()), cte="base64"),
            ],
            "_000_alt_",
        ),
    )
    name = f"Bao cao DD-{deadline}.xlsx"
    att = part(
        f'{XLSX}; name="{name}"',
        b64_body(xlsx),
        cte="base64",
        disposition=f'attachment; filename="{name}"; size={len(xlsx)}',
    )
    return (
        headers_block(
            _envelope(
                i,
                deadline,
                [
                    ("Content-Type", 'multipart/mixed; boundary="_004_mix_"'),
                    ("Thread-Index", "AdlZ"),
                    ("X-MS-Has-Attach", "yes"),
                ],
            )
        )
        + b"\r\n"
        + multipart_body([alt, att], "_004_mix_")
    )


def _gmail(i: int, deadline: int, xlsx: bytes) -> bytes:
    text = _quoted(deadline)
    alt = part(
        'multipart/alternative; boundary="000000000000alt"',
        multipart_body(
            [
                part('text/plain; charset="UTF-8"', qp_body(text.encode()), cte="quoted-printable"),
                part(
                    'text/html; charset="UTF-8"', qp_body(f"<div dir=ltr>{text}</div>".encode()), cte="quoted-printable"
                ),
            ],
            "000000000000alt",
        ),
    )
    name = f"Báo cáo DD-{deadline}.xlsx"
    att = part(
        f'{XLSX}; name="{word_b(name.encode())}"',
        b64_body(xlsx),
        cte="base64",
        disposition=f'attachment; filename="{word_b(name.encode())}"',
        extra=[("X-Attachment-Id", "f_1")],
    )
    return (
        headers_block(_envelope(i, deadline, [("Content-Type", 'multipart/mixed; boundary="000000000000mix"')]))
        + b"\r\n"
        + multipart_body([alt, att], "000000000000mix")
    )


def _thunderbird(i: int, deadline: int, xlsx: bytes) -> bytes:
    name = f"Báo cáo DD-{deadline}.xlsx"
    att = part(
        f"{XLSX};\r\n name*=utf-8''{pct(name.encode())}",
        b64_body(xlsx),
        cte="base64",
        disposition=f"attachment;\r\n filename*=utf-8''{pct(name.encode())}",
    )
    body = part("text/plain; charset=UTF-8; format=flowed", _quoted(deadline).encode(), cte="8bit")
    return (
        headers_block(
            _envelope(
                i,
                deadline,
                [("Content-Type", 'multipart/mixed; boundary="------------tb"'), ("User-Agent", "Mozilla Thunderbird")],
            )
        )
        + b"\r\n"
        + multipart_body([body, att], "------------tb")
    )


def _zimbra(i: int, deadline: int, xlsx: bytes) -> bytes:
    name = f"Báo cáo DD-{deadline}.xlsx"
    att = part(XLSX, b64_body(xlsx), cte="base64", disposition=f'attachment; filename="{word_q(name.encode())}"')
    body = part("text/plain; charset=utf-8", qp_body(_quoted(deadline).encode()), cte="quoted-printable")
    return (
        headers_block(
            _envelope(
                i, deadline, [("Content-Type", 'multipart/mixed; boundary="=_zimbra"'), ("X-Mailer", "Zimbra 8.8.15")]
            )
        )
        + b"\r\n"
        + multipart_body([body, att], "=_zimbra")
    )

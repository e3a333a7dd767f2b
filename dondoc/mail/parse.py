"""Reading inbound mail: raw bytes to a safe, fully decoded, NFC view of one message.

Agencies' mail clients send everything: cp1258 and unlabelled 8-bit headers,
unknown charset names, broken MIME boundaries, RFC 2231 names with path
separators in them, forwards nested in forwards. :func:`parse_message` never
raises anything but :class:`Unparseable`.

How (FINDINGS.md, "Parsing Vietnamese mail"):

- size, header and part caps are checked on the bytes *before* parsing: a
  10,000-part message or a 100 KB header must not cost seconds;
- the structure comes from the stdlib ``compat32`` parser, which is lenient,
  fast and keeps every header's raw bytes (``policy.default`` is tried only if
  it fails). ``policy.default`` is not the primary parser because its header
  objects raise on garbage (``IndexError``, ``LookupError``), are slow on huge
  values, and turn 8-bit bytes into U+FFFD before we can guess their charset;
- every header, parameter and payload is then decoded here: RFC 2047 words
  (adjacent words joined before decoding, so a UTF-8 character split between
  two words survives), RFC 2231 continuations, and charsets by declaration
  or, when the declaration is missing, unknown or a mere "latin-1", by guess:
  UTF-8, then cp1258 when the bytes look Vietnamese, then windows-1252.
"""

from __future__ import annotations

import binascii
import codecs
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from html import unescape

__all__ = ["ParsedAttachment", "ParsedMail", "Unparseable", "parse_message"]

MAX_DEPTH = 64  # nested multiparts and forwards (a forward is two levels); real mail stays under 20
MAX_HTML = 1024 * 1024  # characters of HTML converted to text (≈ 0.2–0.5 s at worst); the rest is cut, a defect
MAX_NAME = 120  # characters of a sanitised filename
MAX_IDS = 100  # message-ids kept from In-Reply-To / References

# Top-level headers kept in ParsedMail.headers (decoded); the classifier reads them.
KEPT_HEADERS = ("auto-submitted", "x-autoreply", "x-autorespond", "precedence", "x-auto-response-suppress",
                "content-type", "return-path", "x-failed-recipients", "list-id")
_RECIPIENT_HEADERS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
# A message needs at least one of these to be a message at all.
_CORE_HEADERS = frozenset({"from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
                           "mime-version", "content-type", "sender", "reply-to", "delivered-to", "in-reply-to",
                           "references"})
_WANTED = frozenset({*KEPT_HEADERS, *_RECIPIENT_HEADERS, *_CORE_HEADERS})
_PART_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})

_EXTENSIONS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "text/plain": ".txt",
    "text/html": ".html",
    "text/csv": ".csv",
    "text/calendar": ".ics",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "message/rfc822": ".eml",
}


class Unparseable(Exception):
    """The message cannot be read; ``.reason`` is one line."""

    def __init__(self, reason: str):
        self.reason = " ".join(str(reason).split())[:300] or "unreadable"
        super().__init__(self.reason)


@dataclass(frozen=True)
class ParsedAttachment:
    """One attached file: a safe name for storing and showing, the name as sent, the decoded bytes."""

    filename: str
    original_filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True)
class ParsedMail:
    """A message as dondoc reads it: every string decoded, NFC, free of control characters where shown."""

    message_id: str | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str | None
    from_name: str
    recipients: tuple[str, ...]
    subject: str
    date: dt.datetime | None
    text: str
    attachments: tuple[ParsedAttachment, ...]
    headers: dict[str, str]
    is_report: bool
    report_recipients: tuple[str, ...]
    defects: tuple[str, ...]


# --- charsets -------------------------------------------------------------------------------------------------

_GUESSED = frozenset({"", "x-unknown", "unknown", "unknown-8bit", "x-user-defined", "vietnamese", "default", "none",
                      "charset", "8bit", "binary", "us"})
_ALIASES = {"utf8": "utf-8", "utf8mb4": "utf-8", "utf8mb3": "utf-8", "unicode-1-1-utf-8": "utf-8",
            "x-cp1258": "cp1258", "win-1258": "cp1258", "cp-1258": "cp1258", "x-cp1252": "cp1252"}
_WEAK = frozenset({"ascii", "iso8859-1"})  # declarations that 8-bit mail so often gets wrong that we guess anyway
# Codecs Python knows but no mail means: escapes and transforms would let a label inject characters.
_REFUSED = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined", "utf-7"})
# Bytes that cp1258 decodes as Vietnamese-only letters (ă đ ơ ư, upper and lower) or tone marks.
_VIET_LETTERS = bytes([0xC3, 0xE3, 0xD0, 0xF0, 0xD5, 0xF5, 0xDD, 0xFD])
_VIET_MARKS = bytes([0xCC, 0xEC, 0xDE, 0xD2, 0xF2])
_NOT_LETTERS = bytes(b for b in range(256) if b not in _VIET_LETTERS)
_NOT_MARKS = bytes(b for b in range(256) if b not in _VIET_MARKS)
_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=256)
def _codec(label: str | None) -> tuple[str | None, bool]:
    """``(codec name, weak)`` for a declared charset; ``(None, True)`` when it must be guessed."""
    name = (label or "").strip().strip("\"'").strip().lower()
    name = _ALIASES.get(name, name)
    if name in _GUESSED:
        return None, True
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError, TypeError):
        return None, True
    if codec in _REFUSED:
        return None, True
    return codec, codec in _WEAK


def _byte_char(byte: int) -> str:
    """One stray byte in otherwise valid UTF-8, read as windows-1252 (latin-1 where that has a hole)."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # latin-1


def _single_byte(data: bytes, weak: bool) -> str:
    """cp1258 if the bytes look Vietnamese (stricter after a "latin-1" label), else windows-1252; latin-1 last."""
    letters = len(data.translate(None, _NOT_LETTERS))
    marks = len(data.translate(None, _NOT_MARKS))
    vietnamese = (letters and marks) if weak else (letters + marks)
    for codec in ("cp1258", "cp1252") if vietnamese else ("cp1252", "cp1258"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1")


def _guess(data: bytes, weak: bool = False) -> str:
    """Bytes of unknown charset: UTF-8 (also UTF-8 with stray single bytes), else cp1258 or cp1252."""
    if data.isascii():
        return data.decode("ascii")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = data.decode("utf-8", "surrogateescape")
    stray = len(_SURROGATE.findall(mixed))
    eight_bit = len(data) - len(data.translate(None, bytes(range(128, 256))))
    if eight_bit - stray >= 2 * stray:  # mostly valid UTF-8: decode the stray bytes one by one
        return _SURROGATE.sub(lambda m: _byte_char(ord(m.group()) - 0xDC00), mixed)
    return _single_byte(data, weak)


def _decode(data: bytes, charset: str | None = None) -> str:
    """``data`` as text: the declared charset when it is known and fits, else a guess. Never raises."""
    codec, weak = _codec(charset)
    if codec is not None and not weak:
        try:
            return data.decode(codec)
        except (UnicodeError, LookupError, ValueError, TypeError):
            return _guess(data)  # the declaration is proven wrong: as good as none
    return _guess(data, weak=codec is not None)


def _nfc(text: str) -> str:
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


# --- header values --------------------------------------------------------------------------------------------

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]*)\?([bBqQ])\?([^?]*?)\?=")
_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_INVISIBLE = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_BASE64_NOISE = bytes(set(range(256)) - set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))


def _b64(data: bytes) -> bytes | None:
    """Lenient base64: stray characters and broken padding tolerated; None if nothing can be made of it."""
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        pass
    clean = data.translate(None, _BASE64_NOISE)
    clean = clean[: len(clean) - len(clean) % 4] if len(clean) % 4 == 1 else clean + b"=" * (-len(clean) % 4)
    try:
        return binascii.a2b_base64(clean)
    except (binascii.Error, ValueError):
        return None


def _unicode(raw: object) -> str:
    """A raw header value unfolded, its 8-bit bytes decoded by guess; encoded-words left as they are."""
    text = _FOLD.sub("", raw if isinstance(raw, str) else str(raw))
    if text.isascii():
        return text
    try:
        return _guess(text.encode("utf-8", "surrogateescape"))
    except UnicodeError:
        return _SURROGATE.sub("\ufffd", text)


def _decode_words(text: str) -> str:
    """RFC 2047: decode every encoded-word; adjacent words of one charset are joined as bytes first."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending = bytearray()
    pending_charset: str | None = None
    end, after_word = 0, False

    def flush() -> None:
        if pending:
            out.append(_decode(bytes(pending), pending_charset))
            pending.clear()

    for match in _ENCODED_WORD.finditer(text):
        between = text[end:match.start()]
        if between and not (after_word and between.isspace()):
            flush()
            out.append(between)
        encoded = match.group(3).encode("utf-8", "surrogateescape")
        if match.group(2) in "bB":
            data = _b64(encoded)
        else:
            data = binascii.a2b_qp(encoded, header=True)
        charset = match.group(1).partition("*")[0].lower()  # RFC 2231 language suffix
        if data is None:  # not base64 after all: keep the word as written
            flush()
            out.append(match.group())
        else:
            if pending and charset != pending_charset:
                flush()
            pending_charset = charset
            pending.extend(data)
        end, after_word = match.end(), True
    flush()
    out.append(text[end:])
    return "".join(out)


def _line(text: str) -> str:
    """One display line: no control, line-breaking or bidi characters; whitespace collapsed; NFC."""
    text = _INVISIBLE.sub("", _LINE_BREAKERS.sub(" ", text))
    return _nfc(" ".join(text.split()))


def _header_text(raw: object) -> str:
    return _line(_decode_words(_unicode(raw)))


# --- parameters (Content-Type, Content-Disposition) ---------------------------------------------------------

_PARAM_NAME = re.compile(r"^([^*]+)\*(?:(\d{1,3})(\*?))?$")
_MIME_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")


_PARAM_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|;|[^;"]+')


def _split_params(text: str) -> list[str]:
    """Split at semicolons outside quoted strings."""
    if '"' not in text:
        return text.split(";")
    parts, current = [], []
    for token in _PARAM_TOKEN.findall(text):
        if token == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(token)
    parts.append("".join(current))
    return parts


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        # only \\ and \" are unescaped, as the stdlib does: a lone backslash stays (Windows paths)
        return value[1:-1].replace("\\\\", "\\").replace('\\"', '"')
    return value.strip('"')


def _params(raw: object) -> tuple[str, dict[str, str]]:
    """``(main value lowercased, {parameter: decoded value})``; RFC 2231 continuations joined and decoded."""
    parts = _split_params(_unicode(raw))
    main = " ".join(parts[0].split()).lower()
    simple: dict[str, str] = {}
    pieces: dict[str, dict[int, tuple[bool, str]]] = {}
    for part in parts[1:]:
        name, equals, value = part.partition("=")
        name = name.strip().lower()
        if not equals or not name:
            continue
        value = _unquote(value)
        extended = _PARAM_NAME.match(name)
        if extended:
            index = int(extended.group(2)) if extended.group(2) is not None else 0
            encoded = extended.group(2) is None or bool(extended.group(3))
            pieces.setdefault(extended.group(1), {}).setdefault(index, (encoded, value))
        else:
            simple.setdefault(name, value)
    for name, numbered in pieces.items():
        charset, data = None, bytearray()
        for position, index in enumerate(sorted(numbered)):
            encoded, value = numbered[index]
            if encoded:
                if position == 0 and value.count("'") >= 2:
                    charset, _, value = value.split("'", 2)
                data.extend(_percent_bytes(value))
            else:
                data.extend(value.encode("utf-8", "surrogateescape"))
        simple[name] = _decode(bytes(data), charset)
    return main, simple


def _percent_bytes(value: str) -> bytes:
    raw = value.encode("utf-8", "surrogateescape")
    return re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


# --- addresses, ids, dates ------------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f-\x9f]+@[^\s@<>()\[\],;:\"\\\x00-\x1f\x7f-\x9f]+$")
_ADDRESS_IN_TEXT = re.compile(r"[A-Za-z0-9._%+=&'/-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MESSAGE_ID = re.compile(r"<[^<>]+>")
_WHITESPACE = re.compile(r"\s+")


def _address(text: str) -> str | None:
    candidate = _nfc(text.strip().strip("<>").strip().lower())
    return candidate if _ADDRESS.match(candidate) and len(candidate) <= 320 else None


def _addresses(values: list[object]) -> list[tuple[str, str]]:
    """``(display name, address)`` pairs from address headers; garbage yields nothing, not an error."""
    found: list[tuple[str, str]] = []
    for raw in values:
        text = _unicode(raw)
        try:
            pairs = getaddresses([text])
        except Exception:  # noqa: BLE001 - the stdlib address parser on garbage
            pairs = []
        valid = [(name, address) for name, address in ((n, _address(a)) for n, a in pairs) if address]
        if not valid:  # unbalanced brackets and the like: take what looks like an address
            valid = [("", a) for a in (_address(x) for x in _ADDRESS_IN_TEXT.findall(text)) if a]
        found += [(_line(_decode_words(name)), address) for name, address in valid]
    return found


def _message_ids(values: list[object]) -> list[str]:
    ids: list[str] = []
    for raw in values:
        text = _WHITESPACE.sub("", _LINE_BREAKERS.sub("", _unicode(raw)))
        found = _MESSAGE_ID.findall(text)
        if not found and "@" in text and "<" not in text and ">" not in text:
            found = [f"<{text}>"]
        ids += [_nfc(_INVISIBLE.sub("", i))[:998] for i in found]
    unique = list(dict.fromkeys(ids))
    return unique if len(unique) <= MAX_IDS else unique[: MAX_IDS // 2] + unique[-MAX_IDS // 2:]


def _date(raw: object) -> dt.datetime | None:
    try:
        when = parsedate_to_datetime(_line(_unicode(raw)))
    except Exception:  # noqa: BLE001 - any garbage date is simply no date
        return None
    if when is None:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


# --- bodies ----------------------------------------------------------------------------------------------------

_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES = re.compile(r"\r\n?")
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


def _body_text(text: str) -> str:
    return _nfc(_BODY_CONTROLS.sub("", _NEWLINES.sub("\n", text)))


# A few linear regex passes (html.parser is ~1 MB/s and quadratic on some unclosed markup). A tag's
# attributes are bounded: a "<" that closes no tag within 8,000 characters is text.
_TAG_REST = r"\b[^<>]{0,8000}>"
_HTML_HIDDEN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style|title|template|noscript)" + _TAG_REST
                          + r".*?(?:</\1\s*>|\Z)|<head" + _TAG_REST + r".*?(?:</head\s*>|(?=<body)|\Z)"
                          + r"|<[!?][^<>]{0,4000}>", re.DOTALL | re.IGNORECASE)
_HTML_PRE = re.compile(r"<pre" + _TAG_REST + r".*?(?:</pre\s*>|\Z)", re.DOTALL | re.IGNORECASE)
_HTML_BLOCK = re.compile(r"</?(?:p|div|br|tr|li|ul|ol|table|blockquote|h[1-6]|hr|pre|section|article|header"
                         r"|footer|dd|dt|address)" + _TAG_REST, re.IGNORECASE)
_HTML_CELL = re.compile(r"<t[dh]" + _TAG_REST, re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9:-]{0,40}" + _TAG_REST)
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _html_to_text(html: str) -> str:
    """Text of an HTML body: block elements become line breaks; scripts, styles and the head disappear."""
    html = _HTML_HIDDEN.sub("", html)
    html = _HTML_PRE.sub(lambda m: m.group().replace("\n", "<br>"), html)
    html = _HTML_SPACE.sub(" ", html)
    html = _HTML_TAG.sub("", _HTML_CELL.sub("\t", _HTML_BLOCK.sub("\n", html)))
    lines = [" ".join(line.split()) for line in unescape(html).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- filenames --------------------------------------------------------------------------------------------------

_NAME_DROPPED = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]")
_NAME_REPLACED = re.compile(r'[<>:"|?*]')
_RESERVED_NAMES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                             *(f"lpt{i}" for i in range(10))})


def _visible(name: str) -> str:
    """The name as sent, for the record: control and bidi characters shown as ``\\uXXXX``."""
    return _nfc(_NAME_DROPPED.sub(lambda m: f"\\u{ord(m.group()):04x}", name))[:1000]


def _safe_filename(name: str, content_type: str) -> str:
    """A name safe to show and store: basename only, no control or bidi characters, ≤ 120 characters."""
    name = _nfc(_NAME_DROPPED.sub("", name)).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join(_NAME_REPLACED.sub("_", name).split()).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 16 or " " in extension or not extension:
        stem, extension = name, ""
    else:
        extension = "." + extension
    stem = stem.strip(" .")
    if not stem:
        stem = "attachment"
        extension = extension or _EXTENSIONS.get(content_type, ".bin")
    if stem.partition(".")[0].lower() in _RESERVED_NAMES:
        stem = "_" + stem
    stem = stem[: MAX_NAME - len(extension)].rstrip(" .") or "attachment"
    return _nfc(stem + extension)


# --- structure ------------------------------------------------------------------------------------------------

@dataclass
class _Body:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)

    def text(self, defects: list[str]) -> str:
        if self.plain:
            return "\n".join(self.plain).strip("\n")
        html = "\n".join(self.html)
        if len(html) > MAX_HTML:
            defects.append("HtmlTruncated")
            html = html[:MAX_HTML]
        return _html_to_text(html) if html else ""


@dataclass
class _PartInfo:
    content_type: str
    params: dict[str, str]
    disposition: str
    filename: str | None
    encoding: str

    def is_body(self, whole_message: bool = False) -> bool:
        """Text without a filename is the body; a single-part message's text is, even with a ``name=``."""
        return self.content_type in ("text/plain", "text/html") and self.disposition != "attachment" \
            and (not self.filename or whole_message)


_REPORT_PARTS = frozenset({"text/rfc822-headers", "message/delivery-status", "message/global-delivery-status",
                           "message/disposition-notification", "message/feedback-report"})


class _TooMany(Exception):
    pass


class _Reader:
    """Walks a parsed tree once, decoding each leaf once."""

    def __init__(self, max_parts: int):
        self.max_parts = max_parts
        self.parts = 0
        self.attachments: list[ParsedAttachment] = []
        self.defects: list[str] = []
        self.report_recipients: list[str] = []
        self.forwards: list[tuple[str, str] | None] = []  # (header summary, text), in document order

    def defect(self, name: str) -> None:
        self.defects.append(name)

    def info(self, part: Message) -> _PartInfo:
        raw: dict[str, object] = {}
        for name, value in part.raw_items():
            key = name.lower()
            if key in _PART_HEADERS and key not in raw:
                raw[key] = value
        content_type, params = _params(raw["content-type"]) if "content-type" in raw else ("", {})
        if not content_type:
            content_type = part.get_default_type()  # text/plain, or message/rfc822 in a digest
        elif not _MIME_TYPE.match(content_type):
            self.defect("InvalidContentType")
            # RFC 2045 says text/plain; but keep what the parser made of the structure
            content_type = next((kind for prefix, kind in (("multipart", "multipart/mixed"),
                                                           ("message", "message/rfc822"))
                                 if content_type.startswith(prefix)), "text/plain")
        disposition, disposition_params = _params(raw["content-disposition"]) \
            if "content-disposition" in raw else ("", {})
        name = disposition_params.get("filename") or params.get("name")
        filename = _decode_words(name) if name else None
        encoding = _line(_unicode(raw.get("content-transfer-encoding", ""))).lower()
        return _PartInfo(content_type, params, disposition, filename, encoding)

    def payload_bytes(self, part: Message, encoding: str) -> bytes:
        # The parser keeps a leaf's payload as str with surrogate-escaped 8-bit bytes: get them back
        # exactly, and undo the transfer encoding ourselves (get_payload(decode=True) would re-read
        # headers through the policy, and misses "base64 " with trailing junk).
        payload = part._payload
        if isinstance(payload, list):
            return b""
        data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else bytes(payload or b"")
        if encoding.startswith("base64"):
            decoded = _b64(data)
            if decoded is None:
                self.defect("InvalidBase64")
                return data
            return decoded
        if encoding.startswith("quoted-printable"):
            return binascii.a2b_qp(data)
        if encoding in ("x-uuencode", "uuencode", "x-uue", "uue"):
            try:
                decoded = part.get_payload(decode=True)
                return decoded if isinstance(decoded, bytes) else data
            except Exception:  # noqa: BLE001
                self.defect("InvalidUuencode")
        return data

    def visit(self, part: Message, depth: int, body: _Body | None, top: bool) -> bool:
        """Collect ``part``'s attachments and, into ``body``, its text; True if it gave body text."""
        self.parts += 1
        if self.parts > self.max_parts:
            raise _TooMany
        if depth > MAX_DEPTH:
            raise Unparseable(f"nested too deeply: more than {MAX_DEPTH} levels")
        self.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
        info = self.info(part)
        payload = part._payload
        kind = info.content_type
        if kind in ("message/delivery-status", "message/global-delivery-status"):
            if top:
                self.delivery_status(part, info)
            return False
        if kind in _REPORT_PARTS:
            return False
        if isinstance(payload, list):
            if kind.startswith("message/"):
                return self.forward(part, info, depth, top)
            return self.multipart(part, info, depth, body, top)
        if kind.startswith("multipart/"):
            return self.broken_multipart(part, info, depth, body, top)
        if kind in ("message/rfc822", "message/global"):  # an encoded forward the parser left as text
            return self.forward(part, info, depth, top)
        return self.leaf(part, info, body, whole_message=depth == 0)

    def multipart(self, part: Message, info: _PartInfo, depth: int, body: _Body | None, top: bool) -> bool:
        children = [c for c in part._payload if isinstance(c, Message)]
        if not children:
            return self.broken_multipart(part, info, depth, body, top)
        if info.content_type == "multipart/alternative" and body is not None:
            infos = [self.info(c) for c in children]
            plain = next((i for i, x in enumerate(infos) if x.content_type == "text/plain" and x.is_body()
                          and not isinstance(children[i]._payload, list)), None)
            if plain is not None:
                for index, child in enumerate(children):
                    self.visit(child, depth + 1, body if index == plain else None, top)
                return True
        gave = False
        for child in children:
            # in an alternative, only the first child that gives text is the body
            target = None if (gave and info.content_type == "multipart/alternative") else body
            gave = self.visit(child, depth + 1, target, top) or gave
        return gave

    def broken_multipart(self, part: Message, info: _PartInfo, depth: int, body: _Body | None, top: bool) -> bool:
        """A multipart whose boundary never showed: recover the parts, or keep the bytes as text."""
        self.defect("MultipartWithoutParts")
        if isinstance(part._payload, list):  # only a closing boundary: text before and after it
            data = ((part.preamble or "") + "\n" + (part.epilogue or "")).encode("utf-8", "surrogateescape")
        else:
            data = self.payload_bytes(part, info.encoding)
        recovered = _recover_multipart(data)
        if recovered is not None:
            self.defect("BoundaryRecovered")
            return self.multipart(recovered, _PartInfo("multipart/mixed", {}, "", None, ""), depth, body, top)
        if _MIME_HEADER.match(data.lstrip()):  # one part, its boundaries missing: read it as that part
            single = _parse_tree(data.lstrip())
            if single is not None and list(single.raw_items()):
                return self.visit(single, depth + 1, body, top)
        text = _decode(data, info.params.get("charset"))
        if body is not None and text.strip():
            body.plain.append(_body_text(text))
            return True
        return False

    def forward(self, part: Message, info: _PartInfo, depth: int, top: bool) -> bool:
        """An attached message: its attachments count; its text goes after ours, marked as forwarded."""
        inner = self.inner_message(part, info)
        if inner is None:
            return False
        slot = len(self.forwards)
        self.forwards.append(None)
        forwarded = _Body()
        self.visit(inner, depth + 1, forwarded, top=False)
        headers = {name.lower(): value for name, value in reversed(list(inner.raw_items()))}
        summary = "\n".join(f"{label}: {_header_text(headers[key])}" for key, label in
                            (("from", "From"), ("date", "Date"), ("subject", "Subject"), ("to", "To"))
                            if key in headers)
        self.forwards[slot] = (summary, forwarded.text(self.defects))
        return False

    def inner_message(self, part: Message, info: _PartInfo) -> Message | None:
        payload = part._payload
        inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
        if inner is not None and list(inner.raw_items()):
            return inner
        # A forward sent base64-encoded (or one the parser left as text): decode it and parse it on its own,
        # under the same caps as a whole message.
        text = inner._payload if inner is not None else payload
        if not isinstance(text, str):
            return inner
        holder = Message()
        holder._payload = text
        data = self.payload_bytes(holder, info.encoding)
        self.defect("EncodedForward")
        try:
            return _parse_tree(_precheck(data, len(data) + 1, self.max_parts, 64 * 1024))
        except Unparseable:
            self.defect("UnreadableForward")
            return None

    def leaf(self, part: Message, info: _PartInfo, body: _Body | None, whole_message: bool) -> bool:
        if info.is_body(whole_message):
            if body is None:
                return False  # an alternative rendering of text we already have
            data = self.payload_bytes(part, info.encoding)
            charset = info.params.get("charset")
            if info.content_type == "text/html":
                if not charset and (meta := _META_CHARSET.search(data[:4096])):
                    charset = meta.group(1).decode("ascii")
                body.html.append(_decode(data, charset))
            else:
                body.plain.append(_body_text(_decode(data, charset)))
            return True
        original = info.filename or ""
        self.attachments.append(ParsedAttachment(
            filename=_safe_filename(original, info.content_type),
            original_filename=_visible(original),
            content_type=info.content_type,
            content=self.payload_bytes(part, info.encoding),
        ))
        return False

    def delivery_status(self, part: Message, info: _PartInfo) -> None:
        """Failed recipients of a DSN (RFC 3464): per-recipient blocks whose Action is failed (or missing)."""
        payload = part._payload
        if isinstance(payload, list):
            blocks = [{n.lower(): _line(_unicode(v)) for n, v in reversed(list(b.raw_items()))}
                      for b in payload if isinstance(b, Message)]
        else:
            text = _decode(self.payload_bytes(part, info.encoding))
            blocks = [_fields(block) for block in re.split(r"\n\s*\n", _NEWLINES.sub("\n", text))]
        for block in blocks:
            action = block.get("action", "").split(" ")[0].lower()
            if action not in ("", "failed"):
                continue
            for key in ("final-recipient", "original-recipient"):
                value = block.get(key, "")
                kind, _, value = value.rpartition(";") if ";" in value else ("", "", value)
                if kind.strip().lower() in ("rfc822", "utf-8", "") and (address := _address(value)):
                    self.report_recipients.append(address)


def _fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields.setdefault(name.strip().lower(), _line(value))
    return fields


_DELIMITER = re.compile(rb"^--([^\s\"\\][^\r\n\"\\]{0,100}?)(--)?[ \t]*\r?$", re.MULTILINE)
_MIME_HEADER = re.compile(rb"^content-(type|transfer-encoding|disposition)\s*:", re.IGNORECASE | re.MULTILINE)


def _recover_multipart(data: bytes) -> Message | None:
    """Parts of a multipart whose declared boundary is wrong: the delimiter actually used, if one is found."""
    tried: set[bytes] = set()
    for match in _DELIMITER.finditer(data):
        if match.group(2) or match.group(1) in tried or len(tried) >= 3:
            continue
        tried.add(match.group(1))
        following = data[match.end():match.end() + 400]
        if not _MIME_HEADER.search(following.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]):
            continue
        boundary = match.group(1).rstrip()
        wrapped = b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n' + data
        tree = _parse_tree(wrapped)
        if tree is not None and isinstance(tree._payload, list) and tree._payload:
            return tree
    return None


def _parse_tree(raw: bytes) -> Message | None:
    """The stdlib parse: ``compat32`` first (lenient, keeps raw headers), ``policy.default`` if that fails."""
    for parse_policy in (email_policy.compat32, email_policy.default):
        try:
            return BytesParser(policy=parse_policy).parsebytes(raw)
        except RecursionError:
            raise Unparseable(f"nested too deeply: more than {MAX_DEPTH} levels") from None
        except Exception:  # noqa: BLE001, S112 - any stdlib failure: try the other policy
            continue
    return None


# --- checks on the bytes ------------------------------------------------------------------------------------------

_HEADER_END = re.compile(rb"\r?\n\r?\n|\r\r")
_BOUNDARY = re.compile(rb'boundary="([^"\r\n]{1,200})"|boundary=([^\s";]{1,200})', re.IGNORECASE)
_BINARY = bytes(b for b in range(256) if not (b < 9 or 13 < b < 32 or b == 11 or b == 12 or b == 127))


def _precheck(raw: object, max_bytes: int, max_parts: int, max_header_bytes: int) -> bytes:
    """The caps, checked cheaply on the bytes before any parsing."""
    if isinstance(raw, (bytearray, memoryview)):
        raw = bytes(raw)
    if not isinstance(raw, bytes):
        raise Unparseable(f"not bytes but {type(raw).__name__}")
    if len(raw) > max_bytes:
        raise Unparseable(f"too large: {len(raw):,} bytes (limit {max_bytes:,})")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    raw = raw.lstrip(b"\r\n")
    if not raw.strip():
        raise Unparseable("empty message")
    end = _HEADER_END.search(raw, 0, max_header_bytes + 4)
    header_bytes = end.start() if end else len(raw)
    if header_bytes > max_header_bytes:
        raise Unparseable(f"header section too large: over {max_header_bytes:,} bytes")
    head = raw[:header_bytes]
    binary = len(head.translate(None, _BINARY))
    if binary > 8 and binary * 50 > len(head):
        raise Unparseable("binary data, not a mail message")
    if raw.count(b"\n--") > max_parts:  # only then is the exact count worth its cost
        boundaries = {a or b for a, b in _BOUNDARY.findall(raw)}
        if len(boundaries) > 64:
            raise Unparseable(f"too many multiparts: {len(boundaries)} boundaries")
        delimiters = sum(raw.count(b"\n--" + boundary) for boundary in boundaries) - len(boundaries)
        if delimiters > max_parts:
            raise Unparseable(f"too many parts: about {delimiters:,} (limit {max_parts:,})")
    return raw


# --- the message --------------------------------------------------------------------------------------------------

def parse_message(raw: bytes, *, max_bytes: int = 25 * 1024 * 1024, max_parts: int = 500,
                  max_header_bytes: int = 64 * 1024) -> ParsedMail:
    """``raw`` read into a :class:`ParsedMail`, or :class:`Unparseable` with a one-line reason. Nothing else."""
    try:
        data = _precheck(raw, max_bytes, max_parts, max_header_bytes)
        return _read(data, max_parts)
    except Unparseable:
        raise
    except _TooMany:
        raise Unparseable(f"too many parts: more than {max_parts:,}") from None
    except RecursionError:
        raise Unparseable(f"nested too deeply: more than {MAX_DEPTH} levels") from None
    except Exception as error:  # noqa: BLE001 - a bug must quarantine the message, not stop the intake
        raise Unparseable(f"unreadable ({type(error).__name__}: {error})") from None


def _read(data: bytes, max_parts: int) -> ParsedMail:
    tree = _parse_tree(data)
    if tree is None:
        raise Unparseable("the MIME parser failed on it")
    headers: dict[str, list[object]] = {}
    for name, value in tree.raw_items():
        key = str(name).strip().lower()
        if key in _WANTED:
            headers.setdefault(key, []).append(value)
    if not headers.keys() & _CORE_HEADERS:
        raise Unparseable("no mail headers (From, To, Subject, Date …)")
    reader = _Reader(max_parts)
    body = _Body()
    reader.visit(tree, 0, body, top=True)
    text = body.text(reader.defects)
    for forward in reader.forwards:
        if forward is not None:
            summary, forwarded = forward
            text += f"\n\n---------- Forwarded message ----------\n{summary}\n\n{forwarded}"
    senders = _addresses(headers.get("from", []))
    kept = {key: ", ".join(_header_text(v) for v in headers[key]) for key in KEPT_HEADERS if key in headers}
    failed = [a for _, a in _addresses(headers.get("x-failed-recipients", []))]
    content_type = _params(headers["content-type"][0])[0] if "content-type" in headers else ""
    ids = _message_ids(headers.get("message-id", [])[:1])
    return ParsedMail(
        message_id=ids[0] if ids else None,
        in_reply_to=tuple(_message_ids(headers.get("in-reply-to", []))),
        references=tuple(_message_ids(headers.get("references", []))),
        from_address=senders[0][1] if senders else None,
        from_name=senders[0][0] if senders else "",
        recipients=tuple(dict.fromkeys(a for key in _RECIPIENT_HEADERS for _, a in _addresses(headers.get(key, [])))),
        subject=_header_text(headers["subject"][0]) if "subject" in headers else "",
        date=_date(headers["date"][0]) if "date" in headers else None,
        text=_body_text(text.strip("\n")),
        attachments=tuple(reader.attachments),
        headers=kept,
        is_report=content_type == "multipart/report",
        report_recipients=tuple(dict.fromkeys([*reader.report_recipients, *failed])),
        defects=tuple(dict.fromkeys(reader.defects)),
    )

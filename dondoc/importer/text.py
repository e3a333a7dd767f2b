"""A plan's text, read from .txt, .docx or .pdf and cleaned of the artefacts of converted documents.

Plans reach coordinators as signed .docx or .pdf files, or as text copied from
a portal. What comes out is NFC text, one paragraph a line, with the usual
artefacts undone: markdown-like ``**bold**``, non-breaking and zero-width
spaces, lines broken in the middle of a sentence (PDF and web copies), runs
of blanks. Words are never changed: the quotes of the draft must be found in
the plan as the coordinator reads it.

A file that cannot hold a plan (empty, binary, a PDF with no text layer,
larger than ``MAX_BYTES``) raises :class:`PlanFileError` with one line.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from pathlib import Path

from ..documents.extract import UnsafeDocx, open_docx, pdftotext
from ..errors import DondocError

__all__ = ["MAX_BYTES", "PlanFileError", "clean", "read_plan"]

MAX_BYTES = 20 * 1024 * 1024
MAX_DOCX_XML = 50 * 1024 * 1024
MAX_PDF_PAGES = 300
SUFFIXES = (".txt", ".md", ".docx", ".pdf")


class PlanFileError(DondocError):
    """The file cannot be read as a plan; the message is one line naming the file."""


def read_plan(path: Path) -> str:
    """The cleaned text of the plan in ``path`` (.txt, .md, .docx or .pdf)."""
    path = Path(path)
    if not path.is_file():
        raise PlanFileError(f"{path}: không tìm thấy tệp / no such file")
    size = path.stat().st_size
    if size == 0:
        raise PlanFileError(f"{path}: tệp rỗng / the file is empty")
    if size > MAX_BYTES:
        raise PlanFileError(
            f"{path}: tệp quá lớn ({size / 1e6:.0f} MB, tối đa {MAX_BYTES // 2**20} MB) / file too large"
        )
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise PlanFileError(
            f"{path}: không đọc được loại tệp '{suffix or '(none)'}' (.txt, .docx, .pdf) / unsupported file type"
        )
    content = path.read_bytes()
    reader = {".docx": _docx, ".pdf": _pdf}.get(suffix, _plain)
    text = clean(reader(path, content))
    if len(re.findall(r"\w", text)) < 20:
        raise PlanFileError(f"{path}: không có nội dung văn bản / the file holds no text")
    return text


def _plain(path: Path, content: bytes) -> str:
    if b"\x00" in content[:8192]:
        raise PlanFileError(f"{path}: tệp nhị phân, không phải văn bản / a binary file, not text")
    encoding = "utf-16" if content[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        pass
    raise PlanFileError(f"{path}: không phải văn bản UTF-8 / not UTF-8 text")


def _docx(path: Path, content: bytes) -> str:
    try:
        document = open_docx(content, max_xml=MAX_DOCX_XML)
    except UnsafeDocx as error:
        raise PlanFileError(f"{path}: tài liệu .docx quá lớn / the .docx is too large ({error})") from None
    except Exception as error:  # not a zip, no document part, broken XML
        raise PlanFileError(
            f"{path}: không đọc được tệp .docx ({type(error).__name__}) / not a readable .docx"
        ) from None
    return "\n".join(_docx_blocks(document))


def _docx_blocks(document) -> list[str]:
    """Paragraphs and table rows in document order (targets are often in a table)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rpartition("}")[2]
        if tag == "p":
            lines.append(Paragraph(block, document).text)
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                        cells.append(text)
                lines.append(" | ".join(cells))
    return lines


def _pdf(path: Path, content: bytes) -> str:
    if not content.startswith(b"%PDF"):
        raise PlanFileError(f"{path}: không phải tệp PDF / not a PDF file")
    try:
        from pypdf import PdfReader

        logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # its warnings are not the user's business
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            raise PlanFileError(f"{path}: PDF được mã hóa / the PDF is encrypted")
        # pdftotext puts glyphs in reading order (a letter and its marks drawn apart, runs drawn out of order);
        # pypdf follows the drawing order and is the fallback where Poppler is not installed
        text = pdftotext(content, pages=MAX_PDF_PAGES, limit=MAX_BYTES, timeout=120)
        if text is None:
            text = "\n".join(page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES])
    except PlanFileError:
        raise
    except Exception as error:
        raise PlanFileError(f"{path}: không đọc được tệp PDF ({type(error).__name__}) / not a readable PDF") from None
    text = text.replace("\f", "\n")
    if len(re.findall(r"\w", text)) < 20:
        raise PlanFileError(
            f"{path}: PDF không có lớp văn bản (bản quét?), cần OCR trước / the PDF has no text layer (a scan?)"
        )
    return text


_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MARKER = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?\)?|[a-zđ]\)|[-+•*–—]|Điều\s+\d+|Chương\s+[IVX\d]+)\s", re.I)
_END = re.compile(r"[.:;!?…)\]\"”]$")
# words a line of a paragraph never ends on: a web copy broke it there
_DANGLING = re.compile(
    r"(?:\s|^)(?:của|và|với|cho|về|tại|các|những|theo|trong|Sở|Bộ|Ban|Ủy|Uỷ|UBND|Cục|Vụ|Văn\s+phòng|Chủ\s+tịch)$"
)


def clean(text: str) -> str:
    """NFC text, one paragraph a line, without markdown emphasis, odd spaces or mid-sentence line breaks."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _INVISIBLE.sub("", _SPACES.sub(" ", text))
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = re.sub(r"(?m)^#{1,6}\s+", "", text)  # markdown headings
    lines = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs: list[str] = []
    for line in lines:
        if not line:
            paragraphs.append("")
            continue
        previous = paragraphs[-1] if paragraphs else ""
        if previous and _continues(previous, line):
            paragraphs[-1] = f"{previous} {line}"
        else:
            paragraphs.append(line)
    out = "\n".join(paragraphs)
    return re.sub(r"\n{3,}", "\n\n", out).strip()


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` goes on the sentence ``previous`` broke off (a converted document's line break)."""
    if previous in ("Điều", "Chương", "Mục", "Phần"):
        return True  # "Điều" / "14. Trách nhiệm của …": a heading's word left alone by a web copy's wrap
    if _END.search(previous) or _MARKER.match(line) or previous.isupper():
        return False
    if re.match(r"(?i)^(?:kính\s+gửi|đồng\s+kính\s+gửi|v/v\b)", previous):
        return False  # the addressees end their line; what follows is the letter
    first = line[0]
    if first.islower() or first.isdigit() or first in "(,":
        return True
    if _DANGLING.search(previous):
        return True  # "Điều 3. Trách nhiệm của Sở" / "Công Thương": no line ends on "của", "Sở", "và"
    # A capital after a long line that stopped mid-sentence ("... của Bộ" / "Lao động ..."): a web copy's wrap. A
    # numbered line is a heading and keeps its own line, unless it is too long for one ("i) Các bộ, ngành, địa
    # phương: rà soát, …, báo cáo Ban" / "Chỉ đạo của Chính phủ …").
    return len(previous) >= 50 and (not _MARKER.match(previous) or len(previous) >= 120)

"""Text from an agency's attached report (.docx, .pdf), for the narrative of the consolidated report.

Untrusted input: the archive is checked before python-docx opens it (size of
the document part, compression ratio); a PDF is read by Poppler's pdftotext
in a child process with a time limit when it is installed, else page by page
with pypdf, at most ``MAX_PAGES`` pages, never decrypted; any failure gives
``None`` (the file itself is still kept with the submission).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
import zipfile

__all__ = ["UnsafeDocx", "docx_text", "open_docx", "pdf_text", "pdftotext", "report_text"]

MAX_XML = 20 * 1024 * 1024
MAX_RATIO = 200
MAX_TEXT = 20_000
MAX_PAGES = 50


class UnsafeDocx(ValueError):
    """The .docx's document part is too large, or compressed too well to be a document (a zip bomb)."""


def open_docx(content: bytes, *, max_xml: int = MAX_XML):
    """The python-docx ``Document`` of ``content``, once its document part's size and compression ratio are checked.

    Raises :class:`UnsafeDocx` for a part over ``max_xml`` bytes or ``MAX_RATIO`` times its compressed size (before
    anything is inflated); whatever zipfile or python-docx raise for a file that is not a .docx.
    """
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo("word/document.xml")
    if info.file_size > max_xml:
        raise UnsafeDocx(f"document part of {info.file_size} bytes, over {max_xml}")
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise UnsafeDocx(f"document part compressed {info.file_size // max(info.compress_size, 1)} times")
    from docx import Document

    return Document(io.BytesIO(content))


def docx_text(content: bytes) -> str | None:
    """The paragraphs of a .docx as NFC text (at most 20,000 characters), or None if it is not a safe .docx."""
    try:
        document = open_docx(content)
        text = "\n".join(p.text for p in document.paragraphs if p.text.strip())
    except Exception:  # noqa: BLE001 — not a .docx, a broken one, a hostile one: no text, the file is still kept
        return None
    return unicodedata.normalize("NFC", text)[:MAX_TEXT] or None


def pdf_text(content: bytes) -> str | None:
    """The text layer of a PDF as NFC text (at most 20,000 characters), or None (no text layer, encrypted, broken).

    Poppler's ``pdftotext`` when it is installed (it orders glyphs by their
    place on the page, which Vietnamese needs when a PDF draws a letter and its
    marks as separate runs, as LibreOffice does with a substituted font), in a
    child process with a time limit; otherwise pypdf.
    """
    text = pdftotext(content, pages=MAX_PAGES, limit=4 * MAX_TEXT)
    if text is None:
        text = _pypdf_text(content)
    if text is None:
        return None
    lines = [line.rstrip() for line in text.replace("\f", "\n").splitlines()]
    text = "\n".join(line for line in lines if line.strip())
    return unicodedata.normalize("NFC", text)[:MAX_TEXT] or None


def pdftotext(content: bytes, *, pages: int, limit: int, timeout: float = 30) -> str | None:
    """The text of the first ``pages`` pages in reading order (at most ``limit`` bytes of it) by Poppler's
    ``pdftotext``, in a child process with a time limit; None when it is not installed or cannot read the file."""
    if not content.startswith(b"%PDF") or not shutil.which("pdftotext"):
        return None
    try:
        done = subprocess.run(
            ["pdftotext", "-q", "-enc", "UTF-8", "-l", str(pages), "-", "-"],
            input=content,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout[:limit].decode("utf-8", errors="replace")


def _pypdf_text(content: bytes) -> str | None:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None
        pages, size = [], 0
        for page in reader.pages[:MAX_PAGES]:
            text = page.extract_text() or ""
            pages.append(text)
            size += len(text)
            if size >= MAX_TEXT:
                break
    except Exception:  # noqa: BLE001 — not a PDF, a broken or hostile one: no text
        return None
    return "\n".join(pages)


def report_text(filename: str, content: bytes) -> str | None:
    """The text of an attached report by its kind (.docx, .pdf), or None."""
    suffix = filename.lower().rpartition(".")[2]
    return {"docx": docx_text, "pdf": pdf_text}.get(suffix, lambda _: None)(content)

"""Text from an agency's attached report (.docx), for the narrative of the consolidated report.

Untrusted input: the archive is checked before python-docx opens it (size of
the document part, compression ratio), and any failure gives ``None``.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

__all__ = ["docx_text"]

MAX_XML = 20 * 1024 * 1024
MAX_RATIO = 200
MAX_TEXT = 20_000


def docx_text(content: bytes) -> str | None:
    """The paragraphs of a .docx as NFC text (at most 20,000 characters), or None if it is not a safe .docx."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_XML or info.file_size > MAX_RATIO * max(info.compress_size, 1):
                return None
        from docx import Document

        document = Document(io.BytesIO(content))
        text = "\n".join(p.text for p in document.paragraphs if p.text.strip())
    except Exception:  # not a .docx, a broken one, a hostile one: no text, the file is still kept
        return None
    return unicodedata.normalize("NFC", text)[:MAX_TEXT] or None

"""Small one-page PDFs with a text layer (ASCII text in Helvetica), written byte by byte with their
cross-reference table, for the tests that read agencies' .pdf attachments."""

from __future__ import annotations

import io

__all__ = ["one_page_pdf", "pdf_with_runs", "text_pdf"]


def one_page_pdf(content: bytes) -> bytes:
    """A one-page A4 PDF whose page draws the content stream ``content`` (font ``/F1``: Helvetica)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")  # written, not given to BytesIO(): that would leave the position at 0, to be overwritten
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_with_runs(runs: list[tuple[int, str]]) -> bytes:
    """A one-page PDF drawing each (x, ASCII text) run on one line, in the order given (not the reading order)."""
    return one_page_pdf(" ".join(f"BT /F1 12 Tf {x} 720 Td ({text}) Tj ET" for x, text in runs).encode())


def text_pdf(lines: list[str]) -> bytes:
    """A PDF with a text layer, one line of ASCII text each (what a PDF printer makes of a report typed unaccented)."""
    return one_page_pdf(
        " ".join(f"BT /F1 11 Tf 60 {780 - 16 * i} Td ({line}) Tj ET" for i, line in enumerate(lines)).encode()
    )

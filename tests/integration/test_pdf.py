"""PDF: an agency's attached .pdf gives its narrative; the report .docx converts to an A4 PDF with LibreOffice."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from dondoc.documents.extract import pdf_text, report_text
from tests.support.pdf import pdf_with_runs


def _minimal_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` (ASCII) in Helvetica, its cross-reference table computed."""
    return pdf_with_runs([(72, text)])


def test_the_text_layer_of_a_pdf_is_the_narrative():
    assert pdf_text(_minimal_pdf("Bao cao 6 thang dau nam 2021")) == "Bao cao 6 thang dau nam 2021"
    assert report_text("BAO-CAO.PDF", _minimal_pdf("Ket qua")) == "Ket qua"


def test_a_pdf_without_text_or_not_a_pdf_gives_nothing():
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)  # what a scan without OCR looks like to a text extractor
    writer.write(blank)
    assert pdf_text(blank.getvalue()) is None
    assert pdf_text(b"%PDF-1.4 garbage") is None and pdf_text(b"") is None
    locked = io.BytesIO()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_minimal_pdf("secret"))))
    writer.encrypt("mat-khau")
    writer.write(locked)
    assert pdf_text(locked.getvalue()) is None
    assert report_text("bang-tinh.xlsx", b"PK") is None


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _to_pdf(docx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run(
        [
            _soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(out)},
    )
    return out / (docx.stem + ".pdf")


@pytest.mark.slow
@pytest.mark.skipif(
    _soffice() is None and os.environ.get("DONDOC_REQUIRE_LIBREOFFICE") != "1",
    reason="LibreOffice (soffice) is not installed",
)
def test_a_vietnamese_pdf_made_by_libreoffice_reads_back_in_nfc(tmp_path):
    document = Document()
    document.add_paragraph("Kết quả: 100% trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế.")
    document.save(tmp_path / "bao-cao.docx")
    text = pdf_text(_to_pdf(tmp_path / "bao-cao.docx", tmp_path).read_bytes())
    assert text == "Kết quả: 100% trẻ em dưới 6 tuổi được cấp thẻ bảo hiểm y tế."


@pytest.mark.slow
@pytest.mark.skipif(
    _soffice() is None and os.environ.get("DONDOC_REQUIRE_LIBREOFFICE") != "1",
    reason="LibreOffice (soffice) is not installed",
)
def test_the_signed_report_converts_to_an_a4_pdf_with_the_citation_and_the_signature(tmp_path):
    """What a coordinator does before signing: open the .docx, print it to PDF. A4, the parts of Decree 30, the plan
    cited with its number, date and issuer on the first page, the signer's block beside "Nơi nhận" on the last."""
    import datetime as dt
    from dataclasses import replace

    from dondoc.documents.report import render_docx, sign_docx
    from tests.unit.test_report_documents import DATA, ISSUER, PLACE, TEMPLATE

    data = replace(DATA, plan_issued=dt.date(2016, 8, 17), plan_issuer="Ủy ban nhân dân tỉnh Đắk Lắk")
    signed = sign_docx(
        render_docx(data, TEMPLATE, place=PLACE, issuer_name=ISSUER), ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Vũ Thị Giang")
    )
    (tmp_path / "bao-cao.docx").write_bytes(signed)
    pdf = _to_pdf(tmp_path / "bao-cao.docx", tmp_path)
    reader = PdfReader(pdf)
    assert 1 <= len(reader.pages) <= 10
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    pages = [_page_text(pdf, n) for n in range(1, len(reader.pages) + 1)]
    first, last = " ".join(pages[0].split()), pages[-1]
    for part in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH ĐẮK LẮK",
        "/BC-SLĐTBXH",
        "Đắk Lắk, ngày 19 tháng 11 năm 2021",
        "BÁO CÁO",
        "Thực hiện Kế hoạch số 2041/KH-UBND ngày 17/8/2016 của UBND tỉnh Đắk Lắk về Chương trình bảo vệ",
    ):
        assert part in first, part
    text = " ".join(" ".join(pages).split())
    for part in (
        "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN VÀ GỬI BÁO CÁO",
        "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Sở Y tế",
        "UBND huyện Ea Súp",
    ):
        assert part in text, part
    # the signature block, in its order, on the page of "Nơi nhận", with no dotted line left for a name
    lines = [line.strip() for line in last.splitlines() if line.strip()]
    assert "Nơi nhận:" in " ".join(lines)
    joined = " ".join(lines)
    assert joined.index("KT. GIÁM ĐỐC") < joined.index("PHÓ GIÁM ĐỐC") < joined.index("Vũ Thị Giang")
    assert "……" not in joined


def _page_text(pdf: Path, number: int) -> str:
    """The text of one page in reading order (Poppler's pdftotext, installed with LibreOffice by scripts/test)."""
    done = subprocess.run(
        ["pdftotext", "-q", "-layout", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    import unicodedata

    return unicodedata.normalize("NFC", done.stdout.decode("utf-8"))


def test_without_poppler_pypdf_reads_the_text_layer():
    from dondoc.documents.extract import _pypdf_text

    assert _pypdf_text(_minimal_pdf("Bao cao nam 2021")).strip() == "Bao cao nam 2021"
    assert _pypdf_text(b"not a pdf") is None

"""The consolidated report as .docx/.xlsx/.html: Decree 30 layout, figures, escaping, identical bytes."""

from __future__ import annotations

import datetime as dt
import io
import stat
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from dondoc.aggregate import AgencyInput, aggregate
from dondoc.documents.report import (
    DATA_SHEET,
    STATUS_SHEET,
    render_docx,
    render_html,
    render_xlsx,
    report_context,
    vn_number,
    write_report,
)
from dondoc.mail.render import jinja_environment
from dondoc.model import Plan
from dondoc.resources import shipped

TEMPLATES = shipped("templates")
TEMPLATE = TEMPLATES / "report" / "bao-cao-tong-hop.docx"
PLACE, ISSUER = "Đắk Lắk", "Sở Lao động - Thương binh và Xã hội tỉnh Đắk Lắk"
PLAN = Plan.model_validate(
    {
        "id": "dl-test",
        "title": "Kế hoạch thực hiện Chương trình bảo vệ trẻ em giai đoạn 2021 - 2025",
        "number": "2041/KH-UBND",
        "issuer": "dl.ubnd",
        "area": "dl",
        "coordinator": "dl.so",
        "source": {"file": "f.txt"},
        "valid": {"start": "2021-01-01", "end": "2021-12-31"},
        "targets": [
            {"id": "1", "text": "Số trẻ em được hỗ trợ", "unit": "count", "goal": {"op": ">=", "value": 100}},
            {
                "id": "2",
                "text": "Tỷ lệ trẻ em dưới 6 tuổi có thẻ BHYT",
                "unit": "percent",
                "goal": {"op": ">=", "value": 95},
            },
            {"id": "3", "text": "Mô hình tiêu biểu", "unit": "text"},
        ],
        "obligations": [
            {
                "id": "bao-cao",
                "title": "Báo cáo kết quả thực hiện",
                "kind": "period-report",
                "reporters": ["dl.a", "dl.b", "dl.c", "dl.d", "dl.e"],
                "recipient": "dl.so",
                "schedule": {"every": "half-year", "due": {"H1": "20/5", "Y": "15/11"}},
                "rule": "before",
                "quote": "trước ngày 15/11",
                "source": {"file": "f.txt"},
            }
        ],
    }
)
AT = dt.datetime(2021, 11, 10, 3, 0, tzinfo=dt.UTC)  # 10:00 in Hà Nội
NARRATIVES = {
    "dl.a": "Sở Y tế đã cấp thẻ BHYT cho trẻ em dưới 6 tuổi.\n\nKhó khăn: thiếu kinh phí ở vùng sâu.",
    "dl.b": 'Phòng GD&ĐT báo cáo <script>alert("x")</script> đủ chỉ tiêu.',
    "dl.c": "UBND huyện Lắk gửi muộn vì lũ lụt.\x0b",
}
SECTIONS = {  # the parts of Sở Y tế's attached report (documents.sections)
    "deployment": ["Sở đã ban hành Kế hoạch số 12/KH-SYT triển khai công tác trẻ em."],
    "results": ["Cấp 1.200 thẻ BHYT cho trẻ em dưới 6 tuổi."],
    "problems": ["Thiếu kinh phí ở vùng sâu."],
    "proposals": ["Đề nghị UBND tỉnh bổ sung kinh phí."],
}
INPUTS = [
    AgencyInput(
        "dl.a",
        "Sở Y tế",
        submitted_at=AT,
        on_time=True,
        version=1,
        narrative=NARRATIVES["dl.a"],
        sections=SECTIONS,
        documents=("bao-cao-so-y-te.docx",),
        files=("bao-cao-so-y-te.docx",),
        values={
            "1": {"value": 60},
            "2": {"value": 95, "numerator": 190, "denominator": 200},
            "3": {"value": "Mô hình “Ngôi nhà an toàn”"},
        },
    ),
    AgencyInput(
        "dl.b",
        "Sở Giáo dục và Đào tạo",
        submitted_at=AT,
        on_time=True,
        version=1,
        narrative=NARRATIVES["dl.b"],
        values={"1": {"value": 50}, "2": {"value": 99, "numerator": 297, "denominator": 300}},
    ),
    AgencyInput(
        "dl.c",
        "UBND huyện Lắk",
        submitted_at=AT + dt.timedelta(days=6),
        on_time=False,
        version=2,
        first_at=AT + dt.timedelta(days=5),
        narrative=NARRATIVES["dl.c"],
        sections={"problems": ['Lũ lụt <script>alert("x")</script> làm chậm báo cáo.']},
        values={"1": {"value": "7"}, "2": {"numerator": 45, "denominator": 50}},
    ),
    AgencyInput("dl.d", "UBND huyện Ea Súp", reminders=3, bounced=("vanthu@easup.example.org",)),
    AgencyInput("dl.e", "UBND thị xã Buôn Hồ", excused=True),
]
VALUES = {a.agency_id: a.values for a in INPUTS}
DATA = aggregate(
    PLAN,
    "bao-cao",
    "2021",
    "năm 2021",
    INPUTS,
    coordinator_name=ISSUER,
    recipients=("Ủy ban nhân dân tỉnh Đắk Lắk", "Bộ Lao động - Thương binh và Xã hội"),
    report_date=dt.date(2021, 11, 19),
)


@pytest.fixture(scope="module")
def env():
    return jinja_environment(TEMPLATES)


@pytest.fixture(scope="module")
def docx_bytes():
    return render_docx(DATA, TEMPLATE, place=PLACE, issuer_name=ISSUER)


def _lines(content: bytes) -> list[str]:
    """Every paragraph's text in document order, table cells included."""
    body = Document(io.BytesIO(content)).element.body
    return ["".join(t.text or "" for t in p.iter(qn("w:t"))) for p in body.iter(qn("w:p"))]


def test_context_formats_every_figure_the_vietnamese_way():
    context = report_context(DATA, place=PLACE, issuer_name=ISSUER)
    assert (context["parent_caps"], context["issuer_caps"]) == (
        "UBND TỈNH ĐẮK LẮK",
        "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
    )
    assert context["number_placeholder"].endswith("/BC-SLĐTBXH")
    assert (context["date_day"], context["date_month"], context["date_year"]) == ("19", "11", "2021")
    assert (context["reporting_rate"], context["timeliness_rate"]) == ("3/4 (75,0%)", "2/4 (50,0%)")
    by_code = {t["code"]: t for t in context["targets"]}
    assert (by_code["1"]["value"], by_code["1"]["method_text"], by_code["1"]["met_text"]) == ("117", "Tổng", "Đạt")
    assert (by_code["2"]["value"], by_code["2"]["goal"], by_code["2"]["method_text"]) == (
        "96,73%",
        "≥ 95%",
        "Tính lại từ tử số/mẫu số",
    )  # 532/550, not the mean of the rates
    assert by_code["1"]["coverage"] == "3 / 0" and by_code["3"]["coverage"] == "1 / 2"
    assert [a["first"] for a in context["agencies"]][:3] == ["10/11/2021 10:00"] * 2 + ["15/11/2021 10:00"]
    assert context["agencies"][2]["latest_text"] == "lần 2, 16/11/2021 10:00"  # the latest version, when later
    assert [a["status_text"] for a in context["agencies"]] == ["Đúng hạn", "Đúng hạn", "Muộn", "Quá hạn", "Được miễn"]
    assert context["agencies"][3]["reminders_text"] == (
        "đã nhắc 3 lần; thư nhắc bị trả lại (địa chỉ vanthu@easup.example.org)"
    )
    assert context["narratives"][2]["paragraphs"] == ["UBND huyện Lắk gửi muộn vì lũ lụt."]  # \x0b is not XML
    assert (vn_number(1234567.5), vn_number(90, 1), vn_number(0.25)) == ("1.234.567,5", "90,0", "0,25")


def test_docx_is_an_a4_decree_30_document(docx_bytes):
    document = Document(io.BytesIO(docx_bytes))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [
        round(m.mm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ]  # Word stores twips: 15 mm reads 14,99
    assert 20 <= margins[0] <= 25 and 20 <= margins[1] <= 25 and 30 <= margins[2] <= 35 and 15 <= margins[3] <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt in (13, 14)
    body = [p for p in document.paragraphs if p.text.strip() and p.style.name != "Report Note"]  # notes: 12 pt
    assert len(body) > 20
    assert all(p.style.font.name == "Times New Roman" and p.style.font.size.pt in (13, 14) for p in body)
    assert all(run.font.size is None and run.font.name is None for p in body for run in p.runs)
    assert document.core_properties.author == "dondoc"
    assert document.core_properties.created == dt.datetime(2021, 11, 19, tzinfo=dt.UTC)


def test_docx_says_what_the_report_must_say(docx_bytes):
    lines = _lines(docx_bytes)
    text = "\n".join(lines)
    assert "{{" not in text and "{%" not in text
    for expected in (
        "UBND TỈNH ĐẮK LẮK",
        "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Đắk Lắk, ngày 19 tháng 11 năm 2021",
        "BÁO CÁO",
        "Kết quả thực hiện Chương trình bảo vệ trẻ em giai đoạn 2021 - 2025, năm 2021",
        "Thực hiện Kế hoạch số 2041/KH-UBND về Chương trình bảo vệ trẻ em giai đoạn 2021 - 2025, trên cơ "
        "sở báo cáo của các cơ quan, đơn vị, Sở Lao động - Thương binh và Xã hội tỉnh Đắk Lắk báo cáo",
        "Tỷ lệ báo cáo: 3/4 (75,0%)",
        "Tỷ lệ báo cáo đúng hạn: 2/4 (50,0%)",
        "96,73%",
        "Nơi nhận:",
        "- Bộ Lao động - Thương binh và Xã hội;",
        "- Lưu: VT.",
        "GIÁM ĐỐC",
    ):
        assert expected in text, expected
    assert "thực hiện Kế hoạch thực hiện" not in text
    assert lines.index("BÁO CÁO") > lines.index("Độc lập - Tự do - Hạnh phúc")
    assert any(line.startswith("Số: ") and line.endswith("/BC-SLĐTBXH") for line in lines)
    heads = [
        lines.index(h)
        for h in (
            "I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN VÀ GỬI BÁO CÁO",
            "II. KẾT QUẢ THỰC HIỆN",
            "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
            "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
            "V. KIẾN NGHỊ, ĐỀ XUẤT",
        )
    ]
    assert heads == sorted(heads)

    def part(n: int) -> list[str]:
        return lines[heads[n] : heads[n + 1] if n + 1 < len(heads) else lines.index("Nơi nhận:")]

    assert "Sở đã ban hành Kế hoạch số 12/KH-SYT triển khai công tác trẻ em." in part(0)
    assert "Cấp 1.200 thẻ BHYT cho trẻ em dưới 6 tuổi." in part(1)
    assert part(2)[1:4] == ["Sở Y tế báo cáo:", "Thiếu kinh phí ở vùng sâu.", "UBND huyện Lắk báo cáo:"]
    assert 'Lũ lụt <script>alert("x")</script> làm chậm báo cáo.' in part(2)  # text, not markup
    assert "Chưa có cơ quan, đơn vị nào báo cáo nội dung này." in part(3)
    assert "Đề nghị UBND tỉnh bổ sung kinh phí." in part(4) and "Sở Y tế báo cáo:" in part(4)
    for n in range(5):  # the coordinator's own place, marked, once in every part
        assert sum(line.startswith("[Cơ quan tổng hợp viết tiếp tại đây") for line in part(n)) == 1, n
    # the mail's own words (a cover e-mail) are not quoted as content
    assert "Phòng GD&ĐT báo cáo" not in text and "Sở Y tế đã cấp thẻ BHYT cho trẻ em dưới 6 tuổi." not in text
    assert (
        "1. UBND huyện Ea Súp (quá hạn): đã nhắc 3 lần; thư nhắc bị trả lại (địa chỉ vanthu@easup.example.org)."
        in part(0)
    )
    assert "UBND thị xã Buôn Hồ" in text and "UBND thị xã Buôn Hồ" not in "\n".join(part(2))


def test_xlsx_annex_has_the_matrix_and_the_submissions():
    book = load_workbook(io.BytesIO(render_xlsx(DATA, values=VALUES)))
    assert book.sheetnames == [DATA_SHEET, STATUS_SHEET]
    data = book[DATA_SHEET]
    assert data.freeze_panes == "D7"
    assert [data.cell(5, c).value for c in range(1, 4)] == ["STT", "Cơ quan, đơn vị", "Tình trạng"]
    assert data.cell(5, 5).value.startswith("2. Tỷ lệ trẻ em") and data.cell(6, 5).value == "Mục tiêu: ≥ 95%"
    rows = [[data.cell(r, c).value for c in range(2, 7)] for r in range(7, 14)]
    assert rows[:5] == [
        ["Sở Y tế", "Đúng hạn", 60, 95, "Mô hình “Ngôi nhà an toàn”"],
        ["Sở Giáo dục và Đào tạo", "Đúng hạn", 50, 99, None],
        ["UBND huyện Lắk", "Muộn", 7, 90, None],  # a figure given only as tử số/mẫu số: 45/50
        ["UBND huyện Ea Súp", "Quá hạn", None, None, None],
        ["UBND thị xã Buôn Hồ", "Được miễn", None, None, None],
    ]
    assert rows[5] == ["Tổng hợp", None, 117, 96.73, None]
    assert rows[6] == ["Cách tính", None, "Tổng", "Tính lại từ tử số/mẫu số", "Liệt kê ý kiến"]
    status = book[STATUS_SHEET]
    assert status.freeze_panes == "C6" and status["A2"].value == "Tỷ lệ báo cáo: 3/4 (75,0%)"
    assert [[status.cell(r, c).value for c in range(2, 9)] for r in range(6, 11)] == [
        ["Sở Y tế", "Đúng hạn", "10/11/2021 10:00", 1, None, 0, None],
        ["Sở Giáo dục và Đào tạo", "Đúng hạn", "10/11/2021 10:00", 1, None, 0, None],
        ["UBND huyện Lắk", "Muộn", "15/11/2021 10:00", 2, "16/11/2021 10:00", 0, None],
        ["UBND huyện Ea Súp", "Quá hạn", None, None, None, 3, "vanthu@easup.example.org"],
        ["UBND thị xã Buôn Hồ", "Được miễn", None, None, None, 0, None],
    ]
    assert status.cell(5, 1).font.bold and status.cell(5, 1).fill.fgColor.rgb.endswith("DDDDDD")


def test_html_escapes_what_agencies_wrote(env):
    html = render_html(env, DATA, place=PLACE, issuer_name=ISSUER)
    assert "<script>" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Tỷ lệ báo cáo: 3/4 (75,0%)" in html and "@page" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html and "UBND huyện Ea Súp (quá hạn): đã nhắc 3 lần" in html
    assert html.count('class="body todo"') == 5 and "<h3>III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN</h3>" in html


def test_compiling_twice_gives_the_same_bytes(env, tmp_path, docx_bytes):
    first = write_report(
        DATA, tmp_path / "one", template=TEMPLATE, env=env, place=PLACE, issuer_name=ISSUER, values=VALUES
    )
    second = write_report(
        DATA, tmp_path / "two", template=TEMPLATE, env=env, place=PLACE, issuer_name=ISSUER, values=VALUES
    )
    assert sorted(first) == ["docx", "html", "xlsx"]
    assert first["docx"].name == "dl-test-bao-cao-2021.docx"
    for kind in first:
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind
        assert stat.S_IMODE(first[kind].stat().st_mode) == 0o600
    assert first["docx"].read_bytes() == docx_bytes
    for kind in ("docx", "xlsx"):
        with zipfile.ZipFile(first[kind]) as package:
            names = package.namelist()
            assert names[0] == "[Content_Types].xml" and names[1:] == sorted(names[1:])
            assert {info.date_time for info in package.infolist()} == {(2021, 11, 19, 0, 0, 0)}
            core = package.read("docProps/core.xml").decode()
            assert "<dc:creator>dondoc</dc:creator>" in core and "2021-11-19T00:00:00Z" in core


@pytest.mark.parametrize(
    "issuer, parent, symbol",
    [
        ("Sở Lao động - Thương binh và Xã hội tỉnh Bình Phước", "UBND TỈNH BÌNH PHƯỚC", "SLĐTBXH"),
        ("Sở LĐTBXH tỉnh Đắk Lắk", "UBND TỈNH ĐẮK LẮK", "SLĐTBXH"),
        ("Phòng Lao động - Thương binh và Xã hội thị xã Hương Trà", "UBND THỊ XÃ HƯƠNG TRÀ", "PLĐTBXH"),
        ("Phòng LĐTBXH huyện Krông Pắc", "UBND HUYỆN KRÔNG PẮC", "PLĐTBXH"),
        ("Sở VH&TT tỉnh Bình Phước", "UBND TỈNH BÌNH PHƯỚC", "SVHTT"),
        ("Ban Dân tộc tỉnh Bình Phước", "UBND TỈNH BÌNH PHƯỚC", "BDT"),
        ("Ủy ban nhân dân thị xã Hương Trà", "", "UBND"),
    ],
)
def test_letterhead_and_document_symbol_of_the_issuer(issuer, parent, symbol):
    """Decree 30: the issuing body under its parent, and its initials in "Số: …/BC-<initials>"."""
    from dondoc.documents.report import _abbreviation, _letterhead

    found_parent, body = _letterhead(issuer)
    assert (found_parent, _abbreviation(body)) == (parent, symbol)


def test_the_plan_is_cited_with_number_date_and_issuer_and_nothing_made_up():
    from dataclasses import replace

    from dondoc.documents.report import citation, summary_line

    full = replace(
        DATA,
        plan_number="125/KH-UBND",
        plan_issued=dt.date(2021, 3, 12),
        plan_issuer="Ủy ban nhân dân tỉnh Bình Phước",
        plan_title="Kế hoạch thực hiện công tác trẻ em năm 2021",
        period_label="6 tháng đầu năm 2021",
    )
    assert (
        citation(full) == "Kế hoạch số 125/KH-UBND ngày 12/3/2021 của UBND tỉnh Bình Phước về công tác trẻ em năm 2021"
    )
    assert summary_line(full) == "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021"
    unnumbered = replace(full, plan_number="", plan_issued=None)  # seed 000 writes neither
    assert citation(unnumbered) == "Kế hoạch của UBND tỉnh Bình Phước về công tác trẻ em năm 2021"
    decision = replace(
        DATA, plan_number="2041/QĐ-UBND", plan_issued=dt.date(2016, 8, 17), plan_issuer="Ủy ban nhân dân tỉnh Đắk Lắk"
    )
    assert citation(decision) == (
        "Quyết định số 2041/QĐ-UBND ngày 17/8/2016 của UBND tỉnh Đắk Lắk ban hành Kế hoạch "
        "thực hiện Chương trình bảo vệ trẻ em giai đoạn 2021 - 2025"
    )


@pytest.mark.parametrize(
    "signer, lines",
    [
        ({"id": "gd", "title": "Giám đốc", "name": "Nguyễn Văn An"}, ("", "GIÁM ĐỐC", "Nguyễn Văn An")),
        (
            {"id": "pgd", "title": "PHÓ GIÁM ĐỐC", "form": "KT", "head": "GIÁM ĐỐC", "name": "Trần Thị Bình"},
            ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Bình"),
        ),
        (
            {"id": "cvp", "title": "CHÁNH VĂN PHÒNG", "form": "TL", "head": "GIÁM ĐỐC", "name": "Lê Văn Cường"},
            ("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "Lê Văn Cường"),
        ),
        ({"id": "q", "title": "GIÁM ĐỐC", "form": "Q", "name": "Phạm Thị Dung"}, ("", "Q. GIÁM ĐỐC", "Phạm Thị Dung")),
    ],
)
def test_signature_block_of_each_form_is_written_into_the_approved_docx_and_page(env, signer, lines):
    from dondoc.documents.report import sign_docx, sign_html
    from dondoc.model import Signer as SignerConfig

    config = SignerConfig.model_validate(signer)
    assert (*config.lines(), config.name) == lines
    signed = _lines(sign_docx(render_docx(DATA, TEMPLATE, place=PLACE, issuer_name=ISSUER), lines))
    block = signed[signed.index("- Lưu: VT.") :]
    assert [line for line in block[1:] if line] == [line for line in lines if line]
    assert "……………………………" not in signed
    page = sign_html(render_html(env, DATA, place=PLACE, issuer_name=ISSUER), lines)
    assert all(f"<p>{line}</p>" in page for line in lines if line) and "……" not in page


def test_a_signer_form_that_signs_for_someone_names_whom():
    from pydantic import ValidationError

    from dondoc.model import Signer as SignerConfig

    with pytest.raises(ValidationError, match="needs 'head'"):
        SignerConfig.model_validate({"id": "x", "title": "PHÓ GIÁM ĐỐC", "form": "KT", "name": "A"})


ANNEX_BEFORE = Path(__file__).parents[1] / "data" / "reports" / "annex-openpyxl.xlsx"


def _look(cell) -> tuple:
    """What a reader sees of one cell: value, number format, font, fill, borders, alignment."""
    font, fill, border, alignment = cell.font, cell.fill, cell.border, cell.alignment
    return (
        cell.value,
        cell.number_format,
        (font.name, bool(font.bold), bool(font.italic), font.size),
        (fill.fill_type, fill.fgColor.rgb[-6:] if fill.fill_type else None),
        tuple(getattr(border, side).style for side in ("left", "right", "top", "bottom")),
        (bool(alignment.wrap_text), alignment.vertical, alignment.horizontal),
    )


def test_xlsx_annex_reads_the_same_as_the_openpyxl_annex_it_replaced():
    # annex-openpyxl.xlsx: this report's annex as the openpyxl writer made it (cell by cell, named styles)
    new, old = (load_workbook(source) for source in (io.BytesIO(render_xlsx(DATA, values=VALUES)), ANNEX_BEFORE))
    assert new.sheetnames == old.sheetnames
    for name in old.sheetnames:
        before, after = old[name], new[name]
        assert (after.max_row, after.max_column) == (before.max_row, before.max_column), name
        assert after.freeze_panes == before.freeze_panes
        assert sorted(map(str, after.merged_cells.ranges)) == sorted(map(str, before.merged_cells.ranges))
        for row in range(1, before.max_row + 1):
            for column in range(1, before.max_column + 1):
                assert _look(after.cell(row, column)) == _look(before.cell(row, column)), (name, row, column)
        for column in range(1, before.max_column + 1):
            # XlsxWriter stores the width Excel shows (40 → 40.71 in the file); openpyxl stored the number given
            assert abs(_width(after, column) - _width(before, column)) < 1, (name, column)


def _width(sheet, column: int) -> float:
    """A column's width, from the <col> range that holds it (one range may cover many columns)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= column <= dimension.max and dimension.customWidth:
            return dimension.width
    raise AssertionError(f"column {column} of {sheet.title} has no width")


def test_xlsx_annex_keeps_what_an_agency_typed_as_text_even_when_it_looks_like_a_formula():
    typed = '=HYPERLINK("http://example.org","bấm vào đây")'
    values = {agency: dict(entries) for agency, entries in VALUES.items()}
    first = next(iter(values))
    values[first]["3"] = {"value": typed}
    book = load_workbook(io.BytesIO(render_xlsx(DATA, values=values)))
    cell = book[DATA_SHEET].cell(7, 6)
    assert (cell.value, cell.data_type) == (typed, "s")


def _docxtpl_alone(data) -> bytes:
    """The report .docx as docxtpl makes it by itself (the whole body rendered, parsed and saved at once)."""
    import jinja2
    from docxtpl import DocxTemplate

    from dondoc.documents.ooxml import stable_package

    context = report_context(data, place=PLACE, issuer_name=ISSUER)
    document = DocxTemplate(str(TEMPLATE))
    document.render(context, jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True), autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    stamp = dt.datetime.combine(data.report_date, dt.time())
    return stable_package(buffer.getvalue(), title=context["document_title"], stamp=stamp)


def test_the_long_loops_written_beside_docxtpl_give_the_bytes_docxtpl_gives():
    """Agencies' table, missing and bounced agencies, quoted parts: cut out of docxtpl's body and streamed into
    the package, over several pieces (1,200 agencies), with what docxtpl rewrites (line breaks, tabs) and
    escapes (& < > ' ")."""
    inputs = [
        AgencyInput(
            f"dl.x{i:04d}",
            f"UBND xã Thử Nghiệm {i:04d} & <Ea> 'Súp' \"mới\"",
            submitted_at=None if i % 5 == 0 else AT,
            on_time=i % 3 != 0,
            version=1 + i % 2,
            narrative=f"Đoạn một của đơn vị {i}:\tđã triển khai.\nDòng hai & <b>.\n\nĐoạn hai.",
            sections={"results": [f"Kết quả {i}:\nđạt & vượt."], "problems": ["Khó khăn <x>."]} if i % 2 else {},
            reminders=i % 4,
            bounced=("vanthu@xa.example.org",) if i % 50 == 0 else (),
            values={"1": {"value": i}, "2": {"value": 90 + i % 10}},
        )
        for i in range(1200)
    ]
    data = aggregate(
        PLAN,
        "bao-cao",
        "2021",
        "năm 2021",
        inputs,
        coordinator_name=ISSUER,
        recipients=("Ủy ban nhân dân tỉnh Đắk Lắk",),
        report_date=dt.date(2021, 11, 19),
    )
    assert render_docx(data, TEMPLATE, place=PLACE, issuer_name=ISSUER) == _docxtpl_alone(data)
    assert render_docx(DATA, TEMPLATE, place=PLACE, issuer_name=ISSUER) == _docxtpl_alone(DATA)


def test_the_shipped_templates_long_loops_are_cut_and_a_template_that_binds_names_is_left_whole():
    from docxtpl import DocxTemplate

    from dondoc.documents.docx_loops import cut_loops

    template = DocxTemplate(str(TEMPLATE))
    template.init_docx()
    body = template.patch_xml(template.get_xml())
    small, loops = cut_loops(body)
    assert [loop.split("%}", 1)[0].strip("{% ") for loop in loops][:3] == [
        "for q in parts[0].quotes",
        "for a in agencies",
        "for a in missing_agencies",
    ]
    assert "<!--dondoc-loop-1-->" in small and "a.reminders_cell" not in small
    assert cut_loops("{% set x = 1 %}" + body) == ("{% set x = 1 %}" + body, [])
    with_image = "{% for a in agencies %}<w:p><wp:docPr id='1'/></w:p>{% endfor %}"
    assert cut_loops(with_image) == (with_image, [])

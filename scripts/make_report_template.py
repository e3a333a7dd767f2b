"""Generate ``bao-cao-tong-hop.docx``, the consolidated report's Word template.

The .docx ships in ``templates/report/`` and is what a coordinator opens and
edits in Word; this script is how it was made, so the layout can be reviewed
as code and regenerated (a build tool of the repository: it is not in the
wheel)::

    .venv/bin/python scripts/make_report_template.py

``tests/unit/test_report_template.py`` checks that it reproduces the committed
file byte for byte: change the layout here, run it, commit both.

Layout (Decree 30/2020/NĐ-CP, Appendix I): A4; margins top/bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman 14 pt; page numbers centred in the
header from page 2; a borderless two-column letterhead (parent body, issuing
body bold with a short rule, "Số: …/BC-…" | national title, motto with a rule,
place and date in italics); "BÁO CÁO" and the summary centred in bold; the
body in five parts (I. tình hình triển khai and gửi báo cáo, II. kết quả, III. tồn tại, hạn chế, IV. phương
hướng, nhiệm vụ, V. kiến nghị, đề xuất — each with the agencies' words and a highlighted place for the
coordinator's own); "Nơi nhận" (bold italic 12 pt, list 11 pt) beside the
signature block.

Tags are docxtpl's Jinja, filled from ``dondoc.documents.report.report_context``:
``{{ value }}`` inside a run; ``{%p … %}`` alone in a paragraph (the
paragraph becomes the tag); ``{%tr … %}`` alone in a table row (the row
becomes the tag). When editing in Word, keep each tag in one piece of
formatting so Word does not split it.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from dondoc.documents.report import stable_package

OUT = Path(__file__).resolve().parents[1] / "templates" / "report" / "bao-cao-tong-hop.docx"
FONT = "Times New Roman"
TEXT_WIDTH = 16.5  # cm: A4 210 mm − left 30 mm − right 15 mm
LEFT, RIGHT = 7.0, 9.5  # cm: the letterhead's columns
STAMP = dt.datetime(2026, 1, 1)
CENTER, JUSTIFY, LEFT_ALIGN = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


# -- styles -------------------------------------------------------------------------------------------------------


def _fonts(rpr) -> None:
    """Times New Roman for every script (Latin, Vietnamese as complex/East Asian fallbacks), no theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for name in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(name), FONT)


def _defaults(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "28")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "vi-VN")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


def _style(
    document,
    name: str,
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align=JUSTIFY,
    before: float = 0,
    after: float = 0,
    first_line: float | None = None,
    left: float | None = None,
    keep_next: bool = False,
):
    styles = document.styles
    style = styles[name] if name == "Normal" else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name != "Normal":
        style.base_style = styles["Normal"]
        style.quick_style = True
    style.font.name, style.font.size, style.font.bold, style.font.italic = FONT, Pt(size), bold, italic
    _fonts(style.element.get_or_add_rPr())
    form = style.paragraph_format
    form.alignment, form.space_before, form.space_after, form.line_spacing = align, Pt(before), Pt(after), 1.0
    if first_line is not None:
        form.first_line_indent = Cm(first_line)
    if left is not None:
        form.left_indent = Cm(left)
    form.keep_with_next = keep_next
    form.widow_control = True
    return style


def _styles(document) -> None:
    _defaults(document)
    _style(document, "Normal", size=14, after=6)
    _style(document, "Report Body", before=6, first_line=1.27)
    _style(document, "Report Heading", bold=True, before=12, after=0, first_line=1.27, keep_next=True)
    _style(document, "Report Subheading", bold=True, italic=True, before=6, first_line=1.27, keep_next=True)
    _style(document, "Report Quote", italic=True, before=3, after=3, left=1.27, first_line=0)
    _style(document, "Report Letterhead", size=13, align=CENTER)
    _style(document, "Report Title", bold=True, align=CENTER, keep_next=True)
    _style(document, "Report Table", size=12, align=LEFT_ALIGN)
    _style(document, "Report Table Heading", size=12, bold=True, align=CENTER)
    _style(document, "Report Note", size=12, italic=True, before=3, first_line=1.27)
    _style(document, "Report Recipients", size=11, align=LEFT_ALIGN)
    _style(document, "Report Signature", bold=True, align=CENTER)
    _style(document, "Report Rule", size=2, align=CENTER)


# -- building blocks ----------------------------------------------------------------------------------------------


def _p(
    container,
    text: str = "",
    style: str = "Report Body",
    *,
    bold: bool | None = None,
    italic: bool | None = None,
    size: float | None = None,
    after: float | None = None,
):
    """A paragraph in ``style``; direct formatting only where a run differs from its style."""
    paragraph = container.add_paragraph(style=style)
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = Pt(size)
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _runs(container, parts: list[tuple[str, dict]], style: str = "Report Body"):
    paragraph = container.add_paragraph(style=style)
    for text, form in parts:
        run = paragraph.add_run(text)
        run.bold, run.italic = form.get("bold"), form.get("italic")
    return paragraph


def _tag(container, tag: str):
    """A ``{%p … %}`` paragraph: docxtpl replaces the whole paragraph by the tag."""
    return _p(container, f"{{%p {tag} %}}", "Normal")


def _rule(container, width: float, within: float):
    """A short horizontal rule (a bottom border), ``width`` cm long, centred in ``within`` cm."""
    paragraph = _p(container, "", "Report Rule")
    paragraph.paragraph_format.space_before = Pt(2)
    side = Cm((within - width) / 2)
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = side
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr = paragraph._p.get_or_add_pPr()
    ppr.insert_element_before(
        border,
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:spacing",
        "w:ind",
        "w:jc",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    )
    return paragraph


def _first(cell, text: str, style: str, **form):
    """Use the empty paragraph every new cell has for the first line."""
    paragraph = cell.paragraphs[0]
    paragraph.style = cell.part.document.styles[style]
    if text:
        run = paragraph.add_run(text)
        run.bold, run.italic = form.get("bold"), form.get("italic")
    return paragraph


def _table(document, rows: int, widths: list[float], *, grid: bool):
    table = document.add_table(rows=rows, cols=len(widths))
    if grid:
        table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def _header_row(table) -> None:
    """Repeat the first row on every page the table spans."""
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    row_pr.append(OxmlElement("w:tblHeader"))


def _grid(document, headings: list[str], widths: list[float], cells: list[str], loop: str | None):
    """A bordered table: a heading row, then either one row of ``cells`` or a ``{%tr for %}`` loop over them."""
    table = _table(document, 4 if loop else 2, widths, grid=True)
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        _first(cell, text, "Report Table Heading")
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _header_row(table)
    body = table.rows[2 if loop else 1]
    body._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row never breaks across pages
    for cell, text in zip(body.cells, cells, strict=True):
        centred = not text.startswith("{{ a.name") and not text.startswith("{{ t.text")
        _first(cell, text, "Report Table").alignment = CENTER if centred else None
    if loop:
        _first(table.rows[1].cells[0], f"{{%tr {loop} %}}", "Report Table")
        _first(table.rows[3].cells[0], "{%tr endfor %}", "Report Table")
    return table


def _page_numbers(section) -> None:
    """Decree 30: Arabic page numbers centred in the header, not on the first page."""
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty first-page header: no number on page 1
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# -- the document -------------------------------------------------------------------------------------------------


def _letterhead(document) -> None:
    table = _table(document, 2, [LEFT, RIGHT], grid=False)
    left, right = table.rows[0].cells
    _tag(left, "if parent_caps")
    _p(left, "{{ parent_caps }}", "Report Letterhead")
    _tag(left, "endif")
    _p(left, "{{ issuer_caps }}", "Report Letterhead", bold=True)
    _rule(left, 2.2, LEFT)
    _first(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Report Letterhead", bold=True).runs[0].font.size = Pt(12)
    _p(right, "Độc lập - Tự do - Hạnh phúc", "Report Letterhead", bold=True, size=14)
    _rule(right, 6.2, RIGHT)
    number, date = table.rows[1].cells
    _first(number, "Số: {{ number_placeholder }}", "Report Letterhead").paragraph_format.space_before = Pt(6)
    line = _first(
        date,
        "{{ place }}, ngày {{ date_day }} tháng {{ date_month }} năm {{ date_year }}",
        "Report Letterhead",
        italic=True,
    )
    line.runs[0].font.size = Pt(14)
    line.paragraph_format.space_before = Pt(6)
    # The first cell began with an empty paragraph; the tag paragraphs follow it: drop the empty one.
    empty = left.paragraphs[0]
    if not empty.text:
        empty._p.getparent().remove(empty._p)


def _title(document) -> None:
    _p(document, "{{ doc_type }}", "Report Title").paragraph_format.space_before = Pt(24)
    _p(document, "{{ summary }}", "Report Title")
    _rule(document, 4.0, TEXT_WIDTH)
    _p(document, "{{ opening }}").paragraph_format.space_before = Pt(12)


def _quotes(document, part: str) -> None:
    """What each agency wrote under one part, quoted with its name; then the coordinator's marked place."""
    _tag(document, f"for q in {part}.quotes")
    _runs(document, [("{{ q.agency }}", {"bold": True}), (" báo cáo:", {})])
    _tag(document, "for para in q.paragraphs")
    _p(document, "{{ para }}", "Report Quote")
    _tag(document, "endfor")
    _tag(document, "endfor")
    _tag(document, f"if not {part}.quotes")
    _p(document, "Chưa có cơ quan, đơn vị nào báo cáo nội dung này.")
    _tag(document, "endif")
    todo = _p(document, "{{ placeholder }}", italic=True)
    todo.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW


def _deployment(document) -> None:
    _p(document, "I. {{ parts[0].heading }}", "Report Heading")
    _p(document, "1. Tình hình triển khai", "Report Subheading")
    _quotes(document, "parts[0]")
    _p(document, "2. Tình hình gửi báo cáo", "Report Subheading")
    _p(document, "Kỳ báo cáo: {{ period_title }}. Số liệu tổng hợp đến ngày {{ report_date }}.")
    _grid(
        document,
        ["Số cơ quan phải báo cáo", "Đã gửi", "Gửi đúng hạn", "Gửi muộn", "Chưa gửi", "Được miễn"],
        [3.5, 2.6, 2.6, 2.6, 2.6, 2.6],
        ["{{ expected }}", "{{ submitted }}", "{{ on_time }}", "{{ late }}", "{{ missing }}", "{{ excused }}"],
        None,
    )
    _runs(
        document,
        [
            ("Tỷ lệ báo cáo: {{ reporting_rate }}", {"bold": True}),
            (" (số cơ quan đã gửi/số cơ quan phải báo cáo).", {}),
        ],
    )
    _runs(
        document,
        [
            ("Tỷ lệ báo cáo đúng hạn: {{ timeliness_rate }}", {"bold": True}),
            (
                " (số cơ quan gửi đúng hạn/số cơ quan phải báo cáo; đúng hạn hay muộn tính theo lần gửi đầu "
                "tiên được chấp nhận).",
                {},
            ),
        ],
    )
    _tag(document, "if excused_names")
    _p(document, "Cơ quan, đơn vị được miễn báo cáo kỳ này (không tính vào số phải báo cáo): {{ excused_names }}.")
    _tag(document, "endif")
    _p(document, "Tình hình gửi báo cáo của từng cơ quan, đơn vị:", after=3)
    _grid(
        document,
        ["STT", "Cơ quan, đơn vị", "Tình trạng", "Gửi lần đầu", "Bản cuối", "Số lần đã nhắc"],
        [1.3, 5.4, 2.3, 2.6, 2.9, 2.0],
        [
            "{{ a.index }}",
            "{{ a.name }}",
            "{{ a.status_text }}",
            "{{ a.first }}",
            "{{ a.latest_text }}",
            "{{ a.reminders_cell }}",
        ],
        "for a in agencies",
    )
    _tag(document, "if missing_agencies")
    _p(document, "Đến ngày {{ report_date }}, còn {{ missing }}/{{ expected }} cơ quan, đơn vị chưa gửi báo cáo:")
    _tag(document, "for a in missing_agencies")
    _p(document, "{{ a.index }}. {{ a.name }} ({{ a.status_text|lower }}): {{ a.reminders_text }}.")
    _tag(document, "endfor")
    _tag(document, "else")
    _p(document, "Tất cả các cơ quan, đơn vị phải báo cáo đã gửi báo cáo.")
    _tag(document, "endif")
    _tag(document, "for a in bounced_agencies")
    _tag(document, 'if a.status not in ("overdue", "not-due", "held")')
    _p(document, "{{ a.name }}: {{ a.reminders_text }}.")
    _tag(document, "endif")
    _tag(document, "endfor")


def _results(document) -> None:
    _p(document, "II. {{ parts[1].heading }}", "Report Heading")
    _p(document, "1. Kết quả thực hiện các chỉ tiêu", "Report Subheading")
    _tag(document, "if targets")
    _p(
        document,
        "Kết quả các chỉ tiêu tổng hợp từ số liệu của các cơ quan, đơn vị đã gửi báo cáo (số liệu chi tiết "
        "của từng cơ quan, đơn vị tại Phụ lục kèm theo):",
        after=3,
    )
    _grid(
        document,
        ["Mã", "Chỉ tiêu", "Mục tiêu", "Kết quả", "Cách tính", "Đánh giá", "Số cơ quan có số liệu / còn thiếu"],
        [1.1, 4.6, 1.9, 2.3, 2.6, 1.7, 2.3],
        [
            "{{ t.code }}",
            "{{ t.text }}",
            "{{ t.goal }}",
            "{{ t.value }}",
            "{{ t.method_text }}",
            "{{ t.met_text }}",
            "{{ t.coverage }}",
        ],
        "for t in targets",
    )
    _p(
        document,
        "Cách tính: “Tổng” là tổng số liệu của các cơ quan; “Tính lại từ tử số/mẫu số” là tổng tử số "
        "chia tổng mẫu số của các cơ quan; “Trung bình không trọng số” là trung bình cộng tỷ lệ của các cơ "
        "quan, dùng khi có cơ quan không gửi tử số, mẫu số.",
        "Report Note",
    )
    _tag(document, "if listed_targets")
    _p(document, "Các chỉ tiêu định tính (ý kiến của từng cơ quan, đơn vị):", italic=True)
    _tag(document, "for t in listed_targets")
    _p(document, "Chỉ tiêu {{ t.code }}. {{ t.text }}", bold=True)
    _tag(document, "for x in t.answers")
    _p(document, "- {{ x.agency }}: {{ x.answer }}")
    _tag(document, "endfor")
    _tag(document, "if not t.answers")
    _p(document, "- Chưa có cơ quan, đơn vị nào gửi ý kiến.")
    _tag(document, "endif")
    _tag(document, "endfor")
    _tag(document, "endif")
    _tag(document, "else")
    _p(document, "Kế hoạch không giao chỉ tiêu cụ thể cho kỳ báo cáo này.")
    _tag(document, "endif")
    _p(document, "2. Kết quả thực hiện các nhiệm vụ", "Report Subheading")
    _quotes(document, "parts[1]")


def _later_parts(document) -> None:
    for index, number in ((2, "III"), (3, "IV"), (4, "V")):
        _p(document, f"{number}. {{{{ parts[{index}].heading }}}}", "Report Heading")
        _quotes(document, f"parts[{index}]")
    # Kept with the signature block below: a signature never stands alone on a page.
    _p(
        document,
        "Trên đây là báo cáo {{ summary[0]|lower }}{{ summary[1:] }} của {{ issuer }}"
        "{% if recipients_text %}, kính báo cáo {{ recipients_text }}{% endif %}./.",
    ).paragraph_format.keep_with_next = True


def _closing(document) -> None:
    _p(document, "", "Normal").paragraph_format.keep_with_next = True
    table = _table(document, 1, [7.5, 9.0], grid=False)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # the signature never leaves its row
    left, right = table.rows[0].cells
    _first(left, "Nơi nhận:", "Report Recipients", bold=True, italic=True).runs[0].font.size = Pt(12)
    _tag(left, "for r in recipients")
    _p(left, "- {{ r }};", "Report Recipients")
    _tag(left, "endfor")
    _p(left, "- Lưu: VT.", "Report Recipients")
    _tag(right, "if signer_authority")
    _p(right, "{{ signer_authority }}", "Report Signature")
    _tag(right, "endif")
    _p(right, "{{ signer_title }}", "Report Signature")
    for _ in range(4):
        _p(right, "", "Report Signature")
    _p(right, "{{ signer_name }}", "Report Signature")
    empty = right.paragraphs[0]
    if not empty.text:
        empty._p.getparent().remove(empty._p)


def build() -> bytes:
    """The template's bytes (deterministic)."""
    document = Document()
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # python-docx's blank-page preview would show in file browsers
            del package.rels[rel_id]
    _styles(document)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _page_numbers(section)
    body = document.element.body
    for paragraph in list(document.paragraphs):  # the default template's empty first paragraph
        body.remove(paragraph._p)
    _letterhead(document)
    _title(document)
    _deployment(document)
    _results(document)
    _later_parts(document)
    _closing(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_package(buffer.getvalue(), title="Mẫu báo cáo tổng hợp (dondoc)", stamp=STAMP)


def main() -> int:
    OUT.write_bytes(build())
    print(OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())

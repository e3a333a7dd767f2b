"""The consolidated report as documents: .docx (from the Word template), .xlsx annex, HTML page.

Every output renders from one context built by :func:`report_context`, a pure
function of the :class:`~dondoc.aggregate.ReportData`: every figure is a
string already formatted the Vietnamese way (``90,0%``, ``18/20``,
``20/11/2021``), so the Word template, the HTML template and the tests see the
same words.

The .docx follows Decree 30/2020/NĐ-CP (letterhead, number, place and date,
"BÁO CÁO" and its summary, body, "Nơi nhận", signature block); the layout
lives in ``templates/report/bao-cao-tong-hop.docx``, which a coordinator may
edit in Word (``scripts/make_report_template.py`` regenerates it).

Compiling twice from the same data gives byte-identical files: the .docx and
.xlsx packages are rewritten with a fixed entry order, a fixed timestamp on
every entry (the report date) and fixed core properties (created = modified
= the report date, creator ``dondoc``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from dondoc.aggregate import NOT_SUBMITTED, SCALE, AgencyLine, ReportData, TargetLine, figure
from dondoc.documents.ooxml import stable_package
from dondoc.documents.sections import PARTS
from dondoc.errors import TemplateError
from dondoc.gcpause import gc_paused
from dondoc.mail.render import render
from dondoc.model import Unit
from dondoc.vocabulary import STATES, local_time, report_title

__all__ = [
    "HTML_TEMPLATE",
    "PLACEHOLDER",
    "citation",
    "signature_lines",
    "summary_line",
    "Signer",
    "render_docx",
    "render_html",
    "render_xlsx",
    "report_context",
    "report_stem",
    "sign_docx",
    "sign_html",
    "stable_package",
    "write_report",
]

HTML_TEMPLATE = "report/bao-cao-tong-hop.html.j2"
TIMEZONE = "Asia/Ho_Chi_Minh"
DATA_SHEET = "Số liệu"
STATUS_SHEET = "Tình hình gửi báo cáo"

STATUS = {state: words[0] for state, words in STATES.items()}  # the one vocabulary (dondoc.vocabulary)
METHOD = {
    "sum": "Tổng",
    "ratio": "Tính lại từ tử số/mẫu số",
    "mean": "Trung bình không trọng số",
    "listed": "Liệt kê ý kiến",
    "none": "Chưa có số liệu",
}
SUFFIX = {"percent": "%", "per-1000": "‰", "per-100000": "/100.000"}
MET = {True: "Đạt", False: "Chưa đạt", None: "—"}
# Characters XML 1.0 forbids (agency mail may carry them); Word refuses a document holding one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_AREA = re.compile(r"\s(tỉnh|thành phố|thị xã|thị trấn|huyện|quận|phường|xã)\s+(?=\S)")


@dataclass(frozen=True)
class Signer:
    """Who signs: ``title`` ("GIÁM ĐỐC"), ``authority`` ("KT. GIÁM ĐỐC") when a deputy signs, ``name``.

    Empty ``title`` is derived from the issuing body (Sở → GIÁM ĐỐC, Phòng →
    TRƯỞNG PHÒNG, …); empty ``name`` leaves a dotted line for the clerk.
    """

    title: str = ""
    authority: str = ""
    name: str = ""


# -- formatting ---------------------------------------------------------------------------------------------------


def _clean(text: object) -> str:
    """NFC text without the control characters XML cannot hold; CR/LF become LF, tabs spaces."""
    value = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _NOT_XML.sub("", value)


def vn_number(value: float, decimals: int | None = None) -> str:
    """``1234.5`` → ``1.234,5``: decimals with a comma, thousands with a dot.

    With ``decimals`` the figure keeps exactly that many (``90,0``); without,
    up to two, trailing zeros dropped (``96,75``, ``110``).
    """
    text = f"{value:,.{2 if decimals is None else decimals}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _rate(numerator: int, denominator: int, rate: float | None) -> str:
    """``3/4 (75,0%)``: the rate always beside its numerator and denominator."""
    shown = "không tính được" if rate is None else f"{vn_number(rate, 1)}%"
    return f"{numerator}/{denominator} ({shown})"


def _local(moment: dt.datetime | None, timezone: str) -> str:
    """``dd/mm/yyyy HH:MM`` in ``timezone`` (a naive time is UTC, as stored)."""
    return local_time(moment, timezone)


def _figure(value: float | None, unit: str) -> str:
    return "" if value is None else vn_number(value) + SUFFIX.get(unit, "")


def _goal(goal: str, unit: str) -> str:
    """``≥ 95`` (as aggregate writes it) → ``≥ 95%``, with a decimal comma."""
    op, _, number = goal.partition(" ")
    try:
        return f"{op} {vn_number(float(number))}{SUFFIX.get(unit, '')}"
    except ValueError:
        return _clean(goal)


def _paragraphs(narrative: str) -> list[str]:
    """A narrative's paragraphs (split at blank lines; the agency's own line breaks kept)."""
    blocks = re.split(r"\n\s*\n", _clean(narrative).strip())
    return [block.strip("\n ") for block in blocks if block.strip()]


def _letterhead(issuer_name: str) -> tuple[str, str]:
    """``(parent, body)`` of the letterhead: "Sở LĐTBXH tỉnh Đắk Lắk" → ("UBND TỈNH ĐẮK LẮK", "SỞ LĐTBXH").

    The area is the first "tỉnh/thành phố/huyện/… <Name>" suffix; a People's
    Committee has no parent; an issuer without an area suffix stands alone.
    """
    name = _clean(issuer_name).strip()
    for match in _AREA.finditer(name):
        area = name[match.end() :]
        if area[:1].isupper():
            body = name[: match.start()].strip()
            if body.lower() in ("ủy ban nhân dân", "uỷ ban nhân dân", "ubnd"):
                return "", name.upper()
            return f"UBND {match.group(1)} {area}".upper(), body.upper()
    return "", name.upper()


def _abbreviation(body_caps: str) -> str:
    """The issuer's initials for the document symbol: "SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI" → "SLĐTBXH"."""
    if body_caps.startswith(("ỦY BAN NHÂN DÂN", "UỶ BAN NHÂN DÂN")):
        return "UBND"
    words = [w for w in re.split(r"[\s\-–—,]+", body_caps) if w and w not in ("VÀ", "&")]
    return "".join(w.replace("&", "") if _acronym(w) else w[0] for w in words) or "…"


def _acronym(word: str) -> bool:
    """A word without a vowel is already initials ("LĐTBXH", "VH&TT"): every Vietnamese syllable has one."""
    bases = unicodedata.normalize("NFD", word)
    return len(word) > 1 and not any(c in "AEIOUYaeiouy" for c in bases)


def _signer_title(body_caps: str) -> tuple[str, str]:
    """``(authority, title)`` by the kind of issuing body (the usual head's title)."""
    for prefix, authority, title in (
        ("SỞ", "", "GIÁM ĐỐC"),
        ("PHÒNG", "", "TRƯỞNG PHÒNG"),
        ("BAN", "", "TRƯỞNG BAN"),
        ("ỦY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
        ("UỶ BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ):
        if body_caps.startswith(prefix + " ") or body_caps == prefix:
            return authority, title
    return "", "THỦ TRƯỞNG CƠ QUAN"


def _date_parts(day: dt.date) -> dict[str, str]:
    """Decree 30: a day below 10 and the months 1 and 2 take a leading zero."""
    return {
        "date_day": f"{day.day:02d}",
        "date_month": f"{day.month:02d}" if day.month < 3 else str(day.month),
        "date_year": str(day.year),
    }


def _join(names: list[str]) -> str:
    """ "A", "A và B", "A, B và C"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


# -- the context --------------------------------------------------------------------------------------------------

QUOTE_PARAGRAPHS, QUOTE_CHARS = 12, 2500  # of one agency in one part; the rest is in its own report
PLACEHOLDER = (
    "[Cơ quan tổng hợp viết tiếp tại đây: nhận định chung và những nội dung chưa có cơ quan, đơn vị nào "
    "báo cáo. Xóa dòng này trước khi trình ký.]"
)


def _reminders_text(line: AgencyLine) -> str:
    """ "đã nhắc 2 lần", and the addresses where a reminder bounced (a bounce is not a reminder)."""
    said = f"đã nhắc {line.reminders} lần" if line.reminders else "chưa nhắc được lần nào"
    if line.bounced:
        said += f"; thư nhắc bị trả lại (địa chỉ {', '.join(_clean(a) for a in line.bounced)})"
    return said


def _agency(index: int, line: AgencyLine, timezone: str) -> dict:
    first = _local(line.first_at or line.submitted_at, timezone)
    latest = _local(line.submitted_at, timezone)
    version = "" if line.version is None else str(line.version)
    note = {"on-time": "gửi đúng hạn", "late": "gửi muộn"}.get(
        line.status, STATUS.get(line.status, line.status).lower()
    )
    if first:
        note += f" lúc {first}"
    if version and latest and latest != first:
        note += f"; bản cuối lần gửi thứ {version} lúc {latest}"
    elif version:
        note += f", lần gửi thứ {version}"
    return {
        "index": str(index),
        "agency_id": line.agency_id,
        "name": _clean(line.name),
        "status": line.status,
        "status_text": STATUS.get(line.status, line.status),
        "submitted": first,
        "first": first,
        "latest": latest if latest != first else "",
        "latest_text": f"lần {version}, {latest}"
        if version and latest != first
        else (f"lần {version}" if version else ""),
        "version": version,
        "reminders": str(line.reminders),
        "bounced": ", ".join(_clean(a) for a in line.bounced),
        "reminders_text": _reminders_text(line),
        "reminders_cell": str(line.reminders) + (f"; bị trả lại: {len(line.bounced)} địa chỉ" if line.bounced else ""),
        "note": note,
        "paragraphs": _paragraphs(line.narrative),
        "files": ", ".join(_clean(f) for f in line.files),
    }


def _quote(paragraphs: list[str]) -> list[str]:
    """At most ``QUOTE_PARAGRAPHS`` paragraphs and ``QUOTE_CHARS`` characters of one agency's part."""
    kept: list[str] = []
    size = 0
    for paragraph in (_clean(p).strip() for p in paragraphs):
        if not paragraph:
            continue
        if len(kept) == QUOTE_PARAGRAPHS or size + len(paragraph) > QUOTE_CHARS:
            kept.append("(…; toàn văn trong báo cáo của cơ quan, đơn vị)")
            break
        kept.append(paragraph)
        size += len(paragraph)
    return kept


def _parts(data: ReportData) -> list[dict]:
    """Each part of the report body with what each agency wrote under it, quoted with the agency's name."""
    parts = []
    for number, (key, heading) in enumerate(PARTS, start=1):
        quotes = [
            {
                "agency": _clean(line.name),
                "paragraphs": _quote(line.sections.get(key, [])),
                "documents": ", ".join(_clean(d) for d in line.documents),
            }
            for line in data.agencies
            if line.submitted and line.sections.get(key)
        ]
        parts.append(
            {"key": key, "number": _ROMAN[number], "heading": heading, "quotes": [q for q in quotes if q["paragraphs"]]}
        )
    return parts


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}


def _target(line: TargetLine, reporting: list[str]) -> dict:
    listed = line.method == "listed"
    missing = line.missing
    if listed:  # aggregate counts a worded answer as "no figure"; for a listed target, missing = did not answer
        answered = {name for name, _ in line.answers}
        missing = tuple(name for name in reporting if name not in answered)
    value = (
        (f"{len(line.answers)} ý kiến (liệt kê dưới bảng)" if line.answers else "Chưa có ý kiến")
        if listed
        else (_figure(line.value, line.unit) or "Chưa có số liệu")
    )
    return {
        "code": _clean(line.target_id),
        "text": _clean(line.text),
        "unit": line.unit,
        "goal": _goal(line.goal, line.unit) if line.goal else "—",
        "value": value,
        "method": line.method,
        "method_text": METHOD.get(line.method, line.method),
        "met_text": MET[line.met],
        "contributors": str(len(line.contributors)),
        "missing": str(len(missing)),
        "coverage": f"{len(line.contributors)} / {len(missing)}",
        "missing_names": ", ".join(_clean(n) for n in missing),
        "answers": [{"agency": _clean(name), "answer": _clean(answer)} for name, answer in line.answers],
    }


def _short_body(name: str) -> str:
    """ "Ủy ban nhân dân tỉnh Bình Phước" → "UBND tỉnh Bình Phước" (the way a citation names it)."""
    text = _clean(name).strip()
    for long in ("Ủy ban nhân dân", "Uỷ ban nhân dân"):
        if text.startswith(long):
            return "UBND" + text[len(long) :]
    return text


def _document_kind(number: str) -> str:
    """The kind of document a number belongs to: "2041/QĐ-UBND" → "Quyết định"; a plan otherwise."""
    symbol = number.partition("/")[2].upper()
    for prefix, kind in (("QĐ", "Quyết định"), ("KH", "Kế hoạch"), ("CT", "Chỉ thị"), ("CV", "Công văn")):
        if symbol.startswith(prefix):
            return kind
    return "Kế hoạch"


def _subject(plan_title: str) -> tuple[str, str]:
    """``(kind, subject)`` of a plan's title: "Kế hoạch thực hiện công tác trẻ em" → ("Kế hoạch", "thực hiện …")."""
    title = _clean(plan_title).strip()
    if title.lower().startswith("kế hoạch "):
        return "Kế hoạch", title[len("kế hoạch ") :]
    return "", title


def citation(data: ReportData) -> str:
    """The plan as the opening line cites it: kind, number, date and issuer where the plan gives them.

    "Kế hoạch số 235/KH-UBND ngày 7/12/2020 của UBND thành phố Hà Nội về thực hiện Nghị quyết …"; a plan issued
    by a decision cites the decision ("Quyết định số 2041/QĐ-UBND ngày 17/8/2016 của UBND tỉnh Đắk Lắk ban hành
    Kế hoạch …"); what the plan's text does not give (number, date) is left out, never made up.
    """
    number = _clean(data.plan_number).strip()
    kind = _document_kind(number) if number else "Kế hoạch"
    words = [kind]
    if number:
        words.append(f"số {number}")
    if data.plan_issued:
        day = data.plan_issued
        words.append(f"ngày {day.day}/{day.month}/{day.year}")
    if data.plan_issuer:
        words.append(f"của {_short_body(data.plan_issuer)}")
    title_kind, subject = _subject(data.plan_title)
    if kind == "Kế hoạch" and title_kind:
        # "Thực hiện Kế hoạch … về công tác trẻ em năm 2021": the plan's own "thực hiện" is not said twice
        words.append(f"về {subject[len('thực hiện ') :] if subject.lower().startswith('thực hiện ') else subject}")
    else:
        words.append(
            f"ban hành {_clean(data.plan_title).strip()}"
            if kind == "Quyết định"
            else f"về {_clean(data.plan_title).strip()}"
        )
    return " ".join(words)


def summary_line(data: ReportData) -> str:
    """The trích yếu: "Kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021" — "thực hiện" once, the period once."""
    _, subject = _subject(data.plan_title)
    period = _clean(data.period_label).strip()
    if subject.lower().startswith("thực hiện "):
        subject = subject[len("thực hiện ") :]
    elif subject == _clean(data.plan_title).strip() or not subject.lower().startswith(("công tác", "chương trình")):
        subject = _clean(data.plan_title).strip()  # "Kế hoạch đẩy mạnh …": the plan itself is what was done
    year = re.search(r"năm (\d{4})$", period)
    if year and subject.endswith(f" năm {year.group(1)}"):
        return f"Kết quả thực hiện {subject[: -len(year.group(0)) - 1]} {period}"
    return f"Kết quả thực hiện {subject}, {period}"


def report_context(
    data: ReportData, *, place: str, issuer_name: str, signer: Signer | None = None, timezone: str = TIMEZONE
) -> dict:
    """Everything the templates show, as ready strings and lists (pure; the templates only place it)."""
    parent, body = _letterhead(issuer_name)
    authority, title = _signer_title(body)
    signer = signer or Signer()
    agencies = [_agency(i, line, timezone) for i, line in enumerate(data.agencies, start=1)]
    reporting = [line.name for line in data.agencies if line.submitted]
    targets = [_target(line, reporting) for line in data.targets]
    narratives = [a for a in agencies if a["status"] in ("on-time", "late")]
    recipients = [_clean(r) for r in data.recipients]
    summary = summary_line(data)
    signature = signature_lines(signer, authority, title)
    return {
        "parent_caps": parent,
        "issuer_caps": body,
        "issuer": _clean(issuer_name).strip(),
        "number_placeholder": f"      /BC-{_abbreviation(body)}",
        "place": _clean(place),
        **_date_parts(data.report_date),
        "report_date": f"{data.report_date:%d/%m/%Y}",
        "doc_type": "BÁO CÁO",
        "summary": summary,
        "plan_id": data.plan_id,
        "plan_title": _clean(data.plan_title),
        "plan_number": _clean(data.plan_number),
        "plan_ref": citation(data),
        "citation": citation(data),
        "opening": (
            f"Thực hiện {citation(data)}, trên cơ sở báo cáo của các cơ quan, đơn vị, "
            f"{_clean(issuer_name).strip()} báo cáo {summary[0].lower()}{summary[1:]} như sau:"
        ),
        "obligation_id": data.obligation_id,
        "obligation_title": _clean(data.obligation_title),
        "period_title": report_title(_clean(data.obligation_title), _clean(data.period_label)),
        "period_key": data.period_key,
        "period_label": _clean(data.period_label),
        "coordinator_name": _clean(data.coordinator_name),
        "expected": str(data.expected),
        "submitted": str(data.submitted),
        "on_time": str(data.on_time),
        "late": str(data.late),
        "missing": str(data.missing),
        "excused": str(data.excused),
        "reporting_rate": _rate(data.submitted, data.expected, data.reporting_rate),
        "timeliness_rate": _rate(data.on_time, data.expected, data.timeliness_rate),
        "agencies": agencies,
        "targets": targets,
        "listed_targets": [t for t in targets if t["method"] == "listed"],
        "narratives": [dict(a, index=str(i)) for i, a in enumerate(narratives, start=1)],
        "missing_agencies": [
            dict(a, index=str(i)) for i, a in enumerate((a for a in agencies if a["status"] in NOT_SUBMITTED), start=1)
        ],
        "excused_names": ", ".join(a["name"] for a in agencies if a["status"] in ("excused", "closed")),
        "bounced_agencies": [a for a in agencies if a["bounced"]],
        "parts": _parts(data),
        "placeholder": PLACEHOLDER,
        "recipients": recipients,
        "recipients_text": _join(recipients),
        "signer_authority": signature[0],
        "signer_title": signature[1],
        "signer_name": signature[2],
        "document_title": f"Báo cáo {summary[0].lower()}{summary[1:]}",
    }


def signature_lines(
    signer: Signer, default_authority: str = "", default_title: str = "GIÁM ĐỐC"
) -> tuple[str, str, str]:
    """``(authority line, title line, name)`` of the signature block (Decree 30, Appendix I).

    "KT. GIÁM ĐỐC" / "PHÓ GIÁM ĐỐC" when a deputy signs for the head; "TL."/"TUQ." likewise; "Q. GIÁM ĐỐC" for
    an acting head (one line); without a name, a dotted line for the signer to write it.
    """
    name = _clean(signer.name).strip() or "……………………………"
    if _clean(signer.title).strip():
        return _clean(signer.authority).strip().upper(), _clean(signer.title).strip().upper(), name
    return default_authority, default_title, name


# -- signing an approved report ------------------------------------------------------------------------------------


def sign_docx(content: bytes, lines: tuple[str, str, str]) -> bytes:
    """The report .docx with its signature block (``signature_lines``) written in, the rest as it is.

    The block is the last cell of the table that holds "Nơi nhận"; a draft the coordinator edited in Word keeps
    every edit. The cell's first filled paragraph is the model of the new lines' formatting.
    """
    from copy import deepcopy

    from docx import Document
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(content))
    table = next(
        (t for t in reversed(document.tables) if t.rows and t.rows[0].cells[0].text.strip().startswith("Nơi nhận")),
        None,
    )
    if table is None:
        raise TemplateError('the report .docx has no table with "Nơi nhận" and the signature block')
    cell = table.rows[0].cells[-1]
    model = next((p for p in cell.paragraphs if p.text.strip()), cell.paragraphs[0])
    authority, title, name = lines
    for paragraph in list(cell.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    for text in ([authority] if authority else []) + [title, "", "", "", "", name]:
        element = deepcopy(model._p)
        for child in list(element):
            if child.tag != qn("w:pPr"):
                element.remove(child)
        cell._tc.append(element)
        if text:
            Paragraph(element, cell).add_run(text)
    buffer = io.BytesIO()
    document.save(buffer)
    properties = document.core_properties
    stamp = (properties.created or dt.datetime(2000, 1, 1)).replace(tzinfo=None)
    return stable_package(buffer.getvalue(), title=properties.title or "", stamp=stamp)


_SIGN_CELL = re.compile(r'(<td class="sign"[^>]*>).*?(</td>)', re.DOTALL)


def sign_html(page: str, lines: tuple[str, str, str]) -> str:
    """The report page with its signature block written in."""
    from html import escape

    authority, title, name = (escape(line) for line in lines)
    block = (
        f"\n<p>{authority}</p>" if authority else ""
    ) + f'\n<p>{title}</p>\n<div class="space"></div>\n<p>{name}</p>\n'
    return _SIGN_CELL.sub(lambda m: m.group(1) + block + m.group(2), page, count=1)


# -- deterministic packages ---------------------------------------------------------------------------------------


def _stamp(data: ReportData) -> dt.datetime:
    return dt.datetime.combine(data.report_date, dt.time())


# -- .docx --------------------------------------------------------------------------------------------------------


# A paragraph of the rendered XML, and the characters docxtpl turns into breaks, tabs and new paragraphs in one.
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_LISTING = re.compile("[\t\a\n\f]")
_TEMPLATE_CLASS: list[type] = []
DOCUMENT_XML = "word/document.xml"


def _template_class() -> type:
    """docxtpl's ``DocxTemplate``, passing over the paragraphs that hold no line break, tab or page break.

    docxtpl rewrites every paragraph and run of the rendered body with nested regular expressions to turn
    ``\\n``/``\\t``/``\\a``/``\\f`` into Word's breaks (``resolve_listing``); a national report has 60,000
    runs, almost none with such a character. The paragraphs that have one still go through docxtpl's own code,
    so the document is byte for byte what docxtpl makes.
    """
    if not _TEMPLATE_CLASS:
        from docxtpl import DocxTemplate  # imported here: docxtpl pulls python-docx and lxml in, only reports need them

        from dondoc.documents.docx_loops import Loops, cut_loops

        class Template(DocxTemplate):
            loops: Loops | None = None

            def resolve_listing(self, xml: str) -> str:
                resolve = super().resolve_listing
                return _PARAGRAPH.sub(lambda m: resolve(m.group(0)) if _LISTING.search(m.group(0)) else m.group(0), xml)

            def build_xml(self, context, jinja_env=None):
                # the long loops are cut out here and written into the saved package (dondoc.documents.docx_loops)
                body, cut = cut_loops(self.patch_xml(self.get_xml()))
                self.loops = Loops(
                    cut,
                    render=lambda source: jinja_env.from_string(source).generate(context),
                    clean=self.resolve_listing,
                    namespaces=self.docx._element.nsmap,
                )
                return self.render_xml_part(body, self.docx._part, context, jinja_env)

        _TEMPLATE_CLASS.append(Template)
    return _TEMPLATE_CLASS[0]


def _docx(context: dict, template: Path, stamp: dt.datetime) -> bytes:
    document = _template_class()(str(template))
    # Autoescape: agencies' narratives go into XML; StrictUndefined: a mistyped tag in an edited template fails loudly.
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        document.render(context, env, autoescape=True)
        buffer = io.BytesIO()
        document.save(buffer)
        return stable_package(
            buffer.getvalue(), title=context["document_title"], stamp=stamp, fill={DOCUMENT_XML: document.loops.fill}
        )
    except jinja2.TemplateError as error:
        raise TemplateError(f"{template}: {error}") from None


def render_docx(
    data: ReportData,
    template: Path,
    *,
    place: str,
    issuer_name: str,
    signer: Signer | None = None,
    timezone: str = TIMEZONE,
) -> bytes:
    """The report .docx filled from the Word ``template`` (docxtpl), deterministic bytes."""
    context = report_context(data, place=place, issuer_name=issuer_name, signer=signer, timezone=timezone)
    return _docx(context, template, _stamp(data))


# -- .html --------------------------------------------------------------------------------------------------------


def render_html(
    env: jinja2.Environment,
    data: ReportData,
    *,
    place: str,
    issuer_name: str,
    signer: Signer | None = None,
    timezone: str = TIMEZONE,
) -> str:
    """The report as one self-contained HTML page (``templates/report/bao-cao-tong-hop.html.j2``)."""
    context = report_context(data, place=place, issuer_name=issuer_name, signer=signer, timezone=timezone)
    return render(env, HTML_TEMPLATE, context)


# -- .xlsx annex --------------------------------------------------------------------------------------------------


def _cell_value(entry: Mapping, unit: str):
    """What one agency gave for one target: its figure, or its figure recomputed from tử số/mẫu số, or its words."""
    if unit in (Unit.LEVEL, Unit.TEXT):
        return _clean(entry.get("value") or entry.get("note") or "") or None
    value = figure(entry.get("value"))
    if value is None:
        numerator, denominator = figure(entry.get("numerator")), figure(entry.get("denominator"))
        if numerator is not None and denominator:
            value = round(numerator / denominator * SCALE.get(Unit(unit), 1), 2)
    return value


# Shared formats, one per (style, number format): XlsxWriter writes each once into styles.xml, and a cell carries
# only its index. The four styles of the annex (all Times New Roman 12, thin borders, wrapped text).
HEADING, SUBHEADING, CELL, TOTAL = "heading", "subheading", "cell", "total"
_STYLES: dict[str, dict[str, object]] = {
    HEADING: {"bold": True, "bg_color": "#DDDDDD", "align": "center", "valign": "vcenter"},
    SUBHEADING: {"bg_color": "#DDDDDD", "align": "center", "valign": "vcenter"},
    CELL: {"valign": "top"},
    TOTAL: {"bold": True, "bg_color": "#F2F2F2", "valign": "top"},
}


class _Formats:
    """The workbook's formats, made on first use and shared by every cell that looks the same."""

    def __init__(self, book) -> None:
        self._book = book
        self._made: dict[tuple, object] = {}

    def cell(self, style: str, number_format: str = ""):
        key = (style, number_format)
        if key not in self._made:
            spec = {"font_name": "Times New Roman", "font_size": 12, "border": 1, "text_wrap": True, **_STYLES[style]}
            if "bg_color" in spec:
                spec["pattern"] = 1
            if number_format:
                spec["num_format"] = number_format
            self._made[key] = self._book.add_format(spec)
        return self._made[key]

    def title(self, **font):
        key = ("title", tuple(sorted(font.items())))
        if key not in self._made:
            self._made[key] = self._book.add_format({"font_name": "Times New Roman", **font})
        return self._made[key]


def _put(sheet, formats: _Formats, row: int, column: int, value, style: str) -> None:
    """One styled cell (``row``, ``column`` from 1, as Excel counts); text stays text, never a formula or a link."""
    if value is None or value == "":
        sheet.write_blank(row - 1, column - 1, None, formats.cell(style))
    elif isinstance(value, str):
        sheet.write_string(row - 1, column - 1, value, formats.cell(style))
    elif isinstance(value, float):
        number_format = "#,##0" if value.is_integer() else "#,##0.00"
        sheet.write_number(row - 1, column - 1, value, formats.cell(style, number_format))
    else:
        sheet.write_number(row - 1, column - 1, value, formats.cell(style))


def _title(sheet, formats: _Formats, lines: list[tuple[str, dict]]) -> None:
    for row, (text, font) in enumerate(lines):
        sheet.write_string(row, 0, text, formats.title(**font))


def _data_sheet(sheet, formats: _Formats, data: ReportData, context: dict, values: Mapping[str, Mapping]) -> None:
    _title(
        sheet,
        formats,
        [
            (
                f"PHỤ LỤC: SỐ LIỆU CÁC CHỈ TIÊU THEO CƠ QUAN, ĐƠN VỊ — {context['period_label'].upper()}",
                {"bold": True, "font_size": 14},
            ),
            (
                f"(Kèm theo báo cáo của {context['issuer']} ngày {context['report_date']}: {context['summary']})",
                {"italic": True, "font_size": 12},
            ),
            (
                (
                    "Ô trống: cơ quan chưa gửi báo cáo hoặc không có số liệu chỉ tiêu đó. "
                    "Khi cơ quan chỉ gửi tử số, mẫu số, tỷ lệ được tính từ tử số, mẫu số."
                ),
                {"italic": True, "font_size": 11},
            ),
        ],
    )
    header = ["STT", "Cơ quan, đơn vị", "Tình trạng"] + [
        f"{t['code']}. {t['text']}" + (f" ({SUFFIX[t['unit']]})" if t["unit"] in SUFFIX else "")
        for t in context["targets"]
    ]
    for column, text in enumerate(header, start=1):
        _put(sheet, formats, 5, column, text, HEADING)
    for column, text in enumerate(
        ["", "Mục tiêu", ""] + [f"Mục tiêu: {t['goal']}" for t in context["targets"]], start=1
    ):
        _put(sheet, formats, 6, column, text or None, SUBHEADING)
    row = 7
    for index, (line, agency) in enumerate(zip(data.agencies, context["agencies"], strict=True), start=1):
        given = values.get(line.agency_id, {}) if line.status in ("on-time", "late") else {}
        cells = [index, agency["name"], agency["status_text"]] + [
            _cell_value(given.get(t.target_id) or {}, t.unit) for t in data.targets
        ]
        for column, value in enumerate(cells, start=1):
            _put(sheet, formats, row, column, value, CELL)
        row += 1
    for label, figures in (
        ("Tổng hợp", [t.value if t.method not in ("listed", "none") else None for t in data.targets]),
        ("Cách tính", [t["method_text"] for t in context["targets"]]),
        ("Đánh giá", [t["met_text"] for t in context["targets"]]),
        ("Số cơ quan có số liệu / còn thiếu", [t["coverage"] for t in context["targets"]]),
    ):
        for column, value in enumerate([None, label, None, *figures], start=1):
            _put(sheet, formats, row, column, value, TOTAL)
        row += 1
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 14)
    if data.targets:
        sheet.set_column(3, 2 + len(data.targets), 22)
    sheet.freeze_panes(6, 3)  # D7


def _status_sheet(sheet, formats: _Formats, context: dict) -> None:
    _title(
        sheet,
        formats,
        [
            (f"TÌNH HÌNH GỬI BÁO CÁO — {context['period_label'].upper()}", {"bold": True, "font_size": 14}),
            (f"Tỷ lệ báo cáo: {context['reporting_rate']}", {"font_size": 12}),
            (f"Tỷ lệ báo cáo đúng hạn: {context['timeliness_rate']}", {"font_size": 12}),
        ],
    )
    header = (
        "STT",
        "Cơ quan, đơn vị",
        "Tình trạng",
        "Gửi lần đầu",
        "Lần gửi",
        "Bản cuối lúc",
        "Số lần đã nhắc",
        "Thư nhắc bị trả lại",
        "Tệp gửi kèm",
    )
    for column, text in enumerate(header, start=1):
        _put(sheet, formats, 5, column, text, HEADING)
    for row, agency in enumerate(context["agencies"], start=6):
        cells = (
            int(agency["index"]),
            agency["name"],
            agency["status_text"],
            agency["first"] or None,
            int(agency["version"]) if agency["version"] else None,
            agency["latest"] or None,
            int(agency["reminders"]),
            agency["bounced"] or None,
            agency["files"] or None,
        )
        for column, value in enumerate(cells, start=1):
            _put(sheet, formats, row, column, value, CELL)
    for column, width in enumerate((6, 40, 14, 18, 9, 18, 14, 30, 40)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(5, 2)  # C6


def _xlsx(data: ReportData, context: dict, values: Mapping[str, Mapping] | None) -> bytes:
    """The annex, written row by row (XlsxWriter's constant-memory mode): a national annex of 10,000 agencies ×
    20 targets never holds its cells in memory, and every cell shares one of a handful of formats."""
    import xlsxwriter  # imported here: only reports need it

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    formats = _Formats(book)
    _data_sheet(book.add_worksheet(DATA_SHEET), formats, data, context, values or {})
    _status_sheet(book.add_worksheet(STATUS_SHEET), formats, context)
    book.close()
    return stable_package(buffer.getvalue(), title=f"Phụ lục: {context['document_title']}", stamp=_stamp(data))


def render_xlsx(
    data: ReportData,
    *,
    values: Mapping[str, Mapping] | None = None,
    timezone: str = TIMEZONE,
    place: str = "",
    issuer_name: str = "",
) -> bytes:
    """The annex: sheet "Số liệu" (agency × target, aggregate rows) and "Tình hình gửi báo cáo".

    ``values`` holds each agency's form entries, ``{agency id: {target id:
    {"value", "numerator", "denominator", "note"}}}`` (the ``values`` of the
    ``AgencyInput``s given to ``aggregate``); ``ReportData`` carries only the
    aggregates, so without it the matrix shows the statuses and aggregate rows only.
    """
    context = report_context(data, place=place, issuer_name=issuer_name or data.coordinator_name, timezone=timezone)
    return _xlsx(data, context, values)


# -- files --------------------------------------------------------------------------------------------------------


def _write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` as mode 0600, atomically (a reader never sees half a file)."""
    partial = path.with_name(f".{path.name}.partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def report_stem(data: ReportData) -> str:
    """``<plan>-<obligation>-<period>``, safe as a file name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", f"{data.plan_id}-{data.obligation_id}-{data.period_key}")


@gc_paused
def write_report(
    data: ReportData,
    out_dir: Path,
    *,
    template: Path,
    env: jinja2.Environment,
    place: str,
    issuer_name: str,
    signer: Signer | None = None,
    values: Mapping[str, Mapping] | None = None,
    timezone: str = TIMEZONE,
) -> dict[str, Path]:
    """Write ``<plan>-<obligation>-<period>.docx/.xlsx/.html`` (mode 0600) to ``out_dir``; their paths by kind."""
    context = report_context(data, place=place, issuer_name=issuer_name, signer=signer, timezone=timezone)
    contents = {
        "docx": _docx(context, template, _stamp(data)),
        "xlsx": _xlsx(data, context, values),
        "html": render(env, HTML_TEMPLATE, context).encode("utf-8"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, content in contents.items():
        paths[kind] = out_dir / f"{report_stem(data)}.{kind}"
        _write_private(paths[kind], content)
    return paths

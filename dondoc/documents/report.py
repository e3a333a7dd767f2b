"""The consolidated report as documents: .docx (from the Word template), .xlsx annex, HTML page.

Every output renders from one context built by :func:`report_context`, a pure
function of the :class:`~dondoc.aggregate.ReportData`: every figure is a
string already formatted the Vietnamese way (``90,0%``, ``18/20``,
``20/11/2021``), so the Word template, the HTML template and the tests see the
same words.

The .docx follows Decree 30/2020/NĐ-CP (letterhead, number, place and date,
"BÁO CÁO" and its summary, body, "Nơi nhận", signature block); the layout
lives in ``templates/report/bao-cao-tong-hop.docx``, which a coordinator may
edit in Word (``templates/report/make_template.py`` regenerates it).

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
from zoneinfo import ZoneInfo

import jinja2
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from dondoc.documents.ooxml import stable_package
from dondoc.aggregate import SCALE, AgencyLine, ReportData, TargetLine, figure
from dondoc.errors import TemplateError
from dondoc.mail.render import render
from dondoc.model import Unit

__all__ = [
    "HTML_TEMPLATE",
    "Signer",
    "render_docx",
    "render_html",
    "render_xlsx",
    "report_context",
    "report_stem",
    "stable_package",
    "write_report",
]

HTML_TEMPLATE = "report/bao-cao-tong-hop.html.j2"
TIMEZONE = "Asia/Ho_Chi_Minh"
DATA_SHEET = "Số liệu"
STATUS_SHEET = "Tình hình gửi báo cáo"

STATUS = {"on-time": "Đúng hạn", "late": "Gửi muộn", "missing": "Chưa gửi", "excused": "Được miễn"}
METHOD = {"sum": "Tổng", "ratio": "Tính lại từ tử số/mẫu số", "mean": "Trung bình không trọng số",
          "listed": "Liệt kê ý kiến", "none": "Chưa có số liệu"}
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
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(ZoneInfo(timezone)):%d/%m/%Y %H:%M}"


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
        area = name[match.end():]
        if area[:1].isupper():
            body = name[:match.start()].strip()
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
    for prefix, authority, title in (("SỞ", "", "GIÁM ĐỐC"), ("PHÒNG", "", "TRƯỞNG PHÒNG"),
                                     ("BAN", "", "TRƯỞNG BAN"), ("ỦY BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
                                     ("UỶ BAN NHÂN DÂN", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")):
        if body_caps.startswith(prefix + " ") or body_caps == prefix:
            return authority, title
    return "", "THỦ TRƯỞNG CƠ QUAN"


def _date_parts(day: dt.date) -> dict[str, str]:
    """Decree 30: a day below 10 and the months 1 and 2 take a leading zero."""
    return {"date_day": f"{day.day:02d}", "date_month": f"{day.month:02d}" if day.month < 3 else str(day.month),
            "date_year": str(day.year)}


def _join(names: list[str]) -> str:
    """"A", "A và B", "A, B và C"."""
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " và " + names[-1]


# -- the context --------------------------------------------------------------------------------------------------

def _agency(index: int, line: AgencyLine, timezone: str) -> dict:
    submitted = _local(line.submitted_at, timezone)
    version = "" if line.version is None else str(line.version)
    note = {"on-time": "gửi đúng hạn", "late": "gửi muộn"}.get(line.status, STATUS[line.status].lower())
    if submitted:
        note += f" lúc {submitted}"
    if version:
        note += f", lần gửi thứ {version}"
    return {
        "index": str(index), "agency_id": line.agency_id, "name": _clean(line.name), "status": line.status,
        "status_text": STATUS[line.status], "submitted": submitted, "version": version,
        "reminders": str(line.reminders),
        "reminders_text": f"đã nhắc {line.reminders} lần" if line.reminders else "chưa được nhắc",
        "note": note, "paragraphs": _paragraphs(line.narrative),
        "files": ", ".join(_clean(f) for f in line.files),
    }


def _target(line: TargetLine, reporting: list[str]) -> dict:
    listed = line.method == "listed"
    missing = line.missing
    if listed:  # aggregate counts a worded answer as "no figure"; for a listed target, missing = did not answer
        answered = {name for name, _ in line.answers}
        missing = tuple(name for name in reporting if name not in answered)
    value = (f"{len(line.answers)} ý kiến (liệt kê dưới bảng)" if line.answers else "Chưa có ý kiến") if listed \
        else (_figure(line.value, line.unit) or "Chưa có số liệu")
    return {
        "code": _clean(line.target_id), "text": _clean(line.text), "unit": line.unit,
        "goal": _goal(line.goal, line.unit) if line.goal else "—", "value": value, "method": line.method,
        "method_text": METHOD.get(line.method, line.method), "met_text": MET[line.met],
        "contributors": str(len(line.contributors)), "missing": str(len(missing)),
        "coverage": f"{len(line.contributors)} / {len(missing)}",
        "missing_names": ", ".join(_clean(n) for n in missing),
        "answers": [{"agency": _clean(name), "answer": _clean(answer)} for name, answer in line.answers],
    }


def report_context(data: ReportData, *, place: str, issuer_name: str, signer: Signer | None = None,
                   timezone: str = TIMEZONE) -> dict:
    """Everything the templates show, as ready strings and lists (pure; the templates only place it)."""
    parent, body = _letterhead(issuer_name)
    authority, title = _signer_title(body)
    signer = signer or Signer()
    agencies = [_agency(i, line, timezone) for i, line in enumerate(data.agencies, start=1)]
    reporting = [line.name for line in data.agencies if line.status in ("on-time", "late")]
    targets = [_target(line, reporting) for line in data.targets]
    narratives = [a for a in agencies if a["status"] in ("on-time", "late")]
    recipients = [_clean(r) for r in data.recipients]
    summary = f"Kết quả {_clean(data.period_label)} thực hiện {_clean(data.plan_title)}"
    return {
        "parent_caps": parent, "issuer_caps": body, "issuer": _clean(issuer_name).strip(),
        "number_placeholder": f"      /BC-{_abbreviation(body)}",
        "place": _clean(place), **_date_parts(data.report_date),
        "report_date": f"{data.report_date:%d/%m/%Y}", "doc_type": "BÁO CÁO", "summary": summary,
        "plan_id": data.plan_id, "plan_title": _clean(data.plan_title), "plan_number": _clean(data.plan_number),
        "plan_ref": _clean(data.plan_title) + (f" (số {_clean(data.plan_number)})" if data.plan_number else ""),
        "obligation_id": data.obligation_id, "obligation_title": _clean(data.obligation_title),
        "period_key": data.period_key, "period_label": _clean(data.period_label),
        "coordinator_name": _clean(data.coordinator_name),
        "expected": str(data.expected), "submitted": str(data.submitted), "on_time": str(data.on_time),
        "late": str(data.late), "missing": str(data.missing), "excused": str(data.excused),
        "reporting_rate": _rate(data.submitted, data.expected, data.reporting_rate),
        "timeliness_rate": _rate(data.on_time, data.expected, data.timeliness_rate),
        "agencies": agencies, "targets": targets,
        "listed_targets": [t for t in targets if t["method"] == "listed"],
        "narratives": [dict(a, index=str(i)) for i, a in enumerate(narratives, start=1)],
        "missing_agencies": [dict(a, index=str(i)) for i, a in
                             enumerate((a for a in agencies if a["status"] == "missing"), start=1)],
        "excused_names": ", ".join(a["name"] for a in agencies if a["status"] == "excused"),
        "recipients": recipients, "recipients_text": _join(recipients),
        "signer_authority": _clean(signer.authority) if signer.authority or signer.title else authority,
        "signer_title": _clean(signer.title) or title,
        "signer_name": _clean(signer.name) or "……………………………",
        "document_title": f"Báo cáo {summary[0].lower()}{summary[1:]}",
    }


# -- deterministic packages ---------------------------------------------------------------------------------------

def _stamp(data: ReportData) -> dt.datetime:
    return dt.datetime.combine(data.report_date, dt.time())


# -- .docx --------------------------------------------------------------------------------------------------------

def _docx(context: dict, template: Path, stamp: dt.datetime) -> bytes:
    from docxtpl import DocxTemplate  # imported here: docxtpl pulls python-docx and lxml in, only reports need them

    document = DocxTemplate(str(template))
    # Autoescape: agencies' narratives go into XML; StrictUndefined: a mistyped tag in an edited template fails loudly.
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    try:
        document.render(context, env, autoescape=True)
    except jinja2.TemplateError as error:
        raise TemplateError(f"{template}: {error}") from None
    buffer = io.BytesIO()
    document.save(buffer)
    return stable_package(buffer.getvalue(), title=context["document_title"], stamp=stamp)


def render_docx(data: ReportData, template: Path, *, place: str, issuer_name: str, signer: Signer | None = None,
                timezone: str = TIMEZONE) -> bytes:
    """The report .docx filled from the Word ``template`` (docxtpl), deterministic bytes."""
    context = report_context(data, place=place, issuer_name=issuer_name, signer=signer, timezone=timezone)
    return _docx(context, template, _stamp(data))


# -- .html --------------------------------------------------------------------------------------------------------

def render_html(env: jinja2.Environment, data: ReportData, *, place: str, issuer_name: str,
                signer: Signer | None = None, timezone: str = TIMEZONE) -> str:
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


# Named styles: assigning one is a name lookup, while assigning Font/Border objects cell by cell hashes them
# every time (seconds for a 700-agency annex); they also show in Excel's style gallery.
HEADING, SUBHEADING, CELL, TOTAL = "dondoc tiêu đề", "dondoc mục tiêu", "dondoc ô", "dondoc tổng hợp"


def _named_styles(book: Workbook) -> None:
    side = Side(style="thin")
    border = Border(left=side, right=side, top=side, bottom=side)
    for name, bold, fill, alignment in (
            (HEADING, True, "DDDDDD", Alignment(wrap_text=True, vertical="center", horizontal="center")),
            (SUBHEADING, False, "DDDDDD", Alignment(wrap_text=True, vertical="center", horizontal="center")),
            (CELL, False, None, Alignment(wrap_text=True, vertical="top")),
            (TOTAL, True, "F2F2F2", Alignment(wrap_text=True, vertical="top"))):
        style = NamedStyle(name=name, font=Font(name="Times New Roman", bold=bold, size=12), border=border,
                           alignment=alignment)
        if fill:
            style.fill = PatternFill("solid", fgColor=fill)
        book.add_named_style(style)


def _put(sheet, row: int, column: int, value, style: str):
    cell = sheet.cell(row, column, value)
    cell.style = style
    if isinstance(value, float):
        cell.number_format = "#,##0" if value.is_integer() else "#,##0.00"
    return cell


def _title(sheet, lines: list[tuple[str, dict]]) -> None:
    for row, (text, font) in enumerate(lines, start=1):
        sheet.cell(row, 1, text).font = Font(name="Times New Roman", **font)


def _data_sheet(sheet, data: ReportData, context: dict, values: Mapping[str, Mapping]) -> None:
    _title(sheet, [
        (f"PHỤ LỤC: SỐ LIỆU CÁC CHỈ TIÊU THEO CƠ QUAN, ĐƠN VỊ — {context['period_label'].upper()}",
         {"bold": True, "size": 14}),
        (f"(Kèm theo báo cáo của {context['issuer']} ngày {context['report_date']}: {context['summary']})",
         {"italic": True, "size": 12}),
        (("Ô trống: cơ quan chưa gửi báo cáo hoặc không có số liệu chỉ tiêu đó. Khi cơ quan chỉ gửi tử số, mẫu số, "
          "tỷ lệ được tính từ tử số, mẫu số."), {"italic": True, "size": 11})])
    header = ["STT", "Cơ quan, đơn vị", "Tình trạng"] + [
        f"{t['code']}. {t['text']}" + (f" ({SUFFIX[t['unit']]})" if t["unit"] in SUFFIX else "")
        for t in context["targets"]]
    for column, text in enumerate(header, start=1):
        _put(sheet, 5, column, text, HEADING)
    for column, text in enumerate(["", "Mục tiêu", ""] + [f"Mục tiêu: {t['goal']}" for t in context["targets"]],
                                  start=1):
        _put(sheet, 6, column, text or None, SUBHEADING)
    row = 7
    for index, (line, agency) in enumerate(zip(data.agencies, context["agencies"], strict=True), start=1):
        given = values.get(line.agency_id, {}) if line.status in ("on-time", "late") else {}
        cells = [index, agency["name"], agency["status_text"]] + [
            _cell_value(given.get(t.target_id) or {}, t.unit) for t in data.targets]
        for column, value in enumerate(cells, start=1):
            _put(sheet, row, column, value, CELL)
        row += 1
    for label, figures in (
            ("Tổng hợp", [t.value if t.method not in ("listed", "none") else None for t in data.targets]),
            ("Cách tính", [t["method_text"] for t in context["targets"]]),
            ("Đánh giá", [t["met_text"] for t in context["targets"]]),
            ("Số cơ quan có số liệu / còn thiếu", [t["coverage"] for t in context["targets"]])):
        for column, value in enumerate([None, label, None, *figures], start=1):
            _put(sheet, row, column, value, TOTAL)
        row += 1
    for column, width in enumerate([6, 40, 14] + [22] * len(data.targets), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "D7"


def _status_sheet(sheet, context: dict) -> None:
    _title(sheet, [(f"TÌNH HÌNH GỬI BÁO CÁO — {context['period_label'].upper()}", {"bold": True, "size": 14}),
                   (f"Tỷ lệ báo cáo: {context['reporting_rate']}", {"size": 12}),
                   (f"Tỷ lệ báo cáo đúng hạn: {context['timeliness_rate']}", {"size": 12})])
    header = ("STT", "Cơ quan, đơn vị", "Tình trạng", "Thời điểm gửi", "Lần gửi", "Số lần đã nhắc", "Tệp gửi kèm")
    for column, text in enumerate(header, start=1):
        _put(sheet, 5, column, text, HEADING)
    for row, agency in enumerate(context["agencies"], start=6):
        cells = (int(agency["index"]), agency["name"], agency["status_text"], agency["submitted"] or None,
                 int(agency["version"]) if agency["version"] else None, int(agency["reminders"]),
                 agency["files"] or None)
        for column, value in enumerate(cells, start=1):
            _put(sheet, row, column, value, CELL)
    for column, width in zip("ABCDEFG", (6, 40, 14, 18, 9, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "C6"


def _xlsx(data: ReportData, context: dict, values: Mapping[str, Mapping] | None) -> bytes:
    book = Workbook()
    _named_styles(book)
    _data_sheet(book.active, data, context, values or {})
    book.active.title = DATA_SHEET
    _status_sheet(book.create_sheet(STATUS_SHEET), context)
    buffer = io.BytesIO()
    book.save(buffer)
    return stable_package(buffer.getvalue(), title=f"Phụ lục: {context['document_title']}", stamp=_stamp(data))


def render_xlsx(data: ReportData, *, values: Mapping[str, Mapping] | None = None, timezone: str = TIMEZONE,
                place: str = "", issuer_name: str = "") -> bytes:
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


def write_report(data: ReportData, out_dir: Path, *, template: Path, env: jinja2.Environment, place: str,
                 issuer_name: str, signer: Signer | None = None, values: Mapping[str, Mapping] | None = None,
                 timezone: str = TIMEZONE) -> dict[str, Path]:
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

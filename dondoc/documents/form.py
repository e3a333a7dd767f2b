"""The reporting form: an .xlsx an agency fills in and sends back.

One row per target the agency reports on; labels are locked, the input
columns are not; a hidden sheet names the deadline so a returned form can be
matched even when it arrives detached from its mail. The bytes are
deterministic for the same inputs (fixed document properties).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from dondoc.documents.ooxml import stable_package
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["FormRow", "FORM_SHEET", "read_form", "write_form"]

FORM_SHEET = "Bao cao"
ID_SHEET = "_dondoc"
HEADINGS = ("STT", "Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Vai trò",
            "Số liệu kỳ báo cáo", "Tử số", "Mẫu số", "Ghi chú")
FIRST_ROW = 8
INPUT_COLUMNS = (7, 8, 9, 10)
UNITS = {"percent": "%", "count": "số lượng", "per-1000": "‰", "per-100000": "/100.000", "level": "mức",
         "text": "văn bản"}
ROLES = {"lead": "Chủ trì", "partner": "Phối hợp", "all": ""}


@dataclass(frozen=True)
class FormRow:
    target_id: str
    text: str
    unit: str
    goal: str
    role: str


def _thin() -> Border:
    side = Side(style="thin")
    return Border(left=side, right=side, top=side, bottom=side)


@lru_cache(maxsize=4096)
def write_form(
    *, deadline_id: int, token: str, plan_title: str, obligation_title: str, agency_name: str, period_label: str,
    last_day: dt.date, rows: tuple[FormRow, ...],
) -> bytes:
    """The .xlsx bytes of the form (cached: every stage of a deadline attaches the same form)."""
    book = Workbook()
    sheet: Worksheet = book.active
    sheet.title = FORM_SHEET
    bold = Font(name="Times New Roman", bold=True, size=12)
    plain = Font(name="Times New Roman", size=12)
    sheet["A1"] = "BIỂU MẪU BÁO CÁO"
    sheet["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    for row, (label, value) in enumerate(
        [("Kế hoạch", plan_title), ("Báo cáo", f"{obligation_title} {period_label}"),
         ("Cơ quan báo cáo", agency_name), ("Hạn cuối", f"{last_day:%d/%m/%Y}"),
         ("Mã hồ sơ", f"DD-{deadline_id}")], start=2):
        sheet.cell(row, 1, label).font = bold
        sheet.cell(row, 3, value).font = plain
    for column, heading in enumerate(HEADINGS, start=1):
        cell = sheet.cell(FIRST_ROW - 1, column, heading)
        cell.font = bold
        cell.border = _thin()
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for index, item in enumerate(rows):
        row = FIRST_ROW + index
        values = (index + 1, item.target_id, item.text, UNITS.get(item.unit, item.unit), item.goal,
                  ROLES.get(item.role, item.role))
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            cell.font = plain
            cell.border = _thin()
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for column in INPUT_COLUMNS:
            cell = sheet.cell(row, column)
            cell.border = _thin()
            cell.protection = Protection(locked=False)
            cell.fill = PatternFill("solid", fgColor="FFF7D6")
    notes = FIRST_ROW + len(rows) + 1
    sheet.cell(notes, 1, "Tóm tắt kết quả thực hiện (nếu không gửi văn bản riêng):").font = bold
    sheet.cell(notes + 1, 1).protection = Protection(locked=False)
    sheet.merge_cells(start_row=notes + 1, start_column=1, end_row=notes + 6, end_column=10)
    for column, width in zip("ABCDEFGHIJ", (6, 10, 60, 12, 12, 10, 16, 10, 10, 24)):
        sheet.column_dimensions[column].width = width
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    hidden = book.create_sheet(ID_SHEET)
    hidden["A1"], hidden["B1"] = "deadline_id", deadline_id
    hidden["A2"], hidden["B2"] = "token", token
    hidden.sheet_state = "veryHidden"
    stamp = dt.datetime.combine(last_day, dt.time())
    book.properties.created = stamp
    book.properties.modified = stamp
    book.properties.creator = "dondoc"
    buffer = io.BytesIO()
    book.save(buffer)
    # openpyxl stamps the current time into the package: fix it, so the bytes depend on the inputs only
    return stable_package(buffer.getvalue(), title=f"DD-{deadline_id}", stamp=stamp)


def _plain(value):
    """A cell value as read: integral floats as int, empty strings as None."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None if value == "" else value


def read_form(content: bytes) -> dict:
    """What a returned form says: ``deadline_id``, ``token`` and ``{target id: {value, numerator, …}}``.

    Read with calamine (about 1 ms, against about 17 ms for openpyxl): intake
    reads a form in every reply.
    """
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    result: dict = {"deadline_id": None, "token": None, "values": {}, "summary": None}
    if ID_SHEET in book.sheet_names:
        cells = {row[0]: row[1] for row in book.get_sheet_by_name(ID_SHEET).to_python() if len(row) >= 2}
        result["deadline_id"], result["token"] = _plain(cells.get("deadline_id")), _plain(cells.get("token"))
    if FORM_SHEET not in book.sheet_names:
        return result
    rows = book.get_sheet_by_name(FORM_SHEET).to_python()
    index = FIRST_ROW - 1
    while index < len(rows) and len(rows[index]) > 1 and rows[index][1] not in (None, ""):
        row = list(rows[index]) + [""] * 10
        value, numerator, denominator, note = (_plain(row[c - 1]) for c in INPUT_COLUMNS)
        result["values"][str(_plain(row[1]))] = {
            "value": value, "numerator": numerator, "denominator": denominator, "note": note}
        index += 1
    summary_row = index + 2
    if summary_row < len(rows) and rows[summary_row]:
        result["summary"] = _plain(rows[summary_row][0])
    return result

"""Reporting regimes written as a table, one row per report ("bảng chế độ báo cáo").

A plan's table reaches the importer in one of two shapes: a row per line with its cells joined by " | " (how
:mod:`.text` reads a .docx table, or a markdown table), or a cell per line (how web copies and converted PDFs
give it; :func:`~dondoc.importer.text.clean` then joins each row's number to the cell before it). The table
is found by its header: short cells that name the columns of a regime, at least one party column ("Cơ quan thực
hiện", "Đơn vị nhận báo cáo") and one time column ("Kỳ báo cáo", "Tần suất", "Thời hạn gửi")::

    STT | Tên báo cáo | Cơ quan thực hiện | Cơ quan nhận | Kỳ báo cáo | Thời hạn gửi
    1 | Báo cáo tình hình … | Các sở, ban, ngành | Sở Tài chính | Hằng quý | Trước ngày 15 của tháng cuối quý

Each row is read as the sentence it stands for ("Các sở, ban, ngành báo cáo Sở Tài chính hằng quý, trước ngày 15
của tháng cuối quý"), with the clause reader's own rules for parties, periods and dates; a data cut-off column is
never read. Every item says in a review note that it was read from a table row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Level

__all__ = ["Table", "find_tables", "table_items"]

_COLUMNS = [
    ("no", re.compile(r"(?i)^(?:stt|tt|số\s+tt|số\s+thứ\s+tự)$")),
    ("cutoff", re.compile(r"(?i)\bchốt\s+số\s+liệu\b")),
    ("recipient", re.compile(r"(?i)^(?:cơ\s+quan|đơn\s+vị|nơi)(?:,\s*đơn\s+vị)?\s+(?:nhận|tiếp\s+nhận|tổng\s+hợp)\b")),
    (
        "reporter",
        re.compile(
            r"(?i)^(?:cơ\s+quan|đơn\s+vị|đối\s+tượng)(?:,\s*(?:đơn\s+vị|địa\s+phương))?"
            r"(?:\s+(?:chủ\s+trì|thực\s+hiện|báo\s+cáo|gửi|lập))+\b|^(?:chủ\s+trì|đơn\s+vị\s+chủ\s+trì)$"
        ),
    ),
    (
        "period",
        re.compile(r"(?i)^(?:kỳ\s+báo\s+cáo|tần\s+suất(?:\s+báo\s+cáo)?|định\s+kỳ(?:\s+báo\s+cáo)?|thời\s+kỳ)\b"),
    ),
    (
        "deadline",
        re.compile(r"(?i)^(?:thời\s+hạn|hạn\s+(?:gửi|nộp)|thời\s+gian\s+(?:gửi|nộp|báo\s+cáo|hoàn\s+thành))\b"),
    ),
    ("name", re.compile(r"(?i)^(?:tên|nội\s+dung|loại)\s+(?:báo\s+cáo|văn\s+bản|chế\s+độ)\b")),
]
_CELL_MAX = 60  # a header cell is a short label
# the other columns a regime table has, read past
_OTHER = re.compile(
    r"(?i)^(?:ghi\s+chú|mẫu\s+biểu|biểu\s+mẫu|mẫu\s+báo\s+cáo|hình\s+thức(?:\s+\w+){0,2}|phương\s+thức(?:\s+\w+){0,2}"
    r"|căn\s+cứ(?:\s+\w+){0,3}|cơ\s+quan\s+phối\s+hợp|đơn\s+vị\s+phối\s+hợp|phối\s+hợp|số\s+liệu|phạm\s+vi(?:\s+\w+){0,2})$"
)
_ROW_NUMBER = re.compile(r"\s+(\d{1,3})$")
_STOP = re.compile(r"^(?:[IVXLC]+\.\s|Điều\s+\d|Nơi\s+nhận\b|TM\.\s|KT\.\s|PHỤ\s+LỤC\b)")


def _column(cell: str) -> str | None:
    cell = cell.strip(" :*")
    if not cell or len(cell) > _CELL_MAX:
        return None
    return next((kind for kind, pattern in _COLUMNS if pattern.search(cell)), "other" if _OTHER.search(cell) else None)


@dataclass(slots=True)
class Table:
    """A regime table: its columns, its rows (cells in column order) and the lines it spans."""

    columns: list[str]
    rows: list[tuple[int, list[str]]]  # the line a row starts on, its cells
    first_line: int
    last_line: int

    def covers(self, line: int) -> bool:
        return self.first_line <= line <= self.last_line


def _is_header(kinds: Sequence[str | None]) -> bool:
    return (
        None not in kinds
        and len(kinds) >= 3
        and ("reporter" in kinds or "recipient" in kinds)
        and ("period" in kinds or "deadline" in kinds)
        and sum(kind != "other" for kind in kinds) >= 3
    )


def _piped_tables(lines: list[str]) -> list[Table]:
    tables: list[Table] = []
    number = 0
    while number < len(lines):
        cells = [c.strip() for c in lines[number].strip().strip("|").split("|")]
        kinds = [_column(c) for c in cells] if len(cells) >= 3 else []
        if not kinds or not _is_header(kinds):
            number += 1
            continue
        table = Table([k or "other" for k in kinds], [], number, number)
        number += 1
        while number < len(lines) and "|" in lines[number]:
            row = [c.strip() for c in lines[number].strip().strip("|").split("|")]
            if set("".join(row)) <= set("-: "):
                number += 1  # a markdown rule row
                continue
            if len(row) <= len(kinds):
                table.rows.append((number, row + [""] * (len(kinds) - len(row))))  # empty last cells
            table.last_line = number
            number += 1
        tables.append(table)
    return tables


def _cell_tables(lines: list[str]) -> list[Table]:
    tables: list[Table] = []
    number = 0
    while number < len(lines):
        header: list[str] = []
        kinds: list[str] = []
        start = number
        while number < len(lines):
            cell = lines[number].strip()
            tail = _ROW_NUMBER.search(cell) if header else None
            label = cell[: tail.start()] if tail and tail.group(1) == "1" else cell
            kind = _column(label)
            if kind is None:
                break
            header.append(label)
            kinds.append(kind)
            number += 1
            if label != cell:
                break  # "Thời hạn gửi 1": the first row's number is joined to the header's last cell
        if not _is_header(kinds):
            number = start + 1
            continue
        numbered = kinds[0] == "no"
        width = len(kinds) - (1 if numbered else 0)
        columns = kinds[1:] if numbered else kinds
        table = Table(columns, [], start, number - 1)
        expected = 2
        while number + width <= len(lines):
            row = [line.strip() for line in lines[number : number + width]]
            if any(not cell or _STOP.match(cell) for cell in row):
                break
            if numbered and not row[0][:1].isupper() and not row[0][:1].isdigit():
                break
            joined = _ROW_NUMBER.search(row[-1])
            if numbered and joined and int(joined.group(1)) == expected:
                row[-1] = row[-1][: joined.start()]
            table.rows.append((number, row))
            table.last_line = number + width - 1
            number += width
            expected += 1
            if numbered and not joined:
                break  # no next row's number: the table ends here
        if table.rows:
            tables.append(table)
        else:
            number = start + 1
    return tables


def find_tables(text: str) -> list[Table]:
    """The regime tables of ``text`` (cleaned), in order."""
    lines = text.split("\n")
    tables = _piped_tables(lines) + _cell_tables(lines)
    tables.sort(key=lambda t: t.first_line)
    out: list[Table] = []
    for table in tables:
        if not any(t.first_line <= table.first_line <= t.last_line for t in out):
            out.append(table)
    return out


def _sentence_of(columns: list[str], row: list[str]) -> str | None:
    """The sentence a row stands for, in the grammar the clause reader knows."""
    cell = {kind: value for kind, value in zip(columns, row, strict=False) if kind != "other"}
    reporter = cell.get("reporter", "").replace(";", ",").rstrip(" .,")
    recipient = cell.get("recipient", "").replace(";", ",").rstrip(" .,")
    if not reporter and not recipient:
        return None
    period = cell.get("period", "").rstrip(" .")
    deadline = cell.get("deadline", "").rstrip(" .")
    deadline = deadline[:1].lower() + deadline[1:]
    name = cell.get("name", "").rstrip(" .")
    if not period and name:
        period = name  # "Báo cáo 6 tháng": the report's name says its period
    period = period[:1].lower() + period[1:]
    parts = [reporter or "", "báo cáo", recipient or ""]
    when = ", ".join(p for p in (period, deadline) if p)
    return " ".join(p for p in parts if p) + (f" {when}" if when else "") + "."


def table_items(text: str, level: Level, modern: bool) -> list[tuple[Table, list]]:
    """The items of each regime table of ``text``."""
    from .clauses import Sentence, _items_of

    out = []
    for table in find_tables(text):
        found: list = []
        for line, row in table.rows:
            sentence = _sentence_of(table.columns, row)
            if sentence is None:
                continue
            items, _named, _clause = _items_of(Sentence(sentence, None, None, line, line=line), level, modern, [], [])
            for item in items:
                item.quote = " | ".join(row)
                item.review.append("read from a row of a reporting table: check the row")
                item.confidence = round(max(item.confidence - 0.1, 0.1), 2)
            found.extend(items)
        out.append((table, found))
    return out

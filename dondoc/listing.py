"""Rows as people and machines read them: one table in one language, JSON, CSV.

A listing is a list of rows holding machine values — ids, ``datetime``
and ``date`` objects, lists, booleans, numbers — and a list of
:class:`Column` saying how a person reads each one. The table shows every
value in words (:mod:`dondoc.vocabulary`): states and kinds translated,
times ``dd/mm/yyyy HH:MM`` in Asia/Ho_Chi_Minh, rates ``72,7%``. JSON keeps
the values (ISO times in UTC, lists as lists); CSV is real CSV (the ``csv``
module) with lists joined by "; ", and a cell that a spreadsheet would read
as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) made
inert with a leading apostrophe.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass

from dondoc.vocabulary import iso_time, label, local_time, percent, stage_label

__all__ = ["Column", "cell", "to_csv", "to_json"]

FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """One column: the row's ``key``, its heading in Vietnamese and English, and how to show a value.

    ``kind``: ``time``, ``date``, ``percent``, ``list``, ``stage``, ``state`` or a kind of
    :data:`dondoc.vocabulary.KINDS` (``deadline``, ``outbox``, ``inbound``, …); None shows the value as it is.
    """

    key: str
    vi: str
    en: str = ""
    kind: str | None = None

    def heading(self, lang: str) -> str:
        return self.en if lang == "en" and self.en else self.vi


def cell(value: object, kind: str | None, lang: str = "vi", timezone: str = "Asia/Ho_Chi_Minh") -> str:
    """``value`` as a table shows it."""
    if value is None or value == "":
        return ""
    if kind == "time" and isinstance(value, dt.datetime):
        return local_time(value, timezone)
    if kind == "date" and isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if kind == "percent" and isinstance(value, (int, float)):
        return percent(float(value))
    if kind == "stage":
        return stage_label(str(value), lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(cell(v, kind if kind != "list" else None, lang, timezone) for v in value)
    if kind is not None and kind not in ("time", "date", "percent", "list"):
        return label(kind, value, lang)
    if isinstance(value, bool):
        return label("yes", value, lang)
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _machine(value: object) -> object:
    if isinstance(value, dt.datetime):
        return iso_time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_machine(v) for v in value]
    if isinstance(value, dict):
        return {k: _machine(v) for k, v in value.items()}
    return value


def to_json(rows: list[dict] | dict) -> str:
    """The rows as JSON: ISO times, lists as lists, Unicode as it is."""
    return json.dumps(_machine(rows), ensure_ascii=False, indent=2, default=str) + "\n"


def _inert(text: str) -> str:
    return "'" + text if text.startswith(FORMULA) else text


def _csv_value(value: object) -> str:
    value = _machine(value)
    if value is None:
        return ""
    if isinstance(value, list):
        return _inert("; ".join("" if v is None else str(v) for v in value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return _inert(json.dumps(value, ensure_ascii=False))
    text = str(value)
    return text if isinstance(value, (int, float)) else _inert(text)


def to_csv(rows: list[dict], keys: list[str] | None = None) -> str:
    """The rows as CSV (header first): every key of the rows, or ``keys``; lists joined by "; "; formulas inert."""
    if keys is None:
        keys = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_csv_value(row.get(k)) for k in keys])
    return buffer.getvalue()

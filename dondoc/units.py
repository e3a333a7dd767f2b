"""The official list of administrative units, from the ``vietnamadminunits`` package (MIT), offline.

Since 1/7/2025 Vietnam has 34 provinces and centrally-run cities and 3,321
communes, wards and special zones (Resolution 202/2025/QH15). The list
changes (again in 2026), so dondoc never types it: it reads the SQLite
dataset that ships inside ``vietnamadminunits`` (table ``admin_units``),
read-only. The package itself is never imported: its top level loads a
geocoder (geopy) that may go to the network; the data file is all dondoc
needs.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.util
import json
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dondoc.errors import NotFound, UsageError
from dondoc.folding import fold

__all__ = ["DATA_DATE", "Province", "Unit", "data_note", "find_province", "provinces"]

PACKAGE = "vietnamadminunits"
DATA_DATE = "01/07/2025"  # the units the package's admin_units table lists are those in force from this date


@dataclass(frozen=True, slots=True)
class Unit:
    """A commune (xã), ward (phường) or special zone (đặc khu): "Phường Vỹ Dạ", code 19777."""

    code: str
    name: str
    short: str
    kind: str  # Xã, Phường, Đặc khu


@dataclass(frozen=True, slots=True)
class Province:
    """A province or centrally-run city with its units, in code order."""

    code: str
    name: str
    short: str
    units: tuple[Unit, ...]


def _dataset() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            f"the package '{PACKAGE}' is not installed: pip install 'dondoc[units]' (or pip install {PACKAGE})"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    if not path.is_file():
        raise UsageError(f"{path}: the units' dataset of '{PACKAGE}' is missing")
    return path


def version() -> str:
    """The installed version of the package."""
    return importlib.metadata.version(PACKAGE)


@cache
def provinces() -> tuple[Province, ...]:
    """Every province with its units, from the package's dataset (read-only, offline)."""
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT DISTINCT provinceCode, province, provinceShort, wardCode, ward, wardShort, wardType "
            "FROM admin_units ORDER BY provinceCode, wardCode"
        ).fetchall()
    by_code: dict[str, tuple[str, str, list[Unit]]] = {}
    for code, name, short, unit_code, unit_name, unit_short, kind in rows:
        entry = by_code.setdefault(code, (_nfc(name), _nfc(short), []))
        entry[2].append(Unit(unit_code, _nfc(unit_name), _nfc(unit_short), _nfc(kind)))
    return tuple(Province(code, name, short, tuple(units)) for code, (name, short, units) in by_code.items())


def data_note() -> str:
    """What the data is and of when, for the output and the README."""
    found = provinces()
    units = sum(len(p.units) for p in found)
    return (
        f"Danh mục đơn vị hành chính: gói {PACKAGE} {version()}, {len(found)} tỉnh, thành phố và {units:_} "
        f"xã, phường, đặc khu, hiệu lực từ {DATA_DATE} (units in force from {DATA_DATE})"
    ).replace("_", ".")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").strip()


def _fold(text: str) -> str:
    """Lower case without accents or the kind: "Tỉnh Đồng Nai" → "dong nai"."""
    text = fold(_nfc(text))
    for prefix in ("thanh pho ", "tinh ", "tp. ", "tp "):
        text = text.removeprefix(prefix)
    return " ".join(text.replace("-", " ").split())


def find_province(query: str) -> Province:
    """The province named or numbered by ``query`` ("Huế", "Thành phố Huế", "hue", "46");
    ``NotFound`` with the closest names in one line otherwise."""
    found = provinces()
    wanted = _fold(query)
    for province in found:
        if query.strip() in (province.code, province.code.lstrip("0")) or wanted in (
            _fold(province.name),
            _fold(province.short),
        ):
            return province
    merged = _merged_into(wanted)
    if merged is not None:
        raise NotFound(
            f"'{query}' không còn là đơn vị cấp tỉnh từ {DATA_DATE}: nay thuộc {merged.name} "
            f'(dùng --province "{merged.short}"; merged into {merged.short})'
        )
    names = {_fold(p.short): p.short for p in found}
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.5)
    hint = f"; gần nhất / closest: {', '.join(names[c] for c in close)}" if close else ""
    raise NotFound(f"không có tỉnh, thành phố '{query}' trong danh mục từ {DATA_DATE} (no such province){hint}")


# Renamed before the package's legacy list was drawn up: Thừa Thiên Huế is Thành phố Huế from 1/1/2025.
_RENAMED = {"thuathienhue": "thanhphohue"}


@cache
def _legacy() -> dict[str, str]:
    """Old province key ("binhphuoc") → the code of the province it is part of since 1/7/2025."""
    with sqlite3.connect(f"file:{_dataset()}?mode=ro", uri=True) as connection:
        codes = dict(connection.execute("SELECT DISTINCT provinceKey, provinceCode FROM admin_units").fetchall())
    table = json.loads((_dataset().parent / "converter_2025.json").read_text(encoding="utf-8"))["DICT_PROVINCE"]
    result = {}
    for new, olds in table.items():
        for old in olds:
            for prefix in ("thanhpho", "tinh"):
                old = old.removeprefix(prefix)
            if new in codes:
                result[old] = codes[new]
    for old, new in _RENAMED.items():
        result.setdefault(old, codes.get(new, ""))
    return result


def _merged_into(wanted: str) -> Province | None:
    code = _legacy().get(wanted.replace(" ", ""))
    return next((p for p in provinces() if p.code == code), None)

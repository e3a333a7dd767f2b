"""Contacts from the office's spreadsheet (``agencies import``) and the sheet to fill in (``agencies export``).

Every office keeps its contact list in Excel: a row per person, with columns
like *Cơ quan / Đơn vị, Họ và tên, Chức vụ, Vai trò, Email, Điện thoại*
(headers with or without diacritics). Reading it:

- the first visible sheet is read (others are named in a warning); hidden
  rows are skipped (warned); a merged "Cơ quan" cell counts for every row it
  spans; a formula counts by its saved value (none saved: a bad row);
- agency names are matched to the area's agencies by :func:`loose` keys
  (diacritics, old tone placement, UBND, Sở LĐ-TB&XH, "P." for phường), or by
  the "Mã cơ quan" column that ``export`` writes;
- a cell may hold several addresses ("a@x.vn; b@x.vn"): each is a contact;
- bad rows (invalid address, unknown or ambiguous agency, duplicate) are
  listed by row number; a personal webmail address for an office is a
  warning. Nothing is written while a row is bad, unless ``skip_bad``.

The changes are merged into the agencies file in place (ruamel round trip,
comments kept): a new address is added, a known one updated where the sheet
says something different; contacts the sheet does not mention stay.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dondoc.agency_files import area_file, load_area_file, save_area_file
from dondoc.errors import UsageError
from dondoc.folding import fold
from dondoc.importer.agencies import loose
from dondoc.model import Area, Role

__all__ = ["COLUMNS", "ContactChange", "ImportPlan", "apply_import", "export_sheet", "plan_import", "read_sheet"]

MAX_ROWS = 20_000
COLUMNS = ("Mã cơ quan", "Cơ quan / Đơn vị", "Họ và tên", "Chức vụ", "Vai trò", "Email", "Điện thoại")
_HEADERS = {
    "id": ("ma co quan", "ma don vi", "id"),
    "agency": ("co quan don vi", "co quan", "don vi", "ten co quan", "ten don vi", "co quan/don vi", "agency"),
    "name": ("ho va ten", "ho ten", "ten", "nguoi lien he", "name"),
    "title": ("chuc vu", "chuc danh", "title"),
    "role": ("vai tro", "role"),
    "email": ("email", "e mail", "thu dien tu", "dia chi email", "dia chi thu dien tu", "hop thu"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "dt", "phone"),
}
_ROLES = {
    Role.REPORTER: ("bao cao", "dau moi", "chuyen vien", "reporter", "van thu", "nhan bao cao"),
    Role.HEAD: ("thu truong", "lanh dao", "head", "giam doc", "chu tich", "truong"),
    Role.LEADER: ("phu trach", "leader", "pho giam doc phu trach", "lanh dao phu trach"),
}
_ROLE_WORDS = {Role.REPORTER: "báo cáo", Role.HEAD: "thủ trưởng", Role.LEADER: "lãnh đạo phụ trách"}
_ADDRESS = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
WEBMAIL = (
    "gmail.com",
    "yahoo.com",
    "yahoo.com.vn",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "ymail.com",
    "googlemail.com",
    "mail.ru",
    "proton.me",
    "protonmail.com",
)


def _fold(text: str) -> str:
    text = fold(unicodedata.normalize("NFC", str(text)))
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", text).split()).replace(" / ", "/").replace("/", " ").strip()


def _nfc(value) -> str:
    return "" if value is None else unicodedata.normalize("NFC", str(value)).strip()


@dataclass(frozen=True)
class SheetRow:
    """One row of the sheet, by its number as the spreadsheet shows it."""

    number: int
    values: dict[str, str]


@dataclass
class Sheet:
    """The rows of the sheet and what was left out of it."""

    rows: list[SheetRow]
    warnings: list[str] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)


def _columns(header: list) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _fold(_nfc(cell))
        for column, names in _HEADERS.items():
            if column not in found and key in {_fold(n) for n in names}:
                found[column] = index
    return found


def _table(raw: list[tuple[int, list]], warnings: list[str]) -> Sheet:
    """Rows (number, cells) → a sheet: the header is the first row with an agency and an email column."""
    for position, (_, cells) in enumerate(raw[:15]):  # noqa: B007 — `position` is read after the break
        columns = _columns(cells)
        if "email" in columns and ("agency" in columns or "id" in columns):
            break
    else:
        raise UsageError("no header row with the columns 'Cơ quan / Đơn vị' and 'Email' in the first 15 rows")
    rows = []
    for number, cells in raw[position + 1 :]:
        values = {column: _nfc(cells[index]) if index < len(cells) else "" for column, index in columns.items()}
        if any(values.values()):
            rows.append(SheetRow(number, values))
    if len(rows) > MAX_ROWS:
        raise UsageError(f"{len(rows):,} rows: more than the {MAX_ROWS:,} a contact sheet may have")
    return Sheet(rows, warnings)


def read_sheet(path: Path) -> Sheet:
    """The contact rows of ``path`` (.xlsx or .csv); ``UsageError`` for a file that is not one."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    if suffix == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise UsageError(f"{path}: not UTF-8 text (save the sheet as 'CSV UTF-8')") from None
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        raw = [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1)]
        return _table(raw, [])
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise UsageError(f"{path}: a contact sheet is .xlsx or .csv")


def _read_xlsx(path: Path) -> Sheet:
    import zipfile

    from openpyxl import load_workbook

    try:
        values = load_workbook(path, data_only=True)
        formulas = load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise UsageError(f"{path}: not a readable .xlsx file ({error})") from None
    visible = [ws for ws in values.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise UsageError(f"{path}: no visible sheet")
    sheet = visible[0]
    warnings = []
    others = [ws.title for ws in values.worksheets if ws is not sheet]
    if others:
        warnings.append(f"chỉ đọc trang '{sheet.title}'; bỏ qua (ignored sheets): {', '.join(others)}")
    # a merged cell's value belongs to every cell of its range ("Cơ quan" merged over its people)
    filled: dict[tuple[int, int], object] = {}
    for merged in sheet.merged_cells.ranges:
        top_left = sheet.cell(merged.min_row, merged.min_col).value
        for row_number in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                filled[(row_number, column)] = top_left
    source = formulas[sheet.title]
    hidden: list[int] = []
    raw: list[tuple[int, list[Any]]] = []
    unsaved: list[int] = []
    # iter_rows() starts at row 1, column 1 (openpyxl): the positions are the cells' coordinates
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if not row:
            continue
        if sheet.row_dimensions[number].hidden:
            hidden.append(number)
            continue
        cells = []
        for column, cell in enumerate(row, start=1):
            value = filled.get((number, column), cell.value)
            formula = source.cell(number, column).value
            if value is None and isinstance(formula, str) and formula.startswith("="):
                unsaved.append(number)
            cells.append(value)
        raw.append((number, cells))
    if hidden:
        warnings.append(f"bỏ qua {len(hidden)} dòng ẩn (hidden rows skipped): {_numbers(hidden)}")
    result = _table(raw, warnings)
    result.bad.extend(
        (n, "công thức chưa có giá trị đã lưu (a formula without a saved value: open and save the file in Excel)")
        for n in sorted(set(unsaved))
        if n > 1
    )
    return result


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:20]))
    return shown + (f" … (+{len(numbers) - 20})" if len(numbers) > 20 else "")


@dataclass(frozen=True)
class ContactChange:
    """A contact to add to an agency, or the fields to change in one it has."""

    row: int
    agency_id: str
    address: str
    fields: dict[str, str]
    new: bool


@dataclass(frozen=True)
class NewAgency:
    """An agency the sheet names that the area does not have yet (``--add-missing``)."""

    row: int
    id: str
    name: str
    level: str


@dataclass
class ImportPlan:
    """What importing the sheet would do: changes, bad rows, warnings."""

    area: str
    changes: list[ContactChange] = field(default_factory=list)
    new_agencies: list[NewAgency] = field(default_factory=list)
    unchanged: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def preview(self, names: dict[str, str]) -> list[str]:
        """The lines a coordinator reads before anything is written."""
        lines = [f"+ dòng {a.row}: cơ quan mới (new agency) {a.id} — {a.name}" for a in self.new_agencies]
        for change in self.changes:
            what = ", ".join(f"{k}: {v}" for k, v in change.fields.items() if k != "address")
            sign = "+" if change.new else "~"
            lines.append(
                f"{sign} dòng {change.row}: {names.get(change.agency_id, change.agency_id)} — "
                f"{change.address}{f' ({what})' if what else ''}"
            )
        lines.append(
            (f"{len(self.new_agencies)} cơ quan mới (new agencies), " if self.new_agencies else "")
            + f"{sum(c.new for c in self.changes)} liên hệ mới (new), "
            f"{sum(not c.new for c in self.changes)} sửa (changed), {self.unchanged} không đổi (unchanged)"
        )
        return lines


def _role(text: str, title: str) -> Role | None:
    key = _fold(text)
    for role in (Role.LEADER, Role.HEAD, Role.REPORTER):
        if key and any(key == _fold(w) or key.startswith(_fold(w)) for w in _ROLES[role]):
            return role
    if key in {r.value for r in Role}:
        return Role(key)
    if not key:
        head = re.search(r"^(giam doc|chu tich|truong phong|truong ban|thu truong|chanh van phong)\b", _fold(title))
        return Role.HEAD if head else Role.REPORTER
    return None


def _index(area: Area) -> tuple[dict[str, str], dict[str, set[str]], dict[str, set[str]]]:
    ids = {a.id: a.id for a in area.agencies}
    exact: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    from dondoc.importer.agencies import canonical

    for agency in area.agencies:
        for name in filter(None, (agency.name, agency.short, *(r.name for r in agency.renamed))):
            exact.setdefault(canonical(name), set()).add(agency.id)
            folded.setdefault(loose(name), set()).add(agency.id)
            if loose(name).startswith("ubnd "):  # "Phường Vỹ Dạ" for "UBND phường Vỹ Dạ"
                folded.setdefault(loose(name).removeprefix("ubnd "), set()).add(agency.id)
    return ids, exact, folded


def _match(values: dict[str, str], area: Area, index) -> tuple[str | None, str | None]:
    """(agency id, None) or (None, why not)."""
    from difflib import get_close_matches

    from dondoc.importer.agencies import canonical

    ids, exact, folded = index
    if values.get("id") and values["id"] in ids:
        return values["id"], None
    name = values.get("agency", "")
    if not name:
        return None, "không có tên cơ quan (no agency name)"
    for table, key in ((exact, canonical(name)), (folded, loose(name))):
        found = table.get(key, set())
        if len(found) == 1:
            return next(iter(found)), None
        if len(found) > 1:
            return (
                None,
                f"'{name}' khớp nhiều cơ quan (ambiguous): {', '.join(sorted(found))}; ghi đủ dấu hoặc Mã cơ quan",
            )
    close = get_close_matches(loose(name), list(folded), n=2, cutoff=0.75)
    hint = f"; gần nhất / closest: {', '.join(sorted({i for c in close for i in folded[c]}))}" if close else ""
    return None, f"không có cơ quan '{name}' trong khu vực {area.area} (unknown agency){hint}"


def _level(name: str) -> str:
    key = loose(name)
    if re.match(r"^(ubnd )?(xa|phuong|thi tran|dac khu) ", key):
        return "commune"
    if re.match(r"^(ubnd )?(huyen|quan|thi xa) ", key) or key.startswith("phong "):
        return "district"
    return "province"


def _prefix(area: Area) -> str:
    prefixes = Counter(a.id.split(".", 1)[0] for a in area.agencies if "." in a.id)
    return prefixes.most_common(1)[0][0] if prefixes else area.area


def plan_import(
    sheet: Sheet,
    area: Area,
    webmail: tuple[str, ...] = WEBMAIL,
    *,
    add_missing: bool = False,
    prefix: str | None = None,
) -> ImportPlan:
    """Match every row to an agency of ``area`` and work out the contact changes; nothing is written.

    ``webmail``: the domains of personal mailboxes (a warning for an office's address). ``add_missing``: an
    agency the area does not have becomes a new one (id ``<prefix>.<slug>``) instead of a bad row.
    """
    from dondoc.importer.agencies import slug

    plan = ImportPlan(area.area, bad=list(sheet.bad), warnings=list(sheet.warnings))
    bad_rows = {n for n, _ in plan.bad}
    index = _index(area)
    agencies = {a.id: a for a in area.agencies}
    added: dict[str, str] = {}  # loose name → new id
    prefix = prefix or _prefix(area)
    seen: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        if row.number in bad_rows:
            continue
        agency_id, why = _match(row.values, area, index)  # (one of the two is None)
        name = row.values.get("agency", "")
        if agency_id is None and add_missing and name and "khớp nhiều" not in (why or ""):
            agency_id = added.get(loose(name))
            if agency_id is None:
                agency_id = f"{prefix}.{slug(name)}"
                if agency_id in agencies or agency_id in added.values():
                    agency_id = f"{agency_id}-{row.number}"
                added[loose(name)] = agency_id
                plan.new_agencies.append(NewAgency(row.number, agency_id, name, _level(name)))
                agencies[agency_id] = _empty(agency_id, name)
        if agency_id is None:
            plan.bad.append((row.number, why or ""))
            continue
        addresses = [a.strip().lower() for a in re.split(r"[;,\s]+", row.values.get("email", "")) if a.strip()]
        if not addresses:
            if any(row.values.get(k) for k in ("name", "title", "phone")):
                plan.bad.append((row.number, "thiếu địa chỉ email (no address)"))
            continue  # an agency's empty row of the exported sheet, left empty
        invalid = [a for a in addresses if not _ADDRESS.match(a) or len(a) > 254]
        if invalid:
            plan.bad.append((row.number, f"địa chỉ không hợp lệ (invalid address): {', '.join(invalid)}"))
            continue
        role = _role(row.values.get("role", ""), row.values.get("title", ""))
        if role is None:
            plan.bad.append(
                (
                    row.number,
                    f"vai trò '{row.values['role']}' không rõ (unknown role: báo cáo, thủ trưởng, lãnh đạo phụ trách)",
                )
            )
            continue
        for address in addresses:
            if (agency_id, address) in seen:
                plan.bad.append((row.number, f"trùng với dòng {seen[(agency_id, address)]} (duplicate): {address}"))
                continue
            seen[(agency_id, address)] = row.number
            if address.rsplit("@", 1)[1] in webmail:
                plan.warnings.append(
                    f"dòng {row.number}: {address} là hộp thư cá nhân, không phải của cơ quan "
                    "(personal webmail for an office)"
                )
            wanted = {
                "name": row.values.get("name", ""),
                "role": str(role),
                "title": row.values.get("title", ""),
                "phone": row.values.get("phone", ""),
            }
            current = next((c for c in agencies[agency_id].contacts if c.address == address), None)
            if current is None:
                plan.changes.append(
                    ContactChange(row.number, agency_id, address, {k: v for k, v in wanted.items() if v}, True)
                )
                continue
            have = {
                "name": current.name or "",
                "role": str(current.role),
                "title": current.title or "",
                "phone": current.phone or "",
            }
            diff = {k: v for k, v in wanted.items() if v and v != have[k]}
            if diff:
                plan.changes.append(ContactChange(row.number, agency_id, address, diff, False))
            else:
                plan.unchanged += 1
    plan.bad.sort()
    return plan


def _is_department(name: str) -> bool:
    """A provincial department, agency or organisation ("Sở Y tế", "Công an tỉnh"), not a People's Committee."""
    return _level(name) == "province" and not loose(name).startswith("ubnd")


def _departments(data: CommentedMap, new_ids: list[str]) -> None:
    """New departments join the area's group of "các sở, ban, ngành" (made if the area has none), which a plan's
    "các sở, ban, ngành" is matched to."""
    if not new_ids:
        return
    from dondoc.importer.agencies import find_groups

    groups = data.get("groups")
    if groups is None:
        groups = data["groups"] = CommentedSeq()
    group = next(
        (
            g
            for g in groups
            if isinstance(g, dict) and any(kind == "departments" for _, _, kind in find_groups(str(g.get("name", ""))))
        ),
        None,
    )
    if group is None:
        prefix = new_ids[0].split(".", 1)[0]
        group = CommentedMap(
            [("id", f"{prefix}.so-nganh"), ("name", "Các sở, ban, ngành"), ("members", CommentedSeq())]
        )
        groups.append(group)
    for agency_id in new_ids:
        if agency_id not in group["members"]:
            group["members"].append(agency_id)


def _empty(agency_id: str, name: str):
    from dondoc.model import Agency

    return Agency(id=agency_id, name=name, level=_level(name))


def apply_import(config_dir: Path, plan: ImportPlan) -> Path:
    """Write the plan's changes into the area's agencies file, in place; the file's path."""
    path = area_file(config_dir, plan.area)
    if path is None:
        raise UsageError(f"no file in {config_dir / 'agencies'} declares area '{plan.area}'")
    data = load_area_file(path)
    if data.get("agencies") is None:
        data["agencies"] = CommentedSeq()
    for new in plan.new_agencies:
        data["agencies"].append(CommentedMap([("id", new.id), ("name", new.name), ("level", new.level)]))
    _departments(data, [n.id for n in plan.new_agencies if _is_department(n.name)])
    entries = {a["id"]: a for a in data["agencies"] if isinstance(a, dict)}
    for change in plan.changes:
        entry = entries[change.agency_id]
        contacts = entry.get("contacts")
        if contacts is None:
            contacts = entry["contacts"] = CommentedSeq()
        if change.new:
            contact = CommentedMap([("address", change.address)])
            for key in ("name", "role", "title", "phone"):
                if change.fields.get(key):
                    contact[key] = change.fields[key]
            contacts.append(contact)
        else:
            contact = next(c for c in contacts if str(c.get("address", "")).lower() == change.address)
            for key, value in change.fields.items():
                contact[key] = value
    save_area_file(path, data)
    return path


def export_sheet(area: Area, path: Path) -> int:
    """Write the sheet to fill in: a row per contact, an empty row for each agency without one; the rows written."""
    rows = []
    for agency in area.agencies:
        for contact in agency.contacts:
            rows.append(
                [
                    agency.id,
                    agency.name,
                    contact.name or "",
                    contact.title or "",
                    _ROLE_WORDS[contact.role],
                    contact.address,
                    contact.phone or "",
                ]
            )
        if not agency.contacts:
            rows.append([agency.id, agency.name, "", "", _ROLE_WORDS[Role.REPORTER], "", ""])
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
        return len(rows)
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Danh bạ")
    bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet.write_row(0, 0, COLUMNS, bold)
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    for column, width in enumerate((24, 48, 28, 24, 18, 36, 16)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 2)
    sheet.data_validation(1, 4, max(len(rows), 1) + 200, 4, {"validate": "list", "source": list(_ROLE_WORDS.values())})
    workbook.close()
    return len(rows)

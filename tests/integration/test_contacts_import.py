"""`dondoc agencies import/export`: an office's contact sheet, as offices write it (merged cells, hidden rows,
formulas, a second sheet, no diacritics, abbreviations, several addresses in a cell), bad rows by number, nothing
written while one is bad; export → fill → import changes only what was filled."""

from __future__ import annotations

import csv
import difflib

import pytest
import xlsxwriter
from openpyxl import load_workbook
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.config import load_areas, load_catalog
from dondoc.contacts_sheet import plan_import, read_sheet

runner = CliRunner()


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def config(config_copy, tmp_path, monkeypatch):
    """The shipped configuration with the 95 communes and wards of Đồng Nai in the dong-nai area (prefix dn)."""
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_copy))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    assert run("agencies", "generate", "--province", "Đồng Nai", "--area", "dong-nai", "--prefix", "dn").exit_code == 0
    return config_copy


def office_sheet(path) -> None:
    """A contact list as an office keeps it."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Danh bạ")
    sheet.merge_range("A1:G1", "DANH BẠ ĐẦU MỐI BÁO CÁO CÔNG TÁC TRẺ EM NĂM 2026")
    sheet.write_row(1, 0, ["STT", "Co quan / Don vi", "Ho va ten", "Chuc vu", "Vai tro", "E-mail", "Dien thoai"])
    sheet.merge_range("B3:B4", "Sở Y tế")  # one agency, two people
    sheet.write_row(
        2, 2, ["Trần Thị Mẫu", "Chuyên viên", "đầu mối", "vanthu.moi@syt.dongnai.example.org", "0251 3800 000"]
    )
    sheet.write_row(3, 2, ["Giám đốc Sở", "Giám đốc", "", "giamdoc@syt.dongnai.example.org"])
    sheet.write_row(
        4, 1, ["UBND P. Đồng Xoài", "Văn thư", "", "báo cáo", "a@dx.dongnai.example.org; b@dx.dongnai.example.org"]
    )
    sheet.write_row(5, 1, ["Uy ban nhan dan xa Loc Thanh", "Văn thư", "", "", "vt@loc.dongnai.example.org"])
    sheet.write_row(6, 1, ["(dòng ẩn) Sở cũ", "x", "", "", "nope"])
    sheet.set_row(6, None, None, {"hidden": True})
    sheet.write_row(7, 1, ["UBND xã Lộc Thành", "Văn thư"])
    sheet.write_formula(
        7, 5, '=LOWER("VANTHU@LOCTHANH.DONGNAI.EXAMPLE.ORG")', None, "vanthu@locthanh.dongnai.example.org"
    )
    sheet.write_row(8, 1, ["Uỷ ban nhân dân phường Bình Phước", "Văn thư"])
    sheet.write_formula(8, 5, '=A1&"@x.example.org"', None, "")  # never calculated: no saved value
    sheet.write_row(9, 1, ["Sở Y tế", "Trần Thị Mẫu", "", "", "vanthu.moi@syt.dongnai.example.org"])
    sheet.write_row(10, 1, ["Sở Nội vụ", "Văn thư", "", "", "van thu at snv"])
    sheet.write_row(11, 1, ["Sở Khoa học và Công nghệ", "Văn thư", "", "", "vt@skhcn.dongnai.example.org"])
    sheet.write_row(12, 1, ["Phường Phước Long", "Lê Văn Mẫu", "", "", "levanmau@example.net"])
    notes = book.add_worksheet("Ghi chú")
    notes.write_row(0, 0, ["Co quan", "Email"])
    notes.write_row(1, 0, ["Sở Tư pháp", "x@stp.dongnai.example.org"])
    book.close()


BAD = [
    ("6", "'Uy ban nhan dan xa Loc Thanh' khớp nhiều cơ quan (ambiguous): dn.ubnd-x-loc-thanh-"),
    ("9", "công thức chưa có giá trị đã lưu"),
    ("10", "trùng với dòng 3 (duplicate): vanthu.moi@syt.dongnai.example.org"),
    ("11", "địa chỉ không hợp lệ (invalid address): van, thu, at, snv"),
    ("12", "không có cơ quan 'Sở Khoa học và Công nghệ' trong khu vực dong-nai (unknown agency)"),
]


def test_bad_rows_are_listed_by_number_and_nothing_is_written(config, tmp_path):
    sheet = tmp_path / "danh-ba.xlsx"
    office_sheet(sheet)
    area_file = config / "agencies" / "dong-nai.yaml"
    before = area_file.read_bytes()
    result = run("agencies", "import", str(sheet), "--area", "dong-nai")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(sheet))]
    assert len(errors) == len(BAD)
    for line, (number, text) in zip(errors, BAD, strict=True):
        assert line.startswith(f"{sheet}:{number}: ") and text in line, line
    assert "bỏ qua 1 dòng ẩn (hidden rows skipped): 7" in result.stderr
    assert "bỏ qua (ignored sheets): Ghi chú" in result.stderr
    assert "chưa ghi gì (nothing written)" in result.stderr
    assert area_file.read_bytes() == before
    # the preview named what the good rows would do
    assert "+ dòng 3: Sở Y tế — vanthu.moi@syt.dongnai.example.org" in result.stdout
    assert "+ dòng 5: UBND phường Đồng Xoài — a@dx.dongnai.example.org" in result.stdout
    assert "3 liên hệ mới" not in result.stdout


def test_skip_bad_writes_the_good_rows_in_place(config, tmp_path):
    sheet = tmp_path / "danh-ba.xlsx"
    office_sheet(sheet)
    area_file = config / "agencies" / "dong-nai.yaml"
    result = run("agencies", "import", str(sheet), "--area", "dong-nai", "--skip-bad")
    assert result.exit_code == 0, result.output
    assert "5 liên hệ mới (new), 1 sửa (changed), 0 không đổi (unchanged)" in result.stdout
    agencies = load_catalog(config).directory.agencies
    added = [c for c in agencies["dn.so-y-te"].contacts if c.address == "vanthu.moi@syt.dongnai.example.org"]
    assert [(c.name, c.title, str(c.role), c.phone) for c in added] == [
        ("Trần Thị Mẫu", "Chuyên viên", "reporter", "0251 3800 000")
    ]
    assert [c.address for c in agencies["dn.ubnd-p-dong-xoai"].contacts] == [
        "a@dx.dongnai.example.org",
        "b@dx.dongnai.example.org",
    ]
    (loc_thanh,) = [a for a in agencies.values() if a.name == "Ủy ban nhân dân xã Lộc Thành"]
    assert [c.address for c in loc_thanh.contacts] == ["vanthu@locthanh.dongnai.example.org"]
    assert [c.title for c in agencies["dn.so-y-te"].contacts if c.address.startswith("giamdoc@")] == ["Giám đốc"]
    assert [c.address for c in agencies["dn.ubnd-p-phuoc-long"].contacts] == ["levanmau@example.net"]
    # the file's own comments stayed
    assert area_file.read_text(encoding="utf-8").startswith("# Đồng Nai after 1/7/2025")


def test_personal_webmail_for_an_office_is_a_warning(config, tmp_path):
    sheet = tmp_path / "danh-ba.xlsx"
    office_sheet(sheet)
    area = {a.area: a for a in load_areas(config)}["dong-nai"]
    plan = plan_import(read_sheet(sheet), area, webmail=("example.net",))
    assert [w for w in plan.warnings if "example.net" in w] == [
        "dòng 13: levanmau@example.net là hộp thư cá nhân, không phải của cơ quan (personal webmail for an office)"
    ]
    assert 13 not in {n for n, _ in plan.bad}


def test_export_fill_import_changes_only_what_was_filled(config, tmp_path):
    out = tmp_path / "dien.xlsx"
    result = run("agencies", "export", "--area", "dong-nai", "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    area_file = config / "agencies" / "dong-nai.yaml"
    before = area_file.read_text(encoding="utf-8")
    # imported back untouched: nothing to write, the file is the same
    same = run("agencies", "import", str(out), "--area", "dong-nai")
    assert same.exit_code == 0 and "0 liên hệ mới (new), 0 sửa (changed)" in same.stdout
    assert area_file.read_text(encoding="utf-8") == before
    book = load_workbook(out)
    sheet = book.active
    filled = {}
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in ("dn.ubnd-p-binh-phuoc", "dn.ubnd-x-bu-gia-map") and not row[5].value:
            row[2].value, row[5].value = "Văn thư", f"vanthu@{row[0].value.split('-', 2)[-1]}.dongnai.example.org"
            filled[row[0].value] = row[5].value
        if row[0].value == "dn.so-y-te" and row[5].value == "vanthu@syt.dongnai.example.org":
            row[3].value = "Văn thư"  # a title where there was none
    book.save(out)
    result = run("agencies", "import", str(out), "--area", "dong-nai")
    assert result.exit_code == 0, result.output
    assert "2 liên hệ mới (new), 1 sửa (changed)" in result.stdout
    after = area_file.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        "+        title: Văn thư",
        "+    contacts:",
        f"+      - address: {filled['dn.ubnd-p-binh-phuoc']}",
        "+        name: Văn thư",
        "+        role: reporter",
        "+    contacts:",
        f"+      - address: {filled['dn.ubnd-x-bu-gia-map']}",
        "+        name: Văn thư",
        "+        role: reporter",
    ], changed


def test_five_thousand_rows_in_a_csv_without_diacritics(config, tmp_path):
    area = {a.area: a for a in load_areas(config)}["dong-nai"]
    communes = [a for a in area.agencies if a.code]
    path = tmp_path / "5000.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Don vi", "Ho ten", "Chuc vu", "Vai tro", "Email"])
        for i in range(5000):
            agency = communes[i % len(communes)]
            writer.writerow(
                [
                    f"UBND {agency.short.split(' ', 1)[1]}",
                    f"Can bo {i}",
                    "",
                    "",
                    f"cb{i}@{agency.id.split('.', 1)[1]}.example.org",
                ]
            )
    result = run("agencies", "import", str(path), "--area", "dong-nai")
    assert result.exit_code == 0, result.stderr
    assert "5000 liên hệ mới (new)" in result.stdout
    loaded = load_catalog(config).directory.agencies
    assert sum(len(loaded[a.id].contacts) for a in communes) == 5000

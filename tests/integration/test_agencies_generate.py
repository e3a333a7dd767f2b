"""`dondoc agencies generate`: the official list of communes, wards and special zones, as agencies; re-running
keeps contacts; the national directory of 3,321 units loads and syncs."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.config import load_catalog
from dondoc.db.tables import AgencyRow
from dondoc.sync import sync_catalog
from dondoc.units import provinces

runner = CliRunner()


def _package_counts() -> dict[str, int]:
    """The package's own count of units per province code, read straight from its dataset."""
    folder = Path(next(iter(importlib.util.find_spec("vietnamadminunits").submodule_search_locations)))
    with sqlite3.connect(folder / "data" / "dataset.db") as connection:
        return dict(
            connection.execute(
                "SELECT provinceCode, COUNT(DISTINCT wardCode) FROM admin_units GROUP BY provinceCode"
            ).fetchall()
        )


@pytest.fixture
def env(tmp_path, monkeypatch, config_copy):
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_copy))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    return config_copy


def generate(*args: str):
    result = runner.invoke(app, ["agencies", "generate", *args])
    assert "Traceback" not in result.output
    return result


def test_every_province_gives_the_package_count_of_units(env):
    counts = _package_counts()
    assert len(counts) == 34 and sum(counts.values()) == 3321
    assert (counts["01"], counts["46"], counts["75"]) == (126, 40, 95)  # Hà Nội, Huế, Đồng Nai
    for province in provinces():
        area = f"t{province.code}"
        result = generate("--province", province.short, "--area", area)
        assert result.exit_code == 0, result.output
        assert f"{counts[province.code]} xã, phường, đặc khu — {counts[province.code]} mới" in result.stdout
        assert "hiệu lực từ 01/07/2025" in result.stdout and "vietnamadminunits 1.0.4" in result.stdout
    catalog = load_catalog(env)
    for province in provinces():
        group = catalog.directory.groups[f"t{province.code}.ubnd-cap-xa"]
        assert len(catalog.directory.expand([group.id])) == counts[province.code], province.short
    assert catalog.directory.agencies["t46.ubnd-p-vy-da"].name == "Ủy ban nhân dân phường Vỹ Dạ"
    assert catalog.directory.agencies["t46.ubnd-p-vy-da"].code == "19777"


def test_a_code_works_and_a_rerun_updates_names_without_touching_contacts(env):
    assert generate("--province", "46", "--area", "hue").exit_code == 0
    path = env / "agencies" / "hue.yaml"
    text = path.read_text(encoding="utf-8")
    # a coordinator adds a contact and a comment; the official name is mistyped by hand
    text = text.replace(
        "  - id: hue.ubnd-p-vy-da\n    name: Ủy ban nhân dân phường Vỹ Dạ\n",
        "  # Phường Vỹ Dạ: đầu mối là công chức văn hóa - xã hội\n"
        "  - id: hue.ubnd-p-vy-da\n    name: Ủy ban nhân dân phường Vĩ Dạ\n",
    )
    text = text.replace(
        "    code: '19777'\n",
        "    code: '19777'\n    contacts:\n      - address: vanthu@vyda.hue.example.org\n        name: Văn thư\n",
    )
    path.write_text(text, encoding="utf-8")
    result = generate("--province", "Thành phố Huế", "--area", "hue")
    assert result.exit_code == 0, result.output
    assert "0 mới (new), 1 đổi tên/mã (renamed), 39 không đổi (unchanged)" in result.stdout
    after = path.read_text(encoding="utf-8")
    assert "# Phường Vỹ Dạ: đầu mối là công chức văn hóa - xã hội\n" in after
    assert "name: Ủy ban nhân dân phường Vỹ Dạ\n" in after and "Vĩ Dạ" not in after
    agency = load_catalog(env).directory.agencies["hue.ubnd-p-vy-da"]
    assert [c.address for c in agency.contacts] == ["vanthu@vyda.hue.example.org"]


def test_an_unknown_province_is_one_line_with_the_closest_names(env):
    result = generate("--province", "Dong Nay", "--area", "x")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "Lỗi / error: không có tỉnh, thành phố 'Dong Nay' trong danh mục từ 01/07/2025 (no such province); "
        "gần nhất / closest: Đồng Nai, Đồng Tháp, Sơn La"
    ]
    merged = generate("--province", "Bình Phước", "--area", "x")
    assert merged.exit_code == 1 and "nay thuộc Tỉnh Đồng Nai" in merged.stderr
    assert not (env / "agencies" / "x.yaml").exists()


@pytest.mark.slow
def test_the_national_directory_of_3321_units_with_contacts_loads_and_syncs(env, engine):
    result = generate("--province", "all", "--area", "vn-xa", "--prefix", "xa")
    assert result.exit_code == 0, result.output
    assert "3321 xã, phường, đặc khu — 3321 mới" in result.stdout
    path = env / "agencies" / "vn-xa.yaml"
    # every unit gets a reporter and a head: the file outgrows the former 50,000-value limit per file
    text = re.sub(
        r"(    code: '(\d+)'\n)",
        lambda m: (
            m.group(1)
            + (
                f"    contacts:\n      - address: vanthu.{m.group(2)}@xa.example.org\n        role: reporter\n"
                f"      - address: chutich.{m.group(2)}@xa.example.org\n        role: head\n"
            )
        ),
        path.read_text("utf-8"),
    )
    path.write_text(text, encoding="utf-8")
    catalog = load_catalog(env)
    assert sum(1 for a in catalog.directory.agencies if a.startswith("xa.")) == 3321
    with Session(engine) as session:
        report = sync_catalog(catalog, session=session, now=dt.datetime(2026, 1, 5, tzinfo=dt.UTC), horizon_days=60)
        assert report.created["agency"] == len(catalog.directory.agencies)
        assert session.exec(select(func.count()).select_from(AgencyRow).where(AgencyRow.area == "vn-xa")).one() == 3321

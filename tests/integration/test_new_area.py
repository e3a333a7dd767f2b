"""Onboarding a new area: `plans import` into a configuration with agencies and no plan, never borrowing another
area's ids; a target led by a group."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.config import load_catalog
from dondoc.mail.context import agency_targets

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "examples" / "dong-nai-2026"
PLAN_TEXT = EXAMPLE / "source" / "ke-hoach-tre-em-2026.txt"


def run(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A configuration with the example's agencies and no plan."""
    config = tmp_path / "config"
    (config / "agencies").mkdir(parents=True)
    shutil.copy(EXAMPLE / "agencies" / "dong-nai.yaml", config / "agencies")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    return config


def test_plans_import_into_a_configuration_without_a_plan(fresh):
    result = run("plans", "import", str(PLAN_TEXT), "--area", "dong-nai", "-o", str(fresh / "plans" / "p.yaml"))
    assert result.exit_code == 0, result.output
    assert "0 cơ quan mới (new agencies)" in result.stderr
    plan = load_catalog(fresh).plans["01-kh-ubnd-2026"]
    assert (plan.issuer, plan.coordinator) == ("dn.ubnd-tinh-dong-nai", "dn.so-y-te")
    assert plan.obligations[0].reporters == ["dn.so-nganh", "dn.ubnd-cap-xa"]


def test_plans_import_never_borrows_another_areas_ids(config_copy, monkeypatch, tmp_path):
    """Against the shipped configuration (Bình Phước, Hương Trà… and the Đồng Nai of the merger, with its communes
    and wards added): only dong-nai's ids, or new ones to review — never Bình Phước's."""
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(config_copy))
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    assert run("agencies", "generate", "--province", "Đồng Nai", "--area", "dong-nai", "--prefix", "dn").exit_code == 0
    import json

    unplaced = json.loads(run("plans", "import", str(PLAN_TEXT), "--format", "json").stdout)
    assert unplaced["plan"]["coordinator"].startswith("new.")  # no --area: new ids to review, none borrowed
    assert any("no --area given" in note for note in unplaced["review"])
    result = run("plans", "import", str(PLAN_TEXT), "--area", "dong-nai", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)["plan"]
    ids = {
        plan["issuer"],
        plan["coordinator"],
        *(r for o in plan["obligations"] for r in o["reporters"]),
        *(o["recipient"] for o in plan["obligations"]),
    }
    assert all(i.startswith(("dn.", "new.")) for i in ids), ids
    assert {"dn.ubnd-tinh", "dn.so-y-te", "dn.ubnd-cap-xa"} <= ids


def test_a_target_led_by_a_group_is_led_by_each_member(catalog):
    example = load_catalog(EXAMPLE)
    plan = example.plans["dn-tre-em-2026"]
    directory = example.directory
    target = next(t for t in plan.targets if t.id == "2.3")
    assert target.lead == "dn.ubnd-cap-xa"
    roles = {t.id: role for t, role in agency_targets(plan, "dn.ubnd-p-long-khanh", directory)}
    assert roles["2.3"] == "lead"
    assert {t.id: role for t, role in agency_targets(plan, "dn.so-vhttdl", directory)}["2.3"] == "partner"
    assert "2.3" not in {t.id for t, _ in agency_targets(plan, "dn.so-y-te", directory)}

"""scripts/make_report_template.py reproduces the committed Word template byte for byte: the .docx in
templates/report/ is what the script makes, so reviewing the script reviews the template."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_script_rebuilds_the_committed_template():
    spec = importlib.util.spec_from_file_location("make_report_template", ROOT / "scripts" / "make_report_template.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    committed = ROOT / "templates" / "report" / "bao-cao-tong-hop.docx"
    assert committed == script.OUT
    assert script.build() == committed.read_bytes()

"""docs/onboarding.md, run as written: every ``sh`` block, in order, in one shell, from a checkout, on a fresh
folder — from the plan's text and the contact sheet to a first dry-run chase."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def commands() -> str:
    text = (ROOT / "docs" / "onboarding.md").read_text(encoding="utf-8")
    return "\n".join(re.findall(r"```sh\n(.*?)```", text, flags=re.S))


def test_the_onboarding_commands_lead_to_a_first_dry_run_chase(tmp_path):
    checkout = tmp_path / "dondoc"
    checkout.mkdir()
    (checkout / "config").symlink_to(ROOT / "config")  # the example files, as in a checkout
    script = commands()
    assert script.count("\ndondoc ") == 6  # generate, import, plans import, check, sync, chase
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")}
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "Traceback" not in output
    folder = tmp_path / "dondoc-dong-nai"
    assert (folder / "config" / "agencies" / "dong-nai.yaml").is_file()
    assert (folder / "config" / "plans" / "dn-tre-em-2026.yaml").is_file()
    assert "95 xã, phường, đặc khu — 95 mới" in output
    assert "7 cơ quan mới (new agencies), 106 liên hệ mới (new)" in output
    assert "Cấu hình hợp lệ / configuration valid: 1 kế hoạch (plans), 102 cơ quan (agencies)" in output
    assert "202 hạn báo cáo theo cấu hình" in output
    # the dry run renders a reminder for every department and commune of the first period, and sends nothing
    assert "no valid reporter address" not in output
    assert output.count("2026-H1") >= 100
    assert "vanthu@x-phuocan.dongnai.example.org" in output
    assert "Đã xếp hàng 0, đã gửi 0" in output

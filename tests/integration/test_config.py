"""Config loading: every problem reported as file:line, all at once, never a traceback."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.config import check_config, load_catalog

AREA = """\
area: demo
name: Tỉnh Mẫu
agencies:
  - id: demo.ubnd-tinh
    name: Ủy ban nhân dân tỉnh Mẫu
    level: province
  - id: demo.so-ldtbxh
    name: Sở Lao động - Thương binh và Xã hội tỉnh Mẫu
    level: province
    contacts:
      - address: vanthu@sldtbxh.demo.example.org
      - {address: phogiamdoc@sldtbxh.demo.example.org, role: leader}
  - id: demo.so-y-te
    name: Sở Y tế tỉnh Mẫu
    level: province
    contacts:
      - {address: vanthu@syt.demo.example.org, name: Văn thư Sở Y tế}
      - {address: giamdoc@syt.demo.example.org, role: head}
  - id: demo.ubnd-a
    name: Ủy ban nhân dân huyện A
    level: district
    contacts: [{address: vanthu@huyen-a.demo.example.org}]
groups:
  - id: demo.cac-so
    name: Các sở, ngành
    members: [demo.so-y-te, demo.ubnd-huyen]
  - id: demo.ubnd-huyen
    name: UBND các huyện
    members: [demo.ubnd-a]
"""

PLAN = """\
id: demo-2021
title: Kế hoạch mẫu năm 2021
issuer: demo.ubnd-tinh
area: demo
coordinator: demo.so-ldtbxh
source: {file: mau.txt}
valid: {start: 2021-01-01, end: 2021-12-31}
obligations:
  - id: dinh-ky
    title: Báo cáo định kỳ
    kind: period-report
    reporters: [demo.cac-so]
    recipient: demo.so-ldtbxh
    schedule: {every: half-year, due: {H1: 20/5, Y: 15/11}}
    rule: before
    quote: "định kỳ 06 tháng (trước ngày 20/5) và cả năm (trước ngày 15/11)"
    source: {file: mau.txt}
  - id: tong-hop
    title: Báo cáo tổng hợp
    kind: period-report
    reporters: [demo.so-ldtbxh]
    recipient: demo.ubnd-tinh
    consolidates: [dinh-ky]
    schedule: {every: half-year, due: {H1: 25/5, Y: 20/11/2021}}
    rule: before
    quote: "trước ngày 25/5 (đối với báo cáo 6 tháng) và trước ngày 20/11 năm 2021"
    source: {file: mau.txt}
"""


def write_config(root: Path, plan: str = PLAN, area: str = AREA) -> Path:
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "agencies").mkdir(exist_ok=True)
    (root / "plans" / "demo-2021.yaml").write_text(plan, encoding="utf-8")
    (root / "agencies" / "demo.yaml").write_text(area, encoding="utf-8")
    return root


def problems(root: Path) -> list[str]:
    return [str(p).replace(f"{root}/", "") for p in check_config(root)]


def test_the_sample_config_is_valid(tmp_path):
    catalog = load_catalog(write_config(tmp_path))
    assert catalog.directory.expand(["demo.cac-so"]) == ["demo.so-y-te", "demo.ubnd-a"]


def test_malformed_yaml_names_the_line(tmp_path):
    write_config(tmp_path, plan=PLAN.replace("    rule: before\n", "    rule: [before\n", 1))
    [problem] = problems(tmp_path)
    assert problem.startswith("plans/demo-2021.yaml:")
    assert "YAML syntax error" in problem


def test_every_problem_is_reported_with_its_line(tmp_path):
    bad = (
        PLAN.replace("reporters: [demo.cac-so]", "reporters: [demo.cac-so, demo.so-khong-co]")
        .replace("H1: 20/5, Y: 15/11", "H1: 31/2, Y: 15/11")
        .replace('    quote: "trước ngày 25/5 (đối với báo cáo 6 tháng) và trước ngày 20/11 năm 2021"\n', "")
    )
    assert problems(write_config(tmp_path, plan=bad)) == [
        "plans/demo-2021.yaml:14: 31/2: day 31 does not exist in month 2",
        "plans/demo-2021.yaml:18: 'quote' is required",
    ]
    # the schema is fixed first; then cross references are checked
    bad = PLAN.replace("reporters: [demo.cac-so]", "reporters: [demo.cac-so, demo.so-khong-co]")
    assert problems(write_config(tmp_path, plan=bad)) == [
        "plans/demo-2021.yaml:12: obligation 'dinh-ky': unknown reporter 'demo.so-khong-co' (not an agency or group)",
    ]


def test_duplicate_ids_and_empty_reporters(tmp_path):
    bad = PLAN.replace("  - id: tong-hop", "  - id: dinh-ky").replace("reporters: [demo.so-ldtbxh]", "reporters: []")
    assert problems(write_config(tmp_path, plan=bad)) == [
        "plans/demo-2021.yaml:21: 'reporters': List should have at least 1 item after validation, not 0",
    ]
    bad = PLAN.replace("  - id: tong-hop", "  - id: dinh-ky")
    assert problems(write_config(tmp_path, plan=bad)) == [
        "plans/demo-2021.yaml:18: duplicate obligation id 'dinh-ky'",
        "plans/demo-2021.yaml:23: obligation 'dinh-ky' consolidates itself",
    ]
    area = AREA.replace("  - id: demo.ubnd-a\n", "  - id: demo.so-y-te\n")
    assert problems(write_config(tmp_path, area=area)) == [
        "agencies/demo.yaml:19: duplicate id 'demo.so-y-te' (already defined in "
        f"{tmp_path}/agencies/demo.yaml)".replace(f"{tmp_path}/", ""),
        "agencies/demo.yaml:29: group 'demo.ubnd-huyen': unknown member 'demo.ubnd-a'",
    ]


def test_group_cycles_and_unknown_fields(tmp_path):
    area = AREA.replace("members: [demo.ubnd-a]", "members: [demo.ubnd-a, demo.cac-so]")
    assert problems(write_config(tmp_path, area=area)) == [
        "agencies/demo.yaml:26: group 'demo.cac-so' contains itself: demo.cac-so → demo.ubnd-huyen → demo.cac-so",
        "agencies/demo.yaml:29: group 'demo.ubnd-huyen' contains itself: "
        "demo.ubnd-huyen → demo.cac-so → demo.ubnd-huyen",
    ]
    plan = PLAN.replace("    rule: before\n", "    rule: before\n    rulle: by\n", 1)
    assert problems(write_config(tmp_path, plan=plan)) == ["plans/demo-2021.yaml:16: unknown field 'rulle'"]


def test_a_consolidated_report_due_before_its_inputs_is_refused(tmp_path):
    plan = PLAN.replace("H1: 25/5, Y: 20/11/2021", "H1: 15/5, Y: 20/11/2021")
    assert problems(write_config(tmp_path, plan=plan)) == [
        "plans/demo-2021.yaml:24: obligation 'tong-hop': last day 14/05/2021 for 2021-H1 is before 19/05/2021, "
        "the last day of 'dinh-ky' that it consolidates",
    ]


def test_a_consolidation_cycle_is_refused(tmp_path):
    plan = PLAN.replace("    kind: period-report\n    reporters: [demo.cac-so]",
                        "    kind: period-report\n    consolidates: [tong-hop]\n    reporters: [demo.cac-so]")
    assert problems(write_config(tmp_path, plan=plan)) == [
        "plans/demo-2021.yaml:12: consolidation cycle: dinh-ky → tong-hop → dinh-ky",
        "plans/demo-2021.yaml:24: consolidation cycle: tong-hop → dinh-ky → tong-hop",
    ]


def test_cli_check_prints_file_line_and_exits_1(tmp_path):
    write_config(tmp_path, plan=PLAN.replace("H1: 20/5", "H1: 31/2").replace("rule: before", "rule: sometime", 1))
    result = CliRunner().invoke(app, ["plans", "check", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"{tmp_path}/plans/demo-2021.yaml:14: 31/2: day 31 does not exist in month 2",
        f"{tmp_path}/plans/demo-2021.yaml:15: 'rule': Input should be 'before' or 'by'",
        "Cấu hình không hợp lệ: 2 lỗi / invalid configuration: 2 problem(s)",
    ]
    assert "Traceback" not in result.output


def test_cli_check_accepts_a_valid_directory(tmp_path):
    result = CliRunner().invoke(app, ["plans", "check", str(write_config(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "configuration valid: 1 kế hoạch (plans), 4 cơ quan (agencies), 2 nhóm (groups)" in result.stdout

"""A small valid configuration (one area, one plan with a consolidated obligation) written into a folder.

``write_config(root)`` gives ``root/plans/demo-2021.yaml`` and ``root/agencies/demo.yaml``; ``PLAN`` and ``AREA``
are their texts, for tests that change a line of them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["AREA", "PLAN", "write_config"]

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

"""Generated configurations for benchmarks: one province with N districts and a half-year obligation."""

from __future__ import annotations

from pathlib import Path

__all__ = ["province_config"]


def province_config(root: Path, agencies: int, targets: int = 8) -> Path:
    """Write a configuration with ``agencies`` districts under ``root``; returns ``root``."""
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "agencies").mkdir(exist_ok=True)
    units = "\n".join(
        f"  - id: bench.huyen-{i:05d}\n    name: Ủy ban nhân dân huyện Thử Nghiệm {i:05d}\n    level: district\n"
        f"    contacts: [{{address: vanthu@h{i:05d}.bench.example.org}}, "
        f"{{address: chutich@h{i:05d}.bench.example.org, role: head}}]"
        for i in range(agencies)
    )
    members = ", ".join(f"bench.huyen-{i:05d}" for i in range(agencies))
    (root / "agencies" / "bench.yaml").write_text(
        f"""area: bench
name: Tỉnh Thử Nghiệm
agencies:
  - id: bench.ubnd
    name: Ủy ban nhân dân tỉnh Thử Nghiệm
    level: province
  - id: bench.so
    name: Sở Lao động - Thương binh và Xã hội tỉnh Thử Nghiệm
    short: Sở LĐTBXH
    level: province
    contacts: [{{address: vanthu@so.bench.example.org}}, {{address: lanhdao@so.bench.example.org, role: leader}}]
{units}
groups:
  - id: bench.huyen
    name: UBND các huyện
    members: [{members}]
""",
        encoding="utf-8",
    )
    target_yaml = "\n".join(
        f"  - {{id: 'CT{t}', text: 'Chỉ tiêu thử nghiệm số {t}: tỷ lệ trẻ em được chăm sóc', unit: percent, "
        f"goal: {{op: '>=', value: {80 + t}}}}}"
        for t in range(1, targets + 1)
    )
    (root / "plans" / "bench.yaml").write_text(
        f"""id: bench-2021
title: Kế hoạch thực hiện công tác trẻ em năm 2021 (thử nghiệm)
issuer: bench.ubnd
area: bench
coordinator: bench.so
source: {{file: bench.txt}}
valid: {{start: 2021-01-01, end: 2021-12-31}}
targets:
{target_yaml}
obligations:
  - id: dinh-ky
    title: Báo cáo kết quả thực hiện công tác trẻ em
    kind: period-report
    reporters: [bench.huyen]
    recipient: bench.so
    schedule: {{every: half-year, due: {{H1: 20/5, Y: 15/11}}}}
    rule: before
    quote: "Các sở, ban, ngành và UBND các huyện định kỳ 06 tháng (trước ngày 20/5) và cả năm (trước ngày 15/11) gửi báo cáo kết quả thực hiện về Sở Lao động - Thương binh và Xã hội."
    source: {{file: bench.txt}}
""",
        encoding="utf-8",
    )
    return root

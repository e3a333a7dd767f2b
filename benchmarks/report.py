"""Report: a consolidated report for N agencies × T targets, compiled to .docx/.xlsx/.html.

Prints seconds and the peak RSS of a child process that does only this
(targets: under 10 s and 400 MB for 700 × 20). Baseline: writing the same
agency × target matrix with a bare openpyxl loop in the same run.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["bench_report"]


def _plan(targets: int):
    from dondoc.model import Plan

    units = ("percent", "count", "percent", "per-1000")
    return Plan.model_validate(
        {
            "id": "bench",
            "title": "Kế hoạch thử nghiệm",
            "issuer": "b.ubnd",
            "area": "b",
            "coordinator": "b.so",
            "source": {"file": "f"},
            "valid": {"start": "2021-01-01", "end": "2021-12-31"},
            "targets": [
                {
                    "id": f"CT{t}",
                    "text": f"Chỉ tiêu thử nghiệm {t}",
                    "unit": units[t % 4],
                    "goal": {"op": ">=", "value": 90},
                }
                for t in range(1, targets + 1)
            ],
            "obligations": [
                {
                    "id": "o",
                    "title": "Báo cáo 6 tháng",
                    "kind": "period-report",
                    "reporters": ["b.a"],
                    "recipient": "b.so",
                    "schedule": {"every": "year", "due": "15/11"},
                    "rule": "before",
                    "quote": "q",
                    "source": {"file": "f"},
                }
            ],
        }
    )


def _child(agencies: int, targets: int, out: str) -> None:
    from dondoc.aggregate import AgencyInput, aggregate
    from dondoc.documents.report import write_report
    from dondoc.mail.render import jinja_environment
    from dondoc.resources import shipped

    plan = _plan(targets)
    at = dt.datetime(2021, 11, 10, 3, tzinfo=dt.UTC)
    inputs = [
        AgencyInput(
            f"b.a{i:04d}",
            f"Ủy ban nhân dân xã Thử Nghiệm {i:04d}",
            submitted_at=None if i % 10 == 0 else at,
            on_time=i % 7 != 0,
            version=1,
            narrative="Đơn vị đã triển khai đầy đủ các nhiệm vụ. " * 8,
            values={
                f"CT{t}": {"value": 80 + (i + t) % 20, "numerator": 80 + (i + t) % 20, "denominator": 100}
                for t in range(1, targets + 1)
            },
            reminders=i % 4,
        )
        for i in range(agencies)
    ]
    started = time.perf_counter()
    data = aggregate(
        plan,
        "o",
        "2021",
        "năm 2021",
        inputs,
        coordinator_name="Sở Lao động - Thương binh và Xã hội tỉnh Thử Nghiệm",
        recipients=("Ủy ban nhân dân tỉnh Thử Nghiệm",),
        report_date=dt.date(2021, 11, 20),
    )
    write_report(
        data,
        Path(out),
        template=shipped("templates") / "report" / "bao-cao-tong-hop.docx",
        env=jinja_environment(shipped("templates")),
        place="Thử Nghiệm",
        issuer_name="Sở Lao động - Thương binh và Xã hội tỉnh Thử Nghiệm",
        values={a.agency_id: a.values for a in inputs},
    )
    seconds = time.perf_counter() - started
    peak = _peak_rss_mb()  # the report's own peak: the baseline below holds its whole matrix in memory
    started = time.perf_counter()
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for a in inputs:
        sheet.append([a.name, *(a.values[f"CT{t}"]["value"] for t in range(1, targets + 1))])
    book.save(Path(out) / "bare.xlsx")
    bare = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "bare": bare, "peak_mb": peak, "with_baseline_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started (VmHWM; ``ru_maxrss`` keeps the parent's across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_report(agencies: int, targets: int, limits: bool = True) -> dict:
    """Compile the report in a child process; time, peak RSS, and the bare-openpyxl baseline."""
    with tempfile.TemporaryDirectory() as out:
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.report", "--child", str(agencies), str(targets), out],
            capture_output=True,
            text=True,
            check=True,
        )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    seconds, megabytes = (5, 300) if agencies >= 10_000 else (10, 400)  # national size; a province
    ok = not limits or (figures["seconds"] < seconds and figures["peak_mb"] < megabytes)
    return {
        "name": f"report {agencies}x{targets}",
        "items": agencies,
        "seconds": round(figures["seconds"], 3),
        "baseline": "bare openpyxl matrix",
        "baseline_seconds": round(figures["bare"], 3),
        "ratio": round(figures["bare"] / figures["seconds"], 3),
        "ceiling": f"bare openpyxl writes the same {agencies:,} x {targets} matrix in {figures['bare']:.2f} s",
        "target": f"< {seconds} s, < {megabytes} MB" if limits else "(growth)",
        "peak_rss_mb": round(figures["peak_mb"], 1),
        "peak_rss_with_baseline_mb": round(figures["with_baseline_mb"], 1),
        "limits_ok": ok,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        print(
            bench_report(int(sys.argv[1]) if len(sys.argv) > 1 else 700, int(sys.argv[2]) if len(sys.argv) > 2 else 20)
        )

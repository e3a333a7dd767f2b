"""``python -m benchmarks`` (or ``dondoc bench``): every figure as a ratio against a same-run baseline.

Prints a table, writes JSON with ``--json FILE``, and exits 1 when a ratio
misses its target. ``--quick`` runs small sizes (a smoke test for CI).
"""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (about a minute)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--only", choices=["chase", "intake", "report"], action="append")
    args = parser.parse_args(argv)
    size = 1000 if args.quick else 10_000
    results = []
    wanted = set(args.only or ["chase", "intake", "report"])
    if "chase" in wanted:
        from benchmarks.chase import bench_chase

        plain = bench_chase(size)
        attached = bench_chase(max(size // 10, 200), attach=True)
        attached["note"] = (f"the .xlsx form and .ics cost {1000 / attached['per_second'] - 1000 / plain['per_second']:.1f}"
                            " ms more per reminder (openpyxl writes the form)")
        results += [plain, attached]
    if "intake" in wanted:
        try:
            from benchmarks.intake import bench_intake
        except ImportError as error:  # the intake benchmark needs the mail parser
            print(f"intake: skipped ({error})", file=sys.stderr)
        else:
            results.append(bench_intake(size))
    if "report" in wanted:
        try:
            from benchmarks.report import bench_report
        except ImportError as error:
            print(f"report: skipped ({error})", file=sys.stderr)
        else:
            results.append(bench_report(700 if not args.quick else 200, 20))
    width = max(len(r["name"]) for r in results) if results else 10
    print(f"{'benchmark':<{width}}  {'items':>7}  {'seconds':>8}  {'per s':>8}  {'baseline/s':>10}  {'ratio':>6}  target")
    failed = False
    for r in results:
        ok = r["ratio"] >= r["target"] if isinstance(r.get("target"), float) else True
        if "limits_ok" in r:
            ok = r["limits_ok"]
        failed |= not ok
        print(f"{r['name']:<{width}}  {r['items']:>7}  {r['seconds']:>8}  {r.get('per_second', ''):>8}  "
              f"{r.get('baseline_per_second', ''):>10}  {r.get('ratio', ''):>6}  {r.get('target', '')}"
              f"{'' if ok else '  MISSED'}")
        for key in ("pooled_baseline_per_second", "ratio_to_pooled", "peak_rss_mb", "note"):
            if key in r:
                print(f"{'':<{width}}  {key}: {r[key]}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, ensure_ascii=False, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

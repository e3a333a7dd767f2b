"""``python -m benchmarks`` (or ``dondoc bench``): every figure against a baseline measured in the same run.

Prints a table, writes JSON with ``--json FILE``, and exits 1 when a figure
misses its target. Default sizes run in under 10 minutes here; ``--quick``
runs small sizes as a smoke test for CI: every benchmark runs and checks its
results, the ratios are printed but not held to their targets (at small sizes
fixed costs dominate); ``--large`` adds the 100,000-item runs that show how
each cost grows.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time

KINDS = ("startup", "planning", "chase", "intake", "report", "console", "prefect")


def _sizes(args: argparse.Namespace) -> dict[str, list[int]]:
    if args.quick:
        return {
            "startup": [1],
            "planning": [5],
            "chase": [500],
            "intake": [500],
            "report": [200],
            "console": [200],
            "prefect": [300],
        }
    growth = [1000, 10_000] + ([100_000] if args.large else [])
    return {
        "startup": [1],
        "planning": [63],
        "chase": [1500, 10_000] + ([100_000] if args.large else []),
        "intake": growth,
        "report": [700, *growth],
        "console": [4000],
        "prefect": [300, 10_000],
    }


def _run(kind: str, size: int, args: argparse.Namespace) -> list[dict]:
    if kind == "startup":
        from benchmarks.startup import bench_startup

        return [bench_startup()]
    if kind == "planning":
        from benchmarks.planning import bench_planning

        rows = bench_planning(size)
        if args.pg:
            rows += bench_planning(size, database_url=args.pg)
        return rows
    if kind == "chase":
        from benchmarks.chase import bench_chase

        return [bench_chase(size)]
    if kind == "intake":
        from benchmarks.intake import bench_intake

        return [bench_intake(size)]
    if kind == "report":
        from benchmarks.report import bench_report

        return [bench_report(size, 20, limits=size in (700, 10_000))]  # targets for 700 and 10,000 agencies
    if kind == "console":
        from benchmarks.console import bench_console

        return bench_console(size, limits=size >= 4000)  # the targets are for the national plan
    from benchmarks.prefect_overhead import bench_prefect_overhead

    return bench_prefect_overhead(size, rounds=1 if args.quick else None)


def _attachments(size: int, plain: dict) -> dict:
    from benchmarks.chase import bench_chase

    attached = bench_chase(size, attach=True)
    attached["note"] = (
        f"the .xlsx form and .ics cost {1000 / attached['core_per_second'] - 1000 / plain['core_per_second']:.1f}"
        f" ms more per reminder in the sending core ({plain['core_per_second']}/s without them, "
        "same size, same run)"
    )
    return attached


def _growth(results: list[dict]) -> list[str]:
    """One line per kind run at several sizes: time per item at each, to see that it grows linearly."""
    lines = []
    for prefix in ("chase ", "intake ", "report "):
        rows = [
            r
            for r in results
            if r["name"].startswith(prefix) and "+" not in r["name"] and isinstance(r.get("items"), int)
        ]
        if len(rows) > 1:
            cost = ", ".join(f"{r['items']:,}: {1000 * r['seconds'] / r['items']:.2f} ms" for r in rows)
            lines.append(f"growth {prefix.strip()}: time per item at {cost}")
    return lines


def _ok(row: dict, quick: bool) -> bool:
    """Whether ``row`` meets its target. At ``--quick`` sizes only correctness counts (a smoke test, not a timing:
    fixed costs dominate small runs); every benchmark also asserts its own results (all sent, all recorded…)."""
    if not row.get("checks_ok", True):
        return False
    if quick:
        return True
    if "limits_ok" in row:
        return bool(row["limits_ok"])
    target = row.get("target")
    if not isinstance(target, float):
        return True
    return row.get("ratio") is not None and row["ratio"] >= target  # no ratio: the sink or parser was the limit


def _ratio(row: dict) -> str:
    if "ratio" in row and row["ratio"] is None:
        return "LIMIT"  # the sink (or parser) was the limit: no ratio
    return str(row.get("ratio", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test (about 2 minutes)")
    parser.add_argument("--large", action="store_true", help="add the 100,000-item runs (long)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--only", choices=KINDS, action="append", help="run only these (repeatable)")
    parser.add_argument("--pg", metavar="URL", help="also plan into this (empty) PostgreSQL database")
    args = parser.parse_args(argv)
    sizes = _sizes(args)
    results: list[dict] = []
    started = time.perf_counter()
    for kind in args.only or KINDS:
        if kind == "prefect":  # all sizes against one Prefect server (10-20 s to start)
            print(
                f"… prefect {', '.join(f'{s:,}' for s in sizes[kind])} (at {time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            from benchmarks.prefect_overhead import bench_prefect_overhead

            results += bench_prefect_overhead(*sizes[kind], rounds=1 if args.quick else None)  # --quick: a smoke test
            continue
        for size in sizes[kind]:
            print(f"… {kind} {size:,} (at {time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
            results += _run(kind, size, args)
        if kind == "chase":
            print(f"… chase {sizes['chase'][0]:,} with attachments", file=sys.stderr, flush=True)
            plain = next(r for r in results if r["name"] == f"chase {sizes['chase'][0]}")
            results.append(_attachments(sizes["chase"][0], plain))
    width = max(len(r["name"]) for r in results)
    print(
        f"{'benchmark':<{width}}  {'items':>7}  {'seconds':>8}  {'per s':>9}  {'baseline/s':>10}  {'ratio':>6}  target"
    )
    failed = False
    for r in results:
        ok = _ok(r, args.quick)
        failed |= not ok
        print(
            f"{r['name']:<{width}}  {r['items']:>7}  {r['seconds']:>8}  {r.get('per_second', ''):>9}  "
            f"{r.get('baseline_per_second', ''):>10}  {_ratio(r):>6}  {r.get('target', '')}"
            f"{'' if ok else '  MISSED'}"
        )
        for key in (
            "baseline",
            "ceiling",
            "sink_ceiling_per_second",
            "bare_per_second",
            "core_per_second",
            "ratios",
            "ratio_to_lazy_parse",
            "peak_rss_mb",
            "peak_rss_with_baseline_mb",
            "avg_message_bytes",
            "config",
            "note",
        ):
            if key in r:
                print(f"{'':<{width}}  {key}: {r[key]}")
    for line in _growth(results):
        print(line)
    machine = (
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
        f"{__import__('os').cpu_count()} CPUs"
    )
    print(
        f"{len(results)} figures in {time.perf_counter() - started:.0f} s on {machine}"
        f"{'' if not failed else ' — some MISSED their target'}"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine, "results": results}, handle, ensure_ascii=False, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

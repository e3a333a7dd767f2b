"""Planning at national scale: 63 provinces × 30 agencies, 5 obligations, 5 years of deadlines.

Generated configuration: one plan per province (as each province issues its
own), each with a half-year report of every agency, a quarterly report of the
districts, a yearly implementation plan, a monthly report of five agencies and
Sở LĐTBXH's consolidated half-year report to the ministry (linked to the first).
Timed: loading the configuration (YAML, validation, cross-checks); the first
sync into an empty database; a re-sync with nothing changed (must write
nothing); a re-sync after one province moves one date (only that province's
open rows of that obligation are rewritten).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from dondoc.config import load_catalog
from dondoc.db.engine import make_engine
from dondoc.db.migrate import upgrade
from dondoc.db.tables import DeadlineRow
from dondoc.sync import sync_catalog

__all__ = ["bench_planning", "national_config"]

START = dt.datetime(2021, 1, 1, 1, 0, tzinfo=dt.UTC)
SECTORS = 18  # provincial departments besides Sở LĐTBXH and UBND tỉnh
DISTRICTS = 10  # with the sectors and Sở LĐTBXH: 29 reporting agencies + UBND tỉnh = 30 per province


def _area(p: int) -> str:
    sectors = "\n".join(
        f"  - {{id: p{p:02d}.so-{s:02d}, name: Sở Ngành Thử Nghiệm {s:02d} tỉnh {p:02d}, level: province,"
        f" contacts: [{{address: vanthu@so{s:02d}.p{p:02d}.bench.example.org}}]}}"
        for s in range(SECTORS)
    )
    districts = "\n".join(
        f"  - {{id: p{p:02d}.huyen-{d:02d}, name: Ủy ban nhân dân huyện {d:02d} tỉnh {p:02d}, "
        f"level: district, contacts: [{{address: vanthu@h{d:02d}.p{p:02d}.bench.example.org}}]}}"
        for d in range(DISTRICTS)
    )
    reporters = [f"p{p:02d}.so-{s:02d}" for s in range(SECTORS)] + [f"p{p:02d}.huyen-{d:02d}" for d in range(DISTRICTS)]
    return f"""area: p{p:02d}
name: Tỉnh Thử Nghiệm {p:02d}
agencies:
  - {{id: p{p:02d}.ubnd, name: Ủy ban nhân dân tỉnh Thử Nghiệm {p:02d}, level: province,
     contacts: [{{address: vanthu@ubnd.p{p:02d}.bench.example.org}}]}}
  - {{id: p{p:02d}.so, name: Sở Lao động - Thương binh và Xã hội tỉnh {p:02d}, short: Sở LĐTBXH, level: province,
     contacts: [{{address: vanthu@so.p{p:02d}.bench.example.org}}]}}
{sectors}
{districts}
groups:
  - {{id: p{p:02d}.tat-ca, name: "Các sở, ngành và UBND các huyện", members: [{", ".join(reporters)}]}}
  - {{id: p{p:02d}.huyen, name: UBND các huyện, members: [{", ".join(reporters[SECTORS:])}]}}
  - {{id: p{p:02d}.hang-thang, name: Các cơ quan báo cáo tháng, members: [{", ".join(reporters[:5])}]}}
"""


def _plan(p: int, h1_due: str = "20/5") -> str:
    quote = (
        'quote: "Các sở, ngành và UBND các huyện gửi báo cáo về Sở Lao động - Thương binh và Xã hội.", '
        f"source: {{file: p{p:02d}.txt}}"
    )
    return f"""id: p{p:02d}-2021
title: Kế hoạch thực hiện Chương trình bảo vệ trẻ em tỉnh {p:02d} giai đoạn 2021-2025 (thử nghiệm)
issuer: p{p:02d}.ubnd
area: p{p:02d}
coordinator: p{p:02d}.so
source: {{file: p{p:02d}.txt}}
valid: {{start: 2021-01-01, end: 2025-12-31}}
obligations:
  - {{id: dinh-ky, title: Báo cáo định kỳ, kind: period-report, reporters: [p{p:02d}.tat-ca], recipient: p{p:02d}.so,
     schedule: {{every: half-year, due: {{H1: "{h1_due}", Y: "15/11"}}}}, rule: before, {quote}}}
  - {{id: quy, title: Báo cáo quý, kind: period-report, reporters: [p{p:02d}.huyen], recipient: p{p:02d}.so,
     schedule: {{every: quarter, day: 20}}, rule: by, {quote}}}
  - {{id: ke-hoach, title: Kế hoạch triển khai hằng năm, kind: implementation-plan, reporters: [p{p:02d}.tat-ca],
     recipient: p{p:02d}.so, schedule: {{every: year, due: "31/1"}}, rule: by, {quote}}}
  - {{id: thang, title: Báo cáo tháng, kind: period-report, reporters: [p{p:02d}.hang-thang], recipient: p{p:02d}.so,
     schedule: {{every: month, day: 25}}, rule: by, {quote}}}
  - {{id: tong-hop, title: Báo cáo tổng hợp gửi Bộ, kind: period-report, reporters: [p{p:02d}.so],
     recipient: p{p:02d}.ubnd, schedule: {{every: half-year, due: {{H1: "30/5", Y: "25/11"}}}}, rule: before,
     consolidates: [dinh-ky], {quote}}}
"""


def national_config(root: Path, provinces: int = 63) -> Path:
    """Write the national configuration under ``root``; returns ``root``."""
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "agencies").mkdir(exist_ok=True)
    for p in range(provinces):
        (root / "agencies" / f"p{p:02d}.yaml").write_text(_area(p), encoding="utf-8")
        (root / "plans" / f"p{p:02d}.yaml").write_text(_plan(p), encoding="utf-8")
    return root


def _sync(url: str, config: Path) -> tuple[float, float, dict]:
    """(seconds to load the config, seconds to sync, the sync's report) on the database at ``url``."""
    started = time.perf_counter()
    catalog = load_catalog(config)
    loaded = time.perf_counter() - started
    engine = make_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        report = sync_catalog(catalog, session=session, now=START, horizon_days=5 * 366)
        synced = time.perf_counter() - started
    engine.dispose()
    return loaded, synced, report.as_dict()


def _last_days(url: str) -> dict[int, dt.date]:
    engine = make_engine(url)
    with Session(engine) as session:
        days = dict(session.exec(select(DeadlineRow.id, DeadlineRow.last_day)).all())
    engine.dispose()
    return days


def bench_planning(provinces: int = 63, database_url: str | None = None) -> list[dict]:
    """The four timings as benchmark rows (``database_url``: an empty database; SQLite in a temp dir by default)."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = national_config(root / "config", provinces)
        url = database_url or f"sqlite:///{root / 'bench.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        backend = url.partition(":")[0].partition("+")[0]
        loaded, first, created = _sync(url, config)
        rows = created["deadlines_total"]
        _, again, unchanged = _sync(url, config)
        before = _last_days(url)
        moved_province = min(7, provinces - 1)
        (config / "plans" / f"p{moved_province:02d}.yaml").write_text(
            _plan(moved_province, h1_due="22/5"), encoding="utf-8"
        )
        _, moved_seconds, moved = _sync(url, config)
        after = _last_days(url)
        changed = {i for i in before if before[i] != after.get(i)}
        if database_url:  # leave the caller's database as empty as it came
            engine = make_engine(url)
            SQLModel.metadata.drop_all(engine)
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            engine.dispose()
    agencies = provinces * (SECTORS + DISTRICTS + 2)
    assert not unchanged["created"] and not unchanged["updated"] and not unchanged["retired"], unchanged
    assert moved["updated"] == {"obligation": 1, "deadlines": len(changed)} and not moved["created"], moved
    expected = 5 * (SECTORS + DISTRICTS)  # one province's H1 reports of 5 years, every reporting agency
    name = f"planning {provinces}×{SECTORS + DISTRICTS + 2} ({backend})"
    return [
        {
            "name": f"{name}: load config",
            "items": agencies,
            "seconds": round(loaded, 3),
            "per_second": round(agencies / loaded, 1),
            "note": f"{provinces * 2} YAML files, {agencies} agencies",
        },
        {
            "name": f"{name}: first sync",
            "items": rows,
            "seconds": round(first, 3),
            "per_second": round(rows / first, 1),
            "target": "a few seconds",
            "limits_ok": first < 10,
        },
        {
            "name": f"{name}: re-sync, no change",
            "items": rows,
            "seconds": round(again, 3),
            "ratio": round(again / first, 3),
            "target": "writes nothing; ≤ 0.5 × the first",
            "limits_ok": again <= first / 2,
            "note": "0 rows written",
        },
        {
            "name": f"{name}: re-sync, one date moved",
            "items": len(changed),
            "seconds": round(moved_seconds, 3),
            "target": "only the moved rows",
            "checks_ok": len(changed) == expected,
            "note": f"{len(changed)} open rows rewritten (expected {expected}: one province's H1 reports, 5 years)",
        },
    ]


if __name__ == "__main__":
    import sys

    for row in bench_planning(int(sys.argv[1]) if len(sys.argv) > 1 else 63):
        print(row)

"""Console: the overview and a period page of a national plan (N reporting units, 5 years), time and statements.

One plan (2021–2025) with a half-year report and a quarterly report of N
reporting units: N × 30 deadlines. As of 01/08/2025 every deadline past its
last day has one or two reminders (one in 40 bounced), 85% of them a
submission (one in 6 late), one in 200 excused; the current periods have a
reminder each and a few held reports. Timed (best of 3, warm): the overview
(``views.overview``, 4 periods per obligation) and the page of the last
half-year period, 2025-H1 (``views.period``, N rows), with the SQL statements each
issues (a SQLAlchemy ``before_cursor_execute`` listener): the count must not
grow with N. Baselines, same database, same run: ``dondoc status``'s overview
(``status.overview``, which reads every deadline row) and the consolidated
report's read of the same period (``consolidate.collect``). Target: each view
under 0.5 s at 4,000 units, a fixed number of statements.

Then the same two pages as a coordinator's browser gets them: the whole HTTP
handling through the real ASGI app (``dondoc.web.create_app``, a signed-in
coordinator, httpx's in-process ``ASGITransport``: session cookie, role, the read
model, the template, the security headers), best of 3, beside the read model's
own time (ratio = page / read model: what the template and the request cost).
Target: each page under 1 s at 4,000 units.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert, select, update

from dondoc.db.tables import DeadlineRow, DeadlineStatus, InboundRow, InboundStatus, OutboxRow, SubmissionRow
from dondoc.settings import Settings

__all__ = ["bench_console", "national_plan_config"]

NOW = dt.datetime(2025, 8, 1, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội
LIMIT_SECONDS = 0.5
PAGE_LIMIT_SECONDS = 1.0
PASSWORD = "bench-mật-khẩu"
MAX_STATEMENTS = 10


def national_plan_config(root: Path, units: int) -> Path:
    """One area with ``units`` reporting units and one five-year plan with two obligations; returns ``root``."""
    (root / "plans").mkdir(parents=True, exist_ok=True)
    (root / "agencies").mkdir(exist_ok=True)
    agencies = "\n".join(
        f"  - {{id: vn.dv-{i:05d}, name: Đơn vị Thử Nghiệm {i:05d}, level: district, "
        f"contacts: [{{address: vanthu@dv{i:05d}.bench.example.org}}]}}"
        for i in range(units)
    )
    members = ", ".join(f"vn.dv-{i:05d}" for i in range(units))
    (root / "agencies" / "vn.yaml").write_text(
        f"""area: vn
name: Toàn quốc (thử nghiệm)
agencies:
  - {{id: vn.chinh-phu, name: Chính phủ (thử nghiệm), level: province}}
  - {{id: vn.bo, name: Bộ Thử Nghiệm, short: Bộ TN, level: province,
     contacts: [{{address: vanthu@bo.bench.example.org}}]}}
{agencies}
groups:
  - {{id: vn.don-vi, name: Các đơn vị báo cáo, members: [{members}]}}
""",
        encoding="utf-8",
    )
    quote = 'quote: "Các đơn vị gửi báo cáo về Bộ Thử Nghiệm.", source: {file: vn.txt}'
    (root / "plans" / "vn.yaml").write_text(
        f"""id: vn-2021
title: Chương trình quốc gia thử nghiệm giai đoạn 2021-2025
issuer: vn.chinh-phu
area: vn
coordinator: vn.bo
source: {{file: vn.txt}}
valid: {{start: 2021-01-01, end: 2025-12-31}}
obligations:
  - {{id: dinh-ky, title: Báo cáo định kỳ 6 tháng và năm, kind: period-report, reporters: [vn.don-vi],
     recipient: vn.bo, schedule: {{every: half-year, due: {{H1: "20/6", Y: "15/12"}}}}, rule: before, {quote}}}
  - {{id: quy, title: Báo cáo quý, kind: period-report, reporters: [vn.don-vi], recipient: vn.bo,
     schedule: {{every: quarter, day: 20}}, rule: by, {quote}}}
""",
        encoding="utf-8",
    )
    return root


def _season(app) -> int:
    """Fill the synced deadlines with reminders, submissions and held reports, in bulk; returns the deadlines."""
    today = NOW.date()
    with app.session() as session:
        rows = session.execute(select(DeadlineRow.id, DeadlineRow.last_day, DeadlineRow.period_start)).all()
        outbox, inbound, submissions, statuses = [], [], [], []
        for deadline_id, last_day, start in rows:
            if start > today:
                continue
            sent_at = dt.datetime.combine(last_day - dt.timedelta(days=10), dt.time(2), dt.UTC)
            stages = ["before-10"] + (["overdue-1"] if last_day < today and deadline_id % 3 == 0 else [])
            for n, stage in enumerate(stages):
                at = sent_at + dt.timedelta(days=12 * n)
                outbox.append(
                    dict(
                        key=f"reminder:{deadline_id}:{stage}",
                        kind="reminder",
                        deadline_id=deadline_id,
                        stage=f"{stage}@{last_day}",
                        message_id=f"<r{deadline_id}.{n}@bench.example.org>",
                        sender="dondoc@bench.example.org",
                        recipients=["vanthu@x.bench.example.org"],
                        subject="Nhắc báo cáo",
                        raw=b"x",
                        status="failed" if deadline_id % 40 == 0 else "sent",
                        attempts=1,
                        created_at=at,
                        sent_at=at,
                    )
                )
            if last_day >= today:
                if deadline_id % 97 == 0:  # a held report in the current period
                    inbound.append(
                        dict(
                            sha256=f"h{deadline_id:063d}",
                            source_ref="bench",
                            path="x.eml",
                            size=1,
                            received_at=NOW,
                            status=InboundStatus.HELD,
                            deadline_id=deadline_id,
                            from_address="lamho@bench.example.net",
                            subject="Báo cáo",
                        )
                    )
                continue
            if deadline_id % 200 == 0:
                statuses.append(dict(b_id=deadline_id, b_status=DeadlineStatus.EXCUSED))
            elif deadline_id % 7 != 0:
                late = deadline_id % 6 == 0
                received = dt.datetime.combine(last_day + dt.timedelta(days=3 if late else -2), dt.time(3), dt.UTC)
                inbound.append(
                    dict(
                        sha256=f"{deadline_id:064d}",
                        source_ref="bench",
                        path="x.eml",
                        size=1,
                        received_at=received,
                        status=InboundStatus.SUBMISSION,
                        deadline_id=deadline_id,
                        from_address="vanthu@x.bench.example.org",
                        subject="Re: Nhắc báo cáo",
                        match_method="token",
                    )
                )
                submissions.append(
                    dict(
                        deadline_id=deadline_id,
                        version=1,
                        received_at=received,
                        on_time=not late,
                        body_text="Báo cáo",
                        form_values={},
                        form_problems=[],
                        status="accepted",
                    )
                )
                statuses.append(
                    dict(b_id=deadline_id, b_status=DeadlineStatus.LATE if late else DeadlineStatus.SUBMITTED)
                )
        session.execute(insert(OutboxRow), outbox)
        session.execute(insert(InboundRow), inbound)
        ids = dict(
            session.execute(
                select(InboundRow.deadline_id, InboundRow.id).where(InboundRow.status == InboundStatus.SUBMISSION)
            ).all()
        )
        session.execute(insert(SubmissionRow), [{**s, "inbound_id": ids[s["deadline_id"]]} for s in submissions])
        from sqlalchemy import bindparam

        session.connection().execute(
            update(DeadlineRow.__table__)
            .where(DeadlineRow.__table__.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status")),
            statuses,
        )
        session.commit()
    return len(rows)


def _timed(engine, work: Callable[[], object]) -> tuple[float, int, object]:
    """Best of three warm runs: (seconds, statements issued by one run, its result)."""
    best, result, statements = float("inf"), None, 0
    for _ in range(3):
        count = [0]

        def counted(*_args, count=count):
            count[0] += 1

        event.listen(engine, "before_cursor_execute", counted)
        try:
            started = time.perf_counter()
            result = work()
            best = min(best, time.perf_counter() - started)
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        statements = count[0]
    return best, statements, result


class _Browser:
    """The real console app driven in-process over ASGI (httpx's ``ASGITransport``), signed in as a coordinator as the
    tests sign in; ``get`` waits for the whole response (each request runs on this object's own event loop)."""

    def __init__(self, app):
        import asyncio
        import re

        import httpx

        from dondoc.operations import accounts
        from dondoc.web import create_app
        from dondoc.web.security import LoginLimiter

        accounts.create(app, "bench", password=PASSWORD, role="coordinator")
        web = create_app(app, secret=b"bench-console-session", limiter=LoginLimiter())
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://127.0.0.1")
        csrf = re.search(r'name="csrf" value="([^"]+)"', self.get("/login").text).group(1)
        answer = self.post("/login", {"csrf": csrf, "name": "bench", "password": PASSWORD, "next": "/"})
        assert answer.status_code == 303, answer.text

    def get(self, url: str):
        return self.loop.run_until_complete(self.client.get(url))

    def post(self, url: str, form: dict):
        return self.loop.run_until_complete(self.client.post(url, data=form))

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


def _read_row(
    name: str, items: int, seconds: float, baseline: str, base: float, ok: bool, limits_ok: bool, note: str
) -> dict:
    """A row of a read model timed against ``baseline``, which took ``base`` seconds (ratio = baseline / model)."""
    return {
        "name": name,
        "items": items,
        "seconds": round(seconds, 3),
        "per_second": round(items / seconds, 1),
        "baseline": baseline,
        "baseline_per_second": round(items / base, 1),
        "ratio": round(base / seconds, 2),
        "target": f"< {LIMIT_SECONDS} s, ≤ {MAX_STATEMENTS} statements",
        "checks_ok": ok,
        "limits_ok": limits_ok,
        "note": note,
    }


def _page_row(name: str, items: int, seconds: float, model: float, ok: bool, limits: bool, note: str) -> dict:
    return {
        "name": name,
        "items": items,
        "seconds": round(seconds, 3),
        "per_second": round(items / seconds, 1),
        "baseline": f"the read model alone, same run: {model:.3f} s (ratio = page / read model)",
        "baseline_per_second": round(items / model, 1),
        "ratio": round(seconds / model, 2),
        "target": f"< {PAGE_LIMIT_SECONDS:g} s",
        "checks_ok": ok,
        "limits_ok": not limits or seconds < PAGE_LIMIT_SECONDS,
        "note": note,
    }


def bench_console(units: int = 4000, limits: bool = True) -> list[dict]:
    """Build the database in a temp dir, then time the overview and the current period's page."""
    from dondoc import consolidate
    from dondoc import status as state
    from dondoc.operations import deadlines, opened, views

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        settings = Settings(
            data_dir=root / "data", config_dir=national_plan_config(root / "config", units), hmac_key="bench-console"
        )
        with opened(settings) as app:
            deadlines.sync(app, now=NOW, preview=False)
            total = _season(app)
            engine = app.engine
            catalog = app.catalog()
            plan = catalog.plans["vn-2021"]
            today = NOW.astimezone(ZoneInfo(settings.timezone)).date()
            seconds, statements, seen = _timed(engine, lambda: views.overview(app, now=NOW))
            page_seconds, page_statements, page = _timed(
                engine, lambda: views.period(app, "vn-2021", "dinh-ky", "2025-H1", now=NOW)
            )

            def status_overview():
                with app.session() as session:
                    return state.overview(session, catalog, today, 30)

            def collect():
                with app.session() as session:
                    return consolidate.collect(session, catalog, plan, plan.obligation("dinh-ky"), "2025-H1", today)

            base, base_statements, _ = _timed(engine, status_overview)
            page_base, page_base_statements, _ = _timed(engine, collect)
            app.now = lambda: NOW  # type: ignore[method-assign]  # the pages read the clock: the same moment
            client = _Browser(app)
            period_url = "/plans/vn-2021/dinh-ky/2025-H1"
            http, http_statements, home = _timed(engine, lambda: client.get("/"))
            http_page, http_page_statements, sheet = _timed(engine, lambda: client.get(period_url))
            client.close()
    [dinh_ky] = [o for o in seen.plans[0].obligations if o.obligation_id == "dinh-ky"]
    current, shown = dinh_ky.periods[-1], {p.period_key: p for p in dinh_ky.periods}
    checks = (
        len(page.agencies) == units
        and current.period_key == "2025"
        and current.current
        and current.counts.required == units
        and current.counts.held > 0
        and shown["2025-H1"].counts == page.counts  # the overview and the page count alike
        and page.counts.submitted + page.counts.missing + page.counts.excused == units
        and 0 < page.counts.late < page.counts.on_time
        and sum(len(a.reminders) for a in page.agencies) > units
    )
    fixed = statements <= MAX_STATEMENTS and page_statements <= MAX_STATEMENTS
    served = (
        home.status_code == 200
        and "Chương trình quốc gia thử nghiệm" in home.text
        and "<svg" in home.text
        and sheet.status_code == 200
        and sheet.text.count("Đơn vị Thử Nghiệm ") >= units
    )
    name = f"console {units} units × 5 years"
    return [
        _read_row(
            f"{name}: overview",
            total,
            seconds,
            "dondoc status's overview (every deadline row read)",
            base,
            checks,
            not limits or (seconds < LIMIT_SECONDS and fixed),
            f"{statements} SQL statements (baseline {base_statements}); {total:,} deadlines",
        ),
        _read_row(
            f"{name}: period page",
            units,
            page_seconds,
            "the consolidated report's read of the same period (consolidate.collect)",
            page_base,
            checks,
            not limits or (page_seconds < LIMIT_SECONDS and fixed),
            f"{page_statements} SQL statements (baseline {page_base_statements}); {units:,} rows",
        ),
        _page_row(
            f"{name}: overview page over HTTP",
            total,
            http,
            seconds,
            checks and served,
            limits,
            f"GET / as a coordinator, {len(home.content):,} bytes, {http_statements} SQL statements",
        ),
        _page_row(
            f"{name}: period page over HTTP",
            units,
            http_page,
            page_seconds,
            checks and served,
            limits,
            f"GET {period_url} as a coordinator, {len(sheet.content):,} bytes, {http_page_statements} SQL statements",
        ),
    ]


if __name__ == "__main__":
    import sys

    for row in bench_console(int(sys.argv[1]) if len(sys.argv) > 1 else 4000):
        print(row)

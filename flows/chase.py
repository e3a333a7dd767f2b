"""The ``chase`` flow: reminders due now → outbox → SMTP, with a table artifact.

The flow and its two tasks are ``async``; each task does its (synchronous) work in a worker thread. Prefect 3.9's
synchronous flow engine waits, at the end of every run, for its heartbeat thread to wake from a one-second sleep
(0–1 s, about 0.5 s a run, whatever the heartbeat frequency); the asynchronous engine does not wait for it, and
asynchronous tasks share the flow's API client (see ``docs/findings.md``, Prefect). Called from synchronous code it
is ``asyncio.run(chase(...))``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import cast

from prefect import flow, task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.utilities.annotations import quote

from dondoc.chase import ChaseFilter, ChaseReport
from dondoc.errors import faults_explained
from dondoc.operations import chasing, opened
from dondoc.settings import Settings

__all__ = ["chase", "deliver_outbox", "queue_reminders"]


# Results are not persisted (nothing reads them after the run: a retry runs the function again) and not cached
# (a run must send what is due at its own `now`): that spares a result-storage lookup and a key per task run.
# The tasks are `async` and do their (synchronous) work in a worker thread: an async task runs in the flow's event
# loop and reuses the flow's API client, where a synchronous one builds its own client per task run (≈ 26 ms: an
# SSL context loaded from the CA bundle, even for an http:// API; see docs/findings.md, Prefect).
def queue_reminders(
    settings: Settings, only: ChaseFilter, now: dt.datetime, dry_run: bool, force_stage: str | None
) -> ChaseReport:
    """Plan the reminders due at ``now``, render them all, then queue them (not when ``dry_run``)."""
    with faults_explained(), opened(settings) as app:
        # send=False: this task plans and queues; the send task delivers
        return chasing.chase(app, now=now, only=only, dry_run=dry_run, force_stage=force_stage, send=False)


def deliver_outbox(settings: Settings, now: dt.datetime, report: ChaseReport) -> ChaseReport:
    """Send what the outbox holds (up to the rate limit), recording each answer."""
    with faults_explained(), opened(settings) as app:
        return chasing.deliver_outbox(app, now=now, report=report)


@task(name="queue-reminders", persist_result=False, cache_policy=NO_CACHE)
async def queue(
    settings: Settings, only: ChaseFilter, now: dt.datetime, dry_run: bool, force_stage: str | None
) -> ChaseReport:
    """:func:`queue_reminders` in a worker thread."""
    return await asyncio.to_thread(queue_reminders, settings, only, now, dry_run, force_stage)


@task(name="deliver-outbox", retries=1, retry_delay_seconds=30, persist_result=False, cache_policy=NO_CACHE)
async def send(settings: Settings, now: dt.datetime, report: ChaseReport) -> ChaseReport:
    """:func:`deliver_outbox` in a worker thread."""
    return await asyncio.to_thread(deliver_outbox, settings, now, report)


# rows of the run's table artifact: a longer table is unreadable in the UI, and its event (over Prefect's event size
# limit, ~1.5 MB, at about 5,000 rows) is refused by the server with a warning; `dondoc outbox` lists every message
ARTIFACT_ROWS = 1000


def table_rows(report: ChaseReport, most: int = ARTIFACT_ROWS) -> list[dict]:
    """The run's table artifact: a row per reminder queued or skipped, the first ``most`` of them, then one row
    saying how many more there are and where to see them."""
    rows = [
        {
            "cơ quan": p.agency,
            "hạn": p.deadline,
            "kỳ": p.period,
            "lần nhắc": p.stage,
            "đồng gửi thủ trưởng": "có" if p.escalate else "",
            "kết quả": "đã xếp hàng",
        }
        for p in report.planned
    ]
    rows += [
        {
            "cơ quan": s["agency"],
            "hạn": s["deadline"],
            "kỳ": s["period"],
            "lần nhắc": s["stage"],
            "đồng gửi thủ trưởng": "",
            "kết quả": f"bỏ qua: {s['reason']}",
        }
        for s in report.skipped
    ]
    if len(rows) > most:
        more = len(rows) - most
        rows = [*rows[:most], {"cơ quan": f"… và {more:,} dòng khác: xem `dondoc outbox`".replace(",", ".")}]
    return rows


@flow(name="chase", log_prints=True, persist_result=False)
async def chase(
    plan: str | None = None,
    obligation: str | None = None,
    period: str | None = None,
    agency: str | None = None,
    dry_run: bool = False,
    force_stage: str | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """Đôn đốc: send the reminders due now, exactly once each.

    ``dry_run`` renders and lists without queueing or sending; ``force_stage``
    sends that stage now to every matching open deadline (once).
    """
    settings = Settings()
    moment = now or dt.datetime.now(dt.UTC)
    only = ChaseFilter(plan=plan, obligation=obligation, period=period, agency=agency)
    report = await queue(settings, only, moment, dry_run, force_stage)
    if not dry_run:
        # quote: Prefect would otherwise walk every reminder of the report looking for futures to resolve (it
        # unwraps the quote before it calls the function, which gets the report itself)
        report = await send(settings, moment, cast(ChaseReport, quote(report)))
    await acreate_table_artifact(
        key="chase",
        table=table_rows(report) or [{"kết quả": "không có thư nào đến hạn"}],
        description=f"Đôn đốc: {report.as_dict()}",
    )
    print(f"chase: {report.as_dict()}")
    for line in report.problems():
        print(line)
    return report.as_dict()

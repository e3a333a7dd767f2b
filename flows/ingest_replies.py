"""The ``ingest-replies`` flow: inbox → raw store → submissions, receipts; a table of counts.

``async``, and so is its task, which does its work in a worker thread, for the reasons given in
:mod:`dondoc.flows.chase` (no wait for the heartbeat thread at the end of each run, one API client for the run); from
synchronous code, ``asyncio.run(ingest_replies(...))``.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from prefect import flow, task
from prefect.artifacts import acreate_table_artifact
from prefect.cache_policies import NO_CACHE

from dondoc.errors import faults_explained
from dondoc.intake import IntakeReport
from dondoc.operations import opened, replies
from dondoc.settings import Settings

__all__ = ["ingest_replies", "take_in"]


def take_in(settings: Settings, now: dt.datetime, limit: int) -> IntakeReport:
    """Fetch, store raw, classify, match, record and send the receipts, in one coarse task."""
    with faults_explained(), opened(settings) as app:
        return replies.ingest(app, now=now, limit=limit)


# async, its work in a worker thread: it shares the flow's API client (see dondoc.flows.chase)
@task(name="take-in-replies", retries=2, retry_delay_seconds=30, persist_result=False, cache_policy=NO_CACHE)
async def take_in_replies(settings: Settings, now: dt.datetime, limit: int) -> IntakeReport:
    """:func:`take_in` in a worker thread."""
    return await asyncio.to_thread(take_in, settings, now, limit)


@flow(name="ingest-replies", log_prints=True, persist_result=False)
async def ingest_replies(limit: int = 1000, now: dt.datetime | None = None) -> dict:
    """Nhận báo cáo: take in agencies' replies (every few minutes on a server)."""
    settings = Settings()
    report = await take_in_replies(settings, now or dt.datetime.now(dt.UTC), limit)
    counts = report.as_dict()
    await acreate_table_artifact(
        key="ingest-replies",
        table=[{"loại": k, "số thư": v} for k, v in counts.items()],
        description="Nhận báo cáo: số thư theo phân loại",
    )
    print(f"ingest: {counts}")
    for line in report.notices():  # on every run, as long as they are there
        print(line)
    return counts

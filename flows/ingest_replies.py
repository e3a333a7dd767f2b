"""The ``ingest-replies`` flow: inbox → raw store → submissions, receipts; a table of counts."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_table_artifact

from dondoc.errors import faults_explained
from dondoc.intake import IntakeReport
from dondoc.operations import opened, replies
from dondoc.settings import Settings

__all__ = ["ingest_replies"]


@task(name="take-in-replies", retries=2, retry_delay_seconds=30)
def take_in_replies(settings: Settings, now: dt.datetime, limit: int) -> IntakeReport:
    """Fetch, store raw, classify, match, record and send the receipts, in one coarse task."""
    with faults_explained(), opened(settings) as app:
        return replies.ingest(app, now=now, limit=limit)


@flow(name="ingest-replies", log_prints=True)
def ingest_replies(limit: int = 1000, now: dt.datetime | None = None) -> dict:
    """Nhận báo cáo: take in agencies' replies (every few minutes on a server)."""
    settings = Settings()
    report = take_in_replies(settings, now or dt.datetime.now(dt.UTC), limit)
    counts = report.as_dict()
    create_table_artifact(
        key="ingest-replies",
        table=[{"loại": k, "số thư": v} for k, v in counts.items()],
        description="Nhận báo cáo: số thư theo phân loại",
    )
    print(f"ingest: {counts}")
    for line in report.notices():  # on every run, as long as they are there
        print(line)
    return counts

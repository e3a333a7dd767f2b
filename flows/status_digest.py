"""The ``status-digest`` flow: the coordinators' weekly mail of where every open period stands."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from dondoc.errors import faults_explained
from dondoc.operations import opened, status
from dondoc.settings import Settings

__all__ = ["status_digest"]


@task(name="send-digests", retries=1, retry_delay_seconds=60)
def digest_task(settings: Settings, now: dt.datetime) -> dict:
    """Queue this week's digest for each coordinating agency (once a week) and send it."""
    with faults_explained(), opened(settings) as app:
        sent = status.digest(app, now=now)
    return {
        "queued": sent.queued,
        "sent": sent.mails.sent,
        "failed": sent.mails.failed,
        "retrying": sent.mails.retrying,
    }


@flow(name="status-digest", log_prints=True)
def status_digest(now: dt.datetime | None = None) -> dict:
    """Tổng hợp tuần: mail each coordinator the state of its plans' open periods (once per ISO week)."""
    result = digest_task(Settings(), now or dt.datetime.now(dt.UTC))
    create_markdown_artifact(
        key="status-digest",
        description="Thư tổng hợp tình hình báo cáo hằng tuần",
        markdown=f"Thư tổng hợp tuần: **{result['queued']}** thư mới, đã gửi "
        f"**{result['sent']}**, lỗi **{result['failed']}**.",
    )
    print(f"status digest: {result}")
    return result

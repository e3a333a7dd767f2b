"""The ``status-digest`` flow: the coordinators' weekly mail of where every open period stands."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from dondoc.errors import faults_explained
from dondoc.settings import Settings
from dondoc.status import send_digests
from dondoc.wiring import build

__all__ = ["status_digest"]


@task(name="send-digests", retries=1, retry_delay_seconds=60)
def digest_task(settings: Settings, now: dt.datetime) -> dict:
    """Queue this week's digest for each coordinating agency (once a week) and send it."""
    app = build(settings)
    try:
        with faults_explained():
            queued, sent = send_digests(app, now)
        return {"queued": queued, "sent": sent.sent, "failed": sent.failed, "retrying": sent.retrying}
    finally:
        app.dispose()


@flow(name="status-digest", log_prints=True)
def status_digest(now: dt.datetime | None = None) -> dict:
    """Tổng hợp tuần: mail each coordinator the state of its plans' open periods (once per ISO week)."""
    result = digest_task(Settings(), now or dt.datetime.now(dt.UTC))
    create_markdown_artifact(key="status-digest", description="Thư tổng hợp tình hình báo cáo hằng tuần",
                             markdown=f"Thư tổng hợp tuần: **{result['queued']}** thư mới, đã gửi "
                                      f"**{result['sent']}**, lỗi **{result['failed']}**.")
    print(f"status digest: {result}")
    return result

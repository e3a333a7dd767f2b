"""The ``sync-plans`` flow: load config/, check it, materialise deadlines."""

from __future__ import annotations

import datetime as dt

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact

from dondoc.config import load_catalog, load_policy
from dondoc.errors import faults_explained
from dondoc.model import Catalog
from dondoc.operations import deadlines, opened
from dondoc.policy import PolicyFile
from dondoc.settings import Settings
from dondoc.sync import SyncReport

__all__ = ["sync_plans"]


@task(name="load-config")
def load_config(settings: Settings) -> tuple[Catalog, PolicyFile]:
    """Load and check the configuration; a ``ConfigError`` fails the run and changes nothing."""
    return load_catalog(settings.config_dir), load_policy(settings.config_dir)


@task(name="materialise-deadlines", retries=2, retry_delay_seconds=5)
def materialise(settings: Settings, catalog: Catalog, policy: PolicyFile, now: dt.datetime) -> SyncReport:
    """Upsert plans and agencies and bring deadlines in line, in one transaction."""
    with faults_explained(), opened(settings) as app:
        return deadlines.sync(app, now=now, preview=False).report


def _summary(report: SyncReport) -> str:
    kinds = sorted({*report.created, *report.updated, *report.retired})
    lines = ["| Loại | Thêm mới | Cập nhật | Ngừng |", "|---|---:|---:|---:|"]
    lines += [
        f"| {k} | {report.created.get(k, 0)} | {report.updated.get(k, 0)} | {report.retired.get(k, 0)} |" for k in kinds
    ]
    lines.append(
        f"\n{report.deadlines_total} hạn báo cáo theo cấu hình; {report.deadlines_left_closed} đã đóng, giữ nguyên."
    )
    return "\n".join(lines)


@flow(name="sync-plans", log_prints=True)
def sync_plans(now: dt.datetime | None = None) -> dict:
    """Đồng bộ kế hoạch: check config/ and materialise deadlines up to the horizon.

    ``now`` pretends the run happens at that instant (simulated clock); by
    default the real clock.
    """
    settings = Settings()
    catalog, policy = load_config(settings)
    report = materialise(settings, catalog, policy, now or dt.datetime.now(dt.UTC))
    create_markdown_artifact(key="sync-plans", markdown=_summary(report), description="Kết quả đồng bộ")
    return report.as_dict()

"""Serve every flow with its schedule from one process: ``python -m deployments.serve`` (or ``dondoc serve``).

Schedules are in Asia/Ho_Chi_Minh: sync daily at 06:00; chase on working
days at 08:00 (the policy skips holidays and quiet periods itself); ingest
every 5 minutes; the coordinators' status digest on Mondays at 07:30. Consolidated reports are compiled on demand (from the UI or
``dondoc report compile``), with parameters for plan, obligation and period.
"""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.chase import chase
from flows.compile_report import compile_report_flow
from flows.ingest_replies import ingest_replies
from flows.status_digest import status_digest
from flows.sync_plans import sync_plans

TZ = "Asia/Ho_Chi_Minh"

__all__ = ["deployments", "main"]


def deployments() -> list:
    """The deployments, built without a server (inspectable in tests)."""
    return [
        sync_plans.to_deployment(name="daily", schedules=[Cron("0 6 * * *", timezone=TZ)],
                                 description="Đồng bộ kế hoạch và hạn báo cáo mỗi sáng."),
        chase.to_deployment(name="working-days", schedules=[Cron("0 8 * * 1-5", timezone=TZ)],
                            description="Đôn đốc: gửi thư nhắc đến hạn (ngày làm việc, 08:00)."),
        ingest_replies.to_deployment(name="every-5-minutes", schedules=[Cron("*/5 * * * *", timezone=TZ)],
                                     description="Nhận báo cáo từ hộp thư."),
        status_digest.to_deployment(name="weekly", schedules=[Cron("30 7 * * 1", timezone=TZ)],
                                    description="Thư tổng hợp tình hình báo cáo gửi điều phối viên (thứ Hai, 07:30)."),
        compile_report_flow.to_deployment(name="on-demand",
                                          description="Tổng hợp báo cáo, chờ duyệt, gửi lên cấp trên."),
    ]


def main() -> None:
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()

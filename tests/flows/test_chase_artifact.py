"""The chase run's table artifact stays readable, and under the Prefect server's event size limit, at national size."""

from __future__ import annotations

import json

from dondoc.chase import ChaseReport, PlannedReminder
from dondoc.flows.chase import ARTIFACT_ROWS, table_rows

EVENT_LIMIT = 1_500_000  # Prefect's PREFECT_SERVER_EVENTS_MAXIMUM_SIZE_BYTES default: a larger event is refused


def _report(planned: int, skipped: int = 0) -> ChaseReport:
    return ChaseReport(
        planned=[
            PlannedReminder(
                deadline=i,
                agency=f"UBND xã Số {i}",
                plan="vn-2021",
                obligation="dinh-ky",
                period="2025-H1",
                stage="overdue-2",
                escalate=i % 2 == 0,
                subject="Nhắc hạn báo cáo",
                to=[f"van.thu.{i}@example.org"],
            )
            for i in range(planned)
        ],
        skipped=[
            {"agency": f"Sở {i}", "deadline": i, "period": "2025-H1", "stage": "due", "reason": "không có địa chỉ"}
            for i in range(skipped)
        ],
    )


def test_a_small_run_lists_every_reminder_queued_and_skipped():
    rows = table_rows(_report(3, skipped=2))
    assert [r["kết quả"] for r in rows] == ["đã xếp hàng"] * 3 + ["bỏ qua: không có địa chỉ"] * 2
    assert rows[0] == {
        "cơ quan": "UBND xã Số 0",
        "hạn": 0,
        "kỳ": "2025-H1",
        "lần nhắc": "overdue-2",
        "đồng gửi thủ trưởng": "có",
        "kết quả": "đã xếp hàng",
    }


def test_a_national_run_lists_the_first_rows_then_says_how_many_more_and_where():
    rows = table_rows(_report(9_500, skipped=500))
    assert len(rows) == ARTIFACT_ROWS + 1
    assert rows[ARTIFACT_ROWS - 1]["cơ quan"] == f"UBND xã Số {ARTIFACT_ROWS - 1}"
    assert rows[-1] == {"cơ quan": "… và 9.000 dòng khác: xem `dondoc outbox`"}
    assert len(json.dumps(rows, ensure_ascii=False).encode()) < EVENT_LIMIT / 3


def test_exactly_the_limit_needs_no_closing_row():
    assert len(table_rows(_report(ARTIFACT_ROWS))) == ARTIFACT_ROWS

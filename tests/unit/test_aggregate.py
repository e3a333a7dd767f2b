"""Report figures: completeness, rates with their denominators, targets aggregated by unit."""

from __future__ import annotations

import datetime as dt

from dondoc.aggregate import AgencyInput, aggregate
from dondoc.model import Plan

PLAN = Plan.model_validate(
    {
        "id": "p",
        "title": "Kế hoạch",
        "issuer": "x.ubnd",
        "area": "x",
        "coordinator": "x.so",
        "source": {"file": "f"},
        "valid": {"start": "2021-01-01", "end": "2021-12-31"},
        "targets": [
            {"id": "1", "text": "Số trẻ em được hỗ trợ", "unit": "count", "goal": {"op": ">=", "value": 100}},
            {"id": "2", "text": "Tỷ lệ trẻ em có thẻ BHYT", "unit": "percent", "goal": {"op": ">=", "value": 95}},
            {"id": "3", "text": "Tỷ lệ xã phù hợp với trẻ em", "unit": "percent", "goal": {"op": ">=", "value": 80}},
            {"id": "4", "text": "Mô hình tiêu biểu", "unit": "text"},
        ],
        "obligations": [
            {
                "id": "o",
                "title": "Báo cáo",
                "kind": "period-report",
                "reporters": ["x.a"],
                "recipient": "x.so",
                "schedule": {"every": "year", "due": "15/11"},
                "rule": "before",
                "quote": "q",
                "source": {"file": "f"},
            }
        ],
    }
)
AT = dt.datetime(2021, 11, 10, 3, tzinfo=dt.UTC)


def run(inputs):
    return aggregate(
        PLAN,
        "o",
        "2021",
        "năm 2021",
        inputs,
        coordinator_name="Sở",
        recipients=("UBND",),
        report_date=dt.date(2021, 11, 20),
    )


def test_rates_have_their_denominators_and_excused_agencies_are_not_expected():
    data = run(
        [
            AgencyInput("a", "A", submitted_at=AT, on_time=True, version=1),
            AgencyInput("b", "B", submitted_at=AT, on_time=False, version=2),
            AgencyInput("c", "C", reminders=4),
            AgencyInput("d", "D", excused=True),
        ]
    )
    assert (data.expected, data.submitted, data.on_time, data.late, data.missing, data.excused) == (3, 2, 1, 1, 1, 1)
    assert (data.reporting_rate, data.timeliness_rate) == (66.7, 33.3)
    assert [(a.name, a.status, a.reminders) for a in data.missing_agencies] == [("C", "overdue", 4)]


def test_targets_are_aggregated_as_their_unit_demands():
    data = run(
        [
            AgencyInput(
                "a",
                "A",
                submitted_at=AT,
                on_time=True,
                values={
                    "1": {"value": 60},
                    "2": {"value": 90, "numerator": 90, "denominator": 100},
                    "3": {"value": 50},
                    "4": {"value": "Mô hình A"},
                },
            ),
            AgencyInput(
                "b",
                "B",
                submitted_at=AT,
                on_time=True,
                values={
                    "1": {"value": 50},
                    "2": {"value": 99, "numerator": 297, "denominator": 300},
                    "3": {"value": 100},
                },
            ),
            AgencyInput("c", "C", submitted_at=AT, on_time=True, values={}),
        ]
    )
    by_id = {t.target_id: t for t in data.targets}
    assert (by_id["1"].value, by_id["1"].method, by_id["1"].met) == (110, "sum", True)
    assert (by_id["2"].value, by_id["2"].method, by_id["2"].met) == (96.75, "ratio", True)  # 387/400, not (90+99)/2
    assert (by_id["3"].value, by_id["3"].method, by_id["3"].met) == (75.0, "mean", False)
    assert by_id["1"].missing == ("C",) and by_id["1"].contributors == ("A", "B")
    assert (by_id["4"].method, by_id["4"].answers) == ("listed", (("A", "Mô hình A"),))


def test_nobody_reported():
    data = run([AgencyInput("a", "A"), AgencyInput("b", "B")])
    assert (data.reporting_rate, data.timeliness_rate) == (0.0, 0.0)
    assert all(t.value is None for t in data.targets)

"""One vocabulary: states, kinds, times, rates, titles and goals written the same way everywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from dondoc.listing import Column, cell, to_csv, to_json
from dondoc.vocabulary import (
    STATES,
    deadline_state,
    goal_text,
    label,
    local_time,
    lower_first,
    percent,
    report_title,
    stage_label,
)

TODAY = dt.date(2021, 5, 20)


@pytest.mark.parametrize(
    "status, last_day, state",
    [
        ("open", dt.date(2021, 5, 19), "overdue"),
        ("open", TODAY, "not-due"),
        ("submitted", dt.date(2021, 5, 19), "on-time"),
        ("late", dt.date(2021, 5, 19), "late"),
        ("excused", TODAY, "excused"),
        ("closed", TODAY, "closed"),
        ("held", TODAY, "held"),  # a stored status the vocabulary has not seen before keeps its name
    ],
)
def test_an_agencys_state_is_derived_once(status, last_day, state):
    assert deadline_state(status, last_day, TODAY) == state
    assert state in STATES


def test_every_state_and_kind_has_both_words_and_unknown_values_show_as_they_are():
    assert [label("state", s) for s in ("on-time", "late", "overdue", "not-due", "excused")] == [
        "Đúng hạn",
        "Muộn",
        "Quá hạn",
        "Chưa đến hạn",
        "Được miễn",
    ]
    assert label("state", "overdue", "en") == "overdue" and label("outbox", "failed") == "Lỗi, không gửi được"
    assert label("obligation", "period-report") == "Báo cáo định kỳ" and label("yes", True) == "Có"
    assert label("outbox", "something-new") == "something-new"


@pytest.mark.parametrize(
    "stage, vi, en",
    [
        ("overdue-3@2021-05-19", "Quá hạn, nhắc lần 3", "overdue, reminder 3"),
        ("before-10@2021-05-19", "Nhắc trước hạn 10 ngày làm việc", "10 working days before"),
        ("due@2021-05-19", "Nhắc ngày hạn cuối", "on the last day"),
        ("manual@20210520T010000", "Nhắc ngay (bằng tay)", "sent by hand"),
        ("receipt-v2", "Xác nhận lần gửi 2", "receipt of version 2"),
        ("2021-W20", "2021-W20", "2021-W20"),
    ],
)
def test_reminder_stages_are_words_not_ids(stage, vi, en):
    assert (stage_label(stage), stage_label(stage, "en")) == (vi, en)


def test_times_are_local_and_rates_have_one_form():
    moment = dt.datetime(2021, 5, 5, 3, 30, tzinfo=dt.UTC)
    assert local_time(moment) == "05/05/2021 10:30" and local_time(moment.replace(tzinfo=None)) == "05/05/2021 10:30"
    assert percent(72.72) == "72,7%" and percent(None) == ""
    assert cell(72.7, "percent") == "72,7%" and cell(moment, "time") == "05/05/2021 10:30"
    assert cell(["a", "b"], "list") == "a, b" and cell(False, None) == "Không"


@pytest.mark.parametrize(
    "title, period, expected",
    [
        (
            "Báo cáo định kỳ 6 tháng và cả năm 2021 kết quả thực hiện công tác trẻ em",
            "6 tháng đầu năm 2021",
            "Báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021",
        ),
        (
            "Báo cáo tổng hợp 6 tháng và năm 2021 kết quả công tác trẻ em tỉnh Bình Phước",
            "năm 2021",
            "Báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước năm 2021",
        ),
        ("Báo cáo kết quả năm 2026", "năm 2026", "Báo cáo kết quả năm 2026"),
        (
            "Báo cáo định kỳ hàng năm kết quả thực hiện Kế hoạch 235/KH-UBND",
            "năm 2022",
            "Báo cáo kết quả thực hiện Kế hoạch 235/KH-UBND năm 2022",
        ),
        (
            "Báo cáo kết quả thực hiện Chương trình giai đoạn 2016 - 2020",
            "năm 2018",
            "Báo cáo kết quả thực hiện Chương trình giai đoạn 2016 - 2020, năm 2018",
        ),
        (
            "Đánh giá Nghị quyết ngày 19 tháng 6 năm 2020 của Quốc hội",
            "năm 2021",  # a date inside is not a period
            "Đánh giá Nghị quyết ngày 19 tháng 6 năm 2020 của Quốc hội năm 2021",
        ),
    ],
)
def test_a_reports_title_says_its_period_once(title, period, expected):
    assert report_title(title, period) == expected


def test_a_title_inside_a_sentence_keeps_its_proper_nouns():
    title = "Báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước năm 2021"
    assert lower_first(title) == "báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước năm 2021"
    assert lower_first("UBND tỉnh Bình Phước") == "UBND tỉnh Bình Phước"


@pytest.mark.parametrize(
    "op, value, unit, text",
    [
        (">=", 95, "percent", "≥ 95%"),
        ("<=", 7.2, "percent", "≤ 7,2%"),
        (">=", 100, "count", "≥ 100"),
        ("<=", 600, "per-100000", "≤ 600/100.000"),
        ("<", 1, "per-1000", "< 1‰"),
    ],
)
def test_goals_have_their_units(op, value, unit, text):
    assert goal_text(op, value, unit) == text


def test_csv_is_csv_with_formulas_made_inert_and_json_keeps_lists_and_iso_times():
    moment = dt.datetime(2021, 5, 5, 3, 30, tzinfo=dt.UTC)
    rows = [
        {
            "id": 1,
            "subject": '=HYPERLINK("http://x.example.org")',
            "to": ["a@x.example.org", "b@x.example.org"],
            "at": moment,
            "note": 'dòng 1, "trích"\ndòng 2',
            "n": -3,
        },
        {"id": 2, "subject": "@SUM(A1)", "to": [], "at": None, "note": "+84 912", "n": 0},
    ]
    parsed = list(csv.reader(io.StringIO(to_csv(rows))))
    assert parsed[0] == ["id", "subject", "to", "at", "note", "n"]
    assert parsed[1] == [
        "1",
        '\'=HYPERLINK("http://x.example.org")',
        "a@x.example.org; b@x.example.org",
        "2021-05-05T03:30:00+00:00",
        'dòng 1, "trích"\ndòng 2',
        "-3",
    ]
    assert parsed[2][1] == "'@SUM(A1)" and parsed[2][4] == "'+84 912" and parsed[2][3] == ""
    assert json.loads(to_json(rows))[0]["to"] == ["a@x.example.org", "b@x.example.org"]
    assert json.loads(to_json(rows))[0]["at"] == "2021-05-05T03:30:00+00:00"
    assert Column("x", "Cột", "Column").heading("en") == "Column"

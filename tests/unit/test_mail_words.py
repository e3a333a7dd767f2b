"""The words of the mails: the period said once, proper nouns kept, goals with units, escalation that says its step
and who is copied — rendered from the shipped templates for the seed plans."""

from __future__ import annotations

import datetime as dt

import pytest

from dondoc.config import load_catalog
from dondoc.mail.context import ReminderFacts, reminder_context
from dondoc.mail.render import jinja_environment, render
from dondoc.resources import shipped
from dondoc.workdays import WorkCalendar

ENV = jinja_environment(shipped("templates"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(shipped("config"))


def reminder(
    catalog,
    plan_id: str,
    obligation_id: str,
    agency_id: str,
    label: str,
    *,
    overdue: int = 0,
    copied: tuple[str, ...] = (),
) -> tuple[str, str]:
    plan = catalog.plans[plan_id]
    facts = ReminderFacts(
        deadline_id=7,
        plan=plan,
        obligation=plan.obligation(obligation_id),
        agency=catalog.directory.agencies[agency_id],
        directory=catalog.directory,
        period_label=label,
        written_date=dt.date(2021, 5, 20),
        last_day=dt.date(2021, 5, 19),
        stage=f"overdue-{overdue}@2021-05-19" if overdue else "before-3@2021-05-19",
        overdue=overdue,
        escalate=bool(copied),
        today=dt.date(2021, 5, 27) if overdue else dt.date(2021, 5, 14),
        copied=copied,
    )
    context = reminder_context(facts, WorkCalendar(catalog.calendar_years.values()))
    return (
        render(ENV, "mail/vi/reminder.subject.j2", context).strip(),
        render(ENV, "mail/vi/reminder.txt.j2", context),
    )


def test_a_reminder_says_the_period_once_and_the_goals_with_units(catalog):
    subject, text = reminder(catalog, "bp-2021", "bao-cao-dinh-ky", "bp.so-y-te", "6 tháng đầu năm 2021")
    assert subject == (
        "[DD-7] Nhắc hạn báo cáo: Báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021 — hạn 19/05/2021"
    )
    assert subject.count("2021") == 2 and "6 tháng và cả năm" not in subject  # the period, and the last day
    assert "gửi báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021;" in text
    assert "[mục tiêu ≥ 95%]" in text and "[mục tiêu ≥ 95]" not in text


def test_the_coordinators_report_keeps_the_provinces_name(catalog):
    subject, text = reminder(catalog, "bp-2021", "tong-hop", "bp.so-ldtbxh", "năm 2021")
    assert "Báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước năm 2021" in subject
    assert "báo cáo tổng hợp kết quả công tác trẻ em tỉnh Bình Phước năm 2021" in text
    assert "bình phước" not in text and "năm 2021 năm 2021" not in subject


def test_escalation_says_which_step_and_who_is_copied(catalog):
    copied = ("Thủ trưởng Sở Y tế", "Lãnh đạo Sở LĐTBXH")
    second = reminder(
        catalog, "bp-2021", "bao-cao-dinh-ky", "bp.so-y-te", "6 tháng đầu năm 2021", overdue=2, copied=copied
    )
    third = reminder(
        catalog, "bp-2021", "bao-cao-dinh-ky", "bp.so-y-te", "6 tháng đầu năm 2021", overdue=3, copied=copied
    )
    assert second[0].startswith("[DD-7] Quá hạn báo cáo, đôn đốc lần 2 (đồng gửi lãnh đạo): ")
    assert (
        "Đây là lần đôn đốc thứ 2 sau hạn cuối; thư được gửi đồng thời tới Thủ trưởng Sở Y tế, Lãnh đạo Sở "
        "LĐTBXH để biết và chỉ đạo." in second[1]
    )
    assert "đôn đốc lần 3" in third[0] and "lần đôn đốc thứ 3" in third[1]
    assert second[0] != third[0] and second[1] != third[1]
    first = reminder(catalog, "bp-2021", "bao-cao-dinh-ky", "bp.so-y-te", "6 tháng đầu năm 2021", overdue=1)
    assert "đồng gửi" not in first[0] and "gửi đồng thời" not in first[1] and "lần đôn đốc thứ 1" in first[1]

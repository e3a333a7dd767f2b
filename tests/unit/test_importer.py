"""The plan importer's reading of sentences: dates, rules, periods, parties, cleaning — one behaviour a test."""

from __future__ import annotations

import pytest

from dondoc.importer import WrittenDay, clean, find_items
from dondoc.importer.agencies import canonical, find_agencies, find_groups
from dondoc.model import Kind, Level, Rule
from tests import figures


def one(text: str, level: Level = Level.PROVINCE):
    return [(i.period, str(i.date) if i.date else None, i.rule.value if i.rule else None) for i in find_items(text, level)]


def test_two_periods_paired_with_the_dates_in_their_parentheses():
    text = ("Các sở, ban, ngành và UBND các huyện, thị xã, thành phố định kỳ 06 tháng (trước ngày 20/5) và cả năm "
            "(trước ngày 15/11) gửi báo cáo về Sở Lao động - Thương binh và Xã hội.")
    assert one(text) == [("H1", "20/5", "before"), ("Y", "15/11", "before")]


def test_periods_named_after_the_dates_and_a_year_written_in_words():
    text = ("Giao Sở Lao động - Thương binh và Xã hội tổng hợp báo cáo cho Bộ Lao động - Thương binh và Xã hội và "
            "UBND tỉnh trước ngày 25/5 (đối với báo cáo 6 tháng) và trước ngày 20/11 năm 2021 (đối với báo cáo năm).")
    assert one(text) == [("H1", "25/5", "before"), ("Y", "20/11/2021", "before")]


def test_dates_separated_by_a_semicolon_inside_parentheses():
    text = ("Các sở, ban, ngành, các địa phương báo cáo UBND tỉnh định kỳ (báo cáo 06 tháng trước ngày 10/6/2020; "
            "báo cáo tổng kết năm trước ngày 30/11/2020) thông qua Sở Lao động – Thương binh và Xã hội để tổng hợp.")
    assert one(text) == [("H1", "10/6/2020", "before"), ("Y", "30/11/2020", "before")]


@pytest.mark.parametrize(("words", "rule"), [
    ("trước ngày 15/12", Rule.BEFORE),
    ("chậm nhất ngày 15/12", Rule.BY),
    ("chậm nhất là ngày 15/12", Rule.BY),
    ("trước hoặc vào ngày 15/12", Rule.BY),
    ("hạn 15/12", Rule.BY),
    ("trước ngày 15 tháng 12", Rule.BEFORE),
    ("trước ngày 15 tháng 12 năm 2022", Rule.BEFORE),
    ("trước ngày 15-12", Rule.BEFORE),
])
def test_the_rule_and_the_date_as_written(words, rule):
    items = find_items(f"UBND các huyện báo cáo hằng năm {words} về Sở Y tế.")
    assert len(items) == 1
    assert items[0].rule is rule
    assert (items[0].date.day, items[0].date.month) == (15, 12)
    assert items[0].date.year == (2022 if "2022" in words else None)


def test_leading_zeros_and_en_dashes_do_not_matter():
    items = find_items("Các sở, ngành báo cáo 06 tháng trước ngày 05/06 về Sở Lao động – Thương binh và Xã hội.")
    assert items[0].date == WrittenDay(5, 6)
    assert canonical(items[0].recipient) == canonical("Sở Lao động - Thương binh và Xã hội")


def test_a_period_without_a_day_gives_no_date_and_a_review():
    items = find_items("Các Sở, ban, ngành; UBND các huyện, thị xã, thành phố định kỳ 6 tháng, một năm báo cáo "
                       "kết quả triển khai thực hiện cho UBND tỉnh.")
    assert [(i.period, i.date) for i in items] == [("H1", None), ("Y", None)]
    assert all(any("no date" in note for note in i.review) for i in items)
    assert all(i.confidence < 0.7 for i in items)


def test_quarterly_and_monthly_reports_with_a_day_of_the_month():
    assert one("Các sở, ngành báo cáo hằng quý trước ngày 15 của tháng cuối quý về Sở Nội vụ.") == [("Q", "15", "before")]
    assert one("UBND các huyện gửi báo cáo hằng tháng chậm nhất ngày 20 hằng tháng về Sở Y tế.") == [("M", "20", "by")]


def test_an_implementation_plan_and_an_annual_report_in_one_sentence():
    text = ("Căn cứ chức năng, nhiệm vụ và nội dung Kế hoạch này, UBND các xã, phường và các cơ quan, đơn vị liên "
            "quan chủ động xây dựng Kế hoạch triển khai thực hiện trước ngày 15/7/2021; định kỳ hằng năm (trước ngày "
            "30/11) báo cáo Ủy ban nhân dân thị xã kết quả thực hiện (qua Phòng Lao động - Thương binh và Xã hội) để "
            "tổng hợp.")
    items = find_items(text, Level.DISTRICT)
    assert [(i.kind, i.period, str(i.date)) for i in items] == [
        (Kind.IMPLEMENTATION_PLAN, "once", "15/7/2021"), (Kind.PERIOD_REPORT, "Y", "30/11")]
    assert items[1].reporters == ["communes", "departments"]
    assert items[1].recipient == "Ủy ban nhân dân thị xã"
    assert items[1].via == "Phòng Lao động - Thương binh và Xã hội"


def test_partners_named_after_phoi_hop_voi_are_not_reporters():
    items = find_items("Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Liên minh Hợp tác xã tỉnh và các sở, ngành, "
                       "định kỳ 6 tháng và hàng năm báo cáo UBND tỉnh theo quy định.")
    assert {tuple(i.reporters) for i in items} == {("Sở Kế hoạch và Đầu tư",)}
    assert {i.period for i in items} == {"H1", "Y"}


def test_a_document_date_is_not_a_deadline():
    assert one("Thực hiện Công văn số 375/LĐTBXH-TE ngày 23/02/2021 của Bộ Lao động - Thương binh và Xã hội, "
               "các sở báo cáo định kỳ.") == []


def test_sentences_without_a_report_are_not_clauses():
    assert find_items("Định kỳ hàng năm tổ chức thanh tra, kiểm tra chuyên đề về phòng, chống xâm hại trẻ em.") == []
    assert find_items("Thực hiện tốt chế độ thông tin, báo cáo theo quy định.") == []


def test_ad_hoc_reports_are_items_without_a_date():
    items = find_items("Các sở, ngành đột xuất, định kỳ 06 tháng (trước ngày 20/5) gửi báo cáo về Sở Tư pháp.")
    assert [(i.period, i.kind) for i in items] == [("H1", Kind.PERIOD_REPORT), ("ad-hoc", Kind.AD_HOC)]


def test_the_coordinators_onward_report_is_an_item_of_its_own():
    items = find_items("Báo cáo kết quả gửi về Bộ Lao động - Thương binh và Xã hội (qua Cục Trẻ em) trước ngày 10 "
                       "tháng 7 năm 2018 để tổng hợp, báo cáo Thủ tướng Chính phủ.")
    assert [(i.recipient, str(i.date) if i.date else None, i.consolidating) for i in items] == [
        ("Bộ Lao động - Thương binh và Xã hội", "10/7/2018", False), ("Thủ tướng Chính phủ", None, True)]
    assert items[0].via == "Cục Trẻ em"


@pytest.mark.parametrize(("a", "b"), [
    ("Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH"),
    ("Sở Lao động, Thương binh và Xã hội tỉnh Bình Phước", "Sở LĐ-TB&XH"),
    ("Ủy ban nhân dân tỉnh", "UBND tỉnh"),
    ("Uỷ ban nhân dân Thành phố", "UBND TP"),
    ("Sở Văn hoá - Thể thao và Du lịch", "Sở VHTT&DL"),
    ("Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
])
def test_spellings_of_one_agency_compare_equal(a, b):
    assert canonical(a) == canonical(b)


def test_agency_names_are_found_whole():
    names = [n for *_, n in find_agencies("Sở Giáo dục và Đào tạo, Sở Lao động, Thương binh và Xã hội, Sở Y tế và "
                                          "Tỉnh Đoàn; Sở Nông nghiệp và Phát triển nông thôn, Phòng Y tế")]
    assert names == ["Sở Giáo dục và Đào tạo", "Sở Lao động, Thương binh và Xã hội", "Sở Y tế", "Tỉnh Đoàn",
                     "Sở Nông nghiệp và Phát triển nông thôn", "Phòng Y tế"]


def test_groups_by_what_they_cover():
    kinds = [k for *_, k in find_groups("Các sở, ban, ngành, cơ quan, đơn vị và UBND các huyện, thị xã, thành phố")]
    assert kinds == ["departments", "districts"]
    assert [k for *_, k in find_groups("UBND các xã, phường, thị trấn")] == ["communes"]
    assert [k for *_, k in find_groups("các sở, ngành, các địa phương", Level.DISTRICT)] == ["departments", "communes"]


def test_clean_undoes_the_artefacts_of_converted_documents():
    raw = ("KẾ HOẠCH\n**trước ngày 10/7/2021**\u00a0và\u200b cả năm\nTriển khai Công văn số\n478/LĐTBXH-TE của Bộ\n"
           "1. Sở Y tế\n- Chủ trì")
    assert clean(raw) == ("KẾ HOẠCH\ntrước ngày 10/7/2021 và cả năm\nTriển khai Công văn số 478/LĐTBXH-TE của Bộ\n"
                          "1. Sở Y tế\n- Chủ trì")
    assert clean("Hoà\u0300") == clean("Hoà\u0300")  # NFC, idempotent


# Hostile input: any text (reporting words mixed with noise) reads without an exception, and every date read is
# written in the sentence it came from.
from hypothesis import given, settings
from hypothesis import strategies as st

_WORDS = st.sampled_from([
    "báo cáo", "định kỳ", "06 tháng", "cả năm", "hằng quý", "đột xuất", "trước ngày", "chậm nhất ngày", "20/5",
    "15/11/2021", "31/2", "99/99", "15 tháng 12", "năm 2021", "(", ")", ";", ",", ".", "\n", "UBND tỉnh",
    "Sở Lao động - Thương binh và Xã hội", "các sở, ban, ngành", "UBND các huyện, thị xã, thành phố", "qua",
    "thông qua", "để tổng hợp, báo cáo", "Kính gửi:", "1.", "IV. TỔ CHỨC THỰC HIỆN", "Chỉ tiêu 3:", "90%", "**",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=60))
def test_any_text_reads_without_error_and_dates_come_from_the_text(parts):
    figures.add(figures.HOSTILE)
    text = clean(" ".join(parts))
    for item in find_items(text):
        if item.date is not None:
            assert str(item.date.day) in item.quote
            assert item.date.month is None or 1 <= item.date.month <= 12

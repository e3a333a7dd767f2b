"""The plan importer's reading of sentences: dates, rules, periods, parties, cleaning — one behaviour a test."""

from __future__ import annotations

import pytest

from dondoc.importer import WrittenDay, clean, find_items
from dondoc.importer.agencies import canonical, find_agencies, find_groups
from dondoc.importer.parties import find_parties
from dondoc.model import Kind, Level, Rule
from tests import figures
from tests.support.importer import items_of as importer_items


def one(text: str, level: Level = Level.PROVINCE):
    return [
        (i.period, str(i.date) if i.date else None, i.rule.value if i.rule else None) for i in find_items(text, level)
    ]


def test_two_periods_paired_with_the_dates_in_their_parentheses():
    text = (
        "Các sở, ban, ngành và UBND các huyện, thị xã, thành phố định kỳ 06 tháng (trước ngày 20/5) và cả năm "
        "(trước ngày 15/11) gửi báo cáo về Sở Lao động - Thương binh và Xã hội."
    )
    assert one(text) == [("H1", "20/5", "before"), ("Y", "15/11", "before")]


def test_periods_named_after_the_dates_and_a_year_written_in_words():
    text = (
        "Giao Sở Lao động - Thương binh và Xã hội tổng hợp báo cáo cho Bộ Lao động - Thương binh và Xã hội và "
        "UBND tỉnh trước ngày 25/5 (đối với báo cáo 6 tháng) và trước ngày 20/11 năm 2021 (đối với báo cáo năm)."
    )
    assert one(text) == [("H1", "25/5", "before"), ("Y", "20/11/2021", "before")]


def test_dates_separated_by_a_semicolon_inside_parentheses():
    text = (
        "Các sở, ban, ngành, các địa phương báo cáo UBND tỉnh định kỳ (báo cáo 06 tháng trước ngày 10/6/2020; "
        "báo cáo tổng kết năm trước ngày 30/11/2020) thông qua Sở Lao động – Thương binh và Xã hội để tổng hợp."
    )
    assert one(text) == [("H1", "10/6/2020", "before"), ("Y", "30/11/2020", "before")]


@pytest.mark.parametrize(
    ("words", "rule"),
    [
        ("trước ngày 15/12", Rule.BEFORE),
        ("chậm nhất ngày 15/12", Rule.BY),
        ("chậm nhất là ngày 15/12", Rule.BY),
        ("trước hoặc vào ngày 15/12", Rule.BY),
        ("hạn 15/12", Rule.BY),
        ("trước ngày 15 tháng 12", Rule.BEFORE),
        ("trước ngày 15 tháng 12 năm 2022", Rule.BEFORE),
        ("trước ngày 15-12", Rule.BEFORE),
    ],
)
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
    items = find_items(
        "Các Sở, ban, ngành; UBND các huyện, thị xã, thành phố định kỳ 6 tháng, một năm báo cáo "
        "kết quả triển khai thực hiện cho UBND tỉnh."
    )
    assert [(i.period, i.date) for i in items] == [("H1", None), ("Y", None)]
    assert all(any("no date" in note for note in i.review) for i in items)
    assert all(i.confidence < 0.7 for i in items)


def test_quarterly_and_monthly_reports_with_a_day_of_the_month():
    assert one("Các sở, ngành báo cáo hằng quý trước ngày 15 của tháng cuối quý về Sở Nội vụ.") == [
        ("Q", "15", "before")
    ]
    assert one("UBND các huyện gửi báo cáo hằng tháng chậm nhất ngày 20 hằng tháng về Sở Y tế.") == [("M", "20", "by")]


def test_an_implementation_plan_and_an_annual_report_in_one_sentence():
    text = (
        "Căn cứ chức năng, nhiệm vụ và nội dung Kế hoạch này, UBND các xã, phường và các cơ quan, đơn vị liên "
        "quan chủ động xây dựng Kế hoạch triển khai thực hiện trước ngày 15/7/2021; định kỳ hằng năm (trước ngày "
        "30/11) báo cáo Ủy ban nhân dân thị xã kết quả thực hiện (qua Phòng Lao động - Thương binh và Xã hội) để "
        "tổng hợp."
    )
    items = find_items(text, Level.DISTRICT)
    assert [(i.kind, i.period, str(i.date)) for i in items] == [
        (Kind.IMPLEMENTATION_PLAN, "once", "15/7/2021"),
        (Kind.PERIOD_REPORT, "Y", "30/11"),
    ]
    assert items[1].reporters == ["communes", "departments"]
    assert items[1].recipient == "Ủy ban nhân dân thị xã"
    assert items[1].via == "Phòng Lao động - Thương binh và Xã hội"


def test_partners_named_after_phoi_hop_voi_are_not_reporters():
    items = find_items(
        "Sở Kế hoạch và Đầu tư chủ trì, phối hợp với Liên minh Hợp tác xã tỉnh và các sở, ngành, "
        "định kỳ 6 tháng và hàng năm báo cáo UBND tỉnh theo quy định."
    )
    assert {tuple(i.reporters) for i in items} == {("Sở Kế hoạch và Đầu tư",)}
    assert {i.period for i in items} == {"H1", "Y"}


def test_a_document_date_is_not_a_deadline():
    assert (
        one(
            "Thực hiện Công văn số 375/LĐTBXH-TE ngày 23/02/2021 của Bộ Lao động - Thương binh và Xã hội, "
            "các sở báo cáo định kỳ."
        )
        == []
    )


def test_sentences_without_a_report_are_not_clauses():
    assert find_items("Định kỳ hàng năm tổ chức thanh tra, kiểm tra chuyên đề về phòng, chống xâm hại trẻ em.") == []
    assert find_items("Thực hiện tốt chế độ thông tin, báo cáo theo quy định.") == []


def test_ad_hoc_reports_are_items_without_a_date():
    items = find_items("Các sở, ngành đột xuất, định kỳ 06 tháng (trước ngày 20/5) gửi báo cáo về Sở Tư pháp.")
    assert [(i.period, i.kind) for i in items] == [("H1", Kind.PERIOD_REPORT), ("ad-hoc", Kind.AD_HOC)]


def test_the_coordinators_onward_report_is_an_item_of_its_own():
    items = find_items(
        "Báo cáo kết quả gửi về Bộ Lao động - Thương binh và Xã hội (qua Cục Trẻ em) trước ngày 10 "
        "tháng 7 năm 2018 để tổng hợp, báo cáo Thủ tướng Chính phủ."
    )
    assert [(i.recipient, str(i.date) if i.date else None, i.consolidating) for i in items] == [
        ("Bộ Lao động - Thương binh và Xã hội", "10/7/2018", False),
        ("Thủ tướng Chính phủ", None, True),
    ]
    assert items[0].via == "Cục Trẻ em"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sở Lao động - Thương binh và Xã hội", "Sở LĐTBXH"),
        ("Sở Lao động, Thương binh và Xã hội tỉnh Bình Phước", "Sở LĐ-TB&XH"),
        ("Ủy ban nhân dân tỉnh", "UBND tỉnh"),
        ("Uỷ ban nhân dân Thành phố", "UBND TP"),
        ("Sở Văn hoá - Thể thao và Du lịch", "Sở VHTT&DL"),
        ("Sở Giáo dục và Đào tạo", "Sở GD&ĐT"),
    ],
)
def test_spellings_of_one_agency_compare_equal(a, b):
    assert canonical(a) == canonical(b)


def test_agency_names_are_found_whole():
    names = [
        n
        for *_, n in find_agencies(
            "Sở Giáo dục và Đào tạo, Sở Lao động, Thương binh và Xã hội, Sở Y tế và "
            "Tỉnh Đoàn; Sở Nông nghiệp và Phát triển nông thôn, Phòng Y tế"
        )
    ]
    assert names == [
        "Sở Giáo dục và Đào tạo",
        "Sở Lao động, Thương binh và Xã hội",
        "Sở Y tế",
        "Tỉnh Đoàn",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Phòng Y tế",
    ]


def test_groups_by_what_they_cover():
    kinds = [k for *_, k in find_groups("Các sở, ban, ngành, cơ quan, đơn vị và UBND các huyện, thị xã, thành phố")]
    assert kinds == ["departments", "districts"]
    assert [k for *_, k in find_groups("UBND các xã, phường, thị trấn")] == ["communes"]
    assert [k for *_, k in find_groups("các sở, ngành, các địa phương", Level.DISTRICT)] == ["departments", "communes"]


def test_clean_undoes_the_artefacts_of_converted_documents():
    raw = (
        "KẾ HOẠCH\n**trước ngày 10/7/2021**\u00a0và\u200b cả năm\nTriển khai Công văn số\n478/LĐTBXH-TE của Bộ\n"
        "1. Sở Y tế\n- Chủ trì"
    )
    assert clean(raw) == (
        "KẾ HOẠCH\ntrước ngày 10/7/2021 và cả năm\nTriển khai Công văn số 478/LĐTBXH-TE của Bộ\n1. Sở Y tế\n- Chủ trì"
    )
    assert clean("Hoà\u0300") == clean("Hoà\u0300")  # NFC, idempotent


# Hostile input: any text (reporting words mixed with noise) reads without an exception, and every date read is
# written in the sentence it came from.
from hypothesis import given, settings
from hypothesis import strategies as st

_WORDS = st.sampled_from(
    [
        "báo cáo",
        "định kỳ",
        "06 tháng",
        "cả năm",
        "hằng quý",
        "đột xuất",
        "trước ngày",
        "chậm nhất ngày",
        "20/5",
        "15/11/2021",
        "31/2",
        "99/99",
        "15 tháng 12",
        "năm 2021",
        "(",
        ")",
        ";",
        ",",
        ".",
        "\n",
        "UBND tỉnh",
        "Sở Lao động - Thương binh và Xã hội",
        "các sở, ban, ngành",
        "UBND các huyện, thị xã, thành phố",
        "qua",
        "thông qua",
        "để tổng hợp, báo cáo",
        "Kính gửi:",
        "1.",
        "IV. TỔ CHỨC THỰC HIỆN",
        "Chỉ tiêu 3:",
        "90%",
        "**",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=60))
def test_any_text_reads_without_error_and_dates_come_from_the_text(parts):
    figures.add(figures.HOSTILE)
    text = clean(" ".join(parts))
    for item in find_items(text):
        if item.date is not None:
            assert str(item.date.day) in item.quote
            assert item.date.month is None or 1 <= item.date.month <= 12


# Plans written since the 2025 reorganisation, in the forms seen in such plans.


def items_of(text: str, level: Level = Level.PROVINCE) -> list[tuple]:
    return importer_items(text, level)


STANDARD_2026 = """IV. TỔ CHỨC THỰC HIỆN
1. Sở Y tế
- Chủ trì, theo dõi, hướng dẫn thực hiện Kế hoạch.
2. Các sở, ban, ngành và UBND các xã, phường có trách nhiệm:
- Xây dựng kế hoạch thực hiện phù hợp với chức năng, nhiệm vụ được giao.
- Định kỳ hằng quý (trước ngày 12 tháng cuối quý), 6 tháng (trước ngày 12/6) và hằng năm (trước ngày 12/12) \
báo cáo kết quả thực hiện về Sở Y tế để tổng hợp, báo cáo UBND tỉnh."""


def test_the_standard_2026_clause_reads_its_reporters_from_the_lead_in():
    reporters = ("departments", "communes")
    assert items_of(STANDARD_2026) == [
        (reporters, "Sở Y tế", (), None, "Q", "12", "before"),
        (reporters, "Sở Y tế", (), None, "H1", "12/6", "before"),
        (reporters, "Sở Y tế", (), None, "Y", "12/12", "before"),
        (("Sở Y tế",), "UBND tỉnh", (), None, "Q", None, None),
        (("Sở Y tế",), "UBND tỉnh", (), None, "H1", None, None),
        (("Sở Y tế",), "UBND tỉnh", (), None, "Y", None, None),
    ]
    items = find_items(STANDARD_2026)
    assert all("lead-in" in " ".join(i.review) or "heading" in " ".join(i.review) for i in items[:3])
    assert all(any("no date of its own" in note for note in i.review) and i.confidence < 0.7 for i in items[3:])


def test_the_onward_date_goes_to_the_onward_report_only():
    text = (
        "Các sở, ban, ngành và UBND các xã, phường định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12) "
        "gửi báo cáo kết quả thực hiện về Sở Y tế để tổng hợp, báo cáo UBND tỉnh trước ngày 20/12/2026."
    )
    assert items_of(text) == [
        (("departments", "communes"), "Sở Y tế", (), None, "H1", "15/6", "before"),
        (("departments", "communes"), "Sở Y tế", (), None, "Y", "15/12", "before"),
        (("Sở Y tế",), "UBND tỉnh", (), None, "Y", "20/12/2026", "before"),
    ]


def test_an_onward_report_to_several_bodies_and_a_name_that_ends_where_it_ends():
    assert items_of("Sở Nội vụ tổng hợp báo cáo Thường trực Tỉnh ủy, HĐND, UBND tỉnh trước ngày 25/12 hằng năm.") == [
        (("Sở Nội vụ",), "Thường trực Tỉnh ủy", ("HĐND", "UBND tỉnh"), None, "Y", "25/12", "before")
    ]
    assert items_of("Các sở, ngành định kỳ báo cáo Ban Chỉ đạo về kết quả thực hiện trước ngày 10/12 hằng năm.") == [
        (("departments",), "Ban Chỉ đạo", (), None, "Y", "10/12", "before")
    ]


def test_two_dates_without_period_words_are_the_6_month_and_the_yearly_report_flagged():
    items = find_items("UBND các xã, phường định kỳ trước ngày 05/6 và 20/11 hằng năm báo cáo Sở Nội vụ.")
    assert [(i.period, str(i.date)) for i in items] == [("H1", "5/6"), ("Y", "20/11")]
    assert all(any("names no period" in note for note in i.review) and i.confidence <= 0.6 for i in items)
    named = find_items(
        "Các sở, ngành báo cáo UBND tỉnh (qua Sở Nội vụ) trước ngày 25/6 và 25/12 hằng năm "
        "(báo cáo 6 tháng và báo cáo năm)."
    )
    assert [(i.period, str(i.date), i.review) for i in named] == [("H1", "25/6", []), ("Y", "25/12", [])]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("từ ngày 05 đến ngày 10 tháng 12", ("10/12", "by")),
        ("từ ngày 01/12 đến hết ngày 10/12", ("10/12", "by")),
    ],
)
def test_a_submission_window_is_due_on_its_last_day(words, expected):
    items = find_items(f"Các sở, ban, ngành gửi báo cáo năm về Sở Tài chính {words}.")
    assert [(str(i.date), i.rule.value) for i in items] == [expected]


def test_days_of_every_month_and_of_the_last_month_of_a_quarter():
    assert one("UBND các xã, phường báo cáo Sở Xây dựng trước ngày 15 hằng tháng.") == [("M", "15", "before")]
    assert one("Các sở, ngành báo cáo hằng quý về Sở Nội vụ vào ngày 20 của tháng cuối quý.") == [("Q", "20", "by")]
    assert one("Các sở báo cáo Sở Nội vụ định kỳ hằng quý trước ngày 12 tháng cuối quý.") == [("Q", "12", "before")]


def test_a_date_counted_from_an_event_is_left_undated_with_a_note():
    items = find_items("Trong 10 ngày kể từ ngày kết thúc đợt kiểm tra, Sở Y tế báo cáo kết quả về UBND tỉnh.")
    assert [(i.period, i.date, i.recipient) for i in items] == [("once", None, "UBND tỉnh")]
    assert any("relative to an event" in note for note in items[0].review)


def test_issuing_deadlines_and_data_cut_offs_are_not_report_deadlines():
    text = (
        "Các sở, ngành ban hành kế hoạch trước ngày 30/01/2026; định kỳ hằng năm báo cáo UBND tỉnh (qua Sở Nội vụ) "
        "trước ngày 15/12. Thời gian chốt số liệu từ ngày 15/12 năm trước đến ngày 14/12."
    )
    assert items_of(text) == [(("departments",), "UBND tỉnh", (), "Sở Nội vụ", "Y", "15/12", "before")]
    assert (
        find_items(
            "Ban hành kế hoạch kiểm kê, trong đó xác định đơn vị tổng hợp, báo cáo.\n"
            "Thời gian hoàn thành: Trước ngày 15/11/2025."
        )
        == []
    )


def test_reporters_from_an_article_heading_a_letters_addressees_and_an_earlier_sentence():
    article = (
        "Điều 12. Trách nhiệm của Sở Khoa học và Công nghệ\n1. Tham mưu thực hiện Quy chế.\n"
        "2. Báo cáo Ủy ban nhân dân Tỉnh định kỳ 06 tháng (trước ngày 30/6 của năm), năm (trước ngày 25/12 hàng "
        "năm) hoặc đột xuất theo yêu cầu."
    )
    assert items_of(article) == [
        (("Sở Khoa học và Công nghệ",), "Ủy ban nhân dân Tỉnh", (), None, "H1", "30/6", "before"),
        (("Sở Khoa học và Công nghệ",), "Ủy ban nhân dân Tỉnh", (), None, "Y", "25/12", "before"),
        (("Sở Khoa học và Công nghệ",), "Ủy ban nhân dân Tỉnh", (), None, "ad-hoc", None, None),
    ]
    letter = (
        "Kính gửi: Các cơ sở đào tạo trực thuộc Bộ\nĐề nghị Quý cơ sở gửi báo cáo kết quả tuyển sinh về Vụ Đào "
        "tạo trước ngày 20/12/2025."
    )
    assert items_of(letter) == [
        (("cơ sở đào tạo trực thuộc Bộ",), "Vụ Đào tạo", (), None, "once", "20/12/2025", "before")
    ]
    paragraph = (
        "1. Sở Công Thương chủ trì kiểm tra việc thực hiện Quy định. Định kỳ trước ngày 30 tháng 01 năm sau, "
        "báo cáo Ủy ban nhân dân tỉnh và Bộ Công Thương."
    )
    assert items_of(paragraph) == [
        (("Sở Công Thương",), "Ủy ban nhân dân tỉnh", ("Bộ Công Thương",), None, "Y", "30/1", "before")
    ]


def test_a_clauses_parties_hold_for_the_dated_lines_under_it():
    text = (
        "V. CHẾ ĐỘ BÁO CÁO\n1. Các sở, ngành, UBND các xã, phường báo cáo kết quả thực hiện về Sở Nội vụ.\n"
        "2. Thời gian gửi báo cáo:\n- Báo cáo 6 tháng: trước ngày 10/6.\n- Báo cáo năm: trước ngày 10/12."
    )
    assert items_of(text) == [
        (("departments", "communes"), "Sở Nội vụ", (), None, "H1", "10/6", "before"),
        (("departments", "communes"), "Sở Nội vụ", (), None, "Y", "10/12", "before"),
    ]


def test_a_report_said_twice_is_one_item():
    text = (
        "1. Bộ Khoa học và Công nghệ\n- Chủ trì thực hiện Chương trình; định kỳ hằng năm báo cáo Thủ tướng Chính "
        "phủ.\n2. Bộ Khoa học và Công nghệ tổng hợp, báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 01 của năm "
        "tiếp theo."
    )
    assert items_of(text, Level.NATIONAL) == [
        (("Bộ Khoa học và Công nghệ",), "Thủ tướng Chính phủ", (), None, "Y", "30/1", "before")
    ]


def test_post_2025_names_and_groups():
    assert [k for *_, k in find_groups("UBND các xã, phường, đặc khu")] == ["communes"]
    parties = [
        p.name
        for p in find_parties(
            "Sở Nông nghiệp và Môi trường, Sở Dân tộc và Tôn giáo, Bộ Nông nghiệp và Môi trường, Bộ Khoa học và Công "
            "nghệ (Cục Viễn thông), Văn phòng Chính phủ, UBND các tỉnh, thành phố trực thuộc Trung ương và các bộ, ngành"
        )
    ]
    assert parties == [
        "Sở Nông nghiệp và Môi trường",
        "Sở Dân tộc và Tôn giáo",
        "Bộ Nông nghiệp và Môi trường",
        "Bộ Khoa học và Công nghệ",
        "Cục Viễn thông",
        "Văn phòng Chính phủ",
        "provinces",
        "ministries",
    ]
    # "các địa phương": a 2025 province's communes (districts are gone), a national text's provinces.
    assert [p.name for p in find_parties("các sở, ngành, các địa phương", modern=True)] == ["departments", "communes"]
    assert [p.name for p in find_parties("các sở, ngành, các địa phương")] == ["departments", "districts"]
    assert [p.name for p in find_parties("Các bộ, ngành, địa phương", Level.NATIONAL)] == ["ministries", "provinces"]


def test_periods_listed_before_dates_pair_in_order_and_a_day_shared_by_two_months():
    assert one("Các sở, ngành định kỳ 6 tháng, hằng năm báo cáo Sở Nội vụ trước ngày 15/6 và 15/12.") == [
        ("H1", "15/6", "before"),
        ("Y", "15/12", "before"),
    ]
    assert one(
        "Các sở, ngành định kỳ 6 tháng và hằng năm báo cáo UBND tỉnh (qua Sở Nội vụ) trước ngày 20 tháng 6 và tháng 12."
    ) == [("H1", "20/6", "before"), ("Y", "20/12", "before")]


def test_a_day_of_the_month_after_the_period():
    items = find_items("UBND các xã, phường báo cáo quý về Sở Tài chính trước ngày 05 của tháng đầu quý sau.")
    assert [(i.period, str(i.date), i.months_after) for i in items] == [("Q", "5", 1)]


def test_a_sentence_that_starts_with_its_verb_reports_for_its_heading():
    text = (
        "3. Bộ trưởng Bộ Tài chính tập trung chỉ đạo thực hiện một số nhiệm vụ sau:\n"
        "3.1. Khẩn trương tổng kết việc thực hiện Chỉ thị số 30/CT-TTg theo chỉ đạo của Phó Thủ tướng Chính phủ - "
        "Trưởng Ban Chỉ đạo 389 quốc gia; báo cáo Thủ tướng Chính phủ trước ngày 30 tháng 11 năm 2025.\n"
        "3.2. Khẩn trương tiến hành sơ kết 6 tháng việc thực hiện Chỉ thị số 13/CT-TTg; báo cáo Thủ tướng Chính phủ "
        "kết quả trước ngày 30 tháng 11 năm 2025."
    )
    assert (
        items_of(text, Level.NATIONAL)
        == [(("Bộ Tài chính",), "Thủ tướng Chính phủ", (), None, "once", "30/11/2025", "before")] * 2
    )


def test_a_numbered_paragraphs_agency_holds_for_its_lettered_items():
    text = (
        "3. Sở Văn hóa, Thể thao và Du lịch a. Chủ trì hướng dẫn thực hiện Quy định.\n"
        "b. Phối hợp kiểm tra việc thực hiện.\nc. Chủ trì tuyên truyền. Định kỳ báo cáo Uỷ ban nhân dân tỉnh về kết "
        "quả thực hiện."
    )
    assert items_of(text) == [
        (("Sở Văn hóa, Thể thao và Du lịch",), "Uỷ ban nhân dân tỉnh", (), None, "periodic", None, None)
    ]


def test_a_letters_next_sentence_takes_the_parties_of_the_one_before():
    text = (
        "Kính gửi: Các doanh nghiệp cho thuê lại lao động trên địa bàn Thành phố\n"
        "- Thực hiện báo cáo định kỳ 6 tháng, hằng năm tình hình hoạt động gửi Chủ tịch Ủy ban nhân dân cấp tỉnh, "
        "Sở Nội vụ. Báo cáo 6 tháng gửi trước ngày 20 tháng 6 và báo cáo năm gửi trước ngày 20 tháng 12."
    )
    reporters = ("doanh nghiệp cho thuê lại lao động trên địa bàn Thành phố",)
    assert items_of(text) == [
        (reporters, "Ủy ban nhân dân cấp tỉnh", ("Sở Nội vụ",), None, "H1", "20/6", "before"),
        (reporters, "Ủy ban nhân dân cấp tỉnh", ("Sở Nội vụ",), None, "Y", "20/12", "before"),
    ]


def test_the_issuers_own_report_is_not_an_obligation():
    assert (
        find_items(
            "Sở Tài chính chủ trì tổng hợp giá thị trường để tham mưu UBND tỉnh báo cáo giá thị trường "
            "đột xuất trình Chính phủ khi có yêu cầu."
        )
        == []
    )
    assert items_of(
        "Sở Tài chính tổng hợp báo cáo UBND Thành phố trước ngày 30 tháng 01 hằng năm để báo cáo Ban "
        "Thường vụ Thành ủy."
    ) == [(("Sở Tài chính",), "UBND Thành phố", (), None, "Y", "30/1", "before")]


def test_the_addressees_line_is_never_joined_with_the_letter():
    raw = (
        "Kính gửi: Các Doanh nghiệp hoạt động cho thuê lại lao động trên địa bàn Thành phố Hồ Chí Minh\n"
        "Thực hiện quy định của Bộ luật Lao động, Sở Nội vụ đề nghị các doanh nghiệp thực hiện như sau"
    )
    assert clean(raw) == raw


def test_a_plan_is_read_as_post_2025_by_its_date_of_issue():
    from dondoc.importer.clauses import is_modern

    assert is_modern("UBND TỈNH X\nX, ngày 21 tháng 11 năm 2025\nKẾ HOẠCH")
    assert not is_modern(
        "UBND TỈNH X\nX, ngày 10 tháng 3 năm 2021\nKẾ HOẠCH giai đoạn 2021-2025, tầm nhìn đến năm 2025"
    )
    assert not is_modern("X, ngày 15 tháng 5 năm 2025\nUBND các huyện báo cáo")  # districts still existed
    assert is_modern("Kính gửi: UBND các xã, phường, đặc khu")


# Rules added after measuring the importer on the fresh texts (tests/data/plans/fresh): each by the grammar of
# reporting clauses, tried here on sentences of our own.


def test_a_period_word_of_another_verb_is_not_the_reports():
    text = (
        "Sở Tài chính chủ trì, hằng năm bố trí kinh phí cho các hoạt động của Đề án, định kỳ báo cáo "
        "UBND tỉnh kết quả thực hiện."
    )
    assert items_of(text) == [(("Sở Tài chính",), "UBND tỉnh", (), None, "periodic", None, None)]
    # the period stays the report's when the reporting part names none
    assert [i.period for i in find_items("Các sở, ngành hằng năm tổ chức đánh giá, báo cáo UBND tỉnh kết quả.")] == [
        "Y"
    ]


def test_the_owners_of_a_report_are_its_reporters():
    text = "Nội dung này là bắt buộc trong báo cáo hằng quý của các sở, ban, ngành và UBND các huyện gửi UBND tỉnh."
    assert items_of(text) == [(("departments", "districts"), "UBND tỉnh", (), None, "Q", None, None)]


def test_a_report_within_a_named_quarter_is_a_one_off_without_a_day():
    items = find_items("Sở Công Thương xây dựng đề án, báo cáo UBND tỉnh trong quý II năm 2027.")
    assert [(i.period, i.date, i.recipient) for i in items] == [("once", None, "UBND tỉnh")]
    assert items[0].review


def test_the_months_of_a_named_period_are_not_a_yearly_report():
    text = "Các doanh nghiệp báo cáo Sở Xây dựng theo định kỳ 6 tháng một lần (tháng 01 và tháng 7 hằng năm)."
    assert [i.period for i in find_items(text)] == ["H1"]


def test_two_units_joined_by_va_and_a_ministrys_own_leadership():
    assert [
        p.name
        for p in find_parties("gửi về Văn phòng Bộ, Vụ Tài chính và Vụ Hợp tác quốc tế để tổng hợp báo cáo Bộ trưởng")
    ] == ["Văn phòng Bộ", "Vụ Tài chính", "Vụ Hợp tác quốc tế", "Bộ trưởng"]
    assert [p.name for p in find_parties("Vụ Khoa học và Công nghệ báo cáo Lãnh đạo Bộ")] == [
        "Vụ Khoa học và Công nghệ",
        "Lãnh đạo Bộ",
    ]
    assert [p.name for p in find_parties("Bộ trưởng Bộ Xây dựng")] == ["Bộ Xây dựng"]


def test_a_date_after_the_onward_report_is_the_reporters_when_the_onward_one_has_its_own():
    text = (
        "1. Sở Nội vụ báo cáo UBND tỉnh kết quả thực hiện hằng năm trước ngày 20 tháng 12.\n"
        "2. Các sở, ngành hằng năm gửi báo cáo về Sở Nội vụ tổng hợp báo cáo UBND tỉnh trước ngày 30 tháng 11."
    )
    items = find_items(text)
    assert [(tuple(i.reporters), i.recipient, i.period, str(i.date)) for i in items] == [
        (("Sở Nội vụ",), "UBND tỉnh", "Y", "20/12"),
        (("departments",), "Sở Nội vụ", "Y", "30/11"),
    ]
    assert any("its own date elsewhere" in note for note in items[1].review)
    # without a date of its own elsewhere, the date stays the onward report's (the issue's rule)
    alone = find_items(text.split("\n")[1])
    assert [(tuple(i.reporters), str(i.date)) for i in alone][-1] == (("Sở Nội vụ",), "30/11")


def test_what_a_report_contains_is_not_an_obligation():
    assert find_items("Nội dung báo cáo hằng năm của các sở, ngành gồm kết quả thực hiện các chỉ tiêu.") == []

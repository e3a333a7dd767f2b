"""The importer on texts of our own in the general forms of reporting clauses: the Circulars' block form, plural
units as reporters, ad-hoc reports, names cut at a dash. Every text here is fictitious and written for the test."""

from __future__ import annotations

from dondoc.importer import find_items
from dondoc.importer.blocks import AD_HOC_NOTE, find_blocks, issuer_of
from dondoc.model import Level
from tests.support.importer import items_of

CIRCULAR = """Điều 5. Báo cáo định kỳ
1. Báo cáo tháng
a) Cơ quan thực hiện báo cáo: Các Vụ, Cục, đơn vị thuộc Bộ.
b) Cơ quan nhận báo cáo: Bộ Xây dựng (qua Văn phòng Bộ).
c) Thời gian chốt số liệu: từ ngày 15 tháng trước đến ngày 14 của tháng báo cáo.
d) Thời gian gửi báo cáo: trước ngày 18 hằng tháng.
2. Báo cáo quý
a) Cơ quan thực hiện báo cáo: Các Vụ, Cục, đơn vị thuộc Bộ; Sở Xây dựng các tỉnh, thành phố trực thuộc Trung ương.
b) Cơ quan nhận báo cáo: Bộ Xây dựng (qua Văn phòng Bộ).
c) Thời gian chốt số liệu: từ ngày 15 của tháng trước kỳ báo cáo đến ngày 14 của tháng cuối quý.
d) Thời gian gửi báo cáo: chậm nhất ngày 20 của tháng cuối quý.
3. Báo cáo 6 tháng
a) Cơ quan thực hiện báo cáo: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.
b) Cơ quan nhận báo cáo: Bộ Xây dựng.
c) Thời gian chốt số liệu: từ ngày 15/12 năm trước đến ngày 14/6.
d) Thời gian gửi báo cáo: trước ngày 20/6 hằng năm.
4. Báo cáo năm
a) Cơ quan thực hiện báo cáo: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.
b) Thời gian chốt số liệu: từ ngày 15/12 năm trước đến ngày 14/12 năm báo cáo.
c) Thời gian gửi báo cáo: trước ngày 20 tháng 12 hằng năm.
Điều 6. Báo cáo đột xuất
Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương báo cáo đột xuất khi có sự cố công trình.
Điều 7. Hiệu lực thi hành
Thông tư này có hiệu lực từ ngày 01/3/2026."""


def test_a_circulars_blocks_give_one_obligation_each_with_the_fields_spread_over_its_letters():
    units, provinces = "Các Vụ, Cục, đơn vị thuộc Bộ", "provinces"
    assert items_of(CIRCULAR) == [
        ((units,), "Bộ Xây dựng", (), "Văn phòng Bộ", "M", "18", "before"),
        ((units, "Sở Xây dựng", provinces), "Bộ Xây dựng", (), "Văn phòng Bộ", "Q", "20", "by"),
        ((provinces,), "Bộ Xây dựng", (), None, "H1", "20/6", "before"),
        ((provinces,), "Bộ Xây dựng", (), None, "Y", "20/12", "before"),
        ((provinces,), "Bộ Xây dựng", (), None, "ad-hoc", None, None),
    ]


def test_data_cut_offs_are_never_deadlines():
    dates = {str(i.date) for i in find_items(CIRCULAR, Level.NATIONAL) if i.date}
    assert dates == {"18", "20", "20/6", "20/12"}  # not 14, 14/6, 14/12, 15/12 (the cut-offs)


def test_a_field_the_block_leaves_out_is_borrowed_and_said():
    year = find_items(CIRCULAR, Level.NATIONAL)[3]
    assert year.recipient == "Bộ Xây dựng"
    assert any("names no recipient: read from the block before it" in note for note in year.review)


def test_an_ad_hoc_block_is_undated_and_flagged_never_given_a_date():
    ad_hoc = find_items(CIRCULAR, Level.NATIONAL)[-1]
    assert (ad_hoc.period, ad_hoc.date, ad_hoc.rule) == ("ad-hoc", None, None)
    assert AD_HOC_NOTE in ad_hoc.review


def test_a_list_of_report_kinds_is_not_a_block():
    text = (
        "Điều 3. Các loại báo cáo\n1. Báo cáo tháng;\n2. Báo cáo năm;\n3. Báo cáo đột xuất.\n"
        "Điều 4. Báo cáo năm\n1. Bộ Công Thương báo cáo Chính phủ trước ngày 25 tháng 12."
    )
    assert [b.heading for b in find_blocks(text)] == []
    assert items_of(text) == [(("Bộ Công Thương",), "Chính phủ", (), None, "Y", "25/12", "before")]


def test_a_block_with_several_dates_pairs_them_with_their_periods():
    text = (
        "1. Báo cáo định kỳ\na) Đơn vị thực hiện: Sở Tài chính các tỉnh, thành phố trực thuộc Trung ương.\n"
        "b) Đơn vị nhận báo cáo: Cục Quản lý giá.\n"
        "c) Thời hạn gửi báo cáo: báo cáo 6 tháng trước ngày 10/7; báo cáo năm trước ngày 15/01 năm sau."
    )
    assert [(i.period, str(i.date), i.recipient) for i in find_items(text, Level.NATIONAL)] == [
        ("H1", "10/7", "Cục Quản lý giá"),
        ("Y", "15/1", "Cục Quản lý giá"),
    ]


def test_a_monthly_block_with_a_bare_day():
    text = (
        "2. Báo cáo tháng\n- Cơ quan thực hiện: UBND các xã, phường, đặc khu.\n- Cơ quan nhận báo cáo: Sở Nội vụ.\n"
        "- Thời gian gửi báo cáo: trước ngày 22."
    )
    assert items_of(text, Level.PROVINCE) == [(("communes",), "Sở Nội vụ", (), None, "M", "22", "before")]


def test_the_issuer_of_a_circular_receives_what_its_regime_sends_to_no_one_named():
    text = (
        "Bộ Khoa học và Công nghệ ban hành Thông tư quy định chế độ báo cáo thống kê.\n"
        "Điều 8. Báo cáo năm\n1. Cơ quan thực hiện: Sở Khoa học và Công nghệ các tỉnh.\n"
        "2. Thời hạn gửi báo cáo: trước ngày 31 tháng 01 năm sau."
    )
    assert issuer_of(text) == "Bộ Khoa học và Công nghệ"
    items = find_items(text, Level.NATIONAL)
    assert [(i.reporters, i.recipient, i.period, str(i.date)) for i in items] == [
        (["Sở Khoa học và Công nghệ"], "Bộ Khoa học và Công nghệ", "Y", "31/1")
    ]
    assert any("the body that issues the text" in note for note in items[0].review)


def test_plural_units_of_a_ministry_are_reporters_as_written():
    text = "Các Vụ, Cục, đơn vị thuộc Bộ gửi báo cáo năm về Văn phòng Bộ trước ngày 05 tháng 12 hằng năm."
    assert items_of(text) == [(("Các Vụ, Cục, đơn vị thuộc Bộ",), "Văn phòng Bộ", (), None, "Y", "5/12", "before")]


def test_a_name_ends_at_the_dash_that_says_what_the_body_is():
    text = (
        "Các sở, ban, ngành gửi báo cáo 6 tháng về Sở Y tế - cơ quan thường trực Ban Chỉ đạo tỉnh trước ngày "
        "10/6 hằng năm."
    )
    assert items_of(text, Level.PROVINCE) == [(("departments",), "Sở Y tế", (), None, "H1", "10/6", "before")]


def test_reports_asked_for_when_needed_are_ad_hoc_and_undated():
    text = "UBND các xã, phường báo cáo kết quả về Sở Tư pháp khi có yêu cầu."
    items = find_items(text, Level.PROVINCE)
    assert [(i.reporters, i.recipient, i.period, i.date) for i in items] == [
        (["communes"], "Sở Tư pháp", "ad-hoc", None)
    ]
    assert AD_HOC_NOTE in items[0].review


def test_a_unit_whose_name_ends_in_a_verb_like_word_keeps_it():
    text = (
        "3. Ủy ban nhân dân các xã, phường, đặc khu\n- Xây dựng kế hoạch triển khai tại địa phương.\n"
        "- Định kỳ 6 tháng (trước ngày 05/6), hằng năm (trước ngày 05/12) báo cáo kết quả về Công an tỉnh (qua "
        "Phòng Tham mưu) để tổng hợp."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("communes",), "Công an tỉnh", (), "Phòng Tham mưu", "H1", "5/6", "before"),
        (("communes",), "Công an tỉnh", (), "Phòng Tham mưu", "Y", "5/12", "before"),
    ]


def test_a_day_of_the_first_month_of_the_next_quarter():
    items = find_items("UBND các xã, phường báo cáo Sở Nội vụ trước ngày 15 tháng đầu của quý tiếp theo.")
    assert [(i.period, str(i.date), i.months_after) for i in items] == [("Q", "15", 1)]


def test_the_reporting_clause_after_a_semicolon_has_its_own_subject():
    text = (
        "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp triển khai; Sở Giáo dục và Đào tạo gửi báo cáo về "
        "UBND tỉnh từ ngày 01 đến ngày 05 tháng 12 hằng năm."
    )
    assert items_of(text, Level.PROVINCE) == [(("Sở Giáo dục và Đào tạo",), "UBND tỉnh", (), None, "Y", "5/12", "by")]


PROVINCIAL_REGIME = """II. CHẾ ĐỘ BÁO CÁO
1. Báo cáo định kỳ
- Cơ quan thực hiện báo cáo: Các sở, ban, ngành tỉnh; UBND các xã, phường.
- Cơ quan nhận báo cáo: Sở Nội vụ.
- Thời gian chốt số liệu: tính từ ngày 15 tháng 12 năm trước đến ngày 14 tháng 6 (báo cáo 6 tháng) và đến ngày 14 \
tháng 12 (báo cáo năm).
- Thời gian gửi báo cáo: báo cáo 6 tháng gửi trước ngày 18 tháng 6; báo cáo năm gửi trước ngày 18 tháng 12.
2. Báo cáo đột xuất: thực hiện theo yêu cầu của Ủy ban nhân dân tỉnh."""


def test_a_provincial_regime_with_an_inline_ad_hoc_item():
    reporters = ("departments", "communes")
    assert items_of(PROVINCIAL_REGIME, Level.PROVINCE) == [
        (reporters, "Sở Nội vụ", (), None, "H1", "18/6", "before"),
        (reporters, "Sở Nội vụ", (), None, "Y", "18/12", "before"),
        (reporters, "Ủy ban nhân dân tỉnh", (), None, "ad-hoc", None, None),
    ]
    ad_hoc = find_items(PROVINCIAL_REGIME, Level.PROVINCE)[-1]
    assert any("no reporter: read from the block before it" in note for note in ad_hoc.review)


def test_other_wordings_of_the_fields():
    text = (
        "Điều 4. Chế độ báo cáo\n1. Báo cáo 6 tháng\na) Đơn vị báo cáo: Sở Tài chính; Sở Kế hoạch và Đầu tư.\n"
        "b) Đơn vị nhận báo cáo: Ủy ban nhân dân tỉnh (qua Văn phòng Ủy ban nhân dân tỉnh).\n"
        "c) Thời hạn nhận báo cáo: chậm nhất ngày 15 tháng 7 hằng năm."
    )
    assert items_of(text, Level.PROVINCE) == [
        (
            ("Sở Tài chính", "Sở Kế hoạch và Đầu tư"),
            "Ủy ban nhân dân tỉnh",
            (),
            "Văn phòng Ủy ban nhân dân tỉnh",
            "H1",
            "15/7",
            "by",
        )
    ]


def test_what_a_body_is_after_a_dash_names_no_other_body():
    text = (
        "3. Báo cáo quý\na) Cơ quan thực hiện: Sở Y tế - cơ quan thường trực Ban Chỉ đạo.\n"
        "b) Cơ quan nhận báo cáo: Bộ Y tế - cơ quan thường trực Ban Chỉ đạo quốc gia.\n"
        "c) Thời hạn gửi báo cáo: trước ngày 20 của tháng cuối quý."
    )
    assert items_of(text, Level.PROVINCE) == [(("Sở Y tế",), "Bộ Y tế", (), None, "Q", "20", "before")]


def test_an_article_on_reports_asked_for_reads_its_reporters_and_who_asks():
    text = (
        "Điều 10. Báo cáo theo yêu cầu\nNgoài báo cáo định kỳ, các cơ quan, đơn vị có trách nhiệm báo cáo đột "
        "xuất khi có yêu cầu của Sở Tư pháp."
    )
    assert items_of(text, Level.PROVINCE) == [(("departments",), "Sở Tư pháp", (), None, "ad-hoc", None, None)]


def test_the_coordinators_advice_to_the_province_does_not_hide_the_reporters_report():
    text = (
        "Định kỳ hằng năm (trước ngày 15/11) hoặc đột xuất (khi có yêu cầu), các cơ quan, đơn vị báo cáo kết quả "
        "thực hiện về Sở Nội vụ để tổng hợp, tham mưu UBND tỉnh báo cáo Bộ Nội vụ."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments",), "Sở Nội vụ", (), None, "Y", "15/11", "before"),
        (("departments",), "Sở Nội vụ", (), None, "ad-hoc", None, None),
    ]


def test_monthly_and_quarterly_days_written_other_ways():
    assert [
        (i.period, str(i.date), i.rule.value)
        for i in find_items("UBND các xã, phường báo cáo Sở Nội vụ định kỳ hằng tháng, chậm nhất vào ngày 22.")
    ] == [("M", "22", "by")]
    assert [
        (i.period, str(i.date), i.rule.value)
        for i in find_items("Các sở, ngành báo cáo quý về Sở Tài chính trước ngày 15 tháng 3, 6, 9 và 12.")
    ] == [("Q", "15", "before")]


def test_a_yearly_report_due_within_a_month_is_yearly_and_asks_for_its_day():
    items = find_items("Các sở, ngành báo cáo Sở Nội vụ trong tháng 12 hằng năm.")
    assert [(i.reporters, i.recipient, i.period, i.date) for i in items] == [(["departments"], "Sở Nội vụ", "Y", None)]
    assert any("writes no date" in note for note in items[0].review)


DECREE_09_FORM = """Điều 5. Báo cáo tình hình thực hiện chính sách hỗ trợ phát triển sản xuất nông nghiệp trên địa bàn \
tỉnh
1. Tên báo cáo: Báo cáo tình hình thực hiện chính sách hỗ trợ phát triển sản xuất nông nghiệp.
2. Nội dung yêu cầu báo cáo: Kết quả thực hiện chính sách trong kỳ.
3. Đối tượng thực hiện báo cáo: Ủy ban nhân dân các xã, phường.
4. Cơ quan nhận báo cáo: Sở Nông nghiệp và Môi trường.
5. Tần suất thực hiện báo cáo: Định kỳ 6 tháng và hằng năm.
6. Thời gian chốt số liệu báo cáo: Theo quy định tại Điều 12 Nghị định số 09/2019/NĐ-CP.
7. Thời hạn gửi báo cáo: Chậm nhất ngày 20 của tháng cuối kỳ báo cáo.
8. Mẫu đề cương báo cáo: Theo Phụ lục I.
Điều 6. Báo cáo công tác cải cách hành chính
1. Đối tượng thực hiện báo cáo: Các sở, ban, ngành; Ủy ban nhân dân các xã, phường.
2. Cơ quan nhận báo cáo: Ủy ban nhân dân tỉnh (qua Sở Nội vụ).
3. Tần suất thực hiện báo cáo: Hằng quý, 6 tháng, hằng năm.
4. Thời gian chốt số liệu báo cáo: Báo cáo quý: từ ngày 15 tháng trước đến ngày 14 của tháng cuối quý; báo cáo 6 \
tháng: từ ngày 15/12 năm trước đến ngày 14/6; báo cáo năm: từ ngày 15/12 năm trước đến ngày 14/12.
5. Thời hạn gửi báo cáo: Báo cáo quý gửi trước ngày 18 của tháng cuối quý; báo cáo 6 tháng gửi trước ngày 18/6; \
báo cáo năm gửi trước ngày 18/12."""


def test_the_standard_fields_of_a_periodic_report_regime_with_its_frequency():
    """The fields every regime lists since Nghị định 09/2019 (Đối tượng thực hiện, Cơ quan nhận, Tần suất, Thời gian
    chốt số liệu, Thời hạn gửi): "the last month of the period" is 6 for the 6-month report and 12 for the year."""
    communes, both = ("communes",), ("departments", "communes")
    assert items_of(DECREE_09_FORM, Level.PROVINCE) == [
        (communes, "Sở Nông nghiệp và Môi trường", (), None, "H1", "20/6", "by"),
        (communes, "Sở Nông nghiệp và Môi trường", (), None, "Y", "20/12", "by"),
        (both, "Ủy ban nhân dân tỉnh", (), "Sở Nội vụ", "Q", "18", "before"),
        (both, "Ủy ban nhân dân tỉnh", (), "Sở Nội vụ", "H1", "18/6", "before"),
        (both, "Ủy ban nhân dân tỉnh", (), "Sở Nội vụ", "Y", "18/12", "before"),
    ]


def test_the_subject_of_a_paragraphs_first_sentence_reports_in_the_next():
    text = (
        "Các sở, ban, ngành, UBND các xã, phường chủ động triển khai thực hiện. Định kỳ trước ngày 25/11 hằng năm, "
        "gửi báo cáo kết quả về Sở Khoa học và Công nghệ để tổng hợp, báo cáo UBND tỉnh trước ngày 10/12."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Khoa học và Công nghệ", (), None, "Y", "25/11", "before"),
        (("Sở Khoa học và Công nghệ",), "UBND tỉnh", (), None, "Y", "10/12", "before"),
    ]


def test_days_set_against_the_period_reported_on():
    text = (
        "Các sở, ban, ngành gửi báo cáo về Sở Tài chính trước ngày 01 của tháng tiếp theo sau tháng kỳ báo cáo đối "
        "với báo cáo tháng và trước ngày 03 của tháng tiếp theo sau tháng cuối cùng của kỳ báo cáo đối với báo cáo "
        "quý, 6 tháng và cả năm."
    )
    assert [(i.period, str(i.date), i.months_after) for i in find_items(text)] == [
        ("M", "1", 1),
        ("Q", "3", 1),
        ("H1", "3/7", 0),
        ("Y", "3/1", 0),
    ]


def test_a_lower_case_part_after_a_dash_is_the_names_unless_it_says_what_the_body_is():
    from dondoc.importer.parties import find_parties

    assert [
        p.name for p in find_parties("Vụ Pháp luật dân sự - kinh tế có trách nhiệm báo cáo Lãnh đạo Bộ", Level.NATIONAL)
    ] == ["Vụ Pháp luật dân sự - kinh tế", "Lãnh đạo Bộ"]
    apposition = find_parties("Cục Quản lý giá - cơ quan thường trực", Level.NATIONAL)
    assert [p.name for p in apposition] == ["Cục Quản lý giá"]


def test_a_report_on_request_is_ad_hoc_but_not_a_report_as_a_letter_requires():
    assert items_of("Sở Y tế báo cáo theo yêu cầu của UBND tỉnh.", Level.PROVINCE) == [
        (("Sở Y tế",), "UBND tỉnh", (), None, "ad-hoc", None, None)
    ]
    assert items_of(
        "Các sở, ngành báo cáo theo yêu cầu tại Công văn số 12/UBND-KT về UBND tỉnh trước ngày 10/10/2026.",
        Level.PROVINCE,
    ) == [(("departments",), "UBND tỉnh", (), None, "once", "10/10/2026", "before")]


def test_fields_without_list_marks():
    text = (
        "Điều 8. Báo cáo năm\nĐối tượng thực hiện báo cáo: Ủy ban nhân dân các xã, phường.\n"
        "Cơ quan nhận báo cáo: Sở Văn hóa, Thể thao và Du lịch.\nThời hạn gửi báo cáo: trước ngày 05 tháng 12."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("communes",), "Sở Văn hóa, Thể thao và Du lịch", (), None, "Y", "5/12", "before")
    ]


def test_a_plans_reporting_section_written_as_fields():
    text = (
        "V. CHẾ ĐỘ THÔNG TIN, BÁO CÁO\n- Cơ quan thực hiện báo cáo: Các sở, ban, ngành; UBND các xã, phường.\n"
        "- Cơ quan nhận báo cáo: Sở Công Thương.\n- Thời hạn gửi báo cáo: trước ngày 10/12 hằng năm."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Công Thương", (), None, "Y", "10/12", "before")
    ]


def test_a_sending_field_after_a_sentence_that_names_the_parties_is_that_sentences():
    text = (
        "V. CHẾ ĐỘ BÁO CÁO\n1. Các sở, ban, ngành, UBND các xã, phường báo cáo kết quả thực hiện Kế hoạch về Sở "
        "Nội vụ.\n2. Thời gian gửi báo cáo: Báo cáo 6 tháng trước ngày 15/6, báo cáo năm trước ngày 15/12."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Nội vụ", (), None, "H1", "15/6", "before"),
        (("departments", "communes"), "Sở Nội vụ", (), None, "Y", "15/12", "before"),
    ]


def test_a_lettered_items_subject_holds_for_the_paragraphs_that_go_on_with_it():
    text = (
        "1. Lập danh mục đề án trình Ủy ban nhân dân tỉnh:\n"
        "a) Thủ trưởng các sở, ban, ngành phải tuân thủ đúng thời gian đề xuất đề án.\n"
        "Danh mục đề án của năm sau phải gửi về Văn phòng Ủy ban nhân dân tỉnh trước ngày 01 tháng 12 hằng năm.\n"
        "b) Sở Tư pháp thẩm định danh mục."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments",), "Văn phòng Ủy ban nhân dân tỉnh", (), None, "Y", "1/12", "before")
    ]

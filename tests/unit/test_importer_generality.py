"""The importer on forms met in the unseen 2025 texts (tests/data/plans/unseen2026), written here as sentences of our
own: one-off reports due within a month or a quarter, state groups and a steering committee's members as parties,
the subject of a "functions" regulation, windows and relative deadlines. Every text here is fictitious."""

from __future__ import annotations

from dondoc.importer import find_items
from dondoc.importer.agencies import canonical
from dondoc.importer.clauses import NO_DATE, sentences
from dondoc.model import Level
from tests.support.importer import items_of


def test_one_off_reports_due_within_a_month_or_a_quarter_are_each_their_own():
    text = (
        "1. Về quỹ đất: Ủy ban nhân dân tỉnh Gia Lai rà soát quy hoạch, báo cáo Thủ tướng Chính phủ kết quả thực hiện "
        "trong tháng 12 năm 2026.\n"
        "2. Về vốn đầu tư: Ủy ban nhân dân tỉnh Gia Lai giải ngân hết số vốn, báo cáo Thủ tướng Chính phủ kết quả thực "
        "hiện trong Quý I năm 2027.\n"
        "3. Về tuyến đường: Ủy ban nhân dân tỉnh Gia Lai khẩn trương báo cáo Thủ tướng Chính phủ trước ngày 01 "
        "tháng 12 năm 2026.\n"
        "4. Sở Văn hóa, Thể thao và Du lịch hoàn thành, báo cáo kết quả Ủy ban nhân dân tỉnh (qua Công an tỉnh) trong "
        "tháng 11/2026."
    )
    found = items_of(text)
    gia_lai = [i for i in found if i[0] == ("Ủy ban nhân dân tỉnh Gia Lai",)]
    assert [(i[1], i[4], i[5]) for i in gia_lai] == [
        ("Thủ tướng Chính phủ", "once", None),
        ("Thủ tướng Chính phủ", "once", None),
        ("Thủ tướng Chính phủ", "once", "1/12/2026"),
    ]
    assert (("Sở Văn hóa, Thể thao và Du lịch",), "once", "Công an tỉnh") in [(i[0], i[4], i[3]) for i in found]
    items = find_items(text, Level.NATIONAL)
    assert all(any("no date" in note for note in i.review) for i in items if i.date is None)


def test_state_groups_and_a_steering_committees_members_are_parties():
    text = (
        "Giao Tập đoàn Dầu khí Quốc gia Việt Nam làm việc với các nhà đầu tư, báo cáo Thủ tướng Chính phủ trong tháng "
        "3 năm 2026.\n"
        "Điều 9. Báo cáo định kỳ\n"
        "1. Thành viên Ban Chỉ đạo định kỳ 06 tháng (trước ngày 20 tháng 6 hằng năm) báo cáo Ban Chỉ đạo về kết quả "
        "thực hiện nhiệm vụ (qua Văn phòng Ban Chỉ đạo).\n"
        "2. Định kỳ trước ngày 31 tháng 12 hằng năm, Văn phòng Ban Chỉ đạo tổng hợp báo cáo của các thành viên, gửi Bộ "
        "Nội vụ."
    )
    assert items_of(text) == [
        (("Tập đoàn Dầu khí Quốc gia Việt Nam",), "Thủ tướng Chính phủ", (), None, "once", None, None),
        (("Thành viên Ban Chỉ đạo",), "Ban Chỉ đạo", (), "Văn phòng Ban Chỉ đạo", "H1", "20/6", "before"),
        (("Văn phòng Ban Chỉ đạo",), "Bộ Nội vụ", (), None, "Y", "31/12", "before"),
    ]


def test_the_body_a_functions_regulation_is_about_reports_where_a_duty_names_nobody():
    text = (
        "QUY ĐỊNH CHỨC NĂNG, NHIỆM VỤ, QUYỀN HẠN VÀ CƠ CẤU TỔ CHỨC CỦA SỞ XÂY DỰNG ỦY BAN NHÂN DÂN TỈNH\n"
        "Điều 1. Vị trí và chức năng\n"
        "1. Sở Xây dựng là cơ quan chuyên môn thuộc Ủy ban nhân dân tỉnh.\n"
        "Điều 2. Nhiệm vụ và quyền hạn\n"
        "a) Định kỳ hằng quý, báo cáo Ủy ban nhân dân tỉnh, đồng thời gửi Bộ Xây dựng về tình hình thực hiện nhiệm vụ."
    )
    assert [(i[0], i[1], i[4]) for i in items_of(text, Level.PROVINCE)] == [
        (("Sở Xây dựng",), "Ủy ban nhân dân tỉnh", "Q")
    ]
    (item,) = find_items(text, Level.PROVINCE)
    assert any("functions" in note for note in item.review)


def test_a_feasibility_study_report_is_a_document_not_a_report_owed():
    text = (
        "c) Bộ Xây dựng đẩy nhanh tiến độ phê duyệt Báo cáo nghiên cứu khả thi và khởi công dự án mở rộng cao tốc vào "
        "ngày 19 tháng 12 năm 2026."
    )
    assert items_of(text) == []


REGIME_CELLS = """III. CHẾ ĐỘ BÁO CÁO
STT
Tên báo cáo
Cơ quan thực hiện
Cơ quan nhận báo cáo
Kỳ báo cáo
Thời hạn gửi báo cáo
1
Báo cáo tình hình thực hiện Kế hoạch
Các sở, ban, ngành; UBND các xã, phường
Sở Nông nghiệp và Môi trường
Hằng quý
Trước ngày 15 của tháng cuối quý
2
Báo cáo kết quả năm
Sở Nông nghiệp và Môi trường
UBND tỉnh
Hằng năm
Trước ngày 20/12
IV. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính bố trí kinh phí thực hiện Kế hoạch."""

REGIME_ROWS = """2. Chế độ báo cáo
TT | Nội dung báo cáo | Đơn vị thực hiện | Đơn vị nhận báo cáo | Thời hạn gửi | Ghi chú
1 | Báo cáo 6 tháng | UBND các xã, phường, đặc khu | Sở Y tế | Trước ngày 10/6 |
2 | Báo cáo năm | UBND các xã, phường, đặc khu | Sở Y tế | Trước ngày 10/12 |"""


def test_a_regime_written_as_a_table_gives_one_obligation_a_row_in_either_shape():
    from dondoc.importer.text import clean

    assert items_of(clean(REGIME_CELLS), Level.PROVINCE) == [
        (("departments", "communes"), "Sở Nông nghiệp và Môi trường", (), None, "Q", "15", "before"),
        (("Sở Nông nghiệp và Môi trường",), "UBND tỉnh", (), None, "Y", "20/12", "before"),
    ]
    assert items_of(clean(REGIME_ROWS), Level.PROVINCE) == [
        (("communes",), "Sở Y tế", (), None, "H1", "10/6", "before"),
        (("communes",), "Sở Y tế", (), None, "Y", "10/12", "before"),
    ]
    for item in find_items(clean(REGIME_ROWS), Level.PROVINCE):
        assert any("table" in note for note in item.review)
        assert item.quote.startswith(("1 | Báo cáo 6 tháng", "2 | Báo cáo năm"))


def test_a_weekly_report_is_read_as_periodic_and_flagged_for_its_schedule():
    text = (
        "Các sở, ban, ngành và UBND các xã, phường, đặc khu định kỳ hằng tuần (trước 15 giờ ngày thứ Năm) báo cáo "
        "kết quả về Sở Y tế để tổng hợp."
    )
    (item,) = find_items(text, Level.PROVINCE)
    assert (item.period, item.recipient, item.date) == ("periodic", "Sở Y tế", None)
    assert any("weekly or daily" in note for note in item.review)


def test_a_submission_window_is_due_by_its_last_day_and_a_relative_deadline_is_left_undated():
    text = "Các sở, ban, ngành gửi báo cáo về Sở Dân tộc và Tôn giáo từ ngày 05 đến ngày 10 tháng 12 hằng năm."
    assert items_of(text, Level.PROVINCE) == [
        (("departments",), "Sở Dân tộc và Tôn giáo", (), None, "Y", "10/12", "by")
    ]
    relative = "UBND các xã, phường, đặc khu báo cáo Sở Y tế trong vòng 10 ngày kể từ ngày kết thúc đợt kiểm tra."
    (item,) = find_items(relative, Level.PROVINCE)
    assert item.date is None and any("relative" in note for note in item.review)


def test_a_report_to_the_provincial_committee_and_the_ministry_of_public_security_names_both():
    text = "Công an tỉnh chủ trì theo dõi, đôn đốc; định kỳ 6 tháng, năm báo cáo UBND tỉnh và Bộ Công an."
    assert [(i[1], i[2], i[4]) for i in items_of(text, Level.PROVINCE)] == [
        ("UBND tỉnh", ("Bộ Công an",), "H1"),
        ("UBND tỉnh", ("Bộ Công an",), "Y"),
    ]


def test_a_request_for_an_inspection_is_no_ad_hoc_report_and_companies_are_parties():
    text = (
        "4. Công ty Điện lực Gia Lai và các đơn vị bán lẻ điện tổ chức tuyên truyền; khi có yêu cầu của cơ quan có "
        "thẩm quyền thực hiện kiểm tra an toàn hệ thống điện của khách hàng; tổng hợp, báo cáo Ủy ban nhân dân tỉnh "
        "kết quả kiểm tra theo định kỳ hàng năm qua Sở Công Thương."
    )
    assert items_of(text, Level.PROVINCE) == [
        (
            ("Công ty Điện lực Gia Lai", "đơn vị bán lẻ điện"),
            "Ủy ban nhân dân tỉnh",
            (),
            "Sở Công Thương",
            "Y",
            None,
            None,
        )
    ]


def test_a_budget_estimate_sent_for_the_budget_plan_is_no_report():
    text = (
        "1. Liên hiệp các hội Khoa học và Kỹ thuật tỉnh lập dự toán kinh phí, gửi Sở Tài chính tổng hợp vào kế hoạch "
        "ngân sách tỉnh hàng năm, để báo cáo Uỷ ban nhân dân tỉnh trình Hội đồng nhân dân tỉnh phê duyệt."
    )
    assert items_of(text, Level.PROVINCE) == []


def test_daily_reports_of_an_emergency_plan_are_periodic_and_flagged():
    text = (
        "Sở Công Thương tổng hợp nhu cầu, báo cáo UBND tỉnh trước 17h00 hằng ngày và đột xuất khi cần thiết.\n"
        "UBND các xã, phường báo cáo 02 lần/ngày (trước 9h00 và 16h00) về tình hình cấp phát gửi UBND tỉnh (qua Sở "
        "Công Thương)."
    )
    found = find_items(text, Level.PROVINCE)
    assert [(i.reporters, i.period, i.via) for i in found] == [
        (["Sở Công Thương"], "periodic", None),
        (["Sở Công Thương"], "ad-hoc", None),
        (["communes"], "periodic", "Sở Công Thương"),
    ]
    assert all(any("weekly or daily" in note for note in i.review) for i in found if i.period == "periodic")


def test_another_verbs_task_or_a_self_assessment_does_not_take_the_reports_dates():
    plans = (
        "Các sở, ban, ngành tổ chức thực hiện; Ủy ban nhân dân các xã, phường xây dựng kế hoạch cụ thể để triển khai; "
        "định kỳ trước ngày 05/6 và 20/11 hằng năm (hoặc đột xuất khi có yêu cầu) báo cáo kết quả thực hiện về Sở Tài "
        "chính."
    )
    assert [(i[4], i[5]) for i in items_of(plans, Level.PROVINCE)] == [("H1", "5/6"), ("Y", "20/11"), ("ad-hoc", None)]
    scoring = (
        "a) Hằng năm, các cơ quan, đơn vị cấp tỉnh và Ủy ban nhân dân xã, phường xây dựng báo cáo, tiến hành tự chấm "
        "điểm, tự đánh giá xếp loại công tác dân vận tại cơ quan, đơn vị mình và gửi báo cáo về Sở Nội vụ từ ngày 10 "
        "đến ngày 15 tháng 12;"
    )
    assert items_of(scoring, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Nội vụ", (), None, "Y", "15/12", "by")
    ]


def test_a_mid_term_review_in_a_named_year_is_a_one_off_report_without_a_day():
    text = (
        "Sở Y tế tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 30/11 hằng năm. Báo cáo giữa kỳ thực hiện Kế hoạch "
        "(năm 2028) gửi Ủy ban nhân dân tỉnh."
    )
    found = find_items(text, Level.PROVINCE)
    assert [(i.reporters, i.recipient, i.period, str(i.date) if i.date else None) for i in found] == [
        (["Sở Y tế"], "Ủy ban nhân dân tỉnh", "Y", "30/11"),
        (["Sở Y tế"], "Ủy ban nhân dân tỉnh", "once", None),
    ]
    assert any("no date" in note for note in found[1].review)


def test_issues_arising_are_no_ad_hoc_report():
    text = (
        "Văn phòng Chính phủ theo dõi, đôn đốc việc thực hiện Công điện này; kịp thời báo cáo Thủ tướng Chính phủ "
        "những vấn đề đột xuất, phát sinh."
    )
    assert items_of(text) == []


def test_a_subject_after_a_leading_cu_phrase_reports_in_the_next_sentence_and_command_boards_are_parties():
    text = (
        "3. Căn cứ nội dung Kế hoạch và tình hình thực tiễn, các sở, ban, ngành, Ủy ban nhân dân các xã, phường xây "
        "dựng Kế hoạch triển khai trong phạm vi quản lý. Hằng năm báo cáo kết quả thực hiện về Ban Chỉ huy Phòng thủ "
        "dân sự tỉnh qua Văn phòng Ban Chỉ huy Phòng thủ dân sự tỉnh để tổng hợp, báo cáo."
    )
    assert items_of(text, Level.PROVINCE) == [
        (
            ("departments", "communes"),
            "Ban Chỉ huy Phòng thủ dân sự tỉnh",
            (),
            "Văn phòng Ban Chỉ huy Phòng thủ dân sự tỉnh",
            "Y",
            None,
            None,
        )
    ]


def test_a_periodic_report_whose_recipient_the_text_leaves_open_is_drafted_and_says_so():
    text = "Các Trung tâm y tế giám sát tuyến xã và báo cáo hằng ngày."
    (item,) = find_items(text, Level.PROVINCE)
    assert (item.reporters, item.recipient, item.period) == (["Các Trung tâm y tế"], None, "periodic")
    assert any("no recipient" in note for note in item.review)


def test_a_report_to_ones_own_head_or_another_verbs_frequency_is_no_obligation():
    head = "b) Quản trị Hệ thống; định kỳ báo cáo lãnh đạo về tình hình hoạt động của Hệ thống."
    checking = (
        "2. Các sở, ban, ngành kiểm tra hộp thư điện tử ít nhất 02 lần/ngày vào đầu buổi sáng; báo cáo Lãnh đạo "
        "cơ quan các thư điện tử khác gửi đến để kịp thời xử lý."
    )
    assert items_of(head, Level.PROVINCE) == [] and items_of(checking, Level.PROVINCE) == []


def test_a_web_copys_wrapped_headings_and_long_items_are_joined():
    from dondoc.importer.text import clean

    text = (
        "Điều\n14. Trách nhiệm của Sở\nKhoa học và Công nghệ\n"
        "4. Định kỳ hoặc đột xuất báo cáo Ủy ban nhân dân Tỉnh, Bộ Khoa học và Công nghệ về tình hình công tác quản lý "
        "chữ ký số trên địa bàn tỉnh, đồng thời xây dựng kế hoạch của năm tiếp theo cho thuê bao thuộc quyền quản\n"
        "lý theo hướng dẫn của Cục Chứng thực số.\n"
        "Điều\n15. Trách nhiệm của cơ quan, tổ chức quản lý trực tiếp"
    )
    assert clean(text).split("\n")[:2] == [
        "Điều 14. Trách nhiệm của Sở Khoa học và Công nghệ",
        "4. Định kỳ hoặc đột xuất báo cáo Ủy ban nhân dân Tỉnh, Bộ Khoa học và Công nghệ về tình hình công tác quản lý "
        "chữ ký số trên địa bàn tỉnh, đồng thời xây dựng kế hoạch của năm tiếp theo cho thuê bao thuộc quyền quản lý "
        "theo hướng dẫn của Cục Chứng thực số.",
    ]
    found = items_of(clean(text), Level.PROVINCE)
    assert [(i[0], i[4]) for i in found] == [
        (("Sở Khoa học và Công nghệ",), "periodic"),
        (("Sở Khoa học và Công nghệ",), "ad-hoc"),
    ]


def test_the_last_day_to_send_and_the_subject_of_a_request_in_the_sentence_before():
    last_day = (
        "Đề nghị Ủy ban nhân dân phường, xã và đặc khu gửi kết quả đánh giá về Sở Giáo dục và Đào tạo, hạn cuối ngày "
        "15 tháng 12 hàng năm."
    )
    assert items_of(last_day, Level.PROVINCE) == [
        (("communes",), "Sở Giáo dục và Đào tạo", (), None, "Y", "15/12", "by")
    ]
    asked = (
        "Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện. Định kỳ hằng năm (trước ngày 30 tháng 11) "
        "báo cáo kết quả thực hiện về Sở Xây dựng."
    )
    assert items_of(asked, Level.PROVINCE) == [(("departments",), "Sở Xây dựng", (), None, "Y", "30/11", "before")]


def test_a_report_also_asked_for_on_request_after_its_period_is_an_ad_hoc_one_too():
    text = (
        "Điều 20. Chế độ báo cáo\n"
        "1. Ủy ban nhân dân cấp tỉnh có trách nhiệm gửi báo cáo kết quả công tác hằng năm về Bộ Nội vụ trước ngày "
        "31 tháng 01 của năm sau liền kề hoặc theo yêu cầu của cơ quan có thẩm quyền.\n"
        "2. Trung tâm Lưu trữ tỉnh thực hiện chế độ thông tin, báo cáo theo định kỳ và theo yêu cầu của Sở Nội vụ."
    )
    found = {(i[0], i[1], i[4], i[5]) for i in items_of(text)}
    assert (("Ủy ban nhân dân cấp tỉnh",), "Bộ Nội vụ", "Y", "31/1") in found
    assert (("Ủy ban nhân dân cấp tỉnh",), "Bộ Nội vụ", "ad-hoc", None) in found
    assert (("Trung tâm Lưu trữ tỉnh",), "Sở Nội vụ", "periodic", None) in found
    assert (("Trung tâm Lưu trữ tỉnh",), "Sở Nội vụ", "ad-hoc", None) in found


def test_a_list_sent_each_year_or_on_request_is_no_ad_hoc_report_nor_is_a_request_for_a_quick_report():
    text = (
        "1. Các sở, ban, ngành gửi Sở Tài chính danh mục hàng hóa kê khai giá trước ngày 25 tháng 01 hàng năm hoặc "
        "theo yêu cầu của Ủy ban nhân dân tỉnh.\n"
        "2. Các đơn vị điện lực thực hiện báo cáo định kỳ và theo yêu cầu báo cáo nhanh về sự cố gửi Sở Công Thương."
    )
    periods = [i[4] for i in items_of(text, Level.PROVINCE)]
    assert "ad-hoc" not in periods


def test_a_periodic_and_ad_hoc_duty_of_its_own_sentence_stays_beside_the_reports_with_periods():
    text = (
        "Điều 2. Nhiệm vụ và quyền hạn\n"
        "5. Định kỳ hằng quý, năm báo cáo Ủy ban nhân dân tỉnh về tình hình thi hành pháp luật.\n"
        "9. Thực hiện công tác thông tin, báo cáo định kỳ và đột xuất về tình hình thực hiện nhiệm vụ được giao với "
        "Ủy ban nhân dân tỉnh."
    )
    periods = sorted(i[4] for i in items_of("Sở Tư pháp có trách nhiệm:\n" + text, Level.PROVINCE))
    assert periods == ["Q", "Y", "ad-hoc", "periodic"], periods
    restated = "Sở Tư pháp định kỳ hằng quý báo cáo Ủy ban nhân dân tỉnh; định kỳ báo cáo Ủy ban nhân dân tỉnh kết quả."
    assert "periodic" not in [i[4] for i in items_of(restated, Level.PROVINCE)]


def test_a_periodic_or_ad_hoc_duty_whose_recipient_the_text_leaves_open_is_drafted_with_a_review_point():
    """The convention of tests/data/plans/README.md ("Recipient-less duties"): a duty to report, with its reporters
    and a period or "đột xuất", is an obligation even when no recipient is written; it is kept, undated, and says
    that its recipient is missing. Nobody named on the reporting side: nothing to chase, no item."""
    text = (
        "Điều 7. Trách nhiệm của Trung tâm Dịch vụ việc làm tỉnh\n"
        "1. Quản lý hồ sơ người lao động theo quy định.\n"
        "2. Thực hiện chế độ thông tin, báo cáo định kỳ và đột xuất về tình hình thực hiện nhiệm vụ theo quy định "
        "hiện hành.\n"
        "Điều 8. Trách nhiệm các phòng, ban, đơn vị thuộc Ủy ban nhân dân cấp xã\n"
        "1. Theo dõi việc giải quyết hồ sơ; thực hiện chế độ báo cáo định kỳ hoặc đột xuất theo yêu cầu.\n"
        "Điều 9. Yêu cầu đối với cơ sở đào tạo nghề\n"
        "1. Lưu trữ hồ sơ học viên; báo cáo công tác đào tạo định kỳ hoặc đột xuất theo quy định."
    )
    found = items_of(text, Level.PROVINCE)
    assert found == [
        (("Trung tâm Dịch vụ việc làm tỉnh",), None, (), None, "periodic", None, None),
        (("Trung tâm Dịch vụ việc làm tỉnh",), None, (), None, "ad-hoc", None, None),
        (("Các phòng, ban, đơn vị thuộc Ủy ban nhân dân cấp xã",), None, (), None, "periodic", None, None),
        (("Các phòng, ban, đơn vị thuộc Ủy ban nhân dân cấp xã",), None, (), None, "ad-hoc", None, None),
        (("cơ sở đào tạo nghề",), None, (), None, "periodic", None, None),
        (("cơ sở đào tạo nghề",), None, (), None, "ad-hoc", None, None),
    ]
    items = find_items(text, Level.PROVINCE)
    assert all("the sentence names no recipient" in item.review for item in items)
    assert all(item.confidence <= 0.5 for item in items)
    assert items_of("Thực hiện chế độ báo cáo định kỳ hoặc đột xuất theo yêu cầu.", Level.PROVINCE) == []


def test_a_standing_duty_without_recipient_stays_beside_a_report_the_same_parties_owe_to_someone():
    text = (
        "Điều 11. Trách nhiệm của các sở, ban, ngành\n"
        "1. Chậm nhất 30 ngày trước kỳ họp thường lệ của Hội đồng nhân dân tỉnh, các sở, ban, ngành định kỳ báo cáo "
        "Ủy ban nhân dân tỉnh kết quả giải quyết kiến nghị.\n"
        "2. Rà soát kết quả giải quyết kiến nghị; báo cáo định kỳ hoặc đột xuất theo yêu cầu."
    )
    found = [(i[0], i[1], i[4]) for i in items_of(text, Level.PROVINCE)]
    assert (("departments",), None, "periodic") in found
    assert (("departments",), None, "ad-hoc") in found
    assert (("departments",), "Ủy ban nhân dân tỉnh", "periodic") in found


def test_a_committees_name_ends_before_the_words_that_follow_it():
    text = (
        "Thành viên Ban Chỉ đạo định kỳ hằng năm báo cáo Ban Chỉ đạo về kết quả thực hiện nhiệm vụ trước ngày 15/12.\n"
        "Sở Nội vụ gửi báo cáo Ban Chỉ đạo phát triển nguồn nhân lực tỉnh về tình hình thực hiện trước ngày 10/6 hằng "
        "năm."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("Thành viên Ban Chỉ đạo",), "Ban Chỉ đạo", (), None, "Y", "15/12", "before"),
        (("Sở Nội vụ",), "Ban Chỉ đạo phát triển nguồn nhân lực tỉnh", (), None, "Y", "10/6", "before"),
    ]


def test_a_body_called_by_its_kind_alone_is_the_one_the_text_names_in_full():
    text = (
        "Điều 3. Thành lập Quỹ Hỗ trợ nông dân tỉnh\n"
        "1. Quỹ Hỗ trợ nông dân tỉnh là tổ chức tài chính nhà nước.\n"
        "Điều 9. Kiểm tra hoạt động\n"
        "1. Quỹ Hỗ trợ nông dân tỉnh tự kiểm tra hằng quý.\n"
        "2. Định kỳ hằng năm hoặc đột xuất (khi có yêu cầu), Quỹ có trách nhiệm báo cáo Sở Tài chính về tình hình "
        "hoạt động."
    )
    found = items_of(text, Level.PROVINCE)
    assert found == [
        (("Quỹ Hỗ trợ nông dân tỉnh",), "Sở Tài chính", (), None, "Y", None, None),
        (("Quỹ Hỗ trợ nông dân tỉnh",), "Sở Tài chính", (), None, "ad-hoc", None, None),
    ]
    notes = [note for item in find_items(text, Level.PROVINCE) for note in item.review]
    assert any('short form "Quỹ"' in note for note in notes)
    nobody = "Điều 9. Kiểm tra\n1. Quỹ có trách nhiệm báo cáo Sở Tài chính hằng năm về tình hình hoạt động."
    assert [i[0] for i in items_of(nobody, Level.PROVINCE)] == [()]


def test_a_list_of_bodies_with_the_noun_to_chuc_in_it_is_read_to_its_end():
    text = (
        "Các cơ quan chuyên môn, Mặt trận Tổ quốc Việt Nam tỉnh, các tổ chức chính trị - xã hội tỉnh, Ủy ban nhân dân "
        "các xã, phường có trách nhiệm gửi báo cáo kết quả về Sở Nội vụ trước ngày 15 tháng 12 hằng năm."
    )
    [(reporters, recipient, *_rest)] = items_of(text, Level.PROVINCE)
    assert "Mặt trận Tổ quốc Việt Nam tỉnh" in reporters and "communes" in reporters, reporters
    assert recipient == "Sở Nội vụ"
    organised = "Sở Tư pháp tổ chức tập huấn, báo cáo Ủy ban nhân dân tỉnh trước ngày 10/12 hằng năm."
    assert items_of(organised, Level.PROVINCE) == [
        (("Sở Tư pháp",), "Ủy ban nhân dân tỉnh", (), None, "Y", "10/12", "before")
    ]


def test_a_department_named_without_its_va_is_the_same_department():
    text = "Các sở, ban, ngành định kỳ 6 tháng (trước ngày 10/6) gửi báo cáo về Sở Khoa học Công nghệ để tổng hợp."
    assert items_of(text, Level.PROVINCE) == [
        (("departments",), "Sở Khoa học Công nghệ", (), None, "H1", "10/6", "before")
    ]
    assert canonical("Sở Khoa học Công nghệ") == canonical("Sở Khoa học và Công nghệ")
    assert canonical("Sở Nông nghiệp Môi trường") == canonical("Sở Nông nghiệp và Môi trường")


def test_tasks_numbered_inside_one_paragraph_each_have_their_own_reporter_or_the_lead_ins():
    named = (
        "Các bộ, ngành thực hiện: (1) Bộ Công an hoàn thiện cơ sở dữ liệu, báo cáo Thủ tướng Chính phủ trước ngày "
        "10/12/2026; (2) Bộ Tài chính rà soát danh mục, báo cáo Thủ tướng Chính phủ trong tháng 12 năm 2026; (3) Bộ "
        "Nội vụ hằng tháng báo cáo Thủ tướng Chính phủ tiến độ."
    )
    assert items_of(named) == [
        (("Bộ Công an",), "Thủ tướng Chính phủ", (), None, "once", "10/12/2026", "before"),
        (("Bộ Tài chính",), "Thủ tướng Chính phủ", (), None, "once", None, None),
        (("Bộ Nội vụ",), "Thủ tướng Chính phủ", (), None, "M", None, None),
    ]
    led = (
        "2. Các sở, ban, ngành có trách nhiệm: (1) rà soát các thủ tục hành chính; (2) định kỳ hằng năm báo cáo Ủy ban "
        "nhân dân tỉnh kết quả thực hiện trước ngày 15/12; (3) Sở Tư pháp tổng hợp, báo cáo Bộ Tư pháp trước ngày "
        "25/12 hằng năm."
    )
    assert items_of(led, Level.PROVINCE) == [
        (("departments",), "Ủy ban nhân dân tỉnh", (), None, "Y", "15/12", "before"),
        (("Sở Tư pháp",), "Bộ Tư pháp", (), None, "Y", "25/12", "before"),
    ]


def test_the_next_years_plan_in_a_reporting_sentence_gives_the_report_no_yearly_period():
    text = (
        "Điều 14. Trách nhiệm của Sở Nội vụ\n"
        "4. Định kỳ hoặc đột xuất báo cáo Ủy ban nhân dân tỉnh về tình hình quản lý hồ sơ; đồng thời xây dựng kế "
        "hoạch, nhu cầu sử dụng của năm tiếp theo cho các đơn vị thuộc quyền quản lý.\n"
        "5. Báo cáo Ủy ban nhân dân tỉnh kết quả thực hiện trước ngày 31 tháng 01 của năm tiếp theo."
    )
    assert [(i[1], i[4], i[5]) for i in items_of(text, Level.PROVINCE)] == [
        ("Ủy ban nhân dân tỉnh", "periodic", None),
        ("Ủy ban nhân dân tỉnh", "ad-hoc", None),
        ("Ủy ban nhân dân tỉnh", "Y", "31/1"),
    ]


def test_compiling_the_reports_of_others_is_no_report_of_ones_own():
    text = (
        "Điều 6. Trách nhiệm của Sở Khoa học và Công nghệ\n"
        "2. Phối hợp tổng hợp báo cáo định kỳ, báo cáo đột xuất của các cơ quan giải quyết thủ tục hành chính về tình "
        "hình sử dụng hệ thống.\n"
        "3. Tổng hợp báo cáo định kỳ của các sở, gửi Ủy ban nhân dân tỉnh trước ngày 20/12 hằng năm."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("Sở Khoa học và Công nghệ",), "Ủy ban nhân dân tỉnh", (), None, "Y", "20/12", "before")
    ]


def test_recipients_named_as_2025_plans_name_them_end_where_the_name_ends():
    bodies = [
        "Trung tâm Phục vụ hành chính công tỉnh",
        "Cục Thống kê tỉnh",
        "Hội đồng Thi đua - Khen thưởng tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Thường trực Ban Chỉ đạo tỉnh",
        "Văn phòng Đoàn Đại biểu Quốc hội và Hội đồng nhân dân tỉnh",
        "Tòa án nhân dân tỉnh",
        "Kho bạc Nhà nước khu vực XVII",
        "Thuế tỉnh",
    ]
    for body in bodies:
        for what in ("kết quả", "tiến độ thực hiện", "tình hình thực hiện"):
            text = f"Các xã báo cáo {body} {what} trước ngày 10/12 hằng năm."
            assert items_of(text, Level.PROVINCE) == [(("communes",), body, (), None, "Y", "10/12", "before")], text


def test_the_onward_report_is_read_after_the_reporters_own_compiling():
    text = (
        "Các sở, ban, ngành tỉnh và UBND các xã, phường tổng hợp báo cáo kết quả thực hiện gửi về Sở Công Thương trước "
        "ngày 25 tháng 11 hằng năm để tổng hợp báo cáo UBND tỉnh, Bộ Công Thương."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Công Thương", (), None, "Y", "25/11", "before"),
        (("Sở Công Thương",), "UBND tỉnh", ("Bộ Công Thương",), None, "Y", None, None),
    ]


def test_the_front_named_by_its_abbreviation_is_a_reporter():
    text = "Đề nghị Ủy ban MTTQ Việt Nam tỉnh báo cáo kết quả về Sở Nội vụ trước ngày 10/12 hằng năm."
    assert items_of(text, Level.PROVINCE) == [
        (("Ủy ban MTTQ Việt Nam tỉnh",), "Sở Nội vụ", (), None, "Y", "10/12", "before")
    ]


def test_two_one_off_reports_due_in_two_named_years_are_two_items():
    text = (
        "Sở Tư pháp tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 30/11 hằng năm. Báo cáo giữa kỳ thực hiện Kế "
        "hoạch (năm 2028) và báo cáo tổng kết thực hiện Kế hoạch (năm 2030), gửi Ủy ban nhân dân tỉnh và Bộ Tư pháp."
    )
    items = find_items(text, Level.PROVINCE)
    assert [(i.period, str(i.date) if i.date else None) for i in items] == [
        ("Y", "30/11"),
        ("once", None),
        ("once", None),
    ]
    spans = [note for i in items for note in i.review if note.startswith("a one-off report due within")]
    assert len(spans) == 2 and "2028" in spans[0] and "2030" in spans[1]
    assert all(i.reporters == ["Sở Tư pháp"] and i.recipient == "Ủy ban nhân dân tỉnh" for i in items)


def test_the_union_of_science_associations_is_a_body_whatever_the_case_of_hoi():
    text = (
        "Điều 9. Trách nhiệm của Liên hiệp các hội Khoa học và Kỹ thuật tỉnh\n"
        "3. Định kỳ, đánh giá rút kinh nghiệm hoạt động tư vấn, kịp thời báo cáo Ủy ban nhân dân tỉnh."
    )
    assert items_of(text, Level.PROVINCE) == [
        (("Liên hiệp các hội Khoa học và Kỹ thuật tỉnh",), "Ủy ban nhân dân tỉnh", (), None, "periodic", None, None)
    ]


def test_a_headings_agency_is_read_with_its_whole_name():
    text = (
        "III. TỔ CHỨC THỰC HIỆN\n"
        "3. Trung tâm Phục vụ hành chính công tỉnh\n"
        "Thực hiện chế độ thông tin, báo cáo định kỳ và đột xuất về tình hình thực hiện nhiệm vụ theo quy định."
    )
    [sentence] = sentences(text, Level.PROVINCE)
    assert sentence.heading_agency == "Trung tâm Phục vụ hành chính công tỉnh"


def test_banks_and_the_provincial_broadcaster_are_reporters():
    for body in (
        "Ngân hàng Nhà nước chi nhánh tỉnh",
        "Ngân hàng Nhà nước Khu vực 8",
        "Ngân hàng Chính sách xã hội chi nhánh tỉnh",
        "Đài Phát thanh và Truyền hình tỉnh",
    ):
        text = f"{body} báo cáo kết quả về Sở Tài chính trước ngày 10/12 hằng năm."
        assert items_of(text, Level.PROVINCE) == [((body,), "Sở Tài chính", (), None, "Y", "10/12", "before")]
    monthly = (
        "Ngân hàng Nhà nước Việt Nam và các ngân hàng thương mại triển khai chương trình, báo cáo Thủ tướng Chính phủ "
        "trước ngày 20 tháng 11 năm 2026 và hàng tháng."
    )
    assert [(i[0], i[4], i[5]) for i in items_of(monthly)] == [
        (("Ngân hàng Nhà nước Việt Nam",), "once", "20/11/2026"),
        (("Ngân hàng Nhà nước Việt Nam",), "M", None),
    ]


def test_party_and_mass_bodies_schools_funds_and_companies_are_reporters_and_recipients():
    for body in (
        "Trường Chính trị tỉnh",
        "Hội Cựu chiến binh tỉnh",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "Ủy ban Kiểm tra Tỉnh ủy",
        "Văn phòng Đăng ký đất đai tỉnh",
        "Quỹ Đầu tư phát triển tỉnh",
        "Công ty Điện lực tỉnh",
        "Viễn thông tỉnh",
    ):
        text = f"{body} báo cáo kết quả về Sở Nội vụ trước ngày 10/12 hằng năm."
        assert items_of(text, Level.PROVINCE) == [((body,), "Sở Nội vụ", (), None, "Y", "10/12", "before")], text
        sent = f"Sở Nội vụ báo cáo {body} kết quả thực hiện trước ngày 10/12 hằng năm."
        assert items_of(sent, Level.PROVINCE) == [(("Sở Nội vụ",), body, (), None, "Y", "10/12", "before")], sent


def test_the_competent_authority_names_no_recipient():
    text = "Sở Nội vụ tổng hợp, báo cáo cơ quan nhà nước có thẩm quyền về tình hình thực hiện khi được yêu cầu."
    assert items_of(text, Level.PROVINCE) == [(("Sở Nội vụ",), None, (), None, "ad-hoc", None, None)]
    named = "Các doanh nghiệp gửi báo cáo về cơ quan quản lý chuyên ngành trước ngày 15/12 hằng năm."
    assert [i[1] for i in items_of(named, Level.PROVINCE)] == ["cơ quan quản lý chuyên ngành"]


def test_a_long_budget_estimate_sent_for_appraisal_is_no_report():
    text = (
        "Sở Y tế hằng năm lập dự toán kinh phí phục vụ quản lý, duy trì, nâng cấp và vận hành hệ thống phần mềm quản "
        "lý hồ sơ sức khỏe gửi Sở Tài chính thẩm định, trình Ủy ban nhân dân tỉnh xem xét, quyết định."
    )
    assert items_of(text, Level.PROVINCE) == []


def test_a_periodic_compiling_without_recipient_restates_the_reports_the_party_owes_with_periods():
    text = (
        "Các sở, ban, ngành định kỳ 6 tháng (trước ngày 10/6) và hằng năm (trước ngày 10/12) báo cáo kết quả về Sở Y "
        "tế để tổng hợp, báo cáo Ủy ban nhân dân tỉnh.\n"
        "Sở Y tế: định kỳ tổng hợp báo cáo kết quả, đề xuất giải pháp điều chỉnh, bổ sung Kế hoạch.\n"
        "Sở Y tế tổng hợp, báo cáo Ủy ban nhân dân tỉnh trước ngày 20/6 và 20/12 hằng năm."
    )
    found = items_of(text, Level.PROVINCE)
    assert (("Sở Y tế",), None, (), None, "periodic", None, None) not in found
    assert (("Sở Y tế",), "Ủy ban nhân dân tỉnh", (), None, "Y", "20/12", "before") in found


def test_a_yearly_report_due_within_the_first_quarter_of_the_next_year_has_no_day():
    text = (
        "c) Trong quý I của năm liền kề, Sở Nội vụ chủ trì rà soát kết quả chấm điểm, báo cáo về Ủy ban nhân dân tỉnh "
        "xem xét, quyết định."
    )
    [item] = find_items(text, Level.PROVINCE)
    assert (item.reporters, item.recipient, item.period, item.date) == (
        ["Sở Nội vụ"],
        "Ủy ban nhân dân tỉnh",
        "Y",
        None,
    )
    assert NO_DATE in item.review


def test_or_as_proposed_after_a_yearly_report_is_an_ad_hoc_one_too_and_a_request_sent_is_no_report():
    text = (
        "Các cơ quan, đơn vị định kỳ báo cáo UBND tỉnh (qua Sở Tư pháp) kết quả thực hiện hằng năm (trước ngày 15 "
        "tháng 11) hoặc theo đề nghị để tổng hợp, báo cáo theo quy định."
    )
    assert [(i[4], i[5], i[3]) for i in items_of(text, Level.PROVINCE)] == [
        ("Y", "15/11", "Sở Tư pháp"),
        ("ad-hoc", None, "Sở Tư pháp"),
    ]
    quick = "Các đơn vị điện lực thực hiện báo cáo định kỳ và theo yêu cầu báo cáo nhanh về sự cố gửi Sở Công Thương."
    assert "ad-hoc" not in [i[4] for i in items_of(quick, Level.PROVINCE)]
    request = "Khi lập kế hoạch hằng năm, doanh nghiệp phải gửi đề nghị dùng chung hạ tầng tới chủ sở hữu công trình."
    assert items_of(request, Level.PROVINCE) == []


def test_a_weekly_report_stays_when_another_clause_of_the_sentence_is_about_difficulties():
    text = (
        "Bộ trưởng Bộ Xây dựng trực tiếp chỉ đạo rà soát tiến độ; chỉ đạo thực hiện nghiêm việc báo cáo Thủ tướng "
        "Chính phủ hằng tuần về tiến độ thực hiện; kịp thời báo cáo, kiến nghị cấp có thẩm quyền đối với những vấn đề "
        "vượt thẩm quyền."
    )
    assert [(i[0], i[1], i[4]) for i in items_of(text)] == [(("Bộ Xây dựng",), "Thủ tướng Chính phủ", "periodic")]
    only = "Sở Xây dựng kịp thời báo cáo Ủy ban nhân dân tỉnh định kỳ những vấn đề vượt thẩm quyền."
    assert items_of(only, Level.PROVINCE) == []


def test_the_issues_held_out_misses_in_sentences_of_our_own():
    """Issue 20's list: reporters from a lead-in, several recipients of an onward report, a recipient that must not
    swallow the words after it, two dates without period words, a submission window."""
    lead_in = (
        "3. Các sở, ban, ngành và UBND các xã, phường có trách nhiệm:\n"
        "- Tổ chức triển khai các nhiệm vụ được giao.\n"
        "- Định kỳ hằng quý (trước ngày 12 tháng cuối quý), 6 tháng (trước ngày 12/6) và hằng năm (trước ngày 12/12) "
        "gửi báo cáo kết quả thực hiện về Sở Tài chính để tổng hợp."
    )
    assert items_of(lead_in, Level.PROVINCE) == [
        (("departments", "communes"), "Sở Tài chính", (), None, "Q", "12", "before"),
        (("departments", "communes"), "Sở Tài chính", (), None, "H1", "12/6", "before"),
        (("departments", "communes"), "Sở Tài chính", (), None, "Y", "12/12", "before"),
    ]
    onward = (
        "Các sở, ngành định kỳ 6 tháng (trước ngày 10/6) gửi báo cáo về Sở Nội vụ. Sở Nội vụ tổng hợp báo cáo Thường "
        "trực Tỉnh ủy, HĐND tỉnh, UBND tỉnh trước ngày 20/6 hằng năm."
    )
    assert items_of(onward, Level.PROVINCE)[1] == (
        ("Sở Nội vụ",),
        "Thường trực Tỉnh ủy",
        ("HĐND tỉnh", "UBND tỉnh"),
        None,
        "Y",
        "20/6",
        "before",
    )
    swallow = "Các sở, ban, ngành báo cáo Ban Chỉ đạo về kết quả thực hiện nhiệm vụ trước ngày 15/12 hằng năm."
    assert [i[1] for i in items_of(swallow, Level.PROVINCE)] == ["Ban Chỉ đạo"]
    two_dates = "Các sở, ban, ngành định kỳ trước ngày 05/6 và 20/11 hằng năm báo cáo UBND tỉnh (qua Sở Xây dựng)."
    items = find_items(two_dates, Level.PROVINCE)
    assert [(i.period, str(i.date), i.via) for i in items] == [
        ("H1", "5/6", "Sở Xây dựng"),
        ("Y", "20/11", "Sở Xây dựng"),
    ]
    assert all(any("the date names no period" in note for note in i.review) for i in items)
    window = "UBND các xã, phường gửi báo cáo kết quả về Sở Y tế từ ngày 05 đến ngày 10 tháng 12 hằng năm."
    assert items_of(window, Level.PROVINCE) == [(("communes",), "Sở Y tế", (), None, "Y", "10/12", "by")]


def test_a_reports_sentence_before_its_numbered_contents_is_still_read():
    contents = (
        "Các sở, ban, ngành báo cáo UBND tỉnh trước ngày 10/12 hằng năm, gồm các nội dung: (1) kết quả thực hiện; (2) "
        "tồn tại, hạn chế; (3) đề xuất, kiến nghị."
    )
    assert items_of(contents, Level.PROVINCE) == [(("departments",), "UBND tỉnh", (), None, "Y", "10/12", "before")]
    reports = (
        "Các sở, ban, ngành gửi báo cáo về Sở Nội vụ như sau: (1) báo cáo 6 tháng trước ngày 15/6; (2) báo cáo năm "
        "trước ngày 15/12."
    )
    assert items_of(reports, Level.PROVINCE) == [
        (("departments",), "Sở Nội vụ", (), None, "H1", "15/6", "before"),
        (("departments",), "Sở Nội vụ", (), None, "Y", "15/12", "before"),
    ]


def test_reviews_at_the_end_of_named_years_are_two_one_off_reports():
    text = (
        "a) Bộ Khoa học và Công nghệ chủ trì các nhiệm vụ được giao; tổ chức sơ kết kết quả triển khai Đề án vào cuối "
        "năm 2028 và tổng kết vào cuối năm 2032 để báo cáo Thủ tướng Chính phủ."
    )
    assert items_of(text) == [
        (("Bộ Khoa học và Công nghệ",), "Thủ tướng Chính phủ", (), None, "once", None, None),
        (("Bộ Khoa học và Công nghệ",), "Thủ tướng Chính phủ", (), None, "once", None, None),
    ]
    items = find_items(text, Level.NATIONAL)
    assert all(any("no date" in note for note in i.review) for i in items)
    unreported = (
        "a) Bộ Khoa học và Công nghệ định kỳ hằng năm báo cáo Thủ tướng Chính phủ kết quả thực hiện; tổ chức tổng kết "
        "Đề án vào cuối năm 2032."
    )
    assert items_of(unreported) == [(("Bộ Khoa học và Công nghệ",), "Thủ tướng Chính phủ", (), None, "Y", None, None)]


def test_a_report_named_as_a_tasks_product_made_or_published_periodically_is_no_duty():
    text = (
        "Điều 3. Các Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố chịu trách nhiệm thi hành Quyết định.\n"
        "Báo cáo hiện trạng rừng ngập mặn cấp tỉnh được xây dựng, công bố định kỳ.\n"
        "Dự thảo Báo cáo đánh giá nguồn nước quốc gia chậm nhất trong năm 2028, cập nhật định kỳ.\n"
        "Báo cáo thống kê đất ngập nước được ban hành và cập nhật định kỳ."
    )
    assert items_of(text) == []
    duty = (
        "Điều 3. Các Bộ trưởng, Chủ tịch Ủy ban nhân dân các tỉnh, thành phố chịu trách nhiệm thi hành Quyết định.\n"
        "Báo cáo định kỳ và đột xuất về tình hình thực hiện theo quy định."
    )
    assert [i[4] for i in items_of(duty)] == ["periodic", "ad-hoc"]


def test_bodies_of_a_kind_at_every_level_a_lower_case_head_in_a_heading_and_a_units_section_as_via():
    text = (
        "Điều 7. Trách nhiệm của thủ trưởng các đơn vị thuộc Cục Hải quan\n"
        "1. Phổ biến Quy định này đến công chức của đơn vị.\n"
        "2. Định kỳ hằng quý có báo cáo kết quả qua bộ phận thanh tra nội bộ để theo dõi, tổng hợp chung.\n"
        "3. Định kỳ trước ngày 15 tháng 12 hằng năm, cơ quan hải quan các cấp phải báo cáo Cục Hải quan về tình hình "
        "thực hiện Quy định này."
    )
    assert items_of(text) == [
        (("đơn vị thuộc Cục Hải quan",), None, (), "bộ phận thanh tra nội bộ", "Q", None, None),
        (("cơ quan hải quan các cấp",), "Cục Hải quan", (), None, "Y", "15/12", "before"),
    ]


def test_a_dash_bullet_under_the_obligations_of_traders_reports_to_the_body_that_asks():
    text = (
        "3. Nghĩa vụ của thương nhân kinh doanh tại bến cá\n"
        "a) Thương nhân kinh doanh tại bến cá phải chấp hành Nội quy bến cá.\n"
        "b) Một số quy định chung:\n"
        "- Nộp đầy đủ, đúng hạn các khoản phí theo quy định.\n"
        "- Định kỳ, đột xuất báo cáo tình hình kinh doanh theo yêu cầu của Ban quản lý bến cá hoặc cơ quan chức năng."
    )
    assert items_of(text) == [
        (("thương nhân kinh doanh tại bến cá",), "Ban quản lý bến cá", (), None, "periodic", None, None),
        (("thương nhân kinh doanh tại bến cá",), "Ban quản lý bến cá", (), None, "ad-hoc", None, None),
    ]
    open_asker = text.replace("Ban quản lý bến cá hoặc cơ quan chức năng", "Cơ quan có thẩm quyền")
    assert [i[1] for i in items_of(open_asker)] == [None, None]


def test_a_numbered_reporting_clause_ending_as_sau_with_a_quarterly_day_and_the_dates_of_the_other_periods():
    text = (
        "Điều 12. Chế độ báo cáo\n"
        "1. Trung tâm Cứu hộ đường thủy quốc gia (VNRC) tổng hợp, báo cáo Bộ Xây dựng hằng năm.\n"
        "2. Bộ Chỉ huy quân sự tỉnh (thành phố) gửi báo cáo thông tin cứu hộ quý, sáu tháng, năm về VNRC, quân khu "
        "trước ngày 20 tháng cuối của quý, ngày 20 tháng 6 và ngày 20 tháng 12 hằng năm như sau:\n"
        "a) Nội dung báo cáo: kết quả cứu hộ."
    )
    assert [i[1] for i in items_of("Sở Nội vụ báo cáo về CCHC hằng năm, gửi UBND tỉnh trước ngày 15/12.")] == [
        "UBND tỉnh"
    ]
    assert [i[1] for i in items_of("Sở Nội vụ định kỳ hằng năm báo cáo CCHC trước ngày 15/12.")] == [None]
    commands = [i for i in items_of(text) if i[0] == ("Bộ Chỉ huy quân sự tỉnh",)]
    assert commands == [
        (("Bộ Chỉ huy quân sự tỉnh",), "VNRC", (), None, "Q", "20", "before"),
        (("Bộ Chỉ huy quân sự tỉnh",), "VNRC", (), None, "H1", "20/6", "before"),
        (("Bộ Chỉ huy quân sự tỉnh",), "VNRC", (), None, "Y", "20/12", "before"),
    ]


def test_any_province_of_a_ministrys_rules_and_a_deadline_in_a_programmes_last_year():
    text = (
        "Ủy ban Nhân dân tỉnh (thành phố) gửi Bộ Công an (qua Cục Cảnh sát phòng cháy) thẩm định chương trình, kế "
        "hoạch cấp tỉnh trước ngày 15 tháng 9 năm cuối đối với chương trình; trước ngày 15 tháng 9 hằng năm đối với kế "
        "hoạch."
    )
    assert items_of(text) == [
        (("provinces",), "Bộ Công an", (), "Cục Cảnh sát phòng cháy", "once", "15/9", "before"),
        (("provinces",), "Bộ Công an", (), "Cục Cảnh sát phòng cháy", "Y", "15/9", "before"),
    ]
    once = find_items(text, Level.NATIONAL)[0]
    assert "a one-off report whose date has no year" in once.review


def test_a_programme_prepared_and_sent_up_lap_trinh_is_a_document_sent_up():
    text = (
        "a) Cục Cứu hộ quốc gia chịu trách nhiệm lập, trình Bộ Công an (qua Cục Kế hoạch) chương trình cứu hộ cấp quốc "
        "gia trước ngày 10 tháng 5 năm cuối của chương trình. Hình thức nộp hồ sơ: trực tiếp."
    )
    assert items_of(text) == [(("Cục Cứu hộ quốc gia",), "Bộ Công an", (), "Cục Kế hoạch", "once", "10/5", "before")]
    assert items_of("Sở Tài chính xây dựng chương trình, trình UBND tỉnh phê duyệt trước ngày 10/5/2026.") == []


def test_a_point_of_a_reporting_regime_gives_a_periodic_day_without_the_word_bao_cao():
    text = (
        "Điều 22. Chế độ báo cáo thông tin cứu hộ\n"
        "1. Các tổ chức, đơn vị cứu hộ thực hiện chế độ báo cáo như sau:\n"
        "a) Trong thời hạn 07 ngày làm việc, trước khi triển khai các hoạt động tại hiện trường phải báo cáo Bộ Chỉ "
        "huy quân sự tỉnh nơi thực hiện dự án và Cục Cứu hộ kế hoạch thi công;\n"
        "b) Trong thời hạn 15 ngày làm việc, sau khi kết thúc dự án và định kỳ trước ngày 15 tháng cuối của quý đối "
        "với dự án kéo dài qua các quý;"
    )
    assert items_of(text) == [
        (("Các tổ chức, đơn vị cứu hộ",), "Bộ Chỉ huy quân sự tỉnh", (), None, "Q", "15", "before"),
    ]
    (item,) = find_items(text, Level.NATIONAL)
    assert any(note.startswith('the point writes no "báo cáo"') for note in item.review)
    assert any(note.startswith("recipient read from the reporting clause before it") for note in item.review)
    without_regime = text.replace("thực hiện chế độ báo cáo như sau:", "thực hiện các việc sau:")
    assert items_of(without_regime) == []


def test_a_lettered_point_or_bullet_without_a_reporter_takes_the_numbered_heading_or_the_lead_in():
    lettered = (
        "II. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Y tế: chủ trì triển khai kế hoạch; tổng hợp, báo cáo UBND tỉnh trước ngày 20/12 hằng năm.\n"
        "4. Ủy ban nhân dân các xã, phường:\n"
        "a) Triển khai thực hiện kế hoạch trên địa bàn;\n"
        "b) Bố trí kinh phí thực hiện;\n"
        "c) Định kỳ 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12) báo cáo kết quả thực hiện về Sở Y tế."
    )
    assert items_of(lettered) == [
        (("Sở Y tế",), "UBND tỉnh", (), None, "Y", "20/12", "before"),
        (("communes",), "Sở Y tế", (), None, "H1", "15/6", "before"),
        (("communes",), "Sở Y tế", (), None, "Y", "15/12", "before"),
    ]
    dashed = (
        "3. Ủy ban nhân dân cấp xã:\n"
        "- Tổ chức triển khai kế hoạch.\n"
        "+ Bố trí nguồn lực.\n"
        "- Định kỳ hằng quý báo cáo kết quả về Sở Nông nghiệp và Môi trường trước ngày 20 tháng cuối quý."
    )
    assert items_of(dashed) == [(("communes",), "Sở Nông nghiệp và Môi trường", (), None, "Q", "20", "before")]
    lead_in = (
        "3. Trách nhiệm của Ủy ban nhân dân các xã, phường\n"
        "a) Tuyên truyền kế hoạch.\n"
        "b) Kiểm tra, giám sát.\n"
        "c) Định kỳ hằng năm báo cáo kết quả về Sở Tư pháp trước ngày 10/12."
    )
    assert items_of(lead_in) == [(("communes",), "Sở Tư pháp", (), None, "Y", "10/12", "before")]
    duty = (
        "Các sở, ban, ngành có trách nhiệm:\n"
        "+ Tuyên truyền kế hoạch;\n"
        "+ Định kỳ hằng năm báo cáo kết quả về Sở Văn hóa, Thể thao và Du lịch trước ngày 10/12."
    )
    assert items_of(duty) == [(("departments",), "Sở Văn hóa, Thể thao và Du lịch", (), None, "Y", "10/12", "before")]


def test_a_list_sent_up_with_its_date_first_is_a_yearly_obligation_of_its_senders():
    assert items_of(
        "Trước ngày 20 tháng 12 hằng năm, Ủy ban nhân dân các xã lập danh sách hộ nghèo gửi Sở Nội vụ."
    ) == [(("communes",), "Sở Nội vụ", (), None, "Y", "20/12", "before")]
    assert items_of("Hằng năm, trước ngày 30 tháng 6, UBND các xã, phường lập kế hoạch vốn gửi Sở Tài chính.") == [
        (("communes",), "Sở Tài chính", (), None, "Y", "30/6", "before")
    ]


def test_two_bodies_sharing_one_place_name_are_one_report_to_the_first_and_also_to_the_second():
    assert items_of(
        "Sở Tài chính định kỳ hằng năm tổng hợp báo cáo Ủy ban nhân dân và Hội đồng nhân dân tỉnh trước ngày 15/12."
    ) == [(("Sở Tài chính",), "Ủy ban nhân dân tỉnh", ("Hội đồng nhân dân tỉnh",), None, "Y", "15/12", "before")]
    onward = (
        "Các sở, ngành gửi báo cáo về Sở Nội vụ trước ngày 10/12 hằng năm để tổng hợp, báo cáo UBND và HĐND Thành phố "
        "trước ngày 20/12."
    )
    assert items_of(onward) == [
        (("departments",), "Sở Nội vụ", (), None, "Y", "10/12", "before"),
        (("Sở Nội vụ",), "UBND Thành phố", ("HĐND Thành phố",), None, "Y", "20/12", "before"),
    ]
    communes = "Ủy ban nhân dân các xã báo cáo Ủy ban nhân dân và Hội đồng nhân dân Thành phố định kỳ hằng năm."
    assert [(i[0], i[1], i[2]) for i in items_of(communes)] == [
        (("communes",), "Ủy ban nhân dân Thành phố", ("Hội đồng nhân dân Thành phố",))
    ]


def test_the_body_asked_to_consider_a_request_is_its_recipient_never_its_sender():
    assert items_of(
        "Ủy ban nhân dân các xã gửi Tờ trình đề nghị Chủ tịch Ủy ban nhân dân tỉnh xem xét, công nhận xã đạt chuẩn "
        "trước ngày 30/10 hằng năm."
    ) == [(("communes",), "Ủy ban nhân dân tỉnh", (), None, "Y", "30/10", "before")]
    dossier = (
        "Hồ sơ trình, đề nghị Thủ tướng Chính phủ, Chủ tịch UBND tỉnh xem xét tặng Bằng khen gửi về Sở Nội vụ trước "
        "ngày 31/3/2026 để tổng hợp."
    )
    assert items_of(dossier) == [((), "Sở Nội vụ", (), None, "once", "31/3/2026", "before")]
    (item,) = find_items(dossier, Level.PROVINCE)
    assert "the sentence names no reporter" in item.review
    asked_to_report = "Bộ Tài chính đề nghị UBND các tỉnh báo cáo kết quả về Bộ Tài chính trước ngày 15/12 hằng năm."
    assert items_of(asked_to_report) == [(("provinces",), "Bộ Tài chính", (), None, "Y", "15/12", "before")]
    asked_to_consider_and_report = (
        "Đề nghị Ủy ban nhân dân các xã xem xét, báo cáo kết quả về Sở Y tế trước ngày 15/12 hằng năm.",
        "Sở Y tế đề nghị Công an tỉnh xem xét, báo cáo kết quả về Sở Y tế trước ngày 15/12 hằng năm.",
    )
    assert [items_of(t)[0][0] for t in asked_to_consider_and_report] == [("communes",), ("Công an tỉnh",)]

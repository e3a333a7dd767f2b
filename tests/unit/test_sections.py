"""An agency's report cut into the parts of the consolidated report, by its own headings, however it writes them."""

from __future__ import annotations

import pytest

from dondoc.documents.sections import heading_part, split_report

DISTRICT = """UBND HUYỆN BÙ ĐĂNG
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 215/BC-UBND
BÁO CÁO
KẾT QUẢ THỰC HIỆN CÔNG TÁC TRẺ EM 6 THÁNG ĐẦU NĂM 2021
Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Bình Phước.
Thực hiện Kế hoạch của UBND tỉnh về thực hiện công tác trẻ em năm 2021, UBND huyện báo cáo như sau:
I. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN
UBND huyện ban hành Kế hoạch số 45/KH-UBND ngày 20/3/2021.
II. KẾT QUẢ THỰC HIỆN
1. Công tác tuyên truyền
Tổ chức 12 buổi truyền thông về phòng, chống xâm hại trẻ em.
2. Kết quả thực hiện các chỉ tiêu
97% trẻ em dưới 6 tuổi được cấp thẻ BHYT.
III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN
1. Ưu điểm
Các xã vào cuộc tích cực.
2. Tồn tại, hạn chế
Kinh phí cho công tác trẻ em còn hạn chế.
IV. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM
Tiếp tục kiện toàn đội ngũ cộng tác viên.
V. KIẾN NGHỊ, ĐỀ XUẤT
Đề nghị Sở tổ chức tập huấn cho cán bộ cấp xã.
Trên đây là báo cáo kết quả thực hiện công tác trẻ em 6 tháng đầu năm 2021 của UBND huyện Bù Đăng./.
Nơi nhận:
- Sở LĐTBXH;
- Lưu: VT.
CHỦ TỊCH
"""


def test_a_district_report_with_the_usual_headings_is_cut_into_the_five_parts():
    found = split_report(DISTRICT)
    assert found.headed
    assert found.get("deployment") == ["UBND huyện ban hành Kế hoạch số 45/KH-UBND ngày 20/3/2021."]
    assert found.get("results") == [
        "1. Công tác tuyên truyền",
        "Tổ chức 12 buổi truyền thông về phòng, chống xâm hại trẻ em.",
        "97% trẻ em dưới 6 tuổi được cấp thẻ BHYT.",
    ]
    # "1. Ưu điểm" names no part: it stays where it is written; "2. Tồn tại, hạn chế" stays a problem
    assert found.get("problems") == [
        "1. Ưu điểm",
        "Các xã vào cuộc tích cực.",
        "Kinh phí cho công tác trẻ em còn hạn chế.",
    ]
    assert found.get("plans") == ["Tiếp tục kiện toàn đội ngũ cộng tác viên."]
    assert found.get("proposals") == ["Đề nghị Sở tổ chức tập huấn cho cán bộ cấp xã."]
    everything = "\n".join(line for part in found.parts.values() for line in part)
    for not_content in (
        "Kính gửi",
        "CỘNG HÒA",
        "như sau",
        "Trên đây",
        "Nơi nhận",
        "CHỦ TỊCH",
        "KẾT QUẢ THỰC HIỆN CÔNG",
    ):
        assert not_content not in everything


@pytest.mark.parametrize(
    "line, part",
    [
        ("I. TÌNH HÌNH TRIỂN KHAI THỰC HIỆN", "deployment"),
        ("Phần thứ nhất: CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "deployment"),
        ("II - Kết quả đạt được", "results"),
        ("2.1. Kết quả thực hiện các chỉ tiêu", "results"),
        ("III/ Khó khăn, vướng mắc", "problems"),
        ("3. Hạn chế và nguyên nhân:", "problems"),
        ("IV. Nhiệm vụ trọng tâm 6 tháng cuối năm", "plans"),
        ("IV. PHUONG HUONG, NHIEM VU NAM 2022", "plans"),  # typed without diacritics
        ("V) Đề xuất, kiến nghị", "proposals"),
        ("KIẾN NGHỊ", "proposals"),
        ("b) Tồn tại", "problems"),
        ("1. Ưu điểm", None),
        ("- Kết quả: 97% trẻ em có thẻ BHYT;", None),  # a bullet, not a heading
        ("Tuy nhiên, kết quả còn thấp so với chỉ tiêu.", None),
        ("10 xã đạt chuẩn xã phù hợp với trẻ em", None),
        ("", None),
    ],
)
def test_headings_are_recognised_whatever_their_numbering_case_or_accents(line, part):
    assert heading_part(line) == part


def test_a_heading_with_its_words_on_the_same_line_keeps_them():
    found = split_report(
        "Kính gửi: Sở LĐTBXH\nI. Kết quả thực hiện\nĐạt 97%.\n"
        "II. Khó khăn, vướng mắc: thiếu cán bộ chuyên trách ở cấp xã."
    )
    assert found.get("problems") == ["thiếu cán bộ chuyên trách ở cấp xã."]


def test_a_report_without_headings_is_its_body_as_results():
    found = split_report(
        "BÁO CÁO\nKính gửi: Sở Y tế\nNăm 2021, 100% trẻ em dưới 6 tuổi được cấp thẻ BHYT.\nNơi nhận:\n- Như trên;"
    )
    assert not found.headed
    assert found.get("results") == ["Năm 2021, 100% trẻ em dưới 6 tuổi được cấp thẻ BHYT."]

"""Vietnamese text folding (dondoc/folding.py): the one place diacritics are folded away."""

from hypothesis import given
from hypothesis import strategies as st

from dondoc.folding import fold, without_marks


def test_marks_and_d_bar_fold_to_ascii():
    assert fold("Trả lời TỰ ĐỘNG") == "tra loi tu dong"
    assert fold("Sở Y tế Đồng Nai") == "so y te dong nai"
    assert without_marks("Đắk Lắk, Thừa Thiên Huế") == "Dak Lak, Thua Thien Hue"


def test_decomposed_and_composed_text_fold_alike():
    import unicodedata

    text = "Ủy ban nhân dân phường Vỹ Dạ"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "uy ban nhan dan phuong vy da"


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ĐĂÂÊÔƠƯ"
    )
)
def test_folding_leaves_plain_ascii_of_the_same_length(text):
    folded = fold(text)
    assert folded.isascii() and len(folded) == len(text) and fold(folded) == folded

"""Reply-To tokens: only the holder of the key can name a deadline (docs/security.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dondoc.mail.tokens import make_token, read_token
from tests import figures

KEY = b"k" * 32


def test_a_token_names_its_deadline_under_the_key_only():
    token = make_token(1234, KEY)
    assert read_token(token, KEY) == 1234
    assert read_token(token.upper(), KEY) == 1234  # local parts may be case-folded on the way
    assert read_token(token, b"another key of the same length!!") is None


def test_another_deadline_cannot_be_named_with_a_known_mac():
    mac = make_token(1234, KEY).split("-", 1)[1]
    assert read_token(f"1235-{mac}", KEY) is None


@given(st.text(max_size=40))
def test_no_made_up_token_verifies(text):
    figures.add(figures.HOSTILE)
    assert read_token(text, KEY) is None or text.strip().lower() == make_token(int(text.split("-")[0]), KEY)

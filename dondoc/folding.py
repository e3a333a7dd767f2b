"""Vietnamese text without its diacritics, for comparing what people type: "Trả lời TỰ ĐỘNG" → "tra loi tu dong".

The one place where marks are folded away (matching mail subjects and bodies, agency names typed without accents,
report headings, contact sheets, file names). Pure: no I/O.
"""

from __future__ import annotations

import unicodedata

__all__ = ["fold", "without_marks"]


def without_marks(text: str) -> str:
    """``text`` with every combining mark dropped and ``đ``/``Đ`` as ``d``/``D``; case and spacing kept."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Lower case without marks: ``"Sở Y tế Đồng Nai"`` → ``"so y te dong nai"`` (spacing kept)."""
    return without_marks(text.lower())

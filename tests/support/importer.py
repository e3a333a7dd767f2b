"""What the importer finds in a text, as comparable tuples: the importer's unit tests share it."""

from __future__ import annotations

from dondoc.importer import find_items
from dondoc.model import Level


def items_of(text: str, level: Level = Level.NATIONAL) -> list[tuple]:
    """Each item found in ``text`` (read as issued at ``level``): reporters, recipient, also-to, via, period, date
    and rule."""
    return [
        (
            tuple(i.reporters),
            i.recipient,
            tuple(i.also_to),
            i.via,
            i.period,
            str(i.date) if i.date else None,
            i.rule.value if i.rule else None,
        )
        for i in find_items(text, level)
    ]

"""Python's cyclic garbage collector paused through one large computation (a national report).

Building a report creates hundreds of thousands of small objects that live until it is written, and few
reference cycles; every few thousand allocations the collector walks the live ones again, a third of the
aggregation's time at 10,000 agencies × 20 targets. Reference counting still frees everything as usual; only
the search for cycles waits until the call returns. Already disabled (by the caller), it stays so.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused"]

P = ParamSpec("P")
R = TypeVar("R")


def gc_paused(function: Callable[P, R]) -> Callable[P, R]:
    """``function`` with the cyclic collector disabled while it runs, and enabled again afterwards."""

    @wraps(function)
    def paused(*args: P.args, **kwargs: P.kwargs) -> R:
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return paused

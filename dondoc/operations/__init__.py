"""The operations layer: one function per thing a coordinator or a schedule does.

Each operation takes the application object (:class:`dondoc.wiring.App`) and
its few arguments, opens its own session, commits at its boundary (the library
functions it calls commit their one transaction, or their chunks on long
runs), returns a typed result and raises the named errors of
:mod:`dondoc.errors`. The CLI, the Prefect flows, the demo and the web console
call these and nothing below them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (imported when used: `dondoc chase` with nothing to do answers without them)
    from dondoc.settings import Settings
    from dondoc.wiring import App

__all__ = ["opened"]


@contextmanager
def opened(settings: Settings | None = None) -> Iterator[App]:
    """An :class:`App` for ``settings`` (the environment's if not given), disposed on exit — for a flow's task."""
    from dondoc.wiring import build

    app = build(settings)
    try:
        yield app
    finally:
        app.dispose()

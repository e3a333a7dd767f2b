"""The moment an operation acts at: the one given, else the application's clock."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dondoc.wiring import App


def moment(app: App, now: dt.datetime | None) -> dt.datetime:
    return now or app.now()

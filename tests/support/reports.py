"""Compiling the consolidated report in a test: the shipped template, the shipped mail templates' Jinja
environment, Hanoi time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlmodel import Session

from dondoc.consolidate import compile_report
from dondoc.mail.render import jinja_environment
from dondoc.resources import shipped

__all__ = ["ENV", "TEMPLATE", "compile_tong_hop"]

TEMPLATE = shipped("templates") / "report" / "bao-cao-tong-hop.docx"
ENV = jinja_environment(shipped("templates"))


def compile_tong_hop(
    session: Session,
    catalog,
    *,
    out_dir: Path,
    now: dt.datetime,
    plan: str = "bp-2021",
    period: str = "2021-H1",
    **more: Any,
):
    """``compile_report`` of the consolidating obligation ``tong-hop`` of ``plan`` for ``period``: (row, data)."""
    return compile_report(
        session,
        catalog,
        plan_id=plan,
        obligation_id="tong-hop",
        period_key=period,
        out_dir=out_dir,
        template=TEMPLATE,
        env=ENV,
        now=now,
        timezone="Asia/Ho_Chi_Minh",
        **more,
    )

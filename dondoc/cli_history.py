"""``dondoc history DEADLINE``: one deadline's whole history on one timeline (reminders, replies, versions,
receipts, actions and who took them), as the console's deadline page shows it. Thin: it calls
:func:`dondoc.operations.views.deadline_history` and prints."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli import _MAX_ID, Format, _app, _emit, _moment, out
from dondoc.errors import visible
from dondoc.vocabulary import iso_time, label, local_time

__all__ = ["history", "timeline_rows"]


def timeline_rows(found, timezone: str) -> list[dict]:
    """One row per event: when (dd/mm/yyyy HH:MM in ``timezone``), what, and the rest in a few words."""
    rows = []
    for event in found.events:
        row = dict(at=local_time(event.at, timezone), at_utc=iso_time(event.at), kind=event.kind)
        if event.kind == "reminder":
            r = event.reminder
            bounced = f"; bị trả lại: {', '.join(r.bounced)}" if r.bounced else ""
            row.update(
                what=f"{r.stage_label} (thư #{r.outbox_id})",
                detail=f"{r.result_label} → {', '.join(r.recipients)}{bounced}"
                + (f"; lỗi: {r.error}" if r.error and r.result == "failed" else ""),
            )
        elif event.kind == "receipt":
            row.update(
                what=f"{event.mail_label} (thư #{event.outbox_id})",
                detail=f"{event.result_label} → {', '.join(event.recipients)}",
            )
        elif event.kind == "reply":
            sent = f", gửi lúc {local_time(event.date, timezone)}" if event.date else ""
            request = (
                f"; {label('request', event.request)}: {label('request', event.request_status)}"
                if event.request
                else ""
            )
            row.update(
                what=f"Thư đến #{event.inbound_id}: {event.status_label}",
                detail=f"Từ {event.sender}{sent}; tiêu đề: {event.subject}; khớp theo: "
                f"{event.match_method or '-'}; {event.reason}{request}".rstrip("; "),
            )
        elif event.kind == "submission":
            files = ", ".join(
                f"{a.filename} ({a.size:,} byte)".replace(",", ".")
                if a.stored
                else f"{a.filename} (từ chối: {a.refused})"
                for a in event.attachments
            )
            row.update(
                what=f"Bản nộp lần {event.version}: {event.status_label}",
                detail=f"{'Đúng hạn' if event.on_time else 'Muộn'}; tệp: {files or '-'}"
                + (f"; trả lại: {event.returned_reason}" if event.returned_reason else ""),
            )
        else:
            details = ", ".join(f"{k}: {v}" for k, v in event.details.items())
            row.update(
                what=f"{event.action_label} — {event.actor}",
                detail="; ".join(x for x in (f"lý do: {event.reason}" if event.reason else "", details) if x),
            )
        rows.append(row)
    return rows


def history(
    deadline: Annotated[int, typer.Argument(help="The deadline id (see `dondoc deadlines`).", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option(help="As of this instant, for the state (ISO or dd/mm/yyyy).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Lịch sử — one deadline's timeline: reminders, replies, versions, receipts, actions and who took them."""
    from dondoc.operations import views

    app_ = _app()
    found = views.deadline_history(app_, deadline, now=_moment(now))
    rows = timeline_rows(found, app_.settings.timezone)
    if fmt is Format.TABLE:
        last = f"{found.last_day:%d/%m/%Y}" + (
            f", gia hạn đến {found.extended_to:%d/%m/%Y} ({found.extension_reason})" if found.extended_to else ""
        )
        out.say(
            visible(
                f"Hạn #{found.deadline_id}: {found.agency_name} — {found.obligation_title}, "
                f"{found.period_label} ({found.plan_id})\nHạn cuối: {last}; trạng thái: {found.state_label}",
                keep="\n",
            )
        )
        _emit(
            rows,
            fmt,
            [("at", "Thời gian"), ("what", "Sự kiện"), ("detail", "Chi tiết")],
            title=f"Lịch sử ({len(rows)})",
        )
    else:
        _emit(rows, fmt, [])

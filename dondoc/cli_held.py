"""``dondoc held``: reports held for confirmation (list, confirm, reject). Thin: each calls one function of
:mod:`dondoc.operations.replies`."""

from __future__ import annotations

from typing import Annotated

import typer

from dondoc.cli import _MAX_ID, Format, _actor, _app, _emit, _guarded, _moment, out

__all__ = ["held_app"]

held_app = typer.Typer(
    help="Chờ xác nhận — reports whose sender is not proved, held until the agency confirms.", no_args_is_help=True
)


@held_app.command("list")
@_guarded
def held_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """The held reports: who they claim to be from, for which deadline, and why they are held."""
    from dondoc.operations import replies

    rows = [held.as_row() for held in replies.held_reports(_app())]
    _emit(
        rows,
        fmt,
        [
            ("id", "#"),
            ("received", "Nhận lúc"),
            ("agency", "Cơ quan"),
            ("deadline", "Hạn"),
            ("period", "Kỳ"),
            ("sender", "Người gửi"),
            ("subject", "Tiêu đề"),
            ("reason", "Lý do"),
        ],
        title=f"Báo cáo chờ xác nhận / held for confirmation ({len(rows)})",
    )


@held_app.command("confirm")
@_guarded
def held_confirm(
    message: Annotated[int, typer.Argument(help="The held message id (see `dondoc held list`).", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Confirm a held report (after checking with the agency): it becomes its submission; its receipt is queued."""
    from dondoc.operations import replies

    submission = replies.confirm_held(_app(), message, actor=_actor(), now=_moment(now))
    out.say(
        f"Thư #{message}: đã xác nhận → bản nộp {submission.id} (lần {submission.version}, "
        f"{'đúng hạn' if submission.on_time else 'muộn'}) / confirmed."
    )


@held_app.command("reject")
@_guarded
def held_reject(
    message: Annotated[int, typer.Argument(help="The held message id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why (e.g. the agency did not send it).")] = "cơ quan không gửi",
) -> None:
    """Reject a held report: it is kept, with the reason, and counts for nothing."""
    from dondoc.operations import replies

    replies.reject_held(_app(), message, reason=reason, actor=_actor())
    out.say(f"Thư #{message}: đã loại / rejected ({reason}).")

"""The season's pages: Tổng quan (overview), a period, a deadline's timeline, a sent mail; and the actions on a
deadline (remind now, extend, excuse, pause its agency, return a submission), each confirmed, each done as the
signed-in account (the audit log names them; the deadline's timeline shows it)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import TYPE_CHECKING

from starlette.responses import Response

from dondoc.errors import UsageError
from dondoc.web.app import Done, Page, RouteSpec

if TYPE_CHECKING:
    from dondoc.operations.views import DeadlineHistory

__all__ = ["ROUTES"]

ACTIONS = ("remind", "extend", "excuse", "pause")


def _charts(overview, lang: str) -> dict[tuple[str, str], str]:
    """The SVG chart of each obligation's reporting and on-time rates across its periods (oldest first)."""
    from dondoc.charts import rate_points, rates_chart

    return {
        (plan.plan_id, o.obligation_id): rates_chart(
            rate_points(o.periods), title=o.title, lang=lang, chart_id=f"rates-{index}-{number}"
        )
        for index, plan in enumerate(overview.plans)
        for number, o in enumerate(plan.obligations)
        if len(o.periods) > 1
    }


def overview_page(page: Page) -> Response:
    from dondoc.operations import views

    seen = views.overview(page.app)
    return page.render("web/overview.html", overview=seen, charts=_charts(seen, page.lang))


def period_page(page: Page, plan_id: str, obligation_id: str, period_key: str) -> Response:
    from dondoc.operations import views

    return page.render(
        "web/period.html", view=views.period(page.app, plan_id, obligation_id, period_key), actions=ACTIONS
    )


def deadline_page(page: Page, deadline_id: int) -> Response:
    from dondoc.operations import views

    return page.render("web/deadline.html", history=views.deadline_history(page.app, deadline_id), actions=ACTIONS)


def mail_page(page: Page, outbox_id: int) -> Response:
    from dondoc.operations import views

    return page.render("web/mail.html", mail=views.sent_mail(page.app, outbox_id))


def deadline_action(page: Page, deadline_id: int) -> Response:
    """One action on a deadline: the first post shows what will be done, the confirmed one does it."""
    from dondoc.operations import views

    history = views.deadline_history(page.app, deadline_id)
    action = page.field("action", limit=20)
    if action not in ACTIONS:
        raise UsageError(page.t(f"Không có thao tác «{action}»", f"no action '{action}'"))
    reason = page.field("reason", limit=500)  # every action says why (the audit log and the timeline show it)
    day = page.day("day") if action in ("extend", "pause") else None
    who = f"{history.agency_name} — {history.period_label}"
    words = {
        "remind": page.t(f"Gửi ngay một thư nhắc tới {who}", f"send one reminder now to {who}"),
        "extend": page.t(
            f"Gia hạn cho {who} đến {day:%d/%m/%Y}" if day else "", f"extend {who} to {day:%d/%m/%Y}" if day else ""
        ),
        "excuse": page.t(f"Miễn báo cáo cho {who}", f"excuse {who}"),
        "pause": page.t(
            f"Tạm dừng nhắc {history.agency_name} đến hết {day:%d/%m/%Y}" if day else "",
            f"pause reminders to {history.agency_name} until {day:%d/%m/%Y}" if day else "",
        ),
    }[action]
    words += page.t(f"; lý do: {reason}", f"; reason: {reason}")
    back = (
        f"/plans/{urllib.parse.quote(history.plan_id)}/{urllib.parse.quote(history.obligation_id)}/"
        f"{urllib.parse.quote(history.period_key)}"
    )
    fields = {"action": action, "reason": reason, **({"day": f"{day:%d/%m/%Y}"} if day else {})}

    def act() -> Done:
        done = _act(page, history, action, reason=reason, day=day)
        return Done(f"{words}. {done}.", back=back, also=f"/deadlines/{deadline_id}")

    return page.confirm_then(f"/deadlines/{deadline_id}/act", words, act, fields=fields)


def _act(page: Page, history: DeadlineHistory, action: str, *, reason: str, day: dt.date | None) -> str:
    """Do ``action`` on the deadline of ``history`` as the signed-in account; what it did, in words."""
    from dondoc.operations import chasing, deadlines

    deadline_id = history.deadline_id
    if action == "remind":
        report = chasing.remind(page.app, history.agency_id, deadline_id, reason=reason, actor=page.actor)
        if not report.planned:
            raise UsageError(
                page.t(
                    "Không gửi: hạn này không còn phải nhắc (đã nộp, được miễn hoặc đang tạm dừng)",
                    "not sent: nothing to remind (submitted, excused or paused)",
                )
            )
        return page.t(
            f"Đã gửi {report.sent} thư nhắc (lỗi {report.failed})",
            f"{report.sent} reminder(s) sent ({report.failed} failed)",
        )
    elif action == "extend":
        assert day is not None  # page.day() above returned one for "extend" or raised
        extended = deadlines.extend(page.app, deadline_id, to=day, reason=reason, actor=page.actor)
        return page.t(f"Hạn mới: {extended.extended_to:%d/%m/%Y}", f"new last day: {extended.extended_to:%d/%m/%Y}")
    elif action == "excuse":
        deadlines.excuse(page.app, deadline_id, reason=reason, actor=page.actor)
        return page.t(
            "Đã miễn: không nhắc nữa, không tính vào mẫu số", "excused: no more reminders, out of the denominator"
        )
    else:
        assert day is not None  # page.day() above returned one for "pause" or raised
        pause = deadlines.pause(page.app, history.agency_id, until=day, reason=reason, actor=page.actor)
        return page.t(f"Tạm dừng nhắc đến hết {pause.until:%d/%m/%Y}", f"reminders paused until {pause.until:%d/%m/%Y}")


def submission_return(page: Page, submission_id: int) -> Response:
    from dondoc.operations import replies

    reason = page.field("reason", limit=500)

    def return_() -> Done:
        row = replies.return_submission(page.app, submission_id, reason=reason, actor=page.actor)
        return Done(
            page.t(
                f"Đã trả lại bản nộp lần {row.version}; cơ quan được báo lý do, hạn mở lại",
                f"version {row.version} returned; the agency is told why, the deadline re-opens",
            ),
            back=f"/deadlines/{row.deadline_id}",
        )

    return page.confirm_then(
        f"/submissions/{submission_id}/return",
        page.t(
            f"Trả lại bản nộp #{submission_id} để bổ sung: {reason}",
            f"return submission #{submission_id} for completion: {reason}",
        ),
        return_,
        fields={"reason": reason},
    )


ROUTES: list[RouteSpec] = [
    ("/", ["GET"], overview_page, "viewer"),
    ("/plans/{plan_id:str}/{obligation_id:str}/{period_key:str}", ["GET"], period_page, "viewer"),
    ("/deadlines/{deadline_id:int}", ["GET"], deadline_page, "viewer"),
    ("/deadlines/{deadline_id:int}/act", ["POST"], deadline_action, "coordinator"),
    ("/submissions/{submission_id:int}/return", ["POST"], submission_return, "coordinator"),
    ("/mail/{outbox_id:int}", ["GET"], mail_page, "viewer"),
]

"""The console's pages: each one a function ``(page, **path_params) -> Response`` calling dondoc.operations.

``ROUTES`` lists them with the role each needs (None: the login page and the language switch). A page that
changes something is a post in two steps (``Page.confirm_then``): the first shows what will be done (with the
reason given) and asks for confirmation, the second does it as the signed-in account and shows the result.
"""

from __future__ import annotations

import urllib.parse

from starlette.responses import FileResponse, RedirectResponse, Response

from dondoc.errors import NotFound, UsageError
from dondoc.web.app import LANG_COOKIE, SESSION_COOKIE, Done, Page, RouteSpec, _local_path
from dondoc.web.security import new_token

__all__ = ["ROUTES"]


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _download(path, media_type: str, filename: str) -> FileResponse:
    """A file sent as an attachment (never shown inline), its name safe in the header (RFC 5987)."""
    quoted = urllib.parse.quote(filename, safe="")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "file"
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quoted}",
            "X-Content-Type-Options": "nosniff",
        },
    )


# -- signing in ----------------------------------------------------------------------------------------------------


def login_form(page: Page) -> Response:
    return page.render("web/login.html", next=_local_path(page.request.query_params.get("next")), error=None)


def login(page: Page) -> Response:
    from dondoc.operations import accounts

    name, password = page.form.get("name", "").strip()[:80], page.form.get("password", "")[:1000]
    target = _local_path(page.form.get("next"))
    address = page.request.client.host if page.request.client else ""
    wait = page.limiter.blocked(name, address)
    if wait:
        return page.render(
            "web/login.html",
            status=429,
            next=target,
            error=page.t(
                f"Đăng nhập sai quá nhiều lần: thử lại sau {(wait + 59) // 60} phút",
                f"too many failed sign-ins: try again in {(wait + 59) // 60} min",
            ),
        )
    user = accounts.authenticate(page.app, name, password) if name and password else None
    if user is None:
        page.limiter.failed(name, address)
        return page.render(
            "web/login.html",
            status=401,
            next=target,
            error=page.t(
                "Sai tên hoặc mật khẩu (hoặc tài khoản đã bị khóa)",
                "wrong name or password (or the account is disabled)",
            ),
        )
    page.limiter.succeeded(name, address)
    page.cookies[SESSION_COOKIE] = page.codec.dumps({"uid": user.id, "csrf": new_token()})  # a new session
    return _see(target)


def logout(page: Page) -> Response:
    from dondoc.operations import accounts

    if isinstance(page.session.get("uid"), int):  # the session ends on the server too, not only in this browser
        accounts.sign_out(page.app, page.session["uid"])
    page.cookies[SESSION_COOKIE] = page.codec.dumps({"csrf": new_token()})
    return _see("/login")


def language(page: Page, to: str) -> Response:
    page.cookies[LANG_COOKIE] = "en" if to == "en" else "vi"
    return _see(_local_path(page.request.query_params.get("next")))


# -- quarantine and held reports -----------------------------------------------------------------------------------


def quarantine(page: Page) -> Response:
    from dondoc.operations import listings

    return page.render(
        "web/quarantine.html",
        messages=listings.inbound(page.app, status="quarantine", limit=500),
        held=listings_held(page),
    )


def listings_held(page: Page):
    from dondoc.operations import replies

    return replies.held_reports(page.app)


def message(page: Page, message_id: int) -> Response:
    from dondoc.operations import views

    return page.render("web/message.html", mail=views.received_mail(page.app, message_id))


def message_assign(page: Page, message_id: int) -> Response:
    from dondoc.operations import replies, views

    mail = views.received_mail(page.app, message_id)
    deadline_id = _number(page, "deadline")

    def assign() -> Done:
        submission = replies.assign(page.app, message_id, deadline_id, actor=page.actor)
        return Done(
            page.t(
                f"Thư #{message_id} → hạn #{deadline_id}: bản nộp lần {submission.version} "
                f"({'đúng hạn' if submission.on_time else 'muộn'}); thư xác nhận đã được xếp hàng gửi",
                f"message #{message_id} → deadline #{deadline_id}: submission version {submission.version} "
                f"({'on time' if submission.on_time else 'late'}); its receipt is queued",
            ),
            back=f"/deadlines/{deadline_id}",
        )

    return page.confirm_then(
        f"/messages/{message_id}/assign",
        page.t(
            f"Ghi thư #{message_id} «{mail.subject}» là bản nộp của hạn #{deadline_id}",
            f"record message #{message_id} '{mail.subject}' as the submission for deadline #{deadline_id}",
        ),
        assign,
        fields={"deadline": str(deadline_id)},
    )


def message_reject(page: Page, message_id: int) -> Response:
    from dondoc.operations import replies, views

    mail = views.received_mail(page.app, message_id)
    reason = page.field("reason", limit=500)
    held = mail.status == "held"

    def reject() -> Done:
        (replies.reject_held if held else replies.reject)(page.app, message_id, reason=reason, actor=page.actor)
        return Done(
            page.t(f"Thư #{message_id}: đã loại ({reason})", f"message #{message_id}: rejected ({reason})"),
            back="/quarantine",
        )

    return page.confirm_then(
        f"/messages/{message_id}/reject",
        page.t(
            f"Loại thư #{message_id} «{mail.subject}»: {reason}",
            f"reject message #{message_id} '{mail.subject}': {reason}",
        ),
        reject,
        fields={"reason": reason},
    )


def message_confirm(page: Page, message_id: int) -> Response:
    from dondoc.operations import replies, views

    mail = views.received_mail(page.app, message_id)

    def confirm() -> Done:
        submission = replies.confirm_held(page.app, message_id, actor=page.actor)
        return Done(
            page.t(
                f"Thư #{message_id}: đã xác nhận → bản nộp lần {submission.version}",
                f"message #{message_id}: confirmed → submission version {submission.version}",
            ),
            back=f"/deadlines/{submission.deadline_id}",
        )

    return page.confirm_then(
        f"/messages/{message_id}/confirm",
        page.t(
            f"Xác nhận báo cáo chờ #{message_id} «{mail.subject}» (đã kiểm tra với cơ quan)",
            f"confirm held report #{message_id} '{mail.subject}' (checked with the agency)",
        ),
        confirm,
    )


def attachment(page: Page, attachment_id: int) -> Response:
    from dondoc.operations import files, views

    stored = views.attachment_file(page.app, attachment_id)
    return _download(stored.path, files.served_type(stored), stored.filename)


# -- requests --------------------------------------------------------------------------------------------------------


def requests_page(page: Page) -> Response:
    from dondoc.operations import listings

    return page.render("web/requests.html", requests=listings.requests(page.app))


def request_grant(page: Page, request_id: int) -> Response:
    from dondoc.operations import replies

    to, reason = page.day("to"), page.field("reason", limit=500)

    def grant() -> Done:
        row = replies.grant(page.app, request_id, to=to, reason=reason, actor=page.actor)
        return Done(
            page.t(
                f"Đề nghị #{row.id}: đã gia hạn hạn #{row.deadline_id} đến {to:%d/%m/%Y}",
                f"request #{row.id}: deadline #{row.deadline_id} extended to {to:%d/%m/%Y}",
            ),
            back=f"/deadlines/{row.deadline_id}",
        )

    return page.confirm_then(
        f"/requests/{request_id}/grant",
        page.t(
            f"Gia hạn theo đề nghị #{request_id} đến {to:%d/%m/%Y}: {reason}",
            f"grant request #{request_id}: extend to {to:%d/%m/%Y}: {reason}",
        ),
        grant,
        fields={"to": f"{to:%d/%m/%Y}", "reason": reason},
    )


def request_refuse(page: Page, request_id: int) -> Response:
    from dondoc.operations import replies

    reason = page.field("reason", limit=500)

    def refuse() -> Done:
        row = replies.refuse(page.app, request_id, reason=reason, actor=page.actor)
        return Done(
            page.t(
                f"Đề nghị #{row.id}: không chấp nhận; hạn #{row.deadline_id} giữ nguyên",
                f"request #{row.id} refused; deadline #{row.deadline_id} unchanged",
            ),
            back="/requests",
        )

    return page.confirm_then(
        f"/requests/{request_id}/refuse",
        page.t(f"Không chấp nhận đề nghị #{request_id}: {reason}", f"refuse request #{request_id}: {reason}"),
        refuse,
        fields={"reason": reason},
    )


# -- reports ---------------------------------------------------------------------------------------------------------


def reports_page(page: Page) -> Response:
    from dondoc.operations import reports

    catalog = page.app.catalog()
    consolidating = [(plan, o) for plan in catalog.plans.values() for o in plan.obligations if o.consolidates]
    signers = {
        plan.id: catalog.directory.agencies[plan.coordinator].signers
        for plan in catalog.plans.values()
        if plan.coordinator in catalog.directory.agencies
    }
    return page.render(
        "web/reports.html",
        reports=list(reversed(reports.listing(page.app))),
        consolidating=consolidating,
        signers=signers,
    )


def report_build(page: Page) -> Response:
    from dondoc.operations import reports

    plan, _, obligation = page.field("target", limit=170).partition("/")
    period = page.field("period", limit=20)

    def build() -> Done:
        built = reports.build(page.app, plan, obligation=obligation, period=period)
        return Done(
            page.t(
                f"Báo cáo #{built.row.id} (bản {built.row.revision}): tỷ lệ báo cáo {built.data.submitted}/"
                f"{built.data.expected}, đúng hạn {built.data.on_time}/{built.data.expected}",
                f"report #{built.row.id} (revision {built.row.revision}): reporting {built.data.submitted}/"
                f"{built.data.expected}, on time {built.data.on_time}/{built.data.expected}",
            ),
            back="/reports",
        )

    return page.confirm_then(
        "/reports/build",
        page.t(
            f"Tổng hợp dự thảo báo cáo {plan} / {obligation} / kỳ {period}",
            f"build the draft report {plan} / {obligation} / period {period}",
        ),
        build,
        fields={"target": f"{plan}/{obligation}", "period": period},
    )


def report_file(page: Page, report_id: int, kind: str) -> Response:
    from dondoc.operations import files

    path, media_type = files.report_file(page.app, report_id, kind)
    if kind == "html" and page.request.query_params.get("download") != "1":
        # the preview: our own page, shown sandboxed (no script, no form, no navigation)
        return FileResponse(
            path,
            media_type="text/html; charset=utf-8",
            headers={
                "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            },
        )
    return _download(path, media_type, f"bao-cao-{report_id}.{kind}")


def report_approve(page: Page, report_id: int) -> Response:
    from dondoc.operations import reports

    by = page.field("by", limit=200)

    def approve() -> Done:
        row = reports.approve(page.app, report_id, by=by, actor=page.actor)
        return Done(
            page.t(
                f"Báo cáo #{row.id} đã được duyệt ({row.approved_by})",
                f"report #{row.id} approved ({row.approved_by})",
            )
            + _answer_paused_run(page, row, {"approve": True, "by": by}),
            back="/reports",
        )

    return page.confirm_then(
        f"/reports/{report_id}/approve",
        page.t(f"Duyệt báo cáo #{report_id}, người ký: {by}", f"approve report #{report_id}, signed by {by}"),
        approve,
        fields={"by": by},
    )


def report_reject(page: Page, report_id: int) -> Response:
    from dondoc.operations import reports

    comment = page.field("comment", limit=1000)

    def reject() -> Done:
        row = reports.reject(page.app, report_id, comment=comment, actor=page.actor)
        return Done(
            page.t(f"Báo cáo #{row.id}: không duyệt ({comment})", f"report #{row.id}: rejected ({comment})")
            + _answer_paused_run(page, row, {"approve": False, "comment": comment}),
            back="/reports",
        )

    return page.confirm_then(
        f"/reports/{report_id}/reject",
        page.t(f"Không duyệt báo cáo #{report_id}: {comment}", f"reject report #{report_id}: {comment}"),
        reject,
        fields={"comment": comment},
    )


def _answer_paused_run(page: Page, row, answer: dict) -> str:
    """The same answer to a compile-report run paused for this report (as the CLI gives it), in words; the
    decision in the database stands even when the run cannot be reached."""
    from dondoc.operations import files

    try:
        resumed = files.answer_paused_run(row.plan_id, row.obligation_id, row.period_key, answer)
    except Exception as error:  # noqa: BLE001 — say why the run was not answered; the approval itself is done
        why = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        return page.t(
            f"; cảnh báo: không trả lời được lượt chạy đang chờ duyệt ({why})",
            f"; warning: the paused run could not be answered ({why})",
        )
    return "".join(
        page.t(
            f"; đã trả lời lượt chạy compile-report {r} đang chờ duyệt", f"; answered the paused compile-report run {r}"
        )
        for r in resumed
    )


def report_send(page: Page, report_id: int) -> Response:
    from dondoc.operations import reports

    def send() -> Done:
        done = reports.send(page.app, report_id, actor=page.actor)
        return Done(
            page.t(
                f"Báo cáo #{done.row.id}: đã gửi {done.mails.sent} thư; lỗi {done.mails.failed}",
                f"report #{done.row.id}: {done.mails.sent} mail(s) sent; {done.mails.failed} failed",
            ),
            back="/reports",
        )

    return page.confirm_then(
        f"/reports/{report_id}/send",
        page.t(
            f"Gửi báo cáo #{report_id} lên cấp trên (người nhận của nghĩa vụ)",
            f"send report #{report_id} up to the recipients of its obligation",
        ),
        send,
    )


# -- plans, accounts (the agencies page: dondoc.web.directory) -------------------------------------------------------


def plans_page(page: Page) -> Response:
    from dondoc.operations import views

    periods = {(plan.plan_id, o.obligation_id): o for plan in views.overview(page.app).plans for o in plan.obligations}
    return page.render("web/plans.html", catalog=page.app.catalog(), periods=periods)


def users_page(page: Page) -> Response:
    from dondoc.accounts import ROLES
    from dondoc.operations import accounts

    return page.render("web/users.html", users=accounts.users(page.app), roles=ROLES)


def user_disable(page: Page, name: str) -> Response:
    from dondoc.operations import accounts

    def disable() -> Done:
        row = accounts.disable(page.app, name)
        return Done(page.t(f"Đã khóa tài khoản {row.name}", f"account {row.name} disabled"), back="/users")

    return page.confirm_then(
        f"/users/{urllib.parse.quote(name)}/disable",
        page.t(f"Khóa tài khoản {name}", f"disable the account {name}"),
        disable,
    )


def _number(page: Page, name: str) -> int:
    text = page.field(name, limit=20)
    if not text.isdigit() or not 0 < int(text) < 2**63:
        raise UsageError(page.t(f"«{text}» không phải số hợp lệ", f"'{text}' is not a valid number"))
    return int(text)


def _missing(page: Page, **_) -> Response:
    raise NotFound(page.t("Không có trang này", "no such page"))


ROUTES: list[RouteSpec] = [
    ("/login", ["GET"], login_form, None),
    ("/login", ["POST"], login, None),
    ("/logout", ["POST"], logout, None),
    ("/lang/{to:str}", ["GET"], language, None),
    ("/quarantine", ["GET"], quarantine, "viewer"),
    ("/messages/{message_id:int}", ["GET"], message, "viewer"),
    ("/messages/{message_id:int}/assign", ["POST"], message_assign, "coordinator"),
    ("/messages/{message_id:int}/reject", ["POST"], message_reject, "coordinator"),
    ("/messages/{message_id:int}/confirm", ["POST"], message_confirm, "coordinator"),
    ("/attachments/{attachment_id:int}", ["GET"], attachment, "viewer"),
    ("/requests", ["GET"], requests_page, "viewer"),
    ("/requests/{request_id:int}/grant", ["POST"], request_grant, "coordinator"),
    ("/requests/{request_id:int}/refuse", ["POST"], request_refuse, "coordinator"),
    ("/reports", ["GET"], reports_page, "viewer"),
    ("/reports/build", ["POST"], report_build, "coordinator"),
    ("/reports/{report_id:int}/{kind:str}", ["GET"], report_file, "viewer"),
    ("/reports/{report_id:int}/approve", ["POST"], report_approve, "coordinator"),
    ("/reports/{report_id:int}/reject", ["POST"], report_reject, "coordinator"),
    ("/reports/{report_id:int}/send", ["POST"], report_send, "coordinator"),
    ("/plans", ["GET"], plans_page, "viewer"),
    ("/users", ["GET"], users_page, "admin"),
    ("/users/{name:str}/disable", ["POST"], user_disable, "admin"),
]

"""The console's request pipeline: session, role, CSRF, language, errors as one line, security headers.

Every page is a plain function ``handler(page, **path_params) -> Response`` registered in
:mod:`dondoc.web.pages` with the role it needs; :func:`create_app` wraps each one so that the handler runs only
for a signed-in, enabled account of that role (else a redirect to the login page, or 403), only after the CSRF
token of a post is checked, in a worker thread (operations are synchronous), and so that a named error becomes its
one line on an error page — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dondoc.accounts import may
from dondoc.db.tables import AccountRow
from dondoc.errors import DondocError, NotFound, UsageError, explain
from dondoc.web.security import HEADERS, LoginLimiter, SessionCodec, new_token, same_token, session_secret
from dondoc.wiring import App

# A page handler: the Page, then the path's parameters; and a route: path, methods, handler, the role it needs.
Handler = Callable[..., Response]
RouteSpec = tuple[str, list[str], Handler, str | None]

__all__ = ["Done", "Forbidden", "Page", "create_app"]

log = logging.getLogger("dondoc.web")
SESSION_COOKIE = "dondoc_session"
LANG_COOKIE = "dondoc_lang"
MAX_FORM = 64 * 1024  # a form of the console is a few fields; a bigger body is refused unread
MAX_UPLOAD = 2 * 1024 * 1024  # a form with a file (the contact sheet: 5,000 rows of .xlsx are ~300 KB)


class Forbidden(DondocError):
    """The signed-in account's role may not do this (403)."""


@dataclass
class Page:
    """What a handler gets: the request, the application, who is signed in, their language, the posted form."""

    request: Request
    app: App
    env: jinja2.Environment
    user: AccountRow | None
    lang: str
    csrf: str
    limiter: LoginLimiter
    codec: SessionCodec
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # a posted file: its name and content
    cookies: dict[str, str] = field(default_factory=dict)
    session: dict = field(default_factory=dict)  # the signed session as it came in

    @property
    def actor(self) -> str:
        """Who acts, as the audit log names them: the signed-in account's name."""
        return f"web:{self.user.name}" if self.user is not None else ""

    def confirmed(self) -> bool:
        """Whether a posted action was confirmed (its second step); the first step shows what will be done."""
        return self.form.get("confirmed") == "yes"

    def t(self, vi: str, en: str) -> str:
        """The Vietnamese words, or the English ones behind the switch."""
        return en if self.lang == "en" else vi

    def may(self, role: str) -> bool:
        return self.user is not None and may(self.user.role, role)

    def field(self, name: str, *, required: bool = True, limit: int = 2000) -> str:
        """A posted field, stripped; ``UsageError`` when a required one is empty or too long."""
        value = self.form.get(name, "").strip()
        if required and not value:
            raise UsageError(self.t(f"Thiếu trường «{name}»", f"the field '{name}' is required"))
        if len(value) > limit:
            raise UsageError(self.t(f"Trường «{name}» quá dài", f"the field '{name}' is too long"))
        return value

    def day(self, name: str) -> dt.date:
        """A posted date, dd/mm/yyyy (or yyyy-mm-dd, as a date input sends it)."""
        text = self.field(name, limit=20)
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        raise UsageError(self.t(f"«{text}» không phải ngày (dd/mm/yyyy)", f"'{text}' is not a date (dd/mm/yyyy)"))

    def render(self, template: str, status: int = 200, **context) -> HTMLResponse:
        body = self.env.get_template(template).render(page=self, t=self.t, **context)
        return HTMLResponse(body, status_code=status)

    def confirm_then(
        self, action: str, what: str, do: Callable[[], Done], fields: dict[str, str] | None = None
    ) -> HTMLResponse:
        """A posted action in two steps: the first post shows ``what`` will be done and asks for confirmation (a
        form posting ``fields`` again to ``action``); the confirmed one runs ``do`` — the operation, as the
        signed-in account — and shows what it did. The CSRF token and the role were checked before the page ran;
        a required field (the reason) is read by the page before it calls this, so a missing one stops both steps.
        """
        if not self.confirmed():
            return self.render("web/confirm.html", action=action, fields=fields or {}, what=what)
        done = do()
        if done.also is None:  # (the template shows the second link only when it is given)
            return self.render("web/done.html", back=done.back, what=done.what)
        return self.render("web/done.html", back=done.back, what=done.what, also=done.also)


@dataclass(frozen=True)
class Done:
    """What a confirmed action did, in words, and where to go next (``also``: a second link, e.g. the deadline's
    history)."""

    what: str
    back: str
    also: str | None = None


def _local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path of this site (never another host: no open redirect), else ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def _environment(app: App) -> jinja2.Environment:
    from dondoc.mail.render import jinja_environment
    from dondoc.vocabulary import label, local_time, percent

    env = jinja_environment(app.settings.templates_dir)
    zone = app.settings.timezone
    env.filters["when"] = lambda moment: local_time(
        dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment, zone
    )
    env.filters["day"] = lambda day: f"{day:%d/%m/%Y}" if day else ""
    env.filters["percent"] = percent
    env.globals["label"] = label
    return env


def create_app(
    app: App, *, secret: bytes | None = None, secure_cookies: bool | None = None, limiter: LoginLimiter | None = None
) -> Starlette:
    """The console for ``app``. ``secret`` signs the session cookie (default: ``DONDOC_WEB_SECRET``, else the data
    dir's generated ``web-secret``); ``secure_cookies`` None marks cookies ``Secure`` when the request came over
    TLS, True or False always or never."""
    import os

    from dondoc.web import directory, pages, season

    codec = SessionCodec(secret or session_secret(os.environ, app.settings.data_dir))
    env = _environment(app)
    limiter = limiter or LoginLimiter()
    static = app.settings.templates_dir / "web" / "static"

    def wrap(handler: Callable, role: str | None) -> Callable:
        async def endpoint(request: Request) -> Response:
            session = codec.loads(request.cookies.get(SESSION_COOKIE))
            fresh = "csrf" not in session
            csrf = session.get("csrf") or new_token()
            lang = request.cookies.get(LANG_COOKIE) or app.settings.lang
            page = Page(
                request,
                app,
                env,
                None,
                "en" if lang == "en" else "vi",
                csrf,
                limiter=limiter,
                codec=codec,
                session=session,
            )
            try:
                if any(isinstance(v, int) and v >= 2**63 for v in request.path_params.values()):
                    raise NotFound(page.t("Không có mục này", "no such item"))
                if request.method == "POST":
                    page.form, page.files = await _form(request)
                    if not same_token(session.get("csrf"), page.form.get("csrf")) or not _same_origin(request):
                        raise Forbidden(
                            page.t(
                                "Biểu mẫu hết hạn hoặc không hợp lệ (thiếu mã CSRF): tải lại trang rồi thử lại",
                                "the form is stale or forged (CSRF token missing or "
                                "wrong): reload the page and try again",
                            )
                        )
                if role is not None:
                    uid = session.get("uid")
                    page.user = (
                        await run_in_threadpool(_account, app, uid, session["iat"]) if isinstance(uid, int) else None
                    )
                    if page.user is None:
                        if request.method == "GET":
                            target = urllib.parse.quote(
                                request.url.path + (f"?{request.url.query}" if request.url.query else "")
                            )
                            return RedirectResponse(f"/login?next={target}", status_code=303)
                        raise Forbidden(page.t("Chưa đăng nhập", "not signed in"))
                    if not page.may(role):
                        raise Forbidden(page.t("Vai trò của bạn không được làm việc này", "your role may not do this"))
                response = await run_in_threadpool(handler, page, **request.path_params)
            except Exception as error:  # noqa: BLE001 — every failure is a page, never a traceback
                response = _error_page(page, error)
            if fresh and SESSION_COOKIE not in page.cookies:
                page.cookies[SESSION_COOKIE] = codec.dumps({"csrf": csrf})
            for name, value in page.cookies.items():
                response.set_cookie(
                    name,
                    value,
                    max_age=None if value else 0,
                    httponly=True,
                    samesite="lax",
                    secure=_secure(request, secure_cookies),
                    path="/",
                )
            return response

        return endpoint

    async def stylesheet(request: Request) -> Response:
        return FileResponse(static / "dondoc.css", media_type="text/css")

    routes = [
        Route(path, wrap(handler, role), methods=methods)
        for path, methods, handler, role in [*season.ROUTES, *directory.ROUTES, *pages.ROUTES]
    ]
    routes.append(Route("/static/dondoc.css", stylesheet, methods=["GET"]))
    web = Starlette(routes=routes, exception_handlers={404: _not_found, 405: _not_allowed})
    web.add_middleware(_Headers)
    return web


def _account(app: App, uid: int, issued: float) -> AccountRow | None:
    from dondoc.operations import accounts

    return accounts.account(app, uid, issued=issued)


async def _form(request: Request) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """A posted form, first value of each name, and its files: urlencoded (up to ``MAX_FORM``) or multipart (a file
    upload, up to ``MAX_UPLOAD``); a bigger body is refused before it is all read."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/x-www-form-urlencoded", "multipart/form-data", ""):
        raise UsageError("biểu mẫu không hợp lệ / unsupported form encoding")
    limit = MAX_UPLOAD if kind == "multipart/form-data" else MAX_FORM
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise UsageError(f"biểu mẫu quá lớn / form too large (≤ {limit // 1024:,} KB)")
    if kind == "multipart/form-data":
        return _multipart(request.headers["content-type"], body)
    pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    form: dict[str, str] = {}
    for name, value in pairs:
        form.setdefault(name, value)
    return form, {}


def _multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """The fields and files of a multipart/form-data body, read with the standard library's MIME parser."""
    import email.parser
    import email.policy

    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise UsageError("biểu mẫu không hợp lệ / malformed form")
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        content = part.get_payload(decode=True)
        data = content if isinstance(content, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files.setdefault(name, (filename, data))
        else:
            form.setdefault(name, data.decode("utf-8", "replace"))
    return form, files


def _same_origin(request: Request) -> bool:
    """A post from a page of another site is refused even with a token (the Origin header, when the browser sends
    one, must name this host)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    return urllib.parse.urlsplit(origin).netloc == host


def _secure(request: Request, configured: bool | None) -> bool:
    return configured if configured is not None else request.url.scheme == "https"


def _error_page(page: Page, error: Exception) -> Response:
    """The error's one line on a page (404 unknown id, 403 not allowed, 400 a mistake — among them an action on
    a deadline another coordinator changed first —, 503 the database or disk failing); anything else is logged
    with its traceback and shown as one line."""
    if isinstance(error, NotFound):
        status = 404
    elif isinstance(error, Forbidden):
        status = 403
    elif isinstance(error, DondocError):
        status = 400
    elif (fault := explain(error)) is not None:
        error, status = fault, 503
    else:
        log.exception("web: %s %s failed", page.request.method, page.request.url.path)
        error, status = (
            DondocError(
                page.t(
                    "Lỗi hệ thống: việc này chưa làm được; đã ghi vào nhật ký",
                    "internal error: this was not done; it is in the log",
                )
            ),
            500,
        )
    try:
        return page.render("web/error.html", status=status, message=str(error), status_code=status)
    except Exception:  # noqa: BLE001 — even the error page failing is one line
        return PlainTextResponse(str(error), status_code=status)


async def _not_found(request: Request, exc) -> Response:
    return PlainTextResponse("404 — không có trang này / no such page", status_code=404)


async def _not_allowed(request: Request, exc) -> Response:
    return PlainTextResponse("405 — không được / method not allowed", status_code=405)


class _Headers:
    """The security headers on every answer (pages, files, errors, 404s)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode()) for k, v in HEADERS.items() if k.lower().encode() not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

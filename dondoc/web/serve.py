"""Serving the console with uvicorn: the port checked first, the proxy headers of trusted proxies believed."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable

from dondoc.errors import ServeError
from dondoc.wiring import App

__all__ = ["serve"]


def serve(app: App, host: str, port: int, say: Callable[[str], None]) -> None:
    """Serve ``app``'s console on ``host:port`` until interrupted (``ServeError`` if the port is taken)."""
    import uvicorn

    from dondoc.operations import accounts
    from dondoc.web import create_app
    from dondoc.web.security import SECRET_FILE, session_secret

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        raise ServeError(f"không mở được cổng / cannot listen on {host}:{port} ({error.strerror})") from None
    settings = app.settings
    secret = (
        settings.web_secret.get_secret_value().encode()
        if settings.web_secret
        else session_secret(os.environ, settings.data_dir)
    )
    web = create_app(app, secret=secret, secure_cookies=settings.web_secure_cookies)
    if not accounts.users(app):
        say(
            "Chưa có tài khoản nào / no account yet: tạo bằng / create one with "
            f"`dondoc users add TÊN --role admin --dir {settings.data_dir}`"
        )
    if not settings.web_secret:
        say(f"Khóa phiên / session key: {settings.data_dir / SECRET_FILE} (DONDOC_WEB_SECRET chưa đặt / not set)")
    shown = f"[{host}]" if ":" in host else host
    say(f"Bảng điều khiển web / web console: http://{shown}:{port}/ — Ctrl-C để dừng / to stop")
    uvicorn.run(
        web,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=settings.web_trusted_proxies,
        log_level="warning",
        server_header=False,
        date_header=False,
    )

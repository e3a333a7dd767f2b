"""Fixtures of the console's tests: a synced season, three accounts, the ASGI app in-process, signed-in clients."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from starlette.testclient import TestClient

from dondoc.mail.sink import MaildirSink
from dondoc.operations import accounts, deadlines, opened
from dondoc.settings import Settings
from dondoc.web import create_app
from dondoc.web.security import LoginLimiter
from tests.support.config import write_config
from tests.web.browser import browser, coordinator_season, require_chromium, served

PASSWORD = "mật-khẩu-thử-nghiệm"
SYNCED = dt.datetime(2021, 3, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def sink(tmp_path):
    with MaildirSink(tmp_path / "mail") as sink:
        yield sink


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """For the browser tests, one per test module (one module's actions change what another reads): a played
    season, the coordinator made with `dondoc users add`, `dondoc web` serving it, a headless Chromium and the SMTP
    sink — (url, browser, sink)."""
    require_chromium()
    root = tmp_path_factory.mktemp("console")
    with MaildirSink(root / "mail") as sink:
        env = coordinator_season(root / "data", sink.port)
        with served(root / "data", env) as url, browser() as chrome:
            yield url, chrome, sink


@pytest.fixture
def season(tmp_path, sink):
    """The demo config synced (two agencies owe the 6-month report), and a viewer, a coordinator and an admin."""
    settings = Settings(
        data_dir=tmp_path / "data",
        config_dir=write_config(tmp_path / "config"),
        smtp_port=sink.port,
        hmac_key="web-test-secret",
    )
    with opened(settings) as app:
        deadlines.sync(app, now=SYNCED, preview=False)
        for name, role in (("xem", "viewer"), ("dieuphoi", "coordinator"), ("quantri", "admin")):
            accounts.create(app, name, password=PASSWORD, role=role)
        yield app


@pytest.fixture
def web(season):
    return create_app(season, secret=b"web-test-session-key", limiter=LoginLimiter(attempts=3, window=600))


def token(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(web, name: str) -> TestClient:
    client = TestClient(web, follow_redirects=False)
    page = client.get("/login")
    answer = client.post(
        "/login", data={"csrf": token(page.text), "name": name, "password": PASSWORD, "next": "/plans"}
    )
    assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def viewer(web):
    return signed_in(web, "xem")


@pytest.fixture
def coordinator(web):
    return signed_in(web, "dieuphoi")


@pytest.fixture
def admin(web):
    return signed_in(web, "quantri")


MORNING = dt.datetime(2021, 5, 5, 2, tzinfo=dt.UTC)  # 09:00 in Hà Nội, 10 working days before 19/5/2021
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>\x1b[31m'


def arrive(app, raw: bytes, now: dt.datetime = MORNING) -> None:
    """``raw`` delivered into the inbox Maildir and taken in, as the ingest schedule does."""
    import mailbox

    from dondoc.operations import replies

    mailbox.Maildir(app.settings.data_dir / "inbox", create=True).add(raw)
    replies.ingest(app, now=now)


def stranger_mail(subject: str = XSS) -> bytes:
    """A mail from nobody dondoc knows, with a hostile subject and an HTML body: quarantined."""
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Người lạ <nguoi.la@example.net>"
    message["To"] = "baocao@sldtbxh.example.org"
    message["Subject"] = subject
    message["Message-ID"] = "<stranger-1@example.net>"
    message.set_content("Gửi báo cáo ạ.\n" + XSS)
    message.add_alternative(
        f"<html><body><h1>{XSS}</h1><iframe src='https://evil.example.com'></iframe></body></html>", subtype="html"
    )
    return message.as_bytes()


def reminder(app, agency_id: str) -> bytes:
    """The reminder dondoc sent to ``agency_id`` (the 6-month report), as its raw mail."""
    from dondoc.operations import chasing, listings

    chasing.chase(app, now=MORNING)
    return next(o.raw for o, a in listings.outbox(app) if a is not None and a.id == agency_id and o.kind == "reminder")

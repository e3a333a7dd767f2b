"""What the browser tests and the screenshot script share: a season played through the operations (as the demo
plays it, without Prefect), ``dondoc web`` started as a real process on a free port, and Debian's Chromium."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
HMAC_KEY = "browser-test-secret"
PLAN, OBLIGATION, PERIOD = "bp-2021", "dinh-ky", "2021-H1"
NAME, PASSWORD = "nguyen.van.an", "mật-khẩu-điều-phối"
HANOI = dt.timezone(dt.timedelta(hours=7))


def chromium() -> str | None:
    """Debian's Chromium (``scripts/test`` installs it), or None."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def require_chromium() -> None:
    """Skip the calling test when Chromium is missing — fail it under ``DONDOC_REQUIRE_CHROMIUM=1`` (set by
    ``scripts/test``)."""
    from tests.support.needs import unavailable

    if chromium() is None:
        unavailable("chromium", "DONDOC_REQUIRE_CHROMIUM", "apt-get install chromium")


def coordinator_season(data_dir: Path, smtp_port: int, extra_env: dict[str, str] | None = None) -> dict[str, str]:
    """The season played into ``data_dir`` and the coordinator's account made with `dondoc users add`, as a user
    makes it; returns the environment ``dondoc`` runs with (plus ``extra_env``)."""
    play_season(data_dir, smtp_port)
    env = environment(data_dir, smtp_port) | (extra_env or {})
    made = dondoc(
        "users", "add", NAME, "--role", "coordinator", "--password-stdin", "--dir", str(data_dir), env=env,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert made.returncode == 0 and f"{NAME} (coordinator)" in made.stdout, made.stderr
    return env


def environment(data_dir: Path, smtp_port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONDOC_")}
    env.update(
        DONDOC_DATA_DIR=str(data_dir),
        DONDOC_SMTP_PORT=str(smtp_port),
        DONDOC_HMAC_KEY=HMAC_KEY,
        DONDOC_COMPOSE_WORKERS="0",
        DONDOC_WEB_SECRET="browser-test-session-key",
    )
    return env


def play_season(data_dir: Path, smtp_port: int) -> None:
    """The 6-month season of bp-2021 (22 agencies): reminders 10 days before the last day, eight agencies answer
    (two of them late), a stranger's mail is quarantined, overdue reminders, and the consolidated draft."""
    from dondoc.operations import chasing, deadlines, listings, opened, replies, reports
    from dondoc.settings import Settings
    from tests.replies_helpers import reply_to

    settings = Settings(data_dir=data_dir, smtp_port=smtp_port, hmac_key=HMAC_KEY, compose_workers=0)
    with opened(settings) as app:
        deadlines.sync(app, now=dt.datetime(2021, 1, 4, 8, tzinfo=HANOI), preview=False)
        chasing.chase(app, now=dt.datetime(2021, 5, 5, 8, 30, tzinfo=HANOI))
        sent = {a.id: o for o, a in listings.outbox(app) if a is not None and o.kind == "reminder"}
        answering = sorted(sent)[:8]
        inbox = data_dir / "inbox"
        for index, agency in enumerate(answering):
            late = index >= 6
            when = dt.datetime(2021, 5, 26 if late else 12, 10, tzinfo=HANOI)
            raw = reply_to(
                sent[agency].raw,
                sender=sent[agency].recipients[0],
                when=when,
                body="Kính gửi Sở, đơn vị gửi báo cáo 6 tháng đầu năm 2021.",
                form_values={},
                extra=[("bao-cao-6-thang.pdf", b"%PDF-1.4 bao cao", "application/pdf")],
            )
            _deliver(inbox, raw)
            replies.ingest(app, now=when)
        _deliver(inbox, _stranger())
        replies.ingest(app, now=dt.datetime(2021, 5, 20, 9, tzinfo=HANOI))
        chasing.chase(app, now=dt.datetime(2021, 5, 24, 8, 30, tzinfo=HANOI))
        reports.build(app, PLAN, obligation="tong-hop", period=PERIOD, now=dt.datetime(2021, 5, 27, 9, tzinfo=HANOI))


def _deliver(inbox: Path, raw: bytes) -> None:
    import mailbox

    mailbox.Maildir(inbox, create=True).add(raw)


def _stranger() -> bytes:
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = "Phòng Văn hóa <vanhoa@example.net>"
    message["To"] = "baocao@sldtbxh.example.org"
    message["Subject"] = 'Báo cáo <script>alert("x")</script> công tác trẻ em'
    message["Message-ID"] = "<vanhoa-1@example.net>"
    message.set_content("Gửi kèm báo cáo 6 tháng của đơn vị.")
    return message.as_bytes()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dondoc(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess:
    """The ``dondoc`` command of this environment, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "dondoc", *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


@contextmanager
def served(data_dir: Path, env: dict[str, str]):
    """``dondoc web --dir data_dir`` on a free port, until the block ends; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "dondoc", "web", "--port", str(port), "--dir", str(data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dondoc web did not start: {process.stdout.read()}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def browser():
    """A headless Chromium driven by Playwright (the machine's own Chromium: never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=chromium(), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield launched
        finally:
            launched.close()


def sign_in(page, url: str) -> None:
    page.goto(f"{url}/")
    page.fill("input[name=name]", NAME)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


def screenshots(url: str, chrome, out_dir: Path) -> list[Path]:
    """The main pages (overview, period, deadline, quarantine, reports) at desktop and phone widths, as PNG files
    named ``<page>-<width>.png`` in ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for width, (x, y) in WIDTHS.items():
        page = chrome.new_page(viewport={"width": x, "height": y}, device_scale_factor=1)
        sign_in(page, url)
        period = f"{url}/plans/{PLAN}/bao-cao-dinh-ky/{PERIOD}"
        page.goto(period)
        deadline = page.locator("table.agencies td:first-child a").nth(5).get_attribute("href")  # answered late
        for name, target in (
            ("overview", f"{url}/"),
            ("period", period),
            ("deadline", f"{url}{deadline}"),
            ("quarantine", f"{url}/quarantine"),
            ("reports", f"{url}/reports"),
        ):
            page.goto(target)
            path = out_dir / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=name != "period" and name != "overview")
            written.append(path)
        page.close()
    return written

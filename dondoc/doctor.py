"""``dondoc doctor``: is this installation able to work? One line per check, what is wrong and what to do.

Checks the configuration, the database and its migrations, the data folder,
the data itself (the invariants of :mod:`dondoc.integrity`: after a crash or a
restore, is anything missing or half-written?), the secrets, the SMTP relay,
the inbox (Maildir or IMAP) and, when one is configured, the Prefect API.
It reads and connects; it changes nothing (the database is not migrated, no
mail is sent or marked read). Secrets are never shown, only whether they are
set.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dondoc.settings import Settings

__all__ = ["Check", "run_checks"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK ' if self.ok else 'LỖI'}  {self.name}: {self.detail}"


class Problem(Exception):
    """A failed check: what is wrong, and what to do."""


def _config(settings: Settings) -> str:
    from dondoc.config import check_config, load_catalog

    problems = check_config(settings.config_dir)
    if problems:
        first = problems[0]
        raise Problem(
            f"{len(problems)} lỗi trong {settings.config_dir}, đầu tiên: {first} → `dondoc plans check` liệt kê tất cả"
        )
    catalog = load_catalog(settings.config_dir)
    return f"{settings.config_dir}: {len(catalog.plans)} kế hoạch, {len(catalog.directory.agencies)} cơ quan"


def _database(settings: Settings) -> str:
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import current_revision, head_revision

    url = settings.effective_database_url
    parsed = make_url(url)
    if (
        parsed.get_backend_name() == "sqlite"
        and parsed.database not in (None, "", ":memory:")
        and not Path(parsed.database).exists()
    ):
        raise Problem(f"{parsed.database}: chưa có cơ sở dữ liệu → `dondoc sync` tạo và nạp kế hoạch")
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = current_revision(engine), head_revision()
    except Exception as error:  # noqa: BLE001 — any driver error is the answer
        raise Problem(
            f"không kết nối được {engine.url.render_as_string(hide_password=True)}: "
            f"{' '.join(str(error).split())[:200]} → kiểm tra DONDOC_DATABASE_URL"
        ) from None
    finally:
        engine.dispose()
    where = engine.url.render_as_string(hide_password=True)
    if current != head:
        raise Problem(
            f"{where}: lược đồ ở phiên bản {current or '(trống)'}, mới nhất là {head} "
            "→ chạy `dondoc sync` (lệnh nào mở cơ sở dữ liệu cũng tự nâng cấp)"
        )
    return f"{where}: kết nối được, lược đồ mới nhất ({head})"


def _data_dir(settings: Settings) -> str:
    folder = settings.data_dir
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as error:
        raise Problem(
            f"{folder}: không ghi được ({error.strerror}) → kiểm tra quyền của thư mục (DONDOC_DATA_DIR)"
        ) from None
    mode = folder.stat().st_mode & 0o777
    if mode & 0o007:
        raise Problem(f"{folder}: ai cũng đọc được (quyền {mode:o}) → chmod 700 {folder}")
    return f"{folder}: ghi được, quyền {mode:o}"


def _data(settings: Settings) -> str:
    from sqlalchemy import func, select
    from sqlalchemy.engine import make_url
    from sqlmodel import Session

    from dondoc.db.engine import make_engine
    from dondoc.db.tables import InboundRow
    from dondoc.integrity import check_integrity

    url = make_url(settings.effective_database_url)
    if (
        url.get_backend_name() == "sqlite"
        and url.database not in (None, "", ":memory:")
        and not Path(url.database).exists()
    ):
        return "chưa có dữ liệu để kiểm tra"
    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            violations = check_integrity(session, settings.data_dir)
            messages = session.scalar(select(func.count()).select_from(InboundRow))
    finally:
        engine.dispose()
    if violations:
        raise Problem(
            f"{len(violations)} quy tắc không đạt: {'; '.join(map(str, violations))[:600]} "
            "→ chạy lại lệnh bị ngắt; nếu vẫn còn, `dondoc restore` bản sao lưu gần nhất"
        )
    return f"nhất quán ({messages} thư đến, tệp gốc đủ cả)"


def _secrets(settings: Settings) -> str:
    missing = []
    if settings.hmac_key is None or not settings.hmac_key.get_secret_value():
        missing.append("DONDOC_HMAC_KEY")
    elif len(settings.hmac_key.get_secret_value()) < 16:
        raise Problem("DONDOC_HMAC_KEY quá ngắn (dưới 16 ký tự) → `openssl rand -hex 32`")
    if settings.smtp_user and (settings.smtp_password is None or not settings.smtp_password.get_secret_value()):
        missing.append("DONDOC_SMTP_PASSWORD")
    if settings.inbox == "imap" and (settings.imap_password is None or not settings.imap_password.get_secret_value()):
        missing.append("DONDOC_IMAP_PASSWORD")
    if missing:
        raise Problem(f"chưa đặt {', '.join(missing)} → đặt trong môi trường (không ghi vào kho mã)")
    return "đã đặt (không hiển thị)"


def _smtp(settings: Settings) -> str:
    import aiosmtplib

    async def probe() -> str:
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            timeout=10,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            local_hostname=settings.local_hostname,
        )
        await client.connect()
        try:
            if settings.smtp_user and settings.smtp_password is not None:
                await client.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            return (client.last_ehlo_response.message.splitlines() or [""])[0] if client.last_ehlo_response else ""
        finally:
            await client.quit()

    try:
        greeting = asyncio.run(probe())
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
        raise Problem(
            f"{settings.smtp_host}:{settings.smtp_port}: {' '.join(str(error).split())[:200]} "
            "→ kiểm tra DONDOC_SMTP_HOST/_PORT/_SECURITY/_USER"
        ) from None
    login = f", đăng nhập {settings.smtp_user}" if settings.smtp_user else ""
    return f"{settings.smtp_host}:{settings.smtp_port} ({settings.smtp_security}{login}): {greeting}"


def _inbox(settings: Settings) -> str:
    from dondoc.errors import MailError
    from dondoc.mail.sources import ImapSource

    if settings.inbox == "maildir":
        folder = settings.maildir or settings.data_dir / "inbox"
        if not folder.exists():
            return f"Maildir {folder}: chưa có (sẽ tạo khi có thư)"
        if not all((folder / sub).is_dir() for sub in ("new", "cur", "tmp")):
            raise Problem(f"{folder} không phải Maildir (thiếu new/cur/tmp) → kiểm tra DONDOC_MAILDIR")
        held = sum(1 for sub in ("new", "cur") for entry in (folder / sub).iterdir() if not entry.name.startswith("."))
        return f"Maildir {folder}: {held} thư / messages"
    if not settings.imap_user or settings.imap_password is None:
        raise Problem("hộp thư IMAP cần DONDOC_IMAP_USER và DONDOC_IMAP_PASSWORD")
    source = ImapSource(
        host=settings.imap_host,
        port=settings.imap_port,
        username=settings.imap_user,
        password=settings.imap_password.get_secret_value(),
        mailbox=settings.imap_mailbox,
        security=settings.imap_security,
        timeout=min(settings.imap_timeout, 15),
    )
    try:
        return "IMAP " + source.check()
    except MailError as error:
        raise Problem(f"{error} → kiểm tra DONDOC_IMAP_HOST/_PORT/_SECURITY/_USER/_MAILBOX") from None


def _prefect() -> str:
    import httpx

    url = os.environ.get("PREFECT_API_URL")
    if not url:
        return (
            "không đặt PREFECT_API_URL: `dondoc serve` tự khởi động máy chủ Prefect của nó (một máy) / "
            "dondoc serve starts its own Prefect server"
        )
    try:
        answer = httpx.get(url.rstrip("/") + "/health", timeout=5)
        answer.raise_for_status()
    except httpx.HTTPError as error:
        raise Problem(
            f"{url}: {' '.join(str(error).split())[:200]} → khởi động máy chủ Prefect "
            "(`dondoc serve` không đặt PREFECT_API_URL, hoặc `deployments/server/run.sh start`) hoặc sửa "
            "PREFECT_API_URL"
        ) from None
    return f"{url}: trả lời /health"


CHECKS: list[tuple[str, Callable[[Settings], str]]] = [
    ("cấu hình / config", _config),
    ("cơ sở dữ liệu / database", _database),
    ("thư mục dữ liệu / data dir", _data_dir),
    ("dữ liệu / data", _data),
    ("khóa bí mật / secrets", _secrets),
    ("SMTP", _smtp),
    ("hộp thư đến / inbox", _inbox),
    ("Prefect API", lambda settings: _prefect()),
]


def run_checks(settings: Settings) -> list[Check]:
    """Every check, in order; one failing does not stop the others."""
    results = []
    for name, check in CHECKS:
        try:
            results.append(Check(name, True, check(settings)))
        except Problem as problem:
            results.append(Check(name, False, str(problem)))
        except Exception as error:  # noqa: BLE001 — a check that breaks is a failed check, said in one line
            results.append(Check(name, False, f"{type(error).__name__}: {' '.join(str(error).split())[:200]}"))
    return results

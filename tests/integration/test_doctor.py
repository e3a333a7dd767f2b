"""``dondoc doctor``: one line per check against real components; what is wrong and what to do; no secret shown."""

from __future__ import annotations

import mailbox
import os
from email.message import EmailMessage

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from dondoc.cli import app
from dondoc.db.tables import InboundRow
from dondoc.mail.sink import MaildirSink
from dondoc.wiring import build

SECRET = "doctor-hmac-0123456789abcdef"


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A working installation: shipped config, a migrated SQLite database, a real SMTP server, a Maildir."""
    with MaildirSink(tmp_path / "mail") as sink:
        monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("DONDOC_HMAC_KEY", SECRET)
        monkeypatch.setenv("DONDOC_SMTP_PORT", str(sink.port))
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
        build().engine.dispose()  # opening the database migrates it
        yield tmp_path


def _doctor() -> tuple[int, dict[str, str]]:
    result = CliRunner().invoke(app, ["doctor"])
    lines = {}
    for line in result.stdout.splitlines():
        status, _, rest = line.partition(" ")
        name, _, detail = rest.strip().partition(": ")
        lines[name] = f"{status} {detail}"
    return result.exit_code, lines


def test_a_working_installation_passes_every_check(installed):
    code, lines = _doctor()
    assert code == 0, lines
    assert len(lines) == 8 and all(v.startswith("OK") for v in lines.values())
    assert lines["dữ liệu / data"] == "OK nhất quán (0 thư đến, tệp gốc đủ cả)"
    assert "5 kế hoạch, 183 cơ quan" in lines["cấu hình / config"]  # 167 + Đồng Nai (11), 3 Sở Nội vụ, 2 Bộ
    assert "lược đồ mới nhất" in lines["cơ sở dữ liệu / database"]
    assert SECRET not in " ".join(lines.values())


def test_each_broken_part_is_one_line_saying_what_to_do(installed, tmp_path, monkeypatch):
    monkeypatch.setenv("DONDOC_SMTP_PORT", "1")  # nothing listens there
    monkeypatch.setenv("DONDOC_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.delenv("DONDOC_HMAC_KEY")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "plans").mkdir()
    (tmp_path / "config" / "plans" / "x.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    monkeypatch.setenv("DONDOC_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
    code, lines = _doctor()
    assert code == 1
    assert lines["cấu hình / config"].startswith("LỖI") and "x.yaml:" in lines["cấu hình / config"]
    assert lines["cơ sở dữ liệu / database"].startswith("LỖI") and "dondoc sync" in lines["cơ sở dữ liệu / database"]
    assert (
        lines["khóa bí mật / secrets"] == "LỖI chưa đặt DONDOC_HMAC_KEY → đặt trong môi trường (không ghi vào kho mã)"
    )
    assert lines["SMTP"].startswith("LỖI 127.0.0.1:1:") and "DONDOC_SMTP_HOST" in lines["SMTP"]
    assert lines["Prefect API"].startswith("LỖI http://127.0.0.1:1/api")
    assert lines["thư mục dữ liệu / data dir"].startswith("OK")
    assert lines["dữ liệu / data"] == "OK chưa có dữ liệu để kiểm tra"


def test_a_raw_message_lost_after_a_crash_or_a_bad_restore_is_named(installed):
    inbox = mailbox.Maildir(installed / "data" / "inbox", create=True)
    for n in range(2):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@example.org", "baocao@example.org", f"Thư {n}"
        message.set_content("Xin chào.")
        inbox.add(message)
    assert CliRunner().invoke(app, ["ingest", "--now", "2026-11-22"]).exit_code == 0
    code, lines = _doctor()
    assert code == 0 and lines["dữ liệu / data"] == "OK nhất quán (2 thư đến, tệp gốc đủ cả)"
    engine = build().engine
    with Session(engine) as session:
        lost = session.exec(select(InboundRow).order_by(InboundRow.id)).first()
    engine.dispose()
    (installed / "data" / lost.path).unlink()
    code, lines = _doctor()
    assert code == 1
    assert lines["dữ liệu / data"] == (
        f"LỖI 1 quy tắc không đạt: raw: inbound {lost.id} {lost.path}: missing → chạy lại lệnh bị ngắt; "
        "nếu vẫn còn, `dondoc restore` bản sao lưu gần nhất"
    )


def test_an_old_schema_is_found_without_touching_it(installed, tmp_path, monkeypatch):
    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import current_revision, upgrade

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0004")
    monkeypatch.setenv("DONDOC_DATABASE_URL", url)
    code, lines = _doctor()
    assert code == 1 and "phiên bản 0004, mới nhất là" in lines["cơ sở dữ liệu / database"]
    assert current_revision(engine) == "0004"  # the doctor changed nothing
    engine.dispose()


def test_imap_inbox_against_dovecot_and_a_wrong_password(installed, dovecot, monkeypatch):
    monkeypatch.setenv("DONDOC_INBOX", "imap")
    monkeypatch.setenv("DONDOC_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("DONDOC_IMAP_PORT", str(dovecot.port))
    monkeypatch.setenv("DONDOC_IMAP_SECURITY", "none")
    monkeypatch.setenv("DONDOC_IMAP_USER", dovecot.user)
    monkeypatch.setenv("DONDOC_IMAP_PASSWORD", dovecot.password)
    code, lines = _doctor()
    assert code == 0 and lines["hộp thư đến / inbox"].startswith(f"OK IMAP {dovecot.user}@127.0.0.1")
    monkeypatch.setenv("DONDOC_IMAP_PASSWORD", "sai-" + dovecot.password)
    code, lines = _doctor()
    assert code == 1 and "login failed" in lines["hộp thư đến / inbox"]
    assert dovecot.password not in " ".join(lines.values())


def test_postgresql_database(installed, pg_url, monkeypatch):
    from dondoc.db.engine import make_engine
    from dondoc.db.migrate import upgrade

    engine = make_engine(pg_url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("DONDOC_DATABASE_URL", pg_url)
    code, lines = _doctor()
    assert lines["cơ sở dữ liệu / database"].startswith("OK postgresql"), lines
    assert code == 0
    password = os.environ.get("PGPASSWORD")
    assert not password or password not in " ".join(lines.values())

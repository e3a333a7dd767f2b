"""``dondoc backup`` / ``dondoc restore``: a real season's state (sync, chase to a real SMTP server, replies taken in
from a Maildir, a report built) backed up, destroyed and restored identically — SQLite and PostgreSQL; a backup while
another thread writes; corrupt and hostile archives refused whole, in one line, with nothing changed."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import mailbox
import os
import shutil
import sqlite3
import stat
import tarfile
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import MetaData, select
from typer.testing import CliRunner

from dondoc.backup import pg_command
from dondoc.cli import app
from dondoc.db.engine import make_engine
from dondoc.mail.sink import MaildirSink
from tests import figures
from tests.replies_helpers import reply_to
from tests.support.config import write_config

HMAC = "backup-hmac-0123456789abcdef"
PG_PASSWORD = "pg-Secret-5d1e9a"  # the test cluster trusts every login; the password must still travel safely


def invoke(*args: str, code: int = 0):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


@pytest.fixture
def season(tmp_path, monkeypatch):
    """A data dir with a reporting season in it: deadlines, reminders sent, replies taken in with their forms,
    a receipt, a consolidated report; SQLite unless the test sets DONDOC_DATABASE_URL first."""
    inbox = mailbox.Maildir(tmp_path / "inbox", create=True)
    with MaildirSink(tmp_path / "mail") as sink:
        for name, value in {
            "DONDOC_DATA_DIR": str(tmp_path / "data"),
            "DONDOC_CONFIG_DIR": str(write_config(tmp_path / "config")),
            "DONDOC_SMTP_PORT": str(sink.port),
            "DONDOC_HMAC_KEY": HMAC,
            "DONDOC_MAILDIR": str(tmp_path / "inbox"),
        }.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("PREFECT_API_URL", raising=False)
        monkeypatch.chdir(tmp_path)

        def play() -> None:
            invoke("sync", "--now", "2021-03-01")
            invoke("chase", "--now", "2021-05-05T09:00")
            [reminder] = sink.messages("vanthu@syt.demo.example.org")
            inbox.add(
                reply_to(reminder, sender="vanthu@syt.demo.example.org", body="Gửi báo cáo 6 tháng.", form_values={})
            )
            inbox.add(b"From: nobody@elsewhere.example\r\nSubject: hello\r\n\r\nwho are you?\r\n")
            ingested = json.loads(invoke("ingest", "--now", "2021-05-10T10:00", "--format", "json").stdout)
            assert ingested["submission"] == 1 and ingested["receipts"] == 1
            invoke(
                "report",
                "build",
                "demo-2021",
                "--obligation",
                "tong-hop",
                "--period",
                "2021-H1",
                "--now",
                "2021-05-21T08:00",
            )

        yield tmp_path, play


def tables(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    engine = make_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        with engine.connect() as connection:
            return {
                name: [
                    tuple(row)
                    for row in connection.execute(select(table).order_by(*(table.primary_key.columns or table.columns)))
                ]
                for name, table in sorted(metadata.tables.items())
            }
    finally:
        engine.dispose()


def files(data_dir: Path) -> dict[str, str]:
    """sha256 of every file of the raw store, the attachments and the reports."""
    return {
        str(path.relative_to(data_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in ("raw", "files", "reports")
        for path in sorted((data_dir / folder).rglob("*"))
        if path.is_file()
    }


def sqlite_url(root: Path) -> str:
    return f"sqlite:///{root / 'data' / 'dondoc.sqlite3'}"


def status() -> str:
    return invoke("status", "--now", "2021-05-21").stdout


def test_sqlite_state_backed_up_destroyed_and_restored_identically(season):
    root, play = season
    play()
    before, raw_before, status_before = tables(sqlite_url(root)), files(root / "data"), status()
    assert before["submission"] and before["inbound"] and before["outbox"] and before["report"]
    assert any(name.startswith("raw/") for name in raw_before) and any(n.startswith("files/") for n in raw_before)
    assert any(name.startswith("reports/") for name in raw_before)

    (root / "backups").mkdir()
    result = invoke("backup", str(root / "backups"))
    [archive] = (root / "backups").iterdir()
    assert archive.name.startswith("dondoc-backup-") and archive.name.endswith(".tar.gz")
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    lines = result.stdout.splitlines()
    assert [line.split(":")[0].strip() for line in lines[:4]] == [
        "cơ sở dữ liệu / database",
        "thư gốc / raw mail",
        "tệp đính kèm / attachments",
        "báo cáo / reports",
    ]
    assert lines[-1].startswith(f"Đã sao lưu / backup written: {archive}")
    assert "thư gốc / raw mail: 2 tệp" in result.stdout

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["database"] == {"kind": "sqlite", "member": "database/dondoc.sqlite3"}
    assert manifest["alembic_revision"] == before["alembic_version"][0][0]
    assert manifest["created_at"].endswith("+00:00") and manifest["dondoc_version"]
    assert manifest["rows"] == {name: len(rows) for name, rows in before.items()}
    assert {name.removeprefix("data/") for name in manifest["files"] if name.startswith("data/")} == set(raw_before)
    assert all(manifest["files"][f"data/{name}"]["sha256"] == digest for name, digest in raw_before.items())

    shutil.rmtree(root / "data")
    result = invoke("restore", str(archive))
    assert "row counts match the manifest" in result.stdout.splitlines()[-1]
    assert tables(sqlite_url(root)) == before
    assert files(root / "data") == raw_before
    assert status() == status_before
    assert stat.S_IMODE((root / "data").stat().st_mode) == 0o700
    assert stat.S_IMODE((root / "data" / "dondoc.sqlite3").stat().st_mode) == 0o600


def test_restored_at_another_path_the_report_files_are_found_and_the_data_consistent(season, monkeypatch):
    """A server moved: the archive restored into a data dir at another path, the old one gone."""
    root, play = season
    play()
    invoke("backup", "moved.tar.gz")
    shutil.rmtree(root / "data")
    monkeypatch.setenv("DONDOC_DATA_DIR", str(root / "elsewhere" / "data"))
    invoke("restore", "moved.tar.gz")
    [built] = json.loads(invoke("reports", "--format", "json").stdout)
    paths = [
        Path(name) for name in built["files"].values()
    ]  # a list of files is a list (a dict by kind), not a joined string
    assert len(paths) == 3 and all(
        p.is_relative_to(root / "elsewhere" / "data" / "reports") and p.is_file() for p in paths
    )
    assert "OK   dữ liệu / data: nhất quán" in CliRunner().invoke(app, ["doctor"]).stdout  # report files found


def test_restore_without_force_onto_existing_data_is_refused(season):
    root, play = season
    play()
    invoke("backup", "first.tar.gz")
    invoke("pause", "demo.so-y-te", "--until", "15/06/2021", "--reason", "after the backup")
    before, raw_before = tables(sqlite_url(root)), files(root / "data")

    result = invoke("restore", "first.tar.gz", code=1)
    assert result.stderr.strip().count("\n") == 0 and "--force" in result.stderr
    assert tables(sqlite_url(root)) == before and files(root / "data") == raw_before

    invoke("restore", "first.tar.gz", "--force")  # back to the state of the backup: the pause is gone
    assert "after the backup" not in str(tables(sqlite_url(root))["pause"])
    assert files(root / "data") == raw_before


def test_backup_while_another_thread_writes_is_consistent(season):
    root, play = season
    invoke("sync", "--now", "2021-03-01")
    stop, commits = threading.Event(), [0]

    def writer() -> None:  # two rows a transaction: a consistent copy holds an even number
        with closing(sqlite3.connect(root / "data" / "dondoc.sqlite3", timeout=30)) as connection:
            while not stop.is_set():
                with connection:
                    for _ in range(2):
                        connection.execute(
                            "INSERT INTO pause (agency_id, until, reason, created_at) VALUES "
                            "('demo.so-y-te', '2021-06-15', 'writer', '2021-03-01 00:00:00')"
                        )
                commits[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while commits[0] < 20:
            assert thread.is_alive(), "the writer stopped"
        started = commits[0]
        for number in range(3):
            invoke("backup", f"during-{number}.tar.gz")
        assert commits[0] > started  # the writer kept committing while the backups ran
    finally:
        stop.set()
        thread.join()
    for number in range(3):
        with tarfile.open(root / f"during-{number}.tar.gz") as tar:
            manifest = json.load(tar.extractfile("manifest.json"))
            tar.extract("database/dondoc.sqlite3", root / f"copy-{number}", filter="data")
        with closing(sqlite3.connect(root / f"copy-{number}" / "database" / "dondoc.sqlite3")) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            pauses = copy.execute("SELECT count(*) FROM pause").fetchone()[0]
        assert pauses % 2 == 0 and pauses == manifest["rows"]["pause"] > 0


@pytest.mark.postgres
def test_postgresql_state_through_pg_dump_and_pg_restore_into_a_fresh_database(season, postgres, monkeypatch):
    root, play = season
    with_password = postgres.create_database().replace("postgres@", f"postgres:{PG_PASSWORD}@")
    monkeypatch.setenv("DONDOC_DATABASE_URL", with_password)
    play()
    before, raw_before, status_before = tables(with_password), files(root / "data"), status()
    assert before["submission"] and before["report"]

    backed_up = invoke("backup", "pg.tar.gz")
    with tarfile.open(root / "pg.tar.gz") as tar:
        manifest_text = tar.extractfile("manifest.json").read().decode()
        assert tar.getnames()[0] == "database/dondoc.pgdump"
    manifest = json.loads(manifest_text)
    assert manifest["database"]["kind"] == "postgresql"
    assert manifest["rows"] == {name: len(rows) for name, rows in before.items()}

    shutil.rmtree(root / "data")
    fresh = postgres.create_database().replace("postgres@", f"postgres:{PG_PASSWORD}@")
    monkeypatch.setenv("DONDOC_DATABASE_URL", fresh)
    restored = invoke("restore", "pg.tar.gz")
    assert tables(fresh) == before
    assert files(root / "data") == raw_before
    assert status() == status_before
    refused = invoke("restore", "pg.tar.gz", code=1)  # the fresh database holds the season now
    assert "--force" in refused.stderr
    invoke("restore", "pg.tar.gz", "--force")  # pg_restore --clean --if-exists over it
    assert tables(fresh) == before
    for text in (backed_up.output, restored.output, refused.output, manifest_text):
        assert PG_PASSWORD not in text


def test_the_password_goes_to_pg_dump_in_the_environment_only():
    argv, environment = pg_command(
        "pg_dump", f"postgresql+psycopg://dondoc:{PG_PASSWORD}@db.example:5433/dondoc", "--format=custom"
    )
    assert argv == ["pg_dump", "--format=custom", "--dbname=postgresql://dondoc@db.example:5433/dondoc"]
    assert environment["PGPASSWORD"] == PG_PASSWORD
    assert PG_PASSWORD not in " ".join(argv)


# --- archives that must be refused whole ----------------------------------------------------------------------


def flipped(archive: Path) -> None:
    content = bytearray(archive.read_bytes())
    content[len(content) // 2] ^= 0xFF
    archive.write_bytes(bytes(content))


def truncated(archive: Path) -> None:
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])


def _rewritten(archive: Path, extra: tarfile.TarInfo, content: bytes = b"") -> None:
    """The same archive with one more member, listed in the manifest as if it belonged."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    manifest = json.loads(members[-1][1])
    manifest["files"][extra.name] = {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member, data in members[:-1]:
            tar.addfile(member, io.BytesIO(data))
        extra.size = len(content) if extra.isreg() else 0
        tar.addfile(extra, io.BytesIO(content) if extra.isreg() else None)
        body = json.dumps(manifest).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    archive.write_bytes(buffer.getvalue())


def climbing(archive: Path) -> None:
    _rewritten(archive, tarfile.TarInfo("../evil"), b"owned\n")


def absolute(archive: Path) -> None:
    _rewritten(archive, tarfile.TarInfo(f"{archive.parent}/evil"), b"owned\n")


def linked(archive: Path) -> None:
    link = tarfile.TarInfo("data/raw/ev/evil.eml")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    _rewritten(archive, link)


def tampered(archive: Path) -> None:  # a well-formed archive whose raw mail no longer matches the manifest
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for member, data in members:
            if member.name.startswith("data/raw/"):
                data = data.replace(b"Subject", b"Subjekt")
            tar.addfile(member, io.BytesIO(data))
    archive.write_bytes(buffer.getvalue())


def tree(root: Path) -> list[str]:
    """Every path under ``root`` but the SMTP sink's mail and SQLite's -wal/-shm (they come and go with
    connections)."""
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if "mail" not in p.parts and not p.name.endswith(("-wal", "-shm"))
    )


@pytest.mark.parametrize(
    "damage, said",
    [
        (flipped, "corrupt or truncated archive"),
        (truncated, "corrupt or truncated archive"),
        (climbing, "unsafe archive member '../evil' (outside the data dir)"),
        (absolute, "(an absolute path)"),
        (linked, "(a link)"),
        (tampered, "does not match its sha256 in the manifest"),
    ],
)
def test_a_damaged_or_hostile_archive_changes_nothing(season, damage, said):
    root, play = season
    play()
    invoke("backup", "whole.tar.gz")
    invoke("pause", "demo.so-y-te", "--until", "15/06/2021", "--reason", "after the backup")
    before, raw_before = tables(sqlite_url(root)), files(root / "data")
    listing = tree(root)
    shutil.copy(root / "whole.tar.gz", root / "damaged.tar.gz")
    damage(root / "damaged.tar.gz")
    figures.add(figures.HOSTILE)
    listing.append("damaged.tar.gz")

    result = invoke("restore", "damaged.tar.gz", "--force", code=1)  # even forced: nothing is touched
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Lỗi / error: ") and said in line and "nothing was restored" in line
    assert "Traceback" not in result.output
    assert tables(sqlite_url(root)) == before and files(root / "data") == raw_before
    assert tree(root) == sorted(listing)
    assert not (root / "evil").exists() and not (root.parent / "evil").exists()


def test_an_archive_that_is_not_one_is_one_line(season):
    root, _ = season
    (root / "notes.tar.gz").write_bytes(gzip.compress(b"just text, not a tar"))
    for name, said in (("missing.tar.gz", "no such file"), ("notes.tar.gz", "corrupt or truncated archive")):
        result = invoke("restore", name, code=1)
        assert result.stderr.count("\n") == 1 and said in result.stderr
    assert not (root / "data").exists()


def test_a_backup_never_overwrites_a_file(season):
    root, play = season
    invoke("sync", "--now", "2021-03-01")
    (root / "taken.tar.gz").write_bytes(b"keep me")
    result = invoke("backup", "taken.tar.gz", code=1)
    assert "already exists" in result.stderr and (root / "taken.tar.gz").read_bytes() == b"keep me"
    assert not [p for p in os.listdir(root) if p.startswith(".")]  # no partial file or scratch folder left


def test_an_in_memory_sqlite_database_is_refused_in_one_line(tmp_path, monkeypatch):
    """``sqlite://`` names no file: backup and restore say so (they used to fail on ``Path(None)``)."""
    monkeypatch.setenv("DONDOC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DONDOC_DATABASE_URL", "sqlite://")
    monkeypatch.chdir(tmp_path)
    result = invoke("backup", code=1)
    assert result.stderr.count("\n") == 1 and "in memory" in result.stderr
    assert not list(tmp_path.glob("*.tar.gz")) and not [p for p in os.listdir(tmp_path) if p.startswith(".")]

"""Faults at the edges: a full disk, a locked or restarted database, a mail server down, slow or cut off.

Each test breaks one thing around a real ``python -m dondoc`` run, checks
the coordinator's one line (no traceback, no secret), then repairs it and
checks that the next run recovers: nothing lost, nothing twice (by content
hash at the inbox, by Message-ID at the mailboxes), and the data consistent
(:func:`dondoc.integrity.check_integrity`).
"""

from __future__ import annotations

import contextlib
import hashlib
import mailbox
import os
import random
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from dondoc.db.engine import make_engine
from dondoc.db.tables import InboundRow, InboundStatus, OutboxRow, OutboxStatus, SourceMessageRow
from dondoc.integrity import check_integrity
from dondoc.mail.sink import MaildirSink
from tests import figures
from tests.integration.test_crash import MORNING, big_config
from tests.postgres import started_cluster
from tests.support.config import write_config

pytestmark = pytest.mark.slow  # each test runs dondoc two to four times as a process

ROOT = Path(__file__).resolve().parents[2]
SECRET = "fault-test-secret-5f1c"
LATER = "2021-05-05T09:30"  # the next run: past the first retry delay
SENDER = "vanthu@elsewhere.example.com"  # unknown: each message ends in quarantine, one outcome each


# -- running dondoc -----------------------------------------------------------------------------------------------


def cli_env(tmp_path: Path, *, smtp_port: int, database_url: str | None = None, **extra: str) -> dict:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DONDOC_DATA_DIR=str(tmp_path / "data"),
        DONDOC_CONFIG_DIR=str(tmp_path / "config"),
        DONDOC_MAILDIR=str(tmp_path / "inbox"),
        DONDOC_DATABASE_URL=database_url or f"sqlite:///{tmp_path / 'db' / 'dondoc.sqlite3'}",
        DONDOC_SMTP_PORT=str(smtp_port),
        DONDOC_HMAC_KEY=SECRET,
        DONDOC_SMTP_PASSWORD=SECRET,
        DONDOC_SMTP_CONNECTIONS="2",
        DONDOC_SMTP_TIMEOUT="1",
        DONDOC_COMPOSE_WORKERS="0",
    )
    env.update(extra)
    return env


def dondoc(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dondoc", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180
    )


def clean(result: subprocess.CompletedProcess) -> str:
    """The run's whole output, after checking it holds no traceback and no secret."""
    text = result.stdout + result.stderr
    assert "Traceback" not in text, text
    assert SECRET not in text
    return text


def ok(result: subprocess.CompletedProcess) -> str:
    clean(result)
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_line(result: subprocess.CompletedProcess) -> str:
    """The coordinator's line: exit 1 and exactly one line on stderr, ``Lỗi / error: …``."""
    clean(result)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Lỗi / error: "), result.stderr
    return lines[0]


def integrity(url: str, data_dir: Path, *, settled: bool = True) -> list:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return check_integrity(session, data_dir, settled=settled, deep=True)
    finally:
        engine.dispose()


def table(url: str, row_type) -> list:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(row_type)))
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- chasing: every reminder at its mailbox exactly once --------------------------------------------------------

AGENCIES = 6


@pytest.fixture
def chase_world(tmp_path):
    """A plan whose six districts each owe a reminder on MORNING; synced; the sink that will receive them."""
    big_config(tmp_path / "config", agencies=AGENCIES)
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(tmp_path, smtp_port=sink.port)
        ok(dondoc(env, "sync", "--now", "2021-03-01"))
        yield tmp_path, sink, env


def reminders_delivered_once(sink: MaildirSink, url: str, data_dir: Path) -> None:
    """After recovery: each district's mailbox holds its reminder once; the outbox is all sent; data consistent."""
    assert integrity(url, data_dir) == []
    rows = table(url, OutboxRow)
    assert [r.status for r in rows] == [OutboxStatus.SENT] * AGENCIES
    expected = {f"vanthu@huyen-{i:03d}.big.example.org" for i in range(AGENCIES)}
    lost = len(expected - set(sink.stats.delivered))
    duplicated = sum(n - 1 for n in sink.stats.delivered.values() if n > 1)
    figures.add(figures.CHECKED, AGENCIES)
    figures.add(figures.LOST, lost)
    figures.add(figures.DUPLICATED, duplicated)
    assert (lost, duplicated) == (0, 0)
    # what the sink received twice carried the same Message-ID each time, and was dropped
    assert sink.stats.received == AGENCIES + sink.stats.duplicates


def test_smtp_down_leaves_the_reminders_pending_then_the_next_run_sends_each_once(chase_world):
    tmp_path, sink, env = chase_world
    figures.add(figures.FAULTS)
    down = dondoc({**env, "DONDOC_SMTP_PORT": str(free_port())}, "chase", "--now", MORNING)
    output = ok(down)
    line = [x for x in output.splitlines() if "sẽ gửi lại" in x]
    assert len(line) == 1, output
    assert f"did not take {AGENCIES} message(s), they will be sent again on a later run" in line[0]
    assert "connect" in line[0].lower()
    url = env["DONDOC_DATABASE_URL"]
    assert {(r.status, r.attempts) for r in table(url, OutboxRow)} == {(OutboxStatus.PENDING, 1)}
    assert integrity(url, tmp_path / "data") == []
    ok(dondoc(env, "chase", "--now", LATER))
    reminders_delivered_once(sink, url, tmp_path / "data")
    assert sink.stats.duplicates == 0


@contextlib.contextmanager
def silent_server():
    """A port that accepts connections (the kernel does) and never says a word: no SMTP greeting."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield server.getsockname()[1]


@pytest.mark.parametrize("how", ["no greeting", "answers after the timeout"])
def test_a_slow_smtp_server_ends_the_run_and_the_resend_is_dropped_by_message_id(chase_world, how):
    tmp_path, sink, env = chase_world
    figures.add(figures.FAULTS)
    url = env["DONDOC_DATABASE_URL"]
    if how == "no greeting":
        with silent_server() as port:
            slow = dondoc({**env, "DONDOC_SMTP_PORT": str(port)}, "chase", "--now", MORNING)
    else:
        sink.answer_delay = 3  # takes the message, then answers long after the client's 1 s timeout
        slow = dondoc(env, "chase", "--now", MORNING)
    output = ok(slow)
    assert f"did not take {AGENCIES} message(s)" in output and "Timeout" in output, output
    assert {r.status for r in table(url, OutboxRow)} == {OutboxStatus.PENDING}
    taken_late = sum(sink.stats.delivered.values())
    sink.answer_delay = 0
    ok(dondoc(env, "chase", "--now", LATER))
    reminders_delivered_once(sink, url, tmp_path / "data")
    # the classic duplicate: the late server had the message; the resend has the same Message-ID and is dropped
    assert sink.stats.duplicates == taken_late


class LoopbackServer(threading.Thread):
    """A listener on a free loopback port that hands each connection to :meth:`accepted`, until :meth:`close`."""

    def __init__(self):
        super().__init__(daemon=True)
        self.cuts = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]

    def run(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted(connection)

    def accepted(self, connection: socket.socket) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.server.close()


class CuttingServer(LoopbackServer):
    """Speaks SMTP up to DATA, reads ``cut`` bytes of the message, then closes the connection."""

    def __init__(self, cut: int):
        super().__init__()
        self.cut = cut

    def accepted(self, connection: socket.socket) -> None:
        threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection: socket.socket) -> None:
        with connection, connection.makefile("rb") as lines:
            connection.sendall(b"220 cut.example.org ESMTP\r\n")
            for line in lines:
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    connection.sendall(b"250 cut.example.org\r\n")
                elif verb == b"DATA":
                    connection.sendall(b"354 go ahead\r\n")
                    lines.read(self.cut)
                    self.cuts += 1
                    connection.shutdown(socket.SHUT_RDWR)
                    return
                elif verb == b"QUIT":
                    connection.sendall(b"221 bye\r\n")
                    return
                else:
                    connection.sendall(b"250 OK\r\n")


def test_a_connection_cut_in_the_middle_of_data_is_retried_and_delivered_once(chase_world):
    tmp_path, sink, env = chase_world
    cutter = CuttingServer(cut=2000)
    cutter.start()
    try:
        output = ok(dondoc({**env, "DONDOC_SMTP_PORT": str(cutter.port)}, "chase", "--now", MORNING))
    finally:
        cutter.close()
    figures.add(figures.FAULTS, cutter.cuts)
    assert cutter.cuts == AGENCIES
    assert f"did not take {AGENCIES} message(s)" in output and "Disconnected" in output, output
    url = env["DONDOC_DATABASE_URL"]
    assert {r.status for r in table(url, OutboxRow)} == {OutboxStatus.PENDING}
    ok(dondoc(env, "chase", "--now", LATER))
    reminders_delivered_once(sink, url, tmp_path / "data")
    assert sink.stats.duplicates == 0


def test_a_locked_sqlite_database_stops_the_chase_with_one_line_and_nothing_half_done(chase_world):
    tmp_path, sink, env = chase_world
    figures.add(figures.FAULTS)
    url = env["DONDOC_DATABASE_URL"]
    locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        line = one_line(dondoc({**env, "DONDOC_DATABASE_BUSY_TIMEOUT": "0.5"}, "chase", "--now", MORNING))
    finally:
        locker.close()
    assert "cơ sở dữ liệu đang bị khóa / database is locked" in line and "run again" in line
    assert table(url, OutboxRow) == [] and sum(sink.stats.delivered.values()) == 0
    ok(dondoc(env, "chase", "--now", MORNING))
    reminders_delivered_once(sink, url, tmp_path / "data")


# -- taking in replies: every message stored once, none marked seen before it is safe ----------------------------


def fill_inbox(inbox: Path, sizes: list[int], seed: int) -> dict[str, bytes]:
    """Messages of exactly ``sizes`` bytes in a Maildir; their bytes by file name."""
    rng = random.Random(seed)
    box = mailbox.Maildir(inbox, create=True)
    for i, size in enumerate(sizes):
        head = (
            f"From: {SENDER}\nTo: baocao@sldtbxh.example.org\nSubject: Bao cao so {i}\n"
            f"Message-ID: <fault-{seed}-{i}@elsewhere.example.com>\nDate: Wed, 05 May 2021 09:00:00 +0700\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
        ).encode()
        body = "".join(rng.choice("abcdefghij klmnopqrstuvwxyz\n") for _ in range(size - len(head)))
        box.add(head + body.encode())
    return {path.name: path.read_bytes() for path in (inbox / "new").iterdir()}


def fill_inbox_raw(inbox: Path, raws: list[bytes]) -> dict[str, bytes]:
    """``raws`` in a Maildir; their bytes as stored, by file name."""
    box = mailbox.Maildir(inbox, create=True)
    for raw in raws:
        box.add(raw)
    return {path.name: path.read_bytes() for path in (inbox / "new").iterdir()}


def unseen(inbox: Path) -> int:
    return sum("S" not in message.get_flags() for message in mailbox.Maildir(inbox, create=False))


def recorded(url: str) -> set[str]:
    """The refs dondoc's records say it has taken from its source."""
    return {row.ref for row in table(url, SourceMessageRow)}


def taken_in_once(messages: dict[str, bytes], url: str, data_dir: Path, inbox: Path) -> None:
    """Every message has one inbound row (by content hash), processed, its raw file whole, and its name recorded;
    the mailbox as it was (dondoc sets no flag: still unseen for a person)."""
    assert integrity(url, data_dir) == []
    rows = table(url, InboundRow)
    stored = Counter(row.sha256 for row in rows)
    hashes = {hashlib.sha256(raw).hexdigest() for raw in messages.values()}
    lost = len(hashes - set(stored))
    duplicated = sum(n - 1 for n in Counter(row.message_id for row in rows).values() if n > 1)
    figures.add(figures.CHECKED, len(messages))
    figures.add(figures.LOST, lost)
    figures.add(figures.DUPLICATED, duplicated)
    assert (lost, duplicated) == (0, 0)
    assert len(rows) == len(messages)
    assert {row.status for row in rows} == {InboundStatus.QUARANTINE}
    assert recorded(url) == {f"maildir:{name.partition(':')[0]}" for name in messages}
    assert unseen(inbox) == len(messages)


def nothing_taken(url: str, data_dir: Path, inbox: Path, count: int) -> None:
    """After a failed intake: no inbound row, nothing recorded as taken, no temporary file; the mailbox as it was."""
    assert table(url, InboundRow) == [] and recorded(url) == set()
    assert integrity(url, data_dir, settled=False) == []
    assert [p.name for p in data_dir.rglob("*.tmp*")] == []
    assert unseen(inbox) == count


@pytest.fixture
def ingest_world(tmp_path):
    write_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(tmp_path, smtp_port=sink.port)
        ok(dondoc(env, "sync", "--now", "2021-03-01"))
        yield tmp_path, env


@contextlib.contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(path)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill up ({mounted.stderr.strip()}): needs root")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


def test_a_full_disk_while_storing_raw_mail_stops_with_one_line_and_the_next_run_takes_everything_once(ingest_world):
    tmp_path, env = ingest_world
    data_dir = tmp_path / "data"
    with tmpfs(data_dir, "256k"):
        page = os.sysconf("SC_PAGE_SIZE")
        filler = data_dir / "filler"
        filler.write_bytes(b"\0" * 16 * page)
        free = os.statvfs(data_dir).f_bavail
        if free % 3 == 0:  # leave room for part of the last message: the disk fills up in the middle of it
            filler.write_bytes(b"\0" * 17 * page)
            free -= 1
        count = free // 3 + 1
        messages = fill_inbox(tmp_path / "inbox", [3 * page - 100] * count, seed=7)
        figures.add(figures.FAULTS)
        line = one_line(dondoc(env, "ingest", "--now", MORNING))
        assert "ổ đĩa đầy / disk full" in line and "free some space and run again" in line, line
        nothing_taken(env["DONDOC_DATABASE_URL"], data_dir, tmp_path / "inbox", count)
        filler.unlink()
        ok(dondoc(env, "ingest", "--now", MORNING))
        taken_in_once(messages, env["DONDOC_DATABASE_URL"], data_dir, tmp_path / "inbox")


def test_a_locked_sqlite_database_stops_the_intake_and_the_mail_stays_at_the_source(ingest_world):
    tmp_path, env = ingest_world
    messages = fill_inbox(tmp_path / "inbox", [2000] * 12, seed=11)
    url = env["DONDOC_DATABASE_URL"]
    figures.add(figures.FAULTS)
    locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        line = one_line(dondoc({**env, "DONDOC_DATABASE_BUSY_TIMEOUT": "0.5"}, "ingest", "--now", MORNING))
    finally:
        locker.close()
    assert "database is locked" in line
    nothing_taken(url, tmp_path / "data", tmp_path / "inbox", len(messages))
    ok(dondoc(env, "ingest", "--now", MORNING))
    taken_in_once(messages, url, tmp_path / "data", tmp_path / "inbox")


# -- PostgreSQL restarted in the middle of a run -----------------------------------------------------------------


@pytest.fixture(scope="module")
def own_postgres():
    """A PostgreSQL cluster of this module's own, so that restarting it cuts no other test's connections."""
    cluster = started_cluster()
    yield cluster
    cluster.stop()


@pytest.mark.postgres
def test_postgres_restarted_in_the_middle_of_a_chase_then_the_next_run_sends_the_rest_once(tmp_path, own_postgres):
    agencies = 20
    big_config(tmp_path / "config", agencies=agencies)
    url = own_postgres.create_database()
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(tmp_path, smtp_port=sink.port, database_url=url)
        ok(dondoc(env, "sync", "--now", "2021-03-01"))
        sink.delay = 0.15
        run = subprocess.Popen(
            [sys.executable, "-m", "dondoc", "chase", "--now", MORNING],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        while sink.stats.received < 4 and run.poll() is None:
            time.sleep(0.01)
        figures.add(figures.FAULTS)
        own_postgres.restart()
        out, err = run.communicate(timeout=120)
        assert sink.stats.received < agencies, "the restart came too late to test anything"
        line = one_line(subprocess.CompletedProcess(run.args, run.returncode, out, err))
        assert "mất kết nối cơ sở dữ liệu / database connection lost" in line and "run again" in line, line
        sink.delay = 0
        ok(dondoc(env, "chase", "--now", MORNING))
        assert integrity(url, tmp_path / "data") == []
        assert {r.status for r in table(url, OutboxRow)} == {OutboxStatus.SENT}
        expected = {f"vanthu@huyen-{i:03d}.big.example.org" for i in range(agencies)}
        lost = len(expected - set(sink.stats.delivered))
        duplicated = sum(n - 1 for n in sink.stats.delivered.values() if n > 1)
        figures.add(figures.CHECKED, agencies)
        figures.add(figures.LOST, lost)
        figures.add(figures.DUPLICATED, duplicated)
        assert (lost, duplicated) == (0, 0)
        assert sink.stats.received == agencies + sink.stats.duplicates


# -- IMAP: the connection cut in the middle of a fetch; a message too large; the mailbox recreated ---------------


class CuttingProxy(LoopbackServer):
    """A TCP proxy to ``port`` that cuts each of its first ``times`` connections after ``cut`` bytes from the server."""

    def __init__(self, port: int, cut: int, times: int):
        super().__init__()
        self.target, self.cut, self.times = port, cut, times

    def accepted(self, client: socket.socket) -> None:
        upstream = socket.create_connection(("127.0.0.1", self.target))
        budget = self.cut if self.cuts < self.times else None
        threading.Thread(target=self.pipe, args=(client, upstream, None), daemon=True).start()
        threading.Thread(target=self.pipe, args=(upstream, client, budget), daemon=True).start()

    def pipe(self, source: socket.socket, target: socket.socket, budget: int | None) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if budget is not None and len(data) >= budget:
                    target.sendall(data[:budget])
                    self.cuts += 1
                    break
                if budget is not None:
                    budget -= len(data)
                target.sendall(data)
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()


@pytest.fixture
def imap_world(tmp_path, dovecot, folder):
    """The demo config synced; the inbox is an IMAP folder of its own on Dovecot."""
    write_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(
            tmp_path,
            smtp_port=sink.port,
            DONDOC_INBOX="imap",
            DONDOC_IMAP_HOST=dovecot.host,
            DONDOC_IMAP_PORT=str(dovecot.port),
            DONDOC_IMAP_SECURITY="none",
            DONDOC_IMAP_TIMEOUT="5",
            DONDOC_IMAP_USER=dovecot.user,
            DONDOC_IMAP_PASSWORD=dovecot.password,
            DONDOC_IMAP_MAILBOX=folder,
        )
        ok(dondoc(env, "sync", "--now", "2021-03-01"))
        yield tmp_path, env


def imap_messages(dovecot, folder: str, staging: Path, sizes: list[int], seed: int) -> dict[str, bytes]:
    """Messages of ``sizes`` bytes appended to ``folder``; the bytes as Dovecot keeps them, by UID."""
    staging = fill_inbox(staging / f"staging-{seed}", sizes, seed)
    with dovecot.client() as client:
        for raw in staging.values():
            client.append(folder, raw)
        client.select_folder(folder, readonly=True)
        return {str(uid): data[b"BODY[]"] for uid, data in client.fetch(client.search("ALL"), ["BODY.PEEK[]"]).items()}


def uidvalidity(dovecot, folder: str) -> int:
    with dovecot.client() as client:
        return client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"]


def imap_unseen(dovecot, folder: str) -> int:
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        return len(client.search("UNSEEN"))


def test_an_imap_connection_cut_in_the_middle_of_a_fetch_then_each_message_is_taken_in_once(
    imap_world, dovecot, folder
):
    tmp_path, env = imap_world
    messages = imap_messages(dovecot, folder, tmp_path, [6000] * 30, seed=5)
    url = env["DONDOC_DATABASE_URL"]
    # every connection cut 60 kB into the bodies: the retry on a new connection is cut too, the run stops
    proxy = CuttingProxy(dovecot.port, cut=60_000, times=99)
    proxy.start()
    try:
        line = one_line(dondoc({**env, "DONDOC_IMAP_PORT": str(proxy.port)}, "ingest", "--now", MORNING))
    finally:
        proxy.close()
    figures.add(figures.FAULTS, proxy.cuts)
    assert dovecot.password not in line
    assert line.startswith(f"Lỗi / error: IMAP 127.0.0.1:{proxy.port}: fetch: connection lost"), line
    assert table(url, InboundRow) == [] and recorded(url) == set()
    # cut once: the source reconnects by itself and the run takes everything
    proxy = CuttingProxy(dovecot.port, cut=60_000, times=1)
    proxy.start()
    try:
        ok(dondoc({**env, "DONDOC_IMAP_PORT": str(proxy.port)}, "ingest", "--now", MORNING))
    finally:
        proxy.close()
    figures.add(figures.FAULTS, proxy.cuts)
    assert proxy.cuts == 1
    assert integrity(url, tmp_path / "data") == []
    stored = Counter(row.sha256 for row in table(url, InboundRow))
    hashes = {hashlib.sha256(raw).hexdigest() for raw in messages.values()}
    lost, duplicated = len(hashes - set(stored)), sum(n - 1 for n in stored.values())
    figures.add(figures.CHECKED, len(messages))
    figures.add(figures.LOST, lost)
    figures.add(figures.DUPLICATED, duplicated)
    assert (lost, duplicated) == (0, 0) and len(stored) == len(messages)
    validity = uidvalidity(dovecot, folder)
    assert recorded(url) == {f"imap:{validity}:{uid}" for uid in messages}
    assert imap_unseen(dovecot, folder) == len(messages)  # no flag set: unread mail stays unread for a person


def test_a_message_over_the_size_limit_is_named_to_the_coordinator_and_left_at_the_source(imap_world, dovecot, folder):
    tmp_path, env = imap_world
    messages = imap_messages(dovecot, folder, tmp_path, [3000, 80_000, 3000], seed=9)
    [large] = [uid for uid, raw in messages.items() if len(raw) > 50_000]
    figures.add(figures.FAULTS)
    env = {**env, "DONDOC_INBOX_MAX_BYTES": "50000"}
    validity = uidvalidity(dovecot, folder)
    for _ in range(2):  # said again on every run, as long as it is there
        output = ok(dondoc(env, "ingest", "--now", MORNING))
        said = [line for line in output.splitlines() if "not fetched" in line]
        assert said == [
            f"Thư để lại ở hộp thư nguồn, chưa lấy về / message left at the source, not fetched: "
            f"imap:{validity}:{large} ({len(messages[large])} bytes, over the limit of 50000) — xử lý "
            f"bằng tay / deal with it by hand"
        ], output
    url = env["DONDOC_DATABASE_URL"]
    assert sorted(row.sha256 for row in table(url, InboundRow)) == sorted(
        hashlib.sha256(raw).hexdigest() for uid, raw in messages.items() if uid != large
    )
    assert recorded(url) == {f"imap:{validity}:{uid}" for uid in messages if uid != large}
    assert imap_unseen(dovecot, folder) == 3
    assert integrity(url, tmp_path / "data") == []


def test_a_mailbox_recreated_between_runs_new_uidvalidity_takes_each_message_once(imap_world, dovecot, folder):
    tmp_path, env = imap_world
    first = imap_messages(dovecot, folder, tmp_path, [2500] * 5, seed=13)
    ok(dondoc(env, "ingest", "--now", MORNING))
    figures.add(figures.FAULTS)
    with dovecot.client() as client:  # an admin recreates the mailbox and restores the old mail into it, unseen
        client.delete_folder(folder)
        client.create_folder(folder)
        for raw in first.values():
            client.append(folder, raw)
    second = imap_messages(dovecot, folder, tmp_path, [2500] * 4, seed=17)
    output = ok(dondoc(env, "ingest", "--now", MORNING, "--format", "json"))
    assert '"duplicates": 5' in output and '"stored": 4' in output, output
    url = env["DONDOC_DATABASE_URL"]
    stored = Counter(row.sha256 for row in table(url, InboundRow))
    hashes = {hashlib.sha256(raw).hexdigest() for raw in second.values()}
    lost, duplicated = len(hashes - set(stored)), sum(n - 1 for n in stored.values())
    figures.add(figures.CHECKED, len(hashes))
    figures.add(figures.LOST, lost)
    figures.add(figures.DUPLICATED, duplicated)
    assert (lost, duplicated) == (0, 0) and len(stored) == len(hashes) == 9
    validity = uidvalidity(dovecot, folder)
    assert {ref for ref in recorded(url) if ref.startswith(f"imap:{validity}:")} == {
        f"imap:{validity}:{uid}" for uid in second
    }
    again = ok(dondoc(env, "ingest", "--now", MORNING, "--format", "json"))
    assert '"fetched": 0' in again and '"already_taken": 9' in again, again
    assert imap_unseen(dovecot, folder) == 9
    assert integrity(url, tmp_path / "data") == []


def test_a_full_disk_while_storing_an_attachment_leaves_the_reply_to_the_next_run_not_in_quarantine(ingest_world):
    from email.message import EmailMessage

    from dondoc.db.tables import DeadlineRow, SubmissionRow

    tmp_path, env = ingest_world
    data_dir, url = tmp_path / "data", env["DONDOC_DATABASE_URL"]
    [deadline] = [d for d in table(url, DeadlineRow) if d.agency_id == "demo.ubnd-a" and d.period_key == "2021-H1"]
    reply = EmailMessage()
    from dondoc.mail.tokens import make_token

    # sent to the reminder's Reply-To (its token): a tag alone would be held for confirmation
    token = make_token(deadline.id, env["DONDOC_HMAC_KEY"].encode())
    reply["From"], reply["To"] = "vanthu@huyen-a.demo.example.org", f"baocao+{token}@sldtbxh.example.org"
    reply["Subject"] = f"Báo cáo 6 tháng đầu năm 2021 [DD-{deadline.id}]"
    reply["Message-ID"] = "<bc-6t@huyen-a.demo.example.org>"
    reply.set_content("Kính gửi Sở, Ủy ban nhân dân huyện A gửi báo cáo 6 tháng đầu năm 2021 (tệp đính kèm).")
    attachment = random.Random(3).randbytes(40_000)
    reply.add_attachment(attachment, maintype="text", subtype="plain", filename="bao-cao-6-thang.txt")
    page = os.sysconf("SC_PAGE_SIZE")
    with tmpfs(data_dir, "256k"):
        messages = fill_inbox_raw(tmp_path / "inbox", [reply.as_bytes()])
        [raw] = messages.values()
        free = os.statvfs(data_dir).f_bavail
        room = -(-len(raw) // page) + 3  # the raw message fits, its 40 kB attachment does not
        (data_dir / "filler").write_bytes(b"\0" * (free - room) * page)
        figures.add(figures.FAULTS)
        line = one_line(dondoc(env, "ingest", "--now", MORNING))
        assert "ổ đĩa đầy / disk full" in line, line
        [row] = table(url, InboundRow)
        assert row.status == InboundStatus.NEW  # stored, not yet processed — and not in quarantine
        assert integrity(url, data_dir, settled=False) == []
        assert [p.name for p in data_dir.rglob("*.tmp*")] == []
        (data_dir / "filler").unlink()
        ok(dondoc(env, "ingest", "--now", MORNING))
        assert integrity(url, data_dir) == []
        [row] = table(url, InboundRow)
        submissions = table(url, SubmissionRow)
        lost, duplicated = int(row.status != InboundStatus.SUBMISSION), max(len(submissions) - 1, 0)
        figures.add(figures.CHECKED)
        figures.add(figures.LOST, lost)
        figures.add(figures.DUPLICATED, duplicated)
        assert (lost, duplicated) == (0, 0)
        assert (data_dir / "files").rglob("*.bin").__next__().read_bytes() == attachment

"""Inbound mail sources: a list in memory, a Maildir on disk, and an IMAP mailbox on a real Dovecot."""

from __future__ import annotations

import logging
import mailbox
import os
import socket
import uuid
from pathlib import Path

import pytest
from imapclient import RECENT, SEEN, IMAPClient

from dondoc.errors import MailError
from dondoc.mail.sources import Fetched, ImapSource, MaildirSource, MemorySource


def message(n: int, body: str = "", subject: str | None = None) -> bytes:
    """A small message with CRLF line ends (what IMAP hands back), Vietnamese in UTF-8, 8-bit."""
    subject = subject or f"Báo cáo số {n} — Sở Y tế Thừa Thiên Huế"
    body = body or f"Kính gửi Văn phòng UBND tỉnh,\r\nxin gửi báo cáo tình hình thực hiện kế hoạch, lần {n}.\r\n"
    return (f"From: Văn thư Sở Y tế <vanthu@syt.example.org>\r\nTo: dondoc@ubnd.example.org\r\n"
            f"Subject: {subject}\r\nMessage-ID: <{n}.{uuid.uuid4().hex}@syt.example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}").encode()


# -- memory -------------------------------------------------------------------------------------------------------


def test_memory_source_yields_in_order_up_to_the_limit_and_forgets_what_is_done():
    source = MemorySource([message(1), message(2), message(3)])
    first = list(source.fetch(2))
    assert [f.ref for f in first] == ["memory:0", "memory:1"]
    assert first[0] == Fetched("memory:0", source.messages[0])
    source.done("memory:0")
    assert [f.ref for f in source.fetch(10)] == ["memory:1", "memory:2"]
    assert source.add(message(4)) == "memory:3"
    for ref in ("memory:1", "memory:2", "memory:1"):
        source.done(ref)
    assert [f.ref for f in source.fetch(10)] == ["memory:3"]
    assert source.done_refs == ["memory:0", "memory:1", "memory:2"]
    assert source.skipped == []


# -- Maildir ------------------------------------------------------------------------------------------------------


def deliver(box: mailbox.Maildir, raw: bytes, mtime: float, subdir: str = "new", info: str = "") -> str:
    """Put ``raw`` in the Maildir as delivered at ``mtime``; its key."""
    key = box.add(raw)
    path = Path(box._path) / "new" / key
    if subdir == "cur":
        path = path.rename(Path(box._path) / "cur" / f"{key}:{info}")
    os.utime(path, (mtime, mtime))
    return key


@pytest.fixture
def maildir(tmp_path) -> tuple[Path, mailbox.Maildir]:
    path = tmp_path / "inbox"
    return path, mailbox.Maildir(path, create=True)


def test_maildir_new_mail_is_fetched_oldest_first_then_marked_seen_and_not_fetched_again(maildir):
    path, box = maildir
    raws = [message(n) for n in range(3)]
    keys = [deliver(box, raws[0], 1_700_000_300), deliver(box, raws[1], 1_700_000_100),
            deliver(box, raws[2], 1_700_000_200)]
    source = MaildirSource(path)
    fetched = list(source.fetch(10))
    assert fetched == [Fetched(f"maildir:{keys[1]}", raws[1]), Fetched(f"maildir:{keys[2]}", raws[2]),
                       Fetched(f"maildir:{keys[0]}", raws[0])]
    for f in fetched:
        source.done(f.ref)
    assert sorted(os.listdir(path / "cur")) == sorted(f"{k}:2,S" for k in keys)
    assert os.listdir(path / "new") == []
    assert list(source.fetch(10)) == []
    assert list(MaildirSource(path).fetch(10)) == []


def test_maildir_unseen_mail_in_cur_is_fetched_and_keeps_its_flags(maildir):
    path, box = maildir
    flagged = deliver(box, message(1), 1_700_000_000, "cur", "2,F")
    deliver(box, message(2), 1_700_000_001, "cur", "2,RS")  # read already: not ours to take
    bare = deliver(box, message(3), 1_700_000_002, "cur")  # no info at all: unseen
    source = MaildirSource(path)
    assert [f.ref for f in source.fetch(10)] == [f"maildir:{flagged}", f"maildir:{bare}"]
    source.done(f"maildir:{flagged}")
    source.done(f"maildir:{bare}")
    assert (path / "cur" / f"{flagged}:2,FS").exists() and (path / "cur" / f"{bare}:2,S").exists()
    assert list(source.fetch(10)) == []


def test_maildir_mail_arriving_during_a_fetch_comes_with_the_next_one(maildir):
    path, box = maildir
    first = deliver(box, message(1), 1_700_000_000)
    second = deliver(box, message(2), 1_700_000_001)
    source = MaildirSource(path)
    seen = []
    for f in source.fetch(10):
        if not seen:
            late = box.add(message(3))
        seen.append(f.ref)
        source.done(f.ref)
    assert seen == [f"maildir:{first}", f"maildir:{second}"]
    assert [f.ref for f in source.fetch(10)] == [f"maildir:{late}"]


def test_maildir_loses_nothing_when_done_is_never_called(maildir):
    path, box = maildir
    raws = [message(n) for n in range(3)]
    keys = [deliver(box, raw, 1_700_000_000 + n) for n, raw in enumerate(raws)]
    assert [f.raw for f in MaildirSource(path).fetch(2)] == raws[:2]  # a "crash" before storing
    again = MaildirSource(path)
    assert [f.raw for f in again.fetch(10)] == raws
    again.done(f"maildir:{keys[1]}")
    assert [f.raw for f in MaildirSource(path).fetch(10)] == [raws[0], raws[2]]


def test_maildir_streams_skips_what_vanishes_and_what_is_too_large(maildir):
    path, box = maildir
    big = deliver(box, message(1, body="x" * 5000), 1_700_000_000)
    small = [deliver(box, message(n), 1_700_000_000 + n) for n in (2, 3)]
    source = MaildirSource(path, max_bytes=2000)
    stream = source.fetch(10)
    assert next(stream).ref == f"maildir:{small[0]}"
    (path / "new" / small[1]).unlink()  # read one at a time: another reader took this one meanwhile
    assert list(stream) == []
    size = (path / "new" / big).stat().st_size
    assert source.skipped == [(f"maildir:{big}", f"{size} bytes, over the limit of 2000")]
    source.done(f"maildir:{small[1]}")  # gone: nothing to mark, no error
    with pytest.raises(ValueError):
        source.done("maildir:../../etc/passwd")
    assert (path / "new" / big).exists()


def test_maildir_source_creates_a_missing_inbox(tmp_path):
    source = MaildirSource(tmp_path / "data" / "inbox")
    assert list(source.fetch(10)) == []
    assert (tmp_path / "data" / "inbox" / "new").is_dir()


# -- IMAP (Dovecot) -----------------------------------------------------------------------------------------------



def imap(dovecot, folder: str, **options) -> ImapSource:
    options.setdefault("password", dovecot.password)
    options.setdefault("security", "none")
    return ImapSource(host=dovecot.host, port=dovecot.port, username=dovecot.user, mailbox=folder,
                      timeout=5, **options)


def append(dovecot, folder: str, raws: list[bytes]) -> None:
    with dovecot.client() as client:
        for raw in raws:
            client.append(folder, raw)


def flags(dovecot, folder: str) -> dict[int, set[bytes]]:
    """UID → flags (but \\Recent, which only says which session saw the message first)."""
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["FLAGS"])
    return {uid: set(data[b"FLAGS"]) - {RECENT} for uid, data in found.items()}


def uidvalidity(dovecot, folder: str) -> int:
    with dovecot.client() as client:
        return client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"]


def test_imap_fetches_exact_bytes_without_marking_then_done_marks_seen(dovecot, folder):
    raws = [message(n) for n in range(5)]
    append(dovecot, folder, raws)
    delivered = message(9, subject="Trả lời: Đôn đốc báo cáo quý IV").replace(b"\r\n", b"\n")
    dovecot.deliver(delivered, folder)  # as a local delivery agent would, LF line ends on disk
    validity = uidvalidity(dovecot, folder)
    with imap(dovecot, folder, batch=2) as source:
        fetched = list(source.fetch(10))
        assert [f.ref for f in fetched] == [f"imap:{validity}:{uid}" for uid in range(1, 7)]
        assert [f.raw for f in fetched] == [*raws, delivered.replace(b"\n", b"\r\n")]
        assert all(SEEN not in f for f in flags(dovecot, folder).values())  # BODY.PEEK: nothing marked yet
        for f in fetched[:4]:
            source.done(f.ref)
        assert [uid for uid, f in flags(dovecot, folder).items() if SEEN in f] == [1, 2, 3, 4]
        assert [f.ref for f in source.fetch(10)] == [f"imap:{validity}:5", f"imap:{validity}:6"]
        for f in fetched[4:]:
            source.done(f.ref)
        assert list(source.fetch(10)) == []
    assert list(imap(dovecot, folder).fetch(10)) == []


def test_imap_takes_the_oldest_first_up_to_the_limit_and_refetches_what_is_not_done(dovecot, folder):
    raws = [message(n) for n in range(4)]
    append(dovecot, folder, raws)
    with imap(dovecot, folder, batch=3) as source:
        assert [f.raw for f in source.fetch(2)] == raws[:2]
    with imap(dovecot, folder) as source:  # nothing was marked: a new run gets all of it
        assert [f.raw for f in source.fetch(10)] == raws


def test_imap_done_moves_to_the_processed_folder_creating_it(dovecot, folder):
    processed = f"Đã xử lý {uuid.uuid4().hex[:8]}"
    raw = message(1)
    append(dovecot, folder, [raw, message(2)])
    with imap(dovecot, folder, processed_folder=processed) as source:
        first = next(source.fetch(1))
        source.done(first.ref)
        source.done(first.ref)  # twice (a retry): harmless
        assert [f.ref.rsplit(":", 1)[1] for f in source.fetch(10)] == ["2"]
    assert list(flags(dovecot, folder)) == [2]
    assert list(flags(dovecot, processed).values()) == [{SEEN}]
    with dovecot.client() as client:
        client.select_folder(processed, readonly=True)
        [data] = client.fetch(client.search("ALL"), ["BODY.PEEK[]"]).values()
    assert data[b"BODY[]"] == raw


def test_imap_after_a_uidvalidity_change_stale_refs_are_ignored_and_fetch_starts_over(dovecot, folder):
    append(dovecot, folder, [message(1), message(2)])
    with imap(dovecot, folder) as source:
        stale = list(source.fetch(10))
        with dovecot.client() as client:  # the mailbox is deleted and made again, as an admin might
            client.delete_folder(folder)
            client.create_folder(folder)
        fresh = message(3)
        append(dovecot, folder, [fresh])
        validity = uidvalidity(dovecot, folder)
        assert [f.ref for f in stale] != [f"imap:{validity}:1", f"imap:{validity}:2"]
        source.done(stale[0].ref)  # UID 1 now names the new message: it must not be marked
        assert flags(dovecot, folder) == {1: set()}
        assert list(source.fetch(10)) == [Fetched(f"imap:{validity}:1", fresh)]


def test_imap_reconnects_once_when_the_server_drops_the_connection(dovecot, folder, caplog):
    caplog.set_level(logging.INFO, logger="dondoc.mail.sources")
    raws = [message(n) for n in range(3)]
    append(dovecot, folder, raws)
    with imap(dovecot, folder, batch=1) as source:
        got = []
        for n, f in enumerate(source.fetch(10)):
            got.append(f.raw)
            if n == 0:
                dovecot.kick()  # the drop is noticed by done()
            source.done(f.ref)
            if n == 1:
                dovecot.kick()  # … and here by the fetch of the next batch
        assert got == raws
    assert flags(dovecot, folder) == {1: {SEEN}, 2: {SEEN}, 3: {SEEN}}
    lost = [r.getMessage() for r in caplog.records if "reconnecting" in r.getMessage()]
    assert [m.split(" during ")[1].split(" (")[0] for m in lost] == ["mark as processed", "fetch"]


def test_imap_leaves_a_message_over_max_bytes_unfetched_unmarked_and_listed(dovecot, folder):
    small, large = message(1), message(2, body="Phụ lục số liệu. " * 10_000)
    append(dovecot, folder, [large, small])
    validity = uidvalidity(dovecot, folder)
    with imap(dovecot, folder, max_bytes=50_000) as source:
        fetched = list(source.fetch(10))
        assert fetched == [Fetched(f"imap:{validity}:2", small)]
        [(ref, reason)] = source.skipped
        assert ref == f"imap:{validity}:1" and reason.startswith(f"{len(large)} bytes, over the limit of 50000")
        source.done(fetched[0].ref)
        assert list(source.fetch(10)) == [] and [r for r, _ in source.skipped] == [ref]
    assert flags(dovecot, folder) == {1: set(), 2: {SEEN}}


def test_imap_wrong_password_is_one_line_without_the_password(dovecot, folder, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "sai-mat-khau-8d1f"
    with pytest.raises(MailError) as caught:
        list(imap(dovecot, folder, password=wrong).fetch(10))
    text = str(caught.value)
    assert text.startswith(f"IMAP 127.0.0.1:{dovecot.port}: login failed for {dovecot.user}")
    assert "\n" not in text and wrong not in text
    assert wrong not in caplog.text
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_imap_logs_in_with_a_non_ascii_password(dovecot, caplog):
    caplog.set_level(logging.DEBUG)
    raw = message(1)
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=5) as client:
        client.plain_login(dovecot.other_user, dovecot.other_password)
        client.append("INBOX", raw)
    with ImapSource(host=dovecot.host, port=dovecot.port, username=dovecot.other_user,
                    password=dovecot.other_password, security="none", timeout=5) as source:
        assert [f.raw for f in source.fetch(10)] == [raw]
    assert dovecot.other_password not in caplog.text


def test_imap_server_down_is_a_mail_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: nothing answers there
        source = ImapSource(host="127.0.0.1", port=port, username="u", password="p", security="none", timeout=2)
        with pytest.raises(MailError, match=rf"^IMAP 127\.0\.0\.1:{port}: cannot connect \(connection refused\)$"):
            list(source.fetch(10))


def test_imap_missing_mailbox_and_missing_starttls_are_mail_errors(dovecot):
    with pytest.raises(MailError, match=r": cannot open mailbox 'Không có' \(Mailbox doesn't exist: "):
        list(imap(dovecot, "Không có").fetch(1))
    with pytest.raises(MailError, match=r": the server offers no STARTTLS"):
        list(imap(dovecot, "INBOX", security="starttls").fetch(1))
    with pytest.raises(MailError, match=r": cannot connect \(TLS failed: "):
        list(imap(dovecot, "INBOX", security="tls").fetch(1))

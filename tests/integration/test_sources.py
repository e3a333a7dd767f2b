"""Inbound mail sources: a list in memory, a Maildir on disk, and an IMAP mailbox on a real Dovecot."""

from __future__ import annotations

import datetime as dt
import logging
import mailbox
import os
import socket
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from imapclient import FLAGGED, RECENT, SEEN, IMAPClient

from dondoc.errors import MailError
from dondoc.mail.sources import (
    BEFORE_SINCE,
    TOO_BIG,
    UNREADABLE,
    Fetched,
    ImapSource,
    Left,
    Listing,
    MaildirSource,
    MemorySource,
    scope_of,
)


def message(n: int, body: str = "", subject: str | None = None) -> bytes:
    """A small message with CRLF line ends (what IMAP hands back), Vietnamese in UTF-8, 8-bit."""
    subject = subject or f"Báo cáo số {n} — Sở Y tế Thừa Thiên Huế"
    body = body or f"Kính gửi Văn phòng UBND tỉnh,\r\nxin gửi báo cáo tình hình thực hiện kế hoạch, lần {n}.\r\n"
    return (
        f"From: Văn thư Sở Y tế <vanthu@syt.example.org>\r\nTo: dondoc@ubnd.example.org\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{n}.{uuid.uuid4().hex}@syt.example.org>\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}"
    ).encode()


class Ledger:
    """dondoc's own records of what it has taken, as intake keeps them: refs by scope (a ``Known``)."""

    def __init__(self):
        self.refs: set[str] = set()

    def __call__(self, scope: str) -> set[str]:
        return {ref for ref in self.refs if scope_of(ref) == scope}

    def take(self, source, limit: int = 100) -> list[Fetched]:
        """One run: fetch what is not taken, record it, tell the source it is done."""
        fetched = list(source.fetch(limit, self))
        for f in fetched:
            self.refs.add(f.ref)
            source.done(f.ref)
        return fetched


# -- memory -------------------------------------------------------------------------------------------------------


def test_memory_source_yields_in_order_up_to_the_limit_and_forgets_what_is_done_or_known():
    source = MemorySource([message(1), message(2), message(3)])
    first = list(source.fetch(2))
    assert [f.ref for f in first] == ["memory:0", "memory:1"]
    assert first[0] == Fetched("memory:0", source.messages[0])
    assert source.listing == Listing(held=3, fetched=2, waiting=1)
    source.done("memory:0")
    assert [f.ref for f in source.fetch(10)] == ["memory:1", "memory:2"]
    assert source.add(message(4)) == "memory:3"
    for ref in ("memory:1", "memory:2", "memory:1"):
        source.done(ref)
    assert [f.ref for f in source.fetch(10, lambda scope: {"memory:3"})] == []
    assert [f.ref for f in source.fetch(10)] == ["memory:3"]
    assert source.done_refs == ["memory:0", "memory:1", "memory:2"]
    assert source.listing == Listing(held=4, known=3, fetched=1)
    assert MemorySource().name != MemorySource().name  # each one a mailbox of its own


# -- Maildir ------------------------------------------------------------------------------------------------------


def deliver(box: mailbox.Maildir, raw: bytes, mtime: float, subdir: str = "new", info: str = "") -> str:
    """Put ``raw`` in the Maildir as delivered at ``mtime``; its key."""
    key = box.add(raw)
    path = Path(box._path) / "new" / key
    if subdir == "cur":
        path = path.rename(Path(box._path) / "cur" / f"{key}:{info}")
    os.utime(path, (mtime, mtime))
    return key


def files(path: Path) -> dict[str, list[str]]:
    return {sub: sorted(os.listdir(path / sub)) for sub in ("new", "cur")}


@pytest.fixture
def maildir(tmp_path) -> tuple[Path, mailbox.Maildir]:
    path = tmp_path / "inbox"
    return path, mailbox.Maildir(path, create=True)


def test_maildir_fetches_every_message_oldest_first_whatever_its_flags_and_touches_none(maildir):
    path, box = maildir
    raws = [message(n) for n in range(5)]
    keys = [
        deliver(box, raws[0], 1_700_000_300),
        deliver(box, raws[1], 1_700_000_100),
        deliver(box, raws[2], 1_700_000_200, "cur", "2,S"),  # read by a person in a mail client
        deliver(box, raws[3], 1_700_000_400, "cur", "2,FRS"),  # read, answered, flagged
        deliver(box, raws[4], 1_700_000_000, "cur"),
    ]  # no info at all
    before = files(path)
    ledger = Ledger()
    source = MaildirSource(path)
    fetched = ledger.take(source)
    assert fetched == [Fetched(f"maildir:{keys[i]}", raws[i]) for i in (4, 1, 2, 0, 3)]
    assert source.listing == Listing(held=5, fetched=5)
    assert files(path) == before  # nothing moved, renamed or flagged: unread mail stays unread for the person
    assert list(source.fetch(10, ledger)) == []
    assert source.listing == Listing(held=5, known=5)
    assert list(MaildirSource(path).fetch(10, ledger)) == []


def test_maildir_a_message_taken_stays_taken_when_a_person_reads_flags_or_moves_it(maildir):
    path, box = maildir
    keys = [deliver(box, message(n), 1_700_000_000 + n) for n in range(3)]
    ledger = Ledger()
    assert len(ledger.take(MaildirSource(path))) == 3
    # the văn thư reads the first (new/ → cur/ with :2,S), flags the second, and reads it later too
    os.rename(path / "new" / keys[0], path / "cur" / f"{keys[0]}:2,S")
    os.rename(path / "new" / keys[1], path / "cur" / f"{keys[1]}:2,F")
    os.rename(path / "cur" / f"{keys[1]}:2,F", path / "cur" / f"{keys[1]}:2,FS")
    late = deliver(box, message(9), 1_700_000_900, "cur", "2,S")  # arrived and read before dondoc ran again
    source = MaildirSource(path)
    assert [f.ref for f in ledger.take(source)] == [f"maildir:{late}"]
    assert source.listing == Listing(held=4, known=3, fetched=1)


def test_maildir_mail_arriving_during_a_fetch_comes_with_the_next_one(maildir):
    path, box = maildir
    first = deliver(box, message(1), 1_700_000_000)
    second = deliver(box, message(2), 1_700_000_001)
    source = MaildirSource(path)
    ledger, seen = Ledger(), []
    for f in source.fetch(10, ledger):
        if not seen:
            late = box.add(message(3))
        seen.append(f.ref)
        ledger.refs.add(f.ref)
    assert seen == [f"maildir:{first}", f"maildir:{second}"]
    assert [f.ref for f in source.fetch(10, ledger)] == [f"maildir:{late}"]


def test_maildir_loses_nothing_that_was_not_recorded(maildir):
    path, box = maildir
    raws = [message(n) for n in range(3)]
    keys = [deliver(box, raw, 1_700_000_000 + n) for n, raw in enumerate(raws)]
    source = MaildirSource(path)
    assert [f.raw for f in source.fetch(2)] == raws[:2]  # a "crash" before storing: nothing recorded
    assert source.listing == Listing(held=3, fetched=2, waiting=1)
    assert [f.raw for f in MaildirSource(path).fetch(10)] == raws
    assert [f.raw for f in MaildirSource(path).fetch(10, lambda scope: {f"maildir:{keys[1]}"})] == [raws[0], raws[2]]


def test_maildir_streams_counts_what_vanishes_and_names_what_is_too_large(maildir):
    path, box = maildir
    big = deliver(box, message(1, body="x" * 5000), 1_700_000_000)
    small = [deliver(box, message(n), 1_700_000_000 + n) for n in (2, 3)]
    source = MaildirSource(path, max_bytes=2000)
    stream = source.fetch(10)
    assert next(stream).ref == f"maildir:{small[0]}"
    (path / "new" / small[1]).unlink()  # read one at a time: a person deleted this one meanwhile
    assert list(stream) == []
    size = (path / "new" / big).stat().st_size
    assert source.listing == Listing(
        held=3, fetched=1, vanished=1, left=[Left(f"maildir:{big}", TOO_BIG, f"{size} bytes, over the limit of 2000")]
    )
    source.done(f"maildir:{small[1]}")  # gone: nothing to do, no error
    with pytest.raises(ValueError):
        source.done("maildir:../../etc/passwd")
    assert (path / "new" / big).exists()
    list(source.fetch(10))
    assert [x.ref for x in source.listing.left] == [f"maildir:{big}"]  # named again on every run


def test_maildir_a_message_a_person_reads_while_dondoc_lists_is_found_under_its_new_name(maildir):
    path, box = maildir
    raws = [message(n) for n in range(3)]
    keys = [deliver(box, raw, 1_700_000_000 + n) for n, raw in enumerate(raws)]
    source = MaildirSource(path)
    stream = source.fetch(10)
    assert next(stream).raw == raws[0]
    os.rename(path / "new" / keys[1], path / "cur" / f"{keys[1]}:2,S")  # after the listing, before the read
    assert [f.raw for f in stream] == raws[1:]
    assert source.listing == Listing(held=3, fetched=3)


def test_maildir_the_same_bytes_in_new_and_cur_are_two_refs_and_a_non_file_is_named(maildir):
    path, box = maildir
    raw = message(1)
    twice = [deliver(box, raw, 1_700_000_000), deliver(box, raw, 1_700_000_001, "cur", "2,S")]
    (path / "new" / "1700000002.M1P1.bad").mkdir()  # not a message a reader can take
    source = MaildirSource(path)
    assert [(f.ref, f.raw) for f in source.fetch(10)] == [(f"maildir:{key}", raw) for key in twice]
    assert source.listing.left == [
        Left("maildir:1700000002.M1P1.bad", UNREADABLE, "không đọc được / unreadable: not a regular file")
    ]


def test_maildir_mail_that_arrived_before_since_is_left_named_unless_already_taken(maildir):
    path, box = maildir
    since = dt.datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    old = [deliver(box, message(n), since.timestamp() - 86_400 * (n + 1), "cur", "2,S") for n in range(3)]
    edge = deliver(box, message(7), since.timestamp())  # at midnight, local time: taken
    new = deliver(box, message(8), since.timestamp() + 3600)
    source = MaildirSource(path, since=since)
    taken = {f"maildir:{old[0]}"}  # taken by a run before the setting was made
    assert [f.ref for f in source.fetch(10, lambda scope: taken)] == [f"maildir:{edge}", f"maildir:{new}"]
    reason = "đến trước ngày 01/12/2026 (DONDOC_INBOX_SINCE) / arrived before 01/12/2026"
    assert source.listing == Listing(
        held=5, known=1, fetched=2, left=[Left(f"maildir:{key}", BEFORE_SINCE, reason) for key in old[:0:-1]]
    )


def test_maildir_source_creates_a_missing_inbox(tmp_path):
    source = MaildirSource(tmp_path / "data" / "inbox")
    assert list(source.fetch(10)) == []
    assert (tmp_path / "data" / "inbox" / "new").is_dir()


# -- IMAP (Dovecot) -----------------------------------------------------------------------------------------------


def imap(dovecot, folder: str, **options) -> ImapSource:
    options.setdefault("password", dovecot.password)
    options.setdefault("security", "none")
    return ImapSource(host=dovecot.host, port=dovecot.port, username=dovecot.user, mailbox=folder, timeout=5, **options)


def append(dovecot, folder: str, raws: list[bytes], when: dt.datetime | None = None) -> None:
    with dovecot.client() as client:
        for raw in raws:
            client.append(folder, raw, msg_time=when)


def flags(dovecot, folder: str) -> dict[int, set[bytes]]:
    """UID → flags (but \\Recent, which only says which session saw the message first)."""
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["FLAGS"])
    return {uid: set(data[b"FLAGS"]) - {RECENT} for uid, data in found.items()}


def uidvalidity(dovecot, folder: str) -> int:
    with dovecot.client() as client:
        return client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"]


def test_imap_fetches_exact_bytes_of_seen_and_unseen_mail_and_sets_no_flag(dovecot, folder):
    raws = [message(n) for n in range(5)]
    append(dovecot, folder, raws)
    delivered = message(9, subject="Trả lời: Đôn đốc báo cáo quý IV").replace(b"\r\n", b"\n")
    dovecot.deliver(delivered, folder)  # as a local delivery agent would, LF line ends on disk
    with dovecot.client() as person:  # the văn thư reads two of them in her mail client, flags a third
        person.select_folder(folder)
        person.add_flags([2, 4], [SEEN])
        person.add_flags([3], [FLAGGED])
    before = flags(dovecot, folder)
    validity = uidvalidity(dovecot, folder)
    ledger = Ledger()
    with imap(dovecot, folder, batch=2) as source:
        fetched = ledger.take(source, limit=4)
        assert [f.ref for f in fetched] == [f"imap:{validity}:{uid}" for uid in range(1, 5)]
        assert [f.raw for f in fetched] == raws[:4]
        assert source.listing == Listing(held=6, fetched=4, waiting=2)
        assert [f.raw for f in ledger.take(source)] == [raws[4], delivered.replace(b"\n", b"\r\n")]
        assert source.listing == Listing(held=6, known=4, fetched=2)
        assert list(source.fetch(10, ledger)) == []
    assert flags(dovecot, folder) == before  # BODY.PEEK, and done sets nothing: unread stays unread
    assert list(imap(dovecot, folder).fetch(10, ledger)) == []


def test_imap_refetches_what_is_not_recorded(dovecot, folder):
    raws = [message(n) for n in range(4)]
    append(dovecot, folder, raws)
    with imap(dovecot, folder, batch=3) as source:
        assert [f.raw for f in source.fetch(2)] == raws[:2]
    with imap(dovecot, folder) as source:  # nothing was recorded: a new run gets all of it
        assert [f.raw for f in source.fetch(10)] == raws


def test_imap_done_moves_to_the_processed_folder_creating_it_and_keeps_the_flags(dovecot, folder):
    processed = f"Đã xử lý {uuid.uuid4().hex[:8]}"
    raws = [message(n) for n in range(4)]
    append(dovecot, folder, raws)
    with dovecot.client() as person:
        person.select_folder(folder)
        person.add_flags([2], [SEEN])
    ledger = Ledger()
    with imap(dovecot, folder, processed_folder=processed) as source:
        first = next(source.fetch(1, ledger))
        source.done(first.ref)
        source.done(first.ref)  # twice (a retry): harmless
        ledger.refs.add(first.ref)
        second = next(source.fetch(1, ledger))
        ledger.refs.add(second.ref)  # recorded, but the run is cut off before done: still in the mailbox
    assert sorted(flags(dovecot, folder)) == [2, 3, 4]
    with imap(dovecot, folder, processed_folder=processed) as source:
        assert [f.raw for f in ledger.take(source)] == raws[2:]  # the next run moves UID 2 first
    assert flags(dovecot, folder) == {}
    assert sorted(map(frozenset, flags(dovecot, processed).values())) == [
        frozenset(),
        frozenset(),
        frozenset(),
        frozenset({SEEN}),
    ]
    with dovecot.client() as client:
        client.select_folder(processed, readonly=True)
        kept = [data[b"BODY[]"] for data in client.fetch(client.search("ALL"), ["BODY.PEEK[]"]).values()]
    assert sorted(kept) == sorted(raws)


def test_imap_after_a_uidvalidity_change_stale_refs_are_ignored_and_everything_is_fetched_again(dovecot, folder):
    processed = f"Đã xử lý {uuid.uuid4().hex[:8]}"
    append(dovecot, folder, [message(1), message(2)])
    ledger = Ledger()
    with imap(dovecot, folder, processed_folder=processed) as source:
        stale = list(source.fetch(10, ledger))
        with dovecot.client() as client:  # the mailbox is deleted and made again, as an admin might
            client.delete_folder(folder)
            client.create_folder(folder)
        fresh = message(3)
        append(dovecot, folder, [fresh, stale[0].raw])
        validity = uidvalidity(dovecot, folder)
        assert [f.ref for f in stale] != [f"imap:{validity}:1", f"imap:{validity}:2"]
        source.done(stale[0].ref)  # UID 1 now names the new message: it must not be moved
        assert flags(dovecot, folder) == {1: set(), 2: set()}
        ledger.refs.update(f.ref for f in stale)
        assert list(source.fetch(10, ledger)) == [
            Fetched(f"imap:{validity}:1", fresh),
            Fetched(f"imap:{validity}:2", stale[0].raw),
        ]


def test_imap_reconnects_once_when_the_server_drops_the_connection(dovecot, folder, caplog):
    caplog.set_level(logging.INFO, logger="dondoc.mail.sources")
    processed = f"Đã xử lý {uuid.uuid4().hex[:8]}"
    raws = [message(n) for n in range(3)]
    append(dovecot, folder, raws)
    with imap(dovecot, folder, batch=1, processed_folder=processed) as source:
        got = []
        for n, f in enumerate(source.fetch(10)):
            got.append(f.raw)
            if n == 0:
                dovecot.kick()  # the drop is noticed by done()
            source.done(f.ref)
            if n == 1:
                dovecot.kick()  # … and here by the fetch of the next batch
        assert got == raws
    assert flags(dovecot, folder) == {} and len(flags(dovecot, processed)) == 3
    lost = [r.getMessage() for r in caplog.records if "reconnecting" in r.getMessage()]
    assert [m.split(" during ")[1].split(" (")[0] for m in lost] == ["move to the processed folder", "fetch"]


def test_imap_leaves_a_message_over_max_bytes_unfetched_and_names_it_on_every_run(dovecot, folder):
    small, large = message(1), message(2, body="Phụ lục số liệu. " * 10_000)
    append(dovecot, folder, [large, small])
    validity = uidvalidity(dovecot, folder)
    ledger = Ledger()
    with imap(dovecot, folder, max_bytes=50_000) as source:
        assert ledger.take(source) == [Fetched(f"imap:{validity}:2", small)]
        [left] = source.listing.left
        assert (left.ref, left.code) == (f"imap:{validity}:1", TOO_BIG)
        assert left.reason.startswith(f"{len(large)} bytes, over the limit of 50000")
        assert list(source.fetch(10, ledger)) == [] and source.listing.left == [left]
        assert source.listing == Listing(held=2, known=1, left=[left])
    assert flags(dovecot, folder) == {1: set(), 2: set()}


def test_imap_a_message_the_server_cannot_read_is_named_and_holds_up_no_other(dovecot, folder):
    raws = [message(n) for n in range(4)]
    paths = [dovecot.deliver(raw, folder) for raw in raws]
    validity = uidvalidity(dovecot, folder)
    with dovecot.client() as client:
        client.select_folder(folder)  # read-write: Dovecot indexes them and moves them from new/ to cur/

    def file_of(path: Path) -> Path:
        [found] = path.parent.parent.glob(f"*/{path.name}*")
        return found

    file_of(paths[1]).chmod(0)  # its file cannot be opened: Dovecot closes the session on any FETCH naming it
    ledger = Ledger()
    try:
        with imap(dovecot, folder, batch=10) as source:
            assert [f.raw for f in ledger.take(source)] == [raws[0], *raws[2:]]
            [left] = source.listing.left
            assert (left.ref, left.code) == (f"imap:{validity}:2", UNREADABLE)
            assert left.reason.startswith("không đọc được / unreadable: the server refused it (Internal error")
            assert list(source.fetch(10, ledger)) == [] and source.listing.left == [left]  # named on every run
            file_of(paths[1]).chmod(0o600)  # a person repairs it: the next run takes it
            assert [f.raw for f in ledger.take(source)] == [raws[1]]
    finally:
        file_of(paths[1]).chmod(0o600)


def test_imap_mail_that_arrived_before_since_is_left_and_named(dovecot, folder):
    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    append(dovecot, folder, [message(1), message(2)], when=dt.datetime(2024, 3, 5, 9, tzinfo=zone))
    recent = message(3)
    append(dovecot, folder, [recent], when=dt.datetime(2026, 12, 2, 9, tzinfo=zone))
    validity = uidvalidity(dovecot, folder)
    with imap(dovecot, folder, since=dt.datetime(2026, 12, 1, tzinfo=zone)) as source:
        assert [f.raw for f in source.fetch(10, lambda scope: {f"imap:{validity}:1"})] == [recent]
        reason = "đến trước ngày 01/12/2026 (DONDOC_INBOX_SINCE) / arrived before 01/12/2026"
        assert source.listing == Listing(
            held=3, known=1, fetched=1, left=[Left(f"imap:{validity}:2", BEFORE_SINCE, reason)]
        )


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
    with ImapSource(
        host=dovecot.host,
        port=dovecot.port,
        username=dovecot.other_user,
        password=dovecot.other_password,
        security="none",
        timeout=5,
    ) as source:
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

"""A report mailbox that people read too: intake decides what it has taken by its own records, never by a flag.

The văn thư reads mail in her client (new/ → cur/ with ``:2,S``; IMAP
``\\Seen``), flags it, files it in another folder and deletes it — before and
while dondoc runs. Every message that stays in the mailbox is taken in once,
nothing twice after a rerun or a recreated mailbox (new UIDVALIDITY), and
dondoc changes no flag of hers. The same bytes delivered twice are one
message. ``DONDOC_INBOX_SINCE`` leaves old mail at the source, counted and
shown on every run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mailbox
import os
import random
import threading
import time
import uuid
from pathlib import Path

import pytest
from imapclient import FLAGGED, RECENT, SEEN
from sqlmodel import Session, select

from dondoc.db.tables import DeadlineRow, InboundRow, InboundStatus, SourceMessageRow
from dondoc.inbox import FIELDS
from dondoc.intake import IntakeReport, run_ingest
from dondoc.integrity import check_integrity
from dondoc.mail.sink import MaildirSink
from dondoc.mail.sources import BEFORE_SINCE, MaildirSource
from dondoc.mail.tokens import make_token
from tests.integration.test_chase import SETUP, morning
from tests.integration.test_faults import SECRET, cli_env, dondoc, ok, table
from tests.support.config import write_config

MAY_10 = dt.date(2021, 5, 10)


def note(n: int, tag: str = "") -> bytes:
    """A small mail from someone outside the directory (it ends in quarantine: one outcome each)."""
    return (
        f"From: Người gửi {n} <nguoi{n}@elsewhere.example.com>\r\nTo: baocao@sldtbxh.example.org\r\n"
        f"Subject: Thư số {n} {tag}\r\nMessage-ID: <{n}.{uuid.uuid4().hex}@elsewhere.example.com>\r\n"
        f"Date: Mon, 10 May 2021 08:00:00 +0700\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        f"Kính gửi Sở, thư số {n}.\r\n"
    ).encode()


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def run(engine, catalog, data: Path, source, limit: int = 1000) -> IntakeReport:
    """One ``dondoc ingest`` (no receipts to send: strangers get none); the source's listing must add up."""
    with Session(engine) as session:
        report = run_ingest(
            session=session,
            catalog=catalog,
            setup=SETUP,
            source=source,
            transport=None,
            data_dir=data,
            now=morning(MAY_10, 10),
            limit=limit,
        )
    listing = source.listing
    assert listing.held == (listing.known + listing.fetched + len(listing.left) + listing.waiting + listing.vanished), (
        listing
    )
    assert report.fetched == listing.fetched
    return report


def records(engine) -> dict[str, str]:
    """dondoc's records: ref → sha256 of what it was taken as."""
    with Session(engine) as session:
        return {row.ref: row.sha256 for row in session.exec(select(SourceMessageRow))}


def inbound(engine) -> dict[str, str]:
    """sha256 → class of every message taken in."""
    with Session(engine) as session:
        return {row.sha256: row.status for row in session.exec(select(InboundRow))}


def settled(engine, data: Path) -> None:
    with Session(engine) as session:
        assert check_integrity(session, data, settled=True, deep=True) == []


# -- Maildir: a person at work in the mailbox while dondoc runs ---------------------------------------------------


class Person:
    """The văn thư in her mail client, on a Maildir: what she does, and what the mailbox must look like after."""

    def __init__(self, path: Path, seed: int):
        self.path, self.rng = path, random.Random(seed)
        self.box = mailbox.Maildir(path, create=True)
        self.archive = self.box.add_folder("Lưu trữ")
        self.state: dict[str, tuple[str, str]] = {}  # key → (subdir, flags): the mailbox as she left it
        self.content: dict[str, bytes] = {}  # key → bytes, of everything ever delivered
        self.removed: set[str] = set()  # keys she moved away or deleted
        self.count = 0

    def deliver(self, raw: bytes | None = None, seen: bool = False) -> str:
        self.count += 1
        raw = raw or note(self.count)
        key = self.box.add(raw)
        self.content[key] = raw
        self.state[key] = ("new", "")
        if seen:
            self.flag(key, "S")
        return key

    def _path(self, key: str) -> Path:
        subdir, flags = self.state[key]
        return self.path / subdir / (key if subdir == "new" else f"{key}:2,{flags}")

    def flag(self, key: str, letter: str) -> None:
        """Read (S) or flag (F) it: a rename, as every Maildir client does."""
        flags = "".join(sorted(set(self.state[key][1]) | {letter}))
        os.rename(self._path(key), self.path / "cur" / f"{key}:2,{flags}")
        self.state[key] = ("cur", flags)

    def file_away(self, key: str) -> None:
        os.rename(self._path(key), self.path / ".Lưu trữ" / "cur" / f"{key}:2,{self.state.pop(key)[1]}")
        self.removed.add(key)

    def delete(self, key: str) -> None:
        self._path(key).unlink()
        del self.state[key]
        self.removed.add(key)

    def act(self) -> None:
        """One thing, chosen at random: read, flag, file away, delete, or new mail arrives."""
        roll = self.rng.random()
        keys = sorted(self.state)
        if roll < 0.15 or not keys:
            self.deliver(seen=self.rng.random() < 0.3)
            return
        key = self.rng.choice(keys)
        if roll < 0.6:
            self.flag(key, "S")
        elif roll < 0.75:
            self.flag(key, "F")
        elif roll < 0.9:
            self.file_away(key)
        else:
            self.delete(key)

    def on_disk(self) -> dict[str, tuple[str, str]]:
        found = {}
        for subdir in ("new", "cur"):
            for name in os.listdir(self.path / subdir):
                key, _, info = name.partition(":")
                found[key] = (subdir, info.removeprefix("2,"))
        return found


@pytest.mark.slow
def test_a_maildir_read_filed_and_pruned_by_a_person_while_dondoc_runs_takes_every_message_once(world, engine):
    catalog, _, _, data = world
    person = Person(data.parent / "inbox", seed=17)
    for _ in range(60):
        person.deliver()
    twice = [person.content[key] for key in sorted(person.content)[:4]]
    for raw in twice:  # the same bytes delivered a second time, one copy already read (cur/, :2,S)
        person.deliver(raw, seen=True)
    for key in sorted(person.state)[4:40:3]:  # before the first run, she reads some, files and deletes others
        person.flag(key, "S")
    for key in sorted(person.state)[5:40:9]:
        person.file_away(key)
    person.delete(sorted(person.state)[-1])

    source = MaildirSource(person.path)
    started, done = threading.Event(), threading.Event()

    def at_work() -> None:
        actions = 0
        while not done.is_set() or actions < 100:
            person.act()
            actions += 1
            started.set()
            time.sleep(person.rng.uniform(0, 0.003))

    worker = threading.Thread(target=at_work)
    worker.start()
    started.wait(5)
    reports = [run(engine, catalog, data, source, limit=7) for _ in range(8)]  # while she works, a few each time
    done.set()
    worker.join()
    reports.append(run(engine, catalog, data, source))  # she is done; the next run takes the rest
    last = run(engine, catalog, data, source)  # and a rerun takes nothing

    taken, stored = records(engine), inbound(engine)
    assert (last.fetched, last.already_taken, last.left, last.vanished) == (0, len(person.state), [], 0)
    # every message still in the mailbox was taken in, as the bytes it holds
    assert {f"maildir:{key}" for key in person.state} <= set(taken)
    assert all(taken[f"maildir:{key}"] == sha(person.content[key]) for key in person.state)
    # each ref was fetched once, over all the runs; each content is one inbound message, with one outcome
    assert sum(r.fetched for r in reports) == len(taken)
    assert sum(r.stored for r in reports) == len(stored) == len(set(taken.values()))
    assert sum(r.duplicates for r in reports) == len(taken) - len(set(taken.values()))  # the bytes sent twice
    assert set(stored.values()) == {InboundStatus.QUARANTINE}
    # what she removed before dondoc saw it is not dondoc's; what dondoc did take stays taken
    assert {key for key in person.content if f"maildir:{key}" in taken} >= set(person.state)
    # and dondoc moved, renamed and flagged nothing: the mailbox is exactly as she left it
    assert person.on_disk() == person.state
    settled(engine, data)


def test_the_same_bytes_in_new_and_in_cur_are_one_message_and_a_rerun_takes_nothing(world, engine):
    catalog, _, _, data = world
    person = Person(data.parent / "inbox", seed=3)
    raw = note(1)
    person.deliver(raw)
    person.deliver(raw, seen=True)
    person.deliver(note(2), seen=True)
    source = MaildirSource(person.path)
    first = run(engine, catalog, data, source)
    assert (first.fetched, first.stored, first.duplicates) == (3, 2, 1)
    again = run(engine, catalog, data, source)
    assert (again.fetched, again.already_taken) == (0, 3)
    assert person.on_disk() == person.state
    assert len(inbound(engine)) == 2 and len(records(engine)) == 3


# -- IMAP (Dovecot): a person with her own IMAP client ------------------------------------------------------------


def imap_flags(dovecot, folder: str) -> dict[int, frozenset]:
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        found = client.fetch(client.search("ALL"), ["FLAGS"])
    return {uid: frozenset(data[b"FLAGS"]) - {RECENT} for uid, data in found.items()}


def imap_bodies(dovecot, folder: str) -> dict[int, bytes]:
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        return {uid: data[b"BODY[]"] for uid, data in client.fetch(client.search("ALL"), ["BODY.PEEK[]"]).items()}


@pytest.mark.slow
def test_an_imap_mailbox_a_person_reads_and_files_every_message_once_through_reruns_and_a_new_uidvalidity(
    world, engine, dovecot, folder
):
    catalog, _, _, data = world
    archive = f"Lưu trữ {uuid.uuid4().hex[:6]}"
    with dovecot.client() as person:
        person.create_folder(archive)
        for n in range(12):
            person.append(folder, note(n))
        person.select_folder(folder)
        person.add_flags([1, 2, 5, 8, 9], [SEEN])  # she has read these in Thunderbird
        person.add_flags([5], [FLAGGED])
        person.move([3, 4, 10], archive)  # and filed these away, unread
        person.delete_messages([11])
        person.expunge()
    before = imap_flags(dovecot, folder)
    source = dovecot.source(folder, batch=3)
    try:
        first = run(engine, catalog, data, source, limit=5)  # a run's limit: the rest waits for the next one
        assert (first.fetched, first.waiting) == (5, 3)
        second = run(engine, catalog, data, source)
        assert (second.fetched, second.already_taken, second.waiting) == (3, 5, 0)
        assert set(inbound(engine)) == {sha(raw) for raw in imap_bodies(dovecot, folder).values()}
        assert imap_flags(dovecot, folder) == before  # not one flag set or cleared

        # she reads everything; new mail comes, one of which she reads at once
        with dovecot.client() as person:
            person.select_folder(folder)
            person.add_flags(person.search("ALL"), [SEEN])
            person.append(folder, note(20))
            person.append(folder, note(21), flags=[SEEN])
            person.move([7], archive)
        third = run(engine, catalog, data, source)
        assert (third.fetched, third.stored, third.already_taken) == (2, 2, 7)
        assert (run(engine, catalog, data, source).fetched, source.listing.known) == (0, 9)

        # the mailbox is recreated (new UIDVALIDITY) and the old mail restored into it, with one new message
        kept = imap_bodies(dovecot, folder)
        with dovecot.client() as admin:
            admin.delete_folder(folder)
            admin.create_folder(folder)
            for raw in kept.values():
                admin.append(folder, raw, flags=[SEEN])
            admin.append(folder, note(30))
        fourth = run(engine, catalog, data, source)
        assert (fourth.fetched, fourth.stored, fourth.duplicates) == (10, 1, 9)
        fifth = run(engine, catalog, data, source)
        assert (fifth.fetched, fifth.already_taken) == (0, 10)
    finally:
        source.close()
    stored = inbound(engine)
    everything = {sha(raw) for raw in imap_bodies(dovecot, folder).values()}
    assert everything <= set(stored) and len(stored) == 11  # 8 + 2 + 1; one of the 8 filed away after it was taken
    assert set(stored.values()) == {InboundStatus.QUARANTINE}
    settled(engine, data)


# -- DONDOC_INBOX_SINCE, and the inbox as JSON, through the command line ----------------------------------------


@pytest.fixture
def cli_world(tmp_path):
    write_config(tmp_path / "config")
    with MaildirSink(tmp_path / "mail") as sink:
        env = cli_env(tmp_path, smtp_port=sink.port)
        ok(dondoc(env, "sync", "--now", "2021-03-01"))
        yield tmp_path, env


@pytest.mark.slow
def test_inbox_since_leaves_old_mail_at_the_source_counted_and_shown_on_every_run(cli_world):
    tmp_path, env = cli_world
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    old = []
    for n in range(3):  # mail of 2019, read long ago
        key = box.add(note(n))
        path = tmp_path / "inbox" / "new" / key
        os.utime(path, (1_560_000_000 + n, 1_560_000_000 + n))
        os.rename(path, tmp_path / "inbox" / "cur" / f"{key}:2,S")
        old.append(key)
    recent = [box.add(note(n)) for n in (10, 11)]
    env = {**env, "DONDOC_INBOX_SINCE": "01/01/2021"}
    line = (
        "3 thư đến trước ngày 01/01/2021 (DONDOC_INBOX_SINCE) để lại ở hộp thư nguồn, không lấy về / "
        "3 messages that arrived before 01/01/2021 left at the source, not taken in"
    )
    for _ in range(2):  # said on every run
        output = ok(dondoc(env, "ingest", "--now", "2021-05-10T10:00"))
        assert line in " ".join(output.split()), output
        summary = json.loads(ok(dondoc(env, "ingest", "--now", "2021-05-10T10:00", "--format", "json")))
        assert (summary["fetched"], summary["before_since"], summary["left_at_source"]) == (
            0,
            3,
            [
                {
                    "ref": f"maildir:{key}",
                    "code": BEFORE_SINCE,
                    "reason": "đến trước ngày 01/01/2021 (DONDOC_INBOX_SINCE) / arrived before 01/01/2021",
                }
                for key in old
            ],
        )
        assert summary["since"] == "2021-01-01" and summary["already_taken"] == 2
    url = env["DONDOC_DATABASE_URL"]
    assert {row.ref for row in table(url, SourceMessageRow)} == {f"maildir:{key}" for key in recent}
    # the coordinator moves the start back: the old mail is taken in, once
    output = json.loads(
        ok(
            dondoc(
                {**env, "DONDOC_INBOX_SINCE": "2019-01-01"}, "ingest", "--now", "2021-05-10T10:00", "--format", "json"
            )
        )
    )
    assert (output["fetched"], output["stored"], output["before_since"], output["already_taken"]) == (3, 3, 0, 2)
    assert len(table(url, InboundRow)) == 5


@pytest.mark.slow
def test_dondoc_inbox_json_gives_each_message_its_class_reason_and_match_method(cli_world):
    tmp_path, env = cli_world
    url = env["DONDOC_DATABASE_URL"]
    [deadline] = [d for d in table(url, DeadlineRow) if d.agency_id == "demo.ubnd-a" and d.period_key == "2021-H1"]
    token = make_token(deadline.id, SECRET.encode())
    report = (
        f"From: vanthu@huyen-a.demo.example.org\r\nTo: baocao+{token}@sldtbxh.example.org\r\n"
        f"Subject: Báo cáo 6 tháng đầu năm 2021\r\nMessage-ID: <bc@huyen-a.demo.example.org>\r\n"
        f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
        f"\r\n{'Ủy ban nhân dân huyện A báo cáo kết quả 6 tháng đầu năm 2021. ' * 6}\r\n"
    ).encode()
    away = (
        b"From: vanthu@huyen-a.demo.example.org\r\nTo: baocao@sldtbxh.example.org\r\n"
        b"Subject: Auto: Out of Office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <away@huyen-a.example.org>"
        b"\r\n\r\nI am away.\r\n"
    )
    box = mailbox.Maildir(tmp_path / "inbox", create=True)
    for raw in (report, away, note(1)):
        box.add(raw)
    ok(dondoc(env, "ingest", "--now", "2021-05-10T10:00"))
    rows = json.loads(ok(dondoc(env, "inbox", "--format", "json")))
    assert [tuple(row) for row in rows] == [FIELDS] * 3
    by_class = {row["class"]: row for row in rows}
    assert set(by_class) == {"submission", "auto-reply", "quarantine"}
    assert (by_class["submission"]["match_method"], by_class["submission"]["deadline"]) == ("token", deadline.id)
    assert by_class["auto-reply"]["match_method"] is None and by_class["auto-reply"]["reason"]
    assert by_class["quarantine"]["reason"] and by_class["quarantine"]["deadline"] is None
    assert {row["sha256"] for row in rows} == {sha(raw) for raw in box_bytes(tmp_path / "inbox")}
    assert all(row["source_ref"].startswith("maildir:") and row["received"].endswith("+00:00") for row in rows)


def box_bytes(path: Path) -> list[bytes]:
    return [(path / sub / name).read_bytes() for sub in ("new", "cur") for name in os.listdir(path / sub)]

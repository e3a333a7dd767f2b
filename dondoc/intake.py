"""Taking in replies: raw store first, then parse, classify, match, record, receipt.

1. **store** — every fetched message is written as ``raw/<sha256[:2]>/<sha256>.eml``
   (atomically, mode 0600), synced to disk and recorded in ``inbound``
   *before* it is parsed, and its ref at the source in ``source_message`` in
   the same transaction: those records, never a seen flag, say what has been
   taken, so mail a person has read is taken like any other and nothing is
   taken twice. The same bytes twice (two refs, a recreated mailbox) are one
   ``inbound`` row. By chunks: one disk sync and one transaction each.
2. **process** — each ``new`` row ends as exactly one of: submission,
   request, held (sender not proved: waits for confirmation), confirmation,
   auto-reply, bounce, quarantine, a chunk of rows per transaction
   (a chunk that fails is retried one message per transaction). A message the
   parser cannot read goes to quarantine whole, with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from dondoc.aggregate import figure
from dondoc.chase import MailSetup, effective_last_day
from dondoc.db.ids import row_id
from dondoc.db.inbound import claim_new_inbound, insert_new_inbound, record_taken
from dondoc.db.outbox import QueuedMessage, enqueue, process_running
from dondoc.db.repo import lock_deadline, lock_deadlines
from dondoc.db.tables import (
    AttachmentRow,
    ContactRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    OutboxRow,
    RequestRow,
    SourceMessageRow,
    SubmissionRow,
)
from dondoc.documents.extract import report_text
from dondoc.documents.form import read_form
from dondoc.errors import MailError, explain
from dondoc.mail.authresults import authenticate
from dondoc.mail.classify import Classification, MailKind, classify
from dondoc.mail.compose import build_message, message_bytes, message_id_for
from dondoc.mail.parse import ParsedAttachment, ParsedMail, Unparseable, parse_message
from dondoc.mail.render import render
from dondoc.mail.sources import BEFORE_SINCE, Fetched, Left, MailSource, scope_of
from dondoc.mail.tokens import make_confirm_token, read_confirm_token, read_token
from dondoc.matching import (
    TAG,
    Evidence,
    SenderIndex,
    asks_question,
    decide,
    needs_authentication,
    sender_allowed,
    strip_quoted,
    wants_time,
)
from dondoc.model import Catalog, Role, Unit

__all__ = ["IntakeReport", "process_new", "store_raw", "take_in"]

log = logging.getLogger("dondoc.intake")

ACCEPTED = {".docx", ".doc", ".xlsx", ".xls", ".pdf", ".odt", ".ods", ".zip", ".rtf", ".txt"}
MAX_ATTACHMENT = 20 * 1024 * 1024
AUTOMATIC_PER_DAY = 5  # automatic mails to one address in 24 h, at most (no loops)
AUTOMATIC_KINDS = ("receipt", "notice", "confirm")  # the mails that count towards it
SHORT = 200  # characters of own words under which a reply without a report is flagged


@dataclass
class IntakeReport:
    """What an intake run did, and what it found at the source (see :class:`~dondoc.mail.sources.Listing`)."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    already_taken: int = 0
    left: list[Left] = field(default_factory=list)
    waiting: int = 0
    vanished: int = 0
    classes: Counter = field(default_factory=Counter)
    receipts: int = 0
    since: dt.date | None = None
    """``DONDOC_INBOX_SINCE``, if the source has one."""

    @property
    def before_since(self) -> int:
        """Messages left at the source because they arrived before ``DONDOC_INBOX_SINCE``."""
        return sum(1 for left in self.left if left.code == BEFORE_SINCE)

    def as_dict(self) -> dict:
        before = self.before_since
        return {
            "fetched": self.fetched,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "already_taken": self.already_taken,
            "left_at_source": len(self.left) - before,
            "before_since": before,
            "waiting": self.waiting,
            "vanished": self.vanished,
            **{str(k): v for k, v in sorted(self.classes.items())},
            "receipts": self.receipts,
        }

    def as_json(self) -> dict:
        """The counts, the start date, and every message left at the source (ref, code, reason)."""
        return {
            **self.as_dict(),
            "since": self.since.isoformat() if self.since else None,
            "left_at_source": [{"ref": x.ref, "code": x.code, "reason": x.reason} for x in self.left],
        }

    def notices(self) -> list[str]:
        """What the coordinator is told on every run: each message left at the source, by name; the old mail
        before ``since``, counted; the messages waiting for the next run."""
        lines = [
            f"Thư để lại ở hộp thư nguồn, chưa lấy về / message left at the source, not fetched: {x.ref} "
            f"({x.reason}) — xử lý bằng tay / deal with it by hand"
            for x in self.left
            if x.code != BEFORE_SINCE
        ]
        if self.since:
            day, count = f"{self.since:%d/%m/%Y}", self.before_since
            lines.append(
                f"{count} thư đến trước ngày {day} (DONDOC_INBOX_SINCE) để lại ở hộp thư nguồn, không lấy "
                f"về / {count} messages that arrived before {day} left at the source, not taken in"
            )
        if self.waiting:
            lines.append(
                f"{self.waiting} thư chờ lần chạy sau (giới hạn mỗi lần) / {self.waiting} messages wait "
                f"for the next run (the run's limit)"
            )
        return lines


def store_raw(
    data_dir: Path, raw: bytes, folder: str = "raw", suffix: str = ".eml", sync: bool = True
) -> tuple[str, str]:
    """Write ``raw`` content-addressed under ``data_dir/folder``; returns (sha256, relative path).

    Written to a temporary name, then renamed: a crash leaves either nothing
    or a whole file. With ``sync`` the file is on disk when this returns;
    without it the caller must :func:`sync_to_disk` before it relies on the
    file (one system-wide sync per batch instead of an fsync per file: ~1 ms
    each here). A file left truncated by a crash before that sync is found by
    its size and written again. Never outside the data dir: the name is the hash.
    """
    digest = hashlib.sha256(raw).hexdigest()
    relative = Path(folder) / digest[:2] / f"{digest}{suffix}"
    target = data_dir / relative
    try:
        whole = target.stat().st_size == len(raw)
    except FileNotFoundError:
        whole = False
    if not whole:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_suffix(f".tmp{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view, written = memoryview(raw), 0
            while written < len(raw):  # a write may take only part (a disk filling up); the next one raises
                written += os.write(descriptor, view[written:])
            if sync:
                os.fsync(descriptor)
        except BaseException:
            os.close(descriptor)
            temporary.unlink(missing_ok=True)  # no partial file left behind, under any name
            raise
        os.close(descriptor)
        os.replace(temporary, target)
        _remove_abandoned(target)
    return digest, str(relative)


def _remove_abandoned(target: Path) -> None:
    """Delete the temporaries of ``target`` left by processes killed while writing it.

    A run killed mid-write leaves ``<sha256>.tmp<pid>`` (a copy of a mail,
    outside the store); its rerun writes the same file again, and clears
    them here. A temporary of a process still running is its own.
    """
    prefix = f"{target.stem}.tmp"
    # (a listing, not Path.glob: glob compiles its pattern, unique to each file, into a regular expression every call)
    with os.scandir(target.parent) as entries:
        found = [Path(entry.path) for entry in entries if entry.name.startswith(prefix)]
    for stale in found:
        pid = stale.suffix.removeprefix(".tmp")
        if pid.isdigit() and not process_running(int(pid)):
            stale.unlink(missing_ok=True)


def sync_to_disk() -> None:
    """Flush every file written without ``sync`` (and the renames) to disk."""
    os.sync()


CHUNK = 200  # messages per transaction
CHUNK_BYTES = 32 * 1024 * 1024  # and at most this much raw mail held in memory at once


def take_in(
    session: Session, source: MailSource, data_dir: Path, now: dt.datetime, limit: int, report: IntakeReport
) -> None:
    """Fetch up to ``limit`` messages not taken yet: store each raw and record it, then tell the source it is done.

    What is taken is decided by ``source_message`` (the source's refs) alone.
    By chunks: the chunk's files are written, synced to disk once, recorded
    (``inbound`` and ``source_message``) in one transaction, and only then
    done at the source. A crash anywhere leaves the messages unrecorded, to be
    fetched again; the same bytes are one ``inbound`` row.
    """

    def known(scope: str) -> set[str]:
        return set(
            session.exec(
                select(SourceMessageRow.ref).where(
                    SourceMessageRow.source == source.name[:300], SourceMessageRow.scope == scope
                )
            )
        )

    chunk: list[Fetched] = []
    size = 0
    for fetched in source.fetch(limit, known):
        report.fetched += 1
        chunk.append(fetched)
        size += len(fetched.raw)
        if len(chunk) >= CHUNK or size >= CHUNK_BYTES:
            _store_chunk(session, source, data_dir, now, chunk, report)
            chunk, size = [], 0
    if chunk:
        _store_chunk(session, source, data_dir, now, chunk, report)
    listing = source.listing
    since = getattr(source, "since", None)
    report.since = since.date() if since else None
    report.already_taken += listing.known
    report.left += listing.left
    report.waiting += listing.waiting
    report.vanished += listing.vanished


def _store_chunk(
    session: Session, source: MailSource, data_dir: Path, now: dt.datetime, chunk: list[Fetched], report: IntakeReport
) -> None:
    rows: dict[str, dict] = {}
    taken: list[dict] = []
    for fetched in chunk:
        digest, path = store_raw(data_dir, fetched.raw, sync=False)
        rows.setdefault(
            digest,
            dict(
                sha256=digest,
                source_ref=fetched.ref[:300],
                path=path,
                size=len(fetched.raw),
                received_at=now,
                status=InboundStatus.NEW,
            ),
        )
        taken.append(
            dict(
                source=source.name[:300],
                scope=scope_of(fetched.ref),
                ref=fetched.ref[:300],
                sha256=digest,
                taken_at=now,
            )
        )
    sync_to_disk()
    inserted = insert_new_inbound(session, list(rows.values()))
    record_taken(session, taken)
    session.commit()
    report.stored += len(inserted)
    report.duplicates += len(chunk) - len(inserted)
    for fetched in chunk:
        source.done(fetched.ref)


_File = tuple[ParsedAttachment, str | None, str | None]  # an attachment, where it is stored, why it was refused


@dataclass
class _Chunk:
    """One transaction's messages, with what they need from the database read in a few queries up front.

    The decisions for the chunk's messages are taken one after the other on
    this state, which each accepted message updates (its deadline is no longer
    open, its Message-ID is taken, its address had one more automatic mail),
    so the outcome is the same as taking them one transaction each.
    """

    session: Session
    catalog: Catalog
    setup: MailSetup
    data_dir: Path
    now: dt.datetime
    senders: SenderIndex
    deadlines: dict[int, DeadlineRow] = field(default_factory=dict)
    open_by_agency: dict[str, set[int]] = field(default_factory=dict)
    thread_of: dict[str, int] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)  # Message-IDs already taken as a submission or request
    versions: Counter = field(default_factory=Counter)  # latest version by deadline
    automatic: Counter = field(default_factory=Counter)  # automatic mails per address in the last 24 h
    classes: Counter = field(default_factory=Counter)
    receipts: list[QueuedMessage] = field(default_factory=list)
    attachments: list[tuple[SubmissionRow, list[_File]]] = field(default_factory=list)

    def load(self, mails: list[ParsedMail]) -> None:
        """Read, in one query each, the deadlines, threads, replays, versions and daily counts ``mails`` need."""
        session = self.session
        agencies = {a for mail in mails for a in self.senders.agencies_of(mail.from_address)}
        for deadline_id, agency_id in (
            session.exec(
                select(DeadlineRow.id, DeadlineRow.agency_id).where(
                    col(DeadlineRow.agency_id).in_(agencies), DeadlineRow.status == DeadlineStatus.OPEN
                )
            )
            if agencies
            else ()
        ):
            if deadline_id is not None:  # (a primary key)
                self.open_by_agency.setdefault(agency_id, set()).add(deadline_id)
        references = {i for mail in mails for i in _thread_ids(mail)}
        if references:
            self.thread_of.update(
                (message_id, deadline_id)
                for message_id, deadline_id in session.exec(
                    select(OutboxRow.message_id, OutboxRow.deadline_id).where(
                        col(OutboxRow.message_id).in_(references), col(OutboxRow.deadline_id).is_not(None)
                    )
                )
                if deadline_id is not None
            )
        named = {i for ids in self.open_by_agency.values() for i in ids} | set(self.thread_of.values())
        for mail in mails:
            named.update(i for i in (self._token(mail), _tag(mail)) if i is not None and i <= MAX_ID)
        if named:
            # another worker taking a reply for one of these deadlines waits (locks in id order: no deadlock),
            # so the versions read below are the latest
            self.deadlines = {row_id(row): row for row in lock_deadlines(session, named)}
        message_ids = {mail.message_id for mail in mails if mail.message_id}
        if message_ids:
            self.taken.update(
                message_id
                for message_id in session.exec(
                    select(InboundRow.message_id).where(
                        col(InboundRow.message_id).in_(message_ids),
                        col(InboundRow.status).in_(
                            [InboundStatus.SUBMISSION, InboundStatus.REQUEST, InboundStatus.HELD]
                        ),
                    )
                )
                if message_id is not None
            )
        self.load_counts(set(self.deadlines), {mail.from_address.lower() for mail in mails if mail.from_address})

    def load_counts(self, deadline_ids: set[int], addresses: set[str]) -> None:
        """The latest version of each deadline's submissions; the automatic mails to each address in 24 h."""
        session = self.session
        if deadline_ids:
            self.versions.update(
                dict(
                    session.exec(
                        select(SubmissionRow.deadline_id, func.max(SubmissionRow.version))
                        .where(col(SubmissionRow.deadline_id).in_(deadline_ids))
                        .group_by(col(SubmissionRow.deadline_id))
                    ).all()
                )
            )
        if addresses:
            self.automatic.update(
                dict(
                    session.exec(
                        select(OutboxRow.to_address, func.count())
                        .where(
                            col(OutboxRow.to_address).in_(addresses),
                            col(OutboxRow.kind).in_(AUTOMATIC_KINDS),
                            OutboxRow.created_at >= self.now - dt.timedelta(days=1),
                        )
                        .group_by(OutboxRow.to_address)
                    ).all()
                )
            )

    def _tokens(self, addresses) -> list[str]:
        pattern = re.compile(
            rf"^{re.escape(self.setup.reply_local)}\+([a-z0-9-]+)@{re.escape(self.setup.domain)}$", re.I
        )
        return [found.group(1) for address in addresses if (found := pattern.match(address))]

    def _token(self, mail: ParsedMail) -> int | None:
        for token in self._tokens(mail.recipients):
            if (deadline := read_token(token, self.setup.hmac_key)) is not None:
                return deadline
        return None

    def confirmation_of(self, mail: ParsedMail) -> int | None:
        """The held message a reply confirms: the one named by a valid confirmation token it was sent to."""
        for token in self._tokens(mail.recipients):
            if (inbound_id := read_confirm_token(token, self.setup.hmac_key)) is not None:
                return inbound_id
        return None

    def deadline(self, deadline_id: int) -> DeadlineRow | None:
        """A deadline not loaded up front (a confirmation's), locked on PostgreSQL, its latest version read."""
        if deadline_id in self.deadlines:
            return self.deadlines[deadline_id]
        row = lock_deadline(self.session, deadline_id)
        if row is not None:
            self.deadlines[deadline_id] = row
            self.versions[deadline_id] = (
                self.session.exec(
                    select(func.max(SubmissionRow.version)).where(SubmissionRow.deadline_id == deadline_id)
                ).one()
                or 0
            )
        return row

    def evidence(self, mail: ParsedMail) -> tuple[Evidence, dict[int, str]]:
        thread = next((self.thread_of[i] for i in _thread_ids(mail) if i in self.thread_of), None)
        open_ids = tuple(
            sorted(
                i for agency in self.senders.agencies_of(mail.from_address) for i in self.open_by_agency.get(agency, ())
            )
        )
        evidence = Evidence(token=self._token(mail), thread=thread, tag=_tag(mail), sender_open=open_ids)
        named = {i for i in (evidence.token, evidence.thread, evidence.tag, *open_ids) if i is not None}
        return evidence, {i: self.deadlines[i].agency_id for i in named if i in self.deadlines}


MAX_ID = 2**31 - 1  # a [DD-…] tag above any id a database can hold names no deadline
MAX_THREAD_IDS = 50  # In-Reply-To and the latest References looked up; a longer chain adds nothing


def _thread_ids(mail: ParsedMail) -> list[str]:
    return [i for i in (*mail.in_reply_to, *mail.references[-MAX_THREAD_IDS:]) if i][:MAX_THREAD_IDS]


def _tag(mail: ParsedMail) -> int | None:
    found = TAG.search(mail.subject)
    return int(found.group(1)) if found else None


def _senders(catalog: Catalog) -> SenderIndex:
    return SenderIndex(
        {
            agency.id: ({x.address for x in agency.contacts}, agency.domain)
            for agency in catalog.directory.agencies.values()
        }
    )


def process_new(
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    data_dir: Path,
    now: dt.datetime,
    report: IntakeReport,
    limit: int = 10_000,
) -> None:
    """Classify, match and record every ``new`` inbound message, a chunk per transaction.

    If a chunk cannot be written, it is rolled back and its messages are taken
    again one per transaction, so one bad message never holds up the others;
    a message that still fails goes to quarantine with the error.
    """
    ids = [
        inbound_id
        for inbound_id in session.exec(
            select(col(InboundRow.id))
            .where(InboundRow.status == InboundStatus.NEW)
            .order_by(col(InboundRow.id))
            .limit(limit)
        )
        if inbound_id is not None  # (a primary key)
    ]
    senders = _senders(catalog)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        try:
            _process_chunk(session, catalog, setup, data_dir, now, senders, chunk, report)
        except Exception as error:  # noqa: BLE001 — a write that failed: retry the messages one by one
            session.rollback()
            session.expunge_all()
            if explain(error) is not None:
                raise  # the disk or the database, not the messages: they stay new for the next run
            for inbound_id in chunk:
                try:
                    _process_chunk(session, catalog, setup, data_dir, now, senders, [inbound_id], report)
                except Exception as error:  # a bug must not stop the run nor leave a poison message behind
                    session.rollback()
                    if explain(error) is not None:
                        raise
                    row = session.get(InboundRow, inbound_id)
                    if row is None:  # gone meanwhile (a restore, a hand-made delete): nothing left to quarantine
                        continue
                    row.status = _quarantine(row, f"internal error ({type(error).__name__}): {error}")
                    row.processed_at = now
                    session.commit()
                    report.classes[row.status] += 1
                session.expunge_all()
        session.expunge_all()


def _process_chunk(
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    data_dir: Path,
    now: dt.datetime,
    senders: SenderIndex,
    ids: list[int],
    report: IntakeReport,
) -> None:
    c = _Chunk(session, catalog, setup, data_dir, now, senders)
    rows = claim_new_inbound(session, ids)  # another worker's chunk: left to it
    candidates = []
    for row in rows:
        try:
            outcome = _read(c, row)
        except Exception as error:  # noqa: BLE001 — the parser's guards missed something: quarantine, go on
            outcome = _quarantine(row, f"internal error ({type(error).__name__}): {error}")
        if isinstance(outcome, ParsedMail):
            candidates.append((row, outcome))
        else:
            row.status = outcome
    c.load([mail for _, mail in candidates])
    for row, mail in candidates:
        try:
            row.status = _candidate(c, row, mail)
        except Exception as error:  # noqa: BLE001 — nothing was changed yet (see _candidate): quarantine it
            if explain(error) is not None:
                raise  # a full disk is no fault of the message: the whole chunk is rolled back, left new
            row.status = _quarantine(row, f"internal error ({type(error).__name__}): {error}")
    session.flush()  # the submissions get their ids
    for submission, files in c.attachments:
        for attachment, path, refused in files:
            session.add(_attachment_row(submission, attachment, path, refused))
    enqueue(session, c.receipts, commit=False)
    if c.attachments:
        sync_to_disk()
    for row in rows:
        row.processed_at = now
        c.classes[row.status] += 1
    session.commit()
    report.classes.update(c.classes)
    report.receipts += sum(mail.kind == "receipt" for mail in c.receipts)


def _quarantine(row: InboundRow, reason: str) -> InboundStatus:
    row.reason = reason[:500]
    return InboundStatus.QUARANTINE


def _read(c: _Chunk, row: InboundRow) -> InboundStatus | ParsedMail:
    """The parsed mail if it is a candidate submission; else the status it ends with."""
    try:
        raw = (c.data_dir / row.path).read_bytes()
    except OSError as error:
        return _quarantine(row, f"raw message unreadable: {error.strerror}")
    try:
        mail = parse_message(raw)
    except Unparseable as error:
        return _quarantine(row, f"unparseable: {error.reason}")
    row.message_id = (mail.message_id or "")[:500] or None
    row.from_address = mail.from_address
    row.subject = mail.subject[:500]
    kind = classify(mail)
    if kind.kind is MailKind.AUTO_REPLY:
        row.reason = kind.reason
        return InboundStatus.AUTO_REPLY
    if kind.kind is MailKind.BOUNCE:
        return _bounce(c, kind, row)
    return mail


UNVERIFIED = "thư báo lỗi chưa xác minh / bounce, unverified"


def _bounce(c: _Chunk, bounce: Classification, row: InboundRow) -> InboundStatus:
    """A bounce flags an address only when it proves itself (docs/replies.md): it refers to a message dondoc sent
    (that message's Message-ID, or a valid token of ours in the address the bounce was sent to) and names its
    recipient as failed. Only that address is flagged, with the reason and the bounce's number; a delay flags
    nothing; a bounce that proves nothing goes to quarantine, unverified."""
    if bounce.delayed:
        row.reason = "delivery delayed (Action: delayed): nothing flagged"
        return InboundStatus.BOUNCE
    session = c.session
    sent = (
        list(
            session.exec(
                select(OutboxRow.message_id, OutboxRow.recipients).where(
                    col(OutboxRow.message_id).in_(bounce.refers_to)
                )
            )
        )
        if bounce.refers_to
        else []
    )
    deadlines = {d for t in c._tokens(bounce.addressed_to) if (d := read_token(t, c.setup.hmac_key)) is not None}
    if deadlines:
        sent += [
            (f"DD-{deadline_id}", recipients)
            for deadline_id, recipients in session.exec(
                select(OutboxRow.deadline_id, OutboxRow.recipients).where(col(OutboxRow.deadline_id).in_(deadlines))
            )
        ]
    if not sent:
        return _quarantine(
            row,
            f"{UNVERIFIED}: it refers to no message dondoc sent (no Message-ID of ours, no valid "
            f"token); failed: {', '.join(bounce.failed_recipients) or 'none named'}",
        )
    returned = {address.lower(): ident for ident, recipients in sent for address in recipients}
    failed = [address for address in bounce.failed_recipients if address.lower() in returned]
    if not failed:
        return _quarantine(
            row,
            f"{UNVERIFIED}: {', '.join(bounce.failed_recipients) or 'no address'} named as failed, "
            f"not a recipient of {', '.join(sorted({i for i, _ in sent}))[:200]}",
        )
    why = dict(bounce.diagnostics)
    flagged = []
    for contact in session.exec(select(ContactRow).where(col(ContactRow.address).in_(failed))):
        contact.flagged_at = c.now
        contact.flag_reason = (
            f"bounce #{row.id} of {returned[contact.address.lower()]}: "
            f"{why.get(contact.address.lower()) or bounce.reason}"
        )[:500]
        flagged.append(contact.address)
    row.reason = (
        f"flagged: {', '.join(sorted(set(flagged)))}"
        if flagged
        else f"bounce of {returned[failed[0].lower()]}; {', '.join(failed)} is no contact"
    ) + f" ({'; '.join(f'{a}: {why.get(a, bounce.reason)}' for a in failed)})"[:300]
    return InboundStatus.BOUNCE


def _candidate(c: _Chunk, row: InboundRow, mail: ParsedMail) -> InboundStatus:
    """Match and record one candidate. Everything that can fail comes before the first change of state.

    Who it is from must be proved, not claimed (docs/security.md): a valid
    token proves the sender received our reminder; any other match (thread,
    tag, sole open deadline) needs the office's server to have authenticated
    the sender, else the report is **held** until the agency's registered
    address confirms it.
    """
    if (held_id := c.confirmation_of(mail)) is not None:
        return _confirm_by_reply(c, row, mail, held_id)
    evidence, agency_of = c.evidence(mail)
    match = decide(evidence, agency_of)
    if match.deadline is None:
        return _quarantine(row, match.reason or "no deadline matched")
    deadline = c.deadlines[match.deadline]
    agency = c.catalog.directory.agencies.get(deadline.agency_id)
    contacts = {x.address for x in agency.contacts} if agency else set()
    if not sender_allowed(mail.from_address, contacts, agency.domain if agency else None):
        return _quarantine(
            row,
            f"held: sender {mail.from_address or '(none)'} is not a known address of "
            f"{deadline.agency_id} (matched DD-{deadline.id} by {match.method})",
        )
    if mail.message_id and mail.message_id in c.taken:
        return _quarantine(row, f"replayed Message-ID {mail.message_id}")
    if deadline.status in (DeadlineStatus.EXCUSED, DeadlineStatus.CLOSED):
        return _quarantine(row, f"DD-{deadline.id} is {deadline.status}")
    proof = (
        authenticate(mail.trace, mail.from_address, c.setup.trusted_authserv_id)
        if needs_authentication(match.method)
        else None
    )
    own = strip_quoted(mail.text)
    if wants_time(mail.subject, own) or asks_question(own, len(mail.attachments)):
        kind = "extension" if wants_time(mail.subject, own) else "question"
        c.session.add(
            RequestRow(deadline_id=row_id(deadline), inbound_id=row_id(row), kind=kind, text=own[:5000] or mail.subject)
        )
        status = InboundStatus.REQUEST
    elif proof is not None and proof.proof is None:
        asked = _ask_confirmation(c, deadline, row, mail)
        row.reason = (
            f"chờ xác nhận / held for confirmation: DD-{deadline.id} by {match.method}, sender not "
            f"proved ({proof.reason}); "
            + (
                f"confirmation asked of {', '.join(asked)}"
                if asked
                else "no confirmation mail (no reporter address or daily cap)"
            )
        )
        status = InboundStatus.HELD
    else:
        _submission(c, deadline, row, mail, own)
        if proof is not None:
            row.reason = f"sender authenticated: {proof.reason}"
        status = InboundStatus.SUBMISSION
    row.deadline_id, row.match_method = deadline.id, match.method
    if mail.message_id:
        c.taken.add(mail.message_id)
    return status


def _confirm_by_reply(c: _Chunk, row: InboundRow, mail: ParsedMail, held_id: int) -> InboundStatus:
    """A reply to a confirmation request: the held report it names becomes the agency's submission."""
    held = c.session.get(InboundRow, held_id)
    if held is None or held.status != InboundStatus.HELD or held.deadline_id is None:
        return _quarantine(
            row,
            f"reply to the confirmation request of #{held_id}, which is not held ({held.status if held else 'absent'})",
        )
    deadline = c.deadline(held.deadline_id)
    agency = c.catalog.directory.agencies.get(deadline.agency_id) if deadline else None
    contacts = {x.address for x in agency.contacts} if agency else set()
    if deadline is None or not sender_allowed(mail.from_address, contacts, agency.domain if agency else None):
        return _quarantine(
            row,
            f"confirmation of #{held_id} from {mail.from_address or '(none)'}, not an address "
            f"of {deadline.agency_id if deadline else 'its agency'}",
        )
    if deadline.status in (DeadlineStatus.EXCUSED, DeadlineStatus.CLOSED):
        return _quarantine(row, f"confirmation of #{held_id}: DD-{deadline.id} is {deadline.status}")
    try:
        held_mail = parse_message((c.data_dir / held.path).read_bytes())
    except (OSError, Unparseable) as error:
        return _quarantine(row, f"confirmation of #{held_id}, whose message cannot be read ({error})")
    _submission(c, deadline, held, held_mail, strip_quoted(held_mail.text), received=held.received_at)
    held.status, held.match_method = InboundStatus.SUBMISSION, "confirmed"
    held.reason = f"xác nhận / confirmed by reply #{row.id} from {mail.from_address}"
    row.deadline_id, row.match_method = deadline.id, "confirm"
    row.reason = f"confirms held report #{held_id}"
    return InboundStatus.CONFIRMATION


def _ask_confirmation(c: _Chunk, deadline: DeadlineRow, row: InboundRow, mail: ParsedMail) -> list[str]:
    """Queue one short mail to the agency's registered reporter addresses (from config, never the mail's From)
    asking it to confirm the held report by replying; returns the addresses, or [] if none or capped."""
    agency = c.catalog.directory.agencies.get(deadline.agency_id)
    addresses = [
        a for a in (agency.addresses(Role.REPORTER) if agency else []) if c.automatic[a.lower()] < AUTOMATIC_PER_DAY
    ]
    if agency is None or not addresses:
        return []
    setup = c.setup
    plan = c.catalog.plans.get(deadline.plan_id)
    obligation = plan.obligation(deadline.obligation_id) if plan else None
    coordinator = c.catalog.directory.agencies.get(plan.coordinator) if plan else None
    local = c.now.astimezone(ZoneInfo(setup.timezone))
    context = {
        "tag": f"DD-{deadline.id}",
        "agency_name": agency.name,
        "obligation_title": obligation.title if obligation else deadline.obligation_id,
        "period_label": deadline.period_label,
        "received": f"{local:%H:%M} ngày {local:%d/%m/%Y}",
        "sender": mail.from_address or "",
        "subject": mail.subject[:200],
        "files": [a.filename for a in mail.attachments][:10],
        "coordinator_name": coordinator.name if coordinator else "",
    }
    key = automatic_key("confirm", row.id, addresses[0])
    message_id = message_id_for(key, setup.domain, setup.hmac_key)
    subject = render(setup.templates(), f"mail/{agency.language}/confirm.subject.j2", context).strip()
    try:
        message = build_message(
            subject=subject,
            text=render(setup.templates(), f"mail/{agency.language}/confirm.txt.j2", context),
            html=render(setup.templates(), f"mail/{agency.language}/confirm.html.j2", context),
            sender=(setup.sender_name, setup.sender),
            to=[(None, a) for a in addresses],
            message_id=message_id,
            date=c.now,
            reply_to=f"{setup.reply_local}+{make_confirm_token(row_id(row), setup.hmac_key)}@{setup.domain}",
            language=agency.language,
        )
    except MailError:
        return []
    c.receipts.append(
        QueuedMessage(
            key=key,
            kind="confirm",
            deadline_id=deadline.id,
            stage=f"confirm-{row.id}",
            message_id=message_id,
            sender=setup.sender,
            recipients=addresses,
            to_address=addresses[0].lower(),
            subject=subject,
            raw=message_bytes(message),
            created_at=c.now,
        )
    )
    for address in addresses:
        c.automatic[address.lower()] += 1
    return addresses


def _safe_suffix(name: str) -> str:
    return Path(name).suffix.lower()


def _check_value(unit: str, entry: dict) -> str | None:
    value = entry.get("value")
    if value in (None, ""):
        return None
    if unit == Unit.TEXT:
        return None
    number = figure(value)
    if number is None:
        return f"'{value}' is not a number"
    if unit == Unit.PERCENT and not 0 <= number <= 100:
        return f"{value} is not a percentage between 0 and 100"
    if unit == Unit.COUNT and (number < 0 or number != int(number)):
        return f"{value} is not a whole non-negative count"
    if number < 0:
        return f"{value} is negative"
    return None


def _read_forms(setup: MailSetup, catalog: Catalog, deadline: DeadlineRow, files: list[tuple[str, bytes]]):
    values, problems = {}, []
    units = (
        {t.id: str(t.unit) for t in catalog.plans[deadline.plan_id].targets}
        if deadline.plan_id in catalog.plans
        else {}
    )
    for name, content in files:
        try:
            form = read_form(content)
        except Exception as error:  # noqa: BLE001 — a broken or foreign .xlsx: say so, keep the file
            problems.append(f"{name}: not a readable form ({type(error).__name__})")
            continue
        if form["deadline_id"] is None:
            continue  # some other spreadsheet: kept as an attachment
        if form["deadline_id"] != deadline.id or read_token(str(form["token"] or ""), setup.hmac_key) != deadline.id:
            problems.append(f"{name}: the form belongs to DD-{form['deadline_id']}, not DD-{deadline.id}")
            continue
        for target_id, entry in form["values"].items():
            problem = _check_value(units.get(target_id, "text"), entry)
            if problem:
                problems.append(f"{target_id}: {problem}")
            clean = {k: v for k, v in entry.items() if v not in (None, "")}
            if clean:
                values[target_id] = {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in clean.items()}
        if form.get("summary"):
            values["_summary"] = {"note": str(form["summary"])}
    return values, problems


def record_submission(
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    data_dir: Path,
    deadline: DeadlineRow,
    row: InboundRow,
    mail: ParsedMail,
    own_words: str,
    now: dt.datetime,
    received: dt.datetime | None = None,
) -> SubmissionRow:
    """A new version for ``deadline`` from ``mail`` (arrived at ``received``, default ``now``); updates the deadline
    and queues the receipt. No commit."""
    c = _Chunk(session, catalog, setup, data_dir, now, _senders(catalog), deadlines={row_id(deadline): deadline})
    c.load_counts({row_id(deadline)}, {mail.from_address.lower()} if mail.from_address else set())
    submission = _submission(c, deadline, row, mail, own_words, received)
    session.flush()
    for attachment, path, refused in c.attachments[0][1]:
        session.add(_attachment_row(submission, attachment, path, refused))
    enqueue(session, c.receipts, commit=False)
    sync_to_disk()
    return submission


def _submission(
    c: _Chunk,
    deadline: DeadlineRow,
    row: InboundRow,
    mail: ParsedMail,
    own_words: str,
    received: dt.datetime | None = None,
) -> SubmissionRow:
    """The next version for ``deadline`` from ``mail``: read and checked first, then recorded in the chunk.

    ``received`` is when the report arrived, if not now (a held report, confirmed later: on time or late by then).
    """
    received = received or c.now
    version = c.versions[deadline.id] + 1
    local_day = received.astimezone(ZoneInfo(c.setup.timezone)).date()
    on_time = local_day <= effective_last_day(deadline)
    files: list[tuple[ParsedAttachment, str | None, str | None]] = []  # (attachment, stored path, why refused)
    forms: list[tuple[str, bytes]] = []
    for attachment in mail.attachments:
        suffix = _safe_suffix(attachment.filename)
        if suffix not in ACCEPTED:
            files.append((attachment, None, f"file type {suffix or '(none)'} not accepted"))
        elif len(attachment.content) > MAX_ATTACHMENT:
            files.append((attachment, None, f"larger than {MAX_ATTACHMENT // (1024 * 1024)} MB"))
        else:
            path = store_raw(c.data_dir, attachment.content, folder="files", suffix=".bin", sync=False)[1]
            files.append((attachment, path, None))
            if suffix == ".xlsx":
                forms.append((attachment.filename, attachment.content))
    accepted = [a for a, path, _ in files if path is not None]
    values, problems = _read_forms(c.setup, c.catalog, deadline, forms)
    narrative = own_words
    for attachment in accepted:
        if text := report_text(attachment.filename, attachment.content):
            narrative += f"\n\n[{attachment.filename}]\n{text}"
    submission = SubmissionRow(
        deadline_id=row_id(deadline),
        inbound_id=row_id(row),
        version=version,
        received_at=received,
        on_time=on_time,
        from_address=mail.from_address,
        body_text=narrative[:40000],
        form_values=values,
        form_problems=problems,
        no_report=not accepted and len(own_words) < SHORT,
    )
    receipt = _receipt(c, deadline, submission, mail, files, problems)
    # from here on nothing can fail: the chunk's state changes together
    c.session.add(submission)
    c.attachments.append((submission, files))
    c.versions[deadline.id] = version
    if deadline.status == DeadlineStatus.OPEN:
        deadline.status = DeadlineStatus.SUBMITTED if on_time else DeadlineStatus.LATE
        deadline.status_reason = f"submission v{version}"
        c.open_by_agency.get(deadline.agency_id, set()).discard(deadline.id)
    if receipt is not None:
        c.receipts.append(receipt)
        c.automatic[receipt.to_address] += 1
    return submission


def _attachment_row(
    submission: SubmissionRow, attachment: ParsedAttachment, path: str | None, refused: str | None
) -> AttachmentRow:
    return AttachmentRow(
        submission_id=row_id(submission),
        filename=attachment.filename,
        content_type=attachment.content_type,
        size=len(attachment.content),
        sha256=hashlib.sha256(attachment.content).hexdigest() if path is None else Path(path).stem,
        path=path,
        refused=refused,
    )


def automatic_key(kind: str, ident: object, address: str) -> str:
    """The outbox key of an automatic mail (receipt, notice) to ``address``; it ends with the address."""
    return f"{kind}:{ident}:{address}"


def _receipt(
    c: _Chunk, deadline: DeadlineRow, submission: SubmissionRow, mail: ParsedMail, files, problems: list[str]
) -> QueuedMessage | None:
    """The outbox row of the receipt for ``submission``, or None (no address, daily cap reached, unwritable)."""
    if not mail.from_address:
        return None
    address = mail.from_address.lower()
    if c.automatic[address] >= AUTOMATIC_PER_DAY:
        return None
    catalog, setup = c.catalog, c.setup
    plan = catalog.plans.get(deadline.plan_id)
    obligation = plan.obligation(deadline.obligation_id) if plan else None
    agency = catalog.directory.agencies.get(deadline.agency_id)
    coordinator = catalog.directory.agencies.get(plan.coordinator) if plan else None
    local = submission.received_at.astimezone(ZoneInfo(setup.timezone))
    context = {
        "tag": f"DD-{deadline.id}",
        "agency_name": agency.name if agency else deadline.agency_id,
        "obligation_title": obligation.title if obligation else deadline.obligation_id,
        "period_label": deadline.period_label,
        "version": submission.version,
        "received": f"{local:%H:%M} ngày {local:%d/%m/%Y}",
        "on_time": submission.on_time,
        "last_day": f"{effective_last_day(deadline):%d/%m/%Y}",
        "files": [{"name": a.filename, "size": len(a.content)} for a, path, _ in files if path is not None],
        "refused": [{"name": a.filename, "reason": reason} for a, path, reason in files if path is None],
        "problems": problems,
        "no_report": submission.no_report,
        "values": len([k for k in submission.form_values if not k.startswith("_")]),
        "coordinator_name": coordinator.name if coordinator else "",
        "subject": mail.subject,
    }
    lang = agency.language if agency else "vi"
    key = automatic_key("receipt", submission.inbound_id, mail.from_address)
    message_id = message_id_for(key, setup.domain, setup.hmac_key)
    subject = render(setup.templates(), f"mail/{lang}/receipt.subject.j2", context).strip()
    try:
        message = build_message(
            subject=subject,
            text=render(setup.templates(), f"mail/{lang}/receipt.txt.j2", context),
            html=render(setup.templates(), f"mail/{lang}/receipt.html.j2", context),
            sender=(setup.sender_name, setup.sender),
            to=[(None, mail.from_address)],
            message_id=message_id,
            date=c.now,
            in_reply_to=mail.message_id,
            language=lang,
        )
    except MailError:
        return None  # an address we cannot write to: the submission stands, no receipt
    return QueuedMessage(
        key=key,
        kind="receipt",
        deadline_id=deadline.id,
        stage=f"receipt-v{submission.version}",
        message_id=message_id,
        sender=setup.sender,
        recipients=[mail.from_address],
        to_address=address,
        subject=subject,
        raw=message_bytes(message),
        created_at=c.now,
    )


def run_ingest(
    *,
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    source: MailSource | None,
    transport,
    data_dir: Path,
    now: dt.datetime,
    limit: int = 1000,
    worker: str = "",
) -> IntakeReport:
    """One intake run: fetch and store, process what is new, send the receipts."""
    import asyncio

    from dondoc.delivery import Delivered, deliver

    report = IntakeReport()
    if source is not None:
        take_in(session, source, data_dir, now, limit, report)
    process_new(session, catalog, setup, data_dir, now, report)
    if transport is not None:
        sent = Delivered()
        asyncio.run(deliver(session, transport, worker, now, 10 * limit, sent))
    log.info("ingest: %s", report.as_dict())
    return report


def queue_notice(
    session: Session,
    catalog: Catalog,
    setup: MailSetup,
    deadline: DeadlineRow,
    submission: SubmissionRow,
    reason: str,
    now: dt.datetime,
) -> None:
    """Tell the agency its submission was returned, and why (in the thread of its reply)."""
    address = submission.from_address
    agency = catalog.directory.agencies.get(deadline.agency_id)
    if not address and agency:
        address = next(iter(agency.addresses(Role.REPORTER)), None)
    if not address:
        return
    plan = catalog.plans.get(deadline.plan_id)
    obligation = plan.obligation(deadline.obligation_id) if plan else None
    coordinator = catalog.directory.agencies.get(plan.coordinator) if plan else None
    inbound = session.get(InboundRow, submission.inbound_id)
    context = {
        "tag": f"DD-{deadline.id}",
        "agency_name": agency.name if agency else deadline.agency_id,
        "obligation_title": obligation.title if obligation else deadline.obligation_id,
        "period_label": deadline.period_label,
        "version": submission.version,
        "reason": reason,
        "last_day": f"{effective_last_day(deadline):%d/%m/%Y}",
        "coordinator_name": coordinator.name if coordinator else "",
    }
    lang = agency.language if agency else "vi"
    key = automatic_key("notice", f"returned-{submission.id}", address)
    message_id = message_id_for(key, setup.domain, setup.hmac_key)
    subject = render(setup.templates(), f"mail/{lang}/returned.subject.j2", context).strip()
    message = build_message(
        subject=subject,
        text=render(setup.templates(), f"mail/{lang}/returned.txt.j2", context),
        html=render(setup.templates(), f"mail/{lang}/returned.html.j2", context),
        sender=(setup.sender_name, setup.sender),
        to=[(None, address)],
        message_id=message_id,
        date=now,
        in_reply_to=inbound.message_id if inbound else None,
        reply_to=None,
        language=lang,
    )
    enqueue(
        session,
        [
            QueuedMessage(
                key=key,
                kind="notice",
                deadline_id=deadline.id,
                stage=f"returned-v{submission.version}",
                message_id=message_id,
                sender=setup.sender,
                recipients=[address],
                to_address=address.lower(),
                subject=subject,
                raw=message_bytes(message),
                created_at=now,
            )
        ],
        commit=False,
    )

"""Taking in replies: raw store first, then parse, classify, match, record, receipt.

1. **store** — every fetched message is written as ``raw/<sha256[:2]>/<sha256>.eml``
   (atomically, mode 0600) and recorded in ``inbound`` *before* it is parsed;
   only then is it marked done at the source. The same bytes twice are one row.
2. **process** — each ``new`` row, in its own transaction, ends as exactly one
   of: submission, request, auto-reply, bounce, quarantine. A message the
   parser cannot read goes to quarantine whole, with the reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, func, select

from db.outbox import enqueue
from db.tables import (
    AttachmentRow,
    ContactRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    OutboxRow,
    RequestRow,
    SubmissionRow,
)
from dondoc.aggregate import figure
from dondoc.chase import MailSetup, effective_last_day
from dondoc.documents.extract import docx_text
from dondoc.documents.form import read_form
from dondoc.errors import MailError
from dondoc.mail.classify import MailKind, classify
from dondoc.mail.compose import build_message, message_id_for
from dondoc.mail.parse import ParsedMail, Unparseable, parse_message
from dondoc.mail.render import render
from dondoc.mail.sources import MailSource
from dondoc.mail.tokens import read_token
from dondoc.matching import TAG, Evidence, asks_question, decide, sender_allowed, strip_quoted, wants_time
from dondoc.model import Catalog, Role, Unit

__all__ = ["IntakeReport", "process_new", "store_raw", "take_in"]

ACCEPTED = {".docx", ".doc", ".xlsx", ".xls", ".pdf", ".odt", ".ods", ".zip", ".rtf", ".txt"}
MAX_ATTACHMENT = 20 * 1024 * 1024
AUTOMATIC_PER_DAY = 5  # automatic mails to one address in 24 h, at most (no loops)
SHORT = 200  # characters of own words under which a reply without a report is flagged


@dataclass
class IntakeReport:
    """What an intake run did."""

    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: list = field(default_factory=list)
    classes: Counter = field(default_factory=Counter)
    receipts: int = 0

    def as_dict(self) -> dict:
        return {"fetched": self.fetched, "stored": self.stored, "duplicates": self.duplicates,
                "skipped": len(self.skipped), **{str(k): v for k, v in sorted(self.classes.items())},
                "receipts": self.receipts}


def store_raw(data_dir: Path, raw: bytes, folder: str = "raw", suffix: str = ".eml") -> tuple[str, str]:
    """Write ``raw`` content-addressed under ``data_dir/folder``; returns (sha256, relative path).

    Written to a temporary name, synced, then renamed: a crash leaves either
    nothing or the whole file. Never outside the data dir: the name is the hash.
    """
    digest = hashlib.sha256(raw).hexdigest()
    relative = Path(folder) / digest[:2] / f"{digest}{suffix}"
    target = data_dir / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = target.with_suffix(f".tmp{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(descriptor, raw)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    return digest, str(relative)


def take_in(session: Session, source: MailSource, data_dir: Path, now: dt.datetime, limit: int,
            report: IntakeReport) -> None:
    """Fetch up to ``limit`` messages: store each raw and record it, then mark it done at the source."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    for fetched in source.fetch(limit):
        report.fetched += 1
        digest, path = store_raw(data_dir, fetched.raw)
        result = session.execute(
            insert(InboundRow).values(sha256=digest, source_ref=fetched.ref[:300], path=path, size=len(fetched.raw),
                                      received_at=now, status=InboundStatus.NEW)
            .on_conflict_do_nothing(index_elements=["sha256"]))
        session.commit()
        if result.rowcount:
            report.stored += 1
        else:
            report.duplicates += 1
        source.done(fetched.ref)
    report.skipped += list(getattr(source, "skipped", []))


@dataclass
class _Context:
    session: Session
    catalog: Catalog
    setup: MailSetup
    data_dir: Path
    now: dt.datetime
    report: IntakeReport


def process_new(session: Session, catalog: Catalog, setup: MailSetup, data_dir: Path, now: dt.datetime,
                report: IntakeReport, limit: int = 10_000) -> None:
    """Classify, match and record every ``new`` inbound message, one transaction each."""
    ids = list(session.exec(select(InboundRow.id).where(InboundRow.status == InboundStatus.NEW)
                            .order_by(InboundRow.id).limit(limit)))
    context = _Context(session, catalog, setup, data_dir, now, report)
    for inbound_id in ids:
        row = session.get(InboundRow, inbound_id)
        try:
            status = _process(context, row)
        except Exception as error:  # a bug must not stop the run nor leave a poison message behind
            session.rollback()
            row = session.get(InboundRow, inbound_id)
            status = _quarantine(row, f"internal error ({type(error).__name__}): {error}")
        row.status = status
        row.processed_at = now
        report.classes[status] += 1
        session.commit()
        session.expunge_all()


def _quarantine(row: InboundRow, reason: str) -> str:
    row.reason = reason[:500]
    return InboundStatus.QUARANTINE


def _process(c: _Context, row: InboundRow) -> str:
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
        _flag_bounced(c, kind.failed_recipients, row)
        return InboundStatus.BOUNCE
    return _candidate(c, row, mail)


def _flag_bounced(c: _Context, recipients: tuple[str, ...], row: InboundRow) -> None:
    flagged = []
    for contact in c.session.exec(select(ContactRow).where(ContactRow.address.in_([r.lower() for r in recipients]))):
        contact.flagged_at, contact.flag_reason = c.now, f"bounce (inbound #{row.id})"
        flagged.append(contact.address)
    row.reason = ("flagged: " + ", ".join(flagged)) if flagged else "bounce; no known contact among the failed recipients"


def _evidence(c: _Context, mail: ParsedMail) -> tuple[Evidence, dict[int, str]]:
    session = c.session
    token = None
    pattern = re.compile(rf"^{re.escape(c.setup.reply_local)}\+([a-z0-9-]+)@{re.escape(c.setup.domain)}$", re.I)
    for address in mail.recipients:
        found = pattern.match(address)
        if found and (deadline := read_token(found.group(1), c.setup.hmac_key)) is not None:
            token = deadline
            break
    thread = None
    ids = [i for i in (*mail.in_reply_to, *mail.references) if i]
    if ids:
        thread = session.exec(select(OutboxRow.deadline_id).where(OutboxRow.message_id.in_(ids),
                                                                   OutboxRow.deadline_id.is_not(None))).first()
    tag = None
    if (found := TAG.search(mail.subject)) is not None:
        tag = int(found.group(1))
    agencies = _sender_agencies(c, mail.from_address)
    open_ids: tuple[int, ...] = ()
    if agencies:
        open_ids = tuple(session.exec(select(DeadlineRow.id).where(DeadlineRow.agency_id.in_(agencies),
                                                                   DeadlineRow.status == DeadlineStatus.OPEN)))
    named = {i for i in (token, thread, tag, *open_ids) if i is not None}
    agency_of = dict(session.exec(select(DeadlineRow.id, DeadlineRow.agency_id)
                                  .where(DeadlineRow.id.in_(named))).all()) if named else {}
    return Evidence(token=token, thread=thread, tag=tag, sender_open=open_ids), agency_of


def _sender_agencies(c: _Context, address: str | None) -> list[str]:
    if not address:
        return []
    return [agency.id for agency in c.catalog.directory.agencies.values()
            if sender_allowed(address, {x.address for x in agency.contacts}, agency.domain)]


def _candidate(c: _Context, row: InboundRow, mail: ParsedMail) -> str:
    evidence, agency_of = _evidence(c, mail)
    match = decide(evidence, agency_of)
    if match.deadline is None:
        return _quarantine(row, match.reason)
    deadline = c.session.get(DeadlineRow, match.deadline)
    agency = c.catalog.directory.agencies.get(deadline.agency_id)
    contacts = {x.address for x in agency.contacts} if agency else set()
    if not sender_allowed(mail.from_address, contacts, agency.domain if agency else None):
        return _quarantine(row, f"held: sender {mail.from_address or '(none)'} is not a known address of "
                                f"{deadline.agency_id} (matched DD-{deadline.id} by {match.method})")
    if mail.message_id and c.session.exec(select(InboundRow.id).where(
            InboundRow.message_id == mail.message_id, InboundRow.id != row.id,
            InboundRow.status.in_([InboundStatus.SUBMISSION, InboundStatus.REQUEST]))).first():
        return _quarantine(row, f"replayed Message-ID {mail.message_id}")
    if deadline.status in (DeadlineStatus.EXCUSED, DeadlineStatus.CLOSED):
        return _quarantine(row, f"DD-{deadline.id} is {deadline.status}")
    row.deadline_id, row.match_method = deadline.id, match.method
    own = strip_quoted(mail.text)
    if wants_time(mail.subject, own) or asks_question(own, len(mail.attachments)):
        kind = "extension" if wants_time(mail.subject, own) else "question"
        c.session.add(RequestRow(deadline_id=deadline.id, inbound_id=row.id, kind=kind, text=own[:5000] or mail.subject))
        return InboundStatus.REQUEST
    record_submission(c.session, c.catalog, c.setup, c.data_dir, deadline, row, mail, own, c.now)
    c.report.receipts += 1
    return InboundStatus.SUBMISSION


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
    units = {t.id: str(t.unit) for t in catalog.plans[deadline.plan_id].targets} \
        if deadline.plan_id in catalog.plans else {}
    for name, content in files:
        try:
            form = read_form(content)
        except Exception as error:  # a broken or foreign .xlsx: say so, keep the file
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


def record_submission(session: Session, catalog: Catalog, setup: MailSetup, data_dir: Path, deadline: DeadlineRow,
                      row: InboundRow, mail: ParsedMail, own_words: str, now: dt.datetime) -> SubmissionRow:
    """A new version for ``deadline`` from ``mail``; updates the deadline and queues the receipt."""
    version = (session.exec(select(func.max(SubmissionRow.version)).where(
        SubmissionRow.deadline_id == deadline.id)).one() or 0) + 1
    local_day = now.astimezone(ZoneInfo(setup.timezone)).date()
    on_time = local_day <= effective_last_day(deadline)
    accepted, refused, forms = [], [], []
    for attachment in mail.attachments:
        suffix = _safe_suffix(attachment.filename)
        if suffix not in ACCEPTED:
            refused.append((attachment, f"file type {suffix or '(none)'} not accepted"))
        elif len(attachment.content) > MAX_ATTACHMENT:
            refused.append((attachment, f"larger than {MAX_ATTACHMENT // (1024 * 1024)} MB"))
        else:
            accepted.append(attachment)
            if suffix == ".xlsx":
                forms.append((attachment.filename, attachment.content))
    values, problems = _read_forms(setup, catalog, deadline, forms)
    narrative = own_words
    for attachment in accepted:
        if _safe_suffix(attachment.filename) == ".docx" and (text := docx_text(attachment.content)):
            narrative += f"\n\n[{attachment.filename}]\n{text}"
    submission = SubmissionRow(
        deadline_id=deadline.id, inbound_id=row.id, version=version, received_at=now, on_time=on_time,
        from_address=mail.from_address, body_text=narrative[:40000], form_values=values, form_problems=problems,
        no_report=not accepted and len(own_words) < SHORT)
    session.add(submission)
    session.flush()
    for attachment in accepted:
        digest, path = store_raw(data_dir, attachment.content, folder="files", suffix=".bin")
        session.add(AttachmentRow(submission_id=submission.id, filename=attachment.filename,
                                  content_type=attachment.content_type, size=len(attachment.content),
                                  sha256=digest, path=path))
    for attachment, reason in refused:
        session.add(AttachmentRow(submission_id=submission.id, filename=attachment.filename,
                                  content_type=attachment.content_type, size=len(attachment.content),
                                  sha256=hashlib.sha256(attachment.content).hexdigest(), path=None, refused=reason))
    if deadline.status == DeadlineStatus.OPEN:
        deadline.status = DeadlineStatus.SUBMITTED if on_time else DeadlineStatus.LATE
        deadline.status_reason = f"submission v{version}"
    _queue_receipt(session, catalog, setup, deadline, submission, mail, accepted, refused, problems, now)
    return submission


def automatic_key(kind: str, ident: object, address: str) -> str:
    """The outbox key of an automatic mail (receipt, notice) to ``address``; it ends with the address."""
    return f"{kind}:{ident}:{address}"


def automatic_today(session: Session, address: str, now: dt.datetime) -> int:
    """Automatic mails (receipts, notices) queued to ``address`` in the last 24 hours."""
    return session.exec(select(func.count()).select_from(OutboxRow).where(
        OutboxRow.kind.in_(["receipt", "notice"]), OutboxRow.created_at >= now - dt.timedelta(days=1),
        OutboxRow.key.like(f"%:{address}"))).one()


def _queue_receipt(session: Session, catalog: Catalog, setup: MailSetup, deadline: DeadlineRow,
                   submission: SubmissionRow, mail: ParsedMail, accepted, refused, problems, now: dt.datetime) -> None:
    if not mail.from_address:
        return
    if automatic_today(session, mail.from_address, now) >= AUTOMATIC_PER_DAY:
        return
    plan = catalog.plans.get(deadline.plan_id)
    obligation = plan.obligation(deadline.obligation_id) if plan else None
    agency = catalog.directory.agencies.get(deadline.agency_id)
    coordinator = catalog.directory.agencies.get(plan.coordinator) if plan else None
    local = now.astimezone(ZoneInfo(setup.timezone))
    context = {
        "tag": f"DD-{deadline.id}", "agency_name": agency.name if agency else deadline.agency_id,
        "obligation_title": obligation.title if obligation else deadline.obligation_id,
        "period_label": deadline.period_label, "version": submission.version,
        "received": f"{local:%H:%M} ngày {local:%d/%m/%Y}", "on_time": submission.on_time,
        "last_day": f"{effective_last_day(deadline):%d/%m/%Y}",
        "files": [{"name": a.filename, "size": len(a.content)} for a in accepted],
        "refused": [{"name": a.filename, "reason": reason} for a, reason in refused],
        "problems": problems, "no_report": submission.no_report,
        "values": len([k for k in submission.form_values if not k.startswith("_")]),
        "coordinator_name": coordinator.name if coordinator else "",
        "subject": mail.subject,
    }
    lang = agency.language if agency else "vi"
    key = automatic_key("receipt", submission.inbound_id, mail.from_address)
    message_id = message_id_for(key, setup.domain)
    subject = render(setup.env, f"mail/{lang}/receipt.subject.j2", context).strip()
    try:
        message = build_message(
            subject=subject,
            text=render(setup.env, f"mail/{lang}/receipt.txt.j2", context),
            html=render(setup.env, f"mail/{lang}/receipt.html.j2", context),
            sender=(setup.sender_name, setup.sender), to=[(None, mail.from_address)], message_id=message_id,
            date=now, in_reply_to=mail.message_id, language=lang)
    except MailError:
        return  # an address we cannot write to: the submission stands, no receipt
    enqueue(session, [dict(key=key, kind="receipt", deadline_id=deadline.id, stage=f"receipt-v{submission.version}",
                           message_id=message_id, sender=setup.sender, recipients=[mail.from_address],
                           subject=subject, raw=message.as_bytes(), status="pending", attempts=0,
                           created_at=now)], commit=False)


def run_ingest(*, session: Session, catalog: Catalog, setup: MailSetup, source: MailSource | None,
               transport, data_dir: Path, now: dt.datetime, limit: int = 1000, worker: str = "") -> IntakeReport:
    """One intake run: fetch and store, process what is new, send the receipts."""
    import asyncio

    from dondoc.chase import ChaseReport, deliver

    report = IntakeReport()
    if source is not None:
        take_in(session, source, data_dir, now, limit, report)
    process_new(session, catalog, setup, data_dir, now, report)
    if transport is not None:
        sent = ChaseReport()
        asyncio.run(deliver(session, transport, worker, now, 10 * limit, sent))
    return report


def queue_notice(session: Session, catalog: Catalog, setup: MailSetup, deadline: DeadlineRow,
                 submission: SubmissionRow, reason: str, now: dt.datetime) -> None:
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
    context = {"tag": f"DD-{deadline.id}", "agency_name": agency.name if agency else deadline.agency_id,
               "obligation_title": obligation.title if obligation else deadline.obligation_id,
               "period_label": deadline.period_label, "version": submission.version, "reason": reason,
               "last_day": f"{effective_last_day(deadline):%d/%m/%Y}",
               "coordinator_name": coordinator.name if coordinator else ""}
    lang = agency.language if agency else "vi"
    key = automatic_key("notice", f"returned-{submission.id}", address)
    message_id = message_id_for(key, setup.domain)
    subject = render(setup.env, f"mail/{lang}/returned.subject.j2", context).strip()
    message = build_message(
        subject=subject, text=render(setup.env, f"mail/{lang}/returned.txt.j2", context),
        html=render(setup.env, f"mail/{lang}/returned.html.j2", context), sender=(setup.sender_name, setup.sender),
        to=[(None, address)], message_id=message_id, date=now, in_reply_to=inbound.message_id if inbound else None,
        reply_to=None, language=lang)
    enqueue(session, [dict(key=key, kind="notice", deadline_id=deadline.id, stage=f"returned-v{submission.version}",
                           message_id=message_id, sender=setup.sender, recipients=[address], subject=subject,
                           raw=message.as_bytes(), status="pending", attempts=0, created_at=now)], commit=False)

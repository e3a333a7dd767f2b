"""Is the data consistent? The invariants every run must leave true, even one killed half-way.

:func:`check_integrity` reads the database and the data dir and returns each
broken invariant as one :class:`Violation`, none when all hold. The crash
tests run it after every kill and rerun; ``dondoc doctor`` runs it too, so a
coordinator can ask after a power cut.

The invariants (each :class:`Violation` names its rule):

- ``raw``: every inbound message has its raw file, whole (size, and with
  ``deep`` its sha256);
- ``taken``: every message recorded as taken from the mail source
  (``source_message``) is an inbound message;
- ``inbound-outcome``: a message classed ``submission`` has exactly one
  submission, one classed ``request`` exactly one request, and no other
  message has either;
- ``versions``: a deadline's submissions are numbered 1, 2, … without gaps;
- ``open-but-submitted``: no open deadline has an accepted submission;
- ``closed-without-report``: a deadline marked submitted or late has an
  accepted submission, or the sent report that closed it;
- ``sent-without-id``: no sent mail lacks its Message-ID or time of sending;
- ``attachment``: every stored attachment is on disk, whole;
- ``report-files``: every file of a compiled report is on disk (with ``deep``,
  a .docx/.xlsx opens as a zip); a sent report has its mail in the outbox;
- ``orphan``: every deadline names a plan, an obligation and an agency that exist.

With ``settled`` (after a run that ended normally) also:

- ``unprocessed``: no inbound message is left ``new``;
- ``in-flight``: no mail is left ``sending``.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, func, select

from dondoc.db.tables import (
    AgencyRow,
    AttachmentRow,
    DeadlineRow,
    DeadlineStatus,
    InboundRow,
    InboundStatus,
    ObligationRow,
    OutboxRow,
    OutboxStatus,
    PlanRow,
    ReportRow,
    ReportStatus,
    RequestRow,
    SourceMessageRow,
    SubmissionRow,
    SubmissionStatus,
)

__all__ = ["Violation", "check_integrity"]

_SHOWN = 5  # examples named per rule; the count says how many in all


@dataclass(frozen=True)
class Violation:
    """One invariant broken: which rule, and what (a few examples; ``count`` in all)."""

    rule: str
    detail: str
    count: int = 1

    def __str__(self) -> str:
        return f"{self.rule}: {self.detail}" + (f" ({self.count} in all)" if self.count > 1 else "")


def check_integrity(session: Session, data_dir: Path, *, settled: bool = False, deep: bool = False) -> list[Violation]:
    """Every invariant of the module docstring that does not hold, one :class:`Violation` per rule."""
    found: list[Violation] = []
    for rule, problems in _rules(session, data_dir, settled, deep):
        problems = list(problems)
        if problems:
            found.append(Violation(rule, "; ".join(problems[:_SHOWN]), len(problems)))
    return found


def _rules(session: Session, data_dir: Path, settled: bool, deep: bool):
    yield "raw", _raw(session, data_dir, deep)
    yield (
        "taken",
        (
            f"{ref} ({source})"
            for source, ref in session.exec(
                select(SourceMessageRow.source, SourceMessageRow.ref).where(
                    col(SourceMessageRow.sha256).not_in(select(InboundRow.sha256))
                )
            )
        ),
    )
    yield "inbound-outcome", _outcomes(session)
    yield "versions", _versions(session)
    accepted = set(
        session.exec(select(SubmissionRow.deadline_id).where(SubmissionRow.status == SubmissionStatus.ACCEPTED))
    )
    yield "open-but-submitted", _open_but_submitted(session, accepted)
    yield "closed-without-report", _closed_without_report(session, accepted)
    yield (
        "sent-without-id",
        (
            f"outbox {row.id} ({row.key})"
            for row in session.exec(select(OutboxRow).where(OutboxRow.status == OutboxStatus.SENT))
            if not (row.message_id or "").strip() or row.sent_at is None
        ),
    )
    yield "attachment", _attachments(session, data_dir, deep)
    yield "report-files", _reports(session, data_dir, deep)
    yield "orphan", _orphans(session)
    if settled:
        yield (
            "unprocessed",
            (f"inbound {i}" for i in session.exec(select(InboundRow.id).where(InboundRow.status == InboundStatus.NEW))),
        )
        yield (
            "in-flight",
            (
                f"outbox {i} ({key})"
                for i, key in session.exec(
                    select(OutboxRow.id, OutboxRow.key).where(OutboxRow.status == OutboxStatus.SENDING)
                )
            ),
        )


def _whole(path: Path, size: int, sha256: str | None) -> str | None:
    """Why the file is not whole, or None."""
    try:
        actual = path.stat().st_size
    except FileNotFoundError:
        return "missing"
    if actual != size:
        return f"{actual} bytes, not {size}"
    if sha256 is not None and hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        return "content differs from its hash"
    return None


def _raw(session: Session, data_dir: Path, deep: bool) -> Iterator[str]:
    for ident, path, size, digest in session.exec(
        select(InboundRow.id, InboundRow.path, InboundRow.size, InboundRow.sha256)
    ):
        why = _whole(data_dir / path, size, digest if deep else None)
        if why:
            yield f"inbound {ident} {path}: {why}"


def _outcomes(session: Session) -> Iterator[str]:
    status = dict(session.exec(select(InboundRow.id, InboundRow.status)).all())
    for kind, model, wanted in (
        ("submission", SubmissionRow, InboundStatus.SUBMISSION),
        ("request", RequestRow, InboundStatus.REQUEST),
    ):
        rows = Counter(session.exec(select(model.inbound_id)))
        for inbound, count in rows.items():
            if status.get(inbound) != wanted:
                yield f"inbound {inbound} is {status.get(inbound, 'absent')} but has a {kind}"
            elif count > 1:
                yield f"inbound {inbound} has {count} {kind}s"
        for ident, state in status.items():
            if state == wanted and ident not in rows:
                yield f"inbound {ident} is {state} but has no {kind}"


def _versions(session: Session) -> Iterator[str]:
    versions: dict[int, list[int]] = defaultdict(list)
    for deadline, version in session.exec(select(SubmissionRow.deadline_id, SubmissionRow.version)):
        versions[deadline].append(version)
    for deadline, numbers in sorted(versions.items()):
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            yield f"deadline {deadline}: versions {sorted(numbers)}"


def _open_but_submitted(session: Session, accepted: set[int]) -> Iterator[str]:
    for ident in session.exec(select(DeadlineRow.id).where(DeadlineRow.status == DeadlineStatus.OPEN)):
        if ident in accepted:
            yield f"deadline {ident}"


def _closed_without_report(session: Session, accepted: set[int]) -> Iterator[str]:
    closed_by_report = set(session.exec(select(OutboxRow.deadline_id).where(OutboxRow.kind == "report")))
    for ident, status in session.exec(
        select(DeadlineRow.id, DeadlineRow.status).where(
            col(DeadlineRow.status).in_([DeadlineStatus.SUBMITTED, DeadlineStatus.LATE])
        )
    ):
        if ident not in accepted and ident not in closed_by_report:
            yield f"deadline {ident} is {status}"


def _attachments(session: Session, data_dir: Path, deep: bool) -> Iterator[str]:
    for row in session.exec(select(AttachmentRow).where(col(AttachmentRow.path).is_not(None))):
        if row.path is None:  # (a refused attachment keeps no file: the query leaves those out)
            continue
        why = _whole(data_dir / row.path, row.size, row.sha256 if deep else None)
        if why:
            yield f"attachment {row.id} {row.path}: {why}"


def _reports(session: Session, data_dir: Path, deep: bool) -> Iterator[str]:
    mailed = set(session.exec(select(OutboxRow.key).where(OutboxRow.kind == "report")))
    for row in session.exec(select(ReportRow)):
        for kind, name in sorted(row.files.items()):
            path = data_dir / name  # an absolute name stays as it is
            if not path.is_file():
                yield f"report {row.id} {kind}: {name} missing"
            elif deep and kind in ("docx", "xlsx") and not zipfile.is_zipfile(path):
                yield f"report {row.id} {kind}: {name} is not a whole {kind}"
            elif deep and kind in ("docx", "xlsx"):
                with zipfile.ZipFile(path) as archive:
                    if archive.testzip() is not None:
                        yield f"report {row.id} {kind}: {name} is damaged"
        if row.status == ReportStatus.SENT and f"report:{row.id}" not in mailed:
            yield f"report {row.id} is sent but has no mail in the outbox"


def _orphans(session: Session) -> Iterator[str]:
    plans = set(session.exec(select(PlanRow.id)))
    agencies = set(session.exec(select(AgencyRow.id)))
    obligations = set(session.exec(select(ObligationRow.plan_id, ObligationRow.id)))
    query = select(DeadlineRow.plan_id, DeadlineRow.obligation_id, DeadlineRow.agency_id, func.count()).group_by(
        DeadlineRow.plan_id, DeadlineRow.obligation_id, DeadlineRow.agency_id
    )
    for plan, obligation, agency, count in session.exec(query):
        if plan not in plans:
            yield f"{count} deadline(s) of unknown plan {plan}"
        elif (plan, obligation) not in obligations:
            yield f"{count} deadline(s) of unknown obligation {plan}/{obligation}"
        if agency not in agencies:
            yield f"{count} deadline(s) of unknown agency {agency}"

"""The consolidated report: collect what agencies sent, compile, approve, send up the chain.

For a consolidating obligation (``consolidates: [...]``, e.g. Sở LĐTBXH's
"tổng hợp") and a period, the expected agencies are the reporters of the
obligations it consolidates; each one's latest accepted submission counts.
The report is compiled to .docx/.xlsx/.html (``draft``), approved by the
coordinator, then mailed to the recipients of the consolidating obligation —
which closes the coordinator's own deadline in dondoc.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from dondoc.aggregate import AgencyInput, ReportData, aggregate
from dondoc.chase import MailSetup, effective_last_day
from dondoc.db.ids import row_id
from dondoc.db.outbox import QueuedMessage, enqueue
from dondoc.db.tables import (
    AttachmentRow,
    ContactRow,
    DeadlineRow,
    DeadlineStatus,
    OutboxRow,
    OutboxStatus,
    ReportRow,
    ReportStatus,
    SubmissionRow,
    SubmissionStatus,
)
from dondoc.documents.sections import fold, split_report
from dondoc.errors import NotFound, UsageError
from dondoc.mail.compose import Attachment, build_message, message_id_for
from dondoc.model import Agency, Catalog, Obligation, Plan, Role
from dondoc.model import Signer as SignerConfig
from dondoc.succession import display_name
from dondoc.vocabulary import deadline_state, lower_first, report_title

__all__ = [
    "approve",
    "collect",
    "compile_report",
    "lost_recipients",
    "reject",
    "report_paths",
    "send_up",
    "split_documents",
]


def _inputs_of(plan: Plan, obligation: Obligation) -> list[str]:
    return list(obligation.consolidates) or [obligation.id]


def collect(
    session: Session,
    catalog: Catalog,
    plan: Plan,
    obligation: Obligation,
    period_key: str,
    today: dt.date | None = None,
) -> tuple[list[AgencyInput], str]:
    """The expected agencies of ``period_key`` (plan order) with what they sent; the period's label.

    Each agency's state is :func:`dondoc.vocabulary.deadline_state` of its deadline as of ``today`` — what
    ``dondoc status`` shows that day. The first accepted version decided timeliness (its time is ``first_at``);
    the latest accepted version's time, number, figures and text are shown (a returned version counts for
    neither). Reminders are counted when delivered; one whose address bounced (a 5xx, or a bounce flagged on the
    address after it was sent) is named as bounced instead.
    """
    inputs = _inputs_of(plan, obligation)
    deadlines = list(
        session.exec(
            select(DeadlineRow).where(
                DeadlineRow.plan_id == plan.id,
                col(DeadlineRow.obligation_id).in_(inputs),
                DeadlineRow.period_key == period_key,
            )
        )
    )
    if not deadlines:
        raise NotFound(
            f"no deadlines of {plan.id}/{'+'.join(inputs)} for period '{period_key}' "
            f"(see `dondoc deadlines --plan {plan.id}`)"
        )
    ids = [row_id(d) for d in deadlines]
    accepted: dict[int, list[SubmissionRow]] = {}
    for version in session.exec(
        select(SubmissionRow)
        .where(col(SubmissionRow.deadline_id).in_(ids), SubmissionRow.status == SubmissionStatus.ACCEPTED)
        .order_by(col(SubmissionRow.version))
    ):
        accepted.setdefault(version.deadline_id, []).append(version)
    reminders, bounced = _reminders(session, ids)
    latest = {deadline_id: versions[-1] for deadline_id, versions in accepted.items()}
    files: dict[int, list[str]] = {}
    if latest:
        for attachment in session.exec(
            select(AttachmentRow)
            .where(
                col(AttachmentRow.submission_id).in_([row_id(s) for s in latest.values()]),
                col(AttachmentRow.path).is_not(None),
            )
            .order_by(col(AttachmentRow.id))
        ):
            files.setdefault(attachment.submission_id, []).append(attachment.filename)
    order = {
        agency_id: i
        for i, agency_id in enumerate(
            catalog.directory.expand([r for o in inputs for r in plan.obligation(o).reporters])
        )
    }
    result = []
    # a successor takes the place of the agency it took over from
    for deadline in sorted(
        deadlines,
        key=lambda d: (order.get(d.agency_id, order.get((d.succeeds or "").split(",")[0], 10**6)), d.agency_id),
    ):
        submission = latest.get(row_id(deadline))
        first = accepted[row_id(deadline)][0] if submission else None
        state = deadline_state(deadline.status, effective_last_day(deadline), today) if today else None
        names = tuple(files.get(row_id(submission), ())) if submission else ()
        own_words, documents = split_documents(submission.body_text, names) if submission else ("", [])
        sections, drawn_from = _sections(own_words, documents)
        result.append(
            AgencyInput(
                agency_id=deadline.agency_id,
                name=display_name(
                    catalog.directory,
                    deadline.agency_id,
                    deadline.period_end,
                    deadline.succeeds.split(",") if deadline.succeeds else (),
                ),
                excused=deadline.status in (DeadlineStatus.EXCUSED, DeadlineStatus.CLOSED) and submission is None,
                submitted_at=submission.received_at if submission else None,
                on_time=first.on_time if first else None,
                version=submission.version if submission else None,
                narrative=own_words
                + (
                    f"\n{submission.form_values['_summary']['note']}"
                    if submission and "_summary" in submission.form_values
                    else ""
                ),
                files=names,
                values={
                    k: v for k, v in (submission.form_values if submission else {}).items() if not k.startswith("_")
                },
                reminders=reminders.get(row_id(deadline), 0),
                state=state,
                first_at=first.received_at if first else None,
                bounced=tuple(bounced.get(row_id(deadline), ())),
                sections=sections,
                documents=drawn_from,
            )
        )
    return result, deadlines[0].period_label


def _reminders(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Per deadline: how many reminders were delivered, and the addresses where one bounced."""
    flagged = {
        address: at
        for address, at in session.exec(
            select(ContactRow.address, ContactRow.flagged_at).where(col(ContactRow.flagged_at).is_not(None))
        )
        if at is not None  # the query keeps only flagged addresses; this tells the type checker so
    }
    delivered: dict[int, int] = {}
    bounced: dict[int, list[str]] = {}
    for row in session.exec(
        select(OutboxRow)
        .where(
            col(OutboxRow.deadline_id).in_(ids),
            OutboxRow.kind == "reminder",
            col(OutboxRow.status).in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
        )
        .order_by(col(OutboxRow.id))
    ):
        if row.deadline_id is None:  # the query asked for these deadlines' reminders: never None
            continue
        lost = lost_recipients(row.status, row.recipients, row.sent_at or row.created_at, flagged)
        if lost:
            found = bounced.setdefault(row.deadline_id, [])
            found += [a for a in lost if a not in found]
        else:
            delivered[row.deadline_id] = delivered.get(row.deadline_id, 0) + 1
    return delivered, bounced


def lost_recipients(
    status: str, recipients: list[str], sent_at: dt.datetime, flagged: dict[str, dt.datetime]
) -> list[str]:
    """The recipients a reminder did not reach: all of them when it failed (a 5xx), else those whose address was
    flagged by a bounce at or after it was sent (``flagged``: lower-case address → when)."""
    sent_at = _aware(sent_at)
    return [
        a for a in recipients if status == "failed" or (a.lower() in flagged and _aware(flagged[a.lower()]) >= sent_at)
    ]


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def split_documents(body_text: str, filenames: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]]:
    """A submission's own words (its cover mail) and the text of each attached report, ``[(file name, text)]``.

    Intake records the text of each readable .docx/.pdf after the mail's own words, each under a line
    ``[file name]``; only the names of the attachments kept are looked for.
    """
    marks = []
    for name in dict.fromkeys(filenames):
        at = body_text.find(f"\n\n[{name}]\n")
        if at >= 0:
            marks.append((at, name))
    marks.sort()
    if not marks:
        return body_text.strip(), []
    documents = []
    for (at, name), following in zip(marks, [*marks[1:], (len(body_text), "")], strict=True):
        documents.append((name, body_text[at + len(name) + 5 : following[0]].strip()))
    return body_text[: marks[0][0]].strip(), documents


def _sections(own_words: str, documents: list[tuple[str, str]]) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """The parts of the agency's report (documents first; the mail's own words only when they are a report with
    headings: a cover mail is not content), and the names of what they were drawn from."""
    parts: dict[str, list[str]] = {}
    drawn: list[str] = []
    for name, text in documents:
        found = split_report(text)
        if any(found.parts.values()):
            drawn.append(name)
            for part, paragraphs in found.parts.items():
                parts.setdefault(part, []).extend(paragraphs)
    if not drawn and own_words:
        found = split_report(own_words)
        if found.headed:
            parts = {part: list(paragraphs) for part, paragraphs in found.parts.items()}
            drawn.append("thư báo cáo")
    return parts, tuple(drawn)


def report_paths(row: ReportRow, data_dir: Path | None) -> dict[str, Path]:
    """Where the report's files are: a name kept relative to the data dir is found under ``data_dir``."""
    return {kind: (data_dir / name if data_dir else Path(name)) for kind, name in row.files.items()}


def _kept_name(path: Path, data_dir: Path | None) -> str:
    """``path`` relative to the data dir when it is inside it (so a restore at another path still finds it)."""
    if data_dir is not None:
        full, root = path.resolve(), data_dir.resolve()
        if full.is_relative_to(root):
            return str(full.relative_to(root))
    return str(path)


def compile_report(
    session: Session,
    catalog: Catalog,
    *,
    plan_id: str,
    obligation_id: str,
    period_key: str,
    out_dir: Path,
    template: Path,
    env,
    now: dt.datetime,
    timezone: str,
    data_dir: Path | None = None,
) -> tuple[ReportRow, ReportData]:
    """Compile the report to files (a new draft revision, or the same draft when nothing changed).

    The row keeps each file's name relative to ``data_dir`` when ``out_dir`` is inside it, else its full path.
    """
    from dondoc.documents.report import write_report

    plan = catalog.plans.get(plan_id)
    if plan is None:
        raise NotFound(f"no plan '{plan_id}' (known: {', '.join(sorted(catalog.plans))})")
    try:
        obligation = plan.obligation(obligation_id)
    except KeyError:
        raise NotFound(
            f"no obligation '{obligation_id}' in {plan_id} (known: {', '.join(o.id for o in plan.obligations)})"
        ) from None
    today = now.astimezone(ZoneInfo(timezone)).date()
    inputs, label = collect(session, catalog, plan, obligation, period_key, today)
    directory = catalog.directory
    coordinator = directory.agencies[plan.coordinator]
    recipients = tuple(directory.agencies[a].name for a in (obligation.recipient, *obligation.also_to))
    data = aggregate(
        plan,
        _inputs_of(plan, obligation)[0],
        period_key,
        label,
        inputs,
        coordinator_name=coordinator.name,
        recipients=recipients,
        report_date=today,
        plan_issuer=directory.agencies[plan.issuer].name if plan.issuer in directory.agencies else "",
    )
    area = next((a for a in [directory.agencies.get(plan.issuer)] if a), None)
    files = write_report(
        data,
        out_dir,
        template=template,
        env=env,
        place=_place(area.name if area else ""),
        issuer_name=coordinator.name,
        values={a.agency_id: a.values for a in inputs},
        timezone=timezone,
    )
    summary = {
        "expected": data.expected,
        "submitted": data.submitted,
        "on_time": data.on_time,
        "late": data.late,
        "missing": data.missing,
        "excused": data.excused,
        "reporting_rate": data.reporting_rate,
        "timeliness_rate": data.timeliness_rate,
    }
    paths = {kind: _kept_name(path, data_dir) for kind, path in files.items()}
    last = session.exec(
        select(ReportRow)
        .where(
            ReportRow.plan_id == plan_id, ReportRow.obligation_id == obligation_id, ReportRow.period_key == period_key
        )
        .order_by(col(ReportRow.revision).desc())
    ).first()
    if last is not None and last.status == ReportStatus.DRAFT:
        last.files, last.summary, last.compiled_at = paths, summary, now
        row = last
    else:
        row = ReportRow(
            plan_id=plan_id,
            obligation_id=obligation_id,
            period_key=period_key,
            revision=(last.revision + 1) if last else 1,
            files=paths,
            summary=summary,
            compiled_at=now,
        )
        session.add(row)
    session.commit()
    return row, data


def _place(issuer_name: str) -> str:
    """The place name of the date line ("Bình Phước") from the issuer ("Ủy ban nhân dân tỉnh Bình Phước")."""
    for prefix in (
        "Ủy ban nhân dân tỉnh ",
        "Ủy ban nhân dân thành phố ",
        "Ủy ban nhân dân thị xã ",
        "Ủy ban nhân dân huyện ",
        "UBND tỉnh ",
        "UBND thành phố ",
        "UBND thị xã ",
    ):
        if issuer_name.startswith(prefix):
            return issuer_name[len(prefix) :]
    return issuer_name


def signer_for(agency: Agency, by: str) -> SignerConfig | None:
    """The signer of ``agency`` that ``by`` names (their id, name or title; case and accents aside), or None when
    the agency has no signers configured. An unknown or ambiguous ``by`` is a :class:`UsageError`."""
    if not agency.signers:
        return None
    wanted = fold(by)
    found = [
        s for s in agency.signers if wanted in {fold(s.id), fold(s.name), fold(s.title), fold(" ".join(s.lines()))}
    ]
    if len(found) == 1:
        return found[0]
    known = "; ".join(f"{s.id} ({s.title}, {s.name})" for s in agency.signers)
    if found:
        raise UsageError(f"'{by}' names {len(found)} signers of {agency.id}; use the id: {known}")
    raise UsageError(f"'{by}' is not a signer of {agency.id} (config/agencies: signers): {known}")


def approve(
    session: Session,
    report_id: int,
    by: str,
    now: dt.datetime,
    *,
    catalog: Catalog | None = None,
    data_dir: Path | None = None,
) -> ReportRow:
    """The coordinator approves a draft; it can then be sent.

    With the ``catalog``, ``by`` names one of the coordinating agency's ``signers`` (config), whose title, form
    and name are written into the signature block of the report's .docx and page (the rest of the draft, edits
    made in Word included, stays as it is). An agency without signers keeps the block as compiled.
    """
    row = session.get(ReportRow, report_id)
    if row is None:
        raise NotFound(f"no report {report_id} (see `dondoc reports`)")
    if row.status != ReportStatus.DRAFT:
        raise UsageError(f"report {report_id} is {row.status}, not a draft")
    if not by.strip():
        raise UsageError("who approves is required (--by)")
    signer = None
    if catalog is not None and row.plan_id in catalog.plans:
        coordinator = catalog.directory.agencies.get(catalog.plans[row.plan_id].coordinator)
        signer = signer_for(coordinator, by) if coordinator else None
    if signer is not None:
        from dondoc.documents.report import sign_docx, sign_html

        lines = (*signer.lines(), signer.name)
        paths = report_paths(row, data_dir)
        if "docx" in paths:
            _rewrite(paths["docx"], sign_docx(paths["docx"].read_bytes(), lines))
        if "html" in paths:
            _rewrite(paths["html"], sign_html(paths["html"].read_text(encoding="utf-8"), lines).encode("utf-8"))
        row.summary = {
            **row.summary,
            "signer": {"id": signer.id, "authority": lines[0], "title": lines[1], "name": signer.name},
        }
    row.status, row.approved_at, row.approved_by = ReportStatus.APPROVED, now, signer.name if signer else by.strip()
    session.commit()
    return row


def _rewrite(path: Path, content: bytes) -> None:
    from dondoc.documents.report import _write_private

    _write_private(path, content)


def reject(session: Session, report_id: int, comment: str) -> ReportRow:
    """The coordinator rejects a draft; the next build makes a new revision."""
    row = session.get(ReportRow, report_id)
    if row is None:
        raise NotFound(f"no report {report_id} (see `dondoc reports`)")
    if row.status != ReportStatus.DRAFT:
        raise UsageError(f"report {report_id} is {row.status}, not a draft")
    if not comment.strip():
        raise UsageError("a comment is required")
    row.status = ReportStatus.REJECTED
    row.summary = {**row.summary, "rejected": comment.strip()}
    session.commit()
    return row


def send_up(
    session: Session, catalog: Catalog, setup: MailSetup, report_id: int, now: dt.datetime, data_dir: Path | None = None
) -> ReportRow:
    """Queue the approved report to the recipients of its obligation; close the coordinator's deadline."""
    row = session.get(ReportRow, report_id)
    if row is None:
        raise NotFound(f"no report {report_id} (see `dondoc reports`)")
    if row.status != ReportStatus.APPROVED:
        raise UsageError(f"report {report_id} is {row.status}: approve it first (`dondoc report approve {report_id}`)")
    plan = catalog.plans[row.plan_id]
    obligation = plan.obligation(row.obligation_id)
    directory = catalog.directory
    to = [
        (directory.agencies[a].name, address)
        for a in (obligation.recipient, *obligation.also_to)
        for address in directory.agencies[a].addresses(Role.REPORTER)
    ]
    if not to:
        raise UsageError(f"no address for {obligation.recipient}: add a reporter contact in config/agencies")
    coordinator = directory.agencies[plan.coordinator]
    deadline = session.exec(
        select(DeadlineRow).where(
            DeadlineRow.plan_id == plan.id,
            DeadlineRow.obligation_id == obligation.id,
            DeadlineRow.period_key == row.period_key,
            DeadlineRow.agency_id == plan.coordinator,
        )
    ).first()
    label = deadline.period_label if deadline else row.period_key
    title = report_title(obligation.title, label)
    subject = f"{coordinator.short or coordinator.name}: {title}"
    text = (
        f"Kính gửi: {', '.join(dict.fromkeys(name for name, _ in to))}\n\n{coordinator.name} gửi "
        f"{lower_first(title)} (tệp đính kèm: báo cáo .docx, phụ lục số liệu .xlsx, bản HTML).\n\nTrân trọng.\n\n"
        f"{coordinator.name.upper()}\n"
    )
    attachments = []
    for kind, path in sorted(report_paths(row, data_dir).items()):
        maintype, subtype = {
            "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "html": ("text", "html"),
        }[kind]
        attachments.append(Attachment(Path(path).name, Path(path).read_bytes(), maintype, subtype))
    key = f"report:{row.id}"
    message_id = message_id_for(key, setup.domain)
    sender = coordinator.addresses(Role.REPORTER)
    message = build_message(
        subject=subject,
        text=text,
        html=None,
        sender=(coordinator.name, setup.sender),
        to=to,
        reply_to=sender[0] if sender else None,
        message_id=message_id,
        date=now,
        attachments=attachments,
        auto_submitted="no",
    )
    enqueue(
        session,
        [
            QueuedMessage(
                key=key,
                kind="report",
                deadline_id=deadline.id if deadline else None,
                stage="report",
                message_id=message_id,
                sender=setup.sender,
                recipients=[a for _, a in to],
                subject=subject,
                raw=message.as_bytes(),
                created_at=now,
            )
        ],
        commit=False,
    )
    row.status, row.sent_at = ReportStatus.SENT, now
    if deadline is not None and deadline.status == DeadlineStatus.OPEN:
        on_time = now.astimezone(ZoneInfo(setup.timezone)).date() <= effective_last_day(deadline)
        deadline.status = DeadlineStatus.SUBMITTED if on_time else DeadlineStatus.LATE
        deadline.status_reason = f"report {row.id} sent"
    session.commit()
    return row

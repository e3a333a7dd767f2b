"""The ``dondoc`` command: thin Typer commands over the library.

Every user mistake (bad config, unknown plan, malformed date) ends as one
line per problem on stderr and exit code 1 — never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dondoc import installed_version
from dondoc.errors import ConfigError, DondocError, NotFound, UsageError, explain, visible

__all__ = ["app"]

app = typer.Typer(
    help="dondoc — đôn đốc báo cáo: reporting deadlines, reminders and consolidated reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
plans_app = typer.Typer(help="Kế hoạch — the plans in config/.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")


class _Console(Console):
    """A console that prints text as it is: control characters (ESC, CR, NUL, …) in what it is given — a reason
    typed at the prompt, a subject taken from a mail — are spelled out, never sent to the terminal."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o, keep="\n") if isinstance(o, str) else o for o in objects), **kwargs)


_MAX_ID = 2**63 - 1  # the largest id a database column holds: a bigger number is a usage error, not an overflow
out = _Console(soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
err = _Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def _guarded(command: Callable) -> Callable:
    """Turn a user-facing error, or a known failure around dondoc (disk full, database locked or gone), into one
    line per problem and exit code 1; any other exception is a bug and keeps its traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigError as error:
            for problem in error.problems:
                err.print(str(problem), markup=False, highlight=False)
            err.print(f"Cấu hình không hợp lệ: {len(error.problems)} lỗi / invalid configuration: "
                      f"{len(error.problems)} problem(s)", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except DondocError as error:
            err.print(f"Lỗi / error: {visible(str(error))}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except Exception as error:
            fault = explain(error)
            if fault is None:
                raise
            err.print(f"Lỗi / error: {visible(str(fault))}", markup=False, highlight=False)
            raise typer.Exit(1) from None

    return wrapper


def _date(text: str | None) -> dt.date | None:
    """A date given as dd/mm/yyyy or yyyy-mm-dd."""
    if text is None:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise UsageError(f"'{text}' is not a date (dd/mm/yyyy or yyyy-mm-dd)")


def _moment(text: str | None) -> dt.datetime | None:
    """An instant given as an ISO date-time (Asia/Ho_Chi_Minh if no offset) or a date."""
    if text is None:
        return None
    from zoneinfo import ZoneInfo

    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        day = _date(text)
        moment = dt.datetime.combine(day, dt.time(8, 0))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return moment


def _app():
    from dondoc.wiring import build

    return build()


def _vn(day: dt.date) -> str:
    from dondoc.calendar import WEEKDAYS_VI

    return f"{WEEKDAYS_VI[day.weekday()]} {day:%d/%m/%Y}"


def _emit(rows: list[dict], fmt: Format, columns: list[tuple[str, str]], title: str | None = None) -> None:
    """Print ``rows`` as a table, JSON or CSV; ``columns`` are (key, heading)."""
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt is Format.CSV:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else [k for k, _ in columns])
        writer.writeheader()
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(title=title, show_lines=False)
        for _, heading in columns:
            table.add_column(heading, overflow="fold")
        for row in rows:
            # Text, not str: a cell holds what mail and users wrote, never markup ("[/b]" would even crash rich)
            table.add_row(*(Text(visible(str(row.get(key) if row.get(key) is not None else "")))
                            for key, _ in columns))
        out.print(table)


def _show_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"dondoc {installed_version()}\n")
        raise typer.Exit()


@app.callback()
def main(
    version_: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """dondoc — đôn đốc báo cáo."""


@plans_app.command("check")
@_guarded
def plans_check(
    path: Annotated[Path | None, typer.Argument(help="A config directory, or one plan file.")] = None,
) -> None:
    """Kiểm tra cấu hình — check the configuration; prints file:line for every problem."""
    from dondoc.config import check_config
    from dondoc.settings import Settings

    settings = Settings()
    if path is None or path.is_dir():
        config_dir, plan_files = (path or settings.config_dir), None
    elif path.exists():
        config_dir, plan_files = settings.config_dir, [path]
    else:
        raise UsageError(f"{path}: no such file or directory")
    problems = check_config(config_dir, plan_files)
    if problems:
        raise ConfigError(problems)
    from dondoc.config import load_catalog

    catalog = load_catalog(config_dir, plan_files)
    out.print(
        f"Cấu hình hợp lệ / configuration valid: {len(catalog.plans)} kế hoạch (plans), "
        f"{len(catalog.directory.agencies)} cơ quan (agencies), {len(catalog.directory.groups)} nhóm (groups), "
        f"{len(catalog.calendar_years)} năm lịch (calendar years)",
        markup=False,
        highlight=False,
    )


class DraftFormat(StrEnum):
    YAML = "yaml"
    JSON = "json"


@plans_app.command("import")
@_guarded
def plans_import(
    file: Annotated[Path, typer.Argument(help="The plan: .txt, .docx or .pdf (with a text layer).")],
    area: Annotated[str | None, typer.Option(help="The area of config/agencies/ whose names to match.")] = None,
    plan_id: Annotated[str | None, typer.Option("--id", help="The plan's id (default: from its number).")] = None,
    fmt: Annotated[DraftFormat, typer.Option("--format")] = DraftFormat.YAML,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the draft here, not to stdout.")] = None,
) -> None:
    """Nhập kế hoạch — draft a plan's YAML from its text, for review (quotes, confidence, # REVIEW)."""
    from dondoc.config import load_areas
    from dondoc.importer import import_plan
    from dondoc.model import Level
    from dondoc.settings import Settings

    settings = Settings()
    areas = load_areas(settings.config_dir)  # the agencies are enough: the configuration may have no plan yet
    known = ", ".join(sorted(a.area for a in areas))
    if area is not None and area not in {a.area for a in areas}:
        raise UsageError(f"unknown area '{area}' (config/agencies has: {known})")
    regional = [a for a in areas if a.agencies and not all(x.level is Level.NATIONAL for x in a.agencies)]
    if area is None and len(regional) > 1:  # matching every area would borrow another area's ids: national only
        areas = [a for a in areas if a not in regional]
    draft = import_plan(file, areas, area=area, plan_id=plan_id)
    draft.validate()
    text = draft.to_json() if fmt is DraftFormat.JSON else draft.to_yaml()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        try:  # config/plans/ of a configuration that has no plan yet: made here
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{output}: cannot write ({error.strerror})") from None
    reviews = sum(len(o.review) for o in draft.obligations) + sum(len(t.review) for t in draft.targets) + len(
        draft.review)
    err.print(
        f"{len(draft.obligations)} nghĩa vụ báo cáo (obligations), {len(draft.targets)} chỉ tiêu (targets), "
        f"{len(draft.new_agencies)} cơ quan mới (new agencies), {reviews} điểm cần xem lại (to review)"
        + (f" → {output}" if output else ""),
        markup=False, highlight=False,
    )


@plans_app.command("list")
@_guarded
def plans_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Danh sách kế hoạch — list the plans."""
    catalog = _app().catalog()
    rows = [
        dict(id=p.id, number=p.number, title=p.title, valid_start=p.valid.start, valid_end=p.valid.end,
             obligations=len(p.obligations), targets=len(p.targets), source=p.source.file)
        for p in catalog.plans.values()
    ]
    _emit(rows, fmt, [("id", "Mã"), ("number", "Số"), ("title", "Tên kế hoạch"), ("valid_start", "Từ"),
                      ("valid_end", "Đến"), ("obligations", "Nghĩa vụ BC"), ("targets", "Chỉ tiêu")])


@plans_app.command("show")
@_guarded
def plans_show(
    plan_id: Annotated[str, typer.Argument(metavar="PLAN", help="The plan id, e.g. bp-2021.")],
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Xem kế hoạch — a plan's obligations and targets."""
    catalog = _app().catalog()
    if plan_id not in catalog.plans:
        raise NotFound(f"no plan '{plan_id}' (known: {', '.join(sorted(catalog.plans))})")
    plan = catalog.plans[plan_id]
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    names = catalog.directory.agencies
    out.print(f"[bold]{escape(plan.title)}[/bold] ({plan.id}{', ' + escape(plan.number) if plan.number else ''})")
    out.print(f"Hiệu lực / valid: {plan.valid.start:%d/%m/%Y} – "
              f"{plan.valid.end.strftime('%d/%m/%Y') if plan.valid.end else '…'}; nguồn / source: {plan.source.file}",
              markup=False, highlight=False)
    rows = []
    for o in plan.obligations:
        due = o.schedule.due
        if isinstance(due, dict):
            dates = ", ".join(f"{k}: {v}" for k, v in due.items())
        elif due is not None:
            dates = str(due)
        elif o.schedule.day is not None:
            dates = f"ngày {o.schedule.day}" + (f", +{o.schedule.months_after} tháng" if o.schedule.months_after else "")
        else:
            dates = "mở thủ công / opened by hand"
        rows.append(dict(
            id=o.id, kind=str(o.kind),
            who=", ".join(o.reporters),
            to=", ".join(names[a].short or names[a].name for a in (o.recipient, *o.also_to)) + (
                f" (qua {names[o.via].short or names[o.via].name})" if o.via else ""),
            when=f"{o.schedule.every}: {dates} ({'trước ngày' if o.rule == 'before' else 'chậm nhất'})"
            + (" *" if o.schedule.assumed else ""),
            consolidates=", ".join(o.consolidates),
        ))
    _emit(rows, Format.TABLE, [("id", "Nghĩa vụ"), ("kind", "Loại"), ("who", "Đơn vị báo cáo"), ("to", "Gửi"),
                               ("when", "Thời hạn"), ("consolidates", "Tổng hợp từ")], title="Chế độ báo cáo")
    if any(o.schedule.assumed for o in plan.obligations):
        out.print("* Kế hoạch không ghi ngày; ngày mặc định của dondoc / date not in the plan: dondoc's default.")
    if plan.targets:
        _emit([dict(id=t.id, text=t.text, goal=f"{t.goal.op} {t.goal.value:g}" if t.goal else "", unit=str(t.unit),
                    lead=t.lead or "") for t in plan.targets],
              Format.TABLE, [("id", "Chỉ tiêu"), ("text", "Nội dung"), ("goal", "Mục tiêu"), ("unit", "Đơn vị"),
                             ("lead", "Chủ trì")], title="Chỉ tiêu")


@app.command()
@_guarded
def sync(
    now: Annotated[str | None, typer.Option(help="Pretend it is this instant (ISO date-time or dd/mm/yyyy).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Đồng bộ — load config/ and materialise deadlines in the database (idempotent)."""
    from dondoc.sync import sync_catalog

    app_ = _app()
    catalog, policy = app_.catalog(), app_.policy()
    moment = _moment(now) or app_.now()
    with app_.session() as session:
        report = sync_catalog(catalog, session=session, now=moment, horizon_days=policy.horizon_days,
                              timezone=app_.settings.timezone)
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    kinds = sorted({*report.created, *report.updated, *report.retired})
    _emit([dict(kind=k, created=report.created.get(k, 0), updated=report.updated.get(k, 0),
                retired=report.retired.get(k, 0)) for k in kinds],
          Format.TABLE, [("kind", "Loại"), ("created", "Thêm mới"), ("updated", "Cập nhật"), ("retired", "Ngừng")],
          title="Đồng bộ / sync")
    out.print(f"{report.deadlines_total} hạn báo cáo theo cấu hình (deadlines in config); "
              f"{report.deadlines_left_closed} đã đóng, giữ nguyên (closed, left as they are); "
              f"{'có thay đổi' if report.changed else 'không có thay đổi (nothing changed)'}.",
              markup=False, highlight=False)


@app.command()
@_guarded
def deadlines(
    plan: Annotated[str | None, typer.Option(help="Plan id, e.g. bp-2021.")] = None,
    obligation: Annotated[str | None, typer.Option(help="Obligation id within the plan.")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency id, e.g. bp.so-y-te.")] = None,
    period: Annotated[str | None, typer.Option(help="Period key: 2021-H1, 2021, 2021-Q2, 2021-07, once.")] = None,
    status: Annotated[str | None, typer.Option(help="open, submitted, late, excused, closed.")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Last day on or after (dd/mm/yyyy).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day on or before (dd/mm/yyyy).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hạn báo cáo — list deadlines (run `dondoc sync` first)."""
    from db.repo import find_deadlines, holder_name

    start, end = _date(date_from), _date(date_to)
    app_ = _app()
    with app_.session() as session:
        found = find_deadlines(session=session, plan=plan, obligation=obligation, agency=agency, period=period,
                               status=status, date_from=start, date_to=end)
        if not found and plan is not None:
            from db.tables import PlanRow

            if session.get(PlanRow, plan) is None:
                raise NotFound(f"no plan '{plan}' in the database (run `dondoc sync`, or see `dondoc plans list`)")
        names = [holder_name(session, d, a) for d, a in found]
    rows = [
        dict(plan=d.plan_id, obligation=d.obligation_id, agency=d.agency_id, agency_name=name,
             period=d.period_key, period_label=d.period_label, written_date=d.written_date.isoformat(),
             rule=d.rule, last_day=d.last_day.isoformat(), status=d.status,
             succeeds=d.succeeds or "", reason=d.status_reason)
        for (d, a), name in zip(found, names)
    ]
    if fmt is Format.TABLE:
        for row, (d, _) in zip(rows, found):
            row["last_day_vn"] = _vn(d.last_day)
            row["written_vn"] = f"{'trước' if d.rule == 'before' else 'chậm nhất'} {d.written_date:%d/%m/%Y}"
        columns = [("obligation", "Nghĩa vụ"), ("agency_name", "Cơ quan"), ("period_label", "Kỳ"),
                   ("written_vn", "Kế hoạch ghi"), ("last_day_vn", "Hạn cuối"), ("status", "Trạng thái")]
        if any(row["status"] == "excused" and row["reason"] for row in rows):
            columns.append(("reason", "Lý do"))
        _emit(rows, fmt, columns, title=f"Hạn báo cáo ({len(rows)})")
    else:
        _emit(rows, fmt, [])


@app.command("calendar")
@_guarded
def calendar_(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2021.", min=1900, max=2200)],
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Lịch làm việc — the working-day calendar of a year: holidays, days off, swap days."""
    from dondoc.calendar import WorkCalendar

    catalog = _app().catalog()
    if year not in catalog.calendar_years:
        err.print(f"Chú ý / note: no config/calendar/{year}.yaml — only public holidays and weekends are known.",
                  markup=False, highlight=False)
    calendar = WorkCalendar(catalog.calendar_years.values())
    days = calendar.year(year)
    if fmt is not Format.TABLE:
        _emit([dict(date=d.isoformat(), working=off is None, reason=off or swap or "") for d, off, swap in days],
              fmt, [])
        return
    special = [dict(date=_vn(d), kind="nghỉ / off" if off else "làm bù / worked", reason=off or swap)
               for d, off, swap in days if (off and d.weekday() < 5) or swap]
    _emit(special, Format.TABLE, [("date", "Ngày"), ("kind", "Loại"), ("reason", "Lý do")],
          title=f"Ngày nghỉ lễ và làm bù năm {year}")
    months = [dict(month=f"{m:02d}/{year}", working=sum(1 for d, off, _ in days if d.month == m and off is None))
              for m in range(1, 13)]
    _emit(months, Format.TABLE, [("month", "Tháng"), ("working", "Ngày làm việc")])
    out.print(f"Tổng số ngày làm việc / working days: {sum(m['working'] for m in months)}",
              markup=False, highlight=False)


def _chase_report(report, fmt: Format) -> None:
    rows = [dict(deadline=p["deadline"], agency=p["agency"], period=p["period"], stage=p["stage"],
                 cc="có" if p["escalate"] else "", to=", ".join(p["to"]), subject=p["subject"]) for p in report.planned]
    skipped = [dict(deadline=x["deadline"], agency=x["agency"], stage=x["stage"], reason=x["reason"])
               for x in report.skipped]
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps({"summary": report.as_dict(), "reminders": rows, "skipped": skipped,
                                     "problems": report.problems()}, ensure_ascii=False, indent=2) + "\n")
        return
    _emit(rows, Format.TABLE, [("deadline", "Hạn"), ("agency", "Cơ quan"), ("period", "Kỳ"), ("stage", "Lần nhắc"),
                               ("cc", "Đồng gửi"), ("to", "Gửi tới")], title=f"Thư nhắc ({len(rows)})")
    if skipped:
        _emit(skipped, Format.TABLE, [("deadline", "Hạn"), ("agency", "Cơ quan"), ("reason", "Lý do")],
              title="Không gửi được / skipped")
    summary = report.as_dict()
    out.print(f"Đã xếp hàng {summary['queued']}, đã gửi {summary['sent']}, lỗi {summary['failed']}, "
              f"thử lại sau {summary['retrying']}, khôi phục {summary['recovered']} "
              f"(queued, sent, failed, retrying, recovered).", markup=False, highlight=False)
    for line in report.problems():
        out.print(line, markup=False, highlight=False, soft_wrap=True)


def _run_chase(only, now: str | None, dry_run: bool, force_stage: str | None, fmt: Format) -> None:
    from db.outbox import worker_id
    from dondoc.chase import run_chase

    app_ = _app()
    catalog, policy = app_.catalog(), app_.policy()
    setup = app_.mail_setup()
    moment = _moment(now) or app_.now()
    with app_.session() as session:
        report = run_chase(session=session, catalog=catalog, policy=policy, calendar=app_.calendar(catalog),
                           setup=setup, transport=None if dry_run else app_.transport(), now=moment, only=only,
                           dry_run=dry_run, force_stage=force_stage, limit=app_.settings.smtp_rate_limit,
                           worker=worker_id(), workers=app_.settings.compose_workers)
    _chase_report(report, fmt)


@app.command()
@_guarded
def chase(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Render and list; queue and send nothing.")] = False,
    now: Annotated[str | None, typer.Option(help="Pretend it is this instant (ISO or dd/mm/yyyy).")] = None,
    plan: Annotated[str | None, typer.Option()] = None,
    obligation: Annotated[str | None, typer.Option()] = None,
    period: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Đôn đốc — send the reminders due now (each stage once), then what the outbox still holds."""
    from dondoc.chase import ChaseFilter

    _run_chase(ChaseFilter(plan=plan, obligation=obligation, period=period, agency=agency), now, dry_run, None, fmt)


@app.command()
@_guarded
def remind(
    agency: Annotated[str, typer.Argument(help="The agency id.")],
    deadline: Annotated[int, typer.Option(help="The deadline id (see `dondoc deadlines`).", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Nhắc ngay — send one reminder for a deadline now, outside the schedule."""
    from dondoc.chase import ChaseFilter

    moment = _moment(now) or _app().now()
    _run_chase(ChaseFilter(agency=agency, deadline=deadline), now, False,
               f"manual@{moment.astimezone(dt.UTC):%Y%m%dT%H%M%S}", fmt)


@app.command()
@_guarded
def outbox(
    status: Annotated[str | None, typer.Option(help="pending, sending, sent or failed.")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hộp thư đi — the outbox: what was queued, sent, failed and why."""
    from dondoc.chase import outbox_rows

    with _app().session() as session:
        rows = [dict(id=o.id, deadline=o.deadline_id, agency=a.id if a else "", stage=o.stage, status=o.status,
                     attempts=o.attempts, sent_at=o.sent_at.isoformat() if o.sent_at else "",
                     error=o.last_error or "", recipients=", ".join(o.recipients), message_id=o.message_id)
                for o, a in outbox_rows(session, status)]
    _emit(rows, fmt, [("id", "#"), ("deadline", "Hạn"), ("agency", "Cơ quan"), ("stage", "Lần nhắc"),
                      ("status", "Trạng thái"), ("attempts", "Lần thử"), ("error", "Lỗi")],
          title=f"Hộp thư đi ({len(rows)})")


@app.command()
@_guarded
def pause(
    agency: Annotated[str, typer.Argument(help="The agency id.")],
    until: Annotated[str, typer.Option(help="Last day of the pause (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option(help="Why (kept with the pause).")],
) -> None:
    """Tạm dừng nhắc — no reminder to an agency until a date."""
    from dondoc.controls import pause as pause_agency

    with _app().session() as session:
        row = pause_agency(session, agency, _date(until), reason)
    out.print(f"Tạm dừng nhắc {agency} đến hết {row.until:%d/%m/%Y}: {row.reason}", markup=False, highlight=False)


@app.command()
@_guarded
def extend(
    deadline: Annotated[int, typer.Argument(help="The deadline id.", min=1, max=_MAX_ID)],
    to: Annotated[str, typer.Option("--to", help="The new last day (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option(help="Why (quoted in later reminders).")],
) -> None:
    """Gia hạn — move a deadline's last day; later reminders give the reason."""
    from dondoc.controls import extend as extend_deadline

    with _app().session() as session:
        row = extend_deadline(session, deadline, _date(to), reason)
    out.print(f"Gia hạn hạn {row.id} ({row.agency_id}, {row.period_label}) đến {row.extended_to:%d/%m/%Y}: "
              f"{row.extension_reason}", markup=False, highlight=False)


@app.command()
@_guarded
def excuse(
    deadline: Annotated[int, typer.Argument(help="The deadline id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why the agency no longer owes it.")],
) -> None:
    """Miễn báo cáo — the agency no longer owes this report; no more reminders."""
    from dondoc.controls import excuse as excuse_deadline

    with _app().session() as session:
        row = excuse_deadline(session, deadline, reason)
    out.print(f"Miễn báo cáo hạn {row.id} ({row.agency_id}, {row.period_label}): {row.status_reason}",
              markup=False, highlight=False)


@app.command()
@_guarded
def ingest(
    now: Annotated[str | None, typer.Option(help="Pretend it is this instant (ISO or dd/mm/yyyy).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many messages.", min=1, max=1_000_000)] = 1000,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Nhận báo cáo — take in replies from the inbox, record submissions, send receipts."""
    from db.outbox import worker_id
    from dondoc.intake import run_ingest

    app_ = _app()
    catalog, setup = app_.catalog(), app_.mail_setup()
    moment = _moment(now) or app_.now()
    source = app_.source()
    try:
        with app_.session() as session:
            report = run_ingest(session=session, catalog=catalog, setup=setup, source=source,
                                transport=app_.transport(), data_dir=app_.settings.data_dir, now=moment,
                                limit=limit, worker=worker_id())
    finally:
        source.close()
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps({**report.as_dict(), "left_at_source": [
            {"ref": ref, "reason": reason} for ref, reason in report.skipped]}, ensure_ascii=False, indent=2) + "\n")
        return
    _emit([{"what": k, "count": v} for k, v in report.as_dict().items()], Format.TABLE,
          [("what", "Loại"), ("count", "Số thư")], title="Nhận báo cáo / intake")
    for ref, reason in report.skipped:
        out.print(f"Thư để lại ở hộp thư nguồn, chưa lấy về / message left at the source, not fetched: {ref} "
                  f"({reason}) — xử lý bằng tay / deal with it by hand", markup=False, highlight=False,
                  soft_wrap=True)


@app.command()
@_guarded
def inbox(
    status: Annotated[str | None, typer.Option(help="new, submission, request, auto-reply, bounce, quarantine.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000)] = 50,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hộp thư đến — recent inbound mail: class, match, reason."""
    from sqlmodel import select

    from db.tables import InboundRow

    with _app().session() as session:
        query = select(InboundRow).order_by(InboundRow.id.desc()).limit(limit)
        if status:
            query = query.where(InboundRow.status == status)
        rows = [dict(id=r.id, received=r.received_at.isoformat(timespec="minutes"), sender=r.from_address or "",
                     subject=r.subject or "", status=r.status, deadline=r.deadline_id or "",
                     method=r.match_method or "", reason=r.reason or "") for r in session.exec(query)]
    _emit(rows, fmt, [("id", "#"), ("received", "Nhận lúc"), ("sender", "Người gửi"), ("subject", "Tiêu đề"),
                      ("status", "Phân loại"), ("deadline", "Hạn"), ("reason", "Lý do")],
          title=f"Hộp thư đến ({len(rows)})")


quarantine_app = typer.Typer(help="Thư chờ xử lý — mail that could not be matched safely.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
@_guarded
def quarantine_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """The quarantined messages, with the reason each is there."""
    inbox(status="quarantine", limit=1000, fmt=fmt)


@quarantine_app.command("show")
@_guarded
def quarantine_show(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
) -> None:
    """One quarantined message: headers, text and attachments, as dondoc read it."""
    from db.tables import InboundRow
    from dondoc.mail.parse import Unparseable, parse_message

    app_ = _app()
    with app_.session() as session:
        row = session.get(InboundRow, message)
        if row is None:
            raise NotFound(f"no inbound message {message}")
    out.print(f"#{row.id} {row.status}: {row.reason or ''}", markup=False, highlight=False)
    try:
        mail = parse_message((app_.settings.data_dir / row.path).read_bytes())
    except Unparseable as error:
        out.print(f"(cannot be read: {error})", markup=False, highlight=False)
        return
    shown = (f"From: {mail.from_name} <{mail.from_address}>\nSubject: {mail.subject}\n"
             f"Attachments: {', '.join(a.filename for a in mail.attachments) or '-'}\n\n{mail.text[:4000]}")
    # hostile mail must not drive the coordinator's terminal: no escape or other control characters
    out.print("".join(c for c in shown if c in "\n\t" or (c.isprintable())), markup=False, highlight=False)


@quarantine_app.command("assign")
@_guarded
def quarantine_assign(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
    deadline: Annotated[int, typer.Argument(help="The deadline it belongs to.", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a quarantined message as a submission for a deadline (sends the receipt)."""
    from dondoc.controls import assign

    app_ = _app()
    catalog, setup = app_.catalog(), app_.mail_setup()
    with app_.session() as session:
        submission = assign(session, catalog, setup, app_.settings.data_dir, message, deadline,
                            _moment(now) or app_.now())
    out.print(f"Thư #{message} → hạn {deadline}: bản nộp {submission.id} (lần {submission.version}).",
              markup=False, highlight=False)


@quarantine_app.command("reject")
@_guarded
def quarantine_reject(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why it is not a report.")] = "không phải báo cáo",
) -> None:
    """Close a quarantined message as not a report (it is kept)."""
    from dondoc.controls import reject

    with _app().session() as session:
        reject(session, message, reason)
    out.print(f"Thư #{message}: đã loại ({reason}).", markup=False, highlight=False)


@app.command()
@_guarded
def submissions(
    plan: Annotated[str | None, typer.Option()] = None,
    period: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Bản nộp — the submissions received, every version."""
    from sqlmodel import select

    from db.tables import DeadlineRow, SubmissionRow

    with _app().session() as session:
        query = select(SubmissionRow, DeadlineRow).join(DeadlineRow, DeadlineRow.id == SubmissionRow.deadline_id)
        for column, value in ((DeadlineRow.plan_id, plan), (DeadlineRow.period_key, period),
                              (DeadlineRow.agency_id, agency)):
            if value is not None:
                query = query.where(column == value)
        rows = [dict(id=s.id, deadline=d.id, agency=d.agency_id, period=d.period_key, version=s.version,
                     received=s.received_at.isoformat(timespec="minutes"), on_time=s.on_time, status=s.status,
                     figures=len([k for k in s.form_values if not k.startswith("_")]),
                     problems="; ".join(s.form_problems), no_report=s.no_report)
                for s, d in session.exec(query.order_by(SubmissionRow.id))]
    _emit(rows, fmt, [("id", "#"), ("deadline", "Hạn"), ("agency", "Cơ quan"), ("period", "Kỳ"),
                      ("version", "Lần"), ("received", "Nhận lúc"), ("on_time", "Đúng hạn"), ("status", "Trạng thái"),
                      ("figures", "Số chỉ tiêu"), ("problems", "Cần xem lại")], title=f"Bản nộp ({len(rows)})")


@app.command("return")
@_guarded
def return_(
    submission: Annotated[int, typer.Argument(help="The submission id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="What to complete (sent to the agency).")],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Trả lại — return a submission for completion: the deadline re-opens and chasing resumes."""
    from dondoc.controls import return_submission

    app_ = _app()
    catalog, setup = app_.catalog(), app_.mail_setup()
    with app_.session() as session:
        row = return_submission(session, catalog, setup, submission, reason, _moment(now) or app_.now())
    out.print(f"Đã trả lại bản nộp {row.id}: {row.returned_reason}", markup=False, highlight=False)


@app.command()
@_guarded
def requests(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Đề nghị — agencies' requests for more time and questions."""
    from sqlmodel import select

    from db.tables import DeadlineRow, RequestRow

    with _app().session() as session:
        rows = [dict(id=r.id, deadline=d.id, agency=d.agency_id, kind=r.kind, status=r.status, text=r.text[:300])
                for r, d in session.exec(select(RequestRow, DeadlineRow)
                                         .join(DeadlineRow, DeadlineRow.id == RequestRow.deadline_id)
                                         .order_by(RequestRow.id))]
    _emit(rows, fmt, [("id", "#"), ("deadline", "Hạn"), ("agency", "Cơ quan"), ("kind", "Loại"),
                      ("status", "Trạng thái"), ("text", "Nội dung")], title=f"Đề nghị ({len(rows)})")


@app.command()
@_guarded
def grant(
    request: Annotated[int, typer.Argument(help="The request id.", min=1, max=_MAX_ID)],
    to: Annotated[str, typer.Option("--to", help="The new last day (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option()] = "Đồng ý đề nghị gia hạn của cơ quan",
) -> None:
    """Gia hạn theo đề nghị — grant a request for more time (extends the deadline)."""
    from dondoc.controls import grant as grant_request

    with _app().session() as session:
        row = grant_request(session, request, _date(to), reason)
    out.print(f"Đề nghị {row.id}: đã gia hạn hạn {row.deadline_id} đến {to}.", markup=False, highlight=False)


report_app = typer.Typer(help="Báo cáo tổng hợp — the consolidated report.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("build")
@_guarded
def report_build(
    plan: Annotated[str, typer.Argument(help="Plan id, e.g. bp-2021.")],
    obligation: Annotated[str, typer.Option(help="The consolidating obligation, e.g. tong-hop.")],
    period: Annotated[str, typer.Option(help="Period key, e.g. 2021-H1 or 2021.")],
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the files (default: data dir/reports).")] = None,
    now: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Tổng hợp — build the consolidated report (.docx, .xlsx, .html) as a draft to approve."""
    from dondoc.consolidate import compile_report, report_paths

    app_ = _app()
    catalog = app_.catalog()
    data_dir = app_.settings.data_dir
    with app_.session() as session:
        row, data = compile_report(session, catalog, plan_id=plan, obligation_id=obligation, period_key=period,
                                   out_dir=out_dir or data_dir / "reports", template=app_.report_template,
                                   env=app_.jinja, now=_moment(now) or app_.now(), timezone=app_.settings.timezone,
                                   data_dir=data_dir)
    files = {kind: str(path) for kind, path in report_paths(row, data_dir).items()}
    result = {"report": row.id, "revision": row.revision, "status": row.status, **row.summary, "files": files}
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"Báo cáo #{row.id} (bản {row.revision}, {row.status}): {data.obligation_title} {data.period_label}\n"
              f"Tỷ lệ báo cáo {data.submitted}/{data.expected}, đúng hạn {data.on_time}/{data.expected}, "
              f"thiếu {data.missing}, miễn {data.excused}\n"
              f"Mẫu số (denominator): các cơ quan, đơn vị còn tồn tại ngày cuối kỳ hoặc ngày hạn (cơ quan tiếp nhận "
              f"nhiệm vụ tính một lần), trừ {data.excused} được miễn", markup=False, highlight=False)
    for kind, path in files.items():
        out.print(f"  {kind}: {path}", markup=False, highlight=False)


@report_app.command("approve")
@_guarded
def report_approve(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    by: Annotated[str, typer.Option(help="Who approves.")] = "coordinator",
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Duyệt — approve a draft report."""
    from dondoc.consolidate import approve

    app_ = _app()
    with app_.session() as session:
        row = approve(session, report, by, _moment(now) or app_.now())
    out.print(f"Báo cáo #{row.id} đã được duyệt ({row.approved_by}).", markup=False, highlight=False)
    _answer_paused_run(row, {"approve": True, "by": by})


def _answer_paused_run(row, answer: dict) -> None:
    """Give the same answer to a compile-report run paused for this report, if a Prefect server is configured."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return
    from dondoc.prefect_runs import resume_paused_report_runs

    try:
        resumed = resume_paused_report_runs(row.plan_id, row.obligation_id, row.period_key, answer)
    except Exception as error:  # noqa: BLE001 — the database answer stands; say why the run was not resumed
        err.print(f"Cảnh báo / warning: không tiếp tục được lượt chạy đang chờ duyệt ({type(error).__name__}: "
                  f"{' '.join(str(error).split())[:200]})", markup=False, highlight=False)
        return
    for run_id in resumed:
        out.print(f"Đã trả lời lượt chạy compile-report {run_id} đang chờ duyệt.", markup=False, highlight=False)


@report_app.command("reject")
@_guarded
def report_reject(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    comment: Annotated[str, typer.Option(help="What to change before it is built again.")],
) -> None:
    """Không duyệt — reject a draft report with a comment (build it again after the changes)."""
    from dondoc.consolidate import reject

    with _app().session() as session:
        row = reject(session, report, comment)
    out.print(f"Báo cáo #{row.id}: không duyệt ({comment}).", markup=False, highlight=False)
    _answer_paused_run(row, {"approve": False, "comment": comment})


@report_app.command("send")
@_guarded
def report_send(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Gửi — send an approved report to the recipients of its obligation (closes the coordinator's deadline)."""
    import asyncio

    from db.outbox import worker_id
    from dondoc.chase import ChaseReport, deliver
    from dondoc.consolidate import send_up

    app_ = _app()
    moment = _moment(now) or app_.now()
    with app_.session() as session:
        row = send_up(session, app_.catalog(), app_.mail_setup(), report, moment, data_dir=app_.settings.data_dir)
        sent = ChaseReport()
        asyncio.run(deliver(session, app_.transport(), worker_id(), moment, 100, sent))
    out.print(f"Báo cáo #{row.id}: đã gửi ({sent.sent} thư; lỗi {sent.failed}).", markup=False, highlight=False)


@app.command()
@_guarded
def reports(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Danh sách báo cáo tổng hợp — compiled reports and their state."""
    from sqlmodel import select

    from db.tables import ReportRow
    from dondoc.consolidate import report_paths

    app_ = _app()
    with app_.session() as session:
        rows = [dict(id=r.id, plan=r.plan_id, obligation=r.obligation_id, period=r.period_key, revision=r.revision,
                     status=r.status, rate=r.summary.get("reporting_rate"), note=r.summary.get("rejected", ""),
                     files=", ".join(map(str, report_paths(r, app_.settings.data_dir).values())))
                for r in session.exec(select(ReportRow).order_by(ReportRow.id))]
    _emit(rows, fmt, [("id", "#"), ("plan", "Kế hoạch"), ("obligation", "Nghĩa vụ"), ("period", "Kỳ"),
                      ("revision", "Bản"), ("status", "Trạng thái"), ("rate", "Tỷ lệ BC (%)"),
                      ("note", "Ghi chú")],
          title=f"Báo cáo tổng hợp ({len(rows)})")


@app.command()
@_guarded
def demo(
    plan: Annotated[str, typer.Option(help="The plan to play: a plan id, or a plan file of another configuration "
                                           "(config/examples/dong-nai-2026/plans/dn-tre-em-2026.yaml).")] = "bp-2021",
    period: Annotated[str | None, typer.Option(help="Period key (default: the plan's first).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulated agencies (deterministic).")] = 1,
    directory: Annotated[Path, typer.Option("--dir", help="Where to put the database, mailboxes, reports.")] = Path(
        "dondoc-demo"),
) -> None:
    """Chạy thử — play a whole reporting season of a seed plan, everything embedded (SQLite, SMTP, Maildir)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dondoc.demo import plan_and_config, run_demo
    from dondoc.documents.report import vn_number

    plan, config_dir = plan_and_config(plan)

    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.fields[day]}"),
                  TimeElapsedColumn(), console=out, transient=not out.is_terminal) as bar:
        task = bar.add_task("Mùa báo cáo / season", total=1, day="")

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, day=label)

        result = run_demo(plan_id=plan, period=period, seed=seed, directory=directory.resolve(), progress=progress,
                          config_dir=config_dir)
    s = result.report_summary
    rows = [
        ("Thư nhắc đã gửi / reminders sent", result.reminders_sent),
        ("Thư trả lời nhận được / replies received", sum(result.inbound.values())),
        ("  bản nộp / submissions", result.inbound.get("submission", 0)),
        ("  trả lời tự động / auto-replies", result.inbound.get("auto-reply", 0)),
        ("  thư báo lỗi / bounces", result.inbound.get("bounce", 0)),
        ("  chờ xử lý / quarantined", result.inbound.get("quarantine", 0)),
        ("Thư xác nhận / receipts sent", result.receipts_sent),
        ("Đúng hạn / on time", f"{s.get('on_time')}/{s.get('expected')}"),
        ("Muộn / late", s.get("late")),
        ("Chưa gửi / missing", s.get("missing")),
        ("Tỷ lệ báo cáo / reporting rate", f"{s.get('submitted')}/{s.get('expected')} "
                                           f"({vn_number(s.get('reporting_rate') or 0, 1)}%)"),
    ]
    _emit([{"what": k, "count": v} for k, v in rows], Format.TABLE, [("what", "Kết quả"), ("count", "")],
          title=f"{result.plan} — kỳ {result.period}")
    out.print("Báo cáo tổng hợp / consolidated report:", markup=False, highlight=False)
    for kind, path in sorted(result.report_files.items()):
        out.print(f"  {kind}: {path}", markup=False, highlight=False)
    out.print(f"Đã gửi tới / sent to: {', '.join(result.report_sent_to)}", markup=False, highlight=False)
    out.print(f"Hộp thư của các cơ quan / agencies' mailboxes (Maildir): {result.mail_dir}", markup=False,
              highlight=False)
    out.print(f"Cơ sở dữ liệu / database: {result.data_dir / 'dondoc.sqlite3'}", markup=False, highlight=False)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def bench(ctx: typer.Context) -> None:
    """Đo hiệu năng — run the benchmarks (same options as `python -m benchmarks`: --quick, --large, --only, --pg URL, --json FILE)."""
    from benchmarks.__main__ import main as bench_main

    raise typer.Exit(bench_main(list(ctx.args)))


@app.command()
@_guarded
def status(
    now: Annotated[str | None, typer.Option(help="As of this instant (ISO or dd/mm/yyyy).")] = None,
    ahead: Annotated[int, typer.Option(help="Also show periods due within this many days.", min=0,
                                       max=3660)] = 30,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    mail: Annotated[bool, typer.Option("--mail", help="Also send this week's digest to the coordinators now "
                                                      "(once a week; the weekly deployment does it on Mondays).")] = False,
) -> None:
    """Tình hình — per plan and open period: submitted, late, overdue, not yet due; quarantine; bounces."""
    from zoneinfo import ZoneInfo

    from dondoc.status import overview

    app_ = _app()
    moment = _moment(now) or app_.now()
    today = moment.astimezone(ZoneInfo(app_.settings.timezone)).date()
    with app_.session() as session:
        state = overview(session, app_.catalog(), today, ahead)
    rows = [period.as_row() for period in state.periods]
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps({"periods": rows, "quarantined": state.quarantined, "bounced": state.bounced},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        _emit(rows, Format.TABLE, [("plan", "Kế hoạch"), ("obligation", "Nghĩa vụ"), ("period", "Kỳ"),
                                   ("last_day", "Hạn cuối"), ("submitted", "Đúng hạn"), ("late", "Muộn"),
                                   ("overdue", "Quá hạn"), ("not_due", "Chưa đến hạn"), ("excused", "Miễn")],
              title=f"Tình hình báo cáo ngày {today:%d/%m/%Y}")
        out.print(f"Thư chờ xử lý / quarantined: {state.quarantined}. Địa chỉ bị trả lại / bounced: "
                  f"{', '.join(state.bounced) or 'không có'}", markup=False, highlight=False)
    if mail:
        from dondoc.status import send_digests

        queued, sent = send_digests(app_, moment)
        err.print(f"Thư tổng hợp tuần / weekly digest: {queued} thư mới, đã gửi {sent.sent}, lỗi {sent.failed}.",
                  markup=False, highlight=False)


PART_LABELS = {"database": "cơ sở dữ liệu / database", "raw": "thư gốc / raw mail",
               "files": "tệp đính kèm / attachments", "reports": "báo cáo / reports"}


def _size(count: int) -> str:
    """A byte count for people: 812 B, 4.1 kB, 12.3 MB."""
    for unit in ("B", "kB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return ""


def _print_parts(parts, kind: str, revision: str, rows: dict[str, int]) -> None:
    for part in parts:
        if part.name == "database":
            detail = f"{kind}, lược đồ / schema {revision}, {len(rows)} bảng / tables, {sum(rows.values())} dòng / rows"
        else:
            detail = f"{part.files} tệp / files"
        out.print(f"  {PART_LABELS[part.name]}: {detail}, {_size(part.size)}", markup=False, highlight=False)


@app.command()
@_guarded
def backup(
    destination: Annotated[Path | None, typer.Argument(
        metavar="DEST", help="The archive to write, or a folder for it "
                             "(default: dondoc-backup-YYYYmmdd-HHMMSS.tar.gz in the current folder).")] = None,
) -> None:
    """Sao lưu — one .tar.gz: the database (online), raw mail, attachments, reports and a manifest (mode 0600)."""
    from dondoc.backup import create_backup

    app_ = _app()
    result = create_backup(app_.settings, destination, app_.now())
    _print_parts(result.parts, result.kind, result.revision, result.rows)
    out.print(f"Đã sao lưu / backup written: {result.path} ({_size(result.size)})", markup=False, highlight=False)


@app.command()
@_guarded
def restore(
    archive: Annotated[Path, typer.Argument(help="A backup written by `dondoc backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database and data dir that hold data.")] = False,
) -> None:
    """Khôi phục — check the archive whole, then put back the database, raw mail, attachments and reports."""
    from dondoc.backup import restore_backup

    app_ = _app()
    result = restore_backup(app_.settings, archive, force=force)
    _print_parts(result.parts, result.kind, result.revision, result.rows)
    out.print(f"Đã khôi phục / restored: {archive} (sao lưu lúc / made at {result.created_at}); số dòng mỗi bảng "
              f"khớp với manifest / row counts match the manifest", markup=False, highlight=False)


@app.command()
def doctor() -> None:
    """Kiểm tra — can this installation work? Config, database, migrations, data dir, data consistency, secrets,
    SMTP, inbox, Prefect."""
    from dondoc.doctor import run_checks
    from dondoc.settings import Settings

    try:
        settings = Settings()
    except Exception as error:  # noqa: BLE001 — a malformed DONDOC_* variable
        err.print(f"LỖI  cài đặt / settings: {' '.join(str(error).split())[:300]}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    results = run_checks(settings)
    for check in results:
        out.print(check.line(), markup=False, highlight=False, soft_wrap=True)
    failed = sum(not check.ok for check in results)
    if failed:
        err.print(f"{failed} kiểm tra không đạt / {failed} check(s) failed", markup=False, highlight=False)
        raise typer.Exit(1)


def run() -> None:
    """Console-script entry point."""
    app()


def _register_agencies() -> None:
    from dondoc.cli_agencies import agencies_app

    app.add_typer(agencies_app, name="agencies")


_register_agencies()

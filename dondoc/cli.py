"""The ``dondoc`` command: thin Typer commands over the library.

Every user mistake (bad config, unknown plan, malformed date) ends as one
line per problem on stderr and exit code 1 — never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, overload

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from dondoc import installed_version
from dondoc.db.statuses import InboundStatus, OutboxStatus
from dondoc.errors import ConfigError, DondocError, NotFound, UsageError, explain, visible
from dondoc.listing import Column, cell, to_csv, to_json

__all__ = ["app"]


class _OneLineUsage(TyperGroup):
    """Every usage error (unknown option, invalid value, missing argument) as one line on stderr, exit code 2."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(
                args, prog_name, complete_var, standalone_mode, windows_expand_args=windows_expand_args, **extra
            )
        try:
            code = super().main(
                args, prog_name, complete_var, standalone_mode=False, windows_expand_args=windows_expand_args, **extra
            )
        except typer.TyperException as error:  # click's ClickException (typer vendors click)
            context = getattr(error, "ctx", None)  # (a usage error has one; not every ClickException does)
            if type(error).__name__ == "NoArgsIsHelpError" and context is not None:
                sys.stderr.write(context.get_help() + "\n")
                sys.exit(2)
            names: list[str] = []
            while context is not None and context.parent is not None:
                names.append(context.info_name)
                context = context.parent
            where = " ".join(["dondoc", *reversed(names), "--help"])
            message = " ".join(error.format_message().replace("Value error, ", "").split())
            err.say(f"Lỗi / error: {visible(message)} ({where})", soft_wrap=True)
            sys.exit(getattr(error, "exit_code", 2))
        except typer.Abort:
            err.say("Đã dừng / aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    help="dondoc — đôn đốc báo cáo: reporting deadlines, reminders and consolidated reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_OneLineUsage,
)
plans_app = typer.Typer(help="Kế hoạch — the plans in config/.", no_args_is_help=True)
app.add_typer(plans_app, name="plans")


class _Console(Console):
    """A console that prints text as it is: control characters (ESC, CR, NUL, …) in what it is given — a reason
    typed at the prompt, a subject taken from a mail — are spelled out, never sent to the terminal."""

    def print(self, *objects, **kwargs) -> None:
        super().print(*(visible(o, keep="\n") if isinstance(o, str) else o for o in objects), **kwargs)

    def say(self, text: str, **kwargs) -> None:
        """Print ``text`` as plain words: never read as markup, nothing highlighted."""
        self.print(text, markup=False, highlight=False, **kwargs)


_MAX_ID = 2**63 - 1  # the largest id a database column holds: a bigger number is a usage error, not an overflow
out = _Console(soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
err = _Console(stderr=True, soft_wrap=True)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class Lang(StrEnum):
    VI = "vi"
    EN = "en"


def _guarded(command: Callable) -> Callable:
    """Turn a user-facing error, or a known failure around dondoc (disk full, database locked or gone), into one
    line per problem and exit code 1; any other exception is a bug and keeps its traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except ConfigError as error:
            for problem in error.problems:
                err.say(str(problem))
            err.say(
                f"Cấu hình không hợp lệ: {len(error.problems)} lỗi / invalid configuration: "
                f"{len(error.problems)} problem(s)"
            )
            raise typer.Exit(1) from None
        except DondocError as error:
            err.say(f"Lỗi / error: {visible(str(error))}")
            raise typer.Exit(2 if isinstance(error, OptionError) else 1) from None
        except Exception as error:
            fault = explain(error)
            if fault is None:
                raise
            err.say(f"Lỗi / error: {visible(str(fault))}")
            raise typer.Exit(1) from None

    return wrapper


class OptionError(UsageError):
    """An option's value cannot be read (a malformed date or time): a usage error, exit code 2."""


@overload
def _date(text: str) -> dt.date: ...
@overload
def _date(text: str | None) -> dt.date | None: ...
def _date(text: str | None) -> dt.date | None:
    """A date given as dd/mm/yyyy or yyyy-mm-dd."""
    if text is None:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise OptionError(f"'{text}' is not a date (dd/mm/yyyy or yyyy-mm-dd)")


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


def _actor() -> str:
    """Who acts from the command line, for the audit log: ``cli:<login name>``."""
    import getpass
    import os

    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name in the environment nor in the password database
        return f"cli:uid-{os.getuid()}"


def _vn(day: dt.date) -> str:
    from dondoc.workdays import WEEKDAYS_VI

    if _lang() == "en":
        return f"{day:%a} {day:%d/%m/%Y}"
    return f"{WEEKDAYS_VI[day.weekday()]} {day:%d/%m/%Y}"


# An option's choices are an enum (typer refuses anything else with one line, exit 2).
class DeadlineFilter(StrEnum):
    """``--status`` of ``dondoc deadlines``: a stored DeadlineStatus, or a state of today (overdue, not-due);
    tests/unit/test_cli_choices.py checks that the stored ones are DeadlineStatus's."""

    open = "open"
    submitted = "submitted"
    late = "late"
    excused = "excused"
    closed = "closed"
    overdue = "overdue"
    not_due = "not-due"


OutboxFilter = OutboxStatus
InboundFilter = InboundStatus


_LANG: dict[str, str | None] = {"lang": None}


def _lang() -> str:
    """The language of tables: ``--lang``, else the setting DONDOC_LANG, else Vietnamese."""
    if _LANG["lang"]:
        return _LANG["lang"]
    try:
        from dondoc.settings import Settings

        return Settings().lang
    except Exception:  # noqa: BLE001 — a malformed setting is reported by the command itself
        return "vi"


def _words(vi: str, en: str) -> str:
    return en if _lang() == "en" else vi


# The columns several tables show, headed alike in each.
_ID = Column("id", "#")
_PLAN = Column("plan", "Kế hoạch", "Plan")
_OBLIGATION = Column("obligation", "Nghĩa vụ", "Obligation")
_PERIOD = Column("period", "Kỳ", "Period")
_PERIOD_LABEL = Column("period_label", "Kỳ", "Period")
_DEADLINE = Column("deadline", "Hạn", "Deadline")
_AGENCY = Column("agency", "Cơ quan", "Agency")
_STAGE = Column("stage", "Lần nhắc", "Stage", "stage")
_RECEIVED = Column("received", "Nhận lúc", "Received", "time")
_REASON = Column("reason", "Lý do", "Reason")


def _counted(vi: str, en: str, rows: list) -> tuple[str, str]:
    """A table's title in both languages with its number of rows: ``Bản nộp (3)``."""
    return f"{vi} ({len(rows)})", f"{en} ({len(rows)})"


def _csv(rows: list[dict], keys: list[str]) -> None:
    """Print ``rows`` as CSV, every key of a row; the header ``keys`` when there is none."""
    sys.stdout.write(to_csv(rows, list(rows[0]) if rows else keys))


def _emit(rows: list[dict], fmt: Format, columns: list, title: str | tuple[str, str] | None = None) -> None:
    """Print ``rows`` as a table (``columns``: :class:`Column` or (key, heading)), JSON or CSV (every key)."""
    if fmt is Format.JSON:
        sys.stdout.write(to_json(rows))
    elif fmt is Format.CSV:
        sys.stdout.write(to_csv(rows, None if rows else [c[0] if isinstance(c, tuple) else c.key for c in columns]))
    else:
        lang = _lang()
        columns = [Column(*c) if isinstance(c, tuple) else c for c in columns]
        if isinstance(title, tuple):
            title = title[lang == "en"]
        table = Table(title=title, show_lines=False)
        for column in columns:
            table.add_column(column.heading(lang), overflow="fold")
        for row in rows:
            # Text, not str: a cell holds what mail and users wrote, never markup ("[/b]" would even crash rich)
            table.add_row(*(Text(visible(cell(row.get(c.key), c.kind, lang))) for c in columns))
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
    lang: Annotated[
        Lang | None, typer.Option("--lang", help="Language of the tables: vi (default, or DONDOC_LANG) or en.")
    ] = None,
) -> None:
    """dondoc — đôn đốc báo cáo."""
    _LANG["lang"] = lang.value if lang else None


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
    from dondoc.config import config_reviews, load_catalog

    catalog = load_catalog(config_dir, plan_files)
    out.say(
        f"Cấu hình hợp lệ / configuration valid: {len(catalog.plans)} kế hoạch (plans), "
        f"{len(catalog.directory.agencies)} cơ quan (agencies), {len(catalog.directory.groups)} nhóm (groups), "
        f"{len(catalog.calendar_years)} năm lịch (calendar years)"
    )
    reviews = config_reviews(config_dir, plan_files)
    if reviews:
        out.say(
            f"Còn {sum(map(len, reviews.values()))} điểm cần xem lại (# REVIEW:) trong {len(reviews)} tệp / "
            f"review points left in {len(reviews)} file(s): "
            + ", ".join(f"{path.name} {len(points)}" for path, points in reviews.items())
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
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="List the review points (of a plan's fresh draft, or left "
            "in a saved draft .yaml) and exit 1 while any remains.",
        ),
    ] = False,
) -> None:
    """Nhập kế hoạch — draft a plan's YAML from its text, for review (quotes, confidence, # REVIEW)."""
    from dondoc.config import load_areas
    from dondoc.importer import import_plan, pending_reviews
    from dondoc.model import Level
    from dondoc.settings import Settings

    if check and file.suffix.lower() in (".yaml", ".yml"):
        try:
            saved = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"{file}: không đọc được / cannot read ({type(error).__name__})") from None
        _report_reviews(pending_reviews(saved), str(file))
        return

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
    if output is not None:
        try:  # config/plans/ of a configuration that has no plan yet: made here
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{output}: cannot write ({error.strerror})") from None
    elif not check:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    reviews = (
        sum(len(o.review) for o in draft.obligations) + sum(len(t.review) for t in draft.targets) + len(draft.review)
    )
    err.say(
        f"{len(draft.obligations)} nghĩa vụ báo cáo (obligations), {len(draft.targets)} chỉ tiêu (targets), "
        f"{len(draft.new_agencies)} cơ quan mới (new agencies), {reviews} điểm cần xem lại (to review)"
        + (f" → {output}" if output else "")
    )
    if check:
        _report_reviews(draft.review_points(), str(file))


def _report_reviews(points: list[str], source: str) -> None:
    """Print each review point on stdout; exit 1 while any remains."""
    for point in points:
        sys.stdout.write(f"REVIEW: {point}\n")
    if points:
        err.say(f"{source}: còn {len(points)} điểm cần xem lại / {len(points)} review point(s) left")
        raise typer.Exit(1)
    err.say(f"{source}: không còn điểm cần xem lại / no review point left")


@plans_app.command("list")
@_guarded
def plans_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Danh sách kế hoạch — list the plans."""
    catalog = _app().catalog()
    rows = [
        dict(
            id=p.id,
            number=p.number,
            title=p.title,
            issued=p.issued,
            valid_start=p.valid.start,
            valid_end=p.valid.end,
            obligations=len(p.obligations),
            targets=len(p.targets),
            source=p.source.file,
        )
        for p in catalog.plans.values()
    ]
    _emit(
        rows,
        fmt,
        [
            Column("id", "Mã", "Id"),
            Column("number", "Số", "Number"),
            Column("title", "Tên kế hoạch", "Title"),
            Column("issued", "Ngày ban hành", "Issued", "date"),
            Column("valid_start", "Từ", "From", "date"),
            Column("valid_end", "Đến", "To", "date"),
            Column("obligations", "Nghĩa vụ BC", "Obligations"),
            Column("targets", "Chỉ tiêu", "Targets"),
        ],
        title=("Kế hoạch", "Plans"),
    )


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
    if fmt is Format.JSON:
        sys.stdout.write(json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    names = catalog.directory.agencies
    rows = []
    for o in plan.obligations:
        due = o.schedule.due
        if isinstance(due, dict):
            dates = [f"{_words(PART_WORDS[k][0], PART_WORDS[k][1])} {v}" for k, v in due.items()]
        elif due is not None:
            dates = [str(due)]
        elif o.schedule.day is not None:
            dates = [
                _words(f"ngày {o.schedule.day}", f"day {o.schedule.day}")
                + (f", +{o.schedule.months_after} " + _words("tháng", "month(s)") if o.schedule.months_after else "")
            ]
        else:
            dates = []
        rows.append(
            dict(
                item="obligation",
                id=o.id,
                title=o.title,
                kind=str(o.kind),
                reporters=list(o.reporters),
                recipients=[a for a in (o.recipient, *o.also_to)],
                via=o.via,
                every=str(o.schedule.every),
                dates=dates,
                rule=str(o.rule),
                assumed=o.schedule.assumed,
                consolidates=list(o.consolidates),
            )
        )
    targets = [
        dict(
            item="target",
            id=t.id,
            title=t.text,
            goal=_goal_words(t),
            unit=str(t.unit),
            lead=t.lead,
            partners=list(t.partners),
        )
        for t in plan.targets
    ]
    if fmt is Format.CSV:
        sys.stdout.write(to_csv(rows + targets))
        return
    out.print(f"[bold]{escape(plan.title)}[/bold] ({plan.id}{', ' + escape(plan.number) if plan.number else ''})")
    out.say(
        _words("Hiệu lực", "In force") + f": {plan.valid.start:%d/%m/%Y} – "
        f"{plan.valid.end.strftime('%d/%m/%Y') if plan.valid.end else '…'}; "
        + _words("nguồn", "source")
        + f": {plan.source.file}"
    )
    for row in rows:
        row["to"] = ", ".join(names[a].short or names[a].name for a in row["recipients"]) + (
            f" ({_words('qua', 'via')} {names[row['via']].short or names[row['via']].name})" if row["via"] else ""
        )
        row["when"] = (
            cell(row["every"], "every", _lang())
            + (": " + ", ".join(row["dates"]) if row["dates"] else "")
            + (
                f" ({cell(row['rule'], 'rule', _lang())})"
                if row["dates"]
                else _words(" (mở thủ công)", " (opened by hand)")
            )
            + (" *" if row["assumed"] else "")
        )
    _emit(
        rows,
        Format.TABLE,
        [
            Column("id", "Nghĩa vụ", "Obligation"),
            Column("kind", "Loại", "Kind", "obligation"),
            Column("reporters", "Đơn vị báo cáo", "Reporters", "list"),
            Column("to", "Gửi", "To"),
            Column("when", "Thời hạn", "When"),
            Column("consolidates", "Tổng hợp từ", "Consolidates", "list"),
        ],
        title=("Chế độ báo cáo", "Reporting"),
    )
    if any(o.schedule.assumed for o in plan.obligations):
        out.say(
            _words(
                "* Kế hoạch không ghi ngày; đây là ngày mặc định của dondoc.",
                "* The plan writes no date: this is dondoc's default.",
            )
        )
    if targets:
        _emit(
            targets,
            Format.TABLE,
            [
                Column("id", "Chỉ tiêu", "Target"),
                Column("title", "Nội dung", "Text"),
                Column("goal", "Mục tiêu", "Goal"),
                Column("unit", "Đơn vị", "Unit", "unit"),
                Column("lead", "Chủ trì", "Lead"),
            ],
            title=("Chỉ tiêu", "Targets"),
        )


PART_WORDS = {
    "H1": ("báo cáo 6 tháng", "6-month report"),
    "H2": ("báo cáo 6 tháng cuối năm", "second-half report"),
    "Y": ("báo cáo năm", "annual report"),
}


def _goal_words(target) -> str:
    """``≥ 95%``: a target's goal with its unit."""
    from dondoc.documents.report import _goal

    if target.goal is None:
        return ""
    return _goal(
        f"{ {'>=': '≥', '<=': '≤'}.get(target.goal.op, target.goal.op) } {target.goal.value:g}", str(target.unit)
    )


@app.command()
@_guarded
def sync(
    now: Annotated[str | None, typer.Option(help="Pretend it is this instant (ISO date-time or dd/mm/yyyy).")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Đồng bộ — load config/ and materialise deadlines in the database (idempotent)."""
    from dondoc.operations import deadlines as ops

    result = ops.sync(_app(), now=_moment(now))
    report, preview = result.report, result.next_chase
    kinds = sorted({*report.created, *report.updated, *report.retired})
    rows = [
        dict(
            kind=k, created=report.created.get(k, 0), updated=report.updated.get(k, 0), retired=report.retired.get(k, 0)
        )
        for k in kinds
    ]
    if fmt is Format.JSON:
        sys.stdout.write(to_json({**report.as_dict(), "next_chase": preview.as_dict() if preview else None}))
        return
    if fmt is Format.CSV:
        sys.stdout.write(to_csv(rows, ["kind", "created", "updated", "retired"]))
        return
    words = {
        "agency": ("Cơ quan", "agencies"),
        "contacts": ("Địa chỉ liên hệ", "contacts"),
        "plan": ("Kế hoạch", "plans"),
        "obligation": ("Nghĩa vụ báo cáo", "obligations"),
        "target": ("Chỉ tiêu", "targets"),
        "deadlines": ("Hạn báo cáo", "deadlines"),
    }
    for row in rows:
        row["kind"] = _words(*words[row["kind"]]) if row["kind"] in words else row["kind"]
    _emit(
        rows,
        Format.TABLE,
        [
            Column("kind", "Loại", "Kind"),
            Column("created", "Thêm mới", "Created"),
            Column("updated", "Cập nhật", "Updated"),
            Column("retired", "Ngừng", "Retired"),
        ],
        title=("Đồng bộ", "Sync"),
    )
    out.say(
        f"{report.deadlines_total} hạn báo cáo theo cấu hình (deadlines in config); "
        f"{report.deadlines_left_closed} đã đóng, giữ nguyên (closed, left as they are); "
        f"{'có thay đổi' if report.changed else 'không có thay đổi (nothing changed)'}."
    )
    for line in _preview_lines(preview) if preview else []:
        out.say(line)


def _preview_lines(preview, shown: int = 12) -> list[str]:
    """What the next chase would send, by period (the first ``shown``), and how many overdue deadlines it leaves."""
    at = f"{_vn(preview.at.date())} {preview.at:%H:%M}"
    lines = [
        f"Lần đôn đốc tới ({at}) sẽ gửi {preview.total} thư nhắc / the next chase would send "
        f"{preview.total} reminder(s){':' if preview.total else '.'}"
    ]
    lines += [
        f"  {p['plan']} {p['obligation']} {p['label']} (hạn {p['last_day']:%d/%m/%Y}): {p['count']}"
        for p in preview.reminders[:shown]
    ]
    if len(preview.reminders) > shown:
        lines.append(
            f"  … và {len(preview.reminders) - shown} kỳ khác / and {len(preview.reminders) - shown} "
            "more period(s) — `dondoc chase --dry-run` lists them"
        )
    if preview.unchased:
        first = min(p["last_day"] for p in preview.unchased)
        last = max(p["last_day"] for p in preview.unchased)
        lines.append(
            f"Quá hạn lâu, không nhắc tự động / long overdue, not chased automatically: "
            f"{preview.total_unchased} hạn báo cáo (deadlines) của {len(preview.unchased)} kỳ (periods), "
            f"hạn cuối từ {first:%d/%m/%Y} đến {last:%d/%m/%Y} — xem / see `dondoc status`."
        )
    return lines


@app.command()
@_guarded
def deadlines(
    plan: Annotated[str | None, typer.Option(help="Plan id, e.g. bp-2021.")] = None,
    obligation: Annotated[str | None, typer.Option(help="Obligation id within the plan.")] = None,
    agency: Annotated[str | None, typer.Option(help="Agency id, e.g. bp.so-y-te.")] = None,
    period: Annotated[str | None, typer.Option(help="Period key: 2021-H1, 2021, 2021-Q2, 2021-07, once.")] = None,
    status: Annotated[
        DeadlineFilter | None,
        typer.Option(
            help="A stored status (open, submitted, late, excused, closed, …) or a state of today: overdue, not-due."
        ),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="Last day on or after (dd/mm/yyyy).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Last day on or before (dd/mm/yyyy).")] = None,
    now: Annotated[
        str | None, typer.Option(help="As of this instant, for overdue/not-due (ISO or dd/mm/yyyy).")
    ] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hạn báo cáo — list deadlines (run `dondoc sync` first)."""
    from zoneinfo import ZoneInfo

    from dondoc.chase import effective_last_day
    from dondoc.db.tables import DeadlineStatus
    from dondoc.operations import listings
    from dondoc.vocabulary import deadline_state

    start, end = _date(date_from), _date(date_to)
    app_ = _app()
    today = (_moment(now) or app_.now()).astimezone(ZoneInfo(app_.settings.timezone)).date()
    derived = status.value if status in (DeadlineFilter.overdue, DeadlineFilter.not_due) else None
    found = listings.deadlines(
        app_,
        plan=plan,
        obligation=obligation,
        agency=agency,
        period=period,
        status=DeadlineStatus.OPEN if derived else (status.value if status else None),
        date_from=start,
        date_to=end,
    )
    rows: list[dict[str, Any]] = []
    for d, name in ((f.deadline, f.name) for f in found):
        state = deadline_state(d.status, effective_last_day(d), today)
        if derived and state != derived:
            continue
        rows.append(
            dict(
                id=d.id,
                plan=d.plan_id,
                obligation=d.obligation_id,
                agency=d.agency_id,
                agency_name=name,
                period=d.period_key,
                period_label=d.period_label,
                written_date=d.written_date,
                rule=d.rule,
                last_day=d.last_day,
                extended_to=d.extended_to,
                status=d.status,
                state=state,
                succeeds=d.succeeds.split(",") if d.succeeds else [],
                reason=d.status_reason,
            )
        )
    if fmt is Format.TABLE:
        for row in rows:
            row["last_day_vn"] = _vn(row["extended_to"] or row["last_day"])
            row["written_vn"] = f"{cell(row['rule'], 'rule', _lang())} {row['written_date']:%d/%m/%Y}"
        columns = [
            _ID,
            _OBLIGATION,
            Column("agency_name", "Cơ quan", "Agency"),
            _PERIOD_LABEL,
            Column("written_vn", "Kế hoạch ghi", "Plan says"),
            Column("last_day_vn", "Hạn cuối", "Last day"),
            Column("state", "Trạng thái", "State", "state"),
        ]
        if any(row["status"] == "excused" and row["reason"] for row in rows):
            columns.append(_REASON)
        _emit(rows, fmt, columns, title=_counted("Hạn báo cáo", "Deadlines", rows))
    else:
        _emit(rows, fmt, [])


@app.command("calendar")
@_guarded
def calendar_(
    year: Annotated[int, typer.Argument(help="The year, e.g. 2021.", min=1900, max=2200)],
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Lịch làm việc — the working-day calendar of a year: holidays, days off, swap days."""
    from dondoc.workdays import WorkCalendar

    catalog = _app().catalog()
    if year not in catalog.calendar_years:
        err.say(f"Chú ý / note: no config/calendar/{year}.yaml — only public holidays and weekends are known.")
    calendar = WorkCalendar(catalog.calendar_years.values())
    days = calendar.year(year)
    if fmt is not Format.TABLE:
        _emit(
            [dict(date=d.isoformat(), working=off is None, reason=off or swap or "") for d, off, swap in days], fmt, []
        )
        return
    special = [
        dict(date=_vn(d), kind=_words("Nghỉ", "day off") if off else _words("Làm bù", "worked"), reason=off or swap)
        for d, off, swap in days
        if (off and d.weekday() < 5) or swap
    ]
    _emit(
        special,
        Format.TABLE,
        [Column("date", "Ngày", "Day"), Column("kind", "Loại", "Kind"), _REASON],
        title=(f"Ngày nghỉ lễ và làm bù năm {year}", f"Days off and swap days {year}"),
    )
    months: list[dict[str, Any]] = [
        dict(month=f"{m:02d}/{year}", working=sum(1 for d, off, _ in days if d.month == m and off is None))
        for m in range(1, 13)
    ]
    _emit(months, Format.TABLE, [Column("month", "Tháng", "Month"), Column("working", "Ngày làm việc", "Working days")])
    out.say(_words("Tổng số ngày làm việc", "Working days") + f": {sum(m['working'] for m in months)}")


def _chase_report(report, fmt: Format) -> None:
    rows = [
        dict(
            deadline=p.deadline,
            agency=p.agency,
            period=p.period,
            stage=p.stage,
            escalate=p.escalate,
            to=list(p.to),
            subject=p.subject,
        )
        for p in report.planned
    ]
    skipped = [
        dict(deadline=x["deadline"], agency=x["agency"], stage=x["stage"], reason=x["reason"]) for x in report.skipped
    ]
    if fmt is Format.JSON:
        sys.stdout.write(
            to_json(
                {
                    "summary": report.as_dict(),
                    "reminders": rows,
                    "skipped": skipped,
                    "problems": report.problems(),
                    **({"samples": report.samples} if report.samples else {}),
                }
            )
        )
        return
    if fmt is Format.CSV:
        _csv(rows, ["deadline", "agency", "period", "stage", "escalate", "to", "subject"])
        return
    _emit(
        rows,
        Format.TABLE,
        [
            _DEADLINE,
            _AGENCY,
            _PERIOD,
            _STAGE,
            Column("escalate", "Đồng gửi lãnh đạo", "Heads copied"),
            Column("to", "Gửi tới", "To", "list"),
        ],
        title=_counted("Thư nhắc", "Reminders", rows),
    )
    if skipped:
        _emit(
            skipped,
            Format.TABLE,
            [
                _DEADLINE,
                _AGENCY,
                _REASON,
            ],
            title=("Không gửi được", "Skipped"),
        )
    for sample in report.samples:
        out.say(
            f"\n── Thư mẫu / sample: lần nhắc {sample['stage']} (hạn #{sample['deadline']}) ──\n"
            f"Gửi tới / to: {sample['to']}\n"
            + (f"Đồng gửi / cc: {sample['cc']}\n" if sample["cc"] else "")
            + f"Tiêu đề / subject: {sample['subject']}\n\n{sample['text'].rstrip()}\n",
            soft_wrap=True,
        )
    summary = report.as_dict()
    out.say(
        _words(
            f"Đã xếp hàng {summary['queued']}, đã gửi {summary['sent']}, lỗi {summary['failed']}, "
            f"thử lại sau {summary['retrying']}, khôi phục {summary['recovered']}.",
            f"Queued {summary['queued']}, sent {summary['sent']}, failed {summary['failed']}, "
            f"retrying {summary['retrying']}, recovered {summary['recovered']}.",
        )
    )
    for line in report.problems():
        out.say(line, soft_wrap=True)


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
    from dondoc.chase_report import ChaseFilter
    from dondoc.operations import chasing

    only = ChaseFilter(plan=plan, obligation=obligation, period=period, agency=agency)
    # nothing to do (docs/chasing.md): answered before the configuration and the database layer are loaded
    idle = chasing.idle_chase(_moment(now)) if only == ChaseFilter() and not dry_run else None
    if idle is not None:
        _LANG["lang"] = _LANG["lang"] or idle.lang
        _chase_report(idle.report, fmt)
        return
    _chase_report(chasing.chase(_app(), now=_moment(now), dry_run=dry_run, only=only), fmt)


@app.command()
@_guarded
def remind(
    agency: Annotated[str, typer.Argument(help="The agency id.")],
    deadline: Annotated[int, typer.Option(help="The deadline id (see `dondoc deadlines`).", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why now (kept in the audit log, shown on the deadline's history).")],
    now: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Nhắc ngay — send one reminder for a deadline now, outside the schedule."""
    from dondoc.operations import chasing

    report = chasing.remind(_app(), agency, deadline, reason=reason, actor=_actor(), now=_moment(now))
    _chase_report(report, fmt)


@app.command()
@_guarded
def outbox(
    status: Annotated[OutboxFilter | None, typer.Option(help="pending, sending, sent or failed.")] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hộp thư đi — the outbox: what was queued, sent, failed and why."""
    from dondoc.operations import listings

    rows = [
        dict(
            id=o.id,
            kind=o.kind,
            deadline=o.deadline_id,
            agency=a.id if a else None,
            stage=o.stage,
            status=o.status,
            attempts=o.attempts,
            created_at=o.created_at,
            sent_at=o.sent_at,
            error=o.last_error,
            recipients=list(o.recipients),
            subject=o.subject,
            message_id=o.message_id,
        )
        for o, a in listings.outbox(_app(), status=status.value if status else None)
    ]
    _emit(
        rows,
        fmt,
        [
            _ID,
            Column("kind", "Loại thư", "Mail", "mail"),
            _DEADLINE,
            _AGENCY,
            _STAGE,
            Column("status", "Trạng thái", "Status", "outbox"),
            Column("sent_at", "Gửi lúc", "Sent", "time"),
            Column("attempts", "Lần thử", "Attempts"),
            Column("error", "Lỗi", "Error"),
        ],
        title=_counted("Hộp thư đi", "Outbox", rows),
    )


@app.command()
@_guarded
def pause(
    agency: Annotated[str, typer.Argument(help="The agency id.")],
    until: Annotated[str, typer.Option(help="Last day of the pause (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option(help="Why (kept with the pause).")],
) -> None:
    """Tạm dừng nhắc — no reminder to an agency until a date."""
    from dondoc.operations import deadlines as ops

    row = ops.pause(_app(), agency, until=_date(until), reason=reason, actor=_actor())
    out.say(f"Tạm dừng nhắc {agency} đến hết {row.until:%d/%m/%Y}: {row.reason}")


@app.command()
@_guarded
def extend(
    deadline: Annotated[int, typer.Argument(help="The deadline id.", min=1, max=_MAX_ID)],
    to: Annotated[str, typer.Option("--to", help="The new last day (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option(help="Why (quoted in later reminders).")],
) -> None:
    """Gia hạn — move a deadline's last day; later reminders give the reason."""
    from dondoc.operations import deadlines as ops

    row = ops.extend(_app(), deadline, to=_date(to), reason=reason, actor=_actor())
    out.say(
        f"Gia hạn hạn {row.id} ({row.agency_id}, {row.period_label}) đến {row.extended_to:%d/%m/%Y}: "
        f"{row.extension_reason}"
    )


@app.command()
@_guarded
def excuse(
    deadline: Annotated[int, typer.Argument(help="The deadline id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why the agency no longer owes it.")],
) -> None:
    """Miễn báo cáo — the agency no longer owes this report; no more reminders."""
    from dondoc.operations import deadlines as ops

    row = ops.excuse(_app(), deadline, reason=reason, actor=_actor())
    out.say(f"Miễn báo cáo hạn {row.id} ({row.agency_id}, {row.period_label}): {row.status_reason}")


@app.command()
@_guarded
def ingest(
    now: Annotated[str | None, typer.Option(help="Pretend it is this instant (ISO or dd/mm/yyyy).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many messages.", min=1, max=1_000_000)] = 1000,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Nhận báo cáo — take in replies from the inbox, record submissions, send receipts."""
    from dondoc.operations import replies

    report = replies.ingest(_app(), now=_moment(now), limit=limit)
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2) + "\n")
        return
    intake_words = {
        "fetched": ("Thư đã lấy về", "fetched"),
        "stored": ("Thư đã lưu", "stored"),
        "duplicates": ("Thư trùng", "duplicates"),
        "already_taken": ("Đã nhận từ trước", "already taken"),
        "left_at_source": ("Để lại ở hộp thư nguồn", "left at source"),
        "before_since": ("Trước ngày bắt đầu nhận", "before the start date"),
        "waiting": ("Chờ lần sau", "waiting"),
        "vanished": ("Đã bị chuyển/xoá", "vanished"),
        "receipts": ("Thư xác nhận", "receipts"),
    }
    _emit(
        [
            {"what": _words(*intake_words[k]) if k in intake_words else cell(k, "inbound", _lang()), "count": v}
            for k, v in report.as_dict().items()
        ],
        Format.TABLE,
        [Column("what", "Loại", "Kind"), Column("count", "Số thư", "Messages")],
        title=("Nhận báo cáo", "Intake"),
    )
    for line in report.notices():
        out.say(line, soft_wrap=True)


@app.command()
@_guarded
def inbox(
    status: Annotated[
        InboundFilter | None,
        typer.Option(help="new, submission, request, held, confirmation, auto-reply, bounce, quarantine, rejected."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=1_000_000)] = 50,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Hộp thư đến — recent inbound mail: class, match, reason."""
    _inbound(status.value if status else None, limit, fmt, ("Hộp thư đến", "Inbox"))


def _inbound(status: str | None, limit: int, fmt: Format, title: tuple[str, str]) -> None:
    from dondoc.operations import listings

    rows = listings.inbound(_app(), status=status, limit=limit)
    if fmt is Format.TABLE:
        rows = [{**row, "received": dt.datetime.fromisoformat(row["received"])} for row in rows]
    _emit(
        rows,
        fmt,
        [
            _ID,
            _RECEIVED,
            Column("sender", "Người gửi", "From"),
            Column("subject", "Tiêu đề", "Subject"),
            Column("class", "Phân loại", "Class", "inbound"),
            _DEADLINE,
            Column("match_method", "Khớp theo", "Matched by"),
            _REASON,
        ],
        title=_counted(*title, rows),
    )


quarantine_app = typer.Typer(help="Thư chờ xử lý — mail that could not be matched safely.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")


@quarantine_app.command("list")
@_guarded
def quarantine_list(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Thư chờ xử lý — the quarantined messages, with the reason each is there."""
    _inbound("quarantine", 1000, fmt, ("Thư chờ xử lý", "Quarantine"))


@quarantine_app.command("show")
@_guarded
def quarantine_show(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
) -> None:
    """One quarantined message: headers, text and attachments, as dondoc read it."""
    from dondoc.mail.parse import Unparseable, parse_message
    from dondoc.operations import listings

    app_ = _app()
    row = listings.inbound_message(app_, message)
    out.say(f"#{row.id} {row.status}: {row.reason or ''}")
    try:
        mail = parse_message((app_.settings.data_dir / row.path).read_bytes())
    except Unparseable as error:
        out.say(f"(cannot be read: {error})")
        return
    shown = (
        f"From: {mail.from_name} <{mail.from_address}>\nSubject: {mail.subject}\n"
        f"Attachments: {', '.join(a.filename for a in mail.attachments) or '-'}\n\n{mail.text[:4000]}"
    )
    # hostile mail must not drive the coordinator's terminal: no escape or other control characters
    out.say("".join(c for c in shown if c in "\n\t" or (c.isprintable())))


@quarantine_app.command("assign")
@_guarded
def quarantine_assign(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
    deadline: Annotated[int, typer.Argument(help="The deadline it belongs to.", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Record a quarantined message as a submission for a deadline (sends the receipt)."""
    from dondoc.operations import replies

    submission = replies.assign(_app(), message, deadline, actor=_actor(), now=_moment(now))
    out.say(f"Thư #{message} → hạn {deadline}: bản nộp {submission.id} (lần {submission.version}).")


@quarantine_app.command("reject")
@_guarded
def quarantine_reject(
    message: Annotated[int, typer.Argument(help="The inbound message id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="Why it is not a report.")] = "không phải báo cáo",
) -> None:
    """Close a quarantined message as not a report (it is kept)."""
    from dondoc.operations import replies

    replies.reject(_app(), message, reason=reason, actor=_actor())
    out.say(f"Thư #{message}: đã loại ({reason}).")


@app.command()
@_guarded
def submissions(
    plan: Annotated[str | None, typer.Option()] = None,
    period: Annotated[str | None, typer.Option()] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Bản nộp — the submissions received, every version."""
    from dondoc.operations import listings

    rows = [
        dict(
            id=s.id,
            deadline=d.id,
            agency=d.agency_id,
            period=d.period_key,
            version=s.version,
            received=s.received_at,
            on_time=s.on_time,
            status=s.status,
            figures=len([k for k in s.form_values if not k.startswith("_")]),
            problems=list(s.form_problems),
            no_report=s.no_report,
        )
        for s, d in listings.submissions(_app(), plan=plan, period=period, agency=agency)
    ]
    for row in rows:
        row["timely"] = "on-time" if row["on_time"] else "late"
    _emit(
        rows,
        fmt,
        [
            _ID,
            _DEADLINE,
            _AGENCY,
            _PERIOD,
            Column("version", "Lần", "Version"),
            _RECEIVED,
            Column("timely", "Thời hạn", "Timely", "state"),
            Column("status", "Trạng thái", "Status", "submission"),
            Column("figures", "Số chỉ tiêu", "Figures"),
            Column("problems", "Cần xem lại", "To check", "list"),
        ],
        title=_counted("Bản nộp", "Submissions", rows),
    )


@app.command("return")
@_guarded
def return_(
    submission: Annotated[int, typer.Argument(help="The submission id.", min=1, max=_MAX_ID)],
    reason: Annotated[str, typer.Option(help="What to complete (sent to the agency).")],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Trả lại — return a submission for completion: the deadline re-opens and chasing resumes."""
    from dondoc.operations import replies

    row = replies.return_submission(_app(), submission, reason=reason, actor=_actor(), now=_moment(now))
    out.say(f"Đã trả lại bản nộp {row.id}: {row.returned_reason}")


@app.command()
@_guarded
def requests(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Đề nghị — agencies' requests for more time and questions."""
    from dondoc.operations import listings

    rows = [
        dict(
            id=r.id,
            deadline=d.id,
            agency=d.agency_id,
            kind=r.kind,
            status=r.status,
            created_at=r.created_at,
            text=r.text[:300],
        )
        for r, d in listings.requests(_app())
    ]
    _emit(
        rows,
        fmt,
        [
            _ID,
            _DEADLINE,
            _AGENCY,
            Column("kind", "Loại", "Kind", "request"),
            Column("status", "Trạng thái", "Status", "request"),
            Column("created_at", "Nhận lúc", "Received", "time"),
            Column("text", "Nội dung", "Text"),
        ],
        title=_counted("Đề nghị", "Requests", rows),
    )


@app.command()
@_guarded
def grant(
    request: Annotated[int, typer.Argument(help="The request id.", min=1, max=_MAX_ID)],
    to: Annotated[str, typer.Option("--to", help="The new last day (dd/mm/yyyy).")],
    reason: Annotated[str, typer.Option()] = "Đồng ý đề nghị gia hạn của cơ quan",
) -> None:
    """Gia hạn theo đề nghị — grant a request for more time (extends the deadline)."""
    from dondoc.operations import replies

    row = replies.grant(_app(), request, to=_date(to), reason=reason, actor=_actor())
    out.say(f"Đề nghị {row.id}: đã gia hạn hạn {row.deadline_id} đến {to}.")


report_app = typer.Typer(help="Báo cáo tổng hợp — the consolidated report.", no_args_is_help=True)
app.add_typer(report_app, name="report")


@report_app.command("build")
@_guarded
def report_build(
    plan: Annotated[str, typer.Argument(help="Plan id, e.g. bp-2021.")],
    obligation: Annotated[str, typer.Option(help="The consolidating obligation, e.g. tong-hop.")],
    period: Annotated[str, typer.Option(help="Period key, e.g. 2021-H1 or 2021.")],
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the files (default: data dir/reports).")
    ] = None,
    now: Annotated[str | None, typer.Option()] = None,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
) -> None:
    """Tổng hợp — build the consolidated report (.docx, .xlsx, .html) as a draft to approve."""
    from dondoc.operations import reports as ops

    built = ops.build(_app(), plan, obligation=obligation, period=period, out_dir=out_dir, now=_moment(now))
    row, data = built.row, built.data
    files = {kind: str(path) for kind, path in built.files.items()}
    result = {"report": row.id, "revision": row.revision, "status": row.status, **row.summary, "files": files}
    if fmt is not Format.TABLE:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    from dondoc.vocabulary import percent, report_title

    out.say(
        _words(
            f"Báo cáo #{row.id} (bản {row.revision}, {cell(row.status, 'report', 'vi')}): "
            f"{report_title(data.obligation_title, data.period_label)}\n"
            f"Tỷ lệ báo cáo {data.submitted}/{data.expected} ({percent(data.reporting_rate)}), đúng hạn "
            f"{data.on_time}/{data.expected} ({percent(data.timeliness_rate)}), chưa gửi {data.missing}, "
            f"được miễn {data.excused}",
            f"Report #{row.id} (revision {row.revision}, {row.status}): "
            f"{report_title(data.obligation_title, data.period_label)}\n"
            f"Reporting rate {data.submitted}/{data.expected} ({percent(data.reporting_rate)}), on time "
            f"{data.on_time}/{data.expected} ({percent(data.timeliness_rate)}), missing {data.missing}, "
            f"excused {data.excused}",
        )
        + "\n"
        + _words(
            "Mẫu số: các cơ quan, đơn vị còn tồn tại ngày cuối kỳ hoặc ngày hạn (cơ quan tiếp nhận "
            f"nhiệm vụ tính một lần), trừ {data.excused} được miễn",
            "Denominator: the agencies that exist on the period's last day or the deadline (an "
            f"agency that took over a function counted once), less {data.excused} excused",
        )
    )
    for kind, path in files.items():
        out.say(f"  {kind}: {path}")


@report_app.command("approve")
@_guarded
def report_approve(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    by: Annotated[
        str,
        typer.Option(
            help="Who approves and signs: a signer of the coordinating agency "
            "(config/agencies `signers`: id, name or title)."
        ),
    ],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Duyệt — approve a draft report; the signer's title and name go into its signature block."""
    from dondoc.operations import reports as ops

    row = ops.approve(_app(), report, by=by, actor=_actor(), now=_moment(now))
    out.say(f"Báo cáo #{row.id} đã được duyệt ({row.approved_by}).")
    _answer_paused_run(row, {"approve": True, "by": by})


def _answer_paused_run(row, answer: dict) -> None:
    """Give the same answer to a compile-report run paused for this report, if a Prefect server is configured."""
    from dondoc.operations import files

    try:
        resumed = files.answer_paused_run(row.plan_id, row.obligation_id, row.period_key, answer)
    except Exception as error:  # noqa: BLE001 — the database answer stands; say why the run was not resumed
        err.say(
            f"Cảnh báo / warning: không tiếp tục được lượt chạy đang chờ duyệt ({type(error).__name__}: "
            f"{' '.join(str(error).split())[:200]})"
        )
        return
    for run_id in resumed:
        out.say(f"Đã trả lời lượt chạy compile-report {run_id} đang chờ duyệt.")


@report_app.command("reject")
@_guarded
def report_reject(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    comment: Annotated[str, typer.Option(help="What to change before it is built again.")],
) -> None:
    """Không duyệt — reject a draft report with a comment (build it again after the changes)."""
    from dondoc.operations import reports as ops

    row = ops.reject(_app(), report, comment=comment, actor=_actor())
    out.say(f"Báo cáo #{row.id}: không duyệt ({comment}).")
    _answer_paused_run(row, {"approve": False, "comment": comment})


@report_app.command("send")
@_guarded
def report_send(
    report: Annotated[int, typer.Argument(help="The report id.", min=1, max=_MAX_ID)],
    now: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Gửi — send an approved report to the recipients of its obligation (closes the coordinator's deadline)."""
    from dondoc.operations import reports as ops

    done = ops.send(_app(), report, actor=_actor(), now=_moment(now))
    row, sent = done.row, done.mails
    out.say(f"Báo cáo #{row.id}: đã gửi ({sent.sent} thư; lỗi {sent.failed}).")


@app.command()
@_guarded
def reports(fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE) -> None:
    """Danh sách báo cáo tổng hợp — compiled reports and their state."""
    from dondoc.operations import reports as ops

    rows = [
        dict(
            id=r.id,
            plan=r.plan_id,
            obligation=r.obligation_id,
            period=r.period_key,
            revision=r.revision,
            status=r.status,
            reporting_rate=r.summary.get("reporting_rate"),
            timeliness_rate=r.summary.get("timeliness_rate"),
            compiled_at=r.compiled_at,
            approved_by=r.approved_by,
            note=r.summary.get("rejected"),
            files={k: str(v) for k, v in listed.files.items()},
        )
        for listed in ops.listing(_app())
        for r in (listed.row,)
    ]
    _emit(
        rows,
        fmt,
        [
            _ID,
            _PLAN,
            _OBLIGATION,
            _PERIOD,
            Column("revision", "Bản", "Revision"),
            Column("status", "Trạng thái", "Status", "report"),
            Column("reporting_rate", "Tỷ lệ báo cáo", "Reporting rate", "percent"),
            Column("timeliness_rate", "Tỷ lệ đúng hạn", "Timeliness", "percent"),
            Column("compiled_at", "Tổng hợp lúc", "Compiled", "time"),
            Column("approved_by", "Người duyệt", "Approved by"),
            Column("note", "Ghi chú", "Note"),
        ],
        title=_counted("Báo cáo tổng hợp", "Consolidated reports", rows),
    )


@app.command()
@_guarded
def demo(
    plan: Annotated[
        str,
        typer.Option(
            help="The plan to play: a plan id, or a plan file of another configuration "
            "(config/examples/dong-nai-2026/plans/dn-tre-em-2026.yaml)."
        ),
    ] = "bp-2021",
    period: Annotated[str | None, typer.Option(help="Period key (default: the plan's first).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the simulated agencies (deterministic).")] = 1,
    directory: Annotated[Path, typer.Option("--dir", help="Where to put the database, mailboxes, reports.")] = Path(
        "dondoc-demo"
    ),
) -> None:
    """Chạy thử — play a whole reporting season of a seed plan, everything embedded (SQLite, SMTP, Maildir)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dondoc.demo import plan_and_config, run_demo
    from dondoc.documents.report import vn_number

    plan, config_dir = plan_and_config(plan)

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[day]}"),
        TimeElapsedColumn(),
        console=out,
        transient=not out.is_terminal,
    ) as bar:
        task = bar.add_task("Mùa báo cáo / season", total=1, day="")

        def progress(done: int, total: int, label: str) -> None:
            bar.update(task, completed=done, total=total, day=label)

        result = run_demo(
            plan_id=plan,
            period=period,
            seed=seed,
            directory=directory.resolve(),
            progress=progress,
            config_dir=config_dir,
        )
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
        (
            "Tỷ lệ báo cáo / reporting rate",
            f"{s.get('submitted')}/{s.get('expected')} ({vn_number(s.get('reporting_rate') or 0, 1)}%)",
        ),
    ]
    _emit(
        [{"what": k, "count": v} for k, v in rows],
        Format.TABLE,
        [("what", "Kết quả"), ("count", "")],
        title=f"{result.plan} — kỳ {result.period}",
    )
    out.say("Báo cáo tổng hợp / consolidated report:")
    for kind, path in sorted(result.report_files.items()):
        out.say(f"  {kind}: {path}")
    out.say(f"Đã gửi tới / sent to: {', '.join(result.report_sent_to)}")
    out.say(f"Hộp thư của các cơ quan / agencies' mailboxes (Maildir): {result.mail_dir}")
    out.say(f"Cơ sở dữ liệu / database: {result.data_dir / 'dondoc.sqlite3'}")
    out.say(
        "Xem mùa báo cáo trên web / open the season in the web console:\n"
        f"  dondoc users add TÊN --role coordinator --dir {directory}   (tạo tài khoản trước / an account "
        "first)\n"
        f"  dondoc web --dir {directory}"
    )


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
@_guarded
def bench(ctx: typer.Context) -> None:
    """Đo hiệu năng — run the benchmarks of a source checkout.

    Same options as `python -m benchmarks`: --quick, --large, --only, --pg URL, --json FILE.
    """
    import os
    import subprocess

    from dondoc.resources import checkout

    root = checkout()
    if root is None or not (root / "benchmarks" / "__main__.py").is_file():
        raise NotFound(
            "dondoc bench chạy từ bản mã nguồn / runs from a source checkout: this installation has no "
            "benchmarks/ (git clone the repository, pip install -e ., then dondoc bench)"
        )
    path = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH", "")]))
    raise typer.Exit(
        subprocess.run(
            [sys.executable, "-m", "benchmarks", *ctx.args], env={**os.environ, "PYTHONPATH": path}
        ).returncode
    )


@app.command()
@_guarded
def status(
    now: Annotated[str | None, typer.Option(help="As of this instant (ISO or dd/mm/yyyy).")] = None,
    ahead: Annotated[int, typer.Option(help="Also show periods due within this many days.", min=0, max=3660)] = 30,
    fmt: Annotated[Format, typer.Option("--format")] = Format.TABLE,
    mail: Annotated[
        bool,
        typer.Option(
            "--mail",
            help="Also send this week's digest to the coordinators now "
            "(once a week; the weekly deployment does it on Mondays).",
        ),
    ] = False,
) -> None:
    """Tình hình — per plan and open period: submitted, late, overdue, not yet due; quarantine; bounces."""
    from dondoc.operations import status as ops
    from dondoc.status import long_overdue_by_obligation

    app_ = _app()
    moment = _moment(now) or app_.now()
    found = ops.status(app_, now=moment, ahead=ahead)
    today, state = found.today, found.overview

    def counted(periods) -> list[dict]:
        return [
            dict(
                plan=p.plan_id,
                obligation=p.obligation_id,
                period=p.period_key,
                period_label=p.period_label,
                last_day=p.last_day,
                on_time=len(p.on_time),
                late=len(p.late),
                overdue=len(p.overdue),
                unchased=len(p.unchased),
                not_due=len(p.not_due),
                excused=len(p.excused),
            )
            for p in periods
        ]

    rows = counted(state.periods)
    long_overdue = long_overdue_by_obligation([*state.periods, *state.long_overdue])
    if fmt is Format.JSON:
        sys.stdout.write(
            to_json(
                {
                    "today": today,
                    "periods": rows,
                    "long_overdue": counted(state.long_overdue),
                    "unchased": state.unchased,
                    "quarantined": state.quarantined,
                    "bounced": list(state.bounced),
                    "held": state.held,
                }
            )
        )
    elif fmt is Format.CSV:
        _csv(
            rows,
            [
                "plan",
                "obligation",
                "period",
                "period_label",
                "last_day",
                "on_time",
                "late",
                "overdue",
                "unchased",
                "not_due",
                "excused",
            ],
        )
    else:
        from dondoc.vocabulary import state_label

        _emit(
            rows,
            Format.TABLE,
            [
                _PLAN,
                _OBLIGATION,
                _PERIOD_LABEL,
                Column("last_day", "Hạn cuối", "Last day", "date"),
                *(
                    Column(key, state_label(state), state_label(state, "en"))
                    for key, state in (("on_time", "on-time"), ("late", "late"), ("overdue", "overdue"))
                ),
                Column("unchased", "Quá hạn lâu", "Long overdue"),
                *(
                    Column(key, state_label(state), state_label(state, "en"))
                    for key, state in (("not_due", "not-due"), ("excused", "excused"))
                ),
            ],
            title=(f"Tình hình báo cáo ngày {today:%d/%m/%Y}", f"Reporting status on {today:%d/%m/%Y}"),
        )
        if long_overdue:
            _emit(
                [
                    dict(plan=g["plan_id"], obligation=g["obligation_id"], count=g["count"], periods=g["periods"])
                    for g in long_overdue
                ],
                Format.TABLE,
                [
                    _PLAN,
                    _OBLIGATION,
                    Column("count", "Số hạn", "Deadlines"),
                    Column("periods", "Kỳ (số hạn)", "Periods (deadlines)", "list"),
                ],
                title=(
                    f"Quá hạn lâu, không nhắc tự động: {state.unchased}",
                    f"Long overdue, not chased automatically: {state.unchased}",
                ),
            )
        out.say(
            _words("Thư chờ xử lý", "Quarantined")
            + f": {state.quarantined}. "
            + _words("Địa chỉ bị trả lại", "Bounced addresses")
            + ": "
            + (", ".join(state.bounced) or _words("không có", "none"))
            + "."
        )
        out.say(
            _words("Báo cáo chờ xác nhận, chưa tính là đã gửi", "Held for confirmation, not counted")
            + f": {len(state.held)}"
            + "".join(
                f"\n  #{h['id']} {h['agency']}, {h['period']}, {h['received']} (dondoc held confirm {h['id']})"
                for h in state.held
            )
        )
    if mail:
        sent = ops.digest(app_, now=moment)
        err.say(
            f"Thư tổng hợp tuần / weekly digest: {sent.queued} thư mới, đã gửi {sent.mails.sent}, lỗi "
            f"{sent.mails.failed}."
        )


PART_LABELS = {
    "database": "cơ sở dữ liệu / database",
    "raw": "thư gốc / raw mail",
    "files": "tệp đính kèm / attachments",
    "reports": "báo cáo / reports",
}


def _size(count: int) -> str:
    """A byte count for people: 812 B, 4.1 kB, 12.3 MB."""
    size: float = count
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{count} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return ""


def _print_parts(parts, kind: str, revision: str, rows: dict[str, int]) -> None:
    for part in parts:
        if part.name == "database":
            detail = f"{kind}, lược đồ / schema {revision}, {len(rows)} bảng / tables, {sum(rows.values())} dòng / rows"
        else:
            detail = f"{part.files} tệp / files"
        out.say(f"  {PART_LABELS[part.name]}: {detail}, {_size(part.size)}")


@app.command()
@_guarded
def backup(
    destination: Annotated[
        Path | None,
        typer.Argument(
            metavar="DEST",
            help="The archive to write, or a folder for it "
            "(default: dondoc-backup-YYYYmmdd-HHMMSS.tar.gz in the current folder).",
        ),
    ] = None,
) -> None:
    """Sao lưu — one .tar.gz: the database (online), raw mail, attachments, reports and a manifest (mode 0600)."""
    from dondoc.backup import create_backup

    app_ = _app()
    result = create_backup(app_.settings, destination, app_.now())
    _print_parts(result.parts, result.kind, result.revision, result.rows)
    out.say(f"Đã sao lưu / backup written: {result.path} ({_size(result.size)})")


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
    out.say(
        f"Đã khôi phục / restored: {archive} (sao lưu lúc / made at {result.created_at}); số dòng mỗi bảng "
        f"khớp với manifest / row counts match the manifest"
    )


@app.command()
@_guarded
def serve(
    port: Annotated[
        int, typer.Option(help="Port of the Prefect server (UI and API) on 127.0.0.1.", min=1, max=65535)
    ] = 4200,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the Prefect server to answer.", min=1)] = 120,
) -> None:
    """Chạy theo lịch — start a Prefect server (or join PREFECT_API_URL) and run every flow on its schedule
    until Ctrl-C."""
    import os

    from dondoc.serve import serve as serve_all
    from dondoc.settings import Settings

    serve_all(Settings().data_dir, port, wait, os.environ, lambda line: out.say(line))


@app.command()
def doctor() -> None:
    """Kiểm tra — can this installation work? Config, database, migrations, data dir, data consistency, secrets,
    SMTP, inbox, Prefect."""
    from dondoc.doctor import run_checks
    from dondoc.settings import Settings

    try:
        settings = Settings()
    except Exception as error:  # noqa: BLE001 — a malformed DONDOC_* variable
        err.say(f"LỖI  cài đặt / settings: {' '.join(str(error).split())[:300]}")
        raise typer.Exit(1) from None
    results = run_checks(settings)
    for check in results:
        out.say(check.line(), soft_wrap=True)
    failed = sum(not check.ok for check in results)
    if failed:
        err.say(f"{failed} kiểm tra không đạt / {failed} check(s) failed")
        raise typer.Exit(1)


from dondoc.cli_held import held_app  # noqa: E402 — its commands use the helpers above
from dondoc.cli_history import history  # noqa: E402

app.add_typer(held_app, name="held")
app.command("history")(_guarded(history))


def run() -> None:
    """Console-script entry point."""
    if not _answered_idle(sys.argv[1:]):
        app()


def _answered_idle(args: list[str]) -> bool:
    """``dondoc [--lang L] chase [--now T] [--format F]`` with nothing to do, answered before Typer parses the
    arguments (its parsing loads pydantic, a fifth of a second): the same output as the command's, from
    :func:`dondoc.operations.chasing.idle_chase` (docs/chasing.md, "Nothing to do"). False for any other
    arguments (an option twice, ``--help``, a filter, a malformed value: Typer says what is wrong) and whenever the
    chase may have something to do."""
    options: dict[str, str] = {}
    rest = list(args)
    while rest:
        name, given, value = rest[0].partition("=")
        allowed = ("--lang", "chase") if "chase" not in options else ("--now", "--format")
        if name == "chase" and not given and "chase" not in options:
            options["chase"], rest = "", rest[1:]
            continue
        if name not in allowed or name == "chase" or name in options or (not given and len(rest) < 2):
            return False
        options[name], rest = (value, rest[1:]) if given else (rest[1], rest[2:])
    if "chase" not in options or options.get("--lang", "vi") not in ("vi", "en"):
        return False
    try:
        fmt, at = Format(options.get("--format", "table")), _moment(options.get("--now"))
    except (ValueError, DondocError):
        return False
    from dondoc.operations import chasing

    idle = chasing.idle_chase(at)
    if idle is None:
        return False
    _LANG["lang"] = options.get("--lang") or idle.lang
    _chase_report(idle.report, fmt)
    return True


def _register_agencies() -> None:
    from dondoc.cli_agencies import agencies_app

    app.add_typer(agencies_app, name="agencies")


_register_agencies()


def _register_web() -> None:
    from dondoc.cli_web import users_app, web

    app.command("web")(web)
    app.add_typer(users_app, name="users")


_register_web()

"""``dondoc agencies …``: the directory of agencies — the official list of units, contacts from a spreadsheet.

Thin commands over :mod:`dondoc.operations.agencies` (the contact sheet), :mod:`dondoc.agency_files` and
:mod:`dondoc.units`; registered on the main app by
``dondoc.cli``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = ["agencies_app"]

agencies_app = typer.Typer(help="Cơ quan — the agencies of config/agencies/.", no_args_is_help=True)


def _guarded(command):
    from dondoc.cli import _guarded as guarded

    return guarded(command)


@agencies_app.command("generate")
def generate(
    province: Annotated[str, typer.Option(help="Province or city: name ('Huế', 'Đồng Nai'), code ('46') or 'all'.")],
    area: Annotated[str, typer.Option(help="The area (config/agencies file) to write them to, e.g. hue.")],
    prefix: Annotated[str | None, typer.Option(help="Id prefix of the new agencies (default: the area).")] = None,
) -> None:
    """Đơn vị hành chính — write the UBND of every commune, ward and special zone of a province (official list)."""
    _guarded(_generate)(province, area, prefix)


def _generate(province: str, area: str, prefix: str | None) -> None:
    from dondoc.agency_files import generate_units
    from dondoc.cli import out
    from dondoc.settings import Settings
    from dondoc.units import find_province, provinces

    chosen = list(provinces()) if province.strip().lower() in ("all", "tất cả") else [find_province(province)]
    report = generate_units(Settings().config_dir, area, chosen, prefix=prefix)
    for line in report.lines():
        out.say(line, soft_wrap=True)


@agencies_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="The contact sheet: .xlsx or .csv.")],
    area: Annotated[str, typer.Option(help="The area (config/agencies file) whose agencies the rows name.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would change; write nothing.")] = False,
    skip_bad: Annotated[bool, typer.Option("--skip-bad", help="Write the good rows even if some are bad.")] = False,
    add_missing: Annotated[
        bool,
        typer.Option(
            "--add-missing", help="An agency the area does not have yet becomes a new one (a department, say)."
        ),
    ] = False,
    prefix: Annotated[str | None, typer.Option(help="Id prefix of new agencies (default: the area's).")] = None,
) -> None:
    """Nhập danh bạ — contacts from the office's spreadsheet into config/agencies (comments kept)."""
    _guarded(_import)(file, area, dry_run, skip_bad, add_missing, prefix)


def _import(file: Path, area: str, dry_run: bool, skip_bad: bool, add_missing: bool, prefix: str | None) -> None:
    from dondoc.cli import _actor, _app, err, out
    from dondoc.errors import UsageError
    from dondoc.operations import agencies

    result = agencies.import_contacts(
        _app(),
        file,
        area,
        actor=_actor(),
        write=not dry_run,
        skip_bad=skip_bad,
        add_missing=add_missing,
        prefix=prefix,
    )
    for line in result.preview():
        out.say(line, soft_wrap=True)
    for warning in result.plan.warnings:
        err.say(f"Cảnh báo / warning: {warning}", soft_wrap=True)
    for number, why in result.plan.bad:
        err.say(f"{file}:{number}: {why}", soft_wrap=True)
    if result.refused:
        raise UsageError(result.refused)
    if result.written is None:
        out.say("Không ghi gì (nothing written)" + (" — --dry-run" if dry_run else ""), soft_wrap=True)
        return
    out.say(f"Đã ghi / written: {result.written}", soft_wrap=True)


@agencies_app.command("export")
def export(
    area: Annotated[str, typer.Option(help="The area whose agencies to list.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write (.xlsx or .csv).")],
    fmt: Annotated[str | None, typer.Option("--format", help="xlsx or csv (default: from the file name).")] = None,
) -> None:
    """Xuất danh bạ — the sheet to fill in: one row per contact, an empty row for each agency without one."""
    _guarded(_export)(area, output, fmt)


def _export(area: str, output: Path, fmt: str | None) -> None:
    from dondoc.cli import _app, out
    from dondoc.errors import UsageError
    from dondoc.operations import agencies

    if fmt is not None:
        if fmt not in ("xlsx", "csv"):
            raise UsageError(f"--format {fmt}: xlsx or csv")
        if output.suffix.lower() != f".{fmt}":
            output = output.with_suffix(f".{fmt}")
    app = _app()
    rows = agencies.export_contacts(app, area, output)
    out.say(
        f"{output}: {rows} dòng (rows), {len(agencies.area(app, area).agencies)} cơ quan (agencies)", soft_wrap=True
    )

"""``dondoc agencies …``: the directory of agencies — the official list of units, contacts from a spreadsheet.

Thin commands over :mod:`dondoc.agency_files` and :mod:`dondoc.units`; registered on the main app by
``dondoc.cli``.
"""

from __future__ import annotations

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
        out.print(line, markup=False, highlight=False)

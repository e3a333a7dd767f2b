"""Operations on the directory of agencies: the contact sheet out (export) and back in (import, previewed first).

The CLI's ``dondoc agencies export/import`` and the console's agencies page call
these; the work is :mod:`dondoc.contacts_sheet`'s. An import that writes is
audited (who, which area, how many contacts).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dondoc.contacts_sheet import ImportPlan, apply_import, export_sheet, plan_import, read_sheet
from dondoc.errors import NotFound, UsageError
from dondoc.model import Area
from dondoc.operations._audit import record
from dondoc.operations._clock import moment
from dondoc.wiring import App

__all__ = ["ContactsImport", "area", "areas", "export_contacts", "import_contacts"]


@dataclass(frozen=True)
class ContactsImport:
    """What importing a sheet does: the plan, the agencies' short names (for its preview), the file written
    (None: nothing written) and, when nothing could be written, why (``refused``)."""

    plan: ImportPlan
    names: dict[str, str]
    written: Path | None = None
    refused: str | None = None

    def preview(self) -> list[str]:
        """The lines to read before confirming (and after: what was done)."""
        return self.plan.preview(self.names)


def areas(app: App) -> list[Area]:
    """The areas of the configuration, by id (a configuration without a plan yet is fine here)."""
    from dondoc.config import load_areas

    return sorted(load_areas(app.settings.config_dir), key=lambda a: a.area)


def area(app: App, area_id: str) -> Area:
    """The area ``area_id`` of the configuration; ``NotFound``."""
    known = {a.area: a for a in areas(app)}
    if area_id not in known:
        raise NotFound(f"unknown area '{area_id}' (config/agencies has: {', '.join(sorted(known))})")
    return known[area_id]


def export_contacts(app: App, area_id: str, path: Path) -> int:
    """Write the contact sheet of ``area_id`` to ``path`` (.xlsx or .csv); the rows written."""
    return export_sheet(area(app, area_id), path)


def import_contacts(
    app: App,
    sheet: Path,
    area_id: str,
    *,
    actor: str,
    write: bool,
    skip_bad: bool = False,
    add_missing: bool = False,
    prefix: str | None = None,
    shown_as: str | None = None,
) -> ContactsImport:
    """Match the sheet's rows to ``area_id``'s agencies and, when ``write``, merge the changes into its agencies
    file (comments kept) and audit it. Nothing is written while a row is bad unless ``skip_bad``: the result's
    ``refused`` says so. ``shown_as`` names the file in errors instead of its path (an uploaded file's)."""
    chosen = area(app, area_id)
    try:
        plan = plan_import(read_sheet(sheet), chosen, add_missing=add_missing, prefix=prefix)
    except UsageError as error:
        raise UsageError(str(error).replace(str(sheet), shown_as or str(sheet))) from None
    names = {a.id: a.short or a.name for a in chosen.agencies}
    if plan.bad and not skip_bad:
        refused = (
            f"{len(plan.bad)} dòng lỗi (bad rows): chưa ghi gì (nothing written); sửa, hoặc dùng "
            "--skip-bad để ghi các dòng đúng"
        )
        return ContactsImport(plan, names, refused=refused)
    if not write or not (plan.changes or plan.new_agencies):
        return ContactsImport(plan, names)
    from dondoc.config import load_areas

    with app.session() as session:
        record(
            session,
            actor=actor,
            action="import-contacts",
            at=moment(app, None),
            area=area_id,
            file=shown_as or sheet.name,
            new=sum(c.new for c in plan.changes),
            changed=sum(not c.new for c in plan.changes),
            new_agencies=len(plan.new_agencies),
        )
        path = apply_import(app.settings.config_dir, plan)
        load_areas(app.settings.config_dir)  # the agencies still load (ConfigError, file:line, otherwise)
        session.commit()
    return ContactsImport(plan, names, written=path)

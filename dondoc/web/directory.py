"""The agencies page: the directory, its contact sheet to download (viewer), and a filled sheet to upload (admin).

An upload is a post in two steps like every action of the console: the first
stores the file under the data directory (``uploads/<random>/``, never under the
name alone) and shows what importing it would change — new and changed
contacts, warnings, bad rows by number; the confirmed second post imports that
same file as the signed-in admin (audited) and removes it. Both call
:func:`dondoc.operations.agencies.import_contacts`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import urllib.parse
from pathlib import Path

from starlette.responses import Response

from dondoc.errors import NotFound, UsageError
from dondoc.web.app import Page, RouteSpec

__all__ = ["ROUTES"]

SHEET_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_UPLOADS = 24 * 3600  # an upload never confirmed is removed a day later (when the next one comes)


def agencies_page(page: Page) -> Response:
    from dondoc.operations import agencies

    catalog = page.app.catalog()
    listed = sorted(catalog.directory.agencies.values(), key=lambda a: (str(a.level), a.name))
    return page.render("web/agencies.html", agencies=listed, areas=agencies.areas(page.app))


def contacts_sheet(page: Page, area_id: str, fmt: str) -> Response:
    """The area's contact sheet, to fill in, as an attachment."""
    from dondoc.operations import agencies

    if fmt not in SHEET_TYPES:
        raise NotFound(page.t("Không có trang này", "no such page"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"danh-ba-{area_id}.{fmt}"
        agencies.export_contacts(page.app, area_id, path)
        data = path.read_bytes()
    name = urllib.parse.quote(path.name, safe="")
    return Response(
        data,
        media_type=SHEET_TYPES[fmt],
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}", "X-Content-Type-Options": "nosniff"},
    )


def _uploads(page: Page) -> Path:
    return page.app.settings.data_dir / "uploads"


def _store(page: Page) -> tuple[str, Path]:
    """The posted sheet saved under a random folder; its id and path (a name the server chose, the suffix kept)."""
    import secrets

    if "sheet" not in page.files or not page.files["sheet"][1]:
        raise UsageError(page.t("Chưa chọn tệp bảng tính", "no spreadsheet file chosen"))
    filename, data = page.files["sheet"]
    suffix = Path(filename).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise UsageError(f"{_shown(filename)}: a contact sheet is .xlsx or .csv")
    root = _uploads(page)
    for old in root.glob("*") if root.is_dir() else ():
        if old.stat().st_mtime < time.time() - KEEP_UPLOADS:
            shutil.rmtree(old, ignore_errors=True)
    upload = secrets.token_hex(16)
    path = root / upload / f"{_shown(filename)}"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(data)
    return upload, path


def _shown(filename: str) -> str:
    """A file name safe to show and to store: its last part, letters, digits, ``.-_`` and spaces only."""
    name = Path(filename.replace("\\", "/")).name
    kept = "".join(c for c in name if c.isalnum() or c in ".-_ ").strip(". ")
    return kept[:100] or "sheet"


def _stored(page: Page, upload: str) -> Path:
    folder = _uploads(page) / upload
    files = sorted(folder.iterdir()) if UPLOAD_ID.match(upload) and folder.is_dir() else []
    if not files:
        raise UsageError(
            page.t("Tệp đã tải lên không còn (đã nhập, hoặc quá hạn): tải lên lại", "the upload is gone: upload again")
        )
    return files[0]


def contacts_import(page: Page) -> Response:
    """Upload → the preview and a confirmation; confirmed → the import, as the signed-in admin."""
    from dondoc.operations import agencies

    area_id = page.field("area", limit=100)
    skip_bad, add_missing = (page.form.get(k) == "yes" for k in ("skip_bad", "add_missing"))
    if page.confirmed():
        upload = page.field("upload", limit=40)
        path = _stored(page, upload)
    else:
        upload, path = _store(page)
    try:
        result = agencies.import_contacts(
            page.app,
            path,
            area_id,
            actor=page.actor,
            write=page.confirmed(),
            skip_bad=skip_bad,
            add_missing=add_missing,
            shown_as=path.name,
        )
    except Exception:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    if page.confirmed() or result.refused or not (result.plan.changes or result.plan.new_agencies):
        shutil.rmtree(path.parent, ignore_errors=True)  # used, or nothing to confirm
    return page.render(
        "web/agencies_import.html",
        result=result,
        filename=path.name,
        area_id=area_id,
        fields={
            "area": area_id,
            "upload": upload,
            **({"skip_bad": "yes"} if skip_bad else {}),
            **({"add_missing": "yes"} if add_missing else {}),
        },
    )


ROUTES: list[RouteSpec] = [
    ("/agencies", ["GET"], agencies_page, "viewer"),
    ("/agencies/{area_id:str}/contacts.{fmt:str}", ["GET"], contacts_sheet, "viewer"),
    ("/agencies/import", ["POST"], contacts_import, "admin"),
]

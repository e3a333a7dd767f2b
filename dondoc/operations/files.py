"""Read-only operations of the web console on what the data dir keeps: a compiled report's file, the type an
attachment is served as; and the answer given to a ``compile-report`` run paused for a report's approval."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from dondoc.errors import NotFound
from dondoc.wiring import App

if TYPE_CHECKING:
    from dondoc.operations.views import StoredFile

__all__ = ["answer_paused_run", "report_file", "served_type"]

# The first bytes a file of each served type starts with (types of text have none to check).
MAGIC = {
    "application/pdf": b"%PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": b"PK",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": b"PK",
    "application/vnd.oasis.opendocument.text": b"PK",
    "application/vnd.oasis.opendocument.spreadsheet": b"PK",
    "application/zip": b"PK",
    "application/msword": b"\xd0\xcf\x11\xe0",
    "application/vnd.ms-excel": b"\xd0\xcf\x11\xe0",
    "image/png": b"\x89PNG",
    "image/jpeg": b"\xff\xd8",
    "text/plain": b"",
    "text/csv": b"",
}
REPORT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
    "pdf": "application/pdf",
}
OCTETS = "application/octet-stream"


def served_type(stored: StoredFile) -> str:
    """The type to serve a stored attachment (:class:`dondoc.operations.views.StoredFile`) as: its safe declared
    type only when the file's first bytes agree with it (a "PDF" that is HTML goes out as bytes), else
    ``application/octet-stream``."""
    kind = stored.safe_content_type.split(";")[0].strip().lower()
    magic = MAGIC.get(kind)
    if magic is None:
        return OCTETS
    with stored.path.open("rb") as file:
        return kind if file.read(len(magic)) == magic else OCTETS


def _inside(data_dir: Path, path: Path) -> Path:
    root = data_dir.resolve()
    full = path.resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise NotFound("no such file")
    return full


def report_file(app: App, report_id: int, kind: str) -> tuple[Path, str]:
    """A compiled report's file of ``kind`` (docx, xlsx, html, pdf) and its type (``NotFound`` otherwise)."""
    from dondoc.operations.reports import listing

    for listed in listing(app):
        if listed.row.id == report_id:
            path = listed.files.get(kind)
            if path is None or kind not in REPORT_TYPES:
                raise NotFound(f"report {report_id} has no {kind} file")
            return _inside(app.settings.data_dir, path), REPORT_TYPES[kind]
    raise NotFound(f"no report {report_id}")


def answer_paused_run(plan_id: str, obligation_id: str, period_key: str, answer: dict[str, Any]) -> list[str]:
    """Give ``answer`` to the compile-report runs paused for this report, when a Prefect server is configured
    (``PREFECT_API_URL``); the ids of the runs answered."""
    import os

    if not os.environ.get("PREFECT_API_URL"):
        return []
    from dondoc.prefect_runs import resume_paused_report_runs

    return list(resume_paused_report_runs(plan_id, obligation_id, period_key, answer))

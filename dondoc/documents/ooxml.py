"""Office Open XML packages (.docx, .xlsx) with the same bytes for the same content.

Word and Excel files are zip archives whose entries carry the time they were
written, and whose core properties carry the time of saving; both are fixed
here so a document compiled twice from the same data is byte-identical.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Mapping
from xml.sax.saxutils import escape

__all__ = ["stable_package"]

_FORBIDDEN = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _clean(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids."""
    return text.translate(_FORBIDDEN)


def _core_xml(title: str, stamp: dt.datetime) -> bytes:
    when = f"{stamp:%Y-%m-%dT%H:%M:%SZ}"
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(_clean(title))}</dc:title><dc:creator>dondoc</dc:creator>"
        "<cp:lastModifiedBy>dondoc</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode()


def stable_package(
    content: bytes,
    *,
    title: str,
    stamp: dt.datetime,
    fill: Mapping[str, Callable[[bytes], Iterable[bytes]]] | None = None,
) -> bytes:
    """An OOXML package (.docx/.xlsx) rewritten to the same bytes for the same content.

    Entries in a fixed order (``[Content_Types].xml`` first, then by name),
    every entry dated ``stamp``, ``docProps/core.xml`` replaced by fixed
    properties (creator "dondoc", created = modified = ``stamp``). An entry
    named in ``fill`` is written as the pieces ``fill[name](its bytes)`` gives,
    one after the other (a large part is never whole in memory).
    """
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(entries, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            if fill and name in fill:
                with target.open(info, "w") as handle:
                    for piece in fill[name](entries[name]):
                        handle.write(piece)
            else:
                target.writestr(info, _core_xml(title, stamp) if name == "docProps/core.xml" else entries[name])
    return out.getvalue()

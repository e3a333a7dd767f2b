"""Writing ``config/agencies/<area>.yaml`` in place: the official units of a province (``agencies generate``).

Files are read and written with ruamel.yaml's round trip, so the comments
and the order a coordinator gave them stay. An agency generated from the
official list carries its ``code``; re-running matches on that code and
updates the name only — never the contacts or anything else a person added.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from dondoc.errors import UsageError
from dondoc.folding import fold
from dondoc.units import Province, Unit, data_note

__all__ = ["GenerateReport", "area_file", "generate_units", "load_area_file", "save_area_file"]

_KIND = {"Xã": ("x", "xã"), "Phường": ("p", "phường"), "Đặc khu": ("dk", "đặc khu")}
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def area_file(config_dir: Path, area_id: str) -> Path | None:
    """The file of ``config_dir/agencies`` that declares ``area: <area_id>``, if any."""
    folder = config_dir / "agencies"
    pattern = re.compile(rf"^area:\s*[\"']?{re.escape(area_id)}[\"']?\s*(?:#.*)?$", re.M)
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []:
        if pattern.search(path.read_text(encoding="utf-8")):
            return path
    return None


def load_area_file(path: Path) -> CommentedMap:
    """The round-trip data of an agencies file."""
    data = _yaml().load(path.read_text(encoding="utf-8"))
    if not isinstance(data, CommentedMap):
        raise UsageError(f"{path}: not an agencies file (a mapping with 'area:' at the top)")
    return data


def save_area_file(path: Path, data: CommentedMap) -> None:
    """Write ``data`` to ``path`` (a temporary file first, then a rename: never half a file)."""
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(buffer.getvalue(), encoding="utf-8")
    temporary.replace(path)


def _ascii(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass
class GenerateReport:
    """What ``agencies generate`` did: the file, the counts, the data's date."""

    path: Path
    province: str
    units: int
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    unchanged: int = 0
    gone: list[str] = field(default_factory=list)  # in the file with a code the list no longer has
    group: str = ""
    note: str = ""

    def lines(self) -> list[str]:
        """What the CLI prints."""
        out = [
            f"{self.path}: {self.province}, {self.units} xã, phường, đặc khu — {len(self.created)} mới (new), "
            f"{len(self.renamed)} đổi tên/mã (renamed), {self.unchanged} không đổi (unchanged); "
            f"nhóm (group) {self.group}"
        ]
        if self.gone:
            out.append(f"Không còn trong danh mục (no longer listed, left in the file): {', '.join(self.gone)}")
        out.append(self.note)
        return out


def _ids(prefix: str, province: Province) -> dict[str, str]:
    """Unit code → agency id: ``<prefix>.ubnd-p-vy-da``; a name two units share gets the code too."""
    slugs = {unit.code: f"ubnd-{_KIND.get(unit.kind, ('x', ''))[0]}-{_ascii(unit.short)}" for unit in province.units}
    twice = {slug for slug, n in Counter(slugs.values()).items() if n > 1}
    return {code: f"{prefix}.{slug}-{code}" if slug in twice else f"{prefix}.{slug}" for code, slug in slugs.items()}


def _names(unit: Unit) -> tuple[str, str]:
    kind = _KIND.get(unit.kind, ("x", unit.kind.lower()))[1]
    return f"Ủy ban nhân dân {kind} {unit.short}", f"UBND {kind} {unit.short}"


def generate_units(
    config_dir: Path, area_id: str, provinces: list[Province], *, prefix: str | None = None
) -> GenerateReport:
    """Write the UBND of every unit of ``provinces`` into the file of ``area_id`` (created if none), and a group
    per province; a unit already there (same ``code``, or same id) keeps its id, contacts and everything else.

    One province: ids ``<prefix>.ubnd-p-vy-da``; several (the national directory): ``<prefix>.<province>.ubnd-…``.
    """
    if not _ID.match(area_id):
        raise UsageError(f"'{area_id}' is not an area id (lower case letters, digits, '.', '-')")
    prefix = prefix or area_id
    title = provinces[0].name if len(provinces) == 1 else "Cả nước"
    path = area_file(config_dir, area_id)
    if path is None:
        path = config_dir / "agencies" / f"{area_id}.yaml"
        if path.exists():
            raise UsageError(f"{path} exists and declares another area")
        path.parent.mkdir(parents=True, exist_ok=True)
        data = CommentedMap(
            [("area", area_id), ("name", title), ("agencies", CommentedSeq()), ("groups", CommentedSeq())]
        )
        which = provinces[0].short if len(provinces) == 1 else "all"
        data.yaml_set_start_comment(
            f"{title}: the UBND of every commune, ward and special zone, written by\n"
            f'`dondoc agencies generate --province "{which}" --area {area_id}'
            f"{f' --prefix {prefix}' if prefix != area_id else ''}`.\n"
            f"{data_note()}\nContacts are added by hand or by `dondoc agencies import`; re-running the command "
            f"updates names and codes only."
        )
    else:
        data = load_area_file(path)
    agencies = data.get("agencies")
    if agencies is None:
        agencies = data["agencies"] = CommentedSeq()
    by_code = {str(a["code"]): a for a in agencies if isinstance(a, dict) and a.get("code") is not None}
    by_id = {a.get("id"): a for a in agencies if isinstance(a, dict)}
    report = GenerateReport(
        path,
        ", ".join(p.name for p in provinces) if len(provinces) < 4 else title,
        sum(len(p.units) for p in provinces),
        note=data_note(),
    )
    groups = []
    for province in provinces:
        own = prefix if len(provinces) == 1 else f"{prefix}.{_ascii(province.short)}"
        ids = _ids(own, province)
        members = []
        for unit in province.units:
            name, short = _names(unit)
            entry = by_code.get(unit.code) or by_id.get(ids[unit.code])
            if entry is None:
                entry = CommentedMap(
                    [
                        ("id", ids[unit.code]),
                        ("name", name),
                        ("short", short),
                        ("level", "commune"),
                        ("code", unit.code),
                    ]
                )
                agencies.append(entry)
                report.created.append(entry["id"])
            elif (entry.get("name"), entry.get("short"), str(entry.get("code"))) != (name, short, unit.code):
                entry["name"], entry["short"], entry["code"] = name, short, unit.code
                report.renamed.append(entry["id"])
            else:
                report.unchanged += 1
            members.append(entry["id"])
        groups.append(_group(data, own, province, members))
    listed = {unit.code for province in provinces for unit in province.units}
    report.gone = [a["id"] for code, a in by_code.items() if code not in listed]
    report.group = groups[0] if len(groups) == 1 else f"{len(groups)} nhóm, một nhóm mỗi tỉnh"
    save_area_file(path, data)
    return report


def _group(data: CommentedMap, prefix: str, province: Province, members: list[str]) -> str:
    kinds = [kind for kind in ("Xã", "Phường", "Đặc khu") if any(u.kind == kind for u in province.units)]
    words = ", ".join(_KIND[k][1] for k in kinds)
    group_id = f"{prefix}.ubnd-cap-xa"
    groups = data.get("groups")
    if groups is None:
        groups = data["groups"] = CommentedSeq()
    existing = next((g for g in groups if isinstance(g, dict) and g.get("id") == group_id), None)
    if existing is None:
        groups.append(
            CommentedMap([("id", group_id), ("name", f"UBND các {words}"), ("members", CommentedSeq(members))])
        )
    else:
        existing["members"] = CommentedSeq(members)
    return group_id

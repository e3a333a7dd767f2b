"""Reads ``config/`` (YAML) into the plan model, with ``file:line`` errors.

Layout of a configuration directory::

    plans/<plan-id>.yaml       one plan each
    agencies/<area>.yaml       agencies and groups of an area
    calendar/<year>.yaml       extra days off and swap working days
    policy.yaml                reminder policy defaults

Every problem is collected — YAML syntax, schema, cross references — and
reported together as :class:`ConfigError`; nothing runs on a configuration
that does not validate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from dondoc.calendar import CalendarYear
from dondoc.checks import check_catalog
from dondoc.errors import ConfigError, Located
from dondoc.model import Area, Catalog, Directory, Plan
from dondoc.policy import PolicyFile

__all__ = ["ConfigError", "Located", "load_catalog", "load_policy", "check_config"]


@dataclass
class _Document:
    path: Path
    data: Any


def _read(path: Path, problems: list[Located]) -> _Document | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problems.append(Located(path, None, f"not UTF-8 text ({error.reason} at byte {error.start})"))
        return None
    except OSError as error:
        problems.append(Located(path, None, f"cannot read: {error.strerror}"))
        return None
    try:
        data = YAML(typ="rt").load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = error.problem or error.context or "invalid YAML"
        problems.append(Located(path, line, f"YAML syntax error: {what}"))
        return None
    if not isinstance(data, dict):
        problems.append(Located(path, 1, "expected a mapping of fields at the top of the file"))
        return None
    return _Document(path, data)


class _DuplicateKey(Exception):
    pass


class _CoreLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):
    """libyaml's C parser with the YAML 1.2 core schema that ruamel reads: ``yes`` and ``12:30`` stay text,
    ``010`` is ten, ``0o10`` eight; a duplicate key is an error. The fast path of :func:`load_catalog`."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=True) for key, _ in node.value]
        if len(set(map(repr, keys))) != len(keys):
            raise _DuplicateKey(node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _core_int(loader, node) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    base = {"0o": 8, "0x": 16}.get(text[:2], 10)
    return int(text[2:] if base != 10 else text, base)


def _core_bool(loader, node) -> bool:
    return loader.construct_scalar(node).lower() == "true"


_CoreLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in
            ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                  list("tTfF"))
_CoreLoader.add_implicit_resolver("tag:yaml.org,2002:int",
                                  re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$"),
                                  list("-+0123456789"))
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
               r"|\.(?:nan|NaN|NAN))$"), list("-+.0123456789"))
_CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:bool", _core_bool)


def _fast_read(path: Path) -> Any:
    """``path`` parsed by the fast loader; any problem at all raises (the caller then takes the careful path)."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CoreLoader)  # noqa: S506 — a safe loader


def _line(data: Any, loc: tuple) -> int | None:
    """The 1-based line of the deepest part of ``loc`` that exists in ``data``."""
    line, node = None, data
    for part in loc:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0]
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0]
            node = node[part]
        elif isinstance(node, (CommentedMap, CommentedSeq)):
            break
        # a non-navigable part (a pydantic union tag): skip it
    if line is None and isinstance(data, CommentedMap):
        return 1
    return None if line is None else line + 1


def _message(error: dict) -> str:
    loc = [p for p in error["loc"] if isinstance(p, (str, int))]
    field = next((p for p in reversed(loc) if isinstance(p, str)), None)
    if error["type"] == "missing":
        return f"'{field}' is required"
    if error["type"] == "extra_forbidden":
        return f"unknown field '{field}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"'{field}': {message}" if field and error["type"] != "value_error" else message


def _validate(doc: _Document, model: type[BaseModel], problems: list[Located]) -> Any:
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        for item in error.errors(include_url=False):
            problems.append(Located(doc.path, _line(doc.data, item["loc"]), _message(item)))
        return None


def _files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]) if folder.is_dir() else []


def load_catalog(config_dir: Path, plan_files: list[Path] | None = None) -> Catalog:
    """Load and check the configuration in ``config_dir``; ``ConfigError`` lists every problem.

    ``plan_files`` replaces ``config_dir/plans/`` (to check one new plan
    against an existing directory of agencies).

    Two paths, one result: the files are first read with libyaml (fast: a
    national directory of 1,890 agencies in well under a second); if anything
    at all is wrong, they are read again with ruamel, which knows the line of
    every value, to say ``file:line: what is wrong``.
    """
    if config_dir.is_dir():
        try:
            return _load_fast(config_dir, plan_files)
        except Exception:  # noqa: BLE001 — the careful path below finds and locates every problem
            pass
    return _load_located(config_dir, plan_files)


def _load_fast(config_dir: Path, plan_files: list[Path] | None) -> Catalog:
    areas = [Area.model_validate(_fast_read(path)) for path in _files(config_dir / "agencies")]
    plans = [Plan.model_validate(_fast_read(path)) for path in
             (plan_files if plan_files is not None else _files(config_dir / "plans"))]
    years: dict[int, CalendarYear] = {}
    for path in _files(config_dir / "calendar"):
        year = CalendarYear.model_validate(_fast_read(path))
        if year.year in years or path.stem != str(year.year):
            raise ValueError(path)
        years[year.year] = year
    if not plans or next(iter(check_catalog([("", p) for p in plans], [("", a) for a in areas])), None):
        raise ValueError("problems")
    return Catalog(plans={plan.id: plan for plan in plans}, directory=Directory(areas), calendar_years=years)


def _load_located(config_dir: Path, plan_files: list[Path] | None) -> Catalog:
    problems: list[Located] = []
    if not config_dir.is_dir():
        raise ConfigError([Located(config_dir, None, "no such configuration directory")])
    areas: list[tuple[_Document, Area]] = []
    for path in _files(config_dir / "agencies"):
        if (doc := _read(path, problems)) and (area := _validate(doc, Area, problems)):
            areas.append((doc, area))
    plans: list[tuple[_Document, Plan]] = []
    for path in plan_files if plan_files is not None else _files(config_dir / "plans"):
        if (doc := _read(path, problems)) and (plan := _validate(doc, Plan, problems)):
            plans.append((doc, plan))
    years: dict[int, CalendarYear] = {}
    for path in _files(config_dir / "calendar"):
        if (doc := _read(path, problems)) and (year := _validate(doc, CalendarYear, problems)):
            if year.year in years:
                problems.append(Located(path, _line(doc.data, ("year",)), f"calendar year {year.year} is defined twice"))
            elif path.stem != str(year.year):
                problems.append(Located(path, _line(doc.data, ("year",)), f"year {year.year} in a file named {path.name}"))
            else:
                years[year.year] = year
    if not plans and not problems:
        problems.append(Located(config_dir / "plans", None, "no plan found (plans/*.yaml)"))
    docs = {str(doc.path): doc for doc, _ in [*areas, *plans]}
    for problem in check_catalog(
        [(str(doc.path), plan) for doc, plan in plans], [(str(doc.path), area) for doc, area in areas]
    ):
        doc = docs[problem.where]
        problems.append(Located(doc.path, _line(doc.data, problem.path), problem.message))
    if problems:
        raise ConfigError(problems)
    return Catalog(
        plans={plan.id: plan for _, plan in plans},
        directory=Directory([area for _, area in areas]),
        calendar_years=years,
    )


def load_policy(config_dir: Path) -> PolicyFile:
    """Load ``policy.yaml`` (the defaults when the file is absent)."""
    path = config_dir / "policy.yaml"
    if not path.exists():
        return PolicyFile()
    problems: list[Located] = []
    doc = _read(path, problems)
    policy = _validate(doc, PolicyFile, problems) if doc else None
    if problems:
        raise ConfigError(problems)
    return policy


def check_config(config_dir: Path, plan_files: list[Path] | None = None) -> list[Located]:
    """Every problem of the configuration (empty when it is valid)."""
    problems: list[Located] = []
    for step in (lambda: load_catalog(config_dir, plan_files), lambda: load_policy(config_dir)):
        try:
            step()
        except ConfigError as error:
            problems.extend(error.problems)
    return problems

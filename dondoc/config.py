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

import hashlib
import os
import pickle
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from dondoc.checks import check_catalog
from dondoc.errors import ConfigError, Located
from dondoc.model import Area, Catalog, Directory, Plan
from dondoc.policy import PolicyFile
from dondoc.workdays import CalendarYear

__all__ = [
    "ConfigError",
    "Located",
    "load_areas",
    "load_catalog",
    "load_policy",
    "check_config",
    "review_points",
    "config_reviews",
]


_ALIAS_SURPLUS = 100_000  # values aliases may add beyond those written in the file
_MAX_DEPTH = 50  # nested lists and mappings; a plan needs about 6
# Per file. The national directory of 3,321 communes, wards and special zones (`dondoc agencies generate
# --province all`) is 0.64 MB and 43,500 YAML events without contacts; with three contacts a unit, about 2.5 MB and
# 150,000 events. The limits leave room for that and still refuse a hostile file before ruamel (some 6,000 values
# a second) spends more than a minute on it.
_MAX_BYTES = 8_000_000
_MAX_EVENTS = 250_000  # YAML events (values, starts and ends)


class _TooBig(Exception):
    pass


class _NotAFile(Exception):
    pass


class _Unsafe(Exception):
    """A YAML document refused before it is built: too big, too deep, aliases that expand without bound, a cycle,
    or a key that is not a name; ``line`` is where."""

    def __init__(self, message: str, where: Any):
        super().__init__(message)
        self.message, self.line = message, where.start_mark.line + 1


def _check_shape(text: str) -> None:
    """Refuse nesting deeper than ``_MAX_DEPTH`` or more than ``_MAX_EVENTS`` values, before any parser builds them.

    libyaml's event stream is flat (no recursion) and fast, while both
    composers recurse: ruamel runs out of Python stack, and libyaml's C
    composer crashes the process (SIGSEGV) on some 100,000 nested brackets.
    ruamel, which gives the lines, reads some 6,000 values a second: the
    count keeps a hostile file from holding it for minutes. A syntax error
    found here is left to the parser that reports it.
    """
    depth = 0
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_CoreLoader)):
            if count > _MAX_EVENTS:
                raise _Unsafe(f"more than {_MAX_EVENTS:,} YAML values in one file", event)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > _MAX_DEPTH:
                    raise _Unsafe(f"lists and mappings nested more than {_MAX_DEPTH} deep", event)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return


def _check_expansion(root: Any) -> None:
    """Refuse a node graph whose aliases expand to too many values ("billion laughs"), that contains itself, or
    that has a list or mapping as a key (ruamel fails on those with a bare TypeError).

    Aliases share nodes, so the graph is small while the data it stands for
    (and what validation and error messages walk) can be exponential. The
    walk is iterative, so deep nesting cannot exhaust Python's stack here.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        children = _children(node)
        if done:
            on_path.discard(id(node))
            size[id(node)] = 1 + sum(size[id(child)] for child in children)
            if size[id(node)] > len(size) + _ALIAS_SURPLUS:
                raise _Unsafe(f"aliases expand to more than {_ALIAS_SURPLUS:,} values (an alias bomb?)", node)
            continue
        if id(node) in size:
            continue
        if not isinstance(node.value, str):
            for key, _ in (item for item in node.value if isinstance(item, tuple)):
                if not isinstance(key.value, str):
                    raise _Unsafe("a key that is a list or a mapping: keys are names", key)
        on_path.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in on_path:
                raise _Unsafe("a value contains itself (an alias to an enclosing anchor)", child)
            if id(child) not in size:
                stack.append((child, False))


def _children(node: Any) -> list[Any]:
    if isinstance(node.value, str):
        return []
    return [part for item in node.value for part in (item if isinstance(item, tuple) else (item,))]


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor whose scalar errors (``2021-02-31``, ``!!int x``) name their line."""

    def construct_non_recursive_object(self, node: Any, tag: str | None = None) -> Any:
        try:
            return super().construct_non_recursive_object(node, tag)
        except YAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as error:
            raise ConstructorError(None, None, f"cannot read {node.value!r:.60}: {error}", node.start_mark) from None


def _load_yaml(text: str) -> Any:
    """``text`` read by ruamel (round trip, with lines), once :func:`_check_shape` and :func:`_check_expansion`
    have found it safe to build (libyaml composes it for the check: shared nodes, no data, quickly)."""
    _check_shape(text)
    try:
        node = yaml.compose(text, Loader=_CoreLoader)
    except yaml.YAMLError:
        node = None  # ruamel reports the syntax error, with its line
    if node is not None:
        _check_expansion(node)
    reader = YAML(typ="rt")
    reader.Constructor = _Constructor
    return reader.load(text)


@dataclass
class _Document:
    path: Path
    data: Any


def _text(path: Path) -> str:
    """The text of ``path``: a regular file (a FIFO would block) of at most ``_MAX_BYTES`` (a bigger one would take
    minutes to parse); ``_TooBig``/``_NotAFile`` otherwise."""
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise _NotAFile(path)
    if info.st_size > _MAX_BYTES:
        raise _TooBig(info.st_size)
    return path.read_text(encoding="utf-8")


def _read(path: Path, problems: list[Located]) -> _Document | None:
    try:
        text = _text(path)
    except _TooBig as error:
        problems.append(
            Located(path, None, f"{error.args[0]:,} bytes: more than the {_MAX_BYTES:,} a configuration file may have")
        )
        return None
    except _NotAFile:
        problems.append(Located(path, None, "not a regular file"))
        return None
    except UnicodeDecodeError as error:
        problems.append(Located(path, None, f"not UTF-8 text ({error.reason} at byte {error.start})"))
        return None
    except OSError as error:
        problems.append(Located(path, None, f"cannot read: {error.strerror}"))
        return None
    try:
        data = _load_yaml(text)
    except _Unsafe as error:
        problems.append(Located(path, error.line, error.message))
        return None
    except RecursionError:
        problems.append(Located(path, None, "YAML nested too deeply"))
        return None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = error.problem or error.context or "invalid YAML"
        kind = "YAML error" if isinstance(error, ConstructorError) else "YAML syntax error"
        problems.append(Located(path, line, f"{kind}: {what}"))
        return None
    except (TypeError, ValueError) as error:  # any other surprise of the parser: still this file, never a traceback
        problems.append(Located(path, None, f"YAML error: {error}"))
        return None
    except YAMLError as error:  # the reader's: a NUL or another character YAML does not allow
        position = getattr(error, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else None
        problems.append(Located(path, line, f"YAML error: {getattr(error, 'reason', None) or error}"))
        return None
    if not isinstance(data, dict):
        problems.append(Located(path, 1, "expected a mapping of fields at the top of the file"))
        return None
    return _Document(path, data)


class _DuplicateKey(Exception):
    pass


try:  # libyaml's C parser, which PyYAML's wheels are built with
    from yaml import CSafeLoader as _SafeLoader
except ImportError:
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]


class _CoreLoader(_SafeLoader):
    """libyaml's C parser with the YAML 1.2 core schema that ruamel reads: ``yes`` and ``12:30`` stay text,
    ``010`` is ten, ``0o10`` eight; a duplicate key is an error. The fast path of :func:`load_catalog`."""

    def construct_mapping(self, node, deep=False):
        if not all(isinstance(key, yaml.ScalarNode) for key, _ in node.value):
            raise _DuplicateKey(node.start_mark)  # a complex key: the careful path says what is wrong
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
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+)$"), list("-+0123456789")
)
_CoreLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
        r"|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_CoreLoader.add_constructor("tag:yaml.org,2002:int", _core_int)
_CoreLoader.add_constructor("tag:yaml.org,2002:bool", _core_bool)


def _fast_read(path: Path) -> Any:
    """``path`` parsed by the fast loader; any problem at all raises (the caller then takes the careful path)."""
    text = _text(path)
    _check_shape(text)
    loader = _CoreLoader(text)
    try:
        node = loader.get_single_node()
        _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


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


def _message(error: Mapping[str, Any]) -> str:
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


# "# REVIEW:" marks what a person must still check (an open question: a date the plan does not give, a citation not
# yet verified); "# NOTE:" records a decision already taken and why. Only REVIEW counts as left to do.
_REVIEW = re.compile(r"(?:^|\s)#\s*REVIEW:\s*(.*)$")


def review_points(text: str) -> list[str]:
    """The ``# REVIEW:`` comments of a YAML text (on their own line or after a value), as 'line N: what'."""
    return [
        f"line {number}: {match.group(1).strip()}"
        for number, line in enumerate(text.splitlines(), 1)
        if (match := _REVIEW.search(line))
    ]


def config_reviews(config_dir: Path, plan_files: list[Path] | None = None) -> dict[Path, list[str]]:
    """The review points left in a configuration's files (its plans, or ``plan_files``, agencies, calendar and
    policy), by file; files without any are left out."""
    files = [
        *(plan_files if plan_files is not None else _files(config_dir / "plans")),
        *_files(config_dir / "agencies"),
        *_files(config_dir / "calendar"),
        *[p for p in [config_dir / "policy.yaml"] if p.is_file()],
    ]
    found = {}
    for path in files:
        try:
            points = review_points(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue  # check_config reports an unreadable file
        if points:
            found[path] = points
    return found


_CACHE_CODE = (
    "checks.py",
    "folding.py",
    "config.py",
    "model.py",
    "policy.py",
    "succession.py",
    "units.py",
    "workdays.py",
)


def _cache_key(config_dir: Path, plan_files: list[Path] | None) -> str | None:
    """A digest of every file the catalog is read from, and of the code that reads and checks it; ``None`` when a
    file cannot be read (the careful path will say why)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    try:
        for name in _CACHE_CODE:
            digest.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
        files = [
            *_files(config_dir / "agencies"),
            *(plan_files if plan_files is not None else _files(config_dir / "plans")),
            *_files(config_dir / "calendar"),
        ]
        for path in files:
            digest.update(
                str(path.relative_to(config_dir) if path.is_relative_to(config_dir) else path.resolve()).encode()
                + b"\0"
                + _text(path).encode()
                + b"\0"
            )
    except (OSError, UnicodeDecodeError, _TooBig, _NotAFile):
        return None
    return digest.hexdigest()


def _cached(cache_dir: Path, key: str) -> Catalog | None:
    try:
        with open(cache_dir / f"catalog-{key}.pickle", "rb") as handle:
            catalog = pickle.load(handle)
    except Exception:  # noqa: BLE001 — missing, half-written by a killed process, from another version: rebuild
        return None
    return catalog if isinstance(catalog, Catalog) else None


def _keep(cache_dir: Path, key: str, catalog: Catalog) -> None:
    """Write the catalog under its key (atomically: a temporary file renamed) and remove older ones."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for old in cache_dir.glob("catalog-*.pickle"):
            old.unlink(missing_ok=True)
        temporary = cache_dir / f".catalog-{key}.{os.getpid()}.tmp"
        with open(temporary, "wb") as handle:
            pickle.dump(catalog, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, cache_dir / f"catalog-{key}.pickle")
    except OSError:
        pass  # a cache that cannot be written is only slower


def load_catalog(config_dir: Path, plan_files: list[Path] | None = None, cache_dir: Path | None = None) -> Catalog:
    """Load and check the configuration in ``config_dir``; ``ConfigError`` lists every problem.

    ``plan_files`` replaces ``config_dir/plans/`` (to check one new plan
    against an existing directory of agencies).

    With ``cache_dir`` (under the data directory, which only dondoc's user
    can read), a catalog that validated is kept there as a pickle, named by a
    digest of the contents of every file it was read from and of the code
    that reads and checks them: the next load of the same files is one read
    (a national directory loads in milliseconds, not a second). Any change to
    a file, a file added or removed, or a new version of dondoc gives another
    digest; an unreadable cache file is ignored and rewritten.

    Two paths, one result: the files are first read with libyaml (fast: a
    national directory of 1,890 agencies in well under a second); if anything
    at all is wrong, they are read again with ruamel, which knows the line of
    every value, to say ``file:line: what is wrong``.
    """
    key = _cache_key(config_dir, plan_files) if cache_dir is not None and config_dir.is_dir() else None
    if cache_dir is not None and key is not None and (catalog := _cached(cache_dir, key)) is not None:
        return catalog
    if config_dir.is_dir():
        try:
            catalog = _load_fast(config_dir, plan_files)
        except Exception:  # noqa: BLE001 — the careful path below finds and locates every problem
            catalog = None
        if catalog is not None:
            if cache_dir is not None and key is not None:
                _keep(cache_dir, key, catalog)
            return catalog
    return _load_located(config_dir, plan_files)


def _load_fast(config_dir: Path, plan_files: list[Path] | None) -> Catalog:
    areas = [Area.model_validate(_fast_read(path)) for path in _files(config_dir / "agencies")]
    plans = [
        Plan.model_validate(_fast_read(path))
        for path in (plan_files if plan_files is not None else _files(config_dir / "plans"))
    ]
    years: dict[int, CalendarYear] = {}
    for path in _files(config_dir / "calendar"):
        year = CalendarYear.model_validate(_fast_read(path))
        if year.year in years or path.stem != str(year.year):
            raise ValueError(path)
        years[year.year] = year
    if not plans or next(iter(check_catalog([("", p) for p in plans], [("", a) for a in areas])), None):
        raise ValueError("problems")
    return Catalog(plans={plan.id: plan for plan in plans}, directory=Directory(areas), calendar_years=years)


def _read_areas(config_dir: Path, problems: list[Located]) -> list[tuple[_Document, Area]]:
    """Each readable, valid ``agencies/*.yaml`` with its document (problems go to ``problems``)."""
    if not config_dir.is_dir():
        raise ConfigError([Located(config_dir, None, "no such configuration directory")])
    areas: list[tuple[_Document, Area]] = []
    for path in _files(config_dir / "agencies"):
        if (doc := _read(path, problems)) and (area := _validate(doc, Area, problems)):
            areas.append((doc, area))
    return areas


def _load_located(config_dir: Path, plan_files: list[Path] | None) -> Catalog:
    problems: list[Located] = []
    areas = _read_areas(config_dir, problems)
    plans: list[tuple[_Document, Plan]] = []
    for path in plan_files if plan_files is not None else _files(config_dir / "plans"):
        if (doc := _read(path, problems)) and (plan := _validate(doc, Plan, problems)):
            plans.append((doc, plan))
    years: dict[int, CalendarYear] = {}
    for path in _files(config_dir / "calendar"):
        if (doc := _read(path, problems)) and (year := _validate(doc, CalendarYear, problems)):
            if year.year in years:
                problems.append(
                    Located(path, _line(doc.data, ("year",)), f"calendar year {year.year} is defined twice")
                )
            elif path.stem != str(year.year):
                problems.append(
                    Located(path, _line(doc.data, ("year",)), f"year {year.year} in a file named {path.name}")
                )
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


def load_areas(config_dir: Path) -> list[Area]:
    """The areas of ``config_dir/agencies`` alone, checked (a configuration that has no plan yet); ``ConfigError``
    lists every problem, ``file:line``."""
    problems: list[Located] = []
    areas = _read_areas(config_dir, problems)
    docs = {str(doc.path): doc for doc, _ in areas}
    for problem in check_catalog([], [(str(doc.path), area) for doc, area in areas]):
        doc = docs[problem.where]
        problems.append(Located(doc.path, _line(doc.data, problem.path), problem.message))
    if problems:
        raise ConfigError(problems)
    return [area for _, area in areas]


def load_policy(config_dir: Path) -> PolicyFile:
    """Load ``policy.yaml`` (the defaults when the file is absent)."""
    path = config_dir / "policy.yaml"
    if not path.exists():
        return PolicyFile()
    problems: list[Located] = []
    doc = _read(path, problems)
    policy = _validate(doc, PolicyFile, problems) if doc else None
    if problems or not isinstance(policy, PolicyFile):  # reading and validating report every failure in `problems`
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

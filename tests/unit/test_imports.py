"""Import names: everything importable lives under ``dondoc``, and the library never imports an entry point.

- No module of the repository imports the bare names ``db``, ``flows`` or ``deployments`` (they are
  ``dondoc.db``, ``dondoc.flows``, ``dondoc.deployments``: symlinks in a checkout, subpackages in the wheel; a bare
  import would load a second copy of every table and flow), and only ``benchmarks/`` and ``tests/`` import
  ``benchmarks`` (it is not in the wheel).
- The library (``dondoc/`` and ``db/`` without the entry points) imports no entry point: neither the flows, the
  deployments, the CLI, the demo, nor the benchmarks. docs/architecture.md, "Entry points", says which modules are
  entry points and why.

The files are read once each, from their real folders (the symlinks under ``dondoc/`` are not followed).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("dondoc", "db", "flows", "deployments", "benchmarks", "tests", "scripts")
BARE = {"db", "flows", "deployments"}
# Entry points: what a person, a scheduler or a worker starts. They may import the library; never the reverse.
ENTRY_POINTS = {
    "dondoc.cli",
    "dondoc.cli_agencies",
    "dondoc.cli_held",
    "dondoc.cli_history",
    "dondoc.cli_web",
    "dondoc.__main__",
    "dondoc.demo",
    "dondoc.flows",
    "dondoc.deployments",
    "benchmarks",
}


def python_files() -> list[Path]:
    """Every .py file of the repository's code folders, each once (os.walk does not follow the symlinks)."""
    found = []
    for folder in FOLDERS:
        for directory, subdirectories, files in os.walk(ROOT / folder):
            subdirectories[:] = [d for d in subdirectories if d not in {"__pycache__", "data"}]
            found += [Path(directory, name) for name in files if name.endswith(".py")]
    return sorted(found)


def module_name(path: Path) -> str:
    """``dondoc.db.tables`` for db/tables.py: the name it is imported by."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[0] in BARE:
        parts.insert(0, "dondoc")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every absolute module name ``tree`` imports (at the top or inside a function), with its line."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append((node.lineno, node.module))
    return names


def within(name: str, packages: set[str]) -> str | None:
    """The member of ``packages`` that ``name`` is or lies under."""
    return next((p for p in packages if name == p or name.startswith(p + ".")), None)


def problems(path: Path, source: str | None = None) -> list[str]:
    """What ``path`` (its text, or ``source`` read as its text) imports that it must not, as 'line: name (why)'."""
    module = module_name(path)
    top = module.split(".")[0]
    library = top == "dondoc" and not within(module, ENTRY_POINTS)
    found = []
    for line, name in imported(ast.parse(path.read_text(encoding="utf-8") if source is None else source)):
        if name.split(".")[0] in BARE:
            found.append(f"{line}: {name} (bare name: import dondoc.{name})")
        elif name.split(".")[0] == "benchmarks" and top not in {"benchmarks", "tests"}:
            found.append(f"{line}: {name} (the benchmarks are not installed)")
        elif library and (entry := within(name, ENTRY_POINTS)):
            found.append(f"{line}: {name} (the library imports the entry point {entry})")
    return found


FILES = python_files()


def test_every_folder_is_read_once():
    names = [module_name(p) for p in FILES]
    assert len(names) == len(set(names))
    assert {
        "dondoc.cli",
        "dondoc.db.tables",
        "dondoc.flows.chase",
        "dondoc.deployments.serve",
        "benchmarks.chase",
    } <= set(names)
    assert not any("/dondoc/db/" in p.as_posix() or "/dondoc/flows/" in p.as_posix() for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_imports_are_under_dondoc_and_run_from_entry_points_down(path: Path):
    assert problems(path) == []


def test_the_check_sees_what_it_forbids():
    library = ROOT / "dondoc" / "_example.py"  # a library module's name; the source below is its text
    source = (
        "import db.tables\n"
        "from flows.chase import chase\n"
        "def bench():\n"
        "    from benchmarks.__main__ import main\n"
        "    from dondoc.flows.chase import chase\n"
        "    from dondoc.cli import app\n"
        "from dondoc.db.tables import OutboxRow\n"
    )
    assert problems(library, source) == [
        "1: db.tables (bare name: import dondoc.db.tables)",
        "2: flows.chase (bare name: import dondoc.flows.chase)",
        "4: benchmarks.__main__ (the benchmarks are not installed)",
        "5: dondoc.flows.chase (the library imports the entry point dondoc.flows)",
        "6: dondoc.cli (the library imports the entry point dondoc.cli)",
    ]
    # an entry point may import the library, the flows and the CLI, not the benchmarks; a test may import them
    bare = [
        "1: db.tables (bare name: import dondoc.db.tables)",
        "2: flows.chase (bare name: import dondoc.flows.chase)",
    ]
    assert problems(ROOT / "dondoc" / "demo.py", source) == [
        *bare,
        "4: benchmarks.__main__ (the benchmarks are not installed)",
    ]
    assert problems(ROOT / "tests" / "unit" / "test_x.py", source) == bare

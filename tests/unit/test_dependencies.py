"""Every third-party module the shipped code imports comes from a declared run-time dependency.

A module that arrives only through another package (PyYAML and httpx came with Prefect) or only with the ``test``
extra works on the machine that wrote it and breaks the day that package drops it. The shipped code is ``dondoc``
and, while they still sit at the top level, ``db``, ``flows`` and ``deployments``.
"""

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["dondoc", "db", "flows", "deployments"]
# Our own top-level names (benchmarks: `dondoc benchmark` runs them from a checkout).
OURS = {*SHIPPED, "benchmarks"}
# Extras that are not run time: what only the tests need.
NOT_RUN_TIME = {"test"}


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_top_level_modules() -> dict[str, set[str]]:
    """Top-level module name -> the files that import it (absolute imports outside the standard library)."""
    found: dict[str, set[str]] = {}
    for folder in SHIPPED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in OURS:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def _declared_run_time_distributions() -> set[str]:
    """Distributions dondoc's metadata requires, with the extras a user installs (not the test extra)."""
    declared = set()
    for line in importlib.metadata.requires("dondoc") or []:
        requirement = Requirement(line)
        marker = str(requirement.marker or "")
        extra = re.search(r'extra == "([^"]+)"', marker)
        if extra and extra.group(1) in NOT_RUN_TIME:
            continue
        declared.add(_normalized(requirement.name))
    return declared


def test_the_scan_sees_the_imports_it_is_meant_to_check():
    imported = _imported_top_level_modules()
    # One module per kind: a plain dependency, a namespace package (ruamel.yaml), a module whose name differs from
    # its distribution's (yaml from PyYAML), one imported inside a function (httpx in dondoc doctor).
    assert {"sqlmodel", "ruamel", "yaml", "httpx"} <= imported.keys()
    assert "dondoc/doctor.py" in imported["httpx"]


def test_every_imported_third_party_module_is_a_declared_run_time_dependency():
    providers = importlib.metadata.packages_distributions()
    declared = _declared_run_time_distributions()
    undeclared = {}
    for module, files in sorted(_imported_top_level_modules().items()):
        distributions = {_normalized(name) for name in providers.get(module, [])}
        assert distributions, f"{module} (imported by {sorted(files)}) is not installed"
        if not distributions & declared:
            undeclared[module] = (sorted(distributions), sorted(files))
    assert not undeclared, f"imported at run time but not declared in pyproject [project] dependencies: {undeclared}"


def test_the_test_extra_is_not_counted_as_run_time():
    # pytest is declared only in the test extra: if the filter let extras through, this would be True.
    assert "pytest" not in _declared_run_time_distributions()
    assert "sqlmodel" in _declared_run_time_distributions()

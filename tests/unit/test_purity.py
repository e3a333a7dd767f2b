"""The plan model and calendar import no I/O library (docs/architecture.md, "Layers")."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PURE = [
    "model",
    "workdays",
    "deadlines",
    "checks",
    "policy",
    "matching",
    "aggregate",
    "succession",
    "folding",
    "charts",
]
FORBIDDEN = {
    "sqlmodel",
    "sqlalchemy",
    "prefect",
    "jinja2",
    "aiosmtplib",
    "aiosmtpd",
    "imapclient",
    "smtplib",
    "imaplib",
    "email",
    "ruamel",
    "yaml",
    "typer",
    "rich",
    "dondoc.db",
    "dondoc.flows",
    "dondoc.deployments",
}
# pydantic itself imports the stdlib `email` package, so the run-time check leaves it out.
RUNTIME_FORBIDDEN = FORBIDDEN - {"email"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", PURE)
def test_pure_module_imports_no_io_library(name):
    tree = ast.parse((ROOT / "dondoc" / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    bad = sorted(m for m in imported if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert not bad, f"dondoc/{name}.py imports {bad}"


def test_importing_the_pure_core_loads_no_io_library():
    code = (
        "import sys\n"
        + "".join(f"import dondoc.{name}\n" for name in PURE)
        + f"print(sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') "
        f"for f in {sorted(RUNTIME_FORBIDDEN)!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"

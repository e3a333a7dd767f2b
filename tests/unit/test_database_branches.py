"""No module outside db/ branches on the database: the statements whose SQL differs between SQLite and PostgreSQL
(``ON CONFLICT`` inserts, ``FOR UPDATE``) are built by the query functions of db/ (``dondoc.db.engine``), and a
service calls the same function whatever the database.

Read from the files (ast), each once: dondoc/ without the symlinks to db/, flows/, deployments/, and flows/ and
deployments/ themselves.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _files() -> list[Path]:
    found = []
    for folder in ("dondoc", "flows", "deployments"):
        for directory, subdirectories, files in os.walk(ROOT / folder):  # does not follow the links to db/ …
            subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
            found += [Path(directory, name) for name in files if name.endswith(".py")]
    return sorted(found)


def branches(source: str) -> list[str]:
    """Where ``source`` asks which database it runs on, or builds a dialect's own statement: 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "dialect":
            found.append(f"{node.lineno}: .dialect")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy.dialects"):
            found.append(f"{node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if a.name.startswith("sqlalchemy.dialects")]
    return found


FILES = _files()


def test_the_files_read_are_the_services_not_db():
    names = {p.relative_to(ROOT).as_posix() for p in FILES}
    assert {"dondoc/intake.py", "dondoc/chase.py", "flows/chase.py"} <= names
    assert not any(name.startswith(("db/", "dondoc/db/")) for name in names)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_service_branches_on_the_database(path: Path):
    assert branches(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_what_it_forbids():
    source = (
        "from sqlalchemy.dialects.postgresql import insert as pg_insert\n"
        "import sqlalchemy.dialects.sqlite\n"
        "if session.get_bind().dialect.name == 'postgresql':\n"
        "    pass\n"
        "dialect = csv.Sniffer().sniff(text)\n"  # a CSV dialect is no database branch
    )
    assert branches(source) == [
        "1: from sqlalchemy.dialects.postgresql import …",
        "2: import sqlalchemy.dialects.sqlite",
        "3: .dialect",
    ]

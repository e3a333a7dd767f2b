"""The CLI, the flows and the demo hold no logic of their own: no query, no session, no commit — only operations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRY_POINTS = sorted([*ROOT.glob("dondoc/cli*.py"), *ROOT.glob("flows/*.py"), ROOT / "dondoc" / "demo.py"])


# the demo files the simulated agencies' replies into a Maildir: ``inbox.add(…)`` is a mailbox's, not a session's
MAILBOXES = {"dondoc/demo.py": frozenset({"inbox"})}


def forbidden(tree: ast.AST, mailboxes: frozenset[str] = frozenset()) -> list[str]:
    """Each query, session or commit in ``tree``, as 'line: what' (``.add(`` on one of ``mailboxes`` is allowed)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"select", "Session"}:
                found.append(f"{node.lineno}: {func.id}(")
            elif isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                if func.attr == "add" and owner in mailboxes:
                    continue
                if func.attr in {"exec", "execute", "commit", "session", "scalars", "add", "flush", "rollback"}:
                    found.append(f"{node.lineno}: .{func.attr}(")
                elif func.attr == "get" and "session" in owner.lower():
                    found.append(f"{node.lineno}: {owner}.get(")
        elif isinstance(node, ast.ImportFrom) and node.module in {"sqlmodel", "sqlalchemy", "dondoc.db.repo"}:
            found.append(f"{node.lineno}: from {node.module} import")
    return sorted(found)


def test_the_entry_points_are_there():
    names = {p.relative_to(ROOT).as_posix() for p in ENTRY_POINTS}
    assert {
        "dondoc/cli.py",
        "dondoc/cli_held.py",
        "dondoc/demo.py",
        "flows/chase.py",
        "flows/compile_report.py",
    } <= names


@pytest.mark.parametrize("path", ENTRY_POINTS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_query_session_or_commit(path: Path):
    mailboxes = MAILBOXES.get(path.relative_to(ROOT).as_posix(), frozenset())
    assert forbidden(ast.parse(path.read_text(encoding="utf-8")), mailboxes) == []


def test_the_check_sees_what_it_forbids():
    source = (
        "from sqlmodel import select\n"
        "with app.session() as session:\n"
        "    row = session.get(ReportRow, 1)\n"
        "    session.exec(select(ReportRow))\n"
        "    session.commit()\n"
    )
    assert forbidden(ast.parse(source)) == [
        "1: from sqlmodel import",
        "2: .session(",
        "3: session.get(",
        "4: .exec(",
        "4: select(",
        "5: .commit(",
    ]


def test_only_a_mailbox_may_add():
    source = "inbox.add(raw)\nsession.add(row)\n"
    assert forbidden(ast.parse(source)) == ["1: .add(", "2: .add("]
    assert forbidden(ast.parse(source), frozenset({"inbox"})) == ["2: .add("]

"""The errors dondoc raises for things a user can fix.

The CLI turns each into one line (or one line per problem) and exit code 1;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["BackupError", "ConfigError", "DondocError", "Located", "MailError", "NotFound", "TemplateError", "UsageError",
           "visible"]


class DondocError(Exception):
    """Base of every error a user can act on."""


@dataclass(frozen=True, slots=True)
class Located:
    """One configuration problem at ``file:line``."""

    file: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}"
        return visible(f"{where}: {self.message}")


def visible(text: str, keep: str = "") -> str:
    """``text`` with its invisible characters spelled out (``\\n``, ``\\x1b``, ``\\u202e``) but those in ``keep``:
    a value quoted from a hostile file, mail or argument can neither break the line nor drive the terminal."""
    return "".join(c if c.isprintable() or c in keep else c.encode("unicode_escape").decode("ascii") for c in text)


class ConfigError(DondocError):
    """The configuration does not validate; ``problems`` lists all that is wrong."""

    def __init__(self, problems: list[Located]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class NotFound(DondocError):
    """A plan, obligation, agency or period named by the user does not exist."""


class UsageError(DondocError):
    """An argument is malformed (a bad date, an unknown format)."""


class TemplateError(DondocError):
    """A template does not render: the message names the template and the line."""


class MailError(DondocError):
    """Mail cannot be composed or sent (no valid address, a missing secret, …)."""


class BackupError(DondocError):
    """A backup cannot be written or restored (corrupt archive, occupied target, pg_dump failing, …)."""

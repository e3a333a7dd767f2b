"""Where the shipped ``config/`` and ``templates/`` live.

In a wheel they are package data under ``dondoc/_data/``; in a source
checkout (editable install, tests) they are the top-level folders of the
repository.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["checkout", "shipped"]

_PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``"config"`` or ``"templates"``)."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def checkout() -> Path | None:
    """The source checkout this package runs from (an editable install), or None for an installed wheel."""
    root = _PACKAGE.parent
    return root if (root / "pyproject.toml").is_file() and (root / "dondoc").is_dir() else None

"""What a chase's plan depends on, read from the environment and the files alone: the chase horizon's key.

A full chase stores, with the moment a reminder may next fall due, a key:
a digest of the ``DONDOC_*`` environment (a secret counts only as set or
not), of every file of the configuration folder (plans, agencies, calendar,
``policy.yaml``), of dondoc's own code and of the ``holidays`` package. A
later chase whose key is the same plans the same, and can tell that it has
nothing to do from the database alone (docs/chasing.md, "Nothing to do").

Only the standard library: this module is read before anything heavy is
imported. Any doubt gives ``None`` (the caller then takes its full path): a
``.env`` file (which the settings would also read), the same name twice in
different cases, an unreadable configuration, a log level that shows what a
full run does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dondoc.resources import shipped

__all__ = ["Surroundings", "surroundings"]

_PREFIX = "DONDOC_"
_SECRETS = ("PASSWORD", "HMAC_KEY", "SECRET")  # their values are never hashed, only whether they are set
_PACKAGE = Path(__file__).resolve().parent
_CODE = (_PACKAGE, _PACKAGE / "db", _PACKAGE / "operations")  # planning, the tables, the operations


@dataclass(frozen=True)
class Surroundings:
    """What the environment says a chase works with: its database, configuration and time zone, the language of its
    tables, and the key."""

    database_url: str
    config_dir: Path
    timezone: str
    lang: str
    key: str


def surroundings(environ: Mapping[str, str] = os.environ, cwd: Path | None = None) -> Surroundings | None:
    """The database, configuration folder, time zone, table language and horizon key that ``environ`` gives (in
    ``cwd``, the working directory by default), read as :class:`dondoc.settings.Settings` reads them; ``None`` when
    unsure."""
    folder = cwd or Path.cwd()
    if (folder / ".env").exists():
        return None
    names: dict[str, str] = {}
    for name, value in environ.items():
        upper = name.upper()
        if upper.startswith(_PREFIX):
            if upper in names:
                return None
            names[upper] = value
    if not names.get("DONDOC_HMAC_KEY") or names.get("DONDOC_LOG_LEVEL", "WARNING") not in ("WARNING", "ERROR"):
        return None
    lang = names.get("DONDOC_LANG", "vi")
    if lang not in ("vi", "en"):
        return None
    data_dir = folder / names.get("DONDOC_DATA_DIR", "dondoc-data")
    database_url = names.get("DONDOC_DATABASE_URL") or f"sqlite:///{(data_dir / 'dondoc.sqlite3').resolve()}"
    config_dir = folder / names["DONDOC_CONFIG_DIR"] if "DONDOC_CONFIG_DIR" in names else shipped("config")
    digest = hashlib.sha256()
    digest.update(f"python {sys.version}\0".encode())
    for name in sorted(names):
        value = names[name]
        if any(word in name for word in _SECRETS):
            value = "(set)" if value else "(empty)"
        digest.update(f"{name}={value}\0".encode())
    try:
        _files(digest, config_dir, "config")
        for folder_ in _CODE:
            _files(digest, folder_, "code", "*.py")
        _files(digest, _holidays(), "holidays", "version.py", "countries/vietnam.py")
    except (OSError, ValueError):
        return None
    timezone = names.get("DONDOC_TIMEZONE", "Asia/Ho_Chi_Minh")
    return Surroundings(database_url, config_dir, timezone, lang, digest.hexdigest())


def _files(digest, folder: Path | None, label: str, *patterns: str) -> None:
    """Add the name and contents of every file of ``folder`` (or those ``patterns`` match) to ``digest``."""
    if folder is None or not folder.is_dir():
        raise ValueError(f"{label}: no folder {folder}")
    found = (
        sorted(p for p in folder.rglob("*") if p.is_file())
        if not patterns
        else sorted(p for pattern in patterns for p in folder.glob(pattern) if p.is_file())
    )
    digest.update(f"{label}\0".encode())
    for path in found:
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def _holidays() -> Path | None:
    """The folder of the ``holidays`` package (found, not imported)."""
    spec = importlib.util.find_spec("holidays")
    return Path(spec.origin).parent if spec is not None and spec.origin else None

"""Backup and restore: one ``.tar.gz`` holding the database, the raw mail store, attachments and reports.

The archive, in this order::

    database/dondoc.sqlite3    SQLite: an online backup, a consistent snapshot even while others write
    database/dondoc.pgdump     PostgreSQL: ``pg_dump --format=custom``; rows counted in the same snapshot
    data/raw/…                 the raw mail store (content-addressed .eml files)
    data/files/…               attachments kept from submissions
    data/reports/…             the consolidated reports' .docx, .xlsx, .html
    manifest.json              last: dondoc version, Alembic revision, created-at (UTC), database kind,
                               sha256 and size of every file, rows per table

Restoring reads the whole archive first and changes nothing unless every
member is safe (a regular file under one of the names above), listed in the
manifest with its sha256, and the gzip stream is whole. It then refuses to
overwrite a database or data dir that holds anything, unless forced; puts the
database in place (SQLite: an atomic rename; PostgreSQL: ``pg_restore
--clean --if-exists``) and the folders (each swapped in whole); and ends by
checking that every table has the manifest's number of rows. A database
password goes to ``pg_dump``/``pg_restore`` in ``PGPASSWORD`` only, never on
their command line nor in any message.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO
from zoneinfo import ZoneInfo

from sqlalchemy import URL, inspect, text
from sqlalchemy.engine import make_url

from dondoc import installed_version
from dondoc.errors import BackupError
from dondoc.settings import Settings

__all__ = [
    "BackupResult",
    "Part",
    "RestoreResult",
    "create_backup",
    "default_name",
    "pg_command",
    "read_archive",
    "restore_backup",
]

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"sqlite": "database/dondoc.sqlite3", "postgresql": "database/dondoc.pgdump"}
FOLDERS = ("raw", "files", "reports")  # under the data dir; the inbox Maildir is the mail server's business
MAX_MANIFEST = 64 * 1024 * 1024
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Part:
    """One part of a backup: the database, or one folder of the data dir."""

    name: str  # "database", or a folder of FOLDERS
    files: int
    size: int


@dataclass
class BackupResult:
    """What ``create_backup`` wrote."""

    path: Path
    size: int
    kind: str
    revision: str
    rows: dict[str, int]
    parts: list[Part] = field(default_factory=list)


@dataclass
class RestoreResult:
    """What ``restore_backup`` put back, as the manifest describes it (and checked)."""

    kind: str
    revision: str
    created_at: str
    rows: dict[str, int]
    parts: list[Part] = field(default_factory=list)


# --- shared ------------------------------------------------------------------------------------------------


def _kind(url: URL) -> str:
    backend = url.get_backend_name()
    if backend not in DATABASE_MEMBERS:
        raise BackupError(f"cannot back up a '{backend}' database (SQLite and PostgreSQL only)")
    return backend


class _Hashing:
    """A reader that hashes what is read through it."""

    def __init__(self, source: IO[bytes]):
        self.source = source
        self.sha256 = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk


def _sqlite_file(url: str) -> Path:
    """The file of a SQLite database; ``BackupError`` for one in memory (``sqlite://``), which has none."""
    database = make_url(url).database
    if not database:
        raise BackupError("the SQLite database is in memory (sqlite://): there is no file to back up or restore")
    return Path(database)


def _digest(source: IO[bytes]) -> dict:
    reader = _Hashing(source)
    while reader.read(CHUNK):
        pass
    return {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def _one_line(text_: str, secret: str | None) -> str:
    line = " ".join(text_.split())[:300]
    return line.replace(secret, "***") if secret else line


def pg_command(program: str, url: str, *arguments: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment to run a libpq program (pg_dump, pg_restore) on ``url``.

    The password, if the URL has one, is in ``PGPASSWORD`` only; the argv names the server, user and database.
    """
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    bare = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )  # no password (URL.set cannot remove one)
    conninfo = bare.render_as_string(hide_password=False)
    return [program, *arguments, f"--dbname={conninfo}"], environment


def _run_pg(program: str, url: str, *arguments: str) -> None:
    argv, environment = pg_command(program, url, *arguments)
    try:
        done = subprocess.run(argv, env=environment, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{program} not found → install the PostgreSQL client (apt-get install postgresql-client)"
        ) from None
    if done.returncode != 0:
        last = [line for line in done.stderr.splitlines() if line.strip()][-3:]
        raise BackupError(f"{program} failed: {_one_line(' '.join(last), make_url(url).password)}")


def _table_rows(names: Iterable[str], count: Callable[[str], int]) -> dict[str, int]:
    return {name: count(name) for name in sorted(names)}


# --- backup ------------------------------------------------------------------------------------------------


def default_name(now: dt.datetime, timezone: str) -> str:
    """``dondoc-backup-YYYYmmdd-HHMMSS.tar.gz``, in the office's local time."""
    return f"dondoc-backup-{now.astimezone(ZoneInfo(timezone)):%Y%m%d-%H%M%S}.tar.gz"


def _sqlite_snapshot(source: Path, copy: Path) -> tuple[str, dict[str, int]]:
    """Copy the live SQLite database with the online backup API: one read transaction, writers not blocked."""
    if not source.is_file():
        raise BackupError(f"{source}: no database to back up (run `dondoc sync` first)")
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(copy)) as snapshot:
        live.backup(snapshot)  # all pages in one step: a consistent snapshot
        snapshot.execute("PRAGMA journal_mode=DELETE")  # a standalone file, no -wal beside it
        return _sqlite_facts(snapshot)


def _sqlite_facts(connection: sqlite3.Connection) -> tuple[str, dict[str, int]]:
    """The Alembic revision and rows per table of a SQLite database."""
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        raise BackupError("the database has no schema revision (not a dondoc database, or never migrated)") from None
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return revision, _table_rows(names, lambda name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])


def _pg_facts(connection) -> tuple[str, dict[str, int]]:
    """The Alembic revision and rows per table of a PostgreSQL database (in the connection's snapshot)."""
    names = inspect(connection).get_table_names()
    if "alembic_version" not in names:
        raise BackupError("the database has no schema revision (not a dondoc database, or never migrated)")
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    return revision, _table_rows(
        names, lambda name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
    )


def _pg_snapshot(url: str, dump: Path) -> tuple[str, dict[str, int]]:
    """``pg_dump`` in a snapshot exported by a transaction that counts the rows of the same snapshot."""
    from dondoc.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                connection.execute(text("SET TRANSACTION READ ONLY"))
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                revision, rows = _pg_facts(connection)
                _run_pg("pg_dump", url, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}")
    except BackupError:
        raise
    except Exception as error:  # noqa: BLE001 — any driver error is the answer, in one line
        raise BackupError(
            f"cannot read {engine.url.render_as_string(hide_password=True)}: "
            f"{_one_line(str(error), make_url(url).password)}"
        ) from None
    finally:
        engine.dispose()
    return revision, rows


def _data_files(data_dir: Path) -> Iterable[tuple[str, Path]]:
    """(folder, path) of every finished file of the backed-up folders (not half-written temporaries)."""
    for folder in FOLDERS:
        root = data_dir / folder
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            if path.name.startswith(".") or path.suffix.startswith(".tmp"):
                continue
            yield folder, path


def _add_file(tar: tarfile.TarFile, name: str, path: Path, mtime: float) -> dict:
    """Add ``path`` as ``name`` (mode 0600), hashing the bytes as they go into the archive."""
    with open(path, "rb") as source:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = os.fstat(source.fileno()).st_size, 0o600, mtime
        reader = _Hashing(source)
        tar.addfile(info, reader)
    return {"sha256": reader.sha256.hexdigest(), "size": reader.size}


def create_backup(settings: Settings, destination: Path | None, now: dt.datetime) -> BackupResult:
    """Write the archive to ``destination`` (a file, or a folder for the default name; the working directory if
    ``None``). The file appears whole (written under a temporary name, then renamed) with mode 0600."""
    target = destination or Path(".")
    if target.is_dir():
        target = target / default_name(now, settings.timezone)
    if target.exists():
        raise BackupError(f"{target} already exists (choose another name)")
    if not target.parent.is_dir():
        raise BackupError(f"{target.parent}: no such folder")
    url = settings.effective_database_url
    kind = _kind(make_url(url))
    partial = target.with_name(f".{target.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".dondoc-backup-", dir=target.parent) as scratch:
        dump = Path(scratch) / PurePosixPath(DATABASE_MEMBERS[kind]).name
        if kind == "sqlite":
            revision, rows = _sqlite_snapshot(_sqlite_file(url), dump)
        else:
            revision, rows = _pg_snapshot(url, dump)
        stamp = now.timestamp()
        files: dict[str, dict] = {}
        counts: dict[str, list[int]] = {name: [0, 0] for name in ("database", *FOLDERS)}
        try:
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "wb") as raw:
                with (
                    gzip.GzipFile(fileobj=raw, mode="wb", mtime=int(stamp)) as compressed,
                    tarfile.open(fileobj=compressed, mode="w|", format=tarfile.PAX_FORMAT) as tar,
                ):
                    files[DATABASE_MEMBERS[kind]] = _add_file(tar, DATABASE_MEMBERS[kind], dump, stamp)
                    counts["database"] = [1, files[DATABASE_MEMBERS[kind]]["size"]]
                    for folder, path in _data_files(settings.data_dir):
                        name = f"data/{path.relative_to(settings.data_dir).as_posix()}"
                        files[name] = _add_file(tar, name, path, path.stat().st_mtime)
                        counts[folder][0] += 1
                        counts[folder][1] += files[name]["size"]
                    manifest = {
                        "format": FORMAT,
                        "dondoc_version": installed_version(),
                        "alembic_revision": revision,
                        "created_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
                        "database": {"kind": kind, "member": DATABASE_MEMBERS[kind]},
                        "rows": rows,
                        "files": files,
                    }
                    # the manifest comes last: it holds every other member's sha256
                    content = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
                    info = tarfile.TarInfo(MANIFEST)
                    info.size, info.mode, info.mtime = len(content), 0o600, stamp
                    tar.addfile(info, io.BytesIO(content))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        kind=kind,
        revision=revision,
        rows=rows,
        parts=[Part(name, files_, size) for name, (files_, size) in counts.items()],
    )


# --- restore -----------------------------------------------------------------------------------------------


def _safe_name(member: tarfile.TarInfo) -> str:
    """The member's name if it is a regular file at a place dondoc writes; ``BackupError`` otherwise."""
    name = member.name
    path = PurePosixPath(name)
    allowed = (
        name == MANIFEST
        or name in DATABASE_MEMBERS.values()
        or (len(path.parts) >= 3 and path.parts[0] == "data" and path.parts[1] in FOLDERS)
    )
    if path.is_absolute() or ".." in path.parts or not member.isreg() or not allowed:
        what = (
            "a link"
            if member.issym() or member.islnk()
            else "not a regular file"
            if not member.isreg()
            else "an absolute path"
            if path.is_absolute()
            else "outside the data dir"
            if ".." in path.parts
            else "not a place dondoc restores"
        )
        raise BackupError(f"unsafe archive member '{name}' ({what}); nothing was restored")
    return name


def read_archive(archive: Path) -> dict:
    """Read the whole archive and check it; its manifest. Writes nothing.

    ``BackupError`` (one line) for a missing, truncated or corrupt archive, an unsafe member, a member missing
    from the manifest or the manifest naming a member that is missing, or a sha256 or size that differs.
    """
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    found: dict[str, dict] = {}
    manifest_bytes = None
    try:
        with gzip.open(archive, "rb") as compressed:
            with tarfile.open(fileobj=compressed, mode="r|") as tar:
                for member in tar:
                    name = _safe_name(member)
                    if name in found or (name == MANIFEST and manifest_bytes is not None):
                        raise BackupError(f"archive member '{name}' appears twice; nothing was restored")
                    content = tar.extractfile(member)
                    if content is None:  # (_safe_name lets regular files only through, and each has content)
                        raise BackupError(f"archive member '{name}' has no content; nothing was restored")
                    if name == MANIFEST:
                        manifest_bytes = content.read(MAX_MANIFEST)
                    else:
                        found[name] = _digest(content)
            while compressed.read(CHUNK):  # to the very end: gzip checks its CRC and length there
                pass
        if manifest_bytes is None:
            raise BackupError(f"{archive}: no {MANIFEST} (not a dondoc backup, or truncated); nothing was restored")
        manifest = json.loads(manifest_bytes)
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError) as error:
        detail = _one_line(str(error), None)[:120] or type(error).__name__
        raise BackupError(f"{archive}: corrupt or truncated archive ({detail}); nothing was restored") from None
    _check_manifest(archive, manifest, found)
    return manifest


def _check_manifest(archive: Path, manifest: dict, found: dict[str, dict]) -> None:
    try:
        _compare(archive, manifest, found)
    except (AttributeError, KeyError, TypeError):
        raise BackupError(f"{archive}: {MANIFEST} is malformed; nothing was restored") from None


def _compare(archive: Path, manifest: dict, found: dict[str, dict]) -> None:
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
        or not isinstance(manifest.get("rows"), dict)
    ):
        raise BackupError(f"{archive}: {MANIFEST} is not a dondoc backup manifest of format {FORMAT}")
    listed = manifest["files"]
    kind = manifest.get("database", {}).get("kind")
    if kind not in DATABASE_MEMBERS or DATABASE_MEMBERS[kind] not in listed:
        raise BackupError(f"{archive}: the manifest names no database; nothing was restored")
    for name in sorted(set(listed) | set(found)):
        if name not in found:
            raise BackupError(f"{archive}: '{name}' is in the manifest but not in the archive; nothing was restored")
        if name not in listed:
            raise BackupError(f"{archive}: '{name}' is not in the manifest; nothing was restored")
        if found[name] != {"sha256": listed[name].get("sha256"), "size": listed[name].get("size")}:
            raise BackupError(f"{archive}: '{name}' does not match its sha256 in the manifest; nothing was restored")


def _sqlite_occupied(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)) as connection:
            names = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return any(
                connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone()
                for name in names
                if name != "alembic_version"
            )
    except sqlite3.DatabaseError:
        return path.stat().st_size > 0  # not a database: still something --force would overwrite


def _pg_occupied(url: str) -> bool:
    from dondoc.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            names = [n for n in inspect(connection).get_table_names() if n != "alembic_version"]
            return any(connection.execute(text(f'SELECT 1 FROM "{name}" LIMIT 1')).first() for name in names)
    except Exception as error:  # noqa: BLE001 — any driver error is the answer, in one line
        raise BackupError(
            f"cannot connect to {engine.url.render_as_string(hide_password=True)}: "
            f"{_one_line(str(error), make_url(url).password)}"
        ) from None
    finally:
        engine.dispose()


def _put_sqlite(staged: Path, target: Path) -> None:
    """Rename the restored file over the database; the old one's WAL is emptied first, never replayed onto it."""
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = target.with_name(f".{target.name}.restore-{os.getpid()}")
    shutil.copyfile(staged, temporary)
    os.chmod(temporary, 0o600)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    try:
        if target.exists():
            try:
                with closing(sqlite3.connect(target, timeout=30)) as old:
                    busy = old.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            except sqlite3.DatabaseError:
                busy = 0  # not a database: nothing to keep from it
            if busy:
                raise BackupError(f"{target} is in use by another process → stop dondoc (workers, flows) first")
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _swap_folder(staged: Path, target: Path) -> None:
    """Put ``staged`` at ``target`` (a rename), the old folder out of the way first and removed after."""
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, retired)
    if staged.exists():
        os.replace(staged, target)
    shutil.rmtree(retired, ignore_errors=True)


def _extract(archive: Path, staging: Path, manifest: dict) -> None:
    """Extract into ``staging`` with tarfile's ``data`` filter, and check each file against the manifest again."""
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(staging, filter="data")
    for name, expected in manifest["files"].items():
        with open(staging / name, "rb") as handle:
            if _digest(handle) != {"sha256": expected["sha256"], "size": expected["size"]}:
                raise BackupError(f"{archive}: '{name}' changed while it was restored; run restore again")
    for folder, _, _ in os.walk(staging):
        os.chmod(folder, 0o700)


def _restored_rows(kind: str, url: str) -> dict[str, int]:
    if kind == "sqlite":
        with closing(sqlite3.connect(_sqlite_file(url), timeout=30)) as connection:
            return _sqlite_facts(connection)[1]
    from dondoc.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return _pg_facts(connection)[1]
    finally:
        engine.dispose()


def _parts(manifest: dict) -> list[Part]:
    counts = {name: [0, 0] for name in ("database", *FOLDERS)}
    for name, facts in manifest["files"].items():
        path = PurePosixPath(name)
        part = "database" if path.parts[0] == "database" else path.parts[1]
        counts[part][0] += 1
        counts[part][1] += facts["size"]
    return [Part(name, files, size) for name, (files, size) in counts.items()]


def restore_backup(settings: Settings, archive: Path, *, force: bool = False) -> RestoreResult:
    """Restore ``archive`` into the configured database and data dir (see the module's docstring)."""
    manifest = read_archive(archive)
    from dondoc.db.migrate import is_known_revision

    url = settings.effective_database_url
    kind = _kind(make_url(url))
    if manifest["database"]["kind"] != kind:
        raise BackupError(
            f"the archive holds a {manifest['database']['kind']} database, the configured one is "
            f"{kind} (DONDOC_DATABASE_URL)"
        )
    revision = manifest.get("alembic_revision")
    if not isinstance(revision, str) or not is_known_revision(revision):
        raise BackupError(
            f"the archive's schema revision {revision} is unknown to this dondoc "
            f"({installed_version()}) → restore with the dondoc that wrote it "
            f"({manifest.get('dondoc_version')}) or a newer one"
        )
    data_dir = settings.data_dir
    if not force:
        occupied = []
        if kind == "sqlite" and _sqlite_occupied(_sqlite_file(url)) or kind == "postgresql" and _pg_occupied(url):
            occupied.append("the database")
        if any(True for _ in _data_files(data_dir)):
            occupied.append(f"{data_dir}")
        if occupied:
            raise BackupError(
                f"{' and '.join(occupied)} already hold data: restoring would overwrite it → "
                "add --force to replace it with the archive"
            )
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
    try:
        _extract(archive, staging, manifest)
        database = staging / manifest["database"]["member"]
        if kind == "sqlite":
            _put_sqlite(database, _sqlite_file(url))
        else:
            _run_pg(
                "pg_restore",
                url,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                str(database),
            )
        for folder in FOLDERS:
            _swap_folder(staging / "data" / folder, data_dir / folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    rows = _restored_rows(kind, url)
    if rows != manifest["rows"]:
        differing = sorted(
            name for name in set(rows) | set(manifest["rows"]) if rows.get(name) != manifest["rows"].get(name)
        )
        raise BackupError(f"restored, but the rows of {', '.join(differing)} differ from the manifest's counts")
    return RestoreResult(
        kind=kind, revision=revision, created_at=manifest.get("created_at", ""), rows=rows, parts=_parts(manifest)
    )

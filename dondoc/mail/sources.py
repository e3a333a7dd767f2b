"""Where inbound mail comes from: one interface; a Maildir, an IMAP mailbox, and a list in memory for tests.

A source yields the messages it has not yet processed, oldest first, as
:class:`Fetched` (a stable ``ref`` and the raw bytes), one at a time. It is
told ``done(ref)`` only after the caller has stored those bytes safely; until
then the message stays as it was and comes again on the next fetch. A crash
between the two costs at most a second fetch of the same bytes, which the
caller recognises by their content hash. Nothing is ever lost.

A message a source will not fetch (larger than ``max_bytes``) is listed in
``skipped`` as ``(ref, reason)`` for that fetch, and never marked done: it is
left for a person to deal with.
"""

from __future__ import annotations

import contextlib
import logging
import mailbox
import os
import re
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, Self, TypeVar

from imapclient import DELETED, SEEN, IMAPClient
from imapclient.exceptions import CapabilityError, LoginError

from dondoc.errors import MailError

__all__ = ["DEFAULT_MAX_BYTES", "Fetched", "ImapSource", "MailSource", "MaildirSource", "MemorySource"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a 20 MB attachment is ≈ 27 MB once base64-encoded

T = TypeVar("T")

_COMMAND_FAILED = re.compile(r"^\w+ failed: ")  # imapclient's prefix: "select failed: …"
_TIMING = re.compile(r"\s*\([\d.+ ]+ secs\)")  # Dovecot's "(0.001 + 0.000 secs)"


@dataclass(frozen=True)
class Fetched:
    """One message: ``ref`` names it in its source, stable across runs; ``raw`` is its exact bytes."""

    ref: str
    raw: bytes


class MailSource(Protocol):
    """Where inbound mail comes from."""

    skipped: list[tuple[str, str]]
    """Messages the last fetch left alone, as ``(ref, reason)``."""

    def fetch(self, limit: int) -> Iterator[Fetched]:
        """Messages not yet processed, oldest first, at most ``limit``, one at a time."""
        ...

    def done(self, ref: str) -> None:
        """Mark ``ref`` processed; call it only once its raw bytes are safely stored."""
        ...

    def close(self) -> None: ...


class MemorySource:
    """Messages held in a list, for tests: ``MemorySource([raw, raw])``; refs are ``memory:<index>``."""

    def __init__(self, messages: Iterable[bytes] = ()):
        self.messages = list(messages)
        self.done_refs: list[str] = []
        self.skipped: list[tuple[str, str]] = []

    def add(self, raw: bytes) -> str:
        """Append one message; its ref."""
        self.messages.append(raw)
        return f"memory:{len(self.messages) - 1}"

    def fetch(self, limit: int) -> Iterator[Fetched]:
        """The messages not yet done, in list order, at most ``limit``."""
        self.skipped = []
        given = 0
        for index, raw in enumerate(self.messages):
            if given >= limit:
                return
            ref = f"memory:{index}"
            if ref not in self.done_refs:
                given += 1
                yield Fetched(ref, raw)

    def done(self, ref: str) -> None:
        if ref not in self.done_refs:
            self.done_refs.append(ref)

    def close(self) -> None:
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class MaildirSource:
    """A Maildir: unseen messages are those in ``new/`` and those in ``cur/`` without the ``S`` flag.

    ``done`` marks a message seen the Maildir way: it moves to ``cur/`` with
    ``:2,S`` added to its flags (any other flags are kept). A file still
    being delivered sits in ``tmp/`` and is not looked at.
    """

    def __init__(self, path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.skipped: list[tuple[str, str]] = []
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._colon = mailbox.Maildir(self.path, create=True).colon
        self._paths: dict[str, Path] = {}

    def fetch(self, limit: int) -> Iterator[Fetched]:
        """Unseen messages, oldest file first; those listed when the fetch began (later ones come next time)."""
        self.skipped = []
        given = 0
        for _, key, path, size in self._unseen():
            if given >= limit:
                return
            ref = f"maildir:{key}"
            if size > self.max_bytes:
                self.skipped.append((ref, f"{size} bytes, over the limit of {self.max_bytes}"))
                continue
            try:
                raw = path.read_bytes()
            except FileNotFoundError:  # marked or removed by another reader since the listing
                continue
            self._paths[ref] = path
            given += 1
            yield Fetched(ref, raw)

    def _unseen(self) -> list[tuple[int, str, Path, int]]:
        """(mtime, key, path, size) of every unseen message, oldest first: names and sizes only."""
        found = []
        for sub in ("new", "cur"):
            with os.scandir(self.path / sub) as entries:
                for entry in entries:
                    if entry.name.startswith("."):
                        continue
                    key, _, info = entry.name.partition(self._colon)
                    if sub == "cur" and "S" in _flags(info):
                        continue
                    try:
                        if not entry.is_file(follow_symlinks=False):
                            continue
                        status = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    found.append((status.st_mtime_ns, key, Path(entry.path), status.st_size))
        found.sort()
        return found

    def done(self, ref: str) -> None:
        """Move the message to ``cur/`` with the seen flag; a message no longer there is left alone."""
        key = _maildir_key(ref)
        for _ in range(2):  # a second look if another reader moved it meanwhile
            path = self._paths.pop(ref, None)
            if path is None or not path.exists():
                path = self._find(key)
            if path is None:
                return
            _, _, info = path.name.partition(self._colon)
            flags = "".join(sorted(set(_flags(info)) | {"S"}))
            target = self.path / "cur" / f"{key}{self._colon}2,{flags}"
            try:
                os.rename(path, target)
                return
            except FileNotFoundError:
                continue

    def _find(self, key: str) -> Path | None:
        new = self.path / "new" / key
        if new.exists():
            return new
        with os.scandir(self.path / "cur") as entries:
            for entry in entries:
                if entry.name == key or entry.name.startswith(key + self._colon):
                    return Path(entry.path)
        return None

    def close(self) -> None:
        self._paths.clear()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _flags(info: str) -> str:
    """The flag letters of a Maildir info suffix (``2,FS`` → ``FS``)."""
    return info[2:] if info.startswith("2,") else ""


def _maildir_key(ref: str) -> str:
    prefix, _, key = ref.partition(":")
    if prefix != "maildir" or not key or "/" in key or key in (".", ".."):
        raise ValueError(f"not a Maildir ref: {ref!r}")
    return key


class ImapSource:
    """An IMAP mailbox: fetches UNSEEN messages with ``BODY.PEEK[]``, marks them ``\\Seen`` when done.

    Refs are ``imap:<uidvalidity>:<uid>``. If the mailbox's UIDVALIDITY has
    changed since a ref was issued (the mailbox was recreated), ``done`` for
    that ref does nothing: its UID may now name another message. The next
    fetch starts over from what is unseen now.

    ``processed_folder``, if given, receives each message once done (it is
    created if missing). A person reading the mailbox in a mail client marks
    messages seen too, and dondoc then never fetches them: give dondoc a
    mailbox of its own.

    A connection that drops is reopened once per operation; anything else
    becomes a :class:`MailError` of one line, never showing the password.
    """

    size_batch = 500  # UIDs per RFC822.SIZE request
    body_batch_bytes = 16 * 1024 * 1024  # bodies held in memory at once (a bigger message comes alone)

    def __init__(self, *, host: str, port: int = 993, username: str, password: str, mailbox: str = "INBOX",
                 security: Literal["none", "starttls", "tls"] = "tls", timeout: float = 60.0,
                 processed_folder: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES, batch: int = 50,
                 ssl_context: ssl.SSLContext | None = None):
        if security not in ("none", "starttls", "tls"):
            raise ValueError(f"security must be none, starttls or tls, not {security!r}")
        self.host, self.port, self.username, self.mailbox = host, port, username, mailbox
        self.security, self.timeout = security, timeout
        self.processed_folder, self.max_bytes, self.batch = processed_folder, max_bytes, batch
        self.skipped: list[tuple[str, str]] = []
        self._password = password
        self._ssl_context = ssl_context
        self._client: IMAPClient | None = None
        self._uidvalidity: int | None = None
        self._folder_ready = False

    def __repr__(self) -> str:
        return f"ImapSource({self.username}@{self.host}:{self.port}/{self.mailbox}, security={self.security})"

    # -- the interface ------------------------------------------------------------------------------------------

    def fetch(self, limit: int) -> Iterator[Fetched]:
        """Unseen messages in UID order (oldest first), at most ``limit``, bodies fetched in small batches."""
        self.skipped = []
        if limit <= 0:
            return
        uids = self._run("search", lambda client: sorted(client.search(["UNSEEN"])))
        validity = self._uidvalidity
        given = 0
        for start in range(0, len(uids), self.size_batch):
            chunk = uids[start:start + self.size_batch]
            sizes = self._run("fetch sizes", lambda client, uids=chunk: client.fetch(uids, ["RFC822.SIZE"]))
            if self._uidvalidity != validity:
                return  # the mailbox was recreated under us: these UIDs mean nothing now
            wanted = []
            for uid in chunk:
                if uid not in sizes:  # expunged since the search
                    continue
                size = sizes[uid].get(b"RFC822.SIZE", 0)
                if size > self.max_bytes:
                    self.skipped.append((f"imap:{validity}:{uid}", f"{size} bytes, over the limit of {self.max_bytes}"))
                else:
                    wanted.append((uid, size))
            for batch in self._batches(wanted, limit - given):
                bodies = self._run("fetch", lambda client, uids=batch: client.fetch(uids, ["BODY.PEEK[]"]))
                if self._uidvalidity != validity:
                    return
                for uid in batch:
                    raw = bodies.get(uid, {}).get(b"BODY[]")
                    if isinstance(raw, bytes):
                        given += 1
                        yield Fetched(f"imap:{validity}:{uid}", raw)
                if given >= limit:
                    return

    def _batches(self, wanted: list[tuple[int, int]], room: int) -> Iterator[list[int]]:
        """UIDs in groups of at most ``batch`` messages and ``body_batch_bytes``, ``room`` in all."""
        group: list[int] = []
        total = 0
        for uid, size in wanted[:max(room, 0)]:
            if group and (len(group) >= self.batch or total + size > self.body_batch_bytes):
                yield group
                group, total = [], 0
            group.append(uid)
            total += size
        if group:
            yield group

    def done(self, ref: str) -> None:
        """Set ``\\Seen`` (and move to ``processed_folder``); a ref from an older UIDVALIDITY is ignored."""
        validity, uid = _imap_ref(ref)

        def mark(client: IMAPClient) -> None:
            if self._uidvalidity != validity:
                log.info("%s: %s is from an older UIDVALIDITY (now %s); not marked", self._where, ref,
                         self._uidvalidity)
                return
            client.add_flags([uid], [SEEN], silent=True)
            if self.processed_folder:
                self._move(client, uid)

        self._run("mark as processed", mark)

    def _move(self, client: IMAPClient, uid: int) -> None:
        folder = self.processed_folder
        if not self._folder_ready:
            if not client.folder_exists(folder):
                try:
                    client.create_folder(folder)
                except IMAPClient.AbortError:
                    raise
                except IMAPClient.Error:
                    if not client.folder_exists(folder):  # else another client created it just now
                        raise
            self._folder_ready = True
        if client.has_capability("MOVE"):
            client.move([uid], folder)
            return
        client.copy([uid], folder)
        client.add_flags([uid], [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):  # without it, EXPUNGE would also remove others' deleted mail
            client.uid_expunge([uid])

    def close(self) -> None:
        """Log out; errors on the way out do not matter."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except (IMAPClient.Error, OSError):
            _quietly(client.shutdown)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the connection -----------------------------------------------------------------------------------------

    def check(self) -> str:
        """Connect, log in and select the mailbox, then close: what ``dondoc doctor`` says of it (or MailError)."""
        try:
            client = self._client or self._open()
            unseen = len(client.search(["UNSEEN"]))
        except (IMAPClient.Error, OSError) as error:
            self._drop()
            raise self._error(f"cannot read mailbox {self.mailbox!r}", error) from None
        finally:
            self.close()
        return f"{self.username}@{self.host}:{self.port}/{self.mailbox} ({unseen} thư chưa đọc / unseen)"

    @property
    def _where(self) -> str:
        return f"IMAP {self.host}:{self.port}"

    def _run(self, doing: str, action: Callable[[IMAPClient], T]) -> T:
        """``action`` on an open connection, tried twice; errors become one-line MailErrors.

        A second try on a fresh connection covers a dropped connection, and
        also a refusal: Dovecot answers NO (not BYE) when the selected mailbox
        was deleted under the session, and only a new SELECT shows the new
        UIDVALIDITY, which ``action`` checks.
        """
        for attempt in (1, 2):
            client = self._client or self._open()
            try:
                return action(client)
            except (IMAPClient.AbortError, OSError) as error:
                self._drop()
                if attempt == 2:
                    raise self._error(f"{doing}: connection lost", error) from None
                log.info("%s: connection lost during %s (%s); reconnecting", self._where, doing,
                         self._scrub(str(error)))
            except IMAPClient.Error as error:
                self._drop()
                if attempt == 2:
                    raise self._error(f"{doing} failed", error) from None
                log.info("%s: %s failed (%s); trying again on a new connection", self._where, doing,
                         self._scrub(str(error)))
        raise AssertionError("unreachable")

    def _open(self) -> IMAPClient:
        """Connect, secure, log in and select the mailbox; remembers its UIDVALIDITY."""
        context = self._ssl_context or (ssl.create_default_context() if self.security != "none" else None)
        try:
            client = IMAPClient(self.host, port=self.port, ssl=self.security == "tls", ssl_context=context,
                                timeout=self.timeout)
        except (IMAPClient.Error, OSError) as error:
            raise self._error("cannot connect", error) from None
        try:
            if self.security == "starttls":
                client.starttls(context)
            if self.username.isascii() and self._password.isascii():
                client.login(self.username, self._password)
            else:  # imaplib sends LOGIN's arguments as ASCII; AUTHENTICATE PLAIN carries UTF-8 (RFC 4616)
                client.plain_login(self.username, self._password)
            selected = client.select_folder(self.mailbox)
        except LoginError as error:
            _quietly(client.shutdown)
            raise self._error(f"login failed for {self.username}", error) from None
        except CapabilityError as error:
            _quietly(client.shutdown)
            raise self._error("the server offers no STARTTLS", error) from None
        except IMAPClient.AbortError as error:
            _quietly(client.shutdown)
            raise self._error("connection lost", error) from None
        except IMAPClient.Error as error:
            _quietly(client.shutdown)
            raise self._error(f"cannot open mailbox {self.mailbox!r}", error) from None
        except OSError as error:
            _quietly(client.shutdown)
            raise self._error("cannot connect", error) from None
        self._uidvalidity = int(selected[b"UIDVALIDITY"])
        self._folder_ready = False
        self._client = client
        return client

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            _quietly(client.shutdown)

    def _error(self, what: str, error: BaseException) -> MailError:
        """One line: ``IMAP host:port: what (why)``, with the password scrubbed should a server echo it."""
        why = _explain(error, self.timeout)
        line = f"{self._where}: {what}" + (f" ({why})" if why else "")
        return MailError(self._scrub(" ".join(line.split())))

    def _scrub(self, text: str) -> str:
        # Servers don't echo passwords; this is a guard. A very short one would garble the text instead.
        return text.replace(self._password, "***") if len(self._password) >= 4 else text


def _imap_ref(ref: str) -> tuple[int, int]:
    prefix, _, rest = ref.partition(":")
    validity, _, uid = rest.partition(":")
    if prefix != "imap" or not validity.isdigit() or not uid.isdigit():
        raise ValueError(f"not an IMAP ref: {ref!r}")
    return int(validity), int(uid)


def _explain(error: BaseException, timeout: float) -> str:
    """Why, in a few words, from a socket, TLS or IMAP error."""
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return f"unknown host: {error.strerror}"
    if isinstance(error, TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"TLS certificate not accepted: {error.verify_message}"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error}"
    if isinstance(error, OSError):
        return error.strerror or str(error) or type(error).__name__
    text = str(error)
    if text[:2] in ("b'", 'b"') and text[-1:] == text[1]:  # imapclient passes on the server's bytes' repr
        text = text[2:-1]
    text = _TIMING.sub("", _COMMAND_FAILED.sub("", text))
    return text.strip().rstrip(".")


def _quietly(action: Callable[[], object]) -> None:
    """Run a clean-up step whose failure changes nothing (the connection is being dropped anyway)."""
    with contextlib.suppress(Exception):
        action()

"""Where inbound mail comes from: one interface; a Maildir, an IMAP mailbox, and a list in memory for tests.

The mailbox is read by people too: the văn thư opens it in a mail client,
which marks mail seen. So a source never decides by a seen flag what dondoc
has taken, and changes no flag a person relies on. dondoc's own records
decide: the caller passes ``known`` (a scope → the refs it has taken, see
:class:`Known`) and the source yields, oldest first, only the messages it
holds that are not among them, as :class:`Fetched` (a stable ``ref`` and the
raw bytes), one at a time. A ref is ``imap:<uidvalidity>:<uid>`` (scope: the
UIDVALIDITY) or ``maildir:<unique name>`` (the part of the file name before
``:2,``, which flags never change; scope ``""``).

The caller stores the bytes and records the ref; a crash before that costs
at most a second fetch of the same bytes, which the caller recognises by
their content hash. Nothing is ever lost. ``done(ref)`` then lets the source
tidy up: an IMAP source with a ``processed_folder`` moves the message there;
otherwise nothing happens at the source.

After each fetch, ``listing`` accounts for every message the source held:
already taken, fetched, left at the source with the reason (:class:`Left`:
too big, unreadable, arrived before ``since``), waiting for a later run (over
the limit), or gone meanwhile (moved or deleted by a person).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import mailbox
import os
import re
import socket
import ssl
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol, Self, TypeVar

from imapclient import DELETED, IMAPClient
from imapclient.exceptions import CapabilityError, LoginError

from dondoc.errors import MailError

__all__ = [
    "BEFORE_SINCE",
    "DEFAULT_MAX_BYTES",
    "TOO_BIG",
    "UNREADABLE",
    "Fetched",
    "ImapSource",
    "Known",
    "Left",
    "Listing",
    "MailSource",
    "MaildirSource",
    "MemorySource",
    "scope_of",
]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # a 20 MB attachment is ≈ 27 MB once base64-encoded

T = TypeVar("T")

_COMMAND_FAILED = re.compile(r"^(command: \w+ => )?\w+ failed: ")  # "select failed: …", imaplib's "command: X => …"
_TIMING = re.compile(r"\s*\([\d.+ ]+ secs\)")  # Dovecot's "(0.001 + 0.000 secs)"

TOO_BIG, UNREADABLE, BEFORE_SINCE = "too-big", "unreadable", "before-since"

Known = Callable[[str], Collection[str]]
"""The refs dondoc has already taken from this source within a scope (an IMAP UIDVALIDITY; ``""`` for a Maildir)."""


def _nothing_known(scope: str) -> Collection[str]:
    return ()


def scope_of(ref: str) -> str:
    """The scope a ref is remembered in: the UIDVALIDITY of an IMAP ref, else ``""``."""
    return ref.split(":")[1] if ref.startswith("imap:") else ""


@dataclass(frozen=True)
class Fetched:
    """One message: ``ref`` names it in its source, stable across runs; ``raw`` is its exact bytes."""

    ref: str
    raw: bytes


@dataclass(frozen=True)
class Left:
    """A message left at the source, not fetched: ``code`` is one of TOO_BIG, UNREADABLE, BEFORE_SINCE."""

    ref: str
    code: str
    reason: str


@dataclass
class Listing:
    """What one fetch found at the source: ``held == known + fetched + len(left) + waiting + vanished``."""

    held: int = 0
    """Messages in the mailbox when the fetch began."""
    known: int = 0
    """Already taken by an earlier run (dondoc's records, not a flag)."""
    fetched: int = 0
    left: list[Left] = field(default_factory=list)
    """Left at the source, with the reason; named again on every run while they are there."""
    waiting: int = 0
    """Over the run's limit: a later run fetches them."""
    vanished: int = 0
    """Moved or deleted (by a person, another client) between the listing and the fetch."""


class MailSource(Protocol):
    """Where inbound mail comes from."""

    name: str
    """Names the mailbox in dondoc's records: ``maildir``, ``imap:<user>@<host>/<mailbox>``."""
    listing: Listing
    """What the last fetch found."""

    def fetch(self, limit: int, known: Known = _nothing_known) -> Iterator[Fetched]:
        """Messages not among ``known``, oldest first, at most ``limit``, one at a time."""
        ...

    def done(self, ref: str) -> None:
        """``ref`` is stored and recorded; the source may tidy up (never a flag a person relies on)."""
        ...

    def close(self) -> None: ...


class MemorySource:
    """Messages held in a list, for tests: ``MemorySource([raw, raw])``; refs are ``memory:<index>``.

    Each instance is a mailbox of its own (its ``name`` is unique), and it
    also forgets what it was told is ``done``, as a fake should.
    """

    def __init__(self, messages: Iterable[bytes] = (), name: str | None = None):
        self.messages = list(messages)
        self.name = name or f"memory:{uuid.uuid4().hex[:12]}"
        self.done_refs: list[str] = []
        self.listing = Listing()

    def add(self, raw: bytes) -> str:
        """Append one message; its ref."""
        self.messages.append(raw)
        return f"memory:{len(self.messages) - 1}"

    def fetch(self, limit: int, known: Known = _nothing_known) -> Iterator[Fetched]:
        """The messages neither done nor known, in list order, at most ``limit``."""
        listing = self.listing = Listing(held=len(self.messages))
        taken = set(known(""))
        for index, raw in enumerate(self.messages):
            ref = f"memory:{index}"
            if ref in self.done_refs or ref in taken:
                listing.known += 1
            elif listing.fetched >= limit:
                listing.waiting += 1
            else:
                listing.fetched += 1
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


def _too_big(ref: str, size: int, limit: int) -> Left:
    return Left(ref, TOO_BIG, f"{size} bytes, over the limit of {limit}")


def _before(ref: str, since: dt.datetime) -> Left:
    day = f"{since:%d/%m/%Y}"
    return Left(ref, BEFORE_SINCE, f"đến trước ngày {day} (DONDOC_INBOX_SINCE) / arrived before {day}")


def _unreadable(ref: str, why: str) -> Left:
    return Left(ref, UNREADABLE, f"không đọc được / unreadable: {why}")


class MaildirSource:
    """A Maildir: every message in ``new/`` and ``cur/``, whatever its flags; taken once, by its unique name.

    dondoc moves, renames and flags nothing: a message a person has not read
    stays unread (and one still in ``new/`` stays new) for the person. A file
    still being delivered sits in ``tmp/`` and is not looked at. A message a
    person moves from ``new/`` to ``cur/`` while dondoc reads is found again
    under its new name.
    """

    name = "maildir"

    def __init__(
        self, path: str | os.PathLike, *, max_bytes: int = DEFAULT_MAX_BYTES, since: dt.datetime | None = None
    ):
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.since = since
        self.listing = Listing()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._colon = mailbox.Maildir(self.path, create=True).colon

    def fetch(self, limit: int, known: Known = _nothing_known) -> Iterator[Fetched]:
        """Messages not known, oldest file first; those listed when the fetch began (later ones come next time)."""
        listing = self.listing = Listing()
        since = self.since
        for mtime, key, path, size in self._unknown(set(known(""))):
            ref = f"maildir:{key}"
            if since is not None and mtime < since.timestamp() * 1e9:
                listing.left.append(_before(ref, since))
            elif size > self.max_bytes:
                listing.left.append(_too_big(ref, size, self.max_bytes))
            elif listing.fetched >= limit:
                listing.waiting += 1
            else:
                raw = self._read(ref, key, path)
                if raw is not None:
                    listing.fetched += 1
                    yield Fetched(ref, raw)

    def _unknown(self, taken: set[str]) -> list[tuple[int, str, Path, int]]:
        """(mtime, key, path, size) of every message not in ``taken``, oldest first; counts the rest."""
        listing, found, keys = self.listing, [], set()
        for sub in ("new", "cur"):
            with os.scandir(self.path / sub) as entries:
                for entry in entries:
                    key = entry.name.partition(self._colon)[0]
                    if entry.name.startswith(".") or key in keys:  # a dot file; or moved new/ → cur/ as we list
                        continue
                    keys.add(key)
                    listing.held += 1
                    if f"maildir:{key}" in taken:
                        listing.known += 1
                        continue
                    try:
                        if not entry.is_file(follow_symlinks=False):
                            listing.left.append(_unreadable(f"maildir:{key}", "not a regular file"))
                            continue
                        status = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        listing.vanished += 1
                        continue
                    found.append((status.st_mtime_ns, key, Path(entry.path), status.st_size))
        found.sort()
        return found

    def _read(self, ref: str, key: str, path: Path) -> bytes | None:
        """The bytes of ``key``, looked for again if a person moved it meanwhile; None if gone or unreadable."""
        for _ in range(2):
            try:
                return path.read_bytes()
            except FileNotFoundError:
                found = self._find(key)
                if found is None:
                    break
                path = found
            except OSError as error:
                self.listing.left.append(_unreadable(ref, error.strerror or type(error).__name__))
                return None
        self.listing.vanished += 1
        return None

    def done(self, ref: str) -> None:
        """Nothing to do at the source: the message stays where it is, with the flags a person gave it."""
        _maildir_key(ref)

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
        pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _maildir_key(ref: str) -> str:
    prefix, _, key = ref.partition(":")
    if prefix != "maildir" or not key or "/" in key or key in (".", ".."):
        raise ValueError(f"not a Maildir ref: {ref!r}")
    return key


class _Refused(MailError):
    """The server refused a command twice, or closed the session on it (BYE), rather than the network failing:
    for a FETCH, a message it cannot read."""


class ImapSource:
    """An IMAP mailbox: every message, seen by a person or not, fetched once with ``BODY.PEEK[]`` (no flag set).

    Refs are ``imap:<uidvalidity>:<uid>``. Each run lists the mailbox's UIDs
    (one SEARCH, plus one for ``since``), and fetches sizes and bodies only of
    those not in ``known`` for the current UIDVALIDITY: a big mailbox costs a
    list of numbers per run. If the mailbox is recreated (a new UIDVALIDITY),
    everything in it is fetched once more, and the caller's content hashes
    keep any message from being taken twice; a ``done`` for a ref of an older
    UIDVALIDITY does nothing (its UID may now name another message).

    ``since`` leaves messages that arrived (IMAP INTERNALDATE) before its date
    at the source, named in ``listing``. ``processed_folder``, if given,
    receives each message once done (it is created if missing), flags as they
    were; one still in the mailbox though taken (a run cut off before it moved
    it) is moved by the next run.

    A connection that drops is reopened once per operation; anything else
    becomes a :class:`MailError` of one line, never showing the password. A
    message the server refuses to hand over is left at the source, named.
    """

    size_batch = 500  # UIDs per RFC822.SIZE request
    body_batch_bytes = 16 * 1024 * 1024  # bodies held in memory at once (a bigger message comes alone)

    def __init__(
        self,
        *,
        host: str,
        port: int = 993,
        username: str,
        password: str,
        mailbox: str = "INBOX",
        security: Literal["none", "starttls", "tls"] = "tls",
        timeout: float = 60.0,
        processed_folder: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        batch: int = 50,
        since: dt.datetime | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ):
        if security not in ("none", "starttls", "tls"):
            raise ValueError(f"security must be none, starttls or tls, not {security!r}")
        self.host, self.port, self.username, self.mailbox = host, port, username, mailbox
        self.security, self.timeout = security, timeout
        self.processed_folder, self.max_bytes, self.batch, self.since = processed_folder, max_bytes, batch, since
        self.name = f"imap:{username}@{host.lower()}/{mailbox}"
        self.listing = Listing()
        self._password = password
        self._ssl_context = ssl_context
        self._client: IMAPClient | None = None
        self._uidvalidity: int | None = None
        self._folder_ready = False

    def __repr__(self) -> str:
        return f"ImapSource({self.username}@{self.host}:{self.port}/{self.mailbox}, security={self.security})"

    # -- the interface ------------------------------------------------------------------------------------------

    def fetch(self, limit: int, known: Known = _nothing_known) -> Iterator[Fetched]:
        """Messages not known, in UID order (oldest first), at most ``limit``, bodies fetched in small batches."""
        listing = self.listing = Listing()
        uids, before = self._run("search", self._search)
        validity = self._uidvalidity
        assert validity is not None, "the search selected the mailbox, which gave its UIDVALIDITY"
        taken = {uid for uid in map(_uid_in(validity), known(str(validity))) if uid is not None}
        listing.held = len(uids)
        unknown = [uid for uid in uids if uid not in taken]
        listing.known = len(uids) - len(unknown)
        if self.processed_folder and listing.known:
            self._tidy([uid for uid in uids if uid in taken], validity)
        for uid in unknown:
            if uid in before and self.since is not None:  # (only a search with a `since` finds some before it)
                listing.left.append(_before(f"imap:{validity}:{uid}", self.since))
        unknown = [uid for uid in unknown if uid not in before]
        for start in range(0, len(unknown), self.size_batch):
            chunk = unknown[start : start + self.size_batch]
            sizes = self._each(chunk, "fetch sizes", b"RFC822.SIZE")
            if self._uidvalidity != validity:
                return self._recreated()  # the mailbox was recreated under us: these UIDs mean nothing now
            wanted = []
            for uid in chunk:
                size = sizes.get(uid)
                if size is None:  # expunged since the search
                    listing.vanished += 1
                elif not isinstance(size, int):  # the server's answer for this message, not a size
                    listing.left.append(_unreadable(f"imap:{validity}:{uid}", str(size)))
                elif size > self.max_bytes:
                    listing.left.append(_too_big(f"imap:{validity}:{uid}", size, self.max_bytes))
                else:
                    wanted.append((uid, size))
            room = max(limit - listing.fetched, 0)
            listing.waiting += max(len(wanted) - room, 0)
            for batch in self._batches(wanted[:room]):
                bodies = self._each(batch, "fetch", b"BODY[]")
                if self._uidvalidity != validity:
                    return self._recreated()
                for uid in batch:
                    ref, raw = f"imap:{validity}:{uid}", bodies.get(uid)
                    if isinstance(raw, bytes):
                        listing.fetched += 1
                        yield Fetched(ref, raw)
                    elif isinstance(raw, str):
                        listing.left.append(_unreadable(ref, raw))
                    else:
                        listing.vanished += 1

    def _recreated(self) -> None:
        """The mailbox was recreated during the fetch: what was not fetched waits for the next run."""
        listing = self.listing
        listing.waiting = listing.held - listing.known - listing.fetched - len(listing.left) - listing.vanished

    def _search(self, client: IMAPClient) -> tuple[list[int], set[int]]:
        """Every UID in the mailbox, ascending; and those that arrived before ``since``.

        The mailbox is selected again first: a session kept open since an earlier fetch sees what others did
        since (new mail, mail moved or deleted, the mailbox recreated) only then.
        """
        self._uidvalidity = int(client.select_folder(self.mailbox)[b"UIDVALIDITY"])
        uids = sorted(client.search(["ALL"]))
        before = set(client.search(["BEFORE", self.since.date()])) if self.since and uids else set()
        return uids, before

    def _each(self, uids: list[int], doing: str, item: bytes) -> dict[int, object]:
        """UID → ``item`` (RFC822.SIZE or the bytes), or why the server would not give it; absent if expunged.

        A batch the server refuses (Dovecot answers BYE when it cannot open one message's file) is asked
        again one message at a time, so one message it cannot read never holds up the others.
        """
        asked = b"BODY.PEEK[]" if item == b"BODY[]" else item
        try:
            found = self._run(doing, lambda client: client.fetch(uids, [asked]))
        except _Refused as error:
            if len(uids) == 1:
                return {uids[0]: f"the server refused it ({error.why or 'no reason given'})"}
            found = {}
            for uid in uids:
                found.update(self._each([uid], doing, item))
            return found
        return {uid: data[item] for uid, data in found.items() if data.get(item) is not None}

    def _batches(self, wanted: list[tuple[int, int]]) -> Iterator[list[int]]:
        """UIDs in groups of at most ``batch`` messages and ``body_batch_bytes``."""
        group: list[int] = []
        total = 0
        for uid, size in wanted:
            if group and (len(group) >= self.batch or total + size > self.body_batch_bytes):
                yield group
                group, total = [], 0
            group.append(uid)
            total += size
        if group:
            yield group

    def done(self, ref: str) -> None:
        """Move to ``processed_folder``, if there is one (no flag is set); an older UIDVALIDITY's ref is ignored."""
        validity, uid = _imap_ref(ref)
        if self.processed_folder:
            self._tidy([uid], validity)

    def _tidy(self, uids: list[int], validity: int) -> None:
        """Move ``uids`` (taken already) to the processed folder, unless the mailbox was recreated since."""

        def move(client: IMAPClient) -> None:
            # Selected afresh: Dovecot lets a session opened before the mailbox was recreated act on the new
            # mailbox's UIDs (and STATUS answers the old UIDVALIDITY), and a message moved away untaken would
            # never be taken.
            self._uidvalidity = int(client.select_folder(self.mailbox)[b"UIDVALIDITY"])
            if self._uidvalidity != validity:
                log.info(
                    "%s: UIDs %s are from an older UIDVALIDITY %s (now %s); not moved",
                    self._where,
                    uids[:5],
                    validity,
                    self._uidvalidity,
                )
                return
            self._move(client, uids)

        self._run("move to the processed folder", move)

    def _move(self, client: IMAPClient, uids: list[int]) -> None:
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
            client.move(uids, folder)
            return
        client.copy(uids, folder)
        client.add_flags(uids, [DELETED], silent=True)
        if client.has_capability("UIDPLUS"):  # without it, EXPUNGE would also remove others' deleted mail
            client.uid_expunge(uids)

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
            count = len(client.search(["ALL"]))
        except (IMAPClient.Error, OSError) as error:
            self._drop()
            raise self._error(f"cannot read mailbox {self.mailbox!r}", error) from None
        finally:
            self.close()
        return f"{self.username}@{self.host}:{self.port}/{self.mailbox} ({count} thư / messages)"

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
                    refused = isinstance(error, IMAPClient.AbortError) and "socket error" not in str(error)
                    raise self._error(f"{doing}: connection lost", error, _Refused if refused else MailError) from None
                log.info(
                    "%s: connection lost during %s (%s); reconnecting", self._where, doing, self._scrub(str(error))
                )
            except IMAPClient.Error as error:
                self._drop()
                if attempt == 2:
                    raise self._error(f"{doing} failed", error, _Refused) from None
                log.info(
                    "%s: %s failed (%s); trying again on a new connection", self._where, doing, self._scrub(str(error))
                )
        raise AssertionError("unreachable")

    def _open(self) -> IMAPClient:
        """Connect, secure, log in and select the mailbox; remembers its UIDVALIDITY."""
        context = self._ssl_context or (ssl.create_default_context() if self.security != "none" else None)
        try:
            client = IMAPClient(
                self.host, port=self.port, ssl=self.security == "tls", ssl_context=context, timeout=self.timeout
            )
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

    def _error(self, what: str, error: BaseException, kind: type[MailError] = MailError) -> MailError:
        """One line: ``IMAP host:port: what (why)``, with the password scrubbed should a server echo it."""
        why = _explain(error, self.timeout)
        line = f"{self._where}: {what}" + (f" ({why})" if why else "")
        made = kind(self._scrub(" ".join(line.split())))
        made.why = self._scrub(why)
        return made

    def _scrub(self, text: str) -> str:
        # Servers don't echo passwords; this is a guard. A very short one would garble the text instead.
        return text.replace(self._password, "***") if len(self._password) >= 4 else text


def _imap_ref(ref: str) -> tuple[int, int]:
    prefix, _, rest = ref.partition(":")
    validity, _, uid = rest.partition(":")
    if prefix != "imap" or not validity.isdigit() or not uid.isdigit():
        raise ValueError(f"not an IMAP ref: {ref!r}")
    return int(validity), int(uid)


def _uid_in(validity: int | None) -> Callable[[str], int | None]:
    """A function: the UID of an IMAP ref of ``validity``, else None."""

    def uid(ref: str) -> int | None:
        try:
            of, number = _imap_ref(ref)
        except ValueError:
            return None
        return number if of == validity else None

    return uid


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

"""Sending: one interface, an SMTP implementation (aiosmtplib, pooled) and an in-memory one for tests.

A transport takes envelopes (a list, or an async iterator that claims them
as it goes) and reports one :class:`Delivery` per envelope through a
callback, as soon as the server has answered, so the caller can record it.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiosmtplib

__all__ = ["Delivery", "Envelope", "Envelopes", "MemoryTransport", "SmtpTransport", "Transport", "each"]


@dataclass(frozen=True)
class Envelope:
    outbox_id: int
    sender: str
    recipients: list[str]
    raw: bytes
    message_id: str


@dataclass(frozen=True)
class Delivery:
    """The server's answer: ``ok``; else ``permanent`` (5xx) or transient (4xx, network)."""

    outbox_id: int
    ok: bool
    permanent: bool = False
    error: str | None = None
    refused: dict[str, str] = field(default_factory=dict)


Envelopes = Iterable[Envelope] | AsyncIterable[Envelope]


class Transport(Protocol):
    async def deliver(self, envelopes: Envelopes, on_result: Callable[[Delivery], None]) -> None: ...


async def each(envelopes: Envelopes) -> AsyncIterator[Envelope]:
    """The envelopes of a list or of an async iterator, one by one."""
    if isinstance(envelopes, AsyncIterable):
        async for envelope in envelopes:
            yield envelope
    else:
        for envelope in envelopes:
            yield envelope


class MemoryTransport:
    """Keeps what it is given; ``refuse`` maps an address to an SMTP code and text."""

    def __init__(self, refuse: dict[str, tuple[int, str]] | None = None):
        self.sent: list[Envelope] = []
        self.refuse = refuse or {}

    async def deliver(self, envelopes: Envelopes, on_result: Callable[[Delivery], None]) -> None:
        async for envelope in each(envelopes):
            refused = {a: f"{c} {t}" for a, (c, t) in self.refuse.items() if a in envelope.recipients}
            accepted = [a for a in envelope.recipients if a not in refused]
            if not accepted:
                codes = [self.refuse[a][0] for a in refused]
                on_result(
                    Delivery(
                        envelope.outbox_id, False, all(c >= 500 for c in codes), "; ".join(refused.values()), refused
                    )
                )
                continue
            self.sent.append(envelope)
            on_result(Delivery(envelope.outbox_id, True, refused=refused))


def _classify(envelope: Envelope, error: Exception) -> Delivery:
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        refused = {r.recipient: f"{r.code} {r.message}" for r in error.recipients}
        permanent = all(r.code >= 500 for r in error.recipients)
        return Delivery(envelope.outbox_id, False, permanent, "; ".join(refused.values()), refused)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return Delivery(envelope.outbox_id, False, error.code >= 500, f"{error.code} {error.message}")
    return Delivery(envelope.outbox_id, False, False, f"{type(error).__name__}: {error}")


class SmtpTransport:
    """aiosmtplib over a small pool of reused connections."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        security: str = "none",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        connections: int = 4,
        local_hostname: str = "dondoc.local",
    ):
        self.options: dict[str, Any] = dict(
            hostname=host,
            port=port,
            timeout=timeout,
            local_hostname=local_hostname,
            use_tls=security == "tls",
            start_tls=security == "starttls",
            username=username,
            password=password,
        )
        self.connections = connections

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(**self.options)
        await client.connect()
        return client

    async def deliver(self, envelopes: Envelopes, on_result: Callable[[Delivery], None]) -> None:
        """Send every envelope over the pool: one feeder fills a short queue (claiming as it goes, when given an
        async iterator), and each connection takes the next envelope as soon as it is free."""
        queue: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=8 * self.connections)
        tasks = [
            asyncio.create_task(self._feed(envelopes, queue)),
            *(asyncio.create_task(self._worker(queue, on_result)) for _ in range(self.connections)),
        ]
        try:
            await asyncio.gather(*tasks)
        finally:
            # one task failed (``on_result`` could not record an answer, or claiming failed: the database went
            # away): stop the others and collect their errors too, or asyncio prints them as a traceback
            for task in tasks:
                task.cancel()
            # and end marks for the connections, in case one did not take its cancellation: on Python 3.11 a
            # cancellation that meets the server's answer inside ``wait_for`` can be lost, and that connection
            # would otherwise wait on the queue for ever
            while not queue.empty():
                queue.get_nowait()
            for _ in range(self.connections):
                queue.put_nowait(None)
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _feed(self, envelopes: Envelopes, queue: asyncio.Queue[Envelope | None]) -> None:
        async for envelope in each(envelopes):
            await queue.put(envelope)
        for _ in range(self.connections):
            await queue.put(None)  # one end mark per connection

    async def _worker(self, queue: asyncio.Queue[Envelope | None], on_result: Callable[[Delivery], None]) -> None:
        client: aiosmtplib.SMTP | None = None  # connected on the first envelope: no envelope, no connection
        idle = True  # between two transactions: a QUIT is understood (not in the middle of DATA)
        try:
            while (envelope := await queue.get()) is not None:
                try:
                    if client is None or not client.is_connected:
                        client = await self._connect()
                    idle = False
                    refused = await _transaction(client, envelope)
                    idle = True
                    result = Delivery(envelope.outbox_id, True, refused=refused)
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
                    result = _classify(envelope, error)
                    idle = True
                    if client is not None and not isinstance(error, aiosmtplib.SMTPRecipientsRefused):
                        client.close()
                        client = None
                on_result(result)
        finally:
            if client is not None and client.is_connected:
                if not idle:  # stopped mid-transaction (another task failed): the server would wait for the data
                    client.close()
                else:
                    try:
                        await client.quit()
                    except aiosmtplib.SMTPException:
                        client.close()


# An address that ``email.utils.parseaddr`` (which aiosmtplib applies to each) gives back unchanged: what
# dondoc.mail.compose.parse_address lets through, and so every envelope address dondoc writes.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PERIOD = re.compile(rb"(?m)^\.")  # aiosmtplib's dot-stuffing


def _wire(raw: bytes) -> tuple[bytes, int] | None:
    """What aiosmtplib's ``sendmail`` writes after ``DATA`` for ``raw`` (CRLF line endings, dot-stuffed, the
    final ``.``) and the size it declares (before dot-stuffing), when ``raw`` has ``\\n`` line endings only (as
    every message dondoc composes): a ``bytes.replace`` where aiosmtplib runs its regular expressions twice.
    ``None`` for anything else (aiosmtplib's own path then)."""
    if b"\r" in raw:
        return None
    data = raw.replace(b"\n", b"\r\n")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    size = len(data)
    if data.startswith(b".") or b"\n." in data:
        data = _PERIOD.sub(b"..", data)
    return data + b".\r\n", size


async def _transaction(client: aiosmtplib.SMTP, envelope: Envelope) -> dict[str, str]:
    """``client.sendmail(sender, recipients, raw)`` — the same commands and bytes on the wire, the same exceptions,
    the same ``RSET`` after a refusal — without its per-message work that dondoc's envelopes do not need (parsing
    each address twice, normalising the message twice). Returns the refused recipients (some were accepted)."""
    wire = _wire(envelope.raw)
    addresses = (envelope.sender, *envelope.recipients)
    if wire is None or client.is_ehlo_or_helo_needed or not all(_PLAIN_ADDRESS.fullmatch(a) for a in addresses):
        refused, _ = await client.sendmail(envelope.sender, envelope.recipients, envelope.raw)
        return {a: f"{r.code} {r.message}" for a, r in refused.items()}
    data, size = wire
    options = [b"size=%d" % size] if client.supports_extension("size") else []
    errors: list[aiosmtplib.SMTPRecipientRefused] = []
    try:
        response = await client.execute_command(b"MAIL", b"FROM:<" + envelope.sender.encode() + b">", *options)
        if response.code != 250:
            raise aiosmtplib.SMTPSenderRefused(response.code, response.message, envelope.sender)
        for recipient in envelope.recipients:
            response = await client.execute_command(b"RCPT", b"TO:<" + recipient.encode() + b">")
            if response.code not in (250, 251):
                errors.append(aiosmtplib.SMTPRecipientRefused(response.code, response.message, recipient))
        if len(errors) == len(envelope.recipients):
            raise aiosmtplib.SMTPRecipientsRefused(errors)
        response = await client.execute_command(b"DATA")
        if response.code != 354:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
        protocol = client.protocol
        if protocol is None:
            raise aiosmtplib.SMTPServerDisconnected("Server not connected")
        protocol.write(data)
        response = await protocol.read_response(timeout=client.timeout)
        if response.code != 250:
            raise aiosmtplib.SMTPDataError(response.code, response.message)
    except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
        # as sendmail does: the envelope reset for the next message (a lost connection or a refusal here is moot)
        with contextlib.suppress(ConnectionError, aiosmtplib.SMTPResponseException):
            await client.rset()
        raise
    return {error.recipient: f"{error.code} {error.message}" for error in errors}

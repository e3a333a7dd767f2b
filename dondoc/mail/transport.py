"""Sending: one interface, an SMTP implementation (aiosmtplib, pooled) and an in-memory one for tests.

A transport takes envelopes and reports one :class:`Delivery` per envelope
through a callback, as soon as the server has answered, so the caller can
record it before the next message goes out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiosmtplib

__all__ = ["Delivery", "Envelope", "MemoryTransport", "SmtpTransport", "Transport"]


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


class Transport(Protocol):
    async def deliver(self, envelopes: Iterable[Envelope], on_result: Callable[[Delivery], None]) -> None: ...


class MemoryTransport:
    """Keeps what it is given; ``refuse`` maps an address to an SMTP code and text."""

    def __init__(self, refuse: dict[str, tuple[int, str]] | None = None):
        self.sent: list[Envelope] = []
        self.refuse = refuse or {}

    async def deliver(self, envelopes: Iterable[Envelope], on_result: Callable[[Delivery], None]) -> None:
        for envelope in envelopes:
            refused = {a: f"{c} {t}" for a, (c, t) in self.refuse.items() if a in envelope.recipients}
            accepted = [a for a in envelope.recipients if a not in refused]
            if not accepted:
                codes = [self.refuse[a][0] for a in refused]
                on_result(Delivery(envelope.outbox_id, False, all(c >= 500 for c in codes),
                                   "; ".join(refused.values()), refused))
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

    def __init__(self, *, host: str, port: int, security: str = "none", username: str | None = None,
                 password: str | None = None, timeout: float = 30.0, connections: int = 4,
                 local_hostname: str = "dondoc.local"):
        self.options: dict[str, Any] = dict(hostname=host, port=port, timeout=timeout, local_hostname=local_hostname,
                            use_tls=security == "tls", start_tls=security == "starttls",
                            username=username, password=password)
        self.connections = connections

    async def _connect(self) -> aiosmtplib.SMTP:
        client = aiosmtplib.SMTP(**self.options)
        await client.connect()
        return client

    async def deliver(self, envelopes: Iterable[Envelope], on_result: Callable[[Delivery], None]) -> None:
        queue: asyncio.Queue[Envelope] = asyncio.Queue()
        for envelope in envelopes:
            queue.put_nowait(envelope)
        workers = [asyncio.create_task(self._worker(queue, on_result))
                   for _ in range(min(self.connections, queue.qsize()))]
        try:
            await asyncio.gather(*workers)
        finally:
            # one worker failed (``on_result`` could not record an answer: the database went away): stop the
            # others and collect their errors too, or asyncio prints them as a traceback on its way out
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _worker(self, queue: asyncio.Queue[Envelope], on_result: Callable[[Delivery], None]) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not queue.empty():
                envelope = queue.get_nowait()
                try:
                    if client is None or not client.is_connected:
                        client = await self._connect()
                    refused, _ = await client.sendmail(envelope.sender, envelope.recipients, envelope.raw)
                    result = Delivery(envelope.outbox_id, True,
                                      refused={a: f"{r.code} {r.message}" for a, r in refused.items()})
                except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
                    result = _classify(envelope, error)
                    if client is not None and not isinstance(error, aiosmtplib.SMTPRecipientsRefused):
                        client.close()
                        client = None
                on_result(result)
        finally:
            if client is not None and client.is_connected:
                try:
                    await client.quit()
                except aiosmtplib.SMTPException:
                    client.close()

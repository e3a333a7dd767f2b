"""A local SMTP server (aiosmtpd) that delivers into Maildirs, for the demo and the tests.

It behaves as a careful receiving side does: a message whose Message-ID it
has already delivered to a mailbox is accepted and dropped (duplicate
elimination), so a resend after a crash never shows twice. It can also be
told to misbehave: refuse an address (5xx or 4xx), or fail a whole message.
"""

from __future__ import annotations

import asyncio
import mailbox
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["MaildirSink", "SinkStats"]

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass
class SinkStats:
    """What arrived: deliveries per mailbox, duplicates dropped, transactions refused."""

    delivered: Counter = field(default_factory=Counter)
    duplicates: int = 0
    refused: int = 0
    received: int = 0


class _Handler:
    def __init__(self, sink: MaildirSink):
        self.sink = sink

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options):
        answer = self.sink.refuse.get(address.lower())
        if answer is not None:
            self.sink.stats.refused += 1
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        if self.sink.fail_data is not None:
            return self.sink.fail_data
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):  # (the server runs with decode_data=False: content is bytes, or missing)
            return "554 no message content"
        found = _MESSAGE_ID.search(raw[:20000])
        message_id = found.group(1).decode("ascii", "replace") if found else None
        self.sink.deliver(envelope.rcpt_tos, raw, message_id)
        if self.sink.answer_delay:
            await asyncio.sleep(self.sink.answer_delay)
        return "250 Message accepted for delivery"


class MaildirSink:
    """aiosmtpd on a loopback port; one Maildir per recipient address under ``root``."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0):
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.refuse: dict[str, str] = {}
        self.fail_data: str | None = None
        self.delay = 0.0  # seconds before answering DATA: a slow server
        self.answer_delay = 0.0  # seconds between delivering and answering: the client may give up meanwhile
        self.stats = SinkStats()
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self.controller = Controller(
            _Handler(self),
            hostname=host,
            port=port or _free_port(host),
            decode_data=False,
            ready_timeout=10,
            server_hostname="sink.example.org",
        )

    @property
    def port(self) -> int:
        return self.controller.port

    def mailbox(self, address: str) -> mailbox.Maildir:
        """The Maildir of ``address`` (created on first use)."""
        folder = self.root / re.sub(r"[^a-z0-9@._+-]", "_", address.lower())
        return mailbox.Maildir(folder, create=True)

    def deliver(self, recipients: list[str], raw: bytes, message_id: str | None) -> None:
        with self._lock:
            self.stats.received += 1
            for address in recipients:
                key = (address.lower(), message_id or "")
                if message_id and key in self._seen:
                    self.stats.duplicates += 1
                    continue
                self._seen.add(key)
                self.mailbox(address).add(raw)
                self.stats.delivered[address.lower()] += 1

    def messages(self, address: str) -> list[bytes]:
        """Every message in ``address``'s mailbox, oldest first."""
        box = self.mailbox(address)
        return [box.get_bytes(key) for key in sorted(box.keys(), key=lambda k: box.get_message(k).get_date())]

    def start(self) -> MaildirSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> MaildirSink:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]

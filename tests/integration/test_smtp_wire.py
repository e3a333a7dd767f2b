"""The transport's SMTP transaction against aiosmtplib's ``sendmail``: the same bytes on the wire and the same
answers, for every way a server can answer (accepted, one recipient refused, all refused, sender refused, data
refused, a 421 that closes the connection), and for messages that its fast path leaves to ``sendmail``.

The server here is a small scripted one that records every byte it receives on each connection (aiosmtpd
would undo the dot-stuffing and line endings these tests compare)."""

from __future__ import annotations

import asyncio

import aiosmtplib
import pytest

from dondoc.mail.transport import Delivery, Envelope, SmtpTransport, _classify

SENDER = "dondoc@so.example.org"


class _Scripted(asyncio.Protocol):
    """Answers by the command's address or the message's text; ``log`` gets each connection's bytes."""

    def __init__(self, log: list[bytearray], extensions: bytes):
        self.received = bytearray()
        log.append(self.received)
        self.extensions = extensions
        self.buffer = b""
        self.in_data = False

    def connection_made(self, transport):
        self.transport = transport
        transport.write(b"220 scripted ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        self.received += data
        self.buffer += data
        while True:
            if self.in_data:
                end = (b"\r\n" + self.buffer).find(b"\r\n.\r\n")  # (an empty message ends at once)
                if end < 0:
                    return
                body, self.buffer, self.in_data = self.buffer[: max(end - 2, 0)], self.buffer[end + 3 :], False
                self.transport.write(b"554 5.6.0 rejected body\r\n" if b"REJECT" in body else b"250 2.0.0 queued\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2 :]
            self.transport.write(self.answer(line))
            self.in_data = line.upper() == b"DATA"
            if line.upper() == b"QUIT" or line.startswith(b"MAIL FROM:<closing"):
                self.transport.close()
                return

    def answer(self, line: bytes) -> bytes:
        verb = line[:4].upper()
        if verb == b"EHLO":
            return b"250-scripted\r\n" + self.extensions + b"250 HELP\r\n"
        if verb == b"MAIL":
            if b"blocked" in line:
                return b"550 5.7.1 sender blocked\r\n"
            if b"closing" in line:
                return b"421 4.3.2 shutting down\r\n"
            return b"250 2.1.0 ok\r\n"
        if verb == b"RCPT":
            if b"nouser" in line:
                return b"550 5.1.1 no such user\r\n"
            if b"full" in line:
                return b"452 4.2.2 mailbox full\r\n"
            return b"250 2.1.5 ok\r\n"
        if verb == b"DATA":
            return b"354 go ahead\r\n"
        if verb == b"QUIT":
            return b"221 bye\r\n"
        return b"250 ok\r\n"  # RSET, NOOP


MESSAGE = b"Subject: x\nMessage-ID: <a@so.example.org>\n\nKinh gui\n.line with a dot\n..two dots\nend"

ENVELOPES = [
    Envelope(1, SENDER, ["vanthu@h1.example.org"], MESSAGE, "<1@x>"),
    Envelope(2, SENDER, ["vanthu@h2.example.org", "nouser@h2.example.org"], MESSAGE + b"\n", "<2@x>"),
    Envelope(3, SENDER, ["nouser@h3.example.org", "full@h3.example.org"], MESSAGE, "<3@x>"),
    Envelope(4, SENDER, ["full@h4.example.org"], MESSAGE, "<4@x>"),
    Envelope(5, "blocked@so.example.org", ["vanthu@h5.example.org"], MESSAGE, "<5@x>"),
    Envelope(6, SENDER, ["vanthu@h6.example.org"], MESSAGE + b"\nREJECT", "<6@x>"),
    Envelope(
        7, SENDER, ["vanthu@h7.example.org"], b".starts with a dot\r\nCRLF\rlone CR\n", "<7@x>"
    ),  # sendmail's path
    Envelope(8, SENDER, ["Van Thu <vanthu@h8.example.org>"], MESSAGE, "<8@x>"),  # a name: sendmail's path
    Envelope(9, SENDER, ["vanthu@h9.example.org"], b"", "<9@x>"),
]


async def _serve(extensions: bytes):
    log: list[bytearray] = []
    server = await asyncio.get_running_loop().create_server(lambda: _Scripted(log, extensions), "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], log


async def _by_sendmail(envelopes: list[Envelope], extensions: bytes) -> tuple[list[Delivery], bytes]:
    """What aiosmtplib's own ``sendmail`` sends and answers, one connection, reconnecting after an error as the
    transport does."""
    server, port, log = await _serve(extensions)
    results = []
    client = None
    for envelope in envelopes:
        try:
            if client is None or not client.is_connected:
                client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="test.local")
                await client.connect()
            refused, _ = await client.sendmail(envelope.sender, envelope.recipients, envelope.raw)
            results.append(
                Delivery(envelope.outbox_id, True, refused={a: f"{r.code} {r.message}" for a, r in refused.items()})
            )
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as error:
            results.append(_classify(envelope, error))
            if not isinstance(error, aiosmtplib.SMTPRecipientsRefused):
                client.close()
                client = None
    if client is not None and client.is_connected:
        await client.quit()
    server.close()
    await server.wait_closed()
    return results, b"".join(log)


async def _by_transport(envelopes: list[Envelope], extensions: bytes) -> tuple[list[Delivery], bytes]:
    server, port, log = await _serve(extensions)
    results: list[Delivery] = []
    transport = SmtpTransport(host="127.0.0.1", port=port, connections=1, local_hostname="test.local")
    await transport.deliver(envelopes, results.append)
    server.close()
    await server.wait_closed()
    return results, b"".join(log)


@pytest.mark.parametrize("extensions", [b"250-SIZE 10000000\r\n250-8BITMIME\r\n", b""], ids=["size", "plain"])
def test_the_transaction_writes_what_sendmail_writes_and_answers_alike(extensions):
    async def both():
        return await _by_sendmail(ENVELOPES, extensions), await _by_transport(ENVELOPES, extensions)

    (stock_results, stock_wire), (ours, wire) = asyncio.run(both())
    assert ours == stock_results
    assert wire == stock_wire
    assert [r.ok for r in ours] == [True, True, False, False, False, False, True, True, True]
    assert ours[1].refused == {"nouser@h2.example.org": "550 5.1.1 no such user"}
    assert ours[2].permanent is False and ours[3].permanent is False  # a 452 among the refusals: tried again later
    assert ours[4].permanent and ours[5].permanent
    assert b"SIZE=" not in wire.upper() or extensions
    assert b"\r\n..line with a dot\r\n...two dots\r\n" in wire  # dot-stuffed, CRLF


def test_a_421_closes_the_connection_and_the_next_message_goes_over_a_new_one():
    envelopes = [
        Envelope(1, "closing@so.example.org", ["vanthu@h1.example.org"], MESSAGE, "<1@x>"),
        Envelope(2, SENDER, ["vanthu@h2.example.org"], MESSAGE, "<2@x>"),
    ]

    async def both():
        return await _by_sendmail(envelopes, b""), await _by_transport(envelopes, b"")

    (stock_results, stock_wire), (ours, wire) = asyncio.run(both())
    assert ours == stock_results
    assert wire == stock_wire
    assert [r.ok for r in ours] == [False, True]
    assert ours[0].error is not None and ours[0].error.startswith("421")

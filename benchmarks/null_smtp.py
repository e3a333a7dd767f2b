"""An SMTP server that accepts and discards, in its own process: ``python -m benchmarks.null_smtp PORT``.

A bare ``asyncio.Protocol`` (no aiosmtpd): it answers each command line and
scans ``DATA`` for its terminating ``CRLF.CRLF``, nothing more, so that it
accepts several times more messages a second than any client it is compared
with — the benchmarks measure its ceiling in the same run
(:func:`sink_ceiling`) and refuse a ratio when the sink is the limit. It
answers ``SIGUSR1`` by printing how many messages it accepted.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

__all__ = ["NullServer", "sink_ceiling"]

_EHLO = b"250-null.bench\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 100000000\r\n"


class _Session(asyncio.Protocol):
    accepted = 0

    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 null.bench ESMTP\r\n")

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data
        replies = []
        while True:
            if self.in_data:
                end = buffer.find(b"\r\n.\r\n")
                if end < 0:
                    buffer = buffer[-4:]  # the terminator may straddle two reads
                    break
                buffer, self.in_data = buffer[end + 5 :], False
                _Session.accepted += 1
                replies.append(b"250 2.0.0 OK\r\n")
                continue
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                break
            command, buffer = buffer[:4].upper(), buffer[line_end + 2 :]
            if command in (b"EHLO", b"HELO"):
                replies.append(_EHLO)
            elif command == b"DATA":
                self.in_data = True
                replies.append(b"354 go ahead\r\n")
            elif command == b"QUIT":
                replies.append(b"221 bye\r\n")
                self.transport.write(b"".join(replies))
                self.transport.close()
                return
            else:  # MAIL, RCPT, RSET, NOOP
                replies.append(b"250 OK\r\n")
        self.buffer = buffer
        if replies:
            self.transport.write(b"".join(replies))


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Session, "127.0.0.1", port, backlog=256)
    loop.add_signal_handler(signal.SIGUSR1, lambda: print(_Session.accepted, flush=True))
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NullServer:
    """This sink in a child process, on a free port."""

    def __enter__(self):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.null_smtp", str(self.port)], stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout.readline().strip() == "ready"
        return self

    def accepted(self) -> int:
        """How many messages the sink has accepted so far."""
        self.process.send_signal(signal.SIGUSR1)
        return int(self.process.stdout.readline())

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(10)


async def _blast(port: int, raw: bytes, count: int, connections: int) -> None:
    """Send ``count`` copies of ``raw`` over ``connections`` raw sockets, each message's commands in one write."""
    body = raw.replace(b"\r\n.", b"\r\n..")
    transaction = (
        b"MAIL FROM:<bench@bench.example.org>\r\nRCPT TO:<sink@bench.example.org>\r\nDATA\r\n"
        + body
        + (b"" if body.endswith(b"\r\n") else b"\r\n")
        + b".\r\n"
    )

    async def connection(share: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        writer.write(b"EHLO bench.local\r\n")
        while not (await reader.readline()).startswith(b"250 "):
            pass
        window = 16  # transactions in flight on one connection
        sent = answered = 0
        while answered < share:
            while sent < share and sent - answered < window:
                writer.write(transaction)
                sent += 1
            await writer.drain()
            for _ in range(4):  # MAIL, RCPT, DATA (354), end of data
                await reader.readline()
            answered += 1
        writer.write(b"QUIT\r\n")
        await writer.drain()
        writer.close()

    shares = [count // connections + (1 if i < count % connections else 0) for i in range(connections)]
    await asyncio.gather(*(connection(share) for share in shares if share))


def sink_ceiling(server: NullServer, raw: bytes, count: int, connections: int = 8) -> float:
    """Messages a second the sink accepts from a bare pipelining client that does nothing else (``raw`` each)."""
    before = server.accepted()
    started = time.perf_counter()
    asyncio.run(_blast(server.port, raw, count, connections))
    seconds = time.perf_counter() - started
    assert server.accepted() - before == count, "the sink lost messages"
    return count / seconds


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    asyncio.run(_serve(int(sys.argv[1])))


if __name__ == "__main__":
    main()

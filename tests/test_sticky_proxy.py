"""The sticky-session proxy (playground/sticky_proxy.py) on loopback, with toy backends."""

from __future__ import annotations

import asyncio

from playground.sticky_proxy import COOKIE, StickyProxy
from tests import aio


async def _backend(name: str):
    """An HTTP/1.1 server that answers every request with its name, and echoes after an
    upgrade (as a websocket would carry frames)."""

    async def handle(reader, writer):
        head = await reader.readuntil(b"\r\n\r\n")
        if b"upgrade" in head.lower():
            writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n")
            while data := await reader.read(1024):
                writer.write(name.encode() + b":" + data)
                await writer.drain()
        else:
            body = name.encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _request(port: int, head: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head.encode())
    await writer.drain()
    data = await reader.read(65536)
    writer.close()
    return data


def test_new_browsers_spread_out_and_a_cookie_brings_a_browser_back():
    async def run():
        (a, port_a), (b, port_b) = await _backend("A"), await _backend("B")
        proxy = StickyProxy([("127.0.0.1", port_a), ("127.0.0.1", port_b)])
        server = await proxy.serve("127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        first = await _request(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert first.endswith(b"A") and f"Set-Cookie: {COOKIE}=0;".encode() in first
        # A browser that carries replica 1's cookie always reaches B, and gets no new cookie.
        for _ in range(3):
            again = await _request(port, f"GET / HTTP/1.1\r\nCookie: x=1; {COOKIE}=1\r\n\r\n")
            assert again.endswith(b"B") and b"Set-Cookie" not in again
        # An unknown replica number is treated as no cookie.
        stray = await _request(port, f"GET / HTTP/1.1\r\nCookie: {COOKIE}=7\r\n\r\n")
        assert b"Set-Cookie" in stray

        # A websocket-like upgrade stays on its replica and relays both ways; while it is
        # open, a new browser goes to the other replica (fewest open connections).
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /_stcore/stream HTTP/1.1\r\nUpgrade: websocket\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101") and f"{COOKIE}=0".encode() in head
        writer.write(b"ping")
        await writer.drain()
        assert await reader.readexactly(6) == b"A:ping"
        other = await _request(port, "GET / HTTP/1.1\r\n\r\n")
        assert other.endswith(b"B")
        writer.close()
        for s in (server, a, b):
            s.close()

    aio.run(run())


def test_an_oversized_request_head_is_refused_without_reaching_a_replica():
    async def run():
        backend, backend_port = await _backend("A")
        proxy = StickyProxy([("127.0.0.1", backend_port)])
        server = await proxy.serve("127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(b"GET / HTTP/1.1\r\nX: " + b"a" * 200_000 + b"\r\n\r\n")
            await writer.drain()
            answer = await reader.read()
        except ConnectionResetError:  # closed while we were still sending: also a refusal
            answer = b""
        assert answer == b""  # closed, nothing relayed
        assert proxy.connections == [0]
        for s in (server, backend):
            s.close()

    aio.run(run())

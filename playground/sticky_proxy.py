"""A sticky-session proxy: one address for a room, several replicas of the app behind it.

One Streamlit process runs every session's script under one GIL; a room that draws faster
than one core can serve needs several processes. `python -m playground.serve --replicas N`
starts N replicas on loopback ports and this proxy on the room's address.

Sticky: a session lives in one replica, so everything of one browser must reach the same
one: the page, its websocket, reconnections, uploads. The first response to a browser sets
the cookie `cnn_replica=<n>`; every later request of that browser carries it and goes to
replica n. A request without the cookie (a new browser) goes to the replica with the fewest
open connections. A TCP connection is bound to one replica for its whole life (keep-alive
requests included), so only the first request head of each connection is read; after that
bytes are relayed as they are, websocket frames included.

No Streamlit here. Bounded: a request head larger than MAX_HEAD_BYTES is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

COOKIE = "cnn_replica"
MAX_HEAD_BYTES = 64 * 1024
_COOKIE_RE = re.compile(rb"(?im)^cookie:.*?\b" + COOKIE.encode() + rb"=(\d+)")
_CHUNK = 64 * 1024


class StickyProxy:
    """Relay connections on (host, port) to `backends`, a list of (host, port)."""

    def __init__(self, backends: list[tuple[str, int]]) -> None:
        if not backends:
            raise ValueError("the proxy needs at least one replica")
        self.backends = list(backends)
        self.connections = [0] * len(backends)  # open connections per replica

    def choose(self, head: bytes) -> tuple[int, bool]:
        """(replica, whether the browser already carries its cookie) for a request head."""
        match = _COOKIE_RE.search(head.split(b"\r\n\r\n", 1)[0])
        if match is not None:
            replica = int(match.group(1))
            if 0 <= replica < len(self.backends):
                return replica, True
        least = min(range(len(self.backends)), key=lambda n: (self.connections[n], n))
        return least, False

    async def handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter):
        try:
            head = await client_r.readuntil(b"\r\n\r\n")
        except (asyncio.LimitOverrunError, asyncio.IncompleteReadError, ConnectionError):
            client_w.close()
            return
        replica, has_cookie = self.choose(head)
        try:
            backend_r, backend_w = await asyncio.open_connection(*self.backends[replica])
        except OSError:
            client_w.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            client_w.close()
            return
        self.connections[replica] += 1
        try:
            backend_w.write(head)
            await asyncio.gather(
                _pipe(client_r, backend_w),
                _pipe(backend_r, client_w, None if has_cookie else replica),
            )
        finally:
            self.connections[replica] -= 1
            for writer in (backend_w, client_w):
                writer.close()

    async def serve(self, host: str, port: int) -> asyncio.base_events.Server:
        return await asyncio.start_server(self.handle, host, port, limit=MAX_HEAD_BYTES)


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, set_cookie: int | None = None
) -> None:
    """Copy bytes until either side closes; with `set_cookie`, add the replica's cookie to
    the first response head."""
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, OSError):
        if set_cookie is not None:
            head = await reader.readuntil(b"\r\n\r\n")
            line = f"Set-Cookie: {COOKIE}={set_cookie}; Path=/; SameSite=Lax\r\n".encode()
            first_line_end = head.index(b"\r\n") + 2
            writer.write(head[:first_line_end] + line + head[first_line_end:])
        while True:
            data = await reader.read(_CHUNK)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        if writer.can_write_eof():
            writer.write_eof()

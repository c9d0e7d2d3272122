"""The launcher's serving fixes (playground/serve.py), checked on real sockets."""

from __future__ import annotations

import asyncio
import socket

import pytest
from streamlit.web.server.starlette import starlette_server

from playground import serve
from tests import aio


def _nodelay_of_accepted(listening: socket.socket) -> int:
    """TCP_NODELAY of the socket asyncio accepts on `listening`, as the server would use it."""

    async def run() -> int:
        seen: asyncio.Future = asyncio.get_running_loop().create_future()

        async def on_client(reader, writer):
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_client, sock=listening)
        port = listening.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(seen, 5)
        writer.close()
        server.close()
        await server.wait_closed()
        return value

    return aio.run(run())


def test_streamlits_own_socket_leaves_nagle_on_and_the_launcher_turns_it_off():
    stock = starlette_server._bind_socket("127.0.0.1", 0, 8)
    assert stock.proto == 0  # why asyncio skips TCP_NODELAY on what it accepts
    assert _nodelay_of_accepted(stock) == 0

    fixed = serve._tcp_listening_socket(starlette_server._bind_socket)("127.0.0.1", 0, 8)
    assert fixed.proto == socket.IPPROTO_TCP
    assert not fixed.getblocking()  # still as Streamlit made it
    assert _nodelay_of_accepted(fixed) != 0


def test_enable_tcp_nodelay_patches_once():
    original = starlette_server._bind_socket
    try:
        serve.enable_tcp_nodelay()
        patched = starlette_server._bind_socket
        serve.enable_tcp_nodelay()
        assert starlette_server._bind_socket is patched is not original
    finally:
        starlette_server._bind_socket = original


def test_workers_option_is_checked_and_the_rest_goes_to_streamlit():
    options, rest = serve.parse_args(
        ["--workers", "3", "--server.port", "8502", "--server.maxUploadSize", "1"]
    )
    assert options.workers == 3 and options.port == 8502 and options.replicas == 1
    assert rest == ["--server.maxUploadSize", "1"]
    for bad in (["--workers", "0"], ["--replicas", "0"], ["--replicas", "17"]):
        with pytest.raises(SystemExit):
            serve.parse_args(bad)

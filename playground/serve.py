"""Launch the playground the way a workshop needs it: `python -m playground.serve [options]`.

    python -m playground.serve                          # http://localhost:8501
    python -m playground.serve --workers 2 --server.address 0.0.0.0   # serve a room

`--workers N` sets how many processes train the participants' networks (default: one per
core); every other option goes to `streamlit run` as usual (`--server.port 8502`, ...).

It is `streamlit run playground/app.py` with two changes, both measured with the room
benchmark (`python -m bench.room`) on a 2-core laptop:

* **No full garbage collection after every script run** (`runner.postScriptGC`, on by
  default). Each one cost about 60 ms of one core, so a room of 30 drawing a stroke every
  2 s queued for ever. Python's own generational collector still runs; the benchmark checks
  that memory stays flat over a long run and that a session's memory is freed when it ends.
* **TCP_NODELAY on every connection.** Streamlit 1.67 binds its listening socket with
  `socket.socket(family)`, whose protocol number is 0, and asyncio only switches Nagle's
  algorithm off for sockets that say IPPROTO_TCP. So after a script's first message the rest
  of a rerun waited ~40 ms for the browser's delayed ACK, on every click of every page.

Neither change alters what a page shows; they only change when it arrives and what it costs.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "playground" / "app.py"
WORKERS_ENV = "CNN_PLAYGROUND_WORKERS"  # read by playground.training_pool

# Options for a room: no per-run GC; the rest are the repo's .streamlit/config.toml.
ROOM_OPTIONS = ["--runner.postScriptGC", "false"]


def _tcp_listening_socket(bind):
    """Wrap Streamlit's socket binder so the listening socket says IPPROTO_TCP: the sockets
    it accepts inherit that, and asyncio then sets TCP_NODELAY on each of them."""

    def bind_tcp(*args, **kwargs) -> socket.socket:
        sock = bind(*args, **kwargs)
        if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
            family, blocking = sock.family, sock.getblocking()
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, sock.detach())
            sock.setblocking(blocking)
        return sock

    return bind_tcp


def enable_tcp_nodelay() -> None:
    """Patch Streamlit's server so every websocket has TCP_NODELAY (see the module's doc)."""
    from streamlit.web.server.starlette import starlette_server

    if not getattr(starlette_server._bind_socket, "_cnn_tcp", False):
        patched = _tcp_listening_socket(starlette_server._bind_socket)
        patched._cnn_tcp = True
        starlette_server._bind_socket = patched


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        prog="python -m playground.serve",
        description="Launch CNN Playground (other options go to `streamlit run`).",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes that train the participants' networks (default: one per core)",
    )
    options, rest = parser.parse_known_args(argv)
    if options.workers is not None and not 1 <= options.workers <= 64:
        parser.error(f"--workers must be between 1 and 64, got {options.workers}")
    return options, rest


def main(argv: list[str] | None = None) -> None:
    options, rest = parse_args(sys.argv[1:] if argv is None else argv)
    if options.workers is not None:
        os.environ[WORKERS_ENV] = str(options.workers)
    # The app imports cnn_core from the project root, wherever it is launched from.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    enable_tcp_nodelay()
    from streamlit.web import cli

    cli.main(["run", str(APP), *ROOM_OPTIONS, *rest], prog_name="streamlit")


if __name__ == "__main__":
    main()

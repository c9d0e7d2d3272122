"""Launch the playground the way a workshop needs it: `python -m playground.serve [options]`.

    python -m playground.serve                          # http://localhost:8501
    python -m playground.serve --workers 2 --server.address 0.0.0.0   # serve a room

`--workers N` sets how many processes train the participants' networks (default: one per
core); every other option goes to `streamlit run` as usual (`--server.port 8502`, ...).

It is `streamlit run playground/app.py` with three serving changes, measured with the
room benchmark (`python -m bench.room`) on a 2-core laptop:

* **No full garbage collection after every script run** (`runner.postScriptGC`, on by
  default). Each one cost about 60 ms of one core, so a room of 30 drawing a stroke every
  2 s queued for ever. Python's own generational collector still runs; the benchmark's
  `soak` and `memory` scenarios measure the server's memory over a long run and around
  sessions that leave.
* **TCP_NODELAY on every connection.** Streamlit 1.67 binds its listening socket with
  `socket.socket(family)`, whose protocol number is 0, and asyncio only switches Nagle's
  algorithm off for sockets that say IPPROTO_TCP. So after a script's first message the rest
  of a rerun waited ~40 ms for the browser's delayed ACK, on every click of every page.

* **No source-file watcher** (`server.fileWatcherType none`). After every script run of every
  session Streamlit compared `sys.modules` with what that session's watcher had seen, and on
  a new session (or any new import) resolved the real path of every loaded module: profiled
  with 40 participants joining and drawing, 41 % of the server's time. A workshop does not
  edit the app while it runs.

None of these changes alters what a page shows; they only change when it arrives and what it costs.
`--workers` and `--replicas` size the room (training processes; app processes behind
playground/sticky_proxy.py). The training workers (playground/training_pool.py) start with
the server, so the first participant to press Train does not wait for them.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from playground import training_pool
from playground.views.room import config as room_config

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "playground" / "app.py"

REPLICA_ENV = "CNN_PLAYGROUND_REPLICA"  # set in the replicas that --replicas starts
# Options for a room: no per-run GC, no file watcher; the rest are the repo's
# .streamlit/config.toml.
ROOM_OPTIONS = ["--runner.postScriptGC", "false", "--server.fileWatcherType", "none"]


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
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="app processes behind one address, for a room larger than one core serves "
        "(playground/sticky_proxy.py); default 1",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help=f"where the Room keeps its database and the teacher's key (default: data/ in "
        f"the project; or set {room_config.DATA_ENV})",
    )
    parser.add_argument(
        "--room-db",
        default=None,
        help="a PostgreSQL URL (postgresql://user:password@host/db) for a Room that several "
        "replicas share (default: SQLite in the data directory)",
    )
    parser.add_argument(
        "--public-url",
        default=None,
        help="the address participants join at, shown on the Room's wall "
        "(default: this machine's address on the network)",
    )
    parser.add_argument("--server.port", dest="port", type=int, default=8501)
    parser.add_argument("--server.address", dest="address", default=None)
    options, rest = parser.parse_known_args(argv)
    if options.workers is not None and not 1 <= options.workers <= 64:
        parser.error(f"--workers must be between 1 and 64, got {options.workers}")
    if not 1 <= options.replicas <= 16:
        parser.error(f"--replicas must be between 1 and 16, got {options.replicas}")
    return options, rest


def run_app(port: int, address: str | None, rest: list[str]) -> None:
    """One Streamlit server of the playground, in this process."""
    # The app imports cnn_core from the project root, wherever it is launched from.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    enable_tcp_nodelay()
    training_pool.shared_pool()  # workers up before the first participant presses Train
    from streamlit.web import cli

    where = ["--server.port", str(port)] + (
        [] if address is None else ["--server.address", address]
    )
    cli.main(["run", str(APP), *ROOM_OPTIONS, *where, *rest], prog_name="streamlit")


def _die_with_parent() -> None:
    """In a replica, before it starts (Linux): end it if the launcher dies, even by SIGKILL."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the launcher's own cleanup still runs
        pass


def run_replicas(options: argparse.Namespace, rest: list[str]) -> None:
    """`options.replicas` app servers on loopback ports, the sticky proxy on the room's."""
    import asyncio
    import secrets
    import signal
    import subprocess
    import time
    import urllib.request

    from playground.sticky_proxy import StickyProxy

    def stop(signum, frame):  # `kill` (SIGTERM) stops the replicas too, like Ctrl+C
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)

    workers = options.workers or os.cpu_count() or 1
    each = max(1, workers // options.replicas)
    secret = secrets.token_hex(16)  # one cookie secret: uploads validate on any replica
    ports = []
    for _ in range(options.replicas):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            ports.append(probe.getsockname()[1])
    children = [
        subprocess.Popen(
            [sys.executable, "-m", "playground.serve", "--workers", str(each),
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", *rest],
            cwd=ROOT,
            env={**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secret, REPLICA_ENV: "1"},
            preexec_fn=_die_with_parent,
        )
        for port in ports
    ]  # fmt: skip
    try:
        for port, child in zip(ports, children, strict=True):
            deadline = time.monotonic() + 90
            while child.poll() is None and time.monotonic() < deadline:
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                    ):
                        break
                except OSError:
                    time.sleep(0.2)
            if child.poll() is not None:
                raise SystemExit(f"replica on port {port} exited with code {child.returncode}")
        proxy = StickyProxy([("127.0.0.1", port) for port in ports])

        async def serve() -> None:
            server = await proxy.serve(options.address, options.port)
            shown = options.address or "localhost"
            print(f"CNN Playground: {options.replicas} replicas at http://{shown}:{options.port}",
                  flush=True)  # fmt: skip
            async with server:
                await server.serve_forever()

        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def public_url(options: argparse.Namespace) -> str:
    """The address a participant's phone reaches the server at: the given --public-url, or
    this machine's address on the local network when serving beyond loopback."""
    if options.public_url:
        return options.public_url.rstrip("/")
    host = options.address or "localhost"
    if host in ("0.0.0.0", "::"):
        try:  # the address of the interface that routes outwards; sends no packet
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("10.255.255.255", 1))
                host = probe.getsockname()[0]
        except OSError:
            host = socket.gethostname()
    return f"http://{host}:{options.port}"


def prepare_room(options: argparse.Namespace) -> None:
    """Hand the Room's settings to the app (environment variables, inherited by replicas)
    and print where participants join and the teacher's own link."""
    if options.data_dir:
        os.environ[room_config.DATA_ENV] = str(Path(options.data_dir).resolve())
    if options.room_db:
        os.environ[room_config.ROOM_DB_ENV] = options.room_db
    base = public_url(options)
    os.environ.setdefault("CNN_PLAYGROUND_PUBLIC_URL", base)
    key_link = room_config.teacher_link(base)  # creates the key on the first launch
    if os.environ.get(REPLICA_ENV):  # the launcher in front printed the room's addresses
        return
    print(f"CNN Playground: participants join the Room at {base}/room", flush=True)
    print(f"The teacher's view (keep this link to yourself): {key_link}", flush=True)


def main(argv: list[str] | None = None) -> None:
    options, rest = parse_args(sys.argv[1:] if argv is None else argv)
    prepare_room(options)
    if options.replicas > 1:
        run_replicas(options, rest)
        return
    if options.workers is not None:
        os.environ[training_pool.WORKERS_ENV] = str(options.workers)
    run_app(options.port, options.address, rest)


if __name__ == "__main__":
    main()

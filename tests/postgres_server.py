"""A throwaway PostgreSQL server for the store tests: initdb in a temporary directory, a free
loopback port, trust authentication, stopped and deleted at the end.

Debian's `postgresql` package provides the binaries (scripts/test.sh installs it). PostgreSQL
refuses to run as root, so as root the server runs as the `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

REQUIRED_ENV = "CNN_PLAYGROUND_REQUIRE_POSTGRES"  # set by scripts/test.sh: never skip


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are, or None."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """`with PostgresServer() as url:` a server on 127.0.0.1 for the test's lifetime."""

    def __init__(self) -> None:
        self.bin = bin_dir()
        if self.bin is None:
            raise FileNotFoundError("PostgreSQL's initdb/pg_ctl are not installed")
        self.dir = Path(tempfile.mkdtemp(prefix="cnn-pg-"))
        self.port = _free_port()
        self.user: str | None = None
        if os.geteuid() == 0:  # postgres will not run as root
            self.user = "postgres"
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def __enter__(self) -> str:
        data = self.dir / "data"
        self._run("initdb", "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.dir / "log"),
                  "-w", "-t", "60", "start")  # fmt: skip
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

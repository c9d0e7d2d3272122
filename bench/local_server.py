"""Serve a Streamlit app on this machine and drive it in Debian's Chromium.

Shared by the browser tests (tests/e2e/conftest.py) and the browser benchmarks
(bench/browser.py, bench/train_page.py), so all of them start the app and the browser the same way.
Playwright's own browser download is not available here; Debian's chromium is.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and no background traffic: the machine's network is closed, and a workshop's
# laptop may be offline.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit marks its app element like this once a run has finished.
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SERVER_START_TIMEOUT_S = 90


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class StreamlitServer:
    """`streamlit run app` on a free loopback port, its output in a log file.

    app : path of the entry file (relative paths are taken from the project root)
    args : more `streamlit run` options, e.g. ["--server.maxUploadSize", "1"]
    env : more environment variables for the server (CNN_PLAYGROUND_DATA: the Room's data
        directory; a new temporary one by default)
    stock : serve with Streamlit's own defaults (`streamlit run`). Otherwise the playground's
        own app is launched as the README launches it (`python -m playground.serve`: the
        room's fast settings); any other app always gets `streamlit run`.
    """

    def __init__(
        self,
        app: str | Path,
        log_dir: str | Path | None = None,
        *,
        args: list[str] = (),
        env: dict[str, str] | None = None,
        stock: bool = False,
    ) -> None:
        app = Path(app) if Path(app).is_absolute() else ROOT / app
        log_dir = Path(log_dir or tempfile.gettempdir())
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"streamlit-{app.stem}-{self.port}.log"
        env = {
            **os.environ,
            # The project root importable from any app, wherever its file lives.
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **(env or {}),
        }
        # A server of its own keeps its Room in a data directory of its own (never the
        # project's data/), unless the caller chose one.
        self.data_dir = Path(env.get("CNN_PLAYGROUND_DATA") or tempfile.mkdtemp(prefix="cnn-data-"))
        env["CNN_PLAYGROUND_DATA"] = str(self.data_dir)
        if app == ROOT / "playground" / "app.py" and not stock:
            launch = [sys.executable, "-m", "playground.serve"]
        else:
            launch = [sys.executable, "-m", "streamlit", "run", str(app)]
        # Two cores are shared: no file watcher, no reruns on save. The launcher sets these
        # itself (the README's launch is what is measured); stock Streamlit gets them here.
        quiet = (
            []
            if launch[-1] == "playground.serve"
            else [
                "--server.fileWatcherType",
                "none",
                "--server.runOnSave",
                "false",
            ]
        )
        command = [
            *launch,
            "--server.headless", "true",
            "--server.port", str(self.port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
            *quiet,
            *args,
        ]  # fmt: skip
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_until_ready(self) -> StreamlitServer:
        """Block until the server answers its health check; RuntimeError with its log if not."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            if _answers(f"{self.base_url}/_stcore/health"):
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(
            f"streamlit did not answer within {SERVER_START_TIMEOUT_S} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

"""The wheel is the whole app: built, installed in a fresh virtual environment outside the
checkout, it starts, and the lab's maps and drawing arrive with their HTML, CSS and JS."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from bench.streamlit_session import StreamlitSession
from tests import aio

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
ASSETS = [
    f"playground/ui/components/{name}/{name}.{ext}"
    for name in ("grid", "maps", "curves")
    for ext in ("html", "css", "js")
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # From a copy: setuptools builds in the tree (build/), and a stale build/ from an earlier
    # run would lend the wheel files its configuration no longer ships.
    source = tmp_path_factory.mktemp("source") / "cnn-playground"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "data", "__pycache__", ".*_cache",
        ".hypothesis", "test-results",
    ))  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(source)],
        check=True, timeout=600,
    )  # fmt: skip
    (built,) = out.glob("cnn_playground-*.whl")
    return built


def test_the_wheel_holds_every_asset_the_pages_read(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert set(ASSETS) <= names
    assert "playground/app.py" in names and "playground/views/lab/lab.py" in names


def test_the_installed_wheel_serves_the_lab_with_its_maps(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The dependencies come from this environment (a .pth file), the app from the wheel only.
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(purelib, "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, timeout=300)  # fmt: skip
    where = subprocess.run(
        [str(python), "-c", "import playground, cnn_core; print(playground.__file__)"],
        check=True, capture_output=True, text=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert str(ROOT) not in where and "site-packages" in where
    app = Path(where.strip()).parent / "app.py"
    port = 8700 + os.getpid() % 200
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["CNN_PLAYGROUND_DATA"] = str(tmp_path / "data")
    server = subprocess.Popen(
        [str(python), "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)

        async def first_run():
            async with StreamlitSession(base) as session:
                return await session.open("/")

        run = aio.run(first_run())
        assert not run.exception, run.exception
        maps, grid = run.first("lab_maps1"), run.first("lab_draw")
        assert maps is not None and grid is not None
        for element, folder in ((maps, "maps"), (grid, "grid")):
            # The JS and CSS are the wheel's files, served by the server (components/assets.py).
            proto = element.proto
            assert not proto.js_content and not proto.css_content
            for path, kind in ((proto.js_source_path, "js"), (proto.css_source_path, "css")):
                assert path == f"{folder}.{kind}"
                url = f"{base}/_stcore/bidi-components/{proto.component_name}/{path}"
                with urllib.request.urlopen(url, timeout=10) as response:
                    served = response.read().decode("utf-8")
                shipped = Path(where.strip()).parent / "ui" / "components" / folder / path
                assert served == shipped.read_text(encoding="utf-8") and served
        assert [p["key"] for p in maps.json["panels"]] == ["lab_fm1", "lab_thr1", "lab_pool1"]
    finally:
        server.terminate()
        server.wait(timeout=20)

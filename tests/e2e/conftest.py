"""Browser-test harness shared by every end-to-end test of the project.

Fixtures
--------
streamlit_server : session-scoped factory, ``base_url = streamlit_server("playground/app.py")``.
    Starts ``streamlit run`` for that app (a path relative to the project root, or absolute) on a
    free port, waits until it answers, and stops it when the test session ends. Each app is
    started once per session and shared by the tests that ask for it.
app_url : the real app, ``playground/app.py`` (e.g. ``page.goto(app_url + "/lab")``).
browser_type_launch_args, browser_context_args : Debian's Chromium, headless, 1280×720.

Helpers (import them: ``from tests.e2e.conftest import cell, drag, goto, wait_for_rerun``)
-------
goto(page, url) : open a page and wait for the first script run to finish.
wait_for_rerun(page, until) : wait for the rerun an action started to finish.
grid_locator(page, key), cell(page, key, row, col) : find a drawing grid / one of its cells.
grid_values(page, key) : the grid as the browser shows it (list of "0101..." strings).
drag(page, from_cell, to_cell) : press, move the real mouse through intermediate points, release.

Every test in this folder is marked ``e2e`` and skipped, with the reason, when
/usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from bench.local_server import APP_IDLE, CHROMIUM, CHROMIUM_ARGS, StreamlitServer

ROOT = Path(__file__).resolve().parents[2]
# Screenshots for a person to look at: $CNN_PLAYGROUND_SHOTS, or a new temporary directory
# per test run (its path is printed at the end of the run).
SHOTS = Path(os.environ.get("CNN_PLAYGROUND_SHOTS") or tempfile.mkdtemp(prefix="cnn-shots-"))
SHOTS.mkdir(parents=True, exist_ok=True)
VIEWPORT = {"width": 1280, "height": 720}  # a projector
RERUN_TIMEOUT_MS = 15_000
# Assertions retry this long before failing: a shared 2-core machine can take several seconds
# to draw a page (the default, 5 s, made a first page load flaky in CI).
expect.set_options(timeout=RERUN_TIMEOUT_MS)


# ---------------------------------------------------------------------------------------------
# Collection: mark everything here as e2e; skip it when there is no browser.


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    no_browser = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
    )
    for item in items:
        if here not in Path(str(item.fspath)).resolve().parents:
            continue
        item.add_marker(pytest.mark.e2e)
        if not CHROMIUM.exists():
            item.add_marker(no_browser)


def pytest_terminal_summary(terminalreporter) -> None:
    if any(SHOTS.iterdir()):
        terminalreporter.write_line(f"browser-test screenshots: {SHOTS}")


# ---------------------------------------------------------------------------------------------
# Browser: Debian's Chromium (Playwright's own download is blocked here).


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": VIEWPORT}


# ---------------------------------------------------------------------------------------------
# Streamlit servers


@pytest.fixture(scope="session")
def streamlit_server() -> Iterator[Callable[[str | Path], str]]:
    """Factory: ``streamlit_server(app_path) -> base_url``, one server per app per session."""
    servers: dict[Path, StreamlitServer] = {}
    log_dir = Path(tempfile.mkdtemp(prefix="streamlit-e2e-"))

    def start(app_path: str | Path) -> str:
        app = Path(app_path)
        app = (app if app.is_absolute() else ROOT / app).resolve()
        if not app.is_file():
            raise FileNotFoundError(f"no Streamlit app at {app}")
        if app not in servers:
            server = StreamlitServer(app, log_dir)
            servers[app] = server
            server.wait_until_ready()
        return servers[app].base_url

    try:
        yield start
    finally:
        for server in servers.values():
            try:
                server.stop()
            except Exception as exc:  # stop the others all the same
                print(f"could not stop the server at {server.base_url}: {exc}")


@pytest.fixture(scope="session")
def app_url(streamlit_server: Callable[[str | Path], str]) -> str:
    """Base URL of the real app, playground/app.py."""
    return streamlit_server("playground/app.py")


# ---------------------------------------------------------------------------------------------
# Helpers


def goto(page: Page, url: str) -> None:
    """Open `url` and wait until the app has rendered and its first script run has finished."""
    page.goto(url)
    expect(page.locator('[data-testid="stApp"]')).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    # Something from the script must be on the page before "notRunning" means "done": before
    # the first run starts, the state is "initial", not "notRunning".
    first_element = page.locator('[data-testid="stMain"] [data-testid="stElementContainer"]').first
    expect(first_element).to_be_attached(timeout=RERUN_TIMEOUT_MS)
    expect(page.locator(APP_IDLE)).to_be_attached(timeout=RERUN_TIMEOUT_MS)


def wait_for_rerun(page: Page, until: Locator | Callable[[], object] | None = None) -> None:
    """Wait until the rerun started by the last action has finished.

    The app switches to "running" only 15–25 ms after the event, so checking for "notRunning"
    straight away would pass before the rerun even began. First wait for the new content the
    rerun must produce (`until`: a locator that must become visible, or a callable holding a
    retrying ``expect(...)`` assertion), then for the script to be idle.

    Without `until`, it only waits for an idle script; use that only after something else has
    already waited for the new content.
    """
    if isinstance(until, Locator):
        expect(until).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    elif until is not None:
        until()
    expect(page.locator(APP_IDLE)).to_be_attached(timeout=RERUN_TIMEOUT_MS)


def grid_locator(page: Page | Locator, key: str) -> Locator:
    """The drawing grid (role="grid") of the component with this key."""
    return page.locator(f'[role="grid"][data-grid-key="{key}"]')


def cell(page: Page | Locator, key_or_grid: str | Locator, row: int, col: int) -> Locator:
    """One cell of a drawing grid; `row` and `col` count from 0, as NumPy does.

    `key_or_grid` is the component's key or a locator of its grid. The cell is found by its
    accessible name, "row R, column C", which counts from 1.
    """
    grid = grid_locator(page, key_or_grid) if isinstance(key_or_grid, str) else key_or_grid
    return grid.locator(f'[role="gridcell"][aria-label="row {row + 1}, column {col + 1}"]')


def grid_values(page: Page | Locator, key_or_grid: str | Locator) -> list[str]:
    """The grid as the browser shows it: one "0101..." string per row, from aria-selected."""
    grid = grid_locator(page, key_or_grid) if isinstance(key_or_grid, str) else key_or_grid
    return grid.locator('[role="row"]').evaluate_all(
        """rows => rows.map(row => Array.from(row.querySelectorAll('[role="gridcell"]'))
              .map(c => c.getAttribute('aria-selected') === 'true' ? '1' : '0').join(''))"""
    )


def drag(page: Page, from_cell: Locator, to_cell: Locator, steps: int = 16) -> None:
    """Press on one cell, move the real mouse to another through `steps` points, release."""
    start = from_cell.bounding_box()
    end = to_cell.bounding_box()
    assert start is not None and end is not None, "both cells must be visible to drag"
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    x1, y1 = end["x"] + end["width"] / 2, end["y"] + end["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=steps)
    page.mouse.up()

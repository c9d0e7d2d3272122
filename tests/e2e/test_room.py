"""The Room in a real browser: a teacher on the wall and two participants (one on a touch
phone) draw, submit, train and fool the network, and a server restart loses nothing.

One test walks the whole workshop, as the steps depend on each other; screenshots of the
teacher's wall (1280×720, presenter mode) and of a participant's phone (390×844) are saved
for a person to look at (conftest.SHOTS).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.local_server import StreamlitServer
from cnn_core import grids
from tests.e2e.conftest import APP_IDLE, SHOTS, cell, drag, goto, wait_for_rerun

pytestmark = pytest.mark.e2e

WALL = {"width": 1280, "height": 720}
PHONE = {"width": 390, "height": 844}
GALLERY_WAIT_MS = 20_000  # the wall refreshes every 2 s; a busy 2-core machine is slower


def serve(data_dir: Path) -> StreamlitServer:
    return StreamlitServer(
        "playground/app.py", args=["--workers", "1"], env={"CNN_PLAYGROUND_DATA": str(data_dir)}
    ).wait_until_ready()


def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=f"Submit as {label}").click()
    wait_for_rerun(page, page.get_by_text(f"Submitted as {label}"))


def tap_cells(page: Page, cells: list[tuple[int, int]]) -> None:
    """Tap cells one by one with a finger (touch events, as on a phone)."""
    for r, c in cells:
        box = cell(page, "room_draw", r, c).bounding_box()
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(150)
    wait_for_rerun(page)


def mouse_draw(page: Page, grid) -> None:
    """Click every inked cell of `grid` with the mouse, one after another."""
    for r, c in zip(*grid.nonzero(), strict=True):
        cell(page, "room_draw", int(r), int(c)).click()
        page.wait_for_timeout(60)
    wait_for_rerun(page)


def tile(page: Page, text: str):
    return page.locator(".room-tile", has_text=text)


def test_a_workshop_draws_trains_and_fools_the_network_and_a_restart_loses_nothing(
    browser: Browser, tmp_path: Path
):
    data_dir = tmp_path / "room-data"
    server = serve(data_dir)
    try:
        key = (data_dir / "teacher_key").read_text().strip()
        wall = browser.new_context(viewport=WALL).new_page()
        goto(wall, f"{server.base_url}/room?teacher={key}")
        expect(wall.get_by_text("Waiting for the first drawing")).to_be_visible()

        ana = browser.new_context(viewport=WALL).new_page()
        goto(ana, f"{server.base_url}/room")
        drag(ana, cell(ana, "room_draw", 0, 0), cell(ana, "room_draw", 7, 7))
        wait_for_rerun(ana)
        drag(ana, cell(ana, "room_draw", 0, 7), cell(ana, "room_draw", 7, 0))
        wait_for_rerun(ana)
        ana.get_by_role("textbox", name="Your name (optional)").fill("Ana")
        ana.get_by_role("textbox", name="Your name (optional)").press("Enter")
        wait_for_rerun(ana)
        submit(ana, "X")
        ana.get_by_role("button", name="Submit as X").click()  # a second click: stored once
        wait_for_rerun(ana, ana.get_by_text("Already in the room as X"))

        ben = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True).new_page()
        goto(ben, f"{server.base_url}/room")
        ring = [(1, c) for c in range(2, 6)] + [(6, c) for c in range(2, 6)]
        ring += [(r, 1) for r in range(2, 6)] + [(r, 6) for r in range(2, 6)]
        tap_cells(ben, ring)
        ben.get_by_role("textbox", name="Your name (optional)").fill("Ben <b>")
        ben.get_by_role("textbox", name="Your name (optional)").press("Enter")
        wait_for_rerun(ben)
        submit(ben, "O")
        expect(ben.get_by_text("Your drawings (1)")).to_be_visible()
        ben.screenshot(path=str(SHOTS / "room-phone.png"), full_page=True)

        # Both drawings reach the wall without a reload; the name is shown as typed.
        expect(tile(wall, "#1 X · Ana")).to_be_visible(timeout=GALLERY_WAIT_MS)
        expect(tile(wall, "#2 O · Ben <b>")).to_be_visible(timeout=GALLERY_WAIT_MS)
        expect(wall.locator(".room-tile")).to_have_count(2)

        # The teacher trains on the room's drawings added to the generated ones.
        wall.get_by_text("the room's drawings added to the generated ones").click()
        wait_for_rerun(wall)
        wall.get_by_role("button", name="Train the room's network").click()
        expect(wall.get_by_text("The room's network is updated")).to_be_visible(timeout=120_000)
        expect(tile(wall, "#1 X · Ana")).to_contain_text("says X", timeout=GALLERY_WAIT_MS)
        expect(tile(wall, "#2 O · Ben")).to_contain_text("says O")

        # Ana tries to fool it: an O, labelled X.
        ana.get_by_role("button", name="Clear").click()
        wait_for_rerun(ana)
        mouse_draw(ana, grids.DECK_O_8x8)
        submit(ana, "X")
        fooling = wall.locator(".room-tile.wrong", has_text="#3 X · Ana")
        expect(fooling.first).to_contain_text("says O", timeout=GALLERY_WAIT_MS)
        expect(wall.get_by_text("Fool the network")).to_be_visible()
        expect(ana.locator(".room-tile.wrong")).to_contain_text("says O", timeout=GALLERY_WAIT_MS)

        # The wall in presenter mode, the sidebar closed, for the screenshot.
        wall.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode").click()
        wait_for_rerun(wall)
        wall.locator('[data-testid="stSidebar"]').hover()
        wall.get_by_role("button", name="Collapse sidebar").click()
        wall.wait_for_timeout(800)
        expect(wall.locator(APP_IDLE)).to_be_attached()
        wall.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 0)")
        wall.wait_for_timeout(300)
        # What the room must see is on the first screen: the way in and the gallery.
        for what in (wall.get_by_role("img").first, tile(wall, "#3 X · Ana").first):
            box = what.bounding_box()
            assert box is not None and box["y"] + box["height"] <= WALL["height"], box
        wall.screenshot(path=str(SHOTS / "room-wall.png"))
        wall.screenshot(path=str(SHOTS / "room-wall-full.png"), full_page=True)
    finally:
        server.stop()

    # Restart the server on the same data directory: everything is still there.
    server = serve(data_dir)
    try:
        wall = browser.new_context(viewport=WALL).new_page()
        goto(wall, f"{server.base_url}/room?teacher={key}")
        expect(wall.locator(".room-tile")).to_have_count(4)  # 3 in the gallery, #3 also fooled
        expect(tile(wall, "#2 O · Ben <b>").first).to_contain_text("says O")
        expect(wall.locator(".room-tile.wrong", has_text="#3 X · Ana").first).to_be_visible()
    finally:
        server.stop()

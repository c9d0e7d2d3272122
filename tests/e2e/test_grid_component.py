"""The drawing grid in real Chromium, driven with the mouse and keyboard as a person does.

The demo app (apps/grid_demo.py) writes what Python received: a report line
"pixels=N rev=R edits=E shape=HxW unrelated=U slow=S" and the grid as text. Each test checks
both the picture (aria-selected of the cells) and the Python side."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import SHOTS, cell, drag, goto, grid_locator, grid_values, wait_for_rerun

pytestmark = pytest.mark.e2e

DEMO = Path(__file__).parent / "apps" / "grid_demo.py"
GRID = "demo_grid"
MIRROR = "demo_mirror"

X8 = [
    "10000001",
    "01000010",
    "00100100",
    "00011000",
    "00011000",
    "00100100",
    "01000010",
    "10000001",
]
DIAGONAL8 = [
    "10000000",
    "01000000",
    "00100000",
    "00010000",
    "00001000",
    "00000100",
    "00000010",
    "00000001",
]
EMPTY8 = ["0" * 8] * 8


@pytest.fixture(scope="module")
def demo_url(streamlit_server) -> str:
    return streamlit_server(DEMO)


@pytest.fixture
def demo(page: Page, demo_url: str) -> Page:
    goto(page, demo_url)
    expect(grid_locator(page, GRID)).to_be_visible()
    return page


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"grid_{name}.png"))


def report(page: Page) -> dict[str, str]:
    """The demo's report line as a dict, e.g. {"pixels": "3", "rev": "0", ...}."""
    text = page.locator(".st-key-report [data-testid='stText']").inner_text()
    return dict(re.findall(r"(\w+)=(\S+)", text))


def python_grid(page: Page) -> list[str]:
    """The grid as Python holds it (the demo prints it as rows of 0/1)."""
    return page.locator(".st-key-report [data-testid='stCode'] code").inner_text().split()


def expect_report(page: Page, **values: object) -> None:
    """Wait for the rerun that makes the report show `values`, then for the script to idle."""
    pattern = "".join(rf"(?=.*\b{k}={v}(\s|$))" for k, v in values.items())
    line = page.locator(".st-key-report [data-testid='stText']")
    wait_for_rerun(page, lambda: expect(line).to_have_text(re.compile(pattern)))


def move_slider(page: Page, key: str, presses: int) -> None:
    """Click a slider's thumb, then step it with the arrow keys (right for presses > 0)."""
    slider = page.locator(f".st-key-{key}").get_by_role("slider")
    thumb = slider.locator("xpath=../..")  # the visible knob around the hidden range input
    thumb.click()
    expect(slider).to_be_focused()
    key_name = "ArrowRight" if presses > 0 else "ArrowLeft"
    for _ in range(abs(presses)):
        page.keyboard.press(key_name)


def test_click_toggles_a_cell_and_python_sees_it(demo: Page) -> None:
    target = cell(demo, GRID, 2, 3)
    expect(target).to_have_attribute("aria-selected", "false")

    target.click()
    expect(target).to_have_attribute("aria-selected", "true")
    expect_report(demo, pixels=1, edits=1)
    assert python_grid(demo)[2] == "00010000"
    assert grid_values(demo, GRID) == python_grid(demo)

    target.click()
    expect(target).to_have_attribute("aria-selected", "false")
    expect_report(demo, pixels=0, edits=2)
    assert python_grid(demo) == EMPTY8


def test_dragging_both_diagonals_paints_an_x_one_send_per_stroke(demo: Page) -> None:
    drag(demo, cell(demo, GRID, 0, 0), cell(demo, GRID, 7, 7))
    # One stroke, one edit: the grid reaches Python once, on pointer-up, with all 8 cells.
    expect_report(demo, pixels=8, edits=1)
    assert python_grid(demo) == DIAGONAL8

    drag(demo, cell(demo, GRID, 0, 7), cell(demo, GRID, 7, 0))
    expect_report(demo, pixels=16, edits=2)
    assert python_grid(demo) == X8
    assert grid_values(demo, GRID) == X8
    # The read-only mirror shows Python's grid flipped left to right (an X is symmetric).
    expect(cell(demo, MIRROR, 0, 0)).to_have_attribute("aria-selected", "true")
    assert grid_values(demo, MIRROR) == X8
    shot(demo, "x_drawn")


@pytest.mark.parametrize("moves", [1, 7, 14, 40], ids=lambda n: f"{n}-moves")
def test_both_diagonals_are_one_cell_thick_at_any_speed(demo: Page, moves: int) -> None:
    # 7 moves land every pointer event on a cell centre: the anti-diagonal used to pass exactly
    # through the cells' corners and paint a staircase. 1 move is the fastest stroke possible.
    drag(demo, cell(demo, GRID, 0, 0), cell(demo, GRID, 7, 7), steps=moves)
    expect_report(demo, pixels=8, edits=1)
    drag(demo, cell(demo, GRID, 0, 7), cell(demo, GRID, 7, 0), steps=moves)
    expect_report(demo, edits=2)
    assert python_grid(demo) == X8
    assert grid_values(demo, GRID) == X8


def test_a_stroke_that_leaves_the_grid_draws_no_chord(demo: Page) -> None:
    # Out through the right edge, back in through the bottom: the two parts are not joined.
    box = grid_locator(demo, GRID).bounding_box()
    pitch = box["width"] / 8
    x = lambda c: box["x"] + (c + 0.5) * pitch  # noqa: E731
    y = lambda r: box["y"] + (r + 0.5) * pitch  # noqa: E731
    demo.mouse.move(x(5), y(1))
    demo.mouse.down()
    demo.mouse.move(x(9), y(1), steps=4)  # out to the right, along row 1
    demo.mouse.move(x(9), y(9), steps=4)  # around the corner, outside
    demo.mouse.move(x(6), y(6), steps=4)  # back in, up towards row 6
    demo.mouse.up()
    expect_report(demo, edits=1)
    grid = python_grid(demo)
    assert grid[1] == "00000111"  # the part inside, up to the edge
    assert grid[7][7] == grid[6][6] == "1"  # the part coming back in, from the corner cell
    assert sum(row.count("1") for row in grid) == 3 + 2  # nothing else: no chord


def test_quick_strokes_in_a_row_all_arrive(demo: Page) -> None:
    """A second stroke drawn while Python still handles the first one is kept whole.

    The first stroke's rerun answers while the second is being drawn; the browser must keep
    its own copy instead of falling back to the grid Python sent for the first stroke.
    """

    demo.get_by_text("Slow reruns").click()
    expect_report(demo, slow=True)

    def centre(row: int, col: int) -> tuple[float, float]:
        box = cell(demo, GRID, row, col).bounding_box()
        assert box is not None
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # Measure first, so nothing slows the hand down between the two strokes.
    a0, a1 = centre(1, 0), centre(1, 7)
    b0, b_mid, b1 = centre(5, 0), centre(5, 3), centre(5, 7)
    demo.mouse.move(*a0)
    demo.mouse.down()
    demo.mouse.move(*a1, steps=8)
    demo.mouse.up()
    # Straight into the second stroke, pausing halfway (as people do) until the rerun for the
    # first stroke has come back.
    demo.mouse.move(*b0)
    demo.mouse.down()
    demo.mouse.move(*b_mid, steps=6)
    expect(demo.locator(".st-key-report [data-testid='stText']")).to_contain_text("pixels=8 ")
    demo.mouse.move(*b1, steps=6)
    demo.mouse.up()
    cell(demo, GRID, 7, 7).click()
    expect_report(demo, pixels=17)
    expected = ["00000000"] * 8
    expected[1] = expected[5] = "11111111"
    expected[7] = "00000001"
    assert python_grid(demo) == expected
    assert grid_values(demo, GRID) == expected


def test_a_stroke_that_starts_on_ink_erases(demo: Page) -> None:
    demo.get_by_role("button", name="Preset X").click()
    expect_report(demo, pixels=16, rev=1)
    assert grid_values(demo, GRID) == X8

    # Row 3 of the X is 00011000: start on the ink at column 3 and drag right to the edge.
    drag(demo, cell(demo, GRID, 3, 3), cell(demo, GRID, 3, 7))
    expect_report(demo, pixels=14, edits=1)
    expected = list(X8)
    expected[3] = "00000000"  # erased, and the empty cells it crossed stay empty
    assert python_grid(demo) == expected
    assert grid_values(demo, GRID) == expected

    # A stroke starting on an empty cell paints, even across ink.
    drag(demo, cell(demo, GRID, 4, 0), cell(demo, GRID, 4, 7))
    expect_report(demo, pixels=20, edits=2)
    expected[4] = "11111111"
    assert python_grid(demo) == expected


def test_clear_stays_clear_when_another_widget_reruns_the_app(demo: Page) -> None:
    drag(demo, cell(demo, GRID, 0, 0), cell(demo, GRID, 7, 7))
    expect_report(demo, pixels=8, edits=1)

    demo.get_by_role("button", name="Clear").click()
    expect_report(demo, pixels=0, rev=1)
    expect(cell(demo, GRID, 0, 0)).to_have_attribute("aria-selected", "false")
    assert grid_values(demo, GRID) == EMPTY8

    # The browser still holds the component's last state (the diagonal, drawn on revision 0)
    # and sends it with every rerun: it must not bring the drawing back.
    move_slider(demo, "unrelated", 1)
    expect_report(demo, unrelated=1, pixels=0)
    move_slider(demo, "unrelated", 1)
    expect_report(demo, unrelated=2, pixels=0)
    assert python_grid(demo) == EMPTY8
    assert grid_values(demo, GRID) == EMPTY8

    # Drawing on the cleared grid works (the edit carries the new revision).
    cell(demo, GRID, 5, 5).click()
    expect_report(demo, pixels=1, rev=1)
    assert python_grid(demo)[5] == "00000100"


def test_a_preset_replaces_a_drawing_and_stays_after_reruns(demo: Page) -> None:
    cell(demo, GRID, 0, 3).click()
    expect_report(demo, pixels=1, edits=1)

    demo.get_by_role("button", name="Preset X").click()
    expect_report(demo, pixels=16, rev=1)
    assert grid_values(demo, GRID) == X8

    move_slider(demo, "unrelated", 3)
    expect_report(demo, unrelated=3)
    # Neither side brought back the cell drawn before the preset.
    assert python_grid(demo) == X8
    assert grid_values(demo, GRID) == X8


def test_keyboard_moves_the_focus_ring_and_space_enter_toggle(demo: Page) -> None:
    # Reach the grid as a keyboard user does: Tab from the last button before it.
    demo.get_by_role("button", name="Preset X").focus()
    demo.keyboard.press("Tab")
    expect(cell(demo, GRID, 0, 0)).to_be_focused()

    for key in ["ArrowDown", "ArrowDown", "ArrowRight", "ArrowRight", "ArrowRight"]:
        demo.keyboard.press(key)
    target = cell(demo, GRID, 2, 3)
    expect(target).to_be_focused()
    # The focus ring is drawn (keyboard focus).
    outline = target.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline == "solid"

    demo.keyboard.press("Space")
    expect(target).to_have_attribute("aria-selected", "true")
    expect_report(demo, pixels=1, edits=1)
    assert python_grid(demo)[2] == "00010000"
    shot(demo, "keyboard_focus")

    # Arrows stop at the edge instead of leaving the grid.
    for _ in range(10):
        demo.keyboard.press("ArrowLeft")
    expect(cell(demo, GRID, 2, 0)).to_be_focused()
    demo.keyboard.press("Enter")
    expect_report(demo, pixels=2, edits=2)
    assert python_grid(demo)[2] == "10010000"

    # Focus survives the reruns; Space toggles back off.
    demo.keyboard.press("Space")
    expect_report(demo, pixels=1, edits=3)
    assert python_grid(demo)[2] == "00010000"


def test_grid_size_change_rebuilds_the_grid(demo: Page) -> None:
    cell(demo, GRID, 1, 1).click()
    expect_report(demo, pixels=1)

    move_slider(demo, "size", 2)
    expect_report(demo, shape="10x10")
    grid = grid_locator(demo, GRID)
    expect(grid.locator("[role='gridcell']")).to_have_count(100)
    expect(grid.locator("[role='row']")).to_have_count(10)
    # The demo keeps the top-left part of the drawing when resizing.
    assert grid_values(demo, GRID)[1] == "0100000000"

    cell(demo, GRID, 9, 9).click()
    expect_report(demo, pixels=2, shape="10x10")
    assert python_grid(demo)[9] == "0000000001"
    shot(demo, "size_10")

    move_slider(demo, "size", -5)
    expect_report(demo, shape="5x5")
    expect(grid.locator("[role='gridcell']")).to_have_count(25)
    assert grid_values(demo, GRID) == ["00000", "01000", "00000", "00000", "00000"]
    # Cells keep their size: the grid is 5 cells of 36 px wide.
    box = grid.bounding_box()
    assert box is not None and abs(box["width"] - 5 * 36) <= 1


def test_highlight_outlines_the_window_clipped_to_the_grid(demo: Page) -> None:
    frame = demo.locator(".cnn-grid-frame", has=grid_locator(demo, GRID))
    window = frame.locator(".cnn-grid-highlight")
    expect(window).to_be_hidden()

    demo.get_by_text("Show window").click()
    expect(window).to_be_visible()
    wait_for_rerun(demo)
    # (top, left, h, w) = (1, 2, 3, 3): from cell (1, 2) to cell (3, 4).
    assert_window_covers(demo, window, (1, 2), (3, 4))
    shot(demo, "highlight")

    # Drawing under the window still works: the outline lets the pointer through.
    cell(demo, GRID, 2, 3).click()
    expect_report(demo, pixels=1)
    expect(window).to_be_visible()

    # Move the window down so it hangs over the bottom edge: it is clipped to rows 6–7.
    number = demo.locator(".st-key-window_top input")
    number.fill("6")
    number.press("Enter")
    wait_for_rerun(demo, lambda: expect(window).to_have_attribute("data-rect", "6,2,2,3"))
    assert_window_covers(demo, window, (6, 2), (7, 4))
    shot(demo, "highlight_clipped")
    # The highlight did not disturb the drawing.
    assert python_grid(demo)[2] == "00010000"
    assert grid_values(demo, GRID)[2] == "00010000"


def assert_window_covers(page: Page, window, top_left: tuple, bottom_right: tuple) -> None:
    box = window.bounding_box()
    first = cell(page, GRID, *top_left).bounding_box()
    last = cell(page, GRID, *bottom_right).bounding_box()
    assert box and first and last
    # The outline straddles the grid lines: 2 px outside the covered cells on every side.
    assert abs(box["x"] - (first["x"] - 2)) <= 1.5
    assert abs(box["y"] - (first["y"] - 2)) <= 1.5
    assert abs(box["x"] + box["width"] - (last["x"] + last["width"] + 2)) <= 1.5
    assert abs(box["y"] + box["height"] - (last["y"] + last["height"] + 2)) <= 1.5


def test_readonly_grid_ignores_the_mouse(demo: Page) -> None:
    mirror = grid_locator(demo, MIRROR)
    expect(mirror).to_have_attribute("aria-readonly", "true")
    cell(demo, MIRROR, 0, 0).click()
    drag(demo, cell(demo, MIRROR, 0, 0), cell(demo, MIRROR, 7, 7))
    demo.wait_for_timeout(300)  # nothing should happen; give a wrong rerun time to show
    wait_for_rerun(demo)
    assert grid_values(demo, MIRROR) == EMPTY8
    assert report(demo)["pixels"] == "0"

    # It follows Python: draw on the editable grid, the mirror shows it flipped.
    cell(demo, GRID, 0, 1).click()
    expect(cell(demo, MIRROR, 0, 6)).to_have_attribute("aria-selected", "true")
    expect_report(demo, pixels=1)
    assert grid_values(demo, MIRROR)[0] == "00000010"


def test_a_finger_draws_without_scrolling_the_page(browser: Browser, demo_url: str) -> None:
    """Touch: a vertical stroke paints the column instead of scrolling the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 720}, has_touch=True)
    try:
        page = context.new_page()
        goto(page, demo_url)
        top, bottom = cell(page, GRID, 0, 2).bounding_box(), cell(page, GRID, 7, 2).bounding_box()
        assert top and bottom
        x = top["x"] + top["width"] / 2
        y0, y1 = top["y"] + top["height"] / 2, bottom["y"] + bottom["height"] / 2
        # Streamlit scrolls the page inside a container, not the document.
        scroller = page.locator('[data-testid="stMain"]')
        assert scroller.evaluate("el => el.scrollHeight > el.clientHeight")  # it could scroll
        # Playwright has no touch-drag; send the touch events through the DevTools protocol.
        cdp = context.new_cdp_session(page)
        touch = "Input.dispatchTouchEvent"
        cdp.send(touch, {"type": "touchStart", "touchPoints": [{"x": x, "y": y0}]})
        for i in range(1, 15):
            point = {"x": x, "y": y0 + (y1 - y0) * i / 14}
            cdp.send(touch, {"type": "touchMove", "touchPoints": [point]})
        cdp.send(touch, {"type": "touchEnd", "touchPoints": []})
        expect_report(page, pixels=8, edits=1)
        assert python_grid(page) == ["00100000"] * 8
        assert scroller.evaluate("el => el.scrollTop") == 0
    finally:
        context.close()


def test_accessible_structure(demo: Page) -> None:
    grid = grid_locator(demo, GRID)
    expect(grid).to_have_attribute("aria-label", "Draw here, 8 by 8")
    expect(grid.locator("[role='row']")).to_have_count(8)
    cells = grid.locator("[role='gridcell']")
    expect(cells).to_have_count(64)
    labels = cells.evaluate_all("cs => cs.map(c => c.getAttribute('aria-label'))")
    assert labels == [f"row {r}, column {c}" for r in range(1, 9) for c in range(1, 9)]
    # Exactly one cell is in the tab order (roving tabindex).
    tabbable = cells.evaluate_all("cs => cs.filter(c => c.tabIndex === 0).length")
    assert tabbable == 1


def test_looks_right_at_projector_size(demo: Page) -> None:
    """Ink and grid lines have clear contrast; cells are exactly cell_px apart."""
    demo.get_by_role("button", name="Preset X").click()
    expect_report(demo, pixels=16)
    ink = cell(demo, GRID, 0, 0).evaluate("el => getComputedStyle(el).backgroundColor")
    paper = cell(demo, GRID, 0, 1).evaluate("el => getComputedStyle(el).backgroundColor")
    assert contrast(ink, paper) >= 7, (ink, paper)

    a = cell(demo, GRID, 0, 0).bounding_box()
    b = cell(demo, GRID, 1, 1).bounding_box()
    assert a and b
    assert (round(b["x"] - a["x"]), round(b["y"] - a["y"])) == (36, 36)
    assert demo.viewport_size == {"width": 1280, "height": 720}
    shot(demo, "preset_x_1280x720")


def contrast(css_a: str, css_b: str) -> float:
    """WCAG contrast ratio of two `rgb(...)` colours."""

    def luminance(css: str) -> float:
        rgb = np.array([float(v) for v in re.findall(r"[\d.]+", css)[:3]]) / 255
        lin = np.where(rgb <= 0.03928, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
        return float(lin @ [0.2126, 0.7152, 0.0722])

    hi, lo = sorted([luminance(css_a), luminance(css_b)], reverse=True)
    return (hi + 0.05) / (lo + 0.05)

"""The Convolution lab in real Chromium, driven with the mouse and keyboard as a person does.

Numbers are read from what the browser draws (the text in each cell of each map) and compared
with the deck's tables or with ``cnn_core``. Screenshots go to the run's screenshot folder
(conftest.SHOTS), lab_*.png.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from cnn_core import conv2d, grids, kernels, pool2d, threshold
from playground.ui.widgets import cell_text
from tests.e2e.conftest import APP_IDLE, SHOTS, cell, drag, goto, grid_values, wait_for_rerun

pytestmark = pytest.mark.e2e

GRID = "lab_draw"
DIAGONAL = kernels.preset("deck diagonal /")  # the deck's kernel, the lab's default

# The deck's same-padded map of the O (its misprinted cell, row 4 column 4, is 0: tests/deck.py)
# and its pooled map, as the slides print them.
DECK_SAME_ROWS = [
    "0 0 -1 -2 0 1 0 0",
    "0 -1 -2 0 -2 -1 1 0",
    "-1 -2 3 -2 -2 -2 -2 1",
    "-2 1 -1 0 0 -4 -1 0",
    "0 -1 -3 0 -2 0 1 -2",
    "1 -2 -1 -4 0 2 -2 -1",
    "0 1 -2 0 0 -3 -1 0",
    "0 0 1 0 -2 -1 0 0",
]
DECK_POOLED_ROWS = ["0 0 1 1", "1 3 0 1", "1 0 2 1", "1 1 0 0"]
X8 = ["10000001", "01000010", "00100100", "00011000", "00011000", "00100100", "01000010",
      "10000001"]  # fmt: skip


def flat(rows: list[str]) -> list[str]:
    return [v for row in rows for v in row.split()]


def numbers_of(z) -> list[str]:
    """What a heatmap of ``z`` writes in its cells, row by row."""
    return [t for row in cell_text(np.asarray(z, dtype=float)) for t in row]


def as_array(rows: list[str]) -> np.ndarray:
    return np.array([[int(ch) for ch in row] for row in rows])


def map_of(page: Page, key: str):
    """The map drawn with this key (components/maps)."""
    return page.locator(f'[data-map-key="{key}"]')


def cells_of(page: Page, key: str):
    """The cells of the map with this key, in row-major order (their text is the number)."""
    return map_of(page, key).locator(".hm-cells > span")


def expect_maps(page: Page, image: np.ndarray, kernel=DIAGONAL, t: float = 0.0) -> None:
    """Wait until the feature, thresholded and pooled maps show cnn_core's numbers."""
    fm = conv2d(image, kernel, "same")
    thr = threshold(fm, t)
    expect(cells_of(page, "lab_fm1")).to_have_text(numbers_of(fm))
    expect(cells_of(page, "lab_thr1")).to_have_text(numbers_of(thr))
    expect(cells_of(page, "lab_pool1")).to_have_text(numbers_of(pool2d(thr, 2)))
    expect(page.locator(APP_IDLE)).to_be_attached()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"lab_{name}.png"))


@pytest.fixture
def lab(page: Page, app_url: str) -> Page:
    goto(page, app_url)
    # The first load of the page (its components) can be slow on a busy machine.
    expect(cell(page, GRID, 0, 0)).to_be_visible(timeout=30_000)
    expect(cells_of(page, "lab_pool1")).to_have_count(16, timeout=30_000)
    return page


def press_button(page: Page, key: str) -> None:
    # By role: a button with a tooltip also holds an unnamed, hidden copy of itself.
    page.locator(f".st-key-{key}").get_by_role("button").click()


# --- opening ---------------------------------------------------------------------------------


def test_opens_on_the_decks_worked_example_without_horizontal_scrolling(lab: Page) -> None:
    assert grid_values(lab, GRID) == grids.format_grid(grids.DECK_O_8x8).split()
    expect(cells_of(lab, "lab_fm1")).to_have_text(flat(DECK_SAME_ROWS))
    expect(cells_of(lab, "lab_pool1")).to_have_text(flat(DECK_POOLED_ROWS))
    expect(map_of(lab, "lab_fm1").locator(".hm-title")).to_have_text("Feature map 8×8 → 8×8")
    # A projector at 1280×720: nothing in the main column is wider than the column.
    overflow = lab.evaluate(
        """() => {
          const main = document.querySelector('[data-testid="stMain"]');
          return [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                  main.scrollWidth - main.clientWidth];
        }"""
    )
    assert overflow == [0, 0]
    # The three maps sit side by side, and their cells have the input grid's size.
    boxes = [map_of(lab, f"lab_{k}1").bounding_box() for k in ("fm", "thr", "pool")]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    grid_cell = cell(lab, GRID, 0, 0).bounding_box()
    first, second = (cells_of(lab, "lab_fm1").nth(i).bounding_box() for i in (0, 1))
    assert abs((second["x"] - first["x"]) - grid_cell["width"]) < 1.5
    shot(lab, "default_1280x720")


def _luminance(css_color: str) -> float:
    r, g, b = (float(v) for v in css_color[css_color.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_numbers_stay_readable_on_dark_and_light_cells(lab: Page) -> None:
    texts = cells_of(lab, "lab_fm1")
    expect(texts).to_have_text(flat(DECK_SAME_ROWS))
    colors = texts.evaluate_all(
        "ts => ts.map(t => [getComputedStyle(t).color, getComputedStyle(t).backgroundColor])"
    )
    # Row 4, column 6 is the -4 on the darkest blue; row 1, column 1 is a 0 on near-white.
    text, cell_color = colors[3 * 8 + 5]
    assert _luminance(cell_color) < 0.2 and _luminance(text) > 0.8
    text, cell_color = colors[0]
    assert _luminance(cell_color) > 0.9 and _luminance(text) < 0.4


def test_hovering_a_cell_names_it_and_each_map_is_a_named_figure(lab: Page) -> None:
    target = cells_of(lab, "lab_fm1").nth(2 * 8 + 2)
    expect(target).to_have_attribute("title", "row 3, column 3: 3")
    expect(lab.get_by_role("figure", name="Pooled 8×8 → 4×4")).to_be_visible()


def test_looks_right_at_1600x1000(browser: Browser, app_url: str) -> None:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    goto(page, app_url)
    expect(cells_of(page, "lab_pool1")).to_have_text(flat(DECK_POOLED_ROWS), timeout=30_000)
    expect(cell(page, GRID, 0, 0)).to_be_visible(timeout=30_000)
    shot(page, "default_1600x1000")
    page.close()


# --- drawing ---------------------------------------------------------------------------------


def test_draw_an_x_by_dragging_along_both_diagonals(lab: Page) -> None:
    press_button(lab, "lab_tools_clear")
    wait_for_rerun(lab, lambda: expect(cells_of(lab, "lab_fm1")).to_have_text(["0"] * 64))
    drag(lab, cell(lab, GRID, 0, 0), cell(lab, GRID, 7, 7))
    expect_maps(lab, np.eye(8, dtype=int))
    drag(lab, cell(lab, GRID, 0, 7), cell(lab, GRID, 7, 0))
    expect_maps(lab, as_array(X8))
    assert grid_values(lab, GRID) == X8
    # By hand: output row 5, column 5 sees 1 1 0 / 1 1 0 / 0 0 1 under the "/" kernel:
    # -1 -1 +0 -1 +1 +0 +0 +0 -1 = -3.
    expect(cells_of(lab, "lab_fm1").nth(4 * 8 + 4)).to_have_text("-3")
    shot(lab, "drawn_x")


def test_a_click_toggles_a_cell_and_the_maps_follow(lab: Page) -> None:
    image = np.array(grids.DECK_O_8x8)
    cell(lab, GRID, 0, 0).click()
    image[0, 0] = 1
    expect_maps(lab, image)
    # The ink sits under the kernel's centre (+1) for output cell (1, 1): 0 → 1.
    expect(cells_of(lab, "lab_fm1").nth(0)).to_have_text("1")
    cell(lab, GRID, 0, 0).click()
    image[0, 0] = 0
    expect_maps(lab, image)


def test_the_address_lab_opens_the_lab_and_its_link_without_a_dialog(
    page: Page, app_url: str
) -> None:
    # The lab lives at the root; "/lab" used to put a "Page not found" dialog over it.
    goto(page, f"{app_url}/lab?g={'-'.join(X8)}&t=1")
    expect(cell(page, GRID, 0, 0)).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stDialog"]')).to_have_count(0)
    assert grid_values(page, GRID) == X8
    expect(map_of(page, "lab_thr1").locator(".hm-title")).to_have_text("Threshold t=1: 8×8")
    assert "/lab" not in page.url and "t=1" in page.url
    cell(page, GRID, 0, 0).click()  # the page takes clicks: nothing modal is left over it
    image = as_array(X8)
    image[0, 0] = 0
    expect_maps(page, image, t=1.0)


def test_a_stroke_does_not_send_the_components_code_again(page: Page, app_url: str) -> None:
    # The grid's and the maps' JS and CSS are files the browser fetches once
    # (components/assets.py), not 25 KB inline in every stroke's messages.
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/bidi-components/" in r.url else None)
    lab = page
    goto(lab, app_url)
    expect(cells_of(lab, "lab_pool1")).to_have_count(16, timeout=30_000)
    image = np.array(grids.DECK_O_8x8)
    for _ in range(2):
        cell(lab, GRID, 0, 0).click()
        image[0, 0] = 1 - image[0, 0]
        expect_maps(lab, image)
    names = sorted(url.rsplit("/bidi-components/", 1)[1] for url in fetched)
    assert names == [
        "cnn_playground.grid/grid.css",
        "cnn_playground.grid/grid.js",
        "cnn_playground.maps/maps.css",
        "cnn_playground.maps/maps.js",
    ]


def test_keyboard_drawing(lab: Page) -> None:
    image = np.array(grids.DECK_O_8x8)
    cell(lab, GRID, 0, 0).focus()
    lab.keyboard.press("ArrowRight")
    lab.keyboard.press("ArrowDown")
    lab.keyboard.press("Space")
    image[1, 1] = 1
    expect_maps(lab, image)
    lab.keyboard.press("ArrowDown")
    lab.keyboard.press("Enter")
    image[2, 1] = 1
    expect_maps(lab, image)
    assert grid_values(lab, GRID)[1:3] == ["01011000", "01101100"]


def test_clear_then_moving_a_slider_keeps_the_grid_clear(lab: Page) -> None:
    drag(lab, cell(lab, GRID, 0, 0), cell(lab, GRID, 0, 3))
    wait_for_rerun(lab, lambda: expect(cells_of(lab, "lab_fm1").nth(0)).to_have_text("0"))
    press_button(lab, "lab_tools_clear")
    wait_for_rerun(lab, lambda: expect(cells_of(lab, "lab_fm1")).to_have_text(["0"] * 64))
    # The stale-state case: a rerun from any widget must not bring the old drawing back.
    thumb = lab.locator(".st-key-lab_t").get_by_role("slider")
    thumb.focus()
    lab.keyboard.press("ArrowRight")
    title = map_of(lab, "lab_thr1").locator(".hm-title")
    wait_for_rerun(lab, lambda: expect(title.filter(has_text="t=0.5: 8×8")).to_have_count(1))
    expect(title).to_have_count(1)  # and no stale copy of the old map left on the page
    assert grid_values(lab, GRID) == ["0" * 8] * 8
    expect(cells_of(lab, "lab_fm1")).to_have_text(["0"] * 64)
    shot(lab, "cleared_then_slider")


def test_the_drawing_buttons(lab: Page) -> None:
    press_button(lab, "lab_tools_right")
    shifted = np.roll(np.array(grids.DECK_O_8x8), 1, axis=1)
    expect_maps(lab, shifted)
    press_button(lab, "lab_tools_invert")
    expect_maps(lab, 1 - shifted)
    assert grid_values(lab, GRID) == grids.format_grid(1 - shifted).split()


# --- kernels ---------------------------------------------------------------------------------


def test_typing_into_a_kernel_cell(lab: Page) -> None:
    centre = lab.locator(".st-key-lab_k1_r1c1 input")
    centre.fill("3")
    centre.press("Enter")
    kernel = DIAGONAL.copy()
    kernel[1, 1] = 3
    expect_maps(lab, np.array(grids.DECK_O_8x8), kernel)
    # The deck's 3 at row 3, column 3 had the O's ink under the centre: it becomes 5.
    expect(cells_of(lab, "lab_fm1").nth(2 * 8 + 2)).to_have_text("5")

    centre.fill("abc")
    centre.press("Enter")
    alert = lab.get_by_text("Row 2, column 2 of kernel 1 is not a number")
    wait_for_rerun(lab, alert)
    # The last good kernel stays in use.
    expect(cells_of(lab, "lab_fm1").nth(2 * 8 + 2)).to_have_text("5")
    shot(lab, "bad_kernel_cell")


# --- the step-through --------------------------------------------------------------------------


def _shapes(page: Page, key: str) -> list[list[float]]:
    """The frames drawn over a map as [y0, y1, x0, x1] around the cells, in its row and column
    labels (a frame around row 3, column 3 alone is [2.5, 3.5, 2.5, 3.5])."""
    found = map_of(page, key)
    r0 = int(found.locator(".hm-ylab > span").first.text_content())
    c0 = int(found.locator(".hm-xlab > span").first.text_content())
    frames = []
    for rect in found.locator(".hm-frame").evaluate_all("fs => fs.map(f => f.dataset.rect)"):
        top, left, h, w = (int(v) for v in rect.split(","))
        frames.append([r0 + top - 0.5, r0 + top + h - 0.5, c0 + left - 0.5, c0 + left + w - 0.5])
    return frames


def test_step_through_highlights_the_window_and_the_output_cell(lab: Page) -> None:
    lab.get_by_text("Step through the sliding window").click()
    thumb = lab.locator(".st-key-lab_step_pos_convolution").get_by_role("slider")
    wait_for_rerun(lab, thumb)
    thumb.focus()
    for _ in range(2 * 8 + 2):  # to output row 3, column 3
        lab.keyboard.press("ArrowRight")
    formula = lab.locator("code", has_text="= 3")
    wait_for_rerun(lab, lambda: expect(lab.get_by_text("Row 3, column 3:")).to_be_visible())
    expect(formula.first).to_have_text(
        "(-1)×0 + (-1)×0 + 1×1 + (-1)×0 + 1×1 + (-1)×0 + 1×1 + (-1)×0 + (-1)×0 = 3"
    )
    # The window: rows 2-4, columns 2-4 of the input (row/column 0 is the padding) ...
    assert _shapes(lab, "lab_step_in") == [[1.5, 4.5, 1.5, 4.5]]
    # ... and its output cell on the feature map, drawn as a frame over the cell.
    assert _shapes(lab, "lab_step_fm") == [[2.5, 3.5, 2.5, 3.5]]
    frame = map_of(lab, "lab_step_fm").locator(".hm-frame")
    expect(frame).to_have_count(1)
    box, target = frame.bounding_box(), cells_of(lab, "lab_step_fm").nth(2 * 8 + 2).bounding_box()
    assert box["x"] < target["x"] and box["x"] + box["width"] > target["x"] + target["width"]
    expect(cells_of(lab, "lab_step_prod")).to_have_text(["0", "0", "1", "0", "1", "0", "1", "0",
                                                         "0"])  # fmt: skip
    map_of(lab, "lab_step_in").scroll_into_view_if_needed()
    shot(lab, "step_through")

    lab.locator(".st-key-lab_step_what").get_by_text("pooling").click()
    pool_thumb = lab.locator(".st-key-lab_step_pos_pooling").get_by_role("slider")
    wait_for_rerun(lab, pool_thumb)
    pool_thumb.focus()
    for _ in range(5):  # to pooled row 2, column 2: the window holding the deck's 3
        lab.keyboard.press("ArrowRight")
    wait_for_rerun(lab, lambda: expect(lab.locator("code", has_text="max(3, 0, 0, 0) = 3"))
                   .to_be_visible())  # fmt: skip
    window, winner = _shapes(lab, "lab_pstep_thr")
    assert window == [2.5, 4.5, 2.5, 4.5] and winner == [2.5, 3.5, 2.5, 3.5]
    map_of(lab, "lab_pstep_thr").scroll_into_view_if_needed()
    shot(lab, "step_through_pooling")


def test_an_open_step_through_follows_the_drawing(lab: Page) -> None:
    lab.get_by_text("Step through the sliding window").click()
    wait_for_rerun(lab, lambda: expect(cells_of(lab, "lab_step_fm")).to_have_count(64))
    image = np.array(grids.DECK_O_8x8)
    image[0, 0] = 1
    cell(lab, GRID, 0, 0).click()
    fm = conv2d(image, DIAGONAL, "same")
    expect(cells_of(lab, "lab_step_fm")).to_have_text(numbers_of(fm))
    # Output cell (1, 1): the new ink sits under the kernel's centre.
    expect(cells_of(lab, "lab_step_win")).to_have_text(["0", "0", "0", "0", "1", "0", "0", "0",
                                                        "0"])  # fmt: skip
    expect_maps(lab, image)


def test_play_moves_the_window_by_itself(lab: Page) -> None:
    lab.get_by_text("Step through the sliding window").click()
    play = lab.locator(".st-key-lab_step_play").get_by_role("button")
    wait_for_rerun(lab, play)
    slider = lab.get_by_role("slider", name="Output cell")
    start = int(slider.input_value())
    play.click()
    # run_every moves the window one cell every 0.8 s without any click: watch it pass two
    # cells, one at a time. (Waiting for one given cell raced the timer: expect() polls
    # up to a second apart, and the window stays on a cell 0.8 s.)
    seen = [start]
    deadline = time.monotonic() + 10
    while seen[-1] < start + 2 and time.monotonic() < deadline:
        now = int(slider.input_value())
        if now != seen[-1]:
            seen.append(now)
        lab.wait_for_timeout(50)
    assert seen[:3] == [start, start + 1, start + 2], seen
    play.click()  # pause
    wait_for_rerun(lab, lambda: expect(play)
                   .to_contain_text("Play"))  # fmt: skip
    # Paused, the window stays where it stopped, and the frame below explains that cell.
    stopped = int(slider.input_value())
    assert stopped >= start + 2
    row, col = divmod(stopped, 8)  # the 8×8 feature map ("same" padding)
    expect(lab.get_by_text(f"Row {row + 1}, column {col + 1}:")).to_be_visible()
    lab.wait_for_timeout(1600)  # two ticks of a timer that should be gone
    assert int(slider.input_value()) == stopped

"""The "Same?" and "Inside the network" pages in real Chromium, driven with the mouse.

"Same?": the page opens on the deck's numbers; a click on drawing A (its copy B follows) and
a click on drawing B (B becomes the learner's own) update the match counts to cnn_core's.
"Inside the network": picking an output neuron frames its row of the weight matrix and its
window on the input, and writes its sum out. Screenshots go to the run's screenshot folder.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core import conv_trace, grids, kernels
from cnn_core.compare import compare_drawings
from tests.e2e.conftest import (
    RERUN_TIMEOUT_MS,
    SHOTS,
    cell,
    goto,
    grid_locator,
    grid_values,
    wait_for_rerun,
)

pytestmark = pytest.mark.e2e

DECK_KERNEL = kernels.preset("deck diagonal /")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def metric(page: Page, label: str):
    """The value element of the scoreboard metric with this label."""
    box = page.locator(".st-key-same_scores [data-testid='stMetric']").filter(
        has=page.get_by_text(label, exact=True)
    )
    return box.locator("[data-testid='stMetricValue']")


def expected_text(match) -> str:
    percent = "–" if match.ratio is None else f"{round(100 * match.ratio)} %"
    return f"{match.both} / {match.either} = {percent}"


def browser_grid(page: Page, key: str) -> np.ndarray:
    return np.array([[int(ch) for ch in row] for row in grid_values(page, key)])


def expect_counts(page: Page, a: np.ndarray, b: np.ndarray) -> None:
    """Wait until the scoreboard shows cnn_core's counts for drawings a and b."""
    result = compare_drawings(a, b, [DECK_KERNEL])

    def shown() -> None:
        expect(metric(page, "Pixels")).to_have_text(expected_text(result.pixels))
        expect(metric(page, "After convolution + threshold")).to_have_text(
            expected_text(result.thresholded)
        )
        expect(metric(page, "After pooling")).to_have_text(expected_text(result.pooled))

    wait_for_rerun(page, shown)


@pytest.fixture
def same(page: Page, app_url: str) -> Page:
    goto(page, app_url + "/same")
    # The first visit of a fresh server imports everything: allow a slow first run.
    expect(grid_locator(page, "same_grid_a")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    expect(metric(page, "After pooling")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    return page


@pytest.fixture
def inside(page: Page, app_url: str) -> Page:
    goto(page, app_url + "/inside")
    plot = page.locator(".st-key-inside_matrix .js-plotly-plot")
    expect(plot).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    return page


# --- Same? --------------------------------------------------------------------------------------


def test_same_opens_on_the_decks_numbers(same: Page) -> None:
    a = grids.DECK_O_8x8
    b = grids.shift(a, 0, 1)
    assert (browser_grid(same, "same_grid_a") == a).all()
    assert (browser_grid(same, "same_grid_b") == b).all()
    expect(metric(same, "Pixels")).to_have_text("4 / 24 = 17 %")
    expect(metric(same, "After pooling")).to_have_text("5 / 10 = 50 %")
    expect_counts(same, a, b)
    expect(same.get_by_text("More non-zero values are matched!")).to_be_visible()
    shot(same, "same_1280x720")
    same.set_viewport_size({"width": 1600, "height": 1000})
    expect(metric(same, "After pooling")).to_be_visible()
    shot(same, "same_1600x1000")


def test_drawing_on_same_updates_the_match_counts(same: Page) -> None:
    # A click on A inks a blank cell; B, A's copy shifted one to the right, follows.
    assert grids.DECK_O_8x8[6, 1] == 0
    cell(same, "same_grid_a", 6, 1).click()
    a = grids.DECK_O_8x8.copy()
    a[6, 1] = 1
    b = grids.shift(a, 0, 1)
    expect_counts(same, a, b)
    expect(cell(same, "same_grid_b", 6, 2)).to_have_attribute("aria-selected", "true")
    assert (browser_grid(same, "same_grid_b") == b).all()

    # A click on B makes B the learner's own drawing; A stays as it is.
    assert b[4, 4] == 0  # a click toggles: this one inks a blank cell
    cell(same, "same_grid_b", 4, 4).click()
    b[4, 4] = 1
    expect_counts(same, a, b)
    expect(same.get_by_text("drawn by hand")).to_be_visible()
    assert (browser_grid(same, "same_grid_a") == a).all()

    # A transform button makes B a copy of A again (now shifted two to the right).
    same.locator(".st-key-same_panel_b").get_by_role("button", name="→").click()
    expect_counts(same, a, grids.shift(a, 0, 2))
    expect(same.get_by_text("A shifted 2 right")).to_be_visible()
    same.locator(".st-key-same_pixel_row").scroll_into_view_if_needed()
    shot(same, "same_after_drawing")


# --- Inside the network -------------------------------------------------------------------------


def matrix_frame_row(page: Page) -> float:
    """The y0 of the frame on the weight matrix (row index − 0.5 of the framed neuron)."""
    plot = page.locator(".st-key-inside_matrix .js-plotly-plot")
    return plot.evaluate("el => el.layout.shapes[0].y0")


def test_inside_renders_the_decks_example(inside: Page) -> None:
    expect(inside.get_by_text("16 × 25 = 400")).to_be_visible()
    expect(inside.get_by_text("= 0×0 + 1×1 + 1×1 + 0×0 = 2")).to_be_visible()
    assert matrix_frame_row(inside) == 0.5  # neuron y(1,2): matrix row 1
    shot(inside, "inside_1280x720")
    inside.set_viewport_size({"width": 1600, "height": 1000})
    inside.locator(".st-key-inside_matrix").scroll_into_view_if_needed()
    shot(inside, "inside_matrix_1600x1000")
    inside.locator(".st-key-inside_network").scroll_into_view_if_needed()
    shot(inside, "inside_network_1600x1000")


def test_selecting_an_output_neuron_traces_its_inputs(inside: Page) -> None:
    inside.locator(".st-key-inside_neuron_4x4").get_by_role(
        "combobox", name="Output neuron to trace"
    ).click()
    inside.get_by_role("option", name="y(3,1)", exact=True).click()
    trace = conv_trace(grids.DECK_5x5, kernels.preset("deck 2×2"), 2, 0)
    assert trace.total == 1  # the deck's 4×4 output, row 3, column 1
    expected = f"= {trace.formula()}"
    wait_for_rerun(inside, lambda: expect(inside.get_by_text(expected)).to_be_visible())
    expect(
        inside.get_by_text(re.compile(r"y\(3,1\) = w₁₁·x\(3,1\) \+ w₁₂·x\(3,2\)"))
    ).to_be_visible()
    assert matrix_frame_row(inside) == 8 - 0.5  # y(3,1) is the 9th neuron: row index 8
    inside.locator(".st-key-inside_conv_row").scroll_into_view_if_needed()
    shot(inside, "inside_neuron_traced")

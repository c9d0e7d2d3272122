"""Presenter mode fits the wall: at 1280×720 with the sidebar collapsed, what the room must
see together is on the first screen, without scrolling (checked by bounding boxes)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import APP_IDLE, SHOTS, goto, grid_locator, wait_for_rerun

pytestmark = pytest.mark.e2e


def presenter_on_a_wall(page: Page, url: str) -> None:
    """Open ``url``, switch presenter mode on and collapse the sidebar, as a teacher would."""
    assert page.viewport_size == {"width": 1280, "height": 720}
    goto(page, url)
    page.locator('[data-testid="stSidebar"]').get_by_text("Presenter mode").click()
    wait_for_rerun(page, lambda: expect(page.locator("h1, h2, h3").first).to_be_visible())
    expect(page.locator(APP_IDLE)).to_be_attached()
    page.locator('[data-testid="stSidebar"]').hover()
    page.get_by_role("button", name="Collapse sidebar").click()
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    page.wait_for_timeout(600)  # the sidebar's slide-out animation


def settled_box(page: Page, element: Locator, timeout_s: float = 5.0) -> dict | None:
    """The element's bounding box once the layout stops moving: a row of custom components
    reflows when their scripts have drawn (a drawing grid takes its real width late), and a
    box read in between says where the element was, not where the wall shows it."""
    box, deadline = element.bounding_box(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(250)
        again = element.bounding_box()
        if again == box:
            return box
        box = again
    return box


def assert_on_screen(page: Page, element: Locator, what: str) -> None:
    expect(element).to_be_visible()
    box = settled_box(page, element)
    assert box is not None, what
    scrolled = page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTop")
    assert scrolled == 0, f"the page scrolled ({scrolled} px) to show {what}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280, (what, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= 720, (what, box)


def figures_on_screen(page: Page, figures) -> None:
    """figures: [("grid", key) for a drawing grid, or ("key", key) for an element]."""
    for kind, key in figures:
        element = grid_locator(page, key) if kind == "grid" else page.locator(f".st-key-{key}")
        assert_on_screen(page, element, key)


def test_the_lab_shows_drawing_kernel_and_all_three_maps_on_one_screen(page: Page, app_url):
    presenter_on_a_wall(page, app_url)
    assert_on_screen(page, grid_locator(page, "lab_draw"), "the drawing")
    kernel = page.get_by_role("textbox", name="kernel 1, row 3, column 3")
    assert_on_screen(page, kernel, "the kernel's last cell")
    for key, what in (("lab_fm1", "feature map"), ("lab_thr1", "thresholded map"),
                      ("lab_pool1", "pooled map")):  # fmt: skip
        assert_on_screen(page, page.locator(f'[data-map-key="{key}"]'), what)
    number = page.locator('[data-map-key="lab_fm1"] .hm-cells > span').first
    assert float(number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 17
    page.screenshot(path=str(SHOTS / "presenter-fit-lab.png"))


@pytest.mark.parametrize(
    ("path", "figures"),
    [
        (
            "same",
            [("grid", "same_grid_a"), ("grid", "same_grid_b"), ("key", "same_overlay_pixels")],
        ),
        ("train", [("key", "train_curves")]),
        ("inside", [("key", "inside_input"), ("key", "inside_kernel"), ("key", "inside_output")]),
        ("lesson?step=5", [("grid", "lesson_conv_g0_draw"), ("key", "lesson_conv_fmap")]),
        (
            "lesson?step=3",
            [
                ("grid", "lesson_local_g0_draw"),
                ("key", "lesson_local_fmap"),
                ("key", "lesson_local_found"),
            ],
        ),
        (
            "lesson?step=8",
            [
                ("grid", "lesson_threshold_g0_draw"),
                ("key", "lesson_threshold_fmap"),
                ("key", "lesson_threshold_thr"),
            ],
        ),
        (
            "lesson?step=9",
            [
                ("grid", "lesson_conv3d_g1_draw"),
                ("key", "lesson_conv3d_part1"),
                ("key", "lesson_conv3d_total"),
            ],
        ),
        (
            "lesson?step=11",
            [
                ("grid", "lesson_pool_g0_draw"),
                ("key", "lesson_pool_thr"),
                ("key", "lesson_pool_pooled"),
            ],
        ),
        ("lesson?step=12", [("grid", "lesson_shift_g1_draw"), ("key", "lesson_shift_matches")]),
        (
            "lesson?step=13",
            [
                ("grid", "lesson_structure_g0_draw"),
                ("key", "lesson_structure_pool0"),
                ("key", "lesson_structure_thr0"),
            ],
        ),
        (
            "lesson?step=14",
            [
                ("grid", "lesson_network_g0_draw"),
                ("key", "lesson_network_out"),
                ("key", "lesson_network_weights"),
            ],
        ),
    ],
    ids=[
        "same",
        "train",
        "inside",
        "lesson-conv",
        "lesson-local",
        "lesson-threshold",
        "lesson-conv3d",
        "lesson-pool",
        "lesson-shift",
        "lesson-structure",
        "lesson-network",
    ],
)
def test_the_other_pages_put_their_main_figure_on_the_first_screen(page: Page, app_url, path,
                                                                    figures):  # fmt: skip
    presenter_on_a_wall(page, f"{app_url}/{path}")
    figures_on_screen(page, figures)
    page.screenshot(path=str(SHOTS / f"presenter-fit-{path.replace('?', '-')}.png"))


@pytest.mark.parametrize(
    ("step", "figures"),
    [
        (1, [("grid", "lesson_xo_g0_draw")]),
        (2, [("grid", "lesson_same_g1_draw"), ("key", "lesson_same_match")]),
        (4, [("grid", "lesson_dot_g0_draw")]),
        (6, [("grid", "lesson_padding_g0_draw"), ("key", "lesson_padding_fmap")]),
        (7, [("key", "lesson_erratum_printed")]),
        (10, [("grid", "lesson_examples_g0_draw"), ("key", "lesson_examples_fmap")]),
        (15, [("key", "lesson_masks_k0")]),
        (16, [("grid", "lesson_descent_g0_draw"), ("key", "lesson_descent_descent_kernel_map")]),
    ],
)
def test_every_other_lesson_step_puts_its_figure_on_the_first_screen(page: Page, app_url, step,
                                                                      figures):  # fmt: skip
    presenter_on_a_wall(page, f"{app_url}/lesson?step={step}")
    figures_on_screen(page, figures)

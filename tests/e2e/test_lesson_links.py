"""The Lesson, shared links, presenter mode and "nothing leaves the machine", in real Chromium.

Driven with the mouse as a person does: Next through every step, paint on a grid, copy the
address bar into a second browser (a new context: no shared cookies or session), toggle
presenter mode. Screenshots go to the run's screenshot folder (conftest.SHOTS), lesson-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from playground.views.lesson.steps import STEPS
from tests.e2e.conftest import (
    APP_IDLE,
    RERUN_TIMEOUT_MS,
    SHOTS,
    cell,
    drag,
    goto,
    grid_locator,
    grid_values,
    wait_for_rerun,
)

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
O8 = [
    "00000000",
    "00011000",
    "00101100",
    "01000010",
    "01000010",
    "00101100",
    "00011000",
    "00000000",
]


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"lesson-{name}.png"))


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def heading(page: Page):
    return page.locator('[data-testid="stHeading"] h3')


def assert_grid(page: Page, key: str, expected: list[str]) -> None:
    """The grid shows ``expected``, waiting for the component to mount and draw (a busy
    machine can take seconds for a fresh browser)."""
    expect(grid_locator(page, key)).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    shown: list[str] = []
    for _ in range(60):
        shown = grid_values(page, key)
        if shown == expected:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"grid {key} shows {shown}, expected {expected}")


def main_button(page: Page, name: str):
    """A button of the page itself (the bottom navigation repeats Previous / Next)."""
    return page.locator('[data-testid="stMain"]').get_by_role("button", name=name).first


# --- the lesson -------------------------------------------------------------------------------


def test_walk_the_lesson_from_first_to_last_step(page: Page, app_url: str):
    goto(page, f"{app_url}/lesson")
    expect(heading(page)).to_have_text(f"1. {STEPS[0].title}")
    shot(page, "step01")
    for number, step in enumerate(STEPS[1:], start=2):
        main_button(page, "Next →").click()
        wait_for_rerun(
            page, lambda n=number, s=step: expect(heading(page)).to_have_text(f"{n}. {s.title}")
        )
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        assert query(page)["step"] == [str(number)]
        if number in (4, 5, 7, 11, 14):
            shot(page, f"step{number:02d}")
    expect(main_button(page, "Next →")).to_be_disabled()
    main_button(page, "← Previous").click()
    before_last = f"{len(STEPS) - 1}. {STEPS[-2].title}"
    wait_for_rerun(page, lambda: expect(heading(page)).to_have_text(before_last))


def test_the_erratum_exercise_in_the_browser(page: Page, app_url: str):
    goto(page, f"{app_url}/lesson?step=7")
    expect(heading(page)).to_have_text("7. Check it yourself")
    answer = page.get_by_label("Your sum for row 3, column 3")
    answer.fill("0")
    answer.press("Enter")
    wait_for_rerun(page)
    page.get_by_role("button", name="Check").click()
    wait_for_rerun(page, page.get_by_text("Right: the sum is 0, not -2."))
    page.get_by_role("button", name="Reveal the window").click()
    wait_for_rerun(page, page.get_by_text("the slides' -2 is a misprint"))
    shot(page, "erratum-revealed")


# --- shared links ------------------------------------------------------------------------------


def test_a_drawing_in_the_lab_opens_in_a_second_browser(
    page: Page, app_url: str, browser: Browser, browser_context_args: dict
):
    goto(page, app_url)
    grid = grid_locator(page, "lab_draw")
    expect(grid).to_be_visible()
    assert grid_values(page, grid) == O8
    # Paint a diagonal stroke with the mouse, from row 7 column 1 to row 7 column 8.
    drag(page, cell(page, grid, 7, 0), cell(page, grid, 7, 7))
    painted = O8[:7] + ["11111111"]
    wait_for_rerun(page, lambda: expect(page).to_have_url(re.compile(r"g=.*-11111111")))
    assert grid_values(page, grid) == painted
    shared = page.url

    other = browser.new_context(**browser_context_args)
    try:
        second = other.new_page()
        goto(second, shared)
        assert_grid(second, "lab_draw", painted)
        assert query(second)["g"] == query(page)["g"]
        shot(second, "shared-lab")
    finally:
        other.close()


def test_a_changed_lesson_step_opens_in_a_second_browser(
    page: Page, app_url: str, browser: Browser, browser_context_args: dict
):
    goto(page, f"{app_url}/lesson?step=3")
    key = "lesson_local_g0_draw"
    grid = grid_locator(page, key)
    expect(grid).to_be_visible()
    cell(page, grid, 0, 0).click()  # one click paints one cell
    wait_for_rerun(page, lambda: expect(page).to_have_url(re.compile(r"g=1")))
    drawn = grid_values(page, grid)
    assert drawn[0].startswith("1")
    shared = page.url
    assert query(page)["step"] == ["3"]

    other = browser.new_context(**browser_context_args)
    try:
        second = other.new_page()
        goto(second, shared)
        expect(heading(second)).to_have_text("3. Local features", timeout=RERUN_TIMEOUT_MS)
        assert_grid(second, key, drawn)
        shot(second, "shared-lesson")
    finally:
        other.close()


def test_a_tampered_link_shows_a_notice_not_a_traceback(page: Page, app_url: str):
    goto(page, f"{app_url}/lesson?step=abc&g=2222")
    notice = page.get_by_text("This link could not be opened")
    expect(notice).to_be_visible()
    expect(page.get_by_text("the lesson step (step) must be a whole number")).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(heading(page)).to_have_text(f"1. {STEPS[0].title}")
    expect(page).to_have_url(re.compile(r"/lesson\?step=1$"))
    shot(page, "tampered-link")
    page.get_by_role("button", name="OK").click()
    wait_for_rerun(page, lambda: expect(notice).to_have_count(0))


# --- presenter mode ----------------------------------------------------------------------------


def try_this(page: Page):
    # While the rerun that switches presenter mode on rebuilds the page, the old "Try this:"
    # can still be on it beside the new one: the first is the one that stays.
    return page.get_by_text("Try this:").first


def test_presenter_mode_at_1280x720(page: Page, app_url: str):
    assert page.viewport_size == {"width": 1280, "height": 720}
    goto(page, f"{app_url}/lesson?step=5")
    grid = grid_locator(page, "lesson_conv_g0_draw")
    normal = cell(page, grid, 0, 0).bounding_box()
    page.get_by_text("Presenter mode").click()
    wait_for_rerun(page, lambda: expect(try_this(page)).to_have_css("font-size", "21px"))
    big = cell(page, grid_locator(page, "lesson_conv_g0_draw"), 0, 0).bounding_box()
    # 36 px cells instead of ~30: as large as lets the live view fit the first screen
    # (test_presenter_fit.py), with numbers of 17 px.
    assert big["width"] >= normal["width"] + 5
    body = page.locator('[data-testid="stMarkdownContainer"] p').first
    assert float(body.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
    # The numbers in the cells: plotly's unclassed <text> elements (ticks have a class).
    numbers = page.locator('[data-testid="stPlotlyChart"] text[data-notex]:not([class])').first
    assert float(numbers.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16.5
    page.locator('[data-testid="stMain"]').evaluate("e => e.scrollTo(0, 420)")
    page.wait_for_timeout(300)
    shot(page, "presenter-1280x720")
    # Remembered for the session: on another page it is still on.
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Convolution lab").click()
    wait_for_rerun(page, page.get_by_role("heading", name="Convolution lab"))
    expect(page.get_by_role("switch", name="Presenter mode")).to_be_checked()
    # The lab's maps (HTML): numbers of 17 px in 38 px cells, so that the drawing, the kernel
    # and all three maps fit on the wall's one screen (test_presenter_fit.py); no captions.
    fm = page.locator('[data-map-key="lab_fm1"]')
    expect(fm.locator(".hm-caption")).to_be_hidden()
    number = fm.locator(".hm-cells > span").first
    assert float(number.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 17
    assert number.bounding_box()["width"] >= 36
    shot(page, "presenter-lab")


# --- offline -----------------------------------------------------------------------------------


def test_no_request_leaves_the_machine(page: Page, app_url: str, tmp_path: Path):
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))

    goto(page, app_url)
    for name in ("Same?", "Train", "Inside the network", "Lesson", "Convolution lab"):
        page.locator('[data-testid="stSidebarNav"]').get_by_text(name, exact=True).click()
        wait_for_rerun(page, lambda n=name: expect(page).to_have_title(re.compile(".")))
        expect(page.locator(APP_IDLE)).to_be_attached(timeout=30_000)
        page.wait_for_timeout(500)
    # Every lesson step, presenter mode on and off.
    for number in range(1, len(STEPS) + 1):
        goto(page, f"{app_url}/lesson?step={number}")
    page.get_by_text("Presenter mode").click()
    wait_for_rerun(page, lambda: expect(try_this(page)).to_have_css("font-size", "21px"))

    # A figure as PNG from the plotly toolbar: made in the browser, no server involved.
    goto(page, f"{app_url}/lesson?step=8")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    chart.hover()
    button = chart.get_by_role("button", name="Download plot as a PNG")
    with page.expect_download() as download_info:
        button.click()
    path = tmp_path / "figure.png"
    download_info.value.save_as(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert requests, "the recorder saw nothing"
    hosts = {urlparse(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts <= LOOPBACK, f"requests left the machine: {sorted(hosts - LOOPBACK)}"

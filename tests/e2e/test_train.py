"""The Train page in real Chromium, used with the mouse as a person does: train, draw an X,
see "X"; pause a long run mid-way and see it stay paused.

The figures a browser run gives (training wall time, chart updates) are printed, not
asserted: the machine is shared. `python -m bench.train_page` measures them properly.
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import SHOTS, cell, drag, goto, grid_locator, grid_values, wait_for_rerun

GRID = "train_draw"
FINISHED_TIMEOUT_MS = 120_000
EMPTY8 = ["0" * 8] * 8


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"train_e2e_{name}.png"))


def button(page: Page, key: str):
    # The element with the key holds a hidden copy of the button (for measuring): the role
    # query finds only the visible one.
    return page.locator(f".st-key-{key}").get_by_role("button")


def verdict(page: Page):
    """The large label under "The network says"."""
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="The network says")
    return metric.locator('[data-testid="stMetricValue"]')


def test_train_then_draw_an_x_with_the_mouse_and_the_network_says_x(page: Page, app_url: str):
    goto(page, app_url + "/train")
    expect(verdict(page)).to_have_text("?")
    # Before any training: two empty panels side by side, the loss one left of the other.
    loss = page.locator(".st-key-train_curves svg[aria-label^='loss']").bounding_box()
    accuracy = page.locator(".st-key-train_curves svg[aria-label^='accuracy']").bounding_box()
    assert loss["x"] + loss["width"] < accuracy["x"], (loss, accuracy)

    started = time.perf_counter()
    button(page, "train_start").click()
    page.mouse.move(5, 5)  # no tooltip over the page in the screenshots
    expect(page.get_by_text("Finished in")).to_be_visible(timeout=FINISHED_TIMEOUT_MS)
    wall = time.perf_counter() - started
    wait_for_rerun(page)
    shot(page, "finished")
    print(f"\ndefault training: click → 'Finished' on screen in {wall:.2f} s (test-side clock)")
    assert_curves_end_at_the_finished_accuracy(page)
    assert_kernels_in_a_row_beside_the_decks(page)

    # Start from an empty grid, then draw both diagonals with the mouse.
    grid = grid_locator(page, GRID)
    grid.scroll_into_view_if_needed()
    button(page, "train_clear").click()
    wait_for_rerun(page, lambda: expect(grid.locator('[aria-selected="true"]')).to_have_count(0))
    assert grid_values(page, GRID) == EMPTY8

    drag(page, cell(page, GRID, 0, 0), cell(page, GRID, 7, 7))
    wait_for_rerun(page, lambda: expect(cell(page, GRID, 7, 7)).to_have_attribute(
        "aria-selected", "true"))  # fmt: skip
    drag(page, cell(page, GRID, 0, 7), cell(page, GRID, 7, 0))
    wait_for_rerun(page, lambda: expect(cell(page, GRID, 7, 0)).to_have_attribute(
        "aria-selected", "true"))  # fmt: skip

    drawn = grid_values(page, GRID)
    for i in range(8):  # both diagonals are inked
        assert drawn[i][i] == "1" and drawn[i][7 - i] == "1", drawn
    expect(verdict(page)).to_have_text("X")
    x_bar = page.locator('[data-testid="stProgress"]').filter(has_text=re.compile(r"^X \d+%$"))
    expect(x_bar).to_have_count(1)
    percent = int(re.search(r"(\d+)%", x_bar.inner_text()).group(1))
    assert percent > 50
    shot(page, "drew_x")

    # The drawing joins the training set with its label.
    button(page, "train_add_x").click()
    wait_for_rerun(page, page.get_by_text("Added your drawing as X"))
    expect(
        page.get_by_text(re.compile(r"Your drawings in the training set: X × 1"))
    ).to_be_visible()


def assert_curves_end_at_the_finished_accuracy(page: Page) -> None:
    """The accuracy curve ends at the held-out accuracy the success message states (the
    message rounds to whole percents below 99.5%, the curve to tenths), and hovering its end
    reads the last report, at the last epoch (the pointer just right of the curve's end)."""
    message = page.get_by_text("Finished in").inner_text()
    stated = float(re.search(r"gets ([\d.]+)%", message).group(1))
    accuracy = page.locator(".st-key-train_curves svg[aria-label^='accuracy']")
    label = accuracy.get_attribute("aria-label")
    drawn = float(re.search(r"test \(held out\) ([\d.]+)%", label).group(1))
    assert abs(drawn - stated) <= 0.55, (label, message)
    box = accuracy.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 6, box["y"] + box["height"] / 2)
    tip = page.locator(".st-key-train_curves .cnn-curves-tip").filter(visible=True)
    expect(tip).to_contain_text("accuracy, epoch 5.00")
    expect(tip).to_contain_text(f"test (held out) {drawn:g}%")
    page.mouse.move(5, 5)


def assert_kernels_in_a_row_beside_the_decks(page: Page) -> None:
    """The four learned kernels on one row, the deck's three in a column to their right."""
    learned = [
        page.locator(f'[data-map-key="train_kernel_{n}"]').bounding_box() for n in (1, 2, 3, 4)
    ]
    deck = [
        page.locator(f'[data-map-key="train_deck_kernel_{n}"]').bounding_box() for n in (1, 2, 3)
    ]
    assert len({round(b["y"]) for b in learned}) == 1, learned
    assert all(a["x"] + a["width"] < b["x"] for a, b in zip(learned, learned[1:], strict=False)), (
        learned
    )
    assert len({round(b["x"]) for b in deck}) == 1, deck
    assert deck[0]["x"] > learned[-1]["x"] + learned[-1]["width"], (learned, deck)


def slider_to_max(page: Page, key: str, maximum: int) -> None:
    slider = page.locator(f".st-key-{key}").get_by_role("slider")
    slider.focus()
    page.keyboard.press("End")
    expect(slider).to_have_value(str(maximum))
    wait_for_rerun(page)


def test_pause_works_mid_run_and_resume_goes_on(page: Page, app_url: str):
    goto(page, app_url + "/train")
    # The longest run the sliders allow (2000 drawings, 60 epochs, 3780 steps).
    slider_to_max(page, "train_n_train", 2000)
    slider_to_max(page, "train_epochs", 60)

    button(page, "train_start").click()
    page.mouse.move(5, 5)
    status = page.locator('[data-testid="stProgress"]').filter(has_text="Epoch")
    expect(status).to_contain_text(re.compile(r"step [1-9]\d*/3780"), timeout=30_000)
    # Pause at once: the page paces even this run into about ten redraws, so anything slow
    # here (a screenshot on a loaded machine) can let it finish first.
    button(page, "train_pause").click()
    expect(status).to_contain_text("Paused", timeout=15_000)
    wait_for_rerun(page)
    shot(page, "mid_run")
    paused_text = status.inner_text()
    step = int(re.search(r"step (\d+)/", paused_text).group(1))
    assert 0 < step < 3780, paused_text
    page.wait_for_timeout(1500)
    assert status.inner_text() == paused_text  # nothing moves while paused
    expect(button(page, "train_resume")).to_be_enabled()
    expect(button(page, "train_pause")).to_be_disabled()
    shot(page, "paused")

    button(page, "train_resume").click()
    expect(page.get_by_text(re.compile(r"Finished in .* \(60 epochs, 3780 steps\)"))).to_be_visible(
        timeout=FINISHED_TIMEOUT_MS
    )
    button(page, "train_reset").click()
    expect(page.get_by_text("Press Train")).to_be_visible(timeout=15_000)

"""A model whose class labels are Markdown and HTML, loaded as a participant would load one.

Labels are data (a model file says what its classes are called), so a file can name them
``[a](//e.co)`` or ``<img src=…>``. In the real browser: load such a model through the
sidebar's file chooser, visit every page that shows a label, type one as a new label on the
Train page, and check that no request left the machine and that no link or image made from
a label is in the page, while the labels are there as text.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from cnn_core.model import CNNClassifier, CNNConfig
from tests.e2e.conftest import APP_IDLE, SHOTS, goto, wait_for_rerun

pytestmark = pytest.mark.e2e

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
OUTSIDE = "e.co"  # every label points there; nothing on the page may
LABELS = [
    "[a](//e.co)",
    "![](//e.co/i.png)",
    '<a href="//e.co">h</a>',
    "<img src=//e.co/i.png>",
    "www.e.co",
]


@pytest.fixture(scope="module")
def hostile_model(tmp_path_factory) -> Path:
    rng = np.random.default_rng(0)
    X = rng.integers(0, 2, (50, 8, 8)).astype(float)
    y = np.array(LABELS * 10)
    model = CNNClassifier(CNNConfig(n_kernels=2, epochs=1, n_train=50, n_test=10)).fit(X, y)
    path = tmp_path_factory.mktemp("hostile") / "labels.npz"
    model.save(path)
    return path


def _open_page(page: Page, name: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(name, exact=True).click()
    wait_for_rerun(page, lambda: expect(page.locator("h1").first).to_be_visible())
    expect(page.locator(APP_IDLE)).to_be_attached(timeout=30_000)


def _links_and_images_to_outside(page: Page) -> list[str]:
    """Every <a> (HTML or SVG) and <img>/<image> on the page that points at OUTSIDE."""
    return page.evaluate(
        """(outside) => [...document.querySelectorAll('a, img, image')]
            .map(e => e.getAttribute('href') || e.getAttribute('xlink:href')
                      || e.getAttribute('src') || '')
            .filter(url => url.includes(outside))""",
        OUTSIDE,
    )


def test_markdown_and_html_labels_stay_text_and_fetch_nothing(
    page: Page, app_url: str, hostile_model: Path
) -> None:
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))

    goto(page, app_url)
    page.get_by_text("Save & load").click()
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Load a model")
    with page.expect_file_chooser() as chooser:
        uploader.get_by_role("button", name=re.compile("Browse files|Upload")).click()
    chooser.value.set_files(hostile_model)
    loaded = page.get_by_text("Loaded the model from labels.npz")
    wait_for_rerun(page, loaded)
    # The labels are on the page, as typed.
    expect(page.get_by_text(LABELS[0], exact=False).first).to_be_visible()

    _open_page(page, "Inside the network")
    network = page.locator('[data-testid="stPlotlyChart"]').last
    network.scroll_into_view_if_needed()
    expect(network.locator("text", has_text=LABELS[2]).first).to_be_attached()
    page.screenshot(path=str(SHOTS / "hostile-inside.png"), full_page=True)

    _open_page(page, "Same?")
    expect(page.get_by_text("The trained model says A is")).to_be_visible()
    page.screenshot(path=str(SHOTS / "hostile-same.png"), full_page=True)

    # A learner's own label, typed into the Train page.
    _open_page(page, "Train")
    page.get_by_label("New label").fill("[a](//e.co)")
    page.get_by_role("button", name="Add", exact=True).click()
    wait_for_rerun(page, page.get_by_text("Added your drawing as"))
    expect(page.get_by_text("Added your drawing as [a](//e.co)")).to_be_visible()
    page.screenshot(path=str(SHOTS / "hostile-train.png"), full_page=True)

    assert _links_and_images_to_outside(page) == []
    for name in ("Inside the network", "Same?"):
        _open_page(page, name)
        assert _links_and_images_to_outside(page) == [], name
    hosts = {urlparse(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts <= LOOPBACK, f"requests left the machine: {sorted(hosts - LOOPBACK)}"

"""The drawing grid's Python side: revisions, stale edits, validation.

AppTest renders the component but never runs its JavaScript, so an edit from the browser is
simulated by setting the component's state, as the browser would: through
``at.session_state[key] = {"grid": {"rev": ..., "seq": ..., "cells": ...}}``. Painting itself is
tested in a real browser (tests/e2e/test_grid_component.py).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from playground.ui.components.grid import draw_grid, resolve_grid

DEMO = "../e2e/apps/grid_demo.py"  # AppTest resolves it against this file's folder
GRID = "demo_grid"
MIRROR = "demo_mirror"


@pytest.fixture
def at() -> AppTest:
    app = AppTest.from_file(DEMO, default_timeout=30)
    app.run()
    assert not app.exception
    return app


def report(at: AppTest) -> dict[str, str]:
    return dict(re.findall(r"(\w+)=(\S+)", at.text[0].value))


def python_grid(at: AppTest) -> np.ndarray:
    rows = at.code[0].value.split()
    return np.array([[int(ch) for ch in row] for row in rows])


def sent_data(at: AppTest, key: str) -> dict:
    """The `data` the component sends to the browser on the last run."""
    for element in at.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.bytes)
    raise AssertionError(f"no component with key {key!r} on the page")


def browser_edit(at: AppTest, cells: np.ndarray, rev: int, seq: int) -> None:
    """What the browser does at the end of a stroke: report the whole grid with its revision."""
    at.session_state[GRID] = {"grid": {"rev": rev, "seq": seq, "cells": cells.tolist()}}
    at.run()
    assert not at.exception


def some_drawing(size: int = 8) -> np.ndarray:
    cells = np.zeros((size, size), dtype=int)
    cells[1, 1] = cells[2, 5] = cells[6, 0] = 1
    return cells


def test_demo_runs_and_sends_the_grid_to_both_components(at: AppTest) -> None:
    assert report(at) == {
        "pixels": "0",
        "rev": "0",
        "edits": "0",
        "shape": "8x8",
        "unrelated": "0",
        "slow": "False",
    }
    data = sent_data(at, GRID)
    assert data["grid"] == [[0] * 8] * 8
    assert (data["rev"], data["ack"], data["readonly"], data["cell_px"]) == (0, 0, False, 36)
    assert data["label"] == "Draw here"
    mirror = sent_data(at, MIRROR)
    assert (mirror["readonly"], mirror["cell_px"]) == (True, 20)


def test_an_edit_on_the_current_revision_updates_the_python_grid(at: AppTest) -> None:
    drawing = some_drawing()
    browser_edit(at, drawing, rev=0, seq=1)

    np.testing.assert_array_equal(python_grid(at), drawing)
    assert report(at)["pixels"] == "3"
    assert report(at)["edits"] == "1"
    # The browser is told which stroke Python has seen, and gets the grid Python now holds.
    data = sent_data(at, GRID)
    assert data["ack"] == 1
    assert data["grid"] == drawing.tolist()
    # The read-only mirror follows at once.
    assert sent_data(at, MIRROR)["grid"] == drawing[:, ::-1].tolist()

    # Later reruns keep the edit (the browser's state is sent again; applying it is idempotent).
    at.slider(key="unrelated").set_value(4).run()
    np.testing.assert_array_equal(python_grid(at), drawing)
    assert report(at)["edits"] == "1"


def test_clear_wins_over_the_stale_state_the_browser_sends_again(at: AppTest) -> None:
    browser_edit(at, some_drawing(), rev=0, seq=1)
    assert report(at)["pixels"] == "3"

    at.button(key="clear").click().run()
    assert report(at)["rev"] == "1"
    assert report(at)["pixels"] == "0"
    assert sent_data(at, GRID)["grid"] == [[0] * 8] * 8
    assert sent_data(at, GRID)["rev"] == 1

    # The component's state still holds the drawing made on revision 0...
    assert at.session_state[GRID]["grid"]["rev"] == 0
    # ...and an unrelated rerun must not bring it back.
    at.slider(key="unrelated").set_value(7).run()
    assert report(at)["pixels"] == "0"
    np.testing.assert_array_equal(python_grid(at), np.zeros((8, 8), dtype=int))


def test_an_edit_drawn_on_an_older_revision_is_ignored(at: AppTest) -> None:
    at.button(key="preset_x").click().run()
    assert report(at)["rev"] == "1"
    x = python_grid(at)
    assert x.sum() == 16

    browser_edit(at, some_drawing(), rev=0, seq=5)  # drawn before the preset arrived
    np.testing.assert_array_equal(python_grid(at), x)
    assert report(at)["edits"] == "0"

    browser_edit(at, some_drawing(), rev=1, seq=6)  # drawn on the preset
    np.testing.assert_array_equal(python_grid(at), some_drawing())


def test_an_edit_of_the_old_size_is_ignored_after_a_resize(at: AppTest) -> None:
    browser_edit(at, some_drawing(), rev=0, seq=1)
    at.slider(key="size").set_value(10).run()
    assert report(at)["shape"] == "10x10"
    assert len(sent_data(at, GRID)["grid"]) == 10
    kept = python_grid(at)
    assert kept.shape == (10, 10)
    np.testing.assert_array_equal(kept[:8, :8], some_drawing())

    # Even claiming the current revision, an 8×8 grid cannot replace a 10×10 one.
    browser_edit(at, some_drawing(), rev=int(report(at)["rev"]), seq=2)
    np.testing.assert_array_equal(python_grid(at), kept)


def test_highlight_reaches_the_browser_and_leaves_the_grid_alone(at: AppTest) -> None:
    browser_edit(at, some_drawing(), rev=0, seq=1)
    at.checkbox(key="show_window").check().run()
    assert sent_data(at, GRID)["highlight"] == [1, 2, 3, 3]
    at.number_input(key="window_top").set_value(6).run()
    assert sent_data(at, GRID)["highlight"] == [6, 2, 3, 3]
    np.testing.assert_array_equal(python_grid(at), some_drawing())


# ---------------------------------------------------------------------------------------------
# resolve_grid: the revision rule on its own


def test_resolve_grid_takes_the_edit_only_for_the_current_revision() -> None:
    grid = np.zeros((3, 3), dtype=int)
    edit = {"rev": 4, "seq": 9, "cells": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}
    np.testing.assert_array_equal(resolve_grid(grid, 4, edit), np.eye(3, dtype=int))
    np.testing.assert_array_equal(resolve_grid(grid, 5, edit), grid)  # older edit
    np.testing.assert_array_equal(resolve_grid(grid, 3, edit), grid)  # caller went back?
    np.testing.assert_array_equal(resolve_grid(grid, 4, None), grid)


@pytest.mark.parametrize(
    "cells",
    [
        [[1, 0], [0, 1]],  # wrong shape
        [[2, 0, 0], [0, 0, 0], [0, 0, 0]],  # not 0/1
        [[1, 0, 0], [0, 1]],  # ragged
        "111 000 111",  # not a list of rows
        None,
    ],
)
def test_resolve_grid_ignores_malformed_edits(cells) -> None:
    grid = np.ones((3, 3), dtype=int)
    out = resolve_grid(grid, 0, {"rev": 0, "seq": 1, "cells": cells})
    np.testing.assert_array_equal(out, grid)


def test_resolve_grid_returns_a_new_array() -> None:
    grid = np.zeros((2, 2), dtype=int)
    out = resolve_grid(grid, 0, None)
    out[0, 0] = 1
    assert grid[0, 0] == 0


# ---------------------------------------------------------------------------------------------
# Arguments a learner or a page author could get wrong


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"grid": np.zeros((2, 3, 3))}, r"grid must be a 2-D array of 0/1, got an array of shape"),
        ({"grid": np.full((3, 3), 2)}, r"grid must hold only 0 and 1, found 2"),
        ({"grid": np.zeros((40, 40))}, r"between 1×1 and 32×32 cells, got 40×40"),
        ({"grid": np.zeros((0, 4))}, r"got 0×4"),
        ({"key": ""}, r"key must be a non-empty string"),
        ({"revision": 1.5}, r"revision must be an integer, got 1.5"),
        ({"revision": True}, r"revision must be an integer"),
        ({"cell_px": 4}, r"cell_px must be an integer from 8 to 120, got 4"),
        ({"highlight": (1, 2, 3)}, r"highlight must be None or four integers"),
        ({"highlight": (0, 0, 0, 2)}, r"height and width must be at least 1"),
    ],
)
def test_bad_arguments_raise_readable_errors(kwargs, message) -> None:
    args = {"grid": np.zeros((4, 4), dtype=int), "key": "g", "revision": 0} | kwargs
    grid = args.pop("grid")
    with pytest.raises(ValueError, match=message):
        draw_grid(grid, **args)


def test_outside_a_running_app_it_returns_a_copy_of_the_grid() -> None:
    grid = np.eye(4, dtype=bool)
    out = draw_grid(grid, key="g", revision=0, highlight=(-1, -1, 3, 3))
    assert out.dtype.kind == "i"
    np.testing.assert_array_equal(out, np.eye(4, dtype=int))

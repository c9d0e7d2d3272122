"""The one rule every page sizes its cells by (playground.state.fit_cell_px)."""

from __future__ import annotations

import pytest

from playground.state import fit_cell_px


@pytest.mark.parametrize(
    ("cells", "budget", "fixed", "expected"),
    [
        (20, 800, 136, 33),  # the lab's three 8×8 maps side by side: (800 − 136) // 20
        (10, 800, 136, 36),  # room to spare: the page's cell size, not 66
        (40, 800, 136, 18),  # too many cells: the readable minimum, and the row wraps
        (0, 800, 0, 36),  # nothing to fit: no division by zero
    ],
)
def test_cells_fill_the_budget_within_their_bounds(cells, budget, fixed, expected) -> None:
    assert fit_cell_px(cells, budget, fixed_px=fixed, smallest=18, largest=36) == expected


def test_the_size_is_an_int_a_layout_can_use() -> None:
    size = fit_cell_px(7, 500, smallest=2, largest=28)
    assert type(size) is int and size == 28
    assert fit_cell_px(256, 760, smallest=2, largest=28) == 2  # a 16×16 drawing's weight matrix

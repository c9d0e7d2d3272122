"""The Train page's figures: learning curves, kernels as maps, mosaics, axis labels.

What is redrawn while a network trains (the curves, the learned kernels) is drawn by the
playground's own components (``ui/components/curves``, ``ui/components/maps``): a plotly
chart cost the browser hundreds of milliseconds per redraw, most of a short run's wall time.
What is drawn once at the end (the mistakes, the confusion matrix) stays plain-dict plotly
(not `go.Figure`: twice as fast to build and send). Nothing here computes a model number;
every value comes from `cnn_core` and is only drawn.
"""

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np

from cnn_core.trace import format_number
from playground.ui import widgets
from playground.ui.colours import cell_colors
from playground.ui.components.curves import Series, curves_data
from playground.ui.components.maps import map_panel
from playground.ui.heatmap import describe
from playground.ui.plain_text import svg

# Okabe-Ito colours: distinguishable with every common colour-vision deficiency.
TRAIN_COLOUR = "#0072B2"  # blue
TEST_COLOUR = "#D55E00"  # vermillion

Points = tuple[Sequence[float], Sequence[float]]  # (x, y)

FRAME_COLOUR = "#9e9e9e"
MIN_WIDTH_PX = 150  # Streamlit draws a plotly chart at least this wide (measured in Chromium)


def percent(fraction: float) -> str:
    """0.9 → "90%"; but 0.995 → "99.5%", not a "100%" that hides the one mistake (and
    likewise near 0%)."""
    text = f"{fraction:.0%}"
    if (text == "100%" and fraction < 1) or (text == "0%" and fraction > 0):
        text = f"{fraction:.1%}"
    return text


def learning_curves(
    *,
    loss: Points,
    test_loss: Points,
    accuracy: Points,
    test_accuracy: Points,
    x_max: float,
    height: int = 220,
    font_px: int = 14,
) -> dict:
    """Loss (left) and accuracy (right) over training, each for the training drawings and
    the held-out test drawings, as ``components.curves.show_curves`` draws them. Points are
    (x, y) with x in epochs; `font_px` sizes every label.

    The x axes are fixed to `[0, x_max]` so the curves grow across a still frame instead of
    the axes rescaling on every redraw.
    """

    def pair(train: Points, test: Points) -> list[Series]:
        return [
            Series("train", TRAIN_COLOUR, False, *train),
            Series("test (held out)", TEST_COLOUR, True, *test),
        ]

    return curves_data(
        [
            ("loss", pair(loss, test_loss), False, None),
            ("accuracy", pair(accuracy, test_accuracy), True, (0.0, 1.02)),
        ],
        x_max=x_max,
        x_title="epoch",
        height=height,
        font_px=font_px,
    )


# Kernels as maps: no row or column numbers (a kernel's cells are not positions in a drawing),
# so only a sliver of margin beside and below the cells.
KERNEL_MARGIN = {"l": 4, "r": 0, "b": 4}


def kernel_maps(
    tiles: np.ndarray,
    *,
    titles: Sequence[str],
    cell_px: int,
    key: str,
    fmt: str | Callable[[float], str] | None = None,
) -> list[dict]:
    """Kernels as maps for ``components.maps.show_maps``, one panel each, keyed
    ``{key}_1``, ``{key}_2``, …

    tiles : (N, k, k). All on one colour scale (the largest |value|, at least 1), so a
    strong weight looks as strong in every kernel; drawn as HTML, a redraw while training
    costs the browser about a millisecond (a plotly heatmap of the same numbers: 100s of ms).
    fmt : how the numbers are written (``heatmap.cell_text``)
    """
    tiles = np.asarray(tiles, dtype=float)
    if tiles.ndim != 3 or tiles.shape[1] != tiles.shape[2]:
        raise ValueError(f"tiles must have shape (N, k, k), got {tiles.shape}")
    if len(titles) != len(tiles):
        raise ValueError(f"{len(tiles)} tiles need {len(tiles)} titles, got {len(titles)}")
    finite = tiles[np.isfinite(tiles)]
    zmax = float(np.abs(finite).max()) if finite.size else 1.0
    count, k, _ = tiles.shape
    maps = [
        describe(tile, title=title, signed=True, cell_px=cell_px, fmt=fmt, zmax=zmax)
        for tile, title in zip(tiles, titles, strict=True)
    ]
    # One colouring for all the kernels (they share the scale): learned weights are all
    # different numbers, and NumPy colours hundreds of them in one call far faster than
    # one call per kernel.
    first = maps[0]
    backgrounds, texts = cell_colors(tiles.reshape(count * k, k), first.colorscale,
                                     first.zmin, first.zmax)  # fmt: skip
    panels = []
    for n, hm in enumerate(maps):
        hm = dataclasses.replace(
            hm, row_ticks=[], col_ticks=[], margin={**hm.margin, **KERNEL_MARGIN}
        )
        rows = slice(n * k, (n + 1) * k)
        panels.append(map_panel(hm, f"{key}_{n + 1}", colors=(backgrounds[rows], texts[rows])))
    return panels


def mosaic_figure(
    tiles: np.ndarray,
    *,
    titles: Sequence[str],
    cell_px: int,
    per_row: int,
    fmt: Callable[[float], str] = format_number,
    zmax: float | None = None,
    signed: bool = True,
    colorscale: list | None = None,
    gap: int = 1,
) -> dict:
    """Several small maps (kernels, drawings) as ONE heatmap figure: side by side, `per_row`
    to a row, `gap` empty cells between them, each with its title above it.

    tiles : (N, k, k). One heatmap trace instead of N charts: the browser redraws it several
    times faster, which matters while the kernels change live. Built with
    `widgets.heatmap_figure` (its colours, cell size and numbers, written by `fmt`); the gaps
    are NaN cells, drawn transparent and left without text.
    """
    tiles = np.asarray(tiles, dtype=float)
    if tiles.ndim != 3 or tiles.shape[1] != tiles.shape[2]:
        raise ValueError(f"tiles must have shape (N, k, k), got {tiles.shape}")
    count, k, _ = tiles.shape
    if len(titles) != count:
        raise ValueError(f"{count} tiles need {count} titles, got {len(titles)}")
    per_row = max(1, min(per_row, count))
    rows = -(-count // per_row)
    step = k + gap  # a tile and the empty cells after it
    mosaic = np.full((rows * step - gap, per_row * step - gap), np.nan)
    for n, tile in enumerate(tiles):
        top, left = (n // per_row) * step, (n % per_row) * step
        mosaic[top : top + k, left : left + k] = tile

    def text(value: float) -> str:
        return "" if np.isnan(value) else fmt(value)

    fig = widgets.heatmap_figure(mosaic, title="", signed=signed, cell_px=cell_px, fmt=text,
                                 zmax=zmax, colorscale=colorscale, origin=(0, 0))  # fmt: skip
    trace = fig["data"][0]
    trace["hovertemplate"] = "%{text}<extra></extra>"
    layout = fig["layout"]
    margin = {"l": 2, "r": 2, "t": 24, "b": 4, "pad": 0}
    # The chart is never drawn narrower than MIN_WIDTH_PX (a narrower figure is stretched to
    # it and cropped): pad on the right instead, so the cells stay square and whole.
    margin["r"] = max(margin["r"], MIN_WIDTH_PX - mosaic.shape[1] * cell_px - margin["l"])
    layout.update(
        {
            "margin": margin,
            "width": mosaic.shape[1] * cell_px + margin["l"] + margin["r"],
            "height": mosaic.shape[0] * cell_px + margin["t"] + margin["b"],
            "plot_bgcolor": "rgba(0,0,0,0)",  # the gaps between tiles stay empty
            "title": None,
            # A thin frame around each tile: white paper and zero weights have an edge too.
            "shapes": [
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "y",
                    "x0": (n % per_row) * step - 0.5,
                    "x1": (n % per_row) * step + k - 0.5,
                    "y0": (n // per_row) * step - 0.5,
                    "y1": (n // per_row) * step + k - 0.5,
                    "line": {"color": FRAME_COLOUR, "width": 1},
                    "layer": "above",
                }
                for n in range(count)
            ],
            "annotations": [
                {
                    "text": f"<b>{title}</b>",
                    "x": (n % per_row) * step - 0.5,
                    "y": (n // per_row) * step - 0.5,
                    "xref": "x",
                    "yref": "y",
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 13},
                }
                for n, title in enumerate(titles)
            ],
        }
    )
    for axis in ("xaxis", "yaxis"):
        layout[axis]["showticklabels"] = False
    return fig


def mosaic_tiles(fig: dict, count: int, k: int, per_row: int, gap: int = 1) -> np.ndarray:
    """The (count, k, k) tiles drawn in a `mosaic_figure` (for tests)."""
    z = np.asarray(fig["data"][0]["z"], dtype=float)
    step = k + gap
    return np.stack(
        [
            z[(n // per_row) * step : (n // per_row) * step + k,
              (n % per_row) * step : (n % per_row) * step + k]
            for n in range(count)
        ]
    )  # fmt: skip


def label_axes(fig: dict, *, x_labels: Sequence[str], y_labels: Sequence[str]) -> dict:
    """Name the columns and rows of a heatmap figure (e.g. a confusion matrix's classes).

    `fig` is a plain-dict heatmap (as `widgets.heatmap_figure` builds): its first trace's `x`
    and `y` are the cell positions, which get the class names as tick text. Returns `fig`
    (changed in place) for chaining.
    """
    trace = fig["data"][0]
    layout = fig.setdefault("layout", {})
    for axis, positions, labels in (
        ("xaxis", trace["x"], x_labels),
        ("yaxis", trace["y"], y_labels),
    ):
        if len(positions) != len(labels):
            raise ValueError(
                f"{axis} has {len(positions)} cells but {len(labels)} labels were given"
            )
        layout.setdefault(axis, {})
        layout[axis].update(
            {
                "tickmode": "array",
                "tickvals": list(positions),
                "ticktext": [svg(label) for label in labels],  # labels are user text
                "tickfont": {"size": 16},
            }
        )
    return fig

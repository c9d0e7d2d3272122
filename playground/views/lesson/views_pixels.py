"""The Lesson's first views: X or O, same drawing?, local features, the dot product
(steps of kinds "xo", "same", "local" and "dot")."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv2d,
    conv_trace,
    format_number,
    grids,
)
from cnn_core.compare import match_map, nonzero_match
from playground import state
from playground.ui.plain_text import md
from playground.views.lesson.view import (
    EDITOR_PX,
    FIGURE_EXTRA_PX,
    View,
    heatmap,
    ink,
    percent,
    reseed,
    row,
    shape_text,
    shift_buttons,
)

ss = st.session_state


@st.cache_data(max_entries=8)
def _generated(seed: int):
    """X's and O's from the training data generator, one variation at a time."""
    from cnn_core.data import make_xo

    out = {}
    for name in ("translate", "scale", "rotate", "weight"):
        flags = {f: f == name for f in ("translate", "scale", "rotate", "weight")}
        images, labels = make_xo(6, size=8, seed=seed, noise=0.0, **flags)
        out[name] = images[labels == "X"][0].astype(int)
    return out


def view_xo(v: View) -> None:
    small = max(18, round(v.cell * 0.5))
    small_width = 8 * small + FIGURE_EXTRA_PX
    with row():
        with st.container(width="content"):
            drawing = v.drawing(0, f"Your drawing {shape_text(v.grid_now(0).shape)}")
            st.button(
                "Clear",
                key=v.key("clear"),
                on_click=lambda: v.set_drawing(0, np.zeros_like(v.grid_now(0))),
            )
        # Two by two beside the drawing: the variations fit the same screen.
        with st.container(width=2 * small_width + 24):
            st.markdown("**The same letter, drawn differently**")
            variants = st.container(horizontal=True, gap="small")
            for name, grid in (
                ("translation", grids.shift(drawing, 1, 1)),
                ("scaling", grids.scale(drawing, 0.75)),
                ("rotation (¼ turn)", grids.rotate90(drawing, 1)),
                ("weight", grids.thicken(drawing)),
            ):
                with variants:
                    ink(grid, v.key(f"var_{name[:4]}"), title=name, cell_px=small, fmt=_blank)
    st.markdown(
        "**Generated X's**, one variation each (the Train page learns from drawings like these; "
        "its rotations are small tilts, not quarter turns):"
    )
    seed_key = v.key("seed")
    with row():
        for name, grid in _generated(int(ss.get(seed_key, 0))).items():
            ink(grid, v.key(f"gen_{name}"), title=name, cell_px=small, fmt=_blank)
    st.button("New generated examples", key=v.key("reseed"), on_click=reseed, args=(seed_key,))


def _blank(_value) -> str:
    """No numbers on a drawing that is only a picture."""
    return ""


def view_same(v: View) -> None:
    size = v.grid_now(0).shape[1]
    cell = v.fit(3 * size, 3 * FIGURE_EXTRA_PX)
    with row():
        with st.container(width="content"):
            a = v.drawing(0, "Drawing A", cell_px=cell)
            shift_buttons(v, 0)
        with st.container(width="content"):
            b = v.drawing(1, "Drawing B", cell_px=cell)
            shift_buttons(v, 1)
        if a.shape != b.shape:
            st.warning("The two drawings must have the same size.")
            return
        with st.container(width="content"):
            heatmap(
                match_map(a, b),
                v.key("match"),
                title="Pixel by pixel",
                cell_px=cell,
                colorscale=[[0, "#ffffff"], [0.33, "#92c5de"], [0.67, "#f4a582"], [1, "#1a1a1a"]],
                signed=False,
                zmax=3,
                fmt=lambda x: {0: "", 1: "A", 2: "B", 3: "AB"}[int(x)],
                caption="AB: ink in both. A or B: ink in one drawing only.",
            )
    match = nonzero_match(a, b)
    st.metric("Ink pixels that match", percent(match))


def view_local(v: View) -> None:
    # On the wall the drawing and both maps share the first screen; the kernel waits in a
    # collapsed box above them. Elsewhere the kernel editor sits beside the drawing.
    presenter, title = state.presenter(), "The local feature (kernel)"
    kernel = v.kernel_panel(title, EDITOR_PX) if presenter else None
    top = row()
    with top, st.container(width="content"):
        drawing = v.drawing(0, "The drawing")
        shift_buttons(v, 0)
    if kernel is None:
        kernel = v.kernel_panel(title, EDITOR_PX, beside=top)
    try:
        fmap = conv2d(drawing, kernel, "valid")
    except ValueError as error:
        st.warning(md(error, 300))
        return
    best = float(fmap.max())
    places = [tuple(int(x) for x in rc) for rc in np.argwhere(fmap == best)]
    kh, kw = kernel.shape
    cell = v.fit(drawing.shape[1] + fmap.shape[1], 2 * FIGURE_EXTRA_PX)
    with top if presenter else row():
        heatmap(
            fmap,
            v.key("fmap"),
            title=f"Match per window {shape_text(fmap.shape)}",
            cell_px=cell,
            signed=True,
            highlight=[(r, c, 1, 1) for r, c in places],
            caption="Framed: the best matches.",
        )
        ink(
            drawing,
            v.key("found"),
            title="Where the feature is found",
            cell_px=cell,
            highlight=[(r, c, kh, kw) for r, c in places],
            fmt=lambda _: "",
        )
    perfect = float(np.clip(kernel, 0, None).sum())
    st.markdown(
        f"Best score **{format_number(best)}** (a perfect match would score "
        f"{format_number(perfect)}), found at {len(places)} place(s): "
        + "; ".join(f"row {r + 1}, column {c + 1}" for r, c in places[:6])
    )


def view_dot(v: View) -> None:
    big = max(v.cell, 48)
    with row():
        with st.container(width="content"):
            image = v.drawing(0, "Image patch I", cell_px=big)
        st.markdown("## ×")
        with st.container(width=280):
            st.markdown("**Kernel K**")
            kernel = v.kernel(0, "kernel")
        trace = conv_trace(image, kernel, 0, 0)
        st.markdown("## =")
        with st.container(width="content"):
            heatmap(
                trace.products,
                v.key("products"),
                title="K × I, cell by cell",
                cell_px=big,
                signed=True,
            )
    st.markdown(f"### Σ = {format_number(trace.total)}")
    st.code(trace.formula(), language=None, wrap_lines=True)

"""The Lesson's pooling views: pooling, shift invariance and the network's structure (kinds
"pool", "shift", "structure")."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    pipeline,
    pool_output_shape,
    pool_trace,
)
from cnn_core.compare import compare_drawings
from cnn_core.pipeline import PipelineSettings
from playground import state
from playground.links import codec
from playground.ui import widgets
from playground.ui.plain_text import md
from playground.views.lesson.view import (
    FIGURE_EXTRA_PX,
    View,
    heatmap,
    row,
    shape_text,
    shift_buttons,
)

ss = st.session_state


def view_pool(v: View) -> None:
    settings = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    mode = widgets.pool_mode_control(settings, v.setting_key("pm"))
    size = int(
        settings.number_input(
            "Block size m",
            1,
            codec.MAX_POOL,
            key=v.setting_key("ps"),
            width=140,
            persist_state="session",
        )
    )
    p = 2.0
    if mode == "lp":
        p = float(
            settings.number_input(
                "p",
                codec.P_MIN,
                codec.P_MAX,
                step=codec.NUMBER_STEP,
                key=v.setting_key("lp"),
                width=140,
                persist_state="session",
            )
        )
    pad, t = v.setting("pad"), float(v.setting("t"))
    with settings, st.expander("Kernel", expanded=False), st.container(width=280):
        kernel = v.kernel(0, "kernel")
    pipe = PipelineSettings(padding=pad, t=t, pool_size=size, pool_mode=mode, p=p)
    try:  # the shapes first: the block's sliders sit above the figures
        _, thr, pooled = pipeline.maps(v.grid_now(0), kernel, pipe)
    except ValueError as error:
        st.warning(md(error, 300))
        return
    r, c = v.cell_controls(pooled.shape, "Block", parent=settings)
    small = max(24, round(v.cell * 0.7))
    with row():  # the drawing and both maps side by side
        with st.container(width="content"):
            image = v.drawing(0, "Image", cell_px=small)
        _, thr, pooled = pipeline.maps(image, kernel, pipe)
        trace = pool_trace(thr, r, c, size, None, mode, p)
        winner = None if trace.winner is None else (*trace.winner, 1, 1)
        zmax = float(np.abs(thr).max()) or 1.0
        heatmap(
            thr,
            v.key("thr"),
            title=f"Feature map after threshold {shape_text(thr.shape)}",
            cell_px=v.cell,
            zmax=zmax,
            signed=False,
            highlight=trace.highlight,
            second_highlight=winner,
            caption="Amber: the block. Green: the value max pooling keeps.",
        )
        heatmap(
            pooled,
            v.key("pooled"),
            title=f"Subsampled {shape_text(pooled.shape)}",
            cell_px=v.cell,
            zmax=zmax,
            signed=False,
            highlight=(r, c, 1, 1),
        )
    st.markdown(f"**Block at row {r + 1}, column {c + 1}:** `{trace.formula()}`")


def view_shift(v: View) -> None:
    with row():
        with st.container(width="content"):
            a = v.drawing(0, "Drawing A", cell_px=max(24, round(v.cell * 0.75)))
        with st.container(width="content"):
            b = v.drawing(1, "Drawing B", cell_px=max(24, round(v.cell * 0.75)))
            shift_buttons(v, 1)
        with st.expander("Kernel", expanded=False), st.container(width=280):
            kernel = v.kernel(0, "kernel")
    if a.shape != b.shape:
        st.warning("The two drawings must have the same size.")
        return
    settings = PipelineSettings(
        padding=v.setting("pad"),
        t=float(v.setting("t")),
        pool_size=int(v.setting("ps")),
        pool_mode=v.setting("pm"),
    )
    try:
        result = compare_drawings(a, b, kernel, settings)
    except ValueError as error:
        st.warning(md(error, 300))
        return
    with st.container(horizontal=True, gap="medium", key=v.key("matches")):
        for label, match in (
            ("Pixels", result.pixels),
            ("Thresholded maps", result.thresholded),
            ("Pooled maps", result.pooled),
        ):
            st.metric(
                f"{label}: {match.both} of {match.either} match",
                "–" if match.ratio is None else f"{match.ratio:.0%}",
                border=True,
                width=340 if state.presenter() else 250,  # the label whole, in large type
                help="Cells that are non-zero in both, out of the cells non-zero in either.",
            )
    # A above B would hide the point: the two thresholded maps side by side, then the two
    # pooled maps, so matching cells sit at the same height.
    small = v.fit(2 * a.shape[1], 2 * FIGURE_EXTRA_PX + 32)
    zmax = max(float(result.maps_a.thresholded[0].max()), 1.0)
    for stage, title in (("thresholded", "after threshold"), ("pooled", "pooled")):
        with row():
            for name, maps in (("A", result.maps_a), ("B", result.maps_b)):
                heatmap(
                    getattr(maps, stage)[0],
                    v.key(f"{stage[:4]}{name}"),
                    title=f"{name}: {title}",
                    cell_px=small,
                    zmax=zmax,
                    signed=False,
                )
    st.caption(
        f"Pooling also keeps fewer numbers: {result.maps_a.thresholded[0].size} per map before, "
        f"{result.maps_a.pooled[0].size} after."
    )


def view_structure(v: View) -> None:
    small = max(22, round(v.cell * 0.6))
    pad, t = v.setting("pad"), float(v.setting("t"))
    size, mode = int(v.setting("ps")), v.setting("pm")
    stack = []
    # On the wall a smaller drawing leaves the first kernel's maps on the first screen.
    image_cell = round(v.cell * 0.5) if state.presenter() else max(24, round(v.cell * 0.75))
    with row():
        with st.container(width="content"):
            image = v.drawing(0, "Image", cell_px=image_cell)
        for i in range(2):
            with st.expander(f"Kernel {i + 1}", expanded=False), st.container(width=280):
                stack.append(v.kernel(i, f"kernel {i + 1}"))
    st.markdown("**Convolution → threshold → sub-sampling**, one row per kernel")
    for i, kernel in enumerate(stack):
        try:
            fmap, thr, pooled = pipeline.maps(
                image, kernel, PipelineSettings(padding=pad, t=t, pool_size=size, pool_mode=mode)
            )
        except ValueError as error:
            st.warning(md(error, 300))
            continue
        zmax = float(np.abs(fmap).max()) or 1.0
        with row():
            heatmap(kernel, v.key(f"k{i}"), title=f"Kernel {i + 1}", cell_px=small, signed=True)
            heatmap(
                fmap, v.key(f"fm{i}"), title="Convolution", cell_px=small, signed=True, zmax=zmax
            )
            heatmap(
                thr, v.key(f"thr{i}"), title="Threshold", cell_px=small, signed=False, zmax=zmax
            )
            heatmap(
                pooled,
                v.key(f"pool{i}"),
                title="Pooling",  # "Sub-sampling" is wider than a 4×4 map on the wall
                cell_px=small,
                signed=False,
                zmax=zmax,
            )
    st.caption(
        "Classification: the pooled maps, "
        f"{2 * int(np.prod(pool_output_shape(fmap.shape, size)))} numbers in all, are the input "
        "of an ordinary neural network that answers X or O. The Train page trains one."
    )

"""The Lesson's convolution views: the sliding window, the deck's erratum, the threshold, the
3-D convolution and the feature examples (kinds "conv", "erratum", "threshold", "conv3d",
"examples")."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv2d,
    conv_output_shape,
    conv_trace,
    format_number,
    kernels,
    pad_image,
    threshold,
)
from playground import state
from playground.links import codec
from playground.ui import widgets
from playground.ui.plain_text import md
from playground.views.lesson import session as lesson_session
from playground.views.lesson.view import (
    EDITOR_PX,
    FIGURE_EXTRA_PX,
    MIN_CELL_PX,
    MIN_FIGURE_PX,
    View,
    heatmap,
    ink,
    next_window,
    row,
    set_value,
    shape_text,
)

ss = st.session_state


# The deck's printed 6×6 map has one wrong cell: row 3, column 3 shows −2 (the truth is 0).
ERRATUM_CELL = (2, 2)  # 0-based
ERRATUM_PRINTED = -2


def view_conv(v: View) -> None:
    controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with controls:
        step_pad = v.padding_control()
    top = row()
    # Filled out of order: the window's frame on the drawing needs the kernel and the window
    # position first; the drawing's latest stroke arrives when the grid is drawn.
    left, middle, right = (top.container(width=w) for w in ("content", 280, "content"))
    with middle:
        st.markdown("**Kernel K**")
        kernel = v.kernel(0, "kernel")
    image = v.grid_now(0)
    try:
        oh, ow = conv_output_shape(image.shape, kernel.shape, step_pad, 1)
    except ValueError as error:
        st.warning(md(error, 300))
        return
    with controls:
        r, c = v.cell_controls((oh, ow), parent=controls)
    frame = conv_trace(image, kernel, r, c, step_pad).highlight  # depends on places only
    cell = v.fit(image.shape[1] + ow, EDITOR_PX + 2 * FIGURE_EXTRA_PX)
    with left:
        image = v.drawing(0, f"Image I {shape_text(image.shape)}", highlight=frame, cell_px=cell)
    trace = conv_trace(image, kernel, r, c, step_pad)
    fmap = conv2d(image, kernel, step_pad)
    with right:
        heatmap(
            fmap,
            v.key("fmap"),
            title=f"Feature map {shape_text(image.shape)} → {shape_text(fmap.shape)}",
            cell_px=cell,
            signed=True,
            highlight=(r, c, 1, 1),
        )
    controls.button(
        "Next window ↓",
        key=v.key("next"),
        on_click=next_window,
        args=(v, oh, ow),
        help="Move the window as the slides do: down the column, then the next column.",
    )
    small = max(40, round(v.cell * 0.8))
    with row():
        if step_pad != "valid":
            padded = pad_image(image, step_pad, kernel.shape)
            ph = (padded.shape[0] - image.shape[0]) // 2
            pw = (padded.shape[1] - image.shape[1]) // 2
            top, left, kh, kw = trace.highlight
            ink(
                padded,
                v.key("padded"),
                title=f"Zero-padded to {shape_text(padded.shape)}",
                cell_px=max(MIN_CELL_PX, round(v.cell * 0.6)),
                highlight=(top + ph, left + pw, kh, kw),
                origin=(1 - ph, 1 - pw),
            )
        ink(trace.window, v.key("window"), title="Window I", cell_px=small)
        heatmap(trace.kernel, v.key("kernel"), title="Kernel K", cell_px=small, signed=True)
        heatmap(trace.products, v.key("products"), title="K × I", cell_px=small, signed=True)
    st.markdown(f"**Row {r + 1}, column {c + 1}:** `{trace.formula()}`")


def view_erratum(v: View) -> None:
    image = v.step.example.drawings[0]
    kernel = v.step.example.kernels[0]
    true_map = conv2d(image, kernel, "valid")
    r, c = ERRATUM_CELL
    trace = conv_trace(image, kernel, r, c, "valid")
    printed = true_map.copy()  # the slides' table: the true map with their one misprint
    printed[r, c] = ERRATUM_PRINTED
    revealed = bool(ss.get(v.key("revealed")))
    # The O, the printed map (and the computed one) side by side; the 3×3 kernel takes a
    # minimum-width figure of its own.
    cell = v.fit(8 + 6 + (6 if revealed else 0), 3 * FIGURE_EXTRA_PX + MIN_FIGURE_PX + 16)
    with row():
        ink(
            image,
            v.key("image"),
            title="The O (8×8)",
            cell_px=cell,
            highlight=trace.highlight if revealed else None,
        )
        heatmap(kernel, v.key("kernel"), title="Kernel K", cell_px=cell, signed=True)
        heatmap(
            printed,
            v.key("printed"),
            title="The slides' 6×6 map",
            cell_px=cell,
            signed=True,
            highlight=(r, c, 1, 1),
            caption=f"As printed: {ERRATUM_PRINTED} in the framed cell. Is it right?",
        )
        if revealed:
            heatmap(
                true_map,
                v.key("true"),
                title="Computed",
                cell_px=cell,
                signed=True,
                highlight=(r, c, 1, 1),
                caption=f"The framed cell is {format_number(trace.total)}.",
            )
    answer_row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
    answer = answer_row.number_input(
        "Your sum for row 3, column 3",
        value=None,
        step=1.0,
        key=v.key("answer"),
        width=220,
    )
    if answer_row.button("Check", key=v.key("check"), type="primary"):
        ss[v.key("checked")] = answer
    answer_row.button(
        "Reveal the window",
        key=v.key("reveal"),
        on_click=set_value,
        args=(v.key("revealed"), True),
    )
    checked = ss.get(v.key("checked"), "unset")
    if checked is None:
        st.info("Type a number first.")
    elif checked != "unset":
        if float(checked) == trace.total:
            st.success(f"Right: the sum is {format_number(trace.total)}, not {ERRATUM_PRINTED}.")
        elif float(checked) == ERRATUM_PRINTED:
            st.warning("That is what the slides print. Add up the products once more.")
        else:
            st.warning("Not quite. Reveal the window and check each product.")
    if revealed:
        with row():
            ink(trace.window, v.key("window"), title="The window", cell_px=v.cell)
            heatmap(trace.products, v.key("products"), title="K × I", cell_px=v.cell, signed=True)
        st.markdown(
            f"The window holds `1 0 1 / 0 0 0 / 0 0 0`: `{trace.formula()}`. The true value "
            f"is **{format_number(trace.total)}**; the slides' {ERRATUM_PRINTED} is a misprint. "
            "The same window gives row 4, column 4 of the zero-padded 8×8 map, printed "
            f"{ERRATUM_PRINTED} there too; it is {format_number(trace.total)} as well."
        )


def view_threshold(v: View) -> None:
    controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    with controls:
        pad = v.padding_control()
    t = controls.slider(
        "Threshold t (keep values above t)",
        codec.T_MIN,
        codec.T_MAX,
        step=codec.NUMBER_STEP,
        key=v.setting_key("t"),
        width=360,
        persist_state="session",
    )
    # The drawing and both maps side by side, so the room sees cause and effect together;
    # the kernel is in a collapsed box (the conv step showed it).
    with controls, st.expander("Kernel K", expanded=False), st.container(width=280):
        kernel = v.kernel(0, "kernel")
    image = v.grid_now(0)
    try:
        out = conv_output_shape(image.shape, kernel.shape, pad, 1)
    except ValueError as error:
        st.warning(md(error, 300))
        return
    cell = v.fit(image.shape[1] + 2 * out[1], 3 * FIGURE_EXTRA_PX)
    with row():
        with st.container(width="content"):
            image = v.drawing(0, "Image", cell_px=cell)
        fmap = conv2d(image, kernel, pad)
        zmax = float(np.abs(fmap).max()) or 1.0
        heatmap(
            fmap,
            v.key("fmap"),
            title=f"Feature map {shape_text(fmap.shape)}",
            cell_px=cell,
            signed=True,
            zmax=zmax,
        )
        heatmap(
            threshold(fmap, t),
            v.key("thr"),
            title=f"Threshold t = {format_number(t)}",
            cell_px=cell,
            signed=False,
            zmax=zmax,
            caption="Values above t stay, the rest become 0.",
        )


def view_conv3d(v: View) -> None:
    small = max(24, round(v.cell * 0.75))
    pad = v.setting("pad")
    channels, slices = [], []
    # On the wall: small drawings, the kernel slices in collapsed boxes and the output cell's
    # sliders beside them, so the two parts and their sum are on the first screen.
    presenter = state.presenter()
    top = row()
    for i in range(2):
        with top, st.container(width="content"):
            channels.append(v.drawing(i, f"Channel {i + 1}", cell_px=20 if presenter else small))
    for i in range(2):
        if presenter:
            with top, st.expander(f"Kernel slice {i + 1}"), st.container(width=EDITOR_PX):
                slices.append(v.kernel(i, f"slice {i + 1}"))
            continue
        if i == 0:
            slice_row = row()
        with slice_row, st.container(width=EDITOR_PX):
            st.markdown(f"**Kernel slice {i + 1}** (for channel {i + 1})")
            slices.append(v.kernel(i, f"slice {i + 1}"))
    if channels[0].shape != channels[1].shape or slices[0].shape != slices[1].shape:
        st.warning("Both channels must have the same size, and both kernel slices too.")
        return
    stack, kernel3d = np.stack(channels), np.stack(slices)  # (2, H, W), (2, k, k)
    try:
        total = conv2d(stack, kernel3d, pad)
    except ValueError as error:
        st.warning(md(error, 300))
        return
    r, c = v.cell_controls(total.shape, "Output cell", parent=top if presenter else None)
    trace = conv_trace(stack, kernel3d, r, c, pad)
    with row():
        for i in range(2):
            heatmap(
                conv2d(channels[i], slices[i], pad),
                v.key(f"part{i}"),
                title=f"Channel {i + 1}'s part",
                cell_px=small,
                signed=True,
                highlight=(r, c, 1, 1),
            )
        heatmap(
            total,
            v.key("total"),
            title="Sum over channels",
            cell_px=small,
            signed=True,
            highlight=(r, c, 1, 1),
        )
    parts = " + ".join(
        f"{format_number(s)} (channel {i + 1})" for i, s in enumerate(trace.channel_sums)
    )
    st.markdown(f"**Row {r + 1}, column {c + 1}:** {parts} = **{format_number(trace.total)}**")
    with st.expander("Every product"):
        st.code(trace.formula(), language=None, wrap_lines=True)


def view_examples(v: View) -> None:
    pad = v.padding_control()
    with row():
        with st.container(width="content"):
            image = v.drawing(0, "Input")
        with st.container(width=280):
            st.markdown("**Kernel**")
            kernel = v.kernel(0, "kernel")
            name = widgets.kernel_name(ss, lesson_session.kernel_key(v.slug, 0))
            if name in kernels.PRESETS:
                st.caption(kernels.PRESETS[name].description)
        try:
            fmap = conv2d(image, kernel, pad)
        except ValueError as error:
            st.warning(md(error, 300))
            return
        heatmap(fmap, v.key("fmap"), title="Output (feature map)", cell_px=v.cell, signed=True)

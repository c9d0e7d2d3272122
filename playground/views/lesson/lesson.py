"""Lesson: the lecture's narrative step by step, each step with a live view of the deck's example.

The steps themselves (titles, plain-words text, examples) are data in ``steps.py`` beside it; this
page draws one step at a time with Prev / Next and a progress bar. Each step keeps its own
drawings, kernels and settings in session state (keys ``lesson_{slug}_…``, see
``lesson/session.py``), so a learner can change a view, walk on, and come back to it.

Every number comes from ``cnn_core``; this page only draws.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv2d,
    conv_matrix,
    conv_output_shape,
    conv_trace,
    format_number,
    grids,
    kernels,
    pad_image,
    pipeline,
    pool2d,
    pool_output_shape,
    pool_trace,
    threshold,
)
from cnn_core.compare import compare_drawings, match_map, nonzero_match
from cnn_core.model import CNNClassifier, CNNConfig, generated_data
from cnn_core.network_graph import connection_counts, neuron_inputs
from cnn_core.pipeline import PipelineSettings
from playground import state
from playground.descent_view import descent_panel
from playground.links import codec
from playground.ui import widgets
from playground.ui.components.grid import draw_grid
from playground.ui.plain_text import md
from playground.views.inside import link as inside_link
from playground.views.lab import link as lab_link
from playground.views.lesson import link as lesson_link
from playground.views.lesson import session as lesson_session
from playground.views.lesson import steps as lesson_steps
from playground.views.lesson.steps import STEPS, Step
from playground.views.same import link as same_link

ss = st.session_state
N_STEPS = len(STEPS)
PAGES = {
    "lab": "views/lab/lab.py",
    "same": "views/same/same.py",
    "inside": "views/inside/inside.py",
}
OPEN_HELP = {
    "lab": "Loads this step's drawing, kernels and settings into the lab (replacing the lab's).",
    "same": "Loads these drawings into the Same? page.",
    "inside": "Shows this example there (a changed one goes through the lab's drawing).",
}

# Width the main column gives a row of figures at 1280×720 with the sidebar open; cells
# shrink (down to MIN_CELL_PX) so a step's view fits one screen width. Presenter mode keeps
# its big cells and lets the rows wrap instead.
ROW_BUDGET_PX = 800
PRESENTER_CELL_PX = 36
MIN_CELL_PX = 20
EDITOR_PX = 280  # the kernel editor's column
FIGURE_EXTRA_PX = 48  # a heatmap's row/column labels and the gap beside it
MIN_FIGURE_PX = 150

# The deck's printed 6×6 map has one wrong cell: row 3, column 3 shows −2 (the truth is 0).
ERRATUM_CELL = (2, 2)  # 0-based
ERRATUM_PRINTED = -2


# --- navigation -------------------------------------------------------------------------------


def current_number() -> int:
    return lesson_session.current_number(ss)


def _go(number: int) -> None:
    lesson_session.go_to(ss, number)


def _on_pick() -> None:
    _go(int(ss["lesson_pick"]))


def navigation(number: int, where: str) -> None:
    """Prev / Next buttons around a progress marker (``where`` keeps the keys apart)."""
    bar = st.container(horizontal=True, gap="small", vertical_alignment="center")
    bar.button(
        "← Previous",
        key=f"lesson_prev_{where}",
        on_click=_go,
        args=(number - 1,),
        disabled=number == 1,
    )
    if where == "top":
        ss["lesson_pick"] = number
        bar.selectbox(
            "Jump to step",
            range(1, N_STEPS + 1),
            key="lesson_pick",
            format_func=lambda n: f"{n}. {STEPS[n - 1].title}",
            on_change=_on_pick,
            label_visibility="collapsed",
            width=300,
        )
    else:
        bar.markdown(f"**Step {number} of {N_STEPS}**")
    bar.button(
        "Next →",
        key=f"lesson_next_{where}",
        on_click=_go,
        args=(number + 1,),
        disabled=number == N_STEPS,
        type="primary",
    )


# --- one step's state -------------------------------------------------------------------------


class View:
    """Access to one step's drawings, kernels and settings in session state."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self.slug = step.slug
        # On the wall a step's live view must be on the first screen under its heading:
        # 36 px cells (numbers of 17 px) instead of presenter mode's usual 52.
        self.cell = PRESENTER_CELL_PX if state.presenter() else state.cell_px()
        lesson_session.init_step(ss, step)

    def key(self, part: str) -> str:
        return lesson_session.key(self.slug, part)

    def fit(self, cells_across: int, fixed_px: int = 0) -> int:
        """A cell size that puts ``cells_across`` cells and ``fixed_px`` of other things in one
        row; presenter mode keeps its big cells (the row wraps)."""
        if state.presenter():
            return self.cell
        return state.fit_cell_px(
            cells_across, ROW_BUDGET_PX, fixed_px=fixed_px, smallest=MIN_CELL_PX, largest=self.cell
        )

    def drawing(self, i: int, label: str, *, cell_px=None, readonly=False, highlight=None):
        """The step's drawing ``i`` as an editable grid; returns it as it is now."""
        grid_key = lesson_session.drawing_key(self.slug, i)
        ss[grid_key] = draw_grid(
            ss[grid_key],
            key=grid_key + "_draw",
            revision=widgets.grid_revision(grid_key),
            cell_px=cell_px or self.cell,
            readonly=readonly,
            highlight=highlight,
            label=label,
        )
        return np.array(ss[grid_key], dtype=int)

    def grid_now(self, i: int) -> np.ndarray:
        return np.array(ss[lesson_session.drawing_key(self.slug, i)], dtype=int)

    def set_drawing(self, i: int, grid) -> None:
        widgets.set_grid(lesson_session.drawing_key(self.slug, i), grid)

    def kernel_panel(self, title: str, width: int, beside=None) -> np.ndarray:
        """Kernel 0's editor: in a collapsed box here (on the wall, so the maps can sit beside
        the drawing), or in the row ``beside`` under a bold title."""
        if beside is None:
            with st.expander(title), st.container(width=width):
                return self.kernel(0, "kernel")
        with beside, st.container(width=width):
            st.markdown(f"**{title}**")
            return self.kernel(0, "kernel")

    def kernel(self, i: int, label: str, **kwargs) -> np.ndarray:
        """The step's kernel ``i`` in the shared kernel editor; returns the last good kernel."""
        kwargs.setdefault("sizes", self.step.kernel_sizes)
        result = widgets.kernel_editor(
            lesson_session.kernel_key(self.slug, i),
            self.step.example.kernels[i],
            label=label,
            **kwargs,
        )
        return result.values

    def setting_key(self, name: str) -> str:
        return lesson_session.setting_key(self.slug, name)

    def setting(self, name: str):
        return ss.get(self.setting_key(name), self.step.example.settings.get(name))

    def clamp(self, name: str, high: int) -> None:
        """Keep a remembered window row/column inside a map that may have shrunk."""
        key = self.setting_key(name)
        value = ss.get(key, 1)
        ss[key] = max(1, min(int(value), int(high)))

    def padding_control(self) -> str:
        return st.segmented_control(
            "Padding",
            ["valid", "same"],
            required=True,
            key=self.setting_key("pad"),
            persist_state="session",
            help="valid: the window stays inside the image, the map shrinks. same: a frame of "
            "zeros around the image keeps the map's size.",
        )

    def cell_controls(self, shape, what: str = "Window", parent=None) -> tuple[int, int]:
        """Row and column sliders for the output cell being explained (0-based result).

        parent : a horizontal container to put them in (default: a new one)
        """
        oh, ow = int(shape[0]), int(shape[1])
        self.clamp("r", oh)
        self.clamp("c", ow)
        if parent is None:
            parent = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
        r = _slider(parent, f"{what} row", oh, self.setting_key("r"))
        c = _slider(parent, f"{what} column", ow, self.setting_key("c"))
        return r - 1, c - 1


def _slider(parent, label: str, high: int, key: str) -> int:
    if high <= 1:
        parent.markdown(f"{label} 1")
        return 1
    return int(parent.slider(label, 1, high, key=key, width=170, persist_state="session"))


def _next_window(view: View, oh: int, ow: int) -> None:
    """The deck's order: down the first column, then the next column."""
    r, c = int(view.setting("r")), int(view.setting("c"))
    r += 1
    if r > oh:
        r, c = 1, c % ow + 1
    ss[view.setting_key("r")] = r
    ss[view.setting_key("c")] = c


# --- small drawing helpers ----------------------------------------------------------------------


def heatmap(z, key: str, *, title: str, caption: str | None = None, **kwargs) -> None:
    """One heatmap in a box of its own width, with an optional caption under it."""
    if state.presenter():
        cell = int(kwargs.get("cell_px", 36))
        kwargs.setdefault("font_px", state.number_px(cell))
    fig = widgets.heatmap_figure(z, title=title, **kwargs)
    if state.presenter():  # titles and axis numbers readable from the back of the room
        layout = fig["layout"]
        layout["title"]["font"]["size"] = 20
        layout["margin"]["t"] = 40
        layout["height"] += 10
        layout["margin"]["l"] += 8
        layout["width"] += 8
        for axis in ("xaxis", "yaxis"):
            layout[axis]["tickfont"]["size"] = 15
    # Plotly draws a chart at least MIN_FIGURE_PX wide and the page clips what overflows the
    # figure's width: widen small figures with empty margin on the right (cells keep size).
    layout = fig["layout"]
    if layout["width"] < MIN_FIGURE_PX:
        layout["margin"]["r"] += MIN_FIGURE_PX - layout["width"]
        layout["width"] = MIN_FIGURE_PX
    with st.container(width=int(layout["width"]), gap="small"):
        widgets.show_heatmap(fig, key=key)
        if caption:
            st.caption(caption)


def ink(z, key: str, *, title: str, caption: str | None = None, **kwargs) -> None:
    """A 0/1 drawing as a heatmap (white paper, black ink)."""
    heatmap(
        z,
        key,
        title=title,
        caption=caption,
        colorscale=widgets.INK_SCALE,
        signed=False,
        zmax=1,
        **kwargs,
    )


def row():
    return st.container(horizontal=True, gap="medium", vertical_alignment="top")


def shape_text(shape) -> str:
    return widgets.shape_text(shape)


def percent(match) -> str:
    if match.ratio is None:
        return "nothing to match"
    return f"{match.both} of {match.either} ({match.ratio:.0%})"


# --- the views, one per kind of step -----------------------------------------------------------


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


def _set(key: str, value) -> None:
    ss[key] = value


def _reseed(key: str) -> None:
    ss[key] = int(ss.get(key, 0)) + 1


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
    st.button("New generated examples", key=v.key("reseed"), on_click=_reseed, args=(seed_key,))


def _blank(_value) -> str:
    """No numbers on a drawing that is only a picture."""
    return ""


def _shift(v: View, i: int, dr: int, dc: int) -> None:
    v.set_drawing(i, grids.shift(v.grid_now(i), dr, dc))


def _shift_buttons(v: View, i: int) -> None:
    bar = st.container(horizontal=True, gap="small")
    for text, (dr, dc) in (("←", (0, -1)), ("↑", (-1, 0)), ("↓", (1, 0)), ("→", (0, 1))):
        bar.button(
            text,
            key=v.key(f"shift{i}_{text}"),
            help="Move the drawing one cell",
            on_click=_shift,
            args=(v, i, dr, dc),
        )


def view_same(v: View) -> None:
    size = v.grid_now(0).shape[1]
    cell = v.fit(3 * size, 3 * FIGURE_EXTRA_PX)
    with row():
        with st.container(width="content"):
            a = v.drawing(0, "Drawing A", cell_px=cell)
            _shift_buttons(v, 0)
        with st.container(width="content"):
            b = v.drawing(1, "Drawing B", cell_px=cell)
            _shift_buttons(v, 1)
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
        _shift_buttons(v, 0)
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
        on_click=_next_window,
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
        on_click=_set,
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


def view_pool(v: View) -> None:
    settings = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    mode = settings.segmented_control(
        "Pooling",
        list(codec.POOL_MODES),
        required=True,
        key=v.setting_key("pm"),
        format_func={"max": "max", "avg": "average", "lp": "Lᵖ"}.get,
        persist_state="session",
    )
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
            _shift_buttons(v, 1)
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


def view_network(v: View) -> None:
    small = max(18, round(v.cell * 0.5))
    # On the wall the input, its output and the connection-weight matrix share one row (the
    # kernel in a collapsed box, the neuron's sliders beside it); elsewhere the kernel editor
    # sits beside the input and the matrix gets a row of its own.
    presenter = state.presenter()
    if presenter:
        controls = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
        with controls:
            kernel = v.kernel_panel("Kernel", 240)
        try:
            shape = conv_output_shape(v.grid_now(0).shape, kernel.shape, "valid", 1)
        except ValueError as error:
            st.warning(md(error, 300))
            return
        r, c = v.cell_controls(shape, "Output neuron", parent=controls)
    top = row()
    with top, st.container(width="content"):
        image = v.drawing(0, "Input (5×5)")
    if not presenter:
        kernel = v.kernel_panel("Kernel", 240, beside=top)
    try:
        output = conv2d(image, kernel, "valid")
    except ValueError as error:
        st.warning(md(error, 300))
        return
    with top:
        heatmap(
            output,
            v.key("out"),
            title=f"Output {shape_text(output.shape)}",
            cell_px=v.cell,
            signed=None,
        )
        if min(output.shape) >= 2 and not presenter:
            heatmap(
                pool2d(output, 2),
                v.key("pooled"),
                title="Sub-sampled (max 2×2)",
                cell_px=v.cell,
                signed=None,
            )
    if not presenter:
        r, c = v.cell_controls(output.shape, "Output neuron")
    weights = conv_matrix(kernel, image.shape, "valid")
    neuron = neuron_inputs(kernel, image.shape, r, c, "valid")
    counts = connection_counts(kernel, image.shape, "valid")
    highlight = [(neuron.neuron, int(col), 1, 1) for col in neuron.columns]
    with top if presenter else st.container():
        heatmap(
            weights,
            v.key("weights"),
            title=f"Connection weights: {weights.shape[0]} neurons × {weights.shape[1]} pixels",
            cell_px=small,
            signed=None,
            fmt=lambda x: "" if x == 0 else format_number(x),
            highlight=highlight,
            origin=(1, 1),
            caption="One row per output neuron, one column per input pixel (row by row). "
            "Framed: the chosen neuron's connections.",
        )
    terms = " + ".join(
        f"{format_number(w)}·x({int(p[1]) + 1},{int(p[2]) + 1})"
        for w, p in zip(neuron.weights, neuron.pixels, strict=True)
    )
    st.markdown(
        f"Neuron at row {r + 1}, column {c + 1} = {terms} = "
        f"**{format_number(output[r, c])}**  \n"
        f"Of {counts.total} possible weights, only {counts.connected} connect a neuron to a "
        f"pixel in its window, {counts.nonzero} are not zero, and they all are copies of "
        f"the kernel's {counts.kernel_cells} values: **shared weights**."
    )
    if min(output.shape) >= 2:
        pr, pc = min(r // 2, output.shape[0] // 2 - 1), min(c // 2, output.shape[1] // 2 - 1)
        pooled = pool_trace(output, pr, pc, 2)
        xs = ", ".join(f"1·{format_number(x)}" for x in pooled.window.ravel())
        st.markdown(
            f"Pooling neuron over its 2×2 block: y = max({xs}) = "
            f"**{format_number(pooled.value)}** (its weights are fixed to 1)."
        )


def view_masks(v: View) -> None:
    small = max(28, round(v.cell * 0.8))
    st.markdown("**Designed by experts:** the kernels of this lesson")
    with row():
        for i, kernel in enumerate(v.step.example.kernels):
            name = lab_link.preset_name(kernel)
            heatmap(kernel, v.key(f"k{i}"), title=name, cell_px=small, signed=True)
    st.markdown(
        "**In a CNN:** a network with random kernels looks at many X's and O's; after each "
        "batch, gradient descent moves every kernel value a little in the direction that "
        "makes fewer mistakes. The kernels it ends up with are *learned*."
    )
    learned = _learned_kernels()
    if learned is not None:
        st.markdown(
            "**Found by gradient descent:** the kernels your network on the Train page learned"
        )
        with row():
            for i, kernel in enumerate(learned[:6]):
                heatmap(
                    kernel,
                    v.key(f"learned{i}"),
                    title=f"learned {i + 1}",
                    cell_px=small,
                    signed=True,
                    fmt=".1f",
                )
    if st.button("Train a CNN →", key=v.key("train"), type="primary"):
        st.switch_page("views/train/train.py")


def _learned_kernels() -> np.ndarray | None:
    """The first layer's kernels (K, k, k) of the model trained on the Train page, if any."""
    run = ss.get(state.TRAIN_RUN)  # the Train page's TrainingRun
    if run is None or not getattr(run, "step", 0):
        return None
    try:
        return np.asarray(run.kernels, dtype=float)
    except (AttributeError, ValueError):
        return None


@st.cache_resource(show_spinner=False)
def _lesson_network() -> CNNClassifier:
    """The small trained network the descent step steps on. A pure function of fixed settings,
    so the whole room shares one (read only): each session steps a copy of its own."""
    config = CNNConfig(n_kernels=4, kernel_size=3, kernel_init="deck", n_train=400, n_test=100)
    X, _, y, _ = generated_data(config, seed=0)
    return CNNClassifier(config, random_state=0).fit(X, y)


def view_descent(v: View) -> None:
    model = _lesson_network()
    with row():
        with st.container(width="content"):
            drawing = v.drawing(0, "Drawing", cell_px=max(24, round(v.cell * 0.8)))
        with st.container(width="stretch"):
            X = drawing[None].astype(float)
            choices = {f"the drawing, labelled {c}": (X, np.array([c])) for c in model.classes_}
            descent_panel(v.key("descent"), model, "lesson network", choices, row_px=600)


VIEWS = {
    "xo": view_xo,
    "same": view_same,
    "local": view_local,
    "dot": view_dot,
    "conv": view_conv,
    "erratum": view_erratum,
    "threshold": view_threshold,
    "conv3d": view_conv3d,
    "examples": view_examples,
    "pool": view_pool,
    "shift": view_shift,
    "structure": view_structure,
    "network": view_network,
    "masks": view_masks,
    "descent": view_descent,
}
assert set(VIEWS) == set(lesson_steps.VIEWS), "every kind of step needs a view"


# --- step actions -------------------------------------------------------------------------------


def _reset(step: Step) -> None:
    lesson_session.load_step(ss, step, lesson_session.example_state(step))


def open_elsewhere(step: Step) -> None:
    """Load this step's example, as changed, into another page and go there."""
    link = lesson_link.step_link_state(ss, step)
    if step.open_in == "lab":
        cell = None
        if "r" in link.settings and "c" in link.settings and step.view in ("conv", "erratum"):
            cell = (int(link.settings["r"]) - 1, int(link.settings["c"]) - 1)
        lab_link.apply_to_lab(ss, link, step_cell=cell)
    elif step.open_in == "same":
        same_link.apply_to_same(ss, link)
    elif step.open_in == "inside":
        inside_link.apply_to_inside(ss, link, deck_example=lesson_link.step_is_pristine(ss, step))
    st.switch_page(PAGES[step.open_in])


def actions(step: Step) -> None:
    bar = st.container(horizontal=True, gap="small")
    if not step.fixed:
        bar.button(
            "Reset to the deck's example",
            key=f"lesson_reset_{step.slug}",
            on_click=_reset,
            args=(step,),
            disabled=lesson_link.step_is_pristine(ss, step),
        )
    if step.open_in and bar.button(
        f"Open in {lesson_steps.OPEN_IN[step.open_in]} →",
        key=f"lesson_open_{step.slug}",
        help=OPEN_HELP[step.open_in],
    ):
        open_elsewhere(step)


# --- the page -------------------------------------------------------------------------------------


def main() -> None:
    number = current_number()
    step = STEPS[number - 1]
    navigation(number, "top")
    presenter = state.presenter()
    if not presenter:  # on the wall the step picker above says where we are
        st.progress(number / N_STEPS, text=f"Lesson: step {number} of {N_STEPS}")

    if presenter:  # on the wall the live view is on the first screen: the title, the
        # explanation (the teacher says it, or opens it here) and the task share one row
        head = st.container(horizontal=True, gap="medium", vertical_alignment="center")
        head.subheader(f"{number}. {step.title}", anchor=False, width="content")
        with head.expander("The step's explanation"):
            st.markdown(step.text)
    else:
        st.subheader(f"{number}. {step.title}", anchor=False)
        st.caption(f"Slides: {step.deck}")
        st.markdown(step.text)
    st.markdown(f"**Try this:** {step.try_this}")
    with st.container(key=f"lesson_view_{step.slug}"):
        VIEWS[step.view](View(step))
    actions(step)
    st.divider()
    navigation(number, "bottom")


main()

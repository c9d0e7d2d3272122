"""Convolution lab: draw, pick kernels, watch convolution → threshold → pooling, number by number.

It opens on the lecture's worked example (the 8×8 O, the diagonal kernel, "same" padding,
threshold 0, 2×2 max pooling) and every number follows any change. Every number comes from
``cnn_core``; this page only draws. The maps are drawn as HTML by ``components.maps`` (plotly
would cost the browser 15–45 ms per map on every click) and a stroke on the drawing reruns
only the ``live`` fragment; ``bench/browser.py`` measures a click.

Its session state (keys, defaults, the settings as one typed value) is ``session.py``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import (
    conv2d,
    conv_output_shape,
    conv_trace,
    format_number,
    grids,
    kernels,
    pad_image,
    pipeline,
    pool_output_shape,
    pool_trace,
)
from playground import state
from playground.links import address_bar, codec, pages
from playground.ui import widgets
from playground.ui.components.grid import current_grid, draw_grid
from playground.ui.components.maps import escape, map_panel, show_maps
from playground.ui.heatmap import Heatmap
from playground.ui.plain_text import md
from playground.views.lab import session
from playground.views.lab.values import KernelRow, Maps, Settings

GRID = session.GRID
MAX_KERNELS = codec.MAX_KERNELS
DEFAULT_KERNELS = state.LAB_DEFAULT_KERNELS
STEP_SECONDS = 0.8  # one window per 0.8 s while playing: slow enough to read the sum

# Width the map row may use at 1280×720 with the sidebar open (the main column is ~820 px).
MAP_ROW_BUDGET_PX = 800
MIN_CELL_PX = 18  # below this the numbers get hard to read: let panels wrap instead
# Presenter mode, for a projector at 1280×720 with the sidebar collapsed: the drawing, the
# kernel and its feature, thresholded and pooled maps on one screen. The maps carry the
# numbers the room reads, so they get the space: for the deck's 8×8 example, cells of 38 px
# with numbers of 17 px (state.number_px; 6×6 maps get 44 px and 20 px). The drawing only
# needs to be seen, and is drawn smaller (26 px cells).
PRESENTER_ROW_PX = 1080  # the main column with the sidebar collapsed
PRESENTER_MAP_SIDE_PX = 304  # the tallest map: 8 cells of 38 px fit under the drawing
PRESENTER_MAX_CELL_PX = 44
PRESENTER_DRAWING_SIDE_PX = 208

CAPTIONS = {
    "input": "A two-dimensional array of pixels: 1 is ink, 0 is paper. Draw with the mouse "
    "(or arrow keys and Space).",
}
# Under the maps, which are HTML (components.maps): the formula is written with <sub>.
MAP_CAPTIONS_HTML = {
    "conv": "Convolution, (<i>I</i> ∗ <i>K</i>)<sub><i>xy</i></sub> = Σ<sub><i>i</i></sub> "
    "Σ<sub><i>j</i></sub> <i>K<sub>ij</sub></i> · <i>I</i><sub><i>x</i>+<i>i</i>−1, "
    "<i>y</i>+<i>j</i>−1</sub>: each cell says how well the window under the kernel matches "
    "it, a way to find local features.",
    "thr": "Threshold: values above t are kept, the others become 0.",
    "pool": "Pooling: subsampling from m by m pixels into 1 pixel ({mode}). Fewer numbers, "
    "and a feature that moves a little still lands in the same cell: shift invariance.",
}


# --- settings --------------------------------------------------------------------------------


def settings_sidebar() -> Settings:
    """The lab's settings, in the sidebar so the main column keeps its width for the maps.
    Every widget keeps its value under its session key; ``session.read_settings`` reads them."""
    ss = st.session_state
    session.init_settings(ss)
    sb = st.sidebar
    sb.subheader("Lab settings")
    sb.segmented_control(
        "Kernels",
        list(range(1, MAX_KERNELS + 1)),
        required=True,
        key=session.N_KERNELS,
        persist_state="session",
        help="Several kernels at once: each gives its own feature map, and together they "
        "become the channels of the 3-D convolution.",
    )
    pad_kind = sb.segmented_control(
        "Padding",
        ["valid", "same", "n"],
        required=True,
        key=session.PAD_KIND,
        persist_state="session",
        help="valid: no padding, the map shrinks. same: zeros around the input so the map "
        "keeps its size (odd kernels). n: n rows/columns of zeros on every side.",
    )
    if pad_kind == "n":
        sb.number_input(
            "Zero rows/columns on each side",
            0,
            codec.MAX_PAD,
            key=session.PAD_N,
            persist_state="session",
        )
    sb.number_input(
        "Stride",
        1,
        codec.MAX_STRIDE,
        key=session.STRIDE,
        persist_state="session",
        help="How many cells the window moves each step.",
    )
    sb.slider(
        "Threshold t",
        codec.T_MIN,
        codec.T_MAX,
        step=codec.NUMBER_STEP,
        key=session.T,
        persist_state="session",
        help="Values above t are kept; t = 0 is the lecture's threshold.",
    )
    mode = widgets.pool_mode_control(sb, session.POOL_MODE)
    if mode == "lp":
        sb.number_input(
            "p",
            codec.P_MIN,
            codec.P_MAX,
            step=codec.NUMBER_STEP,
            key=session.P,
            persist_state="session",
            help="Lᵖ pooling: (Σ |x|ᵖ)^(1/p); p = 1 sums, large p → max",
        )
    sb.number_input(
        "Pool size m", 1, codec.MAX_POOL, key=session.POOL_SIZE, persist_state="session"
    )
    sb.selectbox(
        "Pool stride",
        [session.EQUAL_STRIDE, *range(1, codec.MAX_POOL + 1)],
        key=session.POOL_STRIDE,
        persist_state="session",
    )
    return session.read_settings(ss)


def map_cell_px(grid_size: int, settings: Settings, kernel_size: int) -> int:
    """One cell size for every map of the page.

    The cells shrink so that feature map, thresholded map and pooled map fit side by side: at
    1280×720 beside the sidebar, or, in presenter mode, across the screen and under the
    drawing's row (see PRESENTER_*).
    """
    k = (kernel_size, kernel_size)
    try:
        out = conv_output_shape((grid_size, grid_size), k, settings.padding, settings.stride)[1]
    except ValueError:  # the page says why below; size the cells for the drawing meanwhile
        out = grid_size
    try:
        pooled = pool_output_shape((out, out), settings.pool_size, settings.pool_stride)[1]
    except ValueError:
        pooled = 0
    cells_across = 2 * out + pooled
    overhead = 3 * 32 + 2 * 16 + 8  # margins of three figures, the gaps between them
    if state.presenter():
        largest = min(PRESENTER_MAX_CELL_PX, PRESENTER_MAP_SIDE_PX // out)
        budget = PRESENTER_ROW_PX
    else:
        largest, budget = state.cell_px(), MAP_ROW_BUDGET_PX
    return state.fit_cell_px(
        cells_across, budget, fixed_px=overhead, smallest=MIN_CELL_PX, largest=largest
    )


def drawing_cell_px(grid_size: int, map_cell: int) -> int:
    """The drawing's cell size: the maps' (windows and cells line up), except in presenter
    mode, where the drawing is smaller so the maps fit on the same screen."""
    if state.presenter():
        return int(max(12, min(30, PRESENTER_DRAWING_SIDE_PX // grid_size)))
    return map_cell


# --- computing (all arithmetic is cnn_core's) -----------------------------------------------


def compute_maps(image: np.ndarray, kernel: np.ndarray, name: str, s: Settings) -> Maps:
    """Convolve, threshold and pool; a setting that does not fit stops at that stage."""
    return pipeline.run(image, kernel, s, name=name)


# --- drawing ---------------------------------------------------------------------------------


def _heatmap(z, **kwargs) -> Heatmap:
    """``widgets.heatmap`` with presenter mode's larger numbers (the lab draws them as HTML)."""
    kwargs.setdefault("font_px", state.number_px(kwargs.get("cell_px", 36)))
    return widgets.heatmap(z, **kwargs)


def _panel(width: int):
    """A box exactly as wide as its map, for the map and a caption that wraps inside it (a
    wider box would let the caption run on beside the next map)."""
    return st.container(width=int(width), gap="xsmall")


def _panel_row(
    panels: list[tuple[Heatmap, str | None, str]], key: str, heading: tuple[str, str] | None = None
) -> None:
    """Heatmaps side by side, each with its caption under it, as one element (one message to
    the browser, updated in place: see components.maps).

    panels : (figure, caption as plain text or None, map key) per heatmap, left to right
    key : the row's element key
    heading : optional (title, note) above the row
    """
    show_maps(
        [map_panel(fig, name, caption and escape(caption)) for fig, caption, name in panels],
        key=key,
        heading=heading,
    )


def _pool_label(s: Settings) -> str:
    name = {"max": "max", "avg": "average", "lp": f"L{format_number(s.p)}"}[s.pool_mode]
    stride = "" if s.pool_stride in (None, s.pool_size) else f", stride {s.pool_stride}"
    return f"{name} {s.pool_size}×{s.pool_size}{stride}"


def kernel_row(n: int, maps: Maps, image_shape, s: Settings, cell_px: int) -> KernelRow:
    """Kernel n's row (1-based): feature map, thresholded map, pooled map, ready to show."""
    about = kernels.PRESETS[maps.name].description if maps.name in kernels.PRESETS else ""
    presenter = state.presenter()  # on the wall: one line of heading, no captions
    if presenter:
        about = ""
    heading = (f"Kernel {n}", f"{maps.name}" + (f" · {about}" if about else ""))
    if maps.feature is None:
        return KernelRow(n, heading, [], maps.error)
    # One colour range for the three maps of a kernel: a 3 is the same red in all of them.
    zmax = float(np.abs(maps.feature).max()) if maps.feature.size else 1.0
    shape_in = widgets.shape_text(image_shape)
    shape_fm = widgets.shape_text(maps.feature.shape)
    figs = [
        (
            "fm",
            _heatmap(
                maps.feature,
                title=f"Feature map {shape_in} → {shape_fm}",
                signed=True,
                cell_px=cell_px,
                zmax=zmax,
            ),
            MAP_CAPTIONS_HTML["conv"],
        ),
        (
            "thr",
            _heatmap(
                maps.thresholded,
                title=f"Threshold t={format_number(s.t)}: {shape_fm}",
                signed=bool((maps.thresholded < 0).any()),
                cell_px=cell_px,
                zmax=zmax,
            ),
            MAP_CAPTIONS_HTML["thr"],
        ),
    ]
    if maps.pooled is not None:
        figs.append(
            (
                "pool",
                _heatmap(
                    maps.pooled,
                    title=f"Pooled {shape_fm} → {widgets.shape_text(maps.pooled.shape)}",
                    signed=bool((maps.pooled < 0).any()),
                    cell_px=cell_px,
                    zmax=zmax,
                ),
                MAP_CAPTIONS_HTML["pool"].format(mode=escape(_pool_label(s))),
            )
        )
    # The captions explain the stages once, under the first kernel's maps.
    panels = [
        map_panel(fig, f"lab_{name}{n}", caption if n == 1 and not presenter else None)
        for name, fig, caption in figs
    ]
    return KernelRow(n, heading, panels, maps.error)


def show_kernel_row(row: KernelRow) -> None:
    if row.panels:
        show_maps(row.panels, key=f"lab_maps{row.n}", heading=row.heading)
    else:
        st.markdown(f"**{row.heading[0]}** · {row.heading[1]}".replace("\\", "\\\\"))
    if row.warning:
        st.warning(row.warning, icon="⚠️")


def _clamp_choice(key: str, options: list) -> None:
    """A select_slider's remembered value must still be one of its options (shapes change)."""
    ss = st.session_state
    if key in ss and ss[key] not in options:
        ss[key] = options[0]


def _cells(shape) -> list[int]:
    """Output cells as row-major indices (a select_slider would read (r, c) pairs as a range)."""
    return list(range(int(shape[0]) * int(shape[1])))


def _cell_name(rc: tuple[int, int]) -> str:
    return f"row {rc[0] + 1}, column {rc[1] + 1}"


def _index_namer(shape):
    """format_func for a slider over ``_cells(shape)``: 9 → "row 2, column 2" (8 wide)."""
    return lambda i: _cell_name(divmod(int(i), int(shape[1])))


def step_through(image: np.ndarray, all_maps: list[Maps], s: Settings, cell_px: int) -> None:
    """Slide the window cell by cell, as the deck's frames do (reruns on its own)."""
    ss = st.session_state
    ss.setdefault(session.STEP_PLAYING, False)
    playing = bool(ss[session.STEP_PLAYING])

    @st.fragment(run_every=STEP_SECONDS if playing else None)
    def _step() -> None:
        usable = [i for i, m in enumerate(all_maps) if m.feature is not None]
        if not usable:
            st.info("Nothing to step through: fix the settings above first.")
            return
        bar = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
        ss.setdefault(session.STEP_WHAT, "convolution")
        what = bar.segmented_control(
            "Step through",
            ["convolution", "pooling"],
            required=True,
            key=session.STEP_WHAT,
            persist_state="session",
        )
        k = 0
        if len(usable) > 1:
            ss.setdefault(session.STEP_KERNEL, usable[0])
            _clamp_choice(session.STEP_KERNEL, usable)
            k = bar.selectbox(
                "Kernel",
                usable,
                key=session.STEP_KERNEL,
                persist_state="session",
                format_func=lambda i: f"kernel {i + 1}",
                width=120,
            )
        elif usable:
            k = usable[0]
        maps = all_maps[k]
        target = maps.pooled if what == "pooling" else maps.feature
        if target is None:
            st.warning(md(maps.error, 300), icon="⚠️")
            return
        options = _cells(target.shape)
        pos_key = session.step_pos(what)
        _clamp_choice(pos_key, options)
        if ss[session.STEP_PLAYING]:
            current = ss.get(pos_key, options[0])
            ss[pos_key] = options[(options.index(current) + 1) % len(options)]
        label = "Pause ⏸" if ss[session.STEP_PLAYING] else "Play ▶"
        if bar.button(label, key="lab_step_play"):
            ss[session.STEP_PLAYING] = not ss[session.STEP_PLAYING]
            st.rerun()  # the whole page: run_every is set where the fragment is declared
        index = bar.select_slider(
            "Output cell",
            options,
            key=pos_key,
            format_func=_index_namer(target.shape),
            width=320,
        )
        rc = divmod(int(index), target.shape[1])
        if what == "pooling":
            _show_pool_step(maps, rc, s, cell_px, k + 1)
        else:
            _show_conv_step(image, maps, rc, s, cell_px, k + 1)

    _step()


def _padding_note(shape, pad: int) -> str:
    """Which row/column labels of the padded input are padding (the image is 1…H)."""
    if pad == 0:
        return ""
    h = shape[0]
    before = "0" if pad == 1 else f"{1 - pad}…0"
    after = f"{h + 1}" if pad == 1 else f"{h + 1}…{h + pad}"
    return f" Rows and columns {before} and {after} are the zero padding."


def _show_conv_step(image, maps: Maps, rc, s: Settings, cell_px: int, n: int) -> None:
    trace = conv_trace(image, maps.kernel, rc[0], rc[1], s.padding, s.stride)
    padded = pad_image(image, s.padding, maps.kernel.shape)
    ph = (padded.shape[0] - image.shape[0]) // 2
    pw = (padded.shape[1] - image.shape[1]) // 2
    top, left, kh, kw = trace.highlight
    pad_note = "" if ph == pw == 0 else f", zero-padded to {widgets.shape_text(padded.shape)}"
    zmax = float(np.abs(maps.feature).max()) or 1.0
    big = [
        (
            _heatmap(
                padded,
                title=f"Input{pad_note}",
                cell_px=cell_px,
                colorscale=widgets.INK_SCALE,
                signed=False,
                highlight=(top + ph, left + pw, kh, kw),
                origin=(1 - ph, 1 - pw),
            ),
            "The window under the kernel (amber)." + _padding_note(image.shape, ph),
            "in",
        ),
        (
            _heatmap(
                maps.feature,
                title=f"Feature map (kernel {n})",
                signed=True,
                cell_px=cell_px,
                zmax=zmax,
                highlight=(rc[0], rc[1], 1, 1),
            ),
            f"The output cell: {_cell_name(rc)}.",
            "fm",
        ),
    ]
    _panel_row([(fig, caption, f"lab_step_{name}") for fig, caption, name in big], "lab_step_row")

    # The deck's sum as an equation of small tables: window × kernel → products → Σ.
    small = max(cell_px, 34)
    eq = st.container(horizontal=True, gap="small", vertical_alignment="center")
    parts = [
        (
            _heatmap(
                trace.window,
                title="Window I",
                cell_px=small,
                colorscale=widgets.INK_SCALE,
                signed=False,
            ),
            "win",
            "×",
        ),
        (_heatmap(trace.kernel, title="Kernel K", cell_px=small, signed=True), "ker", "→"),
        (_heatmap(trace.products, title="Kᵢⱼ × Iᵢⱼ", cell_px=small, signed=True), "prod", None),
    ]
    for fig, name, op in parts:
        with eq, _panel(fig.width):
            widgets.show_map(fig, key=f"lab_step_{name}")
        if op:
            eq.markdown(f"### {op}")
    eq.markdown(f"### Σ = {format_number(trace.total)}")
    st.markdown(
        f"**{_cell_name(rc).capitalize()}:** "
        r"$\sum K_{ij} \times I_{ij}$ = " + f"`{trace.formula()}`"
    )


def _show_pool_step(maps: Maps, rc, s: Settings, cell_px: int, n: int) -> None:
    trace = pool_trace(maps.thresholded, rc[0], rc[1], s.pool_size, s.pool_stride, s.pool_mode, s.p)
    zmax = float(np.abs(maps.feature).max()) or 1.0
    winner = None if trace.winner is None else (*trace.winner, 1, 1)
    panels = [
        (
            _heatmap(
                maps.thresholded,
                title=f"Thresholded map (kernel {n})",
                cell_px=cell_px,
                zmax=zmax,
                highlight=trace.highlight,
                second_highlight=winner,
            ),
            "The pooling window (amber)" + ("; the winning cell (green)." if winner else "."),
            "thr",
        ),
        (
            _heatmap(
                maps.pooled,
                title="Pooled map",
                cell_px=cell_px,
                zmax=zmax,
                highlight=(rc[0], rc[1], 1, 1),
            ),
            f"The output cell: {_cell_name(rc)}.",
            "pool",
        ),
    ]
    _panel_row(
        [(fig, caption, f"lab_pstep_{name}") for fig, caption, name in panels], "lab_pstep_row"
    )
    st.markdown(f"**{_cell_name(rc).capitalize()}:** `{trace.formula()}`")
    if trace.winner is not None:
        st.caption(
            f"The winner: row {trace.winner[0] + 1}, column {trace.winner[1] + 1} of the "
            "thresholded map (ties go to the first cell, reading row by row)."
        )


def convolution_3d(all_maps: list[Maps], s: Settings, cell_px: int) -> None:
    """The maps of this layer become the channels of a second convolution (the deck's 3-D
    convolution): each channel has its own k×k slice of a (C, k, k) kernel, and the output
    sums every channel's contribution."""
    ss = st.session_state
    bar = st.container(horizontal=True, gap="medium", vertical_alignment="bottom")
    ss.setdefault("lab_3d_source", "thresholded")
    ss.setdefault("lab_3d_padding", "same")
    source = bar.segmented_control(
        "Channels are the",
        ["thresholded", "pooled"],
        required=True,
        key="lab_3d_source",
        persist_state="session",
        format_func=lambda v: f"{v} maps",
    )
    padding = bar.segmented_control(
        "Padding", ["valid", "same"], required=True, key="lab_3d_padding", persist_state="session"
    )
    channels = [getattr(m, source) for m in all_maps]
    if any(c is None for c in channels):
        st.info("Some maps above could not be computed: fix the settings first.")
        return
    stack = np.stack(channels)  # (C, H, W)
    n_ch = stack.shape[0]
    if n_ch == 1:
        st.caption(
            "With one kernel there is one channel. Choose 2–4 kernels in the sidebar "
            "to see the sum over channels."
        )

    slices = []
    for c in range(n_ch):
        row = st.container(horizontal=True, gap="small", vertical_alignment="top")
        with row:
            fig = _heatmap(
                stack[c],
                title=f"Channel {c + 1}: {source} map {c + 1}",
                cell_px=cell_px,
            )
            with _panel(fig.width):
                widgets.show_map(fig, key=f"lab_3d_in{c}")
            with st.container(width=266):
                result = widgets.kernel_editor(
                    f"lab_3d_k{c}", "identity", label=f"channel {c + 1}'s kernel"
                )
            slices.append(result.values)
            try:
                part = conv2d(stack[c], result.values, padding)
            except ValueError as exc:
                st.warning(md(exc, 300), icon="⚠️")
                continue
            fig = _heatmap(
                part, title=f"Contribution of channel {c + 1}", signed=True, cell_px=cell_px
            )
            with _panel(fig.width):
                widgets.show_map(fig, key=f"lab_3d_part{c}")
                st.caption(
                    rf"$\sum_{{i,j}} K^{{{c + 1}}}_{{ij}} \times I^{{{c + 1}}}_{{ij}}$ "
                    "for every window."
                )

    if len({k.shape for k in slices}) > 1:
        st.warning(
            "The channels' kernels must all have the same size to form one (C, k, k) "
            "kernel. Pick one size for all of them.",
            icon="⚠️",
        )
        return
    kernel3d = np.stack(slices)  # (C, k, k)
    try:
        total = conv2d(stack, kernel3d, padding)
    except ValueError as exc:
        st.warning(md(exc, 300), icon="⚠️")
        return
    st.markdown(
        f"**3-D convolution** of the {widgets.shape_text(stack.shape)} stack with a "
        f"{widgets.shape_text(kernel3d.shape)} kernel: "
        r"$I * K = \sum_{channel} \sum_{i,j} K^{channel}_{ij} \times I^{channel}_{ij}$"
    )
    row = st.container(horizontal=True, gap="medium", vertical_alignment="top")
    options = _cells(total.shape)
    _clamp_choice("lab_3d_pos", options)
    with row:
        rc = divmod(int(ss.get("lab_3d_pos", 0)), total.shape[1])
        fig = _heatmap(
            total,
            title=f"Sum over channels: {widgets.shape_text(total.shape)}",
            signed=True,
            cell_px=cell_px,
            highlight=(rc[0], rc[1], 1, 1),
        )
        with _panel(fig.width):
            widgets.show_map(fig, key="lab_3d_sum")
            st.caption("Each cell adds up every channel's contribution at that place.")
        with st.container(width=420):
            index = st.select_slider(
                "Explain the cell", options, key="lab_3d_pos", format_func=_index_namer(total.shape)
            )
            rc = divmod(int(index), total.shape[1])
            trace = conv_trace(stack, kernel3d, rc[0], rc[1], padding)
            parts = " + ".join(
                f"{format_number(v)} (channel {c + 1})" for c, v in enumerate(trace.channel_sums)
            )
            st.markdown(
                f"{_cell_name(rc).capitalize()}: "
                + r"$\sum_{channel} \sum_{i,j}$ = "
                + f"{parts} = **{format_number(trace.total)}**"
            )
            with st.expander("Every product"):
                st.code(trace.formula(), language=None, wrap_lines=True)


# --- the page --------------------------------------------------------------------------------


def main() -> None:
    ss = st.session_state
    widgets.init_grid(GRID, grids.DECK_O_8x8)
    s = settings_sidebar()

    presenter = state.presenter()
    if not presenter:  # on the wall the room needs the maps more than the page's name
        st.title("Convolution lab", anchor=False)
        st.caption(
            "Draw on the input, edit a kernel, change a setting: every number below "
            "follows. Convolution → threshold → pooling, as in the lecture."
        )

    image = np.array(ss[GRID], dtype=int)
    first_kernel = widgets.kernel_side(ss, state.lab_kernel(1), 3)
    cell_px = map_cell_px(image.shape[0], s, first_kernel)
    grid_px = drawing_cell_px(image.shape[0], cell_px)

    top = st.container(horizontal=True, gap="small", vertical_alignment="top")
    grid_slot = top.container(width=image.shape[1] * grid_px + 6)
    with top, st.container(width=170, gap="xsmall"):
        widgets.grid_toolbar(GRID, key="lab_tools", compact=presenter)
        if not presenter:
            st.caption(CAPTIONS["input"])

    results = []
    for n in range(1, s.n_kernels + 1):
        with top, st.container(width=360 if presenter else 266, gap="xsmall"):
            st.markdown(f"**Kernel {n}**")
            results.append(
                widgets.kernel_editor(
                    state.lab_kernel(n),
                    DEFAULT_KERNELS[n - 1],
                    label=f"kernel {n}",
                    compact=presenter,
                )
            )
    kernels_now = [(r.values, r.name) for r in results]
    if presenter:
        with top, st.container(width="stretch"):
            st.markdown("### Convolution lab")
    explaining = bool(ss.get(session.SHOW_STEP) or ss.get(session.SHOW_3D))
    live(grid_slot, kernels_now, s, cell_px, grid_px, explaining)
    if not explaining:
        # Closed, the explanations stay out of the fragment: nothing of theirs is sent again
        # with each stroke.
        explanations(None, None, s, cell_px)


def drawing_and_maps(grid_slot, kernels_now, s: Settings, cell_px: int, grid_px: int):
    """The drawing (cells of ``grid_px``) and, for each kernel, its feature map, thresholded
    map and pooled map (cells of ``cell_px``).

    Returns the drawing (H, W) and the maps of every kernel, for the explanations.
    """
    ss = st.session_state
    # Everything is computed before anything is drawn, so the drawing and its maps leave the
    # server together: Streamlit's websocket does not disable Nagle's algorithm, and an
    # element sent a few ms after the previous one can wait ~40 ms for a delayed ACK.
    image = current_grid(ss[GRID], key="lab_draw", revision=widgets.grid_revision(GRID))
    all_maps = [compute_maps(image, values, name, s) for values, name in kernels_now]
    rows = [
        kernel_row(n, maps, image.shape, s, cell_px) for n, maps in enumerate(all_maps, start=1)
    ]
    # The maps first: the drawing already shows the stroke (the browser draws it), so the new
    # numbers are what the learner waits for.
    for row in rows:
        show_kernel_row(row)
    with grid_slot:
        ss[GRID] = draw_grid(
            ss[GRID],
            key="lab_draw",
            revision=widgets.grid_revision(GRID),
            cell_px=grid_px,
            label=f"Input image {widgets.shape_text(image.shape)}",
        )
    return image, all_maps


# A stroke on the drawing reruns only this fragment: the drawing, the maps and, when one is
# open, the explanations, which are all that depend on it. Nothing else is rebuilt or sent,
# which keeps a click fast: the browser re-renders every element a rerun touches. Kernels and
# settings come in as arguments from the last full run: changing them reruns the whole page.
@st.fragment
def live(grid_slot, kernels_now, s: Settings, cell_px: int, grid_px: int, explaining: bool):
    image, all_maps = drawing_and_maps(grid_slot, kernels_now, s, cell_px, grid_px)
    if explaining:
        explanations(image, all_maps, s, cell_px)
    # A fragment rerun skips the app's own epilogue: keep the address bar on the drawing.
    address_bar.write_url(pages.LAB_PAGE)


def explanations(image, all_maps, s: Settings, cell_px: int) -> None:
    """The step-through and the 3-D convolution, each in an expander that opens on demand.

    Closed (the default) they cost nothing per click and a projector shows the maps above
    them. Opening one reruns the page, and from then on they are drawn inside the drawing's
    fragment, which gives ``image`` and ``all_maps``; outside it they are given None.
    """
    step = st.expander(
        "Step through the sliding window",
        key=session.SHOW_STEP,
        on_change="rerun",
        icon=":material/play_circle:",
    )
    if step.open and all_maps is not None:
        with step:
            st.caption(
                "Pick an output cell, or press Play: the window on the input, the kernel, "
                "the element-wise products and their sum, as the lecture's frames."
            )
            step_through(image, all_maps, s, cell_px)
    deep = st.expander(
        "3-D convolution: the maps become channels",
        key=session.SHOW_3D,
        on_change="rerun",
        icon=":material/stacks:",
    )
    if deep.open and all_maps is not None:
        with deep:
            st.caption(
                "The thresholded (or pooled) maps of this layer's kernels are stacked "
                "into channels; a second convolution with a (C, k, k) kernel sums over "
                "them."
            )
            convolution_3d(all_maps, s, min(cell_px, 30))


main()

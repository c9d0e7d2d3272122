"""Same? — local features and shift invariance.

Drawing B is a transformed copy of drawing A (shift, scale, turn, thicken: buttons) or drawn
freely. Row by row the page compares them at three stages: the pixels, the feature maps after
convolution and threshold, and the pooled maps. With the deck's O shifted one pixel to the
right, 4 of 24 ink pixels match but 5 of 10 pooled non-zero values do: "more non-zero values
are matched". Every count comes from ``cnn_core.compare``.

Its session state (keys, defaults, the settings as one typed value) is ``session.py``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from cnn_core import grids, kernels
from cnn_core.compare import (
    CopyRecipe,
    DrawingComparison,
    PipelineSettings,
    compare_drawings,
    match_map,
    transformed_copy,
)
from playground import network_sources, state
from playground.links import codec
from playground.ui import widgets
from playground.ui.components.grid import draw_grid
from playground.ui.plain_text import md
from playground.views.same import figures as figs
from playground.views.same import session

A, B = session.A, session.B
RECIPE, FREE, SOURCE = session.RECIPE, session.FREE, session.SOURCE
DEFAULT_RECIPE = session.DEFAULT_RECIPE
SCALE_STEPS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
MAX_HEAVIER = 2
LAB_KERNELS = session.LAB_KERNELS

# The main column is ~820 px at 1280×720 with the sidebar open: three panels of a grid each.
ROW_BUDGET_PX = 790
PRESENTER_ROW_BUDGET_PX = 1050  # presenter mode, sidebar closed: the main column at 1280 px
PANEL_MARGIN_PX = 36  # a heatmap's row numbers and right margin beside its cells
PANEL_MIN_PX = 240  # room for the buttons under a small grid
# Kernel previews in the sidebar; at least 120 px of cells, as plotly squashes the last
# column of narrower heatmaps.
KERNEL_CELL_PX = 30
METRIC_PX, METRIC_PX_PRESENTER = 250, 330
# Metric values stay big in presenter mode too (its CSS resizes every markdown paragraph,
# which includes a metric's value).
SCORE_CSS = """<style>
.st-key-same_scores [data-testid="stMetricValue"] p,
.st-key-same_model_row [data-testid="stMetricValue"] p {
  font-size: 2.25rem !important; line-height: 1.3 !important;
}
</style>"""

ss = st.session_state


# --- state and callbacks --------------------------------------------------------------------


def init_state() -> None:
    widgets.init_grid(A, grids.DECK_O_8x8)
    ss.setdefault(RECIPE, DEFAULT_RECIPE)
    ss.setdefault(FREE, False)
    if B not in ss:
        widgets.init_grid(B, transformed_copy(ss[A], ss[RECIPE]))
        ss[SOURCE] = np.array(ss[A])


def remake_b() -> None:
    """B := the recipe applied to A (and B follows A again)."""
    ss[FREE] = False
    widgets.set_grid(B, transformed_copy(ss[A], ss[RECIPE]))
    ss[SOURCE] = np.array(ss[A])


def follow_a() -> None:
    """Keep B a copy of A after A changed (unless B was drawn by hand)."""
    a = np.asarray(ss[A])
    if ss[FREE]:
        if np.shape(ss[B]) != a.shape:  # A got a new size: B goes along, centred
            widgets.set_grid(B, grids.resize_canvas(ss[B], a.shape[0]))
        return
    if not np.array_equal(ss[SOURCE], a):
        remake_b()


def _change_recipe(**changes) -> None:
    ss[RECIPE] = dataclasses.replace(ss[RECIPE], **changes)
    remake_b()


def on_shift(dr: int, dc: int) -> None:
    recipe, limit = ss[RECIPE], np.shape(ss[A])[0] - 1
    _change_recipe(
        dr=int(np.clip(recipe.dr + dr, -limit, limit)),
        dc=int(np.clip(recipe.dc + dc, -limit, limit)),
    )


def on_turn() -> None:
    _change_recipe(turns=(ss[RECIPE].turns + 1) % 4)


def on_scale(step: int) -> None:
    index = SCALE_STEPS.index(ss[RECIPE].factor) + step
    _change_recipe(factor=SCALE_STEPS[int(np.clip(index, 0, len(SCALE_STEPS) - 1))])


def on_thicker() -> None:
    _change_recipe(heavier=min(ss[RECIPE].heavier + 1, MAX_HEAVIER))


def on_reset_copy() -> None:
    ss[RECIPE] = CopyRecipe()
    remake_b()


def on_clear_b() -> None:
    widgets.set_grid(B, np.zeros_like(ss[B]))
    ss[FREE] = True


def on_deck_example() -> None:
    widgets.set_grid(A, grids.DECK_O_8x8)
    ss[RECIPE] = DEFAULT_RECIPE
    remake_b()


def on_lab_drawing() -> None:
    drawing = network_sources.lab_drawing()
    if drawing is not None:
        widgets.set_grid(A, drawing)
        remake_b()


# --- settings -------------------------------------------------------------------------------


def settings_sidebar() -> tuple[list[np.ndarray], list[str], PipelineSettings]:
    """The kernels and the pipeline, in the sidebar; the deck's choices by default."""
    session.init_settings(ss)
    sb = st.sidebar
    sb.subheader("Same? settings")
    lab, from_lab = network_sources.current_kernels()
    source = sb.selectbox(
        "Kernels",
        [LAB_KERNELS, *kernels.PRESETS],
        key=session.KERNELS,
        persist_state="session",
        help="The lab's current kernels (the deck's diagonal kernel until you change them "
        "in the lab), or one preset.",
    )
    if source == LAB_KERNELS:
        chosen = lab
        names = [f"lab kernel {n}" for n in range(1, len(lab) + 1)]
        if not from_lab:
            names = [f"{network_sources.DEFAULT_KERNEL} (the lab's default)"]
    else:
        chosen, names = [kernels.preset(source)], [source]
    previews = sb.container(horizontal=True, gap="small", key="same_kernel_previews")
    for index, kernel in enumerate(chosen):
        with previews:
            widgets.show_heatmap(
                widgets.heatmap_figure(
                    kernel,
                    title=f"kernel {index + 1}" if len(chosen) > 1 else "kernel",
                    signed=True,
                    cell_px=max(KERNEL_CELL_PX, -(-120 // kernel.shape[1])),
                ),
                key=f"same_kernel_preview_{index}",
            )
    sb.segmented_control(
        "Padding",
        ["same", "valid"],
        required=True,
        key=session.PADDING,
        persist_state="session",
        help="same: zeros around the drawing, the maps keep its size (odd kernels only).",
    )
    sb.number_input(
        "Threshold t",
        codec.T_MIN,
        codec.T_MAX,
        step=codec.NUMBER_STEP,
        key=session.T,
        persist_state="session",
        help="Values above t are kept, the others become 0 (t = 0: the deck's threshold).",
    )
    widgets.pool_mode_control(sb, session.POOL_MODE)
    sb.number_input(
        "Pool size m", 1, codec.MAX_POOL, key=session.POOL_SIZE, persist_state="session"
    )
    return chosen, names, session.read_settings(ss)


def panel_cell_px(size: int) -> int:
    """One cell size for every grid and map on the page, so rows line up.

    Three panels of an H×H grid fit side by side in the main column at 1280×720: with the
    sidebar open normally, with it closed in presenter mode (bigger cells; with the sidebar
    open the panels wrap).
    """
    budget = PRESENTER_ROW_BUDGET_PX if state.presenter() else ROW_BUDGET_PX
    gaps = 2 * 16  # the rows' "small" gaps
    panel = (budget - gaps) // 3  # each of the three panels' share of the row
    return state.fit_cell_px(
        size, panel, fixed_px=PANEL_MARGIN_PX, smallest=12, largest=state.cell_px()
    )


# --- the page -------------------------------------------------------------------------------


def scoreboard(result: DrawingComparison) -> None:
    """The three match counts in a row, then the deck's conclusion if the numbers show it."""
    st.html(SCORE_CSS)
    row = st.container(horizontal=True, gap="medium", key="same_scores")
    stages = (
        ("Pixels", "ink pixels", result.pixels, None),
        ("After convolution + threshold", "non-zero values", result.thresholded, result.pixels),
        ("After pooling", "non-zero values", result.pooled, result.pixels),
    )
    for label, unit, match, baseline in stages:
        delta = None if baseline is None else figs.points_delta(match, baseline)
        row.metric(
            label,
            f"{figs.count_text(match)} = {figs.percent(match)}",
            delta,
            border=True,
            width=METRIC_PX_PRESENTER if state.presenter() else METRIC_PX,
            help=f"{match.both} {unit} are non-zero in both A and B; {match.either} are "
            f"non-zero in A or in B ({match.only_a} only in A, {match.only_b} only in B).",
        )
    sentence, shown = figs.conclusion(result.pixels, result.pooled)
    (st.success if shown else st.info)(sentence)
    st.caption(
        "Match = cells non-zero in **both** A and B, over the cells non-zero in **either** "
        "(cells empty in both are not counted; values need not be equal, only both non-zero). "
        "Feature maps count every kernel's map."
    )


def a_controls() -> None:
    widgets.grid_toolbar(A, key="same_a_tools")
    buttons = st.container(horizontal=True, gap="small")
    buttons.button(
        "Deck example",
        key="same_deck",
        on_click=on_deck_example,
        help="The deck's O, and B = the O shifted one pixel to the right",
    )
    if network_sources.lab_drawing() is not None:
        buttons.button(
            "Lab's drawing",
            key="same_from_lab",
            on_click=on_lab_drawing,
            help="Copy the drawing from the Convolution lab into A",
        )


def b_controls() -> None:
    recipe = ss[RECIPE]
    shifts = st.container(horizontal=True, gap="small")
    for text, dr, dc, where in (
        ("←", 0, -1, "left"),
        ("↑", -1, 0, "up"),
        ("↓", 1, 0, "down"),
        ("→", 0, 1, "right"),
    ):
        shifts.button(
            text,
            key=f"same_shift_{where}",
            on_click=on_shift,
            args=(dr, dc),
            help=f"Shift the copy one more pixel {where}",
        )
    shifts.button(
        "Turn 90°", key="same_turn", on_click=on_turn, help="A quarter turn counter-clockwise"
    )
    more = st.container(horizontal=True, gap="small")
    more.button(
        "Bigger",
        key="same_bigger",
        on_click=on_scale,
        args=(1,),
        disabled=recipe.factor >= SCALE_STEPS[-1],
        help="Scale up about the centre",
    )
    more.button(
        "Smaller",
        key="same_smaller",
        on_click=on_scale,
        args=(-1,),
        disabled=recipe.factor <= SCALE_STEPS[0],
        help="Scale down about the centre",
    )
    more.button(
        "Thicker",
        key="same_thicker",
        on_click=on_thicker,
        disabled=recipe.heavier >= MAX_HEAVIER,
        help="Heavier strokes",
    )
    last = st.container(horizontal=True, gap="small")
    last.button("B = A", key="same_reset", on_click=on_reset_copy, help="An exact copy of A again")
    last.button("Clear B", key="same_clear_b", on_click=on_clear_b, help="Draw B yourself")


def panel_width(cell: int) -> int:
    return max(cell * int(np.shape(ss[A])[1]) + PANEL_MARGIN_PX, PANEL_MIN_PX)


def pixel_row(cell: int):
    """Drawings A and B (editable) with their buttons; returns the slot for their overlay."""
    row = st.container(horizontal=True, gap="small", key="same_pixel_row")
    with row.container(width=panel_width(cell), key="same_panel_a"):
        st.markdown("**A** — draw here")
        ss[A] = draw_grid(ss[A], key="same_grid_a", revision=widgets.grid_revision(A), cell_px=cell)
        follow_a()
        a_controls()
    with row.container(width=panel_width(cell), key="same_panel_b"):
        title = st.empty()
        drawn = draw_grid(ss[B], key="same_grid_b", revision=widgets.grid_revision(B), cell_px=cell)
        if not np.array_equal(drawn, ss[B]):
            ss[B] = drawn
            ss[FREE] = True
        what = "drawn by hand" if ss[FREE] else f"A {ss[RECIPE].describe()}"
        title.markdown(f"**B** = {what}")
        b_controls()
    overlay = row.container(width=panel_width(cell), key="same_panel_overlay")
    overlay.markdown("**A and B** on top of each other")
    return overlay


def legend() -> None:
    st.html(f"<div style='line-height:1.9'>{figs.LEGEND_HTML}</div>")
    st.caption("Green frames in the maps below mark cells that are non-zero in both A and B.")


def map_rows(result: DrawingComparison, names: list[str], cell: int) -> None:
    k = 0
    if len(names) > 1:
        k = st.segmented_control(
            "Maps of",
            list(range(len(names))),
            default=0,
            required=True,
            format_func=lambda i: names[i],
            key="same_map_kernel",
        )
    thr_t, pool_p = result.per_kernel[k]
    stages = (
        ("convolution + threshold", result.maps_a.thresholded, result.maps_b.thresholded, thr_t),
        ("pooling", result.maps_a.pooled, result.maps_b.pooled, pool_p),
    )
    for index, (stage, maps_a, maps_b, match) in enumerate(stages):
        map_a, map_b = maps_a[k], maps_b[k]
        name = ("thr", "pool")[index]
        st.markdown(
            f"**After {stage}** — {names[k]}: {match.both} of {match.either} non-zero "
            f"values match ({figs.percent(match)})"
        )
        zmax = max(float(np.abs(map_a).max()), float(np.abs(map_b).max()), 1.0)
        both = figs.match_cells(map_a, map_b)
        row = st.container(horizontal=True, gap="small", key=f"same_{name}_row")
        shape = widgets.shape_text(map_a.shape)
        for side, values in (("A", map_a), ("B", map_b)):
            fig = widgets.heatmap_figure(
                values,
                title=f"{side} {shape}",
                signed=False,
                zmax=zmax,
                cell_px=cell,
                second_highlight=both,
            )
            with row.container(width=panel_width(cell)):
                widgets.show_heatmap(fig, key=f"same_{name}_{side.lower()}")
        fig = figs.overlay_figure(
            match_map(map_a, map_b), title=f"A and B: {figs.count_text(match)}", cell_px=cell
        )
        with row.container(width=panel_width(cell)):
            widgets.show_heatmap(fig, key=f"same_{name}_overlay")


def model_row(cell: int) -> None:
    """What the Train page's model says about A and about B, under the drawings."""
    model = network_sources.trained_model()
    if model is None:
        st.caption(
            "No trained model yet: train one on the Train page to see what it says A and B are."
        )
        return
    row = st.container(horizontal=True, gap="small", key="same_model_row")
    for side, key in (("A", A), ("B", B)):
        prediction = network_sources.predict(model, ss[key])
        with row.container(width=panel_width(cell)):
            if isinstance(prediction, str):
                st.warning(f"{side}: {md(prediction, 300)}")
            else:
                label, proba = prediction
                shares = " · ".join(f"{md(c)} {round(100 * p)} %" for c, p in proba.items())
                st.metric(
                    f"The trained model says {side} is",
                    md(label),
                    shares,
                    help=f"The model from the Train page ({network_sources.model_status()}).",
                    delta_color="off",
                    delta_arrow="off",
                    border=True,
                )


st.title("Same?")
if not state.presenter():  # on the wall the drawings come first (see the slots below)
    st.caption(
        "How to determine both are the same? Pixel by pixel, a copy shifted by one pixel "
        "hardly matches. Critical LOCAL features still match: find them with convolution, "
        "then pool."
    )
init_state()
chosen_kernels, kernel_names, settings = settings_sidebar()
cell_px = panel_cell_px(np.shape(ss[A])[0])

# Slots in page order, filled in the order the data needs: the grids first, because a stroke
# changes A or B and every number below must already show the new drawing.
# In presenter mode the drawings come first: they are the page's main figure, and the
# scores under them still fit the first screen at 1280×720.
if state.presenter():
    overlay_slot = pixel_row(cell_px)
    scores_slot = st.container()
else:
    scores_slot = st.container()
    overlay_slot = pixel_row(cell_px)

try:
    comparison = compare_drawings(ss[A], ss[B], chosen_kernels, settings)
except ValueError as error:
    scores_slot.error(f"These settings do not work with these kernels: {md(error, 300)}")
    comparison = None

if comparison is not None:
    with scores_slot:
        scoreboard(comparison)
    with overlay_slot:
        widgets.show_heatmap(
            figs.overlay_figure(
                match_map(ss[A], ss[B]),
                title=f"A and B: {figs.count_text(comparison.pixels)}",
                cell_px=cell_px,
            ),
            key="same_overlay_pixels",
        )
        legend()
model_row(cell_px)
if comparison is not None:
    st.subheader("What the network compares")
    map_rows(comparison, kernel_names, cell_px)

"""One lesson step's live view: ``View`` reads and writes the step's drawings, kernels and
settings (lesson/session.py) through widgets, and the small drawing helpers every view uses
(a heatmap in a box of its width, a drawing as ink, a row of figures)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import grids
from playground import state
from playground.ui import widgets
from playground.ui.components.grid import draw_grid
from playground.views.lesson import session as lesson_session
from playground.views.lesson.steps import Step

ss = st.session_state

# Width the main column gives a row of figures at 1280×720 with the sidebar open; cells
# shrink (down to MIN_CELL_PX) so a step's view fits one screen width. Presenter mode keeps
# its big cells and lets the rows wrap instead.
ROW_BUDGET_PX = 800
PRESENTER_CELL_PX = 36
MIN_CELL_PX = 20
EDITOR_PX = 280  # the kernel editor's column
FIGURE_EXTRA_PX = 48  # a heatmap's row/column labels and the gap beside it
MIN_FIGURE_PX = 150


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


def next_window(view: View, oh: int, ow: int) -> None:
    """The deck's order: down the first column, then the next column."""
    r, c = int(view.setting("r")), int(view.setting("c"))
    r += 1
    if r > oh:
        r, c = 1, c % ow + 1
    ss[view.setting_key("r")] = r
    ss[view.setting_key("c")] = c


def set_value(key: str, value) -> None:
    ss[key] = value


def reseed(key: str) -> None:
    ss[key] = int(ss.get(key, 0)) + 1


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


def _shift(v: View, i: int, dr: int, dc: int) -> None:
    v.set_drawing(i, grids.shift(v.grid_now(i), dr, dc))


def shift_buttons(v: View, i: int) -> None:
    bar = st.container(horizontal=True, gap="small")
    for text, (dr, dc) in (("←", (0, -1)), ("↑", (-1, 0)), ("↓", (1, 0)), ("→", (0, 1))):
        bar.button(
            text,
            key=v.key(f"shift{i}_{text}"),
            help="Move the drawing one cell",
            on_click=_shift,
            args=(v, i, dr, dc),
        )

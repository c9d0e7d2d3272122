"""Train: a small CNN learns X versus O live, and the masks are found by gradient descent.

The deck ends with "Who determines convolution masks? … Masks are found with gradient descent
methods." This page does it in front of the room: the settings are in the sidebar, Train
starts a `TrainingRun` (playground/train_run.py) kept in this session's state and trained
in a worker process (playground/training_pool.py), and two fragments on timers redraw the
curves (bringing in the worker's next chunk after each redraw) and the learned kernels,
beside the deck's hand-made ones. Pause stops advancing, Resume continues the same run,
Reset throws the run away (and the worker's copy with it). After training: the confusion
matrix, the test drawings it gets wrong, and the learner's own drawing classified on every
stroke; a drawing can join the training set with a label.

Its session state (keys, defaults, the settings read as one CNNConfig) is ``session.py``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnn_core import grids, kernels
from cnn_core.model import CNNConfig
from playground import state, training_pool
from playground.descent_view import descent_panel
from playground.links import codec
from playground.live_training import (
    LIVE_INTERVAL_S,
    LiveKeys,
    generated_dataset,
    live_plan,
    live_view,
)
from playground.train_charts import (
    KERNEL_MARGIN,
    kernel_maps,
    label_axes,
    mosaic_figure,
    percent,
)
from playground.train_run import (
    DIVERGED,
    DONE,
    PAUSED,
    RUNNING,
    Added,
    TrainingRun,
    check_label,
    merge_added,
)
from playground.ui import widgets
from playground.ui.components.grid import draw_grid
from playground.ui.components.maps import GAP_PX, row_width_px, show_maps
from playground.ui.plain_text import md, svg
from playground.views.train import session

RUN, LIVE_LOAD, ADDED = session.RUN, session.LIVE_LOAD, session.ADDED
GRID, NOTICE = session.GRID, session.NOTICE
LIVE = LiveKeys(run=RUN, load=LIVE_LOAD, chart="train_curves")

# The learned kernels are a second fragment on a timer (the curves are playground/
# live_training.py), redrawn less often than the curves, the more numbers the less often
# (KERNELS_INTERVAL_S). Redrawn with every frame of the curves instead, they made the default
# run 0.5 s slower on the page (3.2 s against 2.4–2.8 s, bench/train_page.py, same run).
KERNELS_INTERVAL_S = (0.3, 1.0)  # for a handful of numbers … for 400 (16 kernels of 5×5)
# The learned kernels' row fits this width, leaving room for the deck's kernels in a column
# beside it (the main column is ~820 px at 1280×720 with the sidebar open; presenter mode
# assumes the sidebar closed), with cells of at least MIN_KERNEL_CELL_PX.
KERNEL_ROW_BUDGET_PX = {False: 640, True: 1000}
MIN_KERNEL_CELL_PX = 26

DECK_KERNELS = {
    "deck diagonal \\": "diagonal \\",
    "deck diagonal /": "diagonal /",
    "horizontal line": "horizontal",
}  # preset name → short title
MAX_MISTAKES_SHOWN = 12
MISTAKE_CELL_PX = 14
MISTAKES_ROW_BUDGET_PX = 540  # beside the confusion matrix at 1280×720
DEFAULTS = session.DEFAULT


# --- settings (sidebar) ----------------------------------------------------------------------


def settings_sidebar() -> None:
    """The training settings in the sidebar; `settings()` reads them."""
    session.init_settings(st.session_state)
    sb = st.sidebar
    sb.subheader("Training settings")
    sb.caption("Data")
    sb.slider(
        "Training drawings",
        codec.TRAIN_N_TRAIN[0],
        max(codec.TRAIN_N_TRAIN[1], DEFAULTS.n_train),
        step=20,
        key=session.SETTINGS["n_train"],
        persist_state="session",
        help="Generated X and O drawings (half each) with the deck's variations: "
        "translation, scaling, rotation, stroke weight.",
    )
    sb.slider(
        "Test drawings (held out)",
        codec.TRAIN_N_TEST[0],
        max(codec.TRAIN_N_TEST[1], DEFAULTS.n_test),
        step=20,
        key=session.SETTINGS["n_test"],
        persist_state="session",
        help="Never trained on: they show whether the network learned X and O or just "
        "memorised its training drawings.",
    )
    sb.slider(
        "Noise",
        *codec.TRAIN_NOISE,
        step=0.01,
        key=session.SETTINGS["noise"],
        persist_state="session",
        help="Chance that a pixel is flipped.",
    )
    sb.number_input(
        "Seed",
        *codec.TRAIN_SEED,
        step=1,
        key=session.SETTINGS["seed"],
        persist_state="session",
        help="The same seed gives the same drawings and the same starting weights.",
    )

    sb.caption("Kernels (the masks)")
    sb.slider(
        "Kernels",
        codec.TRAIN_N_KERNELS[0],
        max(codec.TRAIN_N_KERNELS[1], DEFAULTS.n_kernels),
        key=session.SETTINGS["n_kernels"],
        persist_state="session",
    )
    sb.segmented_control(
        "Kernel size",
        list(range(codec.KERNEL_MIN, codec.KERNEL_MAX + 1)),
        required=True,
        format_func=lambda k: f"{k}×{k}",
        key=session.SETTINGS["kernel_size"],
        persist_state="session",
    )
    sb.segmented_control(
        "Start from",
        list(codec.TRAIN_INITS),
        required=True,
        format_func={"random": "random", "deck": "the deck's kernels"}.get,
        key=session.SETTINGS["kernel_init"],
        persist_state="session",
        help="Random numbers, or the experts' masks: the deck's two diagonals and the "
        "horizontal line (3×3).",
    )
    sb.toggle(
        "Freeze the kernels",
        key=session.SETTINGS["freeze_kernels"],
        persist_state="session",
        help="Keep the kernels as they start; only the last layer learns.",
    )

    sb.caption("Gradient descent")
    sb.segmented_control(
        "Optimizer",
        list(codec.TRAIN_OPTIMIZERS),
        required=True,
        format_func={"adam": "Adam", "sgd": "SGD + momentum"}.get,
        key=session.SETTINGS["optimizer"],
        persist_state="session",
    )
    sb.number_input(
        "Learning rate",
        max_value=codec.TRAIN_LR_MAX,
        step=0.01,
        format="%g",
        key=session.SETTINGS["learning_rate"],
        persist_state="session",
        help="The step size. Try 50 to watch training blow up.",
    )
    sb.slider(
        "Epochs",
        codec.TRAIN_EPOCHS[0],
        max(codec.TRAIN_EPOCHS[1], DEFAULTS.epochs),
        key=session.SETTINGS["epochs"],
        persist_state="session",
        help="Passes over the training drawings.",
    )


def settings() -> tuple[CNNConfig | None, int, str | None]:
    """The sidebar's choices → (config or None, seed, error or None), read from session
    state (not from the widgets' return values) so that a button callback sees a setting
    changed in the same interaction."""
    return session.read_config(st.session_state)


# --- buttons ---------------------------------------------------------------------------------


def _on_train() -> None:
    """Start afresh with the sidebar's settings and the learner's added drawings."""
    ss = st.session_state
    config, seed, error = settings()
    if config is None:
        ss[NOTICE] = ("error", f"These settings cannot be trained: {md(error, 300)}")
        return
    try:
        generated = generated_dataset(
            config.n_train, config.n_test, config.grid_size, config.noise, seed
        )
        data = merge_added(generated, ss[ADDED])
        # Checked here, trained in a worker process (playground/training_pool.py).
        pool = training_pool.shared_pool()
        load = pool.busy_jobs() + 1
        run = TrainingRun(config, data, seed, pool=pool, max_reports=live_plan(load)[2])
    except ValueError as error:  # e.g. labels the model cannot take; keep the last run
        ss[NOTICE] = ("error", f"Training could not start: {md(error, 300)}")
        return
    _close_run()
    ss[RUN] = run
    ss[LIVE_LOAD] = load


def _on_pause() -> None:
    run = st.session_state.get(RUN)
    if run is not None:
        run.paused = True


def _on_resume() -> None:
    run = st.session_state.get(RUN)
    if run is not None:
        run.paused = False


def _close_run() -> None:
    """Forget this session's run, and let its worker forget it too."""
    run = st.session_state.get(RUN)
    if run is not None:
        run.close()
    st.session_state[RUN] = None


def _on_reset() -> None:
    _close_run()


def controls(config: CNNConfig | None, seed: int, error: str | None) -> None:
    """Train / Pause / Resume / Reset, each enabled only when it makes sense."""
    run: TrainingRun | None = st.session_state[RUN]
    status = run.status if run is not None else None
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.button(
        "Train again" if run is not None else "Train",
        key="train_start",
        type="primary",
        icon=":material/play_arrow:",
        disabled=config is None,
        on_click=_on_train,
        help="Start from scratch with the settings in the sidebar (and your added drawings).",
    )
    row.button(
        "Pause",
        key="train_pause",
        icon=":material/pause:",
        disabled=status != RUNNING,
        on_click=_on_pause,
    )
    row.button(
        "Resume",
        key="train_resume",
        icon=":material/resume:",
        disabled=status != PAUSED,
        on_click=_on_resume,
    )
    row.button(
        "Reset",
        key="train_reset",
        icon=":material/restart_alt:",
        disabled=run is None,
        on_click=_on_reset,
        help="Forget this network and its curves.",
    )
    if error:
        st.error(f"These settings cannot be trained: {md(error, 300)}", icon="⚠️")
    elif run is not None and (run.config != config or run.seed != seed):
        row.caption("Settings changed: press **Train again** to use them.")


def kernel_layout(count: int, k: int, cell_px: int) -> tuple[int, int]:
    """(cell size, kernels per row) for `count` k×k kernels: as few rows as fit the main
    column's width with cells of at least MIN_KERNEL_CELL_PX (below that the numbers get hard
    to read), the rows then evened out (16 kernels: 4 × 4, not 5 + 5 + 5 + 1) and the cells
    grown back towards the page's cell size if there is room."""
    budget = KERNEL_ROW_BUDGET_PX[state.presenter()]
    # A kernel is k cells and its map's side margins; GAP_PX between two kernels of a row.
    beside = KERNEL_MARGIN["l"] + KERNEL_MARGIN["r"]
    smallest = k * MIN_KERNEL_CELL_PX + beside
    per_row = max(1, min(count, (budget + GAP_PX) // (smallest + GAP_PX)))
    rows = -(-count // per_row)
    per_row = -(-count // rows)
    fixed = per_row * beside + (per_row - 1) * GAP_PX
    cell = state.fit_cell_px(
        per_row * k, budget, fixed_px=fixed, smallest=MIN_KERNEL_CELL_PX, largest=cell_px
    )
    return cell, per_row


def kernels_interval(config: CNNConfig) -> float:
    """Seconds between two redraws of the learned kernels: more numbers, fewer redraws."""
    low, high = KERNELS_INTERVAL_S
    numbers = config.n_kernels * config.kernel_size**2
    return min(high, low + (high - low) * numbers / 400)


def learned_kernels(cell_px: int) -> None:
    """The first layer's kernels now, with their numbers, on one colour scale. A fragment
    the browser reruns every `kernels_interval` seconds while training."""
    run: TrainingRun | None = st.session_state.get(RUN)
    if run is None:
        return
    values = run.kernels  # (K, k, k)
    cell, per_row = kernel_layout(len(values), values.shape[1], cell_px)
    panels = kernel_maps(
        values,
        titles=[f"kernel {i + 1}" for i in range(len(values))],
        cell_px=cell,
        key="train_kernel",
        fmt=lambda v: f"{round(v, 1) + 0.0:.1f}",  # + 0.0: no "-0.0"
    )
    frozen = " (frozen: only the last layer learns)" if run.config.freeze_kernels else ""
    with st.container(width="content"):
        st.markdown(f"**Learned by gradient descent**{frozen} · step {run.step}")
        show_maps(panels, key="train_kernels", width=row_width_px(panels, per_row))


def deck_kernels(cell_px: int) -> None:
    """The deck's hand-made kernels, drawn the same way (same cell size as the learned ones),
    for comparison, one above the other."""
    values = np.stack([kernels.preset(name) for name in DECK_KERNELS])
    titles = list(DECK_KERNELS.values())
    with st.container(width="content"):
        st.markdown("**Designed by<br>experts** (deck)", unsafe_allow_html=True)
        panels = kernel_maps(values, titles=titles, cell_px=cell_px, key="train_deck_kernel")
        show_maps(panels, key="train_deck_kernels", width=row_width_px(panels, 1))


# --- after training: the learner's drawing, the confusion matrix, the mistakes ---------------


def _set_drawing(name: str) -> None:
    size = DEFAULTS.grid_size
    picture = {"X": grids.DECK_X_8x8, "O": grids.DECK_O_8x8}.get(name)
    new = np.zeros((size, size), dtype=int) if picture is None else picture
    widgets.set_grid(GRID, grids.resize_canvas(new, size))


def _on_add(label: str | None, from_text_input: bool = False) -> None:
    """Put the current drawing into the training set with `label` (the text box's if None)."""
    ss = st.session_state
    grid = np.array(ss[GRID], dtype=int)
    try:
        if from_text_input:
            label = check_label(ss.get("train_new_label"))
        if not grid.any():
            raise ValueError("The grid is empty: draw something first.")
    except ValueError as error:
        ss[NOTICE] = ("warning", md(error, 300))
        return
    ss[ADDED] = [*ss[ADDED], Added(grid, label)]
    ss[NOTICE] = (
        "success",
        f"Added your drawing as **{md(label)}** (with its one-cell shifts). "
        "Press **Train again** to retrain with it.",
    )


def _on_forget() -> None:
    st.session_state[ADDED] = []
    st.session_state[NOTICE] = ("info", "Your drawings were removed from the training set.")


def drawing_panel(run: TrainingRun | None, cell_px: int, notice) -> None:
    """The learner's drawing (the same grid component as the lab) beside what the network
    says about it, classified on every stroke, and buttons that add it to the training set.

    Both panels have fixed widths so the grid is never squeezed (cells stay `cell_px` wide)
    and the confusion matrix takes what is left, or wraps below on a narrow screen."""
    ss = st.session_state
    side = ss[GRID].shape[1]
    with st.container(width=side * cell_px + 12):
        ss[GRID] = draw_grid(
            ss[GRID], key="train_draw", revision=widgets.grid_revision(GRID), cell_px=cell_px
        )
        tools = st.container(horizontal=True, gap="xsmall")
        tools.button("Clear", key="train_clear", on_click=_set_drawing, args=("clear",))
        tools.button("An X", key="train_load_x", on_click=_set_drawing, args=("X",))
        tools.button("An O", key="train_load_o", on_click=_set_drawing, args=("O",))
    with st.container(width=250):
        verdict(run)
        add = st.container(horizontal=True, gap="xsmall")
        add.button("Add as X", key="train_add_x", on_click=_on_add, args=("X",))
        add.button("Add as O", key="train_add_o", on_click=_on_add, args=("O",))
        new = st.container(horizontal=True, gap="xsmall", vertical_alignment="bottom")
        new.text_input("New label", key="train_new_label", placeholder="e.g. triangle",
                       width=120)  # fmt: skip
        new.button("Add", key="train_add_new", on_click=_on_add, args=(None, True),
                   help="Add the drawing with the label typed on the left")  # fmt: skip
        if notice is not None:
            kind, text = notice
            getattr(st, kind)(text)
        added_drawings(run)


def verdict(run: TrainingRun | None) -> None:
    """The predicted label, written large, and a probability bar per class."""
    if run is None:
        st.metric("The network says", "?", border=True)
        st.caption("Train the network first; then every stroke is classified.")
        return
    try:
        proba = run.predict(st.session_state[GRID])
    except ValueError as error:  # never a traceback on the page: say what went wrong
        st.warning(f"The network could not classify this drawing: {md(error, 300)}")
        proba = {}
    best = max(proba, key=proba.get, default="?")
    when = "" if run.status in (DONE, DIVERGED) else f" (at step {run.step})"
    st.metric(f"The network says{when}", md(best), border=True)
    for label, p in proba.items():
        st.progress(p, text=f"**{md(label)}** {p:.0%}")


def added_drawings(run: TrainingRun | None) -> None:
    """Which of the learner's drawings are in the training set, and whether a run used them."""
    added = st.session_state[ADDED]
    if not added:
        return
    counts: dict[str, int] = {}
    for item in added:
        counts[item.label] = counts.get(item.label, 0) + 1
    listing = ", ".join(f"{md(label)} × {n}" for label, n in counts.items())
    used = run is not None and run.data.n_added > 0
    st.caption(
        f"Your drawings in the training set: {listing}"
        + ("" if used else " (not used yet: press Train again)")
    )
    st.button("Forget my drawings", key="train_forget", on_click=_on_forget)


def results(run: TrainingRun, proba: np.ndarray, cell_px: int) -> None:
    """Confusion matrix of the held-out test drawings: rows are the true labels, columns
    what the network said; the diagonal is what it gets right. In a box of its own width.

    proba : (n_test, n_classes) the network's probabilities for the test drawings."""
    counts = run.confusion(proba)
    classes = run.classes
    cell = max(cell_px + 16, 52)
    with st.container(width=max(len(classes) * cell + 60, 210)):
        st.markdown("**Confusion matrix**")
        st.caption("Test drawings. Row: the true label; column: what the network said.")
        fig = widgets.heatmap_figure(counts, title="", signed=False, cell_px=cell)
        label_axes(fig, x_labels=classes, y_labels=classes)
        widgets.show_heatmap(fig, key="train_confusion")
        right = int(np.trace(counts))
        st.caption(f"{right} of {counts.sum()} right ({percent(right / counts.sum())}).")


def mistakes(run: TrainingRun, proba: np.ndarray) -> None:
    """The held-out drawings the network gets wrong, the most confident mistakes first."""
    wrong = run.misclassified(proba)
    total = len(run.data.y_test)
    if not wrong:
        st.markdown(f"**Misclassified test drawings:** none of the {total}.")
        return
    shown = wrong[:MAX_MISTAKES_SHOWN]
    st.markdown(
        f"**Misclassified test drawings:** {len(wrong)} of {total}"
        + (f", the {len(shown)} most confident mistakes:" if len(wrong) > len(shown) else ":")
    )
    # One figure for all of them (cheaper to draw than a chart each); no numbers: drawings.
    per_row = max(1, (MISTAKES_ROW_BUDGET_PX + 2 * MISTAKE_CELL_PX) // (10 * MISTAKE_CELL_PX))
    fig = mosaic_figure(
        run.data.X_test[[i for i, *_ in shown]],
        titles=[f"{svg(true)} → {svg(said)} {p:.0%}" for _, true, said, p in shown],
        cell_px=MISTAKE_CELL_PX,
        per_row=per_row,
        fmt=lambda v: "",
        signed=False,
        colorscale=widgets.INK_SCALE,
        gap=2,
    )
    widgets.show_heatmap(fig, key="train_mistakes")


# --- the page --------------------------------------------------------------------------------


def main() -> None:
    ss = st.session_state
    ss.setdefault(RUN, None)
    ss.setdefault(ADDED, [])
    widgets.init_grid(GRID, grids.DECK_X_8x8)
    cell_px = state.cell_px()

    settings_sidebar()
    config, seed, error = settings()

    st.title("Train: who determines the masks?")
    st.caption(
        "“Designed by EXPERTS!! … In CNN, masks are found with gradient descent methods.” "
        "A small CNN written in NumPy learns X versus O here, in this browser session."
    )
    controls(config, seed, error)

    run: TrainingRun | None = ss[RUN]
    running = run is not None and run.status == RUNNING
    # Below the curves: the learned kernels (their own fragment) and the deck's, side by side
    # when they fit.
    interval, _, _ = live_plan(ss.get(LIVE_LOAD, 1))
    st.fragment(live_view, run_every=interval if running else None)(LIVE)
    shaping = run.config if run is not None else (config or DEFAULTS)
    deck_cell, _ = kernel_layout(shaping.n_kernels, shaping.kernel_size, cell_px)
    with st.container(horizontal=True, gap="medium", wrap=True):
        slower = interval / LIVE_INTERVAL_S  # the kernels coalesce as the curves do
        kernels_every = kernels_interval(shaping) * slower if running else None
        with st.container(width="content"):  # so the deck's kernels sit right beside them
            st.fragment(learned_kernels, run_every=kernels_every)(cell_px)
        deck_kernels(deck_cell)

    st.divider()
    st.subheader("Try it: draw an X or an O")
    with st.container(horizontal=True, gap="large", wrap=True):
        drawing_panel(run, cell_px, ss.pop(NOTICE, None))

    st.subheader("How good is it?")
    if run is None or run.latest is None:
        st.caption("The confusion matrix and the mistakes appear once the network trains.")
    elif running:
        st.caption("Training… the confusion matrix appears when it stops or is paused.")
    else:
        proba = run.test_predictions()
        with st.container(horizontal=True, gap="large", wrap=True):
            results(run, proba, cell_px)
            with st.container(width="stretch"):
                mistakes(run, proba)
        step_by_hand(run)


def step_by_hand(run: TrainingRun) -> None:
    """One step of gradient descent on one of the trained network's kernels, with numbers."""
    st.subheader("One step of gradient descent, by hand")
    st.caption(
        "Training took many steps like this one on every kernel at once. Here you take them "
        "yourself, on a copy of the trained network: choose a kernel and the drawings the loss "
        "is measured on, then step and watch the kernel move. On drawings the network already "
        "gets right the gradient is tiny; label your drawing with the wrong class for a big one."
    )
    batch = min(run.config.batch_size, len(run.data.y_train))
    drawing = np.asarray(st.session_state[GRID], dtype=float)[None]
    choices = {
        f"the first {batch} training drawings": (
            run.data.X_train[:batch],
            run.data.y_train[:batch],
        ),
        **{f"your drawing, labelled {c}": (drawing, np.array([c])) for c in run.classes},
    }
    descent_panel("train_descent", run.model, (id(run), run.step), choices)


main()

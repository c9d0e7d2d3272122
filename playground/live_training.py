"""The live view of a training run (a status line and the curves, redrawn while it trains),
and the generated drawings that runs train on.

The Train page and the Room's teacher view both show a `TrainingRun` (playground/train_run.py)
this way. Each keeps its run in its own session-state keys (`LiveKeys`) and calls

    st.fragment(live_view, run_every=interval if running else None)(keys)

with `interval` from `live_plan`, the room's share of redraws when many train at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cnn_core.model import CNNConfig, generated_data
from playground import state, training_pool
from playground.train_charts import learning_curves, percent
from playground.train_run import (
    DIVERGED,
    DONE,
    MAX_REPORTS,
    PAUSED,
    RUNNING,
    Dataset,
    TrainingRun,
)
from playground.ui.components.curves import show_curves

# The live view is a fragment the browser reruns on a timer while training (Streamlit's
# auto-reruns: unlike a fragment rerunning itself with st.rerun, they do not fade the page
# while they run). It draws the status and the curves, then takes the worker's next chunk
# (waiting at most SLICE_S for it; a chunk is about SLICE_S of training); its timer
# (LIVE_INTERVAL_S) fires again as soon as the browser is free, so the curves are redrawn
# about 1 / (the browser's drawing time + LIVE_INTERVAL_S) times a second. A chunk also holds
# at most 1/MIN_FRAMES of the run, so even a run that needs a fraction of a second is seen
# learning. Each frame costs the page about 0.15 s (a round trip and a redraw): with 6
# frames the default run reached "Finished" sooner (1.4 s against 2.2 s), but the browser
# often showed none of them (bench/train_page.py saw 0–4 chart updates a run against 4–7).
SLICE_S = 0.1
LIVE_INTERVAL_S = 0.1
MIN_FRAMES = 10
# In a room the redraws slow down (below) and a run gets fewer of them: as many as fit in
# LIVE_SPAN_S at the room's pace, at least MIN_FRAMES_IN_A_ROOM.
LIVE_SPAN_S = 1.0
# A room: every redraw of every trainer runs in this one server process (Streamlit's own
# ~10 ms a rerun, and a few ms for the curves or the kernels), so when many train at once
# the live view coalesces: the room's trainers share about ROOM_FRAMES_PER_S curve redraws a
# second, each redraw bringing a larger part of the run (at least MIN_FRAMES_IN_A_ROOM frames
# a run). Alone, a learner sees MIN_FRAMES redraws at LIVE_INTERVAL_S, as before. Measured
# with `python -m bench.room train`.
ROOM_FRAMES_PER_S = 12
MIN_FRAMES_IN_A_ROOM = 2
# In a room a run also reports less often (REPORTS_PER_FRAME_IN_A_ROOM curve points per
# redraw): each report scores the whole test set, which costs more than the training
# steps between two reports. The network learns exactly the same; the curves are coarser.
REPORTS_PER_FRAME_IN_A_ROOM = 4
DEFAULTS = CNNConfig()
# On a wall the curves' labels are as large as the page's text around them.
PRESENTER_CURVES = {"height": 260, "font_px": 19}


@dataclass(frozen=True)
class LiveKeys:
    """Where a page keeps its run: the TrainingRun's session-state key, the key of the load
    the run started under (how many runs the server was training), the curves' element key."""

    run: str
    load: str
    chart: str


def live_view(keys: LiveKeys) -> None:
    """Draw the status line and the curves, then bring in the run's next chunk if it is
    running. A fragment the browser reruns every `live_plan(...)[0]` seconds while training.

    Drawing comes first: the elements are then up to date while the worker trains the next
    chunk, and everything drawn is at most one chunk behind."""
    run: TrainingRun | None = st.session_state.get(keys.run)
    status_line(run)
    curves(run, keys.chart)
    if run is not None and run.status == RUNNING:
        interval, frames, _ = live_plan(st.session_state.get(keys.load, 1))
        # The next chunk may train until the next redraw: in a busy room that is seconds
        # away, and SLICE_S-long chunks would each wait for a redraw of their own.
        run.advance(
            SLICE_S, max_reports=-(-run.total_reports // frames), chunk_s=max(SLICE_S, interval)
        )
        if run.status != RUNNING:
            st.rerun()  # finished or diverged: a full rerun stops the timers, shows results


def status_line(run: TrainingRun | None) -> None:
    """One line that says where training is. While it runs or is paused: a progress bar with
    epoch, step, loss and test accuracy; at the end: a success or divergence box in its place
    (about the same height, so the charts below do not jump)."""
    if run is None:
        st.info(
            "Press **Train**: the network starts with random kernels (or the deck's), and "
            "gradient descent changes them step by step until X and O fall apart.",
            icon=":material/school:",
        )
        return
    if run.status == DIVERGED:
        st.error(run.message, icon=":material/error:")
        return
    p = run.latest
    if run.status == DONE and p is not None:
        st.success(
            f"Finished in {run.wall_seconds:.1f} s ({run.config.epochs} epochs, "
            f"{run.total_steps} steps): the network gets **{percent(p.test_accuracy)}** of the "
            f"{len(run.data.y_test)} held-out test drawings right.",
            icon=":material/check_circle:",
        )
        return
    ahead = run.queue_position if p is None else 0
    if ahead:
        text = (
            f"Queued: the room's training workers are busy; {ahead} "
            f"{'run goes' if ahead == 1 else 'runs go'} before yours"
        )
    elif p is None:
        text = f"Starting: {run.total_steps} steps ({run.config.epochs} epochs)"
    else:
        acc = "–" if p.test_accuracy is None else percent(p.test_accuracy)
        text = (
            f"Epoch {p.epoch}/{run.config.epochs} · step {p.step}/{run.total_steps} · "
            f"loss {p.loss:.3f} · test accuracy {acc}"
        )
    if run.status == PAUSED:
        text = f"**Paused** · {text} · draw below to see what the network thinks now"
    st.progress(min(run.step / max(run.total_steps, 1), 1.0), text=text)


def curves(run: TrainingRun | None, key: str) -> None:
    """Loss and accuracy, train and held-out test, growing across a fixed epoch axis."""
    epochs = run.config.epochs if run is not None else DEFAULTS.epochs
    empty = ([], [])
    pts = run.curves() if run is not None else {}
    data = learning_curves(
        loss=pts.get("loss", empty),
        test_loss=pts.get("test_loss", empty),
        accuracy=pts.get("accuracy", empty),
        test_accuracy=pts.get("test_accuracy", empty),
        x_max=epochs,
        **(PRESENTER_CURVES if state.presenter() else {}),
    )
    show_curves(data, key=key)


def live_plan(trainers: int) -> tuple[float, int, int]:
    """(seconds between two redraws of the curves, redraws in a whole run, reports in a whole
    run) when `trainers` runs share the server: alone, LIVE_INTERVAL_S, MIN_FRAMES and up to
    MAX_REPORTS; in a busy room slower redraws, fewer of them and fewer reports, so that the
    room's redraws stay near ROOM_FRAMES_PER_S."""
    interval = max(LIVE_INTERVAL_S, trainers / ROOM_FRAMES_PER_S)
    if interval == LIVE_INTERVAL_S:  # the server keeps up: every run's own pace
        return interval, MIN_FRAMES, MAX_REPORTS
    frames = max(MIN_FRAMES_IN_A_ROOM, min(MIN_FRAMES, round(LIVE_SPAN_S / interval)))
    return interval, frames, frames * REPORTS_PER_FRAME_IN_A_ROOM


@st.cache_data(max_entries=8, show_spinner=False)
def generated_dataset(
    n_train: int, n_test: int, grid_size: int, noise: float, seed: int
) -> Dataset:
    """The generated drawings (pure: the same arguments, the same data; st.cache_data hands
    every session its own copy). Keyed on the data settings only, so changing the epochs or
    the learning rate does not draw the data again. Drawn by a training worker, off the
    server's GIL (`TrainingPool.generate`), or here if no worker can answer: the same
    drawings, and Train still starts (a run then reports the worker's trouble itself)."""
    config = CNNConfig(n_train=n_train, n_test=n_test, grid_size=grid_size, noise=noise)
    try:
        arrays = training_pool.shared_pool().generate(config, seed)
    except RuntimeError:
        arrays = generated_data(config, seed)
    X_train, X_test, y_train, y_test = arrays
    return Dataset(X_train, y_train, X_test, y_test)

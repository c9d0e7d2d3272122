"""The teacher's view of the Room: the wall shows the room live; the teacher trains, moderates.

Everything in the live part (counts, gallery, "Fool the network", confusion matrix) is one
fragment the browser reruns every GALLERY_REFRESH_S seconds: it reads the store's change
counter and the submissions, so participants' drawings appear without anyone touching the
teacher's laptop. Training uses the Train page's run and live view (a worker process trains;
the curves stream); when a run finishes its network goes into the store, and every view of
the room shows its verdicts.

Session state (keys start with ``room_``):
    room_run, room_live_load : the teacher's TrainingRun and the load it started under
    room_saved_run           : id() of the run whose network is in the store
    room_train_mode          : "room" (the room's drawings alone) or "both" (with the
                               generated drawings)
    room_teacher_notice      : (kind, text) for the next run
    room_wall_submissions, room_wall_gallery : what the wall last read and drew, reused
                               while the store's change counter stands still
"""

from __future__ import annotations

import dataclasses
import html
import io
import math

import numpy as np
import segno
import streamlit as st

from cnn_core.model import CNNConfig
from playground import state, training_pool
from playground.live_training import LiveKeys, generated_dataset, live_plan, live_view
from playground.train_charts import label_axes
from playground.train_run import DIVERGED, DONE, RUNNING, Added, Dataset, TrainingRun, merge_added
from playground.ui import widgets
from playground.ui.plain_text import md
from playground.views.room import exchange, records
from playground.views.room.gallery import gallery_html
from playground.views.room.records import Room, RoomError, Submission
from playground.views.room.shared import room_verdicts
from playground.views.room.store import Store
from playground.views.room.verdicts import confusion, fooled

RUN = "room_run"
LIVE = LiveKeys(run=RUN, load="room_live_load", chart="room_curves")
SAVED = "room_saved_run"
MODE = "room_train_mode"
NOTICE = "room_teacher_notice"
SUBMISSIONS = "room_wall_submissions"  # (change counter, submissions) last read
GALLERY = "room_wall_gallery"  # ((change counter, network version, presenter), its HTML)
GALLERY_REFRESH_S = 2.0
MAX_FOOLED_SHOWN = 12
# Training on the room alone: about as many steps as the Train page's default run, however
# few drawings the room has (each brings its one-cell shifts).
ROOM_STEPS = CNNConfig().epochs * math.ceil(CNNConfig().n_train / CNNConfig().batch_size)
MAX_ROOM_EPOCHS = 60
SEED = 0
MODES = {
    "room": "the room's drawings alone",
    "both": "the room's drawings added to the generated ones",
}


def _say(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


# --- training for the room ------------------------------------------------------------------


def room_dataset(room: Room, subs: list[Submission], mode: str) -> tuple[Dataset, CNNConfig]:
    """The drawings a room run trains and tests on, and its settings. RoomError when the room
    cannot train yet (fewer than two labels with drawings)."""
    usable = [sub for sub in subs if not sub.hidden and sub.label in room.labels]
    labels = sorted({sub.label for sub in usable})
    if len(labels) < 2:
        raise RoomError(
            "The room needs drawings of at least two labels to train on: "
            f"so far {len(usable)} drawing{'s' if len(usable) != 1 else ''} of "
            f"{', '.join(labels) or 'no label'}."
        )
    added = [Added(sub.grid.astype(int), sub.label) for sub in usable]
    defaults = CNNConfig()
    generated = generated_dataset(
        defaults.n_train, defaults.n_test, defaults.grid_size, defaults.noise, SEED
    )
    if mode == "both":
        return merge_added(generated, added), defaults
    if set(labels) <= {"X", "O"}:  # the generated held-out drawings measure it fairly
        X_test, y_test = generated.X_test, generated.y_test
    else:  # labels the generator does not draw: measured on the room's own drawings
        X_test = np.stack([sub.grid for sub in usable]).astype(generated.X_test.dtype)
        y_test = np.asarray([sub.label for sub in usable])
    # The room's drawings (and their shifts) alone: merged into an empty training set.
    empty = generated.X_train[:0], generated.y_train[:0]
    data = merge_added(Dataset(*empty, X_test, y_test), added)
    n = len(data.y_train)
    epochs = min(MAX_ROOM_EPOCHS, max(defaults.epochs, -(-ROOM_STEPS * defaults.batch_size // n)))
    return data, dataclasses.replace(defaults, epochs=epochs)


def _on_train(store: Store) -> None:
    ss = st.session_state
    try:
        data, config = room_dataset(store.room(), store.submissions(), ss.get(MODE, "room"))
        pool = training_pool.shared_pool()
        load = pool.busy_jobs() + 1
        run = TrainingRun(config, data, SEED, pool=pool, max_reports=live_plan(load)[2])
    except ValueError as error:
        _say("warning", md(error, 300))
        return
    old = ss.get(RUN)
    if old is not None:
        old.close()
    ss[RUN] = run
    ss[LIVE.load] = load


def _save_finished_run(store: Store) -> None:
    """Put a finished run's network into the store, once: every view then shows its verdicts."""
    ss = st.session_state
    run: TrainingRun | None = ss.get(RUN)
    if run is None or run.status != DONE or ss.get(SAVED) == id(run):
        return
    buffer = io.BytesIO()
    run.model.save(buffer)
    accuracy = run.latest.test_accuracy if run.latest is not None else None
    info = f"trained on {len(run.data.y_train)} drawings ({run.data.n_added} from the room)" + (
        f", {accuracy:.0%} right on {len(run.data.y_test)} test drawings"
        if accuracy is not None
        else ""
    )
    store.save_model(buffer.getvalue(), info)
    ss[SAVED] = id(run)
    _say("success", "The room's network is updated: the gallery shows what it says.")


def training_panel(store: Store) -> None:
    ss = st.session_state
    st.subheader("Train on the room's drawings")
    run: TrainingRun | None = ss.get(RUN)
    running = run is not None and run.status == RUNNING
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    row.segmented_control(
        "Train on", list(MODES), format_func=MODES.get, default="room", required=True,
        key=MODE, label_visibility="collapsed",
    )  # fmt: skip
    row.button(
        "Train the room's network", key="room_train", type="primary",
        icon=":material/play_arrow:", on_click=_on_train, args=(store,),
        disabled=running,
    )  # fmt: skip
    interval, _, _ = live_plan(ss.get(LIVE.load, 1))
    st.fragment(live_view, run_every=interval if running else None)(LIVE)
    if run is not None and run.status == DIVERGED:
        st.caption("The room keeps its previous network.")


# --- the live wall --------------------------------------------------------------------------


def _submissions_now(store: Store, changes: int) -> list[Submission]:
    """The room's submissions, read again only when the change counter moved."""
    cached = st.session_state.get(SUBMISSIONS)
    if cached is None or cached[0] != changes:
        cached = (changes, store.submissions())
        st.session_state[SUBMISSIONS] = cached
    return cached[1]


def live_wall(store: Store) -> None:
    """Counts, the gallery with verdicts, the drawings that fool the network, and the
    confusion matrix. A fragment the browser reruns every GALLERY_REFRESH_S seconds."""
    room = store.room()
    changes = store.changes()
    subs = _submissions_now(store, changes)
    classes, said = room_verdicts(room.model_version, changes)
    visible = [sub for sub in subs if not sub.hidden]
    numbers = {sub.id: i + 1 for i, sub in enumerate(subs)}
    presenter = state.presenter()
    cell, font = (14, 18) if presenter else (10, 13)

    hidden = len(subs) - len(visible)
    per_label = " · ".join(
        f"{md(label)}: **{sum(sub.label == label for sub in visible)}**" for label in room.labels
    )
    status = "🔒 submissions locked" if room.locked else "submissions open"
    extra = f" · {hidden} hidden" if hidden else ""
    st.markdown(f"#### {len(visible)} drawings · {per_label} · {status}{extra}")
    if room.model_version:
        st.caption(
            f"The room's network (version {room.model_version}): {md(room.model_info, 120)}."
        )
    else:
        st.caption("No network trained for the room yet: train one below to see its verdicts.")

    if not subs:
        st.info("Waiting for the first drawing… (this page updates by itself)")
    else:
        cached = st.session_state.get(GALLERY)
        wanted = (changes, room.model_version, presenter)
        if cached is None or cached[0] != wanted:  # the room changed: build the tiles anew
            cached = (wanted, gallery_html(subs, said, numbers=numbers, cell_px=cell,
                                           font_px=font))  # fmt: skip
            st.session_state[GALLERY] = cached
        st.html(cached[1])

    if said:
        st.subheader("Fool the network")
        wrong = fooled(visible, said)
        if not wrong:
            st.caption(f"The network gets all {len(visible)} drawings right. Can you fool it?")
        else:
            shown = wrong[:MAX_FOOLED_SHOWN]
            st.caption(
                f"{len(wrong)} drawing{'s' if len(wrong) != 1 else ''} the network gets wrong, "
                "the most confident mistakes first."
            )
            st.html(gallery_html(shown, said, numbers=numbers, cell_px=cell, font_px=font))
        counts_matrix = confusion(visible, said, classes)
        if counts_matrix.sum():
            with st.container(width=max(len(classes) * 60 + 80, 240)):
                st.markdown("**Confusion matrix** (the room's drawings)")
                fig = widgets.heatmap_figure(counts_matrix, title="", signed=False, cell_px=56)
                label_axes(fig, x_labels=classes, y_labels=classes)
                widgets.show_heatmap(fig, key="room_confusion")
                st.caption("Row: the drawing's label; column: what the network said.")


# --- join, moderation, files ----------------------------------------------------------------


def join_panel(room: Room, join_url: str) -> None:
    """The room's title, and the link and QR code participants join with: large enough to
    read and scan from the back of the room, and short, so the gallery starts high."""
    qr = segno.make(join_url, error="m")
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=8, border=2)
    size = 170 if state.presenter() else 130
    with st.container(horizontal=True, gap="medium", vertical_alignment="center"):
        st.image(buffer.getvalue(), width=size)
        with st.container(gap="small"):
            st.markdown(f"### {md(room.title, records.MAX_TITLE_CHARS)}: join the room")
            st.html(
                '<div style="font-size:34px;font-weight:700;font-family:monospace;'
                f'word-break:break-all">{html.escape(join_url)}</div>'
            )
            st.caption("Open this address on your phone or laptop, or scan the code.")


def _on_lock(store: Store, locked: bool) -> None:
    store.update_room(locked=locked)
    _say("info", "Submissions are closed." if locked else "Submissions are open again.")


def _on_hide(store: Store, key: str, hidden: bool) -> None:
    ids = st.session_state.get(key) or []
    changed = store.set_hidden(ids, hidden)
    _say("info", f"{changed} drawing{'s' if changed != 1 else ''} "
         f"{'hidden' if hidden else 'shown again'}.")  # fmt: skip
    st.session_state[key] = []


def _on_clear(store: Store) -> None:
    if not st.session_state.get("room_clear_confirm"):
        _say("warning", "Tick the box first: clearing deletes every drawing of the room.")
        return
    gone = store.clear()
    st.session_state["room_clear_confirm"] = False
    _say("info", f"The room is cleared: {gone} drawings deleted.")


def _on_labels(store: Store) -> None:
    try:
        labels = records.check_labels(st.session_state.get("room_labels_text", ""))
        title = records.check_title(st.session_state.get("room_title_text", ""))
    except RoomError as error:
        _say("warning", md(error, 300))
        return
    store.update_room(labels=labels, title=title)
    _say("success", f"Participants now submit as {', '.join(md(x) for x in labels)}.")


def _on_import(store: Store) -> None:
    upload = st.session_state.get("room_import_file")
    if upload is None:
        _say("warning", "Choose a room export (.json or .npz) first.")
        return
    try:
        subs = exchange.read_export(upload.name, upload.getvalue())
        added, known = store.import_submissions(subs)
    except RoomError as error:
        _say("warning", f"{md(upload.name, 60)} was not imported: {md(error, 300)}")
        return
    _say("success", f"Imported {added} drawings from {md(upload.name, 60)}"
         + (f" ({known} were already in the room)." if known else "."))  # fmt: skip


def _describe(number: int, sub: Submission) -> str:
    return f"#{number} {sub.label}" + (f" · {sub.name}" if sub.name else "")


def manage_panel(store: Store, room: Room) -> None:
    """Lock, labels, hide and show, clear, export and import: the teacher's controls."""
    subs = _submissions_now(store, store.changes())  # what the wall read, unless it moved
    numbers = {sub.id: i + 1 for i, sub in enumerate(subs)}
    with st.expander("Manage the room", icon=":material/settings:"):
        if room.locked:
            st.button("Reopen submissions", key="room_unlock", icon=":material/lock_open:",
                      on_click=_on_lock, args=(store, False))  # fmt: skip
        else:
            st.button("Lock submissions", key="room_lock", icon=":material/lock:",
                      on_click=_on_lock, args=(store, True))  # fmt: skip

        row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
        row.text_input("Room title", value=room.title, key="room_title_text",
                       max_chars=records.MAX_TITLE_CHARS)  # fmt: skip
        row.text_input("Labels (comma-separated)", value=", ".join(room.labels),
                       key="room_labels_text", max_chars=100)  # fmt: skip
        row.button("Apply", key="room_apply_labels", on_click=_on_labels, args=(store,))

        visible = {s.id: _describe(numbers[s.id], s) for s in subs if not s.hidden}
        hidden = {s.id: _describe(numbers[s.id], s) for s in subs if s.hidden}
        row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
        row.multiselect("Hide drawings", list(visible), format_func=visible.get,
                        key="room_hide_pick", placeholder="pick by number")  # fmt: skip
        row.button("Hide", key="room_hide", on_click=_on_hide,
                   args=(store, "room_hide_pick", True))  # fmt: skip
        if hidden:
            row = st.container(horizontal=True, gap="small", vertical_alignment="bottom")
            row.multiselect("Show again", list(hidden), format_func=hidden.get,
                            key="room_show_pick")  # fmt: skip
            row.button("Show", key="room_show", on_click=_on_hide,
                       args=(store, "room_show_pick", False))  # fmt: skip

        row = st.container(horizontal=True, gap="small", vertical_alignment="center")
        row.checkbox(f"Yes, delete all {len(subs)} drawings", key="room_clear_confirm")
        row.button("Clear the room", key="room_clear_all", icon=":material/delete:",
                   on_click=_on_clear, args=(store,))  # fmt: skip

        row = st.container(horizontal=True, gap="small")
        # The files are made when a button is pressed (a callable), not on every rerun.
        row.download_button("Export as JSON", lambda: exchange.to_json(room, subs), "room.json",
                            mime="application/json", key="room_export_json",
                            on_click="ignore")  # fmt: skip
        row.download_button("Export as .npz", lambda: exchange.to_npz(room, subs), "room.npz",
                            mime="application/octet-stream", key="room_export_npz",
                            on_click="ignore")  # fmt: skip
        # The browser refuses a larger file before the server holds it (the reader's own
        # bound is exchange.MAX_JSON_BYTES / MAX_NPZ_BYTES, 2 MB).
        st.file_uploader("Import a room export", type=["json", "npz"], key="room_import_file",
                         max_upload_size=3)  # fmt: skip
        st.button("Import", key="room_import", on_click=_on_import, args=(store,))


def teacher_view(store: Store, room: Room, join_url: str) -> None:
    """The whole teacher page."""
    _save_finished_run(store)
    join_panel(room, join_url)
    shown = st.session_state.pop(NOTICE, None)
    if shown is not None:
        kind, text = shown
        getattr(st, kind)(text)
    st.fragment(live_wall, run_every=GALLERY_REFRESH_S)(store)
    st.divider()
    training_panel(store)
    manage_panel(store, room)

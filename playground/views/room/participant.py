"""The participant's view of the Room: draw, submit with a label, see and withdraw one's own.

Session state (keys start with ``room_``):
    room_me                  : this participant's id (also in the address: ?me=…, so a
                               reload of the page keeps "your drawings")
    room_grid, room_grid_rev : the drawing (8, 8) of 0/1 and its revision
    room_name                : the display name typed (optional)
    room_notice              : (kind, text) for the next run: what happened to a submission
"""

from __future__ import annotations

import secrets

import numpy as np
import streamlit as st

from playground.ui import widgets
from playground.ui.components.grid import draw_grid
from playground.ui.plain_text import md
from playground.views.room import records
from playground.views.room.gallery import gallery_html
from playground.views.room.records import MAX_NAME_CHARS, Room, RoomError
from playground.views.room.shared import room_verdicts
from playground.views.room.store import Store
from playground.views.room.verdicts import Verdict

ME = "room_me"
GRID = "room_grid"
NAME = "room_name"
NOTICE = "room_notice"
MINE_REFRESH_S = 5  # "your drawings" (and the network's verdicts on them) refresh this often


def participant_id() -> str:
    """This participant's id: the address's ?me=… if it is one, else a new random one."""
    ss = st.session_state
    if ME not in ss:
        given = st.query_params.get("me", "")
        try:
            ss[ME] = records.check_id(given)
        except RoomError:
            ss[ME] = secrets.token_urlsafe(12)
    if st.query_params.get("me") != ss[ME]:
        st.query_params["me"] = ss[ME]
    return ss[ME]


def _on_submit(store: Store, label: str) -> None:
    ss = st.session_state
    grid = np.asarray(ss[GRID], dtype=int)
    if not grid.any():
        ss[NOTICE] = ("warning", "The grid is empty: draw something first.")
        return
    try:
        room = store.room()
        sub = records.new_submission(
            participant=ss[ME], label=label, grid=grid, name=ss.get(NAME, ""), labels=room.labels
        )
        stored, new = store.submit(sub)
    except RoomError as error:  # locked, a cap reached, a name too long: say so, keep the drawing
        ss[NOTICE] = ("warning", md(error, 300))
        return
    if new:
        ss[NOTICE] = ("success", f"Submitted as **{md(stored.label)}**. Draw another one!")
    else:
        ss[NOTICE] = ("info", f"Already in the room as **{md(stored.label)}**: it counts once.")


def _on_withdraw(store: Store, submission_id: str) -> None:
    if store.withdraw(submission_id, st.session_state[ME]):
        st.session_state[NOTICE] = ("info", "Withdrawn: that drawing left the room.")


def _on_clear() -> None:
    widgets.set_grid(GRID, np.zeros((records.GRID_SIZE, records.GRID_SIZE), dtype=int))


def participant_view(store: Store, room: Room, cell_px: int, notice: str | None = None) -> None:
    """The whole participant page. notice: a message to show first (e.g. about a wrong key)."""
    ss = st.session_state
    me = participant_id()
    widgets.init_grid(GRID, np.zeros((records.GRID_SIZE, records.GRID_SIZE), dtype=int))
    st.title(f"Room: {md(room.title, records.MAX_TITLE_CHARS)}")
    if notice:
        st.warning(notice, icon=":material/info:")
    st.caption(
        "Draw on the grid, then submit it with its label. Your drawings go to the room: the "
        "teacher's screen shows them, and the class's drawings train the network. "
        "Then try to draw one it gets wrong!"
    )
    mine = store.submissions(participant=me)
    full = len(mine) >= store.per_participant_cap
    with st.container(horizontal=True, gap="large", wrap=True):
        with st.container(width=records.GRID_SIZE * cell_px + 12):
            ss[GRID] = draw_grid(ss[GRID], key="room_draw", revision=widgets.grid_revision(GRID),
                                 cell_px=cell_px)  # fmt: skip
            st.button("Clear", key="room_clear", icon=":material/ink_eraser:", on_click=_on_clear)
        with st.container(width=300):
            st.text_input(
                "Your name (optional)", key=NAME, max_chars=MAX_NAME_CHARS,
                placeholder="shown under your drawings",
            )  # fmt: skip
            if room.locked:
                st.info(records.LOCKED_MESSAGE, icon="🔒")
            elif full:
                st.info(records.participant_full(len(mine), store.per_participant_cap))
            buttons = st.container(horizontal=True, gap="small")
            for label in room.labels:
                buttons.button(
                    f"Submit as {md(label)}",
                    key=f"room_submit_{label}",
                    type="primary",
                    disabled=room.locked or full,
                    on_click=_on_submit,
                    args=(store, label),
                )
            shown = ss.pop(NOTICE, None)
            if shown is not None:
                kind, text = shown
                getattr(st, kind)(text)
    st.fragment(your_drawings, run_every=MINE_REFRESH_S)(store, me)


def your_drawings(store: Store, me: str) -> None:
    """This participant's submissions with the room's network's verdicts, and Withdraw."""
    mine = store.submissions(participant=me)
    st.subheader(f"Your drawings ({len(mine)})")
    if not mine:
        st.caption("Nothing submitted yet.")
        return
    said: dict[str, Verdict] = room_verdicts(store.room().model_version, store.changes())[1]
    for sub in mine:
        with st.container(horizontal=True, gap="small", vertical_alignment="center"):
            st.html(gallery_html([sub], said, cell_px=8, font_px=14), width="content")
            st.button(
                "Withdraw", key=f"room_withdraw_{sub.id}", on_click=_on_withdraw,
                args=(store, sub.id), help="Take this drawing out of the room",
            )  # fmt: skip
    if any(sub.id in said and not said[sub.id].right for sub in mine):
        st.caption("✗ marks a drawing that fools the network.")

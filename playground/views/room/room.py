"""Room: the workshop draws, collects and trains together.

    /room                the participant's view (playground/views/room/participant.py)
    /room?teacher=KEY    the teacher's view (playground/views/room/teacher.py); the launcher prints
                         the full link, the key lives in the data directory

A wrong or missing key gives the participant's view (with a plain message when a key was
given): no teacher control is ever drawn for it. The page keeps its own address (the key,
the participant's ?me=…); the app's link codec leaves it alone.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import streamlit as st

from playground import state
from playground.views.room import config, shared
from playground.views.room.participant import participant_view
from playground.views.room.teacher import teacher_view

PUBLIC_URL_ENV = "CNN_PLAYGROUND_PUBLIC_URL"  # set by the launcher: the address to join at


def join_url() -> str:
    """The participants' address: the launcher's public URL if it set one, else the host this
    browser reached the server at."""
    base = os.environ.get(PUBLIC_URL_ENV, "").rstrip("/")
    if not base:
        parts = urlsplit(st.context.url or "http://localhost:8501")
        base = f"{parts.scheme}://{parts.netloc}"
    return f"{base}/room"


def main() -> None:
    store = shared.store()
    room = store.room()
    key = st.query_params.get("teacher")
    if key is not None and config.is_teacher(key):
        teacher_view(store, room, join_url())
        return
    notice = None
    if key is not None:
        notice = "That link's teacher key is not this room's: this is the participant's view."
    participant_view(store, room, state.cell_px(), notice)


main()

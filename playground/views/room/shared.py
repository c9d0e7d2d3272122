"""What every session of the Room shares: the store and the room's network's verdicts.

Both are the room's, never a participant's: the store is the one place where sessions meet,
and the verdicts are a pure function of what it holds (the network's version and the
submissions), so caching them once for all sessions mixes nothing between participants.
"""

from __future__ import annotations

import streamlit as st

from playground.views.room import config
from playground.views.room.backends import open_store
from playground.views.room.store import Store
from playground.views.room.verdicts import Verdict, load_model, verdicts


@st.cache_resource(show_spinner=False)
def _store_at(location: str) -> Store:
    return open_store(location)


def store() -> Store:
    """The room's store (SQLite in the data directory, or PostgreSQL; see config.py)."""
    return _store_at(config.store_location())


@st.cache_data(max_entries=16, show_spinner=False)
def _verdicts(location: str, version: int, changes: int) -> tuple[list[str], dict[str, Verdict]]:
    room_store = _store_at(location)
    _, data = room_store.model()
    model = load_model(data)  # a fresh network per computation: nothing shared is mutated
    if model is None:
        return [], {}
    classes = [str(c) for c in model.classes_]
    return classes, verdicts(model, room_store.submissions())


def room_verdicts(model_version: int, changes: int) -> tuple[list[str], dict[str, Verdict]]:
    """(the network's classes, {submission id: Verdict}) for the room's network
    `model_version` over the submissions as of the store's change counter `changes` (both
    as the caller just read them); empty before the teacher trained one."""
    if model_version == 0:
        return [], {}
    return _verdicts(config.store_location(), model_version, changes)

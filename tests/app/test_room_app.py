"""The Room page through AppTest: the participant's and the teacher's flows, who sees which
controls, caps and locks, and users' text shown as inert text."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnn_core import grids
from playground.views.room import config, shared
from playground.views.room.records import submission_id
from tests.app.helpers import displayed
from tests.room.test_store import sub

PAGE = "../../playground/views/room/room.py"
TIMEOUT_S = 60
# Every control only the teacher may have.
TEACHER_KEYS = (
    "room_train", "room_lock", "room_unlock", "room_clear_all", "room_clear_confirm",
    "room_hide", "room_export_json", "room_export_npz", "room_import", "room_apply_labels",
)  # fmt: skip


@pytest.fixture(autouse=True)
def room(tmp_path, monkeypatch):
    """Each test: a room of its own (a fresh data directory), its store."""
    monkeypatch.setenv(config.DATA_ENV, str(tmp_path / "data"))
    return shared.store()


def open_room(query: dict | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT_S)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, at.exception
    return at


def teacher() -> AppTest:
    return open_room({"teacher": config.teacher_key()})


def draw(at: AppTest, grid) -> None:
    """What the browser sends after a stroke on the room's grid."""
    rev = at.session_state["room_grid_rev"]
    at.session_state["room_draw"] = {
        "grid": {"rev": rev, "seq": 1, "cells": np.asarray(grid).tolist()}
    }
    at.run()
    assert not at.exception, at.exception


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def keys(at: AppTest) -> set[str]:
    found = set()
    for kind in ("button", "checkbox", "multiselect", "text_input", "segmented_control"):
        found |= {w.key for w in at.get(kind) if w.key}
    found |= {w.proto.id.rsplit("-", 1)[-1] for w in at.get("download_button")} | {
        w.proto.id.rsplit("-", 1)[-1] for w in at.get("file_uploader")
    }
    return found


def texts(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error",
                                  "title", "subheader") for e in at.get(kind)]  # fmt: skip
    return displayed("\n".join(str(p) for p in parts)).replace("**", "")


def gallery(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


# --- participants --------------------------------------------------------------------------


def test_a_participant_draws_submits_once_and_withdraws(room):
    at = open_room()
    me = at.session_state["room_me"]
    assert at.query_params["me"] in (me, [me])  # a reload keeps "your drawings"
    draw(at, grids.DECK_X_8x8)
    at.text_input(key="room_name").input("Ana").run()
    click(at, "room_submit_X")
    assert "Submitted as X" in texts(at)
    click(at, "room_submit_X")  # a double click
    assert "Already in the room as X" in texts(at)
    [stored] = room.submissions()
    assert stored.id == submission_id(me, "X", grids.DECK_X_8x8)
    assert (stored.label, stored.name, stored.participant) == ("X", "Ana", me)
    np.testing.assert_array_equal(stored.grid, grids.DECK_X_8x8)
    assert "Your drawings (1)" in texts(at)
    click(at, f"room_withdraw_{stored.id}")
    assert room.submissions() == []
    assert "Withdrawn" in texts(at)


def test_an_empty_grid_is_not_submitted(room):
    at = open_room()
    click(at, "room_submit_O")
    assert "The grid is empty" in texts(at)
    assert room.submissions() == []


def test_a_reload_with_the_same_address_keeps_the_participants_drawings(room):
    first = open_room()
    draw(first, grids.DECK_O_8x8)
    click(first, "room_submit_O")
    again = open_room({"me": first.session_state["room_me"]})
    assert again.session_state["room_me"] == first.session_state["room_me"]
    assert "Your drawings (1)" in texts(again)
    other = open_room()
    assert other.session_state["room_me"] != first.session_state["room_me"]
    assert "Your drawings (0)" in texts(other)
    assert not any(k.startswith("room_withdraw_") for k in keys(other))


@pytest.mark.parametrize("key", [None, "", "wrong-key-0123456789", "TRUNCATED"])
def test_a_wrong_or_missing_key_never_shows_a_teacher_control(key):
    if key == "TRUNCATED":
        key = config.teacher_key()[:-1]
    at = open_room({} if key is None else {"teacher": key})
    assert not keys(at) & set(TEACHER_KEYS)
    assert "room_submit_X" in keys(at)
    if key is not None:
        assert "teacher key is not this room's" in texts(at)


def test_a_locked_room_and_a_full_participant_get_their_messages(room):
    at = open_room()
    draw(at, grids.DECK_X_8x8)
    room.update_room(locked=True)
    at.run()
    assert "Submissions are closed" in texts(at)
    assert at.button(key="room_submit_X").disabled
    room.update_room(locked=False)
    room.per_participant_cap = 1
    try:
        at.run()
        click(at, "room_submit_X")
        draw(at, grids.DECK_O_8x8)
        assert "the most one participant may (1)" in texts(at)
        assert at.button(key="room_submit_O").disabled
    finally:
        room.per_participant_cap = type(room).per_participant_cap


def test_a_full_room_says_so_when_a_submission_reaches_it(room):
    room.per_room_cap = 1
    try:
        room.submit(sub("someone", 5))
        at = open_room()
        draw(at, grids.DECK_X_8x8)
        click(at, "room_submit_X")
        assert "The room holds 1 drawings, the most it takes (1)" in texts(at)
    finally:
        room.per_room_cap = type(room).per_room_cap


# --- the teacher ---------------------------------------------------------------------------


def test_the_teacher_sees_every_submission_with_its_counts(room):
    room.submit(sub("ana", 1, "X", "Ana"))
    room.submit(sub("ben", 2, "O", "Ben"))
    room.submit(sub("cy", 3, "O"))
    at = teacher()
    assert set(TEACHER_KEYS) - {"room_unlock"} <= keys(at)
    assert "3 drawings · X: 1 · O: 2 · submissions open" in texts(at)
    html = gallery(at)
    assert "#1 X · Ana" in html and "#2 O · Ben" in html and "#3 O" in html


def test_the_teacher_locks_hides_and_clears(room):
    a, _ = room.submit(sub("ana", 1))
    room.submit(sub("ben", 2))
    at = teacher()
    click(at, "room_lock")
    assert room.room().locked
    assert at.button(key="room_unlock") is not None
    at.multiselect(key="room_hide_pick").select(a.id).run()
    click(at, "room_hide")
    assert [s.hidden for s in room.submissions()] == [True, False]
    assert "1 drawings · X: 1 · O: 0 · 🔒 submissions locked · 1 hidden" in texts(at)
    click(at, "room_clear_all")  # without the confirmation: nothing is deleted
    assert len(room.submissions()) == 2 and "Tick the box first" in texts(at)
    at.checkbox(key="room_clear_confirm").check().run()
    click(at, "room_clear_all")
    assert room.submissions() == [] and "2 drawings deleted" in texts(at)


def test_the_teacher_sets_labels_and_participants_submit_with_them(room):
    at = teacher()
    at.text_input(key="room_labels_text").input("cat, dog").run()
    click(at, "room_apply_labels")
    assert room.room().labels == ("cat", "dog")
    participant = open_room()
    assert {"room_submit_cat", "room_submit_dog"} <= keys(participant)
    assert "room_submit_X" not in keys(participant)


def test_the_teacher_trains_and_every_view_shows_the_networks_verdicts(room):
    for seed in range(6):
        room.submit(sub(f"x{seed}", 100 + seed, "X"))
    for i, grid in enumerate((grids.DECK_O_8x8, np.roll(grids.DECK_O_8x8, 1, axis=1))):
        room.submit(sub(f"o{i}", 0, "O").__class__(
            **{**sub(f"o{i}", 0, "O").__dict__, "grid": grid.astype(np.uint8),
               "id": submission_id(f"o{i}", "O", grid)}))  # fmt: skip
    at = teacher()
    click(at, "room_train")
    for _ in range(200):
        run = at.session_state["room_run"]
        if run.status != "running":
            break
        at.run()
    assert run.status == "done", run
    at.run()  # the full rerun after the run ended saves its network
    version, data = room.model()
    assert version == 1 and data
    html = gallery(at)
    assert html.count("says ") == 8
    assert "Fool the network" in texts(at)


@pytest.mark.parametrize(
    "name",
    ["[a](//e.co) <img src=x onerror=alert(1)>", "**bold** <script>x</script>"],
)
def test_names_with_markup_are_shown_as_inert_text(room, name):
    room.submit(sub("ana", 1, "X", name[:24]))
    at = teacher()
    html = gallery(at)
    assert "<img" not in html and "<script" not in html
    assert "&lt;" in html


def test_a_name_or_labels_of_ten_thousand_characters_are_refused_shortened(room):
    at = teacher()
    at.text_input(key="room_labels_text").input("X, " + "y" * 10_000)
    # The widget's own limit (max_chars) keeps a browser from sending it; a crafted
    # request still meets the check:
    at.session_state["room_labels_text"] = "X, " + "y" * 10_000
    click(at, "room_apply_labels")
    message = texts(at)
    assert "characters long; at most 12" in message
    assert "y" * 100 not in message
    assert room.room().labels == ("X", "O")
    # A name of 10,000 characters: the text box keeps its first 24 (Streamlit applies
    # max_chars on the server too), and the tile shortens it further.
    participant = open_room()
    participant.session_state["room_name"] = "n" * 10_000
    draw(participant, grids.DECK_X_8x8)
    click(participant, "room_submit_X")
    [stored] = room.submissions()
    assert stored.name == "n" * 24
    assert "n" * 15 not in gallery(teacher())

"""The Room's store, on both backends: every rule of a submission, and nothing lost or doubled
under concurrent threads, several processes, and a server killed mid-rush."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from playground.views.room.backends import open_store
from playground.views.room.records import (
    CapReached,
    Locked,
    RoomError,
    new_submission,
    submission_id,
)

ROOT = Path(__file__).resolve().parents[2]


def drawing(seed: int) -> np.ndarray:
    """A different 8×8 drawing for every seed (its cells spell the seed in binary)."""
    rng = np.random.default_rng(seed)
    grid = (rng.random((8, 8)) < 0.4).astype(int)
    grid[0, 0] = 1
    return grid


def sub(participant: str, seed: int, label: str = "X", name: str = ""):
    return new_submission(participant=participant, label=label, grid=drawing(seed), name=name)


def test_a_new_room_has_the_default_settings(store):
    room = store.room()
    assert (room.id, room.labels, room.locked, room.model_version) == ("main", ("X", "O"), False, 0)
    assert store.submissions() == []


def test_a_submission_is_stored_once_and_read_back_exactly(store):
    first = sub("ana", 1, "O", name="Ana")
    stored, new = store.submit(first)
    again, new_again = store.submit(sub("ana", 1, "O", name="Ana"))  # a retried request
    assert (new, new_again) == (True, False)
    assert again.id == stored.id == submission_id("ana", "O", drawing(1))
    [back] = store.submissions()
    assert (back.id, back.label, back.name, back.participant, back.hidden) == (
        first.id, "O", "Ana", "ana", False,
    )  # fmt: skip
    np.testing.assert_array_equal(back.grid, drawing(1))
    assert abs(back.created - first.created) < 1e-3


def test_the_same_drawing_with_another_label_or_by_another_participant_is_another_submission(
    store,
):
    store.submit(sub("ana", 1, "X"))
    store.submit(sub("ana", 1, "O"))
    store.submit(sub("ben", 1, "X"))
    assert len(store.submissions()) == 3


def test_only_the_participant_who_submitted_can_withdraw(store):
    mine, _ = store.submit(sub("ana", 1))
    assert store.withdraw(mine.id, "ben") is False
    assert len(store.submissions()) == 1
    assert store.withdraw(mine.id, "ana") is True
    assert store.submissions() == []
    assert store.withdraw(mine.id, "ana") is False


def test_a_locked_room_refuses_new_submissions_but_acknowledges_stored_ones(store):
    stored, _ = store.submit(sub("ana", 1))
    store.update_room(locked=True)
    with pytest.raises(Locked, match="locked"):
        store.submit(sub("ana", 2))
    assert store.submit(sub("ana", 1)) == (stored, False)  # the retry of an acknowledged one
    store.update_room(locked=False)
    assert store.submit(sub("ana", 2))[1] is True


def test_the_caps_per_participant_and_per_room_say_so(store):
    store.per_participant_cap, store.per_room_cap = 3, 5
    for seed in range(3):
        store.submit(sub("ana", seed))
    with pytest.raises(CapReached, match=r"submitted 3 drawings.*\(3\)"):
        store.submit(sub("ana", 99))
    store.submit(sub("ben", 10))
    store.submit(sub("ben", 11))
    with pytest.raises(CapReached, match=r"room holds 5 drawings.*\(5\)"):
        store.submit(sub("cy", 12))
    assert len(store.submissions()) == 5


def test_hiding_showing_and_clearing(store):
    a, _ = store.submit(sub("ana", 1))
    b, _ = store.submit(sub("ben", 2))
    assert store.set_hidden([a.id], True) == 1
    assert store.set_hidden([a.id], True) == 0  # already hidden
    assert [s.id for s in store.submissions(include_hidden=False)] == [b.id]
    assert [s.hidden for s in store.submissions()] == [True, False]
    assert store.set_hidden([a.id], False) == 1
    assert store.clear() == 2
    assert store.submissions() == []
    assert store.room().labels == ("X", "O")  # the room's settings stay


def test_every_change_moves_the_change_counter(store):
    seen = [store.changes()]
    a, _ = store.submit(sub("ana", 1))
    seen.append(store.changes())
    store.set_hidden([a.id], True)
    seen.append(store.changes())
    store.update_room(labels=("cat", "dog"))
    seen.append(store.changes())
    store.save_model(b"npz bytes", "info")
    seen.append(store.changes())
    assert seen == sorted(set(seen))


def test_the_rooms_network_is_kept_with_a_version(store):
    assert store.model() == (0, None)
    assert store.save_model(b"first", "one") == 1
    assert store.save_model(b"second", "two") == 2
    assert store.model() == (2, b"second")
    assert store.room().model_info == "two"
    store.forget_model()
    assert store.model() == (0, None)


def test_import_adds_what_is_new_and_refuses_what_would_pass_the_cap(store):
    store.submit(sub("ana", 1))
    incoming = [sub("old", seed) for seed in range(4)]
    assert store.import_submissions(incoming) == (4, 0)
    assert store.import_submissions(incoming) == (0, 4)
    store.per_room_cap = 6
    with pytest.raises(CapReached, match="more than the room takes"):
        store.import_submissions([sub("old", seed) for seed in range(10, 13)])
    assert len(store.submissions()) == 5


def test_a_store_survives_being_opened_again(store_location):
    first = open_store(store_location)
    stored, _ = first.submit(sub("ana", 1))
    first.update_room(labels=("cat", "dog"), locked=True)
    first.close()
    second = open_store(store_location)
    assert [s.id for s in second.submissions()] == [stored.id]
    assert second.room().labels == ("cat", "dog") and second.room().locked
    second.close()


def test_forty_threads_submitting_at_once_store_every_drawing_exactly_once(store):
    store.per_participant_cap = 1000
    start = threading.Barrier(40)

    def participant(i: int) -> list[bool]:
        start.wait()
        # Each submits five drawings, each one twice (a double click), interleaved.
        return [store.submit(sub(f"p{i}", seed))[1] for seed in (0, 1, 0, 2, 3, 1, 4, 2, 3, 4)]

    with ThreadPoolExecutor(40) as pool:
        news = list(pool.map(participant, range(40)))
    assert all(sum(flags) == 5 for flags in news)
    stored = store.submissions()
    assert len(stored) == 200
    assert {s.id for s in stored} == {sub(f"p{i}", seed).id for i in range(40) for seed in range(5)}


def _submit_from_another_process(location: str, worker: int) -> int:
    store = open_store(location)
    try:
        return sum(store.submit(sub(f"w{worker}", seed % 6))[1] for seed in range(12))
    finally:
        store.close()


def test_several_processes_submitting_at_once_store_every_drawing_exactly_once(store_location):
    open_store(store_location).close()
    with ProcessPoolExecutor(4) as pool:
        added = list(pool.map(_submit_from_another_process, [store_location] * 4, range(4)))
    assert added == [6, 6, 6, 6]
    store = open_store(store_location)
    assert len(store.submissions()) == 24
    store.close()


RUSH = """
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from playground.views.room.backends import open_store
from tests.room.test_store import sub

store = open_store(sys.argv[1])
store.per_participant_cap = store.per_room_cap = 10**6

def one(n):
    stored, _ = store.submit(sub(f"r{n % 8}", n))
    os.write(1, f"{stored.id}\\n".encode())  # acknowledged (committed); one atomic write

with ThreadPoolExecutor(8) as pool:
    list(pool.map(one, range(10**6)))
"""


def test_a_server_killed_mid_rush_loses_no_acknowledged_submission(store_location):
    """A process submits from 8 threads and prints each id once `submit` returned; it is
    killed with SIGKILL mid-rush; every printed id is in the store when it opens again."""
    open_store(store_location).close()
    rush = subprocess.Popen(
        [sys.executable, "-c", RUSH, store_location],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    acknowledged: list[str] = []
    deadline = time.monotonic() + 60
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        line = rush.stdout.readline()
        if not line:
            break
        acknowledged.append(line.strip())
    rush.send_signal(signal.SIGKILL)
    acknowledged += [line.strip() for line in rush.stdout.read().splitlines() if line.strip()]
    rush.wait(timeout=10)
    assert rush.returncode == -signal.SIGKILL
    assert len(acknowledged) >= 150, "the rush did not get going"
    store = open_store(store_location)
    kept = {s.id for s in store.submissions()}
    store.close()
    assert set(acknowledged) <= kept


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"label": "Y"}, "takes the labels X, O"),
        ({"label": ""}, "printable"),
        ({"name": "n" * 25}, "at most 24"),
        ({"participant": "../etc"}, "letters, digits"),
        ({"grid": [[0, 1]]}, "8×8"),
        ({"grid": [[2] * 8] * 8}, "0 or 1"),
        ({"grid": "not a grid"}, "8×8|rows of 0 and 1"),
    ],
)
def test_a_bad_submission_is_refused_with_its_reason(kwargs, message):
    args = {"participant": "ana", "label": "X", "grid": drawing(1), "name": "", **kwargs}
    with pytest.raises(RoomError, match=message):
        new_submission(**args, labels=("X", "O"))

"""A small room on one real server: several sessions at once, each gets only its own numbers.

The room benchmark (`python -m bench.room`) measures the same scenarios at full size; this is
its correctness half, without timing: participants draw their own drawings at the same time
(every reply is checked against cnn_core for that participant's drawing), one of them trains
meanwhile, and nobody else's page shows a model or numbers that are not theirs.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path

import pytest

from bench.local_server import StreamlitServer
from bench.room import Figures, Participant, _family, _open_train_page, _train_once
from bench.streamlit_session import StreamlitSession
from tests import aio

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def room_server():
    server = StreamlitServer("playground/app.py", args=["--workers", "1"]).wait_until_ready()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def room_url(room_server):
    return room_server.base_url


async def _draw(person: Participant, strokes: int) -> None:
    for _ in range(strokes):
        await person.stroke()  # raises if the numbers are not this participant's


def test_sessions_drawing_at_once_each_get_their_own_numbers(room_url):
    async def room():
        people = [Participant(room_url, seed) for seed in range(5)]
        await asyncio.gather(*(p.join() for p in people))
        await asyncio.gather(*(_draw(p, 4) for p in people))
        grids = [p.grid.copy() for p in people]
        for p in people:
            await p.leave()
        return grids

    grids = aio.run(room())
    # Five different drawings came back, each checked cell for cell on every stroke.
    assert len({g.tobytes() for g in grids}) == 5


def test_a_training_run_in_one_session_changes_nobody_elses_page(room_url):
    async def room():
        drawers = [Participant(room_url, 100 + seed) for seed in range(3)]
        await asyncio.gather(*(p.join() for p in drawers))
        trainer = await _open_train_page(room_url, 0)
        finished = Figures("train")
        await asyncio.gather(_train_once(trainer, 0, finished), *(_draw(p, 3) for p in drawers))
        # Another session's Train page has no model: the run stayed in its session.
        async with StreamlitSession(room_url) as other:
            page = await other.open("/train")
        for p in drawers:
            await _draw(p, 1)
            await p.leave()
        return finished, page

    finished, page = aio.run(room())
    assert finished.errors == [] and len(finished.latencies) == 1
    texts = " ".join(page.texts())
    assert "Press **Train**" in texts and "Finished in" not in texts


def test_two_replicas_behind_the_proxy_keep_every_session_whole():
    """`--replicas 2`: participants spread over two processes behind one address; each
    still gets its own numbers, stroke after stroke, over its one websocket."""
    server = StreamlitServer(
        "playground/app.py", args=["--replicas", "2", "--workers", "2"]
    ).wait_until_ready()
    try:

        async def room():
            people = [Participant(server.base_url, 200 + seed) for seed in range(4)]
            await asyncio.gather(*(p.join() for p in people))
            await asyncio.gather(*(_draw(p, 3) for p in people))
            ids = [p.session.widget_ids["lab_draw"] for p in people]
            for p in people:
                await p.leave()
            return ids

        ids = aio.run(room())
        assert len(ids) == 4
        family = _family(server.process.pid)
        assert len(family) >= 1 + 2 + 2  # the proxy, two replicas, a training worker each
    finally:
        server.stop()
    # Stopping the proxy stops its replicas and their workers (each replica shuts its pool).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in family):
        time.sleep(0.2)
    assert not [pid for pid in family if Path(f"/proc/{pid}").exists()]


def test_submissions_reach_the_teachers_wall_each_once_and_attributed(room_server, room_url):
    """The benchmark's `submit` scenario, small: participants submit while the teacher's wall
    refreshes; every drawing is acknowledged and appears on the wall under its author's name."""
    from bench.room import Figures
    from bench.room_wall import scenario_submit

    key = (room_server.data_dir / "teacher_key").read_text().strip()
    submitted, visible = aio.run(scenario_submit(room_url, 3, 6.0, key, Figures))
    assert submitted.errors == [] and visible.errors == []
    assert len(submitted.latencies) >= 3
    assert visible.name.endswith(f"{len(submitted.latencies)} of {len(submitted.latencies)} seen")


def test_a_server_killed_mid_rush_keeps_every_acknowledged_submission(tmp_path):
    """Participants submit as fast as the page answers; the server gets SIGKILL in the middle;
    every drawing a participant's page acknowledged ("Submitted as …") is in the store."""
    from bench.room_wall import Submitter
    from playground.views.room.backends import open_store
    from playground.views.room.records import submission_id

    data_dir = tmp_path / "data"
    server = StreamlitServer(
        "playground/app.py", args=["--workers", "1"], env={"CNN_PLAYGROUND_DATA": str(data_dir)}
    ).wait_until_ready()
    people = [Submitter(server.base_url, i) for i in range(6)]

    async def rush():
        await asyncio.gather(*(p.join() for p in people))

        async def submit_until_killed(person):
            with contextlib.suppress(Exception):  # the server dies under it
                for n in range(25):
                    await person.submit("XO"[n % 2])

        async def kill_when_busy():
            while sum(len(p.acknowledged) for p in people) < 30:
                await asyncio.sleep(0.02)
            server.process.send_signal(signal.SIGKILL)

        await asyncio.gather(kill_when_busy(), *(submit_until_killed(p) for p in people))
        for p in people:
            await p.session.close()

    try:
        aio.run(rush())
    finally:
        server.stop()
    assert server.process.returncode == -signal.SIGKILL
    store = open_store(str(data_dir))
    kept = {s.id for s in store.submissions()}
    store.close()
    acknowledged = {
        submission_id(person.participant_id, label, grid)
        for person in people
        for label, grid in person.acknowledged
    }
    assert len(acknowledged) >= 30
    assert acknowledged <= kept

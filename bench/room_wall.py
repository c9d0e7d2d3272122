"""The Room's scenario of the room benchmark: participants submit while the wall refreshes.

    .venv/bin/python -m bench.room submit --sessions 40 --seconds 30

N participants open /room and each submits a new drawing of its own (with its own name) at
its own random phase every SUBMIT_EVERY_S seconds; one teacher session has the teacher's view
open and answers its live fragment's timer as the browser does. Two figures:
- submit: from the click to the page saying "Submitted as …" (the store's commit included);
- visible: from the click to the teacher's page showing that drawing's tile (the wall
  redraws every 2 s, so about 1 s of this is the wall's own rhythm).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from urllib.parse import parse_qsl

import numpy as np
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.streamlit_session import StreamlitSession

SUBMIT_EVERY_S = 5.0
_TILE_NAME = re.compile(r" · (p\d+)</div>")  # the tile's "#n X · p7" line (names are ours)


class Submitter:
    """One participant on /room who submits a new random drawing each time."""

    def __init__(self, base_url: str, index: int) -> None:
        self.name = f"p{index}"
        self.session = StreamlitSession(base_url)
        self.rng = np.random.default_rng(index)
        self.rev = 0
        self.sent: list[float] = []  # when each submission was clicked, in order
        self.acknowledged: list[tuple[str, np.ndarray]] = []  # (label, grid) the page confirmed

    async def join(self) -> None:
        await self.session.__aenter__()
        run = await self.session.open("/room")
        if run.exception:
            raise RuntimeError(run.exception[:200])
        grid = run.component("room_draw")
        self.rev = int(grid["rev"])

    async def submit(self, label: str) -> float:
        """Draw a new drawing and submit it; seconds until the page acknowledged it."""
        grid = (self.rng.random((8, 8)) < 0.35).astype(int)
        grid[0, 0] = 1
        state = {"grid": {"rev": self.rev, "seq": len(self.sent) + 1, "cells": grid.tolist()}}
        await self.session.set_component("room_draw", state)
        clicked = time.perf_counter()
        self.sent.append(clicked)
        run = await self.session.send({
            "room_name": ("string_value", self.name),
            "room_draw": ("json_value", json.dumps(state)),
            f"room_submit_{label}": ("trigger_value", True),
        })  # fmt: skip
        if run.exception or not any("Submitted as" in t for t in run.texts()):
            self.sent.pop()
            raise RuntimeError(run.exception[:200] or "no 'Submitted as' in the reply")
        self.acknowledged.append((label, grid))
        return run.finished - clicked

    @property
    def participant_id(self) -> str:
        """The id the page gave this participant (it writes it to the address: ?me=…)."""
        return dict(parse_qsl(self.session.query_string)).get("me", "")


async def watch_wall(wall: StreamlitSession, people: dict[str, Submitter], visible: list,
                     stop: asyncio.Event) -> None:  # fmt: skip
    """Answer the teacher's fragment timers until `stop`; record for every submission how
    long after its click its tile first appeared."""
    seen = {name: 0 for name in people}
    run = None
    due: dict[str, float] = {f: time.perf_counter() + every for f, every in wall.timers.items()}
    while not stop.is_set():
        fragment_id = min(due, key=due.get)
        await asyncio.sleep(max(0.0, due[fragment_id] - time.perf_counter()))
        run = await wall.rerun_fragment(fragment_id)
        if run.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            due[fragment_id] = time.perf_counter() + wall.timers[fragment_id]
        html = "".join(e.proto.body for e in run.elements if e.kind == "html")
        counts: dict[str, int] = {}
        for name in _TILE_NAME.findall(html):
            counts[name] = counts.get(name, 0) + 1
        arrived = max((e.arrived for e in run.elements if e.kind == "html"), default=None)
        for name, count in counts.items():
            person = people.get(name)
            while person is not None and seen[name] < min(count, len(person.sent)):
                visible.append(arrived - person.sent[seen[name]])
                seen[name] += 1


async def scenario_submit(base_url: str, sessions: int, seconds: float, teacher_key: str,
                          figures_type) -> list:  # fmt: skip
    """N participants submitting for `seconds` while the teacher's wall refreshes."""
    submit = figures_type(f"submit: {sessions} participants, one every {SUBMIT_EVERY_S:g} s each")
    visible = figures_type("  … submit → visible on the teacher's wall")
    wall = StreamlitSession(base_url, timeout_s=120)
    await wall.__aenter__()
    first = await wall.open("/room", query=f"teacher={teacher_key}")
    if first.exception or not wall.timers:
        raise RuntimeError(f"the teacher's view did not open: {first.exception[:200]}")
    people = {f"p{i}": Submitter(base_url, i) for i in range(sessions)}
    await asyncio.gather(*(p.join() for p in people.values()))
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_wall(wall, people, visible.latencies, stop))
    rng = random.Random(5)
    until = time.perf_counter() + seconds

    async def loop(person: Submitter) -> None:
        await asyncio.sleep(rng.uniform(0, SUBMIT_EVERY_S))
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                submit.latencies.append(await person.submit(rng.choice("XO")))
            except Exception as error:
                submit.errors.append(f"{type(error).__name__}: {error}")
            await asyncio.sleep(max(0.0, SUBMIT_EVERY_S - (time.perf_counter() - start)))

    await asyncio.gather(*(loop(p) for p in people.values()))
    await asyncio.sleep(6)  # the wall's last refreshes
    stop.set()
    await watcher
    total = sum(len(p.sent) for p in people.values())
    visible.name += f": {len(visible.latencies)} of {total} seen"
    for p in people.values():
        await p.session.close()
    await wall.close()
    return [submit, visible]

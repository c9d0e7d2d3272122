"""The room benchmark: many participants on one server, measured without browsers.

    .venv/bin/python -m bench.room                       # every scenario, its own server
    .venv/bin/python -m bench.room draw --sessions 100 --seconds 60
    .venv/bin/python -m bench.room train --sessions 30 --drawers 10
    .venv/bin/python -m bench.room arrive --sessions 40
    .venv/bin/python -m bench.room memory --sessions 100
    .venv/bin/python -m bench.room soak --sessions 100 --seconds 600
    .venv/bin/python -m bench.room submit --sessions 40 --seconds 30
    .venv/bin/python -m bench.room draw --url http://127.0.0.1:8501   # a server you started

Each participant is a websocket session speaking Streamlit's protocol
(`bench.streamlit_session`), on loopback, from this one process. Scenarios:

* **draw**: N participants on the Convolution lab, each changing one cell of its own drawing
  every 2 s (at its own random phase). Latency: from sending the stroke to receiving the maps
  element with the new numbers, which are checked against `cnn_core` for that participant's
  own drawing (so a number from anyone else's session counts as an error).
* **train**: N participants on the Train page press Train within 5 s, with the defaults, while
  M others draw on the lab. Per run: from the click to the "Finished" message (the live
  fragment's timer is answered as the browser does: a new fragment run as soon as the last
  one ended and the interval passed). The drawers' strokes are measured as in *draw*.
* **arrive**: N participants open the page within 2 s; from connecting to the first numbers
  (the lab's maps) arriving.
* **memory**: the server's memory with no session, with N idle sessions on the lab, and again
  some time after they left (Streamlit keeps a closed session for reconnects for a while).
* **soak**: *draw* for a long time, printing the server's memory every 30 s.
* **submit**: N participants on the Room submit drawings while the teacher's wall refreshes;
  from the click to the acknowledgement, and to the drawing's tile on the wall
  (bench/room_wall.py).

Prints p50 / p95 / max per scenario, what finished, errors, and the server's memory (RSS, the
server process and its training workers). Asserts nothing: the floors are read off the output.
Timing on a 2-core machine shared with this client is provisional; the client's own load is
part of the figures (it is small next to the server's).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench.local_server import StreamlitServer  # noqa: E402
from bench.streamlit_session import StreamlitSession  # noqa: E402
from cnn_core import conv2d, pool2d, threshold  # noqa: E402
from cnn_core.kernels import preset  # noqa: E402

STROKE_EVERY_S = 2.0
LAB_GRID, LAB_MAPS = "lab_draw", "lab_maps1"
# The lab's defaults: the deck's "/" kernel, same padding, threshold 0, 2×2 max pooling.
LAB_KERNEL = preset("deck diagonal /")


# --- what one participant sees --------------------------------------------------------------


def lab_numbers(grid: np.ndarray) -> dict[str, np.ndarray]:
    """The numbers the lab must show for `grid` with its default settings, by map key."""
    fmap = conv2d(grid, LAB_KERNEL, padding="same")
    thresholded = threshold(fmap, 0.0)
    return {"lab_fm1": fmap, "lab_thr1": thresholded, "lab_pool1": pool2d(thresholded, 2)}


def check_lab_maps(data, grid: np.ndarray) -> str:
    """ "" if the maps element `data` shows exactly this drawing's numbers, else what differs."""
    if data is None:
        return "no maps element in the reply"
    shown = {p["key"]: np.array(p["z"], dtype=float) for p in data["panels"]}
    for key, expected in lab_numbers(grid).items():
        if key not in shown:
            return f"map {key} missing"
        if shown[key].shape != expected.shape or not np.array_equal(shown[key], expected):
            return f"map {key} shows numbers that are not this participant's"
    return ""


class Participant:
    """One session on the lab with a drawing of its own, drawn one cell per stroke."""

    def __init__(self, base_url: str, seed: int) -> None:
        self.session = StreamlitSession(base_url)
        self.rng = random.Random(seed)
        self.grid: np.ndarray | None = None
        self.seq = 0
        self.rev = 0

    async def join(self, path: str = "/") -> float:
        """Connect and open the lab; seconds until its first numbers arrived."""
        start = time.perf_counter()
        await self.session.__aenter__()
        run = await self.session.open(path)
        if run.exception:
            raise RuntimeError(f"the page raised: {run.exception[:200]}")
        maps = run.first(LAB_MAPS)
        grid = run.component(LAB_GRID)
        if maps is None or grid is None:
            raise RuntimeError("the lab sent no drawing or no maps")
        self.grid, self.rev = np.array(grid["grid"], dtype=int), int(grid["rev"])
        return maps.arrived - start

    async def stroke(self) -> float:
        """Flip one random cell, as a click on the grid does; seconds until the new numbers
        arrived. RuntimeError if they are not this participant's."""
        grid = self.grid.copy()
        r, c = self.rng.randrange(grid.shape[0]), self.rng.randrange(grid.shape[1])
        grid[r, c] = 1 - grid[r, c]
        self.seq += 1
        run = await self.session.set_component(
            LAB_GRID, {"grid": {"rev": self.rev, "seq": self.seq, "cells": grid.tolist()}}
        )
        maps = run.first(LAB_MAPS)
        problem = run.exception or check_lab_maps(maps.json if maps else None, grid)
        if problem:
            raise RuntimeError(problem)
        self.grid = grid
        return maps.arrived - run.sent

    async def leave(self) -> None:
        await self.session.close()


# --- figures ----------------------------------------------------------------------------------


@dataclass
class Figures:
    """Latencies (seconds) and errors of one scenario."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def line(self, unit: str = "ms") -> str:
        scale = 1000 if unit == "ms" else 1
        if not self.latencies:
            return f"{self.name}: no measurement, {len(self.errors)} errors"
        xs = sorted(self.latencies)
        p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
        return (
            f"{self.name}: n={len(xs)}  p50 {statistics.median(xs) * scale:.0f} {unit}  "
            f"p95 {p95 * scale:.0f} {unit}  max {xs[-1] * scale:.0f} {unit}  "
            f"errors {len(self.errors)}"
        )


def _family(pid: int) -> list[int]:
    """The process and all its descendants (replicas, training workers)."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            for task in Path(f"/proc/{pids[i]}/task").iterdir():
                pids += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
        i += 1
    return pids


def rss_mb(pid: int) -> float:
    """Resident memory of the server: the process and its descendants, in MB."""
    total = 0
    for p in _family(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of the server process and its descendants."""
    total = 0
    for p in _family(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / os.sysconf("SC_CLK_TCK")


# --- scenarios --------------------------------------------------------------------------------


async def _join_all(base_url: str, count: int, seed: int, spread_s: float = 0.0):
    """`count` participants join the lab, spread evenly over `spread_s` seconds."""
    people = [Participant(base_url, seed + i) for i in range(count)]

    async def one(i: int, person: Participant):
        await asyncio.sleep(spread_s * i / max(count, 1))
        return await person.join()

    waits = await asyncio.gather(*(one(i, p) for i, p in enumerate(people)), return_exceptions=True)
    return people, waits


async def _draw_loop(person: Participant, until: float, figures: Figures, phase: float) -> None:
    next_at = time.perf_counter() + phase
    while True:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        if time.perf_counter() >= until:
            return
        try:
            figures.latencies.append(await person.stroke())
        except Exception as error:  # a wrong number or a dead session: an error, go on
            figures.errors.append(f"{type(error).__name__}: {error}")
        next_at += STROKE_EVERY_S


async def scenario_draw(base_url: str, sessions: int, seconds: float, pid: int | None) -> Figures:
    people, waits = await _join_all(base_url, sessions, seed=1000, spread_s=STROKE_EVERY_S)
    figures = Figures(f"draw: {sessions} participants, a stroke every {STROKE_EVERY_S:g} s")
    figures.errors += [repr(w) for w in waits if isinstance(w, BaseException)]
    ready = [p for p, w in zip(people, waits, strict=True) if not isinstance(w, BaseException)]
    cpu0 = cpu_seconds(pid) if pid else None
    until = time.perf_counter() + seconds
    rng = random.Random(7)
    await asyncio.gather(
        *(_draw_loop(p, until, figures, rng.uniform(0, STROKE_EVERY_S)) for p in ready)
    )
    if pid:
        used = cpu_seconds(pid) - cpu0
        figures.name += (
            f" (server CPU {used / max(len(figures.latencies), 1) * 1000:.1f} ms/stroke)"
        )
    for p in people:
        await p.leave()
    return figures


async def _open_train_page(base_url: str, after_s: float) -> StreamlitSession:
    """A participant who has the Train page open (before the rush)."""
    await asyncio.sleep(after_s)
    session = StreamlitSession(base_url, timeout_s=120)
    await session.__aenter__()
    run = await session.open("/train")
    if run.exception:
        raise RuntimeError(run.exception[:200])
    return session


async def _train_once(session: StreamlitSession, start_after: float, figures: Figures) -> None:
    """Press Train, and answer the page's fragment timers as a browser does (a timer fires
    `interval` seconds after the previous run of its fragment ended) until "Finished"."""
    await asyncio.sleep(start_after)
    try:
        clicked = time.perf_counter()
        run = await session.click("train_start")
        due: dict[str, float] = {}  # fragment id → when its timer fires next
        while time.perf_counter() < clicked + 120:
            if run.exception:
                raise RuntimeError(run.exception[:200])
            if any("Finished in" in t for t in run.texts()):
                figures.latencies.append(time.perf_counter() - clicked)
                return
            now = time.perf_counter()
            if run.status == ForwardMsg.FINISHED_SUCCESSFULLY:  # a full run: new timers
                due = {f: now + every for f, every in session.timers.items()}
            elif (
                run.status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                and run.fragment_id in session.timers
            ):
                due[run.fragment_id] = now + session.timers[run.fragment_id]
            if run.status == ForwardMsg.FINISHED_EARLY_FOR_RERUN or not due:
                run = await session.next_run()  # the server reruns by itself (st.rerun)
                continue
            fragment_id = min(due, key=due.get)
            await asyncio.sleep(max(0.0, due[fragment_id] - time.perf_counter()))
            run = await session.rerun_fragment(fragment_id)
        raise RuntimeError("training did not finish within 120 s")
    except Exception as error:
        figures.errors.append(f"{type(error).__name__}: {error}")
    finally:
        await session.close()


async def scenario_train(base_url: str, sessions: int, drawers: int) -> list[Figures]:
    train = Figures(f"train: {sessions} press Train within 5 s, click → Finished")
    draw = Figures(f"draw meanwhile: {drawers} participants, a stroke every {STROKE_EVERY_S:g} s")
    people, waits = await _join_all(base_url, drawers, seed=2000)
    draw.errors += [repr(w) for w in waits if isinstance(w, BaseException)]
    rng = random.Random(3)
    opened = await asyncio.gather(
        *(_open_train_page(base_url, 10 * i / sessions) for i in range(sessions)),
        return_exceptions=True,
    )
    train.errors += [repr(s) for s in opened if isinstance(s, BaseException)]
    trainers = [
        _train_once(s, rng.uniform(0, 5), train) for s in opened if not isinstance(s, BaseException)
    ]
    stop = asyncio.Event()

    async def drawing():
        # Draw from the first click until every run has ended.
        until = time.perf_counter() + 3600
        tasks = [
            asyncio.create_task(_draw_loop(p, until, draw, rng.uniform(0, STROKE_EVERY_S)))
            for p, w in zip(people, waits, strict=True)
            if not isinstance(w, BaseException)
        ]
        await stop.wait()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    drawer = asyncio.create_task(drawing())
    await asyncio.gather(*trainers)
    stop.set()
    await drawer
    for p in people:
        await p.leave()
    train.name += f": {len(train.latencies)} of {sessions} finished"
    return [train, draw]


async def scenario_arrive(base_url: str, sessions: int, within_s: float = 2.0) -> Figures:
    people, waits = await _join_all(base_url, sessions, seed=3000, spread_s=within_s)
    figures = Figures(f"arrive: {sessions} open the lab within {within_s:g} s, first numbers")
    for w in waits:
        if isinstance(w, BaseException):
            figures.errors.append(repr(w))
        else:
            figures.latencies.append(w)
    for p in people:
        await p.leave()
    return figures


async def scenario_memory(base_url: str, sessions: int, pid: int, settle_s: float) -> str:
    """Two waves of `sessions` idle participants, each leaving before the next arrives: the
    first wave's growth is what a session holds; if the second wave ends no higher than the
    first, the first wave's memory was freed and reused (a process rarely gives its heap
    back to the system, so RSS after a wave stays near its peak)."""
    await asyncio.sleep(2)
    before = rss_mb(pid)
    held, after, errors = [], [], 0
    for wave in range(2):
        people, waits = await _join_all(base_url, sessions, seed=4000 + wave * 1000, spread_s=4.0)
        errors += sum(isinstance(w, BaseException) for w in waits)
        for p in people:
            if p.grid is not None:
                await p.stroke()  # each holds a drawing of its own
        await asyncio.sleep(2)
        held.append(rss_mb(pid))
        for p in people:
            await p.leave()
        await asyncio.sleep(settle_s)
        # One new visitor: Streamlit drops expired sessions when its session store is touched.
        late = Participant(base_url, 99)
        await late.join()
        await late.leave()
        await asyncio.sleep(2)
        after.append(rss_mb(pid))
    per = (held[0] - before) / max(sessions, 1)
    return (
        f"memory: {before:.0f} MB with no session; {held[0]:.0f} MB with {sessions} idle "
        f"sessions ({per:.2f} MB each); {after[0]:.0f} MB {settle_s:.0f} s after they left; "
        f"a second wave: {held[1]:.0f} MB, then {after[1]:.0f} MB; errors {errors}"
    )


async def scenario_soak(base_url: str, sessions: int, seconds: float, pid: int) -> list[str]:
    lines = []
    figures = Figures(f"soak: {sessions} drawing for {seconds:.0f} s")
    people, waits = await _join_all(base_url, sessions, seed=5000, spread_s=STROKE_EVERY_S)
    ready = [p for p, w in zip(people, waits, strict=True) if not isinstance(w, BaseException)]
    start = time.perf_counter()
    until = start + seconds
    rng = random.Random(11)
    loops = asyncio.gather(
        *(_draw_loop(p, until, figures, rng.uniform(0, STROKE_EVERY_S)) for p in ready)
    )
    while time.perf_counter() < until:
        lines.append(f"  t={time.perf_counter() - start:4.0f} s  server RSS {rss_mb(pid):.0f} MB")
        print(lines[-1], flush=True)
        await asyncio.sleep(30)
    await loops
    for p in people:
        await p.leave()
    return [*lines, figures.line()]


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.room", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "scenario",
        nargs="?",
        default="all",
        choices=["all", "draw", "train", "arrive", "memory", "soak", "submit"],
    )
    parser.add_argument("--sessions", type=int, default=None, help="participants")
    parser.add_argument("--drawers", type=int, default=10, help="train: participants drawing")
    parser.add_argument("--seconds", type=float, default=None, help="draw/soak: duration")
    parser.add_argument("--url", default=None, help="a running server (default: start one)")
    parser.add_argument("--teacher-key", default=None, help="submit, with --url: the room's key")
    parser.add_argument("--workers", type=int, default=None, help="training workers")
    parser.add_argument("--replicas", type=int, default=None, help="app processes (launcher)")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="serve with Streamlit's defaults instead of the launcher's",
    )
    args = parser.parse_args(argv)  # fmt: skip

    server = None
    if args.url is None:
        extra = [] if args.workers is None else ["--workers", str(args.workers)]
        extra += [] if args.replicas is None else ["--replicas", str(args.replicas)]
        server = StreamlitServer("playground/app.py", args=extra, stock=args.stock)
        server.wait_until_ready()
        base_url, pid = server.base_url, server.process.pid
        args.teacher_key = (server.data_dir / "teacher_key").read_text().strip()
    else:
        base_url, pid = args.url, None
    print(f"room benchmark against {base_url} on {os.cpu_count()} cores"
          f"{' (stock Streamlit settings)' if args.stock else ''}"
          f"{f', {args.replicas} replicas' if args.replicas else ''}", flush=True)  # fmt: skip
    try:
        for line in asyncio.run(_run(args, base_url, pid)):
            print(line, flush=True)
    finally:
        if server is not None:
            server.stop()


async def _run(args, base_url: str, pid: int | None) -> list[str]:
    out: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        out.append(text)

    # Warm the server up: the first run of each page imports and compiles.
    warm = Participant(base_url, 0)
    await warm.join()
    await warm.leave()
    chosen = args.scenario
    if chosen in ("all", "draw"):
        for n in [args.sessions] if args.sessions else [40, 100]:
            say((await scenario_draw(base_url, n, args.seconds or 30, pid)).line())
    if chosen in ("all", "arrive"):
        say((await scenario_arrive(base_url, args.sessions or 40)).line())
    if chosen in ("all", "train"):
        for f in await scenario_train(base_url, args.sessions or 30, args.drawers):
            say(f.line("ms"))
            if f.errors:
                say(f"  first error: {f.errors[0][:300]}")
    if chosen in ("all", "submit"):
        from bench.room_wall import scenario_submit

        for f in await scenario_submit(
            base_url, args.sessions or 40, args.seconds or 30, args.teacher_key, Figures
        ):
            say(f.line("ms"))
            if f.errors:
                say(f"  first error: {f.errors[0][:300]}")
    if chosen in ("all", "memory") and pid:
        say(await scenario_memory(base_url, args.sessions or 100, pid, settle_s=150))
    if chosen == "soak" and pid:
        for line in await scenario_soak(base_url, args.sessions or 100, args.seconds or 600, pid):
            say(line)
    return []


if __name__ == "__main__":
    main()

"""The Room's store: rooms and submissions in one SQL database, shared by every session.

Two backends speak the same SQL through this one class:
- `SQLiteStore` (playground/views/room/sqlite.py): an embedded file in the data directory, WAL
  mode, the default; several processes on one machine may share it.
- `PostgresStore` (playground/views/room/postgres.py): one server for several app replicas on
  several machines.

Every change runs in one transaction that first locks the room's row, so the checks in it
(locked? caps reached? already stored?) and the write are one step, whatever the number of
threads and processes. A submission is acknowledged only after its transaction committed;
`submit` with an id the room already holds returns the stored one and writes nothing.

`changes(room)` is a counter bumped by every write: pages poll it (one indexed read) and
redraw only when it moved.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from playground.views.room.records import (
    DEFAULT_LABELS,
    GRID_SIZE,
    LOCKED_MESSAGE,
    PER_PARTICIPANT_CAP,
    PER_ROOM_CAP,
    ROOM_ID,
    CapReached,
    Locked,
    Room,
    Submission,
    participant_full,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    labels TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    changes INTEGER NOT NULL DEFAULT 0,
    model {blob},
    model_version INTEGER NOT NULL DEFAULT 0,
    model_info TEXT NOT NULL DEFAULT '',
    created DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    room TEXT NOT NULL,
    id TEXT NOT NULL,
    label TEXT NOT NULL,
    grid TEXT NOT NULL,
    name TEXT NOT NULL,
    participant TEXT NOT NULL,
    created DOUBLE PRECISION NOT NULL,
    hidden INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room, id)
);
CREATE INDEX IF NOT EXISTS submissions_by_participant ON submissions (room, participant);
"""

MAX_IDLE = 8  # pooled connections kept open between operations
_COLUMNS = "id, label, grid, name, participant, created, hidden"


class Store:
    """Rooms and their submissions. Subclasses provide connections and the row lock.

    Thread-safe: every operation borrows a connection from a small pool.
    """

    placeholder = "?"  # the driver's parameter mark; PostgreSQL's is %s
    per_participant_cap = PER_PARTICIPANT_CAP
    per_room_cap = PER_ROOM_CAP

    def __init__(self) -> None:
        self._idle: list = []  # open connections no thread is using
        self._lock = threading.Lock()

    # --- backends fill these in ---------------------------------------------------------------

    def _connect(self):
        """A new connection to the database."""
        raise NotImplementedError

    def _locked_room(self, room_id: str) -> contextlib.AbstractContextManager:
        """A cursor in a transaction that holds `room_id`'s row lock (the room must exist);
        commit at the end, rollback on an exception."""
        raise NotImplementedError

    def _transaction(self) -> contextlib.AbstractContextManager:
        """A cursor in a plain transaction (no room lock): used to create a room."""
        raise NotImplementedError

    # --- connections --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _borrowed(self) -> Iterator:
        """A connection for one operation. Streamlit runs every rerun in a new thread, so
        connections are pooled, not kept per thread; at most MAX_IDLE stay open."""
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(Exception):
                conn.close()  # its state is unknown: do not hand it to the next thread
            raise
        with self._lock:
            if len(self._idle) < MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            with contextlib.suppress(Exception):
                conn.close()

    def _sql(self, text: str) -> str:
        return text.replace("?", self.placeholder)

    def _read(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self._borrowed() as conn:
            cur = conn.cursor()
            try:
                cur.execute(self._sql(sql), params)
                return cur.fetchall()
            finally:
                cur.close()
                self._end_read(conn)

    def _end_read(self, conn) -> None:
        """Backends whose reads open a transaction end it here."""

    def _exec(self, cur, sql: str, params: Sequence = ()):
        cur.execute(self._sql(sql), params)
        return cur

    # --- rooms --------------------------------------------------------------------------------

    def ensure_room(self, room_id: str = ROOM_ID) -> None:
        """Create the room with default settings unless it exists."""
        with self._transaction() as cur:
            self._exec(
                cur,
                "INSERT INTO rooms (id, title, labels, created) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (id) DO NOTHING",
                (room_id, Room().title, json.dumps(list(DEFAULT_LABELS)), time.time()),
            )

    def room(self, room_id: str = ROOM_ID) -> Room:
        rows = self._read(
            "SELECT title, labels, locked, model_version, model_info FROM rooms WHERE id = ?",
            (room_id,),
        )
        if not rows:
            self.ensure_room(room_id)
            return self.room(room_id)
        title, labels, locked, version, info = rows[0]
        return Room(room_id, title, tuple(json.loads(labels)), bool(locked), version, info)

    def changes(self, room_id: str = ROOM_ID) -> int:
        """A number that grows with every change to the room or its submissions."""
        rows = self._read("SELECT changes FROM rooms WHERE id = ?", (room_id,))
        return int(rows[0][0]) if rows else 0

    def update_room(
        self,
        room_id: str = ROOM_ID,
        *,
        title: str | None = None,
        labels: tuple[str, ...] | None = None,
        locked: bool | None = None,
    ) -> Room:
        """Change the room's settings (values already checked by records.check_*)."""
        with self._locked_room(room_id) as cur:
            if title is not None:
                self._exec(cur, "UPDATE rooms SET title = ? WHERE id = ?", (title, room_id))
            if labels is not None:
                self._exec(
                    cur, "UPDATE rooms SET labels = ? WHERE id = ?", (json.dumps(labels), room_id)
                )
            if locked is not None:
                self._exec(cur, "UPDATE rooms SET locked = ? WHERE id = ?", (int(locked), room_id))
            self._bump(cur, room_id)
        return self.room(room_id)

    def _bump(self, cur, room_id: str) -> None:
        self._exec(cur, "UPDATE rooms SET changes = changes + 1 WHERE id = ?", (room_id,))

    # --- submissions --------------------------------------------------------------------------

    def submit(self, sub: Submission, room_id: str = ROOM_ID) -> tuple[Submission, bool]:
        """Store a participant's submission once → (the stored submission, whether it is new).

        Raises Locked when the room takes no submissions, CapReached when the participant
        or the room has reached its cap. A submission already stored (same id) is returned
        as it is, even in a locked room: the first request was acknowledged.
        """
        with self._locked_room(room_id) as cur:
            row = self._exec(
                cur, f"SELECT {_COLUMNS} FROM submissions WHERE room = ? AND id = ?",
                (room_id, sub.id),
            ).fetchone()  # fmt: skip
            if row is not None:
                return _submission(row), False
            locked = self._exec(cur, "SELECT locked FROM rooms WHERE id = ?", (room_id,))
            if locked.fetchone()[0]:
                raise Locked(LOCKED_MESSAGE)
            mine = self._count(cur, room_id, sub.participant)
            if mine >= self.per_participant_cap:
                raise CapReached(participant_full(mine, self.per_participant_cap))
            total = self._count(cur, room_id)
            if total >= self.per_room_cap:
                raise CapReached(
                    f"The room holds {total} drawings, the most it takes "
                    f"({self.per_room_cap}). Ask the teacher to make room."
                )
            self._insert(cur, room_id, sub)
            self._bump(cur, room_id)
        return sub, True

    def _count(self, cur, room_id: str, participant: str | None = None) -> int:
        if participant is None:
            sql, params = "SELECT COUNT(*) FROM submissions WHERE room = ?", (room_id,)
        else:
            sql = "SELECT COUNT(*) FROM submissions WHERE room = ? AND participant = ?"
            params = (room_id, participant)
        return int(self._exec(cur, sql, params).fetchone()[0])

    def _insert(self, cur, room_id: str, sub: Submission) -> None:
        self._exec(
            cur,
            f"INSERT INTO submissions (room, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (room_id, sub.id, sub.label, sub.rows(), sub.name, sub.participant, sub.created,
             int(sub.hidden)),
        )  # fmt: skip

    def submissions(
        self,
        room_id: str = ROOM_ID,
        *,
        participant: str | None = None,
        include_hidden: bool = True,
    ) -> list[Submission]:
        """The room's submissions, oldest first (of one participant, when given)."""
        sql = f"SELECT {_COLUMNS} FROM submissions WHERE room = ?"
        params: list = [room_id]
        if participant is not None:
            sql += " AND participant = ?"
            params.append(participant)
        if not include_hidden:
            sql += " AND hidden = 0"
        return [_submission(row) for row in self._read(sql + " ORDER BY created, id", params)]

    def withdraw(self, submission_id: str, participant: str, room_id: str = ROOM_ID) -> bool:
        """Delete a participant's own submission; False if it is not theirs (or gone)."""
        with self._locked_room(room_id) as cur:
            cur = self._exec(
                cur, "DELETE FROM submissions WHERE room = ? AND id = ? AND participant = ?",
                (room_id, submission_id, participant),
            )  # fmt: skip
            gone = cur.rowcount > 0
            if gone:
                self._bump(cur, room_id)
        return gone

    def set_hidden(self, ids: Iterable[str], hidden: bool, room_id: str = ROOM_ID) -> int:
        """Hide (or show again) submissions; returns how many changed."""
        changed = 0
        with self._locked_room(room_id) as cur:
            for submission_id in ids:
                cur = self._exec(
                    cur, "UPDATE submissions SET hidden = ? WHERE room = ? AND id = ? "
                    "AND hidden <> ?", (int(hidden), room_id, submission_id, int(hidden)),
                )  # fmt: skip
                changed += max(cur.rowcount, 0)
            self._bump(cur, room_id)
        return changed

    def clear(self, room_id: str = ROOM_ID) -> int:
        """Delete every submission of the room (the room's settings stay)."""
        with self._locked_room(room_id) as cur:
            cur = self._exec(cur, "DELETE FROM submissions WHERE room = ?", (room_id,))
            gone = max(cur.rowcount, 0)
            self._bump(cur, room_id)
        return gone

    def import_submissions(
        self, subs: Sequence[Submission], room_id: str = ROOM_ID
    ) -> tuple[int, int]:
        """Add submissions from an export (e.g. last week's class) → (added, already there).

        The teacher's import is taken even in a locked room; the room's cap still holds:
        CapReached (and nothing added) if they do not all fit."""
        with self._locked_room(room_id) as cur:
            known = {
                row[0]
                for row in self._exec(
                    cur, "SELECT id FROM submissions WHERE room = ?", (room_id,)
                ).fetchall()
            }
            new = [sub for sub in dict((s.id, s) for s in subs).values() if sub.id not in known]
            if len(known) + len(new) > self.per_room_cap:
                raise CapReached(
                    f"The room holds {len(known)} drawings and the file adds {len(new)}: "
                    f"more than the room takes ({self.per_room_cap})."
                )
            for sub in new:
                self._insert(cur, room_id, sub)
            self._bump(cur, room_id)
        return len(new), len(subs) - len(new)

    # --- the room's model ---------------------------------------------------------------------

    def save_model(self, data: bytes, info: str, room_id: str = ROOM_ID) -> int:
        """Keep the network the teacher trained for the room (.npz bytes) → its version."""
        with self._locked_room(room_id) as cur:
            self._exec(
                cur, "UPDATE rooms SET model = ?, model_info = ?, "
                "model_version = model_version + 1 WHERE id = ?", (data, info, room_id),
            )  # fmt: skip
            self._bump(cur, room_id)
            version = self._exec(cur, "SELECT model_version FROM rooms WHERE id = ?", (room_id,))
            return int(version.fetchone()[0])

    def model(self, room_id: str = ROOM_ID) -> tuple[int, bytes | None]:
        """(version, .npz bytes) of the room's network; (0, None) before any training."""
        rows = self._read("SELECT model_version, model FROM rooms WHERE id = ?", (room_id,))
        if not rows or rows[0][1] is None:
            return 0, None
        return int(rows[0][0]), bytes(rows[0][1])

    def forget_model(self, room_id: str = ROOM_ID) -> None:
        with self._locked_room(room_id) as cur:
            self._exec(
                cur, "UPDATE rooms SET model = NULL, model_info = '', "
                "model_version = model_version + 1 WHERE id = ?", (room_id,),
            )  # fmt: skip
            self._bump(cur, room_id)


_BLANK = np.zeros((GRID_SIZE, GRID_SIZE), dtype=np.uint8)


def _grid(text: str) -> np.ndarray:
    """The stored rows of 0/1 ("0110…\n…") as a (8, 8) uint8 array: read straight from the
    bytes, as the teacher's wall reads hundreds of rows every two seconds."""
    cells = np.frombuffer(text.replace("\n", "").encode("ascii", "replace"), dtype=np.uint8) - 48
    if cells.size != GRID_SIZE * GRID_SIZE or cells.max(initial=0) > 1:
        return _BLANK  # not written by this code; never crash a page over one row
    return cells.reshape(GRID_SIZE, GRID_SIZE)


def _submission(row: tuple) -> Submission:
    sub_id, label, grid, name, participant, created, hidden = row
    return Submission(sub_id, label, _grid(grid), name, participant, float(created), bool(hidden))

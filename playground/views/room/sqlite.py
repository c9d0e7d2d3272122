"""The Room's default store: one SQLite file in the data directory (WAL mode).

WAL lets the teacher's page read while participants write. `synchronous=FULL` makes a
commit durable before `submit` returns, so an acknowledged drawing survives the server being
killed (and the machine losing power). Writers take the database's write lock up front
(`BEGIN IMMEDIATE`), which makes each transaction's checks and its write one step across
threads and processes; they wait for each other up to BUSY_TIMEOUT_S.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from playground.views.room.store import SCHEMA, Store

FILE_NAME = "room.sqlite3"
BUSY_TIMEOUT_S = 30.0


class SQLiteStore(Store):
    """The store in `directory`/room.sqlite3 (the directory is created if missing)."""

    def __init__(self, directory: str | Path) -> None:
        super().__init__()
        self.path = Path(directory) / FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._transaction() as cur:
            cur.executescript(SCHEMA.format(blob="BLOB"))

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path.parent)!r})"

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: no implicit transactions; this class begins and commits.
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        return conn

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        with self._borrowed() as conn:
            cur = conn.cursor()
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _locked_room(self, room_id: str):
        # BEGIN IMMEDIATE already holds the whole database's write lock.
        return self._transaction()

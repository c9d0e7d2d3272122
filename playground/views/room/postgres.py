"""The Room's store on PostgreSQL, for several app replicas that share one room.

    python -m playground.serve --room-db postgresql://user:password@host/dbname

Each change locks the room's row (`SELECT … FOR UPDATE`), so checks and writes are one step
across every replica. psycopg 3 is needed only here, and imported only when this backend is
used (`pip install "psycopg[binary]"`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from playground.views.room.store import SCHEMA, Store

CONNECT_TIMEOUT_S = 10


class PostgresStore(Store):
    """The store in the PostgreSQL database at `url` (tables are created if missing)."""

    placeholder = "%s"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        with self._transaction() as cur:
            for statement in filter(str.strip, SCHEMA.format(blob="BYTEA").split(";")):
                cur.execute(statement)

    def __repr__(self) -> str:
        return "PostgresStore(…)"  # the URL may hold a password

    def _connect(self):
        import psycopg

        return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S)

    def _end_read(self, conn) -> None:
        conn.rollback()  # psycopg opened a transaction for the read; end it

    @contextlib.contextmanager
    def _transaction(self) -> Iterator:
        with self._borrowed() as conn, conn.transaction(), conn.cursor() as cur:
            yield cur

    @contextlib.contextmanager
    def _locked_room(self, room_id: str) -> Iterator:
        with self._transaction() as cur:
            cur.execute("SELECT id FROM rooms WHERE id = %s FOR UPDATE", (room_id,))
            yield cur

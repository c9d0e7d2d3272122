"""Open the store a location names: a PostgreSQL URL, or a directory for the SQLite file.

Apart from store.py so that the shared SQL (store.py) and its two backends (sqlite.py,
postgres.py) import in one direction only: each backend builds on store.py, and only this
module knows both.
"""

from __future__ import annotations

from playground.views.room.postgres import PostgresStore
from playground.views.room.sqlite import SQLiteStore
from playground.views.room.store import Store


def open_store(location: str) -> Store:
    """The store at `location`: a PostgreSQL URL (postgresql://…) or a directory for the
    SQLite file. Creates the schema and the default room."""
    if location.startswith(("postgresql://", "postgres://")):
        store: Store = PostgresStore(location)
    else:
        store = SQLiteStore(location)
    store.ensure_room()
    return store

"""Fixtures for the Room's store tests: one store per test, on SQLite and on PostgreSQL.

`store_location` is parametrised over both backends, so every store test runs on each. The
PostgreSQL server is a throwaway one (tests/postgres_server.py), started once per session;
each test gets a database of its own. Without PostgreSQL installed the PostgreSQL half is
skipped, unless CNN_PLAYGROUND_REQUIRE_POSTGRES=1 (scripts/test.sh sets it), which makes it
fail instead.
"""

from __future__ import annotations

import itertools
import os

import pytest

from tests.postgres_server import REQUIRED_ENV, PostgresServer, bin_dir

_databases = itertools.count()


@pytest.fixture(scope="session")
def postgres_url():
    if bin_dir() is None:
        if os.environ.get(REQUIRED_ENV):
            pytest.fail("PostgreSQL is not installed, and the suite requires it")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    with PostgresServer() as url:
        yield url


def _new_database(server_url: str) -> str:
    import psycopg

    name = f"room_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_location(request, tmp_path) -> str:
    """Where a fresh, empty store lives: a directory (SQLite) or a database URL."""
    if request.param == "sqlite":
        return str(tmp_path / "data")
    return _new_database(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_location):
    from playground.views.room.backends import open_store

    opened = open_store(store_location)
    yield opened
    opened.close()

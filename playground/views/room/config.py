"""Where the Room lives and who is its teacher.

The launcher (`python -m playground.serve --data-dir DIR --room-db URL`) passes its choices
to the app through environment variables, which also work on their own:

    CNN_PLAYGROUND_DATA         the data directory (default: data/ in the project; for an
                                installed package ~/.local/share/cnn-playground)
    CNN_PLAYGROUND_ROOM_DB      a PostgreSQL URL for the room (default: SQLite in the data dir)
    CNN_PLAYGROUND_TEACHER_KEY  the teacher's key (default: made once, kept in the data dir)

The teacher's key is random (`secrets`), kept in DIR/teacher_key (readable by its owner
only) so it survives restarts, and compared in constant time. Replicas on several machines
share one room through PostgreSQL; give them the same CNN_PLAYGROUND_TEACHER_KEY.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path

DATA_ENV = "CNN_PLAYGROUND_DATA"
ROOM_DB_ENV = "CNN_PLAYGROUND_ROOM_DB"
TEACHER_KEY_ENV = "CNN_PLAYGROUND_TEACHER_KEY"
_PROJECT = Path(__file__).resolve().parents[2]


def _default_data_dir() -> Path:
    """data/ in a checkout of the project; in an installed package (no pyproject.toml beside
    it) the user's data folder, never site-packages."""
    if (_PROJECT / "pyproject.toml").is_file():
        return _PROJECT / "data"
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "cnn-playground"


DEFAULT_DATA_DIR = _default_data_dir()
KEY_FILE = "teacher_key"
MIN_KEY_CHARS = 16


def data_dir() -> Path:
    return Path(os.environ.get(DATA_ENV) or DEFAULT_DATA_DIR)


def store_location() -> str:
    """A PostgreSQL URL, or the data directory for SQLite."""
    return os.environ.get(ROOM_DB_ENV) or str(data_dir())


def teacher_key() -> str:
    """The teacher's key: from the environment, else from the data directory (created there
    on first use)."""
    given = os.environ.get(TEACHER_KEY_ENV, "").strip()
    if given:
        if len(given) < MIN_KEY_CHARS:
            raise ValueError(f"{TEACHER_KEY_ENV} must be at least {MIN_KEY_CHARS} characters")
        return given
    path = data_dir() / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes starting at once agree on one key
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(18) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_KEY_CHARS:  # a half-written file from a crash: not a key
        raise ValueError(f"{path} does not hold a teacher key; delete it to make a new one")
    return key


def is_teacher(candidate: object) -> bool:
    """Whether `candidate` (from the URL) is the teacher's key, compared in constant time."""
    if not isinstance(candidate, str) or not candidate:
        return False
    return hmac.compare_digest(candidate.encode(), teacher_key().encode())


def teacher_link(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/room?teacher={teacher_key()}"

"""What the Room stores: a room, its submissions, and the checks every value passes first.

No Streamlit and no database here: the page, the stores and the import/export files all use
these types and checks, so a limit is stated once.

A submission's id is its idempotency key. The page derives it from who drew, what and with
which label (`submission_id`), so a double click or a retried request carries the same id and
the store keeps the drawing once.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field

import numpy as np

from cnn_core.untrusted import shorten

ROOM_ID = "main"  # one server, one room: /room
GRID_SIZE = 8  # the lesson's 8×8 drawings
DEFAULT_LABELS = ("X", "O")
MAX_LABELS = 6
MAX_LABEL_CHARS = 12
MAX_NAME_CHARS = 24
MAX_TITLE_CHARS = 60
MAX_ID_CHARS = 32
# Caps, stated on the page when reached: enough for a workshop of 100 drawing a dozen each.
PER_PARTICIPANT_CAP = 30
PER_ROOM_CAP = 1500

_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class RoomError(ValueError):
    """A request the room refuses, with a message for the person who made it."""


class Locked(RoomError):
    pass


class CapReached(RoomError):
    pass


LOCKED_MESSAGE = "Submissions are closed: the teacher locked the room."


def participant_full(count: int, cap: int) -> str:
    """What a participant who has submitted `count` of at most `cap` drawings is told."""
    return (
        f"You have submitted {count} drawings, the most one participant may ({cap}). "
        "Withdraw one to submit another."
    )


@dataclass(frozen=True)
class Room:
    """The room's settings. labels: what participants may submit, in button order."""

    id: str = ROOM_ID
    title: str = "Our room"
    labels: tuple[str, ...] = DEFAULT_LABELS
    locked: bool = False
    model_version: int = 0  # 0: no model trained for the room yet
    model_info: str = ""  # one line: what the model was trained on


@dataclass(frozen=True)
class Submission:
    """One drawing submitted to the room. grid: (8, 8) uint8 of 0/1; created: Unix seconds."""

    id: str
    label: str
    grid: np.ndarray = field(repr=False, compare=False)
    name: str = ""
    participant: str = ""
    created: float = 0.0
    hidden: bool = False

    def rows(self) -> str:
        """The grid as text, one row of 0/1 per line: how the stores keep it."""
        return grid_to_text(self.grid)


def check_label(text: object, labels: tuple[str, ...] | None = None) -> str:
    """A label, trimmed; RoomError unless it is 1..MAX_LABEL_CHARS printable characters (and
    one of `labels`, when given)."""
    label = str(text if text is not None else "").strip()
    if not label or not label.isprintable():
        raise RoomError(f"A label must be printable text, got {shorten(label)!r}.")
    if len(label) > MAX_LABEL_CHARS:
        raise RoomError(
            f"The label {shorten(label)!r} is {len(label)} characters long; at most "
            f"{MAX_LABEL_CHARS}."
        )
    if labels is not None and label not in labels:
        raise RoomError(f"This room takes the labels {', '.join(labels)}; not {shorten(label)!r}.")
    return label


def check_labels(texts) -> tuple[str, ...]:
    """The teacher's list of labels (a comma-separated string or a list): 2..MAX_LABELS
    distinct labels."""
    items = texts.split(",") if isinstance(texts, str) else list(texts)
    labels = tuple(dict.fromkeys(check_label(item) for item in items if str(item).strip()))
    if not 2 <= len(labels) <= MAX_LABELS:
        raise RoomError(f"A room needs 2 to {MAX_LABELS} different labels, got {len(labels)}.")
    return labels


def check_name(text: object) -> str:
    """A display name, trimmed (may be empty); RoomError if longer than MAX_NAME_CHARS."""
    name = " ".join(str(text if text is not None else "").split())
    if len(name) > MAX_NAME_CHARS:
        raise RoomError(
            f"Your name {shorten(name)!r} is {len(name)} characters long; use at most "
            f"{MAX_NAME_CHARS}."
        )
    if not name.isprintable():
        raise RoomError("A name must be printable text.")
    return name


def check_title(text: object) -> str:
    title = " ".join(str(text if text is not None else "").split())
    if not title or len(title) > MAX_TITLE_CHARS or not title.isprintable():
        raise RoomError(f"A room's title is 1 to {MAX_TITLE_CHARS} printable characters.")
    return title


def check_id(text: object, what: str = "An id") -> str:
    value = str(text if text is not None else "")
    if not _ID.match(value):
        raise RoomError(
            f"{what} is 1 to {MAX_ID_CHARS} letters, digits, '-' or '_'; got {shorten(value)!r}."
        )
    return value


def check_grid(value) -> np.ndarray:
    """An 8×8 drawing of 0/1 (a list of rows, an array, or text rows); RoomError otherwise.
    Returns a (8, 8) uint8 array."""
    if isinstance(value, str):
        value = [list(row) for row in value.split()]
    try:
        grid = np.array(value, dtype=np.int64)
    except (TypeError, ValueError, OverflowError):
        raise RoomError("A drawing must be rows of 0 and 1.") from None
    if grid.shape != (GRID_SIZE, GRID_SIZE):
        raise RoomError(
            f"A drawing must be {GRID_SIZE}×{GRID_SIZE} cells; got shape {shorten(grid.shape)}."
        )
    if not np.isin(grid, (0, 1)).all():
        raise RoomError("A drawing's cells must be 0 or 1.")
    return grid.astype(np.uint8)


def grid_to_text(grid: np.ndarray) -> str:
    return "\n".join("".join(str(int(v)) for v in row) for row in np.asarray(grid))


def submission_id(participant: str, label: str, grid: np.ndarray) -> str:
    """The id of `participant` submitting `grid` as `label`: the same inputs, the same id, so
    a double click or a retry is stored once. 20 hex characters (80 bits)."""
    text = f"{participant}\n{label}\n{grid_to_text(grid)}"
    return hashlib.blake2b(text.encode(), digest_size=10).hexdigest()


def new_submission(
    *, participant: str, label: str, grid, name: str = "", labels: tuple[str, ...] | None = None
) -> Submission:
    """A checked submission from a participant, with its idempotent id and the time now."""
    participant = check_id(participant, "A participant's id")
    label = check_label(label, labels)
    grid = check_grid(grid)
    return Submission(
        id=submission_id(participant, label, grid),
        label=label,
        grid=grid,
        name=check_name(name),
        participant=participant,
        created=time.time(),
    )

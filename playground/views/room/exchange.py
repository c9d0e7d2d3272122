"""The room as a file: export to JSON or .npz, and import one back (last week's class).

JSON (the public contract):

    {"room": {"id", "title", "labels", "locked", "exported"},
     "submissions": [{"id", "label", "grid" (8 lists of 0/1), "name", "created" (ISO 8601,
                      UTC), "hidden"}]}

.npz: `grids` (n, 8, 8) uint8, `labels`, `ids`, `names` (text arrays), `created` (n,) Unix
seconds, `hidden` (n,) bool, and `room` (the JSON "room" object as a text array); no pickle.

Importing reads the file through cnn_core.untrusted (sizes, depth and every array's declared
size checked before anything is unpacked) and checks every submission as the page checks a
participant's: a bad file is refused whole, with the reason.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from cnn_core.untrusted import load_json, read_npz, shorten
from playground.views.room.records import (
    GRID_SIZE,
    MAX_ID_CHARS,
    MAX_LABEL_CHARS,
    MAX_NAME_CHARS,
    PER_ROOM_CAP,
    Room,
    RoomError,
    Submission,
    check_grid,
    check_id,
    check_label,
    check_name,
)

IMPORTED = "import"  # the participant id of imported drawings: nobody can withdraw them
# A full room (PER_ROOM_CAP drawings) is about 250 bytes each as JSON.
MAX_JSON_BYTES = 2 * 1024 * 1024
MAX_NPZ_BYTES = 2 * 1024 * 1024


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def _seconds(text: object) -> float:
    try:
        when = datetime.fromisoformat(str(text))
    except ValueError:
        raise RoomError(f"'created' must be an ISO 8601 time, got {shorten(text)!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


def room_json(room: Room) -> dict:
    return {
        "id": room.id,
        "title": room.title,
        "labels": list(room.labels),
        "locked": room.locked,
        "exported": _iso(time.time()),
    }


def to_json(room: Room, subs: Sequence[Submission]) -> bytes:
    document = {
        "room": room_json(room),
        "submissions": [
            {
                "id": sub.id,
                "label": sub.label,
                "grid": sub.grid.astype(int).tolist(),
                "name": sub.name,
                "created": _iso(sub.created),
                "hidden": sub.hidden,
            }
            for sub in subs
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def to_npz(room: Room, subs: Sequence[Submission]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        room=np.array(json.dumps(room_json(room), ensure_ascii=False)),
        grids=np.stack([s.grid for s in subs]).astype(np.uint8)
        if subs
        else np.zeros((0, GRID_SIZE, GRID_SIZE), np.uint8),
        labels=np.array([s.label for s in subs], dtype=f"<U{MAX_LABEL_CHARS}"),
        ids=np.array([s.id for s in subs], dtype=f"<U{MAX_ID_CHARS}"),
        names=np.array([s.name for s in subs], dtype=f"<U{MAX_NAME_CHARS}"),
        created=np.array([s.created for s in subs], dtype=np.float64),
        hidden=np.array([s.hidden for s in subs], dtype=bool),
    )
    return buffer.getvalue()


def _imported(index: int, sub_id, label, grid, name, created: float, hidden) -> Submission:
    try:
        return Submission(
            id=check_id(sub_id, "A submission's id"),
            label=check_label(label),
            grid=check_grid(grid),
            name=check_name(name),
            participant=IMPORTED,
            created=float(created),
            hidden=bool(hidden),
        )
    except RoomError as error:
        raise RoomError(f"submission {index + 1}: {error}") from None


def from_json(data: bytes) -> list[Submission]:
    """The submissions of an exported JSON file; RoomError with the reason otherwise."""
    try:
        document = load_json(data, "The file", max_bytes=MAX_JSON_BYTES, max_depth=5)
    except ValueError as error:
        raise RoomError(str(error)) from None
    items = document.get("submissions") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise RoomError('The file is not a room export: it has no "submissions" list.')
    if len(items) > PER_ROOM_CAP:
        raise RoomError(f"The file holds {len(items)} drawings; a room takes {PER_ROOM_CAP}.")
    subs = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RoomError(f"submission {i + 1} is not an object.")
        hidden = item.get("hidden", False)
        if not isinstance(hidden, bool):
            raise RoomError(f"submission {i + 1}: 'hidden' must be true or false.")
        try:
            created = _seconds(item.get("created", ""))
        except RoomError as error:
            raise RoomError(f"submission {i + 1}: {error}") from None
        subs.append(
            _imported(i, item.get("id"), item.get("label"), item.get("grid"),
                      item.get("name", ""), created, hidden)
        )  # fmt: skip
    return subs


_NPZ_FIELDS = ("grids", "labels", "ids", "names", "created", "hidden")


def from_npz(data: bytes) -> list[Submission]:
    """The submissions of an exported .npz file; RoomError with the reason otherwise."""
    try:
        arrays = read_npz(
            data, "The file", max_file_bytes=MAX_NPZ_BYTES, max_members=16,
            max_array_bytes=4 * 1024 * 1024, max_total_bytes=8 * 1024 * 1024,
        )  # fmt: skip
    except ValueError as error:
        raise RoomError(str(error)) from None
    missing = [name for name in _NPZ_FIELDS if name not in arrays]
    if missing:
        raise RoomError(f"The file is not a room export: it has no {', '.join(missing)}.")
    grids = arrays["grids"]
    n = len(grids) if grids.ndim == 3 else -1
    if grids.ndim != 3 or any(arrays[f].shape != (n,) for f in _NPZ_FIELDS[1:]):
        raise RoomError("The file's arrays do not line up: one entry per drawing in each.")
    if n > PER_ROOM_CAP:
        raise RoomError(f"The file holds {n} drawings; a room takes {PER_ROOM_CAP}.")
    kinds = {"labels": "U", "ids": "U", "names": "U", "created": "f", "hidden": "b"}
    for field, kind in kinds.items():
        if arrays[field].dtype.kind != kind:
            raise RoomError(f"The file's {field} have the wrong type ({arrays[field].dtype}).")
    created = arrays["created"]
    if not np.isfinite(created).all():
        raise RoomError("The file's creation times must be finite numbers.")
    return [
        _imported(i, arrays["ids"][i], arrays["labels"][i], grids[i], arrays["names"][i],
                  created[i], arrays["hidden"][i])
        for i in range(n)
    ]  # fmt: skip


def read_export(name: str, data: bytes) -> list[Submission]:
    """An uploaded export, by its file name's ending (.json or .npz)."""
    if name.lower().endswith(".npz"):
        return from_npz(data)
    if name.lower().endswith(".json"):
        return from_json(data)
    raise RoomError("Choose a room export: a .json or .npz file.")

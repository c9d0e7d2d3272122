"""The room as a file (export, import) and the room's network on the room's drawings."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from cnn_core.model import CNNClassifier, CNNConfig, generated_data
from playground.views.room import exchange
from playground.views.room.records import Room, RoomError, Submission, check_labels
from playground.views.room.verdicts import Verdict, confusion, fooled, verdicts
from tests.room.test_store import drawing, sub


def room_of_three() -> list[Submission]:
    return [sub("ana", 1, "X", "Ana"), sub("ben", 2, "O"), sub("cy", 3, "O", "<b>Cy</b>")]


def test_the_json_export_is_the_public_contract():
    subs = room_of_three()
    document = json.loads(exchange.to_json(Room(title="Tuesday"), subs))
    assert set(document) == {"room", "submissions"}
    assert document["room"]["title"] == "Tuesday" and document["room"]["labels"] == ["X", "O"]
    first = document["submissions"][0]
    assert set(first) == {"id", "label", "grid", "name", "created", "hidden"}
    assert first["grid"] == drawing(1).tolist()
    assert first["label"] == "X" and first["name"] == "Ana" and first["hidden"] is False
    assert first["created"].endswith("+00:00")


@pytest.mark.parametrize("kind", ["json", "npz"])
def test_an_export_imports_back_to_the_same_drawings(kind):
    subs = room_of_three()
    subs[1] = Submission(**{**subs[1].__dict__, "hidden": True})
    data = exchange.to_json(Room(), subs) if kind == "json" else exchange.to_npz(Room(), subs)
    back = exchange.read_export(f"room.{kind}", data)
    assert [(s.id, s.label, s.name, s.hidden) for s in back] == [
        (s.id, s.label, s.name, s.hidden) for s in subs
    ]
    for a, b in zip(back, subs, strict=True):
        np.testing.assert_array_equal(a.grid, b.grid)
        assert abs(a.created - b.created) < 1.0  # JSON keeps whole seconds
    assert {s.participant for s in back} == {exchange.IMPORTED}


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _one(**fields) -> bytes:
    """A JSON export with one submission: a good one, with `fields` changed."""
    item = {"id": "a", "label": "X", "grid": drawing(1).tolist(), "created": "2026-01-01"}
    return json.dumps({"submissions": [{**item, **fields}]}).encode()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("room.json", b"{", "JSON"),
        ("room.json", b'{"room": {}}', 'no "submissions" list'),
        ("room.json", _one(grid=[[1]]), "8×8"),
        ("room.json", _one(id="a b"), "id"),
        ("room.json", _one(label="X" * 40), "at most 12"),
        ("room.json", _one(created="yesterday"), "ISO 8601"),
        ("room.json", _one(hidden="yes"), "true or false"),
        ("room.json", b"[" * 100_000, "deep|nested"),
        ("room.json", b" " * (3 * 1024 * 1024), "MB"),
        ("room.npz", b"PK\x03\x04 not a zip", "damaged|not an .npz"),
        ("room.npz", _npz(grids=np.zeros((1, 8, 8))), "no labels"),
        ("room.txt", b"", ".json or .npz"),
    ],
)
def test_a_bad_file_is_refused_whole_with_its_reason(name, data, message):
    with pytest.raises(RoomError, match=message):
        exchange.read_export(name, data)


def test_an_npz_that_declares_a_huge_array_is_refused_before_it_is_unpacked():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        text = b"{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }"
        header = b"\x93NUMPY\x01\x00" + len(text + b"\n").to_bytes(2, "little") + text + b"\n"
        archive.writestr("created.npy", header)
    with pytest.raises(RoomError, match="MB"):
        exchange.from_npz(buffer.getvalue())


def test_the_teachers_labels_are_checked():
    assert check_labels("cat, dog ,cat") == ("cat", "dog")
    with pytest.raises(RoomError, match="2 to 6"):
        check_labels("cat")
    with pytest.raises(RoomError, match="at most 12"):
        check_labels(["cat", "d" * 13])


@pytest.fixture(scope="module")
def network() -> CNNClassifier:
    config = CNNConfig(n_train=200, n_test=20, epochs=3)
    X, _, y, _ = generated_data(config, seed=0)
    return CNNClassifier(config, random_state=0).fit(X, y)


def test_verdicts_are_the_networks_own_probabilities(network):
    subs = room_of_three()
    said = verdicts(network, subs)
    proba = network.predict_proba(np.stack([s.grid for s in subs]).astype(float))
    for s, p in zip(subs, proba, strict=True):
        best = int(p.argmax())
        assert said[s.id].said == str(network.classes_[best])
        assert said[s.id].confidence == pytest.approx(p[best])
        assert said[s.id].right == (said[s.id].said == s.label)


def test_fooled_lists_the_mistakes_most_confident_first_and_confusion_counts_them():
    subs = room_of_three() + [sub("dee", 4, "X")]
    said = {
        subs[0].id: Verdict("O", 0.7, False),
        subs[1].id: Verdict("O", 0.9, True),
        subs[2].id: Verdict("X", 0.95, False),
        subs[3].id: Verdict("X", 0.6, True),
    }
    assert [s.id for s in fooled(subs, said)] == [subs[2].id, subs[0].id]
    counts = confusion(subs, said, ["O", "X"])  # rows: label O, X; columns: said O, X
    np.testing.assert_array_equal(counts, [[1, 1], [1, 1]])

"""What the room's network says about the room's drawings. NumPy and cnn_core only.

The teacher trains a network for the room; the store keeps it (.npz bytes). Every view of
the room asks this module, with the same network, for:
- `verdicts`: each drawing's predicted label and the network's confidence in it;
- `fooled`: drawings the network gets wrong, the most confident mistakes first (the room's
  "Fool the network" game);
- `confusion`: counts of true label × predicted label over the room's drawings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnn_core.model import CNNClassifier
from playground.views.room.records import Submission


@dataclass(frozen=True)
class Verdict:
    """The network on one drawing: `said` with probability `confidence`; `right` when that is
    the drawing's label."""

    said: str
    confidence: float
    right: bool


def load_model(data: bytes | None) -> CNNClassifier | None:
    """The room's network from the store's bytes (None when there is none, or it is unusable:
    the page then says the room has no network yet)."""
    if data is None:
        return None
    try:
        return CNNClassifier.load(data)
    except ValueError:
        return None


def verdicts(model: CNNClassifier, subs: Sequence[Submission]) -> dict[str, Verdict]:
    """{submission id: Verdict} for every submission, in one batch through the network."""
    if not subs:
        return {}
    X = np.stack([sub.grid for sub in subs]).astype(float)  # (n, 8, 8)
    if X.shape[1:] != (model.config.grid_size, model.config.grid_size):
        return {}
    proba = model.predict_proba(X)  # (n, n_classes)
    best = proba.argmax(axis=1)
    classes = [str(c) for c in model.classes_]
    return {
        sub.id: Verdict(classes[b], float(p[b]), classes[b] == sub.label)
        for sub, b, p in zip(subs, best, proba, strict=True)
    }


def fooled(subs: Sequence[Submission], said: dict[str, Verdict]) -> list[Submission]:
    """The drawings the network gets wrong, the most confident mistakes first."""
    wrong = [sub for sub in subs if sub.id in said and not said[sub.id].right]
    return sorted(wrong, key=lambda sub: (-said[sub.id].confidence, sub.created, sub.id))


def confusion(
    subs: Sequence[Submission], said: dict[str, Verdict], classes: Sequence[str]
) -> np.ndarray:
    """(n_classes, n_classes) counts: row = the drawing's label, column = the network's
    answer, in `classes` order. Drawings whose label the network does not know are left out."""
    index = {label: i for i, label in enumerate(classes)}
    counts = np.zeros((len(classes), len(classes)), dtype=int)
    for sub in subs:
        verdict = said.get(sub.id)
        if verdict is not None and sub.label in index:
            counts[index[sub.label], index[verdict.said]] += 1
    return counts

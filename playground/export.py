"""Save and load: drawings and kernels as JSON, the trained model as ``.npz``.

The JSON file is small enough to read and edit by hand::

    {"cnn_playground": 1,
     "drawings": [[[0, 0, 0, 1, 1, 0, 0, 0], ...]],   # one or more (H, W) grids of 0/1
     "kernels": [[[-1, -1, 1], [-1, 1, -1], [1, -1, -1]]]}   # zero or more (k, k) kernels

Either part may be left out; a bare list of 0/1 rows is read as one drawing. Everything is
checked on import with the same bounds as the widgets and a link (``playground.links``), and
a file with anything wrong is refused whole, with a message that names the problem.

The first part of this module is pure (tested on its own); ``sidebar_panel`` is the Streamlit
part: a "Save & load" box at the bottom of the sidebar on every page.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np

from cnn_core import untrusted
from playground import state
from playground.links import codec, pages
from playground.ui.plain_text import md
from playground.views.lab import link as lab_link
from playground.views.lesson import link as lesson_link
from playground.views.same import link as same_link

FORMAT_KEY = "cnn_playground"
FORMAT_VERSION = 1
MAX_JSON_BYTES = 64 * 1024  # a 16×16 drawing and four 5×5 kernels are under 2 KB
MAX_MODEL_BYTES = 5 * 1024 * 1024  # the playground's models are tens of KB


@dataclass(frozen=True, eq=False)
class Imported:
    """What a JSON file holds: drawings (H, W) int 0/1 and kernels (k, k) float."""

    drawings: tuple[np.ndarray, ...] = ()
    kernels: tuple[np.ndarray, ...] = ()

    def as_link_state(self) -> codec.LinkState:
        return codec.LinkState(self.drawings, self.kernels)


def to_json(drawings=(), kernels=()) -> str:
    """Drawings and kernels as the JSON text above (numbers written as the deck does)."""
    data: dict[str, object] = {FORMAT_KEY: FORMAT_VERSION}
    if len(drawings):
        data["drawings"] = [np.asarray(d, dtype=int).tolist() for d in drawings]
    if len(kernels):
        data["kernels"] = [
            [[_plain(v) for v in row] for row in np.asarray(k, dtype=float).tolist()]
            for k in kernels
        ]
    return json.dumps(data, indent=1)


def _plain(value: float) -> int | float:
    """-1.0 → -1, 0.5 → 0.5: JSON a person can read."""
    return int(value) if float(value).is_integer() else float(value)


def _matrix(value, name: str) -> list[list]:
    """A non-empty list of equally long lists, or a ValueError naming ``name``."""
    if not isinstance(value, list) or not value:
        raise ValueError(f"{name} must be a list of rows, got {_kind(value)}")
    for i, row in enumerate(value, start=1):
        if not isinstance(row, list) or not row:
            raise ValueError(f"{name}: row {i} must be a list of numbers, got {_kind(row)}")
    widths = {len(row) for row in value}
    if len(widths) > 1:
        raise ValueError(f"{name} must have rows of equal length, got lengths {sorted(widths)}")
    return value


def _kind(value) -> str:
    return f"{type(value).__name__} {untrusted.shorten(json.dumps(value)[:100])}"


def _drawing(value, name: str) -> np.ndarray:
    rows = _matrix(value, name)
    h, w = len(rows), len(rows[0])
    # As small as a lesson step's patch: the page it is loaded into says what it can show.
    if h != w or not codec.LESSON_GRID_MIN <= h <= codec.GRID_MAX:
        raise ValueError(
            f"{name} must be square, {codec.LESSON_GRID_MIN}×{codec.LESSON_GRID_MIN} to "
            f"{codec.GRID_MAX}×{codec.GRID_MAX}, got {h}×{w}"
        )
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            if isinstance(v, bool) or v not in (0, 1):
                raise ValueError(f"{name}: row {i}, column {j} must be 0 or 1, got {_kind(v)}")
    return np.array(rows, dtype=int)


def _kernel(value, name: str) -> np.ndarray:
    rows = _matrix(value, name)
    h, w = len(rows), len(rows[0])
    if h != w or not codec.KERNEL_MIN <= h <= codec.KERNEL_MAX:
        raise ValueError(
            f"{name} must be square, {codec.KERNEL_MIN}×{codec.KERNEL_MIN} to "
            f"{codec.KERNEL_MAX}×{codec.KERNEL_MAX}, got {h}×{w}"
        )
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row, start=1):
            # load_json reads integers too large for a float as errors, so isfinite is safe
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError(f"{name}: row {i}, column {j} must be a number, got {_kind(v)}")
            if abs(v) > codec.MAX_ABS:
                raise ValueError(
                    f"{name}: row {i}, column {j} is {v}; use numbers between "
                    f"−{codec.MAX_ABS:g} and {codec.MAX_ABS:g}"
                )
    return np.array(rows, dtype=float)


def read_json(data: bytes | str) -> Imported:
    """Read a drawings-and-kernels file. ValueError with a readable reason for anything wrong."""
    # A drawings file nests at most 4 deep: {"drawings": [drawing [row [cell]]]}.
    value = untrusted.load_json(data, "the file", max_bytes=MAX_JSON_BYTES, max_depth=4)
    if isinstance(value, list):  # a bare drawing
        return Imported(drawings=(_drawing(value, "the drawing"),))
    if not isinstance(value, dict):
        raise ValueError(
            f"the file must hold an object with drawings and kernels, got {_kind(value)}"
        )
    version = value.get(FORMAT_KEY, FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ValueError(
            f"the file is format version {untrusted.shorten(json.dumps(version))}; "
            f"this program reads {FORMAT_VERSION}"
        )
    unknown = sorted(set(value) - {FORMAT_KEY, "drawings", "kernels"})
    if unknown:
        raise ValueError(
            f"the file has unknown entries {untrusted.shorten(unknown)}; allowed are "
            "'drawings' and 'kernels'"
        )
    drawings = value.get("drawings", [])
    kernels = value.get("kernels", [])
    if not isinstance(drawings, list) or not isinstance(kernels, list):
        raise ValueError("'drawings' and 'kernels' must each be a list")
    if not drawings and not kernels:
        raise ValueError("the file holds no drawings and no kernels")
    if len(drawings) > codec.MAX_GRIDS:
        raise ValueError(f"the file holds {len(drawings)} drawings; at most {codec.MAX_GRIDS}")
    if len(kernels) > codec.MAX_KERNELS:
        raise ValueError(f"the file holds {len(kernels)} kernels; at most {codec.MAX_KERNELS}")
    many = len(drawings) > 1
    grids = tuple(
        _drawing(d, f"drawing {i}" if many else "the drawing") for i, d in enumerate(drawings, 1)
    )
    if len({g.shape for g in grids}) > 1:
        raise ValueError("the drawings must all have the same size")
    return Imported(
        drawings=grids,
        kernels=tuple(_kernel(k, f"kernel {i}") for i, k in enumerate(kernels, 1)),
    )


def model_to_bytes(model) -> bytes:
    """A trained ``CNNClassifier`` as the bytes of its ``.npz`` file."""
    buffer = io.BytesIO()
    model.save(buffer)
    return buffer.getvalue()


def model_from_bytes(data: bytes):
    """A ``CNNClassifier`` from an uploaded ``.npz`` (no pickle); ValueError if it is not one."""
    from cnn_core.model import CNNClassifier

    if len(data) > MAX_MODEL_BYTES:
        raise ValueError(
            f"the file is {len(data) // 1024} KB; a playground model is at most "
            f"{MAX_MODEL_BYTES // (1024 * 1024)} MB"
        )
    return CNNClassifier.load(bytes(data))


# =============================================================================================
# The sidebar panel (Streamlit from here on).
# =============================================================================================

# A model loaded from a file. Its key starts with ``train_`` because the pages that use "the
# trained model" (playground.network_sources.trained_model) look there for one.
LOADED_MODEL = state.LOADED_MODEL
MESSAGE = "export_message"  # ("success" | "error", text) about the last import


def trained_model():
    """The model trained on the Train page in this session (else a loaded one), or None."""
    from playground import network_sources

    return network_sources.trained_model()


def _page_state(url_path: str):
    """(where, target, LinkState) of what the current page shares; target is "lab", "same"
    or a lesson ``Step``. Pages without drawings of their own share the lab's."""
    import streamlit as st

    ss = st.session_state
    if url_path == pages.LESSON_PAGE:
        from playground.views.lesson.steps import STEPS

        step = STEPS[int(ss.get(lesson_link.LESSON_STEP, 1)) - 1]
        if not step.fixed:
            return "this lesson step", step, lesson_link.step_link_state(ss, step)
    if url_path == pages.SAME_PAGE and same_link.same_link_state(ss) is not None:
        return "the Same? page", "same", same_link.same_link_state(ss)
    return "the lab", "lab", lab_link.lab_link_state(ss)


def load_into(ss, target, imported: Imported) -> None:
    """Put a file's drawings and kernels into the page ``target``, keeping its settings.

    ValueError (with every reason) if that page cannot show them.
    """
    state = imported.as_link_state()
    if target == "lab":
        errors = lab_link.check_for_lab(state)
    elif target == "same":
        errors = same_link.check_for_same(state)
    else:
        errors = lesson_link.check_for_step(state, target)
    if errors:
        raise ValueError("; ".join(errors))
    if target == "lab":
        lab_link.apply_to_lab(ss, state, settings=False)
    elif target == "same":
        same_link.apply_to_same(ss, state)
    else:  # a file carries no settings: keep the step's
        current = lesson_link.step_link_state(ss, target)
        lesson_link.apply_to_step(
            ss, target, codec.LinkState(state.grids, state.kernels, current.settings)
        )


def _on_import(url_path: str) -> None:
    """Callback of the JSON uploader: load the file into the page, before the page runs."""
    import streamlit as st

    ss = st.session_state
    upload = ss.get("export_upload_json")
    if upload is None:
        return
    try:
        imported = read_json(upload.getvalue())
        where, target, _ = _page_state(url_path)
        load_into(ss, target, imported)
    except ValueError as error:
        ss[MESSAGE] = ("error", f"{md(upload.name)} was not loaded: {md(error, 300)}.")
        return
    parts = []
    if imported.drawings:
        parts.append(f"{len(imported.drawings)} drawing(s)")
    if imported.kernels:
        parts.append(f"{len(imported.kernels)} kernel(s)")
    ss[MESSAGE] = ("success", f"Loaded {' and '.join(parts)} into {where}.")


def _on_model_upload() -> None:
    import streamlit as st

    ss = st.session_state
    upload = ss.get("export_upload_model")
    if upload is None:
        return
    try:
        ss[LOADED_MODEL] = model_from_bytes(upload.getvalue())
        ss[MESSAGE] = ("success", f"Loaded the model from {md(upload.name)}.")
    except ValueError as error:
        ss[MESSAGE] = ("error", f"{md(upload.name)} was not loaded: {md(error, 300)}")


def sidebar_panel(url_path: str) -> None:
    """ "Save & load" at the bottom of the sidebar: downloads of what the page shows, uploads."""
    import streamlit as st

    ss = st.session_state
    where, _, shared = _page_state(url_path)
    with st.sidebar.expander("Save & load", icon=":material/save:"):
        st.caption(
            "The address bar always holds what is on screen: copy it to share this exact view."
        )
        if shared is not None and (shared.grids or shared.kernels):
            st.download_button(
                f"Drawing and kernels of {where} (.json)",
                data=to_json(shared.grids, shared.kernels),
                file_name="cnn-playground.json",
                mime="application/json",
                key="export_json",
                on_click="ignore",
                icon=":material/download:",
            )
        st.file_uploader(
            f"Load drawings and kernels into {where} (.json)",
            type=["json"],
            key="export_upload_json",
            on_change=_on_import,
            args=(url_path,),
            max_upload_size=1,
        )
        model = trained_model()
        if model is not None:
            st.download_button(
                "The trained model (.npz)",
                data=lambda: model_to_bytes(model),
                file_name="cnn-playground-model.npz",
                mime="application/octet-stream",
                key="export_model_npz",
                on_click="ignore",
                icon=":material/download:",
            )
        else:
            st.caption("Train a model on the Train page to download it as .npz.")
        st.file_uploader(
            "Load a model (.npz)",
            type=["npz"],
            key="export_upload_model",
            on_change=_on_model_upload,
            max_upload_size=6,
        )
        loaded = ss.get(LOADED_MODEL)
        if loaded is not None:
            st.caption(f"Loaded model: classes {', '.join(md(c) for c in loaded.classes_)}.")
        message = ss.get(MESSAGE)
        if message:
            kind, text = message
            (st.success if kind == "success" else st.error)(text)
